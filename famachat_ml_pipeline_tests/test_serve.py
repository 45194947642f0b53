"""`famachat-ml serve` starts the real dagster-daemon and dagster-webserver; Ctrl-C stops every process."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from famachat_ml_pipeline.serve import run_services, services


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _processes_with_env(marker: str) -> list[int]:
    """Pids of live processes whose environment carries `marker` (our DAGSTER_HOME): children included."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                status = (entry / "status").read_text()
                if "State:\tZ" not in status:
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


def _wait(predicate, seconds: float, what: str) -> None:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(1)
    raise AssertionError(f"timed out after {seconds:.0f}s waiting for {what}")


def _webserver_up(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=5) as resp:
            return resp.status == 200
    except OSError:
        return False


@pytest.mark.timeout(280)
@pytest.mark.xdist_group("served")  # one served stack at a time: beside the e2e stack, 2 cores starve both
def test_serve_runs_daemon_and_webserver_and_ctrl_c_stops_everything(tmp_path: Path) -> None:
    home = tmp_path / "dagster_home"
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'ml.db'}",
        "DAGSTER_HOME": str(home),
        "MODELS_STORAGE_PATH": str(tmp_path / "models"),
        "FRAMES_STORAGE_PATH": str(tmp_path / "frames"),
    }
    env.pop("DAGSTER_PG_URL", None)
    cli = Path(sys.executable).parent / "famachat-ml"
    proc = subprocess.Popen(
        [str(cli), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        _wait(lambda: _webserver_up(port), 200, "the webserver's /server_info")
        assert (home / "dagster.yaml").exists()

        import dagster as dg

        instance = dg.DagsterInstance.from_config(str(home))
        _wait(lambda: bool(instance.get_daemon_heartbeats()), 60, "a dagster-daemon heartbeat")
        assert len(_processes_with_env(f"DAGSTER_HOME={home}")) >= 2  # the daemon, the webserver (+ servers)

        proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
        out, _ = proc.communicate(timeout=60)
    except BaseException:
        # the services run in their own sessions: a failed test must not leave them behind (on success
        # the assertions below check that Ctrl-C alone stopped them)
        for pid in _processes_with_env(f"DAGSTER_HOME={home}"):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        raise
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 0, out
    started = re.findall(r"started (dagster-\w+) \(pid (\d+)\)", out)
    assert {name for name, _ in started} == {"dagster-daemon", "dagster-webserver"}
    assert "stopping dagster-daemon and dagster-webserver" in out
    _wait(lambda: not _processes_with_env(f"DAGSTER_HOME={home}"), 20, "every served process to exit")
    assert not _webserver_up(port)


def test_a_service_that_dies_stops_the_others_and_fails(tmp_path: Path) -> None:
    from famachat_ml_pipeline.serve import Service

    marker = tmp_path / "alive"
    sleeper = f"import time; open({str(marker)!r}, 'w'); time.sleep(60)"
    long_lived = Service("sleeper", [sys.executable, "-c", sleeper])
    dying = Service("crasher", [sys.executable, "-c", "import time, sys; time.sleep(2); sys.exit(3)"])
    lines: list[str] = []
    start = time.monotonic()
    code = run_services([long_lived, dying], echo=lines.append, grace=5)
    assert code == 3
    assert time.monotonic() - start < 30  # the sleeper was stopped, not waited for
    assert any("crasher exited with code 3" in line for line in lines)
    assert marker.exists()


def test_services_use_this_environment_and_the_code_location() -> None:
    daemon, web = services("0.0.0.0", 3333)
    assert daemon.argv[0].endswith("dagster-daemon") and daemon.argv[1] == "run"
    assert Path(daemon.argv[0]).parent == Path(sys.executable).parent
    assert "famachat_ml_pipeline.definitions" in web.argv and web.argv[-4:] == ["-h", "0.0.0.0", "-p", "3333"]
