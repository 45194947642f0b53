"""Two things just compared, then "qual a diferença?" or "somando as duas?": the gap (the newer or the
second minus the other) or the sum of their spend and leads, and the CPL of the sum (spend over leads, not
the average of the two CPLs). Pure: the two sides' raw figures in, the pt-BR line out."""

from __future__ import annotations

from typing import Any

from famachat_ml_pipeline.agent.wording import count_text, leads_text
from famachat_ml_pipeline.core.recommendations import format_money

GAP_ASKS = frozenset({"difference", "sum"})


def _signed_money(value: float, currency: str) -> str:
    text = format_money(abs(value), currency)
    return text if round(value, 2) == 0 else ("+" if value > 0 else "-") + text


def _signed_count(value: int) -> str:
    return f"{value:+d}" if value else "0"


def gap_line(
    ask: str | None,
    labels: tuple[str, str],
    sides: tuple[dict[str, Any], dict[str, Any]],
    currency: str,
    when: str = "",
) -> list[str]:
    """ "Somando outubro e novembro: R$ X investidos, N leads, CPL R$ Y." or "Diferença, novembro menos
    outubro: gasto +R$ X (R$ A contra R$ B), leads -N (...), CPL +R$ Y (...)."; `sides` (the older or
    first, the other) carry raw "spend", "leads" and "cpl" (None without leads). Nothing for another ask
    or a missing side."""
    if ask not in GAP_ASKS or not all(sides):
        return []
    (a, b), (fa, fb) = labels, sides
    spend_a, spend_b = float(fa["spend"] or 0.0), float(fb["spend"] or 0.0)
    leads_a, leads_b = int(fa["leads"] or 0), int(fb["leads"] or 0)
    if ask == "sum":
        spend, leads = spend_a + spend_b, leads_a + leads_b
        cpl = f"CPL {format_money(spend / leads, currency)}" if leads else "sem leads"
        return [
            f"Somando {a} e {b}{when}: {format_money(spend, currency)} investidos, {leads_text(leads)}, "
            f"{cpl} (o gasto somado ÷ os leads somados)."
        ]
    cpl_a, cpl_b = fa.get("cpl"), fb.get("cpl")
    cpl = (
        f"CPL {_signed_money(cpl_b - cpl_a, currency)} ({format_money(cpl_b, currency)} contra "
        f"{format_money(cpl_a, currency)})"
        if cpl_a and cpl_b
        else "CPL sem comparação (um dos lados sem leads)"
    )
    return [
        f"Diferença, {b} menos {a}{when}: gasto {_signed_money(spend_b - spend_a, currency)} "
        f"({format_money(spend_b, currency)} contra {format_money(spend_a, currency)}), leads "
        f"{_signed_count(leads_b - leads_a)} ({count_text(leads_b)} contra {count_text(leads_a)}), {cpl}."
    ]
