"""`famachat-ml serve`'s parts. The real stack, started by `famachat-ml serve` on Postgres and stopped by
Ctrl-C with every process gone, is the e2e tests' shared deployment (e2e/served.py checks the stop)."""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from famachat_ml_pipeline.serve import LOCATION, Service, run_services, services, write_workspace


def test_serve_creates_the_instance_storage_once_before_its_services(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both services open a storage that exists: started on a fresh SQLite home, each created it at the
    same moment and alembic stamped its version table twice ("more than one head present")."""
    from famachat_ml_pipeline.instance import initialise_storage
    from famachat_ml_pipeline.settings import get_settings

    home = tmp_path / "dagster_home"
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'ml.db'}")
    monkeypatch.delenv("DAGSTER_PG_URL", raising=False)
    get_settings.cache_clear()
    try:
        initialise_storage(get_settings())
    finally:
        get_settings.cache_clear()
    for db in ("history/runs.db", "schedules/schedules.db"):
        with sqlite3.connect(home / db) as conn:
            assert conn.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,), db


def test_a_service_that_dies_stops_the_others_and_fails(tmp_path: Path) -> None:

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


def test_services_use_this_environment_and_one_code_server(tmp_path: Path) -> None:
    """The daemon and the webserver load the code from serve's one code server, under the location name
    `-m famachat_ml_pipeline.definitions` gives (schedules', sensors' and runs' state is stored under it)."""
    import yaml

    code, daemon, web = services("0.0.0.0", 3333, run_dir=tmp_path)
    assert code.argv[:3] == [str(Path(sys.executable).parent / "dagster"), "code-server", "start"]
    assert code.argv[code.argv.index("-m") + 1] == "famachat_ml_pipeline.definitions"
    assert code.argv[code.argv.index("--location-name") + 1] == "famachat_ml_pipeline.definitions"
    assert code.argv[code.argv.index("--socket") + 1] == str(tmp_path / "code.sock")
    assert daemon.argv[0].endswith("dagster-daemon") and daemon.argv[1] == "run"
    assert Path(daemon.argv[0]).parent == Path(sys.executable).parent
    workspace = write_workspace(tmp_path)
    assert daemon.argv[2:] == ["-w", str(workspace)] and web.argv[1:3] == ["-w", str(workspace)]
    assert web.argv[-4:] == ["-h", "0.0.0.0", "-p", "3333"]
    location = {"host": "localhost", "socket": str(tmp_path / "code.sock"), "location_name": LOCATION}
    assert yaml.safe_load(workspace.read_text()) == {"load_from": [{"grpc_server": location}]}
    assert LOCATION == "famachat_ml_pipeline.definitions"
    assert code.ready is not None and not code.ready()  # nothing listens on the socket yet


def test_serve_forgets_its_daemon_when_it_stops(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After `serve` stops, a `run` executes here at once: the daemon's last heartbeat, still under a minute
    old, made it queue for a daemon that was gone (and wait until the heartbeat went stale)."""
    from dagster._daemon.types import DaemonHeartbeat

    from famachat_ml_pipeline import cli, serve
    from famachat_ml_pipeline.instance import get_instance
    from famachat_ml_pipeline.runner import QUEUE_DAEMON, daemon_is_running
    from famachat_ml_pipeline.settings import get_settings

    _fresh_settings(tmp_path, monkeypatch)
    # the services: a daemon that ends at once, as a stopped stack does (the real one is e2e's)
    done = serve.Service(serve.DAEMON, [sys.executable, "-c", "pass"])
    monkeypatch.setattr(serve, "services", lambda host, port, api_port=None, **_: [done])
    try:
        instance = get_instance(get_settings())
        instance.add_daemon_heartbeat(DaemonHeartbeat(time.time(), QUEUE_DAEMON, "serving", None))
        assert daemon_is_running(instance)
        cli.main(["serve", "--port", "3999", "--no-api"])
        assert not daemon_is_running(get_instance(get_settings()))
    finally:
        get_settings.cache_clear()


def test_serve_runs_the_agent_api_as_famachat_ml_api_unless_told_not_to(tmp_path: Path) -> None:
    from famachat_ml_pipeline.cli import build_parser, cmd_api

    _, _, _, api = services("0.0.0.0", 3333, 8111, run_dir=tmp_path)
    assert api.name == "agent-api" and Path(api.argv[0]) == Path(sys.executable).parent / "famachat-ml"
    parsed = build_parser().parse_args(api.argv[1:])  # what `famachat-ml` itself will read
    assert parsed.fn is cmd_api and (parsed.host, parsed.port) == ("0.0.0.0", 8111)
    names = [s.name for s in services("0.0.0.0", 3333, run_dir=tmp_path)]
    assert names == ["dagster-code-server", "dagster-daemon", "dagster-webserver"]
    assert build_parser().parse_args(["serve"]).api_port == 8000
    assert build_parser().parse_args(["serve", "--no-api"]).no_api


def _fresh_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db: str = "ml.db") -> None:
    """A fresh instance on a SQLite DATABASE_URL holding FamaChat's (empty) source tables."""
    from famachat_ml_pipeline.db.engine import get_engine
    from famachat_ml_pipeline.demo.loader import create_source_tables
    from famachat_ml_pipeline.settings import get_settings

    create_source_tables(get_engine(f"sqlite:///{tmp_path / db}"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / db}")
    monkeypatch.delenv("DAGSTER_PG_URL", raising=False)
    get_settings.cache_clear()


def test_serve_refuses_a_busy_port_before_starting_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    from famachat_ml_pipeline import cli, serve

    _fresh_settings(tmp_path, monkeypatch)
    started: list[object] = []
    monkeypatch.setattr(serve, "run_services", lambda *a, **k: started.append(a) or 0)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        assert cli.main(["serve", "--port", "3998", "--api-port", str(busy)]) == 2
    out = " ".join(capsys.readouterr().out.split())
    assert f"port {busy} is already in use on 127.0.0.1" in out and "--no-api" in out
    assert started == [] and not (tmp_path / "dagster_home").exists()


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        # the webserver and the API on one port: it started all four, then "address already in use", exit 3
        (["serve", "--port", "{free}", "--api-port", "{free}"], "port {free} is given twice"),
        # a host that is no address: the line announcing the API, then a bind error, exit 3
        (["serve", "--host", "256.1.1.1", "--port", "{free}"], "cannot listen on --host 256.1.1.1"),
        (["api", "--host", "256.1.1.1", "--port", "{free}"], "cannot listen on --host 256.1.1.1"),
        (["api", "--port", "{busy}"], "port {busy} is already in use on 127.0.0.1: choose --port"),
    ],
)
def test_a_port_or_host_that_cannot_serve_is_one_line_and_exit_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    said: str,
) -> None:
    import socket

    from famachat_ml_pipeline import cli, serve

    _fresh_settings(tmp_path, monkeypatch)
    from famachat_ml_pipeline.db.engine import migrate
    from famachat_ml_pipeline.settings import get_settings

    migrate(get_settings().database_url)
    started: list[object] = []
    monkeypatch.setattr(serve, "run_services", lambda *a, **k: started.append(a) or 0)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        ports = {"free": str(_free_port()), "busy": str(taken.getsockname()[1])}
        code = cli.main([a.format(**ports) for a in argv])
    out = " ".join(capsys.readouterr().out.split())
    assert code == 2, out
    assert said.format(**ports) in out and "nothing was started" in out, out
    assert "API and chat page on" not in out and started == []


def test_serve_with_the_api_refuses_an_unmigrated_database_and_says_how(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from famachat_ml_pipeline import cli, serve
    from famachat_ml_pipeline.db.engine import migrate
    from famachat_ml_pipeline.settings import get_settings

    _fresh_settings(tmp_path, monkeypatch)
    from famachat_ml_pipeline.db.engine import get_engine
    from famachat_ml_pipeline.demo.generator import generate_demo
    from famachat_ml_pipeline.demo.loader import write_demo

    write_demo(
        get_engine(get_settings().database_url), generate_demo(n_accounts=1, days=35)
    )  # never migrated
    wanted: list[list[str]] = []

    def fake_services(host: str, port: int, api_port: int | None = None, **kw: Path) -> list[serve.Service]:
        wanted.append([s.name for s in serve_services(host, port, api_port, **kw)])
        return [serve.Service("ends", [sys.executable, "-c", "pass"])]  # then serve stops, exit 1

    serve_services = serve.services
    monkeypatch.setattr(serve, "services", fake_services)
    try:
        assert cli.main(["serve", "--port", "3997", "--api-port", "3996"]) == 2
        assert "famachat-ml migrate" in " ".join(capsys.readouterr().out.split())
        assert wanted == []
        for argv in (["--no-api"], ["--api-port", "3996"]):  # the Dagster pair needs no schema; the API does
            assert cli.main(["serve", "--port", "3997", *argv]) == 1
            migrate(get_settings().database_url)
        assert wanted == [
            ["dagster-code-server", "dagster-daemon", "dagster-webserver"],
            ["dagster-code-server", "dagster-daemon", "dagster-webserver", "agent-api"],
        ]
    finally:
        get_settings.cache_clear()


def _alive(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _pid_from(path: Path) -> int:
    for _ in range(200):  # the child writes it once it runs
        if path.exists() and path.read_text().strip():
            return int(path.read_text())
        time.sleep(0.05)
    raise AssertionError(f"{path} never written")


# A leader that starts a child in its own process group, as dagster-daemon and dagster-webserver start
# their code servers; the child ignores SIGTERM, as the daemon's code server did (measured: it outlived a
# SIGTERM to `famachat-ml serve` until its heartbeat timed out).
_CHILD = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(120)"


def _leader(child_pid_file: Path) -> str:
    return (
        "import subprocess, sys, time\n"
        f"c = subprocess.Popen([sys.executable, '-c', {_CHILD!r}])\n"
        f"open({str(child_pid_file)!r}, 'w').write(str(c.pid))\n"
        "time.sleep(120)\n"
    )


def test_a_stop_leaves_no_child_of_a_service_behind(tmp_path: Path) -> None:
    """The 'service dies' path: the dying service stops the stack, and the child of the other is gone."""

    child_pid = tmp_path / "child.pid"
    leader = Service("webserver", [sys.executable, "-c", _leader(child_pid)])
    dying = Service("crasher", [sys.executable, "-c", "import time, sys; time.sleep(2); sys.exit(3)"])
    start = time.monotonic()
    assert run_services([leader, dying], echo=lambda _: None, grace=3) == 3
    pid = _pid_from(child_pid)
    assert not _alive(pid), "the webserver's child outlived serve"
    assert time.monotonic() - start < 15


def test_a_service_killed_with_sigkill_takes_its_children_with_it(tmp_path: Path) -> None:
    """kill -9 of dagster-webserver: it cannot pass a SIGTERM on, so its code server was left running."""
    import os
    import signal
    import threading

    child_pid = tmp_path / "child.pid"
    leader_pid = tmp_path / "leader.pid"
    script = f"import os; open({str(leader_pid)!r}, 'w').write(str(os.getpid()))\n" + _leader(child_pid)
    leader = Service("webserver", [sys.executable, "-c", script])

    def kill_leader() -> None:
        _pid_from(child_pid)
        os.kill(_pid_from(leader_pid), signal.SIGKILL)

    threading.Thread(target=kill_leader, daemon=True).start()
    lines: list[str] = []
    assert run_services([leader], echo=lines.append, grace=3) != 0
    # "exited with code -9" only told whoever knew Popen's convention
    assert any("webserver was killed by SIGKILL (exit code -9)" in line for line in lines), lines
    assert not _alive(_pid_from(child_pid)), "the killed webserver's child outlived serve"


def test_serve_says_in_one_line_that_dagster_postgres_is_unreachable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """DAGSTER_PG_URL at a closed port: serve printed dagster_postgres's 40-line traceback, exit 1."""
    import socket

    from famachat_ml_pipeline import cli, serve

    _fresh_settings(tmp_path, monkeypatch)
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    monkeypatch.setenv("DAGSTER_PG_URL", f"postgresql://root:s3cret@127.0.0.1:{closed}/dagster")
    started: list[object] = []
    monkeypatch.setattr(serve, "run_services", lambda *a, **k: started.append(a) or 0)
    assert cli.main(["serve", "--port", "3997", "--no-api"]) == 2
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: cannot use DAGSTER_PG_URL"), out
    assert f":{closed}/dagster" in out and "s3cret" not in out and "nothing was started" in out
    assert started == []


def test_a_port_the_last_run_left_in_time_wait_is_free_but_a_listener_is_not() -> None:
    """A supervisor restarts serve right after a stop: the API's port still holds connections in TIME_WAIT
    (the server closed them), which uvicorn binds over; serve refused it as "in use" for a minute."""
    import socket

    from famachat_ml_pipeline.serve import ports_in_use

    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    port = server.getsockname()[1]
    server.listen()
    client = socket.create_connection(("127.0.0.1", port))
    conn, _ = server.accept()
    assert ports_in_use("127.0.0.1", [port]) == [port]  # listening
    conn.close()  # the server side closes first, as uvicorn does at shutdown: TIME_WAIT on `port`
    time.sleep(0.1)
    client.close()
    server.close()
    assert ports_in_use("127.0.0.1", [port]) == []


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve_env(tmp_path: Path) -> dict[str, str]:
    import os

    from famachat_ml_pipeline.db.engine import get_engine, migrate
    from famachat_ml_pipeline.demo.generator import generate_demo
    from famachat_ml_pipeline.demo.loader import write_demo

    url = f"sqlite:///{tmp_path / 'ml.db'}"
    migrate(url)
    write_demo(get_engine(url), generate_demo(n_accounts=1, days=35))
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "MODELS_STORAGE_PATH": str(tmp_path / "models"),
        "FRAMES_STORAGE_PATH": str(tmp_path / "frames"),
    }
    env.pop("DAGSTER_PG_URL", None)
    return env


def _wait_for_line(path: Path, text: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while text not in path.read_text():
        assert time.monotonic() < deadline, f"{text!r} never printed\n{path.read_text()[-3000:]}"
        time.sleep(0.1)


@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM"])
def test_a_requested_stop_prints_our_lines_and_no_dagster_traceback(tmp_path: Path, signame: str) -> None:
    """Ctrl-C or SIGTERM while Dagster's code servers load (the moment of a restart or of a rollout): serve's
    stderr held the services' KeyboardInterrupt and gRPC tracebacks, click's "Aborted!" and Dagster's
    "Stack Trace:" blocks (measured: up to 341 lines), which buried serve's own stop line."""
    import signal
    import subprocess

    env = _serve_env(tmp_path)
    out, err = tmp_path / "out.txt", tmp_path / "err.txt"
    cli = str(Path(sys.executable).with_name("famachat-ml"))
    argv = [cli, "serve", "--port", str(_free_port()), "--api-port", str(_free_port())]
    with out.open("w") as o, err.open("w") as e:
        proc = subprocess.Popen(argv, env=env, stdout=o, stderr=e, start_new_session=True)
    try:
        _wait_for_line(out, "started agent-api", 60)
        time.sleep(3)  # the services import the code location and start their code servers
        start = time.monotonic()
        proc.send_signal(getattr(signal, signame))
        assert proc.wait(timeout=60) == 0, out.read_text()[-3000:] + err.read_text()[-3000:]
        stop_seconds = time.monotonic() - start
    finally:
        if proc.poll() is None:
            proc.kill()
    printed, errors = out.read_text(), err.read_text()
    assert "stopping dagster-code-server, dagster-daemon, dagster-webserver and agent-api" in printed
    # serve's own summary ("dagster-daemon: left out 175 lines of shutdown output (KeyboardInterrupt)")
    # names what it left out; every other line must be free of it
    relayed = "\n".join(line for line in printed.splitlines() if " lines of shutdown output" not in line)
    for noise in ("Traceback", "Stack Trace", "Aborted!", "KeyboardInterrupt"):
        assert noise not in errors and noise not in relayed, f"{noise} in\n{errors[-3000:]}"
    assert stop_seconds < 25, stop_seconds


def test_a_stop_while_serve_prepares_is_one_line_and_starts_nothing(tmp_path: Path) -> None:
    """SIGINT before the services start (here: while serve waits on Dagster's Postgres) was a
    KeyboardInterrupt traceback and exit -2; SIGTERM there died without a word."""
    import signal
    import socket
    import subprocess

    env = _serve_env(tmp_path)
    with socket.socket() as silent:  # takes the connection, never answers: serve waits on it
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        silent.settimeout(60)
        env["DAGSTER_PG_URL"] = f"postgresql://root@127.0.0.1:{silent.getsockname()[1]}/dagster"
        cli = str(Path(sys.executable).with_name("famachat-ml"))
        argv = [cli, "serve", "--port", str(_free_port()), "--api-port", str(_free_port())]
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            conn, _ = silent.accept()  # serve is connecting: past its imports, before any service
            proc.send_signal(signal.SIGINT)
            printed, errors = proc.communicate(timeout=30)
            conn.close()
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 0, printed + errors
    assert "Traceback" not in errors and "KeyboardInterrupt" not in errors, errors
    assert "stop requested before the services started; nothing is running" in printed
    assert "started" not in printed.replace("services started", "")


def test_serve_refuses_a_dagster_postgres_that_never_answers_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A server that accepts and never speaks (a stuck Postgres, a half-open proxy) held serve's start for
    ever, in dagster_postgres's connect without a timeout, deaf to Ctrl-C (measured: still there 30 s after
    a SIGINT)."""
    import socket

    from famachat_ml_pipeline import cli, serve

    _fresh_settings(tmp_path, monkeypatch)
    started: list[object] = []
    monkeypatch.setattr(serve, "run_services", lambda *a, **k: started.append(a) or 0)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        monkeypatch.setenv("DAGSTER_PG_URL", f"postgresql://root@127.0.0.1:{port}/dagster")
        begin = time.monotonic()
        assert cli.main(["serve", "--port", str(_free_port()), "--no-api"]) == 2
        took = time.monotonic() - begin
    out = " ".join(capsys.readouterr().out.split())
    assert out.startswith(
        f"error: cannot use DAGSTER_PG_URL (postgresql+psycopg2://root@127.0.0.1:{port}/dagster)"
    )
    assert "timeout" in out and "nothing was started" in out, out
    assert took < 15 and started == []


def test_a_service_that_crashes_on_its_own_keeps_its_traceback(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """Only what a service prints after serve stopped it is left out: a crash's traceback is the news."""

    sleeper = Service("sleeper", [sys.executable, "-c", "import time; time.sleep(60)"])
    crasher = Service(
        "crasher", [sys.executable, "-c", "import time; time.sleep(1); raise RuntimeError('boom')"]
    )
    lines: list[str] = []
    assert run_services([sleeper, crasher], echo=lines.append, grace=5) == 1
    errors = capfd.readouterr().err
    assert "Traceback (most recent call last)" in errors and "RuntimeError: boom" in errors, errors
    assert any("crasher exited with code 1" in line for line in lines), lines


def test_the_relay_keeps_log_records_while_stopping_and_counts_the_rest() -> None:
    import io

    from famachat_ml_pipeline.serve import OutputRelay

    out = io.StringIO()
    relay = OutputRelay("dagster-daemon")
    relay.line("Traceback (most recent call last):\n", out)  # not stopping yet: a crash, shown
    relay.stopping = True
    for text in (
        "Traceback (most recent call last):\n",
        '  File "x.py", line 1, in <module>\n',
        "KeyboardInterrupt\n",
        "2026-11-30 23:35:26 +0000 - dagster - ERROR - run failed\n",
        "\x1b[32m2026-11-30 23:35:26 +0000\x1b[0m - dagster.daemon - INFO - shutting down\n",
        '{"level": "warning", "event": "x"}\n',
        "WARNING:root:Retrying failed database connection\n",
        "Aborted!\n",
    ):
        relay.line(text, out)
    assert out.getvalue().count("Traceback") == 1 and "run failed" in out.getvalue()
    assert (
        "shutting down" in out.getvalue()
        and '"event": "x"' in out.getvalue()
        and "Retrying" in out.getvalue()
    )
    assert relay.summary() == "dagster-daemon: left out 4 lines of shutdown output (KeyboardInterrupt)"


def test_a_stop_filters_the_tracebacks_a_service_prints_on_stdout(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """Dagster's daemon logs to stdout: when its code server stopped before it, its sensor's "could not reach
    the code server" ERROR came with a 40-line gRPC traceback there, unfiltered (CI, 2026-12-01)."""
    import os
    import signal
    import threading

    ready = tmp_path / "ready"
    script = (
        "import signal, sys, time\n"
        "def stop(*_):\n"
        "    print('2026-12-01 01:55:27 +0000 - dagster.daemon - ERROR - sensor caught an error')\n"
        "    print('Traceback (most recent call last):')\n"
        "    print('  File \"client.py\", line 212, in _query')\n"
        "    print('DagsterUserCodeUnreachableError: Could not reach user code server')\n"
        "    sys.stdout.flush(); sys.exit(0)\n"
        "signal.signal(signal.SIGTERM, stop)\n"
        f"open({str(ready)!r}, 'w').close()\n"
        "time.sleep(60)\n"
    )

    def stop_when_ready() -> None:
        deadline = time.monotonic() + 30
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGTERM)  # run_services holds SIGTERM: it asks for a stop

    threading.Thread(target=stop_when_ready, daemon=True).start()
    lines: list[str] = []
    assert (
        run_services([Service("dagster-daemon", [sys.executable, "-c", script])], echo=lines.append, grace=10)
        == 0
    )
    out = capfd.readouterr().out
    assert "sensor caught an error" in out, out  # a log record: what an operator reads, kept
    assert "Traceback" not in out and "client.py" not in out and "Unreachable" not in out, out
    assert "dagster-daemon: left out 3 lines of shutdown output (DagsterUserCodeUnreachableError)" in lines, (
        lines
    )


def _time_wait_ports() -> set[int]:
    """Local ports of IPv4 connections in TIME_WAIT (state 06 in /proc/net/tcp)."""
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return {int(row.split()[1].split(":")[1], 16) for row in rows if row.split()[3] == "06"}


@pytest.mark.parametrize(
    ("listening_on", "checked_on"),
    [("0.0.0.0", "0.0.0.0"), ("127.0.0.1", "0.0.0.0"), ("0.0.0.0", "127.0.0.1")],
)
def test_serve_on_all_interfaces_refuses_any_listener_and_accepts_time_wait(
    listening_on: str, checked_on: str
) -> None:
    """`--host 0.0.0.0` after the TIME_WAIT fix (SO_REUSEADDR in the check): a listener on the port, on any
    address that overlaps, is still refused; the last run's TIME_WAIT connections (on 0.0.0.0) are not."""
    import socket

    from famachat_ml_pipeline.serve import ports_in_use

    with socket.socket() as server:  # bound as uvicorn binds, with SO_REUSEADDR
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((listening_on, 0))
        port = server.getsockname()[1]
        server.listen()
        assert ports_in_use(checked_on, [port]) == [port]
        client = socket.create_connection(("127.0.0.1", port))
        conn, _ = server.accept()
        conn.close()  # the server side closes first, as uvicorn does at shutdown
        time.sleep(0.1)
        client.close()
    assert port in _time_wait_ports()  # what the check must see through
    assert ports_in_use(checked_on, [port]) == []


def test_serve_waits_for_the_apis_drain_before_it_kills(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """serve's 20 s grace SIGKILLed the API while its chats were still allowed to finish: the stop waits
    for the API's drain (API_SHUTDOWN_GRACE_SECONDS) and a margin; the Dagster pair alone keeps 20 s."""
    from famachat_ml_pipeline import cli, serve
    from famachat_ml_pipeline.settings import get_settings

    for name, value in _serve_env(tmp_path).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("DAGSTER_PG_URL", raising=False)
    monkeypatch.setenv("API_SHUTDOWN_GRACE_SECONDS", "45")
    get_settings.cache_clear()
    graces: list[float] = []
    monkeypatch.setattr(serve, "run_services", lambda wanted, echo, grace: graces.append(grace) or 0)
    try:
        assert cli.main(["serve", "--port", str(_free_port()), "--api-port", str(_free_port())]) == 0
        assert cli.main(["serve", "--port", str(_free_port()), "--no-api"]) == 0
    finally:
        get_settings.cache_clear()
    assert graces == [45 + serve.STOP_MARGIN_SECONDS, serve.STOP_GRACE_SECONDS]


@pytest.mark.parametrize("url", ["hooks.slack.com/services/T0/B0/s3cret", "slack:s3cret", "https:///s3cret"])
def test_serve_refuses_an_alert_webhook_url_that_is_no_http_url_and_names_it(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Observed while serving: ALERT_WEBHOOK_URL without its scheme started fine, then every tick of the
    alert sensor failed with urllib's `unknown url type` and a 50-line traceback; no alert was ever sent."""
    from famachat_ml_pipeline import cli, serve

    _fresh_settings(tmp_path, monkeypatch)
    monkeypatch.setenv("ALERT_WEBHOOK_URL", url)
    started: list[object] = []
    monkeypatch.setattr(serve, "run_services", lambda *a, **k: started.append(a) or 0)
    assert cli.main(["serve", "--port", "3996", "--no-api"]) == 2
    out = capsys.readouterr().out
    assert "ALERT_WEBHOOK_URL" in out and "http(s) URL" in out, out
    assert "s3cret" not in out  # a webhook URL is a credential
    assert started == [] and not (tmp_path / "dagster_home").exists()


def test_an_empty_or_http_alert_webhook_url_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    from famachat_ml_pipeline.settings import Settings

    for url, kept in [("", None), ("http://127.0.0.1:9/hook", "http://127.0.0.1:9/hook")]:
        monkeypatch.setenv("ALERT_WEBHOOK_URL", url)
        assert Settings().alert_webhook_url == kept


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting for its reaper."""
    try:
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_serve_killed_with_sigkill_takes_its_services_with_it(tmp_path: Path) -> None:
    """Observed while serving: `kill -9` of serve left dagster-daemon, dagster-webserver and the agent API
    running headless 15 s later (each leads its own session), holding the ports a restart needs."""
    import os
    import signal
    import subprocess

    service_pid = tmp_path / "service.pid"
    service = f"import os, time; open({str(service_pid)!r}, 'w').write(str(os.getpid())); time.sleep(120)"
    script = (
        "import sys\n"
        "from famachat_ml_pipeline.serve import Service, run_services\n"
        f"run_services([Service('daemon', [sys.executable, '-c', {service!r}])], echo=print)\n"
    )
    serve_proc = subprocess.Popen([sys.executable, "-c", script])
    pid = None
    try:
        pid = _pid_from(service_pid)
        os.kill(serve_proc.pid, signal.SIGKILL)
        serve_proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        while _running(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _running(pid), "the service outlived a serve killed with SIGKILL"
    finally:
        if serve_proc.poll() is None:
            serve_proc.kill()
        if pid is not None and _running(pid):
            os.kill(pid, signal.SIGKILL)


# A serve (or ui) whose services are one sleeping process: what a second serve on the same instance meets.
_FIRST_SERVE = """
import sys, time
from famachat_ml_pipeline import cli, serve
def sleeping(*args, **kwargs):
    open(sys.argv[1], "w").write("serving")
    time.sleep(120)
    return 0
serve.run_services = sleeping
extra = ["--no-api"] if sys.argv[3] == "serve" else []
sys.exit(cli.main([sys.argv[3], *extra, "--port", sys.argv[2]]))
"""


@contextlib.contextmanager
def _first(command: str, tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """`famachat-ml serve` or `ui` in a child process, holding the instance's daemon lock until the end."""
    marker = tmp_path / f"first.{command}"
    first = subprocess.Popen(
        [sys.executable, "-c", _FIRST_SERVE, str(marker), str(_free_port()), command],
        env={**os.environ},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while not marker.exists():
            assert first.poll() is None, first.communicate()[0]
            assert time.monotonic() < deadline, f"the first {command} never started"
            time.sleep(0.2)
        yield first
    finally:
        first.kill()
        first.wait()


@pytest.mark.parametrize("storage", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_second_serve_on_the_same_instance_is_refused_and_leaves_the_first_alone(
    storage: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Observed while serving: a second `serve` on the same DAGSTER_HOME and DAGSTER_PG_URL ran a second
    dagster-daemon (Dagster only logged "Another SENSOR daemon is still sending heartbeats", each sensor
    and the run queue ran twice), and its stop wiped the first daemon's heartbeats."""
    from famachat_ml_pipeline import cli, serve
    from famachat_ml_pipeline_tests.conftest import create_pg_database, drop_pg_database

    _fresh_settings(tmp_path, monkeypatch)
    dagster_url = create_pg_database("fcml_serve_lock") if storage == "postgres" else None
    if dagster_url:
        monkeypatch.setenv("DAGSTER_PG_URL", dagster_url.replace("+psycopg", ""))
    try:
        with _first("serve", tmp_path) as first:
            started: list[object] = []
            monkeypatch.setattr(serve, "run_services", lambda *a, **k: started.append(a) or 0)
            assert cli.main(["serve", "--no-api", "--port", str(_free_port())]) == 2
            out = " ".join(capsys.readouterr().out.split())
            assert "another famachat-ml serve" in out and "already serves this Dagster instance" in out, out
            assert f"pid {first.pid} on" in out, out  # who holds it
            assert started == [] and first.poll() is None
    finally:
        if dagster_url:
            drop_pg_database(dagster_url)


@pytest.mark.parametrize("command", ["serve", "ui"])
def test_a_daemon_refuses_a_database_url_without_famachats_tables_in_one_line(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Seen while serving an empty database: serve --no-api started, then every tick of the source and
    new-accounts sensors (each 30 s) logged a 90-line traceback ending in "no such table"."""
    from famachat_ml_pipeline import cli, serve
    from famachat_ml_pipeline.settings import get_settings

    _fresh_settings(tmp_path, monkeypatch, db="famachat.db")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'other.db'}")
    sqlite3.connect(tmp_path / "other.db").execute("CREATE TABLE unrelated (id INTEGER)").connection.close()
    get_settings.cache_clear()
    started: list[object] = []
    monkeypatch.setattr(serve, "run_services", lambda *a, **k: started.append(a) or 0)
    extra = ["--no-api"] if command == "serve" else []
    assert cli.main([command, *extra, "--port", str(_free_port())]) == 2
    out = " ".join(capsys.readouterr().out.split())
    assert "has no source table sistema_facebook_ads_campaigns" in out and "FamaChat's database" in out, out
    assert started == [] and not (tmp_path / "dagster_home").exists()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'famachat.db'}")  # FamaChat's, still empty
    get_settings.cache_clear()
    assert cli.main([command, *extra, "--port", str(_free_port())]) == 0 and len(started) == 1


def _run_ui(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """`famachat-ml ui` in this process; the names of the services it would run."""
    from famachat_ml_pipeline import cli, serve

    started: list[list[str]] = []
    monkeypatch.setattr(
        serve, "run_services", lambda wanted, **k: started.append([s.name for s in wanted]) or 0
    )
    assert cli.main(["ui", "--port", str(_free_port())]) == 0
    assert len(started) == 1
    return started[0]


def test_ui_beside_a_serve_runs_the_webserver_only_and_keeps_serves_daemon(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`famachat-ml ui` was `dagster dev`, which starts a dagster-daemon of its own: beside a serve every
    schedule, sensor and alert ran twice. Its stop must not wipe the serve's daemon heartbeats either."""
    from dagster._daemon.types import DaemonHeartbeat

    from famachat_ml_pipeline.instance import get_instance
    from famachat_ml_pipeline.runner import QUEUE_DAEMON, daemon_is_running
    from famachat_ml_pipeline.serve import CODE_SERVER, DAEMON
    from famachat_ml_pipeline.settings import get_settings

    _fresh_settings(tmp_path, monkeypatch)
    assert _run_ui(monkeypatch) == [CODE_SERVER, DAEMON, "dagster-webserver"]  # alone: the daemon too
    capsys.readouterr()
    with _first("serve", tmp_path) as first:
        instance = get_instance(get_settings())
        instance.add_daemon_heartbeat(DaemonHeartbeat(time.time(), QUEUE_DAEMON, "serving", None))
        assert _run_ui(monkeypatch) == [CODE_SERVER, "dagster-webserver"]
        out = " ".join(capsys.readouterr().out.split())
        assert f"another famachat-ml serve (pid {first.pid} on" in out, out
        assert "runs this instance's dagster-daemon" in out and "dagster-webserver only" in out, out
        assert daemon_is_running(get_instance(get_settings())), "ui's stop wiped the serve's daemon heartbeat"
        assert first.poll() is None


def test_a_serve_beside_a_ui_with_its_daemon_is_refused_and_names_the_ui(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from famachat_ml_pipeline import cli, serve

    _fresh_settings(tmp_path, monkeypatch)
    with _first("ui", tmp_path) as first:
        started: list[object] = []
        monkeypatch.setattr(serve, "run_services", lambda *a, **k: started.append(a) or 0)
        assert cli.main(["serve", "--no-api", "--port", str(_free_port())]) == 2
        out = " ".join(capsys.readouterr().out.split())
        assert f"another famachat-ml ui (pid {first.pid} on" in out, out
        assert "already serves this Dagster instance" in out and started == [], out


def test_the_services_after_a_slow_one_start_once_it_is_ready(tmp_path: Path) -> None:
    """The daemon and the webserver start once the code server answers: started beside it, they found no
    code location and the daemon's sensors waited for its next workspace refresh, a minute later."""
    ready, after = tmp_path / "ready", tmp_path / "after"
    slow = Service(
        "slow",
        [sys.executable, "-c", f"import time; time.sleep(2); open({str(ready)!r}, 'w'); time.sleep(60)"],
        ready.exists,
    )
    stamp = f"import os; open({str(after)!r}, 'w').write(str(os.path.exists({str(ready)!r})))"
    then = Service(
        "then", [sys.executable, "-c", f"{stamp}; import time; time.sleep(1); raise SystemExit(4)"]
    )
    lines: list[str] = []
    assert run_services([slow, then], echo=lines.append, grace=5) == 4
    assert after.read_text() == "True"
    assert any(re.fullmatch(r"slow ready in \d+\.\d s", line) for line in lines), lines


def test_a_service_that_dies_or_hangs_before_it_is_ready_stops_serve(tmp_path: Path) -> None:
    never = tmp_path / "never-written"
    after = Service("after", [sys.executable, "-c", f"open({str(never)!r}, 'w')"])
    dies = Service("dies", [sys.executable, "-c", "raise SystemExit(5)"], lambda: False)
    lines: list[str] = []
    assert run_services([dies, after], echo=lines.append, grace=5) == 5
    assert "dies exited with code 5; stopping the others" in lines
    hangs = Service("hangs", [sys.executable, "-c", "import time; time.sleep(60)"], lambda: False)
    start = time.monotonic()
    assert run_services([hangs, after], echo=lines.append, grace=5, ready_within=1) == 1
    assert time.monotonic() - start < 20
    assert "hangs did not answer within 1 s; stopping" in lines
    assert not never.exists()


def test_serves_folders_left_by_a_kill_9_are_swept_and_live_ones_kept(tmp_path: Path) -> None:
    """A `kill -9` of serve left its folder (socket, workspace file) in /tmp for good."""
    from famachat_ml_pipeline.serve import RUN_DIR_PREFIX, make_run_dir

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    dead, live, starting = (tmp_path / f"{RUN_DIR_PREFIX}{n}" for n in ("dead", "live", "starting"))
    for folder, pid in ((dead, gone.pid), (live, os.getpid()), (starting, None)):
        folder.mkdir()
        (folder / "code.sock").touch()
        if pid is not None:
            (folder / "serve.pid").write_text(str(pid))
    with contextlib.ExitStack() as held:
        mine = make_run_dir(held, root=tmp_path)
        assert (mine / "serve.pid").read_text() == str(os.getpid())
        assert (mine / "workspace.yaml").exists()
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, starting.name, mine.name])
    assert not mine.exists()  # a stop removes its own
