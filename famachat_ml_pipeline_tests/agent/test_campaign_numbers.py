"""A campaign asked by number ("campanha 3") against the account's names: its own number, never a number
elsewhere in another campaign's name."""

from __future__ import annotations

from famachat_ml_pipeline.agent.intents_campaigns import match_campaigns

NAMES = {
    "a": "[LEAD] Campanha 3 - Público 3",
    "b": "[LEAD] Campanha 30 - Público 1",
    "c": "[LEAD] Campanha 32 - Público 4",
    "d": "Natal 2026 - Lote 2",
    "e": "LEAD | SP | 07",
}


def test_the_number_after_campanha_wins() -> None:
    assert match_campaigns("3", NAMES) == ["a"]
    assert match_campaigns("30", NAMES) == ["b"]


def test_a_number_elsewhere_in_a_name_is_not_the_campaigns() -> None:
    assert match_campaigns("4", NAMES) == []  # "Público 4" is Campanha 32's audience, not its number


def test_without_campanha_in_the_name_the_first_number_counts_leading_zeros_aside() -> None:
    assert match_campaigns("2026", NAMES) == ["d"]
    assert match_campaigns("7", NAMES) == ["e"]
    assert match_campaigns("2", NAMES) == []  # Natal 2026's lot, not its number
