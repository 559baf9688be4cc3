using System.Collections.Generic;
using RiffForge.Core;
using UnityEditor;
using UnityEngine;

namespace RiffForge.EditorTools
{
    /// <summary>
    /// Window > RiffForge > Monitor: the sidecar's status and versions, the latency of recent requests, a
    /// "Request test riff" button and a piano roll of the last riff. In Play mode it watches the scene's
    /// RiffForgeSidecar components; in Edit mode the button starts a sidecar owned by this window (stopped
    /// when the window closes, before a domain reload and when Play mode starts).
    /// </summary>
    public sealed class RiffForgeMonitorWindow : EditorWindow
    {
        const float LaneHeight = 60f;
        static readonly Color[] LaneColors = { new Color(0.95f, 0.45f, 0.2f), new Color(0.3f, 0.65f, 1f), new Color(0.8f, 0.8f, 0.8f) };

        SidecarSession _editSession;
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
            if (change == PlayModeStateChange.ExitingEditMode) StopEditSession();
        }

        void StopEditSession()
        {
            if (_editSession == null) return;
            _editSession.Dispose();
            _editSession = null;
        }

        void Tick()
        {
            var now = EditorApplication.timeSinceStartup;
            if (_editSession != null) _editSession.Update(now, 0.005);
            if (now - _lastRepaint < 0.2) return; // a few repaints a second are plenty for a monitor
            _lastRepaint = now;
            Repaint();
        }

        void OnGUI()
        {
            _scroll = EditorGUILayout.BeginScrollView(_scroll);
            EditorGUILayout.LabelField("Package", RiffForgePackage.Name + " " + RiffForgePackage.Version + ", protocol " + ProtocolVersion.Current);
            EditorGUILayout.Space();
            if (EditorApplication.isPlaying) PlayModeGUI();
            else EditModeGUI();
            EditorGUILayout.Space();
            PianoRollGUI();
            EditorGUILayout.EndScrollView();
        }

        void PlayModeGUI()
        {
            var sidecars = RiffForgeSidecar.Instances;
            if (sidecars.Count == 0)
                EditorGUILayout.HelpBox("No RiffForgeSidecar in the scene yet: a MetalRiffGenerator creates one on its first request.", MessageType.Info);
            foreach (var sidecar in sidecars)
            {
                if (sidecar == null) continue;
                EditorGUILayout.LabelField(sidecar.name, EditorStyles.boldLabel);
                SessionGUI(sidecar.Session);
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
            EditorGUILayout.LabelField("Edit mode: this window can start its own sidecar to try requests.", EditorStyles.wordWrappedMiniLabel);
            SessionGUI(_editSession);
            _testIntensity = EditorGUILayout.Slider("Test intensity", _testIntensity, 0f, 1f);
            _testStyle = (MetalStyle)EditorGUILayout.EnumPopup("Test style", _testStyle);
            EditorGUILayout.BeginHorizontal();
            if (GUILayout.Button("Request test riff"))
            {
                if (_editSession == null) StartEditSession();
                try
                {
                    var id = _editSession.Send(new RiffRequest(_testIntensity) { Style = RiffNames.Style(_testStyle) });
                    _lastTestRiffNote = "request " + id + " sent";
                }
                catch (System.ArgumentException e) { _lastTestRiffNote = e.Message; }
            }
            using (new EditorGUI.DisabledScope(_editSession == null))
            {
                if (GUILayout.Button("Stop sidecar", GUILayout.Width(110f))) StopEditSession();
            }
            EditorGUILayout.EndHorizontal();
            if (_lastTestRiffNote != null) EditorGUILayout.LabelField(_lastTestRiffNote, EditorStyles.miniLabel);
            if (_editSession != null && _editSession.LastRiff != null) _shownRiff = _editSession.LastRiff;
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

        void StartEditSession()
        {
            var python = EditorPrefs.GetString(RiffForgeSidecarEditor.PythonPrefKey, "");
            string problem;
            var command = SidecarPaths.Resolve(SidecarLaunchMode.Auto, RiffForgeSidecar.SidecarRoot(), python, out problem);
            _editSession = new SidecarSession(command, problem, null, EditorApplication.timeSinceStartup);
            _editSession.Warning += line => Debug.LogWarning(line);
            _editSession.RequestFailed += e => { _lastTestRiffNote = "request " + e.RequestId + " failed: " + e.Code + ": " + e.Message; };
            _editSession.RiffReady += (id, riff, fallback) =>
            {
                _lastTestRiffNote = "request " + id + ": " + riff + (fallback ? " (baked fallback)" : "");
            };
            _editSession.Start();
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
            if (session.LastError != null) EditorGUILayout.LabelField("Last error", session.LastError, EditorStyles.wordWrappedMiniLabel);
            if (session.UsingFallback) EditorGUILayout.HelpBox("Fallback riffs: " + session.Fallback.Reason, MessageType.Warning);
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
