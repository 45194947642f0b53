"""The lifecycle of ml_recommendations (`reconcile`): update not duplicate, expiry, cooldowns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

import polars as pl

from famachat_ml_pipeline.core.recommendations.config import (
    DEFAULT_CONFIG,
    REC_KEY,
    SEVERITY_KEY,
    RecommendationConfig,
)
from famachat_ml_pipeline.core.vocab import RECOMMENDATION_USER_COLUMNS

# What the pipeline writes of a recommendation; users' columns are never among them.
_CONTENT = ["priority", "title", "description", "suggested_action", "confidence_score", "reasoning"]
INSERT_COLUMNS = [*REC_KEY, *_CONTENT, "is_active", "created_at", "expires_at"]
UPDATE_COLUMNS = ["id", *_CONTENT, "expires_at"]
# Set by FamaChat users: never written by the pipeline (neither inserted nor updated).
USER_COLUMNS = RECOMMENDATION_USER_COLUMNS


@dataclass(frozen=True)
class ReconcilePlan:
    inserts: pl.DataFrame  # INSERT_COLUMNS: new rows (is_active True)
    updates: pl.DataFrame  # UPDATE_COLUMNS: refreshed content of open rows, by id
    deactivate: pl.DataFrame  # id, reason ("expired", "no_longer_triggered", "superseded", "duplicate")
    suppressed: pl.DataFrame  # candidates held back by a cooldown: REC_KEY, reason, severity, stored severity

    @property
    def deactivate_ids(self) -> list[int]:
        return self.deactivate["id"].to_list()


def _naive(ts: dt.datetime) -> dt.datetime:
    """The table's TIMESTAMP columns are naive: aware datetimes are compared in UTC."""
    return ts.astimezone(dt.UTC).replace(tzinfo=None) if ts.tzinfo is not None else ts


def _naive_col(frame: pl.DataFrame, name: str) -> pl.Expr:
    dtype = frame.schema[name]
    col = pl.col(name)
    if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
        col = col.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
    return col.cast(pl.Datetime("us"))


# Reasoning keys renamed since rows were first written: old name -> current name. Rows are never
# rewritten (users' dismissed and applied rows keep their text); readers rename on read instead.
REASONING_RENAMED_KEYS: dict[str, str] = {
    # the true CPL / account CPL; `cpl_ratio_*` is ml_features' pessimistic classifier input
    "cpl_ratio_7d": "cpl_vs_account_7d",
    "cpl_ratio_30d": "cpl_vs_account_30d",
}


def upgrade_reasoning(reasoning: pl.Expr) -> pl.Expr:
    """Stored reasoning JSON text with renamed keys under their current names (a key is only renamed
    where the row lacks the current one). Vectorised: exact replacement of the quoted key."""
    out = reasoning
    for old, new in REASONING_RENAMED_KEYS.items():
        out = (
            pl.when(
                out.str.contains(f'"{old}":', literal=True) & ~out.str.contains(f'"{new}":', literal=True)
            )
            .then(out.str.replace(f'"{old}":', f'"{new}":', literal=True))
            .otherwise(out)
        )
    return out


def _stored_severity(frame: pl.DataFrame) -> pl.Expr:
    dtype = frame.schema["reasoning"]
    if isinstance(dtype, pl.Struct):
        if SEVERITY_KEY in {f.name for f in dtype.fields}:
            return pl.col("reasoning").struct.field(SEVERITY_KEY).cast(pl.Float64)
        return pl.lit(None, dtype=pl.Float64)
    if dtype == pl.String:
        return pl.col("reasoning").str.json_path_match(f"$.{SEVERITY_KEY}").cast(pl.Float64, strict=False)
    return pl.lit(None, dtype=pl.Float64)


def _prepare_existing(existing: pl.DataFrame) -> pl.DataFrame:
    defaults: dict[str, pl.DataType] = {
        "is_active": pl.Boolean(),
        "dismissed": pl.Boolean(),
        "was_applied": pl.Boolean(),
        "dismissed_at": pl.Datetime("us"),
        "applied_at": pl.Datetime("us"),
        "created_at": pl.Datetime("us"),
        "expires_at": pl.Datetime("us"),
        "reasoning": pl.String(),
    }
    if existing.width == 0:  # nothing stored yet (e.g. a first run that read no columns)
        existing = pl.DataFrame(
            schema={c: pl.String() for c in ["entity_type", "entity_id", "recommendation_type"]}
        )
        existing = existing.with_columns(id=pl.lit(None, pl.Int64), config_id=pl.lit(None, pl.Int64))
    e = existing.with_columns(
        [pl.lit(None, dtype=t).alias(c) for c, t in defaults.items() if c not in existing.columns]
    )
    return e.with_columns(
        pl.col("id").cast(pl.Int64),
        pl.col("config_id").cast(pl.Int64),
        pl.col("entity_type").cast(pl.String),
        pl.col("entity_id").cast(pl.String),
        pl.col("recommendation_type").cast(pl.String),  # an Enum or Categorical from the DB joins as text
        pl.col("is_active").fill_null(True),  # the table's default
        pl.col("dismissed").fill_null(False),
        pl.col("was_applied").fill_null(False),
        *[_naive_col(e, c) for c in ("dismissed_at", "applied_at", "created_at", "expires_at")],
        _stored_severity(e).alias("_stored_severity"),
        *([upgrade_reasoning(pl.col("reasoning"))] if e.schema["reasoning"] == pl.String else []),
    )


def _cooldown_gate(
    e: pl.DataFrame, flag: str, at: str, days: int, now: dt.datetime, reason: str
) -> pl.DataFrame:
    """Per key, the latest user decision (dismissal or application) still inside its cooldown. A decision
    without a timestamp (legacy rows) is dated by its row's created_at."""
    when = pl.coalesce(pl.col(at), pl.col("created_at"))
    return (
        e.filter(pl.col(flag) & (when > now - dt.timedelta(days=days)))
        .sort(when)
        .group_by(REC_KEY)
        .agg(pl.col("_stored_severity").last().alias("stored_severity"))
        .with_columns(reason=pl.lit(reason))
    )


def reconcile(
    candidates: pl.DataFrame,
    existing: pl.DataFrame,
    as_of_ts: dt.datetime,
    config: RecommendationConfig = DEFAULT_CONFIG,
    evaluated_config_ids: Collection[int] | None = None,
) -> ReconcilePlan:
    """Plan the writes that make ml_recommendations reflect `candidates` (generate_recommendations output).

    Rules, per key (config_id, entity_type, entity_id, recommendation_type):
    - An "open" row is active, not dismissed, not applied and not past expires_at. There is at most one:
      extra open rows (legacy duplicates) are deactivated ("duplicate"), the newest is kept.
    - A candidate with an open row updates it (`updates`: id + content). It never duplicates it.
    - An active row past expires_at is deactivated ("expired"); a candidate for its key is then a new insert.
    - A candidate without an open row is inserted, unless a user dismissed the key within
      dismiss_cooldown_days (or applied it within applied_cooldown_days). Then it is `suppressed`, unless
      the situation is materially worse: its severity_metric >= the severity stored in the dismissed (or
      applied) row's reasoning x (1 + materially_worse_pct / 100). A decision row without a stored severity
      cannot be compared, so it stays suppressed until the cooldown ends.
    - An active row whose key has no candidate is deactivated ("no_longer_triggered"): the situation that
      justified it is gone, and showing it would advise on stale numbers. This applies only to the configs
      that were evaluated (`evaluated_config_ids`, default: every config in `candidates` and `existing`), so
      a partial run never retires another account's recommendations.
    - A dismissed or applied row that is still active is deactivated ("superseded") when a new row of its key
      is inserted, so one key has one active row. Its content and user columns are never touched: user
      columns are in no payload, and dismissed or applied rows are never in `updates`.
    """
    now = _naive(as_of_ts)
    e = _prepare_existing(existing)
    cand = (
        candidates.sort("priority", "confidence_score", descending=True)
        .unique(REC_KEY, keep="first", maintain_order=True)
        .with_columns(pl.col("config_id").cast(pl.Int64))
    )
    scope = (
        set(evaluated_config_ids)
        if evaluated_config_ids is not None
        else set(cand["config_id"].to_list()) | set(e["config_id"].to_list())
    )
    in_scope = pl.col("config_id").is_in(list(scope))

    active = e.filter(pl.col("is_active"))
    expired = active.filter(pl.col("expires_at").is_not_null() & (pl.col("expires_at") <= now))
    live = active.join(expired.select("id"), on="id", how="anti")
    acted = pl.col("dismissed") | pl.col("was_applied")
    open_ = live.filter(~acted).sort(["created_at", "id"], descending=True, nulls_last=True)
    keep = open_.unique(REC_KEY, keep="first", maintain_order=True)
    duplicate = open_.join(keep.select("id"), on="id", how="anti")

    matched = cand.join(keep.select(*REC_KEY, "id"), on=REC_KEY, how="inner")
    updates = matched.select(UPDATE_COLUMNS)
    fresh = cand.join(keep.select(REC_KEY), on=REC_KEY, how="anti")

    gates = pl.concat(
        [
            _cooldown_gate(e, "dismissed", "dismissed_at", config.dismiss_cooldown_days, now, "dismissed"),
            _cooldown_gate(e, "was_applied", "applied_at", config.applied_cooldown_days, now, "applied"),
        ]
    )
    worse = 1 + config.materially_worse_pct / 100
    checked = fresh.join(gates, on=REC_KEY, how="left").with_columns(
        _blocked=pl.col("reason").is_not_null()
        & ~(
            (pl.col("severity_metric") >= pl.col("stored_severity") * worse) & (pl.col("stored_severity") > 0)
        ).fill_null(False)
    )
    blocked_keys = checked.filter(pl.col("_blocked")).select(REC_KEY).unique()
    suppressed = (
        checked.filter(pl.col("_blocked"))
        .select(*REC_KEY, "reason", pl.col("severity_metric"), "stored_severity")
        .unique(REC_KEY, keep="first", maintain_order=True)
    )
    new = fresh.join(blocked_keys, on=REC_KEY, how="anti")
    inserts = new.with_columns(
        is_active=pl.lit(True), created_at=pl.lit(now, dtype=pl.Datetime("us"))
    ).select(INSERT_COLUMNS)

    live_acted = live.filter(acted)
    superseded = live_acted.join(new.select(REC_KEY), on=REC_KEY, how="semi")
    gone = live.filter(in_scope).join(cand.select(REC_KEY), on=REC_KEY, how="anti")
    deactivate = (
        pl.concat(
            [
                expired.select("id", reason=pl.lit("expired")),
                duplicate.select("id", reason=pl.lit("duplicate")),
                superseded.select("id", reason=pl.lit("superseded")),
                gone.select("id", reason=pl.lit("no_longer_triggered")),
            ]
        )
        .unique("id", keep="first", maintain_order=True)
        .sort("id")
    )
    return ReconcilePlan(inserts=inserts, updates=updates, deactivate=deactivate, suppressed=suppressed)
