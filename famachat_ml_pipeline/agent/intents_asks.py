"""What a question's shape adds to its keywords' intent: the figure a ranking weighs, a cut or a scale
asked, the forecast's targets ("fechar o mês em R$ 50 mil", "bater 2000 leads"), and the asks that change
the answer ("por que você recomenda...?", "qual a mais urgente?", "no pior caso"). Pure functions: no
database."""

from __future__ import annotations

import re

from famachat_ml_pipeline.agent.intents_keywords import SPEND_MOST
from famachat_ml_pipeline.agent.intents_numbers import MAGNITUDE, magnitude, parse_number
from famachat_ml_pipeline.agent.intents_periods import MONTHS
from famachat_ml_pipeline.agent.intents_trends import WHY, leads_asked

# "quanto falta pra bater 2000 leads no mês?", "quero 400 leads esse mês", "minha meta é 1500 leads no mês",
# "consigo bater 400 leads em dezembro?": the month's leads target ("mil"/"k" x1000, MAGNITUDE); a month
# named is `goal_month`'s to read
_MONTH_NAMED = f"(?:{'|'.join(MONTHS)})"
LEADS_TARGET = re.compile(
    r"\b(?:bater|bati|batemos|bateu|chegar (?:a|em|nos)|fechar (?:com|em)|atingir|alcancar|fazer|gerar|ter"
    r"|quero|queria"
    r"|preciso(?: de)?|(?:meta|objetivo)(?: e| eh| sao)?(?: de)?)\s+(?:os\s+|as\s+)?"
    rf"(\d[\d.,]*\d|\d)(?![\d.,])\s*{MAGNITUDE}?\s*"
    # or before: "leads ... 600 no mes"
    rf"(?:(?:de\s+)?leads?\b.*\b(?:mes|{_MONTH_NAMED})\b|(?:no|do|este|esse|neste|nesse) mes\b"
    rf"|(?:em|de) {_MONTH_NAMED}\b)"
)


# "bati 400 leads em novembro?": a goal of a month asked of the past (its leads against it, not a forecast)
GOAL_PAST = re.compile(
    r"\b(?:bati|batemos|bateu|consegui|conseguimos|conseguiu|fiz|fizemos|fez|cheguei|chegamos|chegou|atingi"
    r"|atingimos|atingiu|fechei|fechamos|fechou|alcancei|alcancamos|alcancou|tive|tivemos|teve)\b"
)


def goal_month(asked: str, goal: re.Match[str]) -> str | None:
    """The month a leads goal names ("bater 400 leads em dezembro"), None for "no mês"/"esse mês"."""
    named = re.search(rf"\b{_MONTH_NAMED}\b", asked[goal.start() :])
    return named.group(0) if named else None


# "pra fechar o mês em R$ 50 mil, quanto posso gastar por dia?": the month's spend target ("mil"/"k" x1000,
# "15 milhões" x1000000: MAGNITUDE); a number of leads ("fechar com 2000 leads") is no money
_MONTH_TARGET = re.compile(
    r"\b(?:fechar|bater|terminar|chegar)\b[^0-9]{0,30}?(?:r\$\s*)?(\d[\d.,]*\d|\d)(?![\d.,])\s*"
    rf"{MAGNITUDE}?(?!\s*(?:de\s+)?leads?\b)"
)


# "vou estourar a verba de 40 mil?", "o gasto do mês vai passar de 50k?": a month's budget named with an
# overspend word; the amount is money (not leads, %, days)
_OVER_WORD = r"\b(?:estour\w*|pass(?:ar|a|o|e|ou|aria|arei)|ultrapass\w*|exced\w*|extrapol\w*)\b"
# ("R$ 500, vou passar?": a comma after the number ends it)
_AMOUNT = (
    rf"(?:r\$\s*)?(\d[\d.,]*\d|\d)(?!\d|[.,]\d)\s*{MAGNITUDE}?"
    r"(?!\s*(?:%|por ?cento|dias?\b|(?:de\s+)?leads?\b))"
)
_MONTH_BUDGET_OVER = re.compile(rf"{_OVER_WORD}.{{0,40}}?{_AMOUNT}|{_AMOUNT}.{{0,40}}?{_OVER_WORD}")
# the month is meant: named or monthly, or the spend ahead of a budget ("vou estourar a verba de 40 mil?")
_MONTH_MEANT = re.compile(
    r"\bmes\b(?! passado| retrasado)|\bmensal\b"
    r"|\b(?:vou|vamos|vai|vao|irei|iremos)\b.*\b(?:verba|orcamento|budget|teto)\b"
    r"|\b(?:verba|orcamento|budget|teto)\b.*\b(?:vou|vamos|vai|vao|irei|iremos)\b"
)


# "o cpl vai passar de 30?": a rate or a count passing a level, no budget
_A_RATE = re.compile(r"\b(?:cpl|ctr|cpm|cpc|roas|roi|leads?|cliques?|frequencia|impress\w*)\b|\bcusto por\b")


# "minha verba mensal é 35k, dá pra fechar o mês?", "tenho 12 milhões pro mês, vai dar?": a month's budget
# declared, and whether it is enough asked
_DECLARED = re.compile(
    rf"\b(?:verba|orcamento|budget|teto)\b(?: (?:mensal|do mes|pro mes|para o mes|no mes))?"
    rf"\s*(?:e|eh|de|=|sera|vai ser|:)?\s*{_AMOUNT}"
    rf"|\btenho\s+{_AMOUNT}.{{0,25}}?\b(?:pro|para o|no|por|ao) mes\b"
)
_ENOUGH = re.compile(
    r"\b(?:da|dara|daria) (?:pra|para)\b|\bvai dar\b|\bcabe\b|\bsuficiente\b|\bsobr\w*|\baguenta\b"
)
# a week's, a day's or a daily amount, or a budget changed to it ("se passar o orçamento pra 300"): no month
_NOT_THE_MONTH = re.compile(
    r"\bsemana\b|\bpor dia\b|\bao dia\b|\bdiari\w*|\bhoje\b|\bontem\b|\bamanha\b"
    r"|\bpassa\w* (?:o|a) (?:orcamento|verba|budget) (?:pra|para)\b"
)


def month_budget_asked(text: str) -> tuple[float, str] | None:
    """(the month's budget, the ask) of a normalized question: "overspend" when passing it is feared ("vou
    estourar a verba de 40 mil?" -> 40000), "fits" when whether it is enough is asked ("minha verba mensal
    é 35k, dá pra fechar o mês?"); None when no amount, or nothing says the month (a day's, the daily
    budgets'), or a rate or a count is what passes ("o cpl vai passar de 30?")."""
    if not _MONTH_MEANT.search(text) or _A_RATE.search(text) or _NOT_THE_MONTH.search(text):
        return None
    if m := _MONTH_BUDGET_OVER.search(text):
        ask = "overspend"
    elif (m := _DECLARED.search(text)) and _ENOUGH.search(text[m.end() :]):
        ask = "fits"
    else:
        return None
    number, word = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    return parse_number(number) * magnitude(word), ask


# "gastando sem gerar lead", "gastou sem lead", "com 0 leads": the campaigns that spent with no lead
NO_LEADS = re.compile(
    r"\bsem (gerar |nenhum |trazer |converter |ter )?(um )?leads?\b|\bgast\w* sem\b|\bnenhum lead"
    r"|\b(zero|0) leads?\b|\bsem (converter|conversao|conversoes|resultado|retorno)\b"
)


def month_end_asked(metric: str | None) -> bool:
    """Whether an intent's metric is "até o fim do mês" ("month_end", or "month_end_leads": leads asked)."""
    return (metric or "").startswith("month_end")


def month_target(text: str) -> float | None:
    """The spend a normalized question wants the month to close at ("fechar em R$ 50 mil" -> 50000)."""
    m = _MONTH_TARGET.search(text)
    if m is None:
        return None
    return parse_number(m.group(1)) * magnitude(m.group(2))


# "top 3", "as 5 melhores": how many a ranking lists
TOP_N = re.compile(r"\btop ?(\d{1,2})\b|\b(\d{1,2}) (?:melhores|piores|maiores|menores|primeir[ao]s)\b")


# cutting losses: pause, cut, switch off, reduce
CUT = re.compile(r"\b(paus|cort|deslig|desativ|reduz|parar\b)")
# scaling: "posso aumentar o orçamento?", "qual campanha devo escalar?" (the % asked is
# intents_numbers.PCT's)
SCALE = re.compile(
    r"\bescal\w*|\b(aument|sub|dobr)\w*\b.*\b(orcamento|verba|budget|investimento)\b"
    # "vale investir mais?", "colocar mais verba?": more money in, in the buyers' words
    r"|\binvestir mais\b|\b(colocar|por|botar) mais (verba|dinheiro|grana|orcamento)\b"
)


def weighed_metric(text: str) -> str | None:
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
    if re.search(SPEND_MOST, text):
        return "spend"
    # "qual a campanha mais barata?", "lead mais barato": the cheapest, not the dearest
    if re.search(
        r"\b(menor|melhor) (cpl|custo)|(cpl|custo por lead) mais (baixo|barato)|\bmais barat[oa]s?\b"
        r"|\bmenos car[oa]s?\b",
        text,
    ):
        return "cpl_low"
    return "cpl_high"


def day_rank_metric(text: str) -> str:
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


# the advice asked why: "why_advice" (any cut or scale), "why_pause" (a pause named)
WHY_ADVICE_ASKS = ("why_advice", "why_pause")
PAUSE_ASKED = re.compile(r"\b(paus\w*|deslig\w*|desativ\w*|parar)\b")
# "teve algum problema essa semana?": a problem asked of days gone by, not which campaigns do badly
PROBLEMS_ASKED = re.compile(r"\bproblemas?\b")
_PROBLEMS_WHEN = re.compile(
    r"\b(teve|tive|tivemos|houve|deu|rolou|aconteceu)\b|\bsemana\b|\bultimos \d+ dias\b"
)
# "por que pausar a 11?", "pq reduzir a 14?": an action asked why, the advice's why (as "por que você
# recomenda pausar a 11?"), not the CPL's factors
_WHY_ACTION = re.compile(r"\b(?:pausar|desligar|desativar|reduzir|cortar|diminuir|escalar)\b")
# the asks a question's shape adds to its intent (`shape_asks`)
_ADVICE = re.compile(r"\brecomend\w*|\bsuger\w*|\bsugest\w*")
_URGENT = re.compile(r"\burgen\w*|\bprioritari\w*|\bmais importante\b|\bprimeir[oa]\b|\bmaior prioridade\b")
_CRITICAL = re.compile(
    r"\b(problemas?|alertas?|anomalias?|erros?|algo|nada|coisa)( \w+)? critic\w*|\bseveridade critic"
)
# "o que mais preocupa?", "o que é mais urgente?": the most urgent advice; "qual a mais grave?": the
# CRITICAL anomalies (the severity the pipeline gives)
# "qual a prioridade?", "o que priorizar?": the most urgent advice too (the advice carries the priority)
_WORRY = re.compile(
    r"\bmais (?:me )?preocupa\w*|\bpreocupa\w* mais\b|\bmais urgente\b|\bprioridade\b|\bprioriz\w*"
)
_CONCERN = re.compile(r"\bpreocup\w*")
# "qual a crítica?", "quais as críticas?" (after alerts listed): the CRITICAL ones, as "a mais grave"
_GRAVEST = re.compile(
    r"\bmais (?:grave|serio|serios|seria|serias|graves)\b"
    r"|^(?:e )?(?:qual|quais) (?:a|as|e a|e as) critic[ao]s?\W*$"
)
_SERIOUS = re.compile(r"\b(?:serio|serios|seria|grave|graves|preocupante|preocupantes|importante)\b")
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
# "passar de 100 leads", "bater 150 leads": a number of leads to reach ("mil"/"k" x1000, MAGNITUDE)
_LEADS_GOAL = re.compile(
    # the present too: "a 6 passa de 20 leads essa semana?" (the past, "passou", is no goal ahead)
    r"\b(?:passar?|bater?|chegar?|atingir?|atinge|superar?|ultrapassar?|fazer|faz|mais)\s+"
    r"(?:de|a|em|os|as|dos|das|que)?\s*"
    rf"(\d[\d.,]*\d|\d)(?![\d.,])\s*{MAGNITUDE}?\s*(?:de\s+)?leads?\b"
)
_FUTURE = re.compile(
    r"\bchances?\b|\bprobabilidade\b|\b(vai|vou|vamos|consigo|conseguimos|consegue|deve|devo)\b|\bda pra\b"
    r"|\b(?:essa|esta|nessa|nesta) semana\b"  # a goal of the week not over: its days done plus the forecast's
)
_WORST_CASE = re.compile(r"\bpior (caso|cenario|hipotese)\b|\bno minimo\b|\bpessimist\w*")
# "consigo um cpl de 18 semana que vem?", "o cpl vai ficar abaixo de 20?": a CPL to reach, from the forecast
_CPL_GOAL = re.compile(
    r"\b(?:cpl|custo por lead)\s+(?:vai |deve |pode )?(?:ficar |chegar |cair |baixar )?"
    r"(?:(?:de|a|em|ate|pra|para)\s+|(?:abaixo|embaixo|perto) de\s+|menor (?:do )?que\s+)"
    r"(?:r\$\s*)?(\d+(?:[.,]\d+)?)\b(?!\s*%)"
)
_AHEAD = re.compile(r"\bsemana (?:q|que) vem\b|\bproxima semana\b|\bproximos (?:7|sete) dias\b")
_CPL_NEXT = re.compile(
    r"(\bcpl\b|custo por lead).*\b(vai|deve|tende a|pode)\s+(subir|cair|aumentar|diminuir|baixar|piorar"
    r"|melhorar|mudar)\b"
)

# "quando vai normalizar?", "o cpl vai voltar ao normal?": a date the forecast cannot give; its CPL ahead
_BACK_TO_NORMAL = re.compile(
    r"\b(?:normaliz\w*|volt\w* (?:ao|a|pro) (?:normal|que era)|se recuper\w*|estabiliz\w*)\b"
)


def shape_asks(asked: str, matched: str | None, metric: str | None) -> tuple[str | None, dict[str, object]]:
    """The intent and the fields (ask, metric, threshold) a question's shape asks beyond its keywords:
    "por que você recomenda X?" is that advice, not the CPL's factors; "qual a mais urgente?" one advice;
    "quanto devo aumentar?" the step in money; "problema crítico" the CRITICAL anomalies; "o alerta de
    gasto zerado" that type; "passar de 100 leads" a verdict from the forecast; "no pior caso" its low end;
    "o CPL vai subir?" the forecast's CPL."""
    if matched == "anomalies" and (_ADVICE.search(asked) or _WHY_ACTION.search(asked)) and WHY.search(asked):
        cut = CUT.search(asked)
        # "por que você recomenda pausar a 13?": a pause asked, not any cut (a budget cut is no pause)
        ask = "why_pause" if cut and PAUSE_ASKED.search(asked) else "why_advice"
        # "por que você recomenda isso pra 28?": no kind named, any of its advice (was read as scaling)
        kind = "cut" if cut else "scale" if SCALE.search(asked) or re.search(r"\baument", asked) else None
        return "recommendations", {"ask": ask, "metric": kind}
    if matched == "recommendations" and metric == "scale" and re.search(r"\bquanto\b", asked):
        return matched, {"ask": "how_much"}
    if matched == "recommendations" and metric == "cut" and re.search(r"\bprimeir[oa]\b", asked):
        return matched, {"ask": "first"}  # "qual eu pauso primeiro?": one campaign first, then the list
    if matched == "recommendations" and metric not in {"cut", "scale"} and _URGENT.search(asked):
        return matched, {"ask": "urgent"}
    if matched in {None, "help", "underperformers", "summary", "anomalies"} and _WORRY.search(asked):
        # "o que mais preocupa?": the most urgent advice on a problem (was a budget increase), "qual a
        # prioridade?" the most urgent of all
        return "recommendations", {"ask": "urgent", "metric": "worry" if _CONCERN.search(asked) else None}
    if matched in {None, "help", "underperformers", "summary", "anomalies"} and _GRAVEST.search(asked):
        return "anomalies", {"ask": "gravest", "metric": "list"}  # "e a mais grave?": the CRITICAL ones
    if matched == "anomalies" and _SERIOUS.search(asked):
        return matched, {"ask": "serious", "metric": "list"}  # "o alerta de ontem é sério?": yes or no first
    if (
        matched == "underperformers"
        and PROBLEMS_ASKED.search(asked)
        and _PROBLEMS_WHEN.search(asked)
        and not re.search(r"\bcampanhas?\b|\b(qual|quais)\b", asked)
        and not _CRITICAL.search(asked)
    ):
        # the last 7 days' anomalies, yes or no first ("essa semana" read as those 7 days, said with dates)
        return "anomalies", {"ask": "problems", "metric": "list", "period_ref": None}
    if _CRITICAL.search(asked) and matched in {
        None,
        "anomalies",
        "underperformers",
        "summary",
        "performance",
    }:
        # "quantas anomalias críticas tem?" asks how many, not whether: no "Sim"/"Não" before the count
        counted = re.search(r"\b(quant[oa]s|qnt[oa]?s|qtas?)\b", asked)
        return "anomalies", {"ask": "gravest" if counted else "critical", "metric": "list"}
    if matched == "anomalies" and _ALERT.search(asked):
        kind = next((t for words, t in ANOMALY_TYPE_ASKED.items() if words in asked), None)
        if kind:
            return matched, {"ask": f"anomaly_type:{kind}", "metric": "list"}
    goal = _LEADS_GOAL.search(asked)
    if goal and _FUTURE.search(asked) and not re.search(r"\bmes\b", asked):
        target = parse_number(goal.group(1)) * magnitude(goal.group(2))
        return "forecast", {"ask": "target", "threshold": target, "metric": "leads"}
    if _WORST_CASE.search(asked) and (matched == "forecast" or leads_asked(asked)):
        return "forecast", {"ask": "worst_case", "metric": "leads"}
    if _BACK_TO_NORMAL.search(asked) and matched not in {"compare", "roi", "decisions"}:
        return "forecast", {"ask": "cpl_normal", "metric": "cpl", "period_ref": None}
    cpl_goal = _CPL_GOAL.search(asked)
    if cpl_goal and (_FUTURE.search(asked) or _AHEAD.search(asked)) and matched not in {"compare", "roi"}:
        return "forecast", {
            "ask": "cpl_target",
            "metric": "cpl",
            "threshold": parse_number(cpl_goal.group(1)),
        }
    if _CPL_NEXT.search(asked) and matched not in {"compare", "roi"}:
        return "forecast", {"ask": "cpl_next", "metric": "cpl"}
    return matched, {}


# "quanto eu economizo se seguir as recomendações?", "quanto eu economizo?": the advice's savings summed
# (a pause named, "se eu pausar a 13", is `pause_savings`': the campaign's spend)
_SAVES = re.compile(r"\beconomiz\w*|\bquanto (?:eu )?(?:poupo|salvo)\b")
_IF_PAUSED = re.compile(r"\bse (?:eu )?(?:pausar|parar|desligar|desativar|cortar)\b")


def savings_asked(text: str) -> bool:
    """Whether a normalized question asks what following the advice saves."""
    return bool(_SAVES.search(text)) and not _IF_PAUSED.search(text)


# "e se eu não fizer nada?", "o que acontece se eu ignorar as recomendações?": the savings forgone (was the
# help menu)
_INACTION = re.compile(
    r"\bse (?:eu |a gente |nos )?(?:nao (?:fizer|fizermos|fazer|mexer|mexermos|mudar|mudarmos) (?:em )?nada"
    r"|deixar(?:mos)? (?:tudo )?(?:como (?:esta|ta)|assim|do jeito que (?:esta|ta))"
    r"|(?:ignorar|ignorarmos|nao seguir|nao seguirmos) (?:as |a |essas |essa )?recomendac\w*"
    r"|nao seguir nenhuma recomendac\w*)"
)


def inaction_asked(text: str) -> bool:
    """Whether a normalized question asks what happens if the buyer does nothing."""
    return bool(_INACTION.search(text))
