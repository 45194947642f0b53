"""Why the pipeline holds back a scale-up: the same conditions as the recommendations' scaling gate
(`core.recommendations.rules_budget`), said in pt-BR from a campaign's stored 7-day features, so "posso
aumentar o orçamento?" on a high performer without advice names what blocks it instead of a bare "Sim"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from famachat_ml_pipeline.core.recommendations import RecommendationConfig, format_number, format_pct
from famachat_ml_pipeline.core.recommendations.evidence import cpl_upper_value

GATE = RecommendationConfig()


def scale_blockers(
    f: dict[str, Any],
    daily_budget: float | None,
    money: Callable[[float], str],
    gate: RecommendationConfig = GATE,
) -> list[str]:
    """What keeps a campaign from the scale advice, from its 7-day features `f` (ml_features' JSON) and its
    daily budget in the account's currency; [] when nothing the features show blocks it."""
    out: list[str] = []
    spend, leads, account = figure(f, "spend_7d"), figure(f, "leads_7d"), figure(f, "account_cpl_7d")
    if not daily_budget:
        out.append("não tem orçamento diário próprio para subir")
    else:
        use = (figure(f, "avg_daily_spend_7d") or 0.0) / daily_budget
        if use < gate.increase_min_budget_use:
            bar = format_pct(gate.increase_min_budget_use * 100)
            out.append(
                f"gastou em média {format_pct(use * 100)} do orçamento diário nos 7 dias: o orçamento não é "
                f"o limite (o pipeline só sobe o de quem usa {bar} ou mais)"
            )
    trend = figure(f, "cpl_trend")
    if trend is None:
        out.append("não há semana anterior completa para ver se o CPL está estável")
    elif trend >= gate.increase_max_cpl_trend:
        out.append(
            f"o CPL subiu {format_pct(trend, 1)} sobre os 7 dias anteriores (o pipeline só escala com o CPL "
            f"subindo menos de {format_pct(gate.increase_max_cpl_trend)})"
        )
    days, with_leads = figure(f, "days_in_window_7d"), figure(f, "days_with_leads_7d")
    if days and with_leads is not None and with_leads / days <= gate.increase_min_days_with_leads_ratio:
        out.append(f"teve leads em só {int(with_leads)} dos {int(days)} dias")
    if spend and leads and account:
        if spend / leads / account >= gate.increase_max_cpl_ratio:
            out.append(
                f"o CPL não está abaixo de {format_number(gate.increase_max_cpl_ratio, 1)}x o da conta"
            )
        else:
            upper = cpl_upper_value(spend, leads, gate.scale_evidence_alpha)
            if upper is not None and upper >= account:
                level = format_pct((1 - gate.scale_evidence_alpha) * 100)
                out.append(
                    f"com {int(leads)} leads ainda não há evidência: no limite de {level} do intervalo, "
                    f"o CPL ({money(upper)}) não fica abaixo do da conta ({money(account)})"
                )
    return out


def figure(f: dict[str, Any], key: str) -> float | None:
    """A stored figure as a float (None when absent): the gates read ml_features' and snapshots' JSON."""
    value = f.get(key)
    return None if value is None else float(value)
