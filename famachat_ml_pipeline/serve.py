"""`famachat-ml serve`: the production pieces on one machine, dagster-daemon, dagster-webserver and the
agent's HTTP API (`famachat-ml api`, the endpoints FamaChat calls), unless `--no-api`.

The daemon and the webserver share one code server (`dagster code-server start`, as `dagster dev` runs it),
started first: left to load the code themselves, the daemon started a new code server every 60 s
(Dagster's workspace refresh), importing the whole code location again each time.

The Dagster pair runs on the instance the CLI uses (DAGSTER_HOME prepared from the repo's dagster.yaml,
Postgres storage when DAGSTER_PG_URL is set), so schedules, sensors, the run queue and run monitoring work.
Ctrl-C or SIGTERM stops them all; if one dies, the others are stopped too, so a supervisor (systemd, a
container) sees one failure.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from famachat_ml_pipeline.counted import listed
from famachat_ml_pipeline.runner import CODE_LOCATION

if TYPE_CHECKING:
    from famachat_ml_pipeline.settings import Settings

# Dagster keys schedules', sensors' and runs' state by the location's name: the code server keeps the one
# `-m famachat_ml_pipeline.definitions` gives (CLI runs, `dagster` commands, workspace.yaml).
LOCATION = CODE_LOCATION
API = "agent-api"
CODE_SERVER = "dagster-code-server"
DAEMON = "dagster-daemon"
CODE_SERVER_START_SECONDS = 180.0  # Dagster's own default code_server_process_startup_timeout
STOP_GRACE_SECONDS = 20.0  # the Dagster pair: measured stops of the stack took 0.8 to 10.2 s
# On top of the API's own drain (API_SHUTDOWN_GRACE_SECONDS): uvicorn's exit after it closes the last chat.
STOP_MARGIN_SECONDS = 10.0


@dataclass(frozen=True)
class Service:
    name: str
    argv: list[str]
    # Services after this one start once it answers True (None: at once).
    ready: Callable[[], bool] | None = field(default=None, compare=False)


RUN_DIR_PREFIX = "fcml-serve-"  # serve's folder for the code server's socket and the workspace file


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def sweep_run_dirs(root: Path) -> list[Path]:
    """serve's folders under `root` whose serve is gone: a stop removes its own, a `kill -9` left it. One
    without a readable serve.pid is left alone (it may be a serve that is just starting)."""
    removed = []
    for folder in sorted(root.glob(f"{RUN_DIR_PREFIX}*")):
        try:
            pid = int((folder / "serve.pid").read_text())
        except (OSError, ValueError):
            continue
        if not _alive(pid):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def make_run_dir(held: contextlib.ExitStack, root: Path | None = None) -> Path:
    """This serve's folder (removed when `held` closes), with its pid and the workspace file, after the
    folders of serves killed before it are swept. A short path: a socket's is capped at 107 bytes."""
    root = root or Path(tempfile.gettempdir())
    sweep_run_dirs(root)
    run_dir = Path(held.enter_context(tempfile.TemporaryDirectory(prefix=RUN_DIR_PREFIX, dir=root)))
    (run_dir / "serve.pid").write_text(str(os.getpid()))
    write_workspace(run_dir)
    return run_dir


def code_server_socket(run_dir: Path) -> Path:
    return run_dir / "code.sock"


def write_workspace(run_dir: Path) -> Path:
    """The workspace file that points the daemon and the webserver at the code server's socket."""
    import yaml

    location = {"host": "localhost", "socket": str(code_server_socket(run_dir)), "location_name": LOCATION}
    path = run_dir / "workspace.yaml"
    path.write_text(yaml.safe_dump({"load_from": [{"grpc_server": location}]}))
    return path


def code_server_answers(socket_path: Path) -> bool:
    """True once the code server answers a ping: it loads the code before it listens."""
    from dagster._core.errors import DagsterUserCodeUnreachableError
    from dagster._grpc.client import DagsterGrpcClient  # the client the daemon itself uses

    if not socket_path.exists():
        return False
    try:
        DagsterGrpcClient(port=None, socket=str(socket_path)).ping("serve")
    except DagsterUserCodeUnreachableError:
        return False
    return True


def services(
    host: str, port: int, api_port: int | None = None, bin_dir: Path | None = None, *, run_dir: Path
) -> list[Service]:
    """The processes, with the executables of this Python environment: the code server (its socket and the
    workspace file in `run_dir`), the Dagster pair, and the agent's API on `api_port` unless it is None."""
    bin_dir = bin_dir or Path(sys.executable).parent
    sock = code_server_socket(run_dir)
    workspace = ["-w", str(run_dir / "workspace.yaml")]
    code_server = [str(bin_dir / "dagster"), "code-server", "start", "-m", LOCATION]
    code_server += ["--location-name", LOCATION, "--socket", str(sock)]
    api = [Service(API, [str(bin_dir / "famachat-ml"), "api", "--host", host, "--port", str(api_port)])]
    return [
        Service(CODE_SERVER, code_server, lambda: code_server_answers(sock)),
        Service(DAEMON, [str(bin_dir / "dagster-daemon"), "run", *workspace]),
        Service(
            "dagster-webserver",
            [str(bin_dir / "dagster-webserver"), *workspace, "-h", host, "-p", str(port)],
        ),
        *(api if api_port is not None else []),
    ]


def stop_grace(settings: Settings, with_api: bool) -> float:
    """How long a stop waits before it kills: with the API, its drain of the chats in flight and a margin
    (a 20 s grace killed a chat still waiting on the LLM), else the Dagster pair's."""
    if not with_api:
        return STOP_GRACE_SECONDS
    return max(STOP_GRACE_SECONDS, settings.api_shutdown_grace_seconds + STOP_MARGIN_SECONDS)


def bind_problem(host: str, ports: list[int], flags: str) -> str | None:
    """Why the services could not listen on `ports` at `host`, in one line ending in what to do (`flags`:
    the options that set them), or None: a port named twice, a host that names no address of this machine,
    a port something already listens on. Said before anything starts (a webserver or API that cannot bind
    took the stack down a second later, after the line announcing it)."""
    if len(set(ports)) < len(ports):
        return f"port {ports[0]} is given twice: choose {flags} apart; nothing was started"
    try:
        busy = ports_in_use(host, ports)
    except OSError as exc:  # socket.gaierror for "256.1.1.1", EADDRNOTAVAIL for another machine's address
        if exc.errno == errno.EACCES:  # a port below 1024 without the right to it: the port's fault
            return f"cannot listen on port {', '.join(map(str, ports))}: {exc.strerror}; nothing was started"
        return f"cannot listen on --host {host}: {exc.strerror or exc}; nothing was started"
    if busy:
        where = f"port {', '.join(map(str, busy))} is already in use on {host}"
        return f"{where}: choose {flags}; nothing was started"
    return None


def ports_in_use(host: str, ports: list[int]) -> list[int]:
    """The ports among `ports` something already listens on at `host` (serve refuses before it starts
    anything: a webserver or API that cannot bind would take the whole stack down a second later)."""
    busy = []
    for port in ports:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
            # as uvicorn binds: a port left in TIME_WAIT by the last run's connections is free (a restart by
            # a supervisor right after a stop was refused as "in use" for a minute); a listener is not
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind((host, port))
            except OSError as exc:
                if exc.errno != errno.EADDRINUSE:
                    raise  # no port's fault: the host (bind_problem says so)
                busy.append(port)
    return busy


# A log record (Dagster's "2026-11-30 12:00:00 +0000 - ...", maybe coloured; the API's JSON lines; Python's
# "WARNING:root:..." that dagster_postgres's retries switch on for the daemon's loggers): what an
# operator reads, kept even while stopping. Anything else a service prints once serve has told it to stop is
# its interrupt's noise: KeyboardInterrupt and gRPC tracebacks, click's "Aborted!", Dagster's "Stack Trace:".
_LOG_RECORD = re.compile(r"^(\x1b\[[0-9;]*m)?(\d{4}-\d\d-\d\d[ T]|\{|(DEBUG|INFO|WARNING|ERROR|CRITICAL):)")
_EXCEPTION = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Interrupt|Exit))\b")


@dataclass
class OutputRelay:
    """Copies one service's stdout and stderr to ours, line by line (Dagster's coloured log records go to
    stdout, the rest to stderr). Once serve stops the service (`stopping` set), lines that are not log records
    are left out and counted, so that a Ctrl-C does not bury the stop lines under Dagster's shutdown
    tracebacks (the daemon's sensor logs one to stdout when its code server stops first); a service that
    crashes on its own is never filtered."""

    name: str
    stopping: bool = False
    left_out: int = 0
    exceptions: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def line(self, text: str, out: IO[str]) -> None:
        if not self.stopping or _LOG_RECORD.match(text):
            out.write(text)
            out.flush()
            return
        with self._lock:  # the two streams' pumps count into one summary
            self.left_out += 1
            found = _EXCEPTION.match(text)
            if found and found.group(1) not in self.exceptions:
                self.exceptions.append(found.group(1))

    def summary(self) -> str | None:
        if not self.left_out:
            return None
        what = f" ({', '.join(self.exceptions)})" if self.exceptions else ""
        return f"{self.name}: left out {self.left_out} lines of shutdown output{what}"

    def pump(self, stream: IO[bytes], out: IO[str]) -> None:
        for raw in iter(stream.readline, b""):
            self.line(raw.decode("utf-8", "replace"), out)
        stream.close()


def describe_exit(code: int) -> str:
    """`exited with code -9` said nothing to whoever did not know Popen's convention: name the signal."""
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"was killed by {signal.Signals(-code).name} (exit code {code})"
    return f"exited with code {code}"


def with_parent_death(argv: list[str]) -> list[str]:
    """On Linux, `argv` run so that it gets SIGTERM when this process dies, even by SIGKILL
    (`parent_death`): a service leads its own session, and outlived a serve killed with -9."""
    if not sys.platform.startswith("linux"):
        return argv
    return [sys.executable, "-m", "famachat_ml_pipeline.parent_death", str(os.getpid()), *argv]


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a member we cannot signal (not ours): still alive
        return True
    return True


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)


def _stop(
    procs: dict[str, subprocess.Popen], grace: float, relays: dict[str, OutputRelay] | None = None
) -> None:
    """Stop every service's whole process group, not only its leader: the code servers Dagster's daemon
    and webserver start live in their group and outlived them (a leader killed with -9 never passes the
    SIGTERM on; the daemon's code server ignores it and lingered until its heartbeat timed out)."""
    for name, proc in procs.items():
        if relays and name in relays and proc.poll() is None:  # one that died alone keeps all its output
            relays[name].stopping = True
        _signal_group(proc.pid, signal.SIGTERM)  # each service leads its own group (start_new_session)
    deadline = time.monotonic() + grace
    for proc in procs.values():
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
    # Whatever is left after the leaders are gone (or the grace is over) is killed: a leftover of a stopped
    # service serves nobody, and a supervisor's restart must not find it.
    for proc in procs.values():
        _signal_group(proc.pid, signal.SIGKILL)
        proc.wait()
    end = time.monotonic() + 5.0
    while any(_group_alive(p.pid) for p in procs.values()) and time.monotonic() < end:
        time.sleep(0.05)


def _first_dead(procs: dict[str, subprocess.Popen]) -> tuple[str, int] | None:
    return next(((n, p.returncode) for n, p in procs.items() if p.poll() is not None), None)


def run_services(
    wanted: list[Service],
    echo: Callable[[str], None] = print,
    grace: float = STOP_GRACE_SECONDS,
    ready_within: float = CODE_SERVER_START_SECONDS,
) -> int:
    """Start every service in its own process group, supervise them, stop them all on a signal. A service
    with `ready` is waited for (at most `ready_within` seconds) before the next one starts.

    Returns 0 after a requested stop, else the exit code of the first service that died (1 for one that
    never got ready).
    """
    stop_requested = False
    relays = {svc.name: OutputRelay(svc.name) for svc in wanted}
    pumps: list[threading.Thread] = []

    def request_stop(signum: int, _frame: object) -> None:
        nonlocal stop_requested
        stop_requested = True

    def died(dead: tuple[str, int]) -> int:
        echo(f"{dead[0]} {describe_exit(dead[1])}; stopping the others")
        return dead[1] or 1

    previous = {s: signal.signal(s, request_stop) for s in (signal.SIGINT, signal.SIGTERM)}
    procs: dict[str, subprocess.Popen] = {}
    try:
        for svc in wanted:
            if stop_requested:
                break
            # own process group: a terminal's Ctrl-C reaches us once, and we stop each child tree cleanly
            procs[svc.name] = proc = subprocess.Popen(
                with_parent_death(svc.argv),
                start_new_session=True,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            assert proc.stdout is not None and proc.stderr is not None
            for stream, out in ((proc.stdout, sys.stdout), (proc.stderr, sys.stderr)):
                pumps.append(threading.Thread(target=relays[svc.name].pump, args=(stream, out), daemon=True))
                pumps[-1].start()
            echo(f"started {svc.name} (pid {proc.pid})")
            if svc.ready is not None:
                started, deadline = time.monotonic(), time.monotonic() + ready_within
                while not stop_requested and not svc.ready():
                    if dead := _first_dead(procs):
                        return died(dead)
                    if time.monotonic() > deadline:
                        echo(f"{svc.name} did not answer within {ready_within:g} s; stopping")
                        return 1
                    time.sleep(0.2)
                if not stop_requested:
                    echo(f"{svc.name} ready in {time.monotonic() - started:.1f} s")
        while not stop_requested:
            if dead := _first_dead(procs):
                return died(dead)
            time.sleep(0.5)
        echo(f"stopping {listed(list(procs))}")
        return 0
    finally:
        _stop(procs, grace, relays)
        for pump in pumps:  # every writer of the pipe is gone: the rest of the output is read at once
            pump.join(timeout=5)
        for relay in relays.values():
            if (summary := relay.summary()) is not None:
                echo(summary)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
