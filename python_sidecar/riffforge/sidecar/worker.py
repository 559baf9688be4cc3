"""The generation worker: one daemon thread that runs riff generations off the network thread.

Foreground jobs (a host is waiting) always run before prefetch jobs (filling the cache). The network
thread only enqueues, so pings are answered while a slow riff is being generated.
"""
from __future__ import annotations

import itertools
import logging
import queue
import threading
from typing import Callable

log = logging.getLogger("riffforge.sidecar")

FOREGROUND = 0
PREFETCH = 1


class GenerationWorker:
    def __init__(self, name: str = "riffforge-generation") -> None:
        self._queue: "queue.PriorityQueue" = queue.PriorityQueue()
        self._seq = itertools.count()
        self._lock = threading.Lock()
        self._foreground = 0
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.completed = 0
        self.failed = 0

    def start(self) -> None:
        self._thread.start()

    def submit(self, job: Callable[[], None], priority: int = FOREGROUND) -> None:
        if priority == FOREGROUND:
            with self._lock:
                self._foreground += 1
        self._queue.put((priority, next(self._seq), job))

    def foreground_pending(self) -> int:
        """Foreground jobs queued or running: the sidecar answers ``busy`` above the protocol limit."""
        with self._lock:
            return self._foreground

    def stop(self, timeout: float = 0.5) -> None:
        """Ask the thread to finish after the current job; does not wait longer than ``timeout``."""
        self._stopping = True
        self._queue.put((-1, -1, None))
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            priority, _seq, job = self._queue.get()
            if job is None or self._stopping:
                return
            try:
                job()
                self.completed += 1
            except Exception:  # a job must never kill the worker; jobs report their own errors
                self.failed += 1
                log.exception("generation job failed")
            finally:
                if priority == FOREGROUND:
                    with self._lock:
                        self._foreground -= 1
