"""`famachat-ml api` stopped (SIGTERM, as serve, systemd and Kubernetes stop it) while a chat waits on the
LLM: the real process, the real anthropic client, the LLM faked at its HTTP boundary only."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from famachat_ml_pipeline.db.engine import get_engine, migrate
from famachat_ml_pipeline.demo.generator import generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline_tests.agent.fake_anthropic import Stall, fake_anthropic

KEY = "shutdown-test-key-0123456789"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ignore_stop_signals() -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)


def _start_api(
    tmp: Path, llm_url: str, grace: float, deaf_parent: bool = False
) -> tuple[subprocess.Popen, str]:
    url = f"sqlite:///{tmp / 'ml.db'}"
    migrate(url)
    write_demo(get_engine(url), generate_demo(n_accounts=1, days=35))
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "ML_API_KEY": KEY,
        "AGENT_ANTHROPIC_API_KEY": "sk-fake",
        "ANTHROPIC_BASE_URL": llm_url,
        "AGENT_MAX_RETRIES": "0",
        "AGENT_TIMEOUT_SECONDS": "120",
        "API_SHUTDOWN_GRACE_SECONDS": str(grace),
    }
    cli = str(Path(sys.executable).with_name("famachat-ml"))
    proc = subprocess.Popen(
        [cli, "api", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=_ignore_stop_signals if deaf_parent else None,  # as `nohup ... &` leaves them
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/v1/health/live", timeout=2):
                return proc, base
        except OSError:
            assert proc.poll() is None and time.monotonic() < deadline, "the API did not start"
            time.sleep(0.2)


def _chat(base: str, result: list[object]) -> None:
    body = json.dumps({"message": "Me dá um resumo da conta", "config_id": 1}).encode()
    request = urllib.request.Request(
        f"{base}/api/v1/agent/chat", data=body, headers={"Content-Type": "application/json", "X-API-Key": KEY}
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as resp:
            result.append(resp.status)
    except urllib.error.HTTPError as exc:
        result.append(exc.code)
    except OSError as exc:  # the connection closed without an answer
        result.append(type(exc).__name__)


def _stop_during_a_chat(
    tmp: Path, llm_seconds: float, grace: float, deaf_parent: bool = False
) -> tuple[float, list[object], int]:
    """Starts a chat whose LLM call takes `llm_seconds`, SIGTERMs the API 2 s in; returns how long the API
    took to exit after the signal, what the chat got, and the exit code."""
    with fake_anthropic([Stall(llm_seconds)]) as fake:
        proc, base = _start_api(tmp, fake.url, grace, deaf_parent)
        try:
            result: list[object] = []
            chat = threading.Thread(target=_chat, args=(base, result), daemon=True)
            chat.start()
            deadline = time.monotonic() + 30
            while not fake.requests:  # the chat is waiting on the LLM
                assert time.monotonic() < deadline, "the chat never reached the LLM"
                time.sleep(0.1)
            time.sleep(1)
            start = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            try:
                code = proc.wait(timeout=llm_seconds + 30)
            except subprocess.TimeoutExpired:
                code = -999
            took = time.monotonic() - start
            chat.join(timeout=10)
            return took, result, code
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_a_stop_lets_a_chat_in_flight_finish_within_the_grace(tmp_path: Path) -> None:
    took, result, code = _stop_during_a_chat(tmp_path, llm_seconds=4, grace=20)
    assert result == [200], result  # answered (the LLM gave nothing: the offline agent's answer)
    # uvicorn re-raises the signal it got; the margin is for a loaded CI machine (the stop itself is < 1 s)
    assert code in (0, -signal.SIGTERM) and took < 4 + 12, (took, code)


@pytest.mark.parametrize("deaf_parent", [False, True], ids=["plain", "signals-ignored-by-the-parent"])
def test_a_stop_does_not_wait_past_the_grace_for_a_stalled_llm(tmp_path: Path, deaf_parent: bool) -> None:
    """uvicorn waited for the chat without end: an LLM call that took 40 s held the stop 40 s, past serve's
    20 s (then SIGKILL) and Kubernetes' 30 s default. Now the API closes it after its grace and exits.
    Also when the API inherits SIGTERM ignored (the suite under `nohup ... &` did: 40.6 s)."""
    took, result, code = _stop_during_a_chat(tmp_path, llm_seconds=40, grace=3, deaf_parent=deaf_parent)
    assert took < 3 + 15, f"the API took {took:.1f} s to stop (exit {code}); the chat got {result}"
    assert code in (0, -signal.SIGTERM)
