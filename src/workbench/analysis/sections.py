"""The Section every profile table is returned as: the table, its sources and its notes."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class Section:
    """A table for one part of the profile with what its caption and source line need."""

    table: pd.DataFrame
    source_ids: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: Cells (row label, column) whose value its publisher corrected after the release held
    #: (flag ``x``): shown as published, never quoted as a headline.
    superseded: frozenset = frozenset()

    @property
    def empty(self) -> bool:
        """True when there is nothing to show."""
        return self.table.empty
