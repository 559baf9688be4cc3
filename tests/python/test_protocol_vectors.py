"""protocol/vectors/*.json checked byte for byte against riffforge.protocol (and python-osc as a witness)."""
from __future__ import annotations

import importlib.util
import json

import msgpack
import pytest
from pythonosc.osc_message import OscMessage

from riffforge.music.riff import Riff
from riffforge.protocol import ProtocolError, decode_message, encode_message
from riffforge.protocol import chunking, osc, payloads
from riffforge.protocol.constants import ADDRESSES, MAX_CHUNK_BYTES, MAX_DATAGRAM_BYTES
from riffforge.protocol.messages import MESSAGE_TYPES
from riffforge.protocol.version import check_versions
from wire_helpers import REPO, TOKEN, VECTORS, load_vectors

MESSAGE_FILES = ["hello", "connect", "welcome", "reject", "request", "riff", "error", "ping", "pong", "quit"]


def all_message_vectors():
    for name in MESSAGE_FILES:
        for vector in load_vectors(name)["vectors"]:
            yield pytest.param(vector, id=vector["name"])
    for split in load_vectors("chunked_riff")["splits"]:
        for vector in split["datagrams"]:
            yield pytest.param(vector, id=vector["name"])


def _arg_values(vector):
    return [bytes.fromhex(a["hex"]) if a["type"] == "b" else a["value"] for a in vector["args"]]


@pytest.mark.parametrize("vector", list(all_message_vectors()))
def test_encoder_produces_vector_bytes(vector):
    cls = MESSAGE_TYPES[vector["address"]]
    assert cls.TAGS == vector["type_tags"]
    message = cls(*_arg_values(vector))
    assert encode_message(message).hex() == vector["hex"]


@pytest.mark.parametrize("vector", list(all_message_vectors()))
def test_decoder_reads_vector_meaning(vector):
    data = bytes.fromhex(vector["hex"])
    assert len(data) <= MAX_DATAGRAM_BYTES
    message = decode_message(data)
    assert message.ADDRESS == vector["address"]
    assert [getattr(message, a["name"]) for a in vector["args"]] == _arg_values(vector)
    # python-osc, an independent OSC implementation, reads the same arguments
    witness = OscMessage(data)
    assert witness.address == vector["address"]
    assert list(witness.params) == _arg_values(vector)


@pytest.mark.parametrize("vector", list(all_message_vectors()))
def test_msgpack_blobs_are_canonical(vector):
    for arg in vector["args"]:
        if "msgpack" in arg:
            assert payloads.pack(arg["msgpack"]).hex() == arg["hex"]
            assert msgpack.unpackb(bytes.fromhex(arg["hex"]), raw=False) == arg["msgpack"]


def test_every_message_type_has_a_vector():
    covered = {v.values[0]["address"] for v in all_message_vectors()}
    assert covered == set(ADDRESSES)


def test_request_vectors_decode_to_requests():
    for vector in load_vectors("request")["vectors"]:
        blob = bytes.fromhex(vector["args"][2]["hex"])
        request = payloads.decode_request(blob)
        meaning = vector["args"][2]["msgpack"]
        assert request.intensity == meaning["intensity"]
        assert request.style == meaning.get("style", "thrash")
        if len(meaning) == 9:  # a canonical request re-encodes to the same bytes
            assert payloads.encode_request(request) == blob


def test_riff_vector_round_trips_through_riff():
    vector = load_vectors("riff")["vectors"][0]
    blob = bytes.fromhex(vector["args"][4]["hex"])
    riff = payloads.decode_riff(blob)
    assert riff.to_dict() == vector["args"][4]["msgpack"]
    assert payloads.encode_riff(riff) == blob


def test_hello_capabilities_vector():
    vectors = load_vectors("hello")["vectors"]
    for vector in vectors:
        caps = payloads.decode_capabilities(bytes.fromhex(vector["args"][3]["hex"]))
        assert caps == vector["args"][3]["msgpack"]
    assert [v["args"][3]["msgpack"]["unsteered_styles"] for v in vectors] == [[], ["black", "djent"]]


def test_chunked_riff_vector_splits_and_reassembles_exactly():
    data = load_vectors("chunked_riff")
    payload = bytes.fromhex(data["payload_hex"])
    assert len(payload) == data["payload_length"] > MAX_CHUNK_BYTES
    riff = Riff.from_dict(data["riff"])
    assert payloads.encode_riff(riff) == payload
    for split in data["splits"]:
        parts = chunking.split_payload(payload, split["chunk_size"])
        assert len(parts) == split["chunk_count"] > 1
        messages = [decode_message(bytes.fromhex(v["hex"])) for v in split["datagrams"]]
        assert [m.chunk for m in messages] == parts
        # arrival order does not matter, duplicates are ignored, the riff comes out once
        reassembler = chunking.Reassembler()
        outputs = [reassembler.add(m.request_id, m.chunk_index, m.chunk_count, m.chunk)
                   for m in messages[:1] + messages[:1] + messages[:0:-1]]
        assert [o for o in outputs if o is not None] == [payload]
        assert reassembler.duplicates == 1
        assert payloads.decode_riff(payload).to_dict() == data["riff"]


@pytest.mark.parametrize("vector", load_vectors("malformed")["vectors"], ids=lambda v: v["name"])
def test_malformed_vectors_are_rejected_or_unauthenticated(vector):
    data = bytes.fromhex(vector["hex"])
    assert len(data) == vector["length"]
    if vector["outcome"] == "malformed":
        with pytest.raises(ProtocolError):
            decode_message(data)
    else:
        assert vector["outcome"] == "unauthenticated"
        assert decode_message(data).token != TOKEN


@pytest.mark.parametrize("vector", load_vectors("versions")["vectors"], ids=lambda v: f"{v['host']}-{v['sidecar']}")
def test_version_rule_vectors(vector):
    result = check_versions(vector["host"], vector["sidecar"])
    assert result.outcome == vector["outcome"]
    assert result.message == vector.get("message")


def test_make_vectors_is_reproducible():
    """Regenerating the vectors (python-osc + msgpack) gives exactly the committed files."""
    pytest.importorskip("pythonosc")
    spec = importlib.util.spec_from_file_location("make_vectors", REPO / "protocol" / "make_vectors.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, content in module.build().items():
        if isinstance(content, tuple):
            content = {"description": content[0], "vectors": content[1]}
        committed = json.loads((VECTORS / f"{name}.json").read_text())
        assert json.loads(json.dumps(content)) == committed, name


def test_osc_string_and_blob_padding_rules():
    assert osc.encode_string("") == b"\x00\x00\x00\x00"
    assert osc.encode_string("abc") == b"abc\x00"
    assert osc.encode_string("abcd") == b"abcd\x00\x00\x00\x00"
    assert osc.encode_blob(b"") == b"\x00\x00\x00\x00"
    assert osc.encode_blob(b"\x01") == b"\x00\x00\x00\x01\x01\x00\x00\x00"
    with pytest.raises(ProtocolError):
        osc.encode_string("a\x00b")
    with pytest.raises(ProtocolError):
        osc.encode("/riffforge/ping", ",si", [TOKEN, 2**31])
