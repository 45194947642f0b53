"""`famachat-ml ask` and the demo's closing questions, against the shared demo database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from famachat_ml_pipeline.cli import DEMO_QUESTIONS, _demo_questions, main
from famachat_ml_pipeline.settings import get_settings
from famachat_ml_pipeline_tests.agent.conftest import DemoDb

# The first test pays for the shared demo pipeline run, which takes minutes on a loaded 2-core machine.
pytestmark = pytest.mark.timeout(1200)


@pytest.fixture
def env(demo_db: DemoDb, monkeypatch: pytest.MonkeyPatch) -> Iterator[DemoDb]:
    monkeypatch.setenv("DATABASE_URL", demo_db.url)
    for key in ("AGENT_ANTHROPIC_API_KEY", "ANTHROPIC_API_KEY"):
        monkeypatch.delenv(key, raising=False)
    get_settings.cache_clear()
    yield demo_db
    get_settings.cache_clear()


def test_ask_prints_the_offline_answer(env: DemoDb, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--config-id", "2", "Me dá um resumo da conta"]) == 0
    assert "Resumo da conta (7 dias até" in capsys.readouterr().out


def test_ask_refuses_an_unknown_account(env: DemoDb, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--config-id", "999", "oi"]) == 2
    assert "no campaigns for config_id 999" in capsys.readouterr().out


def test_demo_ends_with_two_offline_answers(env: DemoDb, capsys: pytest.CaptureFixture[str]) -> None:
    _demo_questions()
    out = capsys.readouterr().out
    for question in DEMO_QUESTIONS:
        assert question in out
    assert "UNDERPERFORMER" in out or "Nenhuma campanha" in out
    assert "leads e R$" in out
