"""Which points of a series a reader must not take at face value: outliers, changes of area or definition, gaps.

One declared rule (:data:`RULE_NOTE`, stated in the notes of every table it marks): a point more
than :data:`OUTLIER_FACTOR` times, or less than 1/:data:`OUTLIER_FACTOR` of, *both* neighbouring
points of its series is an outlier; a point more than :data:`STEP_FACTOR` times, or less than
1/:data:`STEP_FACTOR` of, the previous point is a step (a one-way change of level); a point whose
area, geography level or definition differs from the previous point's starts a new run (a level
change); a point whose publisher's label changed is marked too. Marked points are kept as published, never dropped: each gets a footnote marker
``[n]`` in the table's :data:`NOTES` column and the footnote in the table's notes, next to the
publisher's own notes of that point. Years missing inside a yearly series are listed
(:func:`gap_note`); charts do not bridge them (:mod:`workbench.report.figures`).

Pure functions on display tables (no IO).
"""

from __future__ import annotations

import pandas as pd

from workbench.reference import columns
from workbench.reference.i18n import Label, Msg, Num, T, source_words

#: A point outside this factor of both its neighbours is an outlier.
OUTLIER_FACTOR = 5

#: A point outside this factor of the previous point of its series (an outlier aside) is a step.
STEP_FACTOR = 2

#: The column of footnote markers of a marked table.
NOTES = columns.NOTES

#: The rule, as every marked table states it.
RULE_NOTE = T(
    "Series rule: a point more than {factor} times, or less than 1/{factor} of, both neighbouring points of its "
    "series, a point more than {step} times, or less than 1/{step} of, the previous point, and a point whose area, "
    "geography level, definition or published label differs from the previous point's, carry a footnote marker [n] "
    "in the column 'notes'. Marked points are kept as published, never dropped.",
    factor=OUTLIER_FACTOR, step=STEP_FACTOR,
)

#: What a chart of a marked series says about its lines (:func:`workbench.report.figures.plot_lines`).
BROKEN_LINES_NOTE = T(
    "Lines are not drawn across missing years, nor across a change of place or geography level (another line "
    "style); the footnotes of marked points are in the table."
)


def outliers(values: pd.Series, factor: float = OUTLIER_FACTOR) -> pd.Series:
    """Whether each point lies outside ``factor`` of both its neighbours (points in series order).

    Missing values are skipped (a neighbour is the nearest point with a value); the first and last
    points have one neighbour and are never outliers.

    Returns
    -------
    pandas.Series of bool, on the index of ``values``.
    """
    out = pd.Series(False, index=values.index)
    known = values.dropna().astype(float)
    for i in range(1, len(known) - 1):
        before, value, after = known.iloc[i - 1], known.iloc[i], known.iloc[i + 1]
        high = value > factor * before and value > factor * after
        low = value * factor < before and value * factor < after
        out.loc[known.index[i]] = bool(high or low)
    return out


def steps(values: pd.Series, factor: float = STEP_FACTOR, outlier_factor: float = OUTLIER_FACTOR) -> pd.Series:
    """Whether each point lies outside ``factor`` of the previous point (points in series order).

    A one-way change of level, which the outlier test (both neighbours) does not see: a real
    change, or a change in registration, coverage or reporting. Outliers are neither steps nor the
    point a step is measured from (the point after an outlier is compared with the one before it);
    missing values are skipped.

    Returns
    -------
    pandas.Series of bool, on the index of ``values``.
    """
    out = pd.Series(False, index=values.index)
    for label in step_bases(values, factor, outlier_factor):
        out.loc[label] = True
    return out


def step_bases(values: pd.Series, factor: float = STEP_FACTOR, outlier_factor: float = OUTLIER_FACTOR) -> dict:
    """Each step of :func:`steps` (index label) with the label of the point it is measured from."""
    known = values.dropna().astype(float)
    odd = outliers(known, outlier_factor)
    out: dict = {}
    before = None
    for label, value in known.items():
        if odd[label]:
            continue
        if before is not None and known[before] > 0 and value >= 0 and (
                value > factor * known[before] or value * factor < known[before]):
            out[label] = before
        before = label
    return out


def runs(table: pd.DataFrame, levels: list[str]) -> pd.Series:
    """A run number per row (rows in series order): a new run starts where any column of ``levels`` changes."""
    if table.empty:
        return pd.Series([], dtype=int, index=table.index)
    keys = table[levels].astype(str).agg(" | ".join, axis=1)
    return (keys != keys.shift()).cumsum().astype(int)


def mark_series(
    table: pd.DataFrame,
    series: list[str],
    order: str,
    values: list[str],
    levels: list[str],
    labels: pd.Series | None = None,
    publisher_notes: pd.Series | None = None,
    breaks: pd.Series | None = None,
    shown: pd.Series | None = None,
) -> tuple[pd.DataFrame, list[Msg]]:
    """Apply the series rule to a display table: add the :data:`NOTES` column and return the footnotes.

    Parameters
    ----------
    table
        The display table, one row per point.
    series
        Columns naming one series (points of different series are never neighbours); may be empty.
    order
        The column that orders a series (a year or an ISO date).
    values
        Value columns the outlier test is applied to (each on its own).
    levels
        Columns whose change between consecutive points of a series is a change of area,
        geography level or definition (e.g. place, geography, definition).
    labels
        The publisher's label of each point (e.g. UNHCR's location label), on the table's index;
        a change is marked but does not by itself make the points incomparable.
    publisher_notes
        The publisher's (or the ingest's) note of each point, on the table's index; a note that
        (a string, or a list of separate notes) that not every point of its series carries travels as the
        point's footnote.
    breaks
        Whether the publisher flags a break in series at each point (flag ``b``), on the table's
        index: a change of definition or method the table's columns do not show.
    shown
        Whether each point is shown to the reader (on the table's index): only those are marked,
        each still tested against its neighbours in the whole series. All points when ``None``.

    Returns
    -------
    tuple of pandas.DataFrame and list of Msg
        The table (same rows and order) with :data:`NOTES`, and the notes: :data:`RULE_NOTE` then
        one footnote per marker, in order of first use. Without any marker the notes are empty.
    """
    marks: dict[int, list[str]] = {i: [] for i in table.index}
    footnotes: dict[object, tuple[str, Msg]] = {}

    def mark(row, key, text_of) -> None:
        if shown is not None and not bool(shown.get(row, False)):
            return
        if key not in footnotes:
            marker = f"[{len(footnotes) + 1}]"
            footnotes[key] = (marker, text_of(marker))
        if footnotes[key][0] not in marks[row]:
            marks[row].append(footnotes[key][0])

    groups = table.groupby(series, sort=False) if series else [((), table)]
    for _, rows in groups:
        rows = rows.sort_values(order, kind="stable")
        level = runs(rows, levels) if levels else pd.Series(0, index=rows.index)
        for column in values:
            for row in rows.index[outliers(rows[column]).to_numpy()]:
                mark(row, ("outlier", column), lambda m, c=column: T(
                    "{marker} {column}: more than {factor} times, or less than 1/{factor} of, both neighbouring points "
                    "(series rule); kept as published.", marker=m, column=Label(str(c)), factor=OUTLIER_FACTOR))
            # a step where the area or definition changes is that change's (marked below)
            for row, base in step_bases(rows[column]).items():
                if level[row] != level[base]:
                    continue
                mark(row, ("step", column, row), lambda m, c=column, r=row, b=base: T(
                    "{marker} {column}: {value} in {at}, after {before} in {since}: more than {step} times, or less than "
                    "1/{step} of, the previous point (series rule); a real change, or a change in registration, coverage "
                    "or reporting. Kept as published.", marker=m, column=Label(str(c)), value=_number(rows.at[r, c]),
                    at=str(rows.at[r, order]), before=_number(rows.at[b, c]), since=str(rows.at[b, order]), step=STEP_FACTOR))
        previous = None
        for row in rows.index:
            current = tuple(str(rows.at[row, c]) for c in levels)
            if previous is not None and current != previous:
                before, after = " / ".join(previous), " / ".join(current)
                mark(row, ("level", before, after), lambda m, b=before, a=after: T(
                    "{marker} Area, geography level or definition changed from the previous point ({before} → {after}): "
                    "the two points are not comparable as a series.", marker=m, before=b, after=a))
            previous = current
        if breaks is not None:
            for row in rows.index[1:]:
                if bool(breaks.get(row, False)):
                    mark(row, ("break",), lambda m: T(
                        "{marker} The publisher flags a break in series at this point (flag b): it is not comparable with "
                        "the previous point.", marker=m))
        if labels is not None:
            seen = None
            for row in rows.index:
                label = str(labels.get(row, "") or "")
                if seen is not None and label and seen and label != seen:
                    mark(row, ("label", seen, label), lambda m, b=seen, a=label: T(
                        "{marker} The publisher's label of the area changed from the previous point ({before} → "
                        "{after}); the area it covers may have changed too.", marker=m, before=b, after=a))
                seen = label or seen
        if publisher_notes is not None:
            parts = {row: _note_parts(publisher_notes.get(row)) for row in rows.index}
            for row in rows.index:
                for note in parts[row]:
                    if not all(note in other for other in parts.values()):
                        mark(row, ("note", note), lambda m, n=note: T("{marker} {note}", marker=m, note=source_words(n)))
    # number the markers in the order a reader meets them: down the table, then left to right
    number: dict[str, str] = {}
    for i in table.index:
        for old in sorted(marks[i], key=lambda m: int(m[1:-1])):
            number.setdefault(old, f"[{len(number) + 1}]")
    marked = table.copy()
    marked[NOTES] = [" ".join(sorted((number[m] for m in marks[i]), key=lambda m: int(m[1:-1]))) for i in table.index]
    if not footnotes:
        return marked, []
    texts = {number[marker]: text for marker, text in footnotes.values()}
    return marked, [RULE_NOTE, *(_renumbered(texts[m], m) for m in sorted(texts, key=lambda m: int(m[1:-1])))]


def _number(value) -> Num:
    # a count as a whole number, anything else (a share) with its decimals
    value = float(value)
    return Num(value, "persons") if value.is_integer() else Num(value, "percent")


def _renumbered(text: Msg, marker: str) -> Msg:
    # the footnote with its marker as numbered in the table
    return Msg(text.msgid, {**text.params, "marker": marker})


#: The status of a value its publisher projects or models rather than observes.
PROJECTION = T("projection")

#: The column that names the first projected year of a series (:func:`first_projection`).
PROJECTIONS_FROM = columns.PROJECTIONS_FROM


def projection_status(rows: pd.DataFrame) -> list:
    """Per tidy row, :data:`PROJECTION` where its source declares the period projected (``projected_from``), else ''.

    The sources registry says, per indicator, from which period a source's values are the
    publisher's projections or model estimates (e.g. World Bank net migration, UN WPP 2024: from 2024).
    """
    from workbench.reference.registry import load_sources

    sources = load_sources()
    out = []
    for source_id, indicator_id, period in zip(rows["source_id"], rows["indicator_id"], rows["period"]):
        start = sources[source_id].projected_from.get(indicator_id) if source_id in sources else None
        out.append(PROJECTION if start is not None and str(period) >= start else "")
    return out


def first_projection(years: pd.Series, status: pd.Series) -> str:
    """The first year of a series whose status is a projection, or '' (for :data:`PROJECTIONS_FROM`)."""
    projected = sorted(str(y) for y, s in zip(years, status) if s == PROJECTION)
    return projected[0] if projected else ""


#: The note of a table with a :data:`PROJECTIONS_FROM` column.
PROJECTIONS_NOTE = T(
    "Projections are not data: from the year in the column 'projections from', the series' values are the publisher's "
    "projections or model estimates (World Bank net migration: UN World Population Prospects 2024, estimates to 2023, "
    "projections from 2024), including those in the columns 'latest' and of that year."
)


def _note_parts(value) -> list[str]:
    # one note, or a list of separate notes, as a list of non-empty strings
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value).strip()
    return [text] if text else []


def split_note(note: str) -> list[str]:
    """A row note joined with ``"; "`` as its separate notes: a part starting in lower case continues the previous one."""
    parts: list[str] = []
    for part in (p.strip() for p in str(note or "").split("; ")):
        if not part:
            continue
        if parts and part[0].islower():
            parts[-1] += "; " + part
        else:
            parts.append(part)
    return parts


def gap_note(years: pd.Series) -> list[Msg]:
    """The years missing between the first and last year of a yearly series, as a note (none when complete)."""
    known = sorted({int(y) for y in years.dropna()})
    if len(known) < 2:
        return []
    missing = [y for y in range(known[0], known[-1] + 1) if y not in set(known)]
    if not missing:
        return []
    return [T("No figure is published for {years}; the chart does not draw a line across missing years.",
              years=_year_ranges(missing))]


def _year_ranges(years: list[int]) -> str:
    # 2003, 2004, 2005, 2007 -> "2003-2005, 2007"
    spans: list[list[int]] = []
    for year in years:
        if spans and year == spans[-1][-1] + 1:
            spans[-1].append(year)
        else:
            spans.append([year])
    return ", ".join(str(s[0]) if len(s) == 1 else f"{s[0]}–{s[-1]}" for s in spans)
