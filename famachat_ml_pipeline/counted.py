"""Counts in the English log and CLI lines: "1 account", "2 accounts" (was "1 accounts")."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """`n` with its noun, singular for exactly one; thousands grouped ("1,234 rows")."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def listed(items: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    return " and ".join(filter(None, [", ".join(items[:-1]), *items[-1:]]))
