"""`famachat-ml serve` watches Dagster's own Postgres (DAGSTER_PG_URL) while it serves.

Measured with the database made unreachable for 2 minutes under serve: nothing stopped, the webserver's
/server_info and the agent API kept answering 200, and dagster-daemon printed about 20,000 lines of retries
and tracebacks ("too many retries for DB connection") without one line saying what was wrong; once the
database answered again the daemon's sensors ticked within 10 s, by themselves. So serve does not stop (the
agent API does not use that database, and the daemon recovers): it says in one line when the storage stops
answering, repeats it each minute while it stays down, and says when it answers again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from famachat_ml_pipeline.db.engine import CONNECT_TIMEOUT_SECONDS

PROBE_SECONDS = 10.0
REMIND_SECONDS = 60.0


def probe_postgres(url: str) -> str | None:
    """None if the database answers a query, else the first line of why not (never blocks past the timeout:
    a server that accepts and never speaks would hang a plain connect)."""
    import psycopg
    from sqlalchemy.engine import make_url

    from famachat_ml_pipeline.preflight import first_line

    # settings spell it for SQLAlchemy (postgresql+psycopg2://): libpq wants the plain scheme
    libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        with psycopg.connect(libpq, connect_timeout=CONNECT_TIMEOUT_SECONDS) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return first_line(exc)
    return None


@dataclass
class StorageWatch:
    """Probes every `every` seconds in its own thread and echoes the changes (and a reminder while down)."""

    what: str  # how the lines name the storage, e.g. "Dagster's storage DAGSTER_PG_URL (postgresql://...)"
    probe: Callable[[], str | None]
    echo: Callable[[str], None]
    every: float = PROBE_SECONDS
    remind: float = REMIND_SECONDS
    _stop: threading.Event = field(default_factory=threading.Event, init=False)
    _thread: threading.Thread | None = field(default=None, init=False)

    def check(self, down_since: float | None, last_said: float, now: float) -> tuple[float | None, float]:
        """One probe: returns the new (down since, last time a line was said)."""
        error = self.probe()
        if error is None:
            if down_since is not None:
                self.echo(f"{self.what} answers again after {now - down_since:.0f} s")
            return None, last_said
        if down_since is None:
            self.echo(
                f"{self.what} does not answer: {error}; dagster-daemon's schedules, sensors and run queue "
                "wait for it (the daemon retries by itself)"
            )
            return now, now
        if now - last_said >= self.remind:
            self.echo(f"{self.what} still does not answer after {now - down_since:.0f} s: {error}")
            return down_since, now
        return down_since, last_said

    def _loop(self) -> None:
        down_since: float | None = None
        last_said = 0.0
        while not self._stop.wait(self.every):
            down_since, last_said = self.check(down_since, last_said, time.monotonic())

    def __enter__(self) -> StorageWatch:
        self._thread = threading.Thread(target=self._loop, name="storage-watch", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=CONNECT_TIMEOUT_SECONDS + 1)
