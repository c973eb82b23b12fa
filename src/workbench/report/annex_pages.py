"""Which sections of a printed annex go on the landscape page of the wide table that follows.

A wide table prints on a landscape page (``figure.wb-landscape``), and the page break that turns
the paper falls right before it. So that this break leaves no page holding only a heading and a
few lines (see ``annex-print.css``):

* ``lead``: a section that opens on a wide table prints its heading and introduction on the
  table's landscape page, not alone at the foot of a portrait page;
* ``all``: a section of text only (at most :data:`SHORT_TEXT_BLOCKS` blocks, no table or chart)
  right before a ``lead`` section goes on that landscape page too, rather than on a page of its own.
  A section with an exhibit stays: moving it could leave the end of the table before it alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from workbench.report.annex_document import Section
from workbench.report.exhibits import Exhibit

#: At most this many text blocks in a section that joins the landscape page after it.
SHORT_TEXT_BLOCKS = 3


def landscape_roles(sections: Sequence[Section], wide: Callable[[Exhibit], bool]) -> list[str]:
    """For each section, '' (portrait), 'lead' or 'all' (see the module's rules); ``wide(exhibit)``
    says whether an exhibit prints on a landscape page."""
    roles = []
    for section in sections:
        exhibits = [b for b in section.blocks if isinstance(b, Exhibit)]
        roles.append("lead" if exhibits and wide(exhibits[0]) else "")
    for index in range(1, len(sections)):
        before = sections[index - 1]
        if (roles[index] == "lead" and roles[index - 1] == ""
                and not any(isinstance(b, Exhibit) for b in before.blocks) and len(before.blocks) <= SHORT_TEXT_BLOCKS):
            roles[index - 1] = "all"
    return roles
