"""What the reference client raises."""
from __future__ import annotations


class ClientError(RuntimeError):
    """The client could not do what was asked; the message says why and what to try."""


class HandshakeError(ClientError):
    """No (compatible) hello from the sidecar."""


class RequestTimeout(ClientError):
    """No complete answer after every retry."""


class SidecarError(ClientError):
    """The sidecar answered ``/riffforge/error``; ``code`` is the stable protocol error code."""

    def __init__(self, request_id: int, code: str, message: str) -> None:
        super().__init__(f"sidecar error {code} for request {request_id}: {message}")
        self.request_id = request_id
        self.code = code
        self.message = message
