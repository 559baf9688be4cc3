"""A seeded packet mutator for fuzzing receivers of this protocol (tests and ``bench/fuzz_sidecar.py``).

Packets are drawn from a mix of strategies — random bytes, mutations of valid packets (bit flips,
truncation, extension, splices, length-field corruption), structurally valid messages with hostile
arguments, and valid messages under a wrong token — so both the OSC layer and the msgpack/handler layer
are exercised. Deterministic for a given seed.
"""
from __future__ import annotations

import random
import struct
from typing import Iterator, List

from . import osc
from .constants import ADDRESSES
from .payloads import pack

TAG_POOL = "sibfdhtTFNm[],"


def seed_packets(token: str) -> List[bytes]:
    """Valid packets of every message type (the mutator's starting points)."""
    req = pack({"intensity": 0.5, "style": "thrash", "bars": 2, "tempo": "auto", "key": "auto", "mode": "auto",
                "seed": 3, "instruments": ["guitar", "bass", "drums"], "temperature": None})
    return [
        osc.encode("/riffforge/ping", ",si", [token, 1]),
        osc.encode("/riffforge/pong", ",si", [token, 1]),
        osc.encode("/riffforge/request", ",sib", [token, 11, req]),
        osc.encode("/riffforge/request", ",sib", [token, 12, pack({"intensity": 0.2})]),
        osc.encode("/riffforge/connect", ",ss", [token, "0.1.0"]),
        osc.encode("/riffforge/welcome", ",sss", [token, "1.0", "0.1.0"]),
        osc.encode("/riffforge/riff", ",siiib", [token, 1, 0, 1, b"\x80"]),
        osc.encode("/riffforge/error", ",siss", [token, 1, "internal", "x"]),
        osc.encode("/riffforge/hello", ",sssb", [token, "1.0", "0.1.0", pack({})]),
    ]


def _random_msgpack(rng: random.Random, depth: int = 0):
    kind = rng.randrange(9 if depth < 3 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.randint(-2**63, 2**64 - 1) if rng.random() < 0.2 else rng.randint(-5, 300)
    if kind == 3:
        return rng.choice([float("nan"), float("inf"), -0.0, 1e308, rng.uniform(-2, 2)])
    if kind == 4:
        return rng.choice(["auto", "thrash", "", "guitar", "E", "x" * rng.randint(0, 300), "\u00e9\u2603"])
    if kind == 5:
        return bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 20)))
    if kind == 6:
        return [_random_msgpack(rng, depth + 1) for _ in range(rng.randint(0, 5))]
    keys = ["intensity", "style", "bars", "tempo", "key", "mode", "seed", "instruments", "temperature", "zz"]
    return {rng.choice(keys): _random_msgpack(rng, depth + 1) for _ in range(rng.randint(0, 9))}


# quit and reject under the session token are legitimate orders to exit, not attacks: the fuzzer sends
# them only under a wrong token.
_SAFE_ADDRESSES = [a for a in ADDRESSES if a not in ("/riffforge/quit", "/riffforge/reject")]


def _hostile_message(rng: random.Random, token: str, safe: bool = True) -> bytes:
    address = rng.choice(_SAFE_ADDRESSES if safe else list(ADDRESSES))
    tags = ADDRESSES[address][1]
    args = []
    for tag in tags[1:]:
        if tag == "s":
            args.append(token if not args and rng.random() < 0.8 else
                        rng.choice(["", "1.0", "0.0", "99.99", "x" * rng.randint(0, 900), "\u2603"]))
        elif tag == "i":
            args.append(rng.choice([0, 1, -1, 2**31 - 1, -2**31, rng.randint(-2**31, 2**31 - 1), rng.randint(0, 100)]))
        else:
            try:
                blob = pack(_random_msgpack(rng))
            except Exception:
                blob = b"\xc1"
            if rng.random() < 0.3:
                blob = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 64)))
            args.append(blob)
    return osc.encode(address, tags, args)


def mutate(rng: random.Random, packet: bytes) -> bytes:
    data = bytearray(packet)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(7)
        if op == 0 and data:  # bit flip
            i = rng.randrange(len(data))
            data[i] ^= 1 << rng.randrange(8)
        elif op == 1 and data:  # truncate
            del data[rng.randrange(len(data)):]
        elif op == 2:  # extend
            data += bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 16)))
        elif op == 3 and len(data) >= 4:  # corrupt an aligned int32 (sizes, ids, counts)
            i = rng.randrange(len(data) // 4) * 4
            value = rng.choice([0, -1, -2**31, 2**31 - 1, 8192, 65535, rng.randint(-99, 9999)])
            data[i:i + 4] = struct.pack(">i", value)
        elif op == 4 and data:  # overwrite a byte with a type-tag character
            data[rng.randrange(len(data))] = ord(rng.choice(TAG_POOL))
        elif op == 5:  # insert bytes
            i = rng.randrange(len(data) + 1)
            data[i:i] = bytes(rng.getrandbits(8) for _ in range(rng.choice([1, 2, 3, 4, 8])))
        elif op == 6 and data:  # drop a NUL terminator region
            i = data.find(b"\x00")
            if i >= 0:
                data[i] = 0x41
    return bytes(data)


def packets(seed: int, token: str, count: int) -> Iterator[bytes]:
    """``count`` fuzz packets, deterministic for ``seed``."""
    rng = random.Random(seed)
    seeds = seed_packets(token)
    for _ in range(count):
        kind = rng.random()
        if kind < 0.15:
            yield bytes(rng.getrandbits(8) for _ in range(rng.choice([0, 1, 3, 4, 8, 16, 64, 200])))
        elif kind < 0.55:
            yield mutate(rng, rng.choice(seeds))
        elif kind < 0.85:
            yield _hostile_message(rng, token)
        elif kind < 0.95:
            yield _hostile_message(rng, "rf-wrong-token-000000000", safe=False)
        else:  # oversized
            yield b"/riffforge/request\x00\x00,sib\x00\x00\x00\x00" + bytes(rng.getrandbits(8) for _ in range(8200))
