"""Tests of exhibits (numbered tables and figures) and number formats."""

from __future__ import annotations

import base64
import json

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from workbench.errors import DataError
from workbench.reference.i18n import T
from workbench.report.exhibit_sources import source_lines
from workbench.report.exhibits import INDEX_NAME, Exhibit, Report, flag_notes, read_saved
from workbench.reference.formats import format_number, format_table


def test_report_numbers_tables_and_figures_separately(tmp_path):
    report = Report()
    report.table(pd.DataFrame({"a": [1.0]}), "First", ["eurostat_urb_cpop1"])
    fig, _ = plt.subplots()
    report.figure(fig, "A chart", ["eurostat_urb_cpop1"])
    report.table(pd.DataFrame({"a": [2.0], "flag": ["be"]}), "Second")
    labels = [e.label for e in report.exhibits]
    assert labels == ["Table 1", "Figure 1", "Table 2"]
    assert "flag 'b': break in series" in report.exhibits[2].notes
    written = report.save(tmp_path)
    index = json.loads((tmp_path / "exhibits.json").read_text(encoding="utf-8"))
    assert [e["label"] for e in index] == labels
    assert len(written) == 3


def test_exhibit_from_metadata_is_the_inverse_of_metadata():
    report = Report()
    report.table(pd.DataFrame({"city": ["Madrid"], "persons": [12.0]}), T("Migrants in {city}", city="Madrid"),
                 ["eurostat_urb_cpop1"], notes=[T("No data.")])
    fig, _ = plt.subplots()
    report.figure(fig, "A chart", ["eurostat_urb_cpop1"])
    for exhibit in report.exhibits:
        png = base64.b64encode(exhibit.png).decode("ascii") if exhibit.png else None
        back = Exhibit.from_metadata(json.loads(json.dumps(exhibit.metadata())), png, where="profile.ipynb")
        assert back.metadata() == exhibit.metadata() and back.png == exhibit.png and back.where == "profile.ipynb"


def test_exhibit_from_metadata_refuses_a_table_without_values():
    meta = Report()._add("table", "Old", [], [], [], table=pd.DataFrame({"a": [1]})).metadata()
    meta["table"] = None
    with pytest.raises(DataError, match="profile.ipynb, Table 1: the exhibit carries no table values"):
        Exhibit.from_metadata(meta, where="profile.ipynb, Table 1")


def test_exhibit_text_and_html_carry_caption_and_source():
    report = Report()
    report.table(pd.DataFrame({"persons": [1234567.0], "share (%)": [12.345]}), "Caption <x>", ["eurostat_urb_cpop1"])
    exhibit = report.exhibits[0]
    text = exhibit.to_text()
    assert "Table 1. Caption <x>" in text and "1,234,567" in text and "12.3" in text
    assert text.count("Source: Eurostat") == 1
    assert "Caption &lt;x&gt;" in exhibit.to_html()
    data, meta = exhibit._repr_mimebundle_()
    assert meta["workbench"]["label"] == "Table 1" and "image/png" not in data


def test_source_lines_use_registry_and_keep_unknown_ids():
    lines = source_lines(["eurostat_urb_cpop1", "eurostat_urb_cpop1", "someone else"])
    assert len(lines) == 2 and lines[0].startswith("Eurostat") and lines[1] == "someone else"


def test_flag_notes_explain_each_letter_once():
    assert flag_notes(pd.Series(["b", "be", ""])) == ["flag 'b': break in series", "flag 'e': estimated"]


def test_format_number_and_table():
    assert format_number(1234.56) == "1,235"
    assert format_number(12.345, "percent") == "12.3"
    assert format_number(float("nan")) == ""
    out = format_table(pd.DataFrame({"value": [5.0, 12.25], "unit": ["persons", "percent"]}))
    assert out["value"].tolist() == ["5", "12.2"]


def test_indices_between_zero_and_one_keep_their_decimals():
    out = format_table(pd.DataFrame({"dissimilarity D": [0.156072], "Simpson diversity": [0.878954], "effective number of origins": [8.26]}))
    assert out.iloc[0].tolist() == ["0.156", "0.879", "8.3"]


def test_read_saved_gives_back_the_saved_tables_and_names_a_broken_index(tmp_path):
    report = Report()
    report.table(pd.DataFrame({"place": ["Madrid"], "persons": [380_000.0]}), "Migrants")
    report.save(tmp_path)
    (exhibit,) = read_saved(tmp_path)
    assert exhibit.table["persons"].tolist() == [380_000.0] and exhibit.slug == report.exhibits[0].slug
    assert read_saved(tmp_path / "nothing") is None
    (tmp_path / INDEX_NAME).write_text("[{}]", encoding="utf-8")
    with pytest.raises(DataError, match=f"{INDEX_NAME}: not an index of saved exhibits"):
        read_saved(tmp_path)


def test_a_flag_the_exhibit_notes_explain_is_not_explained_again():
    import pandas as pd
    from workbench.reference.i18n import T
    from workbench.report.exhibits import Report

    report = Report()
    table = pd.DataFrame({"rate": [1.0, 2.0], "flag": ["d", "b"]})
    report.table(table, "Sources", [], [T("Flag d: definition differs from the EU standard (see Eurostat's metadata for the country).")])
    notes = [str(n) for n in report.exhibits[0].notes]
    assert sum(n.lower().startswith("flag d") or n.startswith("flag 'd'") for n in notes) == 1
    assert any(n.startswith("flag 'b'") for n in notes)
