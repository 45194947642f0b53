"""The months of the account side by side ("qual foi meu pior mês?"): the one asked first (by the CPL,
a lead account's yardstick, or by the leads or the spend when named), then every month."""

from __future__ import annotations

from famachat_ml_pipeline.agent.intents import Intent
from famachat_ml_pipeline.agent.intents_periods import MONTHS
from famachat_ml_pipeline.agent.wording import Out, br_span, count_text
from famachat_ml_pipeline.core.recommendations import format_money


def _label(m: dict) -> str:
    name = f"{MONTHS[m['month'].month - 1]} de {m['month'].year}"
    part = "; parcial" if m["partial"] else ""
    return f"{name} ({br_span(m['first'], m['last'])}{part})"


def _figures(m: dict) -> str:
    cpl = format_money(m["cpl"]) if m["cpl"] is not None else "sem leads"
    return f"CPL {cpl}, {format_money(m['spend'])} investidos, {count_text(m['leads'])} leads"


def say_month_rank(intent: Intent, out: Out) -> list[str]:
    months = out.get("_month_rank") or []
    if not months:
        return ["Não há dados desta conta para comparar os meses."]
    best = intent.metric == "best"
    with_cpl = [m for m in months if m["cpl"] is not None]
    if not with_cpl:
        return ["Nenhum mês com leads nos dados desta conta: não há CPL para comparar."]
    pick = (min if best else max)(with_cpl, key=lambda m: m["cpl"])
    word = "melhor" if best else "pior"
    lines = [f"O {word} mês pelo CPL foi {_label(pick)}: {_figures(pick)}."]
    if len(months) == 1:
        lines.append("Só há um mês nos dados desta conta: não há outro para comparar.")
    lines.append("Todos os meses com dados:")
    lines += [f"- {_label(m)}: {_figures(m)}." for m in months]
    if any(m["partial"] for m in months):
        lines.append("Um mês parcial tem menos dias: compare pelo CPL, não pelo total de gasto ou de leads.")
    return lines
