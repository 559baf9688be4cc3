using System;

namespace RiffForge
{
    /// <summary>
    /// How many decoder steps fit in what is left of a frame's budget for sliced in-engine generation
    /// (<see cref="EngineScheduling.Sliced"/>), learned from the measured time per step. The estimate rises at
    /// once when a step was slower than thought (a frame over budget is a visible hitch) and falls slowly when
    /// steps are faster (so one lucky measurement does not overshoot the next frame): by a fifth of the difference
    /// per call while it learns from its initial guess (a whole frame per step; the first
    /// <see cref="WarmUpCalls"/> calls), then by a fifth per frame budget of measured time, so that a run of
    /// light work units (random draws, the pick between candidates) cannot talk it down before the next heavy
    /// decoder step. Steps of one riff differ
    /// in cost (the engine's first step after switching models reads weights that are not in the cache), so a
    /// call that took longer than its steps were estimated at leaves headroom: the overshoot is kept free in
    /// later frames (at most half the frame), and shrinks as calls finish on time (by a tenth per frame's worth
    /// of measured work).
    /// </summary>
    public sealed class StepBudget
    {
        /// <summary>
        /// Main-thread seconds per frame the engine plans for by default: 0.7 ms. Work units vary around their
        /// estimate (a unit that follows another model's reads its weights from memory, not cache; a
        /// garbage collection of the game's), so planning for 0.7 ms keeps the slowest frames within the 1 ms
        /// the package promises (Mono: at 0.8 ms, about one frame in a thousand took 1.0-1.1 ms of the thread's
        /// own CPU time, measured by the repository's engine benchmark).
        /// </summary>
        public const double DefaultFrameSeconds = 0.0007;

        /// <summary>Weight of a faster measurement in the falling estimate, per frame budget of measured time.</summary>
        const double FallRate = 0.2;

        /// <summary>Calls measured before the estimate falls per measured time instead of per call.</summary>
        public const int WarmUpCalls = 16;

        /// <summary>How much of the headroom goes per frame budget of measured work that ran on time.</summary>
        const double HeadroomFallRate = 0.1;

        readonly double _frameSeconds;
        readonly int _maxSteps;
        double _secondsPerStep;
        double _headroom;
        int _calls;

        /// <param name="frameSeconds">Main-thread seconds per frame the engine may use (&gt; 0).</param>
        /// <param name="maxSteps">The most decoder steps one call may ask for (&gt;= 1).</param>
        public StepBudget(double frameSeconds = DefaultFrameSeconds, int maxSteps = 4096)
        {
            if (double.IsNaN(frameSeconds) || frameSeconds <= 0) throw new ArgumentOutOfRangeException("frameSeconds", "frame budget " + frameSeconds + " s must be > 0");
            if (maxSteps < 1) throw new ArgumentOutOfRangeException("maxSteps", "maxSteps " + maxSteps + " must be >= 1");
            _frameSeconds = frameSeconds;
            _maxSteps = maxSteps;
            // Before any measurement one step is assumed to take the whole budget: the first frame runs one
            // step and measures it.
            _secondsPerStep = frameSeconds;
        }

        /// <summary>Main-thread seconds per frame the engine may use.</summary>
        public double FrameSeconds { get { return _frameSeconds; } }

        /// <summary>The current estimate of one decoder step's time.</summary>
        public double SecondsPerStep { get { return _secondsPerStep; } }

        /// <summary>Seconds of the remaining budget kept free for steps that cost more than the estimate.</summary>
        public double HeadroomSeconds { get { return _headroom; } }

        /// <summary>
        /// Decoder steps that fit in <paramref name="remainingSeconds"/>: 0 when not even one does, unless
        /// <paramref name="atLeastOne"/> (the first call of a frame always makes progress).
        /// </summary>
        public int StepsFor(double remainingSeconds, bool atLeastOne)
        {
            var usable = remainingSeconds - _headroom;
            var fit = usable <= 0 ? 0.0 : Math.Floor(usable / _secondsPerStep);
            var steps = fit >= _maxSteps ? _maxSteps : (int)fit;
            return steps < 1 && atLeastOne ? 1 : steps;
        }

        /// <summary>Records that <paramref name="steps"/> decoder steps (or fewer, at the end of a riff) took <paramref name="seconds"/>.</summary>
        public void Observe(int steps, double seconds)
        {
            if (steps < 1 || double.IsNaN(seconds) || seconds < 0) return;
            var measured = seconds / steps;
            // how much longer than estimated the call took: the headroom takes the largest overshoot at once and
            // lets it go by HeadroomFallRate per frame budget of measured time (so it outlives the short calls at
            // a frame's end, and a step that is slow once in a while keeps its room)
            var over = Math.Min(seconds - steps * _secondsPerStep, _frameSeconds / 2);
            if (over > _headroom) _headroom = over;
            else _headroom = Math.Max(over, _headroom * Math.Pow(1.0 - HeadroomFallRate, seconds / _frameSeconds));
            if (_headroom < 1e-9) _headroom = 0;
            if (measured >= _secondsPerStep) _secondsPerStep = measured;
            else if (_calls < WarmUpCalls) _secondsPerStep += (measured - _secondsPerStep) * FallRate;
            else _secondsPerStep += (measured - _secondsPerStep) * (1.0 - Math.Pow(1.0 - FallRate, Math.Min(1.0, seconds / _frameSeconds)));
            if (_calls < WarmUpCalls) _calls++;
            if (_secondsPerStep < 1e-7) _secondsPerStep = 1e-7;
        }
    }
}
