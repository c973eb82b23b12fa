"""Whether a drafted sentence says what its table says: claims (value, table, row, column) and their check."""

from __future__ import annotations

import re

from dataclasses import dataclass, field

import pandas as pd

from workbench.errors import ClaimError
from workbench.reference.i18n import Joined, Msg, Num, render


@dataclass(frozen=True)
class Claim:
    """A number of a sentence and the cell it comes from: table name, row label and column.

    With ``other`` (another row label and column of the same table) the number is computed from
    the two cells as ``how`` says: "difference" (cell − other, e.g. a change in percentage points)
    or "base" (the total a share is of: cell × 100 ÷ other, with the other cell a share in %).
    With ``how="label"`` the sentence shows the cell ``text`` itself (e.g. an age band "15 and over"):
    its numbers are the cell's, not the sentence's own. With ``how="header"`` the number is part of
    the column's own name (e.g. the 5 of "migrants in the 5 highest-share areas (%)"). With
    ``how="distinct"`` it is the number of different values of the column (e.g. populations listed).
    """

    value: float
    table: str  #: the key of the table in :func:`check` (e.g. "series", "trends")
    row: object  #: the row's index label in that table
    column: str
    other: tuple[object, str] | None = None
    how: str = "cell"  #: "cell", "difference", "base", "label", "header" or "distinct"
    text: object = None  #: the label cell shown, for ``how="label"``


@dataclass(frozen=True)
class Sentence:
    """One drafted sentence, the table it comes from and, where drafted from cells, its claims."""

    text: Msg
    table: Msg  #: where the number is shown: section and caption of the table
    sources: list[str] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)



def check(sentences: list[Sentence], tables: dict[str, pd.DataFrame]) -> int:
    """Verify that every number of every sentence drafted from claims is the table cell it cites.

    Parameters
    ----------
    sentences
        The drafted synopsis.
    tables
        The tables the claims name, by their key (the profile's own tables, as shown).

    Returns
    -------
    int
        How many sentences were checked (those with claims).

    Raises
    ------
    ClaimError
        Naming the sentence (its number and English text) and the cell, if a claimed value is not
        its cell, or a number of the sentence is claimed by no cell.
    """
    checked = 0
    for number, sentence in enumerate(sentences, start=1):
        if not sentence.claims:
            continue
        checked += 1
        said = f"synopsis sentence {number} ({render(sentence.text, 'en')!r}, see {render(sentence.table, 'en')})"
        labels = [claim.text for claim in sentence.claims if claim.how == "label"]
        for claim in sentence.claims:
            if claim.how == "label":
                cell = _cell(tables, claim, said)
                if cell != claim.text:
                    raise ClaimError(f"{said}: shows {claim.text!r} but the cited cell (table '{claim.table}', row "
                                     f"{claim.row}, column '{claim.column}') holds {cell!r}")
                continue
            cell = _cell(tables, claim, said)
            if not _same(claim.value, cell):
                where = f"table '{claim.table}', row {claim.row}, column '{claim.column}'"
                if claim.other:
                    where += f" with row {claim.other[0]}, column '{claim.other[1]}' ({claim.how})"
                raise ClaimError(f"{said}: states {claim.value} but the cited cell ({where}) holds {cell}")
        for value in _numbers(sentence.text, labels):
            if not any(_same(value, claim.value) for claim in sentence.claims):
                raise ClaimError(f"{said}: the number {value} cites no table cell")
    return checked


def _cell(tables: dict[str, pd.DataFrame], claim: Claim, said: str):
    table = tables.get(claim.table)
    if table is None or claim.row not in table.index or claim.column not in table.columns:
        raise ClaimError(f"{said}: cites table '{claim.table}', row {claim.row}, column '{claim.column}', which the profile does not show")
    if claim.how == "label":
        return table.at[claim.row, claim.column]
    if claim.how == "header":
        # the column's name states the number: the claim holds if the name has it as a whole number
        named = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", str(claim.column))]
        return claim.value if claim.value in named else float("nan")
    if claim.how == "distinct":
        return float(table[claim.column].astype(str).nunique())
    value = float(table.at[claim.row, claim.column])
    if claim.how == "difference":
        return value - float(table.at[claim.other[0], claim.other[1]])
    if claim.how == "base":
        return value * 100 / float(table.at[claim.other[0], claim.other[1]])
    return value


def _same(a: float, b: float) -> bool:
    # a claim holds the cell's own float; only the arithmetic of a computed claim differs in the last bits
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _numbers(text, labels: list) -> list[float]:
    # the numbers a sentence states: its numeric parameters, a "-{value}" read as negative; a cited
    # label cell (the same object) states none of its own
    if any(text is label for label in labels):
        return []
    if isinstance(text, Joined):
        return [v for part in text.parts for v in _numbers(part, labels)]
    if isinstance(text, Msg):
        sign = -1.0 if text.msgid == "-{value}" else 1.0
        return [sign * v for value in text.params.values() for v in _numbers(value, labels)]
    if isinstance(text, Num):
        return [float(text.value)]
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return [float(text)]
    return []
