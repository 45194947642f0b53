"""The campaigns ranked by their growth from one month to the next ("qual campanha mais cresceu esse
mês?"), from `month_growth_figures`: per day, since the months' days differ."""

from __future__ import annotations

import datetime as dt
from typing import Any

from famachat_ml_pipeline.agent.wording import Out, br_date, quoted
from famachat_ml_pipeline.core.recommendations.text_ptbr import format_money, format_number, format_pct

_SHOWN = 5  # the campaigns listed after the one that grew most


def _span(first: dt.date | None, last: dt.date | None, n: int) -> str:
    if first is None or last is None:
        return "sem dados"
    return f"{br_date(first.isoformat())} a {br_date(last.isoformat())}, {n} dia{'s' if n != 1 else ''}"


def month_growth_lines(out: Out) -> list[str]:
    g = out["_month_growth"]
    currency = out.get("_currency") or "BRL"
    (before, now), spans, days = g["periods"], g["spans"], g["days"]
    spend = g["figure"] == "spend"
    name = "gasto por dia" if spend else "leads por dia"

    def value(v: float) -> str:
        return f"{format_money(v, currency)}/dia" if spend else f"{format_number(v, 1)} leads/dia"

    def gain(v: float) -> str:
        shown = format_money(abs(v), currency) if spend else format_number(abs(v), 1)
        return f"{'+' if v > 0 else '-' if v < 0 else ''}{shown} por dia"

    when = (
        f"{now.label} ({_span(*spans['now'], days['now'])}) contra {before.label} "
        f"({_span(*spans['before'], days['before'])})"
    )
    rows = g["campaigns"]
    if not rows:
        return [f"Não há dados das campanhas nos dois meses para comparar: {when}."]

    def line(x: dict[str, Any]) -> str:
        pct = (
            f", {'+' if x['pct'] > 0 else '-' if x['pct'] < 0 else ''}{format_pct(abs(x['pct']))}"
            if x["pct"] is not None
            else f", {'sem gasto' if spend else 'sem leads'} em {before.label}"
        )
        return (
            f"{quoted(x['name'])} ({x['campaign_id']}): {value(x['now_day'])} contra "
            f"{value(x['before_day'])} ({gain(x['gain'])}{pct})"
        )

    # a gain that rounds to nothing as said (+0,0 leads por dia) is no growth
    grew = [x for x in rows if round(x["gain"], 2 if spend else 1) > 0]
    how = (
        f"Comparo {name} (cada mês dividido pelos seus dias com dados, {days['now']} contra "
        f"{days['before']}), não os totais."
    )
    if not grew:
        return [
            f"Nenhuma campanha cresceu em {name} em {when}; a que menos caiu: {line(rows[0])}.",
            how,
        ]
    rest = [f"- {line(x)}" for x in grew[1 : 1 + _SHOWN]]
    return [
        f"A campanha que mais cresceu em {name} em {when}: {line(grew[0])}.",
        *(["Em seguida, as que também cresceram:", *rest] if rest else []),
        how,
    ]
