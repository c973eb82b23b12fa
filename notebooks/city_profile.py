# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # City Migration Profile: statistical part
#
# What do official statistics say about the migrant population of this city and of its country, by which definition, for which area and at which date? The chapters follow the City Migration Profiles of the Mediterranean City-to-City Migration project: synopsis, reflections on the data, national context, the migrant population in the city, access to rights and services, and the chapters written by the local expert.

# %% tags=["parameters"]
city_id = "madrid"  # city to profile: an id from data/registry/cities.yaml, e.g. "vienna", "tunis"
top_n_origins = 10  # how many countries of origin to list (3 to 30)
output_dir = ""  # folder where a batch run saves the tables for the comparison (empty: do not save)
language = "en"  # language of the local-knowledge chapters shown (en, fr or ar)

# %% [markdown] tags=["no-annex"]
# Check the parameters (an unknown city or a value out of range stops here with a clear message).

# %%
from workbench.analysis import age_sex, area_maps, areas, attainment, availability, caseloads, city_tables, composition, conflicts, country, expert_figures, labour, legal_status, national_gaps, profile_tables, regional_labour, residents_by_origin, result_checks, stats, survey, synopsis, synopsis_city
from workbench.tidy import catalog, chapters
from workbench.tidy.expert import city_figures
from workbench.report import maps
from workbench.report.exhibits import Report
from workbench.reference.boundary_sets import find_boundary_set
from workbench.reference import columns
from workbench.reference.i18n import LANGUAGES, Date, Label, T, by_language, show
from workbench.analysis.framework_values import latest_values
from workbench.reference.framework import load_framework
from workbench.report.narrative import city_heading, missing_text
from workbench.reference.params import validate_params

params = validate_params(
    "city_profile",
    {"city_id": city_id, "top_n_origins": top_n_origins, "output_dir": output_dir, "language": language},
    "notebook parameters",
)

# %% [markdown] tags=["no-annex"]
# Load the city's rows and its country's rows from the tidy data, add the totals and shares the sources imply (marked with flag `c`), and compute every table of the profile (the synopsis is drafted from them).

# %%
data = catalog.load_city(params.city_id)
local = profile_tables.prepare_local(data)
national = profile_tables.prepare_national(data)
city = data.city
report = Report()

key = profile_tables.key_figures(local, national)
series = profile_tables.migrant_series(local)
trends = stats.trend_table(series.table) if not series.empty else series.table
origins = profile_tables.origins(local, params.top_n_origins)
groups = profile_tables.origin_groups(local)
context = country.national_context(national)
national_origins = country.national_origins(national, params.top_n_origins)
refugees = profile_tables.refugees_local(local)
caseload = caseloads.caseload_origins(local, national, params.top_n_origins)
disagreements = conflicts.conflicting_figures(local, national)
diversity = composition.diversity_table(local, national)
counts = areas.district_counts(local)
segregation = areas.segregation_table(counts)
gaps = labour.labour_gaps(local, national)
framework = load_framework()
matrix = availability.city_matrix(local, national, framework, regional=data.regional)
figures = city_figures(params.city_id)  # every figure the local expert entered, as typed
published = expert_figures.national_figures(figures)  # the country's (section 3)
published_here = expert_figures.city_figures(figures)  # the city's and its areas' (4.8)

# %% [markdown]
# ## 1. Synopsis and key figures

# %% [markdown]
# Sentences drafted by the workbench from the tables of this profile: each names its definition, area and date, and the table and source it comes from. They are a starting point for the authors, not a conclusion.

# %%
S, C = synopsis, synopsis_city
unpublished = C.unpublished(matrix, framework)
drafted = C.arrange({
    "share": S.migrant_share(series, city, T("4.1, table 'Migrant population by definition, area and date'"))
    + S.published_share(key, series, T("1, table 'Key figures'")),
    "expert": C.expert_city(published_here, T("4.8, table 'Published figures about the city entered by the local expert'")),
    "definitions": S.other_definitions(series, city, T("4.1, table 'Migrant population by definition, area and date'")),
    "growth": S.growth(trends, T("4.1, table 'Average annual growth of the migrant population'")),
    "origins": S.top_origins(origins, T("4.2, table 'Largest countries of origin'")),
    "diversity": S.diversity(diversity, T("4.2, table 'Diversity of origins'")),
    "residential": S.residential(segregation, T("4.4, table 'Residential concentration of migrants'")),
    "refugees": S.refugees(refugees, T("4.7, table 'Refugees and asylum-seekers registered with UNHCR'")),
    "caseload": C.caseload_origins(caseload, T("4.7, table of the UNHCR caseload by country of origin")),
    "labour": S.labour_gaps(gaps, T("5, table 'Labour market: migrants and natives'")),
    "missing": C.not_published(unpublished, matrix, framework, city, T("2.3, table 'Data availability by indicator and year'")),
    "national": S.national(context, city, T("3, table 'National context'")),
    "stock": C.stock_note(context.table, national, city, T("3, table 'National context'")),
    "disagreements": C.disagreements(disagreements, national, T("2.2, table 'Conflicting official figures'")),
}, C.has_official_city_count(local))
show(city_heading(city))
show(S.as_markdown(drafted))

# %%
report.table(key.table, T("Key figures: {city} and {country}", city=city.names, country=city.country_names), key.source_ids, key.notes)

# %% [markdown]
# ## 2. Reflections on migration data

# %% [markdown]
# ### 2.1 Definitions, areas and reference dates
#
# Every definition, area and reference date used in this profile. Figures by different definitions or areas are different measures, not competing estimates.

# %%
note = profile_tables.data_note(local, national, {})
if city.note:
    show(city.note)
report.table(note.table, T("Data used for the profile of {city}: definitions, areas and reference dates", city=city.names), note.source_ids, note.notes)

# %% [markdown]
# ### 2.2 Conflicting official figures

# %%
if disagreements.empty:
    show(T("*No two sources held by the workbench publish different figures for the same population and year in {city}.*", city=city.names))
else:
    report.table(disagreements.table, T("Conflicting official figures: {city} and {country}", city=city.names, country=city.country_names), disagreements.source_ids, disagreements.notes)

# %% [markdown]
# ### 2.3 Data availability by indicator and year
#
# For each indicator of the profile framework, the years the public data cover for this city, computed from the data.

# %%
report.table(matrix, T("Data availability by indicator and year, {city}", city=city.names), notes=availability.legend(), sources=[T("every source of the workbench and the figures entered by local experts")])

# %% [markdown]
# ## 3. National context
#
# The country's international migrant stock (UN DESA: each edition is a separate series, named), its main countries of origin, refugees and asylum-seekers (UNHCR), Palestine refugees (UNRWA), net migration and remittances (World Bank).

# %%
if context.empty:
    show(missing_text(T("national migration statistics"), city))
else:
    report.table(country.national_summary(context), T("National context: {country}", country=city.country_names), context.source_ids, [T("UN DESA editions revise past years: the 2020 and 2024 editions are separate rows."), T("Remittances as % of GDP are computed by the workbench from two World Bank series (flag c)."), *context.notes])

# %%
if not national_origins.empty:
    report.table(national_origins.table, T("Main countries of origin of international migrants in {country}", country=city.country_names), national_origins.source_ids, national_origins.notes)

# %%
if not published.empty:
    report.table(published.table, T("Published figures about {country} entered by the local expert", country=city.country_names), notes=published.notes, sources=published.source_ids)

# %% [markdown]
# Education by country of birth, employment and unemployment by citizenship (EU Labour Force Survey), and the reasons for which non-EU citizens received a first residence permit (Eurostat): the whole country, for EU countries. Birth and citizenship are different definitions: the tables are not one series.

# %%
schooling = national_gaps.education_by_birth(national)
citizenship_rates = national_gaps.rates_by_citizenship(national)
channels = national_gaps.permit_channels(national)
if not schooling.empty:
    report.table(schooling.table, T("Educational attainment by country of birth, {country}, persons aged 25-64", country=city.country_names), schooling.source_ids, schooling.notes)
if not citizenship_rates.empty:
    report.table(citizenship_rates.table, T("Employment and unemployment by citizenship, {country}, persons aged 20-64", country=city.country_names), citizenship_rates.source_ids, citizenship_rates.notes)
if not channels.empty:
    report.table(channels.table, T("Migration channels: first residence permits by reason, {country}", country=city.country_names), channels.source_ids, channels.notes)

# %% [markdown]
# ## 4. The migrant population in the city

# %% [markdown]
# ### 4.1 Over time
#
# Every series of the city's areas, by definition. A share is computed only against the total population of the same area and date.

# %%
if series.empty:
    show(missing_text(T("a time series of the migrant population"), city))
else:
    report.table(series.table, T("Migrant population of {city} by definition, area and date", city=city.names), series.source_ids, series.notes)

# %%
if not series.empty and series.table.dropna(subset=[columns.SHARE_OF_POPULATION]).groupby(["place", "definition"]).size().max() > 1:
    report.plot("migrant_shares", series.table, T("Migrant share of the population of {city}, by definition and area", city=city.names), series.source_ids, [T("Line styles distinguish definitions: lines of different styles are not comparable.")])

# %% [markdown]
# Average growth of each series with at least four dates: a log-linear trend fitted by least squares (statsmodels), with the 95 % confidence interval of the fitted growth. The counts are registers or censuses, not samples: the interval says how steady the trend is, not how precise a count is. A break in series is reported, not corrected: read the trend across a break with care.

# %%
if len(trends):
    report.table(stats.shown(trends), T("Average annual growth of the migrant population of {city} (log-linear trend, 95% CI)", city=city.names), series.source_ids, [T("Average annual growth: the straight line that best fits the logarithm of the count over the years (ordinary least squares), read as a yearly percentage change; the interval is the 95 % confidence interval of that slope."), stats.INTERVAL_NOTE, *[n for n in series.notes if n == profile_tables.ONE_STOCK_NOTE]])

# %% [markdown]
# ### 4.2 Countries and regions of origin
#
# The largest countries of citizenship or birth in the city's most recent table that has them, the publisher's own groups of origin, and two composition measures.

# %%
if origins.empty:
    show(missing_text(T("a breakdown of the city's migrant population by country of origin"), city))
    if not caseload.empty:
        show(T("*The caseload registered with UNHCR by country of origin is in section 4.7: it is not the city's migrant population.*"))
else:
    report.table(origins.table, T("Largest countries of origin, {city}", city=city.names), origins.source_ids, origins.notes)
    report.plot("origins", origins.table, T("Largest countries of origin, {city} (persons)", city=city.names), origins.source_ids, origins.notes)
if not groups.empty:
    report.table(groups.table, T("Migrants by group of origin, {city}", city=city.names), groups.source_ids, groups.notes)
residents = residents_by_origin.residents_by_group_and_sex(local)
if not residents.empty:
    report.table(residents.table, T("Residents by the publisher's group of origin and sex, {city}, latest date", city=city.names), residents.source_ids, residents.notes)

# %%
if not diversity.empty:
    report.table(diversity.table, T("Diversity of origins: {city} and {country}", city=city.names, country=city.country_names), diversity.source_ids, [composition.SIMPSON_DEFINITION, composition.EFFECTIVE_ORIGINS_DEFINITION, *diversity.notes])
concentration = composition.origin_concentration(local, national, params.top_n_origins)
if not concentration.empty:
    report.table(concentration.table, T("Origins over- and under-represented in {city} compared with {country}", city=city.names, country=city.country_names), concentration.source_ids, [composition.ORIGIN_QUOTIENT_DEFINITION, *concentration.notes])

# %% [markdown]
# ### 4.3 Sex and age

# %%
sexes = age_sex.sex_age(local)
if sexes.empty:
    show(missing_text(T("a breakdown of migrants by sex at city level"), city))
else:
    report.table(sexes.table, T("Women and men among migrants, {city}", city=city.names), sexes.source_ids, sexes.notes)

# %%
ages = age_sex.age_profiles(local, national)
migrant_ages = [a for a in ages if not a.caseload]  # a refugee caseload's ages are in 4.7
for age_profile in migrant_ages:
    report.plot("pyramid", age_profile.ages, age_profile.title, age_profile.source_ids, [age_profile.note])
if not migrant_ages:
    show(missing_text(T("an age breakdown of migrants"), city))

# %% [markdown]
# ### 4.4 Where migrants live: districts
#
# How evenly migrants and the reference group are spread over the city's districts or neighbourhoods.

# %%
if counts.empty:
    show(missing_text(T("migrant counts by district"), city))
else:
    report.table(segregation.table, T("Residential concentration of migrants in {city}", city=city.names), segregation.source_ids, [areas.DISSIMILARITY_DEFINITION, areas.TOP_AREAS_DEFINITION, *segregation.notes])

# %%
if not counts.empty:
    trend = areas.segregation_trend(counts)
    if len(trend) > 1:
        report.plot("index", trend, T("Dissimilarity index of migrants across the districts and neighbourhoods of {city}", city=city.names), segregation.source_ids, [areas.DISSIMILARITY_DEFINITION], x="year", y="D", series="geography_level", label=T("dissimilarity index D (0-1)"))
    for level in dict.fromkeys(counts["geography_level"]):
        districts = areas.district_table(counts, level)
        report.table(districts.table, T("Migrants by {level} of {city}, latest date", level=Label(level), city=city.names), districts.source_ids, [areas.LOCATION_QUOTIENT_DEFINITION, *districts.notes])
        # a map when a boundary set of the registry joins this city's areas of this level
        shares = area_maps.district_shares(counts, level)
        boundary = find_boundary_set(params.city_id, level, shares.source_ids[0]) if not shares.empty else None
        if boundary is not None:
            report.plot("district_map", shares.table, T("Migrant share by {level}, {city}, {date}", level=Label(level), city=city.names, date=Date(shares.table[area_maps.DATE].iloc[0])), [*shares.source_ids, boundary.boundary_id], maps.district_map_notes(shares.table, boundary.boundary_id), boundary_id=boundary.boundary_id)

# %% [markdown]
# ### 4.5 Legal status and residence permits

# %%
permits = legal_status.permits_by_type(local, national)
new_permits = legal_status.new_permits(local)
titles = legal_status.residence_titles(national)
for part, caption in ((permits, T("Residence permits by type")), (new_permits, T("New residence permits issued")), (titles, T("Foreign residents holding a residence title"))):
    if not part.empty:
        report.table(part.table, T("{caption}: {city} area and {country}", caption=caption, city=city.names, country=city.country_names), part.source_ids, part.notes)
if permits.empty and new_permits.empty and titles.empty:
    show(missing_text(T("statistics on residence permits or legal status"), city))

# %% [markdown]
# ### 4.6 Education and activity

# %%
education = attainment.education(local, national)
occupations = attainment.occupations(local)
for part, caption in ((education, T("Educational attainment of migrants and natives")), (occupations, T("Migrants and natives by socio-professional category"))):
    if not part.empty:
        report.table(part.table, T("{caption}, {city} area", caption=caption, city=city.names), part.source_ids, part.notes)
if education.empty and occupations.empty:
    show(missing_text(T("statistics on the education or occupation of migrants"), city))

# %% [markdown]
# ### 4.7 Refugees in the city
#
# Refugees and asylum-seekers registered with UNHCR in the governorate or district that holds the city (where UNHCR publishes sub-national figures), and the latest such caseload by country of origin: persons registered with UNHCR, not the city's migrant population.

# %%
if refugees.empty:
    show(missing_text(T("refugee figures below country level"), city))
else:
    report.table(refugees.table, T("Refugees and asylum-seekers registered with UNHCR, {city} area", city=city.names), refugees.source_ids, refugees.notes)
    points, chart_notes = profile_tables.refugees_chart(refugees)
    report.plot("lines", points, T("Refugees and asylum-seekers registered with UNHCR, {city} area", city=city.names), refugees.source_ids, chart_notes, x="year", y="persons", hue="group", ylabel=T("persons"), segment="place", outliers=True)

# %%
if not caseload.empty:
    report.table(caseload.section.table, caseload.caption(), caseload.section.source_ids, caseload.section.notes)

# %%
refugee_ages = age_sex.refugee_age_sex(local)
if not refugee_ages.empty:
    report.table(refugee_ages.table, T("Refugees registered with UNHCR by age and sex, {city} area", city=city.names), refugee_ages.source_ids, refugee_ages.notes)
for age_profile in (a for a in ages if a.caseload):
    report.plot("pyramid", age_profile.ages, age_profile.title, age_profile.source_ids, [age_profile.note])

# %% [markdown]
# ### 4.8 Published figures entered by the local expert
#
# Figures about the city and the areas around it (governorate, region, prefecture) that the local expert typed in from census notes, reports and the press, each as published, with its citation. The expert's figures about the whole country are in section 3.

# %%
if published_here.empty:
    show(T("*The local expert has entered no published figure about {city} or the areas around it.*", city=city.names))
else:
    report.table(published_here.table, T("Published figures about {city} and the areas around it entered by the local expert", city=city.names), notes=published_here.notes, sources=published_here.source_ids)

# %% [markdown]
# ## 5. Access to rights and services, and social cohesion
#
# Labour market outcomes of migrants and natives, with the gap between them, and residents' perceptions from the EU survey on the quality of life in European cities. An interval is shown only where the sample size is known; census figures are point estimates.

# %%
rates = labour.published_rates(local, national)
if not gaps.empty:
    report.table(gaps.table, T("Labour market: migrants and natives, {city} area", city=city.names), gaps.source_ids, gaps.notes)
if not rates.empty:
    report.table(rates.table, T("Labour market rates of foreign citizens published without a native comparison, {country}", country=city.country_names), rates.source_ids, rates.notes)
if gaps.empty and rates.empty:
    show(missing_text(T("labour market statistics by citizenship or birthplace"), city))

# %% [markdown]
# Unemployment by country of birth in the NUTS 2 region of the city (the region around it, or the city itself for a city-state; EU Labour Force Survey): the foreign-born, those born in another EU country and those born outside the EU, against all residents of the region, the foreign-born included (the table has no native-born rate).

# %%
regional = regional_labour.regional_unemployment(data.regional, city.region_is_city)
if regional.empty:
    show(missing_text(T("regional unemployment rates by country of birth"), city))
else:
    region = str(regional.table["place"].iloc[0])  # a proper name, as published
    area = regional_labour.area_label(city.names, city.region_is_city)
    year = str(regional.table[columns.YEAR].iloc[0])  # the latest year with a rate of all residents and of the foreign-born
    report.table(regional.table, T("Unemployment rate by country of birth, {region} ({area}), {year} (latest year published)", region=region, area=area, year=year), regional.source_ids, regional.notes)
    points, flagged = regional_labour.regional_unemployment_series(data.regional)
    report.plot("lines", points, T("Unemployment rate by country of birth, {region} ({area}), {first}-{last}", region=region, area=area, first=str(points["year"].min()), last=str(points["year"].max())), regional.source_ids, [*regional_labour.caveats(city.region_is_city), *flagged], x="year", y="rate", hue="group", ylabel=T("unemployment rate (%)"))  # aged 15-64: in the notes

# %%
perceptions = survey.qol_items(local)
if perceptions.empty:
    show(missing_text(T("survey results on living conditions and perceptions"), city))
else:
    report.table(perceptions.table, T("Residents' perceptions, {city} (Quality of Life in European Cities survey, 95% Wilson intervals)", city=city.names), perceptions.source_ids, perceptions.notes)
    report.plot("intervals", perceptions.table, T("Residents' perceptions, {city}: shares with 95% intervals", city=city.names), perceptions.source_ids, perceptions.notes[:1])

# %% [markdown]
# ## 6. Local knowledge
#
# Chapters written by the city's local expert: national migration policy, institutional framework, access to services and the city's priorities. The workbench never drafts them.

# %%
# every language's chapters travel with the run, so each language's annex shows its own
# (the notebook shows the drafts: an unwritten chapter with its guiding questions and file; an annex one neutral line)
written = {lang: chapters.read_chapters(params.city_id, lang) for lang in LANGUAGES}
show(by_language({lang: chapters.chapters_markdown(written[lang], draft=False) for lang in LANGUAGES}, shown=params.language,
                 drafts={lang: chapters.chapters_markdown(written[lang]) for lang in LANGUAGES}))

# %% [markdown] tags=["no-annex"]
# ## Checks
#
# Assertions that fail the run if a result is impossible.

# %%
assert not key.table.empty, "no key figures at all"
result_checks.require_within(local[local["indicator_id"] == "population_share"], "value", 0, 100, "a computed share is outside 0-100 %")
result_checks.require_one_value(series.table, ["place", "definition", columns.REFERENCE_DATE, "source"], "two values for one place, definition, date and source")
if len(trends):
    result_checks.require_ordered(trends, columns.CI_LOW, columns.GROWTH, columns.CI_HIGH, "a trend outside its interval")
# every number of a synopsis sentence drafted from claims is the cell of the table it cites
cited = {"key": key.table, "expert_city": published_here.table, "series": series.table, "trends": trends, "origins": origins.table, "refugees": refugees.table, "diversity": diversity.table, "gaps": gaps.table, "context": context.table, "segregation": segregation.table, "caseload": caseload.section.table, "conflicts": disagreements.table, "availability": matrix}
synopsis.check(drafted, cited)
# every "the public sources do not give ..." of sections 4.3 and 4.4 agrees with the availability matrix
availability.check_no_data(matrix, framework, {"dem_migrants_by_sex": sexes.empty, "dem_migrants_by_age": not migrant_ages, "dem_districts": counts.empty, "ori_origins": origins.empty, **{item: True for item in unpublished}})

# %% [markdown] tags=["no-annex"]
# ## Save
#
# A batch run saves the tables so that the comparison notebooks read them.

# %% tags=["nbval-ignore-output"]
if params.output_dir:
    saved = city_tables.save(
        params.output_dir, report, local, national,
        synopsis=synopsis.as_table(drafted),
        origins=composition.saved_origin_table(local),
        framework_values=latest_values(params.city_id, local, national, framework, data.regional),
        availability=matrix,
        claims=city_tables.claims_table(drafted, cited, [(e.slug, e.table) for e in report.exhibits if e.table is not None]),
        regional=data.regional,
    )
