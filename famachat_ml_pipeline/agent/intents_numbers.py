"""Numbers as a pt-BR user writes them ("1.500,00", "1,5", "50%"), read from a question. Pure
functions: no database."""

from __future__ import annotations

import re

# pt-BR first: dots in groups of three are thousands ("1.500", "1.234.567,89"), the comma is the decimal
# ("1,5"); "1,234.56" (both, dot last) and a lone "1.5" are read the English way.
_NUMBER = re.compile(r"\d{1,3}(?:\.\d{3})+(?!\d)(?:,\d+)?|\d{1,3}(?:,\d{3})+\.\d+|\d+(?:[.,]\d+)?")
_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")


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


# "50 mil", "15k", "1,5 milhão", "2 mi", "3kk": the word after a number that multiplies it (accent-free text)
MAGNITUDE = r"(mil\b|k\b|milh(?:ao|oes)\b|mi\b|kk\b)"


def magnitude(word: str | None) -> float:
    """The factor a MAGNITUDE word stands for: a thousand or a million (1 when there is none)."""
    if not word:
        return 1.0
    return 1000.0 if word in {"mil", "k"} else 1_000_000.0


def percent_named(text: str) -> float | None:
    """The percentage a normalized text names ("e se for 50%?" -> 50.0), None when it names none."""
    m = PCT.search(text)
    return parse_number(m.group(1)) if m else None


PCT = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:%|por cento)")

# "se eu dobrar o orçamento": a budget's change said in words, as a percentage
_TIMES = (
    (re.compile(r"\bdobr\w*|\bo dobro\b|\b2x\b"), 100.0),
    (re.compile(r"\btripl\w*|\bo triplo\b|\b3x\b"), 200.0),
)


def raise_named(text: str) -> float | None:
    """The budget raise a normalized text names, in %: "20%", or "dobrar" (+100%) and "triplicar" (+200%);
    None when it names none."""
    if (pct := percent_named(text)) is not None:
        return pct
    return next((pct for pattern, pct in _TIMES if pattern.search(text)), None)
