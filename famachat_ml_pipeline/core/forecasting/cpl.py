"""Daily CPL derived from the spend and leads forecasts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from famachat_ml_pipeline.core.forecasting.common import MatrixForecast


@dataclass(frozen=True)
class CplForecast:
    point: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    low_volume: np.ndarray  # (n, h) expected leads < 1 that day
    defined: np.ndarray  # (n, h) False when no spend is expected: no CPL row


def derive_cpl(
    spend: MatrixForecast,
    leads: MatrixForecast,
    spend_wide: MatrixForecast | None = None,
    leads_wide: MatrixForecast | None = None,
) -> CplForecast:
    """Daily CPL from the spend and leads forecasts, never from a ratio of noisy daily values.

    Rule:
    - point = expected spend / max(expected leads, 1). With >= 1 expected lead this is the ratio of the
      expected values. Below one expected lead a daily CPL exists only on a day that does get a lead,
      almost always a single one, so its CPL is that day's spend; such days are flagged `low_volume`.
    - bounds combine the components' bounds: lower = spend_lower / max(leads_upper, 1) and upper =
      spend_upper / max(leads_lower, 1). Passing component forecasts made at level 1 - (1 - level)/2
      (`*_wide`) makes it a Bonferroni interval: if each component is covered with probability
      1 - alpha/2, the CPL of a day with at least one lead is covered with probability >= 1 - alpha.
    - no expected spend (a stopped campaign): there is no cost to divide, `defined` is False and
      `forecast_fleet` drops the row rather than write a CPL of 0. All values are finite: the
      denominators are >= 1.
    """
    sw = spend_wide or spend
    lw = leads_wide or leads
    denom = np.maximum(leads.point, 1.0)
    point = spend.point / denom
    lower = sw.lower / np.maximum(lw.upper, 1.0)
    upper = sw.upper / np.maximum(lw.lower, 1.0)
    lower, upper = np.minimum(lower, point), np.maximum(upper, point)
    defined = spend.point > 0
    return CplForecast(point, lower, upper, leads.point < 1.0, defined)
