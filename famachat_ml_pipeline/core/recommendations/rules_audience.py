"""CREATIVE_REFRESH and AUDIENCE_REVIEW: fatigue of the creatives and saturation of the audience."""

from __future__ import annotations

import polars as pl

from famachat_ml_pipeline.core.exprs import div
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
    number_of,
    pct_of,
)


def _delivery_confidence() -> pl.Expr:
    """Evidence for delivery-side advice: impressions (20.000 a week is full) and days with delivery."""
    return confidence(
        pl.col("impressions_7d") / 20_000, pl.col("days_in_window_7d").cast(pl.Float64) / 7, NO_NUMBER
    )


def creative_refresh(base: pl.DataFrame, config: RecommendationConfig, expires: dict) -> pl.DataFrame:
    ctr_ratio = div(pl.col("ctr_7d"), pl.col("account_ctr_7d"))
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
    return emit(
        df,
        "CREATIVE_REFRESH",
        title=join_text(
            "Trocar criativos: CTR de ", pct_of("ctr_7d", 2), " com frequência ", number_of("frequency_7d", 1)
        ),
        description=join_text(
            "CTR de ",
            pct_of("ctr_7d", 2),
            " nos últimos 7 dias",
            clause(
                pl.col("low"),
                ", ",
                pct_of((1 - pl.col("ctr_ratio")) * 100),
                " abaixo da média da conta (",
                pct_of("account_ctr_7d", 2),
                ")",
            ),
            clause(
                pl.col("ctr_trend_7d") < 0,
                ", queda de ",
                pct_of(-pl.col("ctr_trend_7d")),
                " frente aos 7 dias anteriores",
            ),
            ", com frequência média de ",
            number_of("frequency_7d", 1),
            " impressões por pessoa por dia",
            clause(pl.col("ctr_drop_open"), "; há um alerta de queda de CTR em aberto"),
            ". O público já viu estes anúncios muitas vezes: publique novas variações de imagem ou vídeo, ",
            "título e texto, e mantenha as atuais só enquanto performarem.",
        ),
        action=change_action(
            "creatives",
            rounded("ctr_7d", 4),
            NO_NUMBER,
            join_text("recuperar o CTR para perto da média da conta (", pct_of("account_ctr_7d", 2), ")"),
        ),
        confidence=_delivery_confidence(),
        reasoning=reasoning(
            "frequency >= min and (CTR significantly low vs account or falling vs previous week)",
            pl.col("deficit"),
            ctr_7d=rounded("ctr_7d"),
            account_ctr_7d=rounded("account_ctr_7d"),
            ctr_ratio=rounded("ctr_ratio"),
            ctr_trend_7d=rounded("ctr_trend_7d"),
            ctr_z_vs_account=rounded("ctr_z_vs_account", 2),
            ctr_z_vs_prev=rounded("ctr_z_vs_prev", 2),
            frequency_7d=rounded("frequency_7d"),
            impressions_7d=pl.col("impressions_7d"),
            ctr_low=pl.col("low"),
            ctr_falling=pl.col("falling"),
            ctr_drop_anomaly=pl.col("ctr_drop_open"),
            min_frequency=config.creative_min_frequency,
        ),
        severity=pl.col("deficit"),
        expires_at=expires["CREATIVE_REFRESH"],
    )


def audience_review(base: pl.DataFrame, config: RecommendationConfig, expires: dict) -> pl.DataFrame:
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
    return emit(
        df,
        "AUDIENCE_REVIEW",
        title=join_text(
            "Revisar público: frequência de ", number_of("frequency_7d", 1), " nos últimos 7 dias"
        ),
        description=join_text(
            "Frequência média de ",
            number_of("frequency_7d", 1),
            " impressões por pessoa por dia nos últimos 7 dias",
            clause(
                pl.col("reach_trend_7d") < 0,
                ", com alcance ",
                pct_of(-pl.col("reach_trend_7d")),
                " menor que nos 7 dias anteriores",
            ),
            clause(pl.col("saturation_open"), "; há um alerta de saturação de alcance em aberto"),
            ". O público está saturado: amplie a segmentação ou use o público Advantage+, teste públicos ",
            "semelhantes (lookalike) e exclua quem já converteu.",
        ),
        action=change_action(
            "targeting",
            rounded("frequency_7d", 2),
            NO_NUMBER,
            join_text(
                "reduzir a frequência para menos de ",
                number_of(pl.lit(config.saturation_min_frequency), 1),
                " e voltar a alcançar pessoas novas",
            ),
        ),
        confidence=_delivery_confidence(),
        reasoning=reasoning(
            "frequency > max or reach saturation",
            pl.col("frequency_7d"),
            frequency_7d=rounded("frequency_7d"),
            reach_7d=pl.col("reach_7d"),
            reach_trend_7d=rounded("reach_trend_7d"),
            spend_trend_7d=rounded("spend_trend_7d"),
            impressions_7d=pl.col("impressions_7d"),
            frequency_above_max=pl.col("high"),
            reach_shrinking=pl.col("shrinking"),
            reach_saturation_anomaly=pl.col("saturation_open"),
            max_frequency=config.audience_max_frequency,
        ),
        severity=pl.col("frequency_7d"),
        expires_at=expires["AUDIENCE_REVIEW"],
    )
