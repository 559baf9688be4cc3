namespace RiffForge.Core
{
    /// <summary>A note to play at <see cref="Time"/> seconds on the scheduler's clock (Unity: dspTime).</summary>
    public struct ScheduledNote
    {
        public string Instrument;
        public int Pitch;
        public int Velocity;
        public double Time;
        public double Duration;
        /// <summary>Bars since the scheduler started (0 is the first bar played).</summary>
        public int Bar;
        /// <summary>The note's start step within its riff.</summary>
        public int Step;

        public override string ToString() { return Instrument + " " + Pitch + "/" + Velocity + " @" + Time.ToString("0.0000") + " +" + Duration.ToString("0.000"); }
    }
}
