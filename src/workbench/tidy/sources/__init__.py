"""Readers of official source formats: one module per publisher family.

Every module exposes ``build(source_id, files, cities) -> pandas.DataFrame`` returning tidy rows
(see :mod:`workbench.tidy.schemas`) for one registered source, built in two visible steps: a faithful
``read_*`` reshape of the official layout, then a ``harmonise_*`` step holding the judgement.
"""
