"""A place in the ranking just answered, asked as a follow-up: "e a segunda melhor?", "qual a terceira?"
after "qual campanha teve mais leads ontem?" is the campaign listed 2nd (3rd) there, with the same day or
period; not a weekday ("segunda") nor the account's best again. "Por quê?" right after a ranking is about
the campaign it named first (its figures and tier), not the account's anomalies. Pure functions over the
thread's text."""

from __future__ import annotations

import re
from collections.abc import Sequence

from famachat_ml_pipeline.agent.answers_recommendations import AFTER_ALERTS_HEAD
from famachat_ml_pipeline.agent.intents import Intent, classify_intent
from famachat_ml_pipeline.agent.intents_talk import normalize
from famachat_ml_pipeline.agent.types import ChatTurn

_PLACES = {"segund": 2, "terceir": 3, "quart": 4, "quint": 5}
# "e a segunda melhor?", "qual a terceira?", "e o segundo colocado?": an ordinal, at most a rank word
_ORDINAL_ASK = re.compile(
    r"^(?:e\s+)?(?:qual\s+(?:e\s+|foi\s+)?)?(?:a|o)\s+(segund|terceir|quart|quint)[ao]"
    r"(?:\s+(?:melhor|pior|maior|menor|colocad[ao]|lugar|da lista|mais \w+))?\W*$"
)
_BARE_WHY = re.compile(
    r"^(?:e\s+)?(?:mas\s+)?(?:por ?que|pq|o que causou(?: isso)?|qual (?:o motivo|a causa)(?: disso)?)\W*$"
)
# the rankings a bare "por quê?" asks about: their first campaign is the one singled out
_RANKINGS = {"top", "underperformers", "cpl_rank"}
_TIER_RANKINGS = {"top", "underperformers"}  # the 7 days' tiers, not a day's or a figure's ranking
_ANSWER_ID = re.compile(r"\((\d{6,30})\)")  # a campaign listed as the answers write it: "“Nome” (id)"


# "qual a segunda pior campanha?", "qual é a terceira campanha que mais gastou ontem?": a ranking asked at a
# place in one question (not "a segunda-feira", nor "na segunda")
_ORDINAL_IN = re.compile(
    r"\b(?:a|o|da|do|na|no)\s+(?:(segund|terceir|quart|quint)[ao]|([2-5])(?:ª|º|a|o))\s+"
    r"(?=(?:melhor|pior|maior|menor|campanha|mais)\b)"
)


def ordinal_ranking(message: str) -> tuple[int, str] | None:
    """(place, the question without its ordinal) for a ranking asked at a place ("qual a segunda pior
    campanha?" -> (2, "qual a pior campanha?")), else None."""
    text = normalize(message)
    m = _ORDINAL_IN.search(text)
    if m is None:
        return None
    article = m.group(0).split()[0]
    place = _PLACES[m.group(1)] if m.group(1) else int(m.group(2))
    return place, f"{text[: m.start()]}{article} {text[m.end() :]}"


def place_asked(message: str) -> int | None:
    """The place a follow-up asks of the last ranking ("e a segunda melhor?" -> 2), else None."""
    m = _ORDINAL_ASK.search(normalize(message).strip())
    return _PLACES[m.group(1)] if m else None


def bare_why(message: str) -> bool:
    """ "por quê?", "pq?", "mas por que?": a why asked of the last answer, naming nothing."""
    return bool(_BARE_WHY.search(normalize(message).strip()))


def why_ranked(message: str, history: Sequence[ChatTurn], prev: Intent | None) -> Intent | None:
    """ "Por quê?" alone right after a ranking ("qual a melhor campanha?"): the campaign it named first,
    with the last question's day or period; None otherwise."""
    if not bare_why(message) or prev is None:
        return None
    # a ranking's own words after "campanha" ("qual campanha teve o maior cpl ontem?") read as a name
    # until resolved against the account's: its keyword is the ranking then
    ranking = prev.name in _RANKINGS or (
        prev.keyword in _RANKINGS and not prev.campaign_id and not prev.name_like
    )
    if not ranking:
        return None
    first = listed_at(history, prev, 1)
    kind = prev.name if prev.name in _RANKINGS else prev.keyword
    if first is not None and kind in _TIER_RANKINGS and not (prev.day_ref or prev.period_ref):
        # "qual a melhor campanha?" ranks by the tiers: its why is the tier's reason (was her card)
        return classify_intent(f"por que a campanha {first.campaign_id} esta nesse tier?")
    return first


def why_advice(message: str, history: Sequence[ChatTurn], prev: Intent | None) -> Intent | None:
    """ "Por quê?" right after the most urgent advice ("o que mais preocupa?") or the account's advice of a
    kind ("qual campanha devo escalar?"): the reason of the advice named first, as "por que você recomenda
    isso?" gives it (was the account's CPL factors); None otherwise."""
    if not bare_why(message) or prev is None or prev.name != "recommendations" or prev.campaign_id:
        return None
    if prev.ask != "urgent" and prev.metric not in {"cut", "scale"}:
        return None
    if history and AFTER_ALERTS_HEAD in (last := history[-1].content):
        # "o que mais preocupa?" led with the alerts: the advice is the one after them
        history = [*history[:-1], ChatTurn("assistant", last[last.index(AFTER_ALERTS_HEAD) :])]
    first = listed_at(history, prev, 1)
    if first is None:
        return None
    return classify_intent(f"por que voce recomenda isso para a campanha {first.campaign_id}?")


# a campaign's card: "“Nome” (id), status ACTIVE, tier alta performance, ..." (a day's figures may lead)
_CARD = re.compile(r"^“[^”\n]*” \((\d{6,30})\), status .*, tier ", re.MULTILINE)


def why_card(message: str, history: Sequence[ChatTurn], prev: Intent | None) -> str | None:
    """ "Por quê?" alone right after one campaign's card ("e a 4?"): the question its tier's reason is
    ("por que a campanha N está nesse tier?"), the verdict the card states; None otherwise."""
    if not bare_why(message) or prev is None or prev.name != "campaign_details" or not history:
        return None
    if history[-1].role != "assistant":
        return None
    cards = set(_CARD.findall(history[-1].content))
    if len(cards) != 1:
        return None
    return f"por que a campanha {cards.pop()} esta nesse tier?"


def ranked_place(message: str, history: Sequence[ChatTurn], prev: Intent | None) -> Intent | None:
    """That campaign of the thread's last answer (its ids in the order listed), asked with the last
    question's day or period; None when the follow-up asks no place or the answer lists too few."""
    place = place_asked(message)
    return None if place is None else listed_at(history, prev, place)


def ranking_ids(answer: str) -> list[str]:
    """The campaign ids of an answer in the order it lists them, each once."""
    return list(dict.fromkeys(_ANSWER_ID.findall(answer)))


def listed_at(history: Sequence[ChatTurn], prev: Intent | None, place: int) -> Intent | None:
    """The campaign listed at `place` in the thread's last answer, as a card asked with `prev`'s day or period
    and figure; None when that answer lists fewer."""
    answers = [turn.content for turn in history if turn.role == "assistant"]
    if not answers:
        return None
    listed = ranking_ids(answers[-1])
    if len(listed) < place:
        return None
    day, period = (prev.day_ref, prev.period_ref) if prev is not None else (None, None)
    metric = prev.metric if prev is not None and prev.metric in {"leads", "spend", "cpl"} else None
    return Intent(
        "campaign_details",
        listed[place - 1],
        day_ref=day,
        period_ref=period,
        metric=metric,
        keyword="performance",
    )
