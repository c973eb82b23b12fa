"""Which sources an exhibit cites, and how its source line reads: short citations, each once.

The notebook's line is English (:func:`source_line`); an annex renders the same parts in its
language, as plain text beside its tables (:func:`annex_source_line`) or as HTML under the
exhibit, each citation linked to its numbered entry in the sources section
(:func:`annex_source_html`). The ``exhibit`` these take is a :class:`workbench.report.exhibits.Exhibit`
(not imported here: that module imports this one).
"""

from __future__ import annotations

import html

from workbench.reference.citations import COMPUTED_FROM_EXPERT, Citation, parse_citation, registry_citation
from workbench.reference.boundary_sets import load_boundary_sets
from workbench.reference.i18n import RTL, T, from_json, render, render_text
from workbench.reference.registry import load_sources
from workbench.report.bidi import isolate_latin

__all__ = ["annex_source_html", "annex_source_line", "cited_keys", "source_line", "source_lines", "source_metadata",
           "source_parts"]


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

    A boundary set's id (``data/registry/boundaries/``) is cited by its short citation too.
    Repeated sources, and registry entries that hold no table of their own (``expert_figures``,
    whose figures are cited one by one), are left out. Two publications with the same short
    citation (one census read in two outlets) are both kept: the line shows it once, the annex's
    list of sources gives both.
    """
    registry, boundaries = load_sources(), load_boundary_sets()
    parts: dict[str, tuple[str, str]] = {}
    for item in items:
        if isinstance(item, Citation):
            key, text = item.key, item
        elif item in registry:
            if registry[item].reader is None:
                continue
            key, text = item, registry_citation(registry[item])
        elif item in boundaries:  # the boundary set a map is drawn from, cited like a source
            key, text = item, registry_citation(boundaries[item])
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


#: The longest source line (characters of its short citations) before an exhibit's sources are
#: named by publisher with the numbers of their entries in the sources section.
SOURCE_LINE_LIMIT = 280
#: How a source line that names publishers refers to the publications local experts quoted.
EXPERT_PUBLICATIONS = T("publications quoted by local experts")
#: Between the citations of a source line, where the language has its own semicolon.
SEPARATOR = {"ar": "\u061b ", "fr": "\u202f; "}


def cited_keys(exhibit) -> list[str]:
    """What each part of the exhibit's source line cites: a registry id, a citation's key, or ''
    (all '' when the exhibit was built without keys)."""
    keys = exhibit.source_keys
    return keys if len(keys) == len(exhibit.sources) else [""] * len(exhibit.sources)


def _shown(exhibit, lang: str) -> dict[str, str]:
    # each part as shown in ``lang``, once, with the first key it cites
    parts: dict[str, str] = {}
    for key, text in zip(cited_keys(exhibit), exhibit.sources):
        parts.setdefault(render_text(text, lang, exhibit.where), key)
    return parts


def _sentence(line: str, lang: str) -> tuple[str, str]:
    # the words of "Source: {lines}." in ``lang`` around the line
    before, _, after = render(T("Source: {lines}", lines="\x00"), lang).partition("\x00")
    return before, after + ("" if line.endswith(".") or after.endswith(".") else ".")


def annex_source_line(exhibit, lang: str) -> str:
    """The source line under an exhibit as plain text ("Source: …."), in ``lang``: its short
    citations, each once (the tables beside an annex carry it; empty when it cites nothing)."""
    if not exhibit.sources:
        return ""
    line = SEPARATOR.get(lang, "; ").join(_shown(exhibit, lang))
    before, after = _sentence(line, lang)
    return f"{before}{line}{after}"


def annex_source_html(exhibit, lang: str, numbers: dict[str, int]) -> str:
    """The source line under an exhibit in an annex page: its short citations, each linked to its
    entry (``numbers``: key -> entry number in the sources section) and isolated (``<bdi>``; in a
    right-to-left annex each Latin run: a Latin name keeps its order in an Arabic line); over :data:`SOURCE_LINE_LIMIT` characters, each
    publisher once with the numbers of its entries. Empty when the exhibit cites nothing."""
    if not exhibit.sources:
        return ""
    parts = _shown(exhibit, lang)
    if sum(len(t) + 2 for t in parts) > SOURCE_LINE_LIMIT:
        line = _grouped(exhibit, lang, numbers)
    else:
        shown = {text: isolate_latin(text) if lang in RTL else f"<bdi>{html.escape(text)}</bdi>" for text in parts}
        line = SEPARATOR.get(lang, "; ").join(
            f'<a class="wb-cite" href="#source-{html.escape(key)}">{shown[text]}</a>' if key in numbers
            else shown[text] for text, key in parts.items())
    before, after = _sentence(line, lang)
    return f'<p class="wb-source">{html.escape(before)}{line}{html.escape(after)}</p>'


def _grouped(exhibit, lang: str, numbers: dict[str, int]) -> str:
    # many sources: each registry publisher once, and the expert's publications together, with
    # the numbers of their entries in the sources section (runs of three or more as a range)
    registry, boundaries = load_sources(), load_boundary_sets()
    groups: dict[str, list[str]] = {}
    for key, text in zip(cited_keys(exhibit), exhibit.sources):
        if isinstance(text, Citation):
            publisher = render(EXPERT_PUBLICATIONS, lang)
        elif key in registry:
            publisher = registry[key].short.publisher
        elif key in boundaries:
            publisher = boundaries[key].short.publisher
        else:
            publisher = render_text(text, lang, exhibit.where)
        refs = groups.setdefault(publisher, [])
        if key in numbers and key not in refs:
            refs.append(key)
    out = []
    for publisher, keys in groups.items():
        name = f"<bdi>{html.escape(publisher)}</bdi>"
        out.append(f"{name} [{_numbers(sorted(keys, key=numbers.get), numbers)}]" if keys else name)
    return SEPARATOR.get(lang, "; ").join(out)


def _numbers(keys: list[str], numbers: dict[str, int]) -> str:
    # "2, 7–11, 13": each number linked to its entry, a run of three or more as first–last
    def link(key: str) -> str:
        return f'<a class="wb-cite" href="#source-{html.escape(key)}">{numbers[key]}</a>'

    runs: list[list[str]] = []
    for key in keys:
        if runs and numbers[key] == numbers[runs[-1][-1]] + 1:
            runs[-1].append(key)
        else:
            runs.append([key])
    return ", ".join(f"{link(run[0])}\u2013{link(run[-1])}" if len(run) >= 3 else ", ".join(link(k) for k in run)
                     for run in runs)
