# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Cross-city comparison: overview
#
# How large is the migrant population of each city of the network, by which definition and for which area, on the north and the south shores of the Mediterranean, and how does it compare with its country?

# %% tags=["parameters"]
city_ids = ["amman", "beirut", "lisbon", "lyon", "madrid", "tanger", "tunis", "turin", "vienna"]  # cities to compare, in display order
cities_dir = "../cities"  # folder holding the saved tables of each city run (one sub-folder per city)
output_dir = ""  # folder for the comparison tables (empty: do not save)

# %% [markdown] tags=["no-annex"]
# Check the parameters, then read the tables that the city runs saved (a city whose run failed or did not save is reported, not silently dropped).

# %%
from workbench.analysis import area_maps, city_tables, compare, result_checks, run_check
from workbench.report import maps
from workbench.report.exhibits import Report, saved_tables
from workbench.reference import columns
from workbench.reference.i18n import Label, T, show
from workbench.reference.params import validate_params

params = validate_params(
    "compare_cities",
    {"city_ids": city_ids, "cities_dir": cities_dir, "output_dir": output_dir},
    "notebook parameters",
)
loaded = compare.load_city_tables(params.cities_dir, params.city_ids)
report = Report()
show(compare.loading_text(loaded))

# %% [markdown]
# ## 1. Migrant share by city, grouped by definition
#
# Each block counts a different population: foreign nationals, foreign-born, the French *immigrés*, Vienna's *foreign origin*. Ranks are given only among figures of the same definition for the same kind of area (municipality, greater city, governorate ...); the area each figure covers is shown, and the shore of the Mediterranean each city lies on.

# %%
latest = compare.latest_shares(loaded)
report.table(latest, T("Latest migrant share of the population by city, definition and area"), compare.source_ids(loaded), compare.definition_notes(latest) + compare.latest_notes(loaded))

# %%
if not latest.empty:
    report.plot("share_by_definition", latest, T("Migrant share of the population by city: one panel per definition"), compare.source_ids(loaded), [T("Panels are not comparable with each other: each counts a different population.")])

# %% [markdown]
# The same latest shares on a map of the Mediterranean: each city marked with one figure (its newest; the symbol names its definition), over the countries shaded by their international migrant share (UN DESA, 2020 edition: the 2024 edition publishes no share of the population).

# %%
network = area_maps.network_shares(loaded)
report.plot("network_map", network, T("The network's cities and their latest migrant share, over the countries' international migrant share"), compare.source_ids(loaded) + ["undesa_ims_2020", "naturalearth_admin0_110m"], [T("One figure per city: the newest, then the first definition in the order of the table above. Symbols differ by definition: figures of different definitions are not comparable."), maps.CLASS_RULE], boundary_id="naturalearth_admin0_110m")

# %% [markdown]
# ## 2. North and south shores
#
# What the public data give for the cities of each shore: the southern cities (Amman, Beirut, Tangier, Tunis) have no city-level migrant count in international or national open data, only census figures reported by local experts and UNHCR's registrations.

# %%
shores = compare.shore_summary(loaded)
report.table(shores, T("Migrant figures available by shore of the Mediterranean"), compare.source_ids(loaded), [T("Counts of series per city; definitions as in section 1.")])

# %% [markdown]
# ## 3. City and country
#
# The city's latest share next to its country's international migrant share (UN DESA 2020 edition, mid-2020). The ratio (city share ÷ national share, a location quotient) is computed only where the two figures are comparable (same definition, dates at most three years apart); otherwise the *comparable* column gives the reason and the ratio is left empty.

# %%
versus = compare.city_vs_national(loaded)
report.table(versus, T("City migrant share against the national migrant share"), compare.source_ids(loaded) + ["undesa_ims_2020"], [T("Location quotient = city share / national share; above 1 means migrants are over-represented in the city. Computed only where the two figures are comparable."), compare.RULE])

# %% [markdown]
# ## 4. Trends
#
# Change of each city series (same definition, same area, same source) over periods of the same length: one block per length, so a one-year change is never set beside a twenty-year one.

# %%
trends = compare.trends(loaded)
report.table(trends, T("Change in the migrant share by city, definition and area"), compare.source_ids(loaded), [T("Change in percentage points over the period shown; compare rows of the same period length only. Series with a single date are not listed.")])

# %% [markdown]
# ## 5. What each city's data cover

# %%
coverage = compare.coverage(loaded)
report.table(coverage, T("Definitions and areas available for each city"), compare.source_ids(loaded))

# %% [markdown]
# ## 6. Unemployment of the foreign-born in the cities' regions
#
# The unemployment rate of the foreign-born against that of all residents (the foreign-born included) in the NUTS 2 region around each EU city: one definition (country of birth, persons aged 15-64, EU Labour Force Survey) and one year, the latest year published for every region compared. Regions, not cities; sample survey estimates.

# %%
regional_gaps = compare.regional_labour_gaps(params.cities_dir, params.city_ids)
if regional_gaps.empty:
    show(T("*No city compared has regional unemployment rates by country of birth.*"))
else:
    report.table(regional_gaps.table, T("Unemployment rate of the foreign-born and of all residents in the NUTS 2 regions of the cities"), regional_gaps.source_ids, regional_gaps.notes)

# %% [markdown] tags=["no-annex"]
# ## Checks

# %%
result_checks.require_one_value(latest, ["definition", "city", "area"], "one city has two latest values for the same definition and area")
result_checks.require_within(latest, columns.SHARE, 0, 100, "a share outside 0-100 %")
# no value of this comparison differs from the city exhibit it comes from (same area, definition and date)
checked = run_check.require_agreement("compare/overview", report.tables(), {c: saved_tables(city_tables.exhibits_folder(params.cities_dir, c)) for c in params.city_ids})

# %% [markdown] tags=["no-annex"]
# ## Save

# %% tags=["nbval-ignore-output"]
if params.output_dir:
    saved = report.save(params.output_dir)
