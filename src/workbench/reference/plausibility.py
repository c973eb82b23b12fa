"""What people declare about plausible values: factors, parts and their wholes, and each source's exceptions."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from workbench import paths
from workbench.errors import ConfigError

#: The checks ``workbench ingest`` makes (:mod:`workbench.tidy.plausibility`), as named in exceptions.
CHECKS: tuple[str, ...] = ("part_over_whole", "moved", "year_on_year", "disappeared")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlausibilityException(_Strict):
    """One genuine official value that trips a check: which check, place and year, and why it is genuine."""

    check: Literal["part_over_whole", "moved", "year_on_year", "disappeared"]
    place_id: str  #: a place id, or a pattern of them ('DE*': every place whose id starts with DE)
    period: str | None = None  #: the year (period) excused; every year of the place when None
    definition_id: str | None = None  #: the definition excused; every definition when None
    reason: str = Field(min_length=10)  #: what the publisher's own notes say, in a sentence


class SourcePlausibility(_Strict):
    """A source's own limits (key ``plausibility`` of its registry entry); unset keys follow ``plausibility.yaml``."""

    max_factor: float | None = Field(default=None, gt=1)
    min_count: float | None = Field(default=None, ge=0)
    #: Whether counts are compared with the same source's previous year (off for sources whose
    #: counts move genuinely and a lot: flows, refugee caseloads).
    year_on_year: bool = True
    exceptions: list[PlausibilityException] = Field(default_factory=list)


class PartRule(_Strict):
    """Definitions counting part of the people of another (the whole), for one indicator."""

    indicator: str
    whole: str
    parts: list[str] = Field(min_length=1)


class Rules(_Strict):
    """``data/registry/plausibility.yaml``: the limits every source follows unless its entry says otherwise."""

    max_factor: float = Field(gt=1)
    min_count: float = Field(ge=0)
    parts: list[PartRule] = Field(default_factory=list)

    def wholes(self) -> dict[tuple[str, str], tuple[str, ...]]:
        """(indicator id, part definition id) -> the definition ids of its wholes."""
        found: dict[tuple[str, str], tuple[str, ...]] = {}
        for rule in self.parts:
            for part in rule.parts:
                found[rule.indicator, part] = (*found.get((rule.indicator, part), ()), rule.whole)
        return found


@functools.cache
def load_rules(root: Path | None = None) -> Rules:
    """Load ``data/registry/plausibility.yaml`` (see :func:`read_rules`)."""
    return read_rules((root or paths.registry_dir()) / "plausibility.yaml")


def read_rules(path: Path) -> Rules:
    """Read a file of plausibility limits (``data/registry/plausibility.yaml``).

    Raises
    ------
    ConfigError
        If the file is missing or malformed, naming the file and the first bad key.
    """
    try:
        raw = yaml.safe_load(paths.read_bytes(path, ConfigError, "a YAML file").decode("utf-8"))
        return Rules.model_validate(raw)
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: not UTF-8 YAML ({str(exc).splitlines()[0]})") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "(top)"
        raise ConfigError(f"{path}: key '{key}': {first['msg']}; found {first.get('input')!r}") from None
