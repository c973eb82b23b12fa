"""Tests of charts: the chart type the data allows, the printed size, Arabic text, SVG, alt text."""

from __future__ import annotations

import io
import re
import unicodedata

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.text import Text

from workbench.reference.i18n import T
from workbench.report import annex_html, chart_print, figures
from workbench.report.exhibits import Exhibit, redraw, table_json
from workbench.report.figure_alt import describe


def _shares(dates_by_series: dict) -> pd.DataFrame:
    rows = [{"place": place, "geography": "city", "definition": definition, "reference date": date, "persons": 10.0,
             "share of population (%)": 10.0 + k, "source": "s", "flag": "", "notes": ""}
            for (definition, place), dates in dates_by_series.items() for k, date in enumerate(dates)]
    return pd.DataFrame(rows)


ORIGINS = pd.DataFrame({"rank": [1, 2, 3, 4], "origin": ["Morocco", "Peru", "Romania", "China"],
                        "persons": [5200.0, 3100.0, 2500.0, 900.0], "share of the group (%)": [44.0, 26.0, 21.0, 9.0]})
AGES = pd.DataFrame({"group": "refugees", "age": ["Y0-4", "Y5-11", "Y12-17", "Y18-59", "Y60-MAX"] * 2,
                     "sex": ["female"] * 5 + ["male"] * 5, "persons": [10.0, 14.0, 9.0, 42.0, 4.0] * 2})
INDEX = pd.DataFrame({"year": [2022, 2022], "D": [0.168, 0.207], "geography_level": ["district", "neighbourhood"]})
SAMPLES = {
    "migrant_shares": (_shares({("foreign-born", "A"): ["2011-01-01", "2015-01-01", "2021-01-01"]}), {}),
    "origins": (ORIGINS, {}),
    "pyramid": (AGES, {}),
    "lines": (pd.DataFrame({"year": [2019, 2020, 2021], "persons": [5.0, 6.0, 7.0], "group": "refugees"}),
              {"x": "year", "y": "persons", "hue": "group", "ylabel": T("persons")}),
    "index": (INDEX, {"x": "year", "y": "D", "series": "geography_level", "label": T("dissimilarity index D (0-1)")}),
    "share_by_definition": (pd.DataFrame({"city": ["A", "B"], "definition": "foreign-born", "geography": "city",
                                          "share (%)": [12.0, 30.0], "reference date": ["2021-01-01", "2021-01-01"]}), {}),
    "intervals": (pd.DataFrame({"item": ["good place for migrants", "safe at night"], "share (%)": [60.0, 80.0],
                                "95% CI low": [55.0, 76.0], "95% CI high": [65.0, 84.0]}), {}),
    "district_map": (pd.DataFrame({"place_id": ["AT-90100", "AT-90200", "AT-91000"], "area": ["Innere Stadt", "Leopoldstadt", "Favoriten"],
                                   "share (%)": [35.0, 42.0, 48.0], "definition": "Foreign-born", "reference date": "2024-01-01"}),
                     {"boundary_id": "wien_ogd_districts"}),
    "network_map": (pd.DataFrame([{"kind": "country", "place": "ESP", "share (%)": 14.6, "definition": "Foreign-born",
                                   "reference date": "2020-07-01"},
                                  {"kind": "city", "place": "Madrid", "lon": -3.7, "lat": 40.42, "share (%)": 16.5,
                                   "definition": "Foreign-born", "reference date": "2022-01-01"}]), {}),
}


# the chart type the data allows ---------------------------------------------------------------


def test_a_series_is_a_line_only_with_three_dates_each_once():
    assert figures.joins_points(pd.Series([2019, 2020, 2021]))
    assert not figures.joins_points(pd.Series([2020, 2021]))
    # two points on one date are two things (district and barrio): never joined
    assert not figures.joins_points(pd.Series([2020, 2020, 2021, 2022]))


def _joined(ax) -> list:
    return [line for line in ax.get_lines() if line.get_linestyle() not in ("None", "none") and len(line.get_xdata()) > 1]


def test_two_dates_are_drawn_as_dots_and_a_trend_as_a_line():
    data = _shares({("foreign-born", "A"): ["2011-01-01", "2021-01-01"],
                    ("foreign nationals", "A"): ["2011-01-01", "2016-01-01", "2021-01-01"]})
    ax = figures.plot_migrant_shares(data).axes[0]
    joined = _joined(ax)
    assert len(joined) == 1 and len(joined[0].get_xdata()) == 3
    plt.close("all")


def test_values_of_two_areas_on_one_date_are_never_joined():
    # issue 17 review: Madrid's district and barrio values of 2022 were joined by a vertical line
    data = pd.DataFrame({"year": [2022, 2022], "D": [0.168, 0.207], "series": "dissimilarity index"})
    ax = figures.plot_lines(data, x="year", y="D", hue="series", ylabel=T("persons")).axes[0]
    assert _joined(ax) == [] and sorted(v for line in ax.get_lines() for v in line.get_ydata()) == [0.168, 0.207]
    assert [int(t) for t in ax.get_xticks()] == [2022]
    plt.close("all")


def test_an_index_is_a_dot_plot_on_its_whole_scale_one_series_per_area_level():
    # issue 17 review: Vienna's axis ran 0.125-0.156 and made a fall of 3 points look dramatic
    years = list(range(2002, 2023))
    data = pd.DataFrame({"year": years, "D": [0.156 - 0.0015 * k for k in range(len(years))], "geography_level": "district"})
    ax = figures.plot_index(data, x="year", y="D", series="geography_level", label=T("dissimilarity index D (0-1)")).axes[0]
    assert ax.get_ylim() == (0.0, 1.0) and _joined(ax) == []
    ax = figures.plot_index(INDEX, x="year", y="D", series="geography_level", label=T("dissimilarity index D (0-1)")).axes[0]
    assert [len(line.get_xdata()) for line in ax.get_lines()] == [1, 1]
    plt.close("all")


def test_bars_start_at_zero():
    assert figures.plot_origins(ORIGINS.assign(persons=[5200.0, 5100.0, 5050.0, 5000.0])).axes[0].get_xlim()[0] == 0
    data, _ = SAMPLES["share_by_definition"]
    assert figures.plot_share_by_definition(data.assign(**{"share (%)": [29.0, 30.0]})).axes[0].get_xlim()[0] == 0
    plt.close("all")


def test_unequal_age_bands_are_still_drawn_by_width():
    ax = figures.plot_pyramid(AGES).axes[0]
    assert sorted(round(p.get_height()) for p in ax.patches if p.get_width() > 0) == [5, 6, 7, figures.OPEN_BAND_YEARS, 42]
    plt.close("all")


# printed size -----------------------------------------------------------------------------------


def _drawn_texts(fig) -> list[Text]:
    fig.canvas.draw()
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


@pytest.mark.parametrize("name", sorted(figures.PLOTS))
def test_every_chart_is_as_wide_as_the_printed_text_and_no_text_is_under_7_pt(name):
    data, options = SAMPLES[name]
    with plt.rc_context(chart_print.style("en")):
        fig = figures.PLOTS[name](data, **options)
        texts = _drawn_texts(fig)
        png = chart_print.save(fig, "png")
    assert abs(fig.get_size_inches()[0] - chart_print.PRINT_WIDTH_CM / 2.54) < 1e-9
    assert texts and min(t.get_fontsize() for t in texts) >= chart_print.MIN_TEXT_PT
    from PIL import Image

    assert abs(Image.open(io.BytesIO(png)).size[0] - chart_print.PRINT_WIDTH_IN * chart_print.PRINT_DPI) <= 1
    plt.close("all")


def test_the_svg_is_self_contained_and_the_same_on_every_run():
    data, options = SAMPLES["lines"]
    first = figures.draw("lines", data, "en", **options)
    second = figures.draw("lines", data, "en", **options)
    assert first == second
    svg = first["svg"].decode("utf-8")
    assert "<text" not in svg and "<dc:date>" not in svg and "href=\"http" not in svg and "<image" not in svg


# Arabic -----------------------------------------------------------------------------------------


def _glyphs_left_to_right(text: Text) -> list[int]:
    # the glyphs matplotlib draws for a text artist, from left to right
    from matplotlib import _text_helpers
    from matplotlib.font_manager import findfont, get_font

    font = get_font(findfont(text.get_fontproperties()))
    font.set_size(text.get_fontsize(), 72)
    items = [i for i in _text_helpers.layout(text.get_text(), font) if i.char != "\u200f"]
    return [(i.glyph_index, i.char) for i in sorted(items, key=lambda i: i.x)], font


def _acceptable(font, form: str) -> set[int]:
    # the glyph of a presentation form; an isolated form may also be drawn with the letter's own glyph
    glyphs = {font.get_char_index(ord(form))}
    if unicodedata.decomposition(form).startswith("<isolated>"):
        glyphs.add(font.get_char_index(ord(unicodedata.normalize("NFKC", form))))
    return glyphs


def test_arabic_chart_text_is_drawn_joined_and_right_to_left():
    # issue 17 review: "أشخاص" printed as "صاخشأ" (reversed, letters not joined)
    import arabic_reshaper
    from bidi import get_display

    word = "أشخاص"
    with plt.rc_context(chart_print.style("ar")):
        fig = figures.plot_pyramid(AGES.assign(group=word), lang="ar")
        texts = [t for t in _drawn_texts(fig) if word in t.get_text()]
    assert texts
    drawn, font = _glyphs_left_to_right(texts[0])
    expected = get_display(arabic_reshaper.reshape(word))  # presentation forms, in visual order
    assert len(drawn) == len(expected)
    assert all(glyph in _acceptable(font, form) for (glyph, _), form in zip(drawn, expected))
    assert [glyph for glyph, _ in drawn] != [font.get_char_index(ord(c)) for c in "صاخشأ"]
    plt.close("all")


def test_every_arabic_text_of_a_chart_goes_through_one_helper():
    data, options = SAMPLES["index"]
    with plt.rc_context(chart_print.style("ar")):
        fig = figures.plot_index(data, lang="ar", **options)
        arabic = [t.get_text() for t in _drawn_texts(fig) if chart_print.ARABIC_LETTERS.search(t.get_text())]
    if chart_print.lays_out_text():  # each line marked right to left by the helper
        assert arabic and all(line.startswith("\u200f") for text in arabic for line in text.split("\n"))
    else:  # shaped by the helper: presentation forms only
        assert arabic and not any(re.search("[\u0600-\u06ff]", text) for text in arabic)
    assert chart_print.visual("Amman (مدينة) 12.5 %", "en") == "Amman (مدينة) 12.5 %"
    plt.close("all")


def test_a_latin_name_in_arabic_keeps_its_quotes_and_brackets():
    # "(Stadt Wien 'Herkunft')" printed as "('Stadt Wien 'Herkunft" in the network's Arabic chart
    assert chart_print.visual("ذوو الأصل الأجنبي (Stadt Wien 'Herkunft')", "ar").endswith("(\u2066Stadt Wien 'Herkunft'\u2069)")
    assert "\u2066Amman [Admin 1]\u2069 — " in chart_print.visual("Amman [Admin 1] — طالبو اللجوء", "ar")


# alt text ---------------------------------------------------------------------------------------


def test_alt_text_names_the_largest_bars_and_their_values():
    assert describe("origins", ORIGINS, "en") == "Largest origins (persons): Morocco 5,200; Peru 3,100; Romania 2,500; and 1 more."
    assert "5\u202f200" in describe("origins", ORIGINS, "fr")


def test_alt_text_gives_the_first_and_last_point_of_each_series():
    data, options = SAMPLES["lines"]
    assert describe("lines", data, "en", **options) == "refugees: 5 in 2019, 7 in 2021."
    data, options = SAMPLES["index"]
    assert describe("index", data, "en", **options) == ("On a scale from 0 to 1: district: 0.168 in 2022; "
                                                        "neighbourhood: 0.207 in 2022.")


def test_alt_text_of_two_values_on_one_date_names_both_once_and_separates_as_the_language_does():
    data = _shares({("foreign-born", "A"): ["2021-01-01", "2021-01-01"], ("foreign nationals", "A"): ["2021-01-01"]})
    text = describe("migrant_shares", data.assign(**{"share of population (%)": [24.2, 24.2, 16.5]}), "en")
    assert text.endswith("foreign nationals — A: 16.5 in 2021; foreign-born — A: 24.2 in 2021.")
    assert "؛ " in describe("origins", ORIGINS, "ar") and "\u202f; " in describe("origins", ORIGINS, "fr")


def test_alt_text_of_a_panel_with_one_city_names_it_once():
    data, _ = SAMPLES["share_by_definition"]
    assert describe("share_by_definition", data.iloc[:1], "en") == "foreign-born: A (12.0%)."


@pytest.mark.parametrize("name", sorted(figures.PLOTS))
def test_every_chart_has_an_alt_text_in_each_language(name):
    data, options = SAMPLES[name]
    for lang in ("en", "fr", "ar"):
        assert describe(name, data, lang, **options)


def test_the_annex_page_shows_svg_on_the_web_and_png_for_print_with_the_alt_text():
    data, options = SAMPLES["origins"]
    spec = {"name": "origins", "data": table_json(data), "options": options}
    exhibit = Exhibit(kind="figure", number=1, caption="Largest origins", sources=[], png=b"\x89PNG", plot=spec)
    exhibit.annex_number = "A.1"
    web, _ = annex_html._exhibit_html(exhibit, "Figure A.1", 0, "en", "svg")
    printed, _ = annex_html._exhibit_html(exhibit, "Figure A.1", 0, "en", "png")
    assert "data:image/svg+xml;base64," in web and "data:image/png;base64," in printed
    alt = describe("origins", data, "en")
    assert f'alt="{alt}"' in web and f'alt="{alt}"' in printed
    assert redraw(spec, "en") is redraw(spec, "en")  # drawn once per language


def test_countries_of_origin_in_charts_are_named_in_the_annex_language():
    from workbench.report.figures import origin_label

    assert origin_label("Syrian Arab Rep.", "fr") == "Syrie" and origin_label("Syria", "ar") == "سوريا"
    assert origin_label("Other", "en") == "Other"
