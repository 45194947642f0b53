"""The offline agent's first step: what a pt-BR question asks (`classify_intent`), its keywords' intent
(intents_keywords) turned by the campaigns (intents_campaigns), day or period (intents_periods), figure and
move (intents_trends), judgement (intents_verdicts) and shape (intents_asks) it names; then the names asked
matched against the account's campaigns (`resolve_campaigns`). Pure functions: no database, no tools."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from famachat_ml_pipeline.agent.intents_asks import (
    CUT,
    GOAL_PAST,
    LEADS_TARGET,
    NO_LEADS,
    SCALE,
    TOP_N,
    day_rank_metric,
    goal_month,
    inaction_asked,
    month_budget_asked,
    month_target,
    savings_asked,
    shape_asks,
    weighed_metric,
)
from famachat_ml_pipeline.agent.intents_budget_scenario import budget_scenario, scenario_intent
from famachat_ml_pipeline.agent.intents_campaigns import (
    ACCOUNT_REF,
    CAMPAIGN_ID,
    REACTIVATE,
    REACTIVATE_NUMBER,
    accounts_named,
    fix_campaign_typos,
    looks_like_name,
    names_asked,
    resolve_name,
)
from famachat_ml_pipeline.agent.intents_growth import growth_asked
from famachat_ml_pipeline.agent.intents_keywords import (
    CPL_AT,
    CPL_LIMIT,
    LOWER_CPL,
    MONTH_AHEAD,
    MONTH_END,
    NEGATED,
    SPEND_OVER,
    accounts_compared,
    beyond_week,
    keyword_intent,
    out_of_scope_kind,
    tier_metric,
)
from famachat_ml_pipeline.agent.intents_numbers import (
    PCT,
    magnitude,
    numbers_in,
    parse_number,
    percent_named,
    raise_named,
)
from famachat_ml_pipeline.agent.intents_periods import (
    ALL_TIME,
    ALL_TIME_REF,
    DAY_REF,
    LAST_WEEK_RANGE,
    MONTH_BEFORE_LAST_REF,
    MONTH_CLOSED,
    PERIOD_REF,
    PERIODS_JUDGED,
    PERIODS_RATES,
    PERIODS_VERDICTS,
    THIS_WEEK,
    THIS_YEAR,
    VS_LAST_MONTH,
    VS_LAST_WEEK,
    WEEK_BEFORE_LAST,
    WEEK_BEFORE_LAST_REF,
    YEAR_REF,
    dates_in_words,
    periods_compared,
    without_periods,
)
from famachat_ml_pipeline.agent.intents_reroutes import reroute
from famachat_ml_pipeline.agent.intents_talk import (
    budget_total_asked,
    decision_asked,
    left_to_spend_asked,
    normalize,
    small_talk,
    term_asked,
)
from famachat_ml_pipeline.agent.intents_trends import (
    MOVES,
    WHY,
    campaign_fell,
    campaigns_move_asked,
    cpl_asked,
    day_move_asked,
    figure_named,
    leads_asked,
    period_move_asked,
    spend_asked,
    this_week_change,
    trend_asked,
    trend_metric_named,
    what_happened,
    why_moved_unperioded,
    why_this_week,
)
from famachat_ml_pipeline.agent.intents_verdicts import (
    CPL_JUDGE,
    rate_judge_metric,
    verdict_asked,
    vs_account_asked,
    vs_account_side,
)
from famachat_ml_pipeline.agent.intents_weekend import last_weekend_judged, weekend_asked

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
    "pause_savings",
    "campaign_age",
    "month_ahead",
    "period_campaigns",
    "period_summary",
    "leads_cost",
    "month_rank",
    "cpl_stability",
)


# intents that keep a campaign named in the question; any other becomes that campaign's details
CAMPAIGN_INTENTS = {
    "weekday",  # "qual o melhor dia da semana da campanha 5?": her weekdays
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
    "pause_savings",
    "campaign_age",
}


_RATES = ("ctr", "cpm", "cpc")


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
    # a number: threshold), "worst_case", "cpl_next" ("o CPL vai subir?"), "vs_account*" (a campaign's CPL
    # against the account's), "share" (its part of the account), "difference" (two campaigns' CPL gap),
    # "first_judged" ("novembro foi melhor q outubro?": the first period asked is the one judged)
    ask: str | None = None
    # "top 3 por leads no mês": how many campaigns a ranking lists (None: the answer's usual 5)
    limit: int | None = None
    # "qual o ctr e o cpm essa semana?": the other rates named beside `metric`, each answered after it
    rates: tuple[str, ...] = ()


# the intents a change asked about "essa semana" turns from ("o CPL subiu" reads as anomalies, "os leads
# caíram" as performance); the specific ones (recommendations, forecast, compare...) stay
_WHICH = re.compile(r"\b(qual|quais)\b")
_A_CAMPAIGN = re.compile(r"\b(qual|quais|alguma|algumas)\b.*\bcampanhas?\b")
_WEEK_CHANGE_FROM = {None, "trends", "performance", "anomalies", "underperformers", "top", "summary"}


# a CTR ranked: "melhor"/"maior" (or "bom", "alto") the highest first, "pior"/"ruim"/"baixo" the lowest
# "qual campanha gastou menos?", "a que menos investiu", "menor gasto"
_SPEND_LEAST = re.compile(r"\b(?:gast|invest)\w* menos\b|\bmenos (?:gast|invest)\w*|\bmenor gasto\b")
# "qual campanha tem o cpm mais caro / mais barato?": the campaigns by their CPM, the dearest first unless
# the cheapest is asked ("melhor" CPM is the cheapest: a thousand impressions cost less)
_CPM_RANK = re.compile(
    r"\b(maior|mais car[oa]|mais alto|pior|car[oa]|alto|menor|mais barat[oa]|mais baixo|melhor|barat[oa]"
    r"|baixo)\b"
)
_CTR_RANK = re.compile(
    r"\b(melhor|maior|mais alto|pior|menor|mais baixo|ruim|ruins|baixo|baixos|bom|bons|alto|altos"
    r"|(?:abaixo|acima) d[ao] (?:media|conta)"
    # "alguma campanha com ctr abaixo de 1%?": the lowest first, the rate named beside each
    r"|(?:abaixo|acima) de (?=\d))"  # "ctr abaixo da média": the account's is the reference
)


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
    r"\b(conjuntos?|conj)( de anuncios?)?\b|\bad ?sets?\b|\bcriativ\w*|\b(qual|quais) anuncios?\b"
    r"|\b(melhor|melhores|pior|piores) anuncios?\b"
    # "stories ou feed, qual posicionamento tá melhor?": a placement is set per ad set (not a campaign
    # named "Stories Verão")
    r"|\bposicionamentos?\b|\bplacements?\b|\b(?:feed|stories|reels) ou (?:o |os )?(?:feed|stories|reels)\b"
    r"|\b(?:no|nos|pelo|pelos) (?:feed|stories|reels)\b"
    r"|\banuncios? (que|com|de) (mais|menos|melhor|pior|maior|menor)\b"
)


# a comparison of campaigns that names a figure other than the CPL ("a 4 gastou mais que a 8?", "compara os
# leads da 4 e da 8"): the better by the CPL is not what it asks
_OTHER_FIGURE = re.compile(
    r"\b(?:gast|invest|leads?\b|ctr\b|cpm\b|cpc\b|cliques?\b|impress|alcance|frequencia)"
)
_CPL_OR_VERDICT = re.compile(r"\bcpl\b|custo por lead|\bmelhor|\bpior")
_MORE = re.compile(r"\b(mais|maior|menos|menor)\b")


def figure_compared(text: str) -> str | None:
    """ "a 12 gastou mais que a 17?" -> "more_spend", "a 4 teve menos leads que a 8?" -> "less_leads": the
    figure two campaigns are compared by (spend, leads or CTR) and the side asked, "which_" first when
    one is asked to be named ("qual gastou mais, a 12 ou a 17?"), not a yes or no on the first; None when
    no such figure or no "mais"/"menos" is named (a comparison by another figure stays without a verdict)."""
    figure = figure_named(text) or ("spend" if re.search(r"\b(?:gast|invest)", text) else None)
    side = _MORE.search(text)
    if figure not in {"spend", "leads", "ctr", "cpl"} or side is None:
        return None
    which = "" if re.search(r"\b(?:que|q)\b", text[side.end() :]) else "which_"
    more = side.group(1) in {"mais", "maior"}
    if re.match(r"\s+(?:baix|barat)", text[side.end() :]):  # "cpl mais baixo": less of it
        more = not more
    return f"{which}{'more' if more else 'less'}_{figure}"


# "quanto devo investir amanhã?", "qto eu deveria gastar amanha": how much to spend, asked as advice
_INVEST_ASKED = re.compile(
    r"\b(?:quanto|qto|qnto)\b(?=.*\b(?:devo|deveria|preciso|posso|recomenda\w*|ideal)\b)"
    r".*\b(?:invest\w*|gastar|colocar|botar)\b"
)


def classify_intent(message: str) -> Intent:
    """The intent of a question, from keywords; a campaign id or name in it makes it about that campaign,
    and an ad set or creative asked is flagged (`below_campaign`): the answer says the source stops at the
    campaign."""
    text = normalize(message)
    if kind := small_talk(text):  # "oi", "obrigado", "?": answered as such, never as the account's figures
        return Intent("help", metric=kind, keyword="help")
    if term := term_asked(text):  # "o que é CPL?", "como vocês calculam a previsão?": the definition first
        return Intent("explain", metric=term, keyword="explain")
    if accounts_compared(text, named := accounts_named(text)):  # never the campaigns of those numbers
        return Intent("out_of_scope", metric="accounts", keyword="out_of_scope", accounts_named=named)
    intent = reroute(text, _classify(message))
    intent = _without(text, _share(text, _vs_account(message, text, intent)))
    if _WEEK_RANKED.search(text) and not (intent.campaign_id or intent.names):
        # "qual foi a pior semana do mês?": the calendar weeks of the period ranked (was the worst campaign)
        period = PERIOD_REF.search(_WEEK_RANKED.sub(" ", text))
        intent = Intent(
            "best_day",
            keyword="best_day",
            metric=day_rank_metric(text),
            period_ref=period.group(0) if period else None,
            ask="week",
        )
    if MONTH_CLOSED.search(text) and not (intent.campaign_id or intent.names):
        # "o mês fechou bem?": the month closed (last month) against the one before it, a verdict by the CPL
        # first (was the campaigns ranked)
        bad = re.search(r"\b(mal|ruim|pior)\b", text)
        intent = Intent(
            "performance",
            keyword="performance",
            metric="periods_worse" if bad else "periods_better",
            period_ref="mes passado",
            period_refs=(MONTH_BEFORE_LAST_REF, "mes passado"),
        )
    if (grew := growth_asked(text)) and not (intent.campaign_id or (intent.names and intent.name_like)):
        # "qual campanha mais cresceu esse mês / essa semana?": the campaigns by their gain in leads per day
        # against the month or week before (was the account's CPL trend, or the campaigns' CPL for a week)
        intent = Intent("trends", keyword="trends", metric=f"growth_{grew[0]}", period_ref=grew[1])
    if (judged := last_weekend_judged(text)) and not (intent.campaign_id or intent.names):
        # "o fds foi bom?": last weekend's verdict against the weekends before it, then its figures (was its
        # figures alone, or the underperformers for "foi ruim?")
        intent = Intent("performance", keyword="performance", metric="cpl", period_ref="fds", ask=judged)
    inaction = inaction_asked(text) and not _HEALTH.search(text)  # "...saudável se eu deixar assim?": health
    if (savings_asked(text) or inaction) and intent.name in {
        "help",
        "recommendations",
        "summary",
        "campaign_details",
    }:
        # "quanto eu economizo se seguir as recomendações?": the cuts' savings summed (was the advice's list,
        # or the help menu); "e se eu não fizer nada?": the same, as what doing nothing forgoes
        intent = replace(
            intent,
            name="recommendations",
            keyword="recommendations",
            ask="savings",
            metric="inaction" if inaction else None,
        )
    if _HEALTH.search(text) and intent.name in {"summary", "top", "help"} and not intent.campaign_id:
        # "minha conta tá saudável?": a verdict first, from the tiers, the anomalies and the CPL's trend
        intent = Intent("summary", keyword="summary", ask="health")
    # "se eu ignorar as recomendações?" asks what happens, it records no decision
    if not inaction and (decision := decision_asked(text)):
        # "ignora a recomendação de pausar", "já aumentei o orçamento da campanha 4": the chat only reads; the
        # decision is recorded in FamaChat (the API's apply/dismiss), said with the advice's ids
        kind = (
            "pause"
            if re.search(r"\b(paus|deslig|desativ|parar\b)", text)
            else "cut"
            if CUT.search(text)
            else "scale"
            if SCALE.search(text)
            else None
        )
        intent = replace(intent, name="decisions", keyword="decisions", ask=decision, metric=kind)
    elif (budget := month_budget_asked(text)) and not (intent.campaign_id or intent.names or intent.day_ref):
        # "vou estourar a verba de 40 mil?", "minha verba mensal é 35k, dá pra fechar o mês?": the month's
        # projected spend against it, Sim/Não first (was the daily budgets' overspend of the last 7 days)
        cap, ask = budget
        intent = Intent("forecast", keyword="forecast", metric="month_end_target", threshold=cap, ask=ask)
    elif budget_total_asked(text) and not intent.campaign_id:
        intent = Intent("budget", keyword="budget", ask="budget_total", accounts_named=intent.accounts_named)
    elif (
        _INVEST_ASKED.search(text)
        and intent.day_ref == "amanha"
        and not intent.campaign_id
        and intent.name in {"recommendations", "forecast"}
    ):
        # "qto devo investir amanhã?" (was the active advice alone): tomorrow's forecast spend, the daily
        # budgets and what the cuts advised save, with no target invented
        intent = replace(intent, name="forecast", keyword="forecast", metric="spend", ask="invest")
    elif left_to_spend_asked(text) and intent.name == "performance" and intent.threshold is None:
        # "quanto falta gastar no mês?": no monthly budget is stored; the month so far and its close instead
        intent = replace(intent, name="forecast", keyword="forecast", metric="month_end", period_ref=None)
        intent = replace(intent, ask="left_to_spend")
    if _RAISE_ASKED.search(text) and intent.name in {"help", "campaign_details"}:
        # "posso dobrar a 8?", "posso aumentar a 8 em 50%?" (no budget word): the scale verdict, as "posso
        # subir a verba da 8?" gets (was her card, or "Não entendi")
        pct = raise_named(text)
        intent = replace(
            intent, name="recommendations", keyword="recommendations", metric="scale", threshold=pct
        )
    if (scenario := budget_scenario(text)) is not None:
        # "se eu subir o orçamento da campanha 4 pra 300 por dia, quantos leads?", "...da conta pra 1500 por
        # dia?": the forecast scaled as arithmetic (was her scale or cut advice, or the budgets' list)
        intent = scenario_intent(intent, scenario)
    intent = _each_campaign(text, intent)
    intent = _account_judged(text, intent)
    if intent.name == "out_of_scope" and intent.metric == "files" and _REPORT.search(text):
        # "manda um relatório": no file is sent, but the report asked is the account's summary, given here in
        # text after the refusal (was the refusal alone)
        intent = replace(intent, name="summary", keyword="summary", metric=None, ask="report")
    if (
        intent.metric == "reactivate"
        and intent.name == "recommendations"
        and (intent.campaign_id or intent.names)
    ):
        # "vale a pena reativar a 13?": as "vale reativar a 13?", its last days against the account's with the
        # verdict first (was its advice listed, no Sim/Não)
        intent = replace(intent, name="campaign_details")
    intent = _frequency_value(text, intent)
    return replace(intent, below_campaign=True) if _BELOW_CAMPAIGN.search(text) else intent


# a raise asked as advice, the budget unsaid: "posso dobrar a 8?", "dá pra aumentar a campanha 4 em 30%?"
_RAISE_ASKED = re.compile(r"\b(?:posso|devo|vale|compensa|da pra)\b.*\b(?:dobr|tripl|aument|sub)\w*\b")

_SATURATION_ASKED = re.compile(r"\bsatur\w*|\bcansad|\bfadiga\b|\bqueimad")


def _frequency_value(text: str, intent: Intent) -> Intent:
    """ "qual a frequência da 17?": the figure asked, said before the saturation verdict (was "Não está
    claro em ..." first, a verdict no one asked for); "a 17 tá saturando?" keeps the verdict first."""
    asked = re.search(r"\b(qual|quanto|quanta|qto|qnto)\b", text) and not _SATURATION_ASKED.search(text)
    if intent.name != "campaign_details" or intent.keyword != "frequency" or intent.ask or not asked:
        return intent
    return replace(intent, ask="frequency_value")


# "tá caro?", "o lead tá caro?": the account's CPL judged, its "Sim" the bad news (was the help menu)
_DEAR = re.compile(r"\bcar[oa]s?\b")
# "tá valendo a pena?", "compensa?": the account's CPL judged, and that the source holds no revenue (was
# the advice listed, no verdict); "vale a pena pausar" and a campaign named are other asks
_WORTH = re.compile(r"\bvale(ndo)? a pena\b|\bcompensa(ndo)?\b")
_ACTION = re.compile(r"\b(aument|escal|dobr|paus|reduz|cort|deslig|desativ|reativ|religar|subir|investir)\w*")
# "devo desligar tudo?", "pausa todas?": the whole account cut
_ALL = re.compile(r"\b(tudo|todas|todos|a conta( toda| inteira)?)\b")


# "ontem foi bom?", "ontem foi ruim?": that day's CPL judged against the days before (was its figures alone)
_DAY_JUDGED = re.compile(r"\b(?:foi|ta|esta|tava|estava)\s+(?:muito\s+)?(bom|boa|bem|ok|ruim|mal|pessimo)\b")


def _account_judged(text: str, intent: Intent) -> Intent:
    if intent.campaign_id or intent.names:
        return intent
    if (
        intent.name in {"performance", "underperformers", "top"}
        and intent.day_ref
        and not intent.period_ref
        and intent.metric in {None, "cpl_high"}
        and not re.search(r"\bcampanhas?\b", text)
        and (judged := _DAY_JUDGED.search(text))
    ):
        high = judged.group(1) in {"ruim", "mal", "pessimo"}
        metric = "cpl_judge_high" if high else "cpl_judge"
        return Intent("performance", keyword="performance", metric=metric, day_ref=intent.day_ref)
    if intent.day_ref or intent.period_ref:
        return intent
    if intent.name == "help" and intent.metric == "unclear" and _DEAR.search(text):
        return Intent("performance", keyword="performance", metric="cpl_judge_high")
    if intent.name == "recommendations" and _WORTH.search(text) and not _ACTION.search(text):
        return Intent("performance", keyword="performance", metric="cpl_judge", ask="worth")
    if (
        intent.name == "recommendations"
        and intent.metric == "cut"
        and _ALL.search(text)
        and intent.ask is None
    ):
        return replace(intent, ask="all")
    return intent


# "gasto por campanha ontem", "quanto cada campanha gastou semana passada", "como estão as campanhas
# ontem": every campaign's figures of the day or period (was the account's total, or the 7-day list)
_EACH_CAMPAIGN = re.compile(r"\b(?:por|cada|p/) campanha\b|\bcampanha (?:a|por) campanha\b")
_REPORT = re.compile(r"\b(relatorio|resumo|report)\w*")
_EACH_FROM = {"performance", "campaign_details", "list_campaigns"}


def _each_campaign(text: str, intent: Intent) -> Intent:
    each = _EACH_CAMPAIGN.search(text) and intent.name in _EACH_FROM
    # "como estão as campanhas", "liste as campanhas": the list, of the day or period asked
    listed = intent.name == "list_campaigns" and intent.metric in {None, "cpl_high"}
    if intent.campaign_id or not (each or listed) or intent.threshold is not None or intent.period_refs:
        return intent
    if not (intent.day_ref or intent.period_ref):
        # "gasto por campanha": the 7 days' list, each campaign's figures (was the account's total)
        return Intent("list_campaigns", keyword="list_campaigns") if each else intent
    return Intent(
        "list_campaigns",
        keyword="list_campaigns",
        metric="spend",
        day_ref=intent.day_ref,
        period_ref=intent.period_ref,
        ask="each",
    )


# "qual foi a pior semana do mês?", "melhor semana em leads": the calendar weeks ranked
# ("qual delas tá melhor semana passada?" names a period, not a ranking of weeks)
_WEEK_RANKED = re.compile(
    r"\b(melhor|pior) semana\b(?! passada| retrasada| anterior| que vem)"
    r"|\bsemana (?:com|de|que teve) (?:mais|menos|maior|menor)\b"
)


# "qual campanha trouxe menos lead?", "e a que menos trouxe?": the fewest leads ranked
_FEWEST_LEADS = re.compile(
    r"\bmenos leads?\b|\bmenos (trouxe|trouxeram|converteu|converteram|gerou)\b"
    r"|\b(trouxe|trouxeram|gerou|converteu) menos\b"
)


# "sábado é bom dia pra anunciar?", "vale anunciar no domingo?": one weekday judged
# "resumo em 3 linhas", "em duas linhas": how many lines a summary may take
_SMALL_NUMBERS = {"uma": 1, "um": 1, "duas": 2, "dois": 2, "tres": 3, "quatro": 4, "cinco": 5}
_LINES_ASKED = re.compile(r"\bem (\d{1,2}|uma|um|duas|dois|tres|quatro|cinco) (?:linhas?|frases?)\b")
_WEEKDAY_INDEX = {"segunda": 0, "terca": 1, "quarta": 2, "quinta": 3, "sexta": 4, "sabado": 5, "domingo": 6}
_WD = r"(segunda|terca|quarta|quinta|sexta|sabado|domingo)(?:-feira| feira)?s?"
_JUDGED = (
    r"(?:bom dia|dia bom|melhor dia|pior dia|dia ruim|vale (?:a pena )?anunciar|compensa anunciar|converte)"
)
_ONE_WEEKDAY = re.compile(
    rf"\b{_WD}\b.*\b{_JUDGED}\b|\b{_JUDGED}\b.*\b(?:n[oa]s?|de|aos?) {_WD}\b"
    # "sábado vale a pena?", "domingo compensa?": the weekday right before the judgement
    rf"|\b{_WD}\s+(?:\w+\s+)?(vale a pena|compensa)\b"
)
# "segunda é melhor que sexta?", "sábado ou domingo?", "terça vs quinta": two weekdays over the 4 weeks
_TWO_WEEKDAYS = re.compile(
    rf"\b{_WD}\b(?:\s+\w+){{0,3}}?\s+(?:(?:melhor|pior)\w*\s+(?:do\s+)?(?:que|q)|ou|vs|versus|contra)"
    rf"\s+(?:[ao]s?\s+|n[ao]s?\s+)?{_WD.replace('(segunda', '(?P<other>segunda')}\b"
)
# "qual o cpl ideal?", "qual deveria ser meu cpl?", "qual a meta de cpl?": a target the data do not hold
_CPL_IDEAL = re.compile(
    r"\b(cpl|custo por lead)\b (ideal|alvo|certo|saudavel|aceitavel|esperado|meta|objetivo)\b"
    r"|\b(meta|alvo|objetivo) (de|do) (cpl|custo por lead)\b"
    r"|\b(deveria|devia) ser (o |meu |nosso )?(cpl|custo por lead)\b"
    r"|\b(cpl|custo por lead)\b.*\b(deveria|devia) ser\b"
    r"|\bquanto (eu )?(deveria|devia|devo|posso) pagar (por|num|em cada|no) lead\b"
)


# "minha conta tá saudável?", "a conta tá bem?", "tá tudo ok na conta?": the account's health judged
_HEALTH = re.compile(
    r"\bconta\b.*\b(saudavel|saude|bem|ok|legal|em ordem)\b"
    r"|\b(saudavel|saude|tudo bem|tudo ok|tudo certo)\b.*\bconta\b"
    # "tá tudo bem?", "tá tudo certo por aqui?": the account asked of (was its summary, no verdict); a bare
    # "tudo bem?" is a greeting (`small_talk`)
    r"|\b(ta|esta|tao|estao)\s+tudo\s+(bem|ok|certo|em ordem)\b"
)


# "acima do dobro da média", "3 vezes a média": the multiple of the account's CPL asked
_MULTIPLES = {"dobro": 2.0, "triplo": 3.0, "quadruplo": 4.0}
_MULTIPLE = re.compile(r"\b(dobro|triplo|quadruplo)\b|\b(\d+(?:[.,]\d+)?)\s*(?:x|vezes)\b")


# the readings a campaign's CPL set against the account's average turns ("compare" asks for 2 campaigns)
_VS_ACCOUNT_FROM = {
    *(
        None,
        "performance",
        "help",
        "summary",
        "top",
        "underperformers",
        "cpl_rank",
        "compare",
        "list_campaigns",
    ),
}


def _vs_account(message: str, text: str, intent: Intent) -> Intent:
    """ "quanto custa um lead na 4 comparado com a média?", "o cpl da campanha 8 tá acima da média da
    conta?": one campaign's CPL against the account's over the same days (ask "vs_account*"), not a
    comparison of 2 to 5 campaigns; `intent` when the question is not that."""
    asked = NEGATED.sub(" ", text)
    ask = vs_account_asked(asked)
    if ask is None or intent.day_ref:
        return intent
    if intent.name not in {"compare", "campaign_details", *_VS_ACCOUNT_FROM}:
        return intent
    if intent.name == "campaign_details" and intent.keyword not in _VS_ACCOUNT_FROM:
        return intent  # "a 4 tá subindo mais que a conta?" and the like keep their own answers
    ids = CAMPAIGN_ID.findall(text)
    # the names read besides: not the account's side ("média da conta"), nor an id already counted (a
    # campaign put in place of "dela" is its id: "o cpl da campanha 1202... tá acima da média?")
    others = [
        n for n in names_asked(text, compare=True) if not vs_account_side(n) and n.split()[0] not in ids
    ]
    if not (ids or others) and ask != "vs_account" and intent.period_ref is None:
        # "quais campanhas tão acima da média de cpl?": those whose 7-day CPL is past the account's (the
        # threshold, read with the account's figures: `with_account_cpl`), or past a multiple of it ("acima
        # do dobro da média": "vs_account:2")
        if not re.search(r"\bcampanhas?\b", asked):
            return intent
        above = ask == "vs_account_above"
        metric = "cpl_above" if above else "cpl_below"
        named = intent.accounts_named
        times = _MULTIPLE.search(asked)
        word = (times.group(1) or times.group(2)) if times else None
        factor = _MULTIPLES.get(word or "", 0.0) or (parse_number(word) if word else 1.0)
        kind = "vs_account" if factor == 1.0 else f"vs_account:{factor:g}"
        return Intent("cpl_rank", accounts_named=named, metric=metric, keyword="cpl_rank", ask=kind)
    if len(ids) + len(others) != 1 or intent.name not in {"compare", "campaign_details"}:
        return intent
    # the comparison's reading keeps no period: "o cpl da 4 esse mês comparado com a conta" names one
    period = intent.period_ref or (found.group(0) if (found := PERIOD_REF.search(text)) else None)
    return Intent(
        "campaign_details",
        ids[0] if ids else None,
        None,
        intent.accounts_named,
        () if ids else names_asked(text),
        period_ref=period,
        metric="cpl",
        keyword="performance",
        name_like=looks_like_name(message),
        ask=ask,
    )


# "qual a participação da 4 no gasto?", "quantos % dos leads vem da 4?": a campaign's share of the account's
_SHARE = re.compile(
    r"\b(participacao|fatia|porcentagem|percentual|share|representa)\b|\bquant[oa]s? ?(%|por cento)"
    r"|\bque (%|por cento)|\b(%|por cento) d[oa]s?\b"
)


def _share(text: str, intent: Intent) -> Intent:
    """One campaign's share of the account's spend and leads (ask "share"; metric "spend" or "leads" for
    the one named first), over the 7 days or the period asked; `intent` when that is not asked."""
    named = intent.campaign_id or intent.names
    if not _SHARE.search(text) or intent.name != "campaign_details" or not named or intent.day_ref:
        return intent
    figure = figure_named(text)
    metric = figure if figure in {"spend", "leads"} else None
    return replace(intent, keyword="performance", metric=metric, ask="share")


# "qual o cpl se eu tirar a 26?", "cpl da conta sem a campanha 13": the account's CPL less that campaign
_WITHOUT = re.compile(
    r"\b(?:tirar|tirasse|tirando|tira|excluir|excluindo|desconsiderar|desconsiderando|sem contar|sem)\s+"
    r"(?:a\s+|o\s+)?(?:campanha\s+)?\d"
)


def _without(text: str, intent: Intent) -> Intent:
    """The account's CPL with one campaign's spend and leads taken out (ask "without"), over the 7 days or
    the period asked; `intent` when that is not asked."""
    named = intent.campaign_id or intent.names
    if intent.name != "campaign_details" or not named or intent.day_ref or not _WITHOUT.search(text):
        return intent
    if not re.search(r"\bcpl\b|custo por lead|\bconta\b", text):
        return intent
    return replace(intent, keyword="performance", metric="cpl", ask="without")


# the buyers' other words for what the patterns read: "qual o cpa?", "custo por resultado", "custo por
# conversão" name the CPL on a lead account (a lead is its result); "tx" is "taxa"
_SYNONYMS = (
    (re.compile(r"\bcpa\b|\bcusto por (?:aquisicao|resultado|conversao|cadastro|contato)\b"), "cpl"),
    (re.compile(r"\btx\b"), "taxa"),
    # "quanto gastei de sexta pra cá?", "do dia 20 até hoje": "desde sexta" (was that one day alone)
    (
        re.compile(
            r"\b(?:de|do|da)\s+((?:segunda|terca|quarta|quinta|sexta)(?:[- ]feira)?|sabado|domingo|ontem"
            r"|anteontem|dia \d{1,2}|\d{1,2}/\d{1,2}(?:/\d{2,4})?)\s+(?:pra|para|ate) (?:ca|hoje|agora)\b"
        ),
        r"desde \1",
    ),
)


def buyer_words(text: str) -> str:
    """A normalized question with the buyers' other words read as the ones the patterns know ("5 de
    novembro" as "5/11": `dates_in_words`)."""
    for pattern, word in _SYNONYMS:
        text = pattern.sub(word, text)
    return dates_in_words(text)


# "se eu reduzir 20% o orçamento": a budget cut by a percentage
_BUDGET_CUT = re.compile(r"\b(?:reduz|baix|diminu|cort)\w*\b.*\b(?:orcamento|verba|budget|investimento)\b")
# "campanha 4 x campanha 8": two campaigns compared, as "vs" (an "x" before a number alone is a multiple)
_VERSUS_X = re.compile(r"\s+x\s+(?=(?:a\s+)?campanha\b)", re.IGNORECASE)


# "a 31 tá pausada?", "e a 12 parada, vale reativar?": a number alone before a pause word, a campaign's
_PAUSED_NUMBER = re.compile(
    r"^(\s*(?:e\s+)?(?:a|o)\s+)(\d{1,6})(?=\s+(?:t[aá]|est[aá]|ficou|segue)?\s*(?:pausad|parad))",
    re.IGNORECASE,
)


def _classify(message: str) -> Intent:
    message = REACTIVATE_NUMBER.sub(r"\1campanha \2", fix_campaign_typos(message), count=1)
    if REACTIVATE.search(normalize(message)):  # "a 31 tá pausada? vale religar?": Campanha 31 asked
        message = _PAUSED_NUMBER.sub(r"\1campanha \2", message, count=1)
    message = _VERSUS_X.sub(" vs ", message)
    text = buyer_words(normalize(message))
    asked = NEGATED.sub(" ", text)
    ids = CAMPAIGN_ID.findall(text)
    cid = ids[0] if ids else None
    named = accounts_named(text)
    day = DAY_REF.search(text)
    day_ref = day.group(0) if day else None
    period = PERIOD_REF.search(text)
    if period and (period.group(7) or period.group(12)):
        day_ref = None  # a range's first day is not the day asked
    period_ref = period.group(0) if period else None
    if period and period.group(7) and re.search(r"\bsemana passada\b", text):
        period_ref += LAST_WEEK_RANGE  # "de seg a sex semana passada": those days of last week
    if period is None and WEEK_BEFORE_LAST.search(text):  # "quanto gastei semana retrasada?"
        period_ref = WEEK_BEFORE_LAST_REF
    if period_ref is None and day_ref is None and ALL_TIME.search(text):
        period_ref = ALL_TIME_REF
    if period_ref is None and day_ref is None and THIS_YEAR.search(text):
        period_ref = YEAR_REF
    extra = {"period_ref": period_ref, "metric": weighed_metric(text)}
    matched = keyword_intent(text)
    rate_judge = None if cid or named else rate_judge_metric(asked)
    # "o cpm tá ruim?": "ruim" is the underperformers' word, but no campaign is asked: the account's rate
    judged_words = {None, "help", "performance", "trends", "anomalies"}
    if not re.search(r"\bcampanh|\bqua(l|is)\b", asked):
        judged_words.add("underperformers")
    if rate_judge and not day_ref and matched in judged_words:
        matched = "performance"
    else:
        rate_judge = None
    if day_ref == "amanha" and matched in {None, "performance"}:
        matched = "forecast"  # tomorrow's figures are a forecast ("quantos leads amanhã?")
    elif matched is None and (day_ref or period_ref):
        matched = "performance"  # "como foi novembro?", "leads de hoje": that day's or period's figures
    if matched == "cpl_rank" and (limit := CPL_LIMIT.search(asked)):
        below = limit.group(1) in {"abaixo", "menor", "inferior", "mais baixo"}
        extra["metric"] = "cpl_below" if below else "cpl_above"
        extra["threshold"] = parse_number(limit.group(2))
        if not re.search(r"\b(campanhas?|qual|quais)\b", asked):
            extra["ask"] = "account_too"  # "o cpl tá acima de 25?": the account's CPL answered first
    elif matched == "cpl_rank" and (at := CPL_AT.search(asked)):
        # "o cpl tá a 30?" (was the 7 days' trend, the 30 ignored): as "o cpl tá acima de 30?"
        extra.update(metric="cpl_above", threshold=parse_number(at.group(1)))
        if not re.search(r"\b(campanhas?|qual|quais)\b", asked):
            extra["ask"] = "account_too"
    if matched == "forecast" and (MONTH_END.search(asked) or MONTH_AHEAD.search(asked)):
        # "fim do mês" is no period of the past; "quantos leads até o fim do mês?" leads with the leads
        extra.update(metric="month_end_leads" if leads_asked(asked) else "month_end", period_ref=None)
        if extra["metric"] == "month_end" and (target := month_target(asked)) is not None:
            # "quanto posso gastar por dia pra fechar em R$ 50 mil?": what is left per day, said first
            extra.update(metric="month_end_target", threshold=target)
    # "quantos leads faltam pra bater 600 no mês?": the leads named before the number count too
    if not cid and (goal := LEADS_TARGET.search(asked)) and re.search(r"\blead", asked):
        # "quanto falta pra bater 2000 leads no mês?": what is left, and whether the forecast gets there
        matched, period_ref = "forecast", None
        goal_n = parse_number(goal.group(1)) * magnitude(goal.group(2))
        # a month named ("em novembro") is checked against today's month by the facts (`_goal_month`)
        month = goal_month(asked, goal)
        past = "goal_past" if month and GOAL_PAST.search(asked) else None
        extra.update(metric="month_end_leads", threshold=goal_n, period_ref=month, ask=past)
    if matched == "forecast" and SCALE.search(asked) and (raise_pct := raise_named(asked)) is not None:
        # "se eu aumentar 20% o orçamento, quantos leads vou ter?" ("se eu dobrar": +100%): the forecast is at
        # the current budget, the budget's change only scales it as arithmetic (`budget_scaled`)
        extra.update(metric="budget_scaled", threshold=raise_pct)
    elif matched == "forecast" and _BUDGET_CUT.search(asked) and (cut_pct := percent_named(asked)):
        # "se eu reduzir 20% o orçamento, quantos leads?": the same arithmetic, down (was the forecast alone)
        extra.update(metric="budget_scaled", threshold=-min(cut_pct, 100.0))
    if REACTIVATE.search(asked):  # "vale reativar a 31?": its figures while it ran, against the account's
        extra["metric"] = "reactivate"
    if (two := _TWO_WEEKDAYS.search(asked)) and not cid and not re.search(r"\bpassad|\bultim", asked):
        # "segunda é melhor que sexta?": the two weekdays' CPLs over the 4 weeks (was the best campaign on
        # the last Monday)
        matched, day_ref = "weekday", None
        extra["ask"] = f"weekdays:{_WEEKDAY_INDEX[two.group(1)]}:{_WEEKDAY_INDEX[two.group('other')]}"
    elif (one := _ONE_WEEKDAY.search(asked)) and not cid and not re.search(r"\bpassad|\bultim", asked):
        # "sábado é bom dia pra anunciar?": that weekday's place among the 4 weeks' weekdays, not last
        # Saturday's figures
        matched, day_ref = "weekday", None
        extra["ask"] = f"weekday:{_WEEKDAY_INDEX[one.group(1) or one.group(2) or one.group(3)]}"
    if not cid and (weekend := weekend_asked(asked)) is not None:
        # "cpl do fim de semana ta pior que dia de semana?", "o cpm do fds é mais caro?": Saturday and
        # Sunday against Monday to Friday over the 4 weeks, by the figure asked (not last weekend's figures)
        matched, day_ref, period_ref = "weekday", None, None
        extra.update(ask=weekend, period_ref=None)
    if matched == "weekday":  # best first: the lowest CPL, unless the most leads or the worst is asked
        worst = re.search(r"\bpior|\bmaior (cpl|custo)|mais car[oa]|(cpl|custo por lead) mais alto", asked)
        most = re.search(r"mais leads|mais trouxe|converte mais|mais conversao|mais conversoes", asked)
        # "converte mais barato", "gera mais lead barato": the cost named ranks by the CPL, not the leads
        cost = re.search(r"\bcpl\b|custo|barat|car[oa]s?\b", asked)
        extra["metric"] = "leads" if most and not cost else "cpl_high" if worst else "cpl_low"
        if figure_named(asked) == "cpm" and not (extra.get("ask") or "").startswith("weekend"):
            # "qual dia da semana o cpm é mais barato?": the weekdays by their CPM, the cheapest first
            extra["metric"] = "cpm_high" if worst else "cpm_low"
    if matched == "anomalies" and day_ref == "hoje" and not WHY.search(asked):
        # "cadê os leads de hoje?", "o que aconteceu hoje?": anomalies are found on complete days only;
        # today's figures so far are what there is to say
        matched = "performance"
        extra["metric"] = "leads" if re.search(r"\blead", asked) else extra["metric"]
    if matched == "anomalies":
        cpl_named = re.search(r"\bcpl\b|custo por lead", asked)
        if not (cpl_named or WHY.search(asked)):
            extra["metric"] = "list"  # "teve alguma anomalia?": the anomalies first, no CPL factors
        elif cpl_named and re.search(rf"\b({MOVES['up']})\b", asked):
            extra["metric"] = "cpl_up"  # "por que o CPL subiu?": said first when it did not
            if WHY.search(asked) and not extra.get("ask"):
                extra["ask"] = "why"  # the cause asked, not whether it rose: no "Sim" first
    if not cid and re.search(
        r"\bmais gast\w* e menos leads?\b|\bgast\w* muito e (traz|gera|tem|da) pouco"
        # "qual campanha gastou mais e trouxe menos?": the same ask, in the verbs
        r"|\bgast\w* mais e (trouxe|traz|gerou|gera|converteu|teve|deu) menos\b",
        asked,
    ):
        # "qual campanha tem mais gasto e menos lead?": money per lead, the highest CPL first (not the spend)
        matched, extra["metric"] = "cpl_rank", "cpl_high"
    elif not cid and _FEWEST_LEADS.search(asked) and re.search(r"\b(qual|quais)\b", asked):
        # "qual campanha trouxe menos lead no mês?": the spenders by their leads, fewest first (over the 7
        # days when no day nor period is named), not the account's total
        matched, extra["metric"] = "top", "leads_low"
        if day_ref is None and period_ref is None:
            period_ref = extra["period_ref"] = "ultimos 7 dias"
    if (
        matched in {None, "list_campaigns", "top", "performance", "cpl_rank", "summary"}
        and not cid
        and NO_LEADS.search(asked)
        and re.search(r"\bcampanhas?\b", asked)
    ):
        # "qual a campanha que mais gastou sem trazer lead?": those spending with no lead, not the top spend
        matched = "underperformers"
    if matched == "underperformers" and NO_LEADS.search(asked):
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
        extra["metric"] = day_rank_metric(asked)
    if matched == "recommendations" and CUT.search(asked) and not re.search(LOWER_CPL, asked):
        extra["metric"] = "cut"  # "qual campanha devo pausar?": the pause and decrease advice first
    elif matched == "recommendations" and (SCALE.search(asked) or re.search(r"\b(aumentar|dobrar)\b", asked)):
        extra["metric"] = "scale"  # "posso aumentar o orçamento da Campanha 4 em 50%?": yes or no first
        if pct := PCT.search(asked):
            extra["threshold"] = parse_number(pct.group(1))
    if rate_judge:
        extra["metric"] = rate_judge
    elif matched == "performance" and CPL_JUDGE.search(asked):
        # "tá alto?" asks the other way round from "tá bom?": its "Sim" is the bad news
        high = re.search(r"\b(alto|caro|ruim)\b", asked) and not re.search(r"\b(bom|boa|ok)\b", asked)
        extra["metric"] = "cpl_judge_high" if high else "cpl_judge"
    elif matched == "performance" and extra["metric"] == "cpl_high" and leads_asked(asked):
        extra["metric"] = "leads"  # "qnts leads essa semana?": the leads first
    elif matched in {"performance", "forecast"} and extra["metric"] == "cpl_high" and cpl_asked(asked):
        extra["metric"] = "cpl"  # "qual o cpl dela semana passada?": the CPL first
    elif matched in {"performance", "forecast"} and extra["metric"] == "cpl_high" and spend_asked(asked):
        # "qnto gastei ontem na campanha 4?" (then "e amanhã?"): the spend, kept for its forecast
        extra["metric"] = "spend"
    if extra["metric"] != "month_end_leads":
        matched, shaped = shape_asks(asked, matched, extra["metric"])
        extra.update(shaped)
    span = beyond_week(asked)
    if span and matched in {None, "performance"} and not period_ref and not day_ref:
        matched = "forecast"  # "quantos leads nos próximos 30 dias?" (was the last 7 days' figures)
    if matched == "forecast" and not extra.get("ask") and span:
        # "previsão do mês que vem" (was the next 7 days, unsaid): the stored forecast's span said first
        extra["ask"] = f"beyond:{span}"
    if not cid and _CPL_IDEAL.search(asked):
        # "qual o cpl ideal pra essa conta?": no target is stored, said so, then what the data support
        matched, day_ref, period_ref = "performance", None, None
        extra.update(metric="cpl_judge", ask="ideal", period_ref=None)
    days = tuple(dict.fromkeys(m.group(0) for m in DAY_REF.finditer(text)))
    if day_ref is not None and len(days) > 1:  # "ontem e anteontem": each day, in the order asked
        extra["day_refs"] = days
    if matched == "out_of_scope":
        extra["metric"] = out_of_scope_kind(asked)
    if matched == "tier":
        extra["metric"] = tier_metric(asked)
    if matched == "list_campaigns" and (over := SPEND_OVER.search(asked)):
        # "quais campanhas gastaram mais de R$ 500 essa semana?": exactly those, not the top 5 by spend
        extra.update(metric="spend", threshold=parse_number(over.group(1)) * magnitude(over.group(2)))
    # ("qual campanha tem o ctr mais baixo?" reads as the CTR's figure first: a campaign asked ranks them)
    if (
        (
            matched in {"top", "underperformers", "cpl_rank"}
            or (matched == "performance" and _A_CAMPAIGN.search(asked))
        )
        and figure_named(asked) == "ctr"
        and re.search(r"\b(qual|quais|alguma|algumas)\b", asked)
        and (rank := _CTR_RANK.search(asked))
    ):
        if limit := re.search(r"\b(?:abaixo|acima) de (\d+(?:[.,]\d+)?)\s*%?", asked):
            extra["threshold"] = parse_number(limit.group(1))  # "ctr abaixo de 1%": those only
        # "qual campanha tem o melhor CTR?": the campaigns by their 7-day CTR, not the tiers by CPL;
        # "quais campanhas tão com ctr ruim?": the lowest first (not the underperformers by their CPL)
        best = rank.group(1) in {
            "melhor",
            "maior",
            "mais alto",
            "bom",
            "bons",
            "alto",
            "altos",
        } or rank.group(1).startswith("acima")
        matched, extra["metric"] = "cpl_rank", "ctr_high" if best else "ctr_low"
        cid, names = None, ()
    if (
        (rate := figure_named(asked)) in {"cpm", "cpc"}
        and not cid
        and day_ref is None
        and not re.search(
            r"\b(?:melhor|pior|melhores|piores) campanhas?\b", asked
        )  # "o cpc da melhor campanha"
        and (
            (
                (_A_CAMPAIGN.search(asked) or matched in {"top", "underperformers", "cpl_rank"})
                and _CPM_RANK.search(asked)
            )
            or re.search(r"\b(por|de cada|cada) campanha\b", asked)
        )
    ):
        # "qual campanha tem o cpm mais caro?", "cpm por campanha": the campaigns by their CPM from the
        # source (impressions per campaign and day are there), the 7 days unless a period is asked; not the
        # account's CPM alone; the dearest first unless the cheapest is asked
        rank = _CPM_RANK.search(asked)
        low = bool(rank) and rank.group(1).startswith(
            ("menor", "mais barat", "mais baix", "melhor", "barat", "baix")
        )
        matched, extra["metric"] = "cpl_rank", f"{rate}_low" if low else f"{rate}_high"
        extra["period_ref"] = period_ref = period_ref or "ultimos 7 dias"
        cid, names = None, ()
    if not cid and _A_CAMPAIGN.search(asked) and _SPEND_LEAST.search(asked):
        # "qual campanha gastou menos?": the campaigns by their spend, the least first (those that spent),
        # from the source over the 7 days unless a period is asked; not the list by most spent
        matched, extra["metric"] = "list_campaigns", "spend_low"
        extra["period_ref"] = period_ref = period_ref or "ultimos 7 dias"
        cid, names = None, ()
    if matched in {"top", "underperformers", "cpl_rank", "list_campaigns"} and (top := TOP_N.search(asked)):
        extra["limit"] = max(1, min(int(top.group(1) or top.group(2)), 20))
    if matched == "summary" and (short := _LINES_ASKED.search(asked)):
        # "me dá um resumo em 3 linhas": that many lines, the account's figures first (was 6)
        extra["limit"] = _SMALL_NUMBERS.get(short.group(1)) or max(1, min(int(short.group(1) or 1), 20))
    if matched == "roi":
        money_text = DAY_REF.sub(" ", ACCOUNT_REF.sub(" ", CAMPAIGN_ID.sub(" ", text)))
        money_text = re.sub(r"\bcampanha\s+\S+", " ", money_text)  # "campanha 3" is no money
        numbers = numbers_in(money_text)
        # "quantas vendas eu fiz ontem?": that the data hold no sales, said first
        sales = "sales" if re.search(r"\bvend(?:as?|i|emos|eu|eram)\b", asked) else None
        value = numbers[0] if numbers else None
        return Intent("roi", cid, value, named, names_asked(text), period_ref=period_ref, ask=sales)
    if not cid and (vs := VS_LAST_MONTH.search(asked)):
        # "a conta tá pior que mês passado?": this month so far against last month, the verdict first
        verdict = PERIODS_VERDICTS[0 if next(g for g in vs.groups() if g) == "pior" else 1]
        return replace(_periods_intent(None, (), ("mes passado", "esse mes"), named, False), metric=verdict)
    if vs := VS_LAST_WEEK.search(asked):
        # "a conta tá melhor que semana passada?": the CPL of this week's days (last week's on a Monday)
        # against the same weekdays of the week before, Sim/Não first; not the best campaign of last week.
        # "a campanha 5 tá melhor que semana passada?": hers the same way (was her last week's figures)
        move = "worse" if vs.group(1) == "pior" else "better"
        one, like = (() if cid else names_asked(text)), looks_like_name(message)
        if not (cid or one):
            return Intent("trends", accounts_named=named, metric=f"week_cpl_{move}", keyword="trends")
        if cid or like:
            return Intent(
                "trends", cid, None, named, one, keyword="trends", name_like=like, metric=f"week_cpl_{move}"
            )
    if not cid and (
        more := re.search(r"\b(mais|menos)\b.*\b(?:do\s+)?(?:que|q) (?:a |na )?semana passada\b", asked)
    ):
        # "gastei mais que semana passada?": this week's days against the same days of last week, Sim/Não
        # first when the figure is named (was the two weeks' figures with no verdict)
        figure = (
            "leads"
            if leads_asked(asked)
            else "cpl"
            if cpl_asked(asked)
            else "spend"
            if re.search(r"\bgast|\binvest", asked)
            else None
        )
        # "o cpl tá mais barato que semana passada?": a cheaper CPL is one that went down
        up = (more.group(1) == "mais") != (figure == "cpl" and bool(re.search(r"\bbarat", asked)))
        return Intent(
            "trends",
            accounts_named=named,
            period_ref="essa semana",
            metric=f"week_{figure}_{'up' if up else 'down'}" if figure else "calendar_week",
            keyword="trends",
        )
    if periods := periods_compared(asked):
        # "semana passada vs retrasada", "outubro vs novembro": two periods side by side, the account's or
        # one campaign's ("campanha 12 semana passada vs retrasada"), or each of several campaigns' ("campanha
        # 3 e 5 semana passada vs retrasada": their names read with the periods' words taken out)
        several = names_asked(without_periods(text), compare=True)
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
        found = _periods_intent(cid, names, periods, named, looks_like_name(message))
        if (rate := figure_named(asked)) in PERIODS_RATES:
            # "cpm de outubro vs novembro": that rate's move first, as "e o cpm?" after them (was left out)
            found = replace(found, metric=f"periods_{rate}")
        if (judged := PERIODS_JUDGED.search(asked)) and not (cid or names):
            # "o cpl de novembro foi melhor q outubro?": the verdict first, of the first period asked
            verdict = PERIODS_VERDICTS[0 if judged.group(1) == "pior" else 1]
            found = replace(found, metric=verdict, ask="first_judged")
        return found
    if matched == "compare":
        # "compara a 24 com a 26 no mês": that period's figures of each (its words are no campaign's name)
        names = names_asked(without_periods(text) if period_ref else text, compare=True)
        verdict = verdict_asked(asked)  # "qual das duas tá melhor, 46 ou 55?": the verdict first
        # "qual a diferença de cpl entre a 4 e a 8?": the gap between the two CPLs said first
        gap = "difference" if re.search(r"\bdiferenca\b", asked) else None
        if not (verdict or gap or re.search(r"\bmelhor|\bpior", asked)):
            # "a 4 gastou mais que a 8?", "a 12 tem cpl maior que a 17?": Sim/Não on that figure first
            # (`figure_compared`), never the verdict by the CPL
            other = _OTHER_FIGURE.search(asked) and not _CPL_OR_VERDICT.search(asked)
            gap = figure_compared(asked) or ("figure_named" if other else None)
        return Intent(
            "compare",
            None,
            None,
            named,
            names,
            day_ref,
            tuple(ids),
            period_ref=period_ref,
            metric=verdict,
            ask=gap,
        )
    names = () if cid else names_asked(text)
    like = looks_like_name(message)
    trend = trend_asked(asked)
    if matched == "trends":
        if THIS_WEEK.search(asked):
            extra["metric"] = "calendar_week"  # "essa semana vs a passada": the calendar weeks
        elif trend:
            extra["metric"] = f"trend_{trend[0]}_{trend[1]}"
        elif figure := trend_metric_named(asked):
            extra["metric"] = f"trend_{figure}_either"  # "qual a tendência de leads?": that figure first
    # "o cpl ta melhorando?", "o ctr tá piorando?": the account's figure asked, its move, not the best or
    # worst campaigns that "melhor"/"pior" would list ("qual campanha ... melhorando?" still lists them)
    # "cpl ta subindo?", "os leads estão caindo?", "o gasto ta subindo?": the account's CPL, leads or spend
    # asked a move over the 7 days, answered yes or no first (not the figures alone, nor "não entendi")
    account_move = (
        # "o cpl caiu?" (was the anomalies with no Sim/Não: "caiu" reads as an alert's word), not a why
        (matched in {None, "performance"} or (matched == "anomalies" and trend and trend[1] == "down"))
        and not WHY.search(asked)
        and day_ref is None
        and period_ref is None
        and trend is not None
        and trend[0] in {"cpl", "leads", "spend"}
    )
    # "o ctr ta caindo?", "o cpm ta subindo?": the rate's 7-day answer (as "o CTR caiu?" always was) with
    # the yes or no of the move asked said first in it
    if (
        matched == "performance"
        and extra["metric"] in {"ctr", "cpm", "cpc"}
        and day_ref is None
        and period_ref is None
        and not (cid or names)
        and trend is not None
        and trend[1] in {"up", "down"}
    ):
        extra["ask"] = f"move_{trend[1]}"
    if (
        (matched in {"top", "underperformers"} or account_move)
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
    # "qual campanha mais melhorou?", "quais campanhas pioraram?": which campaigns moved, not the account's
    # move answered "Sim"/"Não"; the campaigns over the calendar weeks (the 7 days on a Monday), dates said
    # "quais campanhas mais caíram em leads?", "qual campanha mais caiu em leads?": the move in the plural
    # or after the figure too, read for the campaigns (the account's trend reads only "leads ... caiu")
    which = campaigns_move_asked(asked)
    if (
        matched in {None, "trends", "performance", "top", "underperformers", "anomalies"}
        and not cid
        and not (names and like)
        and day_ref is None
        and period_ref is None
        and which is not None
        and which[0] in {"cpl", "leads", "spend"}
        and which[1] != "either"
        and (which[0] != "spend" or which[1] in {"up", "down"})
    ):
        matched, extra["metric"], names = "trends", f"week_{which[0]}_{which[1]}_which", ()
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
            if figure_named(asked) is None:  # "qual campanha mais caiu essa semana?": got worse
                extra["metric"] = f"week_cpl_{campaign_fell(week_change[1])}"
            extra["metric"] += "_which"
            names = ()
    # "por que o CPL subiu essa semana?": the anomalies of the week, the move explained over the same weeks
    elif matched == "anomalies" and (why := why_this_week(asked)):
        extra["metric"] = f"week_{why[0]}_{why[1]}"
    elif (
        matched == "anomalies"
        and day_ref is None
        and period_ref is None
        and not (cid or (names and like))
        and (why := why_moved_unperioded(asked))
    ):
        # "por que o gasto caiu?": the spend's or the leads' move over the calendar weeks, said first (was
        # the 7 days' CPL explained)
        extra["metric"], extra["period_ref"] = f"week_{why[0]}_{why[1]}", "essa semana"
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
    elif day_move_asked(asked, matched, day_ref, period_ref) == "day_what" and "ask" not in extra:
        # "o que aconteceu com a campanha 9 ontem?": its card, the day judged against its own days first
        extra["ask"] = "day_what"
    if (
        not (cid or (names and like))
        and matched == "anomalies"
        and day_ref in {"hoje", "hj"}
        and period_ref is None
        and WHY.search(asked)
        and cpl_asked(asked)
    ):
        # "por que o cpl subiu hoje?": today so far against the usual days (was the 7 days' anomalies)
        up, down = (re.search(rf"\b({MOVES[k]})\b", asked) for k in ("up", "down"))
        extra["metric"] = f"today_cpl_{'up' if up else 'down' if down else 'either'}"
    if extra.get("metric") in _RATES and (more := tuple(r for r in _RATES if re.search(rf"\b{r}\b", asked))):
        extra["rates"] = tuple(r for r in more if r != extra["metric"])  # "o ctr e o cpm": both
    if matched in {"trends", "anomalies"} and not (extra.get("ask") or day_ref) and what_happened(asked):
        extra["ask"] = "what_happened"  # "o ctr da 17 despencou, o que houve?": her alerts after her move
    # words after "campanha" that name nothing never end in the help menu: the campaigns are listed
    keyword = matched or ("list_campaigns" if names and not like else "help")
    if matched is None and not (cid or names or day_ref or period_ref or REACTIVATE.search(asked)):
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
