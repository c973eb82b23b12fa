"""One place for charts: colours, labels, units. Every function returns a matplotlib Figure.

Every chart takes ``lang``: its axis titles and legends are messages rendered in that language
(data labels that are registry labels are translated, names are shown as published), so an
annex can draw the same chart again in French or Arabic from the data the notebook kept (see
:meth:`workbench.report.exhibits.Report.plot`). Arabic is reshaped and put in visual order, since
matplotlib does not lay out right-to-left text.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from workbench.analysis import series_flags  # noqa: E402
from workbench.reference.formats import format_number  # noqa: E402
from workbench.reference.i18n import Msg, T, has_translation, render, translate  # noqa: E402

PALETTE = "colorblind"
sns.set_theme(style="whitegrid", palette=PALETTE, rc={"figure.dpi": 100, "axes.titlesize": 11})

#: Line style per definition family, so unlike definitions are never mistaken for one series.
_DEFINITION_STYLES = ["-", "--", ":", "-."]


def _text(message: Msg | str, lang: str) -> str:
    """A message in ``lang``, laid out for matplotlib."""
    return _visual(render(message, lang), lang)


def _name(value, lang: str) -> str:
    """A data label laid out for matplotlib (see :func:`_label`)."""
    return _visual(_label(value, lang), lang)


def _label(value, lang: str) -> str:
    """A data label: translated when it is a catalog label (a definition, a category), else as published."""
    text = str(value)
    if lang != "en" and has_translation(text, lang):
        text = translate(text, lang)
    return text


def _number(unit: str, lang: str, absolute: bool = False) -> matplotlib.ticker.Formatter:
    """Tick labels in the reader's number format."""
    return matplotlib.ticker.FuncFormatter(lambda v, _: format_number(abs(v) if absolute else v, unit, lang))


def _visual(text: str, lang: str) -> str:
    if lang != "ar":
        return text
    import arabic_reshaper
    from bidi import get_display

    return get_display(arabic_reshaper.reshape(text))


def plot_migrant_shares(series: pd.DataFrame, lang: str = "en") -> plt.Figure:
    """Share of population over time, one line per place and definition (style by definition), broken at missing dates.

    Parameters
    ----------
    series
        The table from :func:`workbench.analysis.profile_tables.migrant_series`.
    """
    fig, ax = plt.subplots(figsize=(8, 4.2))
    data = series.dropna(subset=["share of population (%)"]).copy()
    data["date"] = pd.to_datetime(data["reference date"])
    for i, (definition, by_def) in enumerate(data.groupby("definition", sort=True)):
        style = _DEFINITION_STYLES[i % len(_DEFINITION_STYLES)]
        for place, line in by_def.groupby("place", sort=True):
            line = line.sort_values("date")
            colour = None
            for piece in line_pieces(line["date"]):
                # a missing date is not bridged: each piece in the colour of the line's first piece
                drawn = ax.plot(line.loc[piece, "date"], line.loc[piece, "share of population (%)"], linestyle=style,
                                marker="o", markersize=3, color=colour,
                                label=None if colour else _text(T("{definition} — {place}", definition=_label(definition, lang), place=place), lang))
                colour = drawn[0].get_color()
    ax.set_ylabel(_text(T("% of total population"), lang))
    ax.set_xlabel(_text(T("reference date"), lang))
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    return fig


def plot_origins(table: pd.DataFrame, lang: str = "en") -> plt.Figure:
    """Horizontal bars of the largest origins (persons)."""
    fig, ax = plt.subplots(figsize=(7, 0.35 * max(len(table), 3) + 1))
    ordered = table.sort_values("persons")
    ax.barh([_name(o, lang) for o in ordered["origin"]], ordered["persons"], color=sns.color_palette(PALETTE)[0])
    ax.set_xlabel(_text(T("persons"), lang))
    ax.xaxis.set_major_formatter(_number("persons", lang))
    return fig


def plot_pyramid(ages: pd.DataFrame, lang: str = "en") -> plt.Figure:
    """Population pyramid in % of each group (men left, women right), one outline per group.

    Age bands of unequal width (UNHCR: 0-4, 5-11, 12-17, 18-59, 60+) are drawn as tall as they are
    wide, with the share per year of age, so a wide band does not look like a crowded one; an open
    band (60+) is drawn :data:`OPEN_BAND_YEARS` wide and the axis label says so.

    Parameters
    ----------
    ages
        Columns group, age, sex, persons (from :func:`workbench.analysis.age_sex.age_structure`).
    """
    fig, ax = plt.subplots(figsize=(7, 5))
    order = sorted(ages["age"].unique(), key=_age_key)
    colours = sns.color_palette(PALETTE)
    if set(ages["sex"]) == {"total"}:
        return _age_bars(fig, ax, ages, order, colours, lang)
    layout = _band_layout(order)
    for i, (group, rows) in enumerate(ages.groupby("group", sort=True)):
        # the first group filled, the others as outlines on top, so no colours mix
        style = {"color": colours[0], "alpha": 0.55} if i == 0 else {"fill": False, "edgecolor": colours[i], "linewidth": 1.4}
        total = rows["persons"].sum()
        by = rows.pivot_table(index="age", columns="sex", values="persons", aggfunc="sum").reindex(order).fillna(0)
        if layout is None:
            y, heights, per = list(range(len(order))), 0.8, 1.0
        else:
            # bands of unequal width: each bar as tall as its band, its length the share per year of age
            y, heights, per = layout["centres"], layout["heights"], pd.Series(layout["heights"], index=by.index)
        ax.barh(y, -100 * by.get("male", 0) / total / per, height=heights, label=_name(group, lang), **style)
        ax.barh(y, 100 * by.get("female", 0) / total / per, height=heights, **style)
    ax.axvline(0, color="#444", linewidth=0.8)
    ax.set_yticks(range(len(order)) if layout is None else layout["centres"])
    ax.set_yticklabels([_age_label(a, lang) for a in order], fontsize=7)
    ax.set_ylabel(_text(T("age (years)"), lang))
    if layout is None:
        ax.set_xlabel(_text(T("% of the group (men left, women right)"), lang))
    else:
        ax.set_xlabel(_text(T("% of the group per year of age (men left, women right); bar height = width of the age band, "
                              "an open band drawn {years} years wide", years=OPEN_BAND_YEARS), lang), fontsize=8)
    ax.xaxis.set_major_formatter(_number("persons" if layout is None else "percent", lang, absolute=True))
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, frameon=False)
    return fig


def plot_lines(
    table: pd.DataFrame, x: str, y: str, hue: str, ylabel: Msg, lang: str = "en", segment: str | None = None,
    outliers: bool = False,
) -> plt.Figure:
    """A line chart of ``y`` against ``x`` with one colour per ``hue``; lines break at gaps and at changes of ``segment``.

    ``x`` is a year (drawn on a time axis, so a missing year leaves its space) or a date; a line is
    not drawn across a gap (:func:`line_pieces`), nor across a change of the ``segment`` column
    (e.g. the place or geography level a point is published for): each segment value has its own
    line style and legend entry, in the hue's colour. With ``outliers``, a point the series rule
    marks as an outlier (:func:`workbench.analysis.series_flags.outliers`) is drawn as a cross, not
    joined to its neighbours; the value axis is scaled to the other points, so one outlier does not
    flatten every line (Amman 2008, Beirut 2016): an outlier above it is drawn as an arrow at the
    top edge with its value written beside it.
    """
    fig, ax = plt.subplots(figsize=(8, 4))
    colours = sns.color_palette(PALETTE)
    positions = _positions(table[x])
    styles: dict[object, str] = {}
    if segment is not None:
        for value in table.sort_values(x)[segment].drop_duplicates():
            styles[value] = _DEFINITION_STYLES[len(styles) % len(_DEFINITION_STYLES)]
    kept: list[float] = []
    odd_points: list[tuple[object, float, object]] = []
    for i, (label, rows) in enumerate(table.groupby(hue, sort=True)):
        rows = rows.assign(_x=positions.loc[rows.index]).sort_values("_x")
        segments = rows[segment] if segment is not None else None
        labelled: set = set()
        odd = series_flags.outliers(rows[y]) if outliers else pd.Series(False, index=rows.index)
        kept += rows.loc[~odd, y].dropna().astype(float).tolist()
        if odd.any():
            odd_points += [(px, float(py), colours[i % len(colours)]) for px, py in zip(rows.loc[odd, "_x"], rows.loc[odd, y])]
            ax.plot(rows.loc[odd, "_x"], rows.loc[odd, y], linestyle="none", marker="x", markersize=7,
                    color=colours[i % len(colours)], label=_text(T("outlier (series rule), kept as published"), lang))
            # an outlier breaks its line: the pieces either side are not joined through it
            segments = (segments.astype(str) if segments is not None else pd.Series("", index=rows.index)) + odd.cumsum().astype(str)
            rows = rows[~odd]
            segments = segments[~odd]
        for piece in line_pieces(rows["_x"], segments):
            part = rows.loc[piece]
            key = part[segment].iloc[0] if segment is not None else None
            name = _name(label, lang) if segment is None else _text(T("{definition} — {place}", definition=_label(label, lang), place=_label(key, lang)), lang)
            ax.plot(part["_x"], part[y], marker="o", markersize=3, color=colours[i % len(colours)],
                    linestyle=styles.get(key, "-"), label=None if key in labelled else name)
            labelled.add(key)
    _scale_to_kept(ax, kept, odd_points, _value_formatter(pd.Series(kept or [0.0]), lang))
    ax.set_ylabel(_text(ylabel, lang))
    ax.set_xlabel(_name(x, lang))
    ax.yaxis.set_major_formatter(_value_formatter(pd.Series(kept) if kept else table[y], lang))
    if positions.dtype.kind in "if":
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True, nbins=12))
    ax.tick_params(axis="x", rotation=45, labelsize=8)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    return fig


def _scale_to_kept(ax, kept: list[float], odd_points: list, formatter) -> None:
    # the value axis spans the points that are not outliers; an outlier above it becomes an arrow
    # at the top edge with its value written beside it
    if not kept or not odd_points:
        return
    top = max(kept)
    above = [(px, py, colour) for px, py, colour in odd_points if py > 1.15 * top]
    if not above or top <= 0:
        return
    bottom = min(0.0, min(kept), *(py for _, py, _ in odd_points if py <= 1.15 * top))
    limit = top * 1.15
    ax.set_ylim(bottom, limit)
    for px, py, colour in above:
        ax.plot([px], [limit], marker="^", markersize=7, color=colour, linestyle="none", clip_on=False)
        ax.annotate(formatter(py, None), (px, limit), xytext=(4, -10), textcoords="offset points", fontsize=7,
                    color=colour, annotation_clip=False)


def _positions(values: pd.Series) -> pd.Series:
    # where each x lies: a year as a number, an ISO date as a date, anything else as published text
    text = values.astype(str)
    if text.str.fullmatch(r"\d{4}").all():
        return text.astype(int)
    dates = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    return dates if dates.notna().all() else text


def line_pieces(x: pd.Series, segments: pd.Series | None = None) -> list[list]:
    """The index labels of each unbroken piece of one line (points in ``x`` order).

    A line breaks where the step to the next point is more than 1.5 times the line's smallest
    step (a missing year in a yearly series, a missing date in a regular one), and where
    ``segments`` (a definition, place or geography level) changes. Text ``x`` never breaks at gaps.
    """
    if x.empty:
        return []
    numeric = x.astype("int64") if x.dtype.kind == "M" else x
    steps = numeric.diff().iloc[1:] if numeric.dtype.kind in "if" else None
    smallest = steps[steps > 0].min() if steps is not None and (steps > 0).any() else None
    pieces, current = [], [x.index[0]]
    for previous, label in zip(x.index[:-1], x.index[1:]):
        gap = smallest is not None and numeric[label] - numeric[previous] > 1.5 * smallest
        changed = segments is not None and segments[label] != segments[previous]
        if gap or changed:
            pieces.append(current)
            current = []
        current.append(label)
    pieces.append(current)
    return pieces


def _value_formatter(values: pd.Series, lang: str) -> matplotlib.ticker.Formatter:
    # enough decimals for the spread of the values: counts as integers, an index of 0.12-0.16 as 0.125
    span = float(values.max() - values.min()) if len(values.dropna()) else 0.0
    unit = "persons" if span >= 10 else "percent" if span >= 1 else "quotient" if span >= 0.1 else "ratio"
    return _number(unit, lang)


def plot_share_by_definition(table: pd.DataFrame, lang: str = "en") -> plt.Figure:
    """Bars of the migrant share per city, one panel per definition (never one ranking across them).

    Parameters
    ----------
    table
        Columns city, definition, geography, share (%), reference date.
    """
    definitions = sorted(table["definition"].unique())
    sizes = [int((table["definition"] == d).sum()) for d in definitions]
    fig, axes = plt.subplots(
        len(definitions), 1, figsize=(8, sum(1.3 + 0.4 * n for n in sizes)), squeeze=False,
        gridspec_kw={"height_ratios": [1 + n for n in sizes]},
    )
    for ax, definition in zip(axes[:, 0], definitions):
        rows = table[table["definition"] == definition].sort_values("share (%)")
        labels = [_text(T("{city} ({geography}, {year})", city=c, geography=_label(g, lang), year=d[:4]), lang)
                  for c, g, d in zip(rows["city"], rows["geography"], rows["reference date"])]
        ax.barh(labels, rows["share (%)"], color=sns.color_palette(PALETTE)[definitions.index(definition) % 8])
        ax.set_title(_name(definition, lang), loc="left")
        ax.set_xlabel(_text(T("% of total population"), lang))
    fig.tight_layout()
    return fig


def _age_bars(fig, ax, ages: pd.DataFrame, order: list[str], colours, lang: str) -> plt.Figure:
    # no sex breakdown published: one bar per group and age band, in % of the group
    groups = sorted(ages["group"].unique())
    height = 0.8 / len(groups)
    for i, group in enumerate(groups):
        rows = ages[ages["group"] == group].set_index("age")["persons"].reindex(order).fillna(0)
        ax.barh([k + i * height for k in range(len(order))], 100 * rows / rows.sum(), height=height, color=colours[i],
                label=_name(group, lang))
    ax.set_yticks([k + (len(groups) - 1) * height / 2 for k in range(len(order))])
    ax.set_yticklabels([_age_label(a, lang) for a in order], fontsize=7)
    ax.set_ylabel(_text(T("age (years)"), lang))
    ax.set_xlabel(_text(T("% of the group (no breakdown by sex published)"), lang))
    ax.legend(fontsize=7)
    return fig


#: How many years an open-ended age band (60+) is drawn wide when bands are of unequal width.
OPEN_BAND_YEARS = 10


def _band(age: str) -> tuple[float, float | None] | None:
    # (first year, width in years) of an age code: 'Y5-11' -> (5, 7), 'Y_LT15' -> (0, 15), 'Y60-MAX' -> (60, None)
    if "_LT" in age:
        upper = age.split("_LT")[1]
        return (0.0, float(upper)) if upper.isdigit() else None
    parts = age.replace("Y", "").split("-")
    if not parts[0].isdigit():
        return None
    if len(parts) == 1:
        return float(parts[0]), 1.0
    if parts[1] == "MAX":
        return float(parts[0]), None
    return (float(parts[0]), float(parts[1]) - float(parts[0]) + 1) if parts[1].isdigit() else None


def _band_layout(order: list[str]) -> dict | None:
    # bar centres and heights in years when the closed bands differ in width; None when they are equal
    # (or a band cannot be read): then every band is drawn at equal height
    bands = [_band(a) for a in order]
    if any(b is None for b in bands):
        return None
    widths = {w for _, w in bands if w is not None}
    if len(widths) <= 1:
        return None
    heights = [w if w is not None else float(OPEN_BAND_YEARS) for _, w in bands]
    return {"centres": [start + h / 2 for (start, _), h in zip(bands, heights)], "heights": heights}


def _age_label(age: str, lang: str = "en") -> str:
    if "_LT" in age:
        return _text(T("under {age}", age=age.split("_LT")[1]), lang)
    return age.replace("Y", "").replace("-MAX", "+")


def _age_key(age: str) -> float:
    if "_LT" in age:  # 'Y_LT15': under 15
        return -1.0
    digits = age.replace("Y", "").split("-")[0]
    try:
        return float(digits)
    except ValueError:
        return 999.0


def plot_intervals(table: pd.DataFrame, label: str = "item", value: str = "share (%)", lang: str = "en") -> plt.Figure:
    """Shares with their confidence intervals as horizontal error bars, one row per item.

    Parameters
    ----------
    table
        Columns ``label``, ``value``, '95% CI low', '95% CI high' (percent).
    """
    rows = table.reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(7, 0.4 * len(rows) + 1.2))
    y = range(len(rows))
    ax.errorbar(
        rows[value], list(y),
        xerr=[rows[value] - rows["95% CI low"], rows["95% CI high"] - rows[value]],
        fmt="o", color=sns.color_palette(PALETTE)[0], capsize=3,
    )
    ax.set_yticks(list(y))
    ax.set_yticklabels([_name(v, lang) for v in rows[label]], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel(_text(T("% of respondents (point estimate and 95% interval)"), lang))
    return fig


#: The charts a notebook can register with :meth:`workbench.report.exhibits.Report.plot`, by name.
PLOTS = {
    "migrant_shares": plot_migrant_shares,
    "origins": plot_origins,
    "pyramid": plot_pyramid,
    "lines": plot_lines,
    "share_by_definition": plot_share_by_definition,
    "intervals": plot_intervals,
}
