using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using RiffForge.Core;
using UnityEngine;

namespace RiffForge
{
    /// <summary>
    /// Metal that follows the game. Call <see cref="RequestRiff(float)"/> when the boss appears, or just move
    /// <see cref="Intensity"/> and let continuous mode follow it bar by bar. Riffs come from the sidecar
    /// (<see cref="RiffForgeSidecar"/>), play in time on AudioSettings.dspTime through the built-in
    /// <see cref="RiffSampler"/>, and every note, bar and beat is also an event for your own code.
    /// </summary>
    [AddComponentMenu("RiffForge/Metal Riff Generator")]
    public sealed class MetalRiffGenerator : MonoBehaviour
    {
        [Header("Music")]
        [Tooltip("How intense the music is: 0 a slow doom crawl .. 1 a full blast beat. Continuous mode follows it bar by bar; RequestRiff(float) sets it.")]
        [Range(0f, 1f)]
        [SerializeField] float intensity = 0.5f;

        [Tooltip("The Metal style riffs are generated in.")]
        [SerializeField] MetalStyle style = MetalStyle.Thrash;

        [Tooltip("Let the generator choose the tempo from style and intensity. Off: use Tempo.")]
        [SerializeField] bool autoTempo = true;

        [Tooltip("Beats per minute when Auto Tempo is off.")]
        [Range(40f, 320f)]
        [SerializeField] float tempo = 160f;

        [Tooltip("The riffs' key, or Auto to let the generator choose (riffs in a row keep a key only when it is set).")]
        [SerializeField] MusicalKey key = MusicalKey.Auto;

        [Tooltip("Length of each riff in bars (4/4) when Continuous is off. Longer riffs repeat less but follow intensity changes later when a change is small. Continuous mode plays Phrase Bars instead.")]
        [Range(1, 16)]
        [SerializeField] int bars = 2;

        // An enum field (enum types of 32 bits or smaller are serialized:
        // https://docs.unity.com/en-us/engine/6000.0/manual/scripting/compilation-and-code-reload/script-serialization/rules),
        // so the Inspector offers only the phrase lengths; other values (from code, or a scene edited by hand) are refused.
        [Tooltip("Continuous mode plays phrases of this many bars: a 1-2 bar figure repeated with variation and a turnaround at the end. A fresh phrase starts only where the playing one ends; an intensity move still swaps in at the next bar line.")]
        [SerializeField] PhraseLength phraseBars = PhraseLength.EightBars;

        [Tooltip("Use the generator's default sampling temperature. Off: use Temperature.")]
        [SerializeField] bool defaultTemperature = true;

        [Tooltip("Sampling temperature when Default Temperature is off: low = safe and repetitive, high = wild.")]
        [Range(0.1f, 2f)]
        [SerializeField] float temperature = 1f;

        [Tooltip("Seed for reproducible riffs; -1 for a fresh riff every time.")]
        [SerializeField] int seed = -1;

        [Header("Instruments")]
        [Tooltip("Play the guitar part.")]
        [SerializeField] bool guitar = true;

        [Tooltip("Play the bass part (the seed game unlocks it through play).")]
        [SerializeField] bool bass = true;

        [Tooltip("Play the drums (the seed game unlocks them through play).")]
        [SerializeField] bool drums = true;

        [Tooltip("Keep generating parts for disabled instruments, silenced, so an instrument you enable joins in on its very next note. Off: only enabled instruments are generated and enabling one requests a new riff.")]
        [SerializeField] bool generateDisabledInstruments = true;

        [Header("Playback")]
        [Tooltip("Start playing when the scene starts.")]
        [SerializeField] bool playOnStart = true;

        [Tooltip("Keep requesting the next phrase (Phrase Bars long) ahead: a fresh phrase starts where the playing one ends, and when Intensity moves a new phrase swaps in at the next bar line. Off: each RequestRiff's riff (Bars long) loops until the next one.")]
        [SerializeField] bool continuous = true;

        [Tooltip("In continuous mode, follow each phrase with a fresh phrase at its end. Off: a phrase loops until the intensity moves.")]
        [SerializeField] bool varyEachLoop = true;

        [Tooltip("How far ahead of the audio clock notes are scheduled, in seconds. More survives frame hitches; less reacts faster.")]
        [Range(0.05f, 1f)]
        [SerializeField] float lookAhead = 0.2f;

        [Tooltip("How far Intensity must move from the playing riff's intensity before continuous mode swaps in a new riff at the next bar line.")]
        [Range(0.01f, 0.5f)]
        [SerializeField] float swapThreshold = 0.08f;

        [Header("Comfort")]
        [Tooltip("The highest intensity ever played, whatever the game asks (the prototype was made for therapeutic use).")]
        [Range(0f, 1f)]
        [SerializeField] float intensityCeiling = 1f;

        [Tooltip("The largest intensity change from one riff to the next; bigger jumps are taken in steps, bar line by bar line.")]
        [Range(0.01f, 1f)]
        [SerializeField] float maxChangePerBar = 0.25f;

        [Header("Sound and sidecar")]
        [Tooltip("Play notes through the built-in sampler (added automatically when empty). Off: only the events fire; drive your own synth from OnNote.")]
        [SerializeField] bool useBuiltInSampler = true;

        [Tooltip("The sampler that plays the notes; empty: one is added to this GameObject.")]
        [SerializeField] RiffSampler sampler;

        [Tooltip("The sidecar to ask; empty: the shared one (created on first use).")]
        [SerializeField] RiffForgeSidecar sidecar;

        [Header("Events")]
        [Tooltip("A riff arrived and will play at the next bar line.")]
        public RiffEvent OnRiffReady = new RiffEvent();

        [Tooltip("A note (instrument, pitch, velocity, dspTime), raised up to the look-ahead before it sounds.")]
        public NoteEvent OnNote = new NoteEvent();

        [Tooltip("A bar line was reached (bars since playback started).")]
        public BarEvent OnBar = new BarEvent();

        [Tooltip("A beat was reached (bar, beat within the bar).")]
        public BeatEvent OnBeat = new BeatEvent();

        readonly RiffScheduler _scheduler = new RiffScheduler();
        readonly BeatClock _beats = new BeatClock();
        readonly RequestSettings _settings = new RequestSettings();
        readonly List<ScheduledNote> _notes = new List<ScheduledNote>();
        readonly List<ScheduledBar> _bars = new List<ScheduledBar>();
        readonly List<BeatTick> _ticks = new List<BeatTick>();
        readonly Dictionary<int, TaskCompletionSource<Riff>> _waiting = new Dictionary<int, TaskCompletionSource<Riff>>();
        readonly HashSet<int> _noPlay = new HashSet<int>();
        readonly System.Random _random = new System.Random();
        ContinuousPlanner _planner;
        RiffForgeSidecar _sidecar;
        bool _playing;
        bool _refusalWarned;
        bool _phraseBarsWarned;
        int _enabledMask = -1;
        Riff _lastRiff;
        bool _lastFromFallback;

        /// <summary>The intensity the game wants (0..1). Continuous mode follows it within the comfort limits.</summary>
        public float Intensity
        {
            get { return intensity; }
            set { intensity = Mathf.Clamp01(value); }
        }

        public MetalStyle Style { get { return style; } set { style = value; } }
        public bool Continuous { get { return continuous; } set { continuous = value; } }

        /// <summary>
        /// Bars per phrase in continuous mode, 4 or 8. Other values throw ArgumentOutOfRangeException naming
        /// phraseBars and the fix.
        /// </summary>
        public int PhraseBars
        {
            get { return (int)phraseBars; }
            set
            {
                var problem = RequestSettings.CheckPhraseBars(value);
                if (problem != null) throw new ArgumentOutOfRangeException("value", value, problem);
                phraseBars = (PhraseLength)value;
            }
        }

        public float IntensityCeiling { get { return intensityCeiling; } set { intensityCeiling = Mathf.Clamp01(value); } }
        public float MaxChangePerBar { get { return maxChangePerBar; } set { maxChangePerBar = Mathf.Clamp(value, 0.01f, 1f); } }
        public bool IsPlaying { get { return _playing; } }

        /// <summary>The riff playing now (null before the first).</summary>
        public Riff CurrentRiff { get { return _scheduler.Current; } }

        /// <summary>The last riff that arrived, and whether it was a baked fallback riff.</summary>
        public Riff LastRiff { get { return _lastRiff; } }
        public bool LastRiffFromFallback { get { return _lastFromFallback; } }

        /// <summary>The sidecar this generator asks (after Start).</summary>
        public RiffForgeSidecar Sidecar { get { return _sidecar; } }

        /// <summary>The built-in sampler (null when Use Built-in Sampler is off).</summary>
        public RiffSampler Sampler { get { return sampler; } }

        /// <summary>Turns an instrument ("guitar", "bass", "drums") on or off, e.g. when the player unlocks it.</summary>
        public void SetInstrumentEnabled(string instrument, bool enabled)
        {
            switch (instrument)
            {
                case "guitar": guitar = enabled; break;
                case "bass": bass = enabled; break;
                case "drums": drums = enabled; break;
                default: throw new ArgumentException("instrument '" + instrument + "' is not guitar, bass or drums", "instrument");
            }
        }

        public bool IsInstrumentEnabled(string instrument) { SyncSettings(); return _settings.IsEnabled(instrument); }

        void Awake()
        {
            _planner = new ContinuousPlanner(_scheduler.Governor);
            if (useBuiltInSampler && sampler == null)
            {
                sampler = GetComponent<RiffSampler>();
                if (sampler == null) sampler = gameObject.AddComponent<RiffSampler>();
            }
        }

        void Start()
        {
            if (playOnStart) Play();
        }

        void OnEnable()
        {
            Attach();
        }

        void OnDisable()
        {
            Stop();
            Detach();
        }

        void OnDestroy()
        {
            foreach (var t in _waiting.Values) t.TrySetCanceled();
            _waiting.Clear();
        }

        /// <summary>Starts playback: continuous mode requests its first riff, otherwise one riff at Intensity is requested.</summary>
        public void Play()
        {
            if (_playing) return;
            Attach();
            _playing = true;
            SyncSettings();
            if (!continuous && _planner.InFlightId == 0 && _scheduler.Current == null) RequestRiff(intensity);
        }

        /// <summary>Stops at once: scheduled notes are silenced, the riff queue is cleared.</summary>
        public void Stop()
        {
            _playing = false;
            _scheduler.Stop();
            if (_planner != null) _planner.Reset();
            _beats.Clear();
            if (sampler != null) sampler.StopAll();
        }

        /// <summary>
        /// Sets <see cref="Intensity"/> and asks for a riff at it now (within the comfort limits); it swaps in
        /// at the next bar line. Starts playback if stopped.
        /// </summary>
        public void RequestRiff(float intensity)
        {
            Intensity = intensity;
            SyncSettings();
            Send(Clamped(_settings.Build(this.intensity)), RiffPurpose.Explicit, true);
            if (!_playing) { _playing = true; }
        }

        /// <summary>
        /// Asks for exactly this riff (its intensity is clamped to the comfort limits); it swaps in at the next
        /// bar line. Throws ArgumentException naming the field when the request is invalid.
        /// </summary>
        public void RequestRiff(RiffRequest request)
        {
            if (request == null) throw new ArgumentNullException("request");
            SyncSettings();
            Send(Clamped(request), RiffPurpose.Explicit, true);
            if (!_playing) { _playing = true; }
        }

        /// <summary>
        /// Asks for a riff and returns it when it arrives (on the main thread). With <paramref name="play"/> it
        /// also swaps in at the next bar line, like RequestRiff. Fails with SidecarException (its Code says why).
        /// </summary>
        public Task<Riff> RequestRiffAsync(RiffRequest request, bool play = true)
        {
            if (request == null) throw new ArgumentNullException("request");
            SyncSettings();
            var tcs = new TaskCompletionSource<Riff>();
            var id = Send(Clamped(request), RiffPurpose.Explicit, play);
            _waiting[id] = tcs;
            if (play && !_playing) _playing = true;
            return tcs.Task;
        }

        /// <summary>
        /// A copy within the comfort limits, with a seed when the sidecar's prefetch cache could otherwise answer
        /// it with a riff of the nearest 0.1 intensity (which the limits might refuse).
        /// </summary>
        RiffRequest Clamped(RiffRequest request)
        {
            var copy = request.Clone();
            var current = _scheduler.Current;
            double? playing = current == null ? (double?)null : current.Intensity;
            copy.Intensity = _scheduler.Governor.Clamp(request.Intensity, playing);
            IntensityGrid.MakeExact(copy, _random);
            return copy;
        }

        int Send(RiffRequest request, RiffPurpose purpose, bool play)
        {
            Attach();
            // Nothing plays yet: a baked riff answers at once while the sidecar starts (first sound without waiting).
            var id = _scheduler.Current == null ? _sidecar.SendOrStandIn(request) : _sidecar.Send(request);
            if (play) _planner.RequestSent(id, request.Intensity, purpose);
            else _noPlay.Add(id);
            return id;
        }

        void Attach()
        {
            if (_planner == null) _planner = new ContinuousPlanner(_scheduler.Governor);
            if (_sidecar != null) return;
            _sidecar = RiffForgeSidecar.Resolve(sidecar, this);
            _sidecar.RiffReady += OnSidecarRiff;
            _sidecar.RequestFailed += OnSidecarFailed;
        }

        void Detach()
        {
            if (_sidecar == null) return;
            _sidecar.RiffReady -= OnSidecarRiff;
            _sidecar.RequestFailed -= OnSidecarFailed;
            _sidecar = null;
        }

        void SyncSettings()
        {
            _settings.Style = RiffNames.Style(style);
            _settings.Tempo = autoTempo ? (double?)null : tempo;
            _settings.Key = RiffNames.Key(key);
            _settings.Bars = bars;
            _settings.Continuous = continuous;
            SyncPhraseBars();
            _settings.Temperature = defaultTemperature ? (double?)null : temperature;
            _settings.Seed = seed < 0 ? (int?)null : seed;
            _settings.Guitar = guitar;
            _settings.Bass = bass;
            _settings.Drums = drums;
            _settings.GenerateDisabledInstruments = generateDisabledInstruments;
            _scheduler.Governor.Ceiling = Mathf.Clamp01(intensityCeiling);
            _scheduler.Governor.MaxChangePerBar = Mathf.Clamp(maxChangePerBar, 0.01f, 1f);
            _scheduler.LookAheadSeconds = Mathf.Clamp(lookAhead, 0.05f, 1f);
            if (_planner == null) return;
            _planner.Continuous = continuous;
            _planner.VaryEachLoop = varyEachLoop;
            _planner.Target = intensity;
            var session = _sidecar != null ? _sidecar.Session : null;
            _planner.GeneratedRiffsAvailable = session != null && session.IsReady && !session.UsingFallback;
            _planner.SwapThreshold = Mathf.Clamp(swapThreshold, 0.01f, 0.5f);
            // Ask for the follower early enough to cover the look-ahead and a slow answer (p99 latency x 4).
            var latency = session != null ? session.Latencies.Quantile(0.99) : double.NaN;
            _planner.LeadSeconds = ContinuousPlanner.LeadFor(lookAhead, latency);
        }

        /// <summary>
        /// Copies Phrase Bars into the request settings. A serialized value that is not a phrase length (a
        /// hand-edited scene or prefab) is not used: the last good one stays and the error is logged once.
        /// </summary>
        void SyncPhraseBars()
        {
            var problem = RequestSettings.CheckPhraseBars((int)phraseBars);
            if (problem == null) { _settings.PhraseBars = (int)phraseBars; _phraseBarsWarned = false; return; }
            if (_phraseBarsWarned) return;
            _phraseBarsWarned = true;
            Debug.LogError("RiffForge: " + problem, this);
        }

        void Update()
        {
            if (!_playing) return;
            SyncSettings();
            var dsp = AudioSettings.dspTime;
            var enabledMask = _settings.EnabledMask;
            if (_enabledMask >= 0 && enabledMask != _enabledMask && _settings.Lacks(_scheduler.Current) && _planner.InFlightId == 0)
                Send(Clamped(_settings.Build(intensity)), RiffPurpose.Move, true);
            _enabledMask = enabledMask;

            var decision = _planner.Next(dsp, _scheduler);
            if (decision.HandOff != null) HandOff(decision.HandOff, dsp);
            else if (decision.Request)
            {
                var request = _settings.Build(decision.Intensity);
                if (decision.Exact) IntensityGrid.MakeExact(request, _random);
                Send(request, decision.Purpose, true);
            }

            _notes.Clear();
            _bars.Clear();
            _scheduler.Update(dsp, _notes, _bars);
            foreach (var bar in _bars)
            {
                _planner.ObserveBar(bar);
                _beats.AddBar(bar);
            }
            foreach (var note in _notes)
            {
                if (!_settings.IsEnabled(note.Instrument)) continue;
                OnNote.Invoke(note.Instrument, note.Pitch, note.Velocity, note.Time);
                if (useBuiltInSampler && sampler != null) sampler.Schedule(note, dsp);
            }
            _ticks.Clear();
            _beats.Poll(dsp, _ticks);
            foreach (var tick in _ticks)
            {
                if (tick.IsBarLine) OnBar.Invoke(tick.Bar);
                OnBeat.Invoke(tick.Bar, tick.Beat);
            }
        }

        void HandOff(Riff riff, double dsp)
        {
            var problem = _scheduler.Enqueue(riff);
            if (problem == null) { _refusalWarned = false; return; }
            _planner.Refused(dsp);
            if (!_refusalWarned)
            {
                _refusalWarned = true;
                Debug.LogWarning("RiffForge: a riff was not played: " + problem, this);
            }
        }

        void OnSidecarRiff(int id, Riff riff, bool fromFallback)
        {
            TaskCompletionSource<Riff> tcs;
            var mine = _planner.Accept(id, riff) | _noPlay.Remove(id);
            if (_waiting.TryGetValue(id, out tcs)) { _waiting.Remove(id); mine = true; }
            if (!mine) return;
            _lastRiff = riff;
            _lastFromFallback = fromFallback;
            OnRiffReady.Invoke(riff);
            if (tcs != null) tcs.TrySetResult(riff);
        }

        void OnSidecarFailed(SidecarError error)
        {
            var mine = _planner.Failed(error.RequestId, AudioSettings.dspTime) | _noPlay.Remove(error.RequestId);
            TaskCompletionSource<Riff> tcs;
            if (_waiting.TryGetValue(error.RequestId, out tcs))
            {
                _waiting.Remove(error.RequestId);
                tcs.TrySetException(new SidecarException(error.Code, error.Message));
                mine = true;
            }
            if (mine) Debug.LogWarning("RiffForge: request " + error.RequestId + " failed: " + error.Code + ": " + error.Message, this);
        }
    }
}
