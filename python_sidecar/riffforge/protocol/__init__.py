"""RiffForge wire protocol v1 (see ``protocol/SPEC.md``; ``protocol/protocol.json`` is the contract).

Small modules, one concern each:

* :mod:`.constants` — version, addresses, type tags, limits, error codes (checked against protocol.json);
* :mod:`.osc` — strict OSC 1.0 message encoder/decoder for the ``s``/``i``/``b`` argument types;
* :mod:`.messages` — typed messages (``Hello``, ``Request``, ``RiffChunk`` ...) to and from datagrams;
* :mod:`.payloads` — the msgpack maps (capabilities, request, riff), canonical encoding and validation;
* :mod:`.chunking` — splitting a riff payload into datagram-sized chunks and reassembling them;
* :mod:`.version` — the version rule.

Only the standard library and msgpack are imported here, so the sidecar starts fast.
"""
from .constants import PROTOCOL_VERSION, ErrorCode
from .errors import PayloadError, ProtocolError
from .messages import (Connect, Error, Hello, Message, Ping, Pong, Quit, Reject, Request, RiffChunk, Welcome,
                       decode_message, encode_message)

__all__ = [
    "PROTOCOL_VERSION", "ErrorCode", "ProtocolError", "PayloadError", "Message", "Hello", "Connect", "Welcome",
    "Reject", "Request", "RiffChunk", "Error", "Ping", "Pong", "Quit", "decode_message", "encode_message",
]
