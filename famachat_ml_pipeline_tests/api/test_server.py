"""`famachat-ml api` as a real uvicorn server on loopback, and the chat page in headless Chromium."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from famachat_ml_pipeline_tests.api.conftest import API_KEY, JWT_SECRET, A, sse_events

CLI = str(Path(sys.executable).with_name("famachat-ml"))
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _post(url: str, body: dict, headers: dict[str, str]) -> tuple[int, str, bytes]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json", **headers}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, response.headers["content-type"], response.read()


class Server:
    def __init__(self, url: str, env: dict[str, str], tmp: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tmp / f"server-{self.port}.log"
        full_env = {
            k: v for k, v in os.environ.items() if k not in ("ANTHROPIC_API_KEY", "AGENT_ANTHROPIC_API_KEY")
        }
        full_env.update({"DATABASE_URL": url, "FAMACHAT_ML_DATA_DIR": str(tmp), **env})
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [CLI, "api", "--host", "127.0.0.1", "--port", str(self.port)],
                env=full_env,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=tmp,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log.read_text()}")
            try:
                if _get(self.base + "/api/v1/health/live")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"the server did not come up: {self.log.read_text()}")

    def stop(self) -> str:
        self.process.terminate()
        self.process.wait(timeout=20)
        return self.log.read_text()


@pytest.fixture
def server(demo_url: str, tmp_path: Path) -> Iterator[Server]:
    running = Server(demo_url, {"ML_API_KEY": API_KEY, "JWT_SECRET": JWT_SECRET}, tmp_path)
    try:
        yield running
    finally:
        running.stop()


def test_the_cli_serves_the_api_over_uvicorn(server: Server) -> None:
    status, body = _get(server.base + "/api/v1/health/ready")
    assert status == 200 and json.loads(body)["checks"]["database"] == "ok"
    assert _get(server.base + "/api/v1/agent/status")[0] == 401
    status, content_type, raw = _post(
        server.base + "/api/v1/agent/chat/stream",
        {"message": "Quais campanhas estão com performance ruim?", "config_id": A},
        {"X-API-Key": API_KEY},
    )
    assert status == 200 and content_type.startswith("text/event-stream")
    events = sse_events(raw.decode())
    assert [k for k, _ in events][0] == "thread" and events[-1][0] == "done"
    done = events[-1][1]
    assert done["mode"] == "offline" and done["answer"].strip() and done["tool_calls"]
    status, body = _get(
        f"{server.base}/api/v1/agent/conversations/{done['thread_id']}?config_id={A}", {"X-API-Key": API_KEY}
    )
    assert status == 200 and len(json.loads(body)["messages"]) == 2
    log = server.stop()
    records = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert any(r.get("path") == "/api/v1/agent/chat/stream" and r.get("status") == 200 for r in records)
    assert API_KEY not in log and "performance ruim" not in log


def test_the_server_says_nothing_is_open_without_secrets(demo_url: str, tmp_path: Path) -> None:
    bare = Server(demo_url, {}, tmp_path)
    try:
        status, body = _get(bare.base + "/api/v1/agent/status", {"X-API-Key": "anything"})
        assert status == 503 and b"not configured" in body
    finally:
        output = bare.stop()
    # once: the CLI printed its own warning next to the app's JSON line, two warnings for one fact
    assert output.count("neither ML_API_KEY nor JWT_SECRET is set") == 1, output
    # one line for the banner, as a log line must be (rich wrapped it at 80 columns)
    banner = [line for line in output.splitlines() if line.startswith("API and chat page on http://")]
    assert len(banner) == 1 and banner[0].rstrip().endswith(")"), output


@pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (.ci/run installs it)"
)
def test_the_chat_page_shows_an_offline_answer_in_chromium(server: Server, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    shots = Path(os.environ.get("FAMACHAT_SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 760})
            page.goto(server.base + "/")
            page.fill("#secret", API_KEY)
            page.fill("#config", str(A))
            page.fill("#question", "Quais campanhas estão com performance ruim?")
            page.click("#send")
            answer = page.locator(".msg.assistant[data-state=done]")
            answer.wait_for(timeout=30_000)
            text = answer.inner_text()
            thread = page.inner_text("#thread")
            errors = page.locator(".msg.error").count()
            page.screenshot(path=str(shots / "chat.png"), full_page=True)
        finally:
            browser.close()
    assert errors == 0 and "modo offline" in text and len(text) > 40
    status, body = _get(
        f"{server.base}/api/v1/agent/conversations/{thread}?config_id={A}", {"X-API-Key": API_KEY}
    )
    stored = json.loads(body)["messages"]
    assert status == 200 and stored[-1]["role"] == "assistant" and stored[-1]["content"].strip()[:30] in text
