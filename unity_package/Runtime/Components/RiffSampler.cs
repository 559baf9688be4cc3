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
    /// </summary>
    [DisallowMultipleComponent]
    [AddComponentMenu("RiffForge/Riff Sampler")]
    public sealed class RiffSampler : MonoBehaviour
    {
        /// <summary>The Resources folder of the default sounds.</summary>
        public const string ResourcesFolder = "RiffForgeSounds";

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

        [Tooltip("How many notes may sound at once (one AudioSource each). Cymbals ring long: raise it if notes cut off (the monitor shows stolen voices).")]
        [Range(4, 128)]
        [SerializeField] int voices = 40;

        [Tooltip("Optional Audio Mixer group for every voice (effects, ducking). Empty: straight to the listener.")]
        [SerializeField] AudioMixerGroup output;

        [Tooltip("Your own clips for some of the sounds; the rest come from the package.")]
        [SerializeField] SoundOverride[] overrides = new SoundOverride[0];

        readonly Dictionary<string, AudioClip> _clips = new Dictionary<string, AudioClip>(StringComparer.Ordinal);
        readonly List<VoiceCommand> _commands = new List<VoiceCommand>();
        AudioSource[] _sources;
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
            for (var i = 0; i < voices; i++)
            {
                var source = holder.AddComponent<AudioSource>();
                source.playOnAwake = false;
                source.loop = false;
                source.spatialBlend = 0f;
                source.outputAudioMixerGroup = output;
                _sources[i] = source;
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
            _commands.Clear();
            _planner.Plan(note, dspNow, _commands);
            foreach (var c in _commands)
            {
                var source = _sources[c.Voice];
                if (!c.Play)
                {
                    source.SetScheduledEndTime(c.End);
                    continue;
                }
                AudioClip clip;
                if (!_clips.TryGetValue(c.Sound, out clip)) continue;
                source.Stop();
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
                foreach (var s in _sources) if (s != null) s.Stop();
            if (_planner != null) _planner.Reset();
        }
    }
}
