using System;
using System.Collections.Generic;
using System.IO;
using RiffForge.Core;
using UnityEngine;

namespace RiffForge
{
    /// <summary>
    /// Owns the RiffForge sidecar of a scene (or of the whole game, with Keep Across Scenes): starts it on
    /// first use, drains its messages every frame within a small time budget, plays baked fallback riffs when
    /// it is missing or dies (and says so once), and stops it on play-mode exit, domain reload, destruction
    /// and Application.quitting. MetalRiffGenerator finds one by itself (<see cref="Shared"/>); add one
    /// explicitly only to change its settings.
    /// </summary>
    [DisallowMultipleComponent]
    [AddComponentMenu("RiffForge/RiffForge Sidecar")]
    [DefaultExecutionOrder(-100)]
    public sealed class RiffForgeSidecar : MonoBehaviour
    {
        [Header("Launch")]
        [Tooltip("Auto: the frozen sidecar shipped in the package (Editor) or next to the player (build); in the Editor, the source sidecar when no frozen build exists and a Python is set. Frozen: only the frozen one. Source: Python Path -m riffforge sidecar. Off: no sidecar (generators with Engine Auto generate in-engine, with Engine Sidecar play baked fallback riffs).")]
        [SerializeField] SidecarLaunchMode launchMode = SidecarLaunchMode.Auto;

        [Tooltip("A Python with riffforge installed (e.g. <repo>/.venv/bin/python), for Launch Mode Source (and Auto without a frozen build). Empty: the RIFFFORGE_PYTHON environment variable.")]
        [SerializeField] string pythonPath = "";

        [Tooltip("A folder of model bundles passed to the sidecar as --models. Empty: the models bundled with the sidecar.")]
        [SerializeField] string modelsFolder = "";

        [Tooltip("UDP port on 127.0.0.1 the game listens on for the sidecar. 0 picks a free port (recommended; a fixed port can collide with another program or a second Editor).")]
        [Range(0, 65535)]
        [SerializeField] int hostPort = 0;

        [Tooltip("Keep this sidecar alive across scene loads (DontDestroyOnLoad) and let every MetalRiffGenerator use it. Only for a root GameObject.")]
        [SerializeField] bool keepAcrossScenes = true;

        [Header("Timing")]
        [Tooltip("Milliseconds per frame spent handling sidecar messages at most (riffs arrive as a few datagrams; 2 ms is plenty).")]
        [Range(0.5f, 10f)]
        [SerializeField] float drainBudgetMs = 2f;

        [Tooltip("Seconds a starting sidecar may take to become ready before fallback riffs play (a frozen sidecar's first start can take several seconds).")]
        [Range(1f, 60f)]
        [SerializeField] float startupGraceSeconds = 12f;

        [Tooltip("Seconds a crashed sidecar may take to restart before fallback riffs play.")]
        [Range(0.5f, 30f)]
        [SerializeField] float lostGraceSeconds = 3f;

        [Tooltip("Log every sidecar log line (restarts, state changes) to the Console, not only warnings.")]
        [SerializeField] bool verboseLogging;

        static RiffForgeSidecar _shared;
        static readonly List<RiffForgeSidecar> _instances = new List<RiffForgeSidecar>();

        SidecarSession _session;
        PlaySessionEnd _sessionEnd;
        PlaySessionEnd SessionEnd { get { return _sessionEnd ?? (_sessionEnd = new PlaySessionEnd(StopSidecar)); } }

        /// <summary>A riff answers request <c>id</c> (<c>fromFallback</c>: a baked riff). Raised in Update.</summary>
        public event Action<int, Riff, bool> RiffReady;
        /// <summary>A request failed for good (the error's code says why). Raised in Update.</summary>
        public event Action<SidecarError> RequestFailed;

        /// <summary>
        /// The one sidecar of this Editor (or player) that every generator uses: a RiffForgeSidecar you added
        /// on any GameObject (several: one is chosen by <see cref="SidecarChoice"/> and a warning names the
        /// others), or a new GameObject "RiffForge Sidecar" created on first use. Only this one starts a process.
        /// </summary>
        public static RiffForgeSidecar Shared
        {
            get
            {
                if (_shared != null && _shared.enabled) return _shared;
                _shared = Choose();
                if (_shared != null) return _shared;
                // A component in the scene whose Awake has not run yet (script order across GameObjects).
#if UNITY_2023_1_OR_NEWER
                // FindObjectOfType is obsolete from 2023.1 (https://docs.unity3d.com/6000.0/Documentation/ScriptReference/Object.FindObjectOfType.html).
                var found = FindFirstObjectByType<RiffForgeSidecar>();
#else
                var found = FindObjectOfType<RiffForgeSidecar>();
#endif
                if (found != null) { found.Register(); _shared = Choose(); if (_shared != null) return _shared; }
                var go = new GameObject("RiffForge Sidecar");
                _shared = go.AddComponent<RiffForgeSidecar>();
                return _shared;
            }
        }

        /// <summary>The generator's own choice (its Sidecar field) unless another one already runs the shared sidecar.</summary>
        public static RiffForgeSidecar Resolve(RiffForgeSidecar preferred, UnityEngine.Object context)
        {
            if (preferred != null && preferred.enabled && (_shared == null || _shared == preferred))
            {
                preferred.Register();
                if (_shared == null || !_shared.enabled) _shared = preferred;
                return preferred;
            }
            var shared = Shared;
            if (preferred != null && preferred != shared)
                Debug.LogWarning("RiffForge: this generator's Sidecar field names '" + preferred.name + "', but '" + shared.name
                    + "' already runs the one sidecar of this Editor; using '" + shared.name + "'.", context);
            return shared;
        }

        static RiffForgeSidecar Choose()
        {
            _instances.RemoveAll(x => x == null);
            var candidates = new List<SidecarCandidate>(_instances.Count);
            var current = -1;
            for (var i = 0; i < _instances.Count; i++)
            {
                var c = _instances[i];
                if (c == _shared) current = i;
                candidates.Add(new SidecarCandidate(c.name, c.enabled, c.keepAcrossScenes && c.transform.parent == null));
            }
            string warning;
            var chosen = SidecarChoice.Choose(candidates, current, out warning);
            if (warning != null) Debug.LogWarning(warning, chosen >= 0 ? _instances[chosen] : null);
            return chosen < 0 ? null : _instances[chosen];
        }

        void Register()
        {
            if (!_instances.Contains(this)) _instances.Add(this);
        }

        /// <summary>Every live RiffForgeSidecar (for the Editor monitor).</summary>
        public static IList<RiffForgeSidecar> Instances { get { return _instances.AsReadOnly(); } }

        public SidecarLaunchMode LaunchMode { get { return launchMode; } set { launchMode = value; } }
        public string PythonPath { get { return pythonPath; } set { pythonPath = value ?? ""; } }
        public string ModelsFolder { get { return modelsFolder; } set { modelsFolder = value ?? ""; } }

        /// <summary>The running session (null until first use or after <see cref="StopSidecar"/>).</summary>
        public SidecarSession Session { get { return _session; } }

        /// <summary>One line: ready with versions and pid, starting, or fallback with the reason.</summary>
        public string Status { get { return _session == null ? "not started" : _session.Status; } }

        public bool UsingFallback { get { return _session != null && _session.UsingFallback; } }

        // With "Enter Play Mode Options" and no domain reload, statics survive from the last Play session.
        [RuntimeInitializeOnLoadMethod(RuntimeInitializeLoadType.SubsystemRegistration)]
        static void ResetStatics()
        {
            _shared = null;
            _instances.Clear();
        }

        void Awake()
        {
            Register();
            if (_shared != null && _shared != this && _shared.enabled)
                Debug.LogWarning("RiffForge: '" + name + "' is ignored: '" + _shared.name + "' already runs the one sidecar every MetalRiffGenerator uses. "
                    + "Fix: keep a single RiffForgeSidecar (one sidecar process per Editor or game).", this);
            else if (_shared == null && keepAcrossScenes && transform.parent == null) _shared = this;
            if (_shared == this && keepAcrossScenes && transform.parent == null) DontDestroyOnLoad(gameObject);
        }

        void OnEnable()
        {
            if (!_instances.Contains(this)) _instances.Add(this);
            SessionEnd.Set(true);
        }

        void Start()
        {
            if (Shared == this) EnsureStarted();
        }

        void Update()
        {
            // In-engine riffs standing in for this sidecar (Engine: Auto) are sliced on WebGL: advance them first.
            InEngineRiffs.PumpOnce(Time.frameCount);
            if (_session != null) _session.Update(Time.realtimeSinceStartupAsDouble, drainBudgetMs / 1000.0);
        }

        void OnDisable()
        {
            SessionEnd.Set(false);
            StopSidecar();
        }

        void OnDestroy()
        {
            StopSidecar();
            _instances.Remove(this);
            if (_shared == this) _shared = null;
        }

        /// <summary>
        /// Starts the sidecar if it is not running (called by Start and by the first request). Only the
        /// <see cref="Shared"/> one starts a process; on another this throws InvalidOperationException naming it.
        /// </summary>
        public void EnsureStarted()
        {
            if (_session != null) return;
            var shared = Shared;
            if (shared != this)
                throw new InvalidOperationException("RiffForgeSidecar '" + name + "' is not the one sidecar of this Editor ('" + shared.name
                    + "' is): use RiffForgeSidecar.Shared, or remove the extra component.");
            // Where no process can start (Android, iOS, WebGL, consoles) nothing is resolved or launched:
            // SidecarPlatform decides, and the session serves baked riffs with one log line saying why.
            string problem = null;
            SidecarCommand command = null;
            if (SidecarPlatform.CanLaunchOn(SidecarPlatform.Current))
                command = SidecarPaths.Resolve(launchMode, SidecarRoot(), pythonPath, SetUpSidecarFolder(), out problem);
            var options = new SidecarSupervisorOptions
            {
                ModelsDirectory = string.IsNullOrEmpty(modelsFolder) ? null : modelsFolder,
                PidFolder = PidFolder(),
            };
            options.Client.HostPort = hostPort;
            options.Client.HostVersion = RiffForgePackage.Version;
            var now = Time.realtimeSinceStartupAsDouble;
            _session = SidecarPlatform.BakedOnlySession(SidecarPlatform.Current, now) ?? new SidecarSession(command, problem, options, now);
            // A generator with Engine Auto loads the in-engine generator before it first asks this sidecar.
            _session.EngineStandsIn = InEngineRiffs.IsLoaded;
            _session.Fallback.StartupGraceSeconds = startupGraceSeconds;
            _session.Fallback.LostGraceSeconds = lostGraceSeconds;
            _session.RiffReady += OnRiffReady;
            _session.RequestFailed += OnRequestFailed;
            _session.Warning += line => Debug.LogWarning(line, this);
            _session.Log += line => { if (verboseLogging) Debug.Log(line, this); };
            _session.Start();
            if (verboseLogging && command != null) Debug.Log("RiffForge: starting the sidecar: " + command, this);
        }

        /// <summary>
        /// Sends a riff request (starting the sidecar if needed) and returns its id; the answer comes as
        /// <see cref="RiffReady"/> or <see cref="RequestFailed"/>. Throws ArgumentException for an invalid request.
        /// </summary>
        public int Send(RiffRequest request)
        {
            EnsureStarted();
            return _session.Send(request);
        }

        /// <summary>
        /// Like <see cref="Send(RiffRequest)"/>, with <paramref name="engine"/> generating the riff whenever the
        /// sidecar is not ready (see <see cref="SidecarSession.Send(RiffRequest, EngineRunner)"/>); null: baked riffs.
        /// </summary>
        public int Send(RiffRequest request, EngineRunner engine)
        {
            EnsureStarted();
            return _session.Send(request, engine);
        }

        /// <summary>
        /// Like <see cref="Send"/>, but answered at once by a baked riff while the sidecar is still starting
        /// (see <see cref="SidecarSession.SendOrStandIn"/>), so the first sound does not wait for it.
        /// </summary>
        public int SendOrStandIn(RiffRequest request)
        {
            EnsureStarted();
            return _session.SendOrStandIn(request);
        }

        /// <summary>Like <see cref="SendOrStandIn(RiffRequest)"/> with <paramref name="engine"/> (see <see cref="SidecarSession.SendOrStandIn(RiffRequest, EngineRunner)"/>).</summary>
        public int SendOrStandIn(RiffRequest request, EngineRunner engine)
        {
            EnsureStarted();
            return _session.SendOrStandIn(request, engine);
        }

        /// <summary>Stops waiting for a request's answer.</summary>
        public bool Cancel(int requestId)
        {
            return _session != null && _session.Cancel(requestId);
        }

        /// <summary>Stops the sidecar process (it is started again by the next request or Restart).</summary>
        public void StopSidecar()
        {
            if (_session == null) return;
            var s = _session;
            _session = null;
            s.RiffReady -= OnRiffReady;
            s.RequestFailed -= OnRequestFailed;
            s.Dispose();
        }

        /// <summary>Stops and starts the sidecar again (after changing the launch settings).</summary>
        [ContextMenu("Restart Sidecar")]
        public void Restart()
        {
            var shared = Shared; // only the one sidecar of this Editor runs a process
            shared.StopSidecar();
            shared.EnsureStarted();
        }

        void OnRiffReady(int id, Riff riff, bool fromFallback)
        {
            var h = RiffReady;
            if (h != null) h(id, riff, fromFallback);
        }

        void OnRequestFailed(SidecarError error)
        {
            var h = RequestFailed;
            if (h != null) h(error);
        }

        /// <summary>The folder holding the per-platform sidecar folders for this run (Editor: the package's Sidecar~).</summary>
        public static string SidecarRoot()
        {
#if UNITY_EDITOR
            var info = UnityEditor.PackageManager.PackageInfo.FindForAssembly(typeof(RiffForgeSidecar).Assembly);
            if (info != null && !string.IsNullOrEmpty(info.resolvedPath)) return SidecarPaths.PackageSidecarRoot(info.resolvedPath);
            return SidecarPaths.PackageSidecarRoot(Path.GetFullPath(Path.Combine("Packages", RiffForgePackage.Name)));
#else
            return SidecarPaths.PlayerSidecarRoot(Application.dataPath, BinaryArchitecture.CurrentOs());
#endif
        }

        /// <summary>Editor: &lt;project&gt;/Library/RiffForge, where "Set Up Python Sidecar..." installs a sidecar; none in a player.</summary>
        static string SetUpSidecarFolder()
        {
#if UNITY_EDITOR
            return PythonSidecarSetupLayout.LibraryFolder(Path.GetDirectoryName(Application.dataPath) ?? ".");
#else
            return null;
#endif
        }

        /// <summary>
        /// The pid-file folder (one file per running sidecar, see PidFile): Editor: &lt;project&gt;/Library/RiffForge/sidecars;
        /// player: a folder in Application.temporaryCachePath, the player's own cache folder of the current user
        /// (https://docs.unity3d.com/2021.3/Documentation/ScriptReference/Application-temporaryCachePath.html).
        /// </summary>
        static string PidFolder()
        {
#if UNITY_EDITOR
            var library = Path.Combine(Path.GetDirectoryName(Application.dataPath) ?? ".", "Library");
            return Path.Combine(Path.Combine(library, "RiffForge"), "sidecars");
#else
            return Path.Combine(Application.temporaryCachePath, "riffforge-sidecars");
#endif
        }
    }
}
