using System;
using System.Collections.Generic;
using NUnit.Framework;
using RiffForge.Core;

namespace RiffForge.Core.Tests
{
    /// <summary>The scheduler on a fake clock: the test advances "now" like Unity's dspTime would.</summary>
    public class RiffSchedulerTests
    {
        // 120 BPM: a 16th step is 0.125 s, a 4/4 bar 2 s.
        static Riff OneNotePerBar(double tempo, int bars, double intensity, int pitch)
        {
            var events = new int[bars][];
            for (var b = 0; b < bars; b++) events[b] = new[] { b * 16, 4, pitch + b, 100 };
            return TestData.Riff(tempo: tempo, bars: bars, intensity: intensity, tracks: TestData.Map("guitar", TestData.Events(events)));
        }

        static List<ScheduledNote> Run(RiffScheduler s, double from, double to, double frame, List<ScheduledBar> bars = null)
        {
            var notes = new List<ScheduledNote>();
            for (var now = from; now <= to + 1e-9; now += frame) s.Update(now, notes, bars);
            return notes;
        }

        [Test]
        public void StepsBecomeSecondsAtTheRiffsTempo()
        {
            var s = new RiffScheduler();
            Assert.IsNull(s.Enqueue(TestData.Riff(tempo: 120.0)));
            s.Start(10.0);
            var notes = Run(s, 9.9, 13.5, 1.0 / 60);
            var guitar = notes.FindAll(n => n.Instrument == "guitar");
            Assert.AreEqual(10.0, guitar[0].Time, 1e-9);
            Assert.AreEqual(10.5, guitar[1].Time, 1e-9);   // step 4
            Assert.AreEqual(0.25, guitar[1].Duration, 1e-9); // 2 steps
            Assert.AreEqual(12.0, guitar[2].Time, 1e-9);   // step 16 = bar 2
            Assert.AreEqual(43, guitar[1].Pitch);
            Assert.AreEqual(90, guitar[1].Velocity);
        }

        [Test]
        public void NotesAreEmittedNoEarlierThanTheLookAheadAndNeverLate()
        {
            var s = new RiffScheduler { LookAheadSeconds = 0.2 };
            s.Enqueue(TestData.Riff(tempo: 120.0));
            s.Start(1.0);
            var emittedAt = new Dictionary<double, double>();
            for (var now = 0.0; now < 9.0; now += 1.0 / 90)
            {
                var batch = new List<ScheduledNote>();
                s.Update(now, batch);
                foreach (var n in batch)
                {
                    Assert.LessOrEqual(n.Time, now + 0.2 + 1e-9, "emitted too early");
                    Assert.GreaterOrEqual(n.Time, now, "emitted after its time");
                    Assert.Greater(n.Time - now, 0.2 - 1.0 / 90 - 1e-9, "emitted later than a frame after entering the look-ahead window");
                    emittedAt[n.Time] = now;
                }
            }
            Assert.Greater(emittedAt.Count, 6);
        }

        [Test]
        public void TheRiffLoopsUntilANewOneSwapsInAtTheNextBarLine()
        {
            var s = new RiffScheduler();
            var first = OneNotePerBar(120.0, 4, 0.5, 40);
            var second = OneNotePerBar(120.0, 2, 0.5, 60);
            s.Enqueue(first);
            s.Start(0.0);
            var bars = new List<ScheduledBar>();
            var notes = Run(s, -0.1, 2.5, 0.01, bars);           // bar 0 done, bar 1 (2..4 s) begun
            Assert.IsNull(s.Enqueue(second));
            Assert.AreSame(second, s.Pending);
            notes.AddRange(Run(s, 2.51, 9.0, 0.01, bars));
            var pitches = notes.ConvertAll(n => n.Pitch);
            // Bars at 0, 2 s from the first riff; the swap happens at the bar line at 4 s, mid-riff.
            CollectionAssert.AreEqual(new[] { 40, 41, 60, 61, 60 }, pitches.GetRange(0, 5));
            Assert.AreEqual(4.0, notes[2].Time, 1e-9);
            Assert.IsTrue(bars[2].RiffChanged);
            Assert.AreSame(second, bars[2].Riff);
            Assert.IsFalse(bars[3].RiffChanged);
            Assert.IsNull(s.Pending);
        }

        [Test]
        public void ARiffLoopsWhenNothingIsQueued()
        {
            var s = new RiffScheduler();
            s.Enqueue(OneNotePerBar(120.0, 2, 0.5, 40));
            s.Start(0.0);
            var notes = Run(s, 0.0, 9.7, 0.05); // horizon 9.9: the note at 10 s is not due yet
            CollectionAssert.AreEqual(new[] { 40, 41, 40, 41, 40 }, notes.ConvertAll(n => n.Pitch));
            Assert.AreEqual(8.0, notes[4].Time, 1e-9);
        }

        [Test]
        public void ATempoChangeTakesEffectAtTheSwap()
        {
            var s = new RiffScheduler();
            s.Enqueue(OneNotePerBar(120.0, 1, 0.5, 40)); // 2 s bars
            s.Start(0.0);
            var notes = Run(s, 0.0, 0.5, 0.05);
            s.Enqueue(OneNotePerBar(240.0, 1, 0.5, 60)); // 1 s bars
            notes.AddRange(Run(s, 0.55, 4.5, 0.05));
            Assert.AreEqual(0.0, notes[0].Time, 1e-9);
            Assert.AreEqual(2.0, notes[1].Time, 1e-9);
            Assert.AreEqual(3.0, notes[2].Time, 1e-9);
            Assert.AreEqual(4.0, notes[3].Time, 1e-9);
            Assert.AreEqual(0.25, notes[1].Duration, 1e-9); // 4 steps of 0.0625 s at 240 BPM
        }

        [Test]
        public void StartsOnItsOwnOneLookAheadAfterTheFirstUpdate()
        {
            var s = new RiffScheduler { LookAheadSeconds = 0.1 };
            s.Enqueue(TestData.Riff());
            var notes = new List<ScheduledNote>();
            s.Update(5.0, notes);
            Assert.IsTrue(s.IsStarted);
            Assert.AreEqual(0, notes.Count, "the first bar line is exactly at the horizon");
            s.Update(5.02, notes);
            Assert.AreEqual(5.1, notes[0].Time, 1e-9);
        }

        [Test]
        public void AHitchDropsMissedNotesInsteadOfPlayingThemLate()
        {
            var s = new RiffScheduler();
            s.Enqueue(TestData.Riff(tempo: 120.0));
            s.Start(0.0);
            var notes = new List<ScheduledNote>();
            s.Update(0.0, notes);
            s.Update(3.0, notes); // 3 s frame: notes at 0.5 and 2.0 passed
            foreach (var n in notes) Assert.GreaterOrEqual(n.Time, -1e-9);
            foreach (var n in notes.FindAll(x => x.Time > 0.1)) Assert.GreaterOrEqual(n.Time, 3.0 - s.LateToleranceSeconds);
            Assert.Greater(s.DroppedLateNotes, 0);
            s.Update(3.2, notes);
            Assert.AreEqual(3.0, notes.FindLast(n => n.Instrument == "drums").Time, 1e-9); // grid kept: step 24
        }

        [Test]
        public void TheIntensityCeilingRefusesLouderRiffs()
        {
            var s = new RiffScheduler();
            s.Governor.Ceiling = 0.6;
            var problem = s.Enqueue(TestData.Riff(intensity: 0.8));
            StringAssert.Contains("above the ceiling 0.6", problem);
            Assert.IsNull(s.Current);
            Assert.IsNull(s.Enqueue(TestData.Riff(intensity: 0.6)));
        }

        [Test]
        public void TheMaximumChangePerBarRefusesJumps()
        {
            var s = new RiffScheduler();
            s.Governor.MaxChangePerBar = 0.1;
            Assert.IsNull(s.Enqueue(TestData.Riff(intensity: 0.5)));
            s.Start(0.0);
            var problem = s.Enqueue(TestData.Riff(intensity: 0.8));
            StringAssert.Contains("maximum change per bar 0.1", problem);
            Assert.IsNull(s.Pending);
            Assert.IsNull(s.Enqueue(TestData.Riff(intensity: 0.6)));
            var bars = new List<ScheduledBar>();
            Run(s, 0.0, 30.0, 0.05, bars);
            for (var i = 1; i < bars.Count; i++)
                Assert.LessOrEqual(Math.Abs(bars[i].Riff.Intensity - bars[i - 1].Riff.Intensity), 0.1 + 1e-9);
        }

        [Test]
        public void GovernorClampRampsTowardsTheTargetWithinTheRules()
        {
            var g = new IntensityGovernor { Ceiling = 0.9, MaxChangePerBar = 0.15 };
            Assert.AreEqual(0.9, g.Clamp(1.0, null), 1e-12);
            Assert.AreEqual(0.45, g.Clamp(1.0, 0.3), 1e-12);
            Assert.AreEqual(0.15, g.Clamp(0.0, 0.3), 1e-12);
            Assert.AreEqual(0.35, g.Clamp(0.35, 0.3), 1e-12);
            var current = 0.0;
            for (var bar = 0; bar < 20; bar++)
            {
                var next = g.Clamp(1.0, current);
                Assert.IsNull(g.Check(next, current));
                current = next;
            }
            Assert.AreEqual(0.9, current, 1e-12);
            Assert.Throws<ArgumentOutOfRangeException>(() => g.Ceiling = 1.5);
            Assert.Throws<ArgumentOutOfRangeException>(() => g.MaxChangePerBar = -0.1);
        }

        [Test]
        public void BarEventsCarryBeatLength()
        {
            var s = new RiffScheduler();
            s.Enqueue(TestData.Riff(tempo: 100.0));
            s.Start(0.0);
            var bars = new List<ScheduledBar>();
            Run(s, 0.0, 5.0, 0.05, bars);
            Assert.AreEqual(0.6, bars[0].SecondsPerBeat, 1e-9);
            Assert.AreEqual(2.4, bars[1].Time, 1e-9);
            Assert.AreEqual(1, bars[1].BarInRiff);
            Assert.AreEqual(0, bars[2].BarInRiff);
            Assert.AreEqual(2, bars[2].Bar);
        }
    }
}
