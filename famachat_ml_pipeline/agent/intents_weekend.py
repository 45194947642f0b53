"""The weekend against the weekdays ("cpl do fim de semana ta pior que dia de semana?", "o cpm do fds é mais
caro?", "final de semana gasta mais que dia útil?"): Saturday and Sunday against Monday to Friday over the
last 4 full weeks, by the figure asked. Pure functions: no database."""

from __future__ import annotations

import re

from famachat_ml_pipeline.agent.intents_trends import figure_named

WEEKEND = r"(?:fim de semana|final de semana|fins de semana|finais de semana|fds|sabado e domingo)"
_WORKDAYS = (
    r"(?:dias? (?:de|da|durante a) semana|dias? ute?is|dias? util|durante a semana|semana de trabalho"
    r"|seg(?:unda)? a sex(?:ta)?)"
)
_WEEKEND_JUDGED = (
    r"(?:vale (?:a pena )?anunciar|compensa anunciar|vale a pena|compensa|converte (?:bem|mal|melhor|pior))"
)
# "o cpm do fds é mais caro?", "fds gasta mais?", "fds traz menos lead?": a comparative with no other side
# named is the weekend against the rest of the week (last weekend alone has nothing to be "mais caro" than)
_COMPARED = (
    r"(?:mais car[oa]s?|mais barat[oa]s?|pior(?:es)?|melhor(?:es)?"
    r"|(?:gast\w*|invest\w*|traz\w*|ger\w*|rend\w*|convert\w*|da|dao|vem|vende\w*) (?:mais|menos))"
)
_VS = re.compile(
    rf"\b{WEEKEND}\b.*\b{_WORKDAYS}\b|\b{_WORKDAYS}\b.*\b{WEEKEND}\b"
    # "sábado e domingo vale a pena anunciar?", "compensa anunciar no fds?": the weekend judged is judged
    # against the rest of the week (not Saturday alone, nor last weekend's figures)
    # (not intents' `_JUDGED`: its "bom dia" is a greeting too, "bom dia, como foi o fds?")
    rf"|\b{WEEKEND}\b.*\b{_WEEKEND_JUDGED}\b|\b{_WEEKEND_JUDGED}\b.*\b{WEEKEND}\b"
)
_ALONE = re.compile(rf"\b{WEEKEND}\b.*\b{_COMPARED}\b|\b{_COMPARED}\b.*\b{WEEKEND}\b")
# "o fds passado foi pior?", "esse fds foi melhor que o anterior?": one weekend against another, not the
# weekdays; "bom dia, como foi o fds?": last weekend's figures
_ONE_WEEKEND = re.compile(
    r"\bpassad|\bultim|\banterior|\b(?:ess|est|dess|dest|ness|nest)[ea] (?:fds|fim|final)"
)

# "qual campanha foi melhor no fds?", "quais campanhas foram piores no fds": the campaigns over last weekend,
# not the weekend against the weekdays (no other side named)
_WHICH_CAMPAIGN = re.compile(r"\b(?:qual|quais)\b.*\bcampanhas?\b|\bcampanhas?\b.*\b(?:qual|quais)\b")

# the figure a weekend question weighs: the cost of a lead unless another is named
WEEKEND_FIGURES = ("cpl", "cpm", "ctr", "spend", "leads")


def _figure(text: str) -> str:
    named = figure_named(text)
    if named in {"cpm", "cpl", "ctr"}:
        return named
    if named == "spend" or re.search(r"\bgast|\binvest", text) and not re.search(r"\bcpl\b|por lead", text):
        return "spend"  # "final de semana gasta mais que dia útil?": the spend per day
    if re.search(r"\bleads?\b", text) and not re.search(r"\bcpl\b|\bcust|barat|car[oa]s?\b", text):
        return "leads"  # "fds traz mais lead?": the leads per day
    return "cpl"


def _side(text: str, figure: str) -> str:
    """The side the question asks ("Sim"/"Não" answer it): "worse"/"better" of a cost or of the weekend as
    a whole, "more"/"less" of the spend or the leads; "" when it asks none (the verdict alone)."""
    if figure in {"spend", "leads"} and (m := re.search(r"\b(mais|menos)\b", text)):
        return "_more" if m.group(1) == "mais" else "_less"
    side = re.search(
        r"\b(pior|piores|mais car[oa]s?|mal|melhor|melhores|mais barat[oa]s?|vale|compensa|bom|boa|bem)\b",
        text,
    )
    if not side:
        return ""
    return "_worse" if side.group(1).startswith(("pior", "mais car", "mal")) else "_better"


def weekend_asked(text: str) -> str | None:
    """ "weekend{_side}:{figure}" when a normalized question weighs the weekend against the weekdays, else
    None ("qto gastei no fds?", "o fds passado foi pior?": last weekend's figures)."""
    if not (_VS.search(text) or (_ALONE.search(text) and not _ONE_WEEKEND.search(text))):
        return None
    if not _VS.search(text) and _WHICH_CAMPAIGN.search(text):
        return None  # "qual campanha foi melhor no fds?": the campaigns ranked over last weekend
    figure = _figure(text)
    return f"weekend{_side(text, figure)}:{figure}"


def weekend_parts(ask: str) -> tuple[str, str]:
    """("worse", "cpm") of "weekend_worse:cpm"; the side "" when none was asked, the figure "cpl" when an
    older ask names none."""
    side, _, figure = ask.removeprefix("weekend").lstrip("_").partition(":")
    return side, figure if figure in WEEKEND_FIGURES else "cpl"


# "o fds foi bom?", "o fim de semana foi ruim?", "o fds passado foi pior?": last weekend judged, against the
# weekends before it (not "bom dia, como foi o fds?", nor a campaign asked, nor another side named)
_LAST_JUDGED = re.compile(
    rf"^(?!.*\b(?:qual|quais|campanhas?|que|q)\b)(?=.*\b{WEEKEND}\b)"
    r".*\b(bom|boa|ruim|bem|mal|melhor|pior|fraco|forte)\b(?! dia| tarde| noite)"
)


# "como foi o fds?", "e o fim de semana, como foi?": last weekend asked how it went, no side named (was its
# figures alone): judged all the same, the verdict said without a Sim/Não
_HOW_WENT = re.compile(
    rf"^(?!.*\b(?:qual|quais|campanhas?|quanto|qto|qnto|quantos|qtos)\b)(?=.*\b{WEEKEND}\b)"
    r".*\bcomo (?:foi|ficou|foram|se saiu|andou|rodou)\b"
)


def last_weekend_judged(text: str) -> str | None:
    """ "weekend_judged_better" ("o fds foi bom?"), "weekend_judged_worse" ("foi ruim?"), "weekend_judged"
    ("como foi o fds?": no side asked), of a normalized question that judges last weekend on its own; None
    otherwise."""
    if _VS.search(text):
        return None
    if not (m := _LAST_JUDGED.search(text)):
        return "weekend_judged" if _HOW_WENT.search(text) else None
    worse = m.group(1) in {"ruim", "mal", "pior", "fraco"}
    return f"weekend_judged_{'worse' if worse else 'better'}"
