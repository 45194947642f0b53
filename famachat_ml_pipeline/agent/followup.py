"""Follow-up questions in a chat, offline: "e da campanha 5?", "e anteontem?", "e o gasto?".

A buyer's follow-up names only what changes. `resolve_followup` reads it against the last question of the
thread: that question's intent (re-classified from its text, itself resolved when it was a follow-up too),
with only the day or period, the campaign or the figure the follow-up names replaced. Pure: no database.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from famachat_ml_pipeline.agent.followup_ordinal import (
    bare_why,
    place_asked,
    ranked_place,
    why_advice,
    why_card,
    why_ranked,
)
from famachat_ml_pipeline.agent.intents import (
    CAMPAIGN_INTENTS,
    WHICH_CAMPAIGN,
    Intent,
    classify_intent,
)
from famachat_ml_pipeline.agent.intents_asks import month_end_asked
from famachat_ml_pipeline.agent.intents_budget_scenario import budget_scenario, scenario_intent
from famachat_ml_pipeline.agent.intents_keywords import keyword_intent
from famachat_ml_pipeline.agent.intents_numbers import MAGNITUDE, magnitude, parse_number, percent_named
from famachat_ml_pipeline.agent.intents_periods import PERIODS_RATES, periods_asked
from famachat_ml_pipeline.agent.intents_reroutes import DAYS_COMPARED, TRACKING_ASKED, delivery_asked
from famachat_ml_pipeline.agent.intents_talk import normalize, term_asked
from famachat_ml_pipeline.agent.intents_trends import figure_named, trend_asked
from famachat_ml_pipeline.agent.intents_verdicts import verdict_asked, vs_account_asked
from famachat_ml_pipeline.agent.intents_weekend import WEEKEND_FIGURES
from famachat_ml_pipeline.agent.types import ChatTurn

MAX_DEPTH = 5  # follow-ups of follow-ups read back at most this far (a thread keeps 20 messages)
MAX_WORDS = 8  # "e a campanha 3 ontem?": a follow-up starting with "e" is short
MAX_BARE_WORDS = 3  # "anteontem?", "campanha 5?", "semana passada?": without "e", shorter still
# the earlier questions nothing can be carried from
_UNUSABLE = {"help", "out_of_scope"}
# the figures a figures' answer can lead with when a follow-up names them (the spend is the plain line)
_LEADING_FIGURES = frozenset({"leads", "cpl", "ctr", "cpm", "cpc"})
# the answers of one campaign's figures over a day or a period ("e ela trouxe quantos leads?")
_FIGURES_OF_ONE = frozenset({"campaign_details", "performance"})
# the figures a forecast has ("qnto gastei ontem na campanha 4?" then "e amanhã?": its spend's forecast)
_FORECAST_FIGURES = frozenset({"spend", "leads", "cpl"})
# a forecast asked with no verdict or scenario: its figure first is all a follow-up's figure changes
_PLAIN_FORECAST = frozenset({None, "cpl_high", "spend", "leads", "cpl"})
# "e na conta toda?", "e no geral?": the last question again, for the whole account
_ACCOUNT_WIDE = re.compile(r"^e (?:na|a|da|pra|para a) conta(?: toda| inteira| geral)?\b|^e no geral\b")
_WORD = re.compile(r"\w+")
# "e se valer 50?", "e com r$ 120 por lead?": another value of a lead for the ROI asked before
_VALUE_FOLLOWUP = re.compile(
    r"^e (?:se (?:valer|for|o lead valer)|com|a) (?:r\$\s*)?(\d+(?:[.,]\d+)?)(?!\s*%)"
    r"(?: reais)?(?: por lead)?\W*$"
)
# "e se for 50%?", "e com 30%?": another budget change for the scenario asked before
_PCT_FOLLOWUP = re.compile(r"^e (?:\w+ ){0,3}?\d+(?:[.,]\d+)?\s*(?:%|por cento)\W*$")
# the intents weighing a budget's change by a percentage (`threshold`)
_PCT_METRICS = {"budget_scaled", "scale"}
# "não, a campanha 15", "não, era a 15", "não é a 3, é a 15", "errei, é a 15", "na verdade a 15", "ah, é a
# campanha 4": a correction names what the last question should have named. Its leading words (a marker, the
# wrong one negated, "é"/"era"/"quis dizer") are dropped, so that what is left reads as short as a follow-up.
_MARKER = r"(?:n[aã]o|errei|ops|opa|ah|foi mal|desculp[ae]|perd[aã]o|corrigindo|na verdade)"
# "não é a 3," / "não é a 3 é a 15": the wrong one negated, up to a comma or the "é" that names the right one
_WRONG = (
    r"n[aã]o\s+(?:(?:é|e|era|foi)\s+(?:(?:a|o|da|na)\s+)?|(?:a|o|da|na)\s+)[^,;]+?"
    r"(?:\s*[,;]\s*|\s+(?=(?:é|e|era|mas)\s))"
)
_CORRECTION = re.compile(
    rf"^\s*(?:{_WRONG}|{_MARKER}\b[,.!]*\s*)+"
    r"(?:(?:mas\s+)?(?:(?:eu\s+)?quis\s+dizer|é|e|era)\s*[,.!]?\s+(?=\w))?",
    re.IGNORECASE,
)
# "e a 22?", "e da 55?", "a 23": after an article, a number alone in a follow-up is a campaign's number
_ARTICLE_NUMBER = re.compile(r"^((?:e\s+)?(?:a|da|na|pra)\s+)(\d{1,6})(?![/\d.,%])", re.IGNORECASE)
# "pq o cpl dela subiu?", "e ela?", "nessa campanha": the campaign named last in the thread ("ele" alone is
# left out: "o CPL, ele subiu?" names the CPL)
_PRONOUN = re.compile(
    r"\b(?:(d)(?:el[ae]|essa campanha|esta campanha)|(n)(?:el[ae]|essa campanha|esta campanha)"
    r"|ela|essa campanha|esta campanha)\b",
    re.IGNORECASE,
)
# "qual delas tá melhor?", "qual das duas gastou mais?": the campaigns named last, together
_PLURAL = re.compile(r"\b(?:delas|nelas|elas|ambas|(?:d?as|n?as) (?:duas|tres))\b", re.IGNORECASE)
# the questions that weigh campaigns against each other (or their figures): asked of "delas", a comparison
_WEIGHED = {"top", "underperformers", "compare", "cpl_rank", "performance", "list_campaigns"}
# a campaign's id in an answer ("“[LEAD] Campanha 26 - Público 5” (120200000070000026)")
_ANSWER_ID = re.compile(r"\((\d{6,30})\)")
_CAMPAIGN_ID_ONLY = re.compile(r"\d{6,30}")  # an id as answers write it, not a number asked ("3")
# a campaign's details answer: its status line, after the day's or period's figures when one was asked
_HEAD_ID = re.compile(r"^“[^”\n]*” \((\d{6,30})\), status", re.MULTILINE)
# "qual delas tá melhor?" answered: "Melhor: “…” (id), CPL …": the one campaign the verdict singles out
_VERDICT = re.compile(r"^(?:Melhor|Pior): ")


def _reworded(message: str) -> str:
    """The follow-up as it would be asked in full: a leading "não," dropped, a bare number after an
    article made "campanha N" ("não, a 23" -> "a campanha 23")."""
    text = _CORRECTION.sub("", message, count=1)
    return _ARTICLE_NUMBER.sub(r"\1campanha \2", text.strip(), count=1)


def _what_it_names(message: str) -> tuple[Intent, str | None]:
    """The follow-up's own reading (its day, period, campaign) and the figure it names."""
    return classify_intent(message), figure_named(normalize(message))


def _names_something(intent: Intent, figure: str | None) -> bool:
    return bool(intent.day_ref or intent.period_ref or intent.campaign_id or intent.names or figure)


def is_elliptical(message: str) -> bool:
    """Whether a question only names what changes from the one before: short, with no intent keyword of
    its own (a figure's name aside, after "e": "e o gasto?"), and naming a day, period, campaign or figure."""
    text = normalize(message)
    words = _WORD.findall(text)
    if not words:
        return False
    own = keyword_intent(text)
    if words[0] == "e" and len(words) <= MAX_WORDS:
        # "e o CTR?" names a figure; "e o CTR caiu?" asks its own question (the CTR's move)
        bare = own is None or (own == "performance" and trend_asked(text) is None)
    else:
        bare = own is None and len(words) <= MAX_BARE_WORDS
    return bare and _names_something(*_what_it_names(message))


def _with_campaign(prev: Intent, new: Intent) -> Intent:
    """The earlier intent about the campaign the follow-up names; an account-wide question becomes that
    campaign's details, as `classify_intent` turns one naming a campaign."""
    named = {"campaign_id": new.campaign_id, "names": new.names, "name_like": new.name_like}
    if prev.name == "campaign_details" or (prev.name in CAMPAIGN_INTENTS and prev.name != "compare"):
        return replace(prev, campaign_ids=(), **named)
    keyword = "performance" if prev.name == "compare" else prev.keyword or prev.name
    return replace(prev, name="campaign_details", keyword=keyword, campaign_ids=(), **named)


# a comparison's figure asked with its side ("more_ctr", "which_less_spend": `figure_compared`)
_COMPARED_BY = re.compile(r"((?:which_)?(?:more|less))_(?:spend|leads|ctr|cpl)")


def _with_figure(prev: Intent, figure: str) -> Intent:
    """The earlier intent weighing the figure named: a move asked ("trend_cpl_up", "week_cpl_up") about
    it, or the figures' answer leading with it; other intents have no figure to swap."""
    metric = prev.metric or ""
    if periods_asked(metric):  # "e o ctr?" after two periods compared: the same two, that rate first
        return replace(prev, metric=f"periods_{figure}" if figure in PERIODS_RATES else "periods")
    kind, _, move = metric.partition("_")
    if kind == "day" and figure in {"cpl", "leads", "spend"}:
        # "e os leads?" after "por que o CPL subiu ontem?": that day's move of the leads (no direction kept:
        # the CPL's "subiu" says nothing of the leads)
        return replace(prev, metric=f"day_{figure}_either")
    if kind in {"trend", "week"}:
        _, _, move = move.partition("_")
        if kind == "trend" and figure == "cpc":  # the 7 days' trends have no CPC move: kept as asked
            return prev
        return replace(prev, metric=f"{kind}_{figure}_{move}")
    if (prev.ask or "").startswith("weekend") and figure in WEEKEND_FIGURES:
        # "e o cpl?" after "o cpm do fds é mais caro?": the weekend against the weekdays by that figure,
        # its verdict alone (the side asked was of the other figure)
        return replace(prev, ask=f"weekend:{figure}")
    if (side := _COMPARED_BY.fullmatch(prev.ask or "")) and figure in {"spend", "leads", "ctr", "cpl"}:
        # "e o cpl?" after "a 12 tem ctr maior que a 17?": the same side asked of the CPL (was the CTR's)
        return replace(prev, ask=f"{side.group(1)}_{figure}")
    if "performance" in {prev.name, prev.keyword}:
        return replace(prev, metric=figure if figure in _LEADING_FIGURES else "cpl_high")
    if month_end_asked(prev.metric) and figure in {"leads", "spend"}:  # "e qnts leads?" after the month's end
        return replace(prev, metric="month_end_leads" if figure == "leads" else "month_end", threshold=None)
    if (
        prev.name == "forecast"
        and not prev.ask
        and figure in _FORECAST_FIGURES
        and prev.metric in _PLAIN_FORECAST
    ):
        # "e o gasto?" after a campaign's (or the account's) forecast of leads: that forecast led by the spend
        return replace(prev, metric=figure)
    return prev


def _account_wide(prev: Intent) -> Intent:
    """The earlier intent for the whole account: a campaign's figures become the account's, with the same
    day or period; a comparison becomes the account's figures."""
    name = prev.name
    if name in {"campaign_details", "compare", "campaign_not_found"}:
        kept = prev.keyword not in {None, "compare", "help", "list_campaigns"}
        name = prev.keyword if kept else "performance"
    return replace(prev, name=name, campaign_id=None, names=(), campaign_ids=(), name_like=False, matches=())


def _merge(prev: Intent, new: Intent, figure: str | None) -> Intent:
    """The earlier intent with only what the follow-up names replaced: campaign, day or period, figure."""
    merged = _with_campaign(prev, new) if new.campaign_id or new.names else prev
    if new.day_ref:  # a day replaces the period asked before, and a period the day
        merged = replace(merged, day_ref=new.day_ref, period_ref=None)
        if (merged.campaign_id or merged.names) and merged.metric in {"cpl_judge", "cpl_judge_high"}:
            # "a 41 tá boa?" then "e ontem?": that day's CPL first, not the 7 days' verdict again
            merged = replace(merged, metric="cpl")
        if new.day_ref == "amanha" and "performance" in {merged.name, merged.keyword}:
            # tomorrow's figures are the forecast's, as `classify_intent` reads "quantos leads amanhã?";
            # the figure asked stays (a campaign's forecast of spend leads with it)
            kept = merged.metric if merged.metric in _FORECAST_FIGURES else None
            merged = replace(merged, name="forecast", keyword="forecast", metric=kept)
    elif new.period_ref:
        merged = replace(merged, period_ref=new.period_ref, day_ref=None)
    return _with_figure(merged, figure) if figure else merged


def _named_in(
    turn: ChatTurn, history: Sequence[ChatTurn], depth: int, together: bool = False
) -> tuple[str, ...]:
    """The campaigns one turn names: an answer's by the ids on its first line (the campaign it leads
    with) or its campaign's status line (a campaign's day or period leads with the figures), a question's
    by its id or name (resolved when it was a follow-up). Read `together` ("delas"), a verdict's answer
    names none of its own: its one campaign was weighed against the others the question named."""
    if turn.role == "assistant":
        first_line = turn.content.split("\n", 1)[0]
        if together and _VERDICT.match(first_line):
            return ()
        ids = _ANSWER_ID.findall(first_line) or _HEAD_ID.findall(turn.content)[:1]
        return tuple(dict.fromkeys(ids))
    intent = (resolve_followup(turn.content, history, depth - 1) if depth > 1 else None) or classify_intent(
        turn.content
    )
    named = intent.campaign_ids or ((intent.campaign_id,) if intent.campaign_id else intent.names)
    return tuple(named)


def _last_named(history: Sequence[ChatTurn], depth: int, together: bool = False) -> tuple[str, ...]:
    """The campaigns (ids or names as asked) of the last turn in the thread that names any."""
    for i in range(len(history) - 1, max(len(history) - 2 * depth, 0) - 1, -1):
        if named := _named_in(history[i], history[:i], depth, together):
            return named
    return ()


def _pronoun_asks(message: str) -> bool:
    """Whether the message points at a campaign by a pronoun ("dela", "nessa campanha") and names none, or
    compares it with others it names ("compara ela com a 8")."""
    if not _PRONOUN.search(message):
        return False
    own = classify_intent(message)
    return own.name == "compare" or not (own.campaign_id or own.names)


def _which_of(message: str, history: Sequence[ChatTurn], depth: int) -> Intent | None:
    """ "dela" right after several campaigns named (a comparison): no one of them is meant, so which one
    is asked back, naming them (`resolve_campaigns` matches them); None otherwise."""
    if not _pronoun_asks(message) or len(named := _last_named(history, depth)) < 2:
        return None
    return Intent("campaign_not_found", names=named, metric=WHICH_CAMPAIGN)


def _plural_named(message: str, history: Sequence[ChatTurn], depth: int) -> Intent | None:
    """ "qual delas tá melhor?" right after two campaigns named (a comparison): those campaigns compared,
    over the day or period the message names; None when it names campaigns of its own, asks no comparison
    ("elas tão pausadas?"), or the thread did not name several."""
    own = classify_intent(message)
    if not _PLURAL.search(normalize(message)) or own.campaign_id or own.names or own.name not in _WEIGHED:
        return None
    if len(named := _last_named(history, depth, together=True)) < 2:
        return None
    ids = tuple(n for n in named if _CAMPAIGN_ID_ONLY.fullmatch(n))
    names = tuple(n for n in named if n not in ids)
    # "qual delas tá melhor?": the one better (or worse) said first (`verdict_asked`)
    verdict = verdict_asked(normalize(message))
    refs = {"day_ref": own.day_ref, "period_ref": own.period_ref}
    return Intent("compare", names=names, campaign_ids=ids, metric=verdict, **refs)


# "quais campanhas estão paradas?", "o pixel tá funcionando?": the account's campaigns or its tracking
_ACCOUNTS_CAMPAIGNS = re.compile(r"\b(?:quais|qual|alguma|algumas|campanhas)\b")


def _delivery_followup(message: str, history: Sequence[ChatTurn], depth: int) -> Intent | None:
    """ "desde quando tá parada?", "tá entregando?" with no campaign named, after a turn that named one: her
    delivery asked (was "Não entendi"); None otherwise."""
    text = normalize(message)
    if len(_WORD.findall(text)) > MAX_WORDS or not delivery_asked(text):
        return None
    if _ACCOUNTS_CAMPAIGNS.search(text) or TRACKING_ASKED.search(text):
        return None
    own = classify_intent(message)
    if own.campaign_id or own.names or len(last := _last_named(history, depth)) != 1:
        return None
    return classify_intent(f"a campanha {last[0]} {message}")


def _same_span(intent: Intent, prev: Intent | None) -> Intent:
    """ "qual campanha mais gastou no mês passado?" then "e ela trouxe quantos leads?": her figures over the
    period (or day) the last question asked, when hers names none (was her last 7 days)."""
    if prev is None or intent.day_ref or intent.period_ref or intent.name not in _FIGURES_OF_ONE:
        return intent
    # only her figures asked (no verdict, no why) after a ranking or a list of that span
    if intent.ask or intent.keyword != "performance" or prev.campaign_id or (prev.names and prev.name_like):
        return intent
    if not (prev.day_ref or prev.period_ref) or month_end_asked(prev.metric):
        return intent
    return replace(intent, day_ref=prev.day_ref, period_ref=prev.period_ref, day_refs=prev.day_refs)


def _pronoun_named(message: str, history: Sequence[ChatTurn], depth: int) -> str | None:
    """The message with its pronoun for a campaign ("dela", "nessa campanha") replaced by the campaign
    named last in the thread ("da campanha 120200000070000026"); None when it has none to replace or
    the last turn naming any names several (a comparison: "dela" is then no one campaign)."""
    if not _pronoun_asks(message) or len(last := _last_named(history, depth)) != 1:
        return None
    (campaign,) = last

    def named(m: re.Match[str]) -> str:
        article = (m.group(1) or m.group(2) or "").lower()
        return f"{article}a campanha {campaign}"

    return _PRONOUN.sub(named, message, count=1)


def _not_found_last(history: Sequence[ChatTurn]) -> bool:
    """Whether the thread's last answer said the campaign asked is not in the account ("Não encontrei a
    Campanha 40 nesta conta.")."""
    answers = [turn.content for turn in history if turn.role == "assistant"]
    return bool(answers) and answers[-1].startswith("Não encontrei")


def _previous_intent(history: Sequence[ChatTurn], depth: int) -> Intent | None:
    """The intent of the thread's last question (resolved if it was a follow-up, up to `depth` back), or
    None when there is none to carry (no question, or the help menu's)."""
    asked = [i for i, turn in enumerate(history) if turn.role == "user"]
    if not asked:
        return None
    last = asked[-1]
    text = history[last].content
    intent = resolve_followup(text, history[:last], depth - 1) if depth > 1 else None
    intent = intent or classify_intent(text)
    return None if intent.name in _UNUSABLE else intent


# "e 2000?", "e se a meta for 2 mil?", "e pra 2500 leads?": another goal for the month's leads asked before
_GOAL_FOLLOWUP = re.compile(
    r"^e (?:se (?:a meta |o objetivo )?(?:for|fosse) |pra |para |com |a meta de |de )?(?:de )?"
    rf"(\d[\d.,]*\d|\d)(?![\d.,])\s*{MAGNITUDE}?(?:\s*leads?)?\W*$"
)


def _goal_followup(message: str, history: Sequence[ChatTurn], depth: int) -> Intent | None:
    """ "e 2000?" after "vou bater 1500 leads no mês?": the same month's goal at the new number (was the help
    menu)."""
    if not (m := _GOAL_FOLLOWUP.search(normalize(message).strip())):
        return None
    prev = _previous_intent(history, depth)
    if prev is None or prev.metric != "month_end_leads" or prev.threshold is None:
        return None
    return replace(prev, threshold=parse_number(m.group(1)) * magnitude(m.group(2)))


# "e a pior?" after "melhor campanha essa semana" (and the other way round): the other end of that ranking
_OTHER_END = re.compile(r"^e (?:a|o|qual|quem)? ?(?:foi |e |ta )?(?:a |o )?(pior|melhor)(?: campanha)?\W*$")
_RANKED = {"best", "worst"}


def _other_end_followup(message: str, history: Sequence[ChatTurn], depth: int) -> Intent | None:
    """ "e a pior?" after the best campaign of a day or period: the worst of the same days (was the 7 days'
    tier, the period dropped); None unless the last question ranked campaigns over a day or period."""
    if not _OTHER_END.search(normalize(message).strip()):
        return None
    prev = _previous_intent(history, depth)
    if prev is None or prev.metric not in _RANKED or not (prev.period_ref or prev.day_ref):
        return None
    own = classify_intent(message)
    return replace(own, period_ref=prev.period_ref, day_ref=prev.day_ref, day_refs=prev.day_refs)


# "compara as duas", "compara": the two periods of the thread's last two questions, side by side
_BOTH = re.compile(r"\bcompar\w*|\b(?:as|os) (?:duas|dois)\b")


def _periods_followup(message: str, history: Sequence[ChatTurn], depth: int) -> Intent | None:
    """ "e a semana retrasada? compara as duas" after "quanto gastei semana passada?": the two periods
    compared (was "diga 2 a 5 campanhas"); None unless both questions name one period each, no campaign."""
    if not _BOTH.search(normalize(message)):
        return None
    own, prev = classify_intent(message), _previous_intent(history, depth)
    if prev is None or any(i.campaign_id or i.names or i.campaign_ids for i in (own, prev)):
        return None
    first, second = prev.period_ref, own.period_ref
    if not first or not second or first == second:
        return None
    return Intent(
        "performance", keyword="performance", metric="periods", period_ref=first, period_refs=(first, second)
    )


def _budget_what_if(message: str, history: Sequence[ChatTurn], depth: int) -> Intent | None:
    """ "e se eu baixar pra 150?", "e se eu tirar 30% dela?", "e se eu subir 50 reais?" after a question
    about a campaign, and "e pra 2k?", "e se eu dobrar?" after a budget scenario: that campaign's (or the
    account's) scenario with the change named (was a file download refused, her share, or "Não entendi")."""
    text = normalize(message)
    if budget_scenario(text, carried=True, after_scenario=True) is None:  # no what-if: no earlier turn read
        return None
    prev = _previous_intent(history, depth)
    if prev is None:
        return None
    after = prev.metric == "budget_scaled"
    if not (after or prev.campaign_id or prev.names):
        return None
    scenario = budget_scenario(text, carried=True, after_scenario=after)
    if scenario is None:
        return None
    own = classify_intent(_PRONOUN.sub(" ", message))
    # "e se eu baixar a da campanha 7 pra 100?"; a long number alone is the amount ("e pra 9999999999?"),
    # not a campaign's id
    which = own if own.names else prev
    carried = Intent("forecast", which.campaign_id, names=which.names, name_like=which.name_like)
    return scenario_intent(carried, scenario)


def _budget_scenario(message: str, history: Sequence[ChatTurn], depth: int) -> Intent | None:
    """ "e se eu aumentar 20% o orçamento?" right after a forecast ("quantos leads vou ter até o fim do
    mês?"): that forecast's budget scenario, as "se eu aumentar 20% o orçamento, quantos leads vou ter?"
    reads; None after any other question (then it asks which campaigns to scale, as alone)."""
    own = classify_intent(message)
    if own.name != "recommendations" or own.metric != "scale" or own.threshold is None:
        return None
    prev = _previous_intent(history, depth)
    if prev is None or prev.name != "forecast":
        return None
    campaign = {"campaign_id": own.campaign_id, "names": own.names} if own.campaign_id or own.names else {}
    return replace(prev, metric="budget_scaled", threshold=own.threshold, day_ref=None, **campaign)


# "e comparado com a semana passada?" right after a day's figures: that day against a week earlier
# ("comparado com o dia anterior?" too: the answer has that day against the day before as well)
_VERSUS_LAST_WEEK = re.compile(
    r"^(?:e\s+)?(?:comparad[oa]|comparando|em relacao|contra|vs|versus)\b.*"
    r"\b(?:semana passada|dia anterior|dia antes|vespera)\b"
)


def _day_versus_last_week(message: str, history: Sequence[ChatTurn], depth: int) -> Intent | None:
    """ "como foi ontem?" then "e comparado com a semana passada?": the account's day against the day
    before and the same weekday a week earlier (the CPL's move when the CPL was asked last); after a
    question of no day (a campaign's card, the account's summary), the calendar week against the week
    before; None after anything else (a period, a campaign's day, today or tomorrow)."""
    if not _VERSUS_LAST_WEEK.search(text := normalize(message).strip()):
        return None
    prev = _previous_intent(history, depth)
    if prev is None or prev.period_ref:
        return None
    if prev.day_ref is None and prev.name != "compare" and "semana passada" in text:
        # "como está a campanha 5?" (or the account) then "e comparado com a semana passada?": the calendar
        # week against the same days of the week before (was "diga 2 a 5 campanhas")
        return Intent(
            "trends",
            prev.campaign_id,
            names=prev.names,
            name_like=prev.name_like,
            period_ref="essa semana",
            metric="calendar_week",
            keyword="trends",
        )
    if (
        prev.campaign_id
        or prev.names
        or prev.day_ref is None
        or re.fullmatch(r"hoje|hj|amanha", prev.day_ref)
    ):
        return None
    metric = "day_cpl_either" if prev.metric in {"cpl", "cpl_judge", "cpl_judge_high"} else "day_what"
    return replace(prev, name="anomalies", keyword="anomalies", metric=metric)


# "e a de reduzir?" after "ignora a recomendação de pausar": the kind of advice the follow-up names
_ADVICE_KIND = (
    ("pause", re.compile(r"\b(paus|deslig|desativ|parar\b)")),
    ("cut", re.compile(r"\b(reduz|cort|diminu|baix)")),
    ("scale", re.compile(r"\b(aument|escal|sub[ie])")),
)


def _talk_followup(message: str, history: Sequence[ChatTurn], depth: int) -> Intent | None:
    """ "e o CTR?" after "o que é CPL?": that term explained; "e a de reduzir?" (or "e a da campanha 24?")
    after a decision asked about the advice: the same ask about that kind (or campaign). None otherwise."""
    text = normalize(message).strip()
    if not text.startswith("e ") or len(_WORD.findall(text)) > MAX_WORDS:
        return None
    prev = _previous_intent(history, depth)
    if prev is not None and prev.name == "explain" and (term := term_asked(f"o que e {text[2:]}")):
        return Intent("explain", metric=term, keyword="explain")
    if prev is None or prev.name != "decisions":
        return None
    own = classify_intent(message)
    kind = next((k for k, pattern in _ADVICE_KIND if pattern.search(text)), None)
    if kind is None and not (own.campaign_id or own.names):
        return None
    named = {"campaign_id": own.campaign_id, "names": own.names} if own.campaign_id or own.names else {}
    return replace(prev, metric=kind or prev.metric, **named)


def _vs_account_followup(message: str, history: Sequence[ChatTurn], depth: int) -> Intent | None:
    """ "e comparado com a média?", "tá acima da média?" right after one campaign named ("como tá a 9?"):
    that campaign's CPL against the account's (`vs_account_asked`); None when the message names a
    campaign of its own, asks no such thing, or the thread's last campaigns named are not exactly one."""
    text = normalize(message)
    ask = vs_account_asked(text)
    own = classify_intent(message)
    if ask is None or own.campaign_id or own.names or len(_WORD.findall(text)) > MAX_WORDS:
        return None
    if len(last := _last_named(history, depth)) != 1:
        return None
    (campaign,) = last
    named = {"campaign_id": campaign} if _CAMPAIGN_ID_ONLY.fullmatch(campaign) else {"names": (campaign,)}
    return Intent(
        "campaign_details", keyword="performance", metric="cpl", ask=ask, period_ref=own.period_ref, **named
    )


_CARRIED_DECISIONS = {"applied", "dismiss", "acknowledge"}
_WHAT_TO_DO = re.compile(r"\bo que (?:eu )?(?:faco|fazer|devo fazer|eu devo fazer|recomenda)\b")


def _decision_followup(message: str, history: Sequence[ChatTurn]) -> Intent | None:
    """ "devo pausar?", "vale escalar?" right after one campaign talked about ("como tá a 2?"): that
    campaign's pause or scale verdict, not the account's; None when the message names a campaign of its
    own, asks no such verdict, or the last exchange did not name exactly one campaign (then the account's
    list is what is asked)."""
    text = normalize(message)
    own = classify_intent(message)
    verdict = own.name == "recommendations" and own.metric in {"cut", "scale"} and own.keyword == own.name
    # "já reduzi, e agora?", "ignora esse alerta", "quando vai normalizar?": of that campaign too
    carried = (own.name == "decisions" and own.ask in _CARRIED_DECISIONS) or own.ask == "cpl_normal"
    # "o que eu faço?" right after one campaign's alerts or card: her advice, not the account's list
    carried = carried or (
        own.name == "recommendations" and own.ask is None and bool(_WHAT_TO_DO.search(text))
    )
    if not (verdict or carried):
        return None
    if own.campaign_id or own.names or own.campaign_ids or len(_WORD.findall(text)) > MAX_WORDS:
        return None
    last = [i for i, turn in enumerate(history) if turn.role == "user"][-1:]
    if not last:
        return None
    # only the last exchange: a campaign named turns ago is no longer the one talked about
    named = _named_in(history[-1], history[:-1], MAX_DEPTH) if history[-1].role == "assistant" else ()
    named = named or _named_in(history[last[0]], history[: last[0]], MAX_DEPTH)
    if len(named) != 1:
        return None
    (campaign,) = named
    return replace(
        own, **({"campaign_id": campaign} if _CAMPAIGN_ID_ONLY.fullmatch(campaign) else {"names": named})
    )


# "tá caro?", "e o cpl dela, tá bom?" right after one campaign: its CPL judged against the account's
_JUDGE_BARE = re.compile(
    r"^(?:e )?(?:o cpl(?: dela)?,? )?(?:ta|esta|tao) (car[oa]|barat[oa]|bom|boa|ruim|alt[oa]|ok)"
    r"(?: ou (?:car[oa]|barat[oa]|bom|boa|ruim|alt[oa]|baix[oa]|nao))?(?: o cpl(?: dela)?)?\W*$"
)
# "e a que menos trouxe?" right after the campaigns with the most leads: the same ranking, fewest first
_FEWEST_AFTER = re.compile(r"^e (?:a|as|qual|quais)\b.*\bmenos\b")


# "é grave?", "isso é sério?" right after the anomalies: whether they ask for action (the severity)
_SERIOUS_BARE = re.compile(
    r"^(?:e |mas )?(?:isso |esse alerta |essas? anomalias? |esses alertas |ele |ela )?(?:e|eh|ta|esta|sao)?"
    r" ?(?:grave|graves|serio|serios|seria|preocupante|preocupantes)\W*$"
)


def _serious_followup(message: str, history: Sequence[ChatTurn], depth: int) -> Intent | None:
    """ "é grave?" after "tem algum alerta?" (or "teve anomalia ontem?"): the same anomalies judged by
    their severity, Sim/Não first; None after anything else."""
    if not _SERIOUS_BARE.search(normalize(message).strip()):
        return None
    prev = _previous_intent(history, depth)
    if prev is not None and prev.name == "campaign_details" and prev.keyword == "anomalies":
        return replace(prev, ask="serious")  # "é grave?" after "tem alerta na 16?": her alerts judged
    if prev is None or prev.name != "anomalies":
        return None
    return replace(prev, ask="serious", metric="list")


_PAUSE_WORD = r"\bse (?:eu )?(?:pausar|parar|desligar|desativar)\b"
_PAUSE_SAVED = re.compile(
    rf"{_PAUSE_WORD}.*\b(?:economiz|poupo|salvo)|\b(?:economiz\w*|poupo|salvo)\b.*{_PAUSE_WORD}"
)


def _savings_followup(message: str, history: Sequence[ChatTurn], depth: int) -> Intent | None:
    """ "quanto eu economizo?" right after one campaign's advice ("por que reduzir a 14?"): that campaign's
    savings; None when the message names its own campaign or the last question was about none."""
    own = classify_intent(message)
    # "quanto eu economizo se pausar?" after "devo pausar a 13?": her pause's savings (was her advice again)
    pause = _PAUSE_SAVED.search(normalize(message))
    if (own.ask != "savings" and not pause) or own.campaign_id or own.names:
        return None
    prev = _previous_intent(history, depth)
    if prev is None or prev.name not in {"recommendations", "campaign_details", "pause_savings"}:
        return None
    last = [i for i, turn in enumerate(history) if turn.role == "user"][-1:]
    # only the last exchange, as `_decision_followup` reads it: its question, else its answer
    named = _named_in(history[last[0]], history[: last[0]], MAX_DEPTH) if last else ()
    if not named and history[-1].role == "assistant":
        named = _named_in(history[-1], history[:-1], MAX_DEPTH)
    if len(named) != 1:
        return None
    (campaign,) = named
    if pause:
        return classify_intent(f"se eu pausar a campanha {campaign}, quanto economizo?")
    return replace(
        own, **({"campaign_id": campaign} if _CAMPAIGN_ID_ONLY.fullmatch(campaign) else {"names": named})
    )


def _judge_followup(message: str, history: Sequence[ChatTurn]) -> Intent | None:
    """ "tá caro?" right after one campaign talked about: that campaign's 7-day CPL judged against the
    account's (as "o cpl da N tá caro?"); None when the message is no bare judgement or the last exchange
    did not name exactly one campaign by its id."""
    m = _JUDGE_BARE.search(normalize(message).strip())
    if m is None or not history:
        return None
    last = [i for i, turn in enumerate(history) if turn.role == "user"][-1:]
    named = _named_in(history[-1], history[:-1], MAX_DEPTH) if history[-1].role == "assistant" else ()
    named = named or (_named_in(history[last[0]], history[: last[0]], MAX_DEPTH) if last else ())
    if not named:
        # "qto gastei ontem?", "e o cpl?", then "tá bom ou ruim?": the account's CPL of that day (or of
        # the 7 days) judged against its own history, as "o cpl de ontem tá bom?" reads
        prev = _previous_intent(history, MAX_DEPTH)
        if prev is None or "performance" not in {prev.name, prev.keyword} or prev.period_ref:
            return None
        day = f" de {prev.day_ref}" if prev.day_ref else ""
        return classify_intent(f"o cpl{day} ta {m.group(1)}?")
    if len(named) != 1 or not _CAMPAIGN_ID_ONLY.fullmatch(named[0]):
        return None
    return classify_intent(f"o cpl da campanha {named[0]} ta {m.group(1)}?")


def _fewest_followup(message: str, history: Sequence[ChatTurn], depth: int) -> Intent | None:
    """ "e a que menos trouxe?" after "qual campanha trouxe mais lead no mês?": the same day or period's
    campaigns by their leads, fewest first; None after anything else."""
    text = normalize(message).strip()
    if not _FEWEST_AFTER.search(text) or len(_WORD.findall(text)) > MAX_WORDS:
        return None
    prev = _previous_intent(history, depth)
    # the question's own words after "campanha" ("trouxe mais lead") read as a name until resolved
    if prev is None or "top" not in {prev.name, prev.keyword} or prev.campaign_id:
        return None
    period = prev.period_ref or (None if prev.day_ref else "ultimos 7 dias")
    return replace(prev, name="top", metric="leads_low", period_ref=period, names=(), limit=None)


# "e a mais barata?", "e a menor?", "e o mais alto?": the ranking just answered, the other way round
_OTHER_WAY = re.compile(
    r"^e (?:a|o|as|os|qual|quais)? ?(?:campanhas? )?(?:(?:que|com|tem) )?(?:o |a )?"
    r"(mais barat[oa]s?|menor|mais baix[oa]s?|mais car[oa]s?|maior|mais alt[oa]s?|menos|mais)\b"
)
# the rankings of a rate, each way: the dear (high) and the cheap (low) end
_RATE_RANKS = {"cpl": ("cpl_high", "cpl_low"), "cpm": ("cpm_high", "cpm_low"), "ctr": ("ctr_high", "ctr_low")}


def _other_way_followup(message: str, history: Sequence[ChatTurn], depth: int) -> Intent | None:
    """ "e a mais barata?" after "qual campanha tem o cpm mais caro?": the same campaigns and days ranked
    the other way (the cheapest CPM, the lowest CTR); None after anything but a rate's ranking."""
    text = normalize(message).strip()
    if not (m := _OTHER_WAY.search(text)) or len(_WORD.findall(text)) > MAX_WORDS:
        return None
    prev = _previous_intent(history, depth)
    if prev is None or prev.campaign_id:
        return None
    high = not m.group(1).startswith(("mais barat", "menor", "mais baix", "menos"))
    if "list_campaigns" in {prev.name, prev.keyword} and prev.metric in {"spend", "spend_low"}:
        # "e a que menos gastou?" after "qual campanha mais gastou semana passada?": those days, least first
        period = prev.period_ref or (None if prev.day_ref else "ultimos 7 dias")
        metric = "spend" if high else "spend_low"
        return replace(prev, name="list_campaigns", metric=metric, period_ref=period, names=(), limit=None)
    if "cpl_rank" not in {prev.name, prev.keyword}:
        return None
    named = figure_named(text)
    if named is not None and named not in _RATE_RANKS:
        return None  # "e a que mais trouxe leads?" after a CPL ranking: another question, not this one turned
    for rate, ends in _RATE_RANKS.items():
        if prev.metric in ends:
            # the figure named in the follow-up wins ("e o menor ctr?"), else the one ranked before
            ends = _RATE_RANKS.get(named or rate, ends)
            return replace(prev, name="cpl_rank", metric=ends[0] if high else ends[1], names=(), limit=None)
    return None


# "somando as duas?", "e as duas juntas?", "qual o total dos dois?": the two things just compared, added
_SUM = re.compile(
    r"\bsomand\w*|\bsoma(?:r|do|da|dos|das)?\b|\bjunt[oa]s\b|\b(?:o )?total (?:d?[oa]s )?(?:dois|duas)\b"
)


GAP = ("difference", "sum")  # the asks a gap or a sum follow-up sets (`_difference_followup`)


def _two_compared(prev: Intent) -> bool:
    """Whether a question compared two things a gap or a sum can be said of: two campaigns, two periods
    ("outubro vs novembro"), or the calendar weeks ("essa semana vs a passada")."""
    return (
        prev.name == "compare"
        or (prev.name == "performance" and periods_asked(prev.metric) and len(prev.period_refs) == 2)
        or (prev.name == "trends" and prev.metric == "calendar_week")
        or (prev.name == "performance" and prev.ask in {*DAYS_COMPARED, *GAP} and len(prev.day_refs) == 2)
    )


def _difference_followup(message: str, history: Sequence[ChatTurn], depth: int) -> Intent | None:
    """ "qual a diferença (de cpl)?" or "somando as duas?" right after two campaigns or two periods
    compared: the same comparison with the gap (the sum) said first; None after anything else, or when the
    message names campaigns of its own."""
    text = normalize(message)
    asked = "difference" if re.search(r"\bdiferenca\b", text) else "sum" if _SUM.search(text) else None
    if asked is None or len(_WORD.findall(text)) > MAX_WORDS:
        return None
    own = classify_intent(message)
    if own.campaign_id or own.names or own.campaign_ids:
        return None
    prev = _previous_intent(history, depth)
    if prev is None or not _two_compared(prev):
        # "qnts leads ontem?", "e anteontem?", "somando os dois?": the two asked one after the other
        both = _two_asked(history, depth)
        return None if both is None or not _two_compared(both) else replace(both, ask=asked)
    return replace(prev, ask=asked)


def _two_asked(history: Sequence[ChatTurn], depth: int) -> Intent | None:
    """The last two questions, each the account's figures of one day (or one period), read as those two
    compared ("ontem vs anteontem"); None otherwise."""
    asked = [i for i, turn in enumerate(history) if turn.role == "user"][-2:]
    found = []
    for i in asked:
        text = history[i].content
        one = (resolve_followup(text, history[:i], depth - 1) if depth > 1 else None) or classify_intent(text)
        if one.name != "performance" or one.campaign_id or one.names:
            return None
        found.append(one.day_ref or one.period_ref)
    if len(found) != 2 or None in found or found[0] == found[1]:
        return None
    return classify_intent(f"{found[0]} vs {found[1]}")


# "quanto?", "quanto aumento nela?", "e quanto eu subo?" right after a scale verdict or list: its 20 % step
_HOW_MUCH_BARE = re.compile(
    r"^(?:e\s+)?(?:mas\s+)?(?:em\s+)?quanto(?:\s+(?:eu\s+)?(?:aumento|subo|escalo|coloco|ponho|boto"
    r"|(?:posso|devo|da pra|consigo)\s+(?:aumentar|subir|escalar|colocar))?)?"
    r"(?:\s+(?:nela|dela|nessa|na campanha))?(?:\s+(?:de\s+)?(?:orcamento|verba))?\W*$"
)


def _one_answered(history: Sequence[ChatTurn]) -> str | None:
    """The one campaign id the thread's last answer is about: on its first line or its status line, or
    the only id it lists ("1 campanha com recomendação ativa de escalar: ..."); None otherwise."""
    if not history or history[-1].role != "assistant":
        return None
    answer = history[-1].content
    ids = _named_in(history[-1], history[:-1], 1) or tuple(dict.fromkeys(_ANSWER_ID.findall(answer)))
    return ids[0] if len(ids) == 1 else None


def _how_much_followup(message: str, history: Sequence[ChatTurn], depth: int) -> Intent | None:
    """ "qual campanha devo escalar?" (one named) or "vale escalar?" about one, then "quanto?" / "quanto
    aumento nela?": how much to raise that campaign, the 20 % step in money (as "quanto posso aumentar na
    campanha N?" reads); None after anything else."""
    if not _HOW_MUCH_BARE.search(normalize(message).strip()):
        return None
    prev = _previous_intent(history, depth)
    if prev is None or prev.name != "recommendations" or prev.metric != "scale":
        return None
    campaign = prev.campaign_id or _one_answered(history)
    if campaign is None:  # several advised to scale: the step of each
        return replace(prev, ask="how_much")
    return classify_intent(f"quanto posso aumentar na campanha {campaign}?")


# "qual foi melhor?", "qual foi pior?" right after two periods asked one after the other
_WHICH_BETTER = re.compile(
    r"^(?:e\s+)?(?:qual|quem)\s+(?:foi|e|ta|esta|saiu|ficou)?\s*(?:o\s+)?(melhor|pior)\W*$"
)


def _which_period(message: str, history: Sequence[ChatTurn], depth: int) -> Intent | None:
    """ "Quanto gastei em outubro?", "e em setembro?", "qual foi melhor?": those two periods of the account
    side by side, the better (or worse) by the CPL named first; None unless the last two questions each
    asked the account's figures of a different period."""
    m = _WHICH_BETTER.search(normalize(message).strip())
    asked = [i for i, turn in enumerate(history) if turn.role == "user"]
    if m is None or len(asked) < 2:
        return None
    refs = []
    for i in asked[-2:]:
        text = history[i].content
        found = (resolve_followup(text, history[:i], depth - 1) if depth > 1 else None) or classify_intent(
            text
        )
        if found.campaign_id or found.names or found.period_ref is None or found.name != "performance":
            return None
        refs.append(found.period_ref)
    if refs[0] == refs[1]:
        return None
    both = classify_intent(f"{refs[0]} vs {refs[1]}")
    if not periods_asked(both.metric):
        return None
    return replace(both, metric="periods_worse" if m.group(1) == "pior" else "periods_better", ask="which")


def _day_why(prev: Intent | None) -> Intent | None:
    """ "Por quê?" right after a day weighed against the day before ("comparado com o dia anterior?",
    "o que aconteceu ontem?"): the CPL's move that day explained (was the 7 days' factors)."""
    if prev is None or prev.name != "anomalies" or not (prev.metric or "").startswith("day_"):
        return None
    return replace(prev, metric="day_cpl_either")


# "e o cpl dela esse dia?", "quanto ela gastou naquele dia?": the day the thread's last question named
_THAT_DAY = re.compile(r"\b(?:n?ess[ea]|n?est[ea]|n?aquel[ea]|n?o mesmo) dia\b")


def resolve_followup(message: str, history: Sequence[ChatTurn], depth: int = MAX_DEPTH) -> Intent | None:
    """The intent of an elliptical `message` read against the thread's `history`; None when it is no
    follow-up (a question of its own, no history, or no earlier question to carry: "e ontem?" after a
    greeting is then yesterday's figures, as it reads alone). "Esse dia" is the day asked last."""
    intent = _resolve_followup(message, history, depth)
    if not history or not _THAT_DAY.search(normalize(message)) or (intent and intent.day_ref):
        return intent
    prev = _previous_intent(history, depth)
    if prev is None or prev.day_ref is None:
        return intent
    # "e o cpl dela esse dia?": her figures of that day (was her 7 days), the pronoun read as before
    own = intent or classify_intent(_pronoun_named(message, history, depth) or message)
    if own.name in {"help", "campaign_not_found"}:
        return intent
    return replace(own, day_ref=prev.day_ref, day_refs=prev.day_refs, period_ref=None)


def _resolve_followup(message: str, history: Sequence[ChatTurn], depth: int) -> Intent | None:
    if not history:
        return None
    # before the rewording, which reads "e pra 2k?" as a campaign's number
    if (what_if := _budget_what_if(message, history, depth)) is not None:
        return what_if
    if (goal := _goal_followup(message, history, depth)) is not None:
        return goal
    if (flipped := _other_end_followup(message, history, depth)) is not None:
        return flipped
    message = _reworded(message)
    if (together := _plural_named(message, history, depth)) is not None:
        return together
    if place_asked(message) is not None:  # "e a segunda melhor?": that place of the ranking just answered
        return ranked_place(message, history, _previous_intent(history, depth))
    if bare_why(message) and (why := why_ranked(message, history, _previous_intent(history, depth))):
        return why  # "por quê?" after "qual a melhor campanha?": that campaign's figures
    if bare_why(message) and (day := _day_why(_previous_intent(history, depth))):
        return day  # "por quê?" after a day against the day before: that day's CPL factors
    if advice := why_advice(message, history, _previous_intent(history, depth)):
        return advice  # "por quê?" after "qual a recomendação mais urgente?": that advice's reason
    if asked := why_card(message, history, _previous_intent(history, depth)):
        return classify_intent(asked)  # "por quê?" after "e a 4?": the reason of the tier its card states
    if (versus := _day_versus_last_week(message, history, depth)) is not None:
        return versus
    if (both := _periods_followup(message, history, depth)) is not None:
        return both
    if (period := _which_period(message, history, depth)) is not None:
        return period
    if (how_much := _how_much_followup(message, history, depth)) is not None:
        return how_much
    if (which := _which_of(message, history, depth)) is not None:
        return which
    if (delivery := _delivery_followup(message, history, depth)) is not None:
        return delivery
    if (named := _pronoun_named(message, history, depth)) is not None:
        # the campaign put in place of the pronoun: a follow-up of the last question if it only names
        # that ("e dela ontem?"), else a question of its own about it ("pq o cpl dela subiu?", "e ela, tá
        # gastando muito?")
        rest = _WORD.findall(normalize(_PRONOUN.sub(" ", message)))
        carried = resolve_followup(named, history, depth) if len(rest) <= MAX_BARE_WORDS else None
        return carried or _same_span(classify_intent(named), _previous_intent(history, depth))
    if (talk := _talk_followup(message, history, depth)) is not None:
        return talk
    if (vs_account := _vs_account_followup(message, history, depth)) is not None:
        return vs_account
    if (gap := _difference_followup(message, history, depth)) is not None:
        return gap
    # what a pause saves before a decision: "quanto eu economizo se pausar?" records none
    if (saves := _savings_followup(message, history, depth)) is not None:
        return saves
    if (decision := _decision_followup(message, history)) is not None:
        return decision
    if (serious := _serious_followup(message, history, depth)) is not None:
        return serious
    if (judged := _judge_followup(message, history)) is not None:
        return judged
    if (fewest := _fewest_followup(message, history, depth)) is not None:
        return fewest
    if (other := _other_way_followup(message, history, depth)) is not None:
        return other
    text = normalize(message)
    if _ACCOUNT_WIDE.search(text) and len(_WORD.findall(text)) <= MAX_WORDS:
        prev = _previous_intent(history, depth)
        figure = figure_named(text)
        wide = None if prev is None else _account_wide(prev)
        return wide and (_with_figure(wide, figure) if figure else wide)
    if _PCT_FOLLOWUP.search(text):  # the last budget scenario with the new percentage
        prev = _previous_intent(history, depth)
        if prev is None or prev.metric not in _PCT_METRICS:
            return None
        return replace(prev, threshold=percent_named(text))
    value = _VALUE_FOLLOWUP.search(text)
    prev = _previous_intent(history, depth) if value else None
    if value and prev is not None and prev.name == "roi":
        # "e se valer 50?" after the ROI at R$ 80 a lead: the same at R$ 50 (was "Não entendi")
        return replace(prev, value_per_lead=parse_number(value.group(1)))
    if text.startswith("e se ") and (scaled := _budget_scenario(message, history, depth)) is not None:
        return scaled
    if not is_elliptical(message):
        return None
    prev = _previous_intent(history, depth)
    if prev is None:
        return None
    own, figure = _what_it_names(message)
    if _not_found_last(history) and not (own.campaign_id or own.names):
        # "e amanhã?" right after "Não encontrei a Campanha 40": asking of it again would say the same;
        # the account's figures are what is left to answer
        prev = _account_wide(prev)
    return _merge(prev, own, figure)
