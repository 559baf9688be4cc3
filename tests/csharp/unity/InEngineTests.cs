using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Threading;
using NUnit.Framework;
using RiffForge.Core;
using RiffForge.Repo.Tests;

namespace RiffForge.Unity.Tests
{
    /// <summary>The shipped in-engine assets (unity_package/Runtime/Resources/RiffForgeEngine), read from disk.</summary>
    static class ShippedEngine
    {
        public static string Folder
        {
            get { return Path.Combine(Path.Combine(Path.Combine(Path.Combine(RepoPaths.Root, "unity_package"), "Runtime"), "Resources"), EngineAssets.ResourcesFolder); }
        }

        public static byte[] Bytes(string name)
        {
            var path = Path.Combine(Folder, name + ".bytes");
            return File.Exists(path) ? File.ReadAllBytes(path) : null;
        }

        public static string Text(string name)
        {
            var path = Path.Combine(Folder, name + ".json");
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }

        static EngineAssets _assets;

        /// <summary>Loaded once for the tests, as InEngineRiffs loads them once for a game.</summary>
        public static EngineAssets Assets
        {
            get { return _assets ?? (_assets = EngineAssets.Load(Bytes, Text)); }
        }

        /// <summary>Runs <paramref name="session"/> (and <paramref name="runner"/>'s frames) until <paramref name="done"/>, failing after 30 s.</summary>
        public static int RunFrames(EngineRunner runner, SidecarSession session, Func<bool> done)
        {
            var frames = 0;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!done())
            {
                if (clock.Elapsed.TotalSeconds > 30) Assert.Fail("no answer within 30 s (" + frames + " frames): " + session.Status);
                runner.Pump();
                session.Update(frames / 60.0, 0.002);
                if (runner.Scheduling == EngineScheduling.Threaded) Thread.Sleep(1);
                frames++;
            }
            return frames;
        }
    }

    /// <summary>A fake clock in microseconds for the sliced runner.</summary>
    sealed class FakeClock
    {
        public long Now;
        public const double TicksPerSecond = 1e6;
        public long Read() { return Now; }
    }

    /// <summary>An engine whose jobs take a fixed number of steps of a fixed cost on a fake clock (no allocation per step).</summary>
    sealed class FakeEngine : IRiffEngine
    {
        readonly FakeClock _clock;
        public int StepsPerRiff = 40;
        public long MicrosPerStep = 300;
        public int GenerateThread = -1;
        public int Generated;
        public Exception Fail;
        /// <summary>When set, Generate waits for it (holds the worker thread).</summary>
        public ManualResetEvent Gate;

        public FakeEngine(FakeClock clock) { _clock = clock; }

        public Riff Generate(RiffRequest request)
        {
            if (Gate != null) Gate.WaitOne(10000);
            GenerateThread = Thread.CurrentThread.ManagedThreadId;
            if (Fail != null) throw Fail;
            Interlocked.Increment(ref Generated);
            return TestRiffs.Make(request.Intensity, request.Bars);
        }

        public IRiffJob Start(RiffRequest request)
        {
            return new Job(this, TestRiffs.Make(request.Intensity, request.Bars));
        }

        sealed class Job : IRiffJob
        {
            readonly FakeEngine _engine;
            readonly Riff _riff;
            int _steps;

            public Job(FakeEngine engine, Riff riff) { _engine = engine; _riff = riff; }

            public void Step(int maxDecoderSteps)
            {
                for (var i = 0; i < maxDecoderSteps && _steps < _engine.StepsPerRiff; i++)
                {
                    _steps++;
                    if (_engine._clock != null) _engine._clock.Now += _engine.MicrosPerStep;
                }
            }

            public int DecoderSteps { get { return _steps; } }
            public bool IsDone { get { return _steps >= _engine.StepsPerRiff || _engine.Fail != null; } }
            public Riff Result { get { return _engine.Fail == null && _steps >= _engine.StepsPerRiff ? _riff : null; } }
            public Exception Error { get { return _engine.Fail; } }
        }
    }

    /// <summary>
    /// Where riffs come from (<see cref="EngineChoice"/>): the Engine setting, the build target and whether the
    /// engine assets loaded; threaded or sliced per target; and each build target's compiled Runtime
    /// (tests/csharp/run_unity_layer.sh compiles one per target into bin/unity/targets) choosing and running
    /// the in-engine path with the shipped assets.
    /// </summary>
    [TestFixture]
    public class EngineChoiceTests
    {
        static readonly SidecarTarget[] Desktop = { SidecarTarget.Editor, SidecarTarget.WindowsPlayer, SidecarTarget.MacOSPlayer, SidecarTarget.LinuxPlayer };
        static readonly SidecarTarget[] NoProcess = { SidecarTarget.Android, SidecarTarget.IOS, SidecarTarget.WebGL, SidecarTarget.Other };

        [Test]
        public void AutoUsesTheSidecarWithTheEngineStandingInOnDesktopAndTheEngineAloneElsewhere()
        {
            foreach (var t in Desktop)
            {
                Assert.AreEqual(EngineRoute.SidecarEngineFallback, EngineChoice.Route(RiffEngine.Auto, t, true), t.ToString());
                Assert.AreEqual(EngineRoute.SidecarBakedFallback, EngineChoice.Route(RiffEngine.Auto, t, false), t + ": no engine assets, baked riffs stand in");
            }
            foreach (var t in NoProcess)
            {
                Assert.AreEqual(EngineRoute.EngineOnly, EngineChoice.Route(RiffEngine.Auto, t, true), t.ToString());
                Assert.AreEqual(EngineRoute.BakedOnly, EngineChoice.Route(RiffEngine.Auto, t, false), t + ": baked riffs are the last resort");
            }
        }

        [Test]
        public void SidecarAndInEngineSettingsAreHonouredEverywhere()
        {
            foreach (var t in Desktop)
            {
                Assert.AreEqual(EngineRoute.SidecarBakedFallback, EngineChoice.Route(RiffEngine.Sidecar, t, true), t.ToString());
                Assert.AreEqual(EngineRoute.EngineOnly, EngineChoice.Route(RiffEngine.InEngine, t, true), t.ToString());
                Assert.AreEqual(EngineRoute.BakedOnly, EngineChoice.Route(RiffEngine.InEngine, t, false), t + ": In Engine never starts a sidecar");
            }
            foreach (var t in NoProcess)
            {
                Assert.AreEqual(EngineRoute.BakedOnly, EngineChoice.Route(RiffEngine.Sidecar, t, true), t + ": the sidecar cannot run, baked riffs as before");
                Assert.AreEqual(EngineRoute.EngineOnly, EngineChoice.Route(RiffEngine.InEngine, t, true), t.ToString());
            }
            Assert.IsFalse(EngineChoice.WantsEngine(RiffEngine.Sidecar), "Sidecar never loads the engine assets");
            Assert.IsTrue(EngineChoice.WantsEngine(RiffEngine.Auto));
            Assert.IsTrue(EngineChoice.WantsEngine(RiffEngine.InEngine));
        }

        [Test]
        public void OnlyWebGLIsSlicedAndTheseTestsRunTheEditorFlavourThreaded()
        {
            foreach (SidecarTarget t in Enum.GetValues(typeof(SidecarTarget)))
                Assert.AreEqual(t == SidecarTarget.WebGL ? EngineScheduling.Sliced : EngineScheduling.Threaded, EngineChoice.SchedulingFor(t), t.ToString());
            Assert.AreEqual(EngineScheduling.Threaded, EngineChoice.Scheduling);
            Assert.AreEqual(EngineChoice.SchedulingFor(SidecarPlatform.Current), EngineChoice.Scheduling);
        }

        // Flavour (tests/csharp/run_unity_layer.sh FLAVOURS) -> its target's scheduling.
        static readonly Dictionary<string, EngineScheduling> Flavours = new Dictionary<string, EngineScheduling>
        {
            { "editor-linux", EngineScheduling.Threaded },
            { "editor-osx-android", EngineScheduling.Threaded },
            { "windows-il2cpp", EngineScheduling.Threaded },
            { "linux", EngineScheduling.Threaded },
            { "android", EngineScheduling.Threaded },
            { "android-il2cpp", EngineScheduling.Threaded },
            { "unity6-android-il2cpp", EngineScheduling.Threaded },
            { "ios-il2cpp", EngineScheduling.Threaded },
            { "webgl-il2cpp", EngineScheduling.Sliced },
            { "unity6-webgl-il2cpp", EngineScheduling.Sliced },
        };

        static Assembly Flavour(string name)
        {
            var dir = Path.Combine(Path.Combine(Path.Combine(Path.Combine(RepoPaths.Root, "tests"), "csharp"), "bin"), Path.Combine("unity", "targets"));
            var path = Path.Combine(dir, "RiffForge.Runtime." + name + ".dll");
            Assert.IsTrue(File.Exists(path), path + " is missing: run tests/csharp/run_unity_layer.sh (it compiles every build target)");
            return Assembly.LoadFrom(path);
        }

        [Test]
        public void EachBuildTargetsCompiledRuntimeSchedulesTheEngineForItsTarget()
        {
            foreach (var kv in Flavours)
            {
                var asm = Flavour(kv.Key);
                var choice = asm.GetType("RiffForge.EngineChoice", true);
                Assert.AreEqual(kv.Value, (EngineScheduling)(int)choice.GetField("Scheduling").GetRawConstantValue(), kv.Key + ": EngineChoice.Scheduling");
                var current = (int)asm.GetType("RiffForge.SidecarPlatform", true).GetField("Current").GetRawConstantValue();
                var schedulingFor = choice.GetMethod("SchedulingFor").Invoke(null, new[] { Enum.ToObject(asm.GetType("RiffForge.SidecarTarget"), current) });
                Assert.AreEqual((int)kv.Value, Convert.ToInt32(schedulingFor), kv.Key + ": the constant agrees with SchedulingFor(SidecarPlatform.Current)");
            }
        }

        /// <summary>
        /// The Android, iOS and WebGL Runtimes, as compiled for those targets: Auto picks the engine alone, the
        /// shipped assets load, and a request is answered with a generated riff (not a baked one) through the
        /// same session and runner a game uses; WebGL's answer comes only after several sliced frames.
        /// </summary>
        [TestCase("android-il2cpp", false)]
        [TestCase("ios-il2cpp", false)]
        [TestCase("webgl-il2cpp", true)]
        [TestCase("unity6-webgl-il2cpp", true)]
        public void OnPhonesAndTheWebAutoGeneratesRiffsInEngineFromTheShippedAssets(string flavour, bool sliced)
        {
            var asm = Flavour(flavour);
            var choice = asm.GetType("RiffForge.EngineChoice", true);
            var targetT = asm.GetType("RiffForge.SidecarTarget", true);
            var engineT = asm.GetType("RiffForge.RiffEngine", true);
            var current = Enum.ToObject(targetT, (int)asm.GetType("RiffForge.SidecarPlatform", true).GetField("Current").GetRawConstantValue());
            var route = choice.GetMethod("Route").Invoke(null, new[] { Enum.Parse(engineT, "Auto"), current, (object)true });
            Assert.AreEqual("EngineOnly", route.ToString(), flavour + ": Auto with the engine assets loaded");
            var scheduling = choice.GetField("Scheduling").GetValue(null);
            Assert.AreEqual(sliced ? "Sliced" : "Threaded", scheduling.ToString());

            var assetsT = asm.GetType("RiffForge.EngineAssets", true);
            var assets = assetsT.GetMethod("Load").Invoke(null, new object[] { new Func<string, byte[]>(ShippedEngine.Bytes), new Func<string, string>(ShippedEngine.Text) });
            var generator = assetsT.GetMethod("CreateGenerator").Invoke(assets, new object[] { null });
            var runnerT = asm.GetType("RiffForge.EngineRunner", true);
            var runner = Activator.CreateInstance(runnerT, generator, scheduling, null, null, 0.0);
            var sessionT = asm.GetType("RiffForge.SidecarSession", true);
            var session = sessionT.GetMethod("EngineOnly").Invoke(null, new[] { runner, null, (object)0.0 });
            Riff riff = null;
            var fromFallback = true;
            sessionT.GetEvent("RiffReady").AddEventHandler(session, new Action<int, Riff, bool>((id, r, fb) => { riff = r; fromFallback = fb; }));
            sessionT.GetMethod("Start").Invoke(session, null);
            sessionT.GetMethod("Send", new[] { typeof(RiffRequest) }).Invoke(session, new object[] { new RiffRequest(0.8) { Style = "death", Bars = 2, Seed = 11 } });
            var pump = runnerT.GetMethod("Pump");
            var update = sessionT.GetMethod("Update");
            var frames = 0;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (riff == null)
            {
                Assert.Less(clock.Elapsed.TotalSeconds, 30.0, flavour + ": no riff within 30 s");
                pump.Invoke(runner, null);
                update.Invoke(session, new object[] { frames / 60.0, 0.002 });
                if (!sliced) Thread.Sleep(1);
                frames++;
            }
            ((IDisposable)runner).Dispose();
            Assert.IsFalse(fromFallback, "a generated riff, not a baked one");
            Assert.AreEqual("in-engine riffs (" + (sliced ? "sliced" : "threaded") + ")", sessionT.GetProperty("Status").GetValue(session, null));
            Assert.AreEqual("death", riff.Style);
            Assert.AreEqual(2, riff.Bars);
            Assert.AreNotEqual(BakedRiffs.ModelId, riff.ModelId);
            foreach (var part in new[] { "guitar", "bass", "drums" })
                Assert.IsNotEmpty(new List<Note>(riff.Notes(part)), flavour + ": the " + part + " part has notes");
            if (sliced) Assert.Greater(frames, 10, "the WebGL runtime spread the request over frames");
        }
    }

    /// <summary>
    /// <see cref="EngineRunner"/> and <see cref="StepBudget"/>: off the main thread where threads exist, in
    /// slices within the frame budget where they do not (WebGL), answers through the owner's inbox.
    /// </summary>
    [TestFixture]
    public class EngineRunnerTests
    {
        static EngineAnswer Await(EngineRunner runner, EngineInbox inbox, int maxFrames = 100000)
        {
            EngineAnswer answer;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (var frame = 0; !inbox.TryTake(out answer); frame++)
            {
                Assert.Less(frame, maxFrames, "no answer after " + maxFrames + " frames");
                Assert.Less(clock.Elapsed.TotalSeconds, 30.0, "no answer within 30 s");
                runner.Pump();
                if (runner.Scheduling == EngineScheduling.Threaded) Thread.Sleep(1);
            }
            return answer;
        }

        [Test]
        public void ThreadedGeneratesOnAWorkerThreadAndHandsTheRiffOverThroughTheInbox()
        {
            var engine = new FakeEngine(null);
            using (var runner = new EngineRunner(engine, EngineScheduling.Threaded))
            {
                var inbox = new EngineInbox();
                runner.Submit(inbox, -7, new RiffRequest(0.3) { Bars = 4 });
                var answer = Await(runner, inbox);
                Assert.AreEqual(-7, answer.Id);
                Assert.IsNull(answer.Error);
                Assert.AreEqual(4, answer.Riff.Bars);
                Assert.AreNotEqual(Thread.CurrentThread.ManagedThreadId, engine.GenerateThread, "generated off the main thread");
                Assert.GreaterOrEqual(answer.Seconds, 0.0);
                EngineAnswer none;
                Assert.IsFalse(inbox.TryTake(out none), "one answer per request");
            }
        }

        [Test]
        public void TheEngineIsCreatedOnTheGeneratingThreadAndACreationErrorAnswersEveryRequest()
        {
            var createdOn = -1;
            using (var runner = new EngineRunner(() => { createdOn = Thread.CurrentThread.ManagedThreadId; return new FakeEngine(null); }, EngineScheduling.Threaded))
            {
                Assert.AreEqual(-1, createdOn, "nothing is created before the first request");
                var inbox = new EngineInbox();
                runner.Submit(inbox, -1, new RiffRequest(0.5));
                Assert.IsNotNull(Await(runner, inbox).Riff);
                Assert.AreNotEqual(Thread.CurrentThread.ManagedThreadId, createdOn, "the models are parsed on the worker, not in a frame");
            }
            var calls = 0;
            using (var runner = new EngineRunner(() => { calls++; throw new RiffForge.Engine.EngineFormatException("RiffForgeEngine/metal-drums.bytes: magic: not RFEM"); }, EngineScheduling.Sliced))
            {
                var inbox = new EngineInbox();
                runner.Submit(inbox, -1, new RiffRequest(0.5));
                runner.Submit(inbox, -2, new RiffRequest(0.5));
                StringAssert.Contains("metal-drums.bytes: magic", Await(runner, inbox).Error.Message);
                StringAssert.Contains("metal-drums.bytes: magic", Await(runner, inbox).Error.Message);
                Assert.AreEqual(1, calls, "created (and failed) once");
            }
        }

        [Test]
        public void ThreadedAnswersInOrderAndSkipsCancelledRequests()
        {
            var engine = new FakeEngine(null) { Gate = new ManualResetEvent(false) };
            using (var runner = new EngineRunner(engine, EngineScheduling.Threaded))
            {
                var inbox = new EngineInbox();
                var ids = new List<int>();
                var tickets = new List<EngineTicket>();
                for (var i = 1; i <= 5; i++) tickets.Add(runner.Submit(inbox, -i, new RiffRequest(i / 10.0)));
                tickets[2].Cancel();
                engine.Gate.Set();
                TestProcesses.WaitFor(() => runner.Pending == 0, 10, "the worker to finish");
                EngineAnswer a;
                while (inbox.TryTake(out a)) ids.Add(a.Id);
                CollectionAssert.AreEqual(new[] { -1, -2, -4, -5 }, ids, "in order; the cancelled one never answers");
            }
        }

        [Test]
        public void AnEngineErrorIsAnAnswerThatCarriesIt()
        {
            foreach (var scheduling in new[] { EngineScheduling.Threaded, EngineScheduling.Sliced })
            {
                var clock = new FakeClock();
                var engine = new FakeEngine(clock) { Fail = new InvalidOperationException("no model for style 'polka'") };
                using (var runner = new EngineRunner(engine, scheduling, null, clock.Read, FakeClock.TicksPerSecond))
                {
                    var inbox = new EngineInbox();
                    runner.Submit(inbox, -1, new RiffRequest(0.5));
                    var answer = Await(runner, inbox);
                    Assert.IsNull(answer.Riff, scheduling.ToString());
                    StringAssert.Contains("polka", answer.Error.Message, scheduling.ToString());
                }
            }
        }

        /// <summary>Steps of 0.3 ms: three fit in the 1 ms budget, every frame, and the request finishes.</summary>
        [Test]
        public void SlicedDecodesOnlyWhatFitsInTheFrameBudget()
        {
            var clock = new FakeClock();
            var engine = new FakeEngine(clock) { StepsPerRiff = 480, MicrosPerStep = 300 };
            using (var runner = new EngineRunner(engine, EngineScheduling.Sliced, new StepBudget(0.001), clock.Read, FakeClock.TicksPerSecond))
            {
                var inbox = new EngineInbox();
                runner.Submit(inbox, -1, new RiffRequest(0.5));
                var frames = 0;
                EngineAnswer answer;
                while (!inbox.TryTake(out answer))
                {
                    runner.Pump();
                    frames++;
                    Assert.LessOrEqual(runner.SecondsLastPump, 0.001 + 1e-9, "frame " + frames + " stayed within 1 ms");
                    Assert.Less(frames, 1000);
                }
                // One step in the first frame (nothing measured yet), then three 0.3 ms steps per 1 ms frame as
                // the estimate falls to the measured cost.
                Assert.GreaterOrEqual(frames, 480 / 3);
                Assert.LessOrEqual(frames, 480 / 3 + 15, "the estimate is learned within a few frames");
                Assert.IsNotNull(answer.Riff);
                Assert.AreEqual(0.144, answer.Seconds, 1e-9, "submit-to-answer time on the runner's clock (480 steps of 0.3 ms)");
                Assert.AreEqual(0.0003, runner.Budget.SecondsPerStep, 1e-8);
            }
        }

        [Test]
        public void SlicedStepsSlowerThanTheBudgetStillMakeProgressOneStepAFrame()
        {
            var clock = new FakeClock();
            var engine = new FakeEngine(clock) { StepsPerRiff = 30, MicrosPerStep = 2500 };
            using (var runner = new EngineRunner(engine, EngineScheduling.Sliced, null, clock.Read, FakeClock.TicksPerSecond))
            {
                var inbox = new EngineInbox();
                runner.Submit(inbox, -1, new RiffRequest(0.5));
                var frames = 0;
                EngineAnswer answer;
                while (!inbox.TryTake(out answer))
                {
                    runner.Pump();
                    frames++;
                    Assert.AreEqual(1, runner.StepsLastPump, "frame " + frames + ": one step, the least that still finishes");
                }
                Assert.AreEqual(30, frames);
            }
        }

        [Test]
        public void SlicedIdleFramesCostNothingAndThreadedFramesNeverDecode()
        {
            var clock = new FakeClock();
            using (var sliced = new EngineRunner(new FakeEngine(clock), EngineScheduling.Sliced, null, clock.Read, FakeClock.TicksPerSecond))
            {
                sliced.Pump();
                Assert.AreEqual(0, sliced.StepsLastPump);
                Assert.AreEqual(0L, clock.Now);
            }
            var engine = new FakeEngine(null);
            using (var threaded = new EngineRunner(engine, EngineScheduling.Threaded))
            {
                var inbox = new EngineInbox();
                threaded.Submit(inbox, -1, new RiffRequest(0.5));
                threaded.Pump();
                Assert.AreEqual(0, threaded.StepsLastPump, "the main thread does not decode when threads exist");
                Await(threaded, inbox);
            }
        }

        [Test]
        public void SlicedCancelledRequestsStopBeingDecoded()
        {
            var clock = new FakeClock();
            var engine = new FakeEngine(clock) { StepsPerRiff = 100, MicrosPerStep = 300 };
            using (var runner = new EngineRunner(engine, EngineScheduling.Sliced, null, clock.Read, FakeClock.TicksPerSecond))
            {
                var inbox = new EngineInbox();
                var first = runner.Submit(inbox, -1, new RiffRequest(0.5));
                runner.Submit(inbox, -2, new RiffRequest(0.9));
                runner.Pump();
                first.Cancel();
                var answer = Await(runner, inbox);
                Assert.AreEqual(-2, answer.Id, "the superseded request gave way");
                Assert.Less(clock.Now, 2 * 100 * 300, "the cancelled request was not decoded to its end");
            }
        }

        [Test]
        public void TheBudgetRisesAtOnceAndFallsSlowly()
        {
            var b = new StepBudget(0.001);
            Assert.AreEqual(0.001, b.SecondsPerStep, "before any measurement a step is assumed to take the whole budget");
            Assert.AreEqual(1, b.StepsFor(0.001, true));
            b.Observe(4, 0.008);
            Assert.AreEqual(0.002, b.SecondsPerStep, 1e-12, "a slower step raises the estimate at once");
            Assert.AreEqual(1, b.StepsFor(0.001, true), "the first call of a frame always makes progress");
            Assert.AreEqual(0, b.StepsFor(0.001, false), "later calls only run what fits");
            Assert.AreEqual(1, b.StepsFor(0.0, true));
            b.Observe(10, 0.001);
            Assert.AreEqual(0.002 + (0.0001 - 0.002) * 0.2, b.SecondsPerStep, 1e-12, "a faster one lowers it by a fifth of the difference");
            for (var i = 0; i < 200; i++) b.Observe(10, 0.001);
            Assert.AreEqual(0.0001, b.SecondsPerStep, 1e-9);
            Assert.AreEqual(9, b.StepsFor(0.00095, false));
            Assert.AreEqual(4096, b.StepsFor(10.0, false), "capped at maxSteps");
            b.Observe(0, 1.0);
            Assert.AreEqual(0.0001, b.SecondsPerStep, 1e-9, "a call that ran no step teaches nothing");
            Assert.Throws<ArgumentOutOfRangeException>(() => new StepBudget(0));
            Assert.Throws<ArgumentOutOfRangeException>(() => new StepBudget(0.001, 0));
        }

        /// <summary>
        /// The real engine with the shipped assets, sliced as on WebGL: the same riff as the whole request
        /// (slicing changes when, not what), spread over many frames. Frames are measured here only with a
        /// generous bound (this machine's CPU is shared; real frame timings belong to a device, see
        /// Documentation~/manual-checklist.md): the budget never asks for more than fits, so a frame stays within
        /// the budget plus one decoder step.
        /// </summary>
        [Test]
        public void SlicedRealEngineGivesTheWholeRequestsRiffOverManyFrames()
        {
            var request = new RiffRequest(0.6) { Style = "groove", Bars = 4, Seed = 1234 };
            var whole = ShippedEngine.Assets.CreateGenerator().Generate(request);
            using (var runner = new EngineRunner(ShippedEngine.Assets.CreateGenerator(), EngineScheduling.Sliced))
            {
                var inbox = new EngineInbox();
                runner.Submit(inbox, -1, request);
                var pumps = new List<double>();
                var steps = 0;
                EngineAnswer answer;
                while (!inbox.TryTake(out answer))
                {
                    runner.Pump();
                    pumps.Add(runner.SecondsLastPump);
                    steps += runner.StepsLastPump;
                    Assert.Less(pumps.Count, 100000);
                }
                Assert.IsNull(answer.Error, answer.Error == null ? "" : answer.Error.ToString());
                Assert.AreEqual(whole.ToString(), answer.Riff.ToString());
                foreach (var part in new[] { "guitar", "bass", "drums" })
                    CollectionAssert.AreEqual(new List<Note>(whole.Notes(part)), new List<Note>(answer.Riff.Notes(part)), part + ": the same notes as Generate");
                Assert.Greater(pumps.Count, 20, "spread over frames");
                pumps.Sort();
                var median = pumps[pumps.Count / 2];
                Assert.Less(median, 0.004, "median frame " + (median * 1000).ToString("0.00") + " ms (budget 1 ms; generous bound for a shared CPU)");
            }
        }

        [Test]
        public void TheShippedAssetsLoadAndAMissingOneIsNamedWithTheFix()
        {
            Assert.AreEqual(3, ShippedEngine.Assets.Models.Count);
            var e = Assert.Throws<InvalidOperationException>(() => EngineAssets.Load(n => n == "metal-bass" ? null : ShippedEngine.Bytes(n), ShippedEngine.Text));
            StringAssert.Contains("Resources/RiffForgeEngine/metal-bass.bytes is missing", e.Message);
            StringAssert.Contains("Fix:", e.Message);
            var s = Assert.Throws<InvalidOperationException>(() => EngineAssets.Load(ShippedEngine.Bytes, n => null));
            StringAssert.Contains("styles.json is missing", s.Message);
            Assert.Throws<RiffForge.Engine.EngineFormatException>(() => EngineAssets.Load(n => new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }, ShippedEngine.Text));
        }
    }

    /// <summary>The session with the in-engine generator: alone (In Engine, phones, WebGL) and standing in for the sidecar (Auto).</summary>
    [TestFixture]
    public class EngineSessionTests
    {
        string _folder;

        [SetUp]
        public void SetUp()
        {
            _folder = Path.Combine(Path.GetTempPath(), "riffforge-engine-tests-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_folder);
        }

        [TearDown]
        public void TearDown()
        {
            try { Directory.Delete(_folder, true); } catch (IOException) { }
        }

        SidecarSupervisorOptions Options()
        {
            var o = new SidecarSupervisorOptions { PidFolder = Path.Combine(_folder, "pids") };
            o.Client.HandshakeTimeoutSeconds = 30;
            return o;
        }

        /// <summary>A sidecar that prints READY but never answers the handshake: it stays "starting".</summary>
        string DeafSidecar()
        {
            var path = Path.Combine(_folder, "riffforge-sidecar");
            File.WriteAllText(path, "#!/bin/sh\necho \"RIFFFORGE READY port=9 pid=$$ protocol=1.0 version=0.0.0\"\nexec sleep 30\n");
            using (var chmod = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/bin/chmod", "755 " + path) { UseShellExecute = false })) chmod.WaitForExit(5000);
            return path;
        }

        [Test]
        public void AnEngineOnlySessionAnswersEveryRequestWithAGeneratedRiff()
        {
            using (var runner = new EngineRunner(ShippedEngine.Assets.CreateGenerator(), EngineScheduling.Threaded))
            {
                var session = SidecarSession.EngineOnly(runner, "RiffForge: generating riffs in-engine (threaded)", 0.0);
                var logs = new List<string>();
                var warnings = new List<string>();
                var answers = new List<KeyValuePair<int, Riff>>();
                session.Log += logs.Add;
                session.Warning += warnings.Add;
                session.RiffReady += (id, riff, fromFallback) =>
                {
                    Assert.IsFalse(fromFallback);
                    Assert.AreEqual(RiffSource.InEngine, session.LastRiffSource);
                    answers.Add(new KeyValuePair<int, Riff>(id, riff));
                };
                session.Start();
                CollectionAssert.AreEqual(new[] { "RiffForge: generating riffs in-engine (threaded)" }, logs);
                Assert.IsNull(session.Supervisor, "no process");
                var a = session.Send(new RiffRequest(0.2) { Style = "doom", Bars = 2, Seed = 5 });
                var b = session.SendOrStandIn(new RiffRequest(0.9) { Style = "thrash", Bars = 2, Seed = 6 });
                Assert.Less(a, 0);
                Assert.Less(b, 0);
                Assert.AreNotEqual(a, b);
                Assert.AreEqual(2, session.EngineRequestsInFlight);
                ShippedEngine.RunFrames(runner, session, () => answers.Count == 2);
                Assert.AreEqual(a, answers[0].Key);
                Assert.AreEqual("doom", answers[0].Value.Style);
                Assert.AreEqual("thrash", answers[1].Value.Style);
                Assert.AreEqual(2, session.EngineLatencies.Count, "each answer's time is measured for the planner's lead");
                Assert.IsFalse(session.UsingFallback);
                Assert.IsEmpty(warnings);
                Assert.AreEqual("in-engine riffs (threaded)", session.Status);
                Assert.Throws<ArgumentException>(() => session.Send(new RiffRequest(1.5)), "still validated");
                session.Dispose();
            }
        }

        [Test]
        public void WhenTheSidecarCannotLaunchTheEngineAnswersInsteadOfBakedRiffs()
        {
            var options = Options();
            options.ProcessStarter = info => { throw new PlatformNotSupportedException("no processes here"); };
            var session = new SidecarSession(new SidecarCommand("/opt/riffforge-sidecar", new string[0], false), null, options, 0.0);
            using (var runner = new EngineRunner(new FakeEngine(null), EngineScheduling.Threaded))
            {
                var sources = new List<RiffSource>();
                session.RiffReady += (id, riff, fromFallback) => sources.Add(session.LastRiffSource);
                session.Start();
                Assert.IsTrue(session.UsingFallback);
                session.Send(new RiffRequest(0.5), runner);
                session.Send(new RiffRequest(0.5));
                ShippedEngine.RunFrames(runner, session, () => sources.Count == 2);
                CollectionAssert.AreEquivalent(new[] { RiffSource.InEngine, RiffSource.Baked }, sources,
                    "with the engine (Auto): generated in-engine; without it (Sidecar): baked as before");
                session.Dispose();
            }
        }

        [Test]
        public void WithAnEngineStandingInTheOneAnnouncementSaysRiffsAreGeneratedInEngine()
        {
            foreach (var engine in new[] { true, false })
            {
                var options = Options();
                options.ProcessStarter = info => { throw new PlatformNotSupportedException("no processes here"); };
                var session = new SidecarSession(new SidecarCommand("/opt/riffforge-sidecar", new string[0], false), null, options, 0.0) { EngineStandsIn = engine };
                var warnings = new List<string>();
                session.Warning += warnings.Add;
                session.Start();
                Assert.AreEqual(1, warnings.Count);
                StringAssert.Contains("PlatformNotSupportedException: no processes here", warnings[0], "the reason either way");
                if (engine)
                {
                    StringAssert.Contains("generate riffs in-engine until a sidecar is ready", warnings[0]);
                    Assert.IsFalse(warnings[0].Contains("playing built-in fallback riffs"), warnings[0]);
                }
                else StringAssert.Contains("playing built-in fallback riffs", warnings[0]);
                session.Dispose();
            }
        }

        [Test]
        public void WhileTheSidecarStartsAThreadedEngineAnswersAndASlicedOneStandsInWithABakedRiffFirst()
        {
            var session = new SidecarSession(new SidecarCommand(DeafSidecar(), new string[0], false), null, Options(), 0.0);
            var clock = new FakeClock();
            using (var threaded = new EngineRunner(new FakeEngine(null), EngineScheduling.Threaded))
            using (var sliced = new EngineRunner(new FakeEngine(clock), EngineScheduling.Sliced, null, clock.Read, FakeClock.TicksPerSecond))
            {
                try
                {
                    var answers = new Dictionary<int, RiffSource>();
                    session.RiffReady += (id, riff, fromFallback) => answers[id] = session.LastRiffSource;
                    session.Start();
                    session.Update(0.0, 0.01);
                    Assert.IsTrue(session.IsStarting, session.Status);
                    var first = session.SendOrStandIn(new RiffRequest(0.7), threaded);
                    var next = session.Send(new RiffRequest(0.7), threaded);
                    var standIn = session.SendOrStandIn(new RiffRequest(0.7), sliced);
                    var replace = session.Send(new RiffRequest(0.7), sliced);
                    foreach (var id in new[] { first, next, standIn, replace }) Assert.Less(id, 0, "not sent to the sidecar that is still starting");
                    session.Update(0.01, 0.01);
                    Assert.AreEqual(RiffSource.Baked, answers[standIn], "sliced generation takes seconds: a baked riff plays first");
                    TestProcesses.WaitFor(() => { sliced.Pump(); session.Update(0.02, 0.01); return answers.Count == 4; }, 10, "the engine answers");
                    Assert.AreEqual(RiffSource.InEngine, answers[first], "a threaded engine answers the first request itself");
                    Assert.AreEqual(RiffSource.InEngine, answers[next]);
                    Assert.AreEqual(RiffSource.InEngine, answers[replace]);
                    Assert.IsFalse(session.UsingFallback, "the sidecar still gets its startup grace");
                }
                finally { session.Dispose(); }
            }
        }

        /// <summary>
        /// A request the ready sidecar took and then failed (lost, busy, timed out, an internal error) is made by
        /// the engine it was sent with; one the sidecar refused as invalid fails as before, and without an
        /// engine (Engine: Sidecar) every failure is reported as before. Driven through the session's error
        /// handler with the request recorded as the sidecar's (a ready sidecar that fails on cue is not at hand).
        /// </summary>
        [TestCase("internal", true)]
        [TestCase("busy", true)]
        [TestCase("timeout", true)]
        [TestCase("sidecar_lost", true)]
        [TestCase("bad_request", false)]
        [TestCase("unknown_style", false)]
        [TestCase("cancelled", false)]
        public void ASidecarRequestTheSidecarFailsIsMadeByTheEngineItWasSentWith(string code, bool engineTakesOver)
        {
            const BindingFlags Private = BindingFlags.Instance | BindingFlags.NonPublic;
            var session = new SidecarSession(new SidecarCommand(DeafSidecar(), new string[0], false), null, Options(), 0.0);
            using (var runner = new EngineRunner(new FakeEngine(null), EngineScheduling.Threaded))
            {
                try
                {
                    session.Start();
                    var outstandingType = typeof(SidecarSession).GetNestedType("Outstanding", BindingFlags.NonPublic);
                    var outstanding = typeof(SidecarSession).GetField("_outstanding", Private).GetValue(session);
                    foreach (var withEngine in new[] { true, false })
                    {
                        var id = withEngine ? 41 : 42;
                        var entry = Activator.CreateInstance(outstandingType, new RiffRequest(0.6) { Style = "groove" }, withEngine ? runner : null);
                        outstanding.GetType().GetMethod("Add").Invoke(outstanding, new object[] { id, entry });
                        var riffs = new List<RiffSource>();
                        var failures = new List<string>();
                        Action<int, Riff, bool> onRiff = (rid, riff, fb) => { if (rid == id) riffs.Add(session.LastRiffSource); };
                        Action<SidecarError> onFail = e => failures.Add(e.Code);
                        session.RiffReady += onRiff;
                        session.RequestFailed += onFail;
                        typeof(SidecarSession).GetMethod("OnError", Private).Invoke(session, new object[] { new SidecarError(id, code, "because " + code) });
                        if (withEngine && engineTakesOver) ShippedEngine.RunFrames(runner, session, () => riffs.Count == 1);
                        else { runner.Pump(); session.Update(0.01, 0.01); }
                        session.RiffReady -= onRiff;
                        session.RequestFailed -= onFail;
                        var expectRiff = withEngine && engineTakesOver;
                        // A timeout also switches the session to fallback (as before): without an engine a baked riff answers.
                        var expected = expectRiff ? new[] { RiffSource.InEngine } : code == "timeout" ? new[] { RiffSource.Baked } : new RiffSource[0];
                        CollectionAssert.AreEqual(expected, riffs, code + (withEngine ? " with" : " without") + " an engine");
                        var reported = code != "cancelled" && !expectRiff && code != "timeout";
                        if (reported) CollectionAssert.AreEqual(new[] { code }, failures, code + (withEngine ? " with" : " without") + " an engine: reported as before");
                        if (expectRiff) Assert.IsEmpty(failures, code + ": the engine's riff answers it, no failure");
                    }
                }
                finally { session.Dispose(); }
            }
        }

        [Test]
        public void AFailedEngineRequestIsAnsweredWithABakedRiffAndSaidOnce()
        {
            var engine = new FakeEngine(null) { Fail = new InvalidOperationException("weights are NaN") };
            using (var runner = new EngineRunner(engine, EngineScheduling.Threaded))
            {
                var session = SidecarSession.EngineOnly(runner, null, 0.0);
                var warnings = new List<string>();
                var answers = new List<KeyValuePair<Riff, RiffSource>>();
                session.Warning += warnings.Add;
                session.RiffReady += (id, riff, fromFallback) => { Assert.IsTrue(fromFallback); answers.Add(new KeyValuePair<Riff, RiffSource>(riff, session.LastRiffSource)); };
                session.Start();
                session.Send(new RiffRequest(0.9) { Style = "death" });
                session.Send(new RiffRequest(0.2) { Style = "doom" });
                ShippedEngine.RunFrames(runner, session, () => answers.Count == 2);
                Assert.AreEqual(RiffSource.Baked, answers[0].Value);
                Assert.AreEqual(BakedRiffs.ModelId, answers[0].Key.ModelId);
                Assert.AreEqual("death", answers[0].Key.Style);
                Assert.AreEqual(1, warnings.Count, string.Join(" | ", warnings.ToArray()));
                StringAssert.Contains("weights are NaN", warnings[0]);
                Assert.IsTrue(session.EngineFailed);
                StringAssert.Contains("baked riffs after an engine error", session.Status);
                // A second generator's session on the same engine: its failures are not announced again.
                var other = SidecarSession.EngineOnly(runner, null, 0.0);
                var otherWarnings = new List<string>();
                var otherAnswers = 0;
                other.Warning += otherWarnings.Add;
                other.RiffReady += (id, riff, fromFallback) => otherAnswers++;
                other.Start();
                other.Send(new RiffRequest(0.5));
                ShippedEngine.RunFrames(runner, other, () => otherAnswers == 1);
                Assert.IsEmpty(otherWarnings, "one warning per game, not per generator");
                Assert.IsTrue(other.EngineFailed);
                other.Dispose();
                session.Dispose();
            }
        }

        [Test]
        public void ACancelledEngineRequestIsNeverAnswered()
        {
            var clock = new FakeClock();
            using (var runner = new EngineRunner(new FakeEngine(clock) { StepsPerRiff = 50 }, EngineScheduling.Sliced, null, clock.Read, FakeClock.TicksPerSecond))
            {
                var session = SidecarSession.EngineOnly(runner, null, 0.0);
                var answered = new List<int>();
                session.RiffReady += (id, riff, fromFallback) => answered.Add(id);
                session.Start();
                var dropped = session.Send(new RiffRequest(0.5));
                var kept = session.Send(new RiffRequest(0.6));
                Assert.IsTrue(session.Cancel(dropped));
                ShippedEngine.RunFrames(runner, session, () => answered.Count == 1);
                for (var i = 0; i < 100; i++) { runner.Pump(); session.Update(1.0, 0.002); }
                CollectionAssert.AreEqual(new[] { kept }, answered);
                session.Dispose();
            }
        }
    }
}
