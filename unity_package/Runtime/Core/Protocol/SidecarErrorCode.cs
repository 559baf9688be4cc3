namespace RiffForge.Core
{
    /// <summary>
    /// Stable error codes: the sidecar's (protocol.json "error_codes") plus the host-side ones this package
    /// reports itself (timeouts, launch problems, a lost sidecar).
    /// </summary>
    public static class SidecarErrorCode
    {
        // Sent by the sidecar.
        public const string BadRequest = "bad_request";
        public const string UnknownStyle = "unknown_style";
        public const string OutOfRange = "out_of_range";
        public const string Unsupported = "unsupported";
        public const string HandshakeRequired = "handshake_required";
        public const string VersionMismatch = "version_mismatch";
        public const string Busy = "busy";
        public const string Internal = "internal";

        // Reported by the host side (never on the wire).
        /// <summary>No complete answer after every retry.</summary>
        public const string Timeout = "timeout";
        /// <summary>No authenticated hello arrived in time (wrong token, a sidecar that did not start).</summary>
        public const string HandshakeTimeout = "handshake_timeout";
        /// <summary>The sidecar process could not be found or started; the message names the path and the fix.</summary>
        public const string LaunchFailed = "launch_failed";
        /// <summary>The sidecar exited or stopped answering; the supervisor restarts it.</summary>
        public const string SidecarLost = "sidecar_lost";
        /// <summary>The client was disposed or the sidecar was stopped while a request was pending.</summary>
        public const string Cancelled = "cancelled";
        /// <summary>An answer arrived but its payload is not a valid riff.</summary>
        public const string BadPayload = "bad_payload";
    }
}
