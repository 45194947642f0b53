"""What every rule shares to emit its rows: confidence, budget steps and impact, the action and
reasoning JSON, and the OUTPUT_SCHEMA row builder."""

from __future__ import annotations

import datetime as dt

import polars as pl

from famachat_ml_pipeline.core.exprs import clip01, div
from famachat_ml_pipeline.core.frames import minor_unit_divisor
from famachat_ml_pipeline.core.recommendations.config import (
    PRIORITIES,
    SEVERITY_KEY,
)
from famachat_ml_pipeline.core.recommendations.text_ptbr import (
    clause,
    join_text,
    leads_of,
    money_of,
    number_of,
)


def confidence(volume: pl.Expr, consistency: pl.Expr, model: pl.Expr) -> pl.Expr:
    """Weighted evidence: volume 0.4, consistency 0.3, the model's probability 0.3 when there is one."""
    v, c = clip01(volume.fill_null(0.0)), clip01(consistency.fill_null(0.0))
    has_model = model.is_not_null()
    num = 0.4 * v + 0.3 * c + 0.3 * clip01(model.fill_null(0.0))
    den = pl.lit(0.7) + pl.when(has_model).then(0.3).otherwise(0.0)
    return (num / den).clip(0.05, 0.99).round(3)


def budget_step(pct: float, increase: bool) -> list[pl.Expr]:
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


def extra_leads() -> pl.Expr:
    """Extra leads a week the budget change buys at the forecast CPL (else the 7-day CPL). An upper bound:
    the marginal CPL of more budget is usually above the average CPL."""
    cpl = pl.coalesce(pl.col("fc_cpl"), pl.col("cpl_7d"))
    return div((pl.col("suggested_budget") - pl.col("current_budget")) * 7, cpl)


def budget_impact(increase: bool) -> pl.Expr:
    cpl = pl.coalesce(pl.col("fc_cpl"), pl.col("cpl_7d"))
    baseline = clause(
        pl.col("fc_leads_7d").is_not_null(),
        "; previsão atual: ",
        leads_of(pl.col("fc_leads_7d").round(0)),  # "1 lead", not "1 leads", for 0,6 rounded
        " nos próximos 7 dias",
    )
    if increase:
        return join_text(
            "até +", number_of(extra_leads(), 1), " leads/semana ao CPL de ", money_of(cpl), baseline
        )
    saved = (pl.col("current_budget") - pl.col("suggested_budget")) * 7
    return join_text(
        "economia de ",
        money_of(saved),
        "/semana; cerca de ",
        number_of(-extra_leads(), 1),
        " leads/semana a menos ao CPL de ",
        money_of(cpl),
        baseline,
    )


NO_NUMBER = pl.lit(None, dtype=pl.Float64)  # an absent number: no change, no suggested value, no model


def action(
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


def change_action(field_: str, current: pl.Expr, suggested: pl.Expr, impact: pl.Expr) -> pl.Expr:
    """An action with no percentage change (a status, creatives, targeting, the schedule)."""
    return action(field_, current, suggested, NO_NUMBER, impact)


def rounded(e: pl.Expr | str, digits: int = 4) -> pl.Expr:
    return (pl.col(e) if isinstance(e, str) else e).cast(pl.Float64).round(digits)


def reasoning(rule: str, severity: pl.Expr, **numbers: pl.Expr | float | int | str | None) -> pl.Expr:
    items = [pl.lit(rule).alias("rule"), rounded(severity).alias(SEVERITY_KEY)]
    for k, v in numbers.items():
        items.append((v if isinstance(v, pl.Expr) else pl.lit(v)).alias(k))
    return pl.struct(items).struct.json_encode()


def emit(
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
        rounded(severity).alias("severity_metric"),
    )
