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
        /// <summary>
        /// The supervisor gave up for good: the sidecar exited with a code that means it would fail the same way
        /// again (usage error, rejected, bad models or configuration), it never answered the handshake, it could
        /// not be started, or it crashed too often in a row. <see cref="SidecarSupervisor.FailureReason"/> says
        /// why; requests fail at once. Only a new supervisor (RiffForgeSidecar: Restart) tries again.
        /// </summary>
        Failed,
    }
}
