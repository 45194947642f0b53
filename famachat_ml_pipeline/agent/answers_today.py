"""Today's CPL so far against the usual ("por que o cpl subiu hoje?"), from `today_cpl_figures`: the
verdict on the move asked first, the spend and leads (partial), the CPL's factors, then the campaigns that
moved it."""

from __future__ import annotations

from typing import Any

from famachat_ml_pipeline.agent.answers_trends import today_why_lines
from famachat_ml_pipeline.agent.wording import br_date, br_span, leads_text, quoted
from famachat_ml_pipeline.core.recommendations.text_ptbr import (
    WEEKDAYS_PT,
    format_money,
    format_number,
    format_pct,
)

MAX_MOVERS = 3  # the campaigns named as having moved today's CPL


def _signed(pct: float) -> str:
    return ("+" if round(pct) > 0 else "-" if round(pct) < 0 else "") + format_pct(abs(pct))


def today_cpl_lines(move: str, m: dict[str, Any], currency: str = "BRL") -> list[str]:
    """`move`: "up", "down" or "either" (the move asked: "Sim"/"Não" answers it; within 5% "Praticamente
    igual")."""
    now, usual, n = m["now"], m["usual"], m["usual_days"]

    def money(v: float) -> str:
        return format_money(v, currency)

    today = m["today"]
    weekday = WEEKDAYS_PT[today.weekday()]
    when = f"hoje, {br_date(today.isoformat())} ({weekday}, parcial: o dia ainda não terminou)"
    span = br_span(m["first"], m["last"])
    if not now["spend"]:
        return [f"Ainda não há gasto {when}: não há CPL de hoje para explicar."]
    if not usual["leads"]:
        return [f"Sem leads nos {n} dias anteriores ({span}): não há CPL normal para comparar com o de hoje."]
    cpl0 = usual["spend"] / usual["leads"]
    if not now["leads"]:
        return [
            f"O CPL da conta {when} ainda não existe: {money(now['spend'])} gastos e nenhum lead até agora, "
            f"contra CPL {money(cpl0)} nos {n} dias anteriores ({span})."
        ]
    cpl1 = now["spend"] / now["leads"]
    gap = (cpl1 - cpl0) / cpl0 * 100.0
    went = "subiu" if gap > 0 else "caiu"
    figures = (
        f"até agora {money(cpl1)} ({money(now['spend'])} gastos, {leads_text(now['leads'])}), contra "
        f"{money(cpl0)} no normal dos {n} dias anteriores ({span}), {_signed(gap)}"
    )
    if abs(gap) < 5:
        head = f"Praticamente igual: o CPL da conta {when} está {figures}"
    else:
        yes = {"up": gap > 0, "down": gap < 0}.get(move)
        head = f"{'' if yes is None else 'Sim: ' if yes else 'Não: '}o CPL da conta {went} {when}: {figures}"
        head = head[0].upper() + head[1:]
    spend_day, leads_day = usual["spend"] / n, usual["leads"] / n
    moved = (
        f"Gasto e leads: hoje, até agora, {money(now['spend'])} e {leads_text(now['leads'])}; nos {n} dias "
        f"anteriores, em média {money(spend_day)} e {format_number(leads_day, 1)} leads por dia. Como o dia "
        "não terminou, os totais de hoje ainda crescem: comparo o CPL (gasto ÷ leads) e a parte de cada "
        "campanha no gasto e nos leads."
    )
    return [f"{head}.", moved, *today_why_lines(m, _signed(gap)), *_movers(m, gap > 0, currency)]


def _movers(m: dict[str, Any], up: bool, currency: str) -> list[str]:
    """The campaigns whose share of today's spend and leads moved the account's CPL most the way it went."""
    rows = [x for x in m["campaigns"] if (x["effect"] > 0 if up else x["effect"] < 0)]
    rows.sort(key=lambda x: (-x["effect"] if up else x["effect"], x["campaign_id"]))
    if not rows:
        return []

    def cpl(v: float | None) -> str:
        return format_money(v, currency) if v is not None else "sem leads"

    def line(x: dict[str, Any]) -> str:
        return (
            f"- {quoted(x['name'])} ({x['campaign_id']}): CPL {cpl(x['cpl0'])} → {cpl(x['cpl1'])}, "
            f"{format_pct(x['spend_share1'])} do gasto (normal {format_pct(x['spend_share0'])}), "
            f"{format_pct(x['leads_share1'])} dos leads (normal {format_pct(x['leads_share0'])}): "
            f"{'+' if up else '-'}{format_money(abs(x['effect']), currency)} no CPL da conta."
        )

    head = (
        f"Campanhas que mais {'subiram' if up else 'baixaram'} o CPL da conta hoje (contra os "
        f"{m['usual_days']} dias anteriores):"
    )
    return [head, *(line(x) for x in rows[:MAX_MOVERS])]
