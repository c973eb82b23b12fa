"""Age band codes as readers see them: labels, order, years covered (for pyramids and their alt text).

Codes are Eurostat's and UNHCR's: 'Y15-64', 'Y65-MAX' (open), 'Y_LT15' (under 15), 'Y5-11'.
"""

from __future__ import annotations

from workbench.reference.i18n import T, render


#: How many years an open-ended age band (60+) is drawn wide when bands are of unequal width.
OPEN_BAND_YEARS = 10


def band(age: str) -> tuple[float, float | None] | None:
    """(first year, width in years) of an age code: 'Y5-11' -> (5, 7), 'Y_LT15' -> (0, 15), 'Y60-MAX' -> (60, None).

    None when the code cannot be read as years.
    """
    if "_LT" in age:
        upper = age.split("_LT")[1]
        return (0.0, float(upper)) if upper.isdigit() else None
    parts = age.replace("Y", "").split("-")
    if not parts[0].isdigit():
        return None
    if len(parts) == 1:
        return float(parts[0]), 1.0
    if parts[1] == "MAX":
        return float(parts[0]), None
    return (float(parts[0]), float(parts[1]) - float(parts[0]) + 1) if parts[1].isdigit() else None


def band_layout(order: list[str]) -> dict | None:
    """Bar centres and heights in years when the closed bands differ in width (an open band drawn
    :data:`OPEN_BAND_YEARS` wide); None when they are equal or a band cannot be read: then every
    band is drawn at equal height."""
    bands = [band(a) for a in order]
    if any(b is None for b in bands):
        return None
    widths = {w for _, w in bands if w is not None}
    if len(widths) <= 1:
        return None
    heights = [w if w is not None else float(OPEN_BAND_YEARS) for _, w in bands]
    return {"centres": [start + h / 2 for (start, _), h in zip(bands, heights)], "heights": heights}


def age_label(age: str, lang: str = "en") -> str:
    """An age band code as readers write it: 'Y15-64' -> '15-64', 'Y65-MAX' -> '65+', 'Y_LT15' -> 'under 15'."""
    if "_LT" in age:
        return render(T("under {age}", age=age.split("_LT")[1]), lang)
    return age.replace("Y", "").replace("-MAX", "+")


def age_key(age: str) -> float:
    """Sort key of an age code: its first year ('under' first, unreadable codes last)."""
    if "_LT" in age:  # 'Y_LT15': under 15
        return -1.0
    digits = age.replace("Y", "").split("-")[0]
    try:
        return float(digits)
    except ValueError:
        return 999.0
