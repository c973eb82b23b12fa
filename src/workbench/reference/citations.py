"""How a profile cites what its numbers come from: a short citation under each exhibit, the full reference once.

Two kinds of source are cited. A registry entry (``data/registry/sources/<source_id>.yaml``) is
cited by its declared short form (:class:`workbench.reference.registry.ShortCitation`); its full
reference is the entry itself. A figure a local expert entered (source ``expert_figures``) is cited
by the publication it was read from: a :class:`Citation`, carried with the exhibit so an annex can
list it in full without the expert's file.
"""

from __future__ import annotations

import hashlib
import re
from workbench.reference.i18n import Date, Msg, T
from workbench.reference.registry import Source

#: Details of a title left out of its short form: '(press conference 30 Jan 2016)'.
_BRACKETED = re.compile(r"\s*\([^()]*\)")

#: The registry id of the figures local experts enter (one id for many publications).
EXPERT_SOURCE = "expert_figures"

#: What an expert citation says when the value shown is derived from the expert's figures.
COMPUTED_FROM_EXPERT = T("computed by the workbench from figures entered by the local expert")


class Citation(Msg):
    """The publication a local expert read a figure in, as a short citation message.

    The English text (and its French and Arabic renderings) is the short form for a source line,
    "publisher, title" (both without their bracketed details); the full names, the outlets it
    was read in, the URL and the reference dates of the figures cited from it (as the expert typed
    them: ``2024-11-06``, ``2021``) are kept for the full reference in an annex's list of sources.
    The dates are not part of :attr:`key`: one publication is one entry, whatever figures of it a
    table shows.
    """

    publisher: str
    title: str
    reported_via: str
    url: str
    dates: tuple[str, ...]

    def __new__(cls, publisher: str, title: str, reported_via: str = "", url: str = "", dates=()):
        short = T("{publisher}, {title}", publisher=_BRACKETED.sub("", publisher).strip() or publisher,
                  title=_BRACKETED.sub("", title).strip() or title)
        obj = super().__new__(cls, short.msgid, short.params)
        obj.publisher, obj.title, obj.reported_via, obj.url = publisher, title, reported_via, url
        obj.dates = tuple(sorted(set(dates)))
        return obj

    def __reduce__(self):
        return (Citation, (self.publisher, self.title, self.reported_via, self.url, self.dates))

    def with_dates(self, dates) -> Citation:
        """The same citation with ``dates`` added to its own."""
        return Citation(self.publisher, self.title, self.reported_via, self.url, (*self.dates, *dates))

    @property
    def key(self) -> str:
        """A stable id for anchors ('expert-' and 10 hex digits of the publication's fields)."""
        text = "\x1f".join((self.publisher, self.title, self.reported_via, self.url))
        return "expert-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]

    def fields(self) -> dict:
        """Publisher, title, outlets, URL and reference dates, as exhibit metadata carries them."""
        return {"publisher": self.publisher, "title": self.title, "reported_via": self.reported_via, "url": self.url,
                "dates": list(self.dates)}

    @classmethod
    def from_fields(cls, payload: dict) -> Citation:
        """The inverse of :meth:`fields` (metadata saved without dates gives none)."""
        return cls(**{k: str(payload.get(k) or "") for k in ("publisher", "title", "reported_via", "url")},
                   dates=tuple(str(d) for d in payload.get("dates") or ()))


def merge_citations(citations) -> list[Citation]:
    """One citation per publication (:attr:`Citation.key`), in first-seen order, with the dates of all its copies."""
    merged: dict[str, Citation] = {}
    for citation in citations:
        known = merged.get(citation.key)
        merged[citation.key] = citation if known is None else known.with_dates(citation.dates)
    return list(merged.values())


def citation_text(publisher: str, title: str, reported_via: str = "", url: str = "") -> str:
    """A figure's citation as the tidy note starts: "publisher — title; reported via OUTLET; URL" (parts present only).

    :func:`parse_citation` reads it back; the two are the only code that knows this form.
    """
    parts = [f"{publisher} — {title}"]
    if reported_via:
        parts.append(f"reported via {reported_via}")
    if url:
        parts.append(url)
    return "; ".join(parts)


def parse_citation(text: str) -> Citation | None:
    """The :class:`Citation` of a text made by :func:`citation_text` (``None`` when ``text`` is not one)."""
    if " — " not in text:
        return None
    publisher, rest = text.split(" — ", 1)
    url = ""
    head, _, last = rest.rpartition("; ")
    if head and last.startswith(("http://", "https://")):
        rest, url = head, last
    title, _, reported = rest.partition("; reported via ")
    return Citation(publisher.strip(), title.strip(), reported.strip(), url.strip())


def registry_citation(source: Source) -> Msg | str:
    """The short citation of a registry entry: 'Ayuntamiento de Madrid, Padrón municipal, 1 July 2022 (table C4210722)'."""
    short = source.short
    text: Msg | str = short.publisher
    if short.title:
        text = T("{first}, {second}", first=text, second=short.title)
    if short.date:
        text = T("{first}, {second}", first=text, second=Date(short.date) if len(short.date) > 4 else short.date)
    if short.table:
        text = T("{citation} (table {table})", citation=text, table=short.table)
    return text
