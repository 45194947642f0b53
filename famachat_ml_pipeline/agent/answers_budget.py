"""Spend against money decided: the active campaigns' spend against their daily budgets, and what pausing
a campaign saves a week and costs in leads."""

from __future__ import annotations

from famachat_ml_pipeline.agent.intents import Intent
from famachat_ml_pipeline.agent.wording import Out, about_leads, br_date, br_span, leads_text, quoted
from famachat_ml_pipeline.core.recommendations import format_number


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{format_number(value, 0)}%"


def pacing_lines(out: Out) -> list[str]:
    """ "O gasto está dentro do orçamento?": the last complete day's spend against the active campaigns'
    daily budgets, and the 7 days' against those budgets x 7; the campaigns budgeted per ad set apart."""
    p = out["_pacing"]
    day, span = br_date(p["through"].isoformat()), br_span(p["first_day"], p["through"])
    if not p["with_budget"]:
        return [
            "Nenhuma campanha ativa tem orçamento diário na campanha (fica no conjunto de anúncios): não dá "
            "para comparar o gasto com o orçamento."
        ]
    within = p["day_pct"] is not None and p["day_pct"] <= 100 and (p["week_pct"] or 0) <= 100
    verdict = "No total, sim" if within else "No total, não"
    lines = [
        f"{verdict}: em {day}, as {p['with_budget']} campanhas ativas com orçamento diário gastaram "
        f"{p['day']} de "
        f"{p['budget']} de orçamento ({_pct(p['day_pct'])}); nos 7 dias ({span}), {p['week']} de "
        f"{p['week_budget']} "
        f"(orçamento de hoje × 7, {_pct(p['week_pct'])}).",
    ]
    if p["unbudgeted"]:
        names = ", ".join(quoted(n) for n in p["unbudgeted"])
        lines.append(
            f"Sem orçamento na campanha (fica no conjunto de anúncios, que não tenho): {names}; gastaram "
            f"{p['other']} nos 7 dias, fora da conta acima."
        )
    return lines


def say_pause_savings(intent: Intent, out: Out) -> list[str]:
    """ "Se eu pausar a campanha 13, quanto economizo por semana?": its last 7 days' spend (and the stored
    forecast of its next days' spend), the leads it brought (and is forecast to), then the advice."""
    s = out.get("_pause_savings")
    if s is None:
        return ["Não encontrei essa campanha nesta conta."]
    who = f"{quoted(s['name'])} ({s['campaign_id']})"
    span = br_span(s["first_day"], s["through"])
    if not s["active"]:
        return [
            f"{who} já está pausada (ou inativa): pausar não economiza nada; nos 7 dias ({span}) "
            f"gastou {s['spend']}."
        ]
    lines = [
        f"Pausando {who}, a economia seria de cerca de {s['spend']} por semana: o que ela gastou "
        f"nos últimos 7 "
        f"dias ({span}); em troca, deixaria de vir {leads_text(s['leads'])} por semana nesse ritmo "
        f"(CPL {s['cpl'] or 'sem leads'})."
    ]
    fs, fl = s["forecast_spend"], s["forecast_leads"]
    if fs or fl:
        parts = []
        if fs:
            parts.append(f"{fs['value']} de gasto ({fs['low']} a {fs['high']})")
        if fl:
            parts.append(f"{about_leads(fl['value'])} leads ({fl['low']} a {fl['high']})")
        first = fs or fl
        lines.append(
            f"Pela previsão guardada do pipeline para {br_date(str(first['first_day']))} a "
            f"{br_date(str(first['last_day']))}: {' e '.join(parts)} que a pausa deixaria de ter."
        )
    if not s["leads"]:
        lines.append(
            "Sem nenhum lead nos 7 dias, pausar só corta gasto: antes, confira o rastreamento (pixel)."
        )
    return lines
