namespace RiffForge
{
    /// <summary>The kinds of build target RiffForge tells apart when deciding whether the sidecar can run.</summary>
    public enum SidecarTarget
    {
        /// <summary>The Unity Editor (whatever build target is active in it).</summary>
        Editor,
        WindowsPlayer,
        MacOSPlayer,
        LinuxPlayer,
        Android,
        IOS,
        WebGL,
        /// <summary>Any other target (consoles, tvOS, visionOS, Universal Windows Platform, ...).</summary>
        Other,
    }

    /// <summary>
    /// Where the sidecar can be started: the one place that decides it. The sidecar is a separate program,
    /// so it runs only where a Unity game may start child processes: the Editor and the Windows, macOS and
    /// Linux players. Every other target (Android, iOS, WebGL, consoles) plays the baked riffs
    /// (<see cref="BakedRiffs"/>) and says so once (<see cref="Announcement"/>).
    /// <see cref="Current"/> and <see cref="Supported"/> come from Unity's platform #define directives
    /// (https://docs.unity3d.com/2021.1/Documentation/Manual/PlatformDependentCompilation.html); the Editor
    /// is tested first because it also defines the active build target's symbol (UNITY_ANDROID, ...).
    /// A runtime that generates riffs inside the game instead of in a sidecar plugs in here.
    /// </summary>
    public static class SidecarPlatform
    {
#if UNITY_EDITOR
        public const SidecarTarget Current = SidecarTarget.Editor;
#elif UNITY_STANDALONE_WIN
        public const SidecarTarget Current = SidecarTarget.WindowsPlayer;
#elif UNITY_STANDALONE_OSX
        public const SidecarTarget Current = SidecarTarget.MacOSPlayer;
#elif UNITY_STANDALONE_LINUX
        public const SidecarTarget Current = SidecarTarget.LinuxPlayer;
#elif UNITY_ANDROID
        public const SidecarTarget Current = SidecarTarget.Android;
#elif UNITY_IOS
        public const SidecarTarget Current = SidecarTarget.IOS;
#elif UNITY_WEBGL
        public const SidecarTarget Current = SidecarTarget.WebGL;
#else
        public const SidecarTarget Current = SidecarTarget.Other;
#endif

#if UNITY_EDITOR || UNITY_STANDALONE_WIN || UNITY_STANDALONE_OSX || UNITY_STANDALONE_LINUX
        /// <summary>True where this build can start the sidecar (Editor, Windows/macOS/Linux player).</summary>
        public const bool Supported = true;
#else
        /// <summary>True where this build can start the sidecar (Editor, Windows/macOS/Linux player).</summary>
        public const bool Supported = false;
#endif

        /// <summary>True when a game built for <paramref name="target"/> can start the sidecar process.</summary>
        public static bool CanLaunchOn(SidecarTarget target)
        {
            switch (target)
            {
                case SidecarTarget.Editor:
                case SidecarTarget.WindowsPlayer:
                case SidecarTarget.MacOSPlayer:
                case SidecarTarget.LinuxPlayer:
                    return true;
                default:
                    return false;
            }
        }

        /// <summary>
        /// The one line logged when a game on <paramref name="target"/> starts playing baked riffs because
        /// it cannot start the sidecar; null where it can.
        /// </summary>
        public static string Announcement(SidecarTarget target)
        {
            if (CanLaunchOn(target)) return null;
            return "RiffForge: this build target (" + target + ") cannot start the sidecar, a separate program "
                + "(only the Editor and Windows, macOS and Linux players can); playing baked riffs";
        }

        /// <summary>
        /// The session RiffForgeSidecar runs on <paramref name="target"/> where the sidecar cannot start:
        /// baked riffs only, announced once with <see cref="Announcement"/>. Null where it can start.
        /// </summary>
        public static SidecarSession BakedOnlySession(SidecarTarget target, double now)
        {
            var line = Announcement(target);
            return line == null ? null : SidecarSession.BakedOnly(line, now);
        }
    }
}
