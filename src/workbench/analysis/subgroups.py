"""How the subgroup of a framework figure reads in a table ('age Y20-64, origin EU27_2020_FOR' → words).

The framework values keep the subgroup as the source's codes (``column code`` pairs joined by
commas, see :func:`~workbench.analysis.framework_values.latest_values`): a saved table stays
machine-readable, a published cell says what the codes mean.
"""

from __future__ import annotations

import re

from workbench.analysis.national_gaps import BIRTH_GROUPS, CITIZENSHIP_GROUPS, REASONS
from workbench.reference.i18n import Msg, T, join

_AGE = re.compile(r"Y(\d+)-(\d+|MAX)")
_UNDER = re.compile(r"Y_LT(\d+)")


def subgroup_text(subgroup: str, definition_id: str) -> str | Msg:
    """The subgroup of a figure in words, in the order the codes come.

    Parameters
    ----------
    subgroup
        ``''`` or ``column code`` pairs joined by ``', '`` (``'age Y20-64, origin NEU27_2020_FOR'``).
    definition_id
        The figure's definition: an origin group reads 'born outside the EU' for the foreign-born,
        'citizens of a non-EU country' for foreign nationals.

    Returns
    -------
    str or Msg
        ``''`` for no subgroup; a code this module does not know stays as the source wrote it.
    """
    if not subgroup:
        return ""
    parts = [_part(token.strip(), definition_id) for token in subgroup.split(",")]
    return parts[0] if len(parts) == 1 else join(parts, ", ")


def _part(token: str, definition_id: str) -> str | Msg:
    column, _, code = token.partition(" ")
    if column == "age":
        if match := _AGE.fullmatch(code):
            low, high = match.groups()
            return T("aged {low} and over", low=low) if high == "MAX" else T("aged {low}–{high}", low=low, high=high)
        if match := _UNDER.fullmatch(code):
            return T("aged under {age}", age=match.group(1))
    if column == "origin":
        group = BIRTH_GROUPS.get((definition_id, code)) or CITIZENSHIP_GROUPS.get((definition_id, code))
        if group is not None:
            return group
    if column == "category" and code in REASONS:
        return T("reason: {reason}", reason=REASONS[code])
    return token
