"""What following the active advice saves a week ("quanto eu economizo se seguir as recomendações?",
"quanto eu economizo?" after one campaign's advice): the savings the pipeline wrote for each cut (budget
decrease, pause) summed, the leads they cost, and the advice that adds spend instead, said apart."""

from __future__ import annotations

import re
from typing import Any

from famachat_ml_pipeline.agent.intents_numbers import parse_number
from famachat_ml_pipeline.agent.wording import quoted
from famachat_ml_pipeline.core.recommendations.text_ptbr import format_money, format_number

# the recommendations' own wording (core/recommendations: emit.budget_impact, rules_budget's pause)
_SAVED = re.compile(r"economia de (?:até )?[^\d]*(\d[\d.,]*)/semana")
_LEADS_LOST = re.compile(r"cerca de (\d[\d.,]*) leads/semana a menos")


def _amount(pattern: re.Pattern[str], text: str | None) -> float | None:
    m = pattern.search(text or "")
    return parse_number(m.group(1).rstrip(".,")) if m else None


def saved_a_week(impact: str | None) -> float | None:
    """The weekly saving an advice's expected impact states ("economia de R$ 275,80/semana"), else None."""
    return _amount(_SAVED, impact)


def savings_lines(
    rows: list[dict[str, Any]], total: int, currency: str, campaign: str | None, name: str | None = None
) -> list[str]:
    """The weekly savings of the active cuts among `rows` (one campaign's when `campaign` is its id), first
    their sum, then each as the pipeline wrote it; `total` the account's active advice (`rows` may stop
    before it)."""
    mine = [x for x in rows if campaign is None or x["campaign_id"] == campaign]
    saving = [(x, _amount(_SAVED, x.get("expected_impact"))) for x in mine]
    cuts = [(x, s) for x, s in saving if s is not None]
    others = [x for x, s in saving if s is None]
    whose = f" para {quoted(mine[0]['name'])} ({campaign})" if campaign and mine else ""
    if not cuts:
        head = (
            f"Nada a economizar pelas recomendações ativas{whose}: nenhuma reduz orçamento nem pausa."
            if mine
            else f"Nada a economizar pelas recomendações: {quoted(name or campaign)} ({campaign}) não tem "
            "recomendação ativa."
            if campaign
            else "Nada a economizar pelas recomendações: não há recomendação ativa para esta conta agora."
        )
        return [head, *_others(others)]
    saved = sum(s for _, s in cuts)
    lost = sum(v for x, _ in cuts if (v := _amount(_LEADS_LOST, x.get("expected_impact"))) is not None)
    n = len(cuts)
    which = "a recomendação de corte ativa" if n == 1 else f"as {n} recomendações de corte ativas"
    cost = f"; em troca, cerca de {format_number(lost, 1)} leads/semana a menos" if lost else ""
    lines = [
        f"Cerca de {format_money(saved, currency)} por semana, seguindo {which}{whose} (reduzir orçamento "
        f"ou pausar), pela economia que o pipeline estima{' para cada uma' if n > 1 else ''}{cost}:",
        *(
            f"- {x['title']} — {quoted(x['name'])} ({x['campaign_id']}): {x['expected_impact']}."
            for x, _ in cuts
        ),
        *_others(others),
    ]
    if campaign is None and total > len(rows):
        lines.append(f"Somei as {len(rows)} primeiras de {total} recomendações ativas.")
    return lines


def _others(others: list[dict[str, Any]]) -> list[str]:
    if not others:
        return []
    said = "; ".join(f"{x['title']} — {quoted(x['name'])}" for x in others)
    return [f"Não somei as que aumentam o gasto em vez de economizar: {said}."]
