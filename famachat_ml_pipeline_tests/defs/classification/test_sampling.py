"""The training-sample cap: sampled_as_of_dates keeps campaigns x dates within MAX_TRAINING_SAMPLES."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from famachat_ml_pipeline.defs.classification.assets import MAX_TRAINING_SAMPLES, sampled_as_of_dates

D0 = dt.date(2026, 1, 1)


def _dates(n: int) -> list[dt.date]:
    return [D0 + dt.timedelta(days=i) for i in range(n)][::-1]  # newest first, as training_as_of_dates


@pytest.mark.parametrize("n_dates", [1, 7, 70, 100])
@pytest.mark.parametrize("campaigns", [1, 500, 11_873, 13_994, 17_800, 21_000, 59_999, 60_001, 119_999])
def test_cap_holds_with_the_fewest_dates_dropped(n_dates: int, campaigns: int) -> None:
    dates = _dates(n_dates)
    picked = sampled_as_of_dates(dates, campaigns)
    assert picked == sorted(picked) and picked[-1] == dates[0]  # the newest day is always kept
    assert len(picked) * campaigns <= MAX_TRAINING_SAMPLES
    step = (picked[1] - picked[0]).days if len(picked) > 1 else n_dates
    if step > 1:  # a smaller step would break the cap
        assert math.ceil(n_dates / (step - 1)) * campaigns > MAX_TRAINING_SAMPLES


def test_the_old_rounding_overshot() -> None:
    # 17,800 campaigns x 100 days: k = ceil(100 * 17,800 / 120k) = 15 kept 7 dates, 124,600 samples.
    picked = sampled_as_of_dates(_dates(100), 17_800)
    assert len(picked) == 6 and len(picked) * 17_800 <= MAX_TRAINING_SAMPLES


def test_a_fleet_past_the_cap_still_gets_one_date() -> None:
    assert sampled_as_of_dates(_dates(100), 200_000) == [_dates(100)[0]]
