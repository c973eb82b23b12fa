"""Markdown (the notebooks', the synopsis, an expert's chapter) to HTML that can do nothing but be read."""

from __future__ import annotations

import functools
import re

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

__all__ = ["ALLOWED_SCHEMES", "clean_html", "render_markdown"]

#: URL schemes a link may use; a link to anything else (``javascript:``, ``data:``, a relative path)
#: is shown as its text.
ALLOWED_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})

#: The only images a page shows: embedded raster images (a chapter's local images, embedded by
#: :func:`workbench.tidy.chapter_content.embed_images`), so a page stays self-contained; an image at
#: a web address becomes a link to it (its alternative text), any other one its alternative text.
EMBEDDED_IMAGE = re.compile(r"data:image/(?:png|jpeg|gif);base64,[A-Za-z0-9+/=]+")

#: Raw HTML elements whose content goes with them when the element is dropped (never shown as text).
_DROPPED_WITH_CONTENT = ("script", "style", "template", "textarea", "title", "iframe", "object", "svg", "math")

#: Elements the renderer writes, with the attributes each may keep; nh3 removes everything else.
_TAGS: frozenset[str] = frozenset({
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "code", "pre", "blockquote",
    "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "s", "a", "img",
})
_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
}
_ALIGN = re.compile(r"text-align:(?:left|right|center)")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")


def render_markdown(text: str) -> str:
    """Render Markdown written by a person as inert HTML.

    Raw HTML in the text is dropped (a pasted ``<script>…</script>`` or ``<style>`` with its
    content, any other tag alone: the text between ``<b>`` and ``</b>`` stays; an HTML block
    such as ``<div>…</div>`` goes whole), never shown as typed; links whose URL scheme is not one
    of :data:`ALLOWED_SCHEMES` keep only their text; an image is shown only when embedded
    (:data:`EMBEDDED_IMAGE`), an image at a web address becomes a link to it, any other its
    alternative text; the result is cleaned by nh3 with an allow-list of elements, attributes
    and URL schemes, so no script, event handler, style or frame reaches a page even if the
    renderer let one through (:func:`clean_html`).

    Parameters
    ----------
    text
        CommonMark with tables and strikethrough.

    Returns
    -------
    str
        An HTML fragment, one block element per line.
    """
    return clean_html(_parser().render(text))


def clean_html(fragment: str) -> str:
    """Keep only the inert HTML that Markdown renders: allowed elements, attributes and URL schemes.

    Parameters
    ----------
    fragment
        HTML, e.g. from the Markdown renderer.

    Returns
    -------
    str
        The fragment without scripts, styles, frames, forms, comments, event attributes, and
        without ``href`` whose scheme is not one of :data:`ALLOWED_SCHEMES` or ``src`` that is not
        an embedded image (:data:`EMBEDDED_IMAGE`); the text of an unknown element is kept.
    """
    cleaned = nh3.clean(
        fragment,
        tags=set(_TAGS),
        attributes=_ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes=set(ALLOWED_SCHEMES) | {"data"},  # data: for embedded images only (_keep_attribute)
        link_rel=None,
        strip_comments=True,
    )
    # nh3 writes U+00A0 as an entity; the pages are UTF-8, and French typography is full of it
    return cleaned.replace("&nbsp;", "\xa0")


@functools.cache
def _parser() -> MarkdownIt:
    # raw HTML is parsed as such so that it can be dropped below (with html=False it would be shown as typed)
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    # every link is parsed, so that a refused one can be reduced to its text below instead of
    # being shown as raw Markdown; the allow-list is applied to the parsed (decoded) URL
    md.validateLink = lambda url: True
    md.core.ruler.push("refuse_links", _refuse_links)
    md.core.ruler.push("drop_html", _drop_html)
    return md


def _drop_html(state: StateCore) -> None:
    state.tokens = [t for t in state.tokens if t.type != "html_block"]
    for token in state.tokens:
        if token.type == "inline" and token.children:
            token.children = _without_html(token.children)


def _without_html(children: list[Token]) -> list[Token]:
    kept: list[Token] = []
    inside: str | None = None  # an element dropped with its content, until its closing tag
    for token in children:
        if token.type == "html_inline":
            tag = re.match(r"<(/?)([A-Za-z][A-Za-z0-9-]*)", token.content)
            if tag and inside is None and not tag.group(1) and tag.group(2).lower() in _DROPPED_WITH_CONTENT:
                inside = tag.group(2).lower()
            elif tag and inside == tag.group(2).lower() and tag.group(1):
                inside = None
        elif inside is None:
            kept.append(token)
    return kept


def _allowed(url: str | None) -> bool:
    match = _SCHEME.match(url or "")
    return bool(match) and match.group(1).lower() in ALLOWED_SCHEMES


def _embedded(url: str | None) -> bool:
    return bool(EMBEDDED_IMAGE.fullmatch(url or ""))


def _refuse_links(state: StateCore) -> None:
    for token in state.tokens:
        if token.type == "inline" and token.children:
            token.children = _without_refused(token.children)


def _without_refused(children: list[Token]) -> list[Token]:
    kept: list[Token] = []
    shown: list[bool] = []  # for each open link: whether it is kept
    for token in children:
        if token.type == "link_open":
            shown.append(_allowed(str(token.attrGet("href") or "")))
            if shown[-1]:
                kept.append(token)
        elif token.type == "link_close":
            if shown.pop():
                kept.append(token)
        elif token.type == "image" and not _embedded(str(token.attrGet("src") or "")):
            # an image that is not embedded would be fetched from elsewhere (or fail to load)
            src = str(token.attrGet("src") or "")
            alt = _without_refused(token.children or [])
            if _allowed(src) and not shown:  # a link inside a link is not one
                opening = Token("link_open", "a", 1, attrs={"href": src})
                kept.extend([opening, *alt, Token("link_close", "a", -1)])
            else:
                kept.extend(alt)
        else:
            kept.append(token)
    return kept


def _keep_attribute(element: str, attribute: str, value: str) -> str | None:
    # a table cell's only style is the alignment the renderer writes
    if attribute == "style":
        return value if _ALIGN.fullmatch(value) else None
    if attribute == "href" and not _allowed(value):
        return None
    if attribute == "src" and not (element == "img" and _embedded(value)):
        return None
    return value
