"""Deterministic demo data in FamaChat's source shape, with labelled incidents and dirty rows.

Everything is simulated as (campaign x day) numpy matrices, so a 1,000-account fleet (~1M rows) takes
seconds. Budgets are in minor units, spend in major units, as in the source contract.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import numpy as np
import polars as pl

from famachat_ml_pipeline.core.vocab import DEFAULT_TIMEZONE
from famachat_ml_pipeline.source.clean import SourceRead, clean_insights, latest_complete_day

INCIDENT_KINDS = ("spend_spike", "tracking_break", "ctr_collapse", "delivery_stop")
# Injected effects that are not incidents to catch but make an alert legitimate (kept in the ground truth).
EFFECT_KINDS = ("cost_creep",)
MIN_DAYS = 35  # paused stretches, young campaigns and incidents need room
# The reject reasons (`source.clean.REJECT_REASONS`) of the dirty rows `_make_dirty` injects.
DIRTY_REASONS = frozenset(
    {
        "duplicate_conflicting",
        "orphan_campaign",
        "future_date",
        "not_daily",
        "null_metric",
        "negative_metric",
        "bad_actions",
    }
)


@dataclass
class DemoData:
    campaigns: pl.DataFrame  # sistema_facebook_ads_campaigns rows (without id)
    insights: pl.DataFrame  # sistema_facebook_ads_insights rows (without id)
    incidents: pl.DataFrame  # ground truth: config_id, campaign_id, kind, start_date, end_date (+ effects)
    end_date: dt.date  # the latest complete day


def default_end_date(now: dt.datetime | None = None) -> dt.date:
    """The demo's last day by default: the pipeline's latest complete day for its accounts (São Paulo), by
    the same rule, so a run right after `demo` analyses the demo's last day whatever the hour."""
    return latest_complete_day(DEFAULT_TIMEZONE, now)


def generate_demo(
    n_accounts: int = 6,
    days: int = 90,
    seed: int = 7,
    end_date: dt.date | None = None,
    campaigns_per_account: int = 12,
    first_config_id: int = 1,
    dirty: bool = True,
) -> DemoData:
    if days < MIN_DAYS:
        raise ValueError(f"the demo needs at least {MIN_DAYS} days of history (got {days})")
    rng = np.random.default_rng(seed)
    end_date = end_date or default_end_date()
    dates = np.array([end_date - dt.timedelta(days=days - 1 - i) for i in range(days)], dtype="datetime64[D]")
    day_idx = np.arange(days)
    dow = (dates.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0

    per_account = rng.integers(max(2, campaigns_per_account - 4), campaigns_per_account + 5, n_accounts)
    cfg = np.repeat(np.arange(first_config_id, first_config_id + n_accounts), per_account)
    n = cfg.size
    camp_ids = np.array([f"{120200000000000000 + seed * 10_000_000 + i}" for i in range(n)])
    currency = np.where(np.isin(cfg, cfg[:1] + 3), "CLP", "BRL")  # one account in a zero-decimal currency
    fx = np.where(currency == "CLP", 180.0, 1.0)  # CLP amounts are ~180x BRL

    # Campaign traits: budget, cost, quality (leads per click), creative fatigue, start day.
    budget = np.round(rng.lognormal(np.log(120), 0.6, n), 0)  # BRL per day
    cpm = rng.uniform(14, 40, n)
    base_ctr = rng.uniform(0.6, 2.2, n) / 100
    cvr = rng.lognormal(np.log(0.08), 0.55, n).clip(0.005, 0.4)
    fatigue = np.where(rng.random(n) < 0.1, rng.uniform(1.0, 1.5, n), rng.uniform(0.0, 0.5, n))
    start = np.where(rng.random(n) < 0.12, rng.integers(days - 25, days - 3, n), 0)  # some young campaigns
    weekly = 1 + 0.18 * np.sin(2 * np.pi * (dow[None, :] + rng.integers(0, 7, n)[:, None]) / 7)

    alive = day_idx[None, :] >= start[:, None]
    paused_stretch = np.zeros((n, days), bool)
    has_gap = rng.random(n) < 0.15
    gap_start = rng.integers(days // 8, days - 30, n)  # gaps end before the incident fortnight
    gap_len = rng.integers(3, 10, n)  # unlabelled: keep them clear of the labelled incidents
    paused_stretch[has_gap] = (day_idx[None, :] >= gap_start[has_gap, None]) & (
        day_idx[None, :] < (gap_start + gap_len)[has_gap, None]
    )
    status = np.where(rng.random(n) < 0.12, "PAUSED", "ACTIVE")
    paused_at_end = status == "PAUSED"
    paused_stretch[paused_at_end] |= (
        day_idx[None, :] >= (days - rng.integers(8, 20, paused_at_end.sum()))[:, None]
    )
    delivering = alive & ~paused_stretch

    spend = budget[:, None] * rng.uniform(0.85, 1.05, (n, days)) * weekly
    spend = np.minimum(spend, budget[:, None] * 1.2)
    age = np.cumsum(delivering, axis=1)
    frequency = 1.05 + fatigue[:, None] * age / 30  # daily frequency creeps up as the audience saturates
    ctr = base_ctr[:, None] / (1 + fatigue[:, None] * age / 30)
    cvr_day = cvr[:, None] * (1 + 0.15 * np.cos(2 * np.pi * dow[None, :] / 7)) * rng.uniform(0.8, 1.2, (n, 1))

    # Labelled incidents in the last two weeks, on campaigns that deliver then.
    incidents = []
    eligible = np.flatnonzero(delivering[:, -16:].all(axis=1) & (status == "ACTIVE"))
    chosen = rng.choice(eligible, size=min(eligible.size, max(4, 2 * n_accounts)), replace=False)
    for k, c in enumerate(chosen):
        kind = INCIDENT_KINDS[k % len(INCIDENT_KINDS)]
        s = int(rng.integers(days - 12, days - 2))
        e = s if kind == "spend_spike" else days - 1
        if kind == "spend_spike":
            spend[c, s] = budget[c] * rng.uniform(2.6, 3.5)
        elif kind == "tracking_break":
            cvr_day[c, s:] = 0.0
        elif kind == "ctr_collapse":
            ctr[c, s:] *= 0.25
        else:
            delivering[c, s:] = False
        incidents.append((int(cfg[c]), str(camp_ids[c]), kind, dates[s].item(), dates[e].item()))

    # Cost creep (unlabelled, gradual): on some big campaigns the offer wears out and leads per click
    # sink by 45 % over two weeks. Its own generator, so the rest of the data does not change with it.
    creep_rng = np.random.default_rng(seed + 1)
    big = np.flatnonzero(
        (budget >= np.quantile(budget, 0.8))
        & (status == "ACTIVE")
        & delivering[:, -28:].all(axis=1)
        & ~np.isin(np.arange(n), chosen)
    )
    creeping = creep_rng.choice(big, size=min(big.size, max(2, n_accounts // 2)), replace=False)
    cvr_day[creeping, -14:] *= np.linspace(1.0, 0.55, 14)
    incidents += [
        (int(cfg[c]), str(camp_ids[c]), "cost_creep", dates[-14].item(), dates[-1].item()) for c in creeping
    ]

    spend = np.where(delivering, spend, 0.0)
    impressions = np.floor(spend / cpm[:, None] * 1000).astype(np.int64)
    clicks = rng.binomial(impressions, np.clip(ctr, 0, 1))
    leads = rng.binomial(clicks, np.clip(cvr_day, 0, 1))
    reach = np.maximum(1, np.floor(impressions / frequency)).astype(np.int64)
    reach = np.where(impressions > 0, np.minimum(reach, impressions), 0)

    ci, di = np.nonzero(delivering)
    sp = np.round(spend[ci, di] * fx[ci], 2)
    imp, clk, rch, lds = impressions[ci, di], clicks[ci, di], reach[ci, di], leads[ci, di]
    synced = dt.datetime.combine(end_date, dt.time(6), dt.UTC)
    rows = pl.DataFrame(
        {
            "config_id": cfg[ci].astype(np.int64),
            "campaign_id": camp_ids[ci],
            "date_start": dates[di],
            "spend": sp,
            "impressions": imp,
            "clicks": clk,
            "reach": rch,
            "leads": lds,
        }
    ).with_columns(
        date_stop=pl.col("date_start"),
        frequency=(pl.col("impressions") / pl.col("reach")).round(4),
        ctr=(pl.col("clicks") / pl.col("impressions") * 100).round(4),
        cpc=pl.when(pl.col("clicks") > 0).then(pl.col("spend") / pl.col("clicks")).round(4),
        cpm=pl.when(pl.col("impressions") > 0).then(pl.col("spend") / pl.col("impressions") * 1000).round(4),
        updated_at=pl.lit(synced),
    )
    rows = _with_actions(rows, rng)
    rows = _with_provisional_day(rows, end_date)
    if dirty:
        rows = _make_dirty(rows, rng, end_date)

    daily_minor = np.round(budget * fx * np.where(currency == "CLP", 1, 100)).astype(np.int64)
    no_budget = rng.random(n) < 0.08  # budget set at ad-set level
    campaigns = pl.DataFrame(
        {
            "config_id": cfg.astype(np.int64),
            "campaign_id": camp_ids,
            "name": [f"[LEAD] Campanha {i % 97} - Público {i % 7}" for i in range(n)],
            "status": status,
            "effective_status": status,
            "objective": np.where(rng.random(n) < 0.8, "OUTCOME_LEADS", "LEAD_GENERATION"),
            "daily_budget": pl.Series(np.where(no_budget, 0, daily_minor)).replace(0, None),
            "currency": currency,
            "timezone_name": [DEFAULT_TIMEZONE] * n,
            "created_time": [
                dt.datetime.combine(dates[s].item(), dt.time(12), dt.UTC) for s in start.tolist()
            ],
            "updated_at": [synced] * n,
        }
    )
    incident_frame = pl.DataFrame(
        incidents,
        schema={
            "config_id": pl.Int64,
            "campaign_id": pl.String,
            "kind": pl.String,
            "start_date": pl.Date,
            "end_date": pl.Date,
        },
        orient="row",
    )
    return DemoData(campaigns=campaigns, insights=rows, incidents=incident_frame, end_date=end_date)


def clean_demo(data: DemoData, lookback_days: int = 90) -> SourceRead:
    """The demo's rows through the source contract's cleaner, as of its latest complete day, as if read
    at 15:00 UTC the next day (no database needed: evaluations and benchmarks use this)."""
    campaigns = data.campaigns.with_columns(pl.col("created_time").cast(pl.String))
    insights = data.insights.with_row_index("id").with_columns(
        pl.col("id").cast(pl.Int64), pl.col("updated_at").cast(pl.String)
    )
    as_of = data.end_date
    now = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(15), dt.UTC)
    start = as_of - dt.timedelta(days=lookback_days - 1)
    return clean_insights(campaigns, insights, as_of=as_of, start=start, now=now)


def _with_actions(rows: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """About 20% of rows have `leads` null, to be resolved from `actions` (with aliases present)."""
    null_leads = rng.random(rows.height) < 0.2
    variant = rng.integers(0, 3, rows.height)
    leads = rows["leads"].to_numpy()
    actions = [
        None
        if not nl
        else json.dumps(
            [
                {"action_type": "link_click", "value": "5"},
                {"action_type": "lead", "value": str(v)},
                {"action_type": "onsite_conversion.lead_grouped", "value": str(v)},
            ]
            if k == 0
            else [
                {"action_type": "offsite_conversion.fb_pixel_lead", "value": str(v)},
                {"action_type": "leadgen_grouped", "value": str(v)},
            ]
            if k == 1
            else [{"action_type": "omni_lead", "value": str(v)}]
        )
        for nl, k, v in zip(null_leads.tolist(), variant.tolist(), leads.tolist(), strict=True)
    ]
    return rows.with_columns(
        leads=pl.when(pl.Series(null_leads)).then(None).otherwise(pl.col("leads")),
        actions=pl.Series(actions, dtype=pl.String),
    )


def _make_dirty(rows: pl.DataFrame, rng: np.random.Generator, end_date: dt.date) -> pl.DataFrame:
    """Spoil about 0.3% of rows, each kind the contract lists, as FamaChat's sync would leave them."""
    k = max(2, rows.height // 2000)
    idx = rng.choice(rows.height, size=k * 5, replace=False).reshape(5, k)
    kind = np.full(rows.height, "", dtype=object)
    for name, ids in zip(
        ("negative_metric", "null_metric", "bad_actions", "not_daily", "bad_actions2"), idx, strict=True
    ):
        kind[ids] = name
    kind = pl.Series(kind.astype(str))
    spoiled = rows.with_columns(
        spend=pl.when(kind == "negative_metric").then(-pl.col("spend") - 1).otherwise(pl.col("spend")),
        impressions=pl.when(kind == "null_metric").then(None).otherwise(pl.col("impressions")),
        leads=pl.when(kind.str.starts_with("bad_actions")).then(None).otherwise(pl.col("leads")),
        actions=pl.when(kind == "bad_actions")
        .then(pl.lit('{"action_type": "lead"}'))
        .when(kind == "bad_actions2")
        .then(pl.lit('[{"action_type": "lead", "value": "três"}]'))
        .otherwise(pl.col("actions")),
        date_stop=pl.when(kind == "not_daily")
        .then(pl.col("date_start") + pl.duration(days=6))
        .otherwise(pl.col("date_stop")),
    )
    pick = lambda: rows.sample(k, seed=int(rng.integers(1 << 30)))  # noqa: E731
    future = end_date + dt.timedelta(days=5)
    extra = [
        # an older copy of a real row, with other numbers: the latest updated_at must win
        pick().with_columns(updated_at=pl.col("updated_at") - pl.duration(days=3), spend=pl.col("spend") * 3),
        pick().with_columns(date_start=pl.lit(future), date_stop=pl.lit(future)),
        pick().with_columns(campaign_id=pl.lit("999999999999999999")),
    ]
    return pl.concat([spoiled, *extra], how="vertical_relaxed")


def _with_provisional_day(rows: pl.DataFrame, end_date: dt.date) -> pl.DataFrame:
    """Today's partial rows: spend so far, conversions still arriving. Analysis must ignore them."""
    today = end_date + dt.timedelta(days=1)
    partial = rows.filter(pl.col("date_start") == end_date).with_columns(
        date_start=pl.lit(today),
        date_stop=pl.lit(today),
        spend=(pl.col("spend") * 0.4).round(2),
        impressions=pl.col("impressions") * 4 // 10,
        clicks=pl.col("clicks") * 4 // 10,
        reach=pl.col("reach") * 4 // 10,
        leads=pl.col("leads") // 4,
        updated_at=pl.col("updated_at") + pl.duration(hours=6),
    )
    return pl.concat([rows, partial], how="vertical_relaxed")
