"""Reading the source tables from a real database: the same result as the pure cleaner, and nothing raises."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.demo.loader import create_source_tables, load_source_rows
from famachat_ml_pipeline.source.read import first_insight_day, read_daily_insights
from famachat_ml_pipeline.source.tables import insights_table
from famachat_ml_pipeline_tests.source.rows import AS_OF, D1, D2, D3, NOW, campaigns, insight


def test_reading_from_the_database_matches_the_pure_cleaner(db_url: str) -> None:
    engine = get_engine(db_url)
    create_source_tables(engine)
    camps = campaigns().with_columns(pl.lit("Campanha 'teste'; DROP TABLE x").alias("name"))
    rows = [insight(i + 1, d) for i, d in enumerate([D1, D3])] + [
        insight(3, D3, spend=-1.0, updated_at="2026-03-10 06:00:00+00")
    ]
    ins = (
        pl.DataFrame(rows)
        .drop("id")
        .with_columns(
            pl.col("updated_at").str.to_datetime("%Y-%m-%d %H:%M:%S%#z"),
            leads=pl.Series([2, None, 1]),
            actions=pl.Series([None, '[{"action_type":"lead","value":"6"}]', None]),
        )
    )
    load_source_rows(
        engine,
        camps.drop("created_time").with_columns(created_time=pl.lit(None, pl.Datetime("us", "UTC"))),
        ins,
    )
    r = read_daily_insights(engine, [1], AS_OF, lookback_days=10, now=NOW)
    assert r.rows_read == 3
    assert r.daily["spend"].to_list() == [10.0, 0.0, 10.0]
    assert r.daily["leads"].to_list() == [2, 0, 6]
    assert r.rejected == {"duplicate_conflicting": 1}  # the older row had other figures


BIGINT_MAX = 2**63 - 1
LEAD = '[{{"action_type": "lead", "value": {}}}]'

# One odd value in one row, exactly as FamaChat's Postgres can hold it (issue 10, defects 1, 9 and 11).
ODD_ROWS = [
    ({"actions": LEAD.format('"Infinity"')}, "bad_actions"),
    ({"actions": LEAD.format('"1e400"')}, "bad_actions"),
    ({"actions": LEAD.format("1e400")}, "implausible_value"),  # jsonb keeps it as a 401-digit number
    ({"actions": LEAD.format('"1e30"')}, "bad_actions"),
    ({"actions": LEAD.format("1e30")}, "implausible_value"),
    ({"actions": LEAD.format('"12345678901234567890123"')}, "implausible_value"),  # the fast path's cast
    ({"actions": LEAD.format("true")}, "bad_actions"),
    ({"actions": LEAD.format('"1_000"')}, "bad_actions"),
    ({"date_start": "infinity", "date_stop": "infinity"}, "bad_date"),
    ({"date_start": "12026-03-10", "date_stop": "12026-03-10"}, "bad_date"),
    ({"date_stop": "infinity"}, "bad_date"),
    ({"impressions": BIGINT_MAX}, "implausible_value"),
    ({"reach": BIGINT_MAX, "clicks": BIGINT_MAX}, "implausible_value"),
    ({"leads": 2**31 - 1}, "implausible_value"),
    ({"spend": "999999999999.99"}, "implausible_value"),
]

_INSERT = sa.text(
    "INSERT INTO sistema_facebook_ads_insights (config_id, campaign_id, date_start, date_stop, spend, "
    "impressions, clicks, reach, leads, actions, updated_at) VALUES (:config_id, :campaign_id, "
    "CAST(:date_start AS date), CAST(:date_stop AS date), CAST(:spend AS numeric), :impressions, :clicks, "
    ":reach, :leads, CAST(:actions AS jsonb), CAST(:updated_at AS timestamptz))"
)


def _insert_raw(engine: sa.Engine, rows: list[dict]) -> None:
    """Rows through plain SQL casts, so Postgres itself decides what the columns can hold."""
    with engine.begin() as conn:
        for row in rows:
            values = {k: v for k, v in row.items() if k != "id"}
            for k in ("date_start", "date_stop", "spend"):
                values[k] = str(values[k])
            conn.execute(_INSERT, values)


def _source_with_one_campaign(url: str) -> sa.Engine:
    engine = get_engine(url)
    create_source_tables(engine)
    load_source_rows(engine, campaigns(), pl.DataFrame(schema={"config_id": pl.Int64}))
    return engine


@pytest.mark.postgres
@pytest.mark.parametrize(("over", "reason"), ODD_ROWS, ids=[str(o) for o, _ in ODD_ROWS])
def test_one_odd_value_is_set_aside_and_the_read_succeeds(pg_url: str, over: dict, reason: str) -> None:
    engine = _source_with_one_campaign(pg_url)
    odd = insight(0, D3, **({"leads": None} if "actions" in over else {}) | over)
    _insert_raw(engine, [insight(0, D1), insight(0, D2), odd])
    r = read_daily_insights(engine, [1], AS_OF, lookback_days=10, now=NOW)
    assert r.rows_read == 3
    assert r.rejected == {reason: 1}
    assert (r.rows_used, r.rows_set_aside) == (2, 1)
    assert r.daily.filter(pl.col("date") == D1)["impressions"].to_list() == [1000]
    # the 7-day sum of what is used never wraps: the set-aside day is unknown (null), not a huge number
    assert r.daily["impressions"].sum() == 2000


@pytest.mark.postgres
def test_latest_instant_wins_a_duplicate_under_any_session_timezone(pg_url: str) -> None:
    """Around a DST fall-back the text of the later instant sorts first ("01:10-05" < "01:30-04")."""
    engine = _source_with_one_campaign(pg_url)
    name = sa.engine.make_url(pg_url).database
    with engine.begin() as conn:
        conn.exec_driver_sql(f"ALTER DATABASE \"{name}\" SET TimeZone = 'America/New_York'")
    get_engine.cache_clear()
    engine = get_engine(pg_url)
    _insert_raw(
        engine,
        [
            insight(0, D3, spend=11.0, updated_at="2026-11-01 05:30:00+00"),  # 01:30 EDT, the older copy
            insight(0, D3, spend=22.0, updated_at="2026-11-01 06:10:00+00"),  # 01:10 EST, the newer copy
        ],
    )
    with engine.connect() as conn:  # the premise: the session really is not in UTC
        assert conn.exec_driver_sql("SHOW TimeZone").scalar_one() == "America/New_York"
    r = read_daily_insights(engine, [1], AS_OF, lookback_days=10, now=NOW)
    assert r.rejected == {"duplicate_conflicting": 1}  # the older row had other figures
    assert r.daily.filter(pl.col("date") == D3)["spend"].to_list() == [22.0]


# SQLite's type affinity keeps text that is not a number as text, in any column (an on-call reproduction:
# one such cell failed the whole fleet's run). Each is its row's `not_numeric`, never a zero nor a null.
NOT_NUMBERS = [
    {"spend": "abc"},
    {"spend": "12,50"},  # a pt-BR decimal comma is not guessed: '1,234' may be 1234 as well
    {"impressions": "lots"},
    {"clicks": 3.5},  # a count that is not whole
    {"leads": "three", "actions": '[{"action_type":"lead","value":"3"}]'},  # not "leads not extracted"
    {"reach": b"\x00\x01"},
]


def _insert_sqlite(engine: sa.Engine, rows: list[dict]) -> None:
    """Rows as plain SQLite values: each column keeps whatever its affinity leaves of them."""
    columns = [k for k in rows[0] if k != "id"]
    insert = sa.text(
        f"INSERT INTO sistema_facebook_ads_insights ({', '.join(columns)}) "
        f"VALUES ({', '.join(':' + c for c in columns)})"
    )
    with engine.begin() as conn:
        for row in rows:
            conn.execute(insert, {c: str(row[c]) if c.startswith("date") else row[c] for c in columns})


@pytest.mark.parametrize("over", NOT_NUMBERS, ids=[str(o) for o in NOT_NUMBERS])
def test_text_in_a_numeric_sqlite_column_sets_its_row_aside(sqlite_url: str, over: dict) -> None:
    engine = _source_with_one_campaign(sqlite_url)
    _insert_sqlite(engine, [insight(0, D1), insight(0, D2), insight(0, D3, **over)])
    with engine.connect() as conn:  # the premise: SQLite really holds it as it is
        kind = conn.exec_driver_sql(f"SELECT typeof({next(iter(over))}) FROM sistema_facebook_ads_insights")
        assert [k for (k,) in kind][-1] in {"text", "real", "blob"}
    r = read_daily_insights(engine, [1], AS_OF, lookback_days=10, now=NOW)
    assert (r.rows_read, r.rows_used, r.rejected) == (3, 2, {"not_numeric": 1})
    assert r.reject_examples == [
        {"reason": "not_numeric", "config_id": 1, "campaign_id": "111", "date_start": str(D3), "id": 3}
    ]
    assert r.daily["spend"].to_list() == [10.0, 10.0, None]  # the day is unknown, not zero
    assert r.daily["leads"].to_list() == [2, 2, None]


def test_sqlite_numbers_are_read_exactly(sqlite_url: str) -> None:
    """Every value goes through text: a float keeps its exact value (str() is its shortest round trip)."""
    engine = _source_with_one_campaign(sqlite_url)
    spends = [0.1 + 0.2, 12.5, 1234567890.12, 0.0]
    _insert_sqlite(engine, [insight(0, D1 - dt.timedelta(days=i), spend=s) for i, s in enumerate(spends)])
    r = read_daily_insights(engine, [1], AS_OF, lookback_days=10, now=NOW)
    assert r.rejected == {}
    assert r.daily.filter(pl.col("has_row")).sort("date", descending=True)["spend"].to_list() == spends


def test_a_budget_that_is_not_a_number_is_unknown_and_the_read_succeeds(sqlite_url: str) -> None:
    engine = _source_with_one_campaign(sqlite_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE sistema_facebook_ads_campaigns SET daily_budget = '50,00'")
    _insert_sqlite(engine, [insight(0, D3)])
    r = read_daily_insights(engine, [1], AS_OF, lookback_days=10, now=NOW)
    assert (r.rows_used, r.rejected) == (1, {})
    assert r.daily["daily_budget"].to_list() == [None]  # unknown (as a budget set per ad set), never zero


def test_a_row_dated_before_any_ad_is_not_the_accounts_first_day(db_url: str) -> None:
    """The agent reads (and fills) every day from the account's first: a year-1 row made that 739,000 days."""
    engine = _source_with_one_campaign(db_url)
    with engine.begin() as conn:
        for row in (insight(0, D1), insight(1, D2), insight(2, dt.date(1, 1, 1))):
            conn.execute(
                insights_table.insert().values(
                    **{k: v for k, v in row.items() if k not in ("id", "updated_at")}
                )
            )
    assert first_insight_day(engine, 1) == D1
    r = read_daily_insights(engine, [1], AS_OF, lookback_days=10, now=NOW)
    assert r.rejected == {} and r.rows_used == 2  # outside the run's window: not read at all
