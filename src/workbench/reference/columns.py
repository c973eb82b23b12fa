"""The display columns of the workbench's tables, declared once: label, unit and decimals shown."""

from __future__ import annotations

#: Decimals shown per unit; any other unit (persons, count, respondents, usd …) is a whole number.
DECIMALS: dict[str, int] = {
    "percent": 1, "per_thousand": 1, "years": 1, "index": 1, "ratio": 3, "quotient": 2, "percentage_points": 1,
}


class Column(str):
    """A column of a displayed table: the string is its label (the DataFrame column name, a catalog msgid).

    Parameters
    ----------
    label
        The English header readers see (translated by the catalogs in the annexes).
    unit
        What its numbers count: a tidy unit (``persons``, ``percent``, ``ratio`` …) or ``text``.
    decimals
        Decimals shown; :data:`DECIMALS` of the unit when ``None``.
    """

    unit: str
    decimals: int

    def __new__(cls, label: str, unit: str, decimals: int | None = None):
        obj = super().__new__(cls, label)
        obj.unit = unit
        obj.decimals = DECIMALS.get(unit, 0) if decimals is None else decimals
        return obj

    def __reduce__(self):
        return (Column, (str(self), self.unit, self.decimals))


# -- where, what and when (text) ------------------------------------------------------------
PLACE = Column("place", "text")
GEOGRAPHY = Column("geography", "text")
AREA = Column("area", "text")
DEFINITION = Column("definition", "text")
SOURCE = Column("source", "text")
FLAG = Column("flag", "text")
REFERENCE_DATE = Column("reference date", "text")
REFERENCE_DATES = Column("reference dates", "text")
YEAR = Column("year", "text")
CITY = Column("city", "text")
GROUP = Column("group", "text")
REASON = Column("reason", "text")
#: Footnote markers of a series' points (analysis.series_flags).
NOTES = Column("notes", "text")
#: The first year of a series whose values are projections (analysis.series_flags).
PROJECTIONS_FROM = Column("projections from", "text")

# -- counts (whole numbers) -----------------------------------------------------------------
PERSONS = Column("persons", "persons")
VALUE = Column("value", "persons")
WOMEN = Column("women", "persons")
MEN = Column("men", "persons")
BOTH_SEXES = Column("women and men", "persons")
MIGRANTS = Column("migrants", "persons")
REFUGEES = Column("refugees", "persons")
ASYLUM_SEEKERS = Column("asylum-seekers", "persons")
HOLDERS = Column("holders", "persons")
NEW_PERMITS = Column("new permits", "persons")
RANK = Column("rank", "count")
RANK_SAME_DEFINITION = Column("rank (same definition and geography)", "count")
RANK_SAME_DEFINITION_ONLY = Column("rank (same definition)", "count")
OBSERVATIONS = Column("observations", "count")
RESPONDENTS = Column("respondents (n)", "respondents")
ORIGINS_PUBLISHED = Column("origins published", "count")
RESIDUAL_GROUPS = Column("of which residual groups", "count")
COUNTRIES_IN_COMMON = Column("countries in common", "count")
#: A count of series, shown with one decimal as the baseline has always shown it.
SERIES_WITH_A_SHARE = Column("series with a share", "count", decimals=1)

# -- shares and rates (one decimal) ---------------------------------------------------------
SHARE = Column("share (%)", "percent")
SHARE_OF_POPULATION = Column("share of population (%)", "percent")
SHARE_OF_THE_GROUP = Column("share of the group (%)", "percent")
SHARE_OF_THE_STOCK = Column("share of the stock (%)", "percent")
SHARE_OF_ALL_PERMITS = Column("share of all permits (%)", "percent")
SHARE_OF_ALL_NEW_PERMITS = Column("share of all new permits (%)", "percent")
SHARE_OF_ALL_TITLES = Column("share of all titles (%)", "percent")
WOMEN_SHARE = Column("women (%)", "percent")
MIGRANTS_SHARE = Column("migrants (%)", "percent")
NATIVES_SHARE = Column("natives (%)", "percent")
VALUE_SHARE = Column("value (%)", "percent")
BORN_ABROAD_SHARE = Column("born abroad (%)", "percent")
NO_ANSWER_SHARE = Column("no answer (%)", "percent")
CI_LOW = Column("95% CI low", "percent")
CI_HIGH = Column("95% CI high", "percent")
GROWTH = Column("growth (% per year)", "percent")
CITY_SHARE = Column("city share (%)", "percent")
COUNTRY_SHARE = Column("country share (%)", "percent")
NATIONAL_SHARE = Column("national share (%)", "percent")
MIGRANT_SHARE = Column("migrant share (%)", "percent")
FIRST_SHARE = Column("first share (%)", "percent")
LAST_SHARE = Column("last share (%)", "percent")
DIFFERENCE_FROM_FIRST = Column("difference from first (%)", "percent")
HIGHEST_AREA_SHARE = Column("highest area share (%)", "percent")
LOWEST_AREA_SHARE = Column("lowest area share (%)", "percent")
NOT_ITEMISED = Column("not itemised (%)", "percent")
OVERLAP = Column("overlap (%)", "percent")
CHANGE = Column("change (pp)", "percentage_points")
PERIOD_YEARS = Column("period (years)", "count")
GAP = Column("gap (pp)", "percentage_points")
UNEMPLOYMENT_RATE = Column("unemployment rate (%)", "percent")
EMPLOYMENT_RATE = Column("employment rate (%)", "percent")
FOREIGN_BORN_RATE = Column("foreign-born (%)", "percent")
ALL_RESIDENTS_RATE = Column("all residents (%)", "percent")
GAP_TO_ALL_RESIDENTS = Column("gap with all residents (pp)", "percentage_points")
TERTIARY = Column("tertiary education (%)", "percent")
LOW_EDUCATION = Column("at most lower secondary (%)", "percent")
TERTIARY_GAP = Column("tertiary: gap with native-born (pp)", "percentage_points")
LOW_EDUCATION_GAP = Column("lower secondary: gap with native-born (pp)", "percentage_points")
EMPLOYMENT_GAP = Column("employment: gap with nationals (pp)", "percentage_points")
UNEMPLOYMENT_GAP = Column("unemployment: gap with nationals (pp)", "percentage_points")
#: Areas with the highest migrant shares counted in :data:`TOP_AREAS_SHARE`.
TOP_AREAS = 5
TOP_AREAS_SHARE = Column(f"migrants in the {TOP_AREAS} highest-share areas (%)", "percent")
#: What :data:`TOP_AREAS_SHARE` is read against: the share of all residents living in the same areas.
TOP_AREAS_RESIDENTS = Column(f"all residents in the {TOP_AREAS} highest-share areas (%)", "percent")
#: Which areas entered (+) and left (−) the :data:`TOP_AREAS` since the previous date of the same series.
TOP_AREAS_CHANGE = Column(f"change in the {TOP_AREAS} highest-share areas", "text")

# -- indices --------------------------------------------------------------------------------
DISSIMILARITY = Column("dissimilarity D", "ratio")
SIMPSON = Column("Simpson diversity", "ratio")
LOCATION_QUOTIENT = Column("location quotient", "quotient")
EFFECTIVE_ORIGINS = Column("effective number of origins", "count", decimals=1)

#: Every declared column by label.
COLUMNS: dict[str, Column] = {str(c): c for c in globals().copy().values() if isinstance(c, Column)}


def declared(label: str) -> Column | None:
    """The declared column of a table header, or ``None`` for a header not declared here."""
    return label if isinstance(label, Column) else COLUMNS.get(str(label))
