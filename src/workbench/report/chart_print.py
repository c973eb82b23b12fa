"""How a chart is printed: its size, its fonts, its text laid out (Arabic), its PNG and SVG files.

A chart is drawn at the size it is printed (:data:`PRINT_WIDTH_CM`, the text width of an A4 page
in the PDF and Word annexes) with no text under :data:`MIN_TEXT_PT`; it is saved as PNG at
:data:`PRINT_DPI` for print and as SVG for the web page, with the same bytes on every run.
"""

from __future__ import annotations

import io
import re
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

from workbench.reference.i18n import RTL  # noqa: E402

#: Colour palette of every chart (readable by colour-blind readers).
PALETTE = "colorblind"

#: Width of a chart as printed: the text width of an A4 page with 2 cm margins (PDF and Word).
PRINT_WIDTH_CM = 17.0
PRINT_WIDTH_IN = PRINT_WIDTH_CM / 2.54
#: The tallest chart, so a printed chart is never scaled down to fit a page (the print style
#: allows 21 cm).
MAX_HEIGHT_IN = 20.0 / 2.54
#: Smallest text of a chart at its printed size, in points.
MIN_TEXT_PT = 7.0
#: Amiri's letters are small for their point size (a Naskh face): its text is drawn this much larger.
ARABIC_FONT_SCALE = 1.2
#: Resolution of the PNG in the PDF and Word annexes.
PRINT_DPI = 200
#: Resolution of the PNG a notebook shows (the annexes draw their charts again).
SCREEN_DPI = 110

#: An Arabic letter (or presentation form).
ARABIC_LETTERS = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
#: Right-to-left mark: makes a text that starts with a Latin name read right to left.
RLM = "\u200f"


def style(lang: str = "en") -> dict:
    """The matplotlib settings every chart is drawn and saved with (use in ``plt.rc_context``).

    Text sizes are points at the printed size; the font is DejaVu Sans, or Amiri for Arabic when
    matplotlib finds it (:func:`arabic_font`, drawn :data:`ARABIC_FONT_SCALE` larger); SVG text is drawn as paths (the file needs no font)
    with fixed ids, so a chart saved twice gives the same bytes.
    """
    font = arabic_font() if lang in RTL else None
    scale = ARABIC_FONT_SCALE if font else 1.0
    return {
        **sns.axes_style("whitegrid"),
        "axes.prop_cycle": matplotlib.cycler(color=sns.color_palette(PALETTE)),
        "font.family": ["sans-serif"],
        "font.sans-serif": [font, "DejaVu Sans"] if font else ["DejaVu Sans"],
        "font.size": 8.0 * scale,
        "axes.titlesize": 8.5 * scale,
        "axes.labelsize": 8.0 * scale,
        "xtick.labelsize": 7.5 * scale,
        "ytick.labelsize": 7.5 * scale,
        "legend.fontsize": 7.5 * scale,
        "legend.title_fontsize": 8.0 * scale,
        "figure.dpi": 100,
        "svg.fonttype": "path",
        "svg.hashsalt": "workbench",
    }


@lru_cache(maxsize=1)
def arabic_font() -> str | None:
    """'Amiri' when matplotlib can use that font (Debian ``fonts-hosny-amiri``), else None (DejaVu Sans)."""
    from matplotlib import font_manager

    if not any(f.name == "Amiri" for f in font_manager.fontManager.ttflist):
        # installed after matplotlib cached its font list: add it
        for path in font_manager.findSystemFonts():
            if re.search(r"[/\\]Amiri-(Regular|Bold)\.[ot]tf$", path):
                font_manager.fontManager.addfont(path)
    return "Amiri" if any(f.name == "Amiri" for f in font_manager.fontManager.ttflist) else None


def save(fig: plt.Figure, fmt: str, dpi: int = PRINT_DPI) -> bytes:
    """A figure as PNG or SVG bytes at its own size (not cropped: the printed size stays), without dates."""
    buffer = io.BytesIO()
    metadata = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None}
    fig.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata)
    return buffer.getvalue()


def visual(text: str, lang: str) -> str:
    """A text as matplotlib must be given it to draw it right in ``lang``: every chart text goes through here.

    Arabic is shaped (joined letters) and put in right-to-left order. Matplotlib 3.11 lays out
    text with libraqm, which does both itself from the text in reading order: it gets the text
    as written, with a right-to-left mark in front so a line that starts with a Latin name still
    reads from the right, and each Latin run isolated so its quotes and brackets stay with it. Without libraqm the text is shaped with ``arabic_reshaper`` and put in
    visual order with python-bidi. Numbers and '%' keep their order either way (Unicode bidi).
    """
    if lang not in RTL or not ARABIC_LETTERS.search(text):
        return text
    if lays_out_text():
        return "\n".join(RLM + _isolated(line) for line in text.split("\n"))
    import arabic_reshaper
    from bidi import get_display

    return "\n".join(get_display(arabic_reshaper.reshape(line), base_dir="R") for line in text.split("\n"))


#: A run of Latin text inside Arabic (a name as published: "Stadt Wien 'Herkunft'", "Amman [Admin 1]"):
#: from a Latin letter up to, not across, Arabic letters or an unpaired bracket (brackets holding
#: no Arabic belong to the run); trailing spaces and separators stay out.
_LATIN_RUN = re.compile(r"[A-Za-z\u00c0-\u024f](?:[^\u0600-\u06ff()\[\]]|\([^\u0600-\u06ff()]*\)|\[[^\u0600-\u06ff\[\]]*\])*")


def _isolated(line: str) -> str:
    # each Latin run between a left-to-right isolate and its end (U+2066 ... U+2069), so its
    # closing quote or full stop stays with it instead of moving to the other side
    def isolate(match: re.Match) -> str:
        run = match.group(0)
        core = run.rstrip(" ,;:\u2014\u2013-")
        return "\u2066" + core + "\u2069" + run[len(core):]

    return _LATIN_RUN.sub(isolate, line)


def lays_out_text() -> bool:
    """Whether matplotlib shapes and orders complex (Arabic) text itself (its FreeType wrapper has libraqm)."""
    from matplotlib import ft2font

    return bool(getattr(ft2font, "__libraqm_version__", ""))


def wrapped(text, width: int = 60) -> str:
    # a long label on two or more lines, so the chart keeps its width for the values
    import textwrap

    return "\n".join(textwrap.wrap(str(text), width)) or str(text)
