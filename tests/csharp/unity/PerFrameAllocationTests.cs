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
    /// first-use allocations are out of the count. In-engine generation allocates per request (its buffers and
    /// the riff), never per frame: idle frames, picking up answers, and sliced frames in the middle of a riff
    /// (WebGL) allocate nothing.
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

        [Test]
        public void TheLatencyQuantileTheGeneratorAsksEveryFrameAllocatesNothing()
        {
            var log = new LatencyLog(8);
            for (var i = 0; i < 11; i++) log.Add(0.01 * (11 - i));
            var sink = 0.0;
            Assert.AreEqual(0, AllocatedBy(() => { sink += log.Quantile(0.99); }, 1000));
            Assert.AreEqual(0.08, log.Quantile(1.0), 1e-12, "the 8 most recent: 0.08 .. 0.01");
            Assert.AreEqual(0.04, log.Quantile(0.5), 1e-12);
            Assert.AreEqual(0.01, log.Last, 1e-12, "the ring order is kept");
            GC.KeepAlive(sink);
        }

        /// <summary>MetalRiffGenerator's every-frame settings sync with the engine as its route (WebGL), called as Update calls it.</summary>
        [Test]
        public void TheGeneratorsSettingsSyncWithTheEngineAllocatesNothing()
        {
            const System.Reflection.BindingFlags Instance = System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic;
            var t = typeof(MetalRiffGenerator);
            var generator = new MetalRiffGenerator();
            var scheduler = (RiffScheduler)t.GetField("_scheduler", Instance).GetValue(generator);
            var clock = new FakeClock();
            using (var runner = new EngineRunner(new FakeEngine(clock), EngineScheduling.Sliced, null, clock.Read, FakeClock.TicksPerSecond))
            {
                var session = SidecarSession.EngineOnly(runner, null, 0.0);
                session.Start();
                session.EngineLatencies.Add(0.5);
                t.GetField("_planner", Instance).SetValue(generator, new ContinuousPlanner(scheduler.Governor));
                t.GetField("_runner", Instance).SetValue(generator, runner);
                t.GetField("_own", Instance).SetValue(generator, session);
                t.GetField("_route", Instance).SetValue(generator, EngineRoute.EngineOnly);
                t.GetField("_routed", Instance).SetValue(generator, true);
                var sync = (Action)Delegate.CreateDelegate(typeof(Action), generator, t.GetMethod("SyncSettings", Instance));
                Assert.AreEqual(0, AllocatedBy(sync, 1000));
                session.Dispose();
            }
        }

        [Test]
        public void IdleInEngineFramesAllocateNothing()
        {
            var clock = new FakeClock();
            using (var sliced = new EngineRunner(new FakeEngine(clock), EngineScheduling.Sliced, null, clock.Read, FakeClock.TicksPerSecond))
            using (var threaded = new EngineRunner(new FakeEngine(null), EngineScheduling.Threaded))
            {
                var session = SidecarSession.EngineOnly(sliced, null, 0.0);
                session.Start();
                var inbox = new EngineInbox();
                EngineAnswer answer;
                var now = 0.0;
                Assert.AreEqual(0, AllocatedBy(() =>
                {
                    sliced.Pump();
                    threaded.Pump();
                    inbox.TryTake(out answer);
                    session.Update(now += 0.016, 0.002);
                }, 1000));
                session.Dispose();
            }
        }

        [Test]
        public void SlicedFramesInTheMiddleOfARiffAllocateNothingInTheRunner()
        {
            var clock = new FakeClock();
            var engine = new FakeEngine(clock) { StepsPerRiff = 100000, MicrosPerStep = 300 };
            using (var runner = new EngineRunner(engine, EngineScheduling.Sliced, null, clock.Read, FakeClock.TicksPerSecond))
            {
                var inbox = new EngineInbox();
                runner.Submit(inbox, -1, new RiffRequest(0.5));
                Assert.AreEqual(0, AllocatedBy(runner.Pump, 500));
                Assert.Greater(runner.StepsLastPump, 0, "the frames decoded");
            }
        }

        /// <summary>The shipped engine's decoder steps mid-riff, as sliced frames run them, allocate nothing.</summary>
        [Test]
        public void TheShippedEnginesStepsInTheMiddleOfARiffAllocateNothing()
        {
            using (var runner = new EngineRunner(ShippedEngine.Assets.CreateGenerator(), EngineScheduling.Sliced, new StepBudget(1e-9)))
            {
                var inbox = new EngineInbox();
                EngineAnswer warm;
                runner.Submit(inbox, -1, new RiffRequest(0.7) { Bars = 8, Seed = 3 });
                while (!inbox.TryTake(out warm)) runner.Pump(); // a whole riff first: JIT and first-use allocations
                runner.Submit(inbox, -2, new RiffRequest(0.7) { Bars = 8, Seed = 3 });
                for (var i = 0; i < 40; i++) runner.Pump(); // the job's buffers and its first decodes
                var before = GC.GetAllocatedBytesForCurrentThread();
                for (var i = 0; i < 200; i++) runner.Pump(); // one decoder step per frame
                var bytes = GC.GetAllocatedBytesForCurrentThread() - before;
                EngineAnswer answer;
                Assert.IsFalse(inbox.TryTake(out answer), "still in the middle of the riff (about 480 steps)");
                Assert.AreEqual(0, bytes, "200 sliced frames of one decoder step each");
            }
        }
    }
}
