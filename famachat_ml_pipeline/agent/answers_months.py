"""A named month or period beyond its totals: the campaigns whose CPL moved most, the period's summary, a
month still to come (the stored forecast's days, then a run-rate said as an estimate)."""

from __future__ import annotations

from typing import Any

from famachat_ml_pipeline.agent.intents import Intent
from famachat_ml_pipeline.agent.wording import (
    Out,
    about_leads_text,
    br_date,
    br_span,
    count_text,
    leads_text,
    quoted,
)
from famachat_ml_pipeline.core.recommendations import format_number

SHOWN = 5


def _label(p: dict[str, Any]) -> str:
    """ "novembro de 2026 (01/11/2026 a 29/11/2026; parcial, o mês ainda não terminou)"."""
    span = br_span(p["first"], p["last"])
    if p["last"] < p["asked"].last:
        return f"{p['asked'].label} ({span}; parcial, até o último dia completo)"
    if p["first"] > p["asked"].first:
        return f"{p['asked'].label} ({span}; parcial, os dados começam em {br_date(p['first'].isoformat())})"
    return f"{p['asked'].label} ({span})"


def _before_label(p: dict[str, Any]) -> str:
    return f"{p['before'].label} ({br_span(p['before_first'], p['before'].last)})"


def _signed(change: float) -> str:
    return f"{'+' if change > 0 else ''}{format_number(change, 0)}%"


def say_period_campaigns(intent: Intent, out: Out) -> list[str]:
    """ "Qual campanha piorou em novembro?": the campaigns whose CPL rose most against the period before
    (both CPLs), or fell most when "melhorou" is asked; those with spend and no lead apart."""
    p = out.get("_period_campaigns")
    if p is None:
        return ["Não há dados desta conta no período pedido."]
    if not p["before_covered"]:
        return [f"Não há dados de {p['before'].label} para comparar com {_label(p)}."]
    worse = intent.metric != "better"
    rows = [r for r in p["campaigns"] if (r["change_v"] > 0 if worse else r["change_v"] < 0)]
    if not worse:
        rows.sort(key=lambda r: r["change_v"])
    word = "piorou" if worse else "melhorou"
    head = f"{_label(p)} contra {_before_label(p)}"
    if not rows:
        lines = [f"Nenhuma campanha {word} em CPL em {head}, entre as que tiveram leads nos dois períodos."]
    else:
        n = len(rows)
        moved = "subiu" if worse else "caiu"
        lines = [
            f"{n} campanha{'s' if n != 1 else ''} com CPL que {moved} em {head}; "
            f"{'as que mais pioraram' if worse else 'as que mais melhoraram'}:"
        ]
        lines += [
            f"- {quoted(r['name'])} ({r['campaign_id']}): CPL {r['now']} contra {r['before']} "
            f"({_signed(r['change_v'])})"
            for r in rows[:SHOWN]
        ]
    if p["no_leads"]:
        names = ", ".join(f"{quoted(x['name'])} ({x['spend']})" for x in p["no_leads"][:SHOWN])
        lines.append(f"Gastaram sem nenhum lead em {p['asked'].label} (sem CPL para comparar): {names}.")
    return lines


def say_period_summary(intent: Intent, out: Out) -> list[str]:
    """ "Resumo de outubro": the period's totals, its CPL against the period before, its best and worst
    campaigns by CPL, those with spend and no lead; nothing of the last 7 days."""
    p = out.get("_period_summary")
    if p is None:
        return ["Não há dados desta conta no período pedido."]
    f = p["now"]
    lines = [
        f"Resumo de {_label(p)}: {f['spend']} investidos, {leads_text(f['leads'])}, CPL {f['cpl'] or '-'}, "
        f"CTR {f['ctr'] or '-'}."
    ]
    if p["before_cpl_v"] and f["cpl_v"]:
        change = (f["cpl_v"] / p["before_cpl_v"] - 1) * 100
        move = "subiu" if change > 0 else "caiu" if change < 0 else "ficou igual"
        lines.append(
            f"O CPL {move} contra {_before_label(p)}: {f['cpl']} contra {p['before_cpl']} "
            f"({_signed(change)})."
        )
    elif not p["before_covered"]:
        lines.append(f"Não há dados de {p['before'].label} para comparar o CPL.")
    ranked = p["ranked"]
    if ranked:
        best = ranked[:3]
        lines.append("Melhores campanhas por CPL:")
        lines += [
            f"- {quoted(r['name'])} ({r['campaign_id']}): CPL {r['cpl']}, {leads_text(r['leads'])}"
            for r in best
        ]
        worst = [r for r in ranked[::-1][:3] if r not in best]
        if worst:
            lines.append("Piores campanhas por CPL:")
            lines += [
                f"- {quoted(r['name'])} ({r['campaign_id']}): CPL {r['cpl']}, {leads_text(r['leads'])}"
                for r in worst
            ]
    if p["no_leads"]:
        names = ", ".join(f"{quoted(x['name'])} ({x['spend']})" for x in p["no_leads"][:SHOWN])
        lines.append(f"Com gasto e nenhum lead no período: {names}.")
    return lines


def say_month_ahead(intent: Intent, out: Out) -> list[str]:
    """ "Quanto vou gastar em dezembro?": no forecast reaches that month (said first, with what the stored
    one covers), then the last 7 and 28 days' daily pace times its days, labelled as an estimate."""
    m = out["_month_ahead"]
    if m["current"]:
        return [
            f"{m['label'][0].upper()}{m['label'][1:]} está em curso: pergunte “quanto vou gastar "
            f"até o fim do "
            "mês?” para o realizado mais a previsão dos dias que faltam."
        ]
    label = m["label"]
    f = m["forecast"]
    lines = []
    if f:
        totals = f["account_totals"]
        leads = totals.get("leads")
        lines.append(
            f"Não há previsão do pipeline para {label}: a previsão guardada cobre só os próximos dias "
            f"({br_date(m['forecast_first'])} a {br_date(m['forecast_last'])}): "
            f"{totals.get('spend', '-')} de "
            f"gasto e {about_leads_text(leads)} na conta."
        )
    else:
        lines.append(f"Não há previsão do pipeline para {label}, nem previsão guardada dos próximos dias.")
    lines.append(
        f"Estimativa pelo ritmo atual (não é previsão: supõe o mesmo gasto e os mesmos leads por dia nos "
        f"{m['days']} dias de {label}, sem sazonalidade nem mudança de orçamento):"
    )
    for r in m["rates"]:
        span = br_span(r["first_day"], m["through"])
        lines.append(
            f"- pelo ritmo dos últimos {r['days']} dias ({span}): {r['per_day']}/dia × {m['days']} "
            f"= cerca de "
            f"{r['spend']} de gasto e {count_text(r['leads'])} leads "
            f"({format_number(r['leads_per_day'], 1)} leads/dia)."
        )
    return lines
