using RiffForge.Core;
using UnityEditor;
using UnityEngine;

namespace RiffForge.EditorTools
{
    /// <summary>
    /// MetalRiffGenerator's Inspector: the usual fields (tooltips and ranges come from the component; Engine
    /// among them) plus, in Play mode, what plays now, which engine generates the riffs and what it costs,
    /// and buttons to request a riff or stop.
    /// </summary>
    [CustomEditor(typeof(MetalRiffGenerator))]
    public sealed class MetalRiffGeneratorEditor : Editor
    {
        public override void OnInspectorGUI()
        {
            DrawDefaultInspector();
            if (!EditorApplication.isPlaying) return;
            var generator = (MetalRiffGenerator)target;
            EditorGUILayout.Space();
            EditorGUILayout.LabelField("Live", EditorStyles.boldLabel);
            var riff = generator.CurrentRiff;
            EditorGUILayout.LabelField("Playing", riff == null ? "nothing yet" : riff.ToString(), EditorStyles.wordWrappedMiniLabel);
            EditorGUILayout.LabelField("Engine in use", generator.EngineInUse, EditorStyles.wordWrappedMiniLabel);
            if (generator.Sidecar != null) EditorGUILayout.LabelField("Sidecar", generator.Sidecar.Status, EditorStyles.wordWrappedMiniLabel);
            if (generator.LastRiff != null) EditorGUILayout.LabelField("Last riff from", SourceName(generator.LastRiffSource));
            if (generator.LastRiffFromFallback)
                EditorGUILayout.HelpBox(generator.Engine == RiffEngine.Sidecar
                    ? "The last riff is a baked fallback riff: the sidecar is not available (see the Console and Window > RiffForge > Monitor). Engine Auto would generate it in-engine instead."
                    : "The last riff is a baked riff: neither the sidecar nor the in-engine generator could make it (see the Console and Documentation~/troubleshooting.md).",
                    MessageType.Warning);
            if (generator.Sampler != null && generator.Sampler.StolenVoices > 0)
                EditorGUILayout.LabelField("Stolen voices", generator.Sampler.StolenVoices + " (raise the sampler's Voices if notes cut off)");
            EditorGUILayout.BeginHorizontal();
            if (GUILayout.Button("Request riff now")) generator.RequestRiff(generator.Intensity);
            if (generator.IsPlaying) { if (GUILayout.Button("Stop")) generator.Stop(); }
            else if (GUILayout.Button("Play")) generator.Play();
            EditorGUILayout.EndHorizontal();
        }

        static string SourceName(RiffSource source)
        {
            switch (source)
            {
                case RiffSource.Sidecar: return "the sidecar";
                case RiffSource.InEngine: return "the in-engine generator";
                default: return "baked riffs";
            }
        }

        public override bool RequiresConstantRepaint() { return EditorApplication.isPlaying; }
    }
}
