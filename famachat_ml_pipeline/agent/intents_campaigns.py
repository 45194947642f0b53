"""The campaigns and accounts a question names: an id, "campanha 3", a name ("campanha Black Friday", cut
against the account's names), several to compare ("3 e 4"), a typo of "campanha" read as it, and "conta 2".
Pure functions: no database."""

from __future__ import annotations

import re
import unicodedata

from famachat_ml_pipeline.agent.intents_periods import DAY_REF
from famachat_ml_pipeline.agent.intents_talk import normalize

# a number alone, not part of a date, an amount or a percentage: a campaign's number in a comparison
BARE_NUMBER = r"(?<![\d/.,$])\b\d{1,6}\b(?![/\d.,%])"


CAMPAIGN_ID = re.compile(r"\b\d{6,30}\b")
# "conta 2", "config_id=2", "cliente #2": an account named in the question
ACCOUNT_REF = re.compile(r"""\b(?:conta|config_?id|cliente|account)["']?\s*[=:#nº°o.]*\s*(\d{1,9})\b""")


# "vale reativar a 31?", "devo religar a campanha 31?": a paused campaign's figures while it ran; a number
# alone after the verb is a campaign's number
REACTIVATE = re.compile(r"\breativ\w*|\breligar\b|\bdespausar\b|\bvoltar a rodar\b")
REACTIVATE_NUMBER = re.compile(
    r"\b((?:reativ\w*|religar|despausar)\s+(?:a|o)\s+)(\d{1,6})(?![/\d.,%])", re.IGNORECASE
)


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
        return tuple(dict.fromkeys(re.findall(BARE_NUMBER, DAY_REF.sub(" ", text))))
    # "da campanha 3 pra 4": "pra"/"para" before a campaign's number splits too; "a campanha 8 tá melhor (ou
    # pior) que a campanha 9" at its comparative (read first: its "ou" is no split of its own)
    parts = re.split(
        r"\s(?:(?:ta|esta|e)\s)?(?:melhor|pior)(?:\sou\s(?:melhor|pior))?\s(?:do\s)?(?:que|q)\s"
        # "a campanha 4 gastou mais que a 8": at the comparative, its verb and figure with it
        r"|\s(?:\w+\s){1,3}?(?:mais|menos|maior|menor)(?:\s\w+)?\s(?:do\s)?(?:que|q)\s(?=(?:a\s)?(?:campanha\s)?\d)"
        r"|,|\s(?:e|com|x|vs|versus|ou)\s|\s(?:pra|para)\s(?=(?:a\s)?(?:campanha\s)?\d)",
        m.group(1),
    )
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
    case of its first letter kept), so the campaign it names is not silently dropped; so is "camp(s)"."""

    def fix(m: re.Match[str]) -> str:
        word = m.group(0)
        low = normalize(word)
        if low in {"camp", "camps"}:  # "ctr da camp 4", "quais camps": the buyers' short form
            return ("Campanha" if word[0].isupper() else "campanha") + low[4:]
        if len(low) < 7 or low in {"campanha", "campanhas", "campainha"}:  # a doorbell is no typo
            return word
        for target in ("campanha", "campanhas"):
            if _one_edit(low, target):
                return target.capitalize() if word[0].isupper() else target
        return word

    return _WORD.sub(fix, message)


def accounts_named(text: str) -> tuple[int, ...]:
    return tuple(sorted({int(m) for m in ACCOUNT_REF.findall(text)}))


# "a 11 ta queimando dinheiro?", "e a 11?", "o cpl da 11": a feminine article and a number alone name the
# campaign of that number (buyers drop "campanha"); a date ("a 11/11"), an ordinal ("até a 11ª"), an hour
# ("a 11h"), an amount ("a 11%", "R$ 11") or a decimal is none
_ARTICLE_NUMBER = re.compile(
    r"(?<![\w/.,$])((?:e\s+)?(?:a|da|na)\s+)(\d{1,5})(?![\w/%ªº°:]|[.,]\d)", re.IGNORECASE
)
# what follows a number that makes it a day or a quantity, not a campaign ("a 11 de novembro", "a 3 dias")
# ("na 12 dia 20", "na 12 semana passada": the day or the period asked of campaign 12, no quantity)
_QUANTITY_AFTER = re.compile(
    r"\s*(?:de\s+(?:jan|fev|mar|abr|mai|jun|jul|ago|set|out|nov|dez)|dias?\b(?!\s*\d)"
    r"|(?:semanas?|mes(?:es)?)\b(?!\s+(?:passad|retrasad|anterior|atual|que vem))"
    r"|anos?\b|horas?\b|minutos?\b|leads?\b|reais\b|mil\b|k\b|por\s+cento\b|vezes\b|cliques?\b)"
)
# what before an article makes its number a range's end or a day: "de 1 a 11", "até a 11", "dia 1 a 11"
# (a number before "na"/"da" ends no range: "quanto gastei dia 20 na 12" is campaign 12's day 20)
_RANGE_BEFORE = re.compile(r"(?:\d|\bate|\bdia|\bdo)\s*$")


# what before "a N" makes it a campaign even when the account has none of that number: the question opens
# with it ("a 40 tá boa?", "e a 40?"), or an action or a "how is" asks about it ("vale aumentar a 5?",
# "como tá a 5?", "por que a 3 parou?"): said not found, not answered for the account
_CAMPAIGN_BEFORE = re.compile(
    r"(?:^|\b(?:como (?:ta|esta|anda|vai|foi)|e|sobre|por ?que|pq|paus\w*|despausar|aument\w*|escal\w*"
    r"|reduz\w*|cort(?:ar|o|a)|deslig\w*|dobr(?:ar|o|a)|reativ\w*|religar))\s*$"
)


# "a 12 gastou mais que a 17?" with no Campanha 17: the second is a campaign too, said not found (was the
# 12's card alone, the 17 dropped); only after a campaign named by its number
_THAN_BEFORE = re.compile(r"\b(?:mais|menos|maior|menor)\b(?:\s+\w+)?\s+(?:do\s+)?(?:que|q)\s*$")
_NUMBER_BEFORE = re.compile(r"\b(?:a|o|campanha)\s+\d{1,6}\b")
_NUMBER_ALONE = re.compile(r"^\s*(\d{1,5})\s*\??\s*$")


def campaign_numbers_named(message: str, names: dict[str, str]) -> str:
    """The message with each "a N" that names one of the account's campaigns (by its number) written
    "a campanha N", so the classifier reads it as that campaign; a number the account has no campaign of
    is written so too where nothing else could be meant (`_CAMPAIGN_BEFORE`: then said not found); one
    that is a date or a quantity is left as it is."""

    def named(m: re.Match[str]) -> str:
        after = normalize(message[m.end() :])
        before = normalize(message[: m.start()])
        ranged = _RANGE_BEFORE.search(before) and normalize(m.group(1)).split()[-1] == "a"
        if _QUANTITY_AFTER.match(after) or ranged:
            return m.group(0)
        compared = _THAN_BEFORE.search(before) and _NUMBER_BEFORE.search(before)
        if not match_campaigns(m.group(2), names) and not (_CAMPAIGN_BEFORE.search(before) or compared):
            return m.group(0)
        return f"{m.group(1)}campanha {m.group(2)}"

    if (alone := _NUMBER_ALONE.match(message)) and match_campaigns(alone.group(1), names):
        # "12", "14?": a number the account has a campaign of, typed alone, is that campaign (was the help
        # menu); in a thread, as "campanha 12?" is read after the question before
        return f"campanha {alone.group(1)}{message[alone.end(1) :]}"
    if (how := _HOW_IS_NAMED.match(message)) and not how.group(2).strip().isdigit():
        # "como tá a publico 5?": part of one campaign's name after "como tá a", without "campanha" (was
        # the help menu); words that match no name, or several, are left as they are
        _, hits = resolve_name(normalize(how.group(2)), names)
        if len(hits) == 1:
            message = f"{how.group(1)}campanha {message[how.start(2) :]}"
    return _ARTICLE_NUMBER.sub(named, message)


_HOW_IS_NAMED = re.compile(
    r"^(\s*(?:e\s+)?como\s+(?:t[aá]|est[aá]|anda|vai|foi)\s+(?:a|o)\s+)(?!campanha\b)([^?!,;:]+)",
    re.IGNORECASE,
)
