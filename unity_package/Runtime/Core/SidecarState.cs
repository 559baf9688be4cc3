namespace RiffForge.Core
{
    /// <summary>Where a <see cref="SidecarClient"/> stands with its sidecar.</summary>
    public enum SidecarState
    {
        /// <summary>Waiting for an authenticated hello (just started, or restarting after a loss).</summary>
        Connecting,
        /// <summary>Handshake done: requests are sent.</summary>
        Ready,
        /// <summary>The versions do not match; nothing is sent until a compatible sidecar says hello.</summary>
        Incompatible,
        /// <summary>Disposed.</summary>
        Closed,
    }
}
