"""Render the sources registry as the Markdown page ``docs/sources.md`` (kept in sync by a test)."""

from __future__ import annotations

from workbench.reference.citations import registry_citation
from workbench.reference.registry import load_sources


def sources_markdown() -> str:
    """Return a Markdown page describing every registered source.

    Returns
    -------
    str
        One section per source: publisher, table, short citation, URL, licence (and whether it
        is confirmed), access date, reference dates,
        definition, geography, files with checksums, caveats.
    """
    lines = [
        "# Sources",
        "",
        "Generated from `data/registry/sources/*.yaml` by `workbench sources > docs/sources.md`;",
        "a test fails when this page and the registry differ. Every tidy value names its source id.",
        "",
    ]
    for source in load_sources().values():
        lines += [
            f"## `{source.source_id}`",
            "",
            f"- **Publisher:** {source.publisher}",
            f"- **Title:** {source.title}",
            f"- **Table:** {source.table_id}",
            f"- **Short citation:** {registry_citation(source)}",
            f"- **URL:** {source.url}",
            f"- **Licence:** {source.licence}" + ("" if source.licence_verified else
                                                   " (not confirmed: annexes say \"see the publisher's terms\")"),
            f"- **Accessed:** {source.access_date.isoformat()}",
            f"- **Reference dates:** {source.reference_dates}",
            f"- **Definition:** {source.definition}",
            f"- **Geography:** {source.geography}",
        ]
        if source.mirror:
            lines.append(f"- **Obtained from:** {source.mirror}")
        if source.files:
            lines.append("- **Files** (relative to the raw-data folder, SHA-256):")
            lines += [f"  - `{f.path}` — `{f.sha256}`" for f in source.files]
        if source.caveats:
            lines.append("- **Caveats:**")
            lines += [f"  - {c}" for c in source.caveats]
        if source.projected_from:
            lines.append("- **Projections, not observations:** " + "; ".join(f"{i} from {p}" for i, p in source.projected_from.items()))
        lines.append("")
    return "\n".join(lines)
