"""Budget rules (BUDGET_INCREASE, SCALE_UP, BUDGET_DECREASE) and PAUSE_CAMPAIGN: spend decisions."""

from __future__ import annotations

import polars as pl

from famachat_ml_pipeline.core.exprs import clip01, div
from famachat_ml_pipeline.core.recommendations.config import (
    RecommendationConfig,
)
from famachat_ml_pipeline.core.recommendations.emit import (
    action,
    budget_impact,
    budget_step,
    change_action,
    confidence,
    emit,
    extra_leads,
    reasoning,
    rounded,
)
from famachat_ml_pipeline.core.recommendations.text_ptbr import (
    clause,
    format_pct,
    join_text,
    leads_of,
    money_of,
    number_of,
    pct_of,
)


def _cheap_margin(ratio: str, config: RecommendationConfig) -> pl.Expr:
    """How far below the 0.7 bar the CPL ratio is: 0 on the bar, 1 at 30 % below it (0.49)."""
    bar = config.increase_max_cpl_ratio
    return clip01((bar - pl.col(ratio)) / (0.3 * bar))


def _scaling_gate(config: RecommendationConfig) -> pl.Expr:
    """Shared by BUDGET_INCREASE and SCALE_UP: an active, budget-limited HIGH_PERFORMER whose CPL is
    cheaper than the account's with evidence (its 7-day CPL upper bound is below the account CPL: no flat
    lead count), has a stable CPL (a null trend, i.e. no previous week to compare, fails), no open CRITICAL
    anomaly, and that the model (when active) does not see as likely to fall next week."""
    return (
        pl.col("is_active_now")
        & pl.col("has_daily_budget")
        & (pl.col("cpl_upper_7d") < pl.col("account_cpl_7d"))
        & ~pl.col("likely_to_fall")
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
        & (pl.col("cpl_upper_30d") < pl.col("account_cpl_30d"))
        & (pl.col("dwl_ratio_30d") >= config.scale_min_days_with_leads_ratio_30d)
    ).fill_null(False)


def _cpl_vs_account_text() -> pl.Expr:
    below = (1 - pl.col("cpl_rel_7d")) * 100
    return join_text(
        "CPL de ",
        money_of("cpl_7d"),
        ", ",
        pct_of(below),
        " abaixo da média da conta (",
        money_of("account_cpl_7d"),
        ") nos últimos 7 dias",
    )


def _evidence_text(upper: str, account: str, alpha: float) -> pl.Expr:
    """ "; mesmo no limite de 95% do intervalo, o CPL (R$ 15,00) fica abaixo da média da conta" """
    return join_text(
        "; mesmo no limite de ",
        format_pct((1 - alpha) * 100),
        " do intervalo, o CPL (",
        money_of(upper),
        ") fica abaixo da média da conta (",
        money_of(account),
        ")",
    )


def _budget_change_text(sign: str) -> pl.Expr:
    """ "orçamento diário de R$ 100,00 para R$ 120,00 (+20%)" (sign "" for a cut: change_pct is negative)."""
    return join_text(
        "orçamento diário de ",
        money_of("current_budget"),
        " para ",
        money_of("suggested_budget"),
        " (",
        sign,
        pct_of("change_pct"),
        ")",
    )


def _budget_action(increase: bool) -> pl.Expr:
    return action(
        "daily_budget",
        rounded("current_budget", 2),
        rounded("suggested_budget", 2),
        pl.col("change_pct"),
        budget_impact(increase),
    )


def _budget_reasoning(
    rule: str, severity: pl.Expr, pct: float, increase: bool, config: RecommendationConfig, **own: object
) -> pl.Expr:
    """The numbers every budget rule reports, then the rule's own. The true CPL / account CPL is
    `cpl_vs_account_*` (see lifecycle.REASONING_RENAMED_KEYS for rows written before the rename)."""
    shared: dict[str, object] = {
        "tier": pl.col("tier"),
        "tier_method": pl.col("tier_method"),
        "cpl_7d": rounded("cpl_7d"),
        "cpl_vs_account_7d": rounded("cpl_rel_7d"),
        "cpl_trend_7d": rounded("cpl_trend_7d"),
        "leads_7d": pl.col("leads_7d"),
    }
    if increase:
        shared |= {
            "cpl_upper_7d": rounded("cpl_upper_7d"),
            "evidence_alpha": config.scale_evidence_alpha,
            "p_fall_next_week": rounded("p_fall"),
            "budget_use": rounded("budget_use"),
            "expected_extra_leads_week": rounded(extra_leads(), 2),
            "forecast_leads_7d": rounded("fc_leads_7d", 2),
        }
    # the learning proxy is reported, never a gate: Meta's learning restarts on a big edit, which the
    # step cap already limits
    shared |= {"learning": pl.col("learning"), "learning_min_leads_7d": config.learning_min_leads_7d}
    shared |= {"step_pct": pct}
    return reasoning(rule, severity, **shared, **own)  # type: ignore[arg-type]


def budget_increase(base: pl.DataFrame, config: RecommendationConfig, expires: dict) -> pl.DataFrame:
    pct = config.step_pct(config.increase_pct)
    df = base.filter(_scaling_gate(config) & ~_scale_consistent(config)).with_columns(budget_step(pct, True))
    severity = 1 / pl.col("cpl_rel_7d")
    return emit(
        df,
        "BUDGET_INCREASE",
        title=join_text(
            "Aumentar orçamento em ",
            pct_of("change_pct"),
            ": CPL ",
            pct_of((1 - pl.col("cpl_rel_7d")) * 100),
            " abaixo da média da conta",
        ),
        description=join_text(
            _cpl_vs_account_text(),
            ", com ",
            number_of("leads_7d"),
            " leads em ",
            number_of("days_with_leads_7d"),
            " de ",
            number_of("days_in_window_7d"),
            " dias",
            _evidence_text("cpl_upper_7d", "account_cpl_7d", config.scale_evidence_alpha),
            ". Sugerimos subir o ",
            _budget_change_text("+"),
            ". Aumentos de até ",
            format_pct(config.max_budget_step_pct),
            " por vez evitam reiniciar a fase de aprendizado; reavalie em 3 a 4 dias.",
        ),
        action=_budget_action(True),
        confidence=confidence(
            pl.col("leads_7d") / config.volume_full_leads,
            0.5 * pl.col("dwl_ratio_7d") + 0.5 * _cheap_margin("cpl_rel_7d", config),
            pl.col("p_high"),
        ),
        reasoning=_budget_reasoning(
            "HIGH_PERFORMER and cpl_upper < account CPL and cpl_ratio < max and days_with_leads_ratio > min "
            "and cpl_trend < max and not likely_to_fall",
            severity,
            pct,
            True,
            config,
            account_cpl_7d=rounded("account_cpl_7d"),
            days_with_leads_ratio_7d=rounded("dwl_ratio_7d"),
            max_cpl_ratio=config.increase_max_cpl_ratio,
        ),
        severity=severity,
        expires_at=expires["BUDGET_INCREASE"],
    )


def scale_up(base: pl.DataFrame, config: RecommendationConfig, expires: dict) -> pl.DataFrame:
    pct = config.step_pct(config.scale_pct)
    df = base.filter(_scaling_gate(config) & _scale_consistent(config)).with_columns(budget_step(pct, True))
    severity = 1 / pl.col("cpl_rel_30d")
    below30 = (1 - pl.col("cpl_rel_30d")) * 100
    return emit(
        df,
        "SCALE_UP",
        title=join_text("Escalar campanha: CPL ", pct_of(below30), " abaixo da média nos últimos 30 dias"),
        description=join_text(
            "Desempenho consistente: CPL de ",
            money_of("cpl_30d"),
            " nos últimos 30 dias, ",
            pct_of(below30),
            " abaixo da média da conta (",
            money_of("account_cpl_30d"),
            "), com leads em ",
            number_of("days_with_leads_30d"),
            " de ",
            number_of("days_in_window_30d"),
            " dias",
            _evidence_text("cpl_upper_30d", "account_cpl_30d", config.scale_evidence_alpha),
            "; ",
            _cpl_vs_account_text(),
            ". Escale em etapas: ",
            _budget_change_text("+"),
            " agora e novos aumentos de até ",
            format_pct(config.max_budget_step_pct),
            " a cada 3 a 4 dias enquanto o CPL se mantiver. ",
            "Considere também duplicar o conjunto para públicos semelhantes (lookalike).",
        ),
        action=_budget_action(True),
        confidence=confidence(
            pl.col("leads_30d") / (config.volume_full_leads * 4),
            0.5 * pl.col("dwl_ratio_30d") + 0.5 * _cheap_margin("cpl_rel_30d", config),
            pl.col("p_high"),
        ),
        reasoning=_budget_reasoning(
            "HIGH_PERFORMER over 7 and 30 days, cpl_upper < account CPL over both",
            severity,
            pct,
            True,
            config,
            cpl_30d=rounded("cpl_30d"),
            account_cpl_30d=rounded("account_cpl_30d"),
            cpl_vs_account_30d=rounded("cpl_rel_30d"),
            cpl_upper_30d=rounded("cpl_upper_30d"),
            leads_30d=pl.col("leads_30d"),
            days_with_leads_ratio_30d=rounded("dwl_ratio_30d"),
        ),
        severity=severity,
        expires_at=expires["SCALE_UP"],
    )


def budget_decrease(base: pl.DataFrame, config: RecommendationConfig, expires: dict) -> pl.DataFrame:
    """The seed's high and rising CPL, or a CPL high with evidence however steady (`_steadily_high`)."""
    pct = config.step_pct(config.decrease_pct)
    rising = pl.col("cpl_trend_7d") >= config.decrease_min_cpl_trend
    cond = (
        pl.col("is_active_now")
        & pl.col("has_daily_budget")
        & (pl.col("leads_7d") > 0)  # cutting losses: never held back by the learning proxy
        & (pl.col("cpl_rel_7d") >= config.decrease_min_cpl_ratio)
        & (rising.fill_null(False) | _steadily_high(config))
    ).fill_null(False)
    df = base.filter(cond).with_columns(budget_step(pct, False), rising=rising.fill_null(False))
    severity = pl.col("cpl_rel_7d")
    above = (pl.col("cpl_rel_7d") - 1) * 100
    return emit(
        df,
        "BUDGET_DECREASE",
        title=join_text(
            "Reduzir orçamento em ",
            pct_of(-pl.col("change_pct")),
            ": CPL ",
            pct_of(above),
            " acima da média",
            clause(pl.col("rising"), " e subindo"),
        ),
        description=join_text(
            "CPL de ",
            money_of("cpl_7d"),
            " nos últimos 7 dias, ",
            pct_of(above),
            " acima da média da conta (",
            money_of("account_cpl_7d"),
            ")",
            clause(pl.col("rising"), " e ", pct_of("cpl_trend_7d"), " maior que nos 7 dias anteriores"),
            " (",
            leads_of("leads_7d"),
            ")",
            clause(
                ~pl.col("rising"),
                "; mesmo no limite de ",
                format_pct((1 - config.scale_evidence_alpha) * 100),
                " do intervalo, o CPL (",
                money_of("cpl_lower_7d"),
                ") fica acima de ",
                number_of(pl.lit(config.decrease_min_cpl_ratio), 1),
                "x a média",
            ),
            ". Sugerimos reduzir o ",
            _budget_change_text(""),
            " enquanto revisa criativos, ",
            "público e formulário; cortes de até ",
            format_pct(config.max_budget_step_pct),
            " preservam o aprendizado da entrega.",
        ),
        action=_budget_action(False),
        confidence=confidence(
            pl.col("leads_7d") / config.volume_full_leads,
            # consistency: how far the CPL is above the account's, and how fast it is rising
            0.5 * clip01((pl.col("cpl_rel_7d") - 1) / 0.6) + 0.5 * clip01(pl.col("cpl_trend_7d") / 50),
            pl.col("p_poor"),
        ),
        reasoning=_budget_reasoning(
            "cpl_ratio >= min and (cpl_trend >= min or cpl_lower >= min x account CPL)",
            severity,
            pct,
            False,
            config,
            account_cpl_7d=rounded("account_cpl_7d"),
            min_cpl_ratio=config.decrease_min_cpl_ratio,
            min_cpl_trend=config.decrease_min_cpl_trend,
            cpl_lower_7d=rounded("cpl_lower_7d"),
            evidence_alpha=config.scale_evidence_alpha,
        ),
        severity=severity,
        expires_at=expires["BUDGET_DECREASE"],
    )


def _steadily_high(config: RecommendationConfig) -> pl.Expr:
    """Above the seed's high-CPL bar even at the 95 % lower bound of its CPL: cut, rising or not."""
    return pl.col("cpl_lower_7d") >= config.decrease_min_cpl_ratio * pl.col("account_cpl_7d")


def pause_campaign(base: pl.DataFrame, config: RecommendationConfig, expires: dict) -> pl.DataFrame:
    """0 leads on real spend. Not while an open anomaly explains the 0 leads otherwise: a CRITICAL
    PERFORMANCE_DROP with no CTR drop (leads gone while clicks held: the anomaly module's tracking break;
    a CTR collapse is the campaign's own failure and is paused), or a delivery stop not yet resumed
    (nothing left to save). Acknowledging the anomaly (tracking checked) lets the pause through."""
    multiple = div(pl.col("spend_7d"), pl.col("ref_cpl"))
    cond = (
        pl.col("is_active_now")
        & ~(pl.col("leads_break_open") & ~pl.col("ctr_drop_open"))
        & ~pl.col("delivery_stopped")
        & (pl.col("tier") == "UNDERPERFORMER")
        & (pl.col("leads_7d") == 0)
        & (multiple >= config.pause_min_spend_cpl_multiple)
    ).fill_null(False)
    df = base.filter(cond).with_columns(multiple=multiple)
    return emit(
        df,
        "PAUSE_CAMPAIGN",
        title=join_text("Pausar campanha: ", money_of("spend_7d"), " gastos sem leads em 7 dias"),
        description=join_text(
            "A campanha gastou ",
            money_of("spend_7d"),
            " nos últimos 7 dias sem nenhum lead, ",
            number_of("multiple", 1),
            " vezes o CPL médio da conta (",
            money_of("ref_cpl"),
            "). ",
            "Pause-a e revise oferta, criativos e formulário antes de reativar. ",
            "Se ela costumava gerar leads, confira primeiro o rastreamento (pixel ou formulário) ",
            "para descartar uma falha de medição.",
        ),
        action=change_action(
            "status",
            pl.lit("ACTIVE"),
            pl.lit("PAUSED"),
            join_text("economia de até ", money_of("spend_7d"), "/semana"),
        ),
        confidence=confidence(
            pl.col("multiple") / (2 * config.pause_min_spend_cpl_multiple),
            pl.col("days_in_window_7d").cast(pl.Float64) / 7,
            pl.col("p_under"),
        ),
        reasoning=reasoning(
            "UNDERPERFORMER and leads_7d == 0 and spend_7d >= k x account CPL",
            pl.col("multiple"),
            tier=pl.col("tier"),
            tier_method=pl.col("tier_method"),
            spend_7d=rounded("spend_7d", 2),
            leads_7d=pl.col("leads_7d"),
            account_cpl=rounded("ref_cpl"),
            spend_cpl_multiple=rounded("multiple"),
            min_spend_cpl_multiple=config.pause_min_spend_cpl_multiple,
            days_in_window_7d=pl.col("days_in_window_7d"),
        ),
        severity=pl.col("multiple"),
        expires_at=expires["PAUSE_CAMPAIGN"],
    )
