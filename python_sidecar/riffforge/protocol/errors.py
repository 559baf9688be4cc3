"""Protocol exceptions."""
from __future__ import annotations


class ProtocolError(ValueError):
    """A datagram is not a valid message of this protocol (malformed: log and drop it)."""


class PayloadError(ValueError):
    """A msgpack payload is invalid. ``code`` is a stable error code from :class:`ErrorCode`; the message
    names the field, the bad value and the fix."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
