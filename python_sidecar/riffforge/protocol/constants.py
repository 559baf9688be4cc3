"""Protocol constants. ``tests/python/test_protocol_spec.py`` checks every value against
``protocol/protocol.json`` so the two cannot drift apart."""
from __future__ import annotations

PROTOCOL_VERSION = "1.0"

# Transport limits.
MAX_DATAGRAM_BYTES = 8192
MAX_CHUNK_BYTES = 7936
MAX_CHUNK_COUNT = 64
MAX_RIFF_PAYLOAD_BYTES = 262144
MAX_REQUEST_PAYLOAD_BYTES = 4096
MAX_CAPABILITIES_PAYLOAD_BYTES = 4096
TOKEN_MIN_LENGTH = 8
TOKEN_MAX_LENGTH = 128
MAX_STRING_BYTES = 1024
REQUEST_ID_MIN = 1
REQUEST_ID_MAX = 2**31 - 1
MAX_PENDING_REQUESTS = 64
MAX_BARS = 16
SEED_MIN = 0
SEED_MAX = 2**31 - 1
DEFAULT_HEARTBEAT_TIMEOUT_MS = 10000
EXIT_DEADLINE_MS = 2000
BIND_ADDRESS = "127.0.0.1"
TOKEN_ENV = "RIFFFORGE_TOKEN"
READY_PREFIX = "RIFFFORGE READY"

# Exit codes of `riffforge sidecar`.
EXIT_OK = 0
EXIT_USAGE = 2
EXIT_REJECTED = 3
EXIT_STARTUP_FAILED = 4

# address -> (message name, OSC type tags)
ADDRESSES = {
    "/riffforge/hello": ("hello", ",sssb"),
    "/riffforge/connect": ("connect", ",ss"),
    "/riffforge/welcome": ("welcome", ",sss"),
    "/riffforge/reject": ("reject", ",ss"),
    "/riffforge/request": ("request", ",sib"),
    "/riffforge/riff": ("riff", ",siiib"),
    "/riffforge/error": ("error", ",siss"),
    "/riffforge/ping": ("ping", ",si"),
    "/riffforge/pong": ("pong", ",si"),
    "/riffforge/quit": ("quit", ",s"),
}
ADDRESS_OF = {name: address for address, (name, _tags) in ADDRESSES.items()}


class ErrorCode:
    """Stable error codes carried by ``/riffforge/error``."""

    BAD_REQUEST = "bad_request"
    UNKNOWN_STYLE = "unknown_style"
    OUT_OF_RANGE = "out_of_range"
    UNSUPPORTED = "unsupported"
    HANDSHAKE_REQUIRED = "handshake_required"
    VERSION_MISMATCH = "version_mismatch"
    BUSY = "busy"
    INTERNAL = "internal"

    ALL = ("bad_request", "unknown_style", "out_of_range", "unsupported", "handshake_required",
           "version_mismatch", "busy", "internal")
