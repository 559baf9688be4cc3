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
    /// (<see cref="RiffForgeSidecar"/>) or from the in-engine generator (<see cref="InEngineRiffs"/>), as the
    /// Engine setting says (<see cref="EngineChoice.Route"/>), play in time on AudioSettings.dspTime through the
    /// built-in <see cref="RiffSampler"/>, and every note, bar and beat is also an event for your own code.
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
        [Tooltip("Where riffs are generated. Auto: the sidecar where it can run and is ready; in-engine on Android, iOS, WebGL and consoles, while the sidecar starts and whenever it fails. Sidecar: the sidecar only (baked riffs while it is not available). In Engine: always inside the game, no sidecar process (on a worker thread; on WebGL a little each frame). Baked riffs play only if the engine assets do not load.")]
        [SerializeField] RiffEngine engine = RiffEngine.Auto;

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
        // The route of this generator's requests (decided by Attach from Engine, the build target and whether
        // the engine assets loaded), the engine it may use, and its own session when it uses no sidecar.
        bool _routed;
        RiffEngine _routedSetting;
        EngineRoute _route;
        EngineRunner _runner;
        SidecarSession _own;
        RiffSource _lastSource = RiffSource.Baked;
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

        /// <summary>The sidecar this generator asks (after Start; null when it uses only the in-engine generator or baked riffs).</summary>
        public RiffForgeSidecar Sidecar { get { return _sidecar; } }

        /// <summary>
        /// Where riffs are generated: Auto (default), Sidecar or InEngine. A change takes effect at the next
        /// frame: the request in flight is dropped and playback goes on with the next request.
        /// </summary>
        public RiffEngine Engine { get { return engine; } set { engine = value; } }

        /// <summary>The route this generator's requests take now (meaningful once it is enabled or playing).</summary>
        public EngineRoute Route { get { return _route; } }

        /// <summary>Where the last riff came from (sidecar, in-engine or baked).</summary>
        public RiffSource LastRiffSource { get { return _lastSource; } }

        /// <summary>One line for the Inspector: which engine generates riffs now, and what the engine costs.</summary>
        public string EngineInUse
        {
            get
            {
                if (!_routed) return "not started";
                var session = CurrentSession;
                var how = (_runner != null ? _runner.Scheduling : EngineChoice.Scheduling).ToString().ToLowerInvariant();
                switch (_route)
                {
                    case EngineRoute.EngineOnly:
                        return "in-engine (" + how + ")" + EngineCost(session);
                    case EngineRoute.BakedOnly:
                        return engine == RiffEngine.Sidecar ? "baked riffs (this build target cannot start the sidecar)" : "baked riffs (engine assets: " + InEngineRiffs.Problem + ")";
                    default:
                        var ready = session != null && session.IsReady && !session.UsingFallback;
                        if (ready) return "sidecar";
                        if (_route == EngineRoute.SidecarEngineFallback)
                            return "in-engine (" + how + ") while the sidecar is not ready" + EngineCost(session);
                        return session != null && session.UsingFallback ? "baked riffs (the sidecar is not available)" : "sidecar (starting)";
                }
            }
        }

        string EngineCost(SidecarSession session)
        {
            var s = "";
            if (session != null && session.EngineLatencies.Count > 0) s += ": " + session.EngineLatencies.Summary();
            if (_runner != null && _runner.Scheduling == EngineScheduling.Sliced)
                s += "; " + (_runner.MaxSecondsPerPump * 1000.0).ToString("0.00") + " ms per frame at most";
            return s;
        }

        SidecarSession CurrentSession { get { return _own ?? (_sidecar != null ? _sidecar.Session : null); } }

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
            Detach();
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
            // Nothing plays yet: a stand-in answers at once while the sidecar starts (first sound without
            // waiting): the engine when it generates in a fraction of a second (threaded), else a baked riff.
            var first = _scheduler.Current == null;
            int id;
            if (_own != null) id = first ? _own.SendOrStandIn(request) : _own.Send(request);
            else id = first ? _sidecar.SendOrStandIn(request, _runner) : _sidecar.Send(request, _runner);
            if (play)
            {
                var superseded = _planner.InFlightId;
                _planner.RequestSent(id, request.Intensity, purpose);
                // An in-engine request the planner no longer waits for is not generated to the end (sliced on
                // WebGL it would hold up the next one for seconds). Sidecar requests keep their own course.
                if (superseded < 0 && superseded != id && !_waiting.ContainsKey(superseded) && !_noPlay.Contains(superseded))
                {
                    var session = CurrentSession;
                    if (session != null) session.Cancel(superseded);
                }
            }
            else _noPlay.Add(id);
            return id;
        }

        /// <summary>
        /// Decides the route from Engine, the build target and the engine assets (loaded here once for all
        /// generators when Engine may use them), and connects to the sidecar or to a session of its own.
        /// </summary>
        void Attach()
        {
            if (_planner == null) _planner = new ContinuousPlanner(_scheduler.Governor);
            if (_routed) return;
            _routed = true;
            _routedSetting = engine;
            var runner = EngineChoice.WantsEngine(engine) ? InEngineRiffs.Runner : null;
            _route = EngineChoice.Route(engine, SidecarPlatform.Current, runner != null);
            _runner = _route == EngineRoute.SidecarEngineFallback || _route == EngineRoute.EngineOnly ? runner : null;
            var now = Time.realtimeSinceStartupAsDouble;
            if (_route == EngineRoute.EngineOnly)
            {
                // Auto where no sidecar can run: one line per game says why riffs are generated in-engine.
                var line = engine == RiffEngine.Auto ? InEngineRiffs.TakeTargetLine() : null;
                UseOwnSession(SidecarSession.EngineOnly(runner, line, now), true);
            }
            else if (_route == EngineRoute.BakedOnly && engine != RiffEngine.Sidecar)
            {
                // The engine assets did not load: InEngineRiffs has said why, once; this session adds nothing.
                UseOwnSession(SidecarSession.BakedOnly("RiffForge: playing baked riffs: " + InEngineRiffs.Problem, now), false);
            }
            else
            {
                // The sidecar (on a build target that cannot start it, its session plays baked riffs and says so).
                _sidecar = RiffForgeSidecar.Resolve(sidecar, this);
                _sidecar.RiffReady += OnSidecarRiff;
                _sidecar.RequestFailed += OnSidecarFailed;
            }
        }

        void UseOwnSession(SidecarSession session, bool logs)
        {
            _own = session;
            _own.RiffReady += OnSidecarRiff;
            _own.RequestFailed += OnSidecarFailed;
            if (logs)
            {
                _own.Warning += OnOwnWarning;
                _own.Log += OnOwnLog;
            }
            _own.Start();
        }

        void OnOwnWarning(string line) { Debug.LogWarning(line, this); }
        void OnOwnLog(string line) { Debug.Log(line, this); }

        void Detach()
        {
            _routed = false;
            _runner = null;
            if (_own != null)
            {
                _own.RiffReady -= OnSidecarRiff;
                _own.RequestFailed -= OnSidecarFailed;
                _own.Warning -= OnOwnWarning;
                _own.Log -= OnOwnLog;
                _own.Dispose();
                _own = null;
            }
            if (_sidecar == null) return;
            _sidecar.RiffReady -= OnSidecarRiff;
            _sidecar.RequestFailed -= OnSidecarFailed;
            _sidecar = null;
        }

        /// <summary>Engine changed while enabled: the old route's answers will not come, so start over on the new one.</summary>
        void Reroute()
        {
            Detach();
            foreach (var t in _waiting.Values) t.TrySetCanceled();
            _waiting.Clear();
            _noPlay.Clear();
            _planner.Reset();
            Attach();
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
            var session = CurrentSession;
            var sidecarReady = session != null && session.IsReady && !session.UsingFallback;
            var engineAnswers = _runner != null && !sidecarReady;
            // A baked riff that plays is replaced once generated riffs can come: from the sidecar, or from the
            // engine unless it failed (a failing engine would answer each replacement with a baked riff again).
            _planner.GeneratedRiffsAvailable = sidecarReady || (engineAnswers && session != null && !session.EngineFailed);
            _planner.SwapThreshold = Mathf.Clamp(swapThreshold, 0.01f, 0.5f);
            // Ask for the follower early enough to cover the look-ahead and a slow answer (p99 x 4): the
            // sidecar's latency, or the engine's while it answers (a bound until one was measured).
            var p99 = GenerationTime.AnswerP99(
                session != null ? session.Latencies.Quantile(0.99) : double.NaN,
                engineAnswers,
                session != null ? session.EngineLatencies.Quantile(0.99) : double.NaN,
                _runner != null ? GenerationTime.EnginePrior(_runner.Scheduling, _runner.Budget.FrameSeconds) : double.NaN);
            _planner.LeadSeconds = ContinuousPlanner.LeadFor(lookAhead, p99);
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
            if (_routed && engine != _routedSetting) Reroute();
            if (_runner != null) InEngineRiffs.PumpOnce(Time.frameCount);
            if (_own != null) _own.Update(Time.realtimeSinceStartupAsDouble, 0.002);
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
            var session = CurrentSession;
            _lastSource = session != null ? session.LastRiffSource : fromFallback ? RiffSource.Baked : RiffSource.Sidecar;
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
