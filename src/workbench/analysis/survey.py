"""How sure are we of a survey share? Wilson intervals for the EU survey on quality of life in cities."""

from __future__ import annotations

import re
from collections.abc import Sequence
from statistics import NormalDist

import numpy as np
import pandas as pd

from workbench.errors import ConfigError, DataError
from workbench.reference.i18n import Label, Msg, T, join
from workbench.reference.origins import origin_name
from workbench.analysis.sections import Section
from workbench.reference.labels import source_refs
from workbench.reference.columns import BORN_ABROAD_SHARE, CI_HIGH, CI_LOW, NO_ANSWER_SHARE, REFERENCE_DATE, RESPONDENTS, SHARE

#: The survey's tidy table (one row per city, question and answer).
QOL_SOURCE = "ec_qol_cities_2023"

#: Survey items relevant to migrants and the services they use: (question code, label, answers
#: counted). Labels paraphrase the question text of the tidy notes; answers are the survey's codes.
QOL_ITEMS: tuple[tuple[str, Msg, tuple[str, ...]], ...] = (
    ("q3_4", T("The city is a good place to live for immigrants from other countries"), ("1",)),
    ("q3_2", T("The city is a good place to live for racial and ethnic minorities"), ("1",)),
    ("q3_1", T("The city is a good place to live for people in general (reference)"), ("1",)),
    ("q2_6", T("Most people in the city can be trusted (agree)"), ("3", "4")),
    ("q2_7", T("Most people in the neighbourhood can be trusted (agree)"), ("3", "4")),
    ("q2_5", T("It is easy to find good housing at a reasonable price (agree)"), ("3", "4")),
    ("q2_2", T("It is easy to find a good job in the city (agree)"), ("3", "4")),
    ("q1a_2", T("Satisfied with health care services, doctors and hospitals"), ("3", "4")),
    ("q1a_7", T("Satisfied with schools and other educational facilities"), ("3", "4")),
    ("q13_2", T("Local administration procedures are straightforward and easy to understand (agree)"), ("3", "4")),
    ("q13_4", T("Information and services of the local administration can be easily accessed online (agree)"), ("3", "4")),
)

#: Codes of :data:`QOL_ITEMS`, in display order.
DEFAULT_ITEMS: tuple[str, ...] = tuple(code for code, _, _ in QOL_ITEMS)

#: What the intervals do and do not account for.
INTERVAL_NOTE = T(
    "95% intervals are Wilson score intervals computed from the weighted share and the unweighted "
    "number of respondents in the city; they ignore the design effect of the survey weighting, so "
    "the true uncertainty is somewhat larger."
)

#: What the shares are shares of.
SHARE_NOTE = T(
    "Shares are weighted % of all respondents aged 15 and over in the city, 'don't know / no "
    "answer' included in the denominator; perceptions of residents, not counts of migrants."
)

_COLUMNS = ["item", "answer counted", SHARE, CI_LOW, CI_HIGH, RESPONDENTS, REFERENCE_DATE, "source"]
_BASE = re.compile(r"unweighted base:\s*(\d[\d,\s]*?)\s+respondents")
_ANSWER = re.compile(r"Answer\s+([^:|]+):\s*([^|]+?)\s*(?:\||$)")


def wilson_interval(share_pct, n, level: float = 0.95):
    """Wilson score interval of a proportion given in percent.

    Parameters
    ----------
    share_pct : float, numpy.ndarray or pandas.Series
        Observed share(s) in percent (0-100).
    n : int, float, numpy.ndarray or pandas.Series
        Number(s) of respondents the share is based on (> 0).
    level
        Confidence level, e.g. 0.95.

    Returns
    -------
    tuple
        ``(low_pct, high_pct)``: floats for scalar inputs, arrays (or Series with the index of
        ``share_pct``) otherwise, in percent.

    Raises
    ------
    DataError
        If a share lies outside 0-100 or a number of respondents is not positive.
    """
    p = np.asarray(share_pct, dtype=float) / 100
    size = np.asarray(n, dtype=float)
    if np.any((p < 0) | (p > 1)):
        raise DataError(f"wilson_interval: shares must lie within 0-100 %, got {share_pct!r}")
    if np.any(~(size > 0)):
        raise DataError(f"wilson_interval: numbers of respondents must be positive, got {n!r}")
    z = NormalDist().inv_cdf(0.5 + level / 2)
    centre = (p + z**2 / (2 * size)) / (1 + z**2 / size)
    half = z / (1 + z**2 / size) * np.sqrt(p * (1 - p) / size + z**2 / (4 * size**2))
    # at p = 0 or 1 the bound is exactly 0 or 100; floating point would leave a residue
    low = 100 * np.where(p == 0, 0.0, np.clip(centre - half, 0, 1))
    high = 100 * np.where(p == 1, 1.0, np.clip(centre + half, 0, 1))
    if isinstance(share_pct, pd.Series):
        return pd.Series(low, index=share_pct.index), pd.Series(high, index=share_pct.index)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def qol_items(local: pd.DataFrame, items: Sequence[str] = DEFAULT_ITEMS) -> Section:
    """Shares of respondents giving the counted answers to selected survey items, with intervals.

    Parameters
    ----------
    local
        A city's prepared rows (:func:`workbench.analysis.profile_tables.prepare_local`).
    items
        Question codes from :data:`QOL_ITEMS`.

    Returns
    -------
    Section
        Columns: item, answer counted, share (%), 95% CI low, 95% CI high, respondents (n),
        reference date, source. Empty when the city is not in the survey.

    Raises
    ------
    ConfigError
        If an item code is not declared in :data:`QOL_ITEMS`.
    DataError
        If a counted answer is missing or a row's note gives no unweighted base.
    """
    declared = {code: (label, answers) for code, label, answers in QOL_ITEMS}
    unknown = [code for code in items if code not in declared]
    if unknown:
        raise ConfigError(f"survey items {unknown} are not declared in workbench.analysis.survey.QOL_ITEMS; known: {', '.join(declared)}")
    rows = _survey_rows(local)
    if rows.empty or not items:
        return Section(pd.DataFrame(columns=_COLUMNS))
    out, used = [], []
    for code in items:
        label, answers = declared[code]
        chosen = rows[rows["category"].isin([f"{code}:{a}" for a in answers])]
        missing = sorted(set(answers) - set(chosen["category"].str.split(":").str[1]))
        if missing:
            raise DataError(f"{QOL_SOURCE}, {rows['place_name'].iloc[0]}: item {code!r} has no row for answer(s) {missing}")
        n = _base_of(chosen)
        used.append(chosen)
        out.append(
            {
                "item": label,
                # the survey's answer labels, as the tidy notes give them
                "answer counted": join([Label(_answer_label(note)) for note in chosen["note"]], " + "),
                SHARE: float(chosen["value"].sum()),
                RESPONDENTS: n,
                REFERENCE_DATE: chosen["ref_date"].iloc[0],
                "source": chosen["source_id"].iloc[0],
            }
        )
    table = pd.DataFrame(out)
    table[CI_LOW], table[CI_HIGH] = wilson_interval(table[SHARE], table[RESPONDENTS])
    place = rows["place_name"].iloc[0]
    respondents = T("Survey respondents in {place} ({place_id}).", place=place, place_id=rows["place_id"].iloc[0])
    notes = [respondents, SHARE_NOTE, INTERVAL_NOTE]
    return Section(table[_COLUMNS], source_refs(pd.concat(used)), notes)


def qol_born_abroad(local: pd.DataFrame) -> Section:
    """Share of survey respondents born outside the city's country (question D5), with its interval.

    The share adds every country of birth except the city's own country and 'don't know / no
    answer / refuses'; the latter is shown apart, so the true share lies between the share and
    the share plus the no-answer share.

    Parameters
    ----------
    local
        A city's prepared rows.

    Returns
    -------
    Section
        Columns: place, born abroad (%), 95% CI low, 95% CI high, no answer (%), respondents (n),
        own country answer, reference date, source. Empty when the city is not in the survey.

    Raises
    ------
    DataError
        If exactly one D5 answer does not name the city's country, or the base cannot be parsed.
    """
    columns = ["place", BORN_ABROAD_SHARE, CI_LOW, CI_HIGH, NO_ANSWER_SHARE, RESPONDENTS, "own country answer", REFERENCE_DATE, "source"]
    rows = _survey_rows(local)
    d5 = rows[rows["category"].str.startswith("d5:")]
    if d5.empty:
        return Section(pd.DataFrame(columns=columns))
    labels = d5["note"].map(_answer_label)
    country = origin_name(d5["country_iso3"].iloc[0])
    own = labels == country
    if own.sum() != 1:
        raise DataError(f"{QOL_SOURCE}, {d5['place_name'].iloc[0]}: question D5 has {int(own.sum())} answers labelled {country!r}; expected exactly one")
    no_answer = d5["category"].isin(["d5:99", "d5:999"])
    abroad = float(d5.loc[~own & ~no_answer, "value"].sum())
    n = _base_of(d5)
    low, high = wilson_interval(abroad, n)
    table = pd.DataFrame(
        [
            {
                "place": d5["place_name"].iloc[0],
                BORN_ABROAD_SHARE: abroad,
                CI_LOW: low,
                CI_HIGH: high,
                NO_ANSWER_SHARE: float(d5.loc[no_answer, "value"].sum()),
                RESPONDENTS: n,
                "own country answer": labels[own].iloc[0],
                REFERENCE_DATE: d5["ref_date"].iloc[0],
                "source": QOL_SOURCE,
            }
        ],
        columns=columns,
    )
    notes = [
        T(
            "Question D5 'In which country were you born?': respondents (aged 15 and over) born in any "
            "country other than {country}. A sample composition, not a count of the foreign-born; "
            "respondents who declined the health and birth-country questions are in 'no answer'.",
            country=country,
        ),
        INTERVAL_NOTE,
    ]
    return Section(table, [QOL_SOURCE], notes)


def _survey_rows(local: pd.DataFrame) -> pd.DataFrame:
    rows = local[(local["source_id"] == QOL_SOURCE) & (local["indicator_id"] == "survey_share")]
    places = rows["place_id"].unique()
    if len(places) > 1:
        raise DataError(f"{QOL_SOURCE}: rows of several survey cities {sorted(places)} given; pass one city's rows")
    return rows


def _base_of(rows: pd.DataFrame) -> int:
    # every answer of one question shares the question's unweighted base
    bases = set()
    for index, note in zip(rows.index, rows["note"]):
        match = _BASE.search(str(note))
        if match is None:
            raise DataError(f"{QOL_SOURCE}, row {index} ({rows.at[index, 'category']}): no 'unweighted base: N respondents' in the note {note!r}")
        bases.add(int(re.sub(r"[,\s]", "", match.group(1))))
    if len(bases) != 1:
        raise DataError(f"{QOL_SOURCE}: answers {list(rows['category'])} have different unweighted bases {sorted(bases)}")
    return bases.pop()


def _answer_label(note: str) -> str:
    match = _ANSWER.search(str(note))
    return match.group(2) if match else str(note)
