"""What every pt-BR answer writes the same way: a date, a quoted campaign name, a period after its
preposition, a change's direction ("subiu", "+7%")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from famachat_ml_pipeline.agent.tools.analysis import excluded_text
from famachat_ml_pipeline.core.recommendations.text_ptbr import days_text as days_text  # re-exported
from famachat_ml_pipeline.core.recommendations.text_ptbr import format_number
from famachat_ml_pipeline.core.tiers import HIGH_MAX_RATIO, LOW_MAX_RATIO, MODERATE_MAX_RATIO

Out = dict[str, dict[str, Any]]  # the tools' outputs by tool name (and the plan's facts under "_" keys)


def count_text(count: object) -> str:
    """A count as pt-BR writes it: "2.660", "7", "-" (none); text already written stays as it is."""
    if count is None:
        return "-"
    if isinstance(count, bool) or not isinstance(count, int | float) or not float(count).is_integer():
        return str(count)
    return format_number(count, 0)


def days_left_text(days: int) -> str:
    """ "o 1 dia que falta", "os 30 dias que faltam": after "d"/"n" ("antes dos ...", "por dia nos ...")."""
    return "o 1 dia que falta" if days == 1 else f"os {days} dias que faltam"


def counted(count: int, one: str, many: str) -> str:
    """A count with its noun in the right number: "1 campanha", "3 campanhas" (was "campanha(s)")."""
    return f"{count_text(count)} {one if count == 1 else many}"


def leads_text(count: object) -> str:
    """ "1 lead", "2.660 leads", "- leads" (no count): a count of leads as pt-BR writes it."""
    shown = count_text(count)
    return f"{shown} lead" if shown == "1" else f"{shown} leads"


_TIER_BOUNDS = (HIGH_MAX_RATIO, MODERATE_MAX_RATIO, LOW_MAX_RATIO)


def times_text(ratio: float) -> str:
    """ "2,9x": a CPL over the account's, said with one decimal in every answer, rounded once from the
    unrounded ratio (2,948 is "2,9x" everywhere, never "3,0x" from a stored 2,95). Two decimals only where
    one would land on a tier bound it is not (1,52 is "1,52x", not "1,5x" beside "crítica acima de 1,50x")."""
    one = round(ratio, 1)
    near_bound = one in _TIER_BOUNDS and abs(ratio - one) >= 0.005
    return f"{format_number(ratio, 2 if near_bound else 1)}x"


def br_date(iso: str | None) -> str:
    return "-" if not iso else f"{iso[8:10]}/{iso[5:7]}/{iso[0:4]}"


def br_span(first: dt.date, last: dt.date) -> str:
    """ "29/11/2026" for one day, "23/11/2026 a 29/11/2026" for more."""
    a, b = br_date(first.isoformat()), br_date(last.isoformat())
    return a if first == last else f"{a} a {b}"


def quoted(name: str) -> str:
    """A campaign name as quoted data (it comes from the account's tables, not from us)."""
    return "“" + " ".join(str(name).split())[:80] + "”"


def period_in(label: str) -> str:
    """A period's label after a preposition: "em novembro de 2026", "nos últimos 30 dias", "na semana…",
    "nesta semana…"."""
    article = {"últimos": "nos", "semana": "na", "o período": "n", "esta semana": "n", "fim de semana": "no"}
    if label.startswith(("os ", "as ")):  # "nos mesmos dias de outubro", "nos 14 dias anteriores"
        return f"n{label}"
    prefix = next((k for k in article if label.startswith(k)), None)
    if prefix in {"o período", "esta semana"}:
        return f"n{label}"
    return f"{article[prefix]} {label}" if prefix else f"em {label}"


def not_found(out: dict[str, Any]) -> str | None:
    return out.get("message") if out.get("found") is False else None


def failed(out: dict[str, Any]) -> str | None:
    """A tool's "not found" message or its error, to say instead of an answer; None when it answered."""
    return not_found(out) or out.get("error")


def figures_text(f: dict[str, Any], first: str = "spend") -> str:
    """ "R$ 100,00 investidos, 4 leads, CPL R$ 25,00"; the figure asked first ("leads" or "cpl")."""
    left_out = excluded_text(f.get("set_aside") or 0, f.get("orphans") or 0)
    note = f" ({left_out})" if left_out else ""
    parts = {
        "spend": f"{f['spend'] or '-'} investidos",
        "leads": leads_text(f["leads"]),
        "cpl": f"CPL {f['cpl'] or 'sem leads'}",
    }
    order = [first, *(k for k in parts if k != first)] if first in parts else list(parts)
    return ", ".join(parts[k] for k in order) + note


def freq(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}".replace(".", ",")


def signed(change: str | None) -> str | None:
    """ "7%" -> "+7%": a rise said as one ("-13%" and "0%" as they are)."""
    # one already signed stays as it is (not "++7%")
    return f"+{change}" if change and moved_word(change) == "subiu" and change[0] != "+" else change


def change_of(change: str, what: str) -> str:
    """ "-18% de gasto", or "gasto estável" for a change that rounds to 0 (was "0% de gasto" for -0,4 %)."""
    return f"{what} estável" if moved_word(change) == "ficou estável" else f"{signed(change)} de {what}"


def moved_word(change: str) -> str:
    """A formatted change ("-0,4%", "+3,0%") in words."""
    if not any(ch in "123456789" for ch in change):
        return "ficou estável"
    return "caiu" if change.lstrip().startswith(("-", "−")) else "subiu"


def about_leads(value: object) -> str:
    """A forecast sum of leads as a buyer says it: "392,9" -> "cerca de 393", "1.234,5" -> "cerca de
    1.235" (leads come whole; the decimal is the forecast's arithmetic); "-" stays."""
    text = str(value) if value is not None else "-"
    digits = text.replace(".", "").replace(",", ".")
    try:
        number = float(digits)
    except ValueError:
        return text
    return f"cerca de {count_text(round(number))}"


def about_leads_text(value: object) -> str:
    """ "cerca de 393 leads", "cerca de 1 lead" (was "cerca de 1 leads"): `about_leads` with its noun."""
    about = about_leads(value)
    return f"{about} lead" if about == "cerca de 1" else f"{about} leads"


def about_money(value: object) -> str:
    """A forecast amount as a forecast: "R$ 8.130,51" -> "cerca de R$ 8.130,51" (a forecast's spend is no
    figure spent); "-" or nothing stays "-"."""
    text = str(value) if value not in (None, "") else "-"
    return text if text == "-" else f"cerca de {text}"
