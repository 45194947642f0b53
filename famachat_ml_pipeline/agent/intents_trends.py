"""The figure a question names (CPL, leads, spend, CTR, CPM, CPC) and the move it asks of it ("subiu",
"caíram", "piorou"): over the 7 days, this calendar week, a named period or one past day, asked why or
not. Pure functions: no database."""

from __future__ import annotations

import re

from famachat_ml_pipeline.agent.intents_periods import ALL_TIME_REF, THIS_WEEK, YEAR_REF

# "o CPL da campanha 27 está subindo?": a figure's move asked (the 7 days against the 7 before)
MOVES = {
    "up": r"subindo|subiu|sobe|aumentando|aumentou|aumenta|crescendo|cresceu|disparando|disparou",
    "down": r"caindo|caiu|cai|diminuindo|diminuiu|diminui|baixando|baixou|despencando|despencou"
    r"|reduzindo|reduziu",
    "worse": r"piorando|piorou|piora",
    "better": r"melhorando|melhorou|melhora",
    "either": r"mudando|mudou|variando|variou|como (esta|ta) evoluindo",
}
_TREND_METRICS = {
    "cpl": r"\bcpl\b|custo por lead",
    "ctr": r"\bctr\b",
    "cpm": r"\bcpm\b",
    "spend": r"\bgastos?\b|\binvestimento\b|\bspend\b",
    "leads": r"\bleads?\b",
}
_TREND_ASK = re.compile(
    rf"\b({'|'.join(_TREND_METRICS.values())})\b.*\b({'|'.join(MOVES.values())})\b".replace(r"\b\b", r"\b")
)
# ("o cpl tá subindo por causa do ctr ou do cpm?" asks why as much as "por que")
WHY = re.compile(r"\bpor ?que\b|\bpq\b|\bmotivo\b|\bpor causa d[oae]s?\b")


# "como tá o lead?", "como estão os leads?": the account's leads asked (was the help menu)
LEADS_HOW = r"\bcomo (?:ta|tao|esta|estao|vai|vao|anda|andam) (?:o|os) leads?\b"


def leads_asked(text: str) -> bool:
    """ "quantos leads", "leads de hoje": the count of leads asked, not their cost nor the spend."""
    # "qnts lead ontem", "como tá o lead?": a count asked names the leads in the singular too
    counted = re.search(rf"\b(quantos|qnts|qtos|qts)\s+lead\b|{LEADS_HOW}", text)
    cost = re.search(r"\bcpl\b|\bcust|\bgast|\binvest", text)
    return bool(re.search(r"\bleads\b", text) or counted) and not cost


def spend_asked(text: str) -> bool:
    """ "quanto gastei", "qnto vou gastar amanhã": the spend asked, not the leads nor their cost."""
    return bool(re.search(r"\bgast|\binvest", text)) and not re.search(r"\bleads?\b|\bcpl\b|\bcusto", text)


def cpl_asked(text: str) -> bool:
    """ "qual o cpl", "o custo por lead dela", "quanto custou cada lead": the CPL asked, not the spend
    ("quanto gastei e qual o cpl" asks the spend first)."""
    # "quanto custa o lead da 17?", "o custo do lead": the CPL too
    cpl = (
        r"\bcpl\b|custo por lead|\bcust(ou|a|aram) (cada|o|um|1) lead|\bcada lead (custou|custa|saiu|sai)\b"
        r"|\bcusto do lead\b"
    )
    # "quanto tô pagando por lead?", "quanto gasto por lead?": money per lead is the CPL, spend word or not
    if re.search(r"\b(pag\w*|gast\w*|invest\w*) por lead\b|\b(saindo|custando|sai) (o|cada|um) lead\b", text):
        return True
    return bool(re.search(cpl, text)) and not re.search(r"\bgast|\binvest", text)


def trend_metric_named(text: str) -> str | None:
    """The figure a trend question names first ("tendência de leads" -> "leads"), None if it names none."""
    found = [(m.start(), k) for k, pattern in _TREND_METRICS.items() if (m := re.search(pattern, text))]
    return min(found)[1] if found else None


def trend_asked(text: str) -> tuple[str, str] | None:
    """(the figure, the move) a trend question asks ("o CPL ... está subindo?" -> ("cpl", "up")); None
    when it asks none, or asks why (that is the anomalies' question)."""
    if WHY.search(text):
        return None
    m = _TREND_ASK.search(text)
    if m:
        metric = next(k for k, pattern in _TREND_METRICS.items() if re.search(pattern, m.group(1)))
        return metric, next(k for k, pattern in MOVES.items() if re.fullmatch(pattern, m.group(2)))
    if m := _TREND_ASK_PLURAL.search(text):  # "os leads caíram?" (was the help menu)
        metric = next(k for k, pattern in _TREND_METRICS.items() if re.search(pattern, m.group(1)))
        return metric, next(k for k, pattern in _MOVES_PLURAL.items() if re.fullmatch(pattern, m.group(2)))
    # "a campanha 27 está piorando?": no figure named, the CPL (the figure a lead campaign is judged by)
    move = next((k for k, pattern in MOVES.items() if re.search(rf"\b({pattern})\b", text)), None)
    return ("cpl", _unnamed_move(move)) if move else None


def _unnamed_move(move: str) -> str:
    """ "a 29 caiu muito?" names no figure: a campaign (or the account) that "caiu" got worse, as "qual
    campanha mais caiu?" reads it (was the CPL falling, "Não" while its leads fell 85 %)."""
    return "worse" if move == "down" else move


# "os leads caíram essa semana?": the plural moves, read only with "essa semana" (`this_week_change`)
_MOVES_PLURAL = {
    "up": r"subiram|aumentaram|cresceram|dispararam",
    "down": r"cairam|diminuiram|baixaram|despencaram|reduziram",
    "worse": r"pioraram",
    "better": r"melhoraram",
    "either": r"mudaram|variaram",
}
_TREND_ASK_PLURAL = re.compile(
    rf"\b({'|'.join(_TREND_METRICS.values())})\b.*\b({'|'.join(_MOVES_PLURAL.values())})\b".replace(
        r"\b\b", r"\b"
    )
)
# the figures `weeks_compared`'s answer has a change of
WEEK_METRICS = ("cpl", "leads", "spend", "ctr", "cpm", "cpc")
# the figures a change asked about "essa semana" may name: the trends' and the CPC (the 7 days have no CPC
# move, so it is read here only)
_WEEK_FIGURES = {**_TREND_METRICS, "cpc": r"\bcpc\b|custo por clique"}
# a move in the singular or the plural ("o CPL subiu", "os leads caíram")
_WEEK_MOVES = {k: f"{MOVES[k]}|{_MOVES_PLURAL[k]}" for k in MOVES}
_WEEK_MOVE = re.compile(rf"\b({'|'.join(_WEEK_MOVES.values())})\b")


# "quantos leads eu perdi essa semana?", "quanto gastei a mais essa semana?": a move said as what was lost
# or spent beyond the week before
_LOST = re.compile(r"\b(perdi|perdemos|perdeu|perderam)\b.*\bleads?\b|\bleads?\b.*\b(perdi|perdemos)\b")
_MORE_LESS = re.compile(r"\ba (mais|menos)\b")


def _week_change_asked(text: str) -> tuple[str, str] | None:
    """(the figure, the move) of a change asked about the calendar week, asked why or not: the first
    figure named (the CPL when none is: "a campanha 27 piorou essa semana?") and the first move."""
    if not THIS_WEEK.search(text):
        return None
    if not (m := _WEEK_MOVE.search(text)):
        if _LOST.search(text):
            return ("leads", "down")
        more = _MORE_LESS.search(text)
        figure = figure_named(text) or ("spend" if re.search(r"\bgast|\binvest", text) else None)
        if more and figure in {"spend", "leads"}:  # "gastei a mais essa semana?": the spend's move
            return (figure, "up" if more.group(1) == "mais" else "down")
        return None
    move = next(k for k, p in _WEEK_MOVES.items() if re.fullmatch(p, m.group(1)))
    figure = figure_named(text)
    return (figure, move) if figure else ("cpl", _unnamed_move(move))


def figure_named(text: str) -> str | None:
    """The figure a normalized text names first ("e o gasto?" -> "spend", "e o CTR?" -> "ctr"): cpl, ctr,
    cpm, cpc, spend or leads; None if it names none."""
    named = [(f.start(), k) for k, p in _WEEK_FIGURES.items() if (f := re.search(p, text))]
    return min(named)[1] if named else None


def this_week_change(text: str) -> tuple[str, str] | None:
    """(the figure, the move) of "o CPL subiu essa semana?", "os leads caíram essa semana?", "o CTR caiu
    essa semana?": a change asked about the calendar week (`weeks_compared`), not asked why; None
    otherwise."""
    return None if WHY.search(text) else _week_change_asked(text)


def period_move_asked(text: str, period_ref: str | None) -> tuple[str, str] | None:
    """(the figure, the move) of "o CPL subiu em outubro?", "por que os leads caíram em novembro?": a move
    asked of a named period other than this week (`weeks_compared`'s) and the whole history, answered
    against the period before it (`previous_period`); None otherwise."""
    if period_ref in {None, ALL_TIME_REF, YEAR_REF} or THIS_WEEK.search(text):
        return None
    if not (m := _WEEK_MOVE.search(text)):
        return None
    move = next(k for k, p in _WEEK_MOVES.items() if re.fullmatch(p, m.group(1)))
    return (figure_named(text) or "cpl", move)


def why_moved_unperioded(text: str) -> tuple[str, str] | None:
    """(the figure, the move) of "por que o gasto caiu?", "pq os leads cairam?": a why of the spend's or the
    leads' move with no period named, answered over the calendar weeks as "essa semana" is (the 7 days'
    answer explains the CPL only); None otherwise (the CPL keeps its 7 days)."""
    if not WHY.search(text) or THIS_WEEK.search(text) or not (m := _WEEK_MOVE.search(text)):
        return None
    figure = figure_named(text) or ("spend" if re.search(r"\bgast|\binvest", text) else None)
    if figure not in {"spend", "leads"}:
        return None
    return figure, next(k for k, p in _WEEK_MOVES.items() if re.fullmatch(p, m.group(1)))


def why_this_week(text: str) -> tuple[str, str] | None:
    """(the figure, the move) of "por que o CPL subiu essa semana?", "por que os leads caíram essa
    semana?": the move to explain over the calendar weeks; None when no why is asked."""
    return _week_change_asked(text) if WHY.search(text) else None


# "o que aconteceu ontem?", "o que houve ontem?": what a day brought, asked with no figure
# ("oq houve ontem", as buyers type it)
_WHAT_HAPPENED = re.compile(r"\b(?:o que|oq|oque) (?:aconteceu|houve|rolou|mudou)\b")


def what_happened(text: str) -> bool:
    """ "o que houve?", "oq aconteceu", "o que rolou": what happened asked (of a day, a campaign's move)."""
    return bool(_WHAT_HAPPENED.search(text))


_DAY_MOVE_FROM = {None, "anomalies", "performance", "trends", "summary"}


def day_move_asked(text: str, matched: str | None, day_ref: str | None, period_ref: str | None) -> str | None:
    """ "day_<figure>_<move>" for a move asked of one past day ("por que o CPL subiu ontem?" ->
    "day_cpl_up", "os leads caíram ontem?" -> "day_leads_down"), "day_what" for "o que aconteceu ontem?";
    None when no single past day is asked (today is partial, tomorrow a forecast), a period is, or the
    question is another's (a recommendation, a forecast)."""
    if day_ref is None or period_ref is not None or matched not in _DAY_MOVE_FROM:
        return None
    if re.fullmatch(r"hoje|hj|amanha", day_ref):
        return None
    if m := _WEEK_MOVE.search(text):
        move = next(k for k, p in _WEEK_MOVES.items() if re.fullmatch(p, m.group(1)))
        figure = figure_named(text) or "cpl"
        # "qual campanha mais caiu em leads ontem?": the campaigns that moved that way, named first
        which = "_which" if re.search(r"\b(qual|quais)\b.*\bcampanhas?\b", text) else ""
        if which and figure_named(text) is None:
            move = campaign_fell(move)  # "qual campanha mais caiu ontem?": got worse, as over the week
        return f"day_{figure}_{move}{which}" if figure in {"cpl", "leads", "spend"} else None
    return "day_what" if _WHAT_HAPPENED.search(text) else None


def day_move_metric(metric: str | None) -> tuple[str, str] | None:
    """(figure, move) of a "day_<figure>_<move>[_which]" metric, ("what", "either") of "day_what", else
    None."""
    if metric == "day_what":
        return "what", "either"
    parts = (metric or "").split("_")
    ok = len(parts) == 3 or (len(parts) == 4 and parts[3] == "which")
    return (parts[1], parts[2]) if ok and parts[0] == "day" else None


_WHICH_CAMPAIGNS = re.compile(r"\b(qual|quais)\b.*\bcampanhas?\b")
# "quais campanhas perderam mais leads?", "qual ganhou mais leads?": a move of the leads in other words
# "o maior aumento de gasto", "a maior queda de leads": a move named by a noun
_UP_NOUNS = {"aumento", "alta", "crescimento", "subida"}
_MOVE_NOUN = re.compile(
    r"\b(aumento|alta|crescimento|subida|queda|reducao|baixa|diminuicao)\s+(?:de|do|dos|no|nos|em)\s+"
    r"(?:gastos?|investimento|leads?|cpl|custo por lead)\b"
)
_LEADS_LOST = re.compile(r"\b(perd(eu|eram|endo)|ganh(ou|aram|ando))\b.*\bleads?\b")


_DEARER = re.compile(r"\b(?:ficando|ficou|fica) mais (car[oa]|barat[oa])\b")


def campaigns_move_asked(text: str) -> tuple[str, str] | None:
    """(the figure, the move) of "quais campanhas mais caíram em leads?", "qual campanha mais caiu em
    leads?", "quais campanhas pioraram?": which campaigns moved, the move said in the singular or the
    plural, before or after the figure (the CPL when none is named); None when no campaign is asked
    which, no move is, or a why is."""
    if WHY.search(text) or not _WHICH_CAMPAIGNS.search(text):
        return None
    if lost := _LEADS_LOST.search(text):
        return ("leads", "down" if lost.group(1).startswith("perd") else "up")
    if dear := _DEARER.search(text):  # "qual campanha tá ficando mais cara?": the CPL rising the most
        return ("cpl", "up" if dear.group(1).startswith("car") else "down")
    if noun := _MOVE_NOUN.search(text):  # "qual campanha teve o maior aumento de gasto?"
        return (figure_named(noun.group(0)) or "cpl", "up" if noun.group(1) in _UP_NOUNS else "down")
    if not (m := _WEEK_MOVE.search(text)):
        return None
    move = next(k for k, p in _WEEK_MOVES.items() if re.fullmatch(p, m.group(1)))
    if (figure := figure_named(text)) is None:
        return ("cpl", campaign_fell(move))
    return (figure, move)


def campaign_fell(move: str) -> str:
    """ "quais campanhas caíram?" with no figure named: a campaign that fell got worse (its CPL "caiu" would
    be good news), one that rose got better; the same reading on a day, a week or unsaid."""
    return {"down": "worse", "up": "better"}.get(move, move)
