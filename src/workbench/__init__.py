"""City Migration Profiles workbench: official statistics to tidy indicators, papermill notebooks and annexes.

The package is layered; ``docs/architecture.md`` draws the layers and says where each kind of change goes.
"""
