"""The sidecar in-process (fake generator, real UDP on 127.0.0.1): handshake, requests, caches, retries,
tokens, busy, slow generations, errors, heartbeat, quit/reject."""
from __future__ import annotations

import logging
import time

import pytest

from riffforge.protocol import payloads
from riffforge.protocol.constants import EXIT_REJECTED, ErrorCode
from riffforge.protocol.messages import (Connect, Error, Hello, Ping, Pong, Quit, Reject, Request, RiffChunk,
                                         Welcome)
from wire_helpers import TOKEN, FakeGenerator, make_client, make_host, make_sidecar  # noqa: F401

WRONG = "rf-wrong-token-0000000000000000"


def welcome(host):
    host.send(Connect(TOKEN, "test"))
    hello = host.recv()
    assert isinstance(hello, Hello)
    host.send(Welcome(TOKEN, "1.0", "test"))
    return hello


def request(host, rid, **fields):
    fields.setdefault("intensity", 0.5)
    host.send(Request(TOKEN, rid, payloads.pack(fields)))


def test_hello_goes_to_host_port_first(make_host, make_sidecar):
    host = make_host(1)  # target port fixed below
    sidecar = make_sidecar(host_port=host.port)
    hello = host.recv()
    assert isinstance(hello, Hello) and hello.token == TOKEN and hello.protocol_version == "1.0"
    caps = payloads.decode_capabilities(hello.capabilities)
    assert caps["model_ids"] == ["fake"] and caps["max_datagram"] == 8192 and caps["max_bars"] == 16
    assert caps["modes"] == ["phrygian", "aeolian"]
    assert sidecar.sidecar.ready_line().startswith(f"RIFFFORGE READY port={sidecar.port} pid=")


def test_request_before_welcome_is_refused(make_host, make_sidecar):
    sidecar = make_sidecar()
    host = make_host(sidecar.port)
    request(host, 1)
    reply = host.recv()
    assert isinstance(reply, Error) and reply.code == ErrorCode.HANDSHAKE_REQUIRED and reply.request_id == 1


def test_request_answered_with_riff_echoing_id(make_host, make_sidecar):
    sidecar = make_sidecar()
    host = make_host(sidecar.port)
    welcome(host)
    request(host, 41, intensity=0.3, style="doom", bars=4, seed=77, instruments=["bass"])
    chunk = host.recv()
    assert isinstance(chunk, RiffChunk) and chunk.request_id == 41 and chunk.chunk_count == 1
    riff = payloads.decode_riff(chunk.chunk)
    assert (riff.style, riff.bars, riff.seed, riff.intensity, list(riff.tracks)) == ("doom", 4, 77, 0.3, ["bass"])


def test_invalid_request_gets_stable_error_code(make_host, make_sidecar):
    sidecar = make_sidecar()
    host = make_host(sidecar.port)
    welcome(host)
    request(host, 5, style="polka")
    reply = host.recv()
    assert isinstance(reply, Error) and (reply.request_id, reply.code) == (5, ErrorCode.UNKNOWN_STYLE)
    assert "polka" in reply.message and "thrash" in reply.message
    request(host, 6, mode="lydian")  # not in the fake generator's modes
    assert host.recv().code == ErrorCode.UNSUPPORTED


def test_retry_with_same_id_is_idempotent_and_conflict_is_refused(make_host, make_sidecar):
    gen = FakeGenerator()
    sidecar = make_sidecar(gen, prefetch_depth=0)
    host = make_host(sidecar.port)
    welcome(host)
    request(host, 9)                          # seed nil: a fresh random riff ...
    first = host.recv()
    request(host, 9)                          # ... and the retry gets the very same bytes, no new generation
    again = host.recv()
    assert first == again and gen.calls == 1
    request(host, 9, intensity=0.9)           # same id, different request
    reply = host.recv()
    assert isinstance(reply, Error) and reply.code == ErrorCode.BAD_REQUEST and "already used" in reply.message


def test_prefetch_cache_answers_from_memory_with_bucket_intensity(make_host, make_sidecar):
    gen = FakeGenerator()
    sidecar = make_sidecar(gen, prefetch_depth=2)
    host = make_host(sidecar.port)
    welcome(host)
    request(host, 1, intensity=0.72, style="death")      # miss: generated exactly, then the bucket is filled
    assert payloads.decode_riff(host.recv().chunk).intensity == 0.72
    deadline = time.monotonic() + 3
    service = sidecar.sidecar.service
    while service.prefetch.size() < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    calls = gen.calls
    request(host, 2, intensity=0.68, style="death")      # same bucket (0.7): answered from the cache
    riff = payloads.decode_riff(host.recv().chunk)
    assert riff.intensity == 0.7 and service.prefetch.hits == 1
    assert gen.calls in (calls, calls + 1)               # at most the refill started meanwhile
    request(host, 3, intensity=0.7, style="death", seed=4)  # a seeded request never comes from the cache
    assert payloads.decode_riff(host.recv().chunk).seed == 4 and service.prefetch.hits == 1


def test_big_riff_is_chunked_and_reassembled(make_client, make_sidecar):
    sidecar = make_sidecar(FakeGenerator(dense=True))
    client = make_client(sidecar.port)
    riff = client.request(1.0, bars=16, seed=1)
    assert sum(len(v) for v in riff.tracks.values()) == 3 * 16 * 16 * 5
    assert len(payloads.encode_riff(riff)) > 7936


def test_sender_without_token_gets_nothing_back(make_host, make_sidecar):
    sidecar = make_sidecar()
    stranger = make_host(sidecar.port)
    for message in (Connect(WRONG, "x"), Ping(WRONG, 1), Welcome(WRONG, "1.0", "x"),
                    Request(WRONG, 1, payloads.pack({"intensity": 0.5})), Quit(WRONG), Reject(WRONG, "no")):
        stranger.send(message)
    stranger.send(b"garbage!")
    assert stranger.recv_all(0.5) == []
    counters = sidecar.sidecar.dispatcher.counters()
    assert counters["dropped_unauthenticated"] == 6 and counters["dropped_malformed"] == 1
    assert sidecar.thread.is_alive()  # quit/reject without the token did nothing
    host = make_host(sidecar.port)    # while the real host is served
    host.send(Ping(TOKEN, 3))
    assert host.recv() == Pong(TOKEN, 3)


def test_slow_generation_does_not_block_pongs(make_host, make_sidecar):
    sidecar = make_sidecar(FakeGenerator(delay=0.8))
    host = make_host(sidecar.port)
    welcome(host)
    request(host, 1, seed=1)
    time.sleep(0.05)
    start = time.perf_counter()
    host.send(Ping(TOKEN, 42))
    assert host.recv(0.5) == Pong(TOKEN, 42)
    assert time.perf_counter() - start < 0.2
    chunk = host.recv(2.0)
    assert isinstance(chunk, RiffChunk) and chunk.request_id == 1


def test_retry_while_generating_is_answered_once(make_host, make_sidecar):
    gen = FakeGenerator(delay=0.3)
    sidecar = make_sidecar(gen, prefetch_depth=0)
    host = make_host(sidecar.port)
    welcome(host)
    request(host, 3, seed=3)
    request(host, 3, seed=3)
    replies = host.recv_all(0.6)
    assert [type(r) for r in replies] == [RiffChunk] and gen.calls == 1


def test_busy_when_too_many_requests_wait(make_host, make_sidecar):
    sidecar = make_sidecar(FakeGenerator(delay=0.5), prefetch_depth=0)
    host = make_host(sidecar.port)
    welcome(host)
    for rid in range(1, 71):
        request(host, rid, seed=rid)
    busy = []
    deadline = time.monotonic() + 1.0
    while len(busy) < 6 and time.monotonic() < deadline:  # busy answers come at once, riffs every 0.5 s
        reply = host.recv(0.2)
        if isinstance(reply, Error):
            busy.append(reply)
    assert len(busy) == 6 and all(r.code == ErrorCode.BUSY for r in busy)
    assert {r.request_id for r in busy} == set(range(65, 71))


def test_generator_failure_is_an_internal_error(make_host, make_sidecar):
    sidecar = make_sidecar(FakeGenerator(fail=True))
    host = make_host(sidecar.port)
    welcome(host)
    request(host, 8, seed=1)
    reply = host.recv()
    assert isinstance(reply, Error) and reply.code == ErrorCode.INTERNAL and "exploded" in reply.message
    host.send(Ping(TOKEN, 1))
    assert host.recv() == Pong(TOKEN, 1)


def test_incompatible_welcome_gets_version_mismatch(make_host, make_sidecar):
    sidecar = make_sidecar()
    host = make_host(sidecar.port)
    host.send(Welcome(TOKEN, "2.0", "9.9.9"))
    reply = host.recv()
    assert isinstance(reply, Error) and (reply.request_id, reply.code) == (0, ErrorCode.VERSION_MISMATCH)
    assert "2.0" in reply.message and "1.0" in reply.message and "upgrade the riffforge sidecar" in reply.message
    request(host, 1)
    assert host.recv().code == ErrorCode.HANDSHAKE_REQUIRED


def test_reject_makes_the_sidecar_exit_3(make_host, make_sidecar):
    sidecar = make_sidecar()
    host = make_host(sidecar.port)
    host.send(Reject(TOKEN, "no thanks"))
    sidecar.thread.join(2.0)
    assert not sidecar.thread.is_alive() and sidecar.code == EXIT_REJECTED


def test_quit_stops_within_two_seconds_even_mid_generation(make_host, make_sidecar):
    sidecar = make_sidecar(FakeGenerator(delay=5.0))
    host = make_host(sidecar.port)
    welcome(host)
    request(host, 1, seed=1)
    time.sleep(0.05)
    start = time.monotonic()
    host.send(Quit(TOKEN))
    sidecar.thread.join(2.0)
    assert not sidecar.thread.is_alive() and sidecar.code == 0
    assert time.monotonic() - start < 2.0


def test_heartbeat_timeout_pings_then_exits(make_host, make_sidecar):
    host = make_host(1)
    sidecar = make_sidecar(host_port=host.port, heartbeat_timeout=0.6)
    assert isinstance(host.recv(), Hello)
    host.sock.sendto(b"", ("127.0.0.1", sidecar.port))  # unauthenticated: does not count as the host
    host.target = ("127.0.0.1", sidecar.port)
    host.send(Welcome(TOKEN, "1.0", "t"))
    ping = host.recv(1.0)                  # quiet for timeout/2: the sidecar pings its host
    assert isinstance(ping, Ping)
    host.send(Pong(TOKEN, ping.seq))       # answering keeps it alive past the original deadline
    time.sleep(0.4)
    assert sidecar.thread.is_alive()
    sidecar.thread.join(1.5)               # then silence: it exits by itself
    assert not sidecar.thread.is_alive() and sidecar.code == 0
    assert "heartbeat" in sidecar.sidecar.exit_reason


@pytest.mark.parametrize("seed", [1, 2])
def test_fuzzed_packets_are_dropped_and_the_sidecar_keeps_serving(make_client, make_sidecar, seed):
    from riffforge.protocol import fuzz
    sidecar = make_sidecar(prefetch_depth=0)
    dispatcher = sidecar.sidecar.dispatcher
    count = 2500
    for packet in fuzz.packets(seed, TOKEN, count):
        dispatcher.call_handlers_for_packet(packet, ("127.0.0.1", 9))  # replies to a dead port are fine
    counters = dispatcher.counters()
    assert counters["received"] == count
    assert counters["handler_errors"] == 0
    assert counters["dropped_malformed"] > count // 3 and counters["dropped_unauthenticated"] > 0
    assert counters["handled"] + counters["dropped_unhandled"] + dispatcher.dropped_malformed + \
        counters["dropped_unauthenticated"] + counters["dropped_foreign"] == count
    assert sidecar.thread.is_alive()
    client = make_client(sidecar.port)   # re-welcomes (fuzzed welcomes may have un-welcomed it)
    assert client.request(0.4, seed=3, timeout=2.0).seed == 3


def test_long_error_messages_are_cut_to_the_string_limit(make_sidecar):
    sidecar = make_sidecar()
    service = sidecar.sidecar.service
    from riffforge.protocol.messages import decode_message
    error = decode_message(service._error(3, ErrorCode.INTERNAL, "\u00e9" * 2000))
    assert len(error.message.encode("utf-8")) <= 1024 and error.message.endswith("...")


def test_prefetch_cache_is_bounded_and_keeps_recent_keys():
    from riffforge.sidecar.cache import PrefetchCache
    cache = PrefetchCache(depth=1, max_keys=3)
    for k in range(5):
        assert cache.wanted(("k", k)) == 1
        cache.put(("k", k), b"riff%d" % k)
    assert cache.size() == 3 and cache.take(("k", 0)) is None and cache.take(("k", 4)) == b"riff4"
    assert cache.wanted(("k", 4)) == 1 and cache.wanted(("k", 4)) == 0  # reservations count as filling


class FakeGeneratorWithoutModes(FakeGenerator):
    """Like the model runtime: its capabilities name no modes (it resolves mode names with music.theory)."""

    def capabilities(self):
        caps = super().capabilities()
        return type(caps)(model_ids=caps.model_ids, extra={})


def test_hello_announces_the_modes_requests_are_checked_against(make_host, make_sidecar):
    from riffforge.music.theory import MODES

    host = make_host(1)
    sidecar = make_sidecar(FakeGeneratorWithoutModes(), host_port=host.port)
    caps = payloads.decode_capabilities(host.recv().capabilities)
    assert caps["modes"] == list(MODES)
    host.target = ("127.0.0.1", sidecar.port)
    welcome(host)
    request(host, 1, mode="lydian")  # not a mode riffforge knows: refused, naming the modes hello announced
    reply = host.recv()
    assert isinstance(reply, Error) and reply.code == ErrorCode.UNSUPPORTED and "harmonic minor" in reply.message
    request(host, 2, mode="harmonic minor", seed=3)
    assert isinstance(host.recv(), RiffChunk)


def test_connects_are_logged_at_a_bounded_rate_with_counts(make_host, make_sidecar, caplog):
    sidecar = make_sidecar()
    host = make_host(sidecar.port)
    with caplog.at_level(logging.INFO, logger="riffforge.sidecar"):
        for _ in range(40):
            host.send(Connect(TOKEN, "test"))
            assert isinstance(host.recv(), Hello)  # every connect is still answered
    lines = [r for r in caplog.records if "connect from port" in r.getMessage()]
    assert len(lines) == 5, [r.getMessage() for r in lines]  # the first five in full, then nothing for 5 s
    assert sidecar.sidecar.service.counters()["connects"] == 40


def test_rate_limited_log_says_how_many_lines_it_left_out(caplog):
    from riffforge.sidecar.ratelog import RateLimitedLog

    now = [100.0]
    limited = RateLimitedLog(logging.getLogger("riffforge.test"), logging.WARNING, burst=2, interval=5.0,
                             clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="riffforge.test"):
        written = [limited("event %d", i) for i in range(10)]
        assert written == [True, True] + [False] * 8
        now[0] += 5.0
        assert limited("event %d", 10)
    messages = [r.getMessage() for r in caplog.records]
    assert messages == ["event 0", "event 1", "event 10 (8 similar line(s) not logged in the last 5 s)"]


def test_drop_logging_is_limited_per_reason(make_host, make_sidecar, caplog):
    sidecar = make_sidecar()
    stranger = make_host(sidecar.port)
    with caplog.at_level(logging.WARNING, logger="riffforge.sidecar"):
        for seq in range(30):
            stranger.send(Ping(WRONG, seq))
        stranger.send(b"garbage!")
        assert stranger.recv_all(0.5) == []
    messages = [r.getMessage() for r in caplog.records]
    unauthenticated = [m for m in messages if m.startswith("dropped unauthenticated")]
    assert len(unauthenticated) == 5  # a flood of one kind is cut short ...
    assert any(m.startswith("dropped malformed") for m in messages)  # ... and does not hide another kind
    assert sidecar.sidecar.dispatcher.counters()["dropped_unauthenticated"] == 30
