# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Cross-city comparison: data availability
#
# Which indicators of the profile framework do the public data cover for each city of the network, and for which years?

# %% tags=["parameters"]
city_ids = ["amman", "beirut", "lisbon", "lyon", "madrid", "tanger", "tunis", "turin", "vienna"]  # cities to compare, in display order
cities_dir = "../cities"  # folder holding the saved tables of each city run (one sub-folder per city)
output_dir = ""  # folder for the comparison tables (empty: do not save)

# %% [markdown] tags=["no-annex"]
# Check the parameters, then read the tables that the city runs saved (a city whose run failed or did not save is reported, not silently dropped).

# %%
from workbench.analysis import compare
from workbench.report.exhibits import Report
from workbench.reference.i18n import Label, T, show
from workbench.reference.params import validate_params

params = validate_params(
    "compare_availability",
    {"city_ids": city_ids, "cities_dir": cities_dir, "output_dir": output_dir},
    "notebook parameters",
)
loaded = compare.load_city_tables(params.cities_dir, params.city_ids)
report = Report()
show(compare.loading_text(loaded))

# %% [markdown]
# For each indicator of the profile framework (themes of the peer-learning meetings, mapped to MC2CM, OECD, Zaragoza and IOM MGI items), the first and last year the public data cover for each city and the levels found: C the city's own area, D its districts, N the country only. *expert input* marks items that no public statistic covers: local experts report them. Read from the matrices the city runs saved.

# %%
matrix = compare.availability(params.cities_dir, params.city_ids)
report.table(matrix, T("Data availability by indicator and city (years covered and level)"), notes=[T("An empty cell means no public source held by the workbench covers the item for that city."), T("C: city area; D: by district; R: NUTS 2 region around the city only; N: country level only.")], sources=[T("every source of the workbench and the figures entered by local experts")])

# %%
summary = compare.availability_summary(matrix)
report.table(summary, T("Indicators covered by level, per city"), notes=[T("Counts of framework indicators; an indicator counts at its best level.")], sources=[T("computed from the table above")])

# %% [markdown] tags=["no-annex"]
# ## Checks

# %%
assert len(matrix) > 0, "no availability matrix was read"

# %% [markdown] tags=["no-annex"]
# ## Save

# %% tags=["nbval-ignore-output"]
if params.output_dir:
    saved = report.save(params.output_dir)
