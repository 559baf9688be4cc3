using System.Reflection;
using NUnit.Framework;
using RiffForge.Core;

namespace RiffForge.Unity.Tests
{
    /// <summary>
    /// Continuous mode with in-engine generation asks for the next phrase early enough that it is ready at
    /// the phrase end at 240 BPM (the fastest tempo a style reaches, 1 s bars): the planner's lead
    /// (<see cref="ContinuousPlanner.LeadFor"/>) from the generation time the generator plans with
    /// (<see cref="GenerationTime"/>), against a fake engine that answers each request after that time. The time
    /// model: threaded p99 120 ms; sliced on WebGL, the same 120 ms of CPU within the default per-frame budget
    /// (<see cref="StepBudget.DefaultFrameSeconds"/>) at 60 fps; the bound used before anything was measured;
    /// and pessimistic Mono figures for an 8-bar phrase: p99 206 ms threaded (the engine before its Vector4
    /// decoder), and 469 work units of 0.33 ms sliced (the scalar decoder of the .NET Framework build, about
    /// 2.2 times the Vector4 build's 0.15 ms), two per frame: about 4 s at 60 fps.
    /// </summary>
    [TestFixture]
    public class InEngineTimingTests
    {
        const double LookAhead = 0.2, ThreadedP99 = 0.12, FrameBudget = StepBudget.DefaultFrameSeconds, Fps = 60.0;

        static double Model(string kind)
        {
            switch (kind)
            {
                case "threaded": return ThreadedP99;
                case "sliced": return GenerationTime.Sliced(ThreadedP99, FrameBudget, 1.0 / Fps);
                case "threaded-bound": return GenerationTime.EnginePrior(EngineScheduling.Threaded, FrameBudget);
                case "threaded-mono": return 0.206;
                default: return GenerationTime.SlicedSteps(469, 0.00033, FrameBudget, 1.0 / Fps);
            }
        }

        [TestCase("threaded", 8)]
        [TestCase("threaded", 4)]
        [TestCase("sliced", 8)]
        [TestCase("sliced", 4)]
        [TestCase("threaded-bound", 8)]
        [TestCase("threaded-mono", 8)]
        [TestCase("sliced-mono", 8)]
        public void AtTwoHundredFortyBpmTheNextPhraseIsReadyAtEveryPhraseEnd(string kind, int phraseBars)
        {
            var generation = Model(kind);
            var s = new PhraseTests.Session(240.0, generation, generation);
            s.Settings.PhraseBars = phraseBars;
            var phrase = s.BarSeconds * phraseBars;
            // The follower is requested when the playing phrase's first bar line is scheduled at the latest, so
            // it must take less than the phrase minus the look-ahead and the last 16th step.
            Assert.Less(generation, phrase - LookAhead - s.BarSeconds / 16, kind + ": the time model fits the phrase at all");
            Assert.GreaterOrEqual(s.Planner.LeadSeconds, LookAhead + generation, kind + ": the lead covers look-ahead and generation");
            s.RunUntil(generation + 1.0 + phrase * 4.5);
            var swaps = s.Swaps();
            CollectionAssert.AreEqual(new[] { phraseBars, 2 * phraseBars, 3 * phraseBars, 4 * phraseBars }, swaps,
                kind + " (" + generation.ToString("0.000") + " s per riff): a fresh phrase at every phrase end, never a repeat");
            Assert.AreEqual(0, s.IgnoredAnswers);
        }

        [Test]
        public void SlicedGenerationTakesWholeFramesOfTheBudget()
        {
            Assert.AreEqual(121.0 / 60.0, GenerationTime.Sliced(0.12, 0.001, 1.0 / 60.0), 1e-9, "120 frames of work and the frame it starts in");
            Assert.AreEqual(2.0 / 60.0, GenerationTime.Sliced(0.0005, 0.001, 1.0 / 60.0), 1e-9);
            Assert.AreEqual(GenerationTime.EngineRequestCpuSeconds, GenerationTime.EnginePrior(EngineScheduling.Threaded, 0.001));
            Assert.AreEqual(GenerationTime.Sliced(GenerationTime.EngineRequestCpuSeconds, 0.001, GenerationTime.DefaultFrameSeconds),
                GenerationTime.EnginePrior(EngineScheduling.Sliced, 0.001));
            Assert.Throws<System.ArgumentOutOfRangeException>(() => GenerationTime.Sliced(0.1, 0, 0.016));
            Assert.AreEqual(242.0 / 60.0, GenerationTime.SlicedSteps(481, 0.00042, 0.001, 1.0 / 60.0), 1e-9, "two 0.42 ms steps per 1 ms frame");
            Assert.AreEqual(11.0 / 60.0, GenerationTime.SlicedSteps(10, 0.002, 0.001, 1.0 / 60.0), 1e-9, "a step over the budget: one per frame");
        }

        const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

        /// <summary>
        /// MetalRiffGenerator's every-frame settings sync, on a generator routed to the engine alone (as on
        /// WebGL): the planner's lead comes from the engine's bound until an answer was measured, then from the
        /// measured p99; a baked riff may be replaced by a generated one until the engine fails.
        /// </summary>
        [Test]
        public void TheGeneratorsLeadFollowsTheEnginesTimeWhenTheEngineAnswers()
        {
            var t = typeof(MetalRiffGenerator);
            var generator = new MetalRiffGenerator();
            var scheduler = (RiffScheduler)t.GetField("_scheduler", Instance).GetValue(generator);
            var planner = new ContinuousPlanner(scheduler.Governor);
            var clock = new FakeClock();
            using (var runner = new EngineRunner(new FakeEngine(clock), EngineScheduling.Sliced, null, clock.Read, FakeClock.TicksPerSecond))
            {
                var session = SidecarSession.EngineOnly(runner, null, 0.0);
                session.Start();
                t.GetField("_planner", Instance).SetValue(generator, planner);
                t.GetField("_runner", Instance).SetValue(generator, runner);
                t.GetField("_own", Instance).SetValue(generator, session);
                t.GetField("_route", Instance).SetValue(generator, EngineRoute.EngineOnly);
                t.GetField("_routed", Instance).SetValue(generator, true);
                var sync = t.GetMethod("SyncSettings", Instance);
                sync.Invoke(generator, null);
                Assert.AreEqual(ContinuousPlanner.LeadFor(LookAhead, GenerationTime.EnginePrior(EngineScheduling.Sliced, StepBudget.DefaultFrameSeconds)), planner.LeadSeconds, 1e-6,
                    "before the engine's first answer: its bound");
                Assert.IsTrue(planner.GeneratedRiffsAvailable, "a baked stand-in is replaced by an in-engine riff");
                session.EngineLatencies.Add(1.5);
                sync.Invoke(generator, null);
                Assert.AreEqual(ContinuousPlanner.LeadFor(LookAhead, 1.5), planner.LeadSeconds, 1e-6, "then the measured p99");
                StringAssert.StartsWith("in-engine (sliced)", generator.EngineInUse);
                session.Dispose();
            }
        }

        [Test]
        public void ThePlannerPlansWithTheEnginesTimeWhileTheEngineAnswers()
        {
            Assert.AreEqual(0.03, GenerationTime.AnswerP99(0.03, false, 0.4, 0.5), "the sidecar answers: its latency");
            Assert.IsNaN(GenerationTime.AnswerP99(double.NaN, false, 0.4, 0.5), "nothing measured yet: the planner's minimum margin");
            Assert.AreEqual(0.4, GenerationTime.AnswerP99(0.03, true, 0.4, 0.5), "the engine answers: its measured p99");
            Assert.AreEqual(0.5, GenerationTime.AnswerP99(0.03, true, double.NaN, 0.5), "before the engine's first answer: the bound");
        }
    }
}
