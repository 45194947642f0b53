"""The dirty-row catalogue of the source contract, lead resolution, zero days and restatements."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.source.contract import (
    clean_insights,
    create_source_tables,
    load_source_rows,
    read_daily_insights,
)

AS_OF = dt.date(2026, 3, 10)
START = AS_OF - dt.timedelta(days=9)
NOW = dt.datetime(2026, 3, 11, 15, tzinfo=dt.UTC)  # 12:00 in São Paulo: today is 2026-03-11
T0 = "2026-03-11 06:00:00+00"


def campaigns(**over: object) -> pl.DataFrame:
    row = {
        "config_id": 1, "campaign_id": "111", "status": "ACTIVE", "effective_status": "ACTIVE",
        "objective": "OUTCOME_LEADS", "daily_budget": 5000, "currency": "BRL",
        "timezone_name": "America/Sao_Paulo", "created_time": None,
    }  # fmt: skip
    row.update(over)
    return pl.DataFrame([row], schema_overrides={"daily_budget": pl.Int64, "created_time": pl.String})


def insight(id: int, day: dt.date, **over: object) -> dict:
    row = {
        "id": id, "config_id": 1, "campaign_id": "111", "date_start": day, "date_stop": day, "spend": 10.0,
        "impressions": 1000, "clicks": 20, "reach": 800, "leads": 2, "actions": None, "updated_at": T0,
    }  # fmt: skip
    row.update(over)
    return row


def clean(rows: list[dict], camps: pl.DataFrame | None = None):  # noqa: ANN201
    frame = pl.DataFrame(
        rows,
        schema={
            "id": pl.Int64, "config_id": pl.Int64, "campaign_id": pl.String, "date_start": pl.Date,
            "date_stop": pl.Date, "spend": pl.Float64, "impressions": pl.Int64, "clicks": pl.Int64,
            "reach": pl.Int64, "leads": pl.Int64, "actions": pl.String, "updated_at": pl.String,
        },
    )  # fmt: skip
    return clean_insights(campaigns() if camps is None else camps, frame, as_of=AS_OF, start=START, now=NOW)


def day(result, d: dt.date) -> dict:  # noqa: ANN001
    return result.daily.filter(pl.col("date") == d).to_dicts()[0]


D1, D2, D3 = AS_OF - dt.timedelta(days=2), AS_OF - dt.timedelta(days=1), AS_OF


def test_missing_day_is_a_zero_day_not_a_gap() -> None:
    r = clean([insight(1, D1), insight(2, D3)])
    assert r.daily.height == 3
    gap = day(r, D2)
    assert (gap["spend"], gap["impressions"], gap["leads"], gap["has_row"]) == (0.0, 0, 0, False)
    assert r.rows_set_aside == 0


def test_latest_updated_at_wins_a_duplicate() -> None:
    r = clean([insight(1, D3, spend=99.0, updated_at="2026-03-11 09:00:00+00"), insight(2, D3, spend=10.0)])
    assert day(r, D3)["spend"] == 99.0
    assert r.rejected == {"duplicate_superseded": 1}


@pytest.mark.parametrize(
    ("actions", "leads"),
    [
        # aliases of the same conversions are never summed: precedence picks one
        ('[{"action_type":"lead","value":"3"},'
         '{"action_type":"onsite_conversion.lead_grouped","value":"3"}]', 3),
        ('[{"action_type": "leadgen_grouped", "value": "4"}, '
         '{"action_type": "offsite_conversion.fb_pixel_lead", "value": "5"}]', 5),
        ('[{"action_type":"omni_lead","value":"7"},{"action_type":"link_click","value":"40"}]', 7),
        ('[{"value": "2", "action_type": "onsite_web_lead"}]', 2),  # non-canonical key order: slow path
        ('[{"action_type":"link_click","value":"40"}]', 0),  # a list with no lead action: zero leads
    ],
)  # fmt: skip
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
    camps = pl.concat([
        campaigns(created_time="2026-03-08 12:00:00+00"),
        campaigns(campaign_id="222", created_time="2026-01-01 12:00:00+00"),
    ])  # fmt: skip
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


def test_empty_actions_list_is_zero_leads_and_key_order_does_not_matter() -> None:
    rows = [
        insight(1, D1, leads=None, actions="[]"),
        insight(2, D2, leads=None, actions='[{"value": "9", "action_type": "omni_lead"}, '
                                            '{"value": "3", "action_type": "lead"}]'),
    ]  # fmt: skip
    r = clean(rows + [insight(3, D3)])
    assert r.rows_set_aside == 0
    assert [day(r, d)["leads"] for d in (D1, D2)] == [0, 3]


def test_reading_from_the_database_matches_the_pure_cleaner(db_url: str) -> None:
    engine = get_engine(db_url)
    create_source_tables(engine)
    camps = campaigns().with_columns(pl.lit("Campanha 'teste'; DROP TABLE x").alias("name"))
    rows = [insight(i + 1, d) for i, d in enumerate([D1, D3])] + [
        insight(3, D3, spend=-1.0, updated_at="2026-03-10 06:00:00+00")
    ]
    ins = pl.DataFrame(rows).drop("id").with_columns(
        pl.col("updated_at").str.to_datetime("%Y-%m-%d %H:%M:%S%#z"), leads=pl.Series([2, None, 1]),
        actions=pl.Series([None, '[{"action_type":"lead","value":"6"}]', None]),
    )  # fmt: skip
    load_source_rows(
        engine,
        camps.drop("created_time").with_columns(created_time=pl.lit(None, pl.Datetime("us", "UTC"))),
        ins,
    )
    r = read_daily_insights(engine, [1], AS_OF, lookback_days=10, now=NOW)
    assert r.rows_read == 3
    assert r.daily["spend"].to_list() == [10.0, 0.0, 10.0]
    assert r.daily["leads"].to_list() == [2, 0, 6]
    assert r.rejected == {"duplicate_superseded": 1}
