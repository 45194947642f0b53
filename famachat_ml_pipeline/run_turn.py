"""One pipeline run at a time, for the runs the CLI executes in its own process: `wait_for_turn` waits while a
`famachat/pipeline` run is active (the in-process twin of the run queue's limit), and `in_process_turn` holds
an inter-process lock from that check until the run ends, so two processes started together never both
execute."""

from __future__ import annotations

import fcntl
import hashlib
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from famachat_ml_pipeline.defs.shared.schedules import PIPELINE_TAG

ACTIVE = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]


class QueueBusy(RuntimeError):
    pass


def wait_for_turn(
    instance: dg.DagsterInstance,
    echo: Callable[[str], None],
    poll_seconds: float = 2.0,
    timeout_seconds: float = 3600.0,
) -> None:
    """The in-process twin of the queue's `famachat/pipeline` limit: wait while a pipeline run is active.

    A run left STARTED by a killed process holds the turn until Dagster's run monitoring (under a daemon)
    marks it failed; past `timeout_seconds` this says which run it is instead of waiting for ever."""
    deadline = time.monotonic() + timeout_seconds
    said: set[str] = set()
    while True:
        active = instance.get_runs(dg.RunsFilter(tags={PIPELINE_TAG: "graph"}, statuses=ACTIVE))
        if not active:
            return
        for run in active:
            if run.run_id not in said:
                echo(
                    f"waiting for run {run.run_id[:8]} ({run.job_name}) to finish: one pipeline run at a time"
                )
                said.add(run.run_id)
        if time.monotonic() > deadline:
            ids = ", ".join(r.run_id for r in active)
            raise QueueBusy(f"pipeline run(s) still active after {timeout_seconds:.0f}s: {ids}")
        time.sleep(poll_seconds)


LOCK_FILE = "famachat_pipeline.lock"
# pg_advisory_lock's key for the in-process turn: the first 8 bytes of sha256("famachat/pipeline")
ADVISORY_KEY = int.from_bytes(hashlib.sha256(PIPELINE_TAG.encode()).digest()[:8], "big", signed=True)


@contextmanager
def in_process_turn(
    instance: dg.DagsterInstance,
    dagster_pg_url: str | None,
    echo: Callable[[str], None],
    poll_seconds: float = 1.0,
    timeout_seconds: float = 3600.0,
) -> Iterator[None]:
    """One in-process run at a time across processes: held from wait_for_turn's check until the run has
    ended. wait_for_turn alone raced: two processes started together both found no active run (neither had
    registered its run yet) and both executed. The lock lives where wait_for_turn looks: a Postgres
    advisory lock on Dagster's storage (DAGSTER_PG_URL, shared by every machine using it), else a file lock
    under DAGSTER_HOME (SQLite storage is one machine's). The operating system or Postgres releases it
    when the process dies, even by kill -9."""
    deadline = time.monotonic() + timeout_seconds
    with instance_lock(instance.root_directory, dagster_pg_url) as try_acquire:
        said = False
        while not (holder := try_acquire()).acquired:
            if not said:
                echo(f"waiting for {holder.who} to finish: one pipeline run at a time")
                said = True
            if time.monotonic() > deadline:
                raise QueueBusy(f"{holder.who} still holds the pipeline's turn after {timeout_seconds:.0f}s")
            time.sleep(poll_seconds)
        remaining = max(0.0, deadline - time.monotonic())
        wait_for_turn(instance, echo, timeout_seconds=remaining)  # runs the daemon launched
        yield


# the daemon lock of `famachat-ml serve` and `ui`: one dagster-daemon per instance (cli.py, _hold_daemon_lock)
SERVE_LOCK_FILE = "famachat_serve.lock"
SERVE_ADVISORY_KEY = int.from_bytes(hashlib.sha256(b"famachat/serve").digest()[:8], "big", signed=True)


# A lock's session ends (and frees the lock) when Postgres notices its client is gone. A killed process
# closes its socket at once; a machine that dies or drops off the network does not, and Postgres's default
# keepalive (7200 s idle, then 9 probes 75 s apart) kept the lock, so the run turn or the instance's daemon,
# for 2 h 11 min. With these the server drops the session about 25 s after the machine goes silent.
LOCK_KEEPALIVES = "-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3"


@dataclass
class Attempt:
    acquired: bool
    who: str = "another famachat-ml run"


@contextmanager
def instance_lock(
    root_directory: str | Path,
    dagster_pg_url: str | None,
    key: int = ADVISORY_KEY,
    lock_file: str = LOCK_FILE,
    holder: str = "another famachat-ml run",
) -> Iterator[Callable[[], Attempt]]:
    """An inter-process lock on one Dagster instance, held until the context ends (or the process dies): a
    Postgres advisory lock on DAGSTER_PG_URL, else a file lock under DAGSTER_HOME. Yields a non-blocking
    attempt; a refused one says who holds it."""
    # how this holder is named to whoever is refused: "famachat-ml serve (pid 7 on host)"
    name = f"{holder.removeprefix('another ')} (pid {os.getpid()} on {socket.gethostname()})"
    if dagster_pg_url:
        import psycopg
        from sqlalchemy.engine import make_url

        plain = make_url(dagster_pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
        # the session holds the lock; closing it, or the process's death, frees it. pg_stat_activity names it.
        with psycopg.connect(
            plain, autocommit=True, application_name=name[:63], options=LOCK_KEEPALIVES
        ) as conn:

            def try_pg() -> Attempt:
                if conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()[0]:
                    return Attempt(True)
                row = conn.execute(
                    "SELECT a.application_name, a.pid FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
                    "WHERE l.locktype = 'advisory' AND l.granted "
                    "AND ((l.classid::bigint << 32) | l.objid::bigint) = %s",
                    (key,),
                ).fetchone()
                who = f"another {row[0]}" if row and row[0] else holder
                where = f" (Postgres backend {row[1]})" if row and not row[0] else ""
                return Attempt(False, f"{who} on Dagster's Postgres storage{where}")

            yield try_pg
        return
    path = Path(root_directory) / lock_file
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:

        def try_file() -> Attempt:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                who = os.pread(fd, 200, 0).decode(errors="replace").strip()
                return Attempt(False, f"another {who}" if who else f"{holder} (starting)")
            os.ftruncate(fd, 0)
            os.pwrite(fd, name.encode(), 0)
            return Attempt(True)

        yield try_file
    finally:
        os.close(fd)  # releases the flock
