"""``workbench places``, ``cities`` and ``sources``: look up places, the network's cities and the sources registry."""

from __future__ import annotations

import sys

from workbench.cli.output import console
from workbench.errors import ConfigError


def places(args) -> int:
    """List the Eurostat places whose name contains TEXT; return the exit code."""
    from workbench.analysis.brief import brief_places
    from workbench.newcity import folded

    found = brief_places()
    found = found[found["name"].map(folded).str.contains(folded(args.text), regex=False)]
    if found.empty:
        raise ConfigError(f"no Eurostat place with foreign-born data has '{args.text}' in its name; try part of the "
                          "name as Eurostat publishes it (often the local name, e.g. Wien, Torino, Lisboa)")
    out = console(result=True)
    for row in found.itertuples():
        used = f"  (network city {row.city_id})" if row.city_id else ""
        out.print(f"{row.place_id:<8} {row.name:<40} {row.level:<13} {row.country_iso3}{used}", markup=False)
    return 0


def cities(args) -> int:
    """List the network's cities and their geographies; return the exit code."""
    from workbench.reference.registry import load_cities

    out = console(result=True)
    for city in load_cities().values():
        out.print(f"{city.city_id:<8} {city.names.en:<8} {city.country_iso3}  {city.shore:<5}  {city.city_geography}", markup=False)
        for source_id, area in city.geographies.items():
            out.print(f"    {source_id:<42} {area}", markup=False)
    return 0


def sources(args) -> int:
    """Print the sources registry as Markdown; return the exit code."""
    from workbench.report.sourcedoc import sources_markdown

    sys.stdout.write(sources_markdown())
    return 0
