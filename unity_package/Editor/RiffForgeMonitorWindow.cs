using System.Collections.Generic;
using RiffForge.Core;
using UnityEditor;
using UnityEngine;

namespace RiffForge.EditorTools
{
    /// <summary>
    /// Window > RiffForge > Monitor: the sidecar's status and versions, the latency of recent requests, a
    /// "Request test riff" button and a piano roll of the last riff. In Edit mode the button starts a sidecar
    /// owned by this window (stopped when the window closes and before a domain reload). One Editor runs one
    /// sidecar process: when Play is pressed (PlayModeStateChange.ExitingEditMode, "before the Editor is in
    /// play mode": https://docs.unity.cn/2021.3/Documentation/ScriptReference/PlayModeStateChange.html, raised
    /// by EditorApplication.playModeStateChanged) the window disposes its own session and waits for its process
    /// before the game's RiffForgeSidecar starts one; in Play mode it shows the game's shared session and
    /// starts none. <see cref="MonitorSessionHandoff"/> holds those rules.
    /// </summary>
    public sealed class RiffForgeMonitorWindow : EditorWindow
    {
        const float LaneHeight = 60f;
        static readonly Color[] LaneColors = { new Color(0.95f, 0.45f, 0.2f), new Color(0.3f, 0.65f, 1f), new Color(0.8f, 0.8f, 0.8f) };

        MonitorSessionHandoff _handoff;
        Riff _shownRiff;
        string _lastTestRiffNote;
        float _testIntensity = 0.7f;
        MetalStyle _testStyle = MetalStyle.Thrash;
        Vector2 _scroll;
        double _lastRepaint;

        [MenuItem("Window/RiffForge/Monitor")]
        public static void Open()
        {
            var window = GetWindow<RiffForgeMonitorWindow>("RiffForge");
            window.minSize = new Vector2(420f, 360f);
            window.Show();
        }

        void OnEnable()
        {
            titleContent = new GUIContent("RiffForge");
            if (_handoff == null)
                _handoff = new MonitorSessionHandoff(
                    MonitorSessionHandoff.PhaseNow(EditorApplication.isPlaying, EditorApplication.isPlayingOrWillChangePlaymode),
                    StartEditSession);
            EditorApplication.update += Tick;
            AssemblyReloadEvents.beforeAssemblyReload += StopEditSession;
            EditorApplication.playModeStateChanged += OnPlayModeStateChanged;
        }

        void OnDisable()
        {
            EditorApplication.update -= Tick;
            AssemblyReloadEvents.beforeAssemblyReload -= StopEditSession;
            EditorApplication.playModeStateChanged -= OnPlayModeStateChanged;
            StopEditSession();
        }

        void OnPlayModeStateChanged(PlayModeStateChange change)
        {
            _handoff.Changed(Phase(change));
            if (change == PlayModeStateChange.ExitingEditMode && !_handoff.LastStopInTime)
                Debug.LogWarning("RiffForge Monitor: the window's Edit-mode sidecar did not exit within "
                    + MonitorSessionHandoff.DefaultHandOffWaitSeconds + " s of Play; it is killed in the background.");
        }

        static EditorPlayPhase Phase(PlayModeStateChange change)
        {
            switch (change)
            {
                case PlayModeStateChange.ExitingEditMode: return EditorPlayPhase.ExitingEditMode;
                case PlayModeStateChange.EnteredPlayMode: return EditorPlayPhase.PlayMode;
                case PlayModeStateChange.ExitingPlayMode: return EditorPlayPhase.ExitingPlayMode;
                default: return EditorPlayPhase.EditMode;
            }
        }

        // Window closed, or scripts about to reload: stop without waiting (the process is reaped in the background).
        void StopEditSession()
        {
            if (_handoff != null) _handoff.StopOwn(false);
        }

        void Tick()
        {
            var now = EditorApplication.timeSinceStartup;
            var own = _handoff.Own;
            if (own != null) own.Update(now, 0.005);
            if (now - _lastRepaint < 0.2) return; // a few repaints a second are plenty for a monitor
            _lastRepaint = now;
            Repaint();
        }

        void OnGUI()
        {
            _scroll = EditorGUILayout.BeginScrollView(_scroll);
            EditorGUILayout.LabelField("Package", RiffForgePackage.Name + " " + RiffForgePackage.Version + ", protocol " + ProtocolVersion.Current);
            EditorGUILayout.Space();
            switch (_handoff.Phase)
            {
                case EditorPlayPhase.EditMode: EditModeGUI(); break;
                case EditorPlayPhase.PlayMode: PlayModeGUI(); break;
                case EditorPlayPhase.ExitingEditMode:
                    EditorGUILayout.HelpBox("Entering Play mode: this window's sidecar was stopped; the game's RiffForgeSidecar runs the one sidecar of this Editor.", MessageType.Info);
                    break;
                default:
                    EditorGUILayout.HelpBox("Leaving Play mode: the game's sidecar is stopping.", MessageType.Info);
                    break;
            }
            EditorGUILayout.Space();
            PianoRollGUI();
            EditorGUILayout.EndScrollView();
        }

        void PlayModeGUI()
        {
            var sidecars = RiffForgeSidecar.Instances;
            var sessions = new List<SidecarSession>(sidecars.Count);
            foreach (var sidecar in sidecars) sessions.Add(sidecar == null ? null : sidecar.Session);
            var shown = _handoff.Shown(sessions);
            if (shown == null)
                EditorGUILayout.HelpBox(sidecars.Count == 0
                    ? "No RiffForgeSidecar in the scene yet: a MetalRiffGenerator creates one on its first request."
                    : "The game's sidecar has not started yet: it starts with the first MetalRiffGenerator request.", MessageType.Info);
            for (var i = 0; i < sidecars.Count; i++)
            {
                if (sidecars[i] == null) continue;
                if (sessions[i] != null && sessions[i] == shown)
                {
                    EditorGUILayout.LabelField(sidecars[i].name + " (the game's sidecar; this window runs none in Play mode)", EditorStyles.boldLabel);
                    SessionGUI(shown);
                }
                else EditorGUILayout.LabelField(sidecars[i].name, "no process (the shared RiffForgeSidecar runs the one sidecar)", EditorStyles.miniLabel);
            }
            var generators = SceneGenerators();
            _testIntensity = EditorGUILayout.Slider("Test intensity", _testIntensity, 0f, 1f);
            using (new EditorGUI.DisabledScope(generators.Length == 0))
            {
                if (GUILayout.Button("Request test riff (first MetalRiffGenerator)"))
                {
                    generators[0].RequestRiff(_testIntensity);
                    _lastTestRiffNote = "asked " + generators[0].name + " for a riff at intensity " + _testIntensity.ToString("0.00");
                }
            }
            foreach (var g in generators)
            {
                if (g.LastRiff == null) continue;
                _shownRiff = g.LastRiff;
                break;
            }
            if (_lastTestRiffNote != null) EditorGUILayout.LabelField(_lastTestRiffNote, EditorStyles.miniLabel);
        }

        void EditModeGUI()
        {
            EditorGUILayout.LabelField("Edit mode: this window can start its own sidecar to try requests (stopped when Play starts).", EditorStyles.wordWrappedMiniLabel);
            var own = _handoff.Own;
            SessionGUI(own);
            _testIntensity = EditorGUILayout.Slider("Test intensity", _testIntensity, 0f, 1f);
            _testStyle = (MetalStyle)EditorGUILayout.EnumPopup("Test style", _testStyle);
            EditorGUILayout.BeginHorizontal();
            if (GUILayout.Button("Request test riff"))
            {
                own = _handoff.OwnForRequest();
                if (own == null) _lastTestRiffNote = "Play mode is starting or ending: request riffs through a MetalRiffGenerator.";
                else
                {
                    try
                    {
                        var id = own.Send(new RiffRequest(_testIntensity) { Style = RiffNames.Style(_testStyle) });
                        _lastTestRiffNote = "request " + id + " sent";
                    }
                    catch (System.ArgumentException e) { _lastTestRiffNote = e.Message; }
                }
            }
            using (new EditorGUI.DisabledScope(own == null))
            {
                if (GUILayout.Button("Stop sidecar", GUILayout.Width(110f))) StopEditSession();
            }
            EditorGUILayout.EndHorizontal();
            if (_lastTestRiffNote != null) EditorGUILayout.LabelField(_lastTestRiffNote, EditorStyles.miniLabel);
            own = _handoff.Own;
            if (own != null && own.LastRiff != null) _shownRiff = own.LastRiff;
        }

        /// <summary>
        /// The scene's generators, unsorted. Object.FindObjectsOfType is obsolete in Unity 6; FindObjectsByType
        /// (https://docs.unity3d.com/ScriptReference/Object.FindObjectsByType.html) exists from 2021.3.18 and
        /// 2022.2, so 2023.1 and later (Unity 6 included) take it and 2021.3/2022.3 keep the older call.
        /// </summary>
        static MetalRiffGenerator[] SceneGenerators()
        {
#if UNITY_2023_1_OR_NEWER
            return FindObjectsByType<MetalRiffGenerator>(FindObjectsSortMode.None);
#else
            return FindObjectsOfType<MetalRiffGenerator>();
#endif
        }

        /// <summary>The window's own Edit-mode session (created by <see cref="MonitorSessionHandoff.OwnForRequest"/> only).</summary>
        SidecarSession StartEditSession()
        {
            var python = EditorPrefs.GetString(RiffForgeSidecarEditor.PythonPrefKey, "");
            string problem;
            var command = SidecarPaths.Resolve(SidecarLaunchMode.Auto, RiffForgeSidecar.SidecarRoot(), python, out problem);
            var session = new SidecarSession(command, problem, null, EditorApplication.timeSinceStartup);
            session.Warning += line => Debug.LogWarning(line);
            session.RequestFailed += e => { _lastTestRiffNote = "request " + e.RequestId + " failed: " + e.Code + ": " + e.Message; };
            session.RiffReady += (id, riff, fallback) =>
            {
                _lastTestRiffNote = "request " + id + ": " + riff + (fallback ? " (baked fallback)" : "");
            };
            session.Start();
            return session;
        }

        static void SessionGUI(SidecarSession session)
        {
            if (session == null)
            {
                EditorGUILayout.LabelField("Status", "not running");
                return;
            }
            EditorGUILayout.LabelField("Status", session.Status, EditorStyles.wordWrappedLabel);
            if (session.CommandLine != null) EditorGUILayout.LabelField("Command", session.CommandLine, EditorStyles.wordWrappedMiniLabel);
            var client = session.Client;
            if (client != null)
            {
                EditorGUILayout.LabelField("Versions", "sidecar " + (client.SidecarVersion ?? "?") + ", protocol " + (client.SidecarProtocolVersion ?? "?")
                    + " (package speaks " + ProtocolVersion.Current + ")");
                EditorGUILayout.LabelField("Host port", client.LocalPort.ToString());
                if (client.DroppedMalformed + client.DroppedUnauthenticated > 0)
                    EditorGUILayout.LabelField("Dropped", client.DroppedMalformed + " malformed, " + client.DroppedUnauthenticated + " with a wrong token");
            }
            EditorGUILayout.LabelField("Latency", session.Latencies.Summary());
            var recent = session.Latencies.Recent();
            if (recent.Length > 0)
            {
                var parts = new List<string>();
                for (var i = System.Math.Max(0, recent.Length - 10); i < recent.Length; i++) parts.Add((recent[i] * 1000.0).ToString("0"));
                EditorGUILayout.LabelField("Recent (ms)", string.Join(" ", parts.ToArray()));
            }
            if (session.EngineLatencies.Count > 0 || session.EngineRequestsInFlight > 0)
                EditorGUILayout.LabelField("In-engine", session.EngineLatencies.Summary() + (session.EngineRequestsInFlight > 0 ? ", " + session.EngineRequestsInFlight + " generating" : ""));
            if (session.LastError != null) EditorGUILayout.LabelField("Last error", session.LastError, EditorStyles.wordWrappedMiniLabel);
            if (session.UsingFallback)
                EditorGUILayout.HelpBox((session.EngineStandsIn ? "Sidecar not available (generators with Engine Auto generate in-engine): " : "Fallback riffs: ")
                    + session.Fallback.Reason, MessageType.Warning);
        }

        void PianoRollGUI()
        {
            EditorGUILayout.LabelField("Last riff", _shownRiff == null ? "none yet" : _shownRiff.ToString(), EditorStyles.wordWrappedMiniLabel);
            var rect = GUILayoutUtility.GetRect(100f, LaneHeight * PianoRollLayout.Lanes.Length, GUILayout.ExpandWidth(true));
            EditorGUI.DrawRect(rect, new Color(0.12f, 0.12f, 0.12f));
            if (_shownRiff == null) return;
            foreach (var x in PianoRollLayout.BarLines(_shownRiff, rect.width))
                EditorGUI.DrawRect(new Rect(rect.x + x, rect.y, 1f, rect.height), new Color(0.4f, 0.4f, 0.4f));
            for (var lane = 1; lane < PianoRollLayout.Lanes.Length; lane++)
                EditorGUI.DrawRect(new Rect(rect.x, rect.y + lane * LaneHeight, rect.width, 1f), new Color(0.3f, 0.3f, 0.3f));
            foreach (var n in PianoRollLayout.Layout(_shownRiff, rect.width, LaneHeight))
            {
                var c = LaneColors[n.Lane];
                var k = 0.45f + 0.55f * n.Velocity;
                EditorGUI.DrawRect(new Rect(rect.x + n.X, rect.y + n.Y, n.Width, n.Height), new Color(c.r * k, c.g * k, c.b * k, 1f));
            }
            for (var lane = 0; lane < PianoRollLayout.Lanes.Length; lane++)
                GUI.Label(new Rect(rect.x + 4f, rect.y + lane * LaneHeight + 2f, 80f, 16f), PianoRollLayout.Lanes[lane], EditorStyles.miniLabel);
        }
    }
}
