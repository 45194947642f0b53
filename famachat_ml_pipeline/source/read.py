"""Reads FamaChat's source tables (I/O only): raw rows in a READ ONLY transaction; `clean.py` judges them."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import polars as pl
import sqlalchemy as sa

from famachat_ml_pipeline.core.frames import ZERO_DECIMAL_CURRENCIES
from famachat_ml_pipeline.source.clean import (
    EARLIEST_AD_DAY,
    NOT_NUMERIC,
    SourceRead,
    clean_insights,
    combine_reads,
)
from famachat_ml_pipeline.source.tables import (
    CAMPAIGNS,
    INSIGHTS,
    SOURCE_TABLES,
    campaigns_table,
    insights_table,
)


def missing_source_tables(engine: sa.Engine) -> list[str]:
    """The contract's tables this database lacks (connecting raises if the database is unreachable)."""
    present = set(sa.inspect(engine).get_table_names())
    return [t for t in SOURCE_TABLES if t not in present]


def _accounts() -> sa.Subquery:
    """The source's accounts: every config_id of either table. An account with insights but no campaign
    (not synced yet, or its campaigns deleted) is an account too: its rows are set aside as orphans and
    counted, and its stale advice retired, only if it is run.

    The insights' config_ids are walked by a loose index scan (one seek of the (config_id, date_start)
    index per account), not a DISTINCT over every row: the sensor asks every minute."""
    t = insights_table
    walk = sa.select(sa.func.min(t.c.config_id).label("config_id")).cte("insight_accounts", recursive=True)
    following = (
        sa.select(sa.func.min(t.c.config_id)).where(t.c.config_id > walk.c.config_id).scalar_subquery()
    )
    walk = walk.union_all(sa.select(following).where(walk.c.config_id.is_not(None)))
    return sa.union(
        sa.select(walk.c.config_id).where(walk.c.config_id.is_not(None)),
        # a NULL config_id (a real table may lack the contract's NOT NULL) is no account, not a crash
        sa.select(campaigns_table.c.config_id).where(campaigns_table.c.config_id.is_not(None)),
    ).subquery("accounts")


def list_config_ids(engine: sa.Engine) -> list[int]:
    """Every account of the source tables (campaigns or insights), in order."""
    accounts = _accounts()
    with engine.connect() as conn:
        rows = conn.execute(sa.select(accounts.c.config_id).order_by(accounts.c.config_id))
        return [int(r[0]) for r in rows]


def first_insight_day(engine: sa.Engine, config_id: int) -> dt.date | None:
    """The account's first day in the source (an indexed min): before it there is no data, not zero. A row
    dated before any ad could run (which the cleaner sets aside as `bad_date`) is not its first day."""
    t = insights_table
    # typed as a Date, so that SQLite's text comes back as a date too
    first = sa.func.min(t.c.date_start, type_=sa.Date)
    query = sa.select(first).where(t.c.config_id == int(config_id), t.c.date_start >= EARLIEST_AD_DAY)
    with engine.connect() as conn:
        return conn.execute(query).scalar_one_or_none()


# The latest UTC offset of any timezone (+14:00): a day after UTC's date then is today nowhere yet.
_LATEST_OFFSET = dt.timedelta(hours=14)


def last_insight_days(
    engine: sa.Engine, config_ids: Sequence[int], now: dt.datetime | None = None
) -> dict[int, dt.date]:
    """Each account's latest day in the source that is not in the future (an indexed max per account);
    accounts without rows are left out. A dirty row dated in the future (which the cleaner sets aside)
    is not the account's latest day: it made every recent anomaly look stale, and silenced its alerts."""
    t = insights_table
    today_anywhere = ((now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC) + _LATEST_OFFSET).date()
    last = sa.func.max(t.c.date_start, type_=sa.Date)
    query = sa.select(t.c.config_id, last).where(
        t.c.config_id.in_([int(c) for c in config_ids]), t.c.date_start <= today_anywhere
    )
    with engine.connect() as conn:
        rows = conn.execute(query.group_by(t.c.config_id)).fetchall()
    return {int(c): d for c, d in rows if d is not None}


def account_timezones(engine: sa.Engine, config_ids: Sequence[int] | None = None) -> dict[int, str]:
    query = (
        sa.select(campaigns_table.c.config_id, sa.func.min(campaigns_table.c.timezone_name))
        .where(campaigns_table.c.config_id.is_not(None))
        .group_by(campaigns_table.c.config_id)
    )
    if config_ids is not None:
        query = query.where(campaigns_table.c.config_id.in_(list(config_ids)))
    with engine.connect() as conn:
        return {int(c): tz for c, tz in conn.execute(query)}


def latest_updates(engine: sa.Engine, since_day: dt.date) -> dict[int, dt.datetime]:
    """max(updated_at) per config_id over insights dated `since_day` or later. The date bound keeps the
    scan on the contract's only index, (config_id, date_start): restatements arrive within Meta's 28-day
    attribution window."""
    t = insights_table
    # One correlated max per account, so each is a range scan of the index (config_id = x AND date_start
    # >= since); a plain GROUP BY over `date_start >= since` cannot seek on the index's second column.
    accounts = _accounts()
    latest = (
        sa.select(sa.func.max(t.c.updated_at))
        .where(t.c.config_id == accounts.c.config_id, t.c.date_start >= since_day)
        .scalar_subquery()
    )
    query = sa.select(accounts.c.config_id, latest)
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        rows = conn.execute(query).fetchall()
        conn.rollback()
    # As instants (UTC), for comparison: SQLite keeps timestamps as text, Postgres as timestamptz.
    return {int(c): _utc(u) for c, u in rows if u is not None}


def campaigns_per_account(engine: sa.Engine, config_ids: Sequence[int], since_day: dt.date) -> dict[int, int]:
    """Distinct campaigns with an insight row dated `since_day` or later, per account of `config_ids` (what
    a read from that day would hold, before cleaning); accounts without any are left out."""
    t = insights_table
    # DISTINCT pairs first, then a count: Postgres hashes the pairs, where count(DISTINCT) sorts each
    # account's rows (0.40 -> 0.20 s for 500 accounts x 120 days); count() skips NULLs as count(DISTINCT)
    pairs = (
        sa.select(t.c.config_id, t.c.campaign_id)
        .where(t.c.config_id.in_([int(c) for c in config_ids]), t.c.date_start >= since_day)
        .distinct()
        .subquery()
    )
    query = sa.select(pairs.c.config_id, sa.func.count(pairs.c.campaign_id)).group_by(pairs.c.config_id)
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        rows = conn.execute(query).fetchall()
        conn.rollback()
    return {int(c): int(n) for c, n in rows if c is not None}


def _utc(value: dt.datetime | str) -> dt.datetime:
    """An aware UTC instant (SQLite hands back naive text, stored as UTC by the writers)."""
    stamp = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return stamp.replace(tzinfo=dt.UTC) if stamp.tzinfo is None else stamp.astimezone(dt.UTC)


_CAMPAIGN_COLS = {
    "config_id": pl.Int64,
    "campaign_id": pl.String,
    "status": pl.String,
    "effective_status": pl.String,
    "objective": pl.String,
    "daily_budget": pl.Int64,
    "currency": pl.String,
    "timezone_name": pl.String,
    "created_time": pl.String,
}
# The raw insight columns as read (clean.py's input). Dates stay text: Postgres allows `infinity`
# and year 12026, and a strict parse would fail the whole read.
INSIGHT_COLUMNS = {
    "id": pl.Int64,
    "config_id": pl.Int64,
    "campaign_id": pl.String,
    "date_start": pl.String,
    "date_stop": pl.String,
    "spend": pl.Float64,
    "impressions": pl.Int64,
    "clicks": pl.Int64,
    "reach": pl.Int64,
    "leads": pl.Int64,
    "actions": pl.String,
    "updated_at": pl.String,
}
_AS_TEXT = {"actions", "created_time", "updated_at", "date_start", "date_stop"}


def _select_sql(table: str, cols: dict[str, pl.DataType], where: str) -> str:
    exprs = [f"CAST({name} AS TEXT) AS {name}" if name in _AS_TEXT else name for name in cols]
    return f"SELECT {', '.join(exprs)} FROM {table} WHERE {where}"


def _fetch(conn: sa.Connection, sql: str, params: dict, cols: dict[str, pl.DataType]) -> pl.DataFrame:
    if conn.dialect.name == "postgresql":
        return _copy_frame(conn.connection.driver_connection, sql, params, cols)
    rows = conn.execute(sa.text(sql.replace("%(", ":").replace(")s", "")), params).fetchall()
    # SQLite's type affinity lets any column hold text ('abc', '12,50' in spend): every value as text (str
    # of a float is its exact shortest form), then the same lenient cast as Postgres' COPY. Dates come
    # back sometimes with a time; the cleaner parses them.
    values = list(zip(*rows, strict=True)) if rows else [()] * len(cols)
    text = pl.DataFrame(
        [
            pl.Series(name, [v if v is None or isinstance(v, str) else str(v) for v in column], pl.String)
            for name, column in zip(cols, values, strict=True)
        ]
    )
    frame = _typed(text, cols)
    return frame.with_columns(pl.col(c).str.slice(0, 10) for c in ("date_start", "date_stop") if c in cols)


# The COPY's CSV is parsed a piece of about this many bytes at a time, in a worker thread, while the
# next piece streams in: polars parses without the GIL, so the parse hides behind the wait on the server.
PIECE_BYTES = 8 << 20


def _typed(text: pl.DataFrame, cols: dict[str, pl.DataType]) -> pl.DataFrame:
    """Text to `cols`' types, leniently: one odd value becomes a null, and NOT_NUMERIC says which rows held
    a value a numeric column could not read (not a null: the cleaner sets those rows aside)."""
    numeric = [c for c, t in cols.items() if t != pl.String]  # config_id at least
    typed = text.select(pl.col(c).cast(t, strict=False) for c, t in cols.items())
    # each column cast once (an expression comparing text and cast cost ~80 ms more per million rows)
    lost = [typed[c].is_null() & text[c].is_not_null() for c in numeric]
    return typed.with_columns(pl.any_horizontal(lost).alias(NOT_NUMERIC))


def _parse_csv(data: bytes, header: bool, cols: dict[str, pl.DataType]) -> pl.DataFrame:
    # Text first, then a lenient cast: one odd value becomes a null the cleaner sets aside.
    text = pl.read_csv(io.BytesIO(data), has_header=header, schema=dict.fromkeys(cols, pl.String))
    return _typed(text, cols)


def _copy_frame(raw: Any, sql: str, params: dict, cols: dict[str, pl.DataType]) -> pl.DataFrame:
    """COPY streams CSV, an order of magnitude faster than fetching a million rows as tuples. Each block
    psycopg yields is one whole row, so a piece cut between blocks is whole rows: parsing the pieces
    apart and concatenating them in order is parsing the whole (the first piece carries the header)."""
    parts: list[Future[pl.DataFrame]] = []
    with (
        ThreadPoolExecutor(1, thread_name_prefix="copy-parse") as pool,
        raw.cursor() as cur,
        cur.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER true)", params) as cp,
    ):
        buf = io.BytesIO()
        for block in cp:
            buf.write(block)
            if buf.tell() >= PIECE_BYTES:
                parts.append(pool.submit(_parse_csv, buf.getvalue(), not parts, cols))
                buf = io.BytesIO()
        if buf.tell():
            parts.append(pool.submit(_parse_csv, buf.getvalue(), not parts, cols))
        frames = [p.result() for p in parts]
    if not frames:
        return _typed(pl.DataFrame(schema=dict.fromkeys(cols, pl.String)), cols)
    return pl.concat(frames, rechunk=True)


def read_source(
    engine: sa.Engine, config_ids: Sequence[int], start: dt.date
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Raw campaigns and insights (from `start` on, future rows included so they can be reported)."""
    ids = [int(c) for c in config_ids]
    id_list = ",".join(str(i) for i in ids) or "NULL"  # ints only: safe to inline, keeps COPY simple
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            # Timestamps as text in UTC and dates as ISO, whatever the role's or database's settings.
            conn.exec_driver_sql("SET LOCAL TimeZone = 'UTC'")
            conn.exec_driver_sql("SET LOCAL DateStyle = 'ISO, YMD'")
        campaigns = _fetch(
            conn,
            _select_sql(CAMPAIGNS, _CAMPAIGN_COLS, f"config_id IN ({id_list})"),
            {},
            _CAMPAIGN_COLS,
        )
        insights = _fetch(
            conn,
            _select_sql(INSIGHTS, INSIGHT_COLUMNS, f"config_id IN ({id_list}) AND date_start >= %(start)s"),
            {"start": start},
            INSIGHT_COLUMNS,
        )
        conn.rollback()
    return campaigns, insights


LOOKBACK_DAYS = 90  # the days ad_insights reads up to as_of


def read_start(as_of: dt.date, lookback_days: int = LOOKBACK_DAYS) -> dt.date:
    """The first day a read as of `as_of` covers."""
    return as_of - dt.timedelta(days=lookback_days - 1)


def read_daily_insights(
    engine: sa.Engine,
    config_ids: Sequence[int],
    as_of: dt.date,
    lookback_days: int = LOOKBACK_DAYS,
    now: dt.datetime | None = None,
) -> SourceRead:
    start = read_start(as_of, lookback_days)
    campaigns, insights = read_source(engine, config_ids, start)
    return clean_insights(campaigns, insights, as_of=as_of, start=start, now=now)


# A streamed read's parts hold at most this many accounts: the last part's cleaning is what stays
# after the last COPY, and a few more reads cost little (~10k rows per account at 120 days).
PART_ACCOUNTS = 250


def read_daily_insights_streamed(
    engine: sa.Engine,
    groups: Iterable[Sequence[int]],
    as_of: dt.date,
    lookback_days: int = 90,
    now: dt.datetime | None = None,
) -> SourceRead:
    """`read_daily_insights` of all the accounts `groups` yields (disjoint groups), read while it is still
    yielding: each next group may cost the caller a query (the training sample counts campaigns a piece of
    its draw at a time), which then runs beside the COPY of the groups before it.

    On Postgres a worker reads (each read on its own connection, READ ONLY as `read_source` does) and
    another cleans what was read, while the caller's thread draws the next group; groups that arrive while
    the reader is busy are read together, up to PART_ACCOUNTS. `combine_reads` puts the parts together:
    the same daily frame and counts as one read. Elsewhere (SQLite) the groups are drawn first, then read
    at once."""
    if engine.dialect.name != "postgresql":
        return read_daily_insights(engine, [c for g in groups for c in g], as_of, lookback_days, now)
    start = as_of - dt.timedelta(days=lookback_days - 1)
    now = now or dt.datetime.now(dt.UTC)  # one clock for every part, as a single cleaning has

    def read_part(ids: list[int]) -> Future[SourceRead]:
        campaigns, insights = read_source(engine, ids, start)
        return cleaner.submit(clean_insights, campaigns, insights, as_of=as_of, start=start, now=now)

    reader = ThreadPoolExecutor(1, thread_name_prefix="source-read")
    cleaner = ThreadPoolExecutor(1, thread_name_prefix="source-clean")
    reads: list[Future[Future[SourceRead]]] = []
    waiting: list[int] = []  # the accounts of the last read, while it has not started
    try:
        for group in groups:
            ids = [int(c) for c in group]
            while ids:
                if reads and len(waiting) < PART_ACCOUNTS and reads[-1].cancel():
                    reads.pop()  # not started yet: these are read along with it
                else:
                    waiting = []
                    for done in reads:  # a failed read ends the run now, not after the counting
                        if done.done():
                            done.result()
                take = PART_ACCOUNTS - len(waiting)
                waiting, ids = [*waiting, *ids[:take]], ids[take:]
                reads.append(reader.submit(read_part, waiting))
        parts = [r.result().result() for r in reads]
    finally:
        # on an error: drop the reads not started, wait for the running ones (their connections close)
        reader.shutdown(wait=True, cancel_futures=True)
        cleaner.shutdown(wait=True, cancel_futures=True)
    if not parts:
        return read_daily_insights(engine, [], as_of, lookback_days, now)
    return combine_reads(parts)


def read_campaigns(engine: sa.Engine, config_id: int) -> list[dict[str, Any]]:
    """The account's campaigns: id, name, statuses, objective, daily budget (major unit), currency, zone."""
    c = campaigns_table
    query = (
        sa.select(
            c.c.campaign_id,
            c.c.name,
            c.c.status,
            c.c.effective_status,
            c.c.objective,
            c.c.daily_budget,
            c.c.currency,
            c.c.timezone_name,
        )
        .where(c.c.config_id == int(config_id))
        .order_by(c.c.campaign_id)
    )
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    for r in rows:
        if r["daily_budget"] is not None:
            divisor = 1.0 if r["currency"] in ZERO_DECIMAL_CURRENCIES else 100.0  # budgets are minor units
            r["daily_budget"] = float(r["daily_budget"]) / divisor
    return rows
