# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Cross-city comparison by peer-learning theme
#
# What do the public data say, city by city, on one theme of the network's peer-learning meetings, and what must local experts report?

# %% tags=["parameters"]
city_ids = ["amman", "beirut", "lisbon", "lyon", "madrid", "tanger", "tunis", "turin", "vienna"]  # cities to compare, in display order
cities_dir = "../cities"  # folder holding the saved tables of each city run (one sub-folder per city)
output_dir = ""  # folder for the comparison tables (empty: do not save)
theme = "social_cohesion"  # peer-learning theme compared (an id from workbench.reference.framework.PEER_LEARNING_THEMES)

# %% [markdown] tags=["no-annex"]
# Check the parameters, then read the tables that the city runs saved (a city whose run failed or did not save is reported, not silently dropped).

# %%
from workbench.analysis import city_tables, compare, run_check, themes
from workbench.report.exhibits import Report, saved_tables
from workbench.reference.i18n import Label, T, show
from workbench.reference.framework import THEME_LABELS
from workbench.reference.params import validate_params

params = validate_params(
    "compare_theme",
    {"city_ids": city_ids, "cities_dir": cities_dir, "output_dir": output_dir, "theme": theme},
    "notebook parameters",
)
loaded = compare.load_city_tables(params.cities_dir, params.city_ids)
report = Report()
show(compare.loading_text(loaded))

# %%
values, without = themes.load_values(params.cities_dir, params.city_ids)
label = Label(THEME_LABELS[params.theme])
show(T("**Theme: {theme}**", theme=label))
if without:
    show(T("*No saved indicator values for: {cities}.*", cities=", ".join(without)))

# %% [markdown]
# ## 1. Indicators of the theme, city by city
#
# The latest public figure of each indicator of the theme for each city that has one, with its definition, area and date; the cities without a figure are named together in one row per indicator. The *comparable* column says when definitions, areas or dates differ between cities, or when the figures are national: such figures are side by side, not ranked.

# %%
table = themes.theme_table(values, params.theme, params.city_ids)
report.table(table.table, T("Indicators of the theme '{theme}' by city", theme=label), table.source_ids, table.notes)

# %% [markdown]
# ## 2. What the data allow
#
# For each city, how many indicators of each theme have a public figure, how many need expert input, and how many have nothing.

# %%
summary = themes.theme_summary(values, params.city_ids)
report.table(summary, T("Indicators with a public figure, expert input or nothing, by theme and city"), notes=[T("Counted from the indicator framework of the profiles.")], sources=[T("computed from the saved indicator values of each city run")])

# %% [markdown] tags=["no-annex"]
# ## Checks

# %%
assert len(table.table) > 0, "the theme has no indicator"
# no value of this comparison differs from the city exhibit it comes from (same area, definition and date)
checked = run_check.require_agreement("compare/theme-" + params.theme.replace("_", "-"), report.tables(), {c: saved_tables(city_tables.exhibits_folder(params.cities_dir, c)) for c in params.city_ids})

# %% [markdown] tags=["no-annex"]
# ## Save

# %% tags=["nbval-ignore-output"]
if params.output_dir:
    saved = report.save(params.output_dir)
