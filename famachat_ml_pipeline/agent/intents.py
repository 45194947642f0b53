"""The offline agent's first step: what a pt-BR question asks (`classify_intent`), read from keywords, and the
campaigns, day and numbers it names. Pure functions: no database, no tools."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, replace

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
    "performance",
    "summary",
)

# Checked in order: the first intent with a matching pattern wins. Patterns run on accent-free lowercase,
# after the negated mentions are taken out ("não quero previsão" is not a forecast question). The order
# matters: the specific asks (help, data quality, ROI, a whole analysis, compare, list, trend, forecast)
# come before the broad ones; anomalies ("por que o CPL subiu") before recommendations ("devo pausar"),
# the tiers ("mal", "bem") before the plain figures ("qual o CPL"), and the summary ("conta") last.
_PATTERNS: tuple[tuple[str, str], ...] = (
    ("help", r"\b(ajuda|help|o que (voce|vc) (sabe|faz|pode)|como (te )?uso|comandos)\b"),
    ("data_quality", r"qualidade|sincroniz|descartad|set aside|dados (estao )?atualizados|ultima atualiza"),
    ("roi", r"\broi\b|\broas\b|retorno"),
    (
        "analyze",
        r"\banalise (completa|geral|detalhada|em detalhe)"
        r"|\banalis[ae]r? (a|minha|esta|essa) (conta|campanha)",
    ),
    ("compare", r"\bcompar|\bversus\b|\bvs\b"),
    (
        "list_campaigns",
        r"\blist\w*( as| todas as)?( minhas)? campanhas"
        r"|quais (sao )?(as )?(minhas )?campanhas( que)?( eu)? tenho|todas as (minhas )?campanhas",
    ),
    ("trends", r"tendenc|evolu(cao|iu|indo)"),
    ("forecast", r"previs|prever|preve|proxima semana|semana que vem|proximos (7 )?dias|vai gerar|projec"),
    (
        "anomalies",
        r"anomal|por ?que|subiu|disparou|pulou|aumentou|caiu|queda|alerta|estranh|cpl (alto|jump)|aconteceu",
    ),
    (
        "recommendations",
        r"recomend|sugest|o que (devo|eu devo|fazer)|\bacao|\bacoes|proximos passos"
        r"|paus|orcamento|escal|vale a pena|\bdevo\b|deveria|deslig",
    ),
    ("underperformers", r"\bmal\b|pior|piores|ruim|ruins|baixa performance|underperform|problema|perdendo"),
    ("top", r"\bbem\b|melhor|melhores|\btop\b|destaque|alta performance|high perform"),
    (
        "performance",
        r"\bcpl\b|custo por lead|\bctr\b|quanto (eu )?(gastei|gastamos|investi|investimos|gasto)|\bgastei\b"
        r"|quantos leads|leads (eu )?(tive|tivemos|gerei|geramos|gerou|entraram)",
    ),
    ("summary", r"resumo|visao geral|como (esta|vai) a conta|panorama|overview|conta"),
)
# "não quero previsão", "não preciso de recomendações": the thing negated is not what is asked
_NEGATED = re.compile(r"\bnao (quero|preciso|e|pedi|perguntei)( de| sobre)?( uma| um| a| o| as| os)? \w+")
# intents that keep a campaign named in the question; any other becomes that campaign's details
_CAMPAIGN_INTENTS = {
    "forecast",
    "help",
    "data_quality",
    "roi",
    "recommendations",
    "trends",
    "analyze",
    "compare",
}
_CAMPAIGN_ID = re.compile(r"\b\d{6,30}\b")
# "conta 2", "config_id=2", "cliente #2": an account named in the question
_ACCOUNT_REF = re.compile(r"""\b(?:conta|config_?id|cliente|account)["']?\s*[=:#nº°o.]*\s*(\d{1,9})\b""")
# pt-BR first: dots in groups of three are thousands ("1.500", "1.234.567,89"), the comma is the decimal
# ("1,5"); "1,234.56" (both, dot last) and a lone "1.5" are read the English way.
_NUMBER = re.compile(r"\d{1,3}(?:\.\d{3})+(?!\d)(?:,\d+)?|\d{1,3}(?:,\d{3})+\.\d+|\d+(?:[.,]\d+)?")
_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")
# "ontem", "hoje", "anteontem", "26/11", "26/11/2026"
_DAY_REF = re.compile(r"\b(anteontem|ontem|hoje)\b|\b(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?\b")
# the campaign name asked: the words after "campanha", up to punctuation or a word that ends the name
_NAME_AFTER = re.compile(r"\bcampanha\s+([^?!,;:]+)")
_NAMES_AFTER = re.compile(r"\bcampanhas?\s+([^?!;:]+)")
_NAME_ENDS = frozenset(
    re.findall(
        r"\w+",
        "esta estao ta anda andou vai vao teve tem tinha foi deu e devo deve deveria precisa pode com na no "
        "nos nas para pra ontem hoje semana mes agora ou que tambem em nesta nessa desta dessa neste nesse "
        "ate se performou performando gerou gastou",
    )
)
# words that name no campaign on their own ("a campanha de leads" is not a name)
_GENERIC = frozenset(
    re.findall(r"\w+", "a o as os de da do dos das lead leads anuncio anuncios conta publico trafego")
)


def normalize(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


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


def resolve_day(ref: str | None, today: dt.date) -> dt.date | None:
    """The day a question names ("ontem", "26/11"), `today` being the account's today; None if none."""
    m = _DAY_REF.search(ref or "")
    if not m:
        return None
    if m.group(1):
        return today - dt.timedelta(days={"hoje": 0, "ontem": 1, "anteontem": 2}[m.group(1)])
    day, month, year = int(m.group(2)), int(m.group(3)), m.group(4)
    y = int(year) + (2000 if year and len(year) == 2 else 0) if year else today.year
    try:
        found = dt.date(y, month, day)
    except ValueError:
        return None
    if not year and found > today:  # "26/12" asked in January is last year's
        found = found.replace(year=y - 1)
    return found


def _name_phrase(raw: str) -> str | None:
    """The name part of the words after "campanha": cut at the first word that ends a name."""
    words = []
    for w in raw.split():
        if w in _NAME_ENDS:
            break
        words.append(w)
    while words and words[0] in {"a", "o", "de", "da", "do"}:
        words.pop(0)
    if not words or all(w in _GENERIC for w in words):
        return None
    return " ".join(words)


def names_asked(text: str, compare: bool = False) -> tuple[str, ...]:
    """Campaign names a normalized question asks about: one, or several to compare ("3 e 4")."""
    if not compare:
        m = _NAME_AFTER.search(text)
        phrase = _name_phrase(m.group(1)) if m else None
        return (phrase,) if phrase else ()
    m = _NAMES_AFTER.search(text)
    if not m:
        return ()
    parts = re.split(r",|\s(?:e|com|x|vs|versus)\s", m.group(1))
    cleaned = (re.sub(r"^(?:(?:a|o|as|os|da|do)\s+)?(?:campanhas?\s+)?", "", p.strip()) for p in parts)
    return tuple(p for p in (_name_phrase(c) for c in cleaned) if p)


def match_campaigns(phrase: str, names: dict[str, str]) -> list[str]:
    """Ids whose name holds the phrase as whole words (accents and case ignored); "campanha 3" is tried
    first, so "3" finds "Campanha 3 - Público 3" and not "Campanha 30"."""
    for candidate in (f"campanha {phrase}", phrase):
        pattern = re.compile(rf"(?<!\w){re.escape(candidate)}(?!\w)")
        hits = sorted(cid for cid, name in names.items() if pattern.search(normalize(name or "")))
        if hits:
            return hits
    return []


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


def accounts_named(text: str) -> tuple[int, ...]:
    return tuple(sorted({int(m) for m in _ACCOUNT_REF.findall(text)}))


def classify_intent(message: str) -> Intent:
    """The intent of a question, from keywords; a campaign id or name in it makes it about that campaign."""
    text = normalize(message)
    asked = _NEGATED.sub(" ", text)
    ids = _CAMPAIGN_ID.findall(text)
    cid = ids[0] if ids else None
    named = accounts_named(text)
    day = _DAY_REF.search(text)
    day_ref = day.group(0) if day else None
    matched = next((n for n, pattern in _PATTERNS if re.search(pattern, asked)), None)
    if matched == "roi":
        money_text = _DAY_REF.sub(" ", _ACCOUNT_REF.sub(" ", _CAMPAIGN_ID.sub(" ", text)))
        money_text = re.sub(r"\bcampanha\s+\S+", " ", money_text)  # "campanha 3" is no money
        numbers = numbers_in(money_text)
        return Intent("roi", cid, numbers[0] if numbers else None, named, names_asked(text))
    if matched == "compare":
        return Intent("compare", None, None, named, names_asked(text, compare=True), day_ref, tuple(ids))
    names = () if cid else names_asked(text)
    if (cid or names) and matched not in _CAMPAIGN_INTENTS:
        return Intent("campaign_details", cid, None, named, names, day_ref)
    return Intent(matched or "help", cid, None, named, names, day_ref)


def resolve_campaigns(intent: Intent, names: dict[str, str]) -> Intent:
    """The campaign names asked, matched against this account's campaigns (id -> name).

    One match becomes the intent's campaign; none (or several) turns the answer into "not found" with
    the account's names, except where no campaign is needed (help, data quality).
    """
    if not intent.names or intent.name in {"help", "data_quality"}:
        return intent
    found = [match_campaigns(n, names) for n in intent.names]
    if intent.name == "compare":
        ids = [*intent.campaign_ids, *(hits[0] for hits in found if len(hits) == 1)]
        return replace(intent, campaign_ids=tuple(dict.fromkeys(ids)))
    (hits,) = found
    if len(hits) == 1:
        return replace(intent, campaign_id=hits[0])
    return replace(intent, name="campaign_not_found", matches=tuple(hits))
