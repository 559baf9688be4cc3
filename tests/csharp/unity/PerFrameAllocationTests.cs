using System;
using System.Collections.Generic;
using NUnit.Framework;
using RiffForge.Core;

namespace RiffForge.Unity.Tests
{
    /// <summary>
    /// What MetalRiffGenerator.Update calls every frame, and RiffSampler.Schedule for every note, allocates
    /// nothing on the managed heap once warmed up (a garbage collection mid-riff is an audible hitch). Counted
    /// with GC.GetAllocatedBytesForCurrentThread, exact for this thread; each path runs once first so JIT and
    /// first-use allocations are out of the count.
    /// </summary>
    [TestFixture]
    public class PerFrameAllocationTests
    {
        static long AllocatedBy(Action action, int times)
        {
            action();
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < times; i++) action();
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        [Test]
        public void StyleAndKeyNamesAllocateNothing()
        {
            string sink = null;
            Assert.AreEqual(0, AllocatedBy(() => { sink = RiffNames.Style(MetalStyle.Djent); sink = RiffNames.Key(MusicalKey.FSharp); }, 1000));
            Assert.AreEqual("djent", RiffNames.Style(MetalStyle.Djent));
            foreach (MetalStyle style in Enum.GetValues(typeof(MetalStyle)))
                Assert.AreEqual(style.ToString().ToLowerInvariant(), RiffNames.Style(style), "the cached name matches the protocol spelling");
            GC.KeepAlive(sink);
        }

        [Test]
        public void EnabledInstrumentMaskAllocatesNothingAndTellsTheSetsApart()
        {
            var settings = new RequestSettings();
            var sink = 0;
            Assert.AreEqual(0, AllocatedBy(() => { sink += settings.EnabledMask; }, 1000));
            Assert.AreEqual(7, settings.EnabledMask);
            settings.Bass = false;
            Assert.AreEqual(5, settings.EnabledMask);
            settings.Guitar = false;
            settings.Drums = false;
            Assert.AreEqual(0, settings.EnabledMask);
        }

        [Test]
        public void PlanningNotesAllocatesNothingIncludingPitchedNotesAndSteals()
        {
            var planner = new SamplerPlanner(4, s => s == "crash" ? 1.5 : 0.4);
            var commands = new List<VoiceCommand>(16);
            var notes = new[]
            {
                new ScheduledNote { Instrument = "drums", Pitch = 49, Velocity = 120, Time = 0.0, Duration = 0.1 },
                new ScheduledNote { Instrument = "guitar", Pitch = 45, Velocity = 100, Time = 0.0, Duration = 0.3 },
                new ScheduledNote { Instrument = "bass", Pitch = 33, Velocity = 100, Time = 0.0, Duration = 0.3 },
                new ScheduledNote { Instrument = "drums", Pitch = 42, Velocity = 90, Time = 0.0, Duration = 0.1 },
            };
            var now = 0.0;
            var bytes = AllocatedBy(() =>
            {
                for (var i = 0; i < notes.Length; i++)
                {
                    commands.Clear();
                    var n = notes[i];
                    n.Time = now + 0.05;
                    planner.Plan(n, now, commands);
                    now += 0.01;
                }
            }, 500);
            Assert.AreEqual(0, bytes);
            Assert.Greater(planner.StolenVoices, 0, "the loop stole voices, so the steal path was counted too");
        }
    }
}
