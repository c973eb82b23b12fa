"""Statistics with uncertainty: trends of a series with confidence intervals (statsmodels)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.regression.linear_model import OLS
from statsmodels.tools.tools import add_constant

from workbench.reference.columns import CI_HIGH, CI_LOW, GROWTH, REFERENCE_DATE

#: Fewer dates than this give no trend: an interval from three points says little.
MIN_POINTS = 4


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
        high, break in series. Breaks (flag ``b``) are reported, not corrected.
    """
    columns = ["place", "definition", "from", "to", "dates", GROWTH, CI_LOW, CI_HIGH, "break in series"]
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
                "break in series": "yes" if group["flag"].str.contains("b").any() else "no",
            }
        )
    return pd.DataFrame(rows, columns=columns)
