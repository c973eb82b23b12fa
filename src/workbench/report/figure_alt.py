"""What a chart shows, in one sentence with its key values: the alt text of a figure in an annex.

Each chart of :data:`workbench.report.figures.PLOTS` has a description here, made from the same
data and options it is drawn from, in the annex's language: the largest bars and their values,
the first and last point of each series, so a reader who cannot see the image (a screen reader,
Word's picture description, a tagged PDF) learns what it shows, not only its caption.
"""

from __future__ import annotations

import pandas as pd

from workbench.reference.i18n import Country, Date, Msg, Num, T, join, render
from workbench.report.age_bands import age_label
from workbench.report.figures import data_label, origin_label
from workbench.report import maps

#: How many bars or series an alt text names; the others are counted.
SHOWN = 3


def describe(name: str, data: pd.DataFrame, lang: str = "en", **options) -> str:
    """The alt text of chart ``name`` drawn from ``data`` with ``options``, in ``lang``.

    Raises
    ------
    KeyError
        If ``name`` is not a chart of :data:`workbench.report.figures.PLOTS`.
    """
    if data.empty:
        return render(T("The chart has no data."), lang)
    return render(DESCRIPTIONS[name](data, lang, **options), lang)


def _listed(parts: list[Msg], total: int) -> Msg:
    # the first SHOWN parts, then how many more there are (separated as the language separates)
    shown = parts[0]
    for part in parts[1:SHOWN]:
        shown = T("{items}; {item}", items=shown, item=part)
    if total > SHOWN:
        return T("{items}; and {count} more.", items=shown, count=total - SHOWN)
    return T("{items}.", items=shown)


def _unit(values: pd.Series) -> str:
    # counts as whole numbers, an index of 0-1 with three decimals, a share with one
    values = values.dropna().astype(float)
    if values.empty or (values.abs() >= 10).all():
        return "persons"
    return "ratio" if (values.abs() <= 1).all() else "percent"


def _series(points: pd.DataFrame, x: str, y: str, unit: str, name: str) -> Msg:
    # one series: its value(s) on its only date, or its first and last values
    points = points.dropna(subset=[y]).drop_duplicates(subset=[x, y]).sort_values(x, kind="stable")
    first, last = points.iloc[0], points.iloc[-1]
    if points[x].nunique() == 1:
        values = join([Num(v, unit) for v in points[y]], " / ")
        return T("{series}: {value} in {date}", series=name, value=values, date=_when(first[x]))
    return T("{series}: {first} in {first_date}, {last} in {last_date}", series=name, first=Num(first[y], unit),
             first_date=_when(first[x]), last=Num(last[y], unit), last_date=_when(last[x]))


def _when(value) -> str:
    text = str(value)
    return text[:4] if len(text) == 10 and text[4] == "-" else text


def _migrant_shares(table: pd.DataFrame, lang: str) -> Msg:
    data = table.dropna(subset=["share of population (%)"])
    groups = list(data.groupby(["definition", "place"], sort=True))
    parts = [_series(rows, "reference date", "share of population (%)", "percent",
                     T("{definition} — {place}", definition=data_label(definition, lang), place=place))
             for (definition, place), rows in groups]
    return T("Share of the population (%), by definition and place: {values}", values=_listed(parts, len(groups)))


def _origins(table: pd.DataFrame, lang: str) -> Msg:
    top = table.sort_values("persons", ascending=False)
    parts = [T("{origin} {persons}", origin=origin_label(o, lang), persons=Num(p, "persons"))
             for o, p in zip(top["origin"], top["persons"])]
    return T("Largest origins (persons): {values}", values=_listed(parts, len(top)))


def _pyramid(ages: pd.DataFrame, lang: str) -> Msg:
    parts = []
    groups = list(ages.groupby("group", sort=True))
    for group, rows in groups:
        by_band = rows.groupby("age")["persons"].sum()
        band = by_band.idxmax()
        parts.append(T("{group}: largest age band {band} ({share}% of the group)", group=data_label(group, lang),
                       band=age_label(band, lang), share=Num(100 * by_band[band] / by_band.sum(), "percent")))
    return T("Age structure: {values}", values=_listed(parts, len(groups)))


def _lines(table: pd.DataFrame, lang: str, x: str, y: str, hue: str, segment: str | None = None, **_) -> Msg:
    unit = "persons" if y == "persons" else _unit(table[y])
    keys = [hue] + ([segment] if segment else [])
    groups = list(table.groupby(keys, sort=True))
    parts = []
    for key, rows in groups:
        key = key if isinstance(key, tuple) else (key,)
        name = data_label(key[0], lang) if len(key) == 1 else T("{definition} — {place}", definition=data_label(key[0], lang),
                                                                  place=data_label(key[1], lang))
        parts.append(_series(rows, x, y, unit, name))
    return _listed(parts, len(groups))


def _index(table: pd.DataFrame, lang: str, x: str, y: str, series: str, scale=(0.0, 1.0), **_) -> Msg:
    groups = list(table.groupby(series, sort=False))
    parts = [_series(rows, x, y, "ratio", data_label(name, lang)) for name, rows in groups]
    low, high = scale
    return T("On a scale from {low} to {high}: {values}", low=Num(low, "count"), high=Num(high, "count"),
             values=_listed(parts, len(groups)))


def _share_by_definition(table: pd.DataFrame, lang: str) -> Msg:
    groups = list(table.groupby("definition", sort=True))
    parts = []
    for definition, rows in groups:
        rows = rows.sort_values("share (%)", ascending=False)
        high, low = rows.iloc[0], rows.iloc[-1]
        if len(rows) == 1:
            parts.append(T("{definition}: {city} ({share}%)", definition=data_label(definition, lang), city=high["city"],
                           share=Num(high["share (%)"], "percent")))
            continue
        parts.append(T("{definition}: highest {high} ({high_share}%), lowest {low} ({low_share}%)",
                       definition=data_label(definition, lang), high=high["city"], high_share=Num(high["share (%)"], "percent"),
                       low=low["city"], low_share=Num(low["share (%)"], "percent")))
    return _listed(parts, len(groups))


def _intervals(table: pd.DataFrame, lang: str, label: str = "item", value: str = "share (%)") -> Msg:
    top = table.sort_values(value, ascending=False)
    parts = [T("{item} {share}% (95% interval {low}-{high})", item=data_label(i, lang), share=Num(v, "percent"),
               low=Num(lo, "percent"), high=Num(hi, "percent"))
             for i, v, lo, hi in zip(top[label], top[value], top["95% CI low"], top["95% CI high"])]
    return T("Highest shares: {values}", values=_listed(parts, len(top)))


def _district_map(table: pd.DataFrame, lang: str, boundary_id: str = "", **_) -> Msg:
    names = maps.load_area_names(boundary_id)
    valued = table[table[maps.PLACE_ID].astype(str).isin(names)].dropna(subset=[maps.SHARE]).sort_values([maps.SHARE, maps.PLACE_ID], ascending=[False, True])
    first = table.iloc[0]
    high, low = valued.iloc[0], valued.iloc[-1]
    text = T("Map of {count} areas, {definition}, {date}: highest {high} ({high_share}%), lowest {low} ({low_share}%).",
             count=Num(len(valued), "count"), definition=data_label(first[maps.DEFINITION], lang), date=Date(str(first[maps.DATE])),
             high=high[maps.AREA], high_share=Num(high[maps.SHARE], "percent"), low=low[maps.AREA], low_share=Num(low[maps.SHARE], "percent"))
    if len(names) > maps.MAX_NAMED_AREAS:
        key = join([f"{n} {name}" for n, name in enumerate(names.values(), start=1)], ", ")
        text = T("{text} Numbers on the map: {key}.", text=text, key=key)
    no_shape, no_value = maps.district_join(table, boundary_id)
    if no_value:
        text = T("{text} No value: {areas}.", text=text, areas=", ".join(no_value))
    if no_shape:
        text = T("{text} Not on the map (no boundary): {areas}.", text=text, areas=", ".join(no_shape))
    return text


def _network_map(table: pd.DataFrame, lang: str, **_) -> Msg:
    cities = table[table["kind"] == "city"]
    shown = cities.dropna(subset=[maps.SHARE]).sort_values(maps.SHARE, ascending=False)
    parts = [T("{city} {share}% ({definition})", city=data_label(c, lang), share=Num(v, "percent"), definition=data_label(d, lang))
             for c, v, d in zip(shown["place"], shown[maps.SHARE], shown[maps.DEFINITION])]
    text = T("Cities of the network on a map of the Mediterranean: {values}", values=join(parts, "; ") if parts else "—")
    missing = cities[cities[maps.SHARE].isna()]["place"]
    if len(missing):
        text = T("{text}. Without a migrant share: {cities}", text=text, cities=join([data_label(c, lang) for c in missing], ", "))
    countries = table[table["kind"] == "country"].dropna(subset=[maps.SHARE]).sort_values(maps.SHARE, ascending=False)
    if len(countries):
        high, low = countries.iloc[0], countries.iloc[-1]
        text = T("{text}. Countries shaded by migrant share: highest {high} ({high_share}%), lowest {low} ({low_share}%).",
                 text=text, high=Country(str(high["place"])), high_share=Num(high[maps.SHARE], "percent"),
                 low=Country(str(low["place"])), low_share=Num(low[maps.SHARE], "percent"))
    return text


#: The description of each chart of :data:`workbench.report.figures.PLOTS`, by name.
DESCRIPTIONS = {
    "migrant_shares": _migrant_shares,
    "origins": _origins,
    "pyramid": _pyramid,
    "lines": _lines,
    "index": _index,
    "share_by_definition": _share_by_definition,
    "intervals": _intervals,
    "district_map": _district_map,
    "network_map": _network_map,
}
