"""The sources section of an annex: the registry entries behind its exhibits, with their tidy tables' checksums."""

from __future__ import annotations

from workbench.reference.formats import format_date
from workbench.reference.i18n import T, render
from workbench.reference.registry import load_sources

def sources_list(source_ids: list[str], inputs: dict[str, str], lang: str = "en") -> list[dict]:
    """The registry entries behind an annex, each as one line of the sources section.

    Publisher, title, table, reference dates, URL, licence, access date and the checksum of the
    tidy table. Ids that are not registry entries (computed values, expert citations) are
    skipped: they appear in the exhibits' own source lines.
    """
    registry = load_sources()
    out = []
    for source_id in source_ids:
        source = registry.get(source_id)
        if source is None or source.reader is None:
            continue
        # a table above the size limit is stored gzipped (workbench.tidy.ingest.tidy_path)
        path = next((p for p in (f"data/tidy/{source_id}.csv", f"data/tidy/{source_id}.csv.gz") if p in inputs),
                    f"data/tidy/{source_id}.csv")
        checksum = inputs.get(path, "")
        details = T("reference dates {dates}. Licence: {licence}. Accessed {date}.", dates=source.reference_dates,
                    licence=source.licence, date=format_date(source.access_date.isoformat(), lang))
        tidy = T("Tidy table {path}, SHA-256 {checksum}.", path=path, checksum=checksum[:16]) if checksum else ""
        out.append({"id": source_id, "publisher": source.publisher, "title": source.title, "table_id": source.table_id,
                    "url": source.url, "details": render(details, lang), "tidy": render(tidy, lang) if tidy else ""})
    return out
