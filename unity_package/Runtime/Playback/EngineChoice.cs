namespace RiffForge
{
    /// <summary>Where a MetalRiffGenerator's riffs are generated (its Engine setting).</summary>
    public enum RiffEngine
    {
        /// <summary>The sidecar only; baked riffs while it is not available (and on targets that cannot start it).</summary>
        Sidecar,
        /// <summary>Inside the game (RiffForge.Engine), never the sidecar: every target, no process, no Python.</summary>
        InEngine,
        /// <summary>
        /// The sidecar where it can run and is ready; in-engine where it cannot run (Android, iOS, WebGL,
        /// consoles), while it is starting and whenever it fails. Baked riffs only when the engine assets are
        /// missing or fail to load.
        /// </summary>
        Auto,
    }

    /// <summary>How in-engine generation runs on the main thread's behalf.</summary>
    public enum EngineScheduling
    {
        /// <summary>A worker thread generates each request; the main thread only picks up finished riffs.</summary>
        Threaded,
        /// <summary>
        /// No threads (WebGL): the main thread decodes a few steps per frame, within a time budget
        /// (<see cref="StepBudget"/>), until the riff is done.
        /// </summary>
        Sliced,
    }

    /// <summary>The route a generator's requests take, decided once per enable by <see cref="EngineChoice.Route"/>.</summary>
    public enum EngineRoute
    {
        /// <summary>The shared sidecar; its baked fallback riffs stand in while it is not available.</summary>
        SidecarBakedFallback,
        /// <summary>The shared sidecar while it is ready; the in-engine generator whenever it is not.</summary>
        SidecarEngineFallback,
        /// <summary>The in-engine generator only (no sidecar is started for this generator).</summary>
        EngineOnly,
        /// <summary>Baked riffs only: the target cannot start the sidecar and the engine assets did not load.</summary>
        BakedOnly,
    }

    /// <summary>
    /// The one place that decides, free of Unity, where riffs come from (<see cref="Route"/>) and how the
    /// in-engine generator runs on each target (<see cref="Scheduling"/>).
    /// </summary>
    public static class EngineChoice
    {
        /// <summary>
        /// Threaded everywhere but a WebGL player: WebGL runs C# on one thread only (anything in
        /// System.Threading is unsupported there: https://docs.unity3d.com/6000.4/Documentation/Manual/web-multithreading-intro.html
        /// and https://docs-alpha.unity3d.com/cn/2020.3/Manual/webgl-technical-overview.html). The Editor
        /// with WebGL as the active build target has threads, so the Editor is threaded
        /// (<see cref="SidecarPlatform.Current"/> tests UNITY_EDITOR first).
        /// </summary>
        public static EngineScheduling SchedulingFor(SidecarTarget target)
        {
            return target == SidecarTarget.WebGL ? EngineScheduling.Sliced : EngineScheduling.Threaded;
        }

#if UNITY_WEBGL && !UNITY_EDITOR
        /// <summary>How this build runs the in-engine generator (a constant of the build target's symbols).</summary>
        public const EngineScheduling Scheduling = EngineScheduling.Sliced;
#else
        /// <summary>How this build runs the in-engine generator (a constant of the build target's symbols).</summary>
        public const EngineScheduling Scheduling = EngineScheduling.Threaded;
#endif

        /// <summary>
        /// The route for a generator set to <paramref name="setting"/> on <paramref name="target"/>, with the
        /// engine assets loaded (<paramref name="engineLoaded"/>) or not.
        /// </summary>
        public static EngineRoute Route(RiffEngine setting, SidecarTarget target, bool engineLoaded)
        {
            var canLaunch = SidecarPlatform.CanLaunchOn(target);
            switch (setting)
            {
                case RiffEngine.Sidecar:
                    return canLaunch ? EngineRoute.SidecarBakedFallback : EngineRoute.BakedOnly;
                case RiffEngine.InEngine:
                    return engineLoaded ? EngineRoute.EngineOnly : EngineRoute.BakedOnly;
                default:
                    if (canLaunch) return engineLoaded ? EngineRoute.SidecarEngineFallback : EngineRoute.SidecarBakedFallback;
                    return engineLoaded ? EngineRoute.EngineOnly : EngineRoute.BakedOnly;
            }
        }

        /// <summary>True when <paramref name="setting"/> may use the in-engine generator (so its assets are worth loading).</summary>
        public static bool WantsEngine(RiffEngine setting)
        {
            return setting != RiffEngine.Sidecar;
        }
    }
}
