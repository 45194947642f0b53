"""Property-based fuzzing of the source boundary (issue 10): any mix of the contract's dirty rows and extreme
values. Every row read is used, set aside under a known reason, or outside the window; nothing raises."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from famachat_ml_pipeline.core.frames import DAILY_SCHEMA
from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.demo.loader import create_source_tables, load_source_rows
from famachat_ml_pipeline.source.clean import (
    LEAD_ACTION_PRECEDENCE,
    MAX_DAILY_COUNT,
    MAX_DAILY_LEADS,
    MAX_DAILY_SPEND,
    NOT_NUMERIC,
    REJECT_REASONS,
    SourceRead,
    clean_insights,
)
from famachat_ml_pipeline.source.read import INSIGHT_COLUMNS, read_daily_insights
from famachat_ml_pipeline_tests.source.rows import AS_OF, NOW, START, campaigns

BIGINT = st.integers(-(2**63), 2**63 - 1)
INT4 = st.integers(-(2**31), 2**31 - 1)
SMALL = st.integers(0, 5000)
WINDOW = [(START + dt.timedelta(days=d)).isoformat() for d in range(10)]
DAYS = [(START + dt.timedelta(days=d)).isoformat() for d in range(-3, 16)]  # before, in, after the window

# An action value as Meta, a bug or a hand-edited row could leave it.
ACTION_VALUES = st.one_of(
    st.sampled_from(
        [
            "Infinity",
            "-Infinity",
            "NaN",
            "1e400",
            "1e30",
            "12345678901234567890123",
            "1_000",
            " 3",
            "-1",
            "3.5",
            "",
            "٣",
            "0x10",
            "10000000",
            "10000001",
        ]
    ),
    st.sampled_from([True, False, None, 1e30, 1e400, -1, 2.5, 10**400, [], {}]),
    BIGINT,
)
ACTION_TYPES = st.sampled_from(
    [
        *LEAD_ACTION_PRECEDENCE,
        "omni_lead",
        "onsite_web_lead",
        "link_click",
        "video_view",
        "",
        "LEAD",
    ]
)
LEAD_TYPES = st.sampled_from(LEAD_ACTION_PRECEDENCE)
LEAD_ITEM = st.fixed_dictionaries({"action_type": LEAD_TYPES, "value": ACTION_VALUES})
ACTION_ITEM = st.one_of(
    st.fixed_dictionaries({"action_type": ACTION_TYPES, "value": ACTION_VALUES}),
    LEAD_ITEM,
    st.fixed_dictionaries({"action_type": ACTION_TYPES}),
    st.fixed_dictionaries({"value": ACTION_VALUES}),
    st.integers(),
    st.text(max_size=5),
)


def _dumps(items: object) -> str:
    return json.dumps(
        items, allow_nan=True
    )  # Infinity/NaN literals are invalid JSON, which FamaChat may hold


ACTIONS = st.one_of(
    st.none(),
    st.lists(ACTION_ITEM, max_size=4).map(_dumps),
    st.lists(LEAD_ITEM, min_size=1, max_size=2).map(_dumps),
    st.lists(LEAD_ITEM, min_size=1, max_size=2).map(_dumps),
    st.sampled_from(["[]", "{}", "null", "not json", '{"action_type": "lead", "value": "1"}', "[" * 3000]),
    st.text(max_size=20),
)
DATES = st.one_of(
    st.sampled_from(DAYS),
    st.sampled_from(["infinity", "-infinity", "12026-03-10", "0001-01-01 BC", "2026-02-30", "", "x"]),
    st.none(),
)
STAMPS = st.one_of(
    st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2100, 1, 1), timezones=st.just(dt.UTC)).map(str),
    st.sampled_from(
        [
            "2026-03-11 09:00:00-03",
            "2026-03-11 10:00:00+00",
            "2026-03-11 10:00:00",
            "infinity",
            "garbage",
            "2026-03-11T10:00:00+05:30",
        ]
    ),
    st.none(),
)
SPEND = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.floats(0, 500), st.none())


GOOD_ACTIONS = st.lists(
    st.fixed_dictionaries({"action_type": ACTION_TYPES, "value": st.integers(0, 99).map(str)}), max_size=3
).map(json.dumps)


@st.composite
def raw_row(draw: st.DrawFn, dates: st.SearchStrategy = DATES, actions: st.SearchStrategy = ACTIONS) -> dict:
    """A good row with up to three fields made dirty or extreme, so each odd value reaches its code path."""
    day = draw(st.sampled_from(WINDOW))
    row = {
        "config_id": 1,
        "campaign_id": draw(st.sampled_from(["111", "222"])),
        "date_start": day,
        "date_stop": day,
        "spend": draw(st.floats(0, 500)),
        "impressions": draw(SMALL),
        "clicks": draw(SMALL),
        "reach": draw(SMALL),
        "leads": draw(st.one_of(st.none(), SMALL)),
        "actions": draw(st.one_of(st.none(), GOOD_ACTIONS)),
        "updated_at": draw(st.sampled_from(["2026-03-11 09:00:00-03", "2026-03-11 10:00:00+00"])),
        NOT_NUMERIC: False,
    }
    dirty = {
        "config_id": st.just(2),  # account 2 has no campaigns: orphans
        "campaign_id": st.just("999"),
        "date_start": dates,
        "date_stop": dates,
        "spend": SPEND,
        "impressions": st.one_of(BIGINT, st.none()),
        "clicks": st.one_of(BIGINT, st.none()),
        "reach": st.one_of(BIGINT, st.none()),
        "leads": st.one_of(INT4, st.none()),
        NOT_NUMERIC: st.just(True),  # the reader found text in a numeric column (SQLite), now a null
        "actions": actions,
        "updated_at": STAMPS,
    }
    # actions are the dirtiest column by contract: drawn most often
    names = draw(st.lists(st.sampled_from([*sorted(dirty), *["actions"] * 6]), max_size=3, unique=True))
    for name in names:
        row[name] = draw(dirty[name])
    if "actions" in names and "leads" not in names:
        row["leads"] = None  # otherwise the leads column wins and actions are never read
    return row


RAW_SCHEMA = {**INSIGHT_COLUMNS, NOT_NUMERIC: pl.Boolean}  # exactly what the reader hands the cleaner
CAMPAIGNS = pl.concat([campaigns(), campaigns(campaign_id="222", currency="CLP", timezone_name="Asia/Tokyo")])


COUNTS = ("impressions", "clicks", "reach")


def assert_accounted_for(r: SourceRead, rows: int) -> None:
    assert r.rows_read == rows
    assert set(r.rejected) <= set(REJECT_REASONS)
    assert all(n > 0 for n in r.rejected.values())
    assert r.rows_used + r.rows_set_aside + r.rows_outside_window == r.rows_read
    assert dict(r.daily.schema) == DAILY_SCHEMA
    days = r.daily.filter(pl.col("has_row") & pl.col("spend").is_not_null())
    assert days.height == r.rows_used  # one used row per (campaign, day), each in the frame
    assert days.select(
        pl.col("spend").is_between(0, MAX_DAILY_SPEND).all(),
        pl.all_horizontal(
            pl.col(c).is_between(0, MAX_DAILY_COUNT) for c in ("impressions", "clicks", "reach")
        ).all(),
        pl.col("leads").is_between(0, MAX_DAILY_LEADS).all(),
    ).row(0) == (True, True, True)
    assert r.daily["date"].is_between(START, AS_OF).all()


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(raw_row(), max_size=25))
def test_clean_accounts_for_every_row_and_never_raises(rows: list[dict]) -> None:
    frame = pl.DataFrame([{"id": i, **row} for i, row in enumerate(rows)], schema=RAW_SCHEMA)
    r = clean_insights(CAMPAIGNS, frame, as_of=AS_OF, start=START, now=NOW)
    assert_accounted_for(r, len(rows))


# What Postgres columns can hold (dates and numerics are typed there; jsonb must be JSON).
PG_DATES = st.one_of(st.sampled_from(DAYS), st.sampled_from(["infinity", "-infinity", "12026-03-10"]))
PG_ACTIONS = st.one_of(
    st.none(),
    st.lists(
        st.fixed_dictionaries(
            {
                "action_type": ACTION_TYPES,
                "value": st.one_of(
                    ACTION_VALUES.filter(lambda v: not isinstance(v, float) or abs(v) < 1e308)
                ),
            }
        ),
        max_size=3,
    ).map(json.dumps),
    st.sampled_from(['[{"action_type": "lead", "value": 1e400}]', "{}", '"text"', "[[[]]]"]),
)


PG_STAMPS = st.one_of(
    st.sampled_from(["2026-03-11 09:00:00-03", "2026-03-11 10:00:00+00"]),
    st.datetimes(dt.datetime(2000, 1, 1)).map(str),
)


@st.composite
def pg_row(draw: st.DrawFn) -> dict:
    row = draw(raw_row(PG_DATES, PG_ACTIONS))
    del row[NOT_NUMERIC]  # Postgres' columns are typed: the reader finds no such value there
    for name in ("date_start", "date_stop"):  # NOT NULL there
        row[name] = row[name] or draw(st.sampled_from(DAYS))
    spend = row["spend"]
    if spend is not None and not (abs(spend) < 9.9e11):  # numeric(14,2) holds NaN, not infinity
        spend = draw(st.sampled_from(["NaN", -1e11, 9.9e11]))
    row["spend"] = spend if spend is None or isinstance(spend, str) else f"{spend:.2f}"
    if row["updated_at"] is None or not any(ch.isdigit() for ch in row["updated_at"]):
        row["updated_at"] = draw(PG_STAMPS)  # NOT NULL, and a timestamp
    return row


_INSERT = sa.text(
    "INSERT INTO sistema_facebook_ads_insights (config_id, campaign_id, date_start, date_stop, spend, "
    "impressions, clicks, reach, leads, actions, updated_at) VALUES (:config_id, :campaign_id, "
    "CAST(:date_start AS date), CAST(:date_stop AS date), CAST(:spend AS numeric), :impressions, :clicks, "
    ":reach, :leads, CAST(:actions AS jsonb), CAST(:updated_at AS timestamptz))"
)


@pytest.mark.postgres
def test_reading_postgres_accounts_for_every_row_and_never_raises(pg_url: str) -> None:
    engine = get_engine(pg_url)
    create_source_tables(engine)
    load_source_rows(engine, CAMPAIGNS, pl.DataFrame(schema={"config_id": pl.Int64}))

    @settings(max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(pg_row(), max_size=12))
    def read_back(rows: list[dict]) -> None:
        with engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM sistema_facebook_ads_insights")
            for row in rows:
                conn.execute(_INSERT, row)
        r = read_daily_insights(engine, [1, 2], AS_OF, lookback_days=10, now=NOW)
        # the SQL already leaves out rows before the window's start (and -infinity)
        with engine.connect() as conn:
            in_range = conn.execute(
                sa.text("SELECT count(*) FROM sistema_facebook_ads_insights WHERE date_start >= :s"),
                {"s": START},
            ).scalar_one()
        assert_accounted_for(r, in_range)

    read_back()
