using RiffForge.Core;
using UnityEditor;
using UnityEngine;

namespace RiffForge.EditorTools
{
    /// <summary>RiffForgeSidecar's Inspector: the usual fields plus, in Play mode, its status and a restart button.</summary>
    [CustomEditor(typeof(RiffForgeSidecar))]
    public sealed class RiffForgeSidecarEditor : Editor
    {
        /// <summary>EditorPrefs key of the Python the monitor window's edit-mode sidecar uses (Source/Auto).</summary>
        public const string PythonPrefKey = "RiffForge.PythonPath";

        public override void OnInspectorGUI()
        {
            DrawDefaultInspector();
            var sidecar = (RiffForgeSidecar)target;
            if (sidecar.LaunchMode == SidecarLaunchMode.Source && string.IsNullOrEmpty(sidecar.PythonPath)
                && string.IsNullOrEmpty(System.Environment.GetEnvironmentVariable(SidecarPaths.PythonVariable)))
                EditorGUILayout.HelpBox("Launch Mode Source needs Python Path (or RIFFFORGE_PYTHON): a Python with riffforge installed.", MessageType.Warning);
            if (!string.IsNullOrEmpty(sidecar.PythonPath)) EditorPrefs.SetString(PythonPrefKey, sidecar.PythonPath);
            if (!EditorApplication.isPlaying) return;
            EditorGUILayout.Space();
            EditorGUILayout.LabelField("Status", sidecar.Status, EditorStyles.wordWrappedLabel);
            var session = sidecar.Session;
            if (session != null) EditorGUILayout.LabelField("Latency", session.Latencies.Summary());
            if (GUILayout.Button("Restart sidecar")) sidecar.Restart();
            if (GUILayout.Button("Open monitor")) RiffForgeMonitorWindow.Open();
        }

        public override bool RequiresConstantRepaint() { return EditorApplication.isPlaying; }
    }
}
