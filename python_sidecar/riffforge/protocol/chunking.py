"""Riff payloads larger than one datagram: split into numbered chunks, reassemble all-or-nothing.

A receiver never delivers part of a riff: :class:`Reassembler` hands a payload out only when every chunk
of it has arrived, ignores duplicates and chunks that contradict the first one seen, and forgets partial
payloads after a timeout (the host then retries the request, see SPEC.md section 6).
"""
from __future__ import annotations

import time
from typing import Callable, Dict, List, Optional

from .constants import MAX_CHUNK_BYTES, MAX_CHUNK_COUNT, MAX_RIFF_PAYLOAD_BYTES
from .errors import ProtocolError


def split_payload(payload: bytes, chunk_size: int = MAX_CHUNK_BYTES) -> List[bytes]:
    """``payload`` as ``max(1, ceil(len / chunk_size))`` consecutive slices."""
    if not 1 <= chunk_size <= MAX_CHUNK_BYTES:
        raise ProtocolError(f"chunk_size={chunk_size}: must be 1..{MAX_CHUNK_BYTES}")
    if not payload:
        raise ProtocolError("cannot send an empty riff payload")
    count = -(-len(payload) // chunk_size)
    if count > MAX_CHUNK_COUNT:
        raise ProtocolError(f"payload of {len(payload)} bytes needs {count} chunks; the limit is {MAX_CHUNK_COUNT}")
    return [payload[i * chunk_size:(i + 1) * chunk_size] for i in range(count)]


class _Partial:
    __slots__ = ("count", "parts", "size", "started")

    def __init__(self, count: int, now: float) -> None:
        self.count = count
        self.parts: Dict[int, bytes] = {}
        self.size = 0
        self.started = now


class Reassembler:
    """Collects chunks per request id. ``add`` returns the whole payload once, when the last chunk arrives.

    Counters (``duplicates``, ``inconsistent``, ``expired``) let tests and benches prove nothing was lost
    silently.
    """

    def __init__(self, timeout: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.timeout = timeout
        self._clock = clock
        self._partial: Dict[int, _Partial] = {}
        self.duplicates = 0
        self.inconsistent = 0
        self.expired = 0

    def add(self, request_id: int, chunk_index: int, chunk_count: int, chunk: bytes) -> Optional[bytes]:
        if not (1 <= chunk_count <= MAX_CHUNK_COUNT and 0 <= chunk_index < chunk_count):
            self.inconsistent += 1
            return None
        if chunk_count == 1:
            self._partial.pop(request_id, None)
            return chunk
        now = self._clock()
        partial = self._partial.get(request_id)
        if partial is not None and now - partial.started > self.timeout:
            del self._partial[request_id]
            self.expired += 1
            partial = None
        if partial is None:
            partial = self._partial[request_id] = _Partial(chunk_count, now)
        elif partial.count != chunk_count:
            self.inconsistent += 1
            return None
        if chunk_index in partial.parts:
            self.duplicates += 1
            return None
        if partial.size + len(chunk) > MAX_RIFF_PAYLOAD_BYTES:
            del self._partial[request_id]
            self.inconsistent += 1
            return None
        partial.parts[chunk_index] = chunk
        partial.size += len(chunk)
        if len(partial.parts) < partial.count:
            return None
        del self._partial[request_id]
        return b"".join(partial.parts[i] for i in range(partial.count))

    def discard(self, request_id: int) -> None:
        """Forget a partial payload (its request was answered another way or given up)."""
        self._partial.pop(request_id, None)

    def expire(self) -> int:
        """Drop partial payloads older than ``timeout``; returns how many were dropped."""
        now = self._clock()
        old = [rid for rid, p in self._partial.items() if now - p.started > self.timeout]
        for rid in old:
            del self._partial[rid]
        self.expired += len(old)
        return len(old)

    def pending(self) -> int:
        return len(self._partial)
