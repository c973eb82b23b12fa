"""A chapter's Markdown as an annex keeps it: headings under the chapter's title, images, raw HTML.

An annex is self-contained (one HTML page, a Word file, a PDF): a chapter's image is a file of the
city's chapter folder (``data/local/chapters/<city>/images/`` or the chapter's own language folder),
linked relatively and embedded into the profile as a ``data:`` URI (:func:`embed_images`). An
image at a web address would make the PDF fail and the web page depend on another site, and a
missing file would show nothing: :func:`chapter_findings` reports both as errors with the file's
line, and raw HTML (shown nowhere: the renderer drops it) as a warning.
"""

from __future__ import annotations

import base64
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.token import Token

from workbench import paths

__all__ = ["IMAGE_TYPES", "Finding", "chapter_findings", "demote_headings", "embed_images", "find_line"]

#: Image files a chapter may show (suffix -> media type): what browsers, Word and PDF all display.
IMAGE_TYPES: dict[str, str] = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif"}
#: The first bytes of a file of each media type.
_SIGNATURES = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff", "image/gif": b"GIF8"}

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_COMMENT = re.compile(r"<!--.*?-->", re.S)


@dataclass(frozen=True)
class Finding:
    """Something in a chapter file an annex cannot keep: an error (refused) or a warning (dropped)."""

    line: int  #: 1-based line of the file
    message: str  #: what is wrong, without the file name
    error: bool
    fix: str = ""  #: how to fix it (the same for every image of a file)


@functools.cache
def _parser() -> MarkdownIt:
    # the renderer's own syntax (workbench.report.markdown), raw HTML parsed so that it can be found
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    md.validateLink = lambda url: True
    return md


def chapter_findings(text: str, file: Path) -> list[Finding]:
    """Images an annex cannot embed (errors) and raw HTML it drops (warnings), with their lines.

    Parameters
    ----------
    text
        The whole chapter file (title line and comments included, so line numbers are the file's).
    file
        The chapter file: relative images are looked up from its folder, and must lie in the
        city's chapter folder (the folder above the language folder).

    Returns
    -------
    list of Finding
        In the order of the file.
    """
    # comments are never shown: blank them, keeping their lines so that numbers stay the file's
    text = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = text.split("\n")
    findings = []
    for block in _parser().parse(text):
        start = block.map[0] if block.map else 0
        if block.type == "html_block":
            findings.append(Finding(start + 1, _html_warning(block.content), False))
        for token in block.children or []:
            if token.type == "html_inline" and not token.content.startswith("</"):
                findings.append(Finding(_line(lines, token.content, start), _html_warning(token.content), False))
            elif token.type == "image":
                src = str(token.attrGet("src") or "")
                problem = _image_problem(src, file)
                if problem:
                    findings.append(Finding(_line(lines, _written(src, lines), start), problem[0], True, problem[1]))
    return sorted(findings, key=lambda f: f.line)


def embed_images(text: str, file: Path) -> str:
    """The chapter's Markdown with each image of its city's chapter folder as a ``data:`` URI.

    Images :func:`chapter_findings` refuses are left as written (the renderer shows their
    alternative text, or a link for a web address).

    Parameters
    ----------
    text
        Chapter Markdown (e.g. :attr:`workbench.tidy.chapters.Chapter.text`).
    file
        The chapter file the text comes from.
    """
    for src, uri in _image_uris(text, file).items():
        for written in dict.fromkeys((src, unquote(src))):
            # an inline image's destination, or a reference definition's
            text = re.sub(r"(\]\(\s*<?|^ {0,3}\[[^\]]+\]:\s*<?)" + re.escape(written) + r"(?=[>\s)]|$)",
                          lambda m: m.group(1) + uri, text, flags=re.M)
    return text


def find_line(text: str, file: Path, fragment: str) -> int | None:
    """The line of a chapter file that an annex writer's error quotes: an image's address or its
    embedded ``data:`` URI (or the start of one), or any other text of the file.

    Parameters
    ----------
    text
        The whole chapter file.
    file
        The chapter file.
    fragment
        Text quoted in the error, e.g. ``data:image/png;base64,iVBOR…`` or ``https://…``.

    Returns
    -------
    int or None
        1-based line number, or None when the fragment is not from this file.
    """
    fragment = fragment.rstrip("….")
    if len(fragment) < 8:
        return None
    lines = text.replace("\r\n", "\n").split("\n")
    if fragment.startswith("data:"):
        sources = [src for src, uri in _image_uris(text, file).items() if uri.startswith(fragment) or fragment.startswith(uri)]
        if not sources:
            return None
        fragment = _written(sources[0], lines)
    for index, line in enumerate(lines):
        if fragment in line:
            return index + 1
    return None


def _image_uris(text: str, file: Path) -> dict[str, str]:
    """The ``data:`` URI of each image of the text that lies in the city's chapter folder, by address."""
    sources = {str(t.attrGet("src") or "") for block in _parser().parse(text) for t in _images(block)}
    uris = {}
    for src in sorted(sources):
        image = _local_image(src, file) if src and not _SCHEME.match(src) else None
        if image is not None and not _image_problem(src, file):
            uris[src] = f"data:{IMAGE_TYPES[image.suffix.lower()]};base64,{base64.b64encode(image.read_bytes()).decode('ascii')}"
    return uris


def _images(block: Token) -> list[Token]:
    found = []
    for token in block.children or []:
        if token.type == "image":
            found.append(token)
            found += [t for t in token.children or [] if t.type == "image"]
    return found


def _city_dir(file: Path) -> Path:
    return Path(file).resolve().parent.parent


def _local_image(src: str, file: Path) -> Path | None:
    """The image file ``src`` names, if it lies in the city's chapter folder."""
    candidate = (Path(file).parent / unquote(src.split("?")[0].split("#")[0])).resolve()
    city = _city_dir(file)
    if city not in candidate.parents:
        return None
    return candidate


def _image_problem(src: str, file: Path) -> tuple[str, str] | None:
    city = _city_dir(file).name
    fix = (f"put the image under data/local/chapters/{city}/images/ (or the chapter folder) and link it "
           f"relatively, e.g. ![map of the districts](../images/map.png)")
    if not src:
        return "an image without a file", fix
    if _SCHEME.match(src):
        if src.lower().startswith(("http:", "https:")):
            return (f"image '{_short(src)}' is a web address, which an annex cannot load (the PDF would fail and "
                    f"the web page would depend on another site)", fix)
        return f"image '{_short(src)}' is not a file of the chapter's folder", fix
    image = _local_image(src, file)
    if image is None:
        return f"image '{src}' lies outside data/local/chapters/{city}/", fix
    if not image.is_file():
        return f"image file '{src}' not found (looked for {paths.shown(image)})", fix
    kind = IMAGE_TYPES.get(image.suffix.lower())
    if kind is None:
        return f"image '{src}' is not a PNG, JPEG or GIF file", "save it as .png, .jpg or .gif"
    with image.open("rb") as handle:
        if not handle.read(8).startswith(_SIGNATURES[kind]):
            return (f"image file '{src}' is not a {kind.split('/')[1].upper()} image (its first bytes say otherwise)",
                    "save it again from an image editor as .png, .jpg or .gif")
    return None


def _short(text: str, size: int = 80) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _html_warning(content: str) -> str:
    snippet = _short(" ".join(content.split()), 60)
    return (f"raw HTML '{snippet}' is dropped from the annexes (never shown, not even as text); "
            f"write it in Markdown instead (docs/write-your-chapters.md)")


def _written(src: str, lines: list[str]) -> str:
    """How ``src`` appears in the file (the parser percent-encodes it)."""
    for form in (src, unquote(src)):
        if any(form in line for line in lines):
            return form
    return src


def _line(lines: list[str], needle: str, start: int) -> int:
    """1-based number of the first line from ``start`` holding the first line of ``needle``."""
    first = needle.split("\n")[0].strip()
    for index in range(start, len(lines)):
        if first and first in lines[index]:
            return index + 1
    return start + 1


def demote_headings(text: str, level: int) -> str:
    """The text with its headings under a chapter title of ``level``, found by a CommonMark parser.

    The highest heading level the text uses (``#``, or ``##`` when it has no ``#``) becomes
    ``level + 1`` and the others keep their distance below it (at most 6): a chapter's own
    ``## Sources`` is a sub-heading of the chapter like any other, never smaller. A setext heading
    (a line underlined with ``===`` or ``---``) at the top level becomes one ATX line, since an
    underline cannot say "level 4"; headings in code blocks are left alone.
    """
    headings = [t for t in _parser().parse(text) if t.type == "heading_open" and t.map is not None]
    if not headings:
        return text
    shift = level + 1 - min(int(t.tag[1]) for t in headings)
    lines: list[str | None] = list(text.split("\n"))
    for token in headings:
        new = min(6, int(token.tag[1]) + shift)
        first, end = token.map
        if token.markup.startswith("#"):
            # container markers ('>', '-', '1.') come before the '#' run, never inside it
            line = str(lines[first])
            at = line.index(token.markup)
            lines[first] = line[:at] + "#" * new + line[at + len(token.markup):]
        elif token.level == 0:
            words = " ".join(str(line).strip() for line in lines[first:end - 1])
            lines[first:end] = ["#" * new + " " + words] + [None] * (end - first - 1)
    return "\n".join(line for line in lines if line is not None)
