"""The reference Python client for the RiffForge sidecar (spawn-or-connect, handshake, requests with
timeout and retry, heartbeat, clean shutdown). See :class:`SidecarClient`."""
from .client import PendingRequest, SidecarClient
from .errors import ClientError, HandshakeError, RequestTimeout, SidecarError
from .spawn import SidecarProcess, parse_ready_line, sidecar_command

__all__ = ["SidecarClient", "PendingRequest", "SidecarProcess", "ClientError", "HandshakeError", "RequestTimeout",
           "SidecarError", "parse_ready_line", "sidecar_command"]
