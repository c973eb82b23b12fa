"""Latin words inside right-to-left text: each run isolated (``<bdi>``), the Arabic left in the flow.

A cell or citation of an Arabic annex often mixes scripts: "Ayuntamiento de Madrid، Padrón
municipal، 1 يوليو 2022 (الجدول C4210722)". Isolating the whole text gives it the direction of its
first letter, so its Arabic parts are laid out left to right; isolating each Latin run keeps every
run in its own order and the whole in the order of the Arabic sentence.
"""

from __future__ import annotations

import html
import re

#: A run of Latin text: from a Latin letter up to the next Arabic letter or Arabic punctuation.
_RUN = re.compile(r"[A-Za-z\u00C0-\u024F][^\u0600-\u06FF]*")
#: What a run does not keep at its end: spaces and punctuation that belong to the sentence around it.
_TRAILING = " \t,.;:(\u060C\u061B\u00A0\u202F"


def isolate_latin(text: str) -> str:
    """``text`` as HTML (escaped) with each Latin run in a ``<bdi>``; unchanged (escaped) without one.

    A run ends before an Arabic letter or Arabic comma/semicolon and gives back the spaces and
    punctuation at its end, and a closing parenthesis it did not open.
    """
    out, last = [], 0
    for match in _RUN.finditer(text):
        run = _trimmed(match.group())
        start, end = match.start(), match.start() + len(run)
        out.append(html.escape(text[last:start]))
        out.append(f"<bdi>{html.escape(run)}</bdi>")
        last = end
    out.append(html.escape(text[last:]))
    return "".join(out)


def _trimmed(run: str) -> str:
    while run:
        if run[-1] in _TRAILING:
            run = run[:-1]
        elif run[-1] in ")]" and run.count("(" if run[-1] == ")" else "[") < run.count(run[-1]):
            run = run[:-1]
        else:
            break
    return run
