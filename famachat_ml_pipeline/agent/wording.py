"""What every pt-BR answer writes the same way: a date, a quoted campaign name, a period after its
preposition."""

from __future__ import annotations

from typing import Any

Out = dict[str, dict[str, Any]]  # the tools' outputs by tool name (and the plan's facts under "_" keys)


def br_date(iso: str | None) -> str:
    return "-" if not iso else f"{iso[8:10]}/{iso[5:7]}/{iso[0:4]}"


def quoted(name: str) -> str:
    """A campaign name as quoted data (it comes from the account's tables, not from us)."""
    return "“" + " ".join(str(name).split())[:80] + "”"


def period_in(label: str) -> str:
    """A period's label after a preposition: "em novembro de 2026", "nos últimos 30 dias", "na semana…"."""
    article = {"últimos": "nos", "semana": "na", "o período": "n"}
    prefix = next((k for k in article if label.startswith(k)), None)
    if prefix == "o período":
        return f"n{label}"
    return f"{article[prefix]} {label}" if prefix else f"em {label}"
