"""One place for charts: colours, labels, units, the chart type the data allows, the printed size.

Every chart takes ``lang``: its axis titles and legends are messages rendered in that language
(data labels that are registry labels are translated, names are shown as published), so an
annex can draw the same chart again in French or Arabic from the data the notebook kept (see
:meth:`workbench.report.exhibits.Report.plot`).

Charts are drawn at their printed size and saved by :func:`draw` as PNG and SVG
(:mod:`workbench.report.chart_print`). The data chooses the chart:
a series is joined by a line only when it is a trend (:func:`joins_points`), bars start at zero,
an index is a dot plot on its whole scale (:func:`plot_index`).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from workbench.analysis import series_flags  # noqa: E402
from workbench.reference.formats import format_number  # noqa: E402
from workbench.reference.i18n import Country, Msg, T, has_translation, render, translate  # noqa: E402
from workbench.report.age_bands import OPEN_BAND_YEARS, age_key, age_label, band_layout  # noqa: E402
from workbench.report.chart_print import (  # noqa: E402
    MAX_HEIGHT_IN,
    MIN_TEXT_PT,
    PALETTE,
    PRINT_DPI,
    PRINT_WIDTH_IN,
    save,
    style,
    visual,
    wrapped,
)
from workbench.report.maps import plot_district_map, plot_network_map  # noqa: E402

#: Fewest dates a series needs to be drawn as a line (a trend); with fewer, its points are dots.
TREND_MIN_DATES = 3

#: Line style per definition family, so unlike definitions are never mistaken for one series.
_DEFINITION_STYLES = ["-", "--", ":", "-."]
#: Marker per series of a dot plot, so the series differ also in black and white.
_MARKERS = ["o", "s", "D", "^", "v", "P"]

def draw(name: str, data: pd.DataFrame, lang: str = "en", formats: tuple[str, ...] = ("png", "svg"),
         dpi: int = PRINT_DPI, **options) -> dict[str, bytes]:
    """Draw chart ``name`` of :data:`PLOTS` in ``lang`` at its printed size and save it in each format.

    Parameters
    ----------
    name
        A key of :data:`PLOTS`.
    data, options
        What the chart function takes.
    formats
        'png' and/or 'svg'.
    dpi
        Resolution of the PNG.

    Returns
    -------
    dict
        The file's bytes by format; the same bytes every time for the same data.
    """
    with plt.rc_context(style(lang)):
        fig = PLOTS[name](data, lang=lang, **options)
        try:
            return {fmt: save(fig, fmt, dpi) for fmt in formats}
        finally:
            plt.close(fig)


def _figure(height: float, **options) -> tuple[plt.Figure, object]:
    # a chart as wide as the printed text, at most MAX_HEIGHT_IN tall, laid out so nothing is cut
    return plt.subplots(figsize=(PRINT_WIDTH_IN, min(height, MAX_HEIGHT_IN)), layout="constrained", **options)


def _legend(fig: plt.Figure, ax, columns: int = 2) -> None:
    # the legend under the chart, across its width, so the plot keeps the page's width
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncols=min(columns, len(handles)), frameon=False)


def joins_points(x: pd.Series) -> bool:
    """Whether the points of one series may be joined by a line (a trend).

    Only a series with at least :data:`TREND_MIN_DATES` dates, each once, is a trend: two points
    on one date are two things (two areas, two definitions) and a line between them would read
    as a change; one or two dates are shown as dots.
    """
    values = x.dropna()
    return values.nunique() >= TREND_MIN_DATES and not values.duplicated().any()


def _text(message: Msg | str, lang: str, width: int = 100) -> str:
    """A message in ``lang``, on lines of at most ``width`` characters, laid out for matplotlib."""
    return visual(wrapped(render(message, lang), width), lang)


def _name(value, lang: str) -> str:
    """A data label laid out for matplotlib (see :func:`data_label`)."""
    return visual(data_label(value, lang), lang)


def data_label(value, lang: str) -> str:
    """A data label: translated when it is a catalog label (a definition, a category), else a name
    as the annex's tables show it (publishers' marks dropped, network places in ``lang``)."""
    text = str(value)
    if lang != "en" and has_translation(text, lang):
        return translate(text, lang)
    return render(text, lang)


def origin_label(value, lang: str) -> str:
    """A country of origin in ``lang`` (CLDR: 'Syrie', 'سوريا'); a group ('Other', a region) as :func:`data_label`."""
    country = Country.named(str(value))
    return render(country, lang) if isinstance(country, Country) else data_label(value, lang)


def _number(unit: str, lang: str, absolute: bool = False) -> matplotlib.ticker.Formatter:
    """Tick labels in the reader's number format."""
    return matplotlib.ticker.FuncFormatter(lambda v, _: format_number(abs(v) if absolute else v, unit, lang))


def plot_migrant_shares(series: pd.DataFrame, lang: str = "en") -> plt.Figure:
    """Share of population over time, one series per place and definition (style by definition).

    A series is a line only when it is a trend (:func:`joins_points`), broken at missing dates;
    otherwise its points are dots. The value axis starts at zero.

    Parameters
    ----------
    series
        The table from :func:`workbench.analysis.profile_tables.migrant_series`.
    """
    fig, ax = _figure(3.6)
    data = series.dropna(subset=["share of population (%)"]).copy()
    data["date"] = pd.to_datetime(data["reference date"])
    for i, (definition, by_def) in enumerate(data.groupby("definition", sort=True)):
        style = _DEFINITION_STYLES[i % len(_DEFINITION_STYLES)]
        for place, line in by_def.groupby("place", sort=True):
            line = line.sort_values("date")
            joined = joins_points(line["date"])
            colour = None
            for piece in line_pieces(line["date"]) if joined else [list(line.index)]:
                # a missing date is not bridged: each piece in the colour of the line's first piece
                drawn = ax.plot(line.loc[piece, "date"], line.loc[piece, "share of population (%)"],
                                linestyle=style if joined else "none", marker="o", markersize=3 if joined else 5,
                                color=colour,
                                label=None if colour else _text(T("{definition} — {place}", definition=data_label(definition, lang), place=place), lang))
                colour = drawn[0].get_color()
    ax.set_ylabel(_text(T("% of total population"), lang, width=50))
    ax.set_xlabel(_text(T("reference date"), lang))
    ax.set_ylim(bottom=0)
    _date_ticks(ax, data["date"])
    _legend(fig, ax)
    return fig


def _date_ticks(ax, dates: pd.Series) -> None:
    # a few dates: a tick at each (as a year when no year has two), not a calendar's round dates
    shown = sorted(dates.dropna().unique())
    if 0 < len(shown) <= 8:
        years = [pd.Timestamp(d).year for d in shown]
        ax.set_xticks(shown)
        ax.set_xticklabels([str(y) if len(set(years)) == len(years) else pd.Timestamp(d).strftime("%Y-%m-%d")
                            for y, d in zip(years, shown)])
        if len(shown) == 1:
            ax.set_xlim(pd.Timestamp(shown[0]) - pd.Timedelta(days=365), pd.Timestamp(shown[0]) + pd.Timedelta(days=365))


def plot_origins(table: pd.DataFrame, lang: str = "en") -> plt.Figure:
    """Horizontal bars of the largest origins (persons), from zero."""
    fig, ax = _figure(0.24 * max(len(table), 3) + 0.9)
    ordered = table.sort_values("persons")
    ax.barh([visual(origin_label(o, lang), lang) for o in ordered["origin"]], ordered["persons"], color=sns.color_palette(PALETTE)[0])
    ax.set_xlabel(_text(T("persons"), lang))
    ax.xaxis.set_major_formatter(_number("persons", lang))
    _from_zero(ax, "x")
    return fig


def _from_zero(ax, axis: str) -> None:
    # bars are read by their length: the value axis starts at zero
    if axis == "x":
        ax.set_xlim(left=0)
    else:
        ax.set_ylim(bottom=0)


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
    order = sorted(ages["age"].unique(), key=age_key)
    fig, ax = _figure(min(4.6, 0.16 * len(order) + 2.4))
    colours = sns.color_palette(PALETTE)
    if set(ages["sex"]) == {"total"}:
        return _age_bars(fig, ax, ages, order, colours, lang)
    layout = band_layout(order)
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
    ax.set_yticklabels([visual(age_label(a, lang), lang) for a in order], fontsize=MIN_TEXT_PT)
    ax.set_ylabel(_text(T("age (years)"), lang, width=50))
    if layout is None:
        ax.set_xlabel(_text(T("% of the group (men left, women right)"), lang))
    else:
        ax.set_xlabel(_text(T("% of the group per year of age (men left, women right); bar height = width of the age band, "
                              "an open band drawn {years} years wide", years=OPEN_BAND_YEARS), lang))
    ax.xaxis.set_major_formatter(_number("persons" if layout is None else "percent", lang, absolute=True))
    _legend(fig, ax)
    return fig


def plot_lines(
    table: pd.DataFrame, x: str, y: str, hue: str, ylabel: Msg, lang: str = "en", segment: str | None = None,
    outliers: bool = False,
) -> plt.Figure:
    """A line chart of ``y`` against ``x`` with one colour per ``hue``; lines break at gaps and at changes of ``segment``.

    ``x`` is a year (drawn on a time axis, so a missing year leaves its space) or a date; a line is
    not drawn across a gap (:func:`line_pieces`), nor across a change of the ``segment`` column
    (e.g. the place or geography level a point is published for): each segment value has its own
    line style and legend entry, in the hue's colour. A series (one hue and segment) that is not a
    trend (:func:`joins_points`: fewer than three dates, or two points on one date) is drawn as
    dots. With ``outliers``, a point the series rule
    marks as an outlier (:func:`workbench.analysis.series_flags.outliers`) is drawn as a cross, not
    joined to its neighbours; the value axis is scaled to the other points, so one outlier does not
    flatten every line (Amman 2008, Beirut 2016): an outlier above it is drawn as an arrow at the
    top edge with its value written beside it.
    """
    fig, ax = _figure(3.4)
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
        joined = {key: joins_points(part["_x"]) for key, part in (rows.groupby(segment, sort=False) if segment else [(None, rows)])}
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
            name = _name(label, lang) if segment is None else _text(T("{definition} — {place}", definition=data_label(label, lang), place=data_label(key, lang)), lang)
            line = joined[key]
            ax.plot(part["_x"], part[y], marker="o", markersize=3 if line else 5, color=colours[i % len(colours)],
                    linestyle=styles.get(key, "-") if line else "none", label=None if key in labelled else name)
            labelled.add(key)
    _scale_to_kept(ax, kept, odd_points, _value_formatter(pd.Series(kept or [0.0]), lang))
    ax.set_ylabel(_text(ylabel, lang, width=50))
    ax.set_xlabel(_name(x, lang))
    ax.yaxis.set_major_formatter(_value_formatter(pd.Series(kept) if kept else table[y], lang))
    _x_ticks(ax, positions)
    _legend(fig, ax)
    return fig


def _x_ticks(ax, positions: pd.Series) -> None:
    # years: whole years only, and each year when there are few
    if positions.dtype.kind in "if":
        years = sorted(positions.dropna().unique())
        if len(years) < TREND_MIN_DATES:
            ax.set_xticks(years)
            ax.set_xlim(min(years) - 1, max(years) + 1)
        else:
            ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True, nbins=12))
    elif positions.dtype.kind == "M":
        _date_ticks(ax, positions)
        ax.tick_params(axis="x", rotation=45 if positions.nunique() > 8 else 0)


def plot_index(
    table: pd.DataFrame, x: str, y: str, series: str, label: Msg, lang: str = "en",
    scale: tuple[float, float] = (0.0, 1.0),
) -> plt.Figure:
    """A dot plot of an index (a dissimilarity index, a location quotient) over time, on its whole scale.

    Dots only, one colour and marker per ``series`` (e.g. the area level): the value axis spans
    ``scale`` (0 to 1 for a dissimilarity index), so a change of a few hundredths looks as small as
    it is, and two series are never joined.

    Parameters
    ----------
    table
        Columns ``x`` (a year or ISO date), ``y`` (the index) and ``series``.
    label
        The value axis title.
    scale
        Low and high end of the index's scale.
    """
    fig, ax = _figure(3.0)
    colours = sns.color_palette(PALETTE)
    positions = _positions(table[x])
    for i, (name, rows) in enumerate(table.groupby(series, sort=False)):
        ax.plot(positions.loc[rows.index], rows[y], linestyle="none", marker=_MARKERS[i % len(_MARKERS)], markersize=5,
                color=colours[i % len(colours)], label=_name(name, lang))
    low, high = scale
    ax.set_ylim(low, high)
    ax.set_ylabel(_text(label, lang, width=50))
    ax.set_xlabel(_name(x, lang))
    ax.yaxis.set_major_formatter(_number("quotient", lang))
    _x_ticks(ax, positions)
    _legend(fig, ax, columns=4)
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
        ax.annotate(formatter(py, None), (px, limit), xytext=(4, -10), textcoords="offset points", fontsize=MIN_TEXT_PT,
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
    """Bars of the migrant share per city from zero, one panel per definition (never one ranking across them).

    Parameters
    ----------
    table
        Columns city, definition, geography, share (%), reference date.
    """
    definitions = sorted(table["definition"].unique())
    sizes = [int((table["definition"] == d).sum()) for d in definitions]
    fig, axes = _figure(sum(0.9 + 0.22 * n for n in sizes), nrows=len(definitions), ncols=1, squeeze=False,
                        gridspec_kw={"height_ratios": [1 + n for n in sizes]})
    for ax, definition in zip(axes[:, 0], definitions):
        rows = table[table["definition"] == definition].sort_values("share (%)")
        labels = [_text(T("{city} ({geography}, {year})", city=c, geography=data_label(g, lang), year=d[:4]), lang)
                  for c, g, d in zip(rows["city"], rows["geography"], rows["reference date"])]
        ax.barh(labels, rows["share (%)"], color=sns.color_palette(PALETTE)[definitions.index(definition) % 8])
        ax.set_title(_name(definition, lang), loc="left")
        ax.set_xlabel(_text(T("% of total population"), lang))
        _from_zero(ax, "x")
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
    ax.set_yticklabels([visual(age_label(a, lang), lang) for a in order], fontsize=MIN_TEXT_PT)
    ax.set_ylabel(_text(T("age (years)"), lang, width=50))
    ax.set_xlabel(_text(T("% of the group (no breakdown by sex published)"), lang))
    _from_zero(ax, "x")
    _legend(fig, ax)
    return fig


def plot_intervals(table: pd.DataFrame, label: str = "item", value: str = "share (%)", lang: str = "en") -> plt.Figure:
    """Shares with their confidence intervals as horizontal error bars, one row per item.

    Parameters
    ----------
    table
        Columns ``label``, ``value``, '95% CI low', '95% CI high' (percent).
    """
    rows = table.reset_index(drop=True)
    fig, ax = _figure(0.3 * len(rows) + 1.0)
    y = range(len(rows))
    ax.errorbar(
        rows[value], list(y),
        xerr=[rows[value] - rows["95% CI low"], rows["95% CI high"] - rows[value]],
        fmt="o", color=sns.color_palette(PALETTE)[0], capsize=3,
    )
    ax.set_yticks(list(y))
    ax.set_yticklabels([visual(wrapped(data_label(v, lang)), lang) for v in rows[label]], fontsize=MIN_TEXT_PT)
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
    "index": plot_index,
    "share_by_definition": plot_share_by_definition,
    "intervals": plot_intervals,
    "district_map": plot_district_map,
    "network_map": plot_network_map,
}
