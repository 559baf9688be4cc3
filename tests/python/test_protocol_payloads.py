"""Request/riff payload validation (stable error codes), chunking, and decoder robustness."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riffforge.generation import RiffRequest
from riffforge.music.riff import Note, Riff
from riffforge.protocol import PayloadError, ProtocolError, chunking, decode_message, fuzz, osc, payloads
from riffforge.protocol.constants import MAX_CHUNK_BYTES, MAX_CHUNK_COUNT, ErrorCode
from wire_helpers import TOKEN


def code_of(data) -> str:
    with pytest.raises(PayloadError) as info:
        payloads.decode_request(payloads.pack(data) if not isinstance(data, bytes) else data)
    return info.value.code


@pytest.mark.parametrize("data, code", [
    (b"\xc1", ErrorCode.BAD_REQUEST),                     # never-used msgpack byte
    (b"\x91\x01", ErrorCode.BAD_REQUEST),                 # an array, not a map
    ({}, ErrorCode.BAD_REQUEST),                          # intensity missing
    ({"intensity": "loud"}, ErrorCode.BAD_REQUEST),
    ({"intensity": True}, ErrorCode.BAD_REQUEST),
    ({"intensity": 1.5}, ErrorCode.OUT_OF_RANGE),
    ({"intensity": float("nan")}, ErrorCode.OUT_OF_RANGE),
    ({"intensity": 0.5, "style": "polka"}, ErrorCode.UNKNOWN_STYLE),
    ({"intensity": 0.5, "style": 3}, ErrorCode.BAD_REQUEST),
    ({"intensity": 0.5, "bars": 40}, ErrorCode.OUT_OF_RANGE),
    ({"intensity": 0.5, "bars": 2.0}, ErrorCode.BAD_REQUEST),
    ({"intensity": 0.5, "tempo": 500.0}, ErrorCode.OUT_OF_RANGE),
    ({"intensity": 0.5, "tempo": "fast"}, ErrorCode.BAD_REQUEST),
    ({"intensity": 0.5, "key": "H"}, ErrorCode.UNSUPPORTED),
    ({"intensity": 0.5, "mode": "lydian-ish"}, None),      # modes unknown to the validator -> accepted here
    ({"intensity": 0.5, "seed": -1}, ErrorCode.OUT_OF_RANGE),
    ({"intensity": 0.5, "seed": 2**31}, ErrorCode.OUT_OF_RANGE),
    ({"intensity": 0.5, "seed": "7"}, ErrorCode.BAD_REQUEST),
    ({"intensity": 0.5, "instruments": []}, ErrorCode.BAD_REQUEST),
    ({"intensity": 0.5, "instruments": ["guitar", "guitar"]}, ErrorCode.BAD_REQUEST),
    ({"intensity": 0.5, "instruments": ["kazoo"]}, ErrorCode.UNSUPPORTED),
    ({"intensity": 0.5, "temperature": 0.0}, ErrorCode.OUT_OF_RANGE),
    ({"intensity": 0.5, "temperature": "hot"}, ErrorCode.BAD_REQUEST),
    (b"\x81\xa9intensity" + b"\xcb" + b"\x00" * 7, ErrorCode.BAD_REQUEST),  # truncated float
])
def test_request_validation_codes(data, code):
    if code is None:
        assert payloads.decode_request(payloads.pack(data)).mode == data["mode"]
    else:
        assert code_of(data) == code


def test_request_error_messages_name_field_value_and_fix():
    with pytest.raises(PayloadError) as info:
        payloads.decode_request(payloads.pack({"intensity": 0.5, "bars": 40}))
    assert info.value.message == "bars=40: must be an integer 1..16"


def test_mode_checked_against_capabilities():
    blob = payloads.pack({"intensity": 0.5, "mode": "lydian"})
    with pytest.raises(PayloadError) as info:
        payloads.decode_request(blob, modes=("phrygian",))
    assert info.value.code == ErrorCode.UNSUPPORTED


def test_request_defaults_and_unknown_keys_ignored():
    request = payloads.decode_request(payloads.pack({"zz_future": [1, 2], "intensity": 1}))
    assert request == RiffRequest(intensity=1.0)


def test_request_round_trip_canonical():
    request = RiffRequest(intensity=0.25, style="doom", bars=4, tempo=72.5, key="C#", mode="aeolian", seed=9,
                          instruments=("bass",), temperature=0.5)
    blob = payloads.encode_request(request)
    assert payloads.decode_request(blob) == request
    assert list(payloads.unpack(blob, 4096, "x")) == list(payloads.REQUEST_KEYS)


def test_riff_round_trip_and_bad_riffs():
    riff = Riff(tempo=150.0, bars=1, key="F#", mode="locrian", style="black", intensity=0.9, seed=5,
                tracks={"guitar": [Note(0, 2, 42, 100)], "drums": [Note(0, 1, 36, 120)]})
    assert payloads.decode_riff(payloads.encode_riff(riff)) == riff
    good = riff.to_dict()
    for broken in ({**good, "tracks": {"guitar": [[0, 0, 42, 100]]}},      # length 0
                   {**good, "tracks": {"guitar": [[0, 1, 42]]}},           # 3 fields
                   {k: v for k, v in good.items() if k != "seed"},
                   {**good, "tempo": "fast"}, 7):
        with pytest.raises(PayloadError):
            payloads.decode_riff(payloads.pack(broken))


def test_split_payload_sizes_and_limits():
    assert chunking.split_payload(b"x") == [b"x"]
    parts = chunking.split_payload(bytes(range(256)) * 40)
    assert [len(p) for p in parts] == [MAX_CHUNK_BYTES, 10240 - MAX_CHUNK_BYTES]
    with pytest.raises(ProtocolError):
        chunking.split_payload(b"")
    with pytest.raises(ProtocolError):
        chunking.split_payload(b"x" * (MAX_CHUNK_COUNT + 1), chunk_size=1)


def test_reassembler_never_delivers_half_and_expires():
    now = [0.0]
    r = chunking.Reassembler(timeout=1.0, clock=lambda: now[0])
    assert r.add(7, 0, 3, b"a") is None
    assert r.add(7, 1, 4, b"b") is None and r.inconsistent == 1      # chunk_count changed
    assert r.add(7, 3, 3, b"c") is None and r.inconsistent == 2      # index out of range
    assert r.add(7, 2, 3, b"c") is None
    now[0] = 5.0                                                      # the middle chunk was lost; time out
    assert r.expire() == 1 and r.pending() == 0
    assert r.add(7, 1, 3, b"b") is None                               # a late chunk alone completes nothing
    assert r.add(7, 0, 3, b"a") is None and r.add(7, 2, 3, b"c") == b"abc"


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_decoder_only_ever_raises_protocol_error(data):
    try:
        decode_message(data)
    except ProtocolError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=40).filter(lambda s: "\x00" not in s),
                          st.integers(-2**31, 2**31 - 1), st.binary(max_size=64)), max_size=6))
def test_osc_encode_decode_round_trip(args):
    tags = "," + "".join("s" if isinstance(a, str) else "i" if isinstance(a, int) else "b" for a in args)
    data = osc.encode("/riffforge/x", tags, args)
    assert len(data) % 4 == 0
    assert osc.decode(data) == ("/riffforge/x", tags, args)


def test_mutated_packets_never_crash_the_payload_decoders():
    decoded = 0
    for packet in fuzz.packets(7, TOKEN, 3000):
        try:
            message = decode_message(packet)
        except ProtocolError:
            continue
        for blob in [getattr(message, f, None) for f in ("payload", "capabilities", "chunk")]:
            if blob is None:
                continue
            decoded += 1
            for decoder in (payloads.decode_request, payloads.decode_capabilities, payloads.decode_riff):
                try:
                    decoder(blob)
                except PayloadError:
                    pass
    assert decoded > 200  # the mutator does reach the msgpack layer
