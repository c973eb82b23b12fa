# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] tags=["no-annex"]
# # City brief
#
# A short profile of one city from Eurostat's city statistics: population on 1 January (`urb_cpop1`), foreign-born residents (`urb_cpopcb`), the foreign-born share and its trend, and notes on definitions, area and dates. `workbench run --cities eurostat` runs it once for every Urban Audit code with foreign-born data and writes a searchable index. To look at another city, set `place_id` below (e.g. `"DE001C"` Berlin, `"FR001C"` Paris) and Run All.

# %% tags=["parameters"]
place_id = "ES001C"  # an Eurostat Urban Audit code with foreign-born data: city (..C) or greater city
output_dir = ""  # folder where a batch run saves brief.html and brief.json (empty: do not save)

# %%
from IPython.display import Markdown, display

from workbench.analysis import brief as briefs
from workbench.reference.params import validate_params

params = validate_params("city_brief", {"place_id": place_id, "output_dir": output_dir})

# %%
brief = briefs.make_brief(params.place_id)
display(Markdown(f"## {brief.name}\n\n{briefs.LEVELS[brief.level]} · {brief.country} · Eurostat code {brief.place_id}"))
display(Markdown("\n\n".join(brief.sentences)))

# %%
brief.table

# %%
display(Markdown("### Data notes\n\n" + "\n".join(f"- {n}" for n in brief.notes)))

# %%
if params.output_dir:
    briefs.save(brief, params.output_dir)
