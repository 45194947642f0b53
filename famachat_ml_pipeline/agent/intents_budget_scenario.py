"""A budget's change asked as a what-if: "se eu subir o orçamento da campanha 4 pra 300 por dia, quantos
leads?", "se eu colocar 500 reais por dia na 9?", "se eu subir 50 reais no orçamento dela?", "se eu reduzir
30% a verba da campanha 4, quantos leads perco?", "se eu subir o orçamento da conta pra 1500 por dia?", and
in a thread "e se eu baixar pra 150?", "e pra 2k?", "e se eu dobrar?". The answer is the forecast scaled as
arithmetic (`budget_scaled`), not the advice "posso aumentar o orçamento da campanha 4?" asks for (a verdict,
kept there)."""

from __future__ import annotations

import math
import re
from dataclasses import replace
from typing import TYPE_CHECKING

from famachat_ml_pipeline.agent.intents_numbers import magnitude, parse_number, percent_named, raise_named

if TYPE_CHECKING:
    from famachat_ml_pipeline.agent.intents import Intent

_WHAT_IF = re.compile(r"\b(?:e se|se eu|caso eu|se a gente)\b")
# what the change brings, asked: "quantos leads?", "quantos perco?", "qnts a mais?"
_OUTCOME = re.compile(r"\b(?:quant[oa]s?|qnts?|qtos?)\b.*\b(?:leads?|perc[oe]|ganh\w*|a mais|a menos)\b")
_BUDGET = re.compile(r"\b(?:orcamento|verba|budget|investimento)\b|\bpor dia\b")
_DOWN_STEMS = "reduz|baix|diminu|cort|tir"
_DOWN = re.compile(rf"\b(?:{_DOWN_STEMS})\w*")
_BY = re.compile(rf"\b(?:aument|sub|{_DOWN_STEMS})\w*")  # a change by an amount ("subir 50 reais")
# "colocar mais 500 reais por dia", "botar menos R$ 200": the amount is the change, whatever the verb
_MORE_OR_LESS = re.compile(r"\b(mais|menos)\s+(?:r\$|clp|us\$|\$)?\s*\d")
_CHANGE = re.compile(rf"\b(?:aument|sub|dobr|tripl|coloc|bot|pass|mud|deix|ajust|{_DOWN_STEMS})\w*")
# a verdict asked ("vale?", "posso?"): the advice's question, not the arithmetic's
_ADVICE = re.compile(r"\b(?:posso|devo|deveria|vale|compensa|recomenda)\b")
_NUMBER = r"(\d[\d.,]*)(?![\d/])\s*(mil|k)?\b(?!\s*(?:%|por cento|leads?\b|dias?\b|vezes\b|x\b))"
_CURRENCY = r"(?:r\$|clp|us\$|\$)"
# the amount the daily budget goes to: "pra 300", "para r$ 1.500 por dia", "r$ 300", "500 reais por dia"
_TO = re.compile(rf"\b(?:pra|para)\s+(?:{_CURRENCY}\s*)?{_NUMBER}")
_MONEY = re.compile(
    rf"{_CURRENCY}\s*{_NUMBER}|\b{_NUMBER}\s*(?:reais|pesos|{_CURRENCY})|\b{_NUMBER}\s*por dia"
)
# "e pra 2k?", "e 1.200?": another amount for the scenario asked last
_BARE_AMOUNT = re.compile(
    rf"^e (?:se for |com )?(?:pra |para )?(?:{_CURRENCY}\s*)?{_NUMBER}\s*(?:reais|pesos)?\W*$"
)


def _amount(m: re.Match[str]) -> float:
    """The amount of whichever alternative matched: each holds a (number, "mil"/"k") pair of groups."""
    groups = m.groups()
    i = next(i for i in range(0, len(groups), 2) if groups[i] is not None)
    return parse_number(groups[i]) * magnitude(groups[i + 1])


def budget_scenario(
    text: str, carried: bool = False, after_scenario: bool = False
) -> tuple[str, float] | None:
    """For a normalized what-if of a budget's change: ("to", the daily amount), ("by", the daily amount
    added, negative when taken) or ("pct", the change in %, negative for a cut); None when the text asks no
    such thing or asks for advice. `carried`: a follow-up in a thread about a campaign or a scenario, where
    the budget goes unsaid ("e se eu baixar pra 150?"); `after_scenario`: right after a scenario, where the
    verb goes unsaid too ("e pra 2k?")."""
    if _ADVICE.search(text):
        return None
    bare = after_scenario and _BARE_AMOUNT.search(text)
    asked = (_WHAT_IF.search(text) or _OUTCOME.search(text)) and (_BUDGET.search(text) or carried)
    if not bare and not (asked and _CHANGE.search(text)):
        return None
    if bare or (to := _TO.search(text)):
        amount = _amount(bare or to)  # "pra 0": nothing a day, the forecast scaled to none
        return ("to", amount) if math.isfinite(amount) else None
    if (money := _MONEY.search(text)) is not None:
        amount = _amount(money)
        if not 0 < amount < math.inf:
            return None
        if side := _MORE_OR_LESS.search(text):
            return ("by", -amount if side.group(1) == "menos" else amount)
        if _BY.search(text):  # "subir 50 reais", "tirar R$ 40": the amount is the change
            return ("by", -amount if _DOWN.search(text) else amount)
        return ("to", amount)  # "colocar 500 reais por dia"
    if _DOWN.search(text):
        pct = percent_named(text)
        return ("pct", -min(pct, 100.0)) if pct else None
    pct = raise_named(text)
    return ("pct", pct) if pct else None


def scenario_intent(intent: Intent, scenario: tuple[str, float]) -> Intent:
    """The forecast's budget scenario for `intent`'s campaign (or the account): an amount as `ask`
    ("budget_to", "budget_by") with the amount as threshold, a percentage as threshold alone."""
    kind, value = scenario
    ask = {"to": "budget_to", "by": "budget_by"}.get(kind)
    return replace(
        intent,
        name="forecast",
        keyword="forecast",
        metric="budget_scaled",
        threshold=value,
        ask=ask,
        day_ref=None,
        period_ref=None,
    )
