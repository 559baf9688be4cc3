"""The OSC sidecar: serves riffs from any :class:`riffforge.generation.Generator` to a host (Unity).

Layout, one concern per module, like python-osc keeps its dispatcher apart from its server:

* :mod:`.server` — the UDP socket (a python-osc ``BlockingOSCUDPServer``), connected to the session's host so
  the kernel drops other senders, feeding datagrams to a dispatcher;
* :mod:`.dispatcher` — datagram -> validated, authenticated message -> handler; counts what it drops;
* :mod:`.service` — the protocol state machine: handshake, requests, caches, ping/pong, quit;
* :mod:`.worker` — the generation thread (a slow riff never blocks a pong);
* :mod:`.cache` — the prefetch cache and the recent-response cache;
* :mod:`.watchdog` — parent pid, heartbeat timeout, orderly stop;
* :mod:`.app` — wiring it together for ``riffforge sidecar``.
"""
from .app import SidecarOptions, Sidecar

__all__ = ["Sidecar", "SidecarOptions"]
