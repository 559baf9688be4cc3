using RiffForge.Core;
using UnityEngine;

namespace RiffForge.Samples
{
    /// <summary>
    /// The RiffForge seed game in one script: a Metal arena where the band joins as the player makes choices
    /// (only the guitar plays at first; freeing the bassist and waking the drummer unlock their parts), and
    /// the music's intensity follows the action. Drop it on an empty GameObject in an empty scene and press
    /// Play: it builds the rest (generator, sampler, sidecar) and draws its UI with IMGUI, so it needs no
    /// other asset. See README.md for the scene and what to expect.
    /// </summary>
    [AddComponentMenu("RiffForge/Samples/Metal Arena Demo")]
    public sealed class MetalArenaDemo : MonoBehaviour
    {
        [Tooltip("The generator to drive; empty: one is added to this GameObject.")]
        [SerializeField] MetalRiffGenerator generator;

        [Tooltip("Seconds between enemy waves while the arena is open.")]
        [Range(2f, 30f)]
        [SerializeField] float waveInterval = 8f;

        readonly ActionMeter _action = new ActionMeter();
        bool _bassFreed, _drummerAwake, _arenaOpen;
        int _enemies;
        float _nextWave;
        int _bar, _beat;
        float _beatFlash;
        string _lastRiff = "waiting for the first riff...";

        void Awake()
        {
            if (generator == null) generator = GetComponent<MetalRiffGenerator>();
            if (generator == null) generator = gameObject.AddComponent<MetalRiffGenerator>();
            // The seed game starts with a lone guitarist: bass and drums are unlocked by the player's choices.
            generator.SetInstrumentEnabled("guitar", true);
            generator.SetInstrumentEnabled("bass", false);
            generator.SetInstrumentEnabled("drums", false);
            generator.Continuous = true;
            generator.IntensityCeiling = 0.95f;
            generator.MaxChangePerBar = 0.2f;
            generator.OnBeat.AddListener(OnBeat);
            generator.OnRiffReady.AddListener(OnRiff);
        }

        void OnDestroy()
        {
            if (generator == null) return;
            generator.OnBeat.RemoveListener(OnBeat);
            generator.OnRiffReady.RemoveListener(OnRiff);
        }

        void OnBeat(int bar, int beat)
        {
            _bar = bar;
            _beat = beat;
            _beatFlash = beat == 0 ? 1f : 0.5f;
        }

        void OnRiff(Riff riff)
        {
            _lastRiff = riff.Style + ", " + riff.Tempo.ToString("0") + " BPM, intensity " + riff.Intensity.ToString("0.00")
                + (riff.ModelId == BakedRiffs.ModelId ? " (baked fallback: no sidecar)" : " (" + riff.ModelId + ")");
        }

        void Update()
        {
            var dt = Time.deltaTime;
            _beatFlash = Mathf.Max(0f, _beatFlash - dt * 4f);
            if (_arenaOpen && Time.time >= _nextWave)
            {
                _enemies += 3;
                _action.Add(0.15);
                _nextWave = Time.time + waveInterval;
            }
            _action.Floor = Mathf.Min(0.6f, _enemies * 0.05f);
            _action.Tick(dt);
            generator.Intensity = _action.Intensity; // continuous mode follows it, within the comfort limits
        }

        void OnGUI()
        {
            GUILayout.BeginArea(new Rect(16f, 16f, 420f, 520f));
            GUILayout.Label("RiffForge: Metal Arena");
            GUILayout.Label("Action " + _action.Level.ToString("0.00") + "  ->  intensity " + generator.Intensity.ToString("0.00")
                + "   enemies " + _enemies);
            GUILayout.Label("Bar " + _bar + "  beat " + (_beat + 1) + (_beatFlash > 0.6f ? "  ###" : _beatFlash > 0f ? "  #" : ""));
            GUILayout.Label("Riff: " + _lastRiff);
            if (generator.Sidecar != null) GUILayout.Label("Sidecar: " + generator.Sidecar.Status);
            GUILayout.Space(8f);

            GUILayout.Label("Choices (the band joins as you choose):");
            if (!_bassFreed && GUILayout.Button("Free the bassist from the dungeon (unlocks bass)"))
            {
                _bassFreed = true;
                generator.SetInstrumentEnabled("bass", true);
                _action.Add(0.1);
            }
            if (!_drummerAwake && GUILayout.Button("Wake the drummer in the tower (unlocks drums)"))
            {
                _drummerAwake = true;
                generator.SetInstrumentEnabled("drums", true);
                _action.Add(0.1);
            }
            if (!_arenaOpen && GUILayout.Button("Open the arena gates (enemy waves)"))
            {
                _arenaOpen = true;
                _nextWave = Time.time + 1f;
            }
            GUILayout.Space(8f);

            GUILayout.Label("Action:");
            if (GUILayout.Button("Strike! (+action)")) { _action.Add(0.12); if (_enemies > 0) _enemies--; }
            if (GUILayout.Button("The boss appears! (RequestRiff(0.9))"))
            {
                _action.Add(0.6);
                generator.RequestRiff(0.9f);
            }
            if (GUILayout.Button("Rest at the campfire (calm down)"))
            {
                _enemies = 0;
                _arenaOpen = false;
                _action.Add(-1.0);
            }
            GUILayout.Space(8f);
            GUILayout.Label("Style:");
            GUILayout.BeginHorizontal();
            foreach (MetalStyle style in System.Enum.GetValues(typeof(MetalStyle)))
                if (GUILayout.Button(style.ToString())) generator.Style = style;
            GUILayout.EndHorizontal();
            GUILayout.EndArea();
        }
    }
}
