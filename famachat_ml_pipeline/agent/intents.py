"""The offline agent's first step: what a pt-BR question asks (`classify_intent`), read from keywords, and the
campaigns, day and numbers it names. Pure functions: no database, no tools."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, replace

from famachat_ml_pipeline.agent.intents_talk import (
    budget_total_asked,
    decision_asked,
    left_to_spend_asked,
    normalize,
    small_talk,
    term_asked,
)

INTENTS = (
    "help",
    "analyze",
    "campaign_details",
    "campaign_not_found",
    "data_quality",
    "roi",
    "compare",
    "list_campaigns",
    "trends",
    "forecast",
    "anomalies",
    "recommendations",
    "underperformers",
    "top",
    "cpl_rank",
    "paused",
    "performance",
    "summary",
    "daily_average",
    "weekday",
    "audience",
    "tracking",
    "best_day",
    "frequency",
    "budget",
    "learning",
    "tier",
    "out_of_scope",
    "explain",
    "decisions",
)

# "CPL acima de R$ 50", "custo por lead menor que 20": the campaigns past a CPL asked (group 2 is the number)
_CPL_LIMIT = re.compile(
    r"(?:\bcpl\b|custo por lead)\s+(?:(?:esta|estao|ta|tao|e|for)\s+)?"
    r"(acima|abaixo|maior|menor|superior|inferior|mais alto|mais baixo|passando|passa)\s+"
    r"(?:de|do que|que|a|dos|das)?\s*(?:r\$\s*)?(\d[\d.,]*\d|\d)"
)
_MONTH_END = re.compile(
    r"\b(?:ate|no|ao|pro|para o) (?:o )?(?:fim|final) (?:do|desse|deste) mes\b|\bfechar o mes\b"
    r"|\bfechamento do mes\b"
)
# "quanto falta pra bater 2000 leads no mês?": the month's leads target ("mil"/"k" x1000)
_LEADS_TARGET = re.compile(
    r"\b(?:bater|chegar (?:a|em|nos)|fechar (?:com|em)|atingir|fazer)\s+(?:os\s+|as\s+)?"
    r"(\d[\d.,]*\d|\d)(?![\d.,])\s*(mil\b|k\b)?\s*leads?\b.*\bmes\b"
)
# "quanto vou gastar esse mês?", "quantos leads vou ter esse mês?", "o mês vai fechar em quanto?": the month
# asked in the future, a projection (the month so far plus the stored forecast of the days left)
_MONTH_AHEAD = re.compile(
    r"\b(?:vou|vamos|vai|vao|deve|devem|devo|irei|iremos)\s+(?:\w+\s+)?"
    r"(?:gastar|investir|ter|fazer|gerar|trazer|fechar|terminar|dar|chegar)\b"
    r".*\b(?:esse|este|neste|nesse|deste|desse|no|o) mes\b(?! passado| que vem)"
    r"|\b(?:esse|este|o) mes\b(?! passado| que vem).*\b(?:vai|deve) (?:fechar|terminar)\b"
)
# "pra fechar o mês em R$ 50 mil, quanto posso gastar por dia?": the month's spend target ("mil"/"k" x1000);
# a number of leads ("fechar com 2000 leads") is no money
_MONTH_TARGET = re.compile(
    r"\b(?:fechar|bater|terminar|chegar)\b[^0-9]{0,30}?(?:r\$\s*)?(\d[\d.,]*\d|\d)(?![\d.,])\s*(mil\b|k\b)?"
    r"(?!\s*leads?\b)"
)
# a number alone, not part of a date, an amount or a percentage: a campaign's number in a comparison
_BARE_NUMBER = r"(?<![\d/.,$])\b\d{1,6}\b(?![/\d.,%])"
# "gastando sem gerar lead", "gastou sem lead", "com 0 leads": the campaigns that spent with no lead
_NO_LEADS = re.compile(
    r"\bsem (gerar |nenhum |trazer |converter |ter )?(um )?leads?\b|\bgast\w* sem\b|\bnenhum lead"
    r"|\b(zero|0) leads?\b"
)
# "o CPL da campanha 27 está subindo?": a figure's move asked (the 7 days against the 7 before)
_MOVES = {
    "up": r"subindo|subiu|sobe|aumentando|aumentou|aumenta|crescendo|cresceu|disparando|disparou",
    "down": r"caindo|caiu|cai|diminuindo|diminuiu|diminui|baixando|baixou|despencando|despencou",
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
    rf"\b({'|'.join(_TREND_METRICS.values())})\b.*\b({'|'.join(_MOVES.values())})\b".replace(r"\b\b", r"\b")
)
_WHY = re.compile(r"\bpor ?que\b|\bpq\b|\bmotivo\b")


def leads_asked(text: str) -> bool:
    """ "quantos leads", "leads de hoje": the count of leads asked, not their cost nor the spend."""
    return bool(re.search(r"\bleads\b", text)) and not re.search(r"\bcpl\b|\bcust|\bgast|\binvest", text)


def spend_asked(text: str) -> bool:
    """ "quanto gastei", "qnto vou gastar amanhã": the spend asked, not the leads nor their cost."""
    return bool(re.search(r"\bgast|\binvest", text)) and not re.search(r"\bleads?\b|\bcpl\b|\bcusto", text)


def cpl_asked(text: str) -> bool:
    """ "qual o cpl", "o custo por lead dela": the CPL asked, not the spend ("quanto gastei e qual o cpl" asks
    the spend first)."""
    return bool(re.search(r"\bcpl\b|custo por lead", text)) and not re.search(r"\bgast|\binvest", text)


# "essa semana vs a passada": the calendar week asked, not the last 7 days
_THIS_WEEK = re.compile(r"\b(essa|esta|nessa|nesta|dessa|desta) semana\b")


def trend_metric_named(text: str) -> str | None:
    """The figure a trend question names first ("tendência de leads" -> "leads"), None if it names none."""
    found = [(m.start(), k) for k, pattern in _TREND_METRICS.items() if (m := re.search(pattern, text))]
    return min(found)[1] if found else None


def trend_asked(text: str) -> tuple[str, str] | None:
    """(the figure, the move) a trend question asks ("o CPL ... está subindo?" -> ("cpl", "up")); None
    when it asks none, or asks why (that is the anomalies' question)."""
    if _WHY.search(text):
        return None
    m = _TREND_ASK.search(text)
    if m:
        metric = next(k for k, pattern in _TREND_METRICS.items() if re.search(pattern, m.group(1)))
        return metric, next(k for k, pattern in _MOVES.items() if re.fullmatch(pattern, m.group(2)))
    # "a campanha 27 está piorando?": no figure named, the CPL (the figure a lead campaign is judged by)
    move = next((k for k, pattern in _MOVES.items() if re.search(rf"\b({pattern})\b", text)), None)
    return ("cpl", move) if move else None


# "os leads caíram essa semana?": the plural moves, read only with "essa semana" (`this_week_change`)
_MOVES_PLURAL = {
    "up": r"subiram|aumentaram|cresceram|dispararam",
    "down": r"cairam|diminuiram|baixaram|despencaram",
    "worse": r"pioraram",
    "better": r"melhoraram",
    "either": r"mudaram|variaram",
}
# the figures `weeks_compared`'s answer has a change of
WEEK_METRICS = ("cpl", "leads", "spend", "ctr", "cpm", "cpc")
# the figures a change asked about "essa semana" may name: the trends' and the CPC (the 7 days have no CPC
# move, so it is read here only)
_WEEK_FIGURES = {**_TREND_METRICS, "cpc": r"\bcpc\b|custo por clique"}
# a move in the singular or the plural ("o CPL subiu", "os leads caíram")
_WEEK_MOVES = {k: f"{_MOVES[k]}|{_MOVES_PLURAL[k]}" for k in _MOVES}
_WEEK_MOVE = re.compile(rf"\b({'|'.join(_WEEK_MOVES.values())})\b")


def _week_change_asked(text: str) -> tuple[str, str] | None:
    """(the figure, the move) of a change asked about the calendar week, asked why or not: the first
    figure named (the CPL when none is: "a campanha 27 piorou essa semana?") and the first move."""
    if not _THIS_WEEK.search(text) or not (m := _WEEK_MOVE.search(text)):
        return None
    move = next(k for k, p in _WEEK_MOVES.items() if re.fullmatch(p, m.group(1)))
    return (figure_named(text) or "cpl", move)


def figure_named(text: str) -> str | None:
    """The figure a normalized text names first ("e o gasto?" -> "spend", "e o CTR?" -> "ctr"): cpl, ctr,
    cpm, cpc, spend or leads; None if it names none."""
    named = [(f.start(), k) for k, p in _WEEK_FIGURES.items() if (f := re.search(p, text))]
    return min(named)[1] if named else None


# "qual delas tá melhor?", "qual das duas tá pior, 46 ou 55?": which of the campaigns compared is better or
# worse, judged by the CPL (a lead campaign's yardstick, as "qual campanha tá indo melhor?" is)
_WHICH_VERDICT = re.compile(r"\b(?:qual|quem)\b.*\b(melhor|pior)\b")


def verdict_asked(text: str) -> str | None:
    """ "better" or "worse" when a normalized comparison asks which campaign is ("qual delas tá melhor?");
    None when it asks none, or names another figure ("qual tem o melhor CTR?": not the CPL's verdict)."""
    m = _WHICH_VERDICT.search(text)
    if m is None or figure_named(text) not in {None, "cpl"}:
        return None
    return "better" if m.group(1) == "melhor" else "worse"


def this_week_change(text: str) -> tuple[str, str] | None:
    """(the figure, the move) of "o CPL subiu essa semana?", "os leads caíram essa semana?", "o CTR caiu
    essa semana?": a change asked about the calendar week (`weeks_compared`), not asked why; None
    otherwise."""
    return None if _WHY.search(text) else _week_change_asked(text)


def period_move_asked(text: str, period_ref: str | None) -> tuple[str, str] | None:
    """(the figure, the move) of "o CPL subiu em outubro?", "por que os leads caíram em novembro?": a move
    asked of a named period other than this week (`weeks_compared`'s) and the whole history, answered
    against the period before it (`previous_period`); None otherwise."""
    if period_ref in {None, ALL_TIME_REF, YEAR_REF} or _THIS_WEEK.search(text):
        return None
    if not (m := _WEEK_MOVE.search(text)):
        return None
    move = next(k for k, p in _WEEK_MOVES.items() if re.fullmatch(p, m.group(1)))
    return (figure_named(text) or "cpl", move)


def why_this_week(text: str) -> tuple[str, str] | None:
    """(the figure, the move) of "por que o CPL subiu essa semana?", "por que os leads caíram essa
    semana?": the move to explain over the calendar weeks; None when no why is asked."""
    return _week_change_asked(text) if _WHY.search(text) else None


# "o que aconteceu ontem?", "o que houve ontem?": what a day brought, asked with no figure
_WHAT_HAPPENED = re.compile(r"\bo que (?:aconteceu|houve|rolou|mudou)\b")
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


def month_end_asked(metric: str | None) -> bool:
    """Whether an intent's metric is "até o fim do mês" ("month_end", or "month_end_leads": leads asked)."""
    return (metric or "").startswith("month_end")


def month_target(text: str) -> float | None:
    """The spend a normalized question wants the month to close at ("fechar em R$ 50 mil" -> 50000)."""
    m = _MONTH_TARGET.search(text)
    if m is None:
        return None
    return parse_number(m.group(1)) * (1000 if m.group(2) else 1)


def weeks_asked(metric: str | None) -> bool:
    """Whether an intent's metric is answered with `weeks_compared` ("calendar_week", "week_cpl_up")."""
    return metric == "calendar_week" or (metric or "").startswith("week_")


# the tiers by their labels, as the product shows them, or the word "tier"/"classificada"
_TIER_ASK = re.compile(
    r"\btiers?\b|\bhigh[_ ]?performers?\b|\bmoderate\b|\blow\b|\bunderperformer\b|\bclassificad[ao]s?\b"
)
# the tier a question names (its label or the answers' pt-BR word), to check the question's premise
_TIER_NAMED = {
    "HIGH_PERFORMER": r"\bhigh[_ ]?performers?\b|\balta performance\b",
    "MODERATE": r"\bmoderate\b|\bmoderad[ao]\b",
    "LOW": r"\blow\b",
    "UNDERPERFORMER": r"\bunderperformer\b|\bcritic[ao]\b",
}
# "o que falta pra virar HIGH_PERFORMER?": the tier named is a goal, not the question's premise
_TIER_GOAL = re.compile(r"\b(virar|vire|chegar|chegue|subir|suba|passar|passe|falta|faltam|ir para|ir pra)\b")
_TIER_FALL = re.compile(r"\b(cai\w*|cair|descend\w*|descer|rebaix\w*|piorar\w*|perder\w*)\b")


def tier_metric(text: str) -> str:
    """ "tier_fall" for "quais campanhas estão caindo de tier?", "tier_is_<TIER>" when a tier is named as
    the premise ("por que a 11 está como MODERATE?"), "tier_to_<TIER>" as a goal ("o que falta pra virar
    HIGH_PERFORMER?"), else "tier"."""
    if _TIER_FALL.search(text):
        return "tier_fall"
    named = next((t for t, p in _TIER_NAMED.items() if re.search(p, text)), None)
    if named is None:
        return "tier"
    return f"tier_to_{named}" if _TIER_GOAL.search(text) else f"tier_is_{named}"


# asks out of the agent's scope, each said apart (`out_of_scope_kind`)
_WEATHER = re.compile(
    r"previsao do tempo|\bclima\b|\bvai chover\b|\bchuv(a|oso|e)\b|\btemperatura\b|\bmeteorolog"
)
_WRITE = re.compile(
    r"\b(cria|crie|criar|monta|monte|montar|sobe|suba|subir|lanca|lance|lancar|duplica|duplique|duplicar"
    r"|edita|edite|editar|exclui|exclua|excluir|apaga|apague|apagar|deleta|delete|deletar|faz|faca|fazer)"
    r"\b( (uma|a|as|essa|esta|minha|nova|novas))*\s+campanhas?\b"
    r"|\b(renomei\w*|troqu?e o nome)\b"
)
_FILES = re.compile(
    r"\bpdf\b|\bexcel\b|\bplanilha|\bcsv\b|\barquivo|\bexport\w*|\bdownload\b|\bbaixar\b"
    r"|\b(manda|mande|envia|envie|enviar|mandar)\b.*\b(relatorio|e-?mail|whatsapp|anexo)"
    r"|\bpor (e-?mail|whatsapp)\b"
)


def out_of_scope_kind(text: str) -> str:
    """Which out-of-scope ask a normalized question is: "weather", "write" or "files"."""
    if _WEATHER.search(text):
        return "weather"
    return "write" if _WRITE.search(text) else "files"


# "gastaram mais de R$ 500", "gastou acima de 1 mil": the campaigns past a spend ("mil"/"k" x1000)
_SPEND_OVER = re.compile(
    r"\bgast\w*\s+(?:mais|acima)\s+(?:de|do que|que)\s*(?:r\$\s*)?(\d[\d.,]*\d|\d)(?![\d.,])\s*(mil\b|k\b)?"
)
_SPEND_MOST = r"\b(gasta|gastam|gastou|gastaram|gastando) mais\b|\bmais gast(o|ou|aram)\b|\bmaior gasto"
# Checked in order: the first intent with a matching pattern wins. Patterns run on accent-free lowercase,
# after the negated mentions are taken out ("não quero previsão" is not a forecast question). The order
# matters: the specific asks (help, data quality, ROI, a whole analysis, compare, list, trend, forecast)
# come before the broad ones; anomalies ("por que o CPL subiu") before recommendations ("devo pausar"),
# the tiers ("mal", "bem") before the plain figures ("qual o CPL"), and the summary ("conta") last.
# An intent may appear twice: "o CTR caiu?" is the CTR's trend (performance), so that row comes before
# the anomalies' "caiu"; "quais estão pausadas?" lists the paused ones before "paus" means "should I pause".
_PATTERNS: tuple[tuple[str, str], ...] = (
    # what the agent cannot do (the weather, create or edit campaigns, send files): said so, then the menu
    ("out_of_scope", _WEATHER.pattern),
    ("out_of_scope", _WRITE.pattern),
    ("out_of_scope", _FILES.pattern),
    ("help", r"\b(ajuda|help|o que (voce|vc) (sabe|faz|pode)|como (te )?uso|comandos)\b"),
    # "tem campanha com problema de rastreamento?", "o pixel parou?", "leads zerados": the zero-lead
    # anomalies (days of spend without a single lead), the detector's tracking breaks
    (
        "tracking",
        r"rastreamento|rastreio|\bpixel|tracking|\btag(ueamento)?\b|leads? zerad|zerou (os )?leads?"
        r"|parou de (gerar|trazer|entrar|chegar) leads?|leads? (pararam|parou) de (entrar|chegar|cair)",
    ),
    (
        "data_quality",
        r"qualidade|sincroniz|descartad|set aside|dados (estao |tao |ta |sao )?atualizad|ultima atualiza"
        r"|problemas? (nos|com os|nos meus|com meus) dados|\berros? (nos|com os) dados"
        r"|dados (estao |tao )?(errados|quebrados|faltando|inconsistentes|incompletos)"
        r"|dados (estao |tao |ta |sao )?(ok|certos|corretos|confiaveis|batendo)\b",
    ),
    # "CPL por público", "qual audiência performa melhor?": the source has no audience breakdown
    (
        "audience",
        r"\bpor (publico|audiencia|segmentacao|idade|genero|faixa etaria)\b|\baudiencias?\b"
        r"|\b(qual|quais|melhor|melhores|pior|piores|que)( o| os)? publicos?\b|\bpublico-alvo\b",
    ),
    # "quanto faturei?", "qual a receita?": no revenue in the source, said as the ROAS is
    ("roi", r"\broi\b|\broas\b|retorno|\blucro|\bfatur\w*|\breceita\b|\bvendas?\b|\bvendi\b"),
    # "por que a campanha 11 está como MODERATE?", "o que falta pra virar HIGH_PERFORMER?", "quais campanhas
    # estão caindo de tier?": the tiers' rule and the model's next week, before "por que" reads as anomalies
    ("tier", _TIER_ASK.pattern),
    # "quanto vou gastar até o fim do mês?": the stored forecasts up to the month's last day
    ("forecast", _MONTH_END.pattern),
    ("forecast", _MONTH_AHEAD.pattern),
    # "qual o melhor dia da semana?": CPL and leads per weekday over the last 4 full weeks
    ("weekday", r"\bdias? da semana\b"),
    # "média de leads por dia", "média diária", "quanto gasto por dia em média": the daily average
    (
        "daily_average",
        r"\bmedia diaria|\bdiaria media|\bmedia\b.*\b(por|ao|/) ?dia\b|\b(por|ao) dia\b.*\bmedia\b",
    ),
    # "qual foi o dia com mais leads?", "dia com maior gasto", "pior dia": one day of the account, ranked
    (
        "best_day",
        r"\b(melhor|pior) dia\b|\bdias? (com|de|que|em que) (teve |tive |tivemos |houve |deu )?(o |a )?"
        r"(mais|menos|maior|menor)\b|\bdias? (que |em que )?(mais|menos) (gastei|gastou|gastamos|gerou"
        r"|veio|vieram|entrou|entraram|converteu|trouxe)\b|\bdia mais (caro|barato)\b"
        r"|\b(qual|que) dia\b(?! da semana).*\b(mais|menos|maior|menor)\b",
    ),
    (
        "analyze",
        r"\banalise (completa|geral|detalhada|em detalhe)"
        r"|\banalis[ae]r? (a|minha|esta|essa) (conta|campanha)",
    ),
    ("cpl_rank", _CPL_LIMIT.pattern),
    # "essa semana comparada com a passada": the calendar week so far against the same weekdays of the
    # last (`weeks_compared`); "últimos 7 dias vs 7 anteriores": the 7 days against the 7 before
    ("trends", r"semana.*\b(compar\w*|versus|vs|contra|x)\b.*semana|\bcompar\w* (essa|esta) semana"),
    ("trends", r"\bultimos 7 dias\b.*\b(compar\w*|versus|vs|contra|x)\b.*\banteriores\b"),
    # "campanha 0 ou campanha 8, qual é melhor?" compares too
    # "qual das duas tá melhor, 46 ou 55?": two campaign numbers weighed against each other
    (
        "compare",
        r"\bcompar|\bversus\b|\bvs\b|\bcampanha \S+ ou (a )?campanha\b|\b(qual|quem) das (duas|tres)\b"
        r"|\b(melhor|pior)\b.*" + _BARE_NUMBER + r" ou (a )?" + _BARE_NUMBER,
    ),
    (
        "list_campaigns",
        r"\blist\w*( as| todas as)?( minhas)? campanhas"
        r"|quais (sao )?(as )?(minhas )?campanhas( que)?( eu)? tenho|todas as (minhas )?campanhas"
        r"|campanhas (que )?(estao |tao |sao )?ativas|quantas campanhas",
    ),
    ("trends", r"tendenc|evolu(cao|iu|indo)"),
    # "qual campanha gasta mais?": the campaigns by spend, which is how the list is sorted
    ("list_campaigns", _SPEND_MOST),
    # the campaign with the highest (or lowest) CPL: a ranking, not the account's CPL
    (
        "cpl_rank",
        r"\b(maior|menor|pior|melhor) (cpl|custo por lead)|(cpl|custo por lead) mais (alto|caro|baixo|barato)"
        r"|campanha mais (cara|barata)",
    ),
    (
        "forecast",
        r"previs|prevsao|prever|preve|proxima semana|semana que vem|proximos (7 )?dias|vai gerar|projec"
        r"|forecast|\bvou ter\b|\bvamos ter\b",
    ),
    # the CTR moved: its trend (7 days vs the 7 before), not the list of anomalies
    (
        "performance",
        r"\b(ctr|cpm)\b.*\b(caiu|cai|caindo|subiu|sobe|subindo|piorou|melhorou|baixou|aumentou)\b",
    ),
    # "qual a frequência média da conta? tá saturando?": the campaigns' 7-day frequency against the alert's
    # threshold, and the open frequency and saturation anomalies
    ("frequency", r"\bfrequencia\b(?! alta)|\bsaturand|\bsaturad|\bsaturacao\b"),
    # "quais campanhas estão em fase de aprendizado?": the source has no learning status; a proxy instead
    ("learning", r"\baprendizado\b|\blearning\b|\baprendendo\b"),
    # "tem campanha estourando o orçamento?": each day's spend against the campaign's daily budget
    (
        "budget",
        r"\bestour\w*|\b(passou|passando|passaram|acima|ultrapass\w*) (d[oa] |o )?(orcamento|budget|verba)\b"
        r"|\bgast\w* mais (do )?que o (orcamento|budget)\b",
    ),
    # "quais campanhas tão pausadas?", "a campanha 60 tá pausada?": a status asked, not an action
    ("paused", r"^(?!.*\b(reativ|vale|devo|deveria|deslig))(?=.*\bpausad)"),
    (
        "anomalies",
        r"anomal|por ?que|\bpq\b|subiu|disparou|pulou|aumentou|caiu|queda|alerta|estranh|cpl (alto|jump)"
        r"|aconteceu|frequencia alta|cade os leads",
    ),
    (
        "recommendations",
        r"recomend|sugest|o que (devo|eu devo|fazer|eu faco|faco)|\bacao|\bacoes|proximos passos"
        r"|paus|orcamento|escal|vale a pena|\bdevo\b|deveria|deslig|\bverba\b",
    ),
    (
        "underperformers",
        r"\bmal\b|pior|piores|ruim|ruins|baixa performance|underperform|problema|perdendo"
        r"|queima|sem (gerar )?leads?\b|gastando sem|zerad|budget alto|poucos leads"
        r"|\bnenhum lead|\b(zero|0) leads?\b|\bgast\w* sem\b",
    ),
    (
        "top",
        r"(?<!tudo )\bbem\b|melhor|melhores|\btop\b|destaque|alta performance|high perform"
        r"|mais (leads|trouxe)|\branking\b.*\bleads?\b|\bleads?\b.*\branking\b",
    ),
    (
        "performance",
        r"\bcpl\b|custo por lead|\bcust(ou|a) cada lead|\bctr\b|\bcpm\b|custo por mil|\bspend\b"
        r"|\bcpc\b|custo por clique|\btaxa de conversao\b|\bconversao (da conta|media|geral)\b"
        r"|quanto (eu )?(gastei|gastamos|investi|investimos|gasto)|\bgastei\b|\bgasto\b"
        r"|\b(quanto|qnto|qto|qnt) (custou|custa|custaram)|\bcusto do lead"
        r"|(quantos|qnts|qtos|qts) leads|leads (eu )?(tive|tivemos|gerei|geramos|gerou|entraram)",
    ),
    (
        "summary",
        r"resumo|visao geral|como (esta|vai) a conta|panorama|overview|conta|tudo (certo|bem|ok)|relatorio"
        r"|\baccount\b",
    ),
)
# "não quero previsão", "não preciso de recomendações": the thing negated is not what is asked
_NEGATED = re.compile(r"\bnao (quero|preciso|e|pedi|perguntei)( de| sobre)?( uma| um| a| o| as| os)? \w+")
# intents that keep a campaign named in the question; any other becomes that campaign's details
CAMPAIGN_INTENTS = {
    "out_of_scope",
    "tier",
    "forecast",
    "paused",
    "help",
    "data_quality",
    "roi",
    "recommendations",
    "trends",
    "analyze",
    "compare",
    "decisions",
}
_CAMPAIGN_ID = re.compile(r"\b\d{6,30}\b")
# "conta 2", "config_id=2", "cliente #2": an account named in the question
_ACCOUNT_REF = re.compile(r"""\b(?:conta|config_?id|cliente|account)["']?\s*[=:#nº°o.]*\s*(\d{1,9})\b""")
# pt-BR first: dots in groups of three are thousands ("1.500", "1.234.567,89"), the comma is the decimal
# ("1,5"); "1,234.56" (both, dot last) and a lone "1.5" are read the English way.
_NUMBER = re.compile(r"\d{1,3}(?:\.\d{3})+(?!\d)(?:,\d+)?|\d{1,3}(?:,\d{3})+\.\d+|\d+(?:[.,]\d+)?")
_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")
# "ontem", "hoje" ("hj", as buyers type it), "anteontem", "amanha", "26/11", "26/11/2026", "sexta" (not
# "quarta campanha")
_DAY_REF = re.compile(
    r"\b(anteontem|ontem|hoje|hj|amanha)\b|\b(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?\b"
    r"|\b(segunda|terca|quarta|quinta|sexta|sabado|domingo)(?:[- ]feira)?\b(?!\s+campanha)"
    r"|(?<!campanha )\b(black friday)\b"  # the day after the 4th Thursday of November
    r"|\bdia (\d{1,2})\b(?![/\d])"  # "dia 15": the latest day 15 up to today
)
WEEKDAYS = ("segunda", "terca", "quarta", "quinta", "sexta", "sabado", "domingo")  # Monday first
MONTHS = (
    "janeiro",
    "fevereiro",
    "marco",
    "abril",
    "maio",
    "junho",
    "julho",
    "agosto",
    "setembro",
    "outubro",
    "novembro",
    "dezembro",
)
# a period other than the tools' 7 days: this month, last month, a month's name (and year), the last N
# days, last calendar week, this calendar week ("essa semana")
_DATE = r"\d{1,2}/\d{1,2}(?:/\d{2,4})?"
_PERIOD_REF = re.compile(
    r"\b(mes passado|ultimo mes)\b|\b(?:esse|este|neste|nesse|desse|deste|do|no|o) mes\b(?! passado| que vem)"
    r"|\bultimos (\d{1,3}) dias\b|\blast (\d{1,3}) days\b|\b(semana passada)\b"
    rf"|\b({'|'.join(MONTHS)})\b(?:\s+(?:de\s+)?(\d{{4}}))?"
    rf"|\b(?:de|do dia|entre)\s+({_DATE})\s+(?:a|ate|e|ao dia)\s+({_DATE})\b"
    rf"|({_THIS_WEEK.pattern})"
    r"|\b(fim de semana|final de semana)\b"
    # "desde segunda", "desde o dia 15", "desde 10/11": from that day up to the last complete day
    r"|\bdesde (?:(?:a|o)\s+)?(ontem|anteontem|(?:segunda|terca|quarta|quinta|sexta)(?:[- ]feira)?|sabado"
    rf"|domingo|dia \d{{1,2}}|{_DATE})\b"
)
# "qual o gasto total desde o início?", "quanto gastei no total?": from the first day of data, when no other
# period or day is asked
_ALL_TIME = re.compile(
    r"\bdesde o (inicio|comeco)\b|\bdesde sempre\b|\b(no|em) total\b|\btotal (geral|acumulado)\b"
    r"|\btodo o (periodo|historico)\b|\bhistorico (todo|inteiro|completo)\b"
)
# "vale reativar a 31?", "devo religar a campanha 31?": a paused campaign's figures while it ran; a number
# alone after the verb is a campaign's number
_REACTIVATE = re.compile(r"\breativ\w*|\breligar\b|\bdespausar\b|\bvoltar a rodar\b")
_REACTIVATE_NUMBER = re.compile(
    r"\b((?:reativ\w*|religar|despausar)\s+(?:a|o)\s+)(\d{1,6})(?![/\d.,%])", re.IGNORECASE
)
# "semana passada vs retrasada": the calendar week before last (not in `_PERIOD_REF`: asked only compared)
_WEEK_BEFORE_LAST = re.compile(r"\b(?:semana )?retrasada\b")
WEEK_BEFORE_LAST_REF = "semana retrasada"
# two periods weighed against each other: "compara", "vs", "x", "contra", "com"
_PERIODS_VERSUS = re.compile(r"\bcompar\w*|\b(?:vs|versus|x|contra|com)\b")
ALL_TIME_REF = "desde o inicio"
# "quanto gastei no ano?", "leads em 2026": the calendar year of the last complete day, so far
_THIS_YEAR = re.compile(r"\b(?:no|esse|este|neste|nesse|deste|desse|do) ano\b(?! passado| que vem)")
YEAR_REF = "esse ano"
# "top 3", "as 5 melhores": how many a ranking lists
_TOP_N = re.compile(r"\btop ?(\d{1,2})\b|\b(\d{1,2}) (?:melhores|piores|maiores|menores|primeir[ao]s)\b")
ALL_TIME_LABEL = "desde o início dos dados"
# the campaign name asked: the words after "campanha", up to punctuation or a word that ends the name
_NAME_AFTER = re.compile(r"\bcampanha\s+([^?!,;:]+)")
_MAX_NAME_WORDS = 8
_NAMES_AFTER = re.compile(r"\bcampanhas?\s+([^?!;:]+)")
_NAME_ENDS = frozenset(
    re.findall(
        r"\w+",
        "esta estao ta anda andou vai vao teve tem tinha foi deu e devo deve deveria precisa pode com na no "
        "nos nas para pra ontem hoje semana mes agora ou que tambem em nesta nessa desta dessa neste nesse "
        "ate se performou performando gerou gastou hj",
    )
)
_ARTICLES = frozenset({"a", "o", "de", "da", "do"})  # before a name: "a campanha do Natal"
# words that name no campaign on their own ("a campanha de leads" is not a name)
_GENERIC = frozenset(
    re.findall(r"\w+", "a o as os de da do dos das lead leads anuncio anuncios conta publico trafego")
)


def parse_number(token: str) -> float:
    """A number as a pt-BR user writes it (see _NUMBER): "1.500,00" -> 1500.0, "1,5" -> 1.5."""
    if "," in token and "." in token:
        pt = token.rfind(",") > token.rfind(".")
        return float(token.replace(".", "").replace(",", ".") if pt else token.replace(",", ""))
    if _THOUSANDS.fullmatch(token):
        return float(token.replace(".", ""))
    return float(token.replace(",", "."))


def numbers_in(text: str) -> list[float]:
    return [parse_number(m) for m in _NUMBER.findall(text)]


# a year-less day up to this far ahead is this year's ("30/11" asked on 29/11 is tomorrow, not last year)
FUTURE_DAYS = 31


def black_friday(year: int) -> dt.date:
    """The Friday after the 4th Thursday of November (Thanksgiving): 2026-11-27."""
    first = dt.date(year, 11, 1)
    thursday = first + dt.timedelta(days=(3 - first.weekday()) % 7 + 21)
    return thursday + dt.timedelta(days=1)


def resolve_day(ref: str | None, today: dt.date) -> dt.date | None:
    """The day a question names ("ontem", "26/11"), `today` being the account's today; None if none."""
    m = _DAY_REF.search(ref or "")
    if not m:
        return None
    if m.group(1):
        return today - dt.timedelta(
            days={"amanha": -1, "hoje": 0, "hj": 0, "ontem": 1, "anteontem": 2}[m.group(1)]
        )
    if m.group(6):  # Black Friday: this year's, unless it is more than FUTURE_DAYS ahead
        found = black_friday(today.year)
        return found if found <= today + dt.timedelta(days=FUTURE_DAYS) else black_friday(today.year - 1)
    if m.group(7):  # "dia 15": this month's when it has come, else last month's
        n, month_start = int(m.group(7)), today.replace(day=1)
        month = month_start if n <= today.day else (month_start - dt.timedelta(days=1)).replace(day=1)
        try:
            return month.replace(day=n)
        except ValueError:
            return None
    if m.group(5):  # a weekday: the last such day before today ("sexta" asked on a Friday: a week ago)
        back = (today.weekday() - WEEKDAYS.index(m.group(5))) % 7 or 7
        return today - dt.timedelta(days=back)
    day, month, year = int(m.group(2)), int(m.group(3)), m.group(4)
    y = int(year) + (2000 if year and len(year) == 2 else 0) if year else today.year
    try:
        found = dt.date(y, month, day)
    except ValueError:
        return None
    if not year and found > today + dt.timedelta(days=FUTURE_DAYS):  # "26/12" asked in January: last year's
        found = found.replace(year=y - 1)
    return found


def _name_phrase(raw: str) -> str | None:
    """The name part of the words after "campanha": cut at the first word that ends a name."""
    words = []
    for w in raw.split():
        if w in _NAME_ENDS:
            break
        words.append(w)
    while words and words[0] in _ARTICLES:
        words.pop(0)
    if not words or all(w in _GENERIC for w in words):
        return None
    return " ".join(words)


def _name_words(text: str) -> tuple[str, ...]:
    """Every word after "campanha" up to punctuation, leading articles dropped: the name is some prefix
    of them ("8 essa semana" -> "8"), found against the account's names in `resolve_name`."""
    m = _NAME_AFTER.search(text)
    # a name may hold a dot ("v2.0"), a sentence's last one is no part of it ("não, a Campanha 15.")
    words = m.group(1).rstrip(". ").split()[:_MAX_NAME_WORDS] if m else []
    while words and words[0] in _ARTICLES:
        words.pop(0)
    return tuple(words)


def names_asked(text: str, compare: bool = False) -> tuple[str, ...]:
    """Campaign names a normalized question asks about: one (all the words after "campanha", to be cut
    against the account's names), or several to compare ("3 e 4")."""
    if not compare:
        words = _name_words(text)
        if not words or all(w in _GENERIC or w in _NAME_ENDS for w in words):
            return ()
        return (" ".join(words),)
    m = _NAMES_AFTER.search(text)
    if not m:  # "compara a 20 com a 25", "46 ou 55": the numbers alone are the campaigns' numbers
        return tuple(dict.fromkeys(re.findall(_BARE_NUMBER, _DAY_REF.sub(" ", text))))
    parts = re.split(r",|\s(?:e|com|x|vs|versus|ou)\s", m.group(1))
    cleaned = (re.sub(r"^(?:(?:a|o|as|os|da|do)\s+)?(?:campanhas?\s+)?", "", p.strip()) for p in parts)
    return tuple(p for p in (_name_phrase(c) for c in cleaned) if p)


# The original question's first word after "campanha" (accents kept out, case kept): a capital, a digit or
# a quote marks a name ("campanha Black Friday"); "campanha sem lead gastando" names nothing.
_NAME_START = re.compile(r"""\b[Cc]ampanha\s+(?:(?:a|o|de|da|do)\s+)?(["'“‘«]|[A-Z0-9])""")


def looks_like_name(message: str) -> bool:
    """Whether the words after "campanha" look like a name the user meant (capitalised, a number or
    quoted); an all-caps question says nothing by its case."""
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", message) if not unicodedata.combining(ch))
    if plain.upper() == plain:
        return bool(re.search(r"\bCAMPANHA\s+(?:(?:A|O|DE|DA|DO)\s+)?([\"'“‘«]|[0-9])", plain))
    return bool(_NAME_START.search(plain))


_FIRST_NUMBER = re.compile(r"\d+")


def _numbered(number: str, names: dict[str, str]) -> list[str]:
    """Ids whose name's first number is this one ("Natal 2026" for "campanha 2026", "Lead SP 03" for
    "campanha 3"): "campanha 4" is never "Campanha 32 - Público 4", whose number is 32."""
    return sorted(
        cid
        for cid, name in names.items()
        if (m := _FIRST_NUMBER.search(name or "")) and int(m.group(0)) == int(number)
    )


def match_campaigns(phrase: str, names: dict[str, str]) -> list[str]:
    """Ids whose name holds the phrase as whole words (accents and case ignored); "campanha 3" is tried
    first, so "3" finds "Campanha 3 - Público 3" and not "Campanha 30". A number alone is the campaign's
    number, never a "Público 3" in another campaign's name (`_numbered`)."""
    if phrase.isdigit():
        hits = match_campaigns(f"campanha {phrase}", names) if names else []
        return hits or _numbered(phrase, names)
    for candidate in (f"campanha {phrase}", phrase):
        pattern = re.compile(rf"(?<!\w){re.escape(candidate)}(?!\w)")
        hits = sorted(cid for cid, name in names.items() if pattern.search(normalize(name or "")))
        if hits:
            return hits
    return []


def _prefixes(phrase: str) -> list[str]:
    """The prefixes of a phrase to try as a name, longest first; a number right after "campanha" alone
    first ("8 essa semana" is Campanha 8). Prefixes of only generic or stop words name nothing."""
    words = phrase.split()
    tried = [words[0]] if words and words[0].isdigit() else []
    tried += [" ".join(words[:n]) for n in range(len(words), 0, -1)]
    named = (p for p in tried if not all(w in _GENERIC or w in _NAME_ENDS for w in p.split()))
    return list(dict.fromkeys(named))


def resolve_name(phrase: str, names: dict[str, str]) -> tuple[str, list[str]]:
    """(the prefix that matched, the ids it matched) for the words after "campanha"; ("", []) if none."""
    for prefix in _prefixes(phrase):
        hits = match_campaigns(prefix, names)
        if hits:
            return prefix, hits
    return "", []


@dataclass(frozen=True)
class Intent:
    name: str
    campaign_id: str | None = None  # a campaign id named in the question (maybe not this account's)
    value_per_lead: float | None = None
    accounts_named: tuple[int, ...] = ()  # account numbers the question names
    names: tuple[str, ...] = ()  # campaign names asked (normalized words), resolved against the account
    day_ref: str | None = None  # "ontem", "26/11"...: resolved with the account's today
    campaign_ids: tuple[str, ...] = ()  # campaigns to compare
    matches: tuple[str, ...] = ()  # campaigns a name matched when it matched several
    match_names: tuple[str, ...] = ()  # their names, to list them
    period_ref: str | None = None  # "esse mes", "ultimos 30 dias": a period other than the 7 days
    # what the question weighs: "ctr", "spend" (most spent), "active" (active ones), "cut" (pause or cut),
    # else "cpl_high"/"cpl_low" for the CPL ranking
    metric: str | None = None
    threshold: float | None = None  # "CPL acima de R$ 50": the CPL asked (metric "cpl_above"/"cpl_below")
    keyword: str | None = None  # the keywords' intent, kept when the words after "campanha" name nothing
    name_like: bool = False  # those words look like a name (capitalised, a number, quoted)
    # "semana passada vs retrasada", "outubro vs novembro": the two periods compared (metric "periods")
    period_refs: tuple[str, ...] = ()
    # "qual conjunto de anúncios...?", "qual criativo...?": a level below the campaign, which the source lacks
    below_campaign: bool = False
    # "ontem e anteontem": every day named, in order, when more than one is (day_ref is the first)
    day_refs: tuple[str, ...] = ()
    # the shape of answer asked beyond the intent: "why_advice" ("por que você recomenda reduzir a 11?"),
    # "how_much" ("quanto devo aumentar?"), "urgent", "critical", "anomaly_type", "target" (leads against
    # a number: threshold), "worst_case", "cpl_next" ("o CPL vai subir?")
    ask: str | None = None
    # "top 3 por leads no mês": how many campaigns a ranking lists (None: the answer's usual 5)
    limit: int | None = None


def invalid_day(ref: str | None, today: dt.date) -> bool:
    """Whether a day written as numbers is no date ("29/02" in a non-leap year, "31/04", "12/13"), read
    as `resolve_day` reads it: said so, rather than silently answering the week."""
    m = _DAY_REF.search(ref or "")
    return bool(m and (m.group(2) or m.group(7))) and resolve_day(ref, today) is None


@dataclass(frozen=True)
class Period:
    """A period asked, as the calendar names it: `last` may be after the data (a month not over yet)."""

    first: dt.date
    last: dt.date
    label: str  # "outubro de 2026", "semana passada, de segunda a domingo", "últimos 30 dias"
    note: str = ""  # said before the answer: why this period ("essa semana" asked on a Monday)


WEEKDAYS_SHORT = ("seg", "ter", "qua", "qui", "sex", "sáb", "dom")
WEEKDAYS_NAMED = ("segunda", "terça", "quarta", "quinta", "sexta", "sábado", "domingo")


def _this_monday(through: dt.date) -> dt.date:
    """The Monday of today's week, today being the day after `through` (`through` < it on a Monday)."""
    today = through + dt.timedelta(days=1)
    return today - dt.timedelta(days=today.weekday())


def this_week(through: dt.date) -> Period:
    """ "Essa semana" alone: the calendar week, Monday up to the last complete day (not the last 7 days).
    On a Monday this week has no complete day yet: last week, Monday to Sunday, and the note says so."""
    today, monday = through + dt.timedelta(days=1), _this_monday(through)
    if through < monday:  # today is Monday
        note = (
            f"Hoje ({today:%d/%m/%Y}) é segunda: esta semana ainda não tem dia completo, então respondo com "
            "a semana passada, de segunda a domingo."
        )
        return Period(monday - dt.timedelta(days=7), through, "semana passada, de segunda a domingo", note)
    days = "só segunda" if through == monday else f"de segunda a {WEEKDAYS_NAMED[through.weekday()]}"
    return Period(monday, through, f"esta semana, {days}")


def this_week_asked(ref: str | None, through: dt.date) -> Period | None:
    """The calendar week `this_week` reads when the question's period is "essa semana", else None."""
    m = _PERIOD_REF.search(ref or "")
    return this_week(through) if m and m.group(9) else None


@dataclass(frozen=True)
class WeeksCompared:
    """ "Essa semana vs semana passada": the days of this calendar week up to the last complete day
    against the same weekdays of the week before (the week is not over: a whole week against part of
    one would not be fair). On a Monday this week has no complete day yet: last week, Monday to Sunday,
    against the week before it, and `no_day_yet` says so."""

    now: Period
    before: Period
    days: str  # "seg a sex", "seg", "seg a dom"
    no_day_yet: bool


def weeks_compared(through: dt.date) -> WeeksCompared:
    monday = _this_monday(through)
    week = dt.timedelta(days=7)
    if through < monday:  # today is Monday
        now = Period(monday - week, through, "semana passada")
        before = Period(monday - 2 * week, through - week, "semana retrasada")
    else:
        now = Period(monday, through, "esta semana")
        before = Period(monday - week, through - week, "semana passada")
    first, last = WEEKDAYS_SHORT[now.first.weekday()], WEEKDAYS_SHORT[now.last.weekday()]
    return WeeksCompared(now, before, first if first == last else f"{first} a {last}", through < monday)


def percent_named(text: str) -> float | None:
    """The percentage a normalized text names ("e se for 50%?" -> 50.0), None when it names none."""
    m = _PCT.search(text)
    return parse_number(m.group(1)) if m else None


# the rates "e o ctr?" may ask of two periods just compared (metric "periods_ctr"/"periods_cpm")
PERIODS_RATES = ("ctr", "cpm", "cpc")


def periods_asked(metric: str | None) -> bool:
    """Whether the metric compares two periods ("periods", or with a rate asked after: "periods_ctr", or
    a verdict asked: "periods_worse" / "periods_better")."""
    return metric in {"periods", *PERIODS_VERDICTS} or periods_rate(metric) is not None


# "a conta tá pior que mês passado?": this month so far against last month, the verdict first (by the CPL)
PERIODS_VERDICTS = ("periods_worse", "periods_better")
_VS_LAST_MONTH = re.compile(
    r"\b(pior|melhor)\w*\s+(?:do\s+)?(?:que|q)\s+(?:o\s+|no\s+|em\s+)?(?:mes passado|ultimo mes)\b"
)


def periods_rate(metric: str | None) -> str | None:
    """The rate asked of two periods compared ("periods_ctr" -> "ctr"), else None."""
    kind, _, rate = (metric or "").partition("_")
    return rate if kind == "periods" and rate in PERIODS_RATES else None


def periods_compared(text: str) -> tuple[str, str] | None:
    """The two periods a normalized question compares ("semana passada vs retrasada" -> ("semana passada",
    "semana retrasada")), in the order asked; None unless two different periods and a comparison word are
    there. This week against last is `weeks_compared`'s (the same weekdays on both sides), not this."""
    found = [(m.start(), m.group(0)) for m in _PERIOD_REF.finditer(text)]
    found += [(m.start(), WEEK_BEFORE_LAST_REF) for m in _WEEK_BEFORE_LAST.finditer(text)]
    refs = list(dict.fromkeys(ref for _, ref in sorted(found)))
    if len(refs) != 2 or not _PERIODS_VERSUS.search(text) or any(_THIS_WEEK.search(r) for r in refs):
        return None
    return refs[0], refs[1]


def _without_periods(text: str) -> str:
    """A normalized text with the periods it names taken out ("campanha 3 e 5 semana passada vs retrasada"
    -> "campanha 3 e 5 vs"), so that their words and numbers are not read as campaigns' names."""
    return _WEEK_BEFORE_LAST.sub(" ", _PERIOD_REF.sub(" ", text))


def _month(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, month, 1)
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def resolve_period(ref: str | None, through: dt.date) -> Period | None:
    """The period a question names, `through` being the last complete day: this month, last month, a
    month's name (the latest one already begun; "outubro de 2025" as written), the last N days, last
    week as the calendar week before the current one (Monday to Sunday, the way people say it), or this
    week as `this_week` reads it."""
    if ref == ALL_TIME_REF:  # from the first day of data: the caller clips to the days the source covers
        return Period(dt.date(1900, 1, 1), through, ALL_TIME_LABEL)
    if ref == YEAR_REF:  # the year so far: the caller clips to the days the source covers
        return Period(dt.date(through.year, 1, 1), dt.date(through.year, 12, 31), f"o ano de {through.year}")
    if ref == WEEK_BEFORE_LAST_REF:  # the calendar week before last week, Monday to Sunday
        monday = _this_monday(through) - dt.timedelta(days=14)
        return Period(monday, monday + dt.timedelta(days=6), "semana retrasada, de segunda a domingo")
    m = _PERIOD_REF.search(ref or "")
    if not m:
        return None
    today = through + dt.timedelta(days=1)
    if m.group(9):  # "essa semana": the calendar week so far
        return this_week(through)
    if m.group(11):  # "fim de semana" (group 10 is inside "essa semana"): the last Saturday and Sunday
        sunday = through - dt.timedelta(days=(through.weekday() - 6) % 7)
        return Period(sunday - dt.timedelta(days=1), sunday, "fim de semana, sábado e domingo")
    if m.group(7):  # "de 01/11 a 15/11": the days between, both included
        first, last = resolve_day(m.group(7), today), resolve_day(m.group(8), today)
        if first is None or last is None or last < first:
            return None
        return Period(first, last, "o período pedido")
    if m.group(12):  # "desde segunda": that day (the last one before today) up to the last complete day
        first = resolve_day(m.group(12), today)
        if first is None or first > through:
            return None
        return Period(first, through, f"o período desde {m.group(12)}")
    if m.group(2) or m.group(3):
        n = max(int(m.group(2) or m.group(3)), 1)
        return Period(through - dt.timedelta(days=n - 1), through, f"últimos {n} dias")
    if m.group(4):
        monday = today - dt.timedelta(days=today.weekday() + 7)
        return Period(monday, monday + dt.timedelta(days=6), "semana passada, de segunda a domingo")
    if m.group(1):
        first, _ = _month(through.year, through.month)
        year, month = (first - dt.timedelta(days=1)).year, (first - dt.timedelta(days=1)).month
    elif m.group(5):
        month = MONTHS.index(m.group(5)) + 1
        year = int(m.group(6)) if m.group(6) else through.year - (month > through.month)
    else:  # "esse mes", "resumo do mes": the month of the last complete day
        year, month = through.year, through.month
    first, last = _month(year, month)
    return Period(first, last, f"{MONTHS[month - 1].replace('marco', 'março')} de {year}")


def previous_period(asked: Period, first: dt.date, last: dt.date) -> tuple[Period, Period]:
    """(the period asked as covered, first..last; the one it is compared with): a whole month against the
    whole month before; a month not over yet against the same days of the month before; any other span
    (last week, the last N days) against as many days right before it."""
    month_first, month_last = _month(asked.first.year, asked.first.month)
    if asked.first == month_first and asked.last == month_last and first == month_first:
        prev_first, prev_last = _month(
            (first - dt.timedelta(days=1)).year, (first - dt.timedelta(days=1)).month
        )
        name = f"{MONTHS[prev_first.month - 1].replace('marco', 'março')} de {prev_first.year}"
        if last == month_last:
            return asked, Period(prev_first, prev_last, name)
        end = min(prev_first + (last - first), prev_last)
        now = Period(first, last, f"{asked.label} até {last:%d/%m}")
        return now, Period(prev_first, end, f"os mesmos dias de {name}")
    days = (last - first).days + 1
    before = Period(
        first - dt.timedelta(days=days), first - dt.timedelta(days=1), f"os {days} dias anteriores"
    )
    if asked.label.startswith("semana passada"):
        before = replace(before, label="semana retrasada, de segunda a domingo")
    return Period(first, last, asked.label), before


# cutting losses: pause, cut, switch off, reduce
_CUT = re.compile(r"\b(paus|cort|deslig|desativ|reduz|parar\b)")
# scaling: "posso aumentar o orçamento?", "qual campanha devo escalar?"; the % asked, if any
_SCALE = re.compile(r"\bescal\w*|\b(aument|sub|dobr)\w*\b.*\b(orcamento|verba|budget|investimento)\b")
_PCT = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:%|por cento)")
# "tá bom o CPL da campanha 11?": a judgement of the CPL asked, answered yes or no
_CPL_JUDGE = re.compile(
    r"\b(ta|esta|e|tao)\s+(bom|boa|ok|alto|caro|ruim|razoavel|aceitavel|saudavel)\b.*\b(cpl|custo por lead)\b"
    r"|\b(cpl|custo por lead)\b.*\b(bom|ok|alto|caro|ruim|razoavel|aceitavel|saudavel)\b"
)


# "o cpm tá caro?", "meu ctr tá bom?", "a conversão tá boa?": the account's rate against its own weeks
_RATE_WORDS = r"(bom|boa|ok|alt[oa]|car[oa]|barat[oa]|ruim|baix[oa]|razoavel|aceitavel|saudavel)"
_RATE_JUDGE = re.compile(
    rf"\b(cpm|ctr|conversao)\b.*\b(ta|esta|e|tao)\s+{_RATE_WORDS}\b"
    rf"|\b(ta|esta|e|tao)\s+{_RATE_WORDS}\b.*\b(cpm|ctr|conversao)\b"
)
_RATE_OF = {"cpm": "cpm", "ctr": "ctr", "conversao": "cvr"}
_HIGH_GOOD = {"cpm": False, "ctr": True, "cvr": True}  # which way a rate is better


def rate_judged(metric: str | None) -> tuple[str, bool] | None:
    """ "judge_cpm_bad" -> ("cpm", True): the rate judged, and whether the question asks if it is bad."""
    if not (metric or "").startswith("judge_"):
        return None
    parts = (metric or "").split("_")
    return parts[1], parts[-1] == "bad"


def _rate_judge_metric(asked: str) -> str | None:
    found = _RATE_JUDGE.search(asked)
    if found is None:
        return None
    rate = _RATE_OF[found.group(1) or found.group(6)]
    word = (found.group(3) or found.group(5))[:4]
    # "tá caro?" of the CPM and "tá baixo?" of the CTR ask if it is bad: their "Sim" is the bad news
    bad_words = {"caro", "cara", "ruim"} | ({"alto", "alta"} if not _HIGH_GOOD[rate] else {"baix"})
    return f"judge_{rate}_bad" if word in bad_words else f"judge_{rate}"


def _metric(text: str) -> str | None:
    if re.search(r"\bativas\b", text):
        return "active"  # "quais campanhas estão ativas?": the list, active ones only
    if re.search(r"\bctr\b", text):
        return "ctr"
    if re.search(r"\bcpm\b|custo por mil", text):
        return "cpm"
    if re.search(r"\bcpc\b|custo por clique", text):
        return "cpc"
    if re.search(r"\btaxa de conversao\b|\bconversao (da conta|media|geral)\b", text):
        return "cvr"  # "qual a taxa de conversão?": leads per click
    if re.search(_SPEND_MOST, text):
        return "spend"
    if re.search(r"\b(menor|melhor) (cpl|custo)|(cpl|custo por lead) mais (baixo|barato)", text):
        return "cpl_low"
    return "cpl_high"


def _day_metric(text: str) -> str:
    """ "dia com mais leads" -> "leads", "menos leads" -> "leads_low", "maior gasto" -> "spend", "menor
    gasto" -> "spend_low", "pior dia"/"maior CPL"/"mais caro" -> "cpl_high", else ("melhor dia") "cpl_low"."""
    fewer = re.search(r"\b(menos|menor)\b", text)
    if re.search(r"\bcpl\b|custo por lead|\bcar[oa]\b|\bbarat[oa]\b", text):
        return "cpl_low" if fewer or re.search(r"\bbarat[oa]\b", text) else "cpl_high"
    if re.search(r"\bgast|\binvest|\bspend\b", text):
        return "spend_low" if fewer else "spend"
    if re.search(r"\blead|\bconvers|convert|\bveio\b|\bvieram\b|\bentr", text):
        return "leads_low" if fewer else "leads"
    return "cpl_high" if re.search(r"\bpior\b", text) else "cpl_low"


def _one_edit(a: str, b: str) -> bool:
    """Whether a and b differ by exactly one edit: a letter added, dropped, changed, or two swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        i = diff[0]
        return len(diff) == 2 and diff[1] == i + 1 and a[i] == b[i + 1] and a[i + 1] == b[i]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


_WORD = re.compile(r"\w+")


def fix_campaign_typos(message: str) -> str:
    """ "campanhaa 3", "campnha 3", "cmapanha 3": a word one edit away from "campanha(s)" read as it (the
    case of its first letter kept), so the campaign it names is not silently dropped."""

    def fix(m: re.Match[str]) -> str:
        word = m.group(0)
        low = normalize(word)
        if len(low) < 7 or low in {"campanha", "campanhas", "campainha"}:  # a doorbell is no typo
            return word
        for target in ("campanha", "campanhas"):
            if _one_edit(low, target):
                return target.capitalize() if word[0].isupper() else target
        return word

    return _WORD.sub(fix, message)


def accounts_named(text: str) -> tuple[int, ...]:
    return tuple(sorted({int(m) for m in _ACCOUNT_REF.findall(text)}))


# the intents a change asked about "essa semana" turns from ("o CPL subiu" reads as anomalies, "os leads
# caíram" as performance); the specific ones (recommendations, forecast, compare...) stay
_WHICH = re.compile(r"\b(qual|quais)\b")
_WEEK_CHANGE_FROM = {None, "trends", "performance", "anomalies", "underperformers", "top", "summary"}


def keyword_intent(text: str) -> str | None:
    """The intent the keywords of a normalized question name (the first row of `_PATTERNS` that matches,
    its negated mentions taken out), before a day or a campaign decides; None when no keyword does."""
    asked = _NEGATED.sub(" ", text)
    return next((n for n, pattern in _PATTERNS if re.search(pattern, asked)), None)


def _periods_intent(
    cid: str | None,
    names: tuple[str, ...],
    periods: tuple[str, str],
    named: tuple[int, ...],
    like: bool,
) -> Intent:
    """Two periods compared: the account's ("performance"), or one campaign's when one is named (its
    details, led with its two periods; the name's words cut against the account's names as any)."""
    return Intent(
        "campaign_details" if cid or names else "performance",
        cid,
        None,
        named,
        names,
        None,
        period_ref=periods[0],
        metric="periods",
        keyword="performance",
        period_refs=periods,
        name_like=like,
    )


# an ad set, an ad or a creative asked: the source has campaigns by day only ("conta de anúncios" is the
# account, not an ad)
_BELOW_CAMPAIGN = re.compile(
    r"\bconjuntos?( de anuncios?)?\b|\bad ?sets?\b|\bcriativ\w*|\b(qual|quais) anuncios?\b"
    r"|\b(melhor|melhores|pior|piores) anuncios?\b"
    r"|\banuncios? (que|com|de) (mais|menos|melhor|pior|maior|menor)\b"
)


# the asks a question's shape adds to its intent (`_asked`)
_ADVICE = re.compile(r"\brecomend\w*|\bsuger\w*|\bsugest\w*")
_URGENT = re.compile(r"\burgen\w*|\bprioritari\w*|\bmais importante\b|\bprimeir[oa]\b|\bmaior prioridade\b")
_CRITICAL = re.compile(
    r"\b(problemas?|alertas?|anomalias?|erros?|algo|nada|coisa)( \w+)? critic\w*|\bseveridade critic"
)
_ALERT = re.compile(r"\balertas?\b|\banomalias?\b")
# the anomaly types as the answers name them (answers_anomalies.TYPE_PT), accent-free
ANOMALY_TYPE_ASKED = {
    "gasto zerado": "ZERO_SPEND",
    "impressoes zeradas": "ZERO_IMPRESSIONS",
    "alta de gasto": "SPEND_SPIKE",
    "queda de gasto": "SPEND_DROP",
    "alta do cpl": "CPL_SPIKE",
    "queda do cpl": "CPL_DROP",
    "alta do ctr": "CTR_SPIKE",
    "queda do ctr": "CTR_DROP",
    "queda de leads": "PERFORMANCE_DROP",
    "alta de leads": "PERFORMANCE_SPIKE",
    "frequencia alta": "FREQUENCY_ALERT",
    "saturacao de alcance": "REACH_SATURATION",
}
# "passar de 100 leads", "bater 150 leads": a number of leads to reach ("mil"/"k" x1000)
_LEADS_GOAL = re.compile(
    r"\b(?:passar|bater|chegar|atingir|superar|ultrapassar|fazer|mais)\s+(?:de|a|em|os|as|dos|das|que)?\s*"
    r"(\d[\d.,]*\d|\d)(?![\d.,])\s*(mil\b|k\b)?\s*leads?\b"
)
_FUTURE = re.compile(
    r"\bchances?\b|\bprobabilidade\b|\b(vai|vou|vamos|consigo|conseguimos|consegue|deve|devo)\b|\bda pra\b"
)
_WORST_CASE = re.compile(r"\bpior (caso|cenario|hipotese)\b|\bno minimo\b|\bpessimist\w*")
_CPL_NEXT = re.compile(
    r"(\bcpl\b|custo por lead).*\b(vai|deve|tende a|pode)\s+(subir|cair|aumentar|diminuir|baixar|piorar"
    r"|melhorar|mudar)\b"
)


def _asked(asked: str, matched: str | None, metric: str | None) -> tuple[str | None, dict[str, object]]:
    """The intent and the fields (ask, metric, threshold) a question's shape asks beyond its keywords:
    "por que você recomenda X?" is that advice, not the CPL's factors; "qual a mais urgente?" one advice;
    "quanto devo aumentar?" the step in money; "problema crítico" the CRITICAL anomalies; "o alerta de
    gasto zerado" that type; "passar de 100 leads" a verdict from the forecast; "no pior caso" its low end;
    "o CPL vai subir?" the forecast's CPL."""
    if matched == "anomalies" and _ADVICE.search(asked) and _WHY.search(asked):
        cut = _CUT.search(asked)
        return "recommendations", {"ask": "why_advice", "metric": "cut" if cut else "scale"}
    if matched == "recommendations" and metric == "scale" and re.search(r"\bquanto\b", asked):
        return matched, {"ask": "how_much"}
    if matched == "recommendations" and metric not in {"cut", "scale"} and _URGENT.search(asked):
        return matched, {"ask": "urgent"}
    if _CRITICAL.search(asked) and matched in {
        None,
        "anomalies",
        "underperformers",
        "summary",
        "performance",
    }:
        return "anomalies", {"ask": "critical", "metric": "list"}
    if matched == "anomalies" and _ALERT.search(asked):
        kind = next((t for words, t in ANOMALY_TYPE_ASKED.items() if words in asked), None)
        if kind:
            return matched, {"ask": f"anomaly_type:{kind}", "metric": "list"}
    goal = _LEADS_GOAL.search(asked)
    if goal and _FUTURE.search(asked) and not re.search(r"\bmes\b", asked):
        target = parse_number(goal.group(1)) * (1000 if goal.group(2) else 1)
        return "forecast", {"ask": "target", "threshold": target, "metric": "leads"}
    if _WORST_CASE.search(asked) and (matched == "forecast" or leads_asked(asked)):
        return "forecast", {"ask": "worst_case", "metric": "leads"}
    if _CPL_NEXT.search(asked) and matched not in {"compare", "roi"}:
        return "forecast", {"ask": "cpl_next", "metric": "cpl"}
    return matched, {}


def classify_intent(message: str) -> Intent:
    """The intent of a question, from keywords; a campaign id or name in it makes it about that campaign,
    and an ad set or creative asked is flagged (`below_campaign`): the answer says the source stops at the
    campaign."""
    text = normalize(message)
    if kind := small_talk(text):  # "oi", "obrigado", "?": answered as such, never as the account's figures
        return Intent("help", metric=kind, keyword="help")
    if term := term_asked(text):  # "o que é CPL?", "como vocês calculam a previsão?": the definition first
        return Intent("explain", metric=term, keyword="explain")
    intent = _classify(message)
    if decision := decision_asked(text):
        # "ignora a recomendação de pausar", "já aumentei o orçamento da campanha 4": the chat only reads; the
        # decision is recorded in FamaChat (the API's apply/dismiss), said with the advice's ids
        kind = (
            "pause"
            if re.search(r"\b(paus|deslig|desativ|parar\b)", text)
            else "cut"
            if _CUT.search(text)
            else "scale"
            if _SCALE.search(text)
            else None
        )
        intent = replace(intent, name="decisions", keyword="decisions", ask=decision, metric=kind)
    elif budget_total_asked(text) and not intent.campaign_id:
        intent = Intent("budget", keyword="budget", ask="budget_total", accounts_named=intent.accounts_named)
    elif left_to_spend_asked(text) and intent.name == "performance" and intent.threshold is None:
        # "quanto falta gastar no mês?": no monthly budget is stored; the month so far and its close instead
        intent = replace(intent, name="forecast", keyword="forecast", metric="month_end", period_ref=None)
        intent = replace(intent, ask="left_to_spend")
    return replace(intent, below_campaign=True) if _BELOW_CAMPAIGN.search(text) else intent


def _classify(message: str) -> Intent:
    message = _REACTIVATE_NUMBER.sub(r"\1campanha \2", fix_campaign_typos(message), count=1)
    text = normalize(message)
    asked = _NEGATED.sub(" ", text)
    ids = _CAMPAIGN_ID.findall(text)
    cid = ids[0] if ids else None
    named = accounts_named(text)
    day = _DAY_REF.search(text)
    day_ref = day.group(0) if day else None
    period = _PERIOD_REF.search(text)
    if period and (period.group(7) or period.group(12)):
        day_ref = None  # a range's first day is not the day asked
    period_ref = period.group(0) if period else None
    if period is None and _WEEK_BEFORE_LAST.search(text):  # "quanto gastei semana retrasada?"
        period_ref = WEEK_BEFORE_LAST_REF
    if period_ref is None and day_ref is None and _ALL_TIME.search(text):
        period_ref = ALL_TIME_REF
    if period_ref is None and day_ref is None and _THIS_YEAR.search(text):
        period_ref = YEAR_REF
    extra = {"period_ref": period_ref, "metric": _metric(text)}
    matched = keyword_intent(text)
    rate_judge = None if cid or named else _rate_judge_metric(asked)
    if rate_judge and not day_ref and matched in {None, "help", "performance", "trends", "anomalies"}:
        matched = "performance"
    else:
        rate_judge = None
    if day_ref == "amanha" and matched in {None, "performance"}:
        matched = "forecast"  # tomorrow's figures are a forecast ("quantos leads amanhã?")
    elif matched is None and (day_ref or period_ref):
        matched = "performance"  # "como foi novembro?", "leads de hoje": that day's or period's figures
    if matched == "cpl_rank" and (limit := _CPL_LIMIT.search(asked)):
        below = limit.group(1) in {"abaixo", "menor", "inferior", "mais baixo"}
        extra["metric"] = "cpl_below" if below else "cpl_above"
        extra["threshold"] = parse_number(limit.group(2))
    if matched == "forecast" and (_MONTH_END.search(asked) or _MONTH_AHEAD.search(asked)):
        # "fim do mês" is no period of the past; "quantos leads até o fim do mês?" leads with the leads
        extra.update(metric="month_end_leads" if leads_asked(asked) else "month_end", period_ref=None)
        if extra["metric"] == "month_end" and (target := month_target(asked)) is not None:
            # "quanto posso gastar por dia pra fechar em R$ 50 mil?": what is left per day, said first
            extra.update(metric="month_end_target", threshold=target)
    if not cid and (goal := _LEADS_TARGET.search(asked)):
        # "quanto falta pra bater 2000 leads no mês?": what is left, and whether the forecast gets there
        matched, period_ref = "forecast", None
        goal_n = parse_number(goal.group(1)) * (1000 if goal.group(2) else 1)
        extra.update(metric="month_end_leads", threshold=goal_n, period_ref=None)
    if matched == "forecast" and _SCALE.search(asked) and (pct := _PCT.search(asked)):
        # "se eu aumentar 20% o orçamento, quantos leads vou ter?": the forecast is at the current budget,
        # the budget's change only scales it as arithmetic (`budget_scaled`)
        extra.update(metric="budget_scaled", threshold=parse_number(pct.group(1)))
    if _REACTIVATE.search(asked):  # "vale reativar a 31?": its figures while it ran, against the account's
        extra["metric"] = "reactivate"
    if matched == "weekday":  # best first: the lowest CPL, unless the most leads or the worst is asked
        worst = re.search(r"\bpior|\bmaior (cpl|custo)|mais car[oa]|(cpl|custo por lead) mais alto", asked)
        most = re.search(r"mais leads|mais trouxe|converte mais|mais conversao|mais conversoes", asked)
        extra["metric"] = "leads" if most else "cpl_high" if worst else "cpl_low"
    if matched == "anomalies":
        cpl_named = re.search(r"\bcpl\b|custo por lead", asked)
        if not (cpl_named or _WHY.search(asked)):
            extra["metric"] = "list"  # "teve alguma anomalia?": the anomalies first, no CPL factors
        elif cpl_named and re.search(rf"\b({_MOVES['up']})\b", asked):
            extra["metric"] = "cpl_up"  # "por que o CPL subiu?": said first when it did not
    if matched == "underperformers" and _NO_LEADS.search(asked):
        extra["metric"] = "no_leads"  # "quais campanhas estão gastando sem gerar lead?": exactly those
    elif matched == "underperformers" and re.search(r"\bpior(es)?\b", asked):
        extra["metric"] = "worst"  # "qual a pior campanha?": the critical tier, worst CPL first
    if (
        matched == "top"
        and re.search(r"\bmelhor(es)?\b", asked)
        and not re.search(r"\bleads?\b|\bmais\b", asked)
    ):
        extra["metric"] = "best"  # "qual campanha tá indo melhor?": the top tier, best CPL first
    if matched == "best_day":  # what ranks the days: leads, spend or CPL, and which way
        extra["metric"] = _day_metric(asked)
    if matched == "recommendations" and _CUT.search(asked):
        extra["metric"] = "cut"  # "qual campanha devo pausar?": the pause and decrease advice first
    elif matched == "recommendations" and _SCALE.search(asked):
        extra["metric"] = "scale"  # "posso aumentar o orçamento da Campanha 4 em 50%?": yes or no first
        if pct := _PCT.search(asked):
            extra["threshold"] = parse_number(pct.group(1))
    if rate_judge:
        extra["metric"] = rate_judge
    elif matched == "performance" and _CPL_JUDGE.search(asked):
        # "tá alto?" asks the other way round from "tá bom?": its "Sim" is the bad news
        high = re.search(r"\b(alto|caro|ruim)\b", asked) and not re.search(r"\b(bom|boa|ok)\b", asked)
        extra["metric"] = "cpl_judge_high" if high else "cpl_judge"
    elif matched == "performance" and extra["metric"] == "cpl_high" and leads_asked(asked):
        extra["metric"] = "leads"  # "qnts leads essa semana?": the leads first
    elif matched == "performance" and extra["metric"] == "cpl_high" and cpl_asked(asked):
        extra["metric"] = "cpl"  # "qual o cpl dela semana passada?": the CPL first
    elif matched in {"performance", "forecast"} and extra["metric"] == "cpl_high" and spend_asked(asked):
        # "qnto gastei ontem na campanha 4?" (then "e amanhã?"): the spend, kept for its forecast
        extra["metric"] = "spend"
    if extra["metric"] != "month_end_leads":
        matched, shaped = _asked(asked, matched, extra["metric"])
        extra.update(shaped)
    days = tuple(dict.fromkeys(m.group(0) for m in _DAY_REF.finditer(text)))
    if day_ref is not None and len(days) > 1:  # "ontem e anteontem": each day, in the order asked
        extra["day_refs"] = days
    if matched == "out_of_scope":
        extra["metric"] = out_of_scope_kind(asked)
    if matched == "tier":
        extra["metric"] = tier_metric(asked)
    if matched == "list_campaigns" and (over := _SPEND_OVER.search(asked)):
        # "quais campanhas gastaram mais de R$ 500 essa semana?": exactly those, not the top 5 by spend
        extra.update(metric="spend", threshold=parse_number(over.group(1)) * (1000 if over.group(2) else 1))
    if (
        matched in {"top", "underperformers", "cpl_rank"}
        and figure_named(asked) == "ctr"
        and re.search(r"\b(qual|quais)\b", asked)
        and (rank := re.search(r"\b(melhor|maior|mais alto|pior|menor|mais baixo)\b", asked))
    ):
        # "qual campanha tem o melhor CTR?": the campaigns by their 7-day CTR, not the tiers by CPL
        best = rank.group(1) in {"melhor", "maior", "mais alto"}
        matched, extra["metric"] = "cpl_rank", "ctr_high" if best else "ctr_low"
        cid, names = None, ()
    if matched in {"top", "underperformers", "cpl_rank", "list_campaigns"} and (top := _TOP_N.search(asked)):
        extra["limit"] = max(1, min(int(top.group(1) or top.group(2)), 20))
    if matched == "roi":
        money_text = _DAY_REF.sub(" ", _ACCOUNT_REF.sub(" ", _CAMPAIGN_ID.sub(" ", text)))
        money_text = re.sub(r"\bcampanha\s+\S+", " ", money_text)  # "campanha 3" is no money
        numbers = numbers_in(money_text)
        return Intent("roi", cid, numbers[0] if numbers else None, named, names_asked(text))
    if not cid and (vs := _VS_LAST_MONTH.search(asked)):
        # "a conta tá pior que mês passado?": this month so far against last month, the verdict first
        verdict = PERIODS_VERDICTS[0 if vs.group(1) == "pior" else 1]
        return replace(_periods_intent(None, (), ("mes passado", "esse mes"), named, False), metric=verdict)
    if periods := periods_compared(asked):
        # "semana passada vs retrasada", "outubro vs novembro": two periods side by side, the account's or
        # one campaign's ("campanha 12 semana passada vs retrasada"), or each of several campaigns' ("campanha
        # 3 e 5 semana passada vs retrasada": their names read with the periods' words taken out)
        several = names_asked(_without_periods(text), compare=True)
        if len(ids) + len(several) >= 2:
            return Intent(
                "compare",
                None,
                None,
                named,
                several,
                campaign_ids=tuple(ids),
                period_ref=periods[0],
                metric="periods",
                period_refs=periods,
            )
        names = () if cid else names_asked(text)
        return _periods_intent(cid, names, periods, named, looks_like_name(message))
    if matched == "compare":
        names = names_asked(text, compare=True)
        verdict = verdict_asked(asked)  # "qual das duas tá melhor, 46 ou 55?": the verdict first
        return Intent("compare", None, None, named, names, day_ref, tuple(ids), metric=verdict)
    names = () if cid else names_asked(text)
    like = looks_like_name(message)
    trend = trend_asked(asked)
    if matched == "trends":
        if _THIS_WEEK.search(asked):
            extra["metric"] = "calendar_week"  # "essa semana vs a passada": the calendar weeks
        elif trend:
            extra["metric"] = f"trend_{trend[0]}_{trend[1]}"
        elif figure := trend_metric_named(asked):
            extra["metric"] = f"trend_{figure}_either"  # "qual a tendência de leads?": that figure first
    # "o cpl ta melhorando?", "o ctr tá piorando?": the account's figure asked, its move, not the best or
    # worst campaigns that "melhor"/"pior" would list ("qual campanha ... melhorando?" still lists them)
    if (
        matched in {"top", "underperformers"}
        and trend
        and trend_metric_named(asked)
        and not _WHICH.search(asked)
    ):
        matched, extra["metric"] = "trends", f"trend_{trend[0]}_{trend[1]}"
    if (
        (cid or names)
        and trend
        and matched not in {"compare", "roi", "recommendations", "forecast", "analyze"}
    ):
        matched = (
            "trends"  # "o CPL da campanha 27 está subindo?": that campaign's 7 days against the 7 before
        )
        extra["metric"] = f"trend_{trend[0]}_{trend[1]}"
    # "o CPL subiu essa semana?": this calendar week's days against the same weekdays of last week, the
    # figure asked first
    if matched in _WEEK_CHANGE_FROM and (week_change := this_week_change(asked)):
        matched = "trends"
        extra["metric"] = f"week_{week_change[0]}_{week_change[1]}"
        if (
            not cid
            and not (names and like)
            and week_change[0] in {"cpl", "leads"}
            and re.search(r"\b(qual|quais)\b.*\bcampanhas?\b", asked)
        ):
            # "qual campanha piorou mais essa semana?": the campaigns by their move over the same weeks
            extra["metric"] += "_which"
            names = ()
    # "por que o CPL subiu essa semana?": the anomalies of the week, the move explained over the same weeks
    elif matched == "anomalies" and (why := why_this_week(asked)):
        extra["metric"] = f"week_{why[0]}_{why[1]}"
    elif (
        matched in _WEEK_CHANGE_FROM
        and not re.search(r"\b(qual|quais)\b.*\bcampanhas?\b", asked)
        and (moved := period_move_asked(asked, period_ref))
    ):
        # "o CPL subiu em outubro?", "por que os leads caíram em novembro?": that period against the one
        # before it, explained by that period's factors, not the 7 days'; "a campanha 22 piorou semana
        # passada?": the same for that campaign's rows (its name kept to resolve)
        matched, extra["metric"] = "trends", f"period_{moved[0]}_{moved[1]}"
        names = names if cid or (names and like) else ()
    # "por que o CPL subiu ontem?", "o que aconteceu ontem?": one complete day against the day before and
    # the same weekday a week earlier, the account's (`day_move_asked`)
    if not (cid or (names and like)) and (day_move := day_move_asked(asked, matched, day_ref, period_ref)):
        matched, extra["metric"], names = "anomalies", day_move, ()
    # words after "campanha" that name nothing never end in the help menu: the campaigns are listed
    keyword = matched or ("list_campaigns" if names and not like else "help")
    if matched is None and not (cid or names or day_ref or period_ref or _REACTIVATE.search(asked)):
        extra["metric"] = "unclear"  # "asdfgh": nothing read at all, said so before the menu
    if (cid or names) and matched not in CAMPAIGN_INTENTS:
        return Intent(
            "campaign_details", cid, None, named, names, day_ref, keyword=keyword, name_like=like, **extra
        )
    return Intent(keyword, cid, None, named, names, day_ref, keyword=keyword, name_like=like, **extra)


# "dela" after several campaigns named: which of them (metric of a "campaign_not_found" with them as names)
WHICH_CAMPAIGN = "which_campaign"


def _one_campaign(phrase: str, names: dict[str, str]) -> str | None:
    """The campaign an id or a name as asked is, when it is exactly one of the account's."""
    if phrase in names:
        return phrase
    hits = resolve_name(phrase, names)[1]
    return hits[0] if len(hits) == 1 else None


def _which_campaigns(intent: Intent, names: dict[str, str]) -> Intent:
    """The campaigns a "which of them?" lists, matched to this account's (those it has not left out)."""
    ids = tuple(dict.fromkeys(c for n in intent.names if (c := _one_campaign(n, names))))
    return replace(intent, names=(), matches=ids, match_names=tuple(names[c] for c in ids))


def resolve_campaigns(intent: Intent, names: dict[str, str]) -> Intent:
    """The campaign names asked, matched against this account's campaigns (id -> name).

    One match becomes the intent's campaign; several turn the answer into "which one?" with the
    candidates. No match is "not found" only when the words looked like a name ("campanha Black Friday");
    otherwise they were no name ("tem alguma campanha sem lead gastando?") and the keywords' intent stays.
    Where no campaign is needed (help, data quality) names are not resolved.
    """
    if not intent.names or intent.name in {"help", "data_quality", "out_of_scope"}:
        return intent
    if intent.metric == WHICH_CAMPAIGN:
        return _which_campaigns(intent, names)
    if intent.name == "compare":
        # each name as a single one: a number alone first ("76 qual gasta melhor" is Campanha 76)
        found = [resolve_name(n, names)[1] for n in intent.names]
        ids = [*intent.campaign_ids, *(hits[0] for hits in found if len(hits) == 1)]
        missing = tuple(n for n, hits in zip(intent.names, found, strict=True) if not hits)
        # the names kept are those not in this account, said so rather than only "name 2 campaigns"
        return replace(intent, campaign_ids=tuple(dict.fromkeys(ids)), names=missing)
    (phrase,) = intent.names
    prefix, hits = resolve_name(phrase, names)
    if len(hits) == 1:
        return replace(intent, campaign_id=hits[0], names=(prefix,))
    if hits:
        return replace(
            intent,
            name="campaign_not_found",
            names=(prefix,),
            matches=tuple(hits),
            match_names=tuple(names[h] for h in hits),
        )
    if intent.name_like:
        return replace(intent, name="campaign_not_found")
    return replace(intent, name=intent.keyword or intent.name, names=())
