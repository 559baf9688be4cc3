using System;
using RiffForge.Core;

namespace RiffForge
{
    /// <summary>Why a riff was asked for; it decides when the riff may swap in.</summary>
    public enum RiffPurpose
    {
        /// <summary>Nothing plays yet: the riff starts as soon as it arrives.</summary>
        Start,
        /// <summary>The wanted intensity moved away from the playing riff's: swap at the next bar line.</summary>
        Move,
        /// <summary>
        /// A fresh riff (in continuous mode a phrase) to follow the playing one: held until the playing riff's last
        /// bar, swaps at its end, the phrase boundary. An intensity move that comes while it is still being
        /// generated or held replaces it.
        /// </summary>
        Continuation,
        /// <summary>The game asked for this riff (RequestRiff): swap at the next bar line.</summary>
        Explicit,
        /// <summary>A generated riff replaces the baked stand-in that played while the sidecar started: swap at the next bar line.</summary>
        Replace,
    }

    /// <summary>What <see cref="ContinuousPlanner.Next"/> wants done now.</summary>
    public struct PlannerDecision
    {
        /// <summary>Not null: hand this riff to the scheduler now (it swaps in at the next bar line it reaches).</summary>
        public Riff HandOff;
        /// <summary>True: send a request for <see cref="Intensity"/> now and report it with <see cref="ContinuousPlanner.RequestSent"/>.</summary>
        public bool Request;
        public double Intensity;
        public RiffPurpose Purpose;
        /// <summary>
        /// True: the riff must have exactly <see cref="Intensity"/>, so the request must not be answered from the
        /// sidecar's prefetch cache (which answers "auto" requests with the nearest 0.1 bucket): give it a seed
        /// (see <see cref="IntensityGrid.MakeExact"/>).
        /// </summary>
        public bool Exact;

        public static readonly PlannerDecision None = new PlannerDecision();

        public override string ToString()
        {
            if (HandOff != null) return "HandOff(" + HandOff.Intensity.ToString("0.###") + ")";
            if (Request) return "Request(" + Intensity.ToString("0.###") + ", " + Purpose + (Exact ? ", exact" : "") + ")";
            return "None";
        }
    }

    /// <summary>
    /// The decisions of continuous mode, free of Unity so tests drive them with a fake clock. At most one riff
    /// is ever "ahead" of the one playing (in flight, held here, or pending in the scheduler), so the intensity
    /// rules of the <see cref="IntensityGovernor"/> hold from riff to riff. In continuous mode each riff is a
    /// phrase (RequestSettings.PhraseBars, 4 or 8 bars), so "the playing riff's end" is the phrase boundary:
    /// <list type="bullet">
    /// <item>nothing plays and nothing is in flight: request a riff at the wanted intensity (clamped);</item>
    /// <item>the wanted intensity differs from the playing riff's by at least <see cref="SwapThreshold"/>: request
    /// the next step towards it (at most the maximum change per bar away) and swap it in at the next bar line,
    /// mid-phrase if need be; a continuation still in flight or held is given up for it;</item>
    /// <item>otherwise, within <see cref="LeadSeconds"/> of the moment the scheduler takes the bar after the playing
    /// riff's loop (its last 16th step): request a fresh riff and hold it until the scheduler schedules the
    /// playing riff's last bar, so it follows seamlessly at the phrase end
    /// (<see cref="VaryEachLoop"/>); one that arrives after that end waits for the end of the next loop, so a
    /// continuation never starts mid-phrase;</item>
    /// <item>a baked riff (a stand-in played while the sidecar starts, <see cref="BakedRiffs"/>) is replaced as soon
    /// as <see cref="GeneratedRiffsAvailable"/>: a riff is requested at once, in continuous mode or not, and swaps in
    /// at the next bar line like every hand-off (the scheduler swaps riffs only at bar lines, never mid-bar);</item>
    /// <item>a failed request is retried after a back-off (0.5 s doubling up to 8 s); a riff the scheduler
    /// refused is dropped and asked for again, clamped to what plays.</item>
    /// </list>
    /// </summary>
    public sealed class ContinuousPlanner
    {
        const double MinRetryDelay = 0.5, MaxRetryDelay = 8.0;

        readonly IntensityGovernor _governor;
        double _target;
        double _swapThreshold = 0.08;
        double _leadSeconds = 1.0;

        bool _hasBar;
        ScheduledBar _lastBar;
        int _inFlightId;
        RiffPurpose _inFlightPurpose;
        double _inFlightIntensity;
        Riff _held;
        RiffPurpose _heldPurpose;
        double _retryAt = double.NegativeInfinity;
        double _retryDelay = MinRetryDelay;
        bool _forceExact;

        public ContinuousPlanner(IntensityGovernor governor)
        {
            if (governor == null) throw new ArgumentNullException("governor");
            _governor = governor;
        }

        /// <summary>True: keep requesting ahead and follow <see cref="Target"/>. False: only explicit riffs play (and loop).</summary>
        public bool Continuous = true;

        /// <summary>True: a fresh riff follows each loop of the playing one; false: the playing riff loops until the intensity moves.</summary>
        public bool VaryEachLoop = true;

        /// <summary>The intensity the game wants (0..1); continuous mode moves towards it bar by bar.</summary>
        public double Target
        {
            get { return _target; }
            set { _target = double.IsNaN(value) ? 0.0 : Math.Max(0.0, Math.Min(1.0, value)); }
        }

        /// <summary>How far (0..1) the wanted intensity must be from the playing riff's to swap before its end.</summary>
        public double SwapThreshold
        {
            get { return _swapThreshold; }
            set
            {
                if (double.IsNaN(value) || value <= 0 || value > 1) throw new ArgumentOutOfRangeException("value", "swap threshold " + value + " must be in (0, 1]");
                _swapThreshold = value;
            }
        }

        /// <summary>
        /// Seconds before the scheduler takes the riff for the bar after the playing riff's loop at which its
        /// follower is requested (cover the look-ahead and the sidecar's latency; see <see cref="LeadFor"/>). The
        /// scheduler takes that riff when it schedules the loop's last 16th step, so the follower is requested
        /// this long before <see cref="LoopEndTime"/> minus one step.
        /// </summary>
        public double LeadSeconds
        {
            get { return _leadSeconds; }
            set
            {
                if (double.IsNaN(value) || value < 0) throw new ArgumentOutOfRangeException("value", "lead " + value + " s must be >= 0");
                _leadSeconds = value;
            }
        }

        /// <summary>
        /// True while the sidecar is ready to generate riffs (not starting, not in fallback): a baked riff that
        /// plays is then replaced at the next bar line.
        /// </summary>
        public bool GeneratedRiffsAvailable;

        /// <summary>The id of the request in flight, 0 when none.</summary>
        public int InFlightId { get { return _inFlightId; } }

        /// <summary>What the request in flight is for (meaningful while <see cref="InFlightId"/> is not 0).</summary>
        public RiffPurpose InFlightPurpose { get { return _inFlightPurpose; } }

        /// <summary>The intensity the request in flight asked for.</summary>
        public double InFlightIntensity { get { return _inFlightIntensity; } }

        /// <summary>A riff that arrived and waits for its hand-off (a continuation waiting for the last bar), or null.</summary>
        public Riff Held { get { return _held; } }

        /// <summary>Clock time of the end of the playing riff's current loop (NaN before the first bar line).</summary>
        public double LoopEndTime
        {
            get { return _hasBar ? _lastBar.Time + (_lastBar.Riff.Bars - _lastBar.BarInRiff) * _lastBar.Riff.SecondsPerBar : double.NaN; }
        }

        /// <summary>Feed every bar line the scheduler emits (in order).</summary>
        public void ObserveBar(ScheduledBar bar)
        {
            if (bar.Riff == null) return;
            _lastBar = bar;
            _hasBar = true;
        }

        /// <summary>
        /// What to do now, given the scheduler that plays the riffs. A held continuation is handed off only
        /// while the scheduler is scheduling the playing riff's last bar, so it swaps in exactly at the riff's
        /// end (the phrase boundary); once the scheduler has taken the loop's first bar again it waits for the
        /// end of that loop.
        /// </summary>
        public PlannerDecision Next(double now, RiffScheduler scheduler)
        {
            if (scheduler == null) throw new ArgumentNullException("scheduler");
            var current = scheduler.Current;
            return Decide(now, current, scheduler.Pending != null, current != null && scheduler.BarsLeftInRiff == 0);
        }

        /// <summary>
        /// What to do now without the scheduler: <paramref name="current"/> is its current riff (null before the
        /// first), <paramref name="schedulerHasPending"/> whether it already holds a riff for the next bar line.
        /// The last bar is told from the bar lines fed to <see cref="ObserveBar"/>, which miss the scheduler
        /// having already taken the next bar (up to one 16th step before the bar line is reported): a host with
        /// the scheduler calls <see cref="Next(double, RiffScheduler)"/>.
        /// </summary>
        public PlannerDecision Next(double now, Riff current, bool schedulerHasPending)
        {
            var onLastBar = _hasBar && current != null && _lastBar.Riff == current && _lastBar.BarInRiff >= current.Bars - 1;
            return Decide(now, current, schedulerHasPending, onLastBar);
        }

        PlannerDecision Decide(double now, Riff current, bool schedulerHasPending, bool onLastBar)
        {
            if (_held != null)
            {
                if (_heldPurpose != RiffPurpose.Continuation || current == null || onLastBar)
                {
                    var riff = _held;
                    _held = null;
                    return new PlannerDecision { HandOff = riff };
                }
                // A continuation waits for the phrase end; the intensity moved meanwhile, so it is stale and a
                // move (which swaps at the next bar line) takes its place.
                if (!MoveWanted(current, schedulerHasPending)) return PlannerDecision.None;
                _held = null;
                return Ask(current.Intensity, RiffPurpose.Move);
            }
            if (_inFlightId != 0)
            {
                // The same for a continuation still being generated: its answer will be ignored.
                if (_inFlightPurpose == RiffPurpose.Continuation && MoveWanted(current, schedulerHasPending))
                    return Ask(current.Intensity, RiffPurpose.Move);
                return PlannerDecision.None;
            }
            if (now < _retryAt) return PlannerDecision.None;
            if (GeneratedRiffsAvailable && current != null && !schedulerHasPending && current.ModelId == BakedRiffs.ModelId)
                return Ask(current.Intensity, RiffPurpose.Replace);
            if (!Continuous) return PlannerDecision.None;
            if (current == null) return Ask(null, RiffPurpose.Start);
            if (schedulerHasPending) return PlannerDecision.None;
            if (MoveWanted(current, false)) return Ask(current.Intensity, RiffPurpose.Move);
            if (VaryEachLoop && _hasBar && _lastBar.Riff == current && LoopEndTime - current.SecondsPerStep - now <= _leadSeconds)
                return Ask(current.Intensity, RiffPurpose.Continuation);
            return PlannerDecision.None;
        }

        /// <summary>
        /// True when continuous mode should move: the wanted intensity (clamped) is at least the swap threshold
        /// away from the playing riff's, and the scheduler holds no riff for the next bar line yet.
        /// </summary>
        bool MoveWanted(Riff current, bool schedulerHasPending)
        {
            if (!Continuous || current == null || schedulerHasPending) return false;
            return Math.Abs(_governor.Clamp(_target, null) - current.Intensity) >= _swapThreshold;
        }

        /// <summary>Seconds of <see cref="LeadFor"/>'s margin for the sidecar's answer when no latency is known yet, and its minimum.</summary>
        public const double MinAnswerMargin = 0.5;

        /// <summary>
        /// The lead for <see cref="LeadSeconds"/>: the look-ahead plus a margin for the answer of four times the
        /// sidecar's p99 latency, at least <see cref="MinAnswerMargin"/> (NaN latency: none measured yet). The
        /// scheduler takes the riff for the next bar when it schedules a bar's last 16th step, a look-ahead
        /// before that step; a follower requested this long before then arrives in time to start exactly at the
        /// loop end whenever the sidecar answers within the margin, whatever the tempo (a 16th step is 63 ms at
        /// 240 BPM, 375 ms at 40) and the phrase length: the margin is in seconds, not bars. When the lead is
        /// longer than the riff, the follower is requested as soon as the riff starts and held until its last bar.
        /// </summary>
        public static double LeadFor(double lookAheadSeconds, double p99LatencySeconds)
        {
            var margin = double.IsNaN(p99LatencySeconds) ? MinAnswerMargin : Math.Max(MinAnswerMargin, p99LatencySeconds * 4.0);
            return Math.Max(0.0, lookAheadSeconds) + margin;
        }

        /// <summary>
        /// A request towards the target from <paramref name="current"/>: on the 0.1 grid when a grid point is
        /// allowed and gets closer to the target (the sidecar answers those from its prefetch cache, fast, with
        /// exactly that intensity); otherwise the exact clamped intensity, marked <see cref="PlannerDecision.Exact"/>.
        /// After a refusal the next request is always exact.
        /// </summary>
        PlannerDecision Ask(double? current, RiffPurpose purpose)
        {
            var desired = _governor.Clamp(_target, current);
            var exact = _forceExact;
            _forceExact = false;
            var intensity = desired;
            if (!exact)
            {
                // A move must get closer to the target; a start or a continuation may sit on a grid point near it
                // (nearer than the swap threshold, so it does not trigger a move right after).
                var within = purpose == RiffPurpose.Move ? (double?)null : _swapThreshold;
                var snapped = IntensityGrid.Snap(desired, current, _governor.Clamp(_target, null), _governor, within);
                if (snapped.HasValue) intensity = snapped.Value;
            }
            return new PlannerDecision { Request = true, Intensity = intensity, Purpose = purpose, Exact = !IntensityGrid.OnGrid(intensity) || exact };
        }

        /// <summary>
        /// Records a request that was sent (by <see cref="Next"/>'s decision or an explicit RequestRiff). A newer
        /// request replaces the one in flight and a held riff: the older answer will be ignored.
        /// </summary>
        public void RequestSent(int requestId, double intensity, RiffPurpose purpose)
        {
            if (requestId == 0) throw new ArgumentException("request id 0 is reserved for 'none'", "requestId");
            _inFlightId = requestId;
            _inFlightIntensity = intensity;
            _inFlightPurpose = purpose;
            if (purpose == RiffPurpose.Explicit) _held = null;
        }

        /// <summary>
        /// An answer arrived. True when it answers the request in flight (the riff is then held for its
        /// hand-off); false for a superseded or unknown request, whose riff must not play.
        /// </summary>
        public bool Accept(int requestId, Riff riff)
        {
            if (riff == null) throw new ArgumentNullException("riff");
            if (requestId == 0 || requestId != _inFlightId) return false;
            _inFlightId = 0;
            _held = riff;
            _heldPurpose = _inFlightPurpose;
            _retryDelay = MinRetryDelay;
            return true;
        }

        /// <summary>The request failed (error or timeout): wait a back-off before asking again. False when it was not in flight.</summary>
        public bool Failed(int requestId, double now)
        {
            if (requestId == 0 || requestId != _inFlightId) return false;
            _inFlightId = 0;
            _retryAt = now + _retryDelay;
            _retryDelay = Math.Min(MaxRetryDelay, _retryDelay * 2);
            return true;
        }

        /// <summary>
        /// The scheduler refused a handed-off riff (the comfort limits changed meanwhile, or the riff's intensity
        /// is not what was asked for): drop it and ask again, clamped to what plays, after a short pause.
        /// </summary>
        public void Refused(double now)
        {
            _held = null;
            _retryAt = now + RefusedRetryDelay;
            _forceExact = true;
        }

        /// <summary>Seconds between a refused riff and the next request (keeps a mismatch from asking every frame).</summary>
        public const double RefusedRetryDelay = 0.25;

        /// <summary>Forgets everything (playback stopped).</summary>
        public void Reset()
        {
            _hasBar = false;
            _inFlightId = 0;
            _held = null;
            _retryAt = double.NegativeInfinity;
            _retryDelay = MinRetryDelay;
            _forceExact = false;
        }
    }

    /// <summary>
    /// The sidecar's prefetch buckets: a request that leaves every choice to the sidecar (no seed, auto tempo,
    /// key and mode, default temperature) may be answered at once from a cache of riffs made at the nearest
    /// multiple of 0.1 (protocol/SPEC.md, riffforge.sidecar.cache). Requests on the grid therefore get fast
    /// answers with exactly their intensity; off-grid requests that need their exact intensity get a seed.
    /// </summary>
    public static class IntensityGrid
    {
        public const double Step = 0.1;

        public static bool OnGrid(double intensity)
        {
            var k = intensity / Step;
            return Math.Abs(k - Math.Round(k)) < 1e-9;
        }

        /// <summary>
        /// The grid point next to <paramref name="desired"/> (nearest first) that the governor allows after
        /// <paramref name="current"/> and that is either nearer to <paramref name="wanted"/> than
        /// <paramref name="within"/>, or (<paramref name="within"/> null) closer to it than
        /// <paramref name="current"/> is; null when none is.
        /// </summary>
        public static double? Snap(double desired, double? current, double wanted, IntensityGovernor governor, double? within)
        {
            var lo = Math.Floor(desired / Step + 1e-9) * Step;
            var hi = Math.Ceiling(desired / Step - 1e-9) * Step;
            lo = Math.Round(lo, 10);
            hi = Math.Round(hi, 10);
            var first = desired - lo <= hi - desired ? lo : hi;
            var second = first == lo ? hi : lo;
            foreach (var q in new[] { first, second })
            {
                if (q < 0 || q > 1 || governor.Check(q, current) != null) continue;
                if (within.HasValue) { if (Math.Abs(q - wanted) >= within.Value) continue; }
                else if (current.HasValue && Math.Abs(q - wanted) >= Math.Abs(current.Value - wanted) - 1e-9) continue;
                return q;
            }
            return null;
        }

        /// <summary>
        /// Gives <paramref name="request"/> a seed when the prefetch cache could otherwise answer it with another
        /// intensity (off the grid, everything else automatic). Returns true when it did.
        /// </summary>
        public static bool MakeExact(RiffRequest request, Random random)
        {
            if (request.Seed.HasValue || request.Tempo.HasValue || request.Temperature.HasValue) return false;
            if ((request.Key ?? "auto") != "auto" || (request.Mode ?? "auto") != "auto") return false;
            if (OnGrid(request.Intensity)) return false;
            request.Seed = random.Next(0, int.MaxValue);
            return true;
        }
    }
}
