"""The judgements a question asks: which of the campaigns compared is better or worse ("qual delas tá
melhor?"), whether the CPL is good ("tá bom o CPL?"), and a rate against its own weeks ("o cpm tá caro?").
Pure functions: no database."""

from __future__ import annotations

import re

from famachat_ml_pipeline.agent.intents_trends import figure_named

# "qual delas tá melhor?", "qual das duas tá pior, 46 ou 55?": which of the campaigns compared is better or
# worse, judged by the CPL (a lead campaign's yardstick, as "qual campanha tá indo melhor?" is)
_WHICH_VERDICT = re.compile(
    r"\b(?:qual|quem)\b.*\b(melhor|pior)\b"
    # "a 8 tá melhor que a 9?": the first one weighed against the second, by the same verdict
    r"|\bcampanha \S+ (?:\w+ ){0,2}(melhor|pior)\b(?: ou (?:melhor|pior))? (?:do )?(?:que|q) "
)


def verdict_asked(text: str) -> str | None:
    """ "better" or "worse" when a normalized comparison asks which campaign is ("qual delas tá melhor?");
    None when it asks none, or names another figure ("qual tem o melhor CTR?": not the CPL's verdict)."""
    m = _WHICH_VERDICT.search(text)
    if m is None or figure_named(text) not in {None, "cpl"}:
        return None
    return "better" if (m.group(1) or m.group(2)) == "melhor" else "worse"


# "tá bom o CPL da campanha 11?": a judgement of the CPL asked, answered yes or no
CPL_JUDGE = re.compile(
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


def rate_judge_metric(asked: str) -> str | None:
    found = _RATE_JUDGE.search(asked)
    if found is None:
        return None
    rate = _RATE_OF[found.group(1) or found.group(6)]
    word = (found.group(3) or found.group(5))[:4]
    # "tá caro?" of the CPM and "tá baixo?" of the CTR ask if it is bad: their "Sim" is the bad news
    bad_words = {"caro", "cara", "ruim"} | ({"alto", "alta"} if not _HIGH_GOOD[rate] else {"baix"})
    return f"judge_{rate}_bad" if word in bad_words else f"judge_{rate}"


# "quanto custa um lead na 4 comparado com a média?", "o cpl da campanha 8 tá acima da média da conta?":
# one campaign's CPL against the account's over the same days (the account's "média" is its spend over its
# leads); a comparison word and the account's side are both needed ("a média de leads por dia da 4" is none)
_VS_WORD = re.compile(
    r"\bcompar\w*|\b(vs|versus|contra|frente)\b|\bem relacao\b|\b(acima|abaixo)\b"
    r"|\bmais (car[oa]|barat[oa])\b|\b(maior|menor|melhor|pior)(es)? (do )?(que|q)\b"
)
_ACCOUNT_SIDE = re.compile(
    r"\bmedi[ao]\b(?! (diari[ao]|por dia|de \w+ por dia))|\b(com|que|q|contra|vs|versus|a|da) (a )?conta\b"
    r"|\bresto da conta\b|\boutras campanhas\b"
)
_ABOVE = re.compile(r"\bacima\b|\bmais car[oa]\b|\b(maior|pior)(es)? (do )?(que|q)\b")
_BELOW = re.compile(r"\babaixo\b|\bmais barat[oa]\b|\b(menor|melhor)(es)? (do )?(que|q)\b")


def vs_account_side(name: str) -> bool:
    """Whether a phrase read as a campaign's name is the account's side of the comparison ("media da
    conta")."""
    return bool(_ACCOUNT_SIDE.search(name)) or name.strip() in {"conta", "a conta"}


def vs_account_asked(text: str) -> str | None:
    """ "vs_account_above" ("tá acima da média?": its "Sim" is a CPL above the account's), "vs_account_below"
    or "vs_account" (no side asked) when a normalized question sets a campaign's CPL against the account's;
    None otherwise, or when it names another figure than the CPL ("o CTR da 4 vs a conta")."""
    if not (_VS_WORD.search(text) and _ACCOUNT_SIDE.search(text)):
        return None
    lead_cost = re.search(r"\bcust\w* (um|cada|o|1) lead\b", text)  # "quanto custa um lead": the CPL
    if figure_named(text) not in {None, "cpl"} and not lead_cost:
        return None
    if _ABOVE.search(text):
        return "vs_account_above"
    return "vs_account_below" if _BELOW.search(text) else "vs_account"
