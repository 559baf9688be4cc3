"""The sidecar's socket is connected to its host: other ports never reach it, a host that comes back from a
new port is served again, the busy limit is per session, and the prefetch cache serves hits under load."""
from __future__ import annotations

import threading
import time

from riffforge.generation import RiffRequest
from riffforge.protocol import payloads
from riffforge.protocol.constants import MAX_PENDING_REQUESTS, ErrorCode
from riffforge.protocol.messages import Connect, Error, Hello, Ping, Pong, Request, RiffChunk, Welcome
from riffforge.sidecar.worker import FOREGROUND, PREFETCH, GenerationWorker
from wire_helpers import TOKEN, FakeGenerator, make_client, make_host, make_sidecar  # noqa: F401


def test_datagrams_from_a_non_peer_port_never_reach_the_sidecar(make_host, make_sidecar):
    host = make_host(1)
    sidecar = make_sidecar(host_port=host.port)   # --host-port: connected to the host from the start
    assert isinstance(host.recv(), Hello)
    host.target = ("127.0.0.1", sidecar.port)
    host.send(Welcome(TOKEN, "1.0", "t"))
    assert sidecar.sidecar.server.peer == ("127.0.0.1", host.port)
    dispatcher = sidecar.sidecar.dispatcher
    host.send(Ping(TOKEN, 1))
    assert host.recv() == Pong(TOKEN, 1)
    received = dispatcher.received
    stranger = make_host(sidecar.port)             # has the token, but is not the peer
    for seq in range(200):
        stranger.send(Ping(TOKEN, seq))
    stranger.send(Connect(TOKEN, "x"))
    stranger.send(b"junk")
    host.send(Ping(TOKEN, 2))
    assert host.recv() == Pong(TOKEN, 2)
    assert stranger.recv_all(0.3) == []
    assert dispatcher.received == received + 1     # only the host's ping: the kernel dropped the rest


def test_a_host_that_left_is_replaced_by_one_from_a_new_port(make_client, make_sidecar):
    sidecar = make_sidecar()                       # attached with connect, like `riffforge client --port`
    first = make_client(sidecar.port)
    assert first.request(0.4, seed=1).seed == 1
    first_port = first.sock.getsockname()[1]
    assert sidecar.sidecar.server.peer == ("127.0.0.1", first_port)
    first.close(quit=False)                        # its port closes; the sidecar's probe finds it gone
    second = make_client(sidecar.port, handshake_timeout=8.0)
    assert second.request(0.6, seed=2).seed == 2
    assert sidecar.sidecar.server.peer == ("127.0.0.1", second.sock.getsockname()[1])
    assert sidecar.sidecar.service.sessions_ended >= 1


def test_a_silent_host_is_released_so_a_new_one_can_connect(make_host, make_client, make_sidecar):
    sidecar = make_sidecar()
    silent = make_host(sidecar.port)               # stays open, never answers the sidecar's pings
    silent.send(Connect(TOKEN, "t"))
    assert isinstance(silent.recv(), Hello)
    silent.send(Welcome(TOKEN, "1.0", "t"))
    newcomer = make_client(sidecar.port, handshake_timeout=10.0)
    assert newcomer.request(0.5, seed=4).seed == 4
    assert sidecar.sidecar.server.peer == ("127.0.0.1", newcomer.sock.getsockname()[1])
    request = Request(TOKEN, 1, payloads.pack({"intensity": 0.5, "seed": 1}))
    silent.send(request)                           # the old host is no longer the peer: filtered
    assert not any(isinstance(m, (RiffChunk, Error)) for m in silent.recv_all(0.3))


def test_busy_limit_is_per_session_and_a_new_session_is_not_blocked(make_host, make_client, make_sidecar):
    gen = FakeGenerator(delay=0.25)
    sidecar = make_sidecar(gen, prefetch_depth=0)
    first = make_host(sidecar.port)
    first.send(Connect(TOKEN, "t"))
    assert isinstance(first.recv(), Hello)
    first.send(Welcome(TOKEN, "1.0", "t"))
    for rid in range(1, MAX_PENDING_REQUESTS + 3):
        first.send(Request(TOKEN, rid, payloads.pack({"intensity": 0.5, "seed": rid})))
    busy, deadline = [], time.monotonic() + 2.0
    while len(busy) < 2 and time.monotonic() < deadline:   # busy answers come at once, riffs every 0.25 s
        reply = first.recv(0.2)
        if isinstance(reply, Error):
            busy.append(reply)
    assert [m.request_id for m in busy] == [MAX_PENDING_REQUESTS + 1, MAX_PENDING_REQUESTS + 2]
    assert all(m.code == ErrorCode.BUSY for m in busy)
    first.close()                                  # leaves 60+ queued generations behind
    second = make_client(sidecar.port, handshake_timeout=8.0)
    started = time.monotonic()
    riff = second.request(0.5, seed=999, timeout=5.0, retries=0)   # not busy, not behind the old queue
    assert riff.seed == 999 and time.monotonic() - started < 5.0
    assert sidecar.sidecar.service.abandoned > 0
    assert gen.calls < MAX_PENDING_REQUESTS // 2


def test_worker_counts_foreground_per_session_and_leaves_prefetch_a_fair_share():
    worker = GenerationWorker(fair_share=2)
    order, gate = [], threading.Event()
    for i in range(6):
        worker.submit(lambda i=i: order.append(f"f{i}"), FOREGROUND, session=("127.0.0.1", 1 + i % 2))
    for i in range(2):
        worker.submit(lambda i=i: order.append(f"p{i}"), PREFETCH)
    worker.submit(gate.set, PREFETCH)
    assert worker.foreground_pending(("127.0.0.1", 1)) == 3 and worker.foreground_pending() == 6
    worker.start()
    assert gate.wait(5)
    assert order == ["f0", "f1", "p0", "f2", "f3", "p1", "f4", "f5"]
    assert worker.foreground_pending() == 0
    worker.stop()


def test_prefetch_cache_serves_hits_while_16_requests_stay_in_flight(make_client, make_sidecar):
    sidecar = make_sidecar(FakeGenerator(delay=0.01), prefetch_depth=2)
    client = make_client(sidecar.port)
    total, in_flight, pending = 240, 16, []
    for n in range(total):                         # unseeded requests of one bucket: any riff of it will do
        pending.append(client.submit(RiffRequest(intensity=0.7, style="thrash", bars=2)))
        if len(pending) >= in_flight:
            pending.pop(0).result(timeout=5.0, retries=2)
    for p in pending:
        p.result(timeout=5.0, retries=2)
    counters = sidecar.sidecar.service.counters()
    assert counters["prefetch_hits"] >= total // 10, counters
