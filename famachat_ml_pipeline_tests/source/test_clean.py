"""The dirty-row catalogue of the source contract, lead resolution, zero days and restatements (pure)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal, assert_series_equal

from famachat_ml_pipeline.demo.generator import generate_demo
from famachat_ml_pipeline.source.clean import (
    EARLIEST_AD_DAY,
    _resolve_rows,
    clean_insights,
    combine_reads,
    leads_from_actions,
)
from famachat_ml_pipeline_tests.source.rows import (
    AS_OF,
    D1,
    D2,
    D3,
    INSIGHT_SCHEMA,
    NOW,
    START,
    campaigns,
    clean,
    day,
    insight,
)


def test_missing_day_is_a_zero_day_not_a_gap() -> None:
    r = clean([insight(1, D1), insight(2, D3)])
    assert r.daily.height == 3
    gap = day(r, D2)
    assert (gap["spend"], gap["impressions"], gap["leads"], gap["has_row"]) == (0.0, 0, 0, False)
    assert r.rows_set_aside == 0


def test_a_copy_of_the_used_row_is_superseded_and_one_with_other_figures_conflicting() -> None:
    """A copy loses nothing; an older row with other figures is a conflict the latest row settles by a
    guess, counted apart (the set-aside check counts it, not the copies)."""
    r = clean(
        [
            insight(1, D3),
            insight(2, D3, updated_at="2026-03-11 05:00:00+00"),  # the same figures, earlier
            insight(3, D2, updated_at="2026-03-11 05:00:00+00"),
            insight(4, D2, leads=3),  # the latest, with another figure
            insight(5, D1, clicks=21),
            insight(6, D1),  # the same instant, the higher id: used
        ]
    )
    assert r.rejected == {"duplicate_superseded": 1, "duplicate_conflicting": 2}
    assert (day(r, D1)["clicks"], day(r, D2)["leads"], r.rows_used) == (20, 3, 3)


def test_latest_updated_at_wins_a_duplicate() -> None:
    r = clean([insight(1, D3, spend=99.0, updated_at="2026-03-11 09:00:00+00"), insight(2, D3, spend=10.0)])
    assert day(r, D3)["spend"] == 99.0
    assert r.rejected == {"duplicate_conflicting": 1}  # the older row had other figures


@pytest.mark.parametrize(
    ("actions", "leads"),
    [
        # aliases of the same conversions are never summed: precedence picks one
        (
            '[{"action_type":"lead","value":"3"},'
            '{"action_type":"onsite_conversion.lead_grouped","value":"3"}]',
            3,
        ),
        (
            '[{"action_type": "leadgen_grouped", "value": "4"}, '
            '{"action_type": "offsite_conversion.fb_pixel_lead", "value": "5"}]',
            5,
        ),
        ('[{"action_type":"omni_lead","value":"7"},{"action_type":"link_click","value":"40"}]', 7),
        ('[{"value": "2", "action_type": "onsite_web_lead"}]', 2),  # non-canonical key order: slow path
        ('[{"action_type":"link_click","value":"40"}]', 0),  # a list with no lead action: zero leads
    ],
)
def test_leads_resolved_from_actions_by_precedence(actions: str, leads: int) -> None:
    r = clean([insight(1, D3, leads=None, actions=actions)])
    assert day(r, D3)["leads"] == leads
    assert r.rows_set_aside == 0


def test_leads_column_wins_over_actions() -> None:
    r = clean([insight(1, D3, leads=1, actions='[{"action_type":"lead","value":"9"}]')])
    assert day(r, D3)["leads"] == 1


@pytest.mark.parametrize(
    ("over", "reason"),
    [
        ({"spend": -5.0}, "negative_metric"),
        ({"leads": -1}, "negative_metric"),
        ({"impressions": None}, "null_metric"),
        ({"spend": None}, "null_metric"),
        ({"leads": None, "actions": "not json"}, "bad_actions"),
        ({"leads": None, "actions": '{"action_type": "lead", "value": "1"}'}, "bad_actions"),
        ({"leads": None, "actions": '[{"action_type": "lead", "value": "três"}]'}, "bad_actions"),
        ({"leads": None, "actions": '[{"action_type": "lead"}]'}, "bad_actions"),
        ({"leads": None, "actions": None}, "leads_unknown"),
        ({"date_stop": D3 + dt.timedelta(days=6)}, "not_daily"),
    ],
)
def test_bad_rows_are_set_aside_and_their_day_is_unknown_not_zero(over: dict, reason: str) -> None:
    r = clean([insight(1, D1), insight(2, D3, **over)])
    assert r.rejected == {reason: 1}
    bad_day = day(r, D3)
    assert bad_day["spend"] is None and bad_day["leads"] is None  # null, never silently zero
    assert day(r, D2)["spend"] == 0.0  # a real missing day is still a zero day
    assert r.reject_examples[0]["reason"] == reason


def test_future_dates_and_orphans_are_set_aside_and_the_provisional_day_ignored() -> None:
    rows = [
        insight(1, D3),
        insight(2, AS_OF + dt.timedelta(days=1)),  # today in São Paulo: provisional, out of scope
        insight(3, AS_OF + dt.timedelta(days=3)),  # in the future
        insight(4, D3, campaign_id="999"),  # no such campaign
    ]
    r = clean(rows)
    assert r.rejected == {"future_date": 1, "orphan_campaign": 1}
    assert r.daily["date"].max() == AS_OF
    assert r.daily["campaign_id"].unique().to_list() == ["111"]


def test_budget_is_converted_from_minor_units_by_currency() -> None:
    brl = clean([insight(1, D3)], campaigns(daily_budget=5000))
    clp = clean([insight(1, D3)], campaigns(daily_budget=5000, currency="CLP"))
    assert day(brl, D3)["daily_budget"] == 50.0
    assert day(clp, D3)["daily_budget"] == 5000.0


def test_dense_frame_starts_at_creation_but_not_before_the_account_is_synced() -> None:
    camps = pl.concat(
        [
            campaigns(created_time="2026-03-08 12:00:00+00"),
            campaigns(campaign_id="222", created_time="2026-01-01 12:00:00+00"),
        ]
    )
    # the account's first synced row is D1: 111 (created D1, first delivery D3) has zero days before D3
    r = clean([insight(1, D3), insight(2, D1, campaign_id="222")], camps)
    a = r.daily.filter(pl.col("campaign_id") == "111")
    assert a["date"].to_list() == [D1, D2, D3] and a["spend"].to_list() == [0.0, 0.0, 10.0]
    # 222 was created long before, but nothing says FamaChat synced it then: no invented zeros
    assert r.daily.filter(pl.col("campaign_id") == "222")["date"].min() == D1


def test_nan_spend_and_unknown_timezone_do_not_slip_through() -> None:
    r = clean([insight(1, D1), insight(2, D3, spend=float("nan"))], campaigns(timezone_name="GMT-3"))
    assert r.rejected == {"null_metric": 1}
    assert day(r, D3)["spend"] is None


def test_a_campaign_without_a_timezone_is_in_the_default_zone_not_an_orphan() -> None:
    # a real table may lack the contract's NOT NULL: its rows were all set aside as `orphan_campaign`
    camps = campaigns(timezone_name=None).cast({"timezone_name": pl.String})  # text, as the reader's
    r = clean([insight(1, D1), insight(2, D3)], camps)
    assert r.rejected == {} and r.rows_used == 2
    assert r.daily["timezone_name"].unique().to_list() == ["America/Sao_Paulo"]


@pytest.mark.parametrize(
    ("over", "budget", "status"),
    [
        ({"daily_budget": -5000}, None, "ACTIVE"),  # negative: unknown
        ({"daily_budget": 9 * 10**18}, None, "ACTIVE"),  # above any day's plausible spend: unknown
        ({"daily_budget": 10**13}, 1e11, "ACTIVE"),  # MAX_DAILY_SPEND itself is kept
        ({"status": " active", "effective_status": "paused"}, 50.0, "ACTIVE"),
    ],
)
def test_campaign_attributes_are_normalised_or_unknown(over: dict, budget: float | None, status: str) -> None:
    r = clean([insight(1, D3)], campaigns(**over))
    row = day(r, D3)
    assert (row["daily_budget"], row["status"]) == (budget, status)
    assert row["effective_status"] == over.get("effective_status", "active").upper()
    assert r.rejected == {} and row["spend"] == 10.0  # the insights are used as they are


def test_empty_actions_list_is_zero_leads_and_key_order_does_not_matter() -> None:
    rows = [
        insight(1, D1, leads=None, actions="[]"),
        insight(
            2,
            D2,
            leads=None,
            actions='[{"value": "9", "action_type": "omni_lead"}, {"value": "3", "action_type": "lead"}]',
        ),
    ]
    r = clean(rows + [insight(3, D3)])
    assert r.rows_set_aside == 0
    assert [day(r, d)["leads"] for d in (D1, D2)] == [0, 3]


BIGINT_MAX = 2**63 - 1


@pytest.mark.parametrize(
    ("over", "reason"),
    [
        # defect 1: values that crashed the read (inf, a strict cast) are set aside instead
        ({"leads": None, "actions": '[{"action_type": "lead", "value": "Infinity"}]'}, "bad_actions"),
        ({"leads": None, "actions": '[{"action_type": "lead", "value": "1e400"}]'}, "bad_actions"),
        ({"leads": None, "actions": '[{"action_type": "lead", "value": 1e400}]'}, "bad_actions"),
        ({"leads": None, "actions": '[{"action_type": "lead", "value": "1e30"}]'}, "bad_actions"),
        ({"leads": None, "actions": '[{"action_type": "lead", "value": 1e30}]'}, "implausible_value"),
        (
            {"leads": None, "actions": '[{"action_type":"lead","value":"12345678901234567890123"}]'},
            "implausible_value",
        ),
        ({"leads": None, "actions": '[{"action_type":"lead","value":"NaN"}]'}, "bad_actions"),
        ({"leads": None, "actions": '[{"action_type":"lead","value":NaN}]'}, "bad_actions"),
        ({"leads": None, "actions": "[" * 5000 + "]" * 5000}, "bad_actions"),  # deeper than json recurses
        ({"date_start": None, "date_stop": None}, "bad_date"),
        # defect 11: not numbers, whatever Python's float() would say
        ({"leads": None, "actions": '[{"action_type": "lead", "value": true}]'}, "bad_actions"),
        ({"leads": None, "actions": '[{"action_type": "lead", "value": "1_000"}]'}, "bad_actions"),
        ({"leads": None, "actions": '[{"action_type": "lead", "value": " 3"}]'}, "bad_actions"),
        ({"leads": None, "actions": '[{"action_type": "lead", "value": "٣"}]'}, "bad_actions"),  # Arabic 3
        ({"leads": None, "actions": '[{"action_type": "lead", "value": null}]'}, "bad_actions"),
        # defect 9: above the per-campaign-day bounds
        ({"impressions": BIGINT_MAX}, "implausible_value"),
        ({"clicks": 10**10 + 1}, "implausible_value"),
        ({"leads": 10**7 + 1}, "implausible_value"),
        ({"spend": float("inf")}, "implausible_value"),
        ({"spend": 2e11}, "implausible_value"),
    ],
)
def test_odd_values_are_set_aside_under_a_reason(over: dict, reason: str) -> None:
    r = clean([insight(1, D1), insight(2, D3, **over)])
    assert r.rejected == {reason: 1}
    assert (r.rows_read, r.rows_used) == (2, 1)


def test_values_at_the_bounds_are_used() -> None:
    rows = [
        insight(1, D1, impressions=10**10, clicks=10**10, reach=10**10, leads=10**7, spend=1e11),
        insight(2, D3, leads=None, actions='[{"action_type": "lead", "value": "10000000"}]'),
        insight(3, D2, leads=None, actions='[{"action_type": "lead", "value": 4}]'),  # a JSON number
    ]
    r = clean(rows)
    assert r.rejected == {}
    assert [day(r, d)["leads"] for d in (D1, D2, D3)] == [10**7, 4, 10**7]


def test_two_days_at_bigint_max_never_wrap_a_sum() -> None:
    r = clean(
        [insight(1, D1, impressions=BIGINT_MAX), insight(2, D2, impressions=BIGINT_MAX), insight(3, D3)]
    )
    assert r.rejected == {"implausible_value": 2}
    assert r.daily["impressions"].sum() == 1000


def test_latest_instant_wins_a_duplicate_whatever_the_offsets() -> None:
    """Text order is not time order: 09:00-03 (12:00 UTC) is newer than 10:00+00."""
    rows = [
        insight(1, D3, spend=11.0, updated_at="2026-03-11 10:00:00+00"),
        insight(2, D3, spend=22.0, updated_at="2026-03-11 09:00:00-03"),
        insight(3, D2, spend=33.0, updated_at="2026-03-11 10:00:00.5"),  # no offset (SQLite): UTC
        insight(4, D2, spend=44.0, updated_at="2026-03-11T10:00:01+00:00"),
    ]
    r = clean(rows)
    assert r.rejected == {"duplicate_conflicting": 2}
    assert (day(r, D3)["spend"], day(r, D2)["spend"]) == (22.0, 44.0)


def test_dates_as_text_are_parsed_and_impossible_ones_set_aside() -> None:
    """The reader hands dates over as text; `infinity` or year 12026 must not fail the whole frame."""
    rows = [insight(1, D1), insight(2, D3), insight(3, D2), insight(4, D2)]
    frame = pl.DataFrame(rows, schema=INSIGHT_SCHEMA).with_columns(
        pl.col("date_start", "date_stop").cast(pl.String)
    )
    frame = frame.with_columns(
        date_start=pl.Series(["2026-03-08", "2026-03-10", "infinity", "12026-03-09"]),
    )
    r = clean_insights(campaigns(), frame, as_of=AS_OF, start=START, now=NOW)
    assert r.rejected == {"bad_date": 2}
    assert r.rows_used == 2


def test_leads_from_actions_resolves_each_distinct_string_as_row_by_row() -> None:
    """Resolving distinct strings once and joining back gives, row for row, what resolving every row
    gives (`_resolve_rows`, the row-by-row resolution), nulls and repeats included."""
    values = [
        '[{"action_type": "lead", "value": "3"}]',
        None,
        '[{"value": "2", "action_type": "onsite_web_lead"}]',
        '{"action_type": "lead"}',
        '[{"action_type": "lead", "value": "três"}]',
        "[]",
        '[{"action_type": "lead", "value": "99999999999"}]',
        '[{"action_type":"link_click","value":"40"}]',
    ]
    actions = pl.Series("actions", [values[i % len(values)] for i in range(7 * len(values) + 3)][::-1])
    leads, reason = leads_from_actions(actions)
    ref_leads, ref_reason = _resolve_rows(actions)
    assert_series_equal(leads, ref_leads, check_exact=True)
    assert_series_equal(reason, ref_reason, check_exact=True)
    assert leads.len() == actions.len()


@pytest.mark.parametrize("seed", [1, 2])
def test_cleanings_of_disjoint_accounts_combine_into_the_cleaning_of_all(seed: int) -> None:
    """clean_insights never looks across accounts: cleaned apart and combined, the demo's rows (dirty ones
    too, days before the window and in the future) give exactly the frame and counts of one cleaning."""
    data = generate_demo(n_accounts=9, days=100, seed=seed, end_date=dt.date(2026, 3, 31))
    campaigns = data.campaigns.with_columns(pl.col("created_time").cast(pl.String))
    insights = data.insights.with_row_index("id").with_columns(
        pl.col("id").cast(pl.Int64), pl.col("updated_at").cast(pl.String)
    )
    now = dt.datetime(2026, 4, 1, 15, tzinfo=dt.UTC)
    args = {"as_of": dt.date(2026, 3, 31), "start": dt.date(2026, 1, 15), "now": now}
    whole = clean_insights(campaigns, insights, **args)
    groups = [[7, 2, 9], [4], [1, 8, 3, 6], [5]]  # not in config_id order, as a sample's draw
    of = lambda frame, g: frame.filter(pl.col("config_id").is_in(g))  # noqa: E731
    parts = [clean_insights(of(campaigns, g), of(insights, g), **args) for g in groups]
    got = combine_reads(parts)
    assert_frame_equal(got.daily, whole.daily, check_exact=True)
    assert len(whole.rejected) >= 6 and whole.rows_outside_window > 0
    assert (got.rows_read, got.rejected, got.rows_used, got.rows_outside_window, got.all_set_aside) == (
        whole.rows_read,
        whole.rejected,
        whole.rows_used,
        whole.rows_outside_window,
        whole.all_set_aside,
    )
    assert sorted({e["reason"] for e in got.reject_examples}) == sorted(whole.rejected)


def test_a_day_before_any_ad_could_run_is_a_bad_date() -> None:
    """Year 1 or 1970 (an epoch zero) is a sync bug, not an insight: set aside and counted."""
    rows = [insight(1, D1), insight(2, D3), insight(3, D2), insight(4, D2)]
    frame = pl.DataFrame(rows, schema=INSIGHT_SCHEMA).with_columns(
        date_start=pl.Series([D1, D3, dt.date(1, 1, 1), dt.date(1970, 1, 1)]),
        date_stop=pl.Series([D1, D3, dt.date(1, 1, 1), dt.date(1970, 1, 1)]),
    )
    r = clean_insights(campaigns(), frame, as_of=AS_OF, start=dt.date(1, 1, 1), now=NOW)
    assert r.rejected == {"bad_date": 2}
    assert r.rows_used == 2
    launch = insight(5, EARLIEST_AD_DAY)
    kept = clean_insights(
        campaigns(),
        pl.DataFrame([launch], schema=INSIGHT_SCHEMA),
        as_of=AS_OF,
        start=dt.date(1, 1, 1),
        now=NOW,
    )
    assert (kept.rejected, kept.rows_used) == ({}, 1)  # the launch day itself is a day ads ran


def test_accounts_whose_every_row_is_malformed_are_named_with_their_rows_set_aside() -> None:
    """The accounts whose stored results a run keeps (defs/shared/account_run.py): no row used, because
    the rows were malformed. Not an account whose campaigns are gone (orphans: its advice retires), one
    with a good row, nor one without rows."""
    camps = pl.concat([campaigns(config_id=c, campaign_id=f"{c}11") for c in (1, 2, 4, 5, 6, 7)])
    future = AS_OF + dt.timedelta(days=5)
    rows = [
        insight(1, D1, config_id=1, campaign_id="111"),
        insight(2, D1, config_id=2, campaign_id="211", spend=None),
        insight(3, D2, config_id=2, campaign_id="211", impressions=-1),
        insight(4, D1, config_id=3, campaign_id="311"),  # orphan: no campaign 311
        insight(5, D1, config_id=4, campaign_id="411", date_stop=D2),  # not daily
        insight(6, future, config_id=4, campaign_id="411"),
        insight(7, D1, config_id=5, campaign_id="511"),
        insight(8, D2, config_id=5, campaign_id="511", spend=None),
        # an older copy of a day, and a malformed latest row
        insight(9, D1, config_id=7, campaign_id="711", updated_at="2026-03-10 06:00:00+00"),
        insight(10, D1, config_id=7, campaign_id="711", leads=None, actions="{}"),
    ]
    r = clean(rows, camps)
    assert r.all_set_aside == {2: 2, 4: 2, 7: 2}
    assert set(r.daily["config_id"]) == {1, 2, 4, 5, 7}  # (4's not-daily day is unknown, 2's and 7's too)
