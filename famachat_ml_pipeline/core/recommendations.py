"""The recommendation engine (seed section 4.4): the 8 rule types, with the safety rules media buyers use,
and the lifecycle of `ml_recommendations` (`reconcile`). Pure polars: no database, no Dagster.

`generate_recommendations` evaluates every rule as a polars expression over one joined frame with a row per
campaign (features, classification, open anomalies, forecasts, campaign attributes), so all campaigns of
all accounts are evaluated at once: there is no loop per campaign. Two rules need the daily frame itself
(REACTIVATE: the history before the pause; OPTIMIZE_SCHEDULE: CPL by weekday); they are `group_by`s too.

Rules (thresholds are `RecommendationConfig` fields; "account CPL" is the CPL of all the account's campaigns
over the same window, the reference the classifier uses):

| type              | fires when                                                                          |
|-------------------|-------------------------------------------------------------------------------------|
| PAUSE_CAMPAIGN    | ACTIVE, UNDERPERFORMER, 0 leads in 7 days and spend_7d >= 2 x account CPL           |
| BUDGET_INCREASE   | ACTIVE, HIGH_PERFORMER, CPL < 0.7 x account CPL, leads on > 50 % of days, CPL trend  |
|                   | < +10 %, spending >= 80 % of the budget (more budget buys nothing otherwise)         |
| SCALE_UP          | BUDGET_INCREASE's conditions, and the same over 30 days (CPL <= 0.7 x account CPL on |
|                   | >= 28 days, leads on >= 80 % of them). It supersedes BUDGET_INCREASE                 |
| BUDGET_DECREASE   | ACTIVE, CPL >= 1.3 x account CPL and CPL up >= 15 % on the previous 7 days           |
| CREATIVE_REFRESH  | ACTIVE, frequency_7d >= 2.5 and CTR significantly low (vs the account) or falling    |
|                   | (vs the previous 7 days), or an open CTR_DROP anomaly                                |
| AUDIENCE_REVIEW   | ACTIVE, frequency_7d > 5, or an open REACH_SATURATION anomaly, or frequency_7d >=    |
|                   | 3.5 with reach down >= 10 % while spend held                                         |
| REACTIVATE        | PAUSED for >= 3 days; its last 30 delivered days (within 90) had >= 10 leads, leads  |
|                   | on >= half the days and CPL <= the account's current 30-day CPL                      |
| OPTIMIZE_SCHEDULE | ACTIVE, 28 days of history; the worst weekday's CPL is >= 50 % above the best's, and |
|                   | its leads are too few for its spend at the rate of the other days of the same weeks  |
|                   | (one-sided Poisson test, Bonferroni x 7, p <= 0.01; see `weekday_spread`)            |

`frequency_7d` is the features' mean daily frequency (impressions / summed daily reach), a lower bound on
Meta's 7-day frequency, so the seed's "> 5" is a conservative bar.

Safety rules:
- Budget steps are capped at `max_budget_step_pct` (20 %): the seed's 30 % increase and decrease are cut to
  the cap. Suggested budgets are rounded toward the current budget at the currency's precision, so rounding
  never exceeds the cap.
- Learning-phase proxy: Meta leaves the learning phase after about 50 optimisation events in 7 days (per ad
  set, since the last significant edit, which we cannot see). We only have campaign-level daily data, so a
  campaign with `leads_7d < learning_min_leads_7d` counts as still learning, and gets no budget change
  (BUDGET_INCREASE, BUDGET_DECREASE, SCALE_UP): a budget edit restarts learning. This is strict for small
  accounts: a R$ 100/day campaign at a R$ 25 CPL gets 28 leads a week and never leaves "learning" by this
  proxy (Meta calls it "learning limited"). Lower the threshold (e.g. 20) for small-budget fleets.
- A campaign with an open CRITICAL anomaly (any type, not acknowledged) is never scaled (BUDGET_INCREASE,
  SCALE_UP): a CRITICAL jump may be a tracking or delivery fault, not real performance.
- Budget rules need a campaign-level daily budget: with the budget at ad-set level (null) there is no
  campaign field to change.
- Rates on small counts (CTR, CPL by weekday) must pass a count-aware test, not only a percentage.

Money: budgets and CPLs are in the currency's major unit (the daily frame already divided the source's minor
units by 100, or by 1 for CLP, COP, JPY, KRW, IDR and VND); those six show no decimals ("CLP 5.000").
The expected impact of a budget change is the extra leads a week the step buys at the forecast CPL
(`forecast_fleet`'s cpl over the next 7 days, else the 7-day CPL), an upper bound since the marginal CPL of
more budget is usually above the average; the forecast leads of the next 7 days are quoted as the baseline.

`confidence_score` = weighted mean of volume (0.4), consistency (0.3) and, when the classifier is a model,
its probability for the tier the rule relies on (0.3; weights renormalised without it), clipped to
[0.05, 0.99]. Each rule defines its own volume and consistency (see the rule functions).

`severity_metric` is the rule's key number, oriented so that larger means a stronger case for the
recommendation (e.g. CPL / account CPL for BUDGET_DECREASE, account CPL / CPL for BUDGET_INCREASE). It is
also stored in `reasoning["severity_metric"]`, which is what `reconcile` compares against for the cooldown.

Text: titles and descriptions are pt-BR with Brazilian number formats ("R$ 1.234,56", "42%"). They are built
with vectorised polars expressions (`number_expr`, `money_expr`, `pct_expr`), so there is no per-row Python.
`format_money` and `format_pct` are the scalar forms of the same expressions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from scipy import stats

from famachat_ml_pipeline.core.anomalies import ANOMALY_SCHEMA
from famachat_ml_pipeline.core.forecasting import OUTPUT_SCHEMA as FORECAST_SCHEMA
from famachat_ml_pipeline.core.frames import KEY, ZERO_DECIMAL_CURRENCIES, minor_unit_divisor

RECOMMENDATION_TYPES: tuple[str, ...] = (
    "BUDGET_INCREASE", "BUDGET_DECREASE", "PAUSE_CAMPAIGN", "SCALE_UP",
    "CREATIVE_REFRESH", "AUDIENCE_REVIEW", "REACTIVATE", "OPTIMIZE_SCHEDULE",
)  # fmt: skip
# The seed's table (section 4.4).
PRIORITIES: dict[str, int] = {
    "BUDGET_INCREASE": 8,
    "BUDGET_DECREASE": 7,
    "PAUSE_CAMPAIGN": 9,
    "SCALE_UP": 8,
    "CREATIVE_REFRESH": 6,
    "AUDIENCE_REVIEW": 7,
    "REACTIVATE": 5,
    "OPTIMIZE_SCHEDULE": 4,
}

OUTPUT_SCHEMA: dict[str, pl.DataType] = {
    "config_id": pl.Int64(),
    "entity_type": pl.String(),
    "entity_id": pl.String(),
    "recommendation_type": pl.String(),
    "priority": pl.Int32(),
    "title": pl.String(),  # <= 255 characters
    "description": pl.String(),
    # JSON {field, current, suggested, change_percent, expected_impact, currency}
    "suggested_action": pl.String(),
    "confidence_score": pl.Float64(),
    "reasoning": pl.String(),  # JSON with the numbers that fired the rule; always has "severity_metric"
    "expires_at": pl.Datetime("us"),  # naive, like the table's TIMESTAMP
    "severity_metric": pl.Float64(),
}
REC_KEY = ["config_id", "entity_type", "entity_id", "recommendation_type"]
SEVERITY_KEY = "severity_metric"  # the key in reasoning that `reconcile` reads back from dismissed rows

# Currencies whose minor unit is the major unit: money is shown without decimals (source contract).
CURRENCY_SYMBOLS = {"BRL": "R$", "USD": "US$", "EUR": "€"}
WEEKDAYS_PT = (
    "segunda-feira",
    "terça-feira",
    "quarta-feira",
    "quinta-feira",
    "sexta-feira",
    "sábado",
    "domingo",
)

# Anomaly types that explain each recommendation (for ml_anomalies.recommendation_id).
ANOMALY_LINKS: dict[str, tuple[str, ...]] = {
    "PAUSE_CAMPAIGN": ("PERFORMANCE_DROP", "CPL_SPIKE"),
    "BUDGET_DECREASE": ("CPL_SPIKE", "PERFORMANCE_DROP"),
    "CREATIVE_REFRESH": ("CTR_DROP",),
    "AUDIENCE_REVIEW": ("REACH_SATURATION", "FREQUENCY_ALERT"),
}

_DEFAULT_EXPIRY = {
    # budget and pause advice goes stale fast; structural advice lasts longer. A daily run refreshes
    # the expiry of every recommendation that still fires, so this only matters when runs stop.
    "BUDGET_INCREASE": 3,
    "BUDGET_DECREASE": 3,
    "PAUSE_CAMPAIGN": 2,
    "SCALE_UP": 7,
    "CREATIVE_REFRESH": 7,
    "AUDIENCE_REVIEW": 7,
    "REACTIVATE": 14,
    "OPTIMIZE_SCHEDULE": 14,
}


@dataclass(frozen=True)
class RecommendationConfig:
    # safety
    max_budget_step_pct: float = 20.0  # no budget step larger than this, in either direction
    learning_min_leads_7d: int = 50  # learning-phase proxy (see the module docstring)
    critical_block_days: int | None = None  # None: any open CRITICAL anomaly blocks scaling, however old
    anomaly_trigger_days: int = 7  # open anomalies younger than this can trigger a recommendation
    # lifecycle
    dismiss_cooldown_days: int = 7
    applied_cooldown_days: int = 7  # after a user applies one, wait as long as Meta's learning period
    materially_worse_pct: float = 25.0  # severity must grow this much to break a cooldown
    expires_in_days: dict[str, int] = field(default_factory=lambda: dict(_DEFAULT_EXPIRY))
    # confidence
    volume_full_leads: int = 100  # leads a week for full volume evidence (above the learning proxy's 50)
    # BUDGET_INCREASE (seed: HIGH_PERFORMER, cpl_ratio < 0.7, days_with_leads_ratio > 0.5, cpl_trend < 10)
    increase_pct: float = 30.0  # the seed's example; capped by max_budget_step_pct
    increase_max_cpl_ratio: float = 0.7
    increase_min_days_with_leads_ratio: float = 0.5
    increase_max_cpl_trend: float = 10.0
    increase_min_budget_use: float = 0.8  # avg daily spend / daily budget: below it, budget is not the limit
    # SCALE_UP: consistent HIGH_PERFORMER over 30 days
    scale_pct: float = 50.0  # the seed's upper bound; capped by max_budget_step_pct
    scale_max_cpl_ratio_30d: float = 0.7
    scale_min_days_with_leads_ratio_30d: float = 0.8
    scale_min_days_30d: int = 28
    # BUDGET_DECREASE (seed: high CPL, worsening trend; reduce 20-30 %)
    decrease_pct: float = 30.0  # capped by max_budget_step_pct
    decrease_min_cpl_ratio: float = 1.3
    decrease_min_cpl_trend: float = 15.0
    # PAUSE_CAMPAIGN (seed: UNDERPERFORMER without leads)
    pause_min_spend_cpl_multiple: float = 2.0
    # CREATIVE_REFRESH (seed: low CTR, high frequency)
    creative_min_frequency: float = 2.5
    creative_max_ctr_ratio: float = 0.7  # CTR <= 70 % of the account's
    creative_min_ctr_drop_pct: float = 25.0  # or CTR down >= 25 % on the previous 7 days
    creative_min_impressions: int = 1000
    ctr_z: float = 3.0  # count-aware: the CTR gap must also be >= 3 standard errors
    # AUDIENCE_REVIEW (seed: frequency > 5, saturated reach)
    audience_max_frequency: float = 5.0
    saturation_min_frequency: float = 3.5
    saturation_min_reach_drop_pct: float = 10.0
    saturation_max_spend_drop_pct: float = 10.0  # reach must fall while spend held, not because of it
    audience_min_impressions: int = 1000
    # REACTIVATE (seed: paused with a good history)
    reactivate_lookback_days: int = 90
    reactivate_history_days: int = 30  # the campaign's last delivered days that form its history
    reactivate_min_paused_days: int = 3  # respect a fresh pause decision for a few days
    reactivate_min_leads: int = 10
    reactivate_min_days_with_leads_ratio: float = 0.5
    reactivate_max_cpl_ratio: float = 1.0
    # OPTIMIZE_SCHEDULE (seed: performance varies by day)
    schedule_window_days: int = 28
    schedule_min_spread_pct: float = 50.0  # worst weekday CPL >= 1.5 x best weekday CPL
    schedule_min_total_leads: int = 20
    schedule_min_best_leads: int = 5
    schedule_min_expected_leads: float = 5.0  # leads the worst weekday should have had at the others' rate
    schedule_alpha: float = 0.01  # Poisson test, Bonferroni-corrected for picking 1 of 7 weekdays

    def step_pct(self, wanted: float) -> float:
        return min(wanted, self.max_budget_step_pct)


# ---------------------------------------------------------------------------------------- formatting


def number_expr(value: pl.Expr, decimals: int = 2) -> pl.Expr:
    """Brazilian number format: "1.234.567,89". Null stays null."""
    scale = 10**decimals
    total = (value.abs() * scale).round(0).cast(pl.Int64, strict=False)  # NaN / inf -> null, never a crash
    # thousands separators: group the reversed digits by 3 (polars regex has no look-ahead)
    grouped = (
        (total // scale)
        .cast(pl.String)
        .str.reverse()
        .str.replace_all(r"(\d{3})", "${1}.")
        .str.strip_chars_end(".")
        .str.reverse()
    )
    sign = pl.when((value < 0) & (total > 0)).then(pl.lit("-")).otherwise(pl.lit(""))
    if decimals == 0:
        return pl.concat_str([sign, grouped])
    frac = (total % scale).cast(pl.String).str.zfill(decimals)
    return pl.concat_str([sign, grouped, pl.lit(","), frac])


def money_expr(value: pl.Expr, currency: pl.Expr) -> pl.Expr:
    """Money in pt-BR: "R$ 1.234,56", "US$ 10,00", "CLP 5.000" (no decimals for minor-unit-1 currencies)."""
    cur = currency.fill_null("BRL")
    symbol = cur.replace_strict(CURRENCY_SYMBOLS, default=cur, return_dtype=pl.String)
    digits = (
        pl.when(cur.is_in(ZERO_DECIMAL_CURRENCIES))
        .then(number_expr(value.abs(), 0))
        .otherwise(number_expr(value.abs(), 2))
    )
    sign = pl.when(value.round(2) < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    return pl.concat_str([sign, symbol, pl.lit(" "), digits])


def pct_expr(value: pl.Expr, decimals: int = 0) -> pl.Expr:
    """A percentage in pt-BR: "42%", "4,5%" (decimals=1)."""
    return pl.concat_str([number_expr(value, decimals), pl.lit("%")])


def format_money(value: float, currency: str = "BRL") -> str:
    """Scalar form of `money_expr`: format_money(1234.56, "BRL") == "R$ 1.234,56"."""
    return (
        pl.DataFrame({"v": [float(value)], "c": [currency]})
        .select(money_expr(pl.col("v"), pl.col("c")))
        .item()
    )


def format_pct(value: float, decimals: int = 0) -> str:
    """Scalar form of `pct_expr`: format_pct(42.4) == "42%"."""
    return pl.DataFrame({"v": [float(value)]}).select(pct_expr(pl.col("v"), decimals)).item()


def format_number(value: float, decimals: int = 2) -> str:
    """Scalar form of `number_expr`: format_number(1234.5, 1) == "1.234,5"."""
    return pl.DataFrame({"v": [float(value)]}).select(number_expr(pl.col("v"), decimals)).item()


def _money(col: str | pl.Expr) -> pl.Expr:
    return money_expr(pl.col(col) if isinstance(col, str) else col, pl.col("currency"))


def _num(col: str | pl.Expr, decimals: int = 0) -> pl.Expr:
    return number_expr(pl.col(col) if isinstance(col, str) else col, decimals)


def _pct(col: str | pl.Expr, decimals: int = 0) -> pl.Expr:
    return pct_expr(pl.col(col) if isinstance(col, str) else col, decimals)


def _text(*parts: str | pl.Expr) -> pl.Expr:
    """concat_str where plain strings are literals and null parts read as empty (optional clauses)."""
    return pl.concat_str([pl.lit(p) if isinstance(p, str) else p.fill_null("") for p in parts])


def _when(cond: pl.Expr, *parts: str | pl.Expr) -> pl.Expr:
    """An optional clause: the text when cond holds, else empty."""
    return pl.when(cond.fill_null(False)).then(_text(*parts)).otherwise(pl.lit(""))


# ---------------------------------------------------------------------------------------- inputs


def _div(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    return pl.when(den > 0).then(num / den)


def _clip01(e: pl.Expr) -> pl.Expr:
    return e.clip(0.0, 1.0)


def _campaign_attributes(daily: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Status, budget (major unit, as in DAILY_SCHEMA) and currency from each campaign's latest row."""
    latest = pl.col("date").arg_max()  # no sort of the whole frame: pick the latest row per group
    return (
        daily.filter(pl.col("date") <= as_of)
        .group_by(KEY)
        .agg(
            pl.col("status").get(latest),
            pl.col("daily_budget").get(latest),
            pl.col("currency").get(latest).fill_null("BRL"),
            pl.col("date").filter(pl.col("spend") > 0).max().alias("last_spend_date"),
        )
    )


def _classification_view(classifications: pl.DataFrame) -> pl.DataFrame:
    """tier, its confidence, and the model's probabilities of the tiers the rules rely on (null for rules)."""
    cols = classifications.columns
    probs = "probabilities" in cols and isinstance(classifications.schema["probabilities"], pl.Struct)
    fields = {f.name for f in classifications.schema["probabilities"].fields} if probs else set()

    def prob(*tiers: str) -> pl.Expr:
        if not probs or not set(tiers) <= fields:
            return pl.lit(None, dtype=pl.Float64)
        return pl.sum_horizontal(pl.col("probabilities").struct.field(t) for t in tiers)

    method = pl.col("method") if "method" in cols else pl.lit("rules")
    return classifications.select(
        *KEY,
        pl.col("tier"),
        pl.col("confidence_score").alias("tier_confidence"),
        method.alias("tier_method"),
        prob("HIGH_PERFORMER").alias("p_high"),
        prob("LOW", "UNDERPERFORMER").alias("p_poor"),
        prob("UNDERPERFORMER").alias("p_under"),
    ).unique(KEY, keep="last")


def _open_anomalies(open_anomalies: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Campaign anomalies that are open (not acknowledged) and dated on or before as_of."""
    a = open_anomalies
    if "entity_type" in a.columns:
        a = a.filter(pl.col("entity_type") == "campaign")
    if "is_acknowledged" in a.columns:
        a = a.filter(~pl.col("is_acknowledged").fill_null(False))
    return a.with_columns(pl.col("anomaly_date").cast(pl.Date)).filter(pl.col("anomaly_date") <= as_of)


def _anomaly_flags(
    open_anomalies: pl.DataFrame, as_of: dt.date, config: RecommendationConfig
) -> pl.DataFrame:
    a = _open_anomalies(open_anomalies, as_of)
    recent = pl.col("anomaly_date") > as_of - dt.timedelta(days=config.anomaly_trigger_days)
    critical = pl.col("severity") == "CRITICAL"
    if config.critical_block_days is not None:
        critical = critical & (pl.col("anomaly_date") > as_of - dt.timedelta(days=config.critical_block_days))
    return (
        a.group_by("config_id", "entity_id")
        .agg(
            critical.any().alias("has_critical"),
            pl.col("anomaly_type").filter(critical).unique().sort().str.join(",").alias("critical_types"),
            (recent & (pl.col("anomaly_type") == "REACH_SATURATION")).any().alias("saturation_open"),
            (recent & (pl.col("anomaly_type") == "CTR_DROP")).any().alias("ctr_drop_open"),
        )
        .rename({"entity_id": "campaign_id"})
    )


def _forecast_summary(forecasts: pl.DataFrame) -> pl.DataFrame:
    """Leads expected over the next 7 days and the mean forecast CPL, per campaign."""
    f = forecasts.filter(pl.col("horizon_day") <= 7)
    return (
        f.group_by("config_id", "entity_id")
        .agg(
            (pl.col("predicted_value").filter(pl.col("metric") == "leads").mean() * 7).alias("fc_leads_7d"),
            pl.col("predicted_value").filter(pl.col("metric") == "cpl").mean().alias("fc_cpl"),
        )
        .rename({"entity_id": "campaign_id"})
    )


def _base(
    wide: pl.DataFrame,
    classifications: pl.DataFrame,
    open_anomalies: pl.DataFrame,
    forecasts: pl.DataFrame,
    attributes: pl.DataFrame,
    as_of: dt.date,
    config: RecommendationConfig,
) -> pl.DataFrame:
    """One row per campaign with everything the vectorised rules read."""
    base = (
        wide.join(attributes, on=KEY, how="left")
        .join(_classification_view(classifications), on=KEY, how="left")
        .join(_anomaly_flags(open_anomalies, as_of, config), on=KEY, how="left")
        .join(_forecast_summary(forecasts), on=KEY, how="left")
    )
    f = lambda name, w=7: pl.col(f"{name}_{w}d")  # noqa: E731
    prev = lambda name: pl.col(f"{name}_14d") - pl.col(f"{name}_7d")  # noqa: E731
    full_prev_week = pl.col("days_in_window_14d") >= 14  # previous 7 days exist in full
    prev_impr, prev_clicks = prev("impressions"), prev("clicks")
    ctr7 = _div(f("clicks").cast(pl.Float64), f("impressions").cast(pl.Float64))
    actr7 = f("account_ctr") / 100
    pooled = _div(
        (f("clicks") + prev_clicks).cast(pl.Float64), (f("impressions") + prev_impr).cast(pl.Float64)
    )
    prev_ctr = _div(prev_clicks.cast(pl.Float64), prev_impr.cast(pl.Float64))
    return base.with_columns(
        pl.col("has_critical").fill_null(False),
        pl.col("saturation_open").fill_null(False),
        pl.col("ctr_drop_open").fill_null(False),
        pl.col("currency").fill_null("BRL"),
        entity_type=pl.lit("campaign"),
        is_active_now=pl.col("status") == "ACTIVE",
        has_daily_budget=pl.col("daily_budget").fill_null(0) > 0,
        learning=f("leads").fill_null(0) < config.learning_min_leads_7d,
        # true CPL ratios (null without leads); the classifier's cpl_ratio is the pessimistic variant
        cpl_rel_7d=_div(f("cpl"), f("account_cpl")),
        cpl_rel_30d=_div(f("cpl", 30), f("account_cpl", 30)),
        dwl_ratio_7d=_div(f("days_with_leads").cast(pl.Float64), f("days_in_window").cast(pl.Float64)),
        dwl_ratio_30d=_div(
            f("days_with_leads", 30).cast(pl.Float64), f("days_in_window", 30).cast(pl.Float64)
        ),
        budget_use=_div(f("avg_daily_spend"), pl.col("daily_budget")),
        ref_cpl=pl.coalesce(f("account_cpl"), f("account_cpl", 30)),
        reach_trend_7d=pl.when(full_prev_week & (prev("reach") > 0)).then(
            (f("reach") - prev("reach")) / prev("reach") * 100
        ),
        # count-aware CTR: z of the campaign's clicks against the account's CTR (binomial standard error)
        ctr_z_vs_account=_div(ctr7 - actr7, (actr7 * (1 - actr7) / f("impressions")).sqrt()),
        # two-proportion z of this week's CTR against the previous week's
        ctr_z_vs_prev=pl.when(full_prev_week).then(
            _div(ctr7 - prev_ctr, (pooled * (1 - pooled) * (1 / f("impressions") + 1 / prev_impr)).sqrt())
        ),
    )


# ---------------------------------------------------------------------------------------- shared pieces


def _confidence(volume: pl.Expr, consistency: pl.Expr, model: pl.Expr) -> pl.Expr:
    """Weighted evidence: volume 0.4, consistency 0.3, the model's probability 0.3 when there is one."""
    v, c = _clip01(volume.fill_null(0.0)), _clip01(consistency.fill_null(0.0))
    has_model = model.is_not_null()
    num = 0.4 * v + 0.3 * c + 0.3 * _clip01(model.fill_null(0.0))
    den = pl.lit(0.7) + pl.when(has_model).then(0.3).otherwise(0.0)
    return (num / den).clip(0.05, 0.99).round(3)


def _budget_step(pct: float, increase: bool) -> list[pl.Expr]:
    """current_budget, suggested_budget (rounded toward current at the currency's precision), change_pct."""
    cur = pl.col("daily_budget")
    factor = 1 + pct / 100 if increase else 1 - pct / 100
    scale = minor_unit_divisor(pl.col("currency"))
    raw = (cur * factor * scale).round(6)  # float noise (100 x 0.8 x 100 = 8000.000000000001) is not a cent
    # rounding toward the current budget keeps the step within the cap
    suggested = (raw.floor() if increase else raw.ceil()) / scale
    return [
        cur.alias("current_budget"),
        suggested.alias("suggested_budget"),
        ((suggested / cur - 1) * 100).round(1).alias("change_pct"),
    ]


def _extra_leads() -> pl.Expr:
    """Extra leads a week the budget change buys at the forecast CPL (else the 7-day CPL). An upper bound:
    the marginal CPL of more budget is usually above the average CPL."""
    cpl = pl.coalesce(pl.col("fc_cpl"), pl.col("cpl_7d"))
    return _div((pl.col("suggested_budget") - pl.col("current_budget")) * 7, cpl)


def _budget_impact(increase: bool) -> pl.Expr:
    cpl = pl.coalesce(pl.col("fc_cpl"), pl.col("cpl_7d"))
    baseline = _when(
        pl.col("fc_leads_7d").is_not_null(),
        "; previsão atual: ",
        _num("fc_leads_7d", 0),
        " leads nos próximos 7 dias",
    )
    if increase:
        return _text("até +", _num(_extra_leads(), 1), " leads/semana ao CPL de ", _money(cpl), baseline)
    saved = (pl.col("current_budget") - pl.col("suggested_budget")) * 7
    return _text(
        "economia de ", _money(saved), "/semana; cerca de ", _num(-_extra_leads(), 1),
        " leads/semana a menos ao CPL de ", _money(cpl), baseline,
    )  # fmt: skip


def _action(
    field_: str | pl.Expr, current: pl.Expr, suggested: pl.Expr, change: pl.Expr, impact: pl.Expr
) -> pl.Expr:
    return pl.struct(
        (pl.lit(field_) if isinstance(field_, str) else field_).alias("field"),
        current.alias("current"),
        suggested.alias("suggested"),
        change.alias("change_percent"),
        impact.alias("expected_impact"),
        pl.col("currency").alias("currency"),
    ).struct.json_encode()


def _r(e: pl.Expr | str, digits: int = 4) -> pl.Expr:
    return (pl.col(e) if isinstance(e, str) else e).cast(pl.Float64).round(digits)


def _reasoning(rule: str, severity: pl.Expr, **numbers: pl.Expr | float | int | str | None) -> pl.Expr:
    items = [pl.lit(rule).alias("rule"), _r(severity).alias(SEVERITY_KEY)]
    for k, v in numbers.items():
        items.append((v if isinstance(v, pl.Expr) else pl.lit(v)).alias(k))
    return pl.struct(items).struct.json_encode()


def _emit(
    frame: pl.DataFrame,
    rec_type: str,
    *,
    title: pl.Expr,
    description: pl.Expr,
    action: pl.Expr,
    confidence: pl.Expr,
    reasoning: pl.Expr,
    severity: pl.Expr,
    expires_at: dt.datetime,
) -> pl.DataFrame:
    return frame.select(
        pl.col("config_id").cast(pl.Int64),
        pl.lit("campaign").alias("entity_type"),
        pl.col("campaign_id").alias("entity_id"),
        pl.lit(rec_type).alias("recommendation_type"),
        pl.lit(PRIORITIES[rec_type], dtype=pl.Int32).alias("priority"),
        title.str.slice(0, 255).alias("title"),
        description.alias("description"),
        action.alias("suggested_action"),
        confidence.alias("confidence_score"),
        reasoning.alias("reasoning"),
        pl.lit(expires_at, dtype=pl.Datetime("us")).alias("expires_at"),
        _r(severity).alias("severity_metric"),
    )


# ---------------------------------------------------------------------------------------- rules


def _cheap_margin(ratio: str, config: RecommendationConfig) -> pl.Expr:
    """How far below the 0.7 bar the CPL ratio is: 0 on the bar, 1 at 30 % below it (0.49)."""
    bar = config.increase_max_cpl_ratio
    return _clip01((bar - pl.col(ratio)) / (0.3 * bar))


def _scaling_gate(config: RecommendationConfig) -> pl.Expr:
    """Shared by BUDGET_INCREASE and SCALE_UP: an active, budget-limited HIGH_PERFORMER that is out of
    learning, has a stable CPL (a null trend, i.e. no previous week to compare, fails) and no open CRITICAL
    anomaly."""
    return (
        pl.col("is_active_now")
        & pl.col("has_daily_budget")
        & ~pl.col("learning")
        & ~pl.col("has_critical")
        & (pl.col("tier") == "HIGH_PERFORMER")
        & (pl.col("cpl_rel_7d") < config.increase_max_cpl_ratio)
        & (pl.col("dwl_ratio_7d") > config.increase_min_days_with_leads_ratio)
        & (pl.col("cpl_trend_7d") < config.increase_max_cpl_trend)
        & (pl.col("budget_use") >= config.increase_min_budget_use)
    ).fill_null(False)


def _scale_consistent(config: RecommendationConfig) -> pl.Expr:
    return (
        (pl.col("days_in_window_30d") >= config.scale_min_days_30d)
        & (pl.col("cpl_rel_30d") <= config.scale_max_cpl_ratio_30d)
        & (pl.col("dwl_ratio_30d") >= config.scale_min_days_with_leads_ratio_30d)
    ).fill_null(False)


def _cpl_vs_account_text() -> pl.Expr:
    below = (1 - pl.col("cpl_rel_7d")) * 100
    return _text(
        "CPL de ", _money("cpl_7d"), ", ", _pct(below), " abaixo da média da conta (",
        _money("account_cpl_7d"), ") nos últimos 7 dias",
    )  # fmt: skip


def _budget_increase(base: pl.DataFrame, config: RecommendationConfig, expires: dict) -> pl.DataFrame:
    pct = config.step_pct(config.increase_pct)
    df = base.filter(_scaling_gate(config) & ~_scale_consistent(config)).with_columns(_budget_step(pct, True))
    severity = 1 / pl.col("cpl_rel_7d")
    return _emit(
        df,
        "BUDGET_INCREASE",
        title=_text(
            "Aumentar orçamento em ",
            _pct("change_pct"),
            ": CPL ",
            _pct((1 - pl.col("cpl_rel_7d")) * 100),
            " abaixo da média da conta",
        ),
        description=_text(
            _cpl_vs_account_text(),
            ", com ",
            _num("leads_7d"),
            " leads em ",
            _num("days_with_leads_7d"),
            " de ",
            _num("days_in_window_7d"),
            " dias. Sugerimos subir o orçamento diário de ",
            _money("current_budget"),
            " para ",
            _money("suggested_budget"),
            " (+",
            _pct("change_pct"),
            "). Aumentos de até ",
            format_pct(config.max_budget_step_pct),
            " por vez evitam reiniciar a fase de aprendizado; reavalie em 3 a 4 dias.",
        ),
        action=_action(
            "daily_budget",
            _r("current_budget", 2),
            _r("suggested_budget", 2),
            pl.col("change_pct"),
            _budget_impact(True),
        ),
        confidence=_confidence(
            pl.col("leads_7d") / config.volume_full_leads,
            0.5 * pl.col("dwl_ratio_7d") + 0.5 * _cheap_margin("cpl_rel_7d", config),
            pl.col("p_high"),
        ),
        reasoning=_reasoning(
            "HIGH_PERFORMER and cpl_ratio < max and days_with_leads_ratio > min and cpl_trend < max",
            severity,
            tier=pl.col("tier"),
            tier_method=pl.col("tier_method"),
            cpl_7d=_r("cpl_7d"),
            account_cpl_7d=_r("account_cpl_7d"),
            cpl_ratio_7d=_r("cpl_rel_7d"),
            cpl_trend_7d=_r("cpl_trend_7d"),
            leads_7d=pl.col("leads_7d"),
            days_with_leads_ratio_7d=_r("dwl_ratio_7d"),
            budget_use=_r("budget_use"),
            expected_extra_leads_week=_r(_extra_leads(), 2),
            forecast_leads_7d=_r("fc_leads_7d", 2),
            max_cpl_ratio=config.increase_max_cpl_ratio,
            learning_min_leads_7d=config.learning_min_leads_7d,
            step_pct=pct,
        ),
        severity=severity,
        expires_at=expires["BUDGET_INCREASE"],
    )


def _scale_up(base: pl.DataFrame, config: RecommendationConfig, expires: dict) -> pl.DataFrame:
    pct = config.step_pct(config.scale_pct)
    df = base.filter(_scaling_gate(config) & _scale_consistent(config)).with_columns(_budget_step(pct, True))
    severity = 1 / pl.col("cpl_rel_30d")
    below30 = (1 - pl.col("cpl_rel_30d")) * 100
    return _emit(
        df,
        "SCALE_UP",
        title=_text("Escalar campanha: CPL ", _pct(below30), " abaixo da média há 30 dias"),
        description=_text(
            "Desempenho consistente: CPL de ",
            _money("cpl_30d"),
            " nos últimos 30 dias, ",
            _pct(below30),
            " abaixo da média da conta (",
            _money("account_cpl_30d"),
            "), com leads em ",
            _num("days_with_leads_30d"),
            " de ",
            _num("days_in_window_30d"),
            " dias; ",
            _cpl_vs_account_text(),
            ". Escale em etapas: orçamento diário de ",
            _money("current_budget"),
            " para ",
            _money("suggested_budget"),
            " (+",
            _pct("change_pct"),
            ") agora e novos aumentos de até ",
            format_pct(config.max_budget_step_pct),
            " a cada 3 a 4 dias enquanto o CPL se mantiver. ",
            "Considere também duplicar o conjunto para públicos semelhantes (lookalike).",
        ),
        action=_action(
            "daily_budget",
            _r("current_budget", 2),
            _r("suggested_budget", 2),
            pl.col("change_pct"),
            _budget_impact(True),
        ),
        confidence=_confidence(
            pl.col("leads_30d") / (config.volume_full_leads * 4),
            0.5 * pl.col("dwl_ratio_30d") + 0.5 * _cheap_margin("cpl_rel_30d", config),
            pl.col("p_high"),
        ),
        reasoning=_reasoning(
            "HIGH_PERFORMER over 7 and 30 days",
            severity,
            tier=pl.col("tier"),
            tier_method=pl.col("tier_method"),
            cpl_7d=_r("cpl_7d"),
            cpl_30d=_r("cpl_30d"),
            account_cpl_30d=_r("account_cpl_30d"),
            cpl_ratio_7d=_r("cpl_rel_7d"),
            cpl_ratio_30d=_r("cpl_rel_30d"),
            cpl_trend_7d=_r("cpl_trend_7d"),
            leads_7d=pl.col("leads_7d"),
            leads_30d=pl.col("leads_30d"),
            days_with_leads_ratio_30d=_r("dwl_ratio_30d"),
            budget_use=_r("budget_use"),
            expected_extra_leads_week=_r(_extra_leads(), 2),
            forecast_leads_7d=_r("fc_leads_7d", 2),
            learning_min_leads_7d=config.learning_min_leads_7d,
            step_pct=pct,
        ),
        severity=severity,
        expires_at=expires["SCALE_UP"],
    )


def _budget_decrease(base: pl.DataFrame, config: RecommendationConfig, expires: dict) -> pl.DataFrame:
    pct = config.step_pct(config.decrease_pct)
    cond = (
        pl.col("is_active_now")
        & pl.col("has_daily_budget")
        & ~pl.col("learning")
        & (pl.col("leads_7d") > 0)
        & (pl.col("cpl_rel_7d") >= config.decrease_min_cpl_ratio)
        & (pl.col("cpl_trend_7d") >= config.decrease_min_cpl_trend)
    ).fill_null(False)
    df = base.filter(cond).with_columns(_budget_step(pct, False))
    severity = pl.col("cpl_rel_7d")
    above = (pl.col("cpl_rel_7d") - 1) * 100
    return _emit(
        df,
        "BUDGET_DECREASE",
        title=_text(
            "Reduzir orçamento em ",
            _pct(-pl.col("change_pct")),
            ": CPL ",
            _pct(above),
            " acima da média e subindo",
        ),
        description=_text(
            "CPL de ",
            _money("cpl_7d"),
            " nos últimos 7 dias, ",
            _pct(above),
            " acima da média da conta (",
            _money("account_cpl_7d"),
            ") e ",
            _pct("cpl_trend_7d"),
            " maior que nos 7 dias anteriores (",
            _num("leads_7d"),
            " leads). Sugerimos reduzir o orçamento diário de ",
            _money("current_budget"),
            " para ",
            _money("suggested_budget"),
            " (",
            _pct("change_pct"),
            ") enquanto revisa criativos, ",
            "público e formulário; cortes de até ",
            format_pct(config.max_budget_step_pct),
            " preservam o aprendizado da entrega.",
        ),
        action=_action(
            "daily_budget",
            _r("current_budget", 2),
            _r("suggested_budget", 2),
            pl.col("change_pct"),
            _budget_impact(False),
        ),
        confidence=_confidence(
            pl.col("leads_7d") / config.volume_full_leads,
            # consistency: how far the CPL is above the account's, and how fast it is rising
            0.5 * _clip01((pl.col("cpl_rel_7d") - 1) / 0.6) + 0.5 * _clip01(pl.col("cpl_trend_7d") / 50),
            pl.col("p_poor"),
        ),
        reasoning=_reasoning(
            "cpl_ratio >= min and cpl_trend >= min",
            severity,
            tier=pl.col("tier"),
            tier_method=pl.col("tier_method"),
            cpl_7d=_r("cpl_7d"),
            account_cpl_7d=_r("account_cpl_7d"),
            cpl_ratio_7d=_r("cpl_rel_7d"),
            cpl_trend_7d=_r("cpl_trend_7d"),
            leads_7d=pl.col("leads_7d"),
            min_cpl_ratio=config.decrease_min_cpl_ratio,
            min_cpl_trend=config.decrease_min_cpl_trend,
            learning_min_leads_7d=config.learning_min_leads_7d,
            step_pct=pct,
        ),
        severity=severity,
        expires_at=expires["BUDGET_DECREASE"],
    )


def _pause(base: pl.DataFrame, config: RecommendationConfig, expires: dict) -> pl.DataFrame:
    multiple = _div(pl.col("spend_7d"), pl.col("ref_cpl"))
    cond = (
        pl.col("is_active_now")
        & (pl.col("tier") == "UNDERPERFORMER")
        & (pl.col("leads_7d") == 0)
        & (multiple >= config.pause_min_spend_cpl_multiple)
    ).fill_null(False)
    df = base.filter(cond).with_columns(multiple=multiple)
    return _emit(
        df,
        "PAUSE_CAMPAIGN",
        title=_text("Pausar campanha: ", _money("spend_7d"), " gastos sem leads em 7 dias"),
        description=_text(
            "A campanha gastou ",
            _money("spend_7d"),
            " nos últimos 7 dias sem nenhum lead, ",
            _num("multiple", 1),
            " vezes o CPL médio da conta (",
            _money("ref_cpl"),
            "). ",
            "Pause-a e revise oferta, criativos e formulário antes de reativar. ",
            "Se ela costumava gerar leads, confira primeiro o rastreamento (pixel ou formulário) ",
            "para descartar uma falha de medição.",
        ),
        action=_action(
            "status",
            pl.lit("ACTIVE"),
            pl.lit("PAUSED"),
            pl.lit(None, dtype=pl.Float64),
            _text("economia de até ", _money("spend_7d"), "/semana"),
        ),
        confidence=_confidence(
            pl.col("multiple") / (2 * config.pause_min_spend_cpl_multiple),
            pl.col("days_in_window_7d").cast(pl.Float64) / 7,
            pl.col("p_under"),
        ),
        reasoning=_reasoning(
            "UNDERPERFORMER and leads_7d == 0 and spend_7d >= k x account CPL",
            pl.col("multiple"),
            tier=pl.col("tier"),
            tier_method=pl.col("tier_method"),
            spend_7d=_r("spend_7d", 2),
            leads_7d=pl.col("leads_7d"),
            account_cpl=_r("ref_cpl"),
            spend_cpl_multiple=_r("multiple"),
            min_spend_cpl_multiple=config.pause_min_spend_cpl_multiple,
            days_in_window_7d=pl.col("days_in_window_7d"),
        ),
        severity=pl.col("multiple"),
        expires_at=expires["PAUSE_CAMPAIGN"],
    )


def _creative_refresh(base: pl.DataFrame, config: RecommendationConfig, expires: dict) -> pl.DataFrame:
    ctr_ratio = _div(pl.col("ctr_7d"), pl.col("account_ctr_7d"))
    low = (ctr_ratio <= config.creative_max_ctr_ratio) & (pl.col("ctr_z_vs_account") <= -config.ctr_z)
    falling = (pl.col("ctr_trend_7d") <= -config.creative_min_ctr_drop_pct) & (
        pl.col("ctr_z_vs_prev") <= -config.ctr_z
    )
    cond = (
        pl.col("is_active_now")
        & (pl.col("impressions_7d") >= config.creative_min_impressions)
        & (pl.col("frequency_7d") >= config.creative_min_frequency)
        & (low.fill_null(False) | falling.fill_null(False) | pl.col("ctr_drop_open"))
    ).fill_null(False)
    df = base.filter(cond).with_columns(
        ctr_ratio=ctr_ratio,
        low=low.fill_null(False),
        falling=falling.fill_null(False),
        # deficit in %: the larger of the gap to the account and the drop on the previous week
        deficit=pl.max_horizontal(
            ((1 - ctr_ratio) * 100).fill_null(0), (-pl.col("ctr_trend_7d")).fill_null(0)
        ),
    )
    return _emit(
        df,
        "CREATIVE_REFRESH",
        title=_text(
            "Trocar criativos: CTR de ", _pct("ctr_7d", 2), " com frequência ", _num("frequency_7d", 1)
        ),
        description=_text(
            "CTR de ",
            _pct("ctr_7d", 2),
            " nos últimos 7 dias",
            _when(
                pl.col("low"),
                ", ",
                _pct((1 - pl.col("ctr_ratio")) * 100),
                " abaixo da média da conta (",
                _pct("account_ctr_7d", 2),
                ")",
            ),
            _when(
                pl.col("ctr_trend_7d") < 0,
                ", queda de ",
                _pct(-pl.col("ctr_trend_7d")),
                " frente aos 7 dias anteriores",
            ),
            ", com frequência média de ",
            _num("frequency_7d", 1),
            " impressões por pessoa por dia",
            _when(pl.col("ctr_drop_open"), "; há um alerta de queda de CTR em aberto"),
            ". O público já viu estes anúncios muitas vezes: publique novas variações de imagem ou vídeo, ",
            "título e texto, e mantenha as atuais só enquanto performarem.",
        ),
        action=_action(
            "creatives",
            _r("ctr_7d", 4),
            pl.lit(None, dtype=pl.Float64),
            pl.lit(None, dtype=pl.Float64),
            _text("recuperar o CTR para perto da média da conta (", _pct("account_ctr_7d", 2), ")"),
        ),
        confidence=_confidence(
            pl.col("impressions_7d") / 20_000,
            pl.col("days_in_window_7d").cast(pl.Float64) / 7,
            pl.lit(None, dtype=pl.Float64),
        ),
        reasoning=_reasoning(
            "frequency >= min and (CTR significantly low vs account or falling vs previous week)",
            pl.col("deficit"),
            ctr_7d=_r("ctr_7d"),
            account_ctr_7d=_r("account_ctr_7d"),
            ctr_ratio=_r("ctr_ratio"),
            ctr_trend_7d=_r("ctr_trend_7d"),
            ctr_z_vs_account=_r("ctr_z_vs_account", 2),
            ctr_z_vs_prev=_r("ctr_z_vs_prev", 2),
            frequency_7d=_r("frequency_7d"),
            impressions_7d=pl.col("impressions_7d"),
            ctr_low=pl.col("low"),
            ctr_falling=pl.col("falling"),
            ctr_drop_anomaly=pl.col("ctr_drop_open"),
            min_frequency=config.creative_min_frequency,
        ),
        severity=pl.col("deficit"),
        expires_at=expires["CREATIVE_REFRESH"],
    )


def _audience_review(base: pl.DataFrame, config: RecommendationConfig, expires: dict) -> pl.DataFrame:
    high = pl.col("frequency_7d") > config.audience_max_frequency
    shrinking = (
        (pl.col("frequency_7d") >= config.saturation_min_frequency)
        & (pl.col("reach_trend_7d") <= -config.saturation_min_reach_drop_pct)
        & (pl.col("spend_trend_7d") >= -config.saturation_max_spend_drop_pct)
    )
    cond = (
        pl.col("is_active_now")
        & (pl.col("impressions_7d") >= config.audience_min_impressions)
        & (high.fill_null(False) | shrinking.fill_null(False) | pl.col("saturation_open"))
    ).fill_null(False)
    df = base.filter(cond).with_columns(high=high.fill_null(False), shrinking=shrinking.fill_null(False))
    return _emit(
        df,
        "AUDIENCE_REVIEW",
        title=_text("Revisar público: frequência de ", _num("frequency_7d", 1), " nos últimos 7 dias"),
        description=_text(
            "Frequência média de ",
            _num("frequency_7d", 1),
            " impressões por pessoa por dia nos últimos 7 dias",
            _when(
                pl.col("reach_trend_7d") < 0,
                ", com alcance ",
                _pct(-pl.col("reach_trend_7d")),
                " menor que nos 7 dias anteriores",
            ),
            _when(pl.col("saturation_open"), "; há um alerta de saturação de alcance em aberto"),
            ". O público está saturado: amplie a segmentação ou use o público Advantage+, teste públicos ",
            "semelhantes (lookalike) e exclua quem já converteu.",
        ),
        action=_action(
            "targeting",
            _r("frequency_7d", 2),
            pl.lit(None, dtype=pl.Float64),
            pl.lit(None, dtype=pl.Float64),
            _text(
                "reduzir a frequência para menos de ",
                _num(pl.lit(config.saturation_min_frequency), 1),
                " e voltar a alcançar pessoas novas",
            ),
        ),
        confidence=_confidence(
            pl.col("impressions_7d") / 20_000,
            pl.col("days_in_window_7d").cast(pl.Float64) / 7,
            pl.lit(None, dtype=pl.Float64),
        ),
        reasoning=_reasoning(
            "frequency > max or reach saturation",
            pl.col("frequency_7d"),
            frequency_7d=_r("frequency_7d"),
            reach_7d=pl.col("reach_7d"),
            reach_trend_7d=_r("reach_trend_7d"),
            spend_trend_7d=_r("spend_trend_7d"),
            impressions_7d=pl.col("impressions_7d"),
            frequency_above_max=pl.col("high"),
            reach_shrinking=pl.col("shrinking"),
            reach_saturation_anomaly=pl.col("saturation_open"),
            max_frequency=config.audience_max_frequency,
        ),
        severity=pl.col("frequency_7d"),
        expires_at=expires["AUDIENCE_REVIEW"],
    )


def _reactivation_candidates(
    daily: pl.DataFrame, attributes: pl.DataFrame, as_of: dt.date, config: RecommendationConfig
) -> pl.DataFrame:
    """PAUSED campaigns with their last delivered days' history and the account's current CPL."""
    start = as_of - dt.timedelta(days=config.reactivate_lookback_days - 1)
    d = daily.filter(pl.col("date").is_between(start, as_of))
    n = config.reactivate_history_days
    paused = attributes.filter(pl.col("status") == "PAUSED")
    delivered = d.join(paused.select(KEY), on=KEY, how="semi").filter(pl.col("spend") > 0).sort("date")
    hist = delivered.group_by(KEY).agg(
        pl.col("spend").tail(n).sum().alias("hist_spend"),
        pl.col("leads").tail(n).sum().alias("hist_leads"),
        pl.col("date").tail(n).len().alias("hist_days"),
        (pl.col("leads").tail(n) > 0).sum().alias("hist_days_with_leads"),
    )
    recent = d.filter(pl.col("date") > as_of - dt.timedelta(days=30))
    account = (
        recent.group_by("config_id")
        .agg(pl.col("spend").sum().alias("_s30"), pl.col("leads").sum().alias("_l30"))
        .join(
            d.group_by("config_id").agg(pl.col("spend").sum().alias("_s"), pl.col("leads").sum().alias("_l")),
            on="config_id",
            how="full",
            coalesce=True,
        )
        .select(
            "config_id",
            pl.coalesce(_div(pl.col("_s30"), pl.col("_l30")), _div(pl.col("_s"), pl.col("_l"))).alias(
                "ref_cpl"
            ),
        )
    )
    return (
        paused.join(hist, on=KEY, how="inner")
        .join(account, on="config_id", how="left")
        .with_columns(
            days_paused=(pl.lit(as_of) - pl.col("last_spend_date")).dt.total_days(),
            hist_cpl=_div(pl.col("hist_spend"), pl.col("hist_leads").cast(pl.Float64)),
            hist_dwl_ratio=pl.col("hist_days_with_leads") / pl.col("hist_days"),
        )
        .with_columns(hist_cpl_rel=_div(pl.col("hist_cpl"), pl.col("ref_cpl")))
    )


def _reactivate(
    daily: pl.DataFrame, attributes: pl.DataFrame, as_of: dt.date, config: RecommendationConfig, expires: dict
) -> pl.DataFrame:
    c = _reactivation_candidates(daily, attributes, as_of, config)
    cond = (
        (pl.col("days_paused") >= config.reactivate_min_paused_days)
        & (pl.col("hist_leads") >= config.reactivate_min_leads)
        & (pl.col("hist_dwl_ratio") >= config.reactivate_min_days_with_leads_ratio)
        & (pl.col("hist_cpl_rel") <= config.reactivate_max_cpl_ratio)
    ).fill_null(False)
    weekly_leads = _div(pl.col("daily_budget") * 7, pl.col("hist_cpl"))
    df = c.filter(cond).with_columns(weekly_leads=weekly_leads)
    below = (1 - pl.col("hist_cpl_rel")) * 100
    return _emit(
        df,
        "REACTIVATE",
        title=_text(
            "Reativar campanha: CPL de ",
            _money("hist_cpl"),
            " antes da pausa, ",
            _pct(below),
            " abaixo da média",
        ),
        description=_text(
            "Campanha pausada há ",
            _num("days_paused"),
            " dias. Nos ",
            _num("hist_days"),
            " dias com entrega antes da pausa, teve ",
            _num("hist_leads"),
            " leads a um CPL de ",
            _money("hist_cpl"),
            ", ",
            _pct(below),
            " abaixo da média atual da conta (",
            _money("ref_cpl"),
            ")",
            _when(
                pl.col("weekly_leads").is_not_null(),
                ". Com o orçamento diário de ",
                _money("daily_budget"),
                ", a expectativa é de cerca de ",
                _num("weekly_leads"),
                " leads por semana se o desempenho se repetir",
            ),
            ". Reative e acompanhe os primeiros dias: a entrega passa de novo pela fase de aprendizado.",
        ),
        action=_action(
            "status",
            pl.lit("PAUSED"),
            pl.lit("ACTIVE"),
            pl.lit(None, dtype=pl.Float64),
            pl.when(pl.col("weekly_leads").is_not_null())
            .then(
                _text(
                    "cerca de ",
                    _num("weekly_leads"),
                    " leads/semana ao CPL histórico de ",
                    _money("hist_cpl"),
                )
            )
            .otherwise(_text("leads ao CPL histórico de ", _money("hist_cpl"))),
        ),
        confidence=_confidence(
            pl.col("hist_leads") / config.volume_full_leads,
            pl.col("hist_dwl_ratio"),
            pl.lit(None, dtype=pl.Float64),
        ),
        reasoning=_reasoning(
            "PAUSED and history CPL <= account CPL with enough leads",
            1 / pl.col("hist_cpl_rel"),
            days_paused=pl.col("days_paused"),
            history_days=pl.col("hist_days"),
            history_leads=pl.col("hist_leads"),
            history_cpl=_r("hist_cpl"),
            account_cpl=_r("ref_cpl"),
            history_cpl_ratio=_r("hist_cpl_rel"),
            history_days_with_leads_ratio=_r("hist_dwl_ratio"),
            min_leads=config.reactivate_min_leads,
            max_cpl_ratio=config.reactivate_max_cpl_ratio,
        ),
        severity=1 / pl.col("hist_cpl_rel"),
        expires_at=expires["REACTIVATE"],
    )


def weekday_spread(daily: pl.DataFrame, as_of: dt.date, config: RecommendationConfig) -> pl.DataFrame:
    """Per campaign with a full window: the worst and best weekday, and a count-aware test of the worst.

    The worst weekday is the one with the fewest leads against what the other days of the same week
    predict for its spend: expected = sum over weeks of spend(weekday, week) x leads/spend of the rest of
    that week. Comparing within each week keeps a trend over the window (a tracking break, a new creative,
    a pause) from passing for a weekday effect. A one-sided Poisson test of the observed leads against that
    expectation gives the p-value, Bonferroni-corrected (x 7) because the worst weekday is picked after
    looking. The best weekday is the cheapest raw CPL with enough leads; the spread is best / worst
    leads per unit of spend (0 leads on the worst weekday count as half a lead)."""
    w = config.schedule_window_days
    # only ACTIVE campaigns can act on it (status is the campaign's current one, repeated on its rows)
    d = daily.filter(
        pl.col("date").is_between(as_of - dt.timedelta(days=w - 1), as_of), pl.col("status") == "ACTIVE"
    )
    days = d.group_by(KEY).agg(pl.len().alias("_days")).filter(pl.col("_days") >= w)
    by_week = (
        d.join(days, on=KEY, how="semi")
        .with_columns(
            week=(pl.lit(as_of) - pl.col("date")).dt.total_days() // 7,
            dow=pl.col("date").dt.weekday().cast(pl.Int32) - 1,  # Monday = 0
        )
        .group_by([*KEY, "week", "dow"])
        .agg(pl.col("spend").sum(), pl.col("leads").sum().cast(pl.Float64))
    )
    by_week = by_week.with_columns(
        _ws=pl.col("spend").sum().over([*KEY, "week"]), _wl=pl.col("leads").sum().over([*KEY, "week"])
    ).with_columns(
        expected=pl.col("spend") * _div(pl.col("_wl") - pl.col("leads"), pl.col("_ws") - pl.col("spend"))
    )
    by = (
        by_week.group_by([*KEY, "dow"])
        .agg(pl.col("spend").sum(), pl.col("leads").sum(), pl.col("expected").sum())
        .filter(pl.col("spend") > 0)
        .with_columns(
            rate=pl.col("leads") / pl.col("spend"), shortfall=_div(pl.col("leads"), pl.col("expected"))
        )
    )
    tot = by.group_by(KEY).agg(
        pl.col("spend").sum().alias("tot_spend"), pl.col("leads").sum().alias("tot_leads")
    )
    worst = (
        by.filter(pl.col("expected") > 0)
        .group_by(KEY)
        .agg(
            pl.col("dow", "spend", "leads", "expected")
            .sort_by("shortfall", "spend", descending=[False, True])
            .first()
        )
    )
    best = (
        by.filter(pl.col("leads") >= config.schedule_min_best_leads)
        .group_by(KEY)
        .agg(pl.col("dow", "spend", "leads", "rate").sort_by("rate").last())
    )
    out = (
        worst.rename({c: f"worst_{c}" for c in ("dow", "spend", "leads", "expected")})
        .join(best.rename({c: f"best_{c}" for c in ("dow", "spend", "leads", "rate")}), on=KEY, how="inner")
        .join(tot, on=KEY)
        .filter(pl.col("best_dow") != pl.col("worst_dow"))
        .with_columns(
            worst_cpl=_div(pl.col("worst_spend"), pl.col("worst_leads")),
            best_cpl=_div(pl.col("best_spend"), pl.col("best_leads")),
            spread=pl.col("best_rate")
            / (pl.max_horizontal(pl.col("worst_leads"), 0.5) / pl.col("worst_spend")),
            rest_rate=_div(
                pl.col("tot_leads") - pl.col("worst_leads"), pl.col("tot_spend") - pl.col("worst_spend")
            ),
        )
    )
    observed = out["worst_leads"].fill_null(0).to_numpy()
    expected = out["worst_expected"].cast(pl.Float64).fill_null(0.0).to_numpy()
    p = stats.poisson.cdf(observed, np.nan_to_num(expected, nan=0.0))
    return out.with_columns(p_value=pl.Series(np.minimum(1.0, 7 * p), dtype=pl.Float64))


def _optimize_schedule(
    base: pl.DataFrame, daily: pl.DataFrame, as_of: dt.date, config: RecommendationConfig, expires: dict
) -> pl.DataFrame:
    s = weekday_spread(daily, as_of, config)
    cond = (
        (pl.col("tot_leads") >= config.schedule_min_total_leads)
        & (pl.col("worst_expected") >= config.schedule_min_expected_leads)
        & (pl.col("spread") >= 1 + config.schedule_min_spread_pct / 100)
        & (pl.col("p_value") <= config.schedule_alpha)
    ).fill_null(False)
    weeks = config.schedule_window_days / 7
    day_name = lambda c: pl.col(c).replace_strict(dict(enumerate(WEEKDAYS_PT)), return_dtype=pl.String)  # noqa: E731
    df = (
        s.filter(cond)
        .join(
            base.filter(pl.col("is_active_now").fill_null(False)).select(*KEY, "currency"),
            on=KEY,
            how="inner",
        )
        .with_columns(
            worst_name=day_name("worst_dow"),
            best_name=day_name("best_dow"),
            spread_pct=(pl.col("spread") - 1) * 100,
            # leads a week the worst weekday's spend would buy at the other weekdays' rate
            gain_week=pl.col("worst_spend")
            / weeks
            * (pl.col("rest_rate") - pl.col("worst_leads") / pl.col("worst_spend")),
        )
    )
    worst_text = (
        pl.when(pl.col("worst_leads") > 0)
        .then(
            _text(
                "o CPL de ",
                pl.col("worst_name"),
                " foi ",
                _money("worst_cpl"),
                " (",
                _num("worst_leads"),
                " leads)",
            )
        )
        .otherwise(_text(pl.col("worst_name"), " gastou ", _money("worst_spend"), " sem nenhum lead"))
    )
    title = (
        pl.when(pl.col("worst_leads") > 0)
        .then(
            _text(
                "Ajustar programação: CPL de ",
                pl.col("worst_name"),
                " ",
                _pct("spread_pct"),
                " acima de ",
                pl.col("best_name"),
            )
        )
        .otherwise(
            _text(
                "Ajustar programação: ",
                pl.col("worst_name"),
                " sem leads em ",
                _num(pl.lit(config.schedule_window_days)),
                " dias",
            )
        )
    )
    return _emit(
        df,
        "OPTIMIZE_SCHEDULE",
        title=title,
        description=_text(
            "Nos últimos ",
            _num(pl.lit(config.schedule_window_days)),
            " dias, ",
            worst_text,
            ", contra ",
            _money("best_cpl"),
            " de ",
            pl.col("best_name"),
            " (",
            _num("best_leads"),
            " leads). ",
            "A diferença é consistente, não ruído: pela taxa dos outros dias de cada semana, ",
            pl.col("worst_name"),
            " teria gerado cerca de ",
            _num("worst_expected", 1),
            " leads. Concentre a verba nos melhores dias: ",
            "a programação de anúncios exige orçamento vitalício no conjunto; ",
            "com orçamento diário, use regras automatizadas para reduzir o orçamento no pior dia.",
        ),
        action=_action(
            "schedule",
            pl.lit("todos os dias"),
            _text("reduzir a entrega de ", pl.col("worst_name")),
            pl.lit(None, dtype=pl.Float64),
            _text(
                "até +",
                _num("gain_week", 1),
                " leads/semana se a verba de ",
                pl.col("worst_name"),
                " render como a dos outros dias",
            ),
        ),
        confidence=_confidence(
            pl.col("tot_leads") / (config.volume_full_leads * 2),
            _clip01(1 - pl.col("p_value") / config.schedule_alpha),
            pl.lit(None, dtype=pl.Float64),
        ),
        reasoning=_reasoning(
            "worst weekday CPL >= (1 + spread) x best, leads below the same-week rate (Poisson p <= alpha)",
            pl.col("spread"),
            window_days=config.schedule_window_days,
            worst_weekday=pl.col("worst_dow"),
            best_weekday=pl.col("best_dow"),
            worst_spend=_r("worst_spend", 2),
            worst_leads=pl.col("worst_leads").cast(pl.Int64),
            worst_expected_leads=_r("worst_expected", 2),
            worst_cpl=_r("worst_cpl"),
            best_cpl=_r("best_cpl"),
            best_leads=pl.col("best_leads").cast(pl.Int64),
            total_leads=pl.col("tot_leads").cast(pl.Int64),
            p_value=_r("p_value", 6),
            min_spread_pct=config.schedule_min_spread_pct,
            alpha=config.schedule_alpha,
        ),
        severity=pl.col("spread"),
        expires_at=expires["OPTIMIZE_SCHEDULE"],
    )


# ---------------------------------------------------------------------------------------- entry point


CLASSIFICATION_SCHEMA: dict[str, pl.DataType] = {
    "config_id": pl.Int64(),
    "campaign_id": pl.String(),
    "tier": pl.String(),
    "confidence_score": pl.Float64(),
    "method": pl.String(),
}


def _or_empty(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(schema=schema) if frame.width == 0 else frame


def empty_recommendations() -> pl.DataFrame:
    return pl.DataFrame(schema=OUTPUT_SCHEMA)


def generate_recommendations(
    wide_features: pl.DataFrame,
    classifications: pl.DataFrame,
    open_anomalies: pl.DataFrame,
    forecasts: pl.DataFrame,
    daily: pl.DataFrame,
    as_of: dt.date,
    config: RecommendationConfig = RecommendationConfig(),
) -> pl.DataFrame:
    """Every recommendation that fires as of `as_of`, for all campaigns of all accounts (OUTPUT_SCHEMA).

    - wide_features: `features.compute_features_wide(daily, as_of)`.
    - classifications: config_id, campaign_id, tier, confidence_score, and optionally method and
      probabilities (struct of the 4 tiers; null under the rules).
    - open_anomalies: ANOMALY_SCHEMA rows not acknowledged (an `is_acknowledged` column is honoured).
    - forecasts: `forecasting.forecast_fleet` output (metric leads / cpl, horizon_day 1..7 are read).
    - daily: DAILY_SCHEMA; daily_budget is already in the major unit.

    expires_at = the day after as_of (when the recommendation is first seen) + expires_in_days[type].
    """
    expiry = {**_DEFAULT_EXPIRY, **config.expires_in_days}
    seen = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())
    expires = {t: seen + dt.timedelta(days=expiry[t]) for t in RECOMMENDATION_TYPES}
    daily = daily.filter(pl.col("date") <= as_of)
    if wide_features.height == 0 and daily.height == 0:
        return empty_recommendations()
    # an input with no columns at all (e.g. no anomaly run yet) reads as empty with its schema
    classifications = _or_empty(classifications, CLASSIFICATION_SCHEMA)
    open_anomalies = _or_empty(open_anomalies, ANOMALY_SCHEMA)
    forecasts = _or_empty(forecasts, FORECAST_SCHEMA)
    attributes = _campaign_attributes(daily, as_of)
    base = _base(wide_features, classifications, open_anomalies, forecasts, attributes, as_of, config)
    parts = [
        _pause(base, config, expires),
        _budget_increase(base, config, expires),
        _scale_up(base, config, expires),
        _budget_decrease(base, config, expires),
        _creative_refresh(base, config, expires),
        _audience_review(base, config, expires),
        _reactivate(daily, attributes, as_of, config, expires),
        _optimize_schedule(base, daily, as_of, config, expires),
    ]
    out = pl.concat([p.cast(OUTPUT_SCHEMA) for p in parts])  # type: ignore[arg-type]
    return out.sort(
        ["config_id", "priority", "confidence_score", "entity_id", "recommendation_type"],
        descending=[False, True, True, False, False],
    )


def anomaly_links(
    recommendations: pl.DataFrame,
    open_anomalies: pl.DataFrame,
    as_of: dt.date,
    config: RecommendationConfig = RecommendationConfig(),
) -> pl.DataFrame:
    """Which recommendation each recent open anomaly explains (for ml_anomalies.recommendation_id).

    One row per anomaly (its ANOMALY_SCHEMA key: config_id, entity_id, anomaly_type, metric_name,
    anomaly_date) with the recommendation_type it links to; when several recommendations of the campaign
    match, the highest priority wins. The writer maps (config_id, entity_id, recommendation_type) to row ids.
    """
    links = pl.DataFrame(
        [(r, a) for r, types in ANOMALY_LINKS.items() for a in types],
        schema={"recommendation_type": pl.String, "anomaly_type": pl.String},
        orient="row",
    )
    a = _open_anomalies(open_anomalies, as_of).filter(
        pl.col("anomaly_date") > as_of - dt.timedelta(days=config.anomaly_trigger_days)
    )
    recs = recommendations.select("config_id", "entity_id", "recommendation_type", "priority")
    return (
        a.select("config_id", "entity_id", "anomaly_type", "metric_name", "anomaly_date")
        .join(links, on="anomaly_type")
        .join(recs, on=["config_id", "entity_id", "recommendation_type"])
        .sort("priority", descending=True)
        .unique(["config_id", "entity_id", "anomaly_type", "metric_name", "anomaly_date"], keep="first")
        .drop("priority")
        .sort("config_id", "entity_id", "anomaly_date", "anomaly_type")
    )


# ---------------------------------------------------------------------------------------- lifecycle

INSERT_COLUMNS = [
    "config_id", "entity_type", "entity_id", "recommendation_type", "priority", "title", "description",
    "suggested_action", "confidence_score", "reasoning", "is_active", "created_at", "expires_at",
]  # fmt: skip
UPDATE_COLUMNS = [
    "id", "priority", "title", "description", "suggested_action", "confidence_score", "reasoning",
    "expires_at",
]  # fmt: skip
# Set by FamaChat users: never written by the pipeline (neither inserted nor updated).
USER_COLUMNS = (
    "was_applied", "applied_at", "applied_by", "dismissed", "dismissed_at", "dismissed_by",
    "dismissed_reason",
)  # fmt: skip


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
        "is_active": pl.Boolean(), "dismissed": pl.Boolean(), "was_applied": pl.Boolean(),
        "dismissed_at": pl.Datetime("us"), "applied_at": pl.Datetime("us"), "created_at": pl.Datetime("us"),
        "expires_at": pl.Datetime("us"), "reasoning": pl.String(),
    }  # fmt: skip
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
    config: RecommendationConfig = RecommendationConfig(),
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
