"""Tests of maps: class breaks and legend, no-value grey, joins reported, Arabic legend, alt text, network, a new city's map."""

from __future__ import annotations

import json

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.patches import PathPatch

from workbench import paths
from workbench.analysis import area_maps
from workbench.reference import boundary_sets
from workbench.reference.boundary_sets import BoundarySet, find_boundary_set
from workbench.report import chart_print, figures, maps
from workbench.report.exhibits import redraw, table_json
from workbench.report.figure_alt import describe

DEFINITION = "Foreign-born"


@pytest.fixture
def fake_city(tmp_path, monkeypatch):
    """A boundary set added later for a city: a registry entry and a GeoJSON of three squares, nothing else."""
    features = [{"type": "Feature", "properties": {"place_id": f"XX-{k}", "name": f"Area {k}"},
                 "geometry": {"type": "Polygon", "coordinates": [[[k, 40], [k + 1, 40], [k + 1, 41], [k, 41], [k, 40]]]}}
                for k in (1, 2, 3)]
    (tmp_path / "fake_districts.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    entry = BoundarySet.model_validate({
        "boundary_id": "fake_districts", "publisher": "City of Nowhere", "title": "Districts", "table_id": "D",
        "short": {"publisher": "Nowhere", "title": "Districts"}, "url": "https://example.org", "licence": "CC BY 4.0",
        "licence_verified": True, "access_date": None, "reference_dates": "2024", "geography": "3 districts",
        "files": [{"path": "x.geojson", "sha256": "0" * 64}], "crs": "EPSG:4326", "simplify_tolerance": 0,
        "decimals": 5, "name_property": "name", "city_id": "nowhere", "geography_level": "district",
        "join": {"property": "code", "place_id": "XX-{code}", "sources": ["fake_source"]}})
    real = dict(boundary_sets.load_boundary_sets())
    monkeypatch.setattr(boundary_sets, "load_boundary_sets", lambda root=None: {**real, "fake_districts": entry})
    monkeypatch.setattr(paths, "boundaries_dir", lambda: tmp_path)
    return entry


def _table(values: dict[str, float | None]) -> pd.DataFrame:
    return pd.DataFrame({"place_id": list(values), "area": [f"Area {p[-1]}" for p in values], "share (%)": list(values.values()),
                         "definition": DEFINITION, "reference date": "2024-01-01"})


def test_class_breaks_are_rounded_quantiles_and_the_legend_gives_them_with_the_unit():
    values = pd.Series([31.2, 35.5, 40.1, 44.9, 52.3, 60.0, 38.0] * 2 + [33.0, 47.0])  # enough areas for quintiles
    edges = maps.class_breaks(values)
    assert len(values) >= maps.MIN_AREAS_FOR_QUANTILES and maps.class_rule(len(values)) is maps.CLASS_RULE
    assert edges == [31.0, 36.0, 38.0, 45.0, 52.0, 60.0]
    assert maps.class_labels(edges, "en")[0] == "31–36 %"
    assert maps.class_labels([0.3, 1.4, 10.0], "fr") == ["0,3–1,4 %", "1,4–10,0 %"]
    # a value on a break belongs to the upper class; equal values give one class
    assert maps.class_of(36.0, edges) == 1 and maps.class_of(60.0, edges) == 4
    assert len(maps.class_breaks(pd.Series([5.0, 5.0]))) == 2


def test_few_areas_get_equal_intervals_of_a_round_width():
    # issue 18 (officer review): quintiles of Barcelona's ten districts put two districts in each class
    ten = pd.Series([12.1, 15.3, 18.0, 20.5, 22.2, 25.9, 28.4, 30.1, 33.0, 37.7])
    assert maps.class_breaks(ten) == [10.0, 20.0, 30.0, 40.0]
    assert maps.class_rule(len(ten)) is maps.EQUAL_CLASS_RULE
    assert maps.class_breaks(pd.Series([0.4, 0.9, 1.3])) == [0.4, 0.6, 0.8, 1.0, 1.2, 1.4]
    # the highest value on a break opens a class of its own (a value on a break goes up)
    edges = maps.class_breaks(pd.Series([10.0, 20.0, 30.0, 40.0, 50.0]))
    assert edges[-1] > 50.0 and maps.class_of(50.0, edges) == len(edges) - 2


def test_an_area_without_a_value_is_grey_and_named_in_the_notes(fake_city):
    table = _table({"XX-1": 10.0, "XX-2": None, "XX-3": 30.0})
    fig = maps.plot_district_map(table, boundary_id="fake_districts")
    colours = [tuple(round(c, 3) for c in p.get_facecolor()[:3]) for p in fig.axes[0].patches if isinstance(p, PathPatch)]
    grey = tuple(round(c, 3) for c in plt.matplotlib.colors.to_rgb(maps.NO_DATA))
    assert colours.count(grey) == 1
    assert any("Area 2" in str(n) for n in maps.district_map_notes(table, "fake_districts"))
    plt.close("all")


def test_a_value_without_a_boundary_is_reported_not_dropped_silently(fake_city):
    table = _table({"XX-1": 10.0, "XX-2": 20.0, "XX-3": 30.0, "XX-9": 40.0})
    no_shape, no_value = maps.district_join(table, "fake_districts")
    assert no_shape == ["Area 9"] and no_value == []
    assert "Not on the map (no boundary): Area 9" in describe("district_map", table, "en", boundary_id="fake_districts")
    fig = maps.plot_district_map(table, boundary_id="fake_districts")
    assert "Area 9" in fig.legends[0].get_title().get_text()
    plt.close("all")


def test_the_alt_text_names_the_highest_and_lowest_area_with_their_shares(fake_city):
    text = describe("district_map", _table({"XX-1": 12.5, "XX-2": 20.0, "XX-3": 31.25}), "en", boundary_id="fake_districts")
    assert "highest Area 3 (31.2%), lowest Area 1 (12.5%)" in text and "1 January 2024" in text


def test_the_arabic_legend_is_laid_out_right_to_left(fake_city):
    with plt.rc_context(chart_print.style("ar")):
        fig = maps.plot_district_map(_table({"XX-1": 10.0, "XX-2": None, "XX-3": 30.0}), lang="ar", boundary_id="fake_districts")
        fig.canvas.draw()
        title = fig.legends[0].get_title().get_text()
    assert chart_print.ARABIC_LETTERS.search(title)
    if chart_print.lays_out_text():
        assert title.startswith("\u200f")
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert chart_print.ARABIC_LETTERS.search(labels[-1])  # 'no value' in Arabic
    plt.close("all")
    # every area has a value: no grey box in the legend (issue 18 officer review)
    full = maps.plot_district_map(_table({"XX-1": 10.0, "XX-2": 20.0, "XX-3": 30.0}), boundary_id="fake_districts")
    assert "no value" not in [t.get_text() for t in full.legends[0].get_texts()]
    plt.close("all")


def test_a_city_whose_boundaries_are_added_later_gets_its_map_without_code(fake_city):
    assert find_boundary_set("nowhere", "district", "fake_source").boundary_id == "fake_districts"
    assert find_boundary_set("nowhere", "district", "other_source") is None
    counts = pd.DataFrame({"source_id": "fake_source", "geography_level": "district", "place_id": ["XX-1", "XX-2", "XX-3"],
                           "place_name": ["Area 1", "Area 2", "Area 3"], "ref_date": "2024-01-01", "definition_id": "foreign_born",
                           "reference_definition_id": "native_born", "migrants": [10.0, 20.0, 30.0], "total": [100.0] * 3})
    shares = area_maps.district_shares(counts, "district")
    assert list(shares.table["share (%)"]) == [10.0, 20.0, 30.0] and shares.source_ids == ["fake_source"]
    # what the notebook keeps and the annex draws again in each language
    spec = {"name": "district_map", "data": table_json(shares.table), "options": {"boundary_id": "fake_districts"}}
    drawing = redraw(spec, "fr")
    assert drawing.png.startswith(b"\x89PNG") and "Personnes nées à l'étranger" in drawing.alt


def test_every_map_is_as_wide_as_the_text_with_no_text_under_7_pt(fake_city):
    with plt.rc_context(chart_print.style("en")):
        fig = figures.PLOTS["district_map"](_table({"XX-1": 10.0, "XX-2": 20.0, "XX-3": 30.0}), boundary_id="fake_districts")
        fig.canvas.draw()
        sizes = [t.get_fontsize() for t in fig.findobj(plt.matplotlib.text.Text) if t.get_visible() and t.get_text().strip()]
    assert abs(fig.get_size_inches()[0] - chart_print.PRINT_WIDTH_IN) < 1e-9 and min(sizes) >= chart_print.MIN_TEXT_PT
    plt.close("all")


NETWORK = pd.DataFrame([
    {"kind": "country", "place": "AUT", "share (%)": 19.3, "definition": "International migrant stock (UN DESA)", "reference date": "2020-07-01"},
    {"kind": "country", "place": "TUN", "share (%)": 0.5, "definition": "International migrant stock (UN DESA)", "reference date": "2020-07-01"},
    {"kind": "city", "place": "Vienna", "lon": 16.37, "lat": 48.21, "share (%)": 38.2, "definition": DEFINITION, "reference date": "2024-01-01"},
    {"kind": "city", "place": "Tunis", "lon": 10.18, "lat": 36.81, "share (%)": None, "definition": None, "reference date": None},
])


def test_the_network_map_draws_every_city_and_says_which_have_no_share():
    fig = maps.plot_network_map(NETWORK)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "Vienna 38.2 %" in texts and "Tunis: no share" in texts
    text = describe("network_map", NETWORK, "en")
    assert "Vienna 38.2%" in text and "Without a migrant share: Tunis" in text and "highest Austria (19.3%)" in text
    plt.close("all")


def test_a_boundary_set_is_cited_like_a_source():
    from workbench.report.exhibit_sources import source_parts

    assert source_parts(["wien_ogd_districts"]) == [("wien_ogd_districts", source_parts(["wien_ogd_districts"])[0][1])]
    assert "Stadt Wien" in str(source_parts(["wien_ogd_districts"])[0][1])


def test_a_city_point_shows_the_citys_own_figure_not_its_regions_of_the_same_date():
    import pandas as pd
    from workbench.analysis.area_maps import city_figure
    from workbench.reference.columns import REFERENCE_DATE

    latest = pd.DataFrame({"definition": ["Foreign nationals", "Foreign nationals", "Foreign-born"],
                           "geography": ["NUTS 2 region", "municipality", "greater city"],
                           REFERENCE_DATE: ["2021-04-19", "2021-04-19", "2021-01-01"], "share (%)": [8.9, 10.1, 17.3]})
    assert city_figure(latest, {"Foreign nationals": 0})["geography"] == "municipality"
    assert city_figure(latest.iloc[:0], {}) is None


def test_the_network_legend_stays_inside_the_figure_with_long_definitions():
    extra = pd.DataFrame([
        {"kind": "city", "place": f"City {i}", "lon": 2.0 + i, "lat": 41.0, "share (%)": 10.0 + i, "reference date": "2024-01-01",
         "definition": definition}
        for i, definition in enumerate(["Foreign nationals", "Nationals of a country outside Europe (UN M49 regions)", "Foreign-born"])])
    with plt.rc_context(chart_print.style("en")):
        fig = maps.plot_network_map(pd.concat([NETWORK, extra], ignore_index=True))
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        box, frame = fig.legends[0].get_window_extent(renderer), fig.bbox
    assert box.x0 >= frame.x0 - 1 and box.x1 <= frame.x1 + 1, (box, frame)
    plt.close("all")
