"""Maps: a city's districts and the network's countries shaded by migrant share in sequential classes.

Two chart kinds of :data:`workbench.report.figures.PLOTS`, drawn again by each annex in its
language like every chart: :func:`plot_district_map` (the areas of a boundary set of
``data/registry/boundaries/``, joined to the values on their ``place_id``) and
:func:`plot_network_map` (the countries of Natural Earth around the Mediterranean, and the cities
of the network as symbols, one per definition). No basemap tiles: only the boundary files.
Longitude and latitude are drawn north-up with the scale of the map's middle latitude on both
axes (an equirectangular view), enough for areas this small or an overview.

Classes (:func:`class_breaks`): five quantile classes of the values drawn, the breaks rounded to
two significant digits (at most one decimal); with fewer than :data:`MIN_AREAS_FOR_QUANTILES`
values, equal intervals of a round width (quintiles of ten areas would hold two areas each and
make a small difference look like a rank); a value on a break belongs to the upper class. Colours: ColorBrewer YlGnBu, sequential and readable by colour-blind readers;
an area without a value is grey.
"""

from __future__ import annotations

import bisect
import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.patheffects as path_effects  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402
from matplotlib.patches import Patch, PathPatch  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.path import Path as MplPath  # noqa: E402

from workbench.analysis.area_maps import AREA, DATE, DEFINITION, PLACE_ID, SHARE  # noqa: E402
from workbench.reference.formats import format_number  # noqa: E402
from workbench.reference.i18n import RTL, Date, Msg, T, has_translation, render, translate  # noqa: E402
from workbench.report.chart_print import MAX_HEIGHT_IN, MIN_TEXT_PT, PRINT_WIDTH_IN, visual, wrapped  # noqa: E402
from workbench.tidy.boundaries import load_area_names, load_boundaries  # noqa: E402

#: ColorBrewer YlGnBu, 5 classes: sequential, colour-blind safe, readable in grey.
CLASS_COLOURS = ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"]
#: How many classes a map has at most (fewer when the rounded breaks coincide).
CLASSES = len(CLASS_COLOURS)
#: Fill of an area without a value.
NO_DATA = "#d9d9d9"
#: Up to this many areas are named on the map; more are numbered, with a key beside the map.
MAX_NAMED_AREAS = 12
#: The network map's window: longitude west, east, latitude south, north (the Mediterranean and Vienna).
MEDITERRANEAN = (-10.0, 40.0, 28.0, 50.0)
#: Marker of each definition on the network map, in the order definitions first appear.
DEFINITION_MARKERS = ["o", "s", "D", "^", "v", "P"]


#: Fewer values than this are classed in equal intervals of a round width, not in quintiles.
MIN_AREAS_FOR_QUANTILES = 15
#: Widths an equal-interval class may take, times a power of ten.
_ROUND_STEPS = (1.0, 2.0, 2.5, 5.0)

CLASS_RULE = T("Classes: quintiles of the values mapped, the breaks rounded; a value on a break belongs to the "
               "upper class. Grey: no value.")
EQUAL_CLASS_RULE = T("Classes: equal intervals of a round width over the values mapped (too few areas for "
                     "quintiles); a value on a break belongs to the upper class. Grey: no value.")


def class_rule(count: int) -> Msg:
    """The note saying how the classes of a map of ``count`` values were made (see :func:`class_breaks`)."""
    return CLASS_RULE if count >= MIN_AREAS_FOR_QUANTILES else EQUAL_CLASS_RULE


def class_breaks(values: pd.Series, classes: int = CLASSES) -> list[float]:
    """The edges of the classes of a map: lowest value rounded down, inner breaks, highest rounded up.

    Inner breaks are the quantiles ``k / classes`` of the values; every edge is rounded to two
    significant digits and at most one decimal (0.47 -> 0.5, 11.6 -> 12, 44.9 -> 45). Breaks that
    coincide once rounded are merged, so a map has at most ``classes`` classes, none empty by
    construction of two equal breaks.

    Returns
    -------
    list of float
        Ascending edges, at least two (one class when every value is the same).

    Raises
    ------
    ValueError
        If ``values`` holds no number.
    """
    numbers = pd.to_numeric(values, errors="coerce").dropna().astype(float)
    if numbers.empty:
        raise ValueError("class_breaks: no value to classify")
    low, high = float(numbers.min()), float(numbers.max())
    if len(numbers) < MIN_AREAS_FOR_QUANTILES and high > low:
        return _equal_breaks(low, high, classes)
    bottom, top = _rounded(low, math.floor), _rounded(high, math.ceil)
    if top <= bottom:
        top = bottom + 10 ** -_decimals_for(bottom)
    inner = [_rounded(float(numbers.quantile(k / classes)), round) for k in range(1, classes)]
    return sorted({e for e in [bottom, *inner, top] if bottom <= e <= top})


def _equal_breaks(low: float, high: float, classes: int) -> list[float]:
    # the smallest round width (1, 2, 2.5 or 5 times a power of ten) that covers the values in at
    # most ``classes`` intervals starting at a multiple of the width
    power = 10.0 ** math.floor(math.log10((high - low) / classes))
    for width in (step * power * scale for scale in (1, 10) for step in _ROUND_STEPS):
        bottom = math.floor(round(low / width, 9)) * width
        count = max(1, math.ceil(round((high - bottom) / width, 9)))
        if bottom + count * width == high:
            count += 1  # the highest value on a break belongs to the upper class
        if count <= classes:
            return [round(bottom + k * width, 6) for k in range(count + 1)]
    raise AssertionError("unreachable: ten times the width covers the values in fewer classes")


def _decimals_for(value: float) -> int:
    # two significant digits, at most one decimal
    return 0 if value == 0 else min(1, 1 - math.floor(math.log10(abs(value))))


def _rounded(value: float, how) -> float:
    scale = 10 ** _decimals_for(value)
    return round(how(round(value * scale, 9)) / scale, 6)


def class_of(value: float, edges: list[float]) -> int:
    """The class (0 = lowest) of a value for the edges of :func:`class_breaks` (a break goes up)."""
    return min(max(bisect.bisect_right(edges[1:-1], value), 0), len(edges) - 2)


def class_labels(edges: list[float], lang: str = "en") -> list[str]:
    """Each class as its legend reads it, with the unit: '10–20 %' (decimals as the breaks need)."""
    decimals = max(_decimals(e) for e in edges)
    return [render(T("{low}–{high} %", low=format_number(a, "percent", lang, decimals),
                     high=format_number(b, "percent", lang, decimals)), lang)
            for a, b in zip(edges[:-1], edges[1:])]


def _decimals(value: float) -> int:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return len(text.split(".")[1]) if "." in text else 0


def district_join(table: pd.DataFrame, boundary_id: str) -> tuple[list[str], list[str]]:
    """What does not join between a map's values and its boundary set.

    Returns
    -------
    tuple of list
        Names of areas with a value but no boundary (not drawn), and names of areas of the
        boundary set without a value (drawn grey), each in the order of their codes.
    """
    names = load_area_names(boundary_id)
    valued = dict(zip(table[PLACE_ID].astype(str), table[AREA]))
    no_shape = [str(valued[p]) for p in sorted(valued) if p not in names]
    no_value = [names[p] for p in names if p not in valued or pd.isna(_share_of(table, p))]
    return no_shape, no_value


def _share_of(table: pd.DataFrame, place_id: str) -> float:
    rows = table[table[PLACE_ID].astype(str) == place_id]
    return float(rows[SHARE].iloc[0]) if len(rows) and pd.notna(rows[SHARE].iloc[0]) else float("nan")


def district_map_notes(table: pd.DataFrame, boundary_id: str) -> list[Msg]:
    """The notes under a district map: the class rule, and the areas that did not join, by name."""
    notes = [class_rule(int(table[SHARE].notna().sum()))]
    no_shape, no_value = district_join(table, boundary_id)
    if no_value:
        notes.append(T("No value for: {areas} (grey on the map).", areas=", ".join(no_value)))
    if no_shape:
        notes.append(T("Not on the map, no boundary in the boundary set: {areas}.", areas=", ".join(no_shape)))
    return notes


def plot_district_map(table: pd.DataFrame, lang: str = "en", boundary_id: str = "") -> plt.Figure:
    """A choropleth of the migrant share of each area of a city, from a boundary set of the registry.

    Areas are named on the map when there are at most :data:`MAX_NAMED_AREAS`, else numbered in
    the order of their codes with a key beside the map. The legend gives the classes with their
    unit, the definition and the reference date; an area without a value is grey; an area with a
    value but no boundary is named under the map.

    Parameters
    ----------
    table
        One row per area: place_id (the boundary set's join code), area (its name as published),
        share (%), definition, reference date (one definition and date).
    boundary_id
        An id of ``data/registry/boundaries/``.
    """
    shapes = load_boundaries(boundary_id)
    names = load_area_names(boundary_id)
    shares = {str(p): float(s) for p, s in zip(table[PLACE_ID], table[SHARE]) if pd.notna(s)}
    edges = class_breaks(pd.Series(list(shares.values()))) if shares else [0.0, 1.0]
    numbered = len(shapes) > MAX_NAMED_AREAS
    bounds = shapely.union_all(list(shapes.values())).bounds
    fig, (ax, key) = _map_figure(bounds, keyed=numbered, lang=lang, lines=len(shapes) if numbered else 0)
    for number, (place_id, shape) in enumerate(shapes.items(), start=1):
        value = shares.get(place_id)
        colour = NO_DATA if value is None else class_colours(len(edges) - 1)[class_of(value, edges)]
        _fill(ax, shape, colour)
        point = shape.representative_point()
        text = str(number) if numbered else visual(wrapped(render(names[place_id], lang), 14), lang)
        dark = colour in CLASS_COLOURS[3:]
        ax.text(point.x, point.y, text, ha="center", va="center", fontsize=MIN_TEXT_PT, color="white" if dark else "black",
                path_effects=[path_effects.withStroke(linewidth=1.5, foreground="#253494" if dark else "white")])
    if numbered:
        lines = [f"{n} {render(names[p], lang)}" for n, p in enumerate(shapes, start=1)]
        key.text(1.0 if lang in RTL else 0.0, 1.0, visual("\n".join(lines), lang), ha="right" if lang in RTL else "left",
                 va="top", fontsize=MIN_TEXT_PT, transform=key.transAxes, linespacing=1.3)
    first = table.iloc[0] if len(table) else None
    title = T("{definition}, {date}: % of the population", definition=_label(first[DEFINITION], lang), date=Date(str(first[DATE]))) if first is not None else ""
    no_shape = [str(a) for p, a in zip(table[PLACE_ID].astype(str), table[AREA]) if p not in shapes]
    if no_shape:
        title = T("{title}. Not on the map (no boundary): {areas}", title=title, areas=", ".join(no_shape))
    handles = _class_handles(edges, lang, no_value=any(p not in shares for p in shapes))
    _map_legend(fig, handles, title, lang, columns=len(handles))  # at most six short entries: one row, in class order
    return fig


def plot_network_map(table: pd.DataFrame, lang: str = "en", boundary_id: str = "naturalearth_admin0_110m") -> plt.Figure:
    """The network's cities on the Mediterranean over countries shaded by their migrant share.

    Each city is a symbol, one shape per definition, labelled with its share ('Vienna 38.2 %');
    a city without a share is a grey cross labelled as such. Countries are shaded in the classes
    of :func:`class_breaks` of the country values drawn; a country without one is grey.

    Parameters
    ----------
    table
        Rows of kind 'country' (place: the ISO 3166 code the boundary set joins on; share (%),
        definition, reference date of the national figure) and of kind 'city' (place: the city's
        name; lon, lat; share (%) or empty, definition, reference date).
    boundary_id
        The countries' boundary set.
    """
    west, east, south, north = MEDITERRANEAN
    window = shapely.box(west, south, east, north)
    countries = table[table["kind"] == "country"]
    cities = table[table["kind"] == "city"]
    values = {str(p): float(v) for p, v in zip(countries["place"], countries[SHARE]) if pd.notna(v)}
    edges = class_breaks(pd.Series(list(values.values()))) if values else [0.0, 1.0]
    fig, (ax, _) = _map_figure((west, south, east, north), keyed=False, lang=lang)
    for code, shape in load_boundaries(boundary_id).items():
        if not shape.intersects(window):
            continue
        value = values.get(code)
        colour = NO_DATA if value is None else class_colours(len(edges) - 1)[class_of(value, edges)]
        _fill(ax, shape.intersection(window), colour, width=0.4)
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    markers: dict[str, str] = {}
    for definition in cities.loc[cities[SHARE].notna(), DEFINITION]:
        markers.setdefault(_label(definition, lang), DEFINITION_MARKERS[len(markers) % len(DEFINITION_MARKERS)])
    halo = [path_effects.withStroke(linewidth=2, foreground="white")]
    for _, city in cities.iterrows():
        if pd.isna(city["lon"]) or pd.isna(city["lat"]):
            continue  # no coordinates in the cities registry: not marked
        name = render(city["place"], lang)
        has_share = pd.notna(city[SHARE])
        if has_share:
            ax.plot(city["lon"], city["lat"], marker=markers[_label(city[DEFINITION], lang)], markersize=6, color="#d95f02",
                    markeredgecolor="black", markeredgewidth=0.7, linestyle="none", zorder=3)
            label = T("{city} {share} %", city=name, share=format_number(city[SHARE], "percent", lang))
        else:
            ax.plot(city["lon"], city["lat"], marker="X", markersize=6, color="#777", markeredgecolor="black",
                    markeredgewidth=0.5, linestyle="none", zorder=3)
            label = T("{city}: no share", city=name)
        left = _label_left(city, cities, east)
        ax.annotate(visual(render(label, lang), lang), (city["lon"], city["lat"]), xytext=(-5 if left else 5, 0),
                    textcoords="offset points", ha="right" if left else "left", va="center", fontsize=MIN_TEXT_PT,
                    path_effects=halo, zorder=4)
    handles = _class_handles(edges, lang)
    handles += [Line2D([], [], marker=m, color="#d95f02", markeredgecolor="black", linestyle="none",
                       label=visual(wrapped(definition, 45), lang)) for definition, m in markers.items()]
    if cities[SHARE].isna().any():
        handles.append(Line2D([], [], marker="X", color="#777", markeredgecolor="black", linestyle="none",
                              label=visual(render(T("city without a migrant share"), lang), lang)))
    first = countries.iloc[0] if len(countries) else None
    title = (T("Countries: {definition}, {date}, % of the population; cities: latest share, symbol by definition",
               definition=_label(first[DEFINITION], lang), date=Date(str(first[DATE]))) if first is not None
             else T("Cities: latest share, symbol by definition"))
    _map_legend(fig, handles, title, lang, columns=2)  # definitions are long: two columns stay inside the page
    return fig


def class_colours(classes: int) -> list[str]:
    """The colours of ``classes`` classes: spread over the palette, so two classes never look alike."""
    if classes <= 1:
        return [CLASS_COLOURS[len(CLASS_COLOURS) // 2]]
    return [CLASS_COLOURS[round(k * (len(CLASS_COLOURS) - 1) / (classes - 1))] for k in range(classes)]


def _class_handles(edges: list[float], lang: str, no_value: bool = True) -> list:
    # one legend entry per class with its breaks and unit, then the grey of 'no value' (when some area is grey)
    handles = [Patch(facecolor=c, edgecolor="#555", label=visual(label, lang))
               for c, label in zip(class_colours(len(edges) - 1), class_labels(edges, lang))]
    if no_value:
        handles.append(Patch(facecolor=NO_DATA, edgecolor="#555", label=visual(render(T("no value"), lang), lang)))
    return handles


def _label(value, lang: str) -> str:
    # a registry label (a definition) in ``lang``; any other text or message rendered as given
    if isinstance(value, str) and not isinstance(value, Msg) and lang != "en" and has_translation(value, lang):
        return translate(value, lang)
    return render(value, lang)


def _label_left(city: pd.Series, cities: pd.DataFrame, east: float) -> bool:
    # a label goes left of its city near the east edge, or when a city lies just east of it
    if city["lon"] > east - 8:
        return True
    near = cities[(cities["lon"] > city["lon"]) & (cities["lon"] - city["lon"] < 5) & ((cities["lat"] - city["lat"]).abs() < 1.5)]
    return not near.empty


def _map_figure(bounds: tuple[float, float, float, float], keyed: bool, lang: str, lines: int = 0):
    # a north-up map as wide as the printed text, lon/lat at the scale of its middle latitude
    west, south, east, north = bounds
    stretch = 1 / math.cos(math.radians((south + north) / 2))
    share = 0.72 if keyed else 1.0
    # tall enough for the map, and for the key's lines at 7 pt beside it
    height = min(max(PRINT_WIDTH_IN * share * (north - south) * stretch / (east - west), lines * MIN_TEXT_PT * 1.45 / 72) + 1.3,
                 MAX_HEIGHT_IN)
    if keyed:
        ratios = [1, 2.6] if lang in RTL else [2.6, 1]
        fig, axes = plt.subplots(1, 2, figsize=(PRINT_WIDTH_IN, height), layout="constrained", width_ratios=ratios)
        key, ax = axes if lang in RTL else axes[::-1]
        key.axis("off")
    else:
        fig, ax = plt.subplots(figsize=(PRINT_WIDTH_IN, height), layout="constrained")
        key = None
    ax.set_aspect(stretch)
    ax.axis("off")
    return fig, (ax, key)


def _fill(ax, shape, colour: str, width: float = 0.6) -> None:
    # a polygon or multipolygon with its holes, one patch
    polygons = getattr(shape, "geoms", [shape])
    paths = []
    for polygon in polygons:
        if polygon.geom_type != "Polygon" or polygon.is_empty:
            continue
        polygon = shapely.geometry.polygon.orient(polygon)
        for ring in [polygon.exterior, *polygon.interiors]:
            paths.append(MplPath(list(ring.coords), closed=True))
    if paths:
        ax.add_patch(PathPatch(MplPath.make_compound_path(*paths), facecolor=colour, edgecolor="#555", linewidth=width))
    ax.autoscale_view()


def _map_legend(fig: plt.Figure, handles: list, title: Msg | str, lang: str, columns: int = 4) -> None:
    # classes, no-value and symbols under the map, the title above them (definition, date, unit)
    fig.legend(handles=handles, loc="outside lower center", ncols=min(columns, len(handles)), frameon=False,
               title=visual(wrapped(render(title, lang), 100), lang), markerfirst=lang not in RTL,
               alignment="right" if lang in RTL else "center", fontsize=MIN_TEXT_PT + 0.5)
