"""Short Markdown texts generated from the registries and data, never typed per city."""

from __future__ import annotations

from workbench.registry import City


def city_heading(city: City) -> str:
    """A heading naming the city in English, French, Arabic and the local language, and its country."""
    names = [city.names.en, city.names.fr, city.names.ar]
    if city.names.local and city.names.local not in names:
        names.append(city.names.local)
    unique = list(dict.fromkeys(names))
    return (
        f"**{unique[0]}** ({' · '.join(unique[1:])}), {city.country_names.en} "
        f"({city.country_iso3}); shore: {city.shore}. Area standing for the city in this profile: "
        f"{city.city_geography.replace('_', ' ')}."
    )


def missing_text(what: str, city: City) -> str:
    """The sentence shown where the public sources give nothing for a part of the profile."""
    return (
        f"*The public sources held by the workbench do not give {what} for {city.names.en}.* "
        "A local expert can add published figures with their citation "
        f"(`data/local/figures/{city.city_id}.csv`, see docs/enter-a-published-figure.md)."
    )
