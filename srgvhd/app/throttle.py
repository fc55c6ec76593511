"""Rate limit for admin-secret guesses (docs/security.md §4).

A ``Throttle`` counts failed attempts: at most ``limit`` in any ``window`` seconds and, from the
second consecutive failure on, an exponential pause (2 s, 4 s, 8 s … capped at the window) before
the next attempt. A success resets the consecutive count (not the window). Thread-safe, so one
instance can be shared by every session of the server process; the clock is injectable for tests.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

ATTEMPTS_PER_WINDOW = 5
WINDOW_SECONDS = 60.0
BACKOFF_BASE_SECONDS = 1.0


class Throttle:
    """Failed attempts in a sliding window plus exponential backoff after repeated failures."""

    def __init__(
        self,
        limit: int = ATTEMPTS_PER_WINDOW,
        window: float = WINDOW_SECONDS,
        base: float = BACKOFF_BASE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit, self.window, self.base, self.clock = limit, window, base, clock
        self._failures: deque[float] = deque()
        self._consecutive = 0
        self._lock = threading.Lock()

    def _forget_old(self, now: float) -> None:
        while self._failures and now - self._failures[0] >= self.window:
            self._failures.popleft()

    def wait_seconds(self) -> float:
        """Seconds until the next attempt may be checked; 0 when it may be checked now."""
        with self._lock:
            now = self.clock()
            self._forget_old(now)
            waits = [0.0]
            if len(self._failures) >= self.limit:
                waits.append(self._failures[0] + self.window - now)
            if self._consecutive >= 2 and self._failures:
                pause = min(self.base * 2 ** (self._consecutive - 1), self.window)
                waits.append(self._failures[-1] + pause - now)
            return max(waits)

    def failed(self) -> int:
        """Record a failed attempt; returns the failures in the current window."""
        with self._lock:
            now = self.clock()
            self._forget_old(now)
            self._failures.append(now)
            self._consecutive += 1
            return len(self._failures)

    def succeeded(self) -> None:
        """Record a correct attempt: the backoff starts again from zero."""
        with self._lock:
            self._consecutive = 0
