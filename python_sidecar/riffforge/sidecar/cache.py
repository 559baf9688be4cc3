"""Two small caches that make the sidecar fast and retries idempotent.

* :class:`PrefetchCache` holds riff payloads generated ahead of time per (style, intensity bucket, bars,
  instruments), so a "give me something for this intensity" request is answered from memory.
* :class:`ResponseCache` remembers the exact datagrams sent for the last N request ids, so a retried
  request (same id, same bytes) gets the same answer again instead of a second, different riff.
"""
from __future__ import annotations

import threading
from collections import OrderedDict, deque
from typing import Deque, Dict, Hashable, List, Optional, Tuple

from ..generation import RiffRequest

INTENSITY_BUCKETS = 10  # buckets are 0.0, 0.1, ..., 1.0


def intensity_bucket(intensity: float) -> float:
    """The bucket centre a request's intensity falls in (nearest 0.1)."""
    return round(float(intensity) * INTENSITY_BUCKETS) / INTENSITY_BUCKETS


def prefetch_key(request: RiffRequest) -> Optional[Tuple[Hashable, ...]]:
    """The cache key of a request that may be answered by any riff of its bucket, else ``None``.

    Only requests that leave every choice to the sidecar (no seed, auto tempo/key/mode, default
    temperature) qualify: a request with a seed must get exactly the riff that seed makes.
    """
    if (request.seed is not None or request.tempo is not None or request.key is not None
            or request.mode is not None or request.temperature is not None):
        return None
    return (request.style, intensity_bucket(request.intensity), request.bars, tuple(request.instruments))


def bucket_request(key: Tuple[Hashable, ...]) -> RiffRequest:
    """The request that fills ``key``: the bucket-centre intensity, everything else automatic."""
    style, bucket, bars, instruments = key
    return RiffRequest(intensity=bucket, style=style, bars=bars, instruments=instruments)  # type: ignore[arg-type]


class PrefetchCache:
    """Per key, up to ``depth`` encoded riff payloads, oldest first; at most ``max_keys`` keys (the least
    recently asked-for key is dropped first, so memory stays bounded whatever hosts ask). Thread-safe."""

    def __init__(self, depth: int = 2, max_keys: int = 256) -> None:
        self.depth = depth
        self.max_keys = max_keys
        self._lock = threading.Lock()
        self._items: "OrderedDict[Tuple[Hashable, ...], Deque[bytes]]" = OrderedDict()
        self._filling: Dict[Tuple[Hashable, ...], int] = {}
        self.hits = 0
        self.misses = 0

    def take(self, key: Tuple[Hashable, ...]) -> Optional[bytes]:
        with self._lock:
            items = self._items.get(key)
            if items is not None:
                self._items.move_to_end(key)
            if items:
                self.hits += 1
                return items.popleft()
            self.misses += 1
            return None

    def wanted(self, key: Tuple[Hashable, ...]) -> int:
        """How many more payloads to generate for ``key`` (counting those being generated); reserves them."""
        with self._lock:
            have = len(self._items.get(key, ())) + self._filling.get(key, 0)
            missing = max(0, self.depth - have)
            if missing:
                self._filling[key] = self._filling.get(key, 0) + missing
            return missing

    def put(self, key: Tuple[Hashable, ...], payload: Optional[bytes]) -> None:
        """Store a generated payload (``None``: the generation failed; release the reservation)."""
        with self._lock:
            left = self._filling.pop(key, 0) - 1
            if left > 0:
                self._filling[key] = left
            if payload is not None:
                self._items.setdefault(key, deque()).append(payload)
                self._items.move_to_end(key)
                while len(self._items) > self.max_keys:
                    self._items.popitem(last=False)

    def size(self, key: Optional[Tuple[Hashable, ...]] = None) -> int:
        with self._lock:
            if key is not None:
                return len(self._items.get(key, ()))
            return sum(len(v) for v in self._items.values())


class ResponseCache:
    """(host address, request_id) -> (request bytes, answer datagrams) for the last ``capacity`` answers,
    plus the ids in flight.

    ``begin`` reserves an id while its riff is generated, so a retry that arrives meanwhile waits for the
    same answer instead of starting a second generation. Keys include the host address, and ``clear`` is
    called on every welcome (a new session), so a host that reconnects and starts its ids at 1 again is
    not answered from an old session. Thread-safe.
    """

    def __init__(self, capacity: int = 1024) -> None:
        self.capacity = capacity
        self._lock = threading.Lock()
        self._done: "OrderedDict[Tuple[Tuple[str, int], int], Tuple[bytes, List[bytes]]]" = OrderedDict()
        self._inflight: Dict[Tuple[Tuple[str, int], int], bytes] = {}
        self.replays = 0

    def lookup(self, address: Tuple[str, int], request_id: int, request: bytes) -> Tuple[str, Optional[List[bytes]]]:
        """Classify a request: ``("new", None)``, ``("replay", datagrams)``, ``("pending", None)`` (a retry of
        an id being generated: it will be answered once, when ready) or ``("conflict", None)`` (id reused
        with different bytes)."""
        key = (address, request_id)
        with self._lock:
            done = self._done.get(key)
            if done is not None:
                if done[0] != request:
                    return "conflict", None
                self._done.move_to_end(key)
                self.replays += 1
                return "replay", done[1]
            pending = self._inflight.get(key)
            if pending is not None:
                return ("pending", None) if pending == request else ("conflict", None)
            return "new", None

    def begin(self, address: Tuple[str, int], request_id: int, request: bytes) -> None:
        with self._lock:
            self._inflight[(address, request_id)] = request

    def finish(self, address: Tuple[str, int], request_id: int, request: bytes, datagrams: List[bytes]) -> None:
        """Record the answer sent to ``address`` for ``request_id``."""
        key = (address, request_id)
        with self._lock:
            self._inflight.pop(key, None)
            self._done[key] = (request, datagrams)
            self._done.move_to_end(key)
            while len(self._done) > self.capacity:
                self._done.popitem(last=False)

    def abandon(self, address: Tuple[str, int], request_id: int) -> None:
        """Forget an in-flight id whose answer will never be sent (its session ended)."""
        with self._lock:
            self._inflight.pop((address, request_id), None)

    def clear(self) -> None:
        """A new session began (welcome): forget finished answers (in-flight ones still complete)."""
        with self._lock:
            self._done.clear()

    def inflight(self) -> int:
        with self._lock:
            return len(self._inflight)
