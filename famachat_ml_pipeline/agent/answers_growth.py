"""The campaigns ranked by their growth from one month, or calendar week, to the next ("qual campanha mais
cresceu esse mês?", "... essa semana?"), from `growth_figures`: per day, since the periods' days differ."""

from __future__ import annotations

import datetime as dt
from typing import Any

from famachat_ml_pipeline.agent.wording import Out, br_span, days_text, quoted
from famachat_ml_pipeline.core.recommendations.text_ptbr import format_money, format_number, format_pct

_SHOWN = 5  # the campaigns listed after the one that grew most


def _span(first: dt.date | None, last: dt.date | None, n: int) -> str:
    if first is None or last is None:
        return "sem dados"
    return f"{br_span(first, last)}, {days_text(n)}"


def _in(label: str, weekly: bool) -> str:
    """ "em novembro de 2026", "na semana passada", "nesta semana, de segunda a quarta"."""
    if not weekly:
        return f"em {label}"
    return f"n{label}" if label.startswith("esta ") else f"na {label}"


def growth_lines(out: Out) -> list[str]:
    g = out["_growth"]
    currency = out.get("_currency") or "BRL"
    (before, now), spans, days = g["periods"], g["spans"], g["days"]
    spend = g["figure"] == "spend"
    name = "gasto por dia" if spend else "leads por dia"

    def value(v: float) -> str:
        return f"{format_money(v, currency)}/dia" if spend else f"{format_number(v, 1)} leads/dia"

    def gain(v: float) -> str:
        shown = format_money(abs(v), currency) if spend else format_number(abs(v), 1)
        return f"{'+' if v > 0 else '-' if v < 0 else ''}{shown} por dia"

    weekly = g["unit"] == "semana"
    # "em novembro de 2026", "na semana passada": a week takes its article
    in_now, in_before = (_in(p.label, weekly) for p in (now, before))
    when = (
        f"{in_now} ({_span(*spans['now'], days['now'])}) contra {'a ' if weekly else ''}{before.label} "
        f"({_span(*spans['before'], days['before'])})"
    )
    rows = g["campaigns"]
    note = [g["note"]] if g.get("note") else []
    if not rows:
        unit = "nas duas semanas" if weekly else "nos dois meses"
        return [*note, f"Não há dados das campanhas {unit} para comparar: {when}."]

    def line(x: dict[str, Any]) -> str:
        pct = (
            f", {'+' if x['pct'] > 0 else '-' if x['pct'] < 0 else ''}{format_pct(abs(x['pct']))}"
            if x["pct"] is not None
            else f", {'sem gasto' if spend else 'sem leads'} {in_before}"
        )
        return (
            f"{quoted(x['name'])} ({x['campaign_id']}): {value(x['now_day'])} contra "
            f"{value(x['before_day'])} ({gain(x['gain'])}{pct})"
        )

    # a gain that rounds to nothing as said (+0,0 leads por dia) is no growth
    grew = [x for x in rows if round(x["gain"], 2 if spend else 1) > 0]
    each = "cada semana dividida" if weekly else "cada mês dividido"
    how = (
        f"Comparo {name} ({each} pelos seus dias com dados, {days['now']} contra {days['before']}), não os "
        "totais."
    )
    if not grew:
        return [
            *note,
            f"Nenhuma campanha cresceu em {name} {when}; a que menos caiu: {line(rows[0])}.",
            how,
        ]
    rest = [f"- {line(x)}" for x in grew[1 : 1 + _SHOWN]]
    return [
        *note,
        f"A campanha que mais cresceu em {name} {when}: {line(grew[0])}.",
        *(["Em seguida, as que também cresceram:", *rest] if rest else []),
        how,
    ]
