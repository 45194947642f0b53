"""The demo's default last day is the pipeline's latest complete day, on clocks where the two could part:
around São Paulo's midnight (03:00 UTC), at a year's and a month's turn. Most tests take the demo's dates
from the real clock (CI runs at any hour), so this rule is what keeps their runs on the demo's last day."""

from __future__ import annotations

import datetime as dt

import pytest

from famachat_ml_pipeline.demo.generator import default_end_date, generate_demo
from famachat_ml_pipeline.source.clean import latest_complete_day

UTC = dt.UTC
CLOCKS = [
    # (UTC instant, the day before São Paulo's date then)
    (dt.datetime(2026, 12, 1, 2, 59, tzinfo=UTC), dt.date(2026, 11, 29)),  # still Nov 30 in São Paulo
    (dt.datetime(2026, 12, 1, 3, 0, tzinfo=UTC), dt.date(2026, 11, 30)),  # Dec 1 there too
    (dt.datetime(2027, 1, 1, 2, 30, tzinfo=UTC), dt.date(2026, 12, 30)),  # a new year in UTC only
    (dt.datetime(2027, 1, 1, 3, 10, tzinfo=UTC), dt.date(2026, 12, 31)),
    (dt.datetime(2027, 3, 1, 3, 10, tzinfo=UTC), dt.date(2027, 2, 28)),  # February's last day
    (dt.datetime(2028, 3, 1, 2, 0, tzinfo=UTC), dt.date(2028, 2, 28)),  # a leap year: Feb 29 is today there
]


@pytest.mark.parametrize(("now", "expected"), CLOCKS, ids=[c[0].isoformat() for c in CLOCKS])
def test_the_default_end_is_the_accounts_latest_complete_day(now: dt.datetime, expected: dt.date) -> None:
    zone = generate_demo(n_accounts=1, days=35, end_date=expected).campaigns["timezone_name"][0]
    assert default_end_date(now) == expected == latest_complete_day(zone, now)


def test_generate_demo_ends_on_the_default_end() -> None:
    # the real clock, read around the call: São Paulo's midnight may pass in between
    before = default_end_date()
    data = generate_demo(n_accounts=1, days=35)
    assert data.end_date in {before, default_end_date()}
