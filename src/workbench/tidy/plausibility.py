"""Whether a new tidy table is plausible beside the committed one and the other tables, before it replaces it.

Three kinds of finding, each one line naming the source, its official file, the place, the year
and both values:

- a part larger than its whole (foreign-born more than the population of the same place, date,
  sex and age), within one table or across tables (``data/registry/plausibility.yaml``, key ``parts``);
- a count that moved by more than a factor from the committed table's value for the same
  observation, or from the same source's previous year (``max_factor``, counts from ``min_count``);
- a place or year of the committed table that the new table no longer has.

A source's registry entry may declare its own factor and, with the reason, exceptions for one
place (and year) it publishes genuinely so (:class:`workbench.reference.plausibility.SourcePlausibility`).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from workbench.errors import ConfigError
from workbench.reference.plausibility import Rules, SourcePlausibility, load_rules, read_rules
from workbench.reference.registry import load_definitions, load_indicators
from workbench.tidy.schemas import BALANCE_INDICATORS, COUNT_UNITS, KEY_COLUMNS, PART_TOLERANCE

#: Flags by which a publisher says a value is not comparable with the year before (break in series,
#: definition differs): such a value is not compared with the previous year.
NOT_COMPARABLE_FLAGS: tuple[str, ...] = ("b", "d")

#: The columns that say which people a row counts, besides place and date.
_SAME_PEOPLE = ("indicator_id", "sex", "age", "unit")


@dataclass(frozen=True)
class Finding:
    """One implausible value of a new table: which check, where, and the message naming both values."""

    source_id: str
    check: str  #: one of :data:`workbench.reference.plausibility.CHECKS`
    place_id: str
    period: str
    definition_id: str
    message: str  #: "urb_cpopcb.csv: Madrid (greater city) 2022 foreign-born 1,107,310,000 is more than ..."


@dataclass(frozen=True)
class Table:
    """A tidy table with what names it in messages."""

    source_id: str
    frame: pd.DataFrame
    label: str  #: the official file(s) of a new table, or the path of a committed one
    new: bool  #: built by this ingestion (not yet committed)
    limits: SourcePlausibility = SourcePlausibility()


def check_tables(tables: Sequence[Table], committed: Mapping[str, Table], rules: Rules | None = None) -> list[Finding]:
    """Find every implausible value of the new ``tables`` (exceptions declared by their sources left out).

    Parameters
    ----------
    tables
        The new tables (``new=True``) and the committed tables of other sources that may hold the
        whole of one of their parts, or a part of one of their wholes (``new=False``).
    committed
        Source id -> the committed table each new table would replace (absent: a first build).
    rules
        The declared limits; ``data/registry/plausibility.yaml`` by default.

    Returns
    -------
    list of Finding
        In the order of the new tables, part-over-whole first; empty when all is plausible.
    """
    rules = rules or load_rules()
    found = _parts_over_wholes(tables, rules)
    for table in (t for t in tables if t.new):
        factor = table.limits.max_factor or rules.max_factor
        floor = rules.min_count if table.limits.min_count is None else table.limits.min_count
        before = committed.get(table.source_id)
        if before is not None:
            found += _disappeared(table, before)
            found += _moved(table, before, factor, floor)
        if table.limits.year_on_year:
            found += _year_on_year(table, factor, floor)
    limits = {t.source_id: t.limits for t in tables}
    return [f for f in found if not _excused(f, limits.get(f.source_id))]


def _excused(finding: Finding, limits: SourcePlausibility | None) -> bool:
    return limits is not None and any(
        e.check == finding.check and fnmatch.fnmatchcase(finding.place_id, e.place_id) and e.period in (None, finding.period)
        and e.definition_id in (None, finding.definition_id)
        for e in limits.exceptions
    )


def _counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows holding a count that is not a balance, with a value."""
    keep = frame["unit"].isin(COUNT_UNITS) & ~frame["indicator_id"].isin(BALANCE_INDICATORS) & frame["value"].notna()
    return frame.loc[keep]


def _parts_over_wholes(tables: Sequence[Table], rules: Rules) -> list[Finding]:
    wholes = rules.wholes()
    if not wholes:
        return []
    whole_ids = {(indicator, whole) for (indicator, _), ids in wholes.items() for whole in ids}
    pieces = []
    for table in tables:
        rows = _counts(table.frame)
        rows = rows[(rows["origin"] == "total") & (rows["category"] == "total")]
        pairs = list(zip(rows["indicator_id"], rows["definition_id"]))
        rows = rows.assign(_whole=[wholes.get(p, ()) for p in pairs], _is_whole=[p in whole_ids for p in pairs],
                           _table=table.source_id, _new=table.new, _label=table.label)
        rows = rows[np.array([p in wholes for p in pairs], dtype=bool) | rows["_is_whole"].to_numpy(dtype=bool)]
        pieces.append(rows.explode("_whole"))  # a part of two wholes is compared with each
    rows = pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame()
    if rows.empty:
        return []
    parts = rows[rows["_whole"].notna()]
    totals = rows[rows["_is_whole"]].drop_duplicates(["_table", "definition_id", "place_id", "ref_date", "period", *_SAME_PEOPLE])
    on = ["place_id", "ref_date", *_SAME_PEOPLE]
    pairs = parts.merge(totals, left_on=[*on, "_whole"], right_on=[*on, "definition_id"], suffixes=("", "_w"))
    pairs = pairs[pairs["_new"] | pairs["_new_w"]]
    slack = np.maximum(1.0, PART_TOLERANCE * pairs["value_w"].abs())
    over = pairs[pairs["value"] > pairs["value_w"] + slack]
    labels = _labels()
    found = []
    for r in over.to_dict("records"):
        whole_where = "the same table" if r["_table_w"] == r["_table"] else f"{r['_table_w']}, {r['_label_w']}"
        # the finding belongs to the new table: the part's, or the whole's when only the whole is new
        owner, label = (r["_table"], r["_label"]) if r["_new"] else (r["_table_w"], r["_label_w"])
        found.append(Finding(
            owner, "part_over_whole", r["place_id"], r["period"], r["definition_id"],
            f"{label}: {_where(r)} {_what(r, labels)} {_number(r['value'])} "
            f"({r['_table']}) is more than its whole, {labels.get(r['_whole'], r['_whole'])} "
            f"{_number(r['value_w'])} ({whole_where})",
        ))
    return found


def _moved(table: Table, before: Table, factor: float, floor: float) -> list[Finding]:
    key = [c for c in KEY_COLUMNS if c != "source_id"]
    new, old = _counts(table.frame), _counts(before.frame)
    pairs = new.merge(old[[*key, "value"]], on=key, suffixes=("", "_old"))
    over = _beyond(pairs["value"], pairs["value_old"], factor, floor)
    labels = _labels()
    return [
        Finding(table.source_id, "moved", r["place_id"], r["period"], r["definition_id"],
                f"{table.label}: {_where(r)} {_what(r, labels)} {_number(r['value'])} "
                f"is {_ratio(r['value'], r['value_old'])} the committed {_number(r['value_old'])} ({before.label})")
        for r in pairs[over].to_dict("records")
    ]


def _year_on_year(table: Table, factor: float, floor: float) -> list[Finding]:
    rows = _counts(table.frame)
    # headline rows only: a cell of a breakdown (one sex, age band, origin, category) is small and moves genuinely
    headline = np.logical_and.reduce([rows[c] == "total" for c in ("sex", "age", "origin", "category")])
    rows = rows[headline & rows["period"].str.fullmatch(r"\d{4}")]
    # a value the publisher flags as a break in series or another definition is not comparable with the year before
    broken = rows["flag"].str.contains(f"[{''.join(NOT_COMPARABLE_FLAGS)}]", regex=True)
    key = [c for c in KEY_COLUMNS if c not in ("source_id", "period", "ref_date")]
    earlier = rows[[*key, "period", "value"]].assign(period=(rows["period"].astype(int) + 1).astype(str))
    pairs = rows[~broken].merge(earlier, on=[*key, "period"], suffixes=("", "_prev"))
    over = _beyond(pairs["value"], pairs["value_prev"], factor, floor)
    labels = _labels()
    return [
        Finding(table.source_id, "year_on_year", r["place_id"], r["period"], r["definition_id"],
                f"{table.label}: {_where(r)} {_what(r, labels)} {_number(r['value'])} "
                f"is {_ratio(r['value'], r['value_prev'])} the {int(r['period']) - 1} value {_number(r['value_prev'])} "
                "of the same source")
        for r in pairs[over].to_dict("records")
    ]


def _disappeared(table: Table, before: Table) -> list[Finding]:
    now = set(zip(table.frame["place_id"], table.frame["period"]))
    gone = before.frame[[(p, y) not in now for p, y in zip(before.frame["place_id"], before.frame["period"])]]
    found = []
    for (place, period), rows in gone.groupby(["place_id", "period"], sort=False):
        first = rows.iloc[0]
        found.append(Finding(
            table.source_id, "disappeared", place, period, first["definition_id"],
            f"{table.label}: {first['place_name']} ({place}) {period} is missing: the committed table "
            f"({before.label}) has {len(rows)} row(s) for it, e.g. {first['indicator_id']} "
            f"{first['definition_id']} {_number(first['value'])}; the new table none",
        ))
    return found


def _beyond(value: pd.Series, other: pd.Series, factor: float, floor: float) -> np.ndarray:
    a, b = value.to_numpy(dtype=float), other.to_numpy(dtype=float)
    big = np.maximum(a, b) >= max(floor, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(np.minimum(a, b) > 0, np.maximum(a, b) / np.minimum(a, b), np.inf)
    return big & (ratio > factor)


def _where(row: Mapping) -> str:
    """'Madrid (greater city) 2022', with the breakdown when not the total: '(sex female, age 15-64)'."""
    split = [f"{c} {row[c]}" for c in ("sex", "age", "origin", "category") if row.get(c, "total") != "total"]
    return f"{row['place_name']} {row['period']}" + (f" ({', '.join(split)})" if split else "")


def _what(row: Mapping, labels: Mapping[str, str]) -> str:
    """'foreign-born', or 'persons unemployed (foreign-born)' for an indicator other than population."""
    who = labels.get(row["definition_id"], row["definition_id"])
    if row["indicator_id"] == "population":
        return who
    what = load_indicators().get(row["indicator_id"])
    return f"{what.label.lower() if what else row['indicator_id']} ({who})"


def _labels() -> dict[str, str]:
    return {d: entry.label.lower() if entry.label[:1].isupper() and not entry.label[1:2].isupper() else entry.label
            for d, entry in load_definitions().items()}


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:,.2f}"


def _ratio(value: float, other: float) -> str:
    if other == 0 or value == 0:
        return "far from"
    ratio = value / other
    sign, ratio = ("×", ratio) if ratio >= 1 else ("÷", 1 / ratio)
    return f"{sign}{ratio:,.0f}" if ratio >= 10 else f"{sign}{ratio:.2g}"


def check_rules(path: Path | None = None) -> str:
    """Check a file of plausibility limits, its definition and indicator ids included; say what it declares.

    Raises
    ------
    ConfigError
        Naming the file, the rule and the unknown id.
    """
    rules = load_rules() if path is None else read_rules(path)
    shown = path or "data/registry/plausibility.yaml"
    definitions, indicators = load_definitions(), load_indicators()
    for i, rule in enumerate(rules.parts):
        if rule.indicator not in indicators:
            raise ConfigError(f"{shown}: key 'parts[{i}].indicator': unknown indicator '{rule.indicator}'")
        for key, ids in (("whole", [rule.whole]), ("parts", rule.parts)):
            if unknown := [d for d in ids if d not in definitions]:
                raise ConfigError(f"{shown}: key 'parts[{i}].{key}': unknown definition(s) {unknown}")
    return (f"factor {rules.max_factor:g}, counts from {rules.min_count:g}, "
            f"{sum(len(r.parts) for r in rules.parts)} parts of {len(rules.parts)} wholes")


def committed_table(source_id: str, folder: Path) -> Path | None:
    """The committed table of a source in ``folder`` (``.csv`` or ``.csv.gz``), or None before its first build."""
    for suffix in (".csv", ".csv.gz"):
        if (folder / f"{source_id}{suffix}").is_file():
            return folder / f"{source_id}{suffix}"
    return None

