"""Short Markdown texts generated from the registries and data, never typed per city."""

from __future__ import annotations

from workbench.reference.i18n import LANGUAGES, Label, Msg, T, by_language
from workbench.reference.registry import City


def city_heading(city: City) -> Msg:
    """A heading naming the city in its annex language, its other names (English, French, Arabic,
    local; each once, never the one already shown), and its country."""
    names = [city.names.en, city.names.fr, city.names.ar]
    if city.names.local and city.names.local not in names:
        names.append(city.names.local)
    unique = list(dict.fromkeys(names))
    others = by_language({lang: " · ".join(n for n in unique if n != getattr(city.names, lang)) for lang in LANGUAGES})
    return T(
        "**{city}** ({names}), {country} ({iso3}). Area standing for the city in this profile: {area}.",
        city=unique[0], names=others, country=city.country_names, iso3=city.country_iso3,
        area=Label(city.city_geography.replace("_", " ")),
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
        "figures with their citation.",
        what=what, city=city.names,
    )
