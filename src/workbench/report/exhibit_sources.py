"""Which sources an exhibit cites, and how its source line reads: short citations, each once."""

from __future__ import annotations

from workbench.reference.citations import COMPUTED_FROM_EXPERT, Citation, parse_citation, registry_citation
from workbench.reference.i18n import from_json
from workbench.reference.registry import load_sources

__all__ = ["source_line", "source_lines", "source_metadata", "source_parts"]


def _message(value):
    return from_json(value) if isinstance(value, dict) else value


def source_lines(source_ids: list[str]) -> list[str]:
    """The short citation of each source, in first-seen order (the parts of an exhibit's source line).

    Registry ids give their declared short form (:func:`workbench.reference.citations.registry_citation`),
    an expert figure's :class:`~workbench.reference.citations.Citation` its own; other text
    (a computation, 'every source of the workbench') is kept as given.
    """
    return [text for _, text in source_parts(source_ids)]


def source_parts(items: list[str]) -> list[tuple[str, str]]:
    """Each source's short citation with what it cites: a registry id, a citation's key or '' (text).

    Repeated sources, and registry entries that hold no table of their own (``expert_figures``,
    whose figures are cited one by one), are left out. Two publications with the same short
    citation (one census read in two outlets) are both kept: the line shows it once, the annex's
    list of sources gives both.
    """
    registry = load_sources()
    parts: dict[str, tuple[str, str]] = {}
    for item in items:
        if isinstance(item, Citation):
            key, text = item.key, item
        elif item in registry:
            if registry[item].reader is None:
                continue
            key, text = item, registry_citation(registry[item])
        else:
            key, text = "", item
        parts.setdefault(key or str(text), (key, text))
    return list(parts.values())


def source_line(parts: list[str]) -> str:
    """'Source: A; B.', each short citation once (English; an annex renders the parts in its language)."""
    line = "; ".join(dict.fromkeys(str(p) for p in parts))
    return f"Source: {line}" + ("" if line.endswith(".") else ".")


#: The source-line part of an expert figure in exhibits saved before citations were carried apart.
_LEGACY_EXPERT = "Local expert figure: {citation}"
_LEGACY_REGISTRY = "{publisher}, {title} ({table_id}); licence {licence}"


def source_metadata(meta: dict) -> tuple[list[str], list[str], list[Citation], list[str]]:
    """The source parts, registry ids, citations and keys of an exhibit's saved metadata.

    Exhibits saved by an earlier workbench carried full source lines and rendered expert
    citations: those are cited again from what they hold.
    """
    if "source_keys" in meta:
        citations = [Citation.from_fields(c) for c in meta.get("citations", [])]
        by_key = {c.key: c for c in citations}
        keys = list(meta["source_keys"])
        texts = [_message(s) for s in meta.get("sources_i18n", meta["sources"])]
        sources = [by_key.get(k, text) for k, text in zip(keys, texts)]
        return sources, list(meta.get("source_ids", [])), citations, keys
    # saved by an earlier workbench: full lines and rendered expert citations, cited again here
    legacy = [s for s in meta.get("sources_i18n", meta["sources"])]
    ids = list(meta.get("source_ids", []))
    items: list[str] = []
    for item in ids:
        if item.startswith("Local expert figure: "):
            items.append(parse_citation(item.removeprefix("Local expert figure: ")) or COMPUTED_FROM_EXPERT)
        else:
            items.append(item)
    for line in legacy:
        if isinstance(line, dict) and line.get("msgid") == _LEGACY_EXPERT:
            cited = str(line.get("params", {}).get("citation", ""))
            items.append(parse_citation(cited) or COMPUTED_FROM_EXPERT)
        elif not (isinstance(line, dict) and line.get("msgid") == _LEGACY_REGISTRY) and line not in ids:
            items.append(_message(line))
    parts = source_parts(items)
    registry = load_sources()
    return ([text for _, text in parts], [k for k, _ in parts if k in registry],
            [text for _, text in parts if isinstance(text, Citation)], [k for k, _ in parts])
