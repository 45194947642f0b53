"""Why the pipeline has no pause or budget cut for a campaign of the critical tier: the conditions of
`core.recommendations.rules_budget` (PAUSE_CAMPAIGN, BUDGET_DECREASE), said in pt-BR from the campaign's
stored 7-day figures, its status and budget and its open anomalies. "Quais campanhas eu deveria pausar?"
listed a campaign with R$ 862,45 spent and 0 leads under "sem recomendação de pausa ou corte" right after
saying the pipeline pauses exactly those: its pause was held behind an open tracking-break alert."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from famachat_ml_pipeline.agent.tools.scale_gate import figure
from famachat_ml_pipeline.core.recommendations import RecommendationConfig, format_number, format_pct
from famachat_ml_pipeline.core.recommendations.evidence import cpl_lower_value
from famachat_ml_pipeline.core.recommendations.inputs import DELIVERY_STOPS

GATE = RecommendationConfig()


def br_date(day: dt.date) -> str:
    """dd/mm/yyyy (agent.wording's br_date reads ISO text, and wording imports the tools package)."""
    return day.strftime("%d/%m/%Y")


def cut_blockers(
    snap: dict[str, Any],
    campaign: dict[str, Any] | None,
    anomalies: list[dict[str, Any]],
    as_of: dt.date,
    money: Callable[[float], str],
    gate: RecommendationConfig = GATE,
) -> list[str]:
    """What keeps a campaign from a pause or a cut: its 7-day figures `snap` (the classification's
    metrics_snapshot), its source row `campaign` (status, daily budget) and its open (unacknowledged)
    anomalies; [] when nothing these show explains it."""
    if campaign is not None and campaign.get("status") != "ACTIVE":
        return [f"não está ativa agora (status {campaign.get('status') or 'desconhecido'})"]
    leads, spend = figure(snap, "leads_7d"), figure(snap, "spend_7d") or 0.0
    account = figure(snap, "account_cpl_7d")
    since = as_of - dt.timedelta(days=gate.anomaly_trigger_days)
    recent = [a for a in anomalies if since < a["anomaly_date"] <= as_of]  # as the rules read them
    breaks = sorted(
        a["anomaly_date"]
        for a in recent
        if a["anomaly_type"] == "PERFORMANCE_DROP" and a["severity"] == "CRITICAL"
    )
    ctr_drop = any(a["anomaly_type"] == "CTR_DROP" for a in recent)
    stops = sorted(a["anomaly_date"] for a in recent if a["anomaly_type"] in DELIVERY_STOPS)
    if not leads:
        out = []
        if breaks and not ctr_drop:
            out.append(
                "a pausa está suspensa: há alerta CRÍTICO aberto de queda de leads desde "
                f"{br_date(breaks[0])} com os cliques mantidos, o sinal de uma falha de rastreamento ou do "
                "formulário; confira o rastreamento e reconheça o alerta: com os leads ainda em 0, o "
                "pipeline recomenda a pausa"
            )
        if stops:
            out.append(f"a entrega parou (alerta em {br_date(stops[-1])}): pausar agora não economiza nada")
        if account and spend < gate.pause_min_spend_cpl_multiple * account:
            bar = format_number(gate.pause_min_spend_cpl_multiple, 0)
            out.append(f"gastou {money(spend)}, menos de {bar}x o CPL da conta ({money(account)})")
        return out
    ratio = spend / leads / account if account else None
    bar = format_number(gate.decrease_min_cpl_ratio, 1)
    if ratio is not None and ratio < gate.decrease_min_cpl_ratio:
        return [f"o CPL está abaixo de {bar}x o da conta, o limite para cortar"]
    lower = cpl_lower_value(spend, leads, gate.scale_evidence_alpha)
    level = format_pct((1 - gate.scale_evidence_alpha) * 100)
    line = money(gate.decrease_min_cpl_ratio * account) if account else None
    evident = account is not None and lower is not None and lower >= gate.decrease_min_cpl_ratio * account
    if campaign is not None and not (campaign.get("daily_budget") or 0) > 0:
        why = "não tem orçamento diário próprio (o orçamento está nos conjuntos de anúncios) para reduzir"
        if evident and lower is not None:
            why += (
                f"; pela evidência, um corte se justifica: mesmo no limite de {level} do intervalo, o CPL "
                f"({money(lower)}) fica acima de {line} ({bar}x o da conta); reduza nos conjuntos, até "
                f"{format_pct(gate.max_budget_step_pct)} por vez"
            )
        return [why]
    if account and lower is not None and not evident:
        rise = format_pct(gate.decrease_min_cpl_trend)
        return [
            f"com {int(leads)} leads ainda não há evidência para cortar: no limite de {level} do intervalo, "
            f"o CPL pode ser de {money(lower)}, abaixo de {line} ({bar}x o da conta); o pipeline corta "
            f"quando o CPL sobe {rise} ou mais na semana, ou quando até esse limite passa de {line}"
        ]
    return []
