"""Statistics with uncertainty: trends of a series with confidence intervals (statsmodels)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.regression.linear_model import OLS
from statsmodels.tools.tools import add_constant

from workbench.reference.columns import CI_HIGH, CI_LOW, GROWTH, REFERENCE_DATE
from workbench.reference.i18n import T

#: Fewer dates than this give no trend: an interval from three points says little.
MIN_POINTS = 4

#: Column of :func:`trend_table`: True where a value of the series is flagged ``b`` (a boolean:
#: what is shown, "yes" or "no", is made by :func:`shown` and never read back).
BREAK = "break in series"

#: What a trend's interval is, for the table note and the synopsis: register counts are not a
#: sample, so the interval measures how well a straight line on the log scale fits the dates.
INTERVAL_NOTE = T(
    "The interval is the uncertainty of the fitted average growth: how far the yearly counts stray from a steady "
    "trend. The counts are registers or censuses, not samples, so it is not a sampling error, and an interval that "
    "does not include zero does not prove that the population changed beyond its year-to-year fluctuation."
)


@dataclass(frozen=True)
class Trend:
    """Average annual growth of a series from a log-linear fit, with its 95 % interval."""

    growth: float  #: % per year
    low: float
    high: float
    points: int
    first: str
    last: str


def log_linear_trend(dates: pd.Series, values: pd.Series, level: float = 0.95) -> Trend | None:
    """Fit log(value) = a + b·t by least squares; growth = exp(b) − 1 with its confidence interval.

    Parameters
    ----------
    dates
        ISO dates of the observations.
    values
        Positive counts.
    level
        Confidence level of the interval.

    Returns
    -------
    Trend or None
        None when there are fewer than :data:`MIN_POINTS` positive values.
    """
    frame = pd.DataFrame({"date": pd.to_datetime(dates.to_numpy()), "value": values.to_numpy(dtype=float)})
    frame = frame[frame["value"] > 0].sort_values("date")
    if len(frame) < MIN_POINTS:
        return None
    dates_ = frame["date"].dt
    years = (dates_.year + (dates_.day_of_year - 1) / np.where(dates_.is_leap_year, 366, 365)).to_numpy(dtype=float)
    years = years - years[0]
    fit = OLS(np.log(frame["value"].to_numpy()), add_constant(years)).fit()
    low, high = fit.conf_int(alpha=1 - level)[1]
    slope = fit.params[1]
    return Trend(
        growth=100 * float(np.expm1(slope)),
        low=100 * float(np.expm1(low)),
        high=100 * float(np.expm1(high)),
        points=len(frame),
        first=frame["date"].iloc[0].date().isoformat(),
        last=frame["date"].iloc[-1].date().isoformat(),
    )


def trend_table(series: pd.DataFrame) -> pd.DataFrame:
    """Trends of every series of a migrant-series table (one per place, definition and source).

    Parameters
    ----------
    series
        Table from :func:`workbench.analysis.profile_tables.migrant_series` (columns place, definition,
        reference date, persons, source, flag).

    Returns
    -------
    pandas.DataFrame
        Columns: place, definition, from, to, dates, growth (% per year), 95% CI low, 95% CI
        high, :data:`BREAK` (bool). Breaks (flag ``b``) are reported, not corrected.
    """
    columns = ["place", "definition", "from", "to", "dates", GROWTH, CI_LOW, CI_HIGH, BREAK]
    rows = []
    for (place, definition, _), group in series.groupby(["place", "definition", "source"], sort=True):
        trend = log_linear_trend(group[REFERENCE_DATE], group["persons"])
        if trend is None:
            continue
        rows.append(
            {
                "place": place,
                "definition": definition,
                "from": trend.first,
                "to": trend.last,
                "dates": trend.points,
                GROWTH: trend.growth,
                CI_LOW: trend.low,
                CI_HIGH: trend.high,
                BREAK: bool(group["flag"].str.contains("b").any()),
            }
        )
    return pd.DataFrame(rows, columns=columns).astype({BREAK: bool})


def shown(trends: pd.DataFrame) -> pd.DataFrame:
    """The trend table as the profile shows it: :data:`BREAK` as the labels "yes" or "no".

    Parameters
    ----------
    trends
        From :func:`trend_table`.
    """
    return trends.assign(**{BREAK: trends[BREAK].map({True: "yes", False: "no"})})
