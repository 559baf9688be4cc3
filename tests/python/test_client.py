"""The reference client: connect, handshake (incl. refusal), timeouts and retries with the same id,
lost chunks never give half a riff, many requests in flight, answering the sidecar's pings."""
from __future__ import annotations

import socket
import threading
import time

import pytest

from riffforge.client import HandshakeError, RequestTimeout, SidecarClient, SidecarError
from riffforge.generation import RiffRequest
from riffforge.protocol import payloads
from riffforge.protocol.constants import ErrorCode
from riffforge.protocol.messages import Connect, Hello, Ping, Pong, Reject, decode_message, encode_message
from wire_helpers import TOKEN, FakeGenerator, make_client, make_sidecar  # noqa: F401


def test_connect_and_request(make_client, make_sidecar):
    sidecar = make_sidecar()
    client = make_client(sidecar.port)
    assert client.capabilities["model_ids"] == ["fake"]
    riff = client.request(0.25, style="groove", bars=3, tempo=123.0, key="Bb", mode="aeolian", seed=99,
                          instruments=("guitar", "drums"), temperature=1.5)
    assert (riff.style, riff.bars, riff.tempo, riff.key, riff.mode, riff.seed) == ("groove", 3, 123.0, "Bb",
                                                                                 "aeolian", 99)
    assert set(riff.tracks) == {"guitar", "drums"}
    assert client.ping() < 0.5


def test_wrong_token_gets_no_hello(make_sidecar):
    sidecar = make_sidecar()
    with pytest.raises(HandshakeError, match="no hello"):
        SidecarClient.connect(sidecar.port, "rf-not-the-token-000000", handshake_timeout=0.5).close()


def test_sidecar_error_is_raised_with_its_code(make_client, make_sidecar):
    client = make_client(make_sidecar().port)
    with pytest.raises(SidecarError) as info:
        client.submit(RiffRequest(intensity=0.5, mode="lydian")).result()
    assert info.value.code == ErrorCode.UNSUPPORTED


def test_lost_request_is_retried_with_the_same_id(make_client, make_sidecar):
    sidecar = make_sidecar()
    dispatcher = sidecar.sidecar.dispatcher
    original = dispatcher.call_handlers_for_packet
    dropped = []

    def lossy(data, address):
        if b"/riffforge/request" in data[:20] and not dropped:
            dropped.append(data)
            return []
        return original(data, address)

    dispatcher.call_handlers_for_packet = lossy
    client = make_client(sidecar.port)
    pending = client.submit(RiffRequest(intensity=0.5, seed=5))
    assert pending.result(timeout=2.0, retries=2).seed == 5
    assert pending.attempts == 2 and len(dropped) == 1
    assert decode_message(dropped[0]).request_id == pending.request_id


def test_lost_chunk_never_gives_half_a_riff_and_the_retry_completes(make_client, make_sidecar):
    gen = FakeGenerator(dense=True)
    sidecar = make_sidecar(gen)
    server = sidecar.sidecar.server
    original = server.send
    lost = []

    def lossy(datagram, address):
        if datagram.startswith(b"/riffforge/riff") and not lost:
            message = decode_message(datagram)
            if message.chunk_count > 1 and message.chunk_index == 1:
                lost.append(message)
                return
        original(datagram, address)

    server.send = lossy
    sidecar.sidecar.service.send = lossy
    client = make_client(sidecar.port)
    pending = client.submit(RiffRequest(intensity=1.0, bars=16, seed=8))
    riff = pending.result(timeout=2.0, retries=2)
    assert lost and pending.attempts == 2
    assert sum(len(v) for v in riff.tracks.values()) == 3 * 16 * 16 * 5 and gen.calls == 1  # from the cache


def test_timeout_when_nobody_answers():
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(("127.0.0.1", 0))
    host = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    host.bind(("127.0.0.1", 0))
    host.settimeout(0.1)
    client = SidecarClient(host, sink.getsockname()[1], TOKEN)
    try:
        with pytest.raises(RequestTimeout):
            client.submit(RiffRequest(intensity=0.5)).result(timeout=0.1, retries=1)
        assert client.stats["resent"] == 1
    finally:
        client.close(quit=False)
        sink.close()


def fake_sidecar(protocol_version: str):
    """A socket that answers connect with a hello of ``protocol_version`` and records what it gets."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.2)
    received = []
    stop = threading.Event()
    caps = payloads.pack({"styles": ["thrash"], "instruments": ["guitar"], "max_bars": 2, "model_ids": ["x"],
                          "heartbeat_timeout_ms": 0, "max_datagram": 8192})

    def run():
        while not stop.is_set():
            try:
                data, address = sock.recvfrom(9000)
            except socket.timeout:
                continue
            except OSError:
                return
            message = decode_message(data)
            received.append(message)
            if isinstance(message, Connect):
                sock.sendto(encode_message(Hello(TOKEN, protocol_version, "9.0.0", caps)), address)
                sock.sendto(encode_message(Ping(TOKEN, 77)), address)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return sock, received, stop, thread


def test_incompatible_sidecar_is_rejected_with_a_reason():
    sock, received, stop, thread = fake_sidecar("2.0")
    try:
        with pytest.raises(HandshakeError, match="upgrade the RiffForge Unity package"):
            SidecarClient.connect(sock.getsockname()[1], TOKEN, handshake_timeout=1.0)
        time.sleep(0.1)
        rejects = [m for m in received if isinstance(m, Reject)]
        assert rejects and "2.0" in rejects[0].reason
        assert Pong(TOKEN, 77) in received   # the client answered the sidecar's ping
    finally:
        stop.set()
        thread.join(1)
        sock.close()


def test_many_requests_in_flight_each_get_their_own_answer(make_client, make_sidecar):
    client = make_client(make_sidecar(prefetch_depth=0).port)
    pendings = [client.submit(RiffRequest(intensity=(i % 11) / 10, seed=i, style="thrash")) for i in range(1, 41)]
    riffs = [p.result(timeout=3.0) for p in pendings]
    assert [r.seed for r in riffs] == list(range(1, 41))
    assert [r.intensity for r in riffs] == [(i % 11) / 10 for i in range(1, 41)]
    assert client.stats["duplicate_answers"] == 0 and client.stats["unknown_answers"] == 0
