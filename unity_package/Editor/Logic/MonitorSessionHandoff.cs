using System;
using System.Collections.Generic;

namespace RiffForge.EditorTools
{
    /// <summary>
    /// Where the Editor is between Edit and Play mode, as the Monitor window follows it. The four values are the
    /// moments of UnityEditor.PlayModeStateChange (https://docs.unity.cn/2021.3/Documentation/ScriptReference/PlayModeStateChange.html):
    /// ExitingEditMode "occurs when exiting edit mode, before the Editor is in play mode", ExitingPlayMode
    /// "when exiting play mode, before the Editor is in edit mode"; EnteredEditMode and EnteredPlayMode "during
    /// the next update" after the switch.
    /// </summary>
    public enum EditorPlayPhase
    {
        /// <summary>Edit mode (PlayModeStateChange.EnteredEditMode): the window may run its own sidecar.</summary>
        EditMode,
        /// <summary>Play was pressed, the game has not started (ExitingEditMode): no sidecar of the window's.</summary>
        ExitingEditMode,
        /// <summary>Play mode (EnteredPlayMode): the game's shared RiffForgeSidecar runs the one sidecar.</summary>
        PlayMode,
        /// <summary>Play mode is ending (ExitingPlayMode): the game's sidecar is being stopped.</summary>
        ExitingPlayMode,
    }

    /// <summary>
    /// Which sidecar session the Monitor window runs or shows, free of Unity, so that one Editor never runs
    /// two sidecar processes: the window's own session exists only in Edit mode; when Play is pressed it is
    /// disposed and its process waited for (bounded) before the game's RiffForgeSidecar starts one; in Play
    /// mode the window shows the game's session and starts none; back in Edit mode it may start its own again
    /// (on the next test request, not by itself). This object alone starts and stops the window's session.
    /// </summary>
    public sealed class MonitorSessionHandoff
    {
        /// <summary>
        /// Longest wait, in seconds, for the window's sidecar process to be gone when Play is pressed: it exits
        /// within about 70 ms of quit (measured: Documentation~/getting-started.md), and a sidecar that ignores quit is
        /// killed after SidecarSupervisorOptions.QuitGraceSeconds (1.5 s by default).
        /// </summary>
        public const double DefaultHandOffWaitSeconds = 2.5;

        readonly Func<SidecarSession> _startOwn;
        readonly double _handOffWaitSeconds;
        EditorPlayPhase _phase;
        SidecarSession _own;
        bool _lastStopInTime = true;

        /// <param name="phase">Where the Editor is when the window opens (or after a domain reload).</param>
        /// <param name="startOwn">Creates and starts the window's own session (Edit mode only).</param>
        /// <param name="handOffWaitSeconds">Longest wait for the own sidecar's process when Play is pressed.</param>
        public MonitorSessionHandoff(EditorPlayPhase phase, Func<SidecarSession> startOwn, double handOffWaitSeconds = DefaultHandOffWaitSeconds)
        {
            if (startOwn == null) throw new ArgumentNullException("startOwn");
            if (handOffWaitSeconds < 0 || double.IsNaN(handOffWaitSeconds))
                throw new ArgumentOutOfRangeException("handOffWaitSeconds", "handOffWaitSeconds=" + handOffWaitSeconds + ": must be 0 or more seconds");
            _phase = phase;
            _startOwn = startOwn;
            _handOffWaitSeconds = handOffWaitSeconds;
        }

        /// <summary>
        /// The phase for a window that opens now, from EditorApplication.isPlaying and
        /// EditorApplication.isPlayingOrWillChangePlaymode ("true only when the Editor is currently in or about
        /// to enter Play mode": https://docs.unity.cn/6000.2/Documentation/ScriptReference/EditorApplication-isPlayingOrWillChangePlaymode.html).
        /// </summary>
        public static EditorPlayPhase PhaseNow(bool isPlaying, bool isPlayingOrWillChangePlaymode)
        {
            if (isPlaying) return EditorPlayPhase.PlayMode;
            return isPlayingOrWillChangePlaymode ? EditorPlayPhase.ExitingEditMode : EditorPlayPhase.EditMode;
        }

        public EditorPlayPhase Phase { get { return _phase; } }

        /// <summary>The window's own session, or null (always null outside Edit mode).</summary>
        public SidecarSession Own { get { return _own; } }

        /// <summary>True in Edit mode only: the one phase in which the window may start a sidecar.</summary>
        public bool CanStartOwn { get { return _phase == EditorPlayPhase.EditMode; } }

        /// <summary>False when the last <see cref="Changed"/> or <see cref="StopOwn"/> gave up waiting for the own
        /// sidecar's process (it is still killed in the background); true when it had none to stop.</summary>
        public bool LastStopInTime { get { return _lastStopInTime; } }

        /// <summary>
        /// Follows a play-mode change (EditorApplication.playModeStateChanged). Leaving Edit mode disposes the
        /// own session and waits for its process, so it is gone before the game's sidecar starts.
        /// </summary>
        public void Changed(EditorPlayPhase phase)
        {
            _phase = phase;
            _lastStopInTime = true;
            if (phase != EditorPlayPhase.EditMode) StopOwn(true);
        }

        /// <summary>
        /// The session for a test request from the window: the own one, started now if there is none, in Edit
        /// mode; null in any other phase (in Play mode requests go through the scene's MetalRiffGenerator).
        /// </summary>
        public SidecarSession OwnForRequest()
        {
            if (!CanStartOwn) return null;
            if (_own == null) _own = _startOwn();
            return _own;
        }

        /// <summary>
        /// The session the window shows: its own in Edit mode; in Play mode the game's, the first non-null of
        /// <paramref name="playModeSessions"/> (the Session of each RiffForgeSidecar; only the shared one has
        /// one, as only it starts a process); none while the Editor switches.
        /// </summary>
        public SidecarSession Shown(IList<SidecarSession> playModeSessions)
        {
            switch (_phase)
            {
                case EditorPlayPhase.EditMode:
                    return _own;
                case EditorPlayPhase.PlayMode:
                    if (playModeSessions != null)
                        for (var i = 0; i < playModeSessions.Count; i++)
                            if (playModeSessions[i] != null) return playModeSessions[i];
                    return null;
                default:
                    return null;
            }
        }

        /// <summary>
        /// Disposes the own session, if any. <paramref name="waitForProcess"/>: also wait (at most the hand-off
        /// wait) until its process is gone; otherwise return at once (the process is stopped in the background).
        /// </summary>
        public void StopOwn(bool waitForProcess)
        {
            _lastStopInTime = true;
            if (_own == null) return;
            var session = _own;
            _own = null;
            session.Dispose();
            _lastStopInTime = !waitForProcess || WaitStopped(session, _handOffWaitSeconds);
        }

        /// <summary>
        /// Waits until a disposed session's sidecar process is gone (exited or killed, reaped): true when it is,
        /// or when the session never started a process; false after <paramref name="seconds"/>.
        /// </summary>
        public static bool WaitStopped(SidecarSession session, double seconds)
        {
            if (session == null) return true;
            var supervisor = session.Supervisor;
            if (supervisor == null) return true;
            return supervisor.Stopped.WaitOne(TimeSpan.FromSeconds(Math.Max(0.0, seconds)));
        }
    }
}
