using System;
using System.Collections.Generic;
using RiffForge.Core;
using UnityEngine;
using UnityEngine.Audio;

namespace RiffForge
{
    /// <summary>A sound of the built-in sampler replaced by your own clip (name as in Resources/RiffForgeSounds).</summary>
    [Serializable]
    public sealed class SoundOverride
    {
        [Tooltip("The sound to replace: kick, snare, hat_closed, hat_open, crash, china, ride, tom_high, tom_mid, tom_floor, guitar_38, guitar_50, guitar_62, bass_28, bass_40.")]
        public string sound = "kick";

        [Tooltip("Your clip. Pitched voices (guitar_NN, bass_NN) must be the MIDI note NN: the sampler shifts it to the notes around it.")]
        public AudioClip clip;
    }

    /// <summary>
    /// The sound out of the box: a pool of AudioSources playing the package's synthesised drum one-shots
    /// and pitch-shifted guitar and bass voices, each note started with AudioSource.PlayScheduled at its
    /// exact dspTime. Mute it (or remove it) and handle MetalRiffGenerator.OnNote to drive your own synth.
    /// Every voice is one AudioSource and counts against the project's Max Real Voices (Project Settings >
    /// Audio, 32 by default: https://docs.unity3d.com/Manual/class-AudioManager.html,
    /// https://docs.unity3d.com/ScriptReference/AudioConfiguration-numRealVoices.html); past it Unity
    /// virtualises (silences) the least important sources, the sampler's or the game's. Keep Voices well below it.
    /// Each voice is a child GameObject with its AudioSource and a <see cref="RiffVoice"/> filter after it. A
    /// stolen voice is faded on the audio thread: its RiffVoice ramps the gain linearly to 0 over
    /// <see cref="VoiceFade.RampSeconds"/> (5 ms, counted in samples at AudioSettings.outputSampleRate), sample
    /// by sample, and its scheduled end (<see cref="SamplerPlanner.FadeSeconds"/>, set from
    /// <see cref="VoiceFade.SecondsUntilSilent"/>) falls after the ramp is over, so it stops silent; the voice is
    /// reused only after that end, at full gain again.
    /// </summary>
    [DisallowMultipleComponent]
    [AddComponentMenu("RiffForge/Riff Sampler")]
    public sealed class RiffSampler : MonoBehaviour
    {
        /// <summary>The Resources folder of the default sounds.</summary>
        public const string ResourcesFolder = "RiffForgeSounds";

        /// <summary>Default voice count: leaves 8 of Unity's default 32 Max Real Voices to the game.</summary>
        public const int DefaultVoices = 24;

        /// <summary>
        /// Default AudioSource.priority of the voices (https://docs.unity3d.com/ScriptReference/AudioSource-priority.html:
        /// 0 highest, 255 lowest; the AudioSource default is 128, https://docs.unity3d.com/Manual/class-AudioSource.html).
        /// 160 is less important than a default source: music is the first thing to drop when the game's sounds
        /// need the real voices, rather than a line of dialogue.
        /// </summary>
        public const int DefaultPriority = 160;

        [Tooltip("Silence the sampler (OnNote still fires, for your own synth).")]
        [SerializeField] bool mute;

        [Tooltip("Overall sampler volume.")]
        [Range(0f, 1f)]
        [SerializeField] float volume = 0.8f;

        [Tooltip("Guitar volume in the mix.")]
        [Range(0f, 1f)]
        [SerializeField] float guitarVolume = 0.8f;

        [Tooltip("Bass volume in the mix.")]
        [Range(0f, 1f)]
        [SerializeField] float bassVolume = 0.9f;

        [Tooltip("Drums volume in the mix.")]
        [Range(0f, 1f)]
        [SerializeField] float drumsVolume = 1f;

        [Tooltip("How many notes may sound at once (one AudioSource each). Every voice counts against Project Settings > Audio > Max Real Voices (32 by default), shared with the game's own sounds: keep the sum below it. A stolen voice fades out over a few ms instead of being cut.")]
        [Range(4, 64)]
        [SerializeField] int voices = DefaultVoices;

        [Tooltip("AudioSource priority of every voice: 0 most important, 255 least, Unity's default 128. Above the default so the game's dialogue and effects win when Max Real Voices is reached.")]
        [Range(0, 255)]
        [SerializeField] int priority = DefaultPriority;

        [Tooltip("Optional Audio Mixer group for every voice (effects, ducking). Empty: straight to the listener.")]
        [SerializeField] AudioMixerGroup output;

        [Tooltip("Your own clips for some of the sounds; the rest come from the package.")]
        [SerializeField] SoundOverride[] overrides = new SoundOverride[0];

        readonly Dictionary<string, AudioClip> _clips = new Dictionary<string, AudioClip>(StringComparer.Ordinal);
        readonly List<VoiceCommand> _commands = new List<VoiceCommand>();

        // WebGL mixes audio in the browser (Web Audio), where script filters do not run: OnAudioFilterRead is not
        // among the audio features that page lists, and "anything not listed here is not currently supported on
        // WebGL" (https://docs.unity.cn/2020.1/Documentation/Manual/webgl-audio.html). There a stolen voice stops
        // at its scheduled end after the bare ramp time, as a cut.
#if UNITY_WEBGL && !UNITY_EDITOR
        static readonly bool FiltersRun = false;
#else
        static readonly bool FiltersRun = true;
#endif
        AudioSource[] _sources;
        RiffVoice[] _voices;
        int _rampFrames = 1;
        SamplerPlanner _planner;

        public bool Mute { get { return mute; } set { mute = value; } }
        public float Volume { get { return volume; } set { volume = Mathf.Clamp01(value); } }

        /// <summary>Notes that took a voice still sounding so far.</summary>
        public long StolenVoices { get { return _planner == null ? 0 : _planner.StolenVoices; } }

        /// <summary>Names of the sounds that were found (for the monitor and tests in the Editor).</summary>
        public ICollection<string> LoadedSounds { get { return _clips.Keys; } }

        void Awake()
        {
            Setup();
        }

        void OnDisable()
        {
            StopAll();
        }

        /// <summary>
        /// The fade's length in samples and how long a stolen voice stays busy, from the mixer's current output
        /// rate (https://docs.unity.cn/2021.3/Documentation/ScriptReference/AudioSettings-outputSampleRate.html)
        /// and DSP buffer length (AudioSettings.GetConfiguration().dspBufferSize, the way
        /// https://docs.unity3d.com/ScriptReference/AudioConfiguration-dspBufferSize.html recommends). Both can
        /// change with the output device, so they are read before every note (a struct copy, no allocation).
        /// </summary>
        void FollowMixer()
        {
            if (!FiltersRun) return;
            var rate = AudioSettings.outputSampleRate;
            if (rate <= 0) return;
            var buffer = AudioSettings.GetConfiguration().dspBufferSize;
            _rampFrames = VoiceFade.RampFrames(rate);
            _planner.FadeSeconds = VoiceFade.SecondsUntilSilent(rate, Math.Max(0, buffer));
        }

        void Setup()
        {
            if (_planner != null) return;
            foreach (var clip in Resources.LoadAll<AudioClip>(ResourcesFolder)) _clips[clip.name] = clip;
            if (overrides != null)
                foreach (var o in overrides)
                    if (o != null && o.clip != null && !string.IsNullOrEmpty(o.sound)) _clips[o.sound] = o.clip;
            foreach (var clip in _clips.Values) clip.LoadAudioData();
            if (_clips.Count == 0)
                Debug.LogWarning("RiffForge sampler: no sounds found in Resources/" + ResourcesFolder
                    + " (the package ships them in Runtime/Resources/" + ResourcesFolder + "); notes play through OnNote only.", this);
            var holder = new GameObject("RiffForge Voices");
            holder.transform.SetParent(transform, false);
            _sources = new AudioSource[voices];
            _voices = new RiffVoice[voices];
            for (var i = 0; i < voices; i++)
            {
                // One GameObject per voice: an OnAudioFilterRead filter applies to the AudioSource on its own
                // GameObject, so each voice's fade needs a GameObject of its own. The source comes first, the
                // filter after it in the chain.
                var go = new GameObject("Voice " + i);
                go.transform.SetParent(holder.transform, false);
                var source = go.AddComponent<AudioSource>();
                source.playOnAwake = false;
                source.loop = false;
                source.spatialBlend = 0f;
                source.priority = priority;
                source.outputAudioMixerGroup = output;
                _sources[i] = source;
                if (FiltersRun) _voices[i] = go.AddComponent<RiffVoice>();
            }
            _planner = new SamplerPlanner(voices, name =>
            {
                AudioClip clip;
                return _clips.TryGetValue(name, out clip) && clip != null ? clip.length : -1.0;
            });
        }

        /// <summary>Schedules one note (called by MetalRiffGenerator for every note it emits).</summary>
        public void Schedule(ScheduledNote note, double dspNow)
        {
            if (mute || !isActiveAndEnabled) return;
            Setup();
            _planner.MasterVolume = volume;
            _planner.SetInstrumentVolume("guitar", guitarVolume);
            _planner.SetInstrumentVolume("bass", bassVolume);
            _planner.SetInstrumentVolume("drums", drumsVolume);
            FollowMixer();
            _commands.Clear();
            _planner.Plan(note, dspNow, _commands);
            for (var n = 0; n < _commands.Count; n++)
            {
                var c = _commands[n];
                var source = _sources[c.Voice];
                if (!c.Play)
                {
                    // A stolen voice: the ramp runs on the audio thread from its next buffer, and the scheduled
                    // end (after the ramp is over) stops the source once it is silent.
                    if (c.FadeOut && _voices[c.Voice] != null) _voices[c.Voice].Fade.FadeOut(_rampFrames);
                    source.SetScheduledEndTime(c.End);
                    continue;
                }
                AudioClip clip;
                if (!_clips.TryGetValue(c.Sound, out clip)) continue;
                source.Stop();
                if (_voices[c.Voice] != null) _voices[c.Voice].Fade.Rearm();   // the old sound is stopped: full gain for the new one
                source.clip = clip;
                source.pitch = (float)c.PitchRatio;
                source.volume = (float)c.Volume;
                source.PlayScheduled(c.Start);
                if (!double.IsNaN(c.End)) source.SetScheduledEndTime(c.End);
            }
        }

        /// <summary>Silences every voice at once.</summary>
        public void StopAll()
        {
            if (_sources != null)
                for (var i = 0; i < _sources.Length; i++)
                {
                    if (_sources[i] != null) _sources[i].Stop();
                    if (_voices[i] != null) _voices[i].Fade.Rearm();
                }
            if (_planner != null) _planner.Reset();
        }
    }
}
