"""A budget's change asked of one campaign as a what-if: "se eu subir o orçamento da campanha 4 pra 300 por
dia, quantos leads?", "e se eu baixar o orçamento dela pra 150?", "se eu reduzir 30% a verba da campanha 4,
quantos leads perco?". The answer is her forecast scaled as arithmetic (`budget_scaled`), not the advice
"posso aumentar o orçamento da campanha 4?" asks for (a verdict, kept there)."""

from __future__ import annotations

import re

from famachat_ml_pipeline.agent.intents_numbers import magnitude, parse_number, percent_named, raise_named

_WHAT_IF = re.compile(r"\b(?:e se|se eu|caso eu|se a gente)\b")
_BUDGET = re.compile(r"\b(?:orcamento|verba|budget|investimento)\b|\bpor dia\b")
_DOWN = re.compile(r"\b(?:reduz|baix|diminu|cort)\w*")
_CHANGE = re.compile(r"\b(?:aument|sub|dobr|tripl|coloc|bot|pass|mud|deix|ajust|reduz|baix|diminu|cort)\w*")
# a verdict asked ("vale?", "posso?"): the advice's question, not the arithmetic's
_ADVICE = re.compile(r"\b(?:posso|devo|deveria|vale|compensa|recomenda)\b")
# the amount the daily budget goes to: "pra 300", "para r$ 1.500 por dia", "em 2 mil", "r$ 300 por dia"
_TO_AMOUNT = re.compile(
    r"(?:\b(?:pra|para|em)\s+(?:r\$\s*)?|r\$\s*)(\d[\d.,]*)(?![\d/])\s*(mil|k)?\b"
    r"(?!\s*(?:%|por cento|leads?\b|dias?\b))"
)


def budget_scenario(text: str) -> tuple[str, float] | None:
    """("to", the daily amount) or ("pct", the change in %, negative for a cut) for a normalized what-if of
    a budget's change; None when the text asks no such thing or asks for advice."""
    if not (_WHAT_IF.search(text) and _BUDGET.search(text) and _CHANGE.search(text)) or _ADVICE.search(text):
        return None
    if (to := _TO_AMOUNT.search(text)) is not None:
        amount = parse_number(to.group(1)) * magnitude(to.group(2))
        return ("to", amount) if amount > 0 else None
    if _DOWN.search(text):
        pct = percent_named(text)
        return ("pct", -min(pct, 100.0)) if pct else None
    pct = raise_named(text)
    return ("pct", pct) if pct else None
