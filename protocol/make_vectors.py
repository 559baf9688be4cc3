#!/usr/bin/env python3
"""Regenerate protocol/vectors/*.json: exact RiffForge protocol packets, as hex, with their meaning.

The packets are built with python-osc's ``OscMessageBuilder`` and ``msgpack.packb`` — libraries that are
independent of both implementations under test (``riffforge.protocol`` in Python, ``RiffForge.Protocol``
in C#), so a test that checks an encoder against these vectors is not checking it against itself.

Run: ``python protocol/make_vectors.py`` (needs python-osc and msgpack). Rerunning must not change any
file; ``tests/python/test_protocol_vectors.py`` checks that too.
"""
from __future__ import annotations

import json
import math
import struct
import sys
from pathlib import Path

import msgpack
from pythonosc.osc_message_builder import OscMessageBuilder

HERE = Path(__file__).resolve().parent
SPEC = json.loads((HERE / "protocol.json").read_text())
VECTORS = HERE / "vectors"
TOKEN = "rf-test-token-0123456789abcdef"
MSG = {m["name"]: m for m in SPEC["messages"]}
MAX_CHUNK = SPEC["limits"]["max_chunk_bytes"]


def pack(obj) -> bytes:
    """Canonical msgpack: dict insertion order, smallest ints, float64, str never bin."""
    return msgpack.packb(obj, use_bin_type=True, use_single_float=False)


def osc(address: str, tags: str, values: list) -> bytes:
    builder = OscMessageBuilder(address=address)
    for tag, value in zip(tags[1:], values):
        builder.add_arg(value, arg_type=tag)
    return builder.build().dgram


def vector(name: str, message: str, values: list, description: str, msgpack_args: dict | None = None) -> dict:
    """One packet of message type ``message``; ``msgpack_args`` maps arg index -> decoded msgpack value."""
    spec = MSG[message]
    tags = spec["type_tags"]
    assert len(values) == len(tags) - 1, (name, values)
    args = []
    for i, (arg_spec, value) in enumerate(zip(spec["args"], values)):
        entry = {"name": arg_spec["name"], "type": arg_spec["type"]}
        if arg_spec["type"] == "b":
            entry["hex"] = value.hex()
            if msgpack_args and i in msgpack_args:
                entry["msgpack"] = msgpack_args[i]
        else:
            entry["value"] = value
        args.append(entry)
    dgram = osc(spec["address"], tags, values)
    assert len(dgram) <= SPEC["limits"]["max_datagram_bytes"], (name, len(dgram))
    return {"name": name, "description": description, "address": spec["address"], "type_tags": tags,
            "args": args, "hex": dgram.hex()}


def capabilities() -> dict:
    return {
        "styles": ["thrash", "death", "black", "doom", "djent", "groove"],
        "instruments": ["guitar", "bass", "drums"],
        "max_bars": 16,
        "model_ids": ["procedural"],
        "heartbeat_timeout_ms": 10000,
        "max_datagram": 8192,
        "modes": ["aeolian", "phrygian", "locrian", "harmonic minor", "phrygian dominant", "hungarian minor",
                  "diminished", "blues"],
        "unsteered_styles": [],
    }


def model_capabilities() -> dict:
    """A sidecar serving bundles fine-tuned on a corpus that labelled only thrash, death, doom and groove."""
    caps = capabilities()
    caps["model_ids"] = ["my-guitar", "my-bass", "my-drums"]
    caps["unsteered_styles"] = ["black", "djent"]
    return caps


def small_riff() -> dict:
    return {
        "tempo": 180.0,
        "meter": [4, 4],
        "bars": 1,
        "key": "E",
        "mode": "phrygian",
        "style": "thrash",
        "intensity": 0.7,
        "seed": 42,
        "model_id": "procedural",
        "tuning": "E standard",
        "tracks": {
            "guitar": [[0, 2, 40, 110], [0, 2, 47, 110], [2, 1, 41, 96], [4, 4, 40, 120]],
            "bass": [[0, 4, 28, 100], [4, 4, 29, 100]],
            "drums": [[0, 1, 36, 120], [0, 1, 49, 110], [4, 1, 38, 115], [8, 1, 36, 120], [12, 1, 38, 115]],
        },
    }


def big_riff() -> dict:
    """A dense 16-bar riff whose payload needs two 7936-byte chunks (deterministic arithmetic, no RNG)."""
    steps = 16 * 16
    guitar = []
    for s in range(steps):
        root = 40 + (s * 7) % 12
        guitar += [[s, 1, root, 90 + (s * 5) % 38], [s, 1, root + 7, 90 + (s * 5) % 38]]
    bass = [[s, 1, 28 + (s * 5) % 12, 80 + (s * 3) % 40] for s in range(steps)]
    drums = []
    for s in range(steps):
        drums.append([s, 1, 36, 100 + s % 28])
        if s % 4 == 2:
            drums.append([s, 1, 38, 110])
        drums.append([s, 1, 42, 70 + (s * 11) % 50])
        if s % 16 == 0:
            drums.append([s, 1, 49, 120])
        if s % 2 == 1:
            drums.append([s, 1, 51, 64 + s % 60])
    drums.sort(key=lambda ev: (ev[0], ev[2]))
    return {
        "tempo": 220.0, "meter": [4, 4], "bars": 16, "key": "D", "mode": "locrian", "style": "death",
        "intensity": 1.0, "seed": 2147483647, "model_id": "procedural", "tuning": "drop D",
        "tracks": {"guitar": guitar, "bass": bass, "drums": drums},
    }


def chunks(payload: bytes, size: int) -> list:
    count = max(1, math.ceil(len(payload) / size))
    return [payload[i * size:(i + 1) * size] for i in range(count)]


def request_full() -> dict:
    return {"intensity": 0.7, "style": "thrash", "bars": 2, "tempo": "auto", "key": "auto", "mode": "auto",
            "seed": None, "instruments": ["guitar", "bass", "drums"], "temperature": None}


def request_explicit() -> dict:
    return {"intensity": 0.25, "style": "doom", "bars": 4, "tempo": 72.5, "key": "C#", "mode": "aeolian",
            "seed": 123456, "instruments": ["guitar", "bass"], "temperature": 0.9}


def build() -> dict:
    t = TOKEN
    files = {}
    caps = capabilities()
    files["hello"] = ("The sidecar's first message, sent to 127.0.0.1:<host-port> after the READY line.", [
        vector("hello_procedural", "hello", [t, "1.0", "0.1.0", pack(caps)],
               "procedural sidecar 0.1.0 speaking protocol 1.0", {3: caps}),
        vector("hello_model_unsteered", "hello", [t, "1.0", "0.1.0", pack(model_capabilities())],
               "a sidecar serving its own bundles, which cannot steer black and djent", {3: model_capabilities()}),
    ])
    files["connect"] = ("A host that missed hello asks for it.", [
        vector("connect", "connect", [t, "0.1.0"], "host 0.1.0 asks for hello"),
    ])
    files["welcome"] = ("The host accepts the sidecar.", [
        vector("welcome_1_0", "welcome", [t, "1.0", "0.1.0"], "host speaks 1.0, host version 0.1.0"),
        vector("welcome_1_3", "welcome", [t, "1.3", "0.4.2"], "a newer minor: compatible with a warning"),
        vector("welcome_2_0", "welcome", [t, "2.0", "1.0.0"], "an incompatible major: the sidecar answers "
               "error(0, version_mismatch, ...)"),
    ])
    files["reject"] = ("The host refuses the sidecar; the sidecar exits with code 3.", [
        vector("reject_version", "reject", [t, "protocol version mismatch: host (RiffForge Unity package) speaks "
               "2.0, sidecar (riffforge sidecar) speaks 1.0; upgrade the riffforge sidecar to a release that "
               "speaks protocol 2.x"], "rejected for a version mismatch"),
        vector("reject_utf8", "reject", [t, "kein Modell für 'black' — Bündel fehlt"],
               "a reason with non-ASCII UTF-8 (multi-byte characters, padding counted in bytes)"),
    ])
    full, explicit, minimal = request_full(), request_explicit(), {"intensity": 0.5}
    files["request"] = ("Riff requests; the blob is the msgpack request map in canonical key order.", [
        vector("request_canonical_auto", "request", [t, 1, pack(full)],
               "what a host sends for RequestRiff(0.7, \"thrash\"): all nine keys, auto/nil values", {2: full}),
        vector("request_explicit", "request", [t, 2147483647, pack(explicit)],
               "every field set; the largest request id", {2: explicit}),
        vector("request_minimal", "request", [t, 7, pack(minimal)],
               "only the required key; decoders fill the defaults", {2: minimal}),
    ])
    small = small_riff()
    small_payload = pack(small)
    files["riff"] = ("A riff answer that fits one datagram (chunk 0 of 1).", [
        vector("riff_single_chunk", "riff", [t, 1, 0, 1, small_payload], "a 1-bar thrash riff", {4: small}),
    ])
    files["error"] = ("Errors: request id (0 = session), stable code, human message.", [
        vector("error_out_of_range", "error", [t, 9, "out_of_range", "bars=40: must be an integer 1..16"],
               "request 9 asked for 40 bars"),
        vector("error_version_mismatch", "error", [t, 0, "version_mismatch", "protocol version mismatch: host "
               "(RiffForge Unity package) speaks 2.0, sidecar (riffforge sidecar) speaks 1.0; upgrade the "
               "riffforge sidecar to a release that speaks protocol 2.x"], "answer to welcome_2_0"),
        vector("error_busy", "error", [t, 65, "busy", "64 requests are already waiting; retry later"],
               "the 65th pending request"),
    ])
    files["ping"] = ("Liveness probe, either direction.", [
        vector("ping_0", "ping", [t, 0], "seq 0"),
        vector("ping_max", "ping", [t, 2147483647], "largest seq"),
        vector("ping_negative", "ping", [t, -2], "seq is any int32, echoed verbatim"),
    ])
    files["pong"] = ("Answer to ping with the same seq.", [
        vector("pong_0", "pong", [t, 0], "answer to ping_0"),
        vector("pong_max", "pong", [t, 2147483647], "answer to ping_max"),
    ])
    files["quit"] = ("Host shuts the sidecar down (no answer; exit within 2 s).", [
        vector("quit", "quit", [t], "quit"),
    ])

    big = big_riff()
    big_payload = pack(big)
    assert MAX_CHUNK < len(big_payload) <= 2 * MAX_CHUNK, len(big_payload)
    chunked = []
    for size in (MAX_CHUNK, 3000):
        parts = chunks(big_payload, size)
        chunked.append({
            "name": f"riff_16bar_chunk{size}",
            "chunk_size": size,
            "chunk_count": len(parts),
            "datagrams": [vector(f"riff_16bar_chunk{size}_{k}", "riff", [t, 4242, k, len(parts), part],
                                 f"chunk {k} of {len(parts)}") for k, part in enumerate(parts)],
        })
    files["chunked_riff"] = {
        "description": "A 16-bar riff whose msgpack payload is larger than one datagram, sent as chunks. "
                       "Concatenating the chunk blobs in chunk_index order gives payload_hex, which decodes "
                       "to riff. Receivers must accept any chunk size; senders use max_chunk_bytes.",
        "request_id": 4242,
        "payload_length": len(big_payload),
        "payload_hex": big_payload.hex(),
        "riff": big,
        "splits": chunked,
    }
    files["malformed"] = {"description": "Datagrams a decoder must reject (outcome malformed: logged and dropped) "
                                         "or drop without answering (outcome unauthenticated).",
                          "vectors": malformed()}
    files["versions"] = {"description": "The version rule: (host, sidecar) -> outcome; mismatch messages are "
                                        "exact.", "vectors": versions()}
    return files


def malformed() -> list:
    t = TOKEN
    ping = osc("/riffforge/ping", ",si", [t, 1])
    request = osc("/riffforge/request", ",sib", [t, 5, pack({"intensity": 0.5})])

    def bad(name: str, data: bytes, reason: str, outcome: str = "malformed") -> dict:
        return {"name": name, "hex": data.hex(), "length": len(data), "reason": reason, "outcome": outcome}

    payload_len = len(pack({"intensity": 0.5}))  # 20 bytes: a multiple of 4, so no blob padding
    blob_at = len(request) - 4 - payload_len  # the blob's int32 size field
    assert request[blob_at:blob_at + 4] == struct.pack(">i", payload_len), request.hex()
    oversized = osc("/riffforge/request", ",sib", [t, 6, b"\x01" * 8160])
    assert len(oversized) > 8192
    return [
        bad("empty", b"", "empty datagram"),
        bad("not_multiple_of_4", ping[:-1], "length is not a multiple of 4"),
        bad("address_without_nul", b"/riffforge/ping\x01" + ping[16:], "address string has no NUL terminator"),
        bad("no_type_tags", b"/riffforge/quit\x00", "no type tag string"),
        bad("type_tags_without_comma", ping.replace(b",si\x00", b"si\x00\x00"), "type tag string must start with ','"),
        bad("wrong_type_tags", osc("/riffforge/ping", ",ss", [t, "1"]), "ping must be ,si"),
        bad("missing_argument", osc("/riffforge/ping", ",s", [t]), "ping must be ,si"),
        bad("truncated_int", ping[:-4], "type tags promise an int32 that is not there"),
        bad("trailing_bytes", ping + b"\x00\x00\x00\x00", "bytes left after the last argument"),
        bad("unknown_address", osc("/riffforge/nope", ",s", [t]), "not an address of this protocol"),
        bad("not_riffforge", osc("/foo", ",i", [1]), "not an address of this protocol"),
        bad("bundle", b"#bundle\x00" + b"\x00" * 7 + b"\x01" + struct.pack(">i", len(ping)) + ping,
            "bundles are not used"),
        bad("blob_past_end", request[:blob_at] + struct.pack(">i", 4096) + request[blob_at + 4:],
            "blob size runs past the end"),
        bad("blob_negative", request[:blob_at] + struct.pack(">i", -4) + request[blob_at + 4:],
            "negative blob size"),
        bad("invalid_utf8", osc("/riffforge/reject", ",ss", [t, "x"]).replace(b"x\x00\x00\x00", b"\xff\xfe\x00\x00"),
            "reason is not UTF-8"),
        bad("oversized", oversized, "datagram larger than 8192 bytes"),
        bad("wrong_token", osc("/riffforge/ping", ",si", ["rf-wrong-token-0000000000000000", 1]),
            "well-formed but not the session token", "unauthenticated"),
        bad("empty_token", osc("/riffforge/quit", ",s", [""]), "well-formed but not the session token",
            "unauthenticated"),
    ]


def versions() -> list:
    def mismatch(host: str, sidecar: str) -> str:
        h_newer = (tuple(map(int, host.split("."))) > tuple(map(int, sidecar.split("."))))
        newer = host if h_newer else sidecar
        newer_major = int(newer.split(".")[0])
        target = f"{newer_major}.x" if newer_major > 0 else newer
        older_side = "riffforge sidecar" if h_newer else "RiffForge Unity package"
        return (f"protocol version mismatch: host (RiffForge Unity package) speaks {host}, sidecar "
                f"(riffforge sidecar) speaks {sidecar}; upgrade the {older_side} to a release that speaks "
                f"protocol {target}")

    def warn(host: str, sidecar: str) -> str:
        return (f"protocol minor version differs: host (RiffForge Unity package) speaks {host}, sidecar "
                f"(riffforge sidecar) speaks {sidecar}; compatible, but upgrade the older side to get the "
                f"newer features")

    out = []
    for host, sidecar, outcome in [("1.0", "1.0", "compatible"), ("1.2", "1.0", "warning"),
                                   ("1.0", "1.7", "warning"), ("2.0", "1.0", "mismatch"),
                                   ("1.0", "2.1", "mismatch"), ("0.3", "0.3", "compatible"),
                                   ("0.3", "0.4", "mismatch"), ("0.9", "1.0", "mismatch")]:
        entry = {"host": host, "sidecar": sidecar, "outcome": outcome}
        if outcome == "mismatch":
            entry["message"] = mismatch(host, sidecar)
        elif outcome == "warning":
            entry["message"] = warn(host, sidecar)
        out.append(entry)
    out.append({"host": "1", "sidecar": "1.0", "outcome": "invalid",
                "message": "protocol version '1' from the host: expected MAJOR.MINOR, e.g. 1.0"})
    return out


def main() -> int:
    VECTORS.mkdir(exist_ok=True)
    for name, content in build().items():
        if isinstance(content, tuple):
            description, vectors = content
            content = {"description": description, "vectors": vectors}
        # The big chunked riff is written compactly (one line per top-level key) to keep the file small.
        if name == "chunked_riff":
            text = "{\n" + ",\n".join(f" {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}"
                                       for k, v in content.items()) + "\n}\n"
        else:
            text = json.dumps(content, indent=1, ensure_ascii=False) + "\n"
        path = VECTORS / f"{name}.json"
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            print(f"wrote {path.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
