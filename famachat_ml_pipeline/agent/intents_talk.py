"""What a question asks besides the account's figures, read from its normalized (accent-free, lowercase)
text: small talk ("oi", "obrigado"), a term to explain ("o que é CPL?", "como vocês calculam a
previsão?"), a decision on the advice ("ignora a recomendação de pausar", "quais recomendações eu já
descartei?", "já aumentei o orçamento da campanha 4") and the daily budgets summed ("qual o orçamento
diário total?"). Pure functions: no database."""

from __future__ import annotations

import re
import unicodedata


def normalize(text: str) -> str:
    """Lowercase without accents: what every pattern of the agent reads."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# ------------------------------------------------------------------------------------------ small talk
_GREETING_WORDS = frozenset(
    [
        "oi",
        "oii",
        "oie",
        "ola",
        "opa",
        "eai",
        "e",
        "ai",
        "hey",
        "hello",
        "hi",
        "bom",
        "boa",
        "dia",
        "tarde",
        "noite",
        "tudo",
        "bem",
        "blz",
        "beleza",
        "como",
        "vai",
        "vc",
        "voce",
        "tranquilo",
        "tranquila",
        "pessoal",
        "ae",
        "salve",
    ]
)
_THANKS_WORDS = frozenset(
    [
        "obrigado",
        "obrigada",
        "obg",
        "brigado",
        "brigada",
        "valeu",
        "vlw",
        "muito",
        "mt",
        "mto",
        "agradeco",
        "grato",
        "grata",
        "perfeito",
        "show",
        "otimo",
        "top",
        "beleza",
        "blz",
        "ok",
        "entendi",
        "certo",
    ]
)
_THANKS = re.compile(r"\b(obrigad[oa]|obg|brigad[oa]|valeu|vlw|agradec\w*|grat[oa])\b")


def small_talk(text: str) -> str | None:
    """ "greeting" ("oi", "bom dia", "tudo bem?"), "thanks" ("obrigado", "valeu!") or "unclear" (only
    punctuation, "?"): a message made only of such words; None for anything else."""
    words = re.findall(r"[a-z]+", text)
    if not words:
        return "unclear"
    if set(words) <= _THANKS_WORDS and _THANKS.search(text):
        return "thanks"
    if set(words) <= _GREETING_WORDS:
        return "greeting"
    return None


# ------------------------------------------------------------------------------------------ explanations
_EXPLAIN = re.compile(
    r"\bo que (e|eh|sao|significa\w*|quer dizer|seria|vem a ser)\b|\bsignifica\w*\b|\bdefini\w*\b"
    r"|\bcomo\b.*\b(calcul\w*|funciona\w*|classific\w*|detect\w*|definem|define|chegam?|gera\w*)\b"
)
# the term asked, most specific first (accent-free); each key is a definition in answers_talk.GLOSSARY
_TERMS: tuple[tuple[str, str], ...] = (
    ("frequency_alert", r"anomalias? de frequencia|frequencia alta|alerta de frequencia|frequency_alert"),
    ("reach_saturation", r"saturacao|saturad\w*|reach_saturation"),
    ("anomaly", r"\banomalias?\b|\balertas?\b"),
    ("HIGH_PERFORMER", r"high[_ ]?performer|alta performance"),
    ("MODERATE", r"\bmoderate\b|\b(tier|classificacao|performance) moderad[ao]\b"),
    ("UNDERPERFORMER", r"underperformer|\b(tier|classificacao) critic[ao]\b"),
    ("LOW", r"\blow\b|\b(tier|classificacao|performance) baix[ao]\b"),
    ("tier", r"\btiers?\b|\bclassifica\w*"),
    ("forecast", r"\bprevis\w*|\bprever\b|\bpreve\w*|\bforecast|\bintervalo\b|\bprojec\w*"),
    ("recommendation", r"\brecomenda\w*"),
    ("cpl", r"\bcpl\b|custo por lead"),
    ("ctr", r"\bctr\b|taxa de cliques?"),
    ("cpm", r"\bcpm\b|custo por mil"),
    ("cpc", r"\bcpc\b|custo por clique"),
    ("frequency", r"\bfrequencia\b"),
)


def term_asked(text: str) -> str | None:
    """The term a definition question asks ("o que é CPL?" -> "cpl", "como vocês calculam a previsão?" ->
    "forecast"); None when the question asks no definition, or none the agent has."""
    if not _EXPLAIN.search(text):
        return None
    return next((term for term, pattern in _TERMS if re.search(pattern, text)), None)


# ------------------------------------------------------------------------------------------ decisions
_DECIDED = (
    r"descartei|descartamos|descartad\w*|ignorei|ignorad\w*|dispensei|dispensad\w*|rejeitei|rejeitad\w*"
    r"|recusei|recusad\w*|apliquei|aplicamos|aplicad\w*"
)
_DECIDED_LIST = re.compile(rf"\b(quais|qual|que|lista\w*|mostr\w*|ver|tem|teve|alguma)\b.*\b({_DECIDED})\b")
_DISMISS = re.compile(
    r"\b(ignor[ae]\w*|descart[ae]\w*|dispens[ae]\w*|rejeit[ae]\w*|recus[ae]\w*|esquec[ae]\w*)\b.*\brecomend"
    r"|\brecomend\w*.*\b(ignor[ae]\w*|descart[ae]\w*|dispens[ae]\w*|rejeit[ae]\w*|recus[ae]\w*)\b"
    r"|\bnao vou (seguir|aplicar|fazer)\b"
)
_APPLIED = re.compile(
    r"\b(ja|acabei de|acabamos de)\s+(aumentei|aumentamos|subi|reduzi|reduzimos|diminui|baixei|pausei"
    r"|pausamos|apliquei|aplicamos|fiz|segui|escalei|cortei|dobrei|desliguei|mexi|ajustei|corrigi|arrumei)\b"
    r"|\bapliquei\b"
)
# "ignora esse alerta", "pode descartar essa anomalia", "já vi esse alerta": an alert acknowledged, which
# the chat cannot record either (was the anomalies listed again)
_ACK_VERB = r"ignor\w*|descart\w*|dispens\w*|reconhec\w*|silenci\w*|arquiv\w*|esquec\w*"
_ALERT = r"alertas?|anomalias?|avisos?"
_ACKNOWLEDGE = re.compile(
    rf"\b({_ACK_VERB})\b.*\b({_ALERT})\b|\b({_ALERT})\b.*\b({_ACK_VERB})\b"
    rf"|\bja (vi|olhei|conferi|chequei|verifiquei|resolvi|corrigi|arrumei)\b.*\b({_ALERT})\b"
    # "já resolvi", "já arrumei, e agora?": a problem fixed (the pixel, the delivery), no budget named
    r"|^(?:ja|acabei de|acabamos de) (?:resolv|arrum|corrig|consert)\w*\b(?!.*\b(?:orcamento|verba|recomend))"
)
# the alerts already acknowledged asked about (a past tense), unless those not yet or to come are
_ACKNOWLEDGED = re.compile(
    r"\b(reconheci|reconhecemos|reconhecid[oa]s?|ignorei|ignoramos|descartei|arquivei|silenciei|dispensei"
    r"|marquei como (vist|lid|resolvid)\w*)\b"
)
_ALERTS = re.compile(rf"\b({_ALERT})\b")
_NOT_YET = re.compile(r"\b(nao|ainda|devo|posso|deveria|preciso|vou)\b")
_LISTED = re.compile(r"^(quais|qual|que)\b|\b(lista\w*|mostr\w*|algum|alguma)\b")
_HOW_TO_RECORD = re.compile(
    r"\bcomo\b.*\b(registr\w*|marc\w*|inform\w*|aplic\w*|descart\w*)\b.*\b(recomend\w*|decis\w*|aplicad\w*)"
)


def decision_asked(text: str) -> str | None:
    """ "decided" (which advice was dismissed or applied), "dismiss" (ignore an advice), "applied" (the
    buyer already acted), "acknowledge" (an alert seen), "acknowledged" (which alerts were) or "how" (how
    to record a decision); None otherwise."""
    about_alerts = not re.search(r"\brecomend", text)
    if about_alerts and _ACKNOWLEDGED.search(text) and _ALERTS.search(text) and not _NOT_YET.search(text):
        return "acknowledged"  # "quais alertas eu já reconheci?", "eu já ignorei algum alerta?"
    if about_alerts and _ACKNOWLEDGE.search(text):
        # "quais alertas posso ignorar?" asks which are open, not to acknowledge one
        return None if _LISTED.search(text) else "acknowledge"
    if _HOW_TO_RECORD.search(text):
        return "how"
    if _DECIDED_LIST.search(text) and ("recomend" in text or re.search(r"\b(descartei|apliquei)\b", text)):
        return "decided"
    if _DISMISS.search(text):
        return "dismiss"
    if _APPLIED.search(text):
        return "applied"
    return None


# ------------------------------------------------------------------------------------------ budgets
_BUDGET_TOTAL = re.compile(
    r"\borcamentos?( diarios?)? (total|somad\w*|da conta|de todas|geral)\b|\b(total|soma) d[oe]s? orcamentos?"
    r"|\borcamento diario (de|da) conta\b|\bquanto (eu )?(tenho|estou|to|ta|gasto) de orcamento\b"
    # "quanto de verba eu tenho por dia somando tudo?": "verba" is the budget too
    r"|\bquanto de (orcamento|verba)\b.*\b(por dia|diari\w*|somand\w*|total|tudo)\b"
    r"|\bverbas?( diarias?)? (total|somad\w*|da conta|de todas|geral)\b|\b(total|soma) das? verbas?\b"
)
# "quanto falta gastar no mês?": a monthly budget the source does not hold
_LEFT_TO_SPEND = re.compile(r"\b(falta|faltam|resta|restam|sobra|sobram|ainda posso) (gastar|investir)\b")


def budget_total_asked(text: str) -> bool:
    return bool(_BUDGET_TOTAL.search(text))


def left_to_spend_asked(text: str) -> bool:
    return bool(_LEFT_TO_SPEND.search(text))


# ------------------------------------------------------------------------------------------ several asks
# where one ask ends and the next begins in a long message: a sentence's end, "e também", "além disso"
_ASK_BREAK = re.compile(r"[?;\n]+|\.\s+|\s+e tamb[eé]m\s+|,?\s+al[eé]m disso,?\s+", re.IGNORECASE)
# a reason given ("porque estou preocupado com o CPL"): context of the ask before it, not an ask
_REASON = re.compile(r"\s+(?:porque|pois|já que|ja que)\s+.*$", re.IGNORECASE)
MAX_ASKS = 3


# "quanto gastei ontem e qual foi a pior campanha?": "e qual(s)" starts a second ask about campaigns, its own
# ("... e qual a pior campanha?") or the first's ("qual a melhor campanha e qual a pior?"); one that asks a
# figure of the first's subject ("qual o cpl da campanha 5 e qual o ctr?", "... e qual o cpl dela?") or
# leaves out its own ("qual o gasto de ontem e qual o de hoje?") stays in the first ask
_AND_ASK = re.compile(r",?\s+e\s+(?=(?:qual|quais)\b)", re.IGNORECASE)
_POINTS_BACK = re.compile(r"\b(?:dela|dele|delas|deles|ela|ele|nela|nele|isso)\b")
# "e qual a pior", "e qual teve mais leads", "e quais devo escalar": campaigns again (not "e qual o ctr")
_WHICH_AGAIN = re.compile(
    r"^(?:qual|quais) (?:(?:[ao]s? )?(?:pior|melhor|piores|melhores)\b|(?!(?:e|eh|foi|era|o|a|os|as)\b)\w+)"
)
_ONE_CAMPAIGN = re.compile(r"\bcampanha \d+|\b(?:a|da|na) \d+\b")


def _and_asks(part: str) -> list[str]:
    pieces = _AND_ASK.split(part)
    first = normalize(pieces[0])
    asks = [pieces[0]]
    for piece in pieces[1:]:
        text = normalize(piece)
        own = "campanha" in text and not _POINTS_BACK.search(text)
        of_first = (
            "campanha" in first
            and not _ONE_CAMPAIGN.search(first)
            and bool(_WHICH_AGAIN.search(text))
            and not _POINTS_BACK.search(text)
        )
        if not (own or of_first):
            asks[-1] = f"{asks[-1]} e {piece}"
            continue
        if not own:  # "qual a pior" -> "qual a pior campanha"; "quais devo escalar" -> "quais campanhas ..."
            noun = "campanha" if text.startswith("qual ") else "campanhas"
            short = re.fullmatch(r"(qual|quais) (?:[ao]s? )?\w+\W*", text)
            piece = f"{piece.rstrip(' ?!.')} {noun}" if short else re.sub(r"^(\w+)", rf"\1 {noun}", piece)
        asks.append(piece)
    return asks


def split_asks(message: str) -> list[str]:
    """The asks of a message that makes several ("quanto gastei ontem? e também quais devo pausar?"), each
    as written, without greetings, small talk or the reasons given; one ask (or none) gives []."""
    parts = [_REASON.sub("", a).strip(" ,.!") for p in _ASK_BREAK.split(message) for a in _and_asks(p)]
    asks: list[str] = []
    for p in parts:
        if p and small_talk(normalize(p)) is None:
            # "e a semana retrasada? compara as duas": the comparison is of the ask before, one ask
            both = asks and _COMPARE_BOTH.search(normalize(p))
            asks[-1:] = [f"{asks[-1]} {p}"] if both else [*asks[-1:], p]
    return asks[:MAX_ASKS] if len(asks) > 1 else []


_COMPARE_BOTH = re.compile(r"^(?:e\s+)?compar\w*(?:\s+(?:as|os)\s+(?:duas|dois)|\s+elas|\s+eles)?\W*$")
