"""Translations of everything an annex says: gettext catalogs read with Babel (numbers and dates: formats).

Text that an annex shows is written in English in the code, wrapped in :func:`T`::

    T("Key figures: {city} and {country}", city=city.names, country=city.country_names)

:func:`T` returns a :class:`Msg`: a ``str`` holding the English text (so notebooks, nbval and
every string operation see plain English) that also remembers its message id and parameters,
so an annex can render it again in French or Arabic. Parameters are kept as they are given:

* another :class:`Msg` (rendered in the same language);
* :class:`Num` (a number and its unit: formatted per locale, ``1,234.5`` / ``1 234,5``);
* :class:`Date` (a reference date: ``1 July 2022``, ``1 juillet 2022``);
* :class:`Label` (a registry label such as a definition: looked up in the catalog);
* :class:`Country` (a country: named from CLDR, ``Syria`` / ``Syrie`` / ``سوريا``);
* a :func:`join` of any of these (a list in the reader's language);
* an object with ``en``, ``fr`` and ``ar`` attributes (:class:`workbench.reference.registry.Names`);
* a plain string: a place name without its publisher's marks ('Amman [Admin 1]' → 'Amman'), a
  network city or a country in the reader's language (:func:`workbench.reference.places.place_name`);
  anything else (a district, a year) verbatim in every language.

The catalogs are ``src/workbench/locale/<lang>/LC_MESSAGES/workbench.po`` (msgid = the English
text). A message missing from a catalog raises :class:`MissingTranslation`: an annex is never
silently half-translated. ``make catalogs`` (``python -m workbench.report.messages``) rebuilds the template ``workbench.pot``
and merges it into the catalogs (see README, "Translations").
"""

from __future__ import annotations

import json
import re
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from workbench import paths
from workbench.errors import ConfigError, MissingTranslation, WorkbenchError
from workbench.reference.formats import LOCALES, format_date, format_number
from workbench.reference.origins import country_code, country_name
from workbench.reference.places import display_place, place_name, split_qualifier

#: Languages of the annexes; English is the source language of the catalogs.
LANGUAGES: tuple[str, ...] = ("en", "fr", "ar")

#: Written right to left.
RTL = frozenset({"ar"})

DOMAIN = "workbench"


@dataclass(frozen=True)
class Num:
    """A number with its unit, formatted for the reader's locale (``decimals``: as published, else the unit's)."""

    value: float
    unit: str = "persons"
    decimals: int | None = None

    def __str__(self) -> str:
        return format_number(self.value, self.unit, "en", self.decimals)


@dataclass(frozen=True)
class Label:
    """A fixed English label (registry definition, geography, column header) translated by the catalog."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Date:
    """A reference date (ISO ``YYYY-MM-DD``) in running text: ``1 July 2022`` / ``1 juillet 2022``."""

    iso: str

    def __str__(self) -> str:
        return format_date(self.iso, "en")


@dataclass(frozen=True)
class Country:
    """A country named in the reader's language (ISO 3166-1 alpha-3 ``code``): ``Syria``, ``Syrie``, ``سوريا``.

    Rendered by :func:`workbench.reference.origins.country_name` (CLDR names through Babel);
    :meth:`named` makes one from an English name as the workbench or a publisher writes it.
    """

    code: str

    def __str__(self) -> str:
        return country_name(self.code, "en")

    @classmethod
    def named(cls, name: str) -> Country | str:
        """The country an English name stands for (``Syrian Arab Rep.``, ``Syria``); a name that is
        not a country ('Other', a world region) is returned as given."""
        code = country_code(name)
        return cls(code) if code else name


class Msg(str):
    """English text that can be rendered again in another language (see module docstring)."""

    msgid: str
    params: dict

    def __new__(cls, msgid: str, params: dict | None = None):
        params = dict(params or {})
        text = _format(msgid, {k: render(v, "en") for k, v in params.items()}, msgid)
        obj = super().__new__(cls, text)
        obj.msgid = msgid
        obj.params = params
        return obj

    def render(self, lang: str) -> str:
        """The text in ``lang`` (``en``: the English text)."""
        return render(self, lang)

    def to_json(self) -> dict:
        """A JSON-ready form, kept in notebook outputs for annexes."""
        return {"msgid": self.msgid, "params": {k: _param_json(v) for k, v in self.params.items()}}


class Joined(Msg):
    """Texts (messages or names) joined by a separator, each rendered in the reader's language."""

    def __new__(cls, parts: list, sep: str = "; "):
        obj = str.__new__(cls, sep.join(render(p, "en") for p in parts))
        obj.msgid = ""
        obj.params = {}
        obj.parts = list(parts)
        obj.sep = sep
        return obj

    def to_json(self) -> dict:
        return {"join": [_param_json(p) for p in self.parts], "sep": self.sep}


class ByLanguage(Msg):
    """Text already written in each language (an expert's chapter): no catalog involved.

    ``drafts``, when given, is the same text for internal review (e.g. with the guiding questions
    of an unwritten chapter): a notebook shows it, a published annex shows ``texts``.
    """

    def __new__(cls, texts: dict[str, str], shown: str = "en", drafts: dict[str, str] | None = None):
        missing = [lang for lang in LANGUAGES if lang not in texts or (drafts is not None and lang not in drafts)]
        if missing:
            raise ConfigError(f"text by language lacks {', '.join(missing)}")
        obj = str.__new__(cls, (drafts or texts)[shown])
        obj.msgid = ""
        obj.params = {}
        obj.texts = dict(texts)
        obj.drafts = dict(drafts) if drafts is not None else None
        return obj

    def to_json(self) -> dict:
        return {"by_lang": self.texts} if self.drafts is None else {"by_lang": self.texts, "drafts": self.drafts}

    def draft(self) -> ByLanguage:
        """The text for internal review (itself when it has no draft form)."""
        return self if self.drafts is None else ByLanguage(self.drafts)


def by_language(texts: dict[str, str], shown: str = "en", drafts: dict[str, str] | None = None) -> ByLanguage:
    """Text given in every language of :data:`LANGUAGES`; ``shown`` is the one a notebook displays.

    With ``drafts`` (the same text for internal review, in every language) a notebook displays the
    draft and a published annex the text; ``workbench annex --draft`` shows the drafts.
    """
    return ByLanguage(texts, shown, drafts)


def join(parts: list, sep: str = "; ") -> Joined:
    """Join texts without losing their translations (``"; ".join`` would keep only the English)."""
    return Joined(parts, sep)


def T(msgid: str, **params) -> Msg:  # noqa: N802 - the gettext-style marker the extractor looks for
    """Mark ``msgid`` for translation, with its parameters (see :class:`Msg`)."""
    return Msg(msgid, params)


def source_words(text: str) -> Msg:
    """A note kept in English (a publisher's words, or a reader's record of how a value was made):
    French and Arabic annexes quote it and say it is in English.

    The registry and the tidy tables keep such notes as written; they have no translation path, so
    the note is quoted and marked rather than left to pass for a sentence of the annex's language.
    """
    return T("{source_words}", source_words=text)


def render(value, lang: str) -> str:
    """Render a text, message or parameter in ``lang``.

    Raises
    ------
    MissingTranslation
        If a message or label has no translation in ``lang``.
    """
    if isinstance(value, Joined):
        return value.sep.join(render(p, lang) for p in value.parts)
    if isinstance(value, ByLanguage):
        return value.texts[lang]
    if isinstance(value, Msg):
        template = translate(value.msgid, lang)
        return _format(template, {k: render(v, lang) for k, v in value.params.items()}, value.msgid)
    if isinstance(value, Num):
        return format_number(value.value, value.unit, lang, value.decimals)
    if isinstance(value, Date):
        return format_date(value.iso, lang)
    if isinstance(value, Label):
        return translate(value.text, lang)
    if isinstance(value, Country):
        return country_name(value.code, lang)
    if isinstance(value, dict):
        return render(from_json(value), lang)
    if all(hasattr(value, a) for a in LANGUAGES):
        return str(getattr(value, lang))
    if isinstance(value, str):
        # a name given as a parameter: publishers' marks dropped ('Amman [Admin 1]'), a network city
        # or a country in the reader's language ('Syrian Arab Rep.' → 'Syria', 'Syrie', 'سوريا'), a
        # publisher's geography qualifier translated ('Madrid (greater city)' → 'Madrid (ville élargie)')
        base, qualifier = split_qualifier(display_place(value))
        if qualifier and lang != "en":
            return _format(translate("{place} ({geography})", lang),
                           {"place": place_name(base, lang), "geography": translate(qualifier, lang)}, "{place} ({geography})")
        return place_name(value, lang)
    return str(value)


def render_text(value, lang: str, where: str) -> str:
    """Render a text an annex shows (caption, note, paragraph): a plain string must be a catalog entry.

    Parameters
    ----------
    value
        A :class:`Msg`, its JSON form, or a plain English string.
    lang
        Target language.
    where
        Named in the error (e.g. the notebook and exhibit).
    """
    try:
        if isinstance(value, (Msg, dict)):
            return render(value, lang)
        return translate(str(value), lang)
    except MissingTranslation as exc:
        raise MissingTranslation(f"{where}: {exc}") from None


def translate(msgid: str, lang: str) -> str:
    """The catalog's translation of ``msgid`` (English returns ``msgid``)."""
    if lang == "en":
        return msgid
    if lang not in LANGUAGES:
        raise ConfigError(f"unknown language '{lang}'; allowed: {', '.join(LANGUAGES)}")
    text = catalog(lang).get(msgid)
    if not text:
        preview = msgid if len(msgid) <= 120 else msgid[:117] + "..."
        raise MissingTranslation(
            f"no {lang} translation of {preview!r} in {paths.shown(catalog_path(lang))} "
            "(run `make catalogs` to add it to the catalogs, then translate it)"
        )
    return text


def has_translation(msgid: str, lang: str) -> bool:
    """Whether ``msgid`` can be shown in ``lang``."""
    return lang == "en" or bool(catalog(lang).get(msgid))


def catalog_path(lang: str) -> Path:
    """The ``.po`` file of a language."""
    return paths.PACKAGE_DIR / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=None)
def catalog(lang: str) -> dict[str, str]:
    """msgid → msgstr of a language's catalog (fuzzy and empty entries left out)."""
    from babel.messages.pofile import read_po

    path = catalog_path(lang)
    if not path.is_file():
        raise ConfigError(f"{path}: no catalog for language '{lang}'")
    with path.open("rb") as handle:
        po = read_po(handle, locale=LOCALES[lang].split("_")[0])
    return {m.id: m.string for m in po if m.id and m.string and not m.fuzzy and isinstance(m.id, str)}


def from_json(payload: dict) -> Msg | Num | Label | Country | str:
    """The inverse of :meth:`Msg.to_json` (and of a parameter's JSON form)."""
    if "by_lang" in payload:
        return ByLanguage(payload["by_lang"], drafts=payload.get("drafts"))
    if "join" in payload:
        return Joined([from_json(p) if isinstance(p, dict) else p for p in payload["join"]], payload.get("sep", "; "))
    if "date" in payload:
        return Date(payload["date"])
    if "msgid" in payload:
        return Msg(payload["msgid"], {k: from_json(v) if isinstance(v, dict) else v for k, v in payload.get("params", {}).items()})
    if "num" in payload:
        return Num(payload["num"], payload.get("unit", "persons"), payload.get("decimals"))
    if "label" in payload:
        return Label(payload["label"])
    if "country" in payload:
        return Country(payload["country"])
    if "names" in payload:
        return _Names(**payload["names"])
    raise ValueError(f"not a message: {json.dumps(payload)[:120]}")


def to_json(value) -> dict | str:
    """A text for notebook metadata: a message's JSON form, or the plain string."""
    return value.to_json() if isinstance(value, Msg) else str(value)


@dataclass(frozen=True)
class _Names:
    en: str
    fr: str
    ar: str


def _param_json(value):
    if isinstance(value, Msg):
        return value.to_json()
    if isinstance(value, Num):
        return {"num": value.value, "unit": value.unit, **({"decimals": value.decimals} if value.decimals is not None else {})}
    if isinstance(value, Date):
        return {"date": value.iso}
    if isinstance(value, Label):
        return {"label": value.text}
    if isinstance(value, Country):
        return {"country": value.code}
    if all(hasattr(value, a) for a in LANGUAGES):
        return {"names": {a: str(getattr(value, a)) for a in LANGUAGES}}
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return str(value)


def _format(template: str, params: dict, msgid: str) -> str:
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError) as exc:
        raise ConfigError(f"message {msgid!r}: translation {template!r} does not fit its parameters ({exc})") from None


def check_document_language(html: str, lang: str, target) -> None:
    """A writer's language must be an annex language and match the HTML's own ``lang`` attribute.

    Raises
    ------
    WorkbenchError
        Naming ``target``.
    """
    if lang not in LANGUAGES:
        raise WorkbenchError(f"{target}: unknown annex language {lang!r}: use one of {sorted(LANGUAGES)}")
    match = re.search(r"<html\b[^>]*\blang=[\"']?([A-Za-z]+)", html[:2000], re.IGNORECASE)
    if match and match.group(1).lower() != lang:
        raise WorkbenchError(f"{target}: the HTML says lang={match.group(1)!r} but the writer was asked for {lang!r}")


def show(text) -> None:
    """Display Markdown in a notebook and keep its message for annexes (plain text: shown as is)."""
    from IPython.display import Markdown, display

    display(Markdown(str(text)), metadata={"workbench_text": to_json(text)} if isinstance(text, Msg) else None)


def fields(msgid: str) -> set[str]:
    """The ``{name}`` fields of a message (a translation must use the same ones)."""
    return {name for _, name, _, _ in string.Formatter().parse(msgid) if name}
