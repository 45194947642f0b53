"""One turn at a time per conversation, so each answer follows its own question and sees the turns
before it (a double click, or a client's retry while the first answer is still being written).

In process memory, like the rate limit: one API process per deployment.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import HTTPException, status

# The longest a question waits for the one before it in the same thread; then 409. Generous: an online
# turn may call the model several times.
TURN_WAIT_SECONDS = 120.0
BUSY = "Esta conversa ainda está respondendo à pergunta anterior. Envie de novo quando ela terminar."


class TurnLocks:
    def __init__(self, wait_seconds: float = TURN_WAIT_SECONDS) -> None:
        self.wait_seconds = wait_seconds
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, int]] = {}  # thread id -> (lock, holders + waiters)

    def _lock(self, thread_id: str) -> threading.Lock:
        with self._guard:
            lock, users = self._locks.get(thread_id, (threading.Lock(), 0))
            self._locks[thread_id] = (lock, users + 1)
            return lock

    def _forget(self, thread_id: str) -> None:
        with self._guard:
            lock, users = self._locks[thread_id]
            if users == 1:
                del self._locks[thread_id]  # no one else holds or waits: do not keep ids forever
            else:
                self._locks[thread_id] = (lock, users - 1)

    def claim(self, thread_id: str) -> None:
        """Wait for the thread's turn; 409 after `wait_seconds`. Pair with `release`."""
        if not self._lock(thread_id).acquire(timeout=self.wait_seconds):
            self._forget(thread_id)
            raise HTTPException(status.HTTP_409_CONFLICT, BUSY)

    def release(self, thread_id: str) -> None:
        lock, _ = self._locks[thread_id]
        lock.release()
        self._forget(thread_id)

    @contextmanager
    def turn(self, thread_id: str) -> Iterator[None]:
        self.claim(thread_id)
        try:
            yield
        finally:
            self.release(thread_id)
