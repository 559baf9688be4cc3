namespace RiffForge.Core
{
    /// <summary>A bar line at <see cref="Time"/>: which riff plays from here and which of its bars.</summary>
    public struct ScheduledBar
    {
        public double Time;
        /// <summary>Bars since the scheduler started.</summary>
        public int Bar;
        /// <summary>The bar within <see cref="Riff"/> (0-based).</summary>
        public int BarInRiff;
        public Riff Riff;
        /// <summary>True when <see cref="Riff"/> starts at this bar line (first riff or a swap), false on a loop or a middle bar.</summary>
        public bool RiffChanged;
        /// <summary>Seconds per beat (one meter denominator unit) of this bar, for beat events.</summary>
        public double SecondsPerBeat;
    }
}
