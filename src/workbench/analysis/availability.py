"""For one city, which indicators of the framework do the public data cover, and in which years?

The matrix is computed from the tidy rows with the framework's own matching rules (see
:mod:`workbench.analysis.framework_values`), never typed by hand.
"""

from __future__ import annotations

import pandas as pd

from workbench.analysis.framework_values import REGION, item_rows
from workbench.errors import ClaimError
from workbench.reference.framework import THEME_LABELS, Item
from workbench.reference.i18n import Msg, T
from workbench.analysis.indicators import published
from workbench.reference.labels import SUB_CITY

#: Cell marks and what they mean (shown under the table).
MARKS = {
    "C": T("the city's own area (municipality, greater city, governorate ... as in the city's geography)"),
    "D": T("by district or neighbourhood of the city"),
    "R": T("the region around the city only (NUTS 2 region: not the city's own figure)"),
    "N": T("country level only"),
}
#: The cell of an item no public statistic covers (equal to the plain text once saved and read back).
EXPERT = T("expert input")


def city_matrix(
    local: pd.DataFrame,
    national: pd.DataFrame,
    items: list[Item],
    first_year: int = 2010,
    regional: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Indicator × year availability for one city.

    Parameters
    ----------
    local, national
        The city's and its country's rows (published and computed).
    items
        The framework (:func:`workbench.reference.framework.load_framework`).
    first_year
        Years before it are counted in one column 'before {first_year}'.
    regional
        The rows of the region around the city (:attr:`workbench.tidy.catalog.CityData.regional`),
        marked R for items of level 'any'; none when ``None``.

    Returns
    -------
    pandas.DataFrame
        Columns: theme, indicator, 'before {first_year}', then one column per year up to the
        latest year with data; cells hold :data:`MARKS` letters (best level first), or
        :data:`EXPERT` in the first column for items no public statistic covers.
    """
    parts = [local, national] if regional is None or regional.empty else [local, national, regional]
    every = pd.concat(parts, ignore_index=True)
    frame = published(every)
    years = every["period"].str[:4].astype(int)
    last_year = int(years.max()) if len(years) else first_year
    year_columns = [str(y) for y in range(first_year, last_year + 1)]
    early = f"before {first_year}"
    rows = []
    for item in items:
        row = {"theme": THEME_LABELS[item.theme], "indicator": item.label, early: ""}
        row.update({y: "" for y in year_columns})
        if item.measure is None:
            row[early] = EXPERT
            rows.append(row)
            continue
        found = frame[item_rows(frame, item)]
        if found.empty:
            # an item only the workbench computes from published series (remittances as % of GDP)
            found = every[item_rows(every, item)]
        if item.measure.level == "country":
            found = found[found["geography_level"] == "country"]
        elif item.measure.level == "district":
            found = found[found["geography_level"].isin(SUB_CITY)]
        elif item.measure.level == "city":
            found = found[~found["geography_level"].isin(("country", REGION))]
        marks = found.assign(year=found["period"].str[:4].astype(int), mark=found["geography_level"].map(_mark))
        for year, group in marks.groupby("year"):
            cell = "".join(m for m in MARKS if m in set(group["mark"]))
            key = early if year < first_year else str(year)
            row[key] = "".join(dict.fromkeys(row[key] + cell)) if key == early else cell
        rows.append(row)
    table = pd.DataFrame(rows, columns=["theme", "indicator", early, *year_columns])
    return table


def _mark(level: str) -> str:
    if level == "country":
        return "N"
    if level == REGION:
        return "R"
    return "D" if level in SUB_CITY else "C"


def legend() -> list[Msg]:
    """Notes explaining the cell marks."""
    return [T("{mark}: {meaning}.", mark=mark, meaning=meaning) for mark, meaning in MARKS.items()] + [
        T("'{expert}': no public statistic exists; the local expert reports it (chapter 6).", expert=EXPERT),
        T("An empty cell: no source held by the workbench covers the indicator that year."),
    ]


def check_no_data(matrix: pd.DataFrame, items: list[Item], said_missing: dict[str, bool]) -> None:
    """Verify that the profile says "no data" for an indicator only where the matrix marks no city year.

    Parameters
    ----------
    matrix
        From :func:`city_matrix`.
    items
        The framework the matrix was computed with.
    said_missing
        For framework item ids: True where the profile shows its "the public sources do not give …"
        sentence.

    Raises
    ------
    ClaimError
        Naming the item, its matrix row and the years marked for the city or its districts.
    """
    labels = {item.id: item.label for item in items}
    for item_id, missing in said_missing.items():
        if not missing:
            continue
        if item_id not in labels:
            raise ClaimError(f"no-data check: '{item_id}' is not an item of the framework")
        row = matrix[matrix["indicator"] == labels[item_id]].iloc[0]
        marked = [str(column) for column in matrix.columns[2:] if any(mark in str(row[column]) for mark in ("C", "D"))]
        if marked:
            raise ClaimError(f"the profile says the sources give no data for '{labels[item_id]}' ({item_id}), but the "
                             f"availability matrix marks the city or its districts in {', '.join(marked)}")
