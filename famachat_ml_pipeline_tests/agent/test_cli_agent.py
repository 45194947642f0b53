"""`famachat-ml ask` and the demo's closing questions, against the shared demo database."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from famachat_ml_pipeline.agent.online import UNAVAILABLE_NOTICE
from famachat_ml_pipeline.cli import DEMO_QUESTIONS, _demo_questions, main
from famachat_ml_pipeline.settings import get_settings
from famachat_ml_pipeline_tests.agent.conftest import DemoDb
from famachat_ml_pipeline_tests.agent.fake_anthropic import Failure, fake_anthropic

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
    assert "leads e cerca de R$" in out  # the forecast's spend is a forecast too


def _online(monkeypatch: pytest.MonkeyPatch, base_url: str) -> None:
    monkeypatch.setenv("AGENT_ANTHROPIC_API_KEY", "sk-fake")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", base_url)
    monkeypatch.setenv("AGENT_MAX_RETRIES", "0")
    get_settings.cache_clear()


@pytest.mark.parametrize("service", ["overloaded", "unreachable"])
def test_ask_answers_offline_when_the_ai_service_cannot(
    service: str, env: DemoDb, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with fake_anthropic([Failure(529, "overloaded_error", "Overloaded")]) as fake:
        _online(monkeypatch, fake.url if service == "overloaded" else "http://127.0.0.1:9")  # 9: no one
        code = main(["ask", "--config-id", "2", "Me dá um resumo da conta"])
    out = capsys.readouterr().out
    assert code == 0 and len(fake.requests) == (service == "overloaded")
    assert out.startswith(UNAVAILABLE_NOTICE) and "Resumo da conta (7 dias até" in out


def test_ask_with_a_refused_key_is_a_clear_error_not_offline(
    env: DemoDb, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with fake_anthropic([Failure(401, "authentication_error", "invalid x-api-key")]) as fake:
        _online(monkeypatch, fake.url)
        code = main(["ask", "--config-id", "2", "resumo"])
    out = capsys.readouterr().out
    assert code == 1 and "AGENT_ANTHROPIC_API_KEY" in out and UNAVAILABLE_NOTICE not in out


def test_ask_into_a_closed_pipe_ends_without_a_traceback(env: DemoDb) -> None:
    # `famachat-ml ask ... | head -1`: the reader is gone before the answer is written.
    cli = str(Path(sys.executable).with_name("famachat-ml"))
    proc = subprocess.Popen(
        [cli, "ask", "--config-id", "2", "Me dá um resumo da conta", "--offline"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "DATABASE_URL": env.url},
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 1
    assert "Traceback" not in err and "BrokenPipeError" not in err, err


def test_ask_with_a_thread_reads_and_keeps_its_earlier_turns(
    env: DemoDb, capsys: pytest.CaptureFixture[str]
) -> None:
    """`ask` answered each question alone: "por quê?" after "qual a pior campanha?" was the account's CPL,
    not that campaign's reason, as the chat API's thread gives."""
    from famachat_ml_pipeline.agent.service import open_agent
    from famachat_ml_pipeline.agent.types import ChatTurn
    from famachat_ml_pipeline.db import conversations as conv

    thread = f"cli-{uuid.uuid4().hex[:12]}"
    assert main(["ask", "--config-id", "2", "--thread", thread, "qual a pior campanha?"]) == 0
    first = capsys.readouterr().out.strip()
    assert main(["ask", "--config-id", "2", "--thread", thread, "por quê?"]) == 0
    followup = capsys.readouterr().out.strip()
    agent = open_agent(env.engine, 2, get_settings(), mode="offline")
    history = [ChatTurn("user", "qual a pior campanha?"), ChatTurn("assistant", first)]
    assert followup == agent.ask("por quê?", history).text.strip()
    assert followup != agent.ask("por quê?").text.strip()  # the thread is what changed the answer
    kept = [(m.role, m.content.strip()) for m in conv.get_messages(env.engine, 2, thread)]
    assert kept == [
        ("user", "qual a pior campanha?"),
        ("assistant", first),
        ("user", "por quê?"),
        ("assistant", followup),
    ]


def test_ask_refuses_another_accounts_thread_and_a_bad_id(
    env: DemoDb, capsys: pytest.CaptureFixture[str]
) -> None:
    from famachat_ml_pipeline.db import conversations as conv

    thread = f"cli-{uuid.uuid4().hex[:12]}"
    assert main(["ask", "--config-id", "2", "--thread", thread, "oi"]) == 0
    capsys.readouterr()
    assert main(["ask", "--config-id", "3", "--thread", thread, "e a 17?"]) == 2
    out = " ".join(capsys.readouterr().out.split())
    assert f"conversation '{thread}' is another account's, not 3's; nothing was asked" in out, out
    assert [m.role for m in conv.get_messages(env.engine, 2, thread)] == ["user", "assistant"]
    with pytest.raises(SystemExit) as exited:
        main(["ask", "--config-id", "2", "--thread", "two words", "oi"])
    assert exited.value.code == 2
    assert "1 to 100 letters, digits or _ . : -, got 'two words'" in capsys.readouterr().err
