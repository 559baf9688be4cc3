using System;
using System.Collections.Generic;
using UnityEngine;

namespace RiffForge
{
    /// <summary>
    /// The in-engine generator every MetalRiffGenerator shares: the model assets are read from
    /// Resources/RiffForgeEngine once, on first use (<see cref="Runner"/>), and one <see cref="EngineRunner"/>
    /// generates for all generators (threaded, or sliced on WebGL: <see cref="EngineChoice.Scheduling"/>).
    /// The assets are read on the main thread (Resources is a main-thread API) and parsed by the runner on
    /// its worker thread before the first request, so enabling a generator does not stall a frame for the
    /// parse (WebGL, without threads, parses in the first sliced frame). When an asset is missing, one
    /// warning says why and generators play baked riffs; when one does not parse, the session answers with
    /// baked riffs and warns once.
    /// </summary>
    public static class InEngineRiffs
    {
        static EngineRunner _runner;
        static string _problem;
        static bool _tried;
        static bool _targetLineTaken;
        static int _pumpedFrame = -1;

        /// <summary>The shared runner, loading the assets on first use; null when they did not load (see <see cref="Problem"/>).</summary>
        public static EngineRunner Runner
        {
            get
            {
                if (!_tried) Load();
                return _runner;
            }
        }

        /// <summary>True once the assets loaded (does not load them).</summary>
        public static bool IsLoaded { get { return _runner != null; } }

        /// <summary>Why the assets did not load, or null.</summary>
        public static string Problem { get { return _problem; } }

        /// <summary>
        /// The one line logged when a generator set to Auto generates in-engine because this build target cannot
        /// start the sidecar; null after the first call (until the next Play session).
        /// </summary>
        public static string TakeTargetLine()
        {
            if (_targetLineTaken) return null;
            _targetLineTaken = true;
            return "RiffForge: this build target (" + SidecarPlatform.Current + ") cannot start the sidecar; generating riffs in-engine ("
                + EngineChoice.Scheduling.ToString().ToLowerInvariant() + ")";
        }

        /// <summary>
        /// Advances sliced generation once per frame (<paramref name="frame"/>: Time.frameCount; later calls in
        /// the same frame do nothing, so every generator and the sidecar component may call it). Threaded: nothing
        /// to do. Does not load the assets.
        /// </summary>
        public static void PumpOnce(int frame)
        {
            if (_runner == null || frame == _pumpedFrame) return;
            _pumpedFrame = frame;
            _runner.Pump();
        }

        static void Load()
        {
            _tried = true;
            try
            {
                // Resources.Load<T>(path): the asset at path inside a Resources folder, extension omitted, or null
                // (https://docs.unity3d.com/2020.1/Documentation/ScriptReference/Resources.Load.html); a .bytes file
                // imports as a TextAsset whose bytes are the file's raw bytes
                // (https://docs.unity3d.com/2018.3/Documentation/ScriptReference/TextAsset-bytes.html).
                var bytes = new Dictionary<string, byte[]>();
                foreach (var name in EngineAssets.ModelNames)
                {
                    var asset = Resources.Load<TextAsset>(EngineAssets.ResourcesFolder + "/" + name);
                    bytes[name] = asset == null ? null : asset.bytes;
                    if (bytes[name] == null || bytes[name].Length == 0) throw EngineAssets.Missing(name + ".bytes");
                }
                var styles = Resources.Load<TextAsset>(EngineAssets.ResourcesFolder + "/" + EngineAssets.StylesName);
                var json = styles == null ? null : styles.text;
                if (string.IsNullOrEmpty(json)) throw EngineAssets.Missing(EngineAssets.StylesName + ".json");
                _runner = new EngineRunner(() =>
                {
                    var generator = EngineAssets.Load(n => bytes[n], n => json).CreateGenerator();
                    bytes = null; // parsed: the raw bytes can go
                    return generator;
                }, EngineChoice.Scheduling);
                _sessionEnd.Set(true);
            }
            catch (Exception e)
            {
                _problem = e.Message;
                Debug.LogWarning("RiffForge: the in-engine generator is not available, so riffs fall back to baked riffs where the sidecar "
                    + "cannot generate them: " + e.GetType().Name + ": " + e.Message + " (RiffForge says this once; see Documentation~/troubleshooting.md.)");
            }
        }

        /// <summary>Stops the worker thread (play-mode exit, domain reload, quit); the next use loads again.</summary>
        public static void Shutdown()
        {
            var runner = _runner;
            _runner = null;
            _tried = false;
            _problem = null;
            _pumpedFrame = -1;
            _sessionEnd.Set(false);
            if (runner != null) runner.Dispose();
        }

        static readonly PlaySessionEnd _sessionEnd = new PlaySessionEnd(Shutdown);

        // With "Enter Play Mode Options" and no domain reload, statics survive from the last Play session.
        [RuntimeInitializeOnLoadMethod(RuntimeInitializeLoadType.SubsystemRegistration)]
        static void ResetStatics()
        {
            Shutdown();
            _targetLineTaken = false;
        }
    }
}
