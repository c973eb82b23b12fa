"""Tests of the declared indicator framework: its items reference registered ids and cover every theme."""

from __future__ import annotations

from workbench.reference.framework import THEMES, load_framework
from workbench.reference.registry import load_definitions, load_indicators, load_sources


def test_framework_items_reference_registered_ids_and_cover_every_theme():
    items = load_framework()
    assert 30 <= len(items) <= 40
    assert {i.theme for i in items} == set(THEMES)
    sources, indicators, definitions = load_sources(), load_indicators(), load_definitions()
    for item in items:
        assert set(item.sources) <= set(sources), item.id
        assert item.frameworks, f"{item.id}: map it to at least one international framework"
        if item.measure:
            assert set(item.measure.indicator) <= set(indicators), item.id
            assert set(item.measure.definitions) <= set(definitions), item.id
