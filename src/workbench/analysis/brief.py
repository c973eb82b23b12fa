"""City briefs: a short profile of every Eurostat city with foreign-born data, and their index page.

A brief reads only Eurostat's city statistics (``urb_cpop1`` population on 1 January and
``urb_cpopcb`` foreign-born residents), for one Urban Audit code: a city (the municipality or its
core) or a greater city, as Eurostat publishes it. The foreign-born share is computed only where
both tables publish the same code and year; it is never mixed with national definitions
(foreign nationals, *immigrés* ...), which the briefs do not use. The network cities have
full profiles; their briefs link to them.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pycountry

from workbench.errors import ConfigError
from workbench.tidy.ingest import read_tidy, tidy_path
from workbench.reference.registry import load_sources
from workbench.analysis.stats import MIN_POINTS, Trend, log_linear_trend

POPULATION_SOURCE = "eurostat_urb_cpop1"
FOREIGN_BORN_SOURCE = "eurostat_urb_cpopcb"
#: What the briefs call each Urban Audit level.
LEVELS = {"city": "city", "greater_city": "greater city"}
#: Eurostat flags kept in the tidy tables, in words.
FLAGS = {"b": "break in series", "e": "estimated", "p": "provisional", "u": "low reliability"}


@dataclass(frozen=True)
class Brief:
    """The brief of one Urban Audit code."""

    place_id: str
    name: str
    level: str  #: ``city`` or ``greater_city``
    country: str  #: country name (English)
    country_iso3: str
    city_id: str  #: the network city it stands for, or ''
    table: pd.DataFrame  #: year, population, foreign-born, share (%), flags
    trend: Trend | None  #: log-linear growth of the foreign-born population
    sentences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def load_eurostat(folder: Path | None = None) -> pd.DataFrame:
    """The headline rows of both Eurostat tables below country level (persons)."""
    frames = [read_tidy(tidy_path(source, folder)) for source in (POPULATION_SOURCE, FOREIGN_BORN_SOURCE)]
    frame = pd.concat(frames, ignore_index=True)
    keep = (frame["geography_level"].isin(list(LEVELS)) & (frame["unit"] == "persons")
            & (frame["sex"] == "total") & (frame["age"] == "total") & (frame["origin"] == "total"))
    return frame[keep].reset_index(drop=True)


def brief_places(frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every Urban Audit code with foreign-born data: place_id, name, level, country_iso3, city_id.

    Sorted by country, then name, then code.
    """
    frame = load_eurostat() if frame is None else frame
    born = frame[(frame["source_id"] == FOREIGN_BORN_SOURCE) & (frame["definition_id"] == "foreign_born")]
    places = (born.sort_values("ref_date").groupby("place_id", sort=False)
              .agg(name=("place_name", "last"), level=("geography_level", "first"),
                   country_iso3=("country_iso3", "first"), city_id=("city_id", "max"))
              .reset_index())
    return places.sort_values(["country_iso3", "name", "place_id"]).reset_index(drop=True)


def check_places(place_ids: list[str], frame: pd.DataFrame | None = None) -> list[str]:
    """The codes given, each checked to have a brief; repeated codes once.

    Raises
    ------
    ConfigError
        Naming every code without foreign-born data, with a few that have some.
    """
    known = brief_places(frame)["place_id"].tolist()
    unknown = [p for p in place_ids if p not in known]
    if unknown or not place_ids:
        raise ConfigError(f"no city brief for {', '.join(map(repr, unknown)) or 'an empty list'}: Eurostat publishes "
                          f"foreign-born figures for {len(known)} codes, such as {', '.join(known[:5])}; "
                          "`workbench run --cities eurostat` writes them all")
    return list(dict.fromkeys(place_ids))


def make_brief(place_id: str, frame: pd.DataFrame | None = None) -> Brief:
    """The brief of one Urban Audit code.

    Raises
    ------
    ConfigError
        If Eurostat publishes no foreign-born figure for the code (the message says how to list them).
    """
    frame = load_eurostat() if frame is None else frame
    rows = frame[frame["place_id"] == place_id]
    born = rows[(rows["source_id"] == FOREIGN_BORN_SOURCE) & (rows["definition_id"] == "foreign_born")]
    if born.empty:
        raise ConfigError(f"place_id {place_id!r}: Eurostat publishes no foreign-born population for this code; "
                          "`workbench.analysis.brief.brief_places()` lists the codes that have one")
    total = rows[(rows["source_id"] == POPULATION_SOURCE) & (rows["definition_id"] == "total_population")]
    table = _table(born, total)
    latest = born.sort_values("ref_date").iloc[-1]
    brief = Brief(
        place_id=place_id, name=str(latest["place_name"]), level=str(latest["geography_level"]),
        country=_country(str(latest["country_iso3"])), country_iso3=str(latest["country_iso3"]),
        city_id=str(born["city_id"].max() or ""), table=table,
        trend=log_linear_trend(pd.to_datetime(table["year"].astype(str) + "-01-01"), table["foreign-born"]),
    )
    return Brief(**{**brief.__dict__, "sentences": _sentences(brief), "notes": _notes(brief)})


def _table(born: pd.DataFrame, total: pd.DataFrame) -> pd.DataFrame:
    merged = born[["ref_date", "value", "flag"]].merge(
        total[["ref_date", "value", "flag"]], on="ref_date", how="left", suffixes=("_born", "_total"))
    merged = merged.sort_values("ref_date").drop_duplicates("ref_date")
    share = (100 * merged["value_born"] / merged["value_total"]).where(merged["value_total"] > 0)
    flags = [", ".join(dict.fromkeys(FLAGS.get(f, f) for f in (a, b) if isinstance(f, str) and f))
             for a, b in zip(merged["flag_born"], merged["flag_total"], strict=True)]
    return pd.DataFrame({
        "year": merged["ref_date"].str[:4].astype(int).to_numpy(),
        "population": merged["value_total"].to_numpy(),
        "foreign-born": merged["value_born"].to_numpy(),
        "share (%)": share.round(1).to_numpy(),
        "flags": flags,
    })


def _country(iso3: str) -> str:
    country = pycountry.countries.get(alpha_3=iso3)
    return getattr(country, "common_name", None) or (country.name if country else iso3)


def _persons(value: float) -> str:
    return f"{value:,.0f}"


def _sentences(brief: Brief) -> list[str]:
    table, where = brief.table, f"{brief.name}, {brief.country}"
    last = table.iloc[-1]
    out = [f"On 1 January {last['year']}, {_persons(last['foreign-born'])} residents of {where} were born abroad"
           + (f", {last['share (%)']:.1f} % of its {_persons(last['population'])} residents." if pd.notna(last["share (%)"])
              else "; Eurostat publishes no total population for that year, so no share is computed.")]
    shares = table.dropna(subset=["share (%)"])
    if len(shares) >= 2:
        first, end = shares.iloc[0], shares.iloc[-1]
        change = end["share (%)"] - first["share (%)"]
        direction = "rose" if change > 0.05 else "fell" if change < -0.05 else "was stable"
        points = f" ({change:+.1f} percentage points)" if direction != "was stable" else ""
        out.append(f"The foreign-born share {direction} from {first['share (%)']:.1f} % in {first['year']} "
                   f"to {end['share (%)']:.1f} % in {end['year']}{points}.")
    if brief.trend is not None:
        t = brief.trend
        out.append(f"The foreign-born population grew by {t.growth:+.1f} % a year on average over {t.points} "
                   f"years between {t.first[:4]} and {t.last[:4]} (log-linear trend; 95 % interval of the fit "
                   f"{t.low:+.1f} to {t.high:+.1f} %: how far the yearly counts stray from a steady trend, not a sampling error).")
    return out


def _notes(brief: Brief) -> list[str]:
    sources = load_sources()
    born, population = sources[FOREIGN_BORN_SOURCE], sources[POPULATION_SOURCE]
    years = brief.table["year"].tolist()
    gaps = sorted(set(range(min(years), max(years) + 1)) - set(years))
    notes = [
        f"Definition: foreign-born residents ({born.definition[:1].lower()}{born.definition[1:]}). Not comparable "
        "with counts of foreign nationals: nationals born abroad are included, foreigners born in the country are not.",
        f"Area: Eurostat Urban Audit {LEVELS[brief.level]} {brief.place_id}, as published"
        + (" (a greater city: Eurostat's approximation of the urban centre where it stretches beyond the "
           "municipality; neither the municipality nor the functional urban area)."
           if brief.level == "greater_city" else "."),
        f"Reference dates: 1 January of {', '.join(map(str, years))}"
        + (f"; no figure for {', '.join(map(str, gaps))}." if gaps else "."),
    ]
    flagged = brief.table[brief.table["flags"] != ""]
    if len(flagged):
        notes.append("Eurostat flags: " + "; ".join(f"{y}: {f}" for y, f in zip(flagged["year"], flagged["flags"], strict=True)) + ".")
    # a break flagged on the first year shown lies before the period the trend covers
    breaks = [y for y, f in zip(brief.table["year"].iloc[1:], brief.table["flags"].iloc[1:], strict=True) if "break" in f]
    if brief.trend is None:
        notes.append(f"No trend: fewer than {MIN_POINTS} years of foreign-born figures.")
    elif breaks:
        notes.append(f"The trend spans a break in the series ({', '.join(map(str, breaks))}): read it with care.")
    for source in (born, population):
        notes.append(f"Source: {source.publisher}, {source.title} ({source.table_id}), {source.url}; "
                     f"licence {source.licence}; accessed {source.access_date}.")
    return notes


def summary(brief: Brief) -> dict:
    """What the index page shows of a brief (saved as ``brief.json`` by the brief notebook)."""
    last = brief.table.iloc[-1]
    share = None if pd.isna(last["share (%)"]) else float(last["share (%)"])
    return {"place_id": brief.place_id, "name": brief.name, "level": brief.level, "country": brief.country,
            "country_iso3": brief.country_iso3, "city_id": brief.city_id, "year": int(last["year"]),
            "foreign_born": float(last["foreign-born"]), "share": share,
            "growth": None if brief.trend is None else round(brief.trend.growth, 1)}


def save(brief: Brief, folder: Path | str) -> list[Path]:
    """Write ``brief.html`` and ``brief.json`` into ``folder`` (each under a temporary name first)."""
    folder = Path(folder)
    written = []
    for name, text in (("brief.html", brief_html(brief)), ("brief.json", json.dumps(summary(brief), ensure_ascii=False, indent=1))):
        target = folder / name
        tmp = target.with_name(name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
        written.append(target)
    return written


_STYLE = ("body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;"
          "color:#222;line-height:1.45}table{border-collapse:collapse;margin:1rem 0}th,td{border-bottom:1px solid #ccc;"
          "padding:.25rem .6rem;text-align:right}th:first-child,td:first-child{text-align:left}"
          "caption{text-align:left;font-weight:bold;padding-bottom:.3rem}.notes{font-size:.9em;color:#444}"
          "input{font-size:1rem;padding:.3rem;width:100%;box-sizing:border-box;margin:.5rem 0}")


def brief_html(brief: Brief, profile_href: str = "") -> str:
    """The brief as a self-contained HTML page (every text escaped)."""
    e = html.escape
    rows = "".join(
        f"<tr><td>{year}</td><td>{_cell(population)}</td><td>{_cell(born)}</td>"
        f"<td>{'' if pd.isna(share) else f'{share:.1f}'}</td><td>{e(flags)}</td></tr>"
        for year, population, born, share, flags in brief.table.itertuples(index=False, name=None)
    )
    profile = (f'<p>Full City Migration Profile: <a href="{e(profile_href)}">{e(brief.name)}</a></p>'
               if profile_href else "")
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>City brief: {e(brief.name)}</title>'
        f"<style>{_STYLE}</style></head><body>\n<h1>{e(brief.name)}</h1>\n"
        f"<p>{e(LEVELS[brief.level])} · {e(brief.country)} · Eurostat code {e(brief.place_id)}</p>\n{profile}"
        + "".join(f"<p>{e(s)}</p>\n" for s in brief.sentences)
        + f"<table><caption>Population and foreign-born residents, {e(brief.name)}</caption>"
        "<thead><tr><th>year</th><th>population</th><th>foreign-born</th><th>share (%)</th><th>flags</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>\n<div class=\"notes\"><h2>Data notes</h2><ul>"
        + "".join(f"<li>{e(n)}</li>" for n in brief.notes)
        + "</ul></div>\n</body></html>\n"
    )


def _cell(value: float) -> str:
    return "" if pd.isna(value) else _persons(value)


def index_html(summaries: list[dict], profiles: dict[str, str], run_id: str) -> str:
    """A searchable page listing every brief, linking to each and to the network cities' full profiles.

    Parameters
    ----------
    summaries
        From :func:`summary`, one per brief.
    profiles
        Network city id → link to its full profile annex (relative to the page).
    run_id
        The run the briefs come from.
    """
    e = html.escape
    rows = []
    for s in sorted(summaries, key=lambda s: (s["country"], s["name"], s["place_id"])):
        profile = profiles.get(s["city_id"], "")
        link = f' · <a href="{e(profile)}">full profile</a>' if profile else ""
        share = "" if s["share"] is None else f"{s['share']:.1f}"
        growth = "" if s["growth"] is None else f"{s['growth']:+.1f}"
        search = e(f"{s['name']} {s['country']} {s['place_id']} {LEVELS[s['level']]}".lower())
        rows.append(
            f'<tr data-search="{search}"><td><a href="{e(s["place_id"])}/brief.html">{e(s["name"])}</a>{link}</td>'
            f"<td>{e(LEVELS[s['level']])}</td><td>{e(s['country'])}</td><td>{e(s['place_id'])}</td><td>{s['year']}</td>"
            f"<td>{_persons(s['foreign_born'])}</td><td>{share}</td><td>{growth}</td></tr>"
        )
    script = ("<script>const q=document.getElementById('q');q.addEventListener('input',()=>{const t=q.value.toLowerCase();"
              "let n=0;for(const r of document.querySelectorAll('tbody tr')){const m=r.dataset.search.includes(t);"
              "r.hidden=!m;n+=m;}document.getElementById('n').textContent=n;});</script>")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>City briefs: foreign-born residents of '
        f"European cities</title><style>{_STYLE}</style></head><body>\n<h1>City briefs</h1>\n"
        f"<p>{len(rows)} cities and greater cities with foreign-born figures in Eurostat's city statistics "
        f"(urb_cpopcb, urb_cpop1); run {e(run_id)}. Shares are foreign-born residents over the population of the "
        "same code and year; a greater city is not its municipality.</p>\n"
        '<label for="q">Search by city, country or code</label><input id="q" type="search" autocomplete="off">'
        '<p><span id="n">' + str(len(rows)) + "</span> shown</p>\n<table><thead><tr><th>city</th><th>level</th>"
        "<th>country</th><th>code</th><th>latest year</th><th>foreign-born</th><th>share (%)</th>"
        "<th>growth (% a year)</th></tr></thead><tbody>\n" + "\n".join(rows) + f"\n</tbody></table>\n{script}\n</body></html>\n"
    )
