"""A goal asked as if it were stored ("qual a meta de leads do mês?"): the data hold no goal of leads, spend
or CPL, so it is said first, then the answer the question's words lead to (the month's figures, say).
A goal the buyer gives ("quanto falta pra bater 2000 leads?") is no such question. Pure: the question."""

from __future__ import annotations

import re

from famachat_ml_pipeline.agent.intents_talk import normalize

# "qual a meta do mês?", "qual é minha meta de leads?", "tem meta cadastrada?"; not "meta de 2000 leads"
_GOAL_ASKED = re.compile(
    r"\b(qual|quais|que)\b( e| eh)?( a| as)?( minha| minhas| nossa| nossas)? (meta|metas)\b"
    r"|\btem (alguma )?meta\b|\bmeta (cadastrada|definida|configurada)\b"
)
_CPL = re.compile(r"\bcpl\b|custo por lead")  # a CPL target has its own answer (`answers_ideal`)

GOAL_NOTE = (
    "Não há meta guardada para esta conta: os dados não trazem metas de leads, de gasto ou de CPL. Se você "
    "tem uma, me diga o valor (ex.: “quanto falta pra bater 2000 leads no mês?”)."
)


def goal_note(message: str, alone: bool = False) -> str | None:
    """`GOAL_NOTE` when a stored goal is asked (no number given, not the CPL's), else None; `alone` when
    nothing else answers the question (its words led nowhere), else it leads into the figures after it."""
    text = normalize(message)
    if not _GOAL_ASKED.search(text) or _CPL.search(text) or re.search(r"\d", text):
        return None
    return GOAL_NOTE if alone else f"{GOAL_NOTE} O que os dados mostram:"
