using System;
using System.Diagnostics;

namespace RiffForge.Core
{
    /// <summary>Settings of a <see cref="SidecarSupervisor"/>.</summary>
    public sealed class SidecarSupervisorOptions
    {
        /// <summary>Settings of the protocol client the supervisor owns.</summary>
        public SidecarClientOptions Client = new SidecarClientOptions();

        /// <summary>Folder with model bundles passed as <c>--models</c>; null uses the sidecar's bundled default.</summary>
        public string ModelsDirectory;

        /// <summary>
        /// Passed as <c>--heartbeat-timeout</c>: the sidecar exits after this many seconds without hearing
        /// from the host (the client pings far more often). 0 disables it.
        /// </summary>
        public double HeartbeatTimeoutSeconds = 10.0;

        /// <summary>Seconds to wait for the READY line after starting the process.</summary>
        public double ReadyTimeoutSeconds = 30.0;

        /// <summary>Run <c>chmod +x</c> on a frozen sidecar before starting it (not on Windows).</summary>
        public bool RestoreExecutableBit = true;

        /// <summary>
        /// The folder of pid files (see <see cref="PidFile"/>): one per user and project, each supervisor writes
        /// a file of its own there and reaps only leftovers whose host process is gone. Null: a folder under the
        /// user's local application data named after the current directory (Unity passes one in the project's
        /// Library, or in the player's temporary cache).
        /// </summary>
        public string PidFolder;

        /// <summary>Delays before restarts 1, 2, 3, ... after a crash; the last one repeats.</summary>
        public double[] RestartDelaysSeconds = { 0.0, 0.5, 1.0, 2.0, 5.0, 10.0 };

        /// <summary>A sidecar that ran this long without a crash resets the back-off.</summary>
        public double StableAfterSeconds = 30.0;

        /// <summary>
        /// Consecutive restarts after crashes (without a stable run between them) before giving up
        /// (<see cref="SidecarState.Failed"/>). Exits that would fail again are never retried.
        /// </summary>
        public int MaxConsecutiveRestarts = 8;

        /// <summary>
        /// Seconds <see cref="SidecarSupervisor.Dispose"/> lets the sidecar take to exit after quit before it is
        /// killed. The wait runs on a background thread, never on the caller's.
        /// </summary>
        public double QuitGraceSeconds = 1.5;

        /// <summary>
        /// Starts the sidecar process; null uses <see cref="Process.Start(ProcessStartInfo)"/>. Tests pass a
        /// starter that throws to check that any launch failure falls back at once.
        /// </summary>
        public Func<ProcessStartInfo, Process> ProcessStarter;
    }
}
