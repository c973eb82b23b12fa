# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Cross-city comparison: countries of origin
#
# Where do the migrants of each city come from, and how alike are the origin mixes of the network's cities?

# %% tags=["parameters"]
city_ids = ["amman", "beirut", "lisbon", "lyon", "madrid", "tanger", "tunis", "turin", "vienna"]  # cities to compare, in display order
cities_dir = "../cities"  # folder holding the saved tables of each city run (one sub-folder per city)
output_dir = ""  # folder for the comparison tables (empty: do not save)

# %% [markdown] tags=["no-annex"]
# Check the parameters, then read the tables that the city runs saved (a city whose run failed or did not save is reported, not silently dropped).

# %%
from workbench.analysis import city_tables, comparability, compare, overlap, result_checks, run_check
from workbench.report.exhibits import Report, saved_tables
from workbench.reference import columns
from workbench.reference.i18n import Label, T, join, show
from workbench.reference.registry import get_city
from workbench.reference.params import validate_params

params = validate_params(
    "compare_origins",
    {"city_ids": city_ids, "cities_dir": cities_dir, "output_dir": output_dir},
    "notebook parameters",
)
loaded = compare.load_city_tables(params.cities_dir, params.city_ids)
report = Report()
show(compare.loading_text(loaded))

# %%
rows, without = overlap.load_origins(params.cities_dir, params.city_ids)
if without:
    show(T("*No breakdown by country of origin for: {cities}.*", cities=join([get_city(c).names for c in without], ", ")))

# %% [markdown]
# ## 1. The largest origins of each city
#
# Each city's latest table by country of citizenship or birth; the definition, area and date of each table are given: a list of foreign nationals and a list of registered refugees are different populations.

# %%
top = overlap.composition(rows, top_n=5)
report.table(top, T("Five largest countries of origin by city"), list(dict.fromkeys(top["source"])), compare.definition_notes(top))

# %% [markdown]
# ## 2. Overlap between cities

# %%
pairs = overlap.overlap_table(rows)
report.table(pairs, T("Overlap of origin mixes between pairs of cities"), list(dict.fromkeys(top["source"])), [overlap.OVERLAP_DEFINITION, T("Only pairs whose tables are comparable are compared and ranked, within their definition; the others are listed with the reason in the 'comparable' column."), comparability.RULE])

# %% [markdown]
# ## 3. Origins shared by several cities
#
# Countries among the ten largest origins of more than one city, with their share in each.

# %%
shared = overlap.shared_origins(rows, top_n=10)
report.table(shared, T("Countries among the ten largest origins of several cities (share of each city's migrants, %)"), list(dict.fromkeys(top["source"])), [T("An empty cell: the country is not among that city's ten largest origins.")])

# %% [markdown] tags=["no-annex"]
# ## Checks

# %%
result_checks.require_within(pairs, columns.OVERLAP, 0, 100.5, "an overlap outside 0-100")
# no value of this comparison differs from the city exhibit it comes from (same area, definition and date)
checked = run_check.require_agreement("compare/origins", report.tables(), {c: saved_tables(city_tables.exhibits_folder(params.cities_dir, c)) for c in params.city_ids})

# %% [markdown] tags=["no-annex"]
# ## Save

# %% tags=["nbval-ignore-output"]
if params.output_dir:
    saved = report.save(params.output_dir)
