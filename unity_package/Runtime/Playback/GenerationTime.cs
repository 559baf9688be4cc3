using System;

namespace RiffForge
{
    /// <summary>
    /// How long an answer takes, for the continuous planner's lead (<see cref="ContinuousPlanner.LeadFor"/>):
    /// the sidecar's measured p99 latency, or the in-engine generator's, or, before any in-engine answer was
    /// measured, a bound from its cost. Free of Unity.
    /// </summary>
    public static class GenerationTime
    {
        /// <summary>
        /// Bound on the CPU seconds of one in-engine request (an 8-bar phrase of guitar, bass and drums with
        /// its candidates: about 480 decoder steps), used before any answer was measured: well above the
        /// Mono figure (about 0.2 s, bench/engine.py). IL2CPP is expected faster.
        /// </summary>
        public const double EngineRequestCpuSeconds = 0.5;

        /// <summary>The frame time sliced generation is planned for when nothing else is known: 60 frames per second.</summary>
        public const double DefaultFrameSeconds = 1.0 / 60.0;

        /// <summary>
        /// Wall seconds a request costing <paramref name="cpuSeconds"/> takes when sliced: whole frames of
        /// <paramref name="budgetSecondsPerFrame"/> each, one frame per <paramref name="frameSeconds"/>, plus
        /// the frame it waits to start in.
        /// </summary>
        public static double Sliced(double cpuSeconds, double budgetSecondsPerFrame, double frameSeconds)
        {
            if (!(budgetSecondsPerFrame > 0)) throw new ArgumentOutOfRangeException("budgetSecondsPerFrame", "budget " + budgetSecondsPerFrame + " s must be > 0");
            if (!(frameSeconds > 0)) throw new ArgumentOutOfRangeException("frameSeconds", "frame time " + frameSeconds + " s must be > 0");
            if (double.IsNaN(cpuSeconds) || cpuSeconds < 0) throw new ArgumentOutOfRangeException("cpuSeconds", "cost " + cpuSeconds + " s must be >= 0");
            return (Math.Ceiling(cpuSeconds / budgetSecondsPerFrame - 1e-9) + 1.0) * frameSeconds;
        }

        /// <summary>
        /// Wall seconds of a request of <paramref name="decoderSteps"/> steps of <paramref name="secondsPerStep"/>
        /// each when sliced: as many whole steps per frame as fit in the budget (at least one), plus the frame
        /// it waits to start in. Closer than <see cref="Sliced"/> when a step is a sizeable part of the budget.
        /// </summary>
        public static double SlicedSteps(int decoderSteps, double secondsPerStep, double budgetSecondsPerFrame, double frameSeconds)
        {
            if (decoderSteps < 0) throw new ArgumentOutOfRangeException("decoderSteps", "steps " + decoderSteps + " must be >= 0");
            if (!(secondsPerStep > 0)) throw new ArgumentOutOfRangeException("secondsPerStep", "step time " + secondsPerStep + " s must be > 0");
            if (!(frameSeconds > 0)) throw new ArgumentOutOfRangeException("frameSeconds", "frame time " + frameSeconds + " s must be > 0");
            var perFrame = Math.Max(1.0, Math.Floor(budgetSecondsPerFrame / secondsPerStep + 1e-9));
            return (Math.Ceiling(decoderSteps / perFrame) + 1.0) * frameSeconds;
        }

        /// <summary>The bound used for in-engine answers before one was measured.</summary>
        public static double EnginePrior(EngineScheduling scheduling, double budgetSecondsPerFrame)
        {
            return scheduling == EngineScheduling.Sliced
                ? Sliced(EngineRequestCpuSeconds, budgetSecondsPerFrame, DefaultFrameSeconds)
                : EngineRequestCpuSeconds;
        }

        /// <summary>
        /// The p99 answer time the planner should plan for: the in-engine one (measured, else
        /// <paramref name="enginePrior"/>) while the engine answers (<paramref name="engineAnswers"/>), else the
        /// sidecar's (NaN when none measured: the planner's minimum margin applies).
        /// </summary>
        public static double AnswerP99(double sidecarP99, bool engineAnswers, double engineP99, double enginePrior)
        {
            if (!engineAnswers) return sidecarP99;
            return double.IsNaN(engineP99) ? enginePrior : engineP99;
        }
    }
}
