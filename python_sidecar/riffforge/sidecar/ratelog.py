"""Log lines a peer can trigger at will (connects, dropped packets), at a bounded rate and with counts.

Anyone on the machine can send the sidecar datagrams; if each one logged a line, a flood would fill the
host's log (Unity's Editor.log) and cost the sidecar time. :class:`RateLimitedLog` logs the first ``burst``
events of a kind in full, then at most one line per ``interval`` seconds, each saying how many similar events
were not logged since the previous line. The totals are also in the counters logged at exit.
"""
from __future__ import annotations

import logging
import time
from typing import Callable


class RateLimitedLog:
    """``log(message, *args)`` for one kind of event; ``suppressed`` counts the events not logged yet."""

    def __init__(self, logger: logging.Logger, level: int = logging.INFO, burst: int = 5, interval: float = 5.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.logger = logger
        self.level = level
        self.burst = burst
        self.interval = interval
        self.clock = clock
        self.logged = 0
        self.suppressed = 0
        self._last = float("-inf")

    def __call__(self, message: str, *args) -> bool:
        """Log the event or count it; True when a line was written."""
        now = self.clock()
        if self.logged >= self.burst and now - self._last < self.interval:
            self.suppressed += 1
            return False
        if self.suppressed:
            message += " (%d similar line(s) not logged in the last %.0f s)"
            args = args + (self.suppressed, now - self._last)
        self.logger.log(self.level, message, *args)
        self.logged += 1
        self._last = now
        self.suppressed = 0
        return True
