namespace RiffForge.Core
{
    /// <summary>Settings of a <see cref="SidecarClient"/>. The defaults suit a game; tests shorten the timeouts.</summary>
    public sealed class SidecarClientOptions
    {
        /// <summary>UDP port on 127.0.0.1 the host binds; 0 picks a free one (recommended).</summary>
        public int HostPort;

        /// <summary>Session token (8..128 of A-Z a-z 0-9 _ -); null makes a fresh 128-bit one.</summary>
        public string Token;

        /// <summary>The protocol version the host announces. Only tests change it.</summary>
        public string ProtocolVersion = RiffForge.Core.ProtocolVersion.Current;

        /// <summary>The package version sent in welcome and connect (informational).</summary>
        public string HostVersion = RiffForgePackage.Version;

        /// <summary>Seconds to wait for an authenticated hello after the sidecar was started.</summary>
        public double HandshakeTimeoutSeconds = 15.0;

        /// <summary>Seconds one attempt of a request may take before the same request is re-sent.</summary>
        public double AttemptTimeoutSeconds = 1.5;

        /// <summary>Attempts per request before it fails with <c>timeout</c>.</summary>
        public int MaxAttempts = 5;

        /// <summary>
        /// Seconds a request may wait in total, including time without a connected sidecar (while it restarts).
        /// </summary>
        public double RequestDeadlineSeconds = 30.0;

        /// <summary>Seconds between pings; capped at a third of the sidecar's heartbeat timeout.</summary>
        public double PingIntervalSeconds = 0.5;

        /// <summary>Seconds without any message from a connected sidecar after which it counts as lost.</summary>
        public double LivenessTimeoutSeconds = 3.0;
    }
}
