"""Shared helpers for the wire tests (protocol, sidecar, client): a fake generator, an in-process
sidecar fixture factory and a raw UDP host. Not a test module (no ``test_`` prefix)."""
from __future__ import annotations

import json
import random
import socket
import threading
import time
from pathlib import Path
from typing import List, Optional

from riffforge.generation import Capabilities, RiffRequest
from riffforge.music.riff import Note, Riff
from riffforge.protocol.constants import BIND_ADDRESS
from riffforge.protocol.messages import decode_message, encode_message
from riffforge.sidecar import Sidecar, SidecarOptions

REPO = Path(__file__).resolve().parents[2]
VECTORS = REPO / "protocol" / "vectors"
TOKEN = "rf-test-token-0123456789abcdef"


def load_vectors(name: str) -> dict:
    return json.loads((VECTORS / f"{name}.json").read_text())


class FakeGenerator:
    """A tiny deterministic Generator for wire tests (not music): notes derived from the seed.

    ``delay`` makes generation slow; ``dense`` makes riffs big enough to need several chunks; ``fail``
    raises inside generate. ``calls`` counts generate() calls.
    """

    def __init__(self, delay: float = 0.0, dense: bool = False, fail: bool = False) -> None:
        self.delay = delay
        self.dense = dense
        self.fail = fail
        self.calls = 0
        self._rng = random.Random(1234)
        self._lock = threading.Lock()

    def capabilities(self) -> Capabilities:
        return Capabilities(model_ids=("fake",), extra={"modes": ("phrygian", "aeolian")})

    def generate(self, request: RiffRequest) -> Riff:
        with self._lock:
            self.calls += 1
            seed = request.seed if request.seed is not None else self._rng.randrange(2**31)
        if self.delay:
            time.sleep(self.delay)
        if self.fail:
            raise RuntimeError("fake generator exploded")
        rng = random.Random(seed)
        steps = request.bars * 16
        tracks = {}
        for inst in request.instruments:
            per_step = 5 if self.dense else 1
            every = 1 if self.dense else 4
            tracks[inst] = [Note(s, 1, 36 + (rng.randrange(24) + k * 3) % 90, rng.randint(60, 127))
                            for s in range(0, steps, every) for k in range(per_step)]
        return Riff(tempo=request.tempo or 160.0, bars=request.bars, key=request.key or "E",
                    mode=request.mode or "phrygian", style=request.style, intensity=request.intensity, seed=seed,
                    tracks=tracks, model_id="fake")


class RawHost:
    """A bare UDP socket on 127.0.0.1 speaking the protocol by hand (for negative tests)."""

    def __init__(self, port: int) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((BIND_ADDRESS, 0))
        self.target = (BIND_ADDRESS, port)

    @property
    def port(self) -> int:
        return self.sock.getsockname()[1]

    def send(self, message_or_bytes) -> None:
        data = message_or_bytes
        if not isinstance(data, (bytes, bytearray)):
            data = encode_message(data)
        self.sock.sendto(bytes(data), self.target)

    def recv(self, timeout: float = 1.0):
        """The next decoded message, or None after ``timeout``."""
        self.sock.settimeout(timeout)
        try:
            data, _ = self.sock.recvfrom(65536)
        except socket.timeout:
            return None
        return decode_message(data)

    def recv_all(self, timeout: float = 0.3) -> List:
        out = []
        while True:
            msg = self.recv(timeout)
            if msg is None:
                return out
            out.append(msg)

    def close(self) -> None:
        self.sock.close()


class InProcessSidecar:
    """A Sidecar served on a background thread; ``stop()`` joins it."""

    def __init__(self, generator=None, **options) -> None:
        options.setdefault("heartbeat_timeout", 0.0)
        self.generator = generator or FakeGenerator()
        self.sidecar = Sidecar(self.generator, SidecarOptions(token=TOKEN, **options))
        self.code: Optional[int] = None
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()
        assert self.sidecar.serving.wait(5)

    def _serve(self) -> None:
        self.code = self.sidecar.serve()

    @property
    def port(self) -> int:
        return self.sidecar.port

    def stop(self) -> None:
        self.sidecar.stop(0, "test finished")
        self.thread.join(5)
        assert not self.thread.is_alive(), "in-process sidecar did not stop"


# -- fixtures (import them into a test module by name) -------------------------------------------------------
import pytest  # noqa: E402


@pytest.fixture
def make_sidecar():
    """Factory for in-process sidecars; every one is stopped when the test ends."""
    made: List[InProcessSidecar] = []

    def make(generator=None, **options) -> InProcessSidecar:
        sidecar = InProcessSidecar(generator, **options)
        made.append(sidecar)
        return sidecar

    yield make
    for sidecar in made:
        if sidecar.thread.is_alive():
            sidecar.stop()


@pytest.fixture
def make_host():
    """Factory for RawHost sockets; all closed when the test ends."""
    made: List[RawHost] = []

    def make(port: int) -> RawHost:
        host = RawHost(port)
        made.append(host)
        return host

    yield make
    for host in made:
        host.close()


@pytest.fixture
def make_client():
    """Factory for SidecarClient.connect(...) clients; all closed (without quit) when the test ends."""
    from riffforge.client import SidecarClient
    made = []

    def make(port: int, token: str = TOKEN, **kw):
        client = SidecarClient.connect(port, token, **kw)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close(quit=False)
