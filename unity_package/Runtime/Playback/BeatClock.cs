using System;
using System.Collections.Generic;
using RiffForge.Core;

namespace RiffForge
{
    /// <summary>A beat that just happened: the game's OnBeat/OnBar moment.</summary>
    public struct BeatTick
    {
        /// <summary>Bars since playback started.</summary>
        public int Bar;
        /// <summary>Beat within the bar, 0-based (beat 0 is the bar line).</summary>
        public int Beat;
        /// <summary>Clock time of the beat (dspTime).</summary>
        public double Time;
        public bool IsBarLine { get { return Beat == 0; } }
    }

    /// <summary>
    /// Turns the scheduler's bar lines (emitted a look-ahead early) into beats reported when the clock
    /// actually reaches them, so OnBeat/OnBar fire in the frame the beat is heard.
    /// </summary>
    public sealed class BeatClock
    {
        readonly Queue<BeatTick> _upcoming = new Queue<BeatTick>();

        /// <summary>Beats waiting for the clock.</summary>
        public int Upcoming { get { return _upcoming.Count; } }

        /// <summary>Adds the beats of one bar (meter numerator beats of one denominator unit each).</summary>
        public void AddBar(ScheduledBar bar)
        {
            if (bar.Riff == null) return;
            var beats = bar.Riff.MeterNumerator;
            for (var b = 0; b < beats; b++)
                _upcoming.Enqueue(new BeatTick { Bar = bar.Bar, Beat = b, Time = bar.Time + b * bar.SecondsPerBeat });
        }

        /// <summary>Moves every beat at or before <paramref name="now"/> into <paramref name="ticks"/>, in order.</summary>
        public int Poll(double now, List<BeatTick> ticks)
        {
            if (ticks == null) throw new ArgumentNullException("ticks");
            var n = 0;
            while (_upcoming.Count > 0 && _upcoming.Peek().Time <= now)
            {
                ticks.Add(_upcoming.Dequeue());
                n++;
            }
            return n;
        }

        public void Clear() { _upcoming.Clear(); }
    }
}
