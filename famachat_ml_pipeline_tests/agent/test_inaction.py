"""'e se eu não fizer nada?': what doing nothing forgoes, the cuts' savings (was the help menu, or for
"se eu ignorar as recomendações?" the how-to of a dismissal)."""

from __future__ import annotations

import pytest

from famachat_ml_pipeline.agent.answers_recommendations import INACTION_HEAD
from famachat_ml_pipeline_tests.agent.conftest import DemoDb
from famachat_ml_pipeline_tests.agent.test_offline_asks18 import _one


@pytest.mark.parametrize(
    "question",
    [
        "e se eu não fizer nada?",
        "o que acontece se eu ignorar as recomendações?",
        "e se eu deixar tudo como está?",
        "se eu nao mexer em nada, o que acontece?",
        "e se a gente não fizer nada?",
        "e se eu deixar do jeito que está?",
        "o que acontece se eu não seguir essas recomendações?",
    ],
)
def test_doing_nothing_is_answered_with_the_savings_forgone(demo_db: DemoDb, question: str) -> None:
    intent, lines = _one(demo_db, question)
    assert intent == "recommendations", lines
    assert lines[0] == INACTION_HEAD, lines
    _, savings = _one(demo_db, "quanto eu economizo?")
    assert savings[0].startswith("Cerca de R$ "), savings  # the demo account has cuts advised
    assert lines[1:] == savings


def test_a_dismissal_is_still_a_dismissal(demo_db: DemoDb) -> None:
    intent, lines = _one(demo_db, "ignora as recomendações de corte")
    assert intent == "decisions", lines
    assert INACTION_HEAD not in lines, lines


def test_health_asked_with_things_left_as_they_are_is_the_health_verdict(demo_db: DemoDb) -> None:
    intent, lines = _one(demo_db, "minha conta tá saudável se eu deixar tudo como está?")
    assert intent == "summary", lines
    assert lines[0] != INACTION_HEAD, lines
