"""REACTIVATE: a paused campaign whose history before the pause beats the account today."""

from __future__ import annotations

import datetime as dt

import polars as pl

from famachat_ml_pipeline.core.exprs import div
from famachat_ml_pipeline.core.frames import KEY
from famachat_ml_pipeline.core.recommendations.config import (
    RecommendationConfig,
)
from famachat_ml_pipeline.core.recommendations.emit import (
    NO_NUMBER,
    change_action,
    confidence,
    emit,
    reasoning,
    rounded,
)
from famachat_ml_pipeline.core.recommendations.text_ptbr import (
    clause,
    join_text,
    money_of,
    number_of,
    pct_of,
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
            pl.coalesce(div(pl.col("_s30"), pl.col("_l30")), div(pl.col("_s"), pl.col("_l"))).alias(
                "ref_cpl"
            ),
        )
    )
    return (
        paused.join(hist, on=KEY, how="inner")
        .join(account, on="config_id", how="left")
        .with_columns(
            days_paused=(pl.lit(as_of) - pl.col("last_spend_date")).dt.total_days(),
            hist_cpl=div(pl.col("hist_spend"), pl.col("hist_leads").cast(pl.Float64)),
            hist_dwl_ratio=pl.col("hist_days_with_leads") / pl.col("hist_days"),
        )
        .with_columns(hist_cpl_rel=div(pl.col("hist_cpl"), pl.col("ref_cpl")))
    )


def reactivate(
    daily: pl.DataFrame, attributes: pl.DataFrame, as_of: dt.date, config: RecommendationConfig, expires: dict
) -> pl.DataFrame:
    c = _reactivation_candidates(daily, attributes, as_of, config)
    cond = (
        (pl.col("days_paused") >= config.reactivate_min_paused_days)
        & (pl.col("hist_leads") >= config.reactivate_min_leads)
        & (pl.col("hist_dwl_ratio") >= config.reactivate_min_days_with_leads_ratio)
        & (pl.col("hist_cpl_rel") <= config.reactivate_max_cpl_ratio)
    ).fill_null(False)
    weekly_leads = div(pl.col("daily_budget") * 7, pl.col("hist_cpl"))
    df = c.filter(cond).with_columns(weekly_leads=weekly_leads)
    below = (1 - pl.col("hist_cpl_rel")) * 100
    return emit(
        df,
        "REACTIVATE",
        title=join_text(
            "Reativar campanha: CPL de ",
            money_of("hist_cpl"),
            " antes da pausa, ",
            pct_of(below),
            " abaixo da média",
        ),
        description=join_text(
            "Campanha pausada há ",
            number_of("days_paused"),
            " dias. Nos ",
            number_of("hist_days"),
            " dias com entrega antes da pausa, teve ",
            number_of("hist_leads"),
            " leads a um CPL de ",
            money_of("hist_cpl"),
            ", ",
            pct_of(below),
            " abaixo da média atual da conta (",
            money_of("ref_cpl"),
            ")",
            clause(
                pl.col("weekly_leads").is_not_null(),
                ". Com o orçamento diário de ",
                money_of("daily_budget"),
                ", a expectativa é de cerca de ",
                number_of("weekly_leads"),
                " leads por semana se o desempenho se repetir",
            ),
            ". Reative e acompanhe os primeiros dias: a entrega passa de novo pela fase de aprendizado.",
        ),
        action=change_action(
            "status",
            pl.lit("PAUSED"),
            pl.lit("ACTIVE"),
            pl.when(pl.col("weekly_leads").is_not_null())
            .then(
                join_text(
                    "cerca de ",
                    number_of("weekly_leads"),
                    " leads/semana ao CPL histórico de ",
                    money_of("hist_cpl"),
                )
            )
            .otherwise(join_text("leads ao CPL histórico de ", money_of("hist_cpl"))),
        ),
        confidence=confidence(
            pl.col("hist_leads") / config.volume_full_leads,
            pl.col("hist_dwl_ratio"),
            NO_NUMBER,
        ),
        reasoning=reasoning(
            "PAUSED and history CPL <= account CPL with enough leads",
            1 / pl.col("hist_cpl_rel"),
            days_paused=pl.col("days_paused"),
            history_days=pl.col("hist_days"),
            history_leads=pl.col("hist_leads"),
            history_cpl=rounded("hist_cpl"),
            account_cpl=rounded("ref_cpl"),
            history_cpl_ratio=rounded("hist_cpl_rel"),
            history_days_with_leads_ratio=rounded("hist_dwl_ratio"),
            min_leads=config.reactivate_min_leads,
            max_cpl_ratio=config.reactivate_max_cpl_ratio,
        ),
        severity=1 / pl.col("hist_cpl_rel"),
        expires_at=expires["REACTIVATE"],
    )
