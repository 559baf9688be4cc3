using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Threading;
using NUnit.Framework;
using RiffForge.Core;

namespace RiffForge.Unity.Tests
{
    /// <summary>
    /// The sidecar's launch and stop as a session sees them: any launch failure falls back to baked riffs at
    /// once with the real cause, Dispose never blocks, a baked riff stands in while the sidecar starts.
    /// </summary>
    [TestFixture]
    public class SidecarLifecycleTests
    {
        string _folder;

        [SetUp]
        public void SetUp()
        {
            _folder = Path.Combine(Path.GetTempPath(), "riffforge-lifecycle-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_folder);
        }

        [TearDown]
        public void TearDown()
        {
            try { Directory.Delete(_folder, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }

        SidecarSupervisorOptions Options()
        {
            return new SidecarSupervisorOptions
            {
                PidFolder = Path.Combine(_folder, "sidecars"),
                RestoreExecutableBit = false,
                QuitGraceSeconds = 1.0,
                Client = new SidecarClientOptions { HandshakeTimeoutSeconds = 30 },
            };
        }

        /// <summary>A stand-in sidecar: prints a READY line, then sleeps, ignoring quit (it never reads UDP).</summary>
        string DeafSidecar()
        {
            var path = Path.Combine(_folder, "riffforge-sidecar");
            File.WriteAllText(path, "#!/bin/sh\necho \"RIFFFORGE READY port=9 pid=$$ protocol=1.0 version=0.0.0\"\nexec sleep 30\n");
            using (var chmod = Process.Start(new ProcessStartInfo("/bin/chmod", "755 " + path) { UseShellExecute = false })) chmod.WaitForExit(5000);
            return path;
        }

        static readonly Exception[] LaunchExceptions =
        {
            new PlatformNotSupportedException("Process.Start is not supported on this platform"),
            new NotSupportedException("no processes here"),
            new InvalidOperationException("no file name was given"),
            new IOException("the pipe broke"),
            new Win32Exception(2, "No such file or directory"),
            new UnauthorizedAccessException("denied"),
        };

        [Test]
        public void EveryKindOfLaunchFailureFallsBackAtOnceNamingTheCause()
        {
            foreach (var thrown in LaunchExceptions)
            {
                var kind = thrown.GetType().Name;
                var options = Options();
                options.ProcessStarter = info => { throw thrown; };
                var session = new SidecarSession(new SidecarCommand("/opt/riffforge-sidecar", new string[0], false), null, options, 0.0);
                var warnings = new List<string>();
                session.Warning += warnings.Add;
                var answers = new List<bool>();
                session.RiffReady += (id, riff, fromFallback) => answers.Add(fromFallback);
                Assert.DoesNotThrow(session.Start, kind);
                // At once: no Update has run and the clock has not moved (the startup grace is 12 s).
                Assert.IsTrue(session.UsingFallback, kind);
                StringAssert.Contains("/opt/riffforge-sidecar", session.Fallback.Reason, kind);
                if (!(thrown is Win32Exception)) StringAssert.Contains(kind + ": " + thrown.Message, session.Fallback.Reason);
                Assert.AreEqual(1, warnings.Count, kind);
                StringAssert.Contains(session.Fallback.Reason, warnings[0], "the announcement names the cause");
                var request = session.Send(new RiffRequest(0.6));
                Assert.Less(request, 0, "answered by the fallback");
                session.Update(0.0, 0.01);
                CollectionAssert.AreEqual(new[] { true }, answers, kind);
                session.Dispose();
            }
        }

        [Test]
        public void DisposeReturnsAtOnceAndTheSidecarThatIgnoresQuitIsKilledSoonAfter()
        {
            var session = new SidecarSession(new SidecarCommand(DeafSidecar(), new string[0], false), null, Options(), 0.0);
            session.Start();
            TestProcesses.WaitFor(() => session.Supervisor.SidecarPid > 0, 10, "the READY line");
            var pid = session.Supervisor.SidecarPid;
            var stopped = session.Supervisor.Stopped;
            Assert.IsTrue(TestProcesses.Alive(pid));
            var clock = Stopwatch.StartNew();
            session.Dispose();
            var ms = clock.Elapsed.TotalMilliseconds;
            // The limit the package promises for OnDisable / play-mode exit / domain reload / quit; precise
            // numbers: bench/csharp_lifecycle.py.
            Assert.Less(ms, 50.0, "Dispose blocked the main thread");
            Assert.AreEqual("stopped", session.Status);
            Assert.IsTrue(stopped.WaitOne(10000), "the background stop did not finish");
            TestProcesses.WaitFor(() => !TestProcesses.Alive(pid), 5, "the sidecar that ignored quit to be killed");
            Assert.IsFalse(File.Exists(session.Supervisor.PidFilePath));
        }

        [Test]
        public void ASidecarThatCannotLoadItsModelsFailsForGoodAndTheStatusSaysWhy()
        {
            var path = Path.Combine(_folder, "riffforge-sidecar-bad-models");
            File.WriteAllText(path, "#!/bin/sh\necho \"RIFFFORGE READY port=9 pid=$$ protocol=1.0 version=0.0.0\"\n"
                + "echo 'riffforge sidecar: error: could not start: BundleError: guitar/weights.npz is corrupt' >&2\nsleep 0.1\nexit 4\n");
            using (var chmod = Process.Start(new ProcessStartInfo("/bin/chmod", "755 " + path) { UseShellExecute = false })) chmod.WaitForExit(5000);
            var session = new SidecarSession(new SidecarCommand(path, new string[0], false), null, Options(), 0.0);
            var warnings = new List<string>();
            session.Warning += warnings.Add;
            try
            {
                session.Start();
                var now = 0.0;
                TestProcesses.WaitFor(() => { session.Update(now += 0.01, 0.01); return session.Client.State == SidecarState.Failed; }, 10, "state Failed");
                session.Update(now += 0.01, 0.01);
                StringAssert.StartsWith("failed, not restarting: the sidecar exited with code 4", session.Status);
                StringAssert.Contains("weights.npz is corrupt", session.Status, "the sidecar's own words say what to fix");
                Assert.AreEqual(0, session.Supervisor.Restarts);
                Assert.IsTrue(session.UsingFallback);
                Assert.IsFalse(session.IsStarting, "a game waiting for IsStarting to end does not wait forever");
                Assert.IsFalse(session.IsReady);
                Assert.AreEqual(1, warnings.Count, string.Join(" | ", warnings.ToArray()));
                StringAssert.Contains("code 4", warnings[0]);
                var answers = new List<bool>();
                session.RiffReady += (id, riff, fromFallback) => answers.Add(fromFallback);
                Assert.Less(session.Send(new RiffRequest(0.5)), 0, "answered by the fallback");
                session.Update(now += 0.01, 0.01);
                CollectionAssert.AreEqual(new[] { true }, answers);
            }
            finally { session.Dispose(); }
        }

        [Test]
        public void WhileTheSidecarStartsABakedRiffAnswersAtOnce()
        {
            var session = new SidecarSession(new SidecarCommand(DeafSidecar(), new string[0], false), null, Options(), 0.0);
            try
            {
                var answers = new List<KeyValuePair<int, bool>>();
                session.RiffReady += (id, riff, fromFallback) => answers.Add(new KeyValuePair<int, bool>(id, fromFallback));
                session.Start();
                session.Update(0.0, 0.01);
                Assert.IsTrue(session.IsStarting, session.Status);
                Assert.IsFalse(session.UsingFallback, "a starting sidecar is not a fallback yet");
                var standIn = session.SendOrStandIn(new RiffRequest(0.7) { Style = "thrash" });
                Assert.Less(standIn, 0);
                session.Update(0.01, 0.01);
                Assert.AreEqual(1, answers.Count);
                Assert.AreEqual(standIn, answers[0].Key);
                Assert.IsTrue(answers[0].Value, "a baked riff");
                Assert.AreEqual(BakedRiffs.ModelId, session.LastRiff.ModelId);
                Assert.Throws<ArgumentException>(() => session.SendOrStandIn(new RiffRequest(1.5)), "still validated");
            }
            finally { session.Dispose(); }
        }

        [Test]
        public void WithoutACommandSendOrStandInIsAnsweredByTheFallback()
        {
            var session = new SidecarSession(null, "the sidecar is switched off", null, 0.0);
            session.Start();
            Assert.IsFalse(session.IsStarting);
            Assert.Less(session.SendOrStandIn(new RiffRequest(0.4)), 0);
            session.Dispose();
        }
    }

    /// <summary>Which RiffForgeSidecar component runs the one sidecar process of an Editor.</summary>
    [TestFixture]
    public class SidecarChoiceTests
    {
        static SidecarCandidate C(string name, bool enabled = true, bool keeps = false) { return new SidecarCandidate(name, enabled, keeps); }

        [Test]
        public void NoneOrNoneEnabledMeansCreateOne()
        {
            string warning;
            Assert.AreEqual(-1, SidecarChoice.Choose(new SidecarCandidate[0], -1, out warning));
            Assert.AreEqual(-1, SidecarChoice.Choose(null, -1, out warning));
            Assert.AreEqual(-1, SidecarChoice.Choose(new[] { C("Off", enabled: false) }, -1, out warning));
            Assert.IsNull(warning);
        }

        [Test]
        public void ASingleUserAddedSidecarOnAnyGameObjectIsUsedWithoutAWarning()
        {
            string warning;
            Assert.AreEqual(0, SidecarChoice.Choose(new[] { C("Player/Audio") }, -1, out warning));
            Assert.IsNull(warning);
            Assert.AreEqual(1, SidecarChoice.Choose(new[] { C("Disabled", enabled: false), C("Music") }, -1, out warning));
            Assert.IsNull(warning, "a disabled one is not a rival");
        }

        [Test]
        public void OneKeptAcrossScenesWinsAndTheWarningNamesEveryIgnoredOne()
        {
            string warning;
            var list = new[] { C("Level Music"), C("Boss Music"), C("Global Music", keeps: true) };
            Assert.AreEqual(2, SidecarChoice.Choose(list, -1, out warning));
            StringAssert.Contains("3 RiffForgeSidecar components", warning);
            StringAssert.Contains("'Global Music' runs the one sidecar", warning);
            StringAssert.Contains("ignoring 'Level Music', 'Boss Music'", warning);
            StringAssert.Contains("Fix:", warning);
        }

        [Test]
        public void WithoutKeepAcrossScenesTheFirstEnabledWins()
        {
            string warning;
            Assert.AreEqual(1, SidecarChoice.Choose(new[] { C("A", enabled: false), C("B"), C("C") }, -1, out warning));
            StringAssert.Contains("ignoring 'C'", warning);
            StringAssert.DoesNotContain("'A'", warning);
        }

        [Test]
        public void TheOneAlreadyRunningStaysChosenSoNoSecondProcessStarts()
        {
            string warning;
            var list = new[] { C("Later, keeps across scenes", keeps: true), C("Running") };
            Assert.AreEqual(1, SidecarChoice.Choose(list, 1, out warning));
            StringAssert.Contains("'Running' runs the one sidecar", warning);
            list[1].Enabled = false;
            Assert.AreEqual(0, SidecarChoice.Choose(list, 1, out warning), "a disabled one is replaced");
            Assert.IsNull(warning);
        }
    }

    /// <summary>
    /// First sound at once: a baked riff plays while the sidecar starts and a generated riff replaces it at a
    /// bar line, never mid-bar. Driven by a fake clock through the planner and the scheduler.
    /// </summary>
    [TestFixture]
    public class StandInSwapTests
    {
        [Test]
        public void GeneratedRiffReplacesTheBakedStandInAtTheNextBarLine()
        {
            var scheduler = new RiffScheduler();
            var planner = new ContinuousPlanner(scheduler.Governor) { LeadSeconds = 0.5, Target = 0.5 };
            var notes = new List<ScheduledNote>();
            var bars = new List<ScheduledBar>();
            Action<double> update = now =>
            {
                notes.Clear();
                bars.Clear();
                scheduler.Update(now, notes, bars);
                foreach (var b in bars) planner.ObserveBar(b);
            };

            // t = 0: nothing plays; the start request is answered by a baked riff (the sidecar is starting).
            var d = planner.Next(0.0, null, false);
            Assert.AreEqual(RiffPurpose.Start, d.Purpose);
            planner.RequestSent(-1, d.Intensity, d.Purpose);
            var baked = BakedRiffs.Pick(new RiffRequest(d.Intensity));
            Assert.AreEqual(BakedRiffs.ModelId, baked.ModelId);
            Assert.IsTrue(planner.Accept(-1, baked));
            Assert.IsNull(scheduler.Enqueue(planner.Next(0.0, null, false).HandOff));
            update(0.0);  // starts the riff at 0.2 (now + look-ahead)
            update(0.05); // emits its first bar line and the notes within the look-ahead
            Assert.AreEqual(1, bars.Count);
            var firstBar = bars[0].Time;
            Assert.Greater(notes.Count, 0, "the baked riff sounds at once");

            // While the sidecar is not ready, the baked riff is not replaced (its loop end brings a continuation).
            Assert.IsFalse(planner.Next(0.1, scheduler.Current, false).Request);

            // The sidecar becomes ready in the middle of the first bar: a replacement is requested at once.
            var barSeconds = baked.SecondsPerBar;
            var midBar = firstBar + barSeconds * 0.4;
            update(midBar);
            planner.GeneratedRiffsAvailable = true;
            d = planner.Next(midBar, scheduler.Current, false);
            Assert.IsTrue(d.Request, d.ToString());
            Assert.AreEqual(RiffPurpose.Replace, d.Purpose);
            planner.RequestSent(5, d.Intensity, d.Purpose);
            var generated = TestRiffs.Make(d.Intensity, bars: 2, tempo: 60.0 * 4 / barSeconds);
            Assert.IsTrue(planner.Accept(5, generated));
            var handOff = planner.Next(midBar + 0.01, scheduler.Current, false).HandOff;
            Assert.AreSame(generated, handOff, "handed off as soon as it arrives");
            Assert.IsNull(scheduler.Enqueue(handOff));
            Assert.AreSame(baked, scheduler.Current, "the baked bar plays to its end");
            Assert.IsFalse(planner.Next(midBar + 0.02, scheduler.Current, true).Request, "no second replacement while one is pending");

            // Play on: the generated riff starts exactly on the next bar line (the scheduler swaps only there).
            var generatedStart = double.NaN;
            var t = midBar;
            while (double.IsNaN(generatedStart) && t < firstBar + 4 * barSeconds)
            {
                t += 0.01;
                update(t);
                foreach (var b in bars) if (b.Riff == generated && b.RiffChanged) generatedStart = b.Time;
            }
            Assert.AreEqual(firstBar + barSeconds, generatedStart, 1e-9, "swapped at the bar line after the replacement arrived");
            Assert.AreSame(generated, scheduler.Current);
            var after = planner.Next(t, scheduler.Current, false);
            Assert.IsFalse(after.Request && after.Purpose == RiffPurpose.Replace, "a generated riff is not replaced again");
        }

        [Test]
        public void NoReplacementWhileTheFallbackIsOnEvenInExplicitMode()
        {
            var scheduler = new RiffScheduler();
            var planner = new ContinuousPlanner(scheduler.Governor) { Continuous = false, Target = 0.5 };
            var baked = BakedRiffs.Pick(new RiffRequest(0.5));
            scheduler.Enqueue(baked);
            scheduler.Update(0.0, new List<ScheduledNote>());
            Assert.IsFalse(planner.Next(1.0, scheduler.Current, false).Request, "no sidecar ready: the baked riff loops");
            planner.GeneratedRiffsAvailable = true;
            var d = planner.Next(1.0, scheduler.Current, false);
            Assert.IsTrue(d.Request, "explicit mode replaces a stand-in too");
            Assert.AreEqual(RiffPurpose.Replace, d.Purpose);
            planner.RequestSent(2, d.Intensity, d.Purpose);
            planner.Failed(2, 1.1);
            Assert.IsFalse(planner.Next(1.2, scheduler.Current, false).Request, "a failed replacement backs off like any request");
            Assert.IsTrue(planner.Next(1.7, scheduler.Current, false).Request);
        }
    }
}
