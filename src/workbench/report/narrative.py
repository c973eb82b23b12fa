"""Short Markdown texts generated from the registries and data, never typed per city."""

from __future__ import annotations

from workbench.reference.i18n import Label, Msg, T
from workbench.reference.registry import City


def city_heading(city: City) -> Msg:
    """A heading naming the city in English, French, Arabic and the local language, and its country."""
    names = [city.names.en, city.names.fr, city.names.ar]
    if city.names.local and city.names.local not in names:
        names.append(city.names.local)
    unique = list(dict.fromkeys(names))
    shore = T("north shore of the Mediterranean") if city.shore == "north" else T("south shore of the Mediterranean")
    return T(
        "**{city}** ({names}), {country} ({iso3}), on the {shore}. Area standing for the city in this profile: {area}.",
        city=unique[0], names=" · ".join(unique[1:]), country=city.country_names, iso3=city.country_iso3,
        shore=shore, area=Label(city.city_geography.replace("_", " ")),
    )


def missing_text(what: Msg, city: City) -> Msg:
    """The sentence shown where the public sources give nothing for a part of the profile.

    Parameters
    ----------
    what
        What is missing, as a message (e.g. ``T("migrant counts by district")``).
    city
        The city.
    """
    return T(
        "*The public sources held by the workbench do not give {what} for {city}.* A local expert can add published "
        "figures with their citation (`data/local/figures/{city_id}.csv`, see docs/enter-a-published-figure.md).",
        what=what, city=city.names, city_id=city.city_id,
    )
