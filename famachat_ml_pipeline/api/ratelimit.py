"""A per-key sliding-window rate limit, in process memory (one API process per deployment)."""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable


class RateLimiter:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def hit(self, key: str) -> float:
        """Count one request; returns 0 when allowed, else the seconds to wait."""
        now = self.clock()
        with self._lock:
            window = self._hits[key]
            while window and window[0] <= now - 60:
                window.popleft()
            if len(window) >= self.per_minute:
                return max(window[0] + 60 - now, 0.001)
            window.append(now)
            return 0.0

    @staticmethod
    def retry_after(wait: float) -> str:
        return str(max(1, math.ceil(wait)))
