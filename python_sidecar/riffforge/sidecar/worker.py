"""The generation worker: one daemon thread that runs riff generations off the network thread.

Foreground jobs (a host is waiting) run before prefetch jobs (filling the cache), with a fair share left
for prefetch under sustained load. The network thread only enqueues, so pings are answered while a slow
riff is being generated.
"""
from __future__ import annotations

import logging
import threading
from collections import deque
from typing import Callable, Dict, Hashable

log = logging.getLogger("riffforge.sidecar")

FOREGROUND = 0
PREFETCH = 1


class GenerationWorker:
    """``submit`` jobs tagged with the host session they serve; ``foreground_pending(session)`` is what the
    per-session busy limit counts.

    Foreground jobs run first, but not always: after ``fair_share`` foreground jobs in a row one waiting
    prefetch job runs, so a host that keeps many requests in flight still gets a filled prefetch cache
    (answered at once on the network thread) instead of starving it forever.
    """

    def __init__(self, name: str = "riffforge-generation", fair_share: int = 2) -> None:
        self.fair_share = fair_share
        self._cond = threading.Condition()
        self._queues = {FOREGROUND: deque(), PREFETCH: deque()}
        self._in_a_row = 0
        self._foreground: Dict[Hashable, int] = {}
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.completed = 0
        self.failed = 0

    def start(self) -> None:
        self._thread.start()

    def submit(self, job: Callable[[], None], priority: int = FOREGROUND, session: Hashable = None) -> None:
        with self._cond:
            if priority == FOREGROUND:
                self._foreground[session] = self._foreground.get(session, 0) + 1
            self._queues[priority].append((job, session))
            self._cond.notify()

    def foreground_pending(self, session: Hashable = None) -> int:
        """Foreground jobs of ``session`` queued or running (None: of every session)."""
        with self._cond:
            if session is None:
                return sum(self._foreground.values())
            return self._foreground.get(session, 0)

    def stop(self, timeout: float = 0.5) -> None:
        """Ask the thread to finish after the current job; does not wait longer than ``timeout``."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def _next(self):
        """Under the condition: the next (priority, job, session), or None when stopping."""
        while True:
            if self._stopping:
                return None
            foreground, prefetch = self._queues[FOREGROUND], self._queues[PREFETCH]
            if prefetch and (not foreground or self._in_a_row >= self.fair_share):
                self._in_a_row = 0
                return (PREFETCH,) + prefetch.popleft()
            if foreground:
                self._in_a_row += 1
                return (FOREGROUND,) + foreground.popleft()
            self._cond.wait()

    def _run(self) -> None:
        while True:
            with self._cond:
                item = self._next()
            if item is None:
                return
            priority, job, session = item
            try:
                job()
                self.completed += 1
            except Exception:  # a job must never kill the worker; jobs report their own errors
                self.failed += 1
                log.exception("generation job failed")
            finally:
                if priority == FOREGROUND:
                    with self._cond:
                        left = self._foreground.get(session, 1) - 1
                        if left > 0:
                            self._foreground[session] = left
                        else:
                            self._foreground.pop(session, None)
