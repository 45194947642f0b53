"""The account's currency when a question names one ("quanto gastei em reais?" on a CLP account, "qual a
moeda da conta?"): said first, so that the amounts after it are not read as the currency asked. The
source has no exchange rates, so nothing is converted. Pure: the question and the account's currency."""

from __future__ import annotations

import re

from famachat_ml_pipeline.agent.intents_talk import normalize

# the currencies a buyer names, by their words (normalized: no accents) -> the ISO codes they can mean
_NAMED = (
    (re.compile(r"\breais\b|\bem real\b|r\$|\bbrl\b"), frozenset({"BRL"}), "reais"),
    (re.compile(r"\bdolar(?:es)?\b|\busd\b|us\$"), frozenset({"USD"}), "dólares"),
    (re.compile(r"\beuros?\b|\beur\b"), frozenset({"EUR"}), "euros"),
    (
        re.compile(r"\bpesos?\b|\bclp\b|\bmxn\b|\bars\b|\bcop\b"),
        frozenset({"CLP", "MXN", "ARS", "COP", "UYU"}),
        "pesos",
    ),
)
# the account's currency said by its name too ("CLP (peso chileno)")
CURRENCY_NAMES = {
    "BRL": "real",
    "USD": "dólar americano",
    "EUR": "euro",
    "CLP": "peso chileno",
    "MXN": "peso mexicano",
    "ARS": "peso argentino",
    "COP": "peso colombiano",
    "UYU": "peso uruguaio",
    "PYG": "guarani",
}
_WHICH = re.compile(r"\b(?:qual|que|em que)\b.*\bmoeda\b|\bmoeda da conta\b")


def _named(currency: str) -> str:
    name = CURRENCY_NAMES.get(currency)
    return f"{currency} ({name})" if name else currency


def currency_asked(message: str) -> bool:
    """ "qual a moeda da conta?": the currency is the whole answer."""
    return bool(_WHICH.search(normalize(message)))


def currency_note(message: str, currency: str) -> str | None:
    """ "A conta é em CLP (peso chileno): ..." when the question names a currency other than the account's
    (or asks which it is); None otherwise. No conversion: the data carry no exchange rate."""
    text = normalize(message)
    if _WHICH.search(text):
        return f"A moeda da conta é {_named(currency)}: todos os valores da conta estão nela."
    for pattern, codes, word in _NAMED:
        if pattern.search(text) and currency not in codes:
            return (
                f"A conta é em {_named(currency)}, não em {word}: os valores abaixo estão em {currency}, "
                f"sem conversão (os dados não trazem câmbio)."
            )
    return None


# "quanto tá o dólar hoje?", "qual a cotação?", "e em reais quanto dá isso?": an exchange rate or a conversion
_EXCHANGE = re.compile(
    r"\bcota(?:cao|coes)\b|\bcambio\b"
    # "converte pra reais" (not "taxa de conversão", "converte mais barato": leads per click)
    r"|\bconvert\w* (?:isso |os valores )?(?:pra|para|em) (?:reais|real|dolar(?:es)?|euros?|pesos?)\b"
    r"|\b(?:quanto|qto|qnto)\s+(?:ta|esta|tá|custa|vale)\s+o\s+(?:dolar|euro|peso|real)\b"
    r"|\bem (?:reais|dolares|euros|pesos)\b.*\b(?:quanto|qto|qnto)\s+(?:da|dá|fica)\b"
    r"|\b(?:quanto|qto|qnto)\s+(?:da|fica)\b.*\bem (?:reais|dolares|euros|pesos)\b"
)


def exchange_note(message: str, currency: str) -> str | None:
    """ "Quanto tá o dólar hoje?", "e em reais quanto dá isso?": the one answer there is, that the data
    carry no exchange rate (was the day's figures, or "Não entendi" after the currency note)."""
    if not _EXCHANGE.search(normalize(message)):
        return None
    return (
        f"Não tenho câmbio nem cotação: os dados da conta trazem só os valores em {_named(currency)}, sem "
        "conversão. Para outra moeda, multiplique pela cotação do dia da sua fonte (banco ou corretora)."
    )
