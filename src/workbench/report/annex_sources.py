"""The sources section of an annex: every source its exhibits cite, in full, once, with its tidy table's checksum."""

from __future__ import annotations

import functools
import logging
import re
from urllib.parse import unquote

import yaml

from workbench import paths

from workbench.reference.citations import Citation, merge_citations
from workbench.reference.formats import format_date
from workbench.reference.i18n import RTL, T, render
from workbench.reference.boundary_sets import BoundarySet, load_boundary_sets
from workbench.reference.registry import load_sources

logger = logging.getLogger(__name__)

#: What the list says of a licence the registry has not confirmed (``licence_verified: false``).
UNVERIFIED_LICENCE = T("see the publisher's terms")


def sources_list(cited: list, inputs: dict[str, str], lang: str = "en") -> list[dict]:
    """The full reference of every source an annex cites, in the order first cited.

    Parameters
    ----------
    cited
        Registry ids and expert :class:`~workbench.reference.citations.Citation` objects, in the
        order the exhibits cite them (repeats are listed once).
    inputs
        The run's input checksums by project path (a tidy table's is printed with its entry).
    lang
        The annex's language.

    Returns
    -------
    list of dict
        One entry each: ``id`` (the anchor the source lines link to, ``source-<id>``), ``publisher``,
        ``title``, ``table_id``, ``url``, ``details`` (reference dates, licence, access date; or
        the outlet an expert read the figure in) and ``tidy`` (the checksum line, or ''). A
        registry licence that is not confirmed reads "see the publisher's terms", and a warning
        naming the source goes to the log.
    """
    registry, boundaries = load_sources(), load_boundary_sets()
    cited_dates = {c.key: c.dates for c in merge_citations(c for c in cited if isinstance(c, Citation))}
    out, seen = [], set()
    for item in cited:
        key = item.key if isinstance(item, Citation) else item
        if key in seen:
            continue
        seen.add(key)
        if isinstance(item, Citation):
            out.append(_expert_entry(item, cited_dates[key], lang))
            continue
        if item in boundaries:
            out.append(_boundary_entry(boundaries[item], inputs, lang))
            continue
        source = registry.get(item)
        if source is None or source.reader is None:
            continue
        # a table above the size limit is stored gzipped (workbench.tidy.ingest.tidy_path)
        path = next((p for p in (f"data/tidy/{item}.csv", f"data/tidy/{item}.csv.gz") if p in inputs),
                    f"data/tidy/{item}.csv")
        checksum = inputs.get(path, "")
        if not source.licence_verified:
            _warn_unverified(item, source.licence)
        licence = _isolated(_licence(source.licence, lang), lang) if source.licence_verified else UNVERIFIED_LICENCE
        dates = _isolated(source.reference_dates, lang) if lang == "en" else _years(item)
        details = (T("reference dates {dates}. Licence: {licence}. Accessed {date}.", dates=dates, licence=licence,
                     date=format_date(source.access_date.isoformat(), lang)) if dates else
                   T("Licence: {licence}. Accessed {date}.", licence=licence, date=format_date(source.access_date.isoformat(), lang)))
        tidy = T("Checksum of the table derived for this annex (SHA-256): {checksum}.", checksum=checksum[:16]) if checksum else ""
        out.append({"id": item, "publisher": source.publisher, "title": source.title,
                    "table_id": source.table_id if lang == "en" else _without_glosses(source.table_id),
                    "url": source.url, "url_text": shown_url(source.url), "details": render(details, lang),
                    "tidy": render(tidy, lang) if tidy else ""})
    return out


# The registry's reference dates, licence notes and table glosses are English prose: an annex in
# another language gives the years its derived table covers, the licence's name and the table's
# designation without the English gloss in parentheses.
_LICENCE_NAME = re.compile(r"CC BY(?:-SA)? \d\.\d(?: IGO)?|CC0 1\.0|Licence Ouverte / Etalab 2\.0|ODbL 1\.0")
_GLOSS = re.compile(r"\s*\([^()]*\)")


def _licence(text: str, lang: str) -> str:
    if lang == "en":
        return text
    names = list(dict.fromkeys(_LICENCE_NAME.findall(text)))
    return " / ".join(names) if names else text


def _without_glosses(text: str) -> str:
    while _GLOSS.search(text):
        text = _GLOSS.sub("", text)
    return text


def _years(source_id: str) -> str:
    # "1990–2024" (or "2014, 2024": a few years named one by one) from the derived table's metadata
    path = paths.tidy_dir() / f"{source_id}.meta.yaml"
    if not path.is_file():
        return ""
    periods = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("periods") or []
    years = sorted({str(p)[:4] for p in periods if str(p)[:4].isdigit()})
    if len(years) <= 3:
        return ", ".join(years)
    return f"{years[0]}\u2013{years[-1]}"


def shown_url(url: str) -> str:
    """An address as readers see it: percent-escapes of non-ASCII text decoded (the link keeps them)."""
    decoded = unquote(url)
    return decoded if decoded.isprintable() else url


def unconfirmed_licences(source_ids) -> list[str]:
    """The registry sources and boundary sets among ``source_ids`` (those an annex lists) whose licence is not confirmed."""
    registry, boundaries = load_sources(), load_boundary_sets()
    return sorted({i for i in source_ids
                   if (i in registry and registry[i].reader is not None and not registry[i].licence_verified)
                   or (i in boundaries and not boundaries[i].licence_verified)})


def _boundary_entry(entry: BoundarySet, inputs: dict[str, str], lang: str) -> dict:
    # a boundary set a map is drawn from: its reference, licence, access date (when recorded) and file checksum
    if not entry.licence_verified:
        _warn_unverified(entry.boundary_id, entry.licence, "boundaries")
    licence = _isolated(_licence(entry.licence, lang), lang) if entry.licence_verified else UNVERIFIED_LICENCE
    # the registry's reference dates are English prose: named in the English annex only
    if entry.access_date is None:
        details = (T("reference dates {dates}. Licence: {licence}. Access date not recorded.",
                     dates=_isolated(entry.reference_dates, lang), licence=licence) if lang == "en" else
                   T("Licence: {licence}. Access date not recorded.", licence=licence))
    else:
        date = format_date(entry.access_date.isoformat(), lang)
        details = (T("reference dates {dates}. Licence: {licence}. Accessed {date}.", dates=entry.reference_dates,
                     licence=licence, date=date) if lang == "en" else
                   T("Licence: {licence}. Accessed {date}.", licence=licence, date=date))
    checksum = inputs.get(f"data/boundaries/{entry.boundary_id}.geojson", "")
    tidy = T("Checksum of the boundary file derived for this annex (SHA-256): {checksum}.", checksum=checksum[:16]) if checksum else ""
    return {"id": entry.boundary_id, "publisher": entry.publisher, "title": entry.title,
            "table_id": entry.table_id if lang == "en" else _without_glosses(entry.table_id),
            "url": entry.url, "url_text": shown_url(entry.url), "details": render(details, lang),
            "tidy": render(tidy, lang) if tidy else ""}


def _isolated(text: str, lang: str) -> str:
    # registry text is English: in a right-to-left annex it keeps its own order (Unicode isolate)
    return f"\u2068{text}\u2069" if lang in RTL else text


@functools.cache
def _warn_unverified(source_id: str, licence: str, folder: str = "sources") -> None:
    # once per source and process, not once per annex and language; the console gets one line for
    # the whole run (unconfirmed_licences, printed by `workbench run` and `workbench annex`)
    logger.info("source %s: licence not confirmed (%s); annexes say \"see the publisher's terms\" "
                "(confirm it and set licence_verified: true in data/registry/%s/%s.yaml)",
                source_id, licence, folder, source_id)


def _expert_entry(citation: Citation, dates: tuple[str, ...], lang: str) -> dict:
    # a publication a local expert read figures in: no registry entry, no tidy table of its own
    details = (T("figure quoted by the local expert, as reported by {outlet}.", outlet=_isolated(citation.reported_via, lang))
               if citation.reported_via else T("figure quoted by the local expert."))
    if dates:
        # the reference dates as the expert typed them: a full date in words, a year or month as typed
        shown = ("، " if lang == "ar" else ", ").join(format_date(d, lang) for d in dates)
        details = T("Figures dated {dates}; {details}", dates=shown, details=details)
    return {"id": citation.key, "publisher": citation.publisher, "title": citation.title, "table_id": "",
            "url": citation.url, "url_text": shown_url(citation.url), "details": render(details, lang), "tidy": ""}
