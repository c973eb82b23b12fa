"""Which sections of a printed annex open on a landscape page with the wide table they start with.

A wide table prints on a landscape page (``figure.wb-landscape``), and the page break that turns
the paper falls right before it. A section that opens on a wide table ('lead') therefore prints
its heading and introduction on that landscape page too (see ``annex-print.css``): left behind,
they would stand alone at the foot of a portrait page, or on a page of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from workbench.report.annex_document import Section
from workbench.report.exhibits import Exhibit


def landscape_roles(sections: Sequence[Section], wide: Callable[[Exhibit], bool]) -> list[str]:
    """For each section, 'lead' when its first exhibit is wide (``wide(exhibit)``), else ''."""
    roles = []
    for section in sections:
        exhibits = [b for b in section.blocks if isinstance(b, Exhibit)]
        roles.append("lead" if exhibits and wide(exhibits[0]) else "")
    return roles
