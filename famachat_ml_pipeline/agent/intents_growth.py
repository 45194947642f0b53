"""The campaigns that grew most over a month or a calendar week ("qual campanha mais cresceu esse mês?",
"... essa semana?"): that period against the one before, by leads per day unless the spend is named. Pure
functions: no database."""

from __future__ import annotations

import re

from famachat_ml_pipeline.agent.intents_trends import figure_named

_WHICH = re.compile(r"\b(qual|quais)\b.*\bcampanhas?\b|\bcampanhas?\b.*\b(qual|quais)\b")
# "mais cresceu", "cresceram mais", "ganhou mais leads", "aumentou mais os leads"
_GREW = re.compile(
    r"\bcresc\w*|\b(?:ganhou|ganharam) mais\b|\bmais (?:ganhou|ganharam)\b"
    r"|\b(?:aumentou|aumentaram|subiu|subiram) mais (?:os |em )?(?:leads?|gastos?|investimento)\b"
)
_MONTH = re.compile(r"\bmes\b")
_WEEK = re.compile(r"\b(?:essa|esta|nessa|nesta|dessa|desta) semana\b|\b(?:semana passada|ultima semana)\b")


def growth_asked(text: str) -> tuple[str, str] | None:
    """(the figure, "esse mes", "mes passado", "essa semana" or "semana passada") of a normalized question
    asking which campaigns grew most over a month or a calendar week: "leads" unless the spend is named
    ("qual campanha mais cresceu em gasto no mês?"); None otherwise (a day, a CPL: other answers)."""
    if not (_WHICH.search(text) and _GREW.search(text)):
        return None
    week = _WEEK.search(text)
    if not (_MONTH.search(text) or week):
        return None
    figure = figure_named(text)
    if figure not in {None, "leads", "spend"}:
        return None
    if week and not _MONTH.search(text):
        return figure or "leads", "semana passada" if re.search(
            r"passada|ultima", week.group(0)
        ) else "essa semana"
    month = "mes passado" if re.search(r"\bmes passado\b|\bultimo mes\b", text) else "esse mes"
    return figure or "leads", month
