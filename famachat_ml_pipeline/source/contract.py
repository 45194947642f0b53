"""The one module that knows FamaChat's source tables (shared/docs/source-contract.md).

It reads `sistema_facebook_ads_campaigns` and `sistema_facebook_ads_insights` for a set of accounts and
turns them into the clean, dense daily frame of `core.frames.DAILY_SCHEMA`. Adapting to FamaChat's real
column names is a change to this file only.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from famachat_ml_pipeline.core.frames import DAILY_SCHEMA, KEY, minor_unit_divisor

CAMPAIGNS = "sistema_facebook_ads_campaigns"
INSIGHTS = "sistema_facebook_ads_insights"

# Lead action types that alias the same conversions, in order of precedence (never summed).
LEAD_ACTION_PRECEDENCE = (
    "lead",
    "onsite_conversion.lead_grouped",
    "offsite_conversion.fb_pixel_lead",
    "leadgen_grouped",
)
_ALIAS_PREFIXES = ("", "omni_", "onsite_web_")
_ALIAS_RANK = {
    prefix + action: i * len(_ALIAS_PREFIXES) + j
    for i, action in enumerate(LEAD_ACTION_PRECEDENCE)
    for j, prefix in enumerate(_ALIAS_PREFIXES)
}

INACTIVE_STATUSES = ("PAUSED", "DELETED", "ARCHIVED")

# Why a source row was set aside. Every reason is counted; none is silently turned into zeros.
REJECT_REASONS = (
    "duplicate_superseded",  # an older copy of a (campaign, day) whose latest updated_at wins
    "orphan_campaign",  # insight whose campaign is missing from the campaigns table
    "future_date",  # a day after today in the account's timezone (today itself is provisional, not bad)
    "not_daily",  # date_stop != date_start
    "null_metric",  # spend, impressions, clicks or reach is null (or spend is NaN, which numeric allows)
    "negative_metric",  # a negative number
    "bad_actions",  # leads is null and actions is not a list of {action_type, numeric value}
    "leads_unknown",  # leads is null and there is no actions list to resolve it from
)

_meta = sa.MetaData()
_json = sa.JSON().with_variant(JSONB(), "postgresql")

campaigns_table = sa.Table(
    CAMPAIGNS, _meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("config_id", sa.Integer, nullable=False),
    sa.Column("campaign_id", sa.String(100), nullable=False),
    sa.Column("name", sa.Text),
    sa.Column("status", sa.String(30)),
    sa.Column("effective_status", sa.String(30)),
    sa.Column("objective", sa.String(50)),
    sa.Column("daily_budget", sa.BigInteger),
    sa.Column("lifetime_budget", sa.BigInteger),
    sa.Column("currency", sa.String(3), nullable=False, server_default="BRL"),
    sa.Column("timezone_name", sa.String(64), nullable=False, server_default="America/Sao_Paulo"),
    sa.Column("created_time", sa.DateTime(timezone=True)),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.UniqueConstraint("config_id", "campaign_id"),
)  # fmt: skip

insights_table = sa.Table(
    INSIGHTS, _meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("config_id", sa.Integer, nullable=False),
    sa.Column("campaign_id", sa.String(100), nullable=False),
    sa.Column("date_start", sa.Date, nullable=False),
    sa.Column("date_stop", sa.Date, nullable=False),
    sa.Column("spend", sa.Numeric(14, 2)),
    sa.Column("impressions", sa.BigInteger),
    sa.Column("clicks", sa.BigInteger),
    sa.Column("reach", sa.BigInteger),
    sa.Column("frequency", sa.Numeric(10, 4)),
    sa.Column("ctr", sa.Numeric(10, 4)),
    sa.Column("cpc", sa.Numeric(14, 4)),
    sa.Column("cpm", sa.Numeric(14, 4)),
    sa.Column("leads", sa.Integer),
    sa.Column("actions", _json),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Index("ix_insights_config_date", "config_id", "date_start"),
)  # fmt: skip


def create_source_tables(engine: sa.Engine) -> None:
    """Demo and tests only: FamaChat owns these tables in a real deployment."""
    _meta.create_all(engine)


DEFAULT_TIMEZONE = "America/Sao_Paulo"  # the column's default in FamaChat


def account_zone(timezone_name: str | None) -> ZoneInfo:
    """The account's zone; an unknown or empty name falls back to the column's default, not a crash."""
    try:
        return ZoneInfo(timezone_name or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def latest_complete_day(timezone_name: str | None, now: dt.datetime | None = None) -> dt.date:
    """Yesterday in the account's timezone: today is partial and its conversions are provisional."""
    now = now or dt.datetime.now(dt.UTC)
    return now.astimezone(account_zone(timezone_name)).date() - dt.timedelta(days=1)


@dataclass
class SourceRead:
    daily: pl.DataFrame
    rows_read: int
    rejected: dict[str, int] = field(default_factory=dict)
    reject_examples: list[dict] = field(default_factory=list)

    @property
    def rows_set_aside(self) -> int:
        return sum(self.rejected.values())


# ---------------------------------------------------------------------------------------------- reading


def list_config_ids(engine: sa.Engine) -> list[int]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(campaigns_table.c.config_id).distinct().order_by(campaigns_table.c.config_id)
        )
        return [int(r[0]) for r in rows]


def account_timezones(engine: sa.Engine, config_ids: Sequence[int] | None = None) -> dict[int, str]:
    query = sa.select(campaigns_table.c.config_id, sa.func.min(campaigns_table.c.timezone_name)).group_by(
        campaigns_table.c.config_id
    )
    if config_ids is not None:
        query = query.where(campaigns_table.c.config_id.in_(list(config_ids)))
    with engine.connect() as conn:
        return {int(c): tz for c, tz in conn.execute(query)}


_CAMPAIGN_COLS = {
    "config_id": pl.Int64, "campaign_id": pl.String, "status": pl.String, "effective_status": pl.String,
    "objective": pl.String, "daily_budget": pl.Int64, "currency": pl.String, "timezone_name": pl.String,
    "created_time": pl.String,
}  # fmt: skip
_INSIGHT_COLS = {
    "id": pl.Int64, "config_id": pl.Int64, "campaign_id": pl.String, "date_start": pl.Date,
    "date_stop": pl.Date, "spend": pl.Float64, "impressions": pl.Int64, "clicks": pl.Int64,
    "reach": pl.Int64, "leads": pl.Int64, "actions": pl.String, "updated_at": pl.String,
}  # fmt: skip


def _select_sql(table: str, cols: dict[str, pl.DataType], where: str) -> str:
    exprs = []
    for name in cols:
        if name in {"actions", "created_time", "updated_at"}:
            exprs.append(f"CAST({name} AS TEXT) AS {name}")
        else:
            exprs.append(name)
    return f"SELECT {', '.join(exprs)} FROM {table} WHERE {where}"


def _fetch(conn: sa.Connection, sql: str, params: dict, cols: dict[str, pl.DataType]) -> pl.DataFrame:
    if conn.dialect.name == "postgresql":
        # COPY streams CSV: an order of magnitude faster than fetching a million rows as tuples.
        raw = conn.connection.driver_connection
        buf = io.BytesIO()
        with (
            raw.cursor() as cur,
            cur.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER true)", params) as cp,
        ):
            for block in cp:
                buf.write(block)
        buf.seek(0)
        if buf.getbuffer().nbytes == 0:
            return pl.DataFrame(schema=cols)
        return pl.read_csv(buf, schema=cols)
    rows = conn.execute(sa.text(sql.replace("%(", ":").replace(")s", "")), params).fetchall()
    # SQLite hands back dates as text and numerics as Decimal: read loosely, then cast to the contract.
    loose = {c: (pl.String if t == pl.Date else t) for c, t in cols.items()}
    frame = pl.DataFrame([tuple(r) for r in rows], schema=loose, orient="row", strict=False)
    return frame.with_columns(
        pl.col(c).str.slice(0, 10).str.to_date() for c, t in cols.items() if t == pl.Date
    )


def read_source(
    engine: sa.Engine, config_ids: Sequence[int], start: dt.date
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Raw campaigns and insights (from `start` on, future rows included so they can be reported)."""
    ids = [int(c) for c in config_ids]
    id_list = ",".join(str(i) for i in ids) or "NULL"  # ints only: safe to inline, keeps COPY simple
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        campaigns = _fetch(
            conn,
            _select_sql(CAMPAIGNS, _CAMPAIGN_COLS, f"config_id IN ({id_list})"),
            {},
            _CAMPAIGN_COLS,
        )
        insights = _fetch(
            conn,
            _select_sql(INSIGHTS, _INSIGHT_COLS, f"config_id IN ({id_list}) AND date_start >= %(start)s"),
            {"start": start},
            _INSIGHT_COLS,
        )
        conn.rollback()
    return campaigns, insights


def read_daily_insights(
    engine: sa.Engine,
    config_ids: Sequence[int],
    as_of: dt.date,
    lookback_days: int = 90,
    now: dt.datetime | None = None,
) -> SourceRead:
    start = as_of - dt.timedelta(days=lookback_days - 1)
    campaigns, insights = read_source(engine, config_ids, start)
    return clean_insights(campaigns, insights, as_of=as_of, start=start, now=now)


# --------------------------------------------------------------------------------------------- cleaning


_ACTION_TYPE = pl.Struct({"action_type": pl.String, "value": pl.String})
# Meta's canonical serialisation: a list of {"action_type": "...", "value": "<number>"} objects.
_PAIR_A = r'"action_type": ?"[a-z_.]+", ?"value": ?"[0-9]+(\.[0-9]+)?"'
_PAIR_B = r'"value": ?"[0-9]+(\.[0-9]+)?", ?"action_type": ?"[a-z_.]+"'  # Postgres jsonb orders keys
_CANONICAL = rf"^\[(\{{({_PAIR_A}|{_PAIR_B})\}}(, ?)?)*\]$"


def _leads_from_actions(actions: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Resolve leads from raw `actions` JSON by alias precedence. Returns (leads, is_bad).

    Canonical rows are decoded in one vectorised pass; anything else goes through Python's json, since
    the column is dirty by contract and polars' decoder fails a whole column on one malformed value.
    """
    frame = pl.DataFrame({"raw": actions}).with_row_index("_i")
    canonical = frame.filter(pl.col("raw").str.contains(_CANONICAL))
    decoded = (
        canonical.with_columns(pl.col("raw").str.json_decode(pl.List(_ACTION_TYPE)))
        .explode("raw")
        .unnest("raw")
        .with_columns(
            # the same order as the slow path: base alias first, then the plain / omni_ / onsite_web_ variant
            _rank=pl.col("action_type").replace_strict(_ALIAS_RANK, default=None)
        )
        .group_by("_i")
        .agg(
            pl.col("value")
            .cast(pl.Float64)
            .filter(pl.col("_rank") == pl.col("_rank").min())
            .first()
            .alias("v")
        )
        .select("_i", pl.col("v").fill_null(0).round().cast(pl.Int64))
    )
    rest = frame.filter(~pl.col("_i").is_in(canonical["_i"].implode()))
    slow_leads, slow_bad = _leads_from_actions_slow(rest["raw"])
    decoded = (
        canonical.select("_i")
        .join(decoded, on="_i", how="left")
        .with_columns(
            pl.col("v").fill_null(0)  # "[]" or no lead action: zero leads, as the slow path says
        )
    )
    out = frame.select("_i").join(
        pl.concat([
            decoded.with_columns(bad=pl.lit(False)),
            pl.DataFrame({"_i": rest["_i"], "v": slow_leads, "bad": slow_bad}),
        ]),
        on="_i",
        how="left",
        maintain_order="left",
    )  # fmt: skip
    return out["v"], out["bad"].fill_null(False)


def _leads_from_actions_slow(actions: pl.Series) -> tuple[pl.Series, pl.Series]:
    leads: list[int | None] = []
    bad: list[bool] = []
    for raw in actions.to_list():
        if raw is None:
            leads.append(None)
            bad.append(False)
            continue
        try:
            parsed = json.loads(raw)
            if not isinstance(parsed, list):
                raise ValueError
            by_type: dict[str, float] = {}
            for item in parsed:
                if not isinstance(item, dict) or "action_type" not in item:
                    raise ValueError
                value = float(item.get("value"))
                if value != value or value < 0:  # NaN or negative
                    raise ValueError
                by_type.setdefault(str(item["action_type"]), value)
        except (ValueError, TypeError):
            leads.append(None)
            bad.append(True)
            continue
        found = 0
        for action in LEAD_ACTION_PRECEDENCE:
            hits = [by_type[p + action] for p in _ALIAS_PREFIXES if p + action in by_type]
            if hits:
                found = int(round(hits[0]))
                break
        leads.append(found)
        bad.append(False)
    return pl.Series(leads, dtype=pl.Int64), pl.Series(bad, dtype=pl.Boolean)


def _today_by_timezone(timezones: pl.Series, now: dt.datetime | None) -> pl.DataFrame:
    zones = timezones.unique().drop_nulls().to_list()
    return pl.DataFrame(
        {
            "timezone_name": zones,
            "today": [latest_complete_day(z, now) + dt.timedelta(days=1) for z in zones],
        },
        schema={"timezone_name": pl.String, "today": pl.Date},
    )


def clean_insights(
    campaigns: pl.DataFrame,
    insights: pl.DataFrame,
    as_of: dt.date,
    start: dt.date,
    now: dt.datetime | None = None,
) -> SourceRead:
    """Pure: raw source frames in, the dense clean daily frame and a count of what was set aside out."""
    rows_read = insights.height
    camps = campaigns.unique(subset=KEY, keep="first").with_columns(
        (pl.col("daily_budget").cast(pl.Float64) / minor_unit_divisor(pl.col("currency"))).alias(
            "daily_budget"
        ),
        pl.col("created_time").str.slice(0, 10).str.to_date(strict=False).alias("created_date"),
    )
    rejects: list[pl.DataFrame] = []

    def set_aside(frame: pl.DataFrame, mask: pl.Expr, reason: str) -> pl.DataFrame:
        flagged = frame.filter(mask)
        if flagged.height:
            rejects.append(flagged.select("id", "config_id", "campaign_id", "date_start").with_columns(
                reason=pl.lit(reason)
            ))  # fmt: skip
        return frame.filter(~mask)

    ins = insights.join(camps.select(*KEY, "timezone_name"), on=KEY, how="left")
    ins = set_aside(ins, pl.col("timezone_name").is_null(), "orphan_campaign")
    ins = ins.join(_today_by_timezone(ins["timezone_name"], now), on="timezone_name", how="left")
    ins = set_aside(ins, pl.col("date_start") > pl.col("today"), "future_date")
    # Rows after as_of but not in the future are simply outside this run's window.
    ins = ins.filter(pl.col("date_start") <= as_of)

    # Restatement: the latest updated_at (then the highest id) is the truth for a (campaign, day).
    ins = ins.sort(["updated_at", "id"], descending=True, nulls_last=True)
    dup = ins.select(pl.struct(*KEY, "date_start").is_first_distinct().not_()).to_series()
    ins = set_aside(ins.with_columns(_dup=dup), pl.col("_dup"), "duplicate_superseded").drop("_dup")

    metrics = ["spend", "impressions", "clicks", "reach"]
    invalid = pl.lit(None, dtype=pl.String)
    invalid = (
        pl.when(pl.col("date_stop") != pl.col("date_start")).then(pl.lit("not_daily"))
        .when(pl.any_horizontal(pl.col(m).is_null() for m in metrics) | pl.col("spend").is_nan())
        .then(pl.lit("null_metric"))
        .when(pl.any_horizontal(pl.col(m) < 0 for m in [*metrics, "leads"])).then(pl.lit("negative_metric"))
        .otherwise(invalid)
    )  # fmt: skip
    ins = ins.with_columns(invalid=invalid)

    needs = ins["leads"].is_null() & ins["invalid"].is_null()
    idx = needs.arg_true()
    resolved, bad = _leads_from_actions(ins["actions"].gather(idx))
    reason_for_null = (
        pl.when(bad).then(pl.lit("bad_actions")).when(resolved.is_null()).then(pl.lit("leads_unknown"))
    )
    fix = pl.DataFrame({"_i": idx, "_leads": resolved, "_bad": bad}).with_columns(
        _reason=reason_for_null.otherwise(None)
    )
    ins = (
        ins.with_row_index("_i")
        .with_columns(pl.col("_i").cast(idx.dtype))
        .join(fix, on="_i", how="left")
        .with_columns(
            leads=pl.coalesce("leads", "_leads"),
            invalid=pl.coalesce("invalid", "_reason"),
        )
        .drop("_i", "_leads", "_bad", "_reason")
    )
    bad_rows = ins.filter(pl.col("invalid").is_not_null())
    if bad_rows.height:
        rejects.append(
            bad_rows.select("id", "config_id", "campaign_id", "date_start", reason=pl.col("invalid"))
        )
    good = ins.filter(pl.col("invalid").is_null())
    # A set-aside row's day is unknown, not zero: it stays in the frame with null metrics.
    unknown_days = bad_rows.select(*KEY, "date_start").unique()

    daily = _densify(good, unknown_days, camps, as_of, start)
    reject_frame = pl.concat(rejects) if rejects else pl.DataFrame(
        schema={"id": pl.Int64, "config_id": pl.Int64, "campaign_id": pl.String, "date_start": pl.Date,
                "reason": pl.String}
    )  # fmt: skip
    counts = dict(reject_frame.group_by("reason").len().iter_rows())
    examples = (
        reject_frame.group_by("reason").head(2).sort("reason")
        .select("reason", "config_id", "campaign_id", pl.col("date_start").cast(pl.String), pl.col("id"))
        .to_dicts()
    )  # fmt: skip
    return SourceRead(daily=daily, rows_read=rows_read, rejected=counts, reject_examples=examples)


def _densify(
    good: pl.DataFrame, unknown_days: pl.DataFrame, camps: pl.DataFrame, as_of: dt.date, start: dt.date
) -> pl.DataFrame:
    """One row per campaign per day, from its first day in the window to as_of; no row means a zero day."""
    observed = (
        pl.concat([good.select(*KEY, "date_start"), unknown_days])
        .group_by(KEY)
        .agg(first=pl.col("date_start").min())
    )
    # A campaign's days start at its creation when that is earlier than its first row, but never before
    # the account's first synced row: before that, FamaChat had no data, which is not zero delivery.
    spans = observed.join(camps.select(*KEY, "created_date"), on=KEY, how="left").with_columns(
        first=pl.max_horizontal(
            pl.lit(start),
            pl.col("first").min().over("config_id"),
            pl.min_horizontal("first", pl.col("created_date").fill_null(pl.col("first"))),
        )
    )
    grid = spans.select(*KEY, date=pl.date_ranges("first", pl.lit(as_of))).explode("date")
    values = good.select(
        *KEY, pl.col("date_start").alias("date"), "spend", "impressions", "clicks", "reach", "leads",
        pl.lit(True).alias("has_row"),
    )  # fmt: skip
    unknown = unknown_days.select(*KEY, pl.col("date_start").alias("date"), pl.lit(True).alias("_unknown"))
    zero = {"spend": 0.0, "impressions": 0, "clicks": 0, "reach": 0, "leads": 0}
    frame = (
        grid.join(values, on=[*KEY, "date"], how="left")
        .join(unknown, on=[*KEY, "date"], how="left")
        .with_columns(
            # zero-fill only days with no source row at all; an unknown (set-aside) day stays null
            *[
                pl.when(pl.col("_unknown").is_null())
                .then(pl.col(c).fill_null(v))
                .otherwise(pl.col(c))
                .alias(c)
                for c, v in zero.items()
            ],
            has_row=pl.col("has_row").fill_null(False) | pl.col("_unknown").fill_null(False),
        )
        .drop("_unknown")
        .join(
            camps.select(
                *KEY, "status", "effective_status", "objective", "daily_budget", "currency", "timezone_name"
            ),
            on=KEY,
            how="left",
        )
    )
    return frame.select([pl.col(c).cast(t) for c, t in DAILY_SCHEMA.items()]).sort([*KEY, "date"])


# ---------------------------------------------------------------------------------- demo and tests only


def load_source_rows(engine: sa.Engine, campaigns: pl.DataFrame, insights: pl.DataFrame) -> None:
    """Replace the source rows of the accounts in `campaigns` (demo data and tests, never production)."""
    from famachat_ml_pipeline.db.writer import bulk_insert

    ids = campaigns["config_id"].unique().to_list()
    ins = insights.select([c for c in insights.columns if c in insights_table.c])
    with engine.begin() as conn:
        conn.execute(insights_table.delete().where(insights_table.c.config_id.in_(ids)))
        conn.execute(campaigns_table.delete().where(campaigns_table.c.config_id.in_(ids)))
        bulk_insert(
            conn, campaigns_table, campaigns.select([c for c in campaigns.columns if c in campaigns_table.c])
        )
        bulk_insert(conn, insights_table, ins)


def source_row_count(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(insights_table)).scalar_one())
