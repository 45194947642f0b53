"""The months of the account side by side ("qual foi meu pior mês?"): the one asked first (by the CPL,
a lead account's yardstick, or by the leads or the spend when named), then every month."""

from __future__ import annotations

from famachat_ml_pipeline.agent.intents import Intent
from famachat_ml_pipeline.agent.intents_periods import MONTHS
from famachat_ml_pipeline.agent.wording import Out, br_span, count_text
from famachat_ml_pipeline.core.recommendations import format_money, format_number


def _label(m: dict) -> str:
    name = f"{MONTHS[m['month'].month - 1]} de {m['month'].year}"
    part = "; parcial" if m["partial"] else ""
    return f"{name} ({br_span(m['first'], m['last'])}{part})"


def _figures(m: dict, currency: str = "BRL") -> str:
    cpl = format_money(m["cpl"], currency) if m["cpl"] is not None else "sem leads"
    return f"CPL {cpl}, {format_money(m['spend'], currency)} investidos, {count_text(m['leads'])} leads"


def say_month_rank(intent: Intent, out: Out) -> list[str]:
    months = out.get("_month_rank") or []
    if not months:
        return ["Não há dados desta conta para comparar os meses."]
    currency = out.get("_currency") or "BRL"  # a CLP account's months in CLP
    if intent.metric in _PER_DAY:
        return _per_day_lines(intent.metric, months, currency)
    best = intent.metric == "best"
    with_cpl = [m for m in months if m["cpl"] is not None]
    if not with_cpl:
        return ["Nenhum mês com leads nos dados desta conta: não há CPL para comparar."]
    pick = (min if best else max)(with_cpl, key=lambda m: m["cpl"])
    word = "melhor" if best else "pior"
    lines = [f"O {word} mês pelo CPL foi {_label(pick)}: {_figures(pick, currency)}."]
    if len(months) == 1:
        lines.append("Só há um mês nos dados desta conta: não há outro para comparar.")
    lines.append("Todos os meses com dados:")
    lines += [f"- {_label(m)}: {_figures(m, currency)}." for m in months]
    if any(m["partial"] for m in months):
        lines.append("Um mês parcial tem menos dias: compare pelo CPL, não pelo total de gasto ou de leads.")
    return lines


# "qual mês teve mais leads?", "em que mês gastei menos?": the figure per day with data (a partial month
# has fewer days: its total is no comparison), its words, and whether the most is asked
_PER_DAY = {
    "leads": ("leads", "mais leads por dia", True),
    "leads_low": ("leads", "menos leads por dia", False),
    "spend": ("spend", "maior gasto por dia", True),
    "spend_low": ("spend", "menor gasto por dia", False),
}


def _per_day_lines(metric: str, months: list[dict], currency: str) -> list[str]:
    key, words, most = _PER_DAY[metric]

    def per_day(m: dict) -> str:
        v = m[key] / m["days"]
        return f"{format_money(v, currency)}/dia" if key == "spend" else f"{format_number(v, 1)} leads/dia"

    pick = (max if most else min)(months, key=lambda m: m[key] / m["days"])

    def line(m: dict) -> str:
        return f"{_label(m)}: {per_day(m)} ({_figures(m, currency)}, {m['days']} dias)"

    lines = [f"O mês com {words} foi {line(pick)}."]
    if len(months) == 1:
        lines.append("Só há um mês nos dados desta conta: não há outro para comparar.")
    lines.append("Todos os meses com dados, por dia:")
    lines += [f"- {line(m)}." for m in months]
    if any(m["partial"] for m in months):
        lines.append(
            "Comparo por dia com dados: um mês parcial tem menos dias, e o total dele não se compara."
        )
    return lines
