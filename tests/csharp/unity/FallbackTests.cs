using System;
using System.Collections.Generic;
using System.IO;
using NUnit.Framework;
using RiffForge.Core;
using RiffForge.Repo.Tests;

namespace RiffForge.Unity.Tests
{
    /// <summary>When baked riffs stand in for the sidecar, and that it is said once.</summary>
    [TestFixture]
    public class FallbackSwitchTests
    {
        [Test]
        public void StartingSidecarGetsItsGracePeriod()
        {
            var f = new FallbackSwitch(100.0) { StartupGraceSeconds = 10 };
            Assert.IsFalse(f.Tick(109.9));
            Assert.IsFalse(f.Active);
            Assert.IsTrue(f.Tick(110.1));
            Assert.IsTrue(f.Active);
            StringAssert.Contains("did not become ready within 10 s", f.Reason);
        }

        [Test]
        public void LostSidecarGetsTheShorterRestartGraceThenReadyEndsFallback()
        {
            var f = new FallbackSwitch(0.0) { LostGraceSeconds = 3 };
            f.SidecarReady();
            Assert.IsFalse(f.Tick(50.0));
            f.Error(new SidecarError(0, SidecarErrorCode.SidecarLost, "the sidecar process 42 exited"), 60.0);
            Assert.IsFalse(f.Active, "a restart is under way");
            Assert.IsFalse(f.Tick(62.9));
            Assert.IsTrue(f.Tick(63.1));
            StringAssert.Contains("did not come back within 3 s", f.Reason);
            f.SidecarReady();
            Assert.IsFalse(f.Active);
            Assert.IsNull(f.Reason);
        }

        [Test]
        public void LaunchFailureVersionMismatchAndTimeoutSwitchAtOnceRequestErrorsDoNot()
        {
            foreach (var code in new[] { SidecarErrorCode.LaunchFailed, SidecarErrorCode.VersionMismatch, SidecarErrorCode.Timeout, SidecarErrorCode.HandshakeTimeout })
            {
                var f = new FallbackSwitch(0.0);
                Assert.IsTrue(f.Error(new SidecarError(code == SidecarErrorCode.Timeout ? 3 : 0, code, "because " + code), 0.1), code);
                Assert.AreEqual("because " + code, f.Reason);
            }
            foreach (var code in new[] { SidecarErrorCode.BadRequest, SidecarErrorCode.UnknownStyle, SidecarErrorCode.OutOfRange, SidecarErrorCode.Busy, SidecarErrorCode.Cancelled })
            {
                var f = new FallbackSwitch(0.0);
                Assert.IsFalse(f.Error(new SidecarError(5, code, "x"), 0.1), code);
                Assert.IsFalse(f.Active, code);
            }
        }

        [Test]
        public void AnnouncementIsMadeOnceEvenAcrossSeveralOutages()
        {
            var f = new FallbackSwitch(0.0);
            f.Unavailable("no sidecar for linux-x64");
            var first = f.TakeAnnouncement();
            StringAssert.Contains("no sidecar for linux-x64", first);
            StringAssert.Contains("fallback", first);
            Assert.IsNull(f.TakeAnnouncement());
            f.SidecarReady();
            f.Error(new SidecarError(0, SidecarErrorCode.LaunchFailed, "crashed again"), 5.0);
            Assert.IsTrue(f.Active);
            Assert.IsNull(f.TakeAnnouncement(), "said once, not at every outage");
            Assert.AreEqual("crashed again", f.Reason, "the reason stays current for the monitor");
        }
    }

    [TestFixture]
    public class SidecarSessionTests
    {
        [Test]
        public void WithoutASidecarEveryRequestIsAnsweredByABakedRiffOnTheNextUpdateAndSaidOnce()
        {
            var session = new SidecarSession(null, "the sidecar is switched off", null, 0.0);
            var warnings = new List<string>();
            var answers = new List<KeyValuePair<int, Riff>>();
            session.Warning += warnings.Add;
            session.RiffReady += (id, riff, fallback) => { Assert.IsTrue(fallback); answers.Add(new KeyValuePair<int, Riff>(id, riff)); };
            session.Start();
            var a = session.Send(new RiffRequest(0.9) { Style = "death" });
            var b = session.Send(new RiffRequest(0.2) { Style = "doom", Instruments = new[] { "guitar" } });
            Assert.Less(a, 0, "fallback ids are negative");
            Assert.AreNotEqual(a, b);
            Assert.AreEqual(0, answers.Count, "answers come from Update, after the caller recorded the id");
            session.Update(0.1, 0.01);
            Assert.AreEqual(2, answers.Count);
            Assert.AreEqual(a, answers[0].Key);
            Assert.AreEqual("death", answers[0].Value.Style);
            Assert.AreEqual(0.9, answers[0].Value.Intensity, 1e-12, "a baked riff carries the requested intensity");
            Assert.AreEqual("doom", answers[1].Value.Style);
            CollectionAssert.AreEquivalent(new[] { "guitar" }, new List<string>(answers[1].Value.Instruments));
            session.Send(new RiffRequest(0.5));
            session.Update(0.2, 0.01);
            Assert.AreEqual(1, warnings.Count, "the fallback is announced exactly once");
            StringAssert.Contains("the sidecar is switched off", warnings[0]);
            StringAssert.Contains("fallback riffs", session.Status);
            Assert.IsTrue(session.UsingFallback);
            session.Dispose();
        }

        [Test]
        public void InvalidRequestThrowsNamingTheFieldEvenInFallback()
        {
            var session = new SidecarSession(null, "off", null, 0.0);
            session.Start();
            var e = Assert.Throws<ArgumentException>(() => session.Send(new RiffRequest(1.5)));
            StringAssert.Contains("intensity", e.Message);
        }

        [Test]
        public void MissingSidecarProgramFallsBackWithTheLaunchErrorAsReason()
        {
            var missing = Path.Combine(Path.GetTempPath(), "riffforge-no-such-python-" + Guid.NewGuid().ToString("N"));
            var session = new SidecarSession(SidecarCommand.Source(missing), null, null, 0.0);
            var warnings = new List<string>();
            session.Warning += warnings.Add;
            Riff answered = null;
            session.RiffReady += (id, riff, fallback) => answered = riff;
            session.Start();
            session.Send(new RiffRequest(0.5));
            session.Update(0.1, 0.01);
            Assert.IsTrue(session.UsingFallback);
            Assert.IsNotNull(answered);
            Assert.AreEqual(BakedRiffs.ModelId, answered.ModelId);
            Assert.AreEqual(1, warnings.Count);
            StringAssert.Contains(missing, warnings[0], "the announcement names the program that could not start");
            session.Dispose();
        }

        /// <summary>The real Python sidecar (source), through the session: a generated riff, its latency, no fallback.</summary>
        [Test]
        public void RealSourceSidecarAnswersWithAGeneratedRiff()
        {
            var python = RepoPaths.Python;
            Assert.IsTrue(File.Exists(python), "no Python at " + python + ": set RIFFFORGE_PYTHON or run ./run setup");
            RealSidecarSession.AssertGeneratesARiff(SidecarCommand.Source(python), 30);
        }
    }

    [TestFixture]
    public class BakedRiffsTests
    {
        [Test]
        public void BakedRiffsAreValidTwoBarRiffsCoveringTheIntensityRange()
        {
            var all = BakedRiffs.All;
            Assert.GreaterOrEqual(all.Count, 4);
            for (var i = 0; i < all.Count; i++)
            {
                var r = all[i];
                Assert.AreEqual(2, r.Bars);
                Assert.AreEqual(BakedRiffs.ModelId, r.ModelId);
                foreach (var name in RiffRequest.AllInstruments)
                {
                    Assert.Greater(r.Notes(name).Count, 0, r.Style + " has " + name);
                    foreach (var n in r.Notes(name))
                    {
                        Assert.That(n.Start >= 0 && n.End <= r.TotalSteps, r.Style + " " + name + " note " + n + " inside the riff");
                        Assert.That(n.Velocity >= 1 && n.Velocity <= 127);
                    }
                }
                if (i > 0) Assert.Greater(r.Intensity, all[i - 1].Intensity, "sorted by intensity");
            }
            Assert.LessOrEqual(all[0].Intensity, 0.25);
            Assert.GreaterOrEqual(all[all.Count - 1].Intensity, 0.9);
        }

        [Test]
        public void PickPrefersTheStyleThenTheNearestIntensity()
        {
            Assert.AreEqual("death", BakedRiffs.Pick(new RiffRequest(0.9) { Style = "death" }).Style);
            Assert.AreEqual("doom", BakedRiffs.Pick(new RiffRequest(0.3) { Style = "doom" }).Style);
            Assert.AreEqual("death", BakedRiffs.Pick(new RiffRequest(1.0) { Style = "black" }).Style, "no black riff: nearest intensity");
            Assert.AreEqual("doom", BakedRiffs.Pick(new RiffRequest(0.0) { Style = "djent" }).Style);
        }

        [Test]
        public void TabLinesParseIntoPowerChordsWithHoldsAndRests()
        {
            var notes = BakedRiffs.Guitar("0--.3.|", 40, 100, true);
            Assert.AreEqual(6, notes.Length);
            Assert.AreEqual(new Note(0, 3, 40, 100), notes[0]);
            Assert.AreEqual(new Note(0, 3, 47, 100), notes[1]);
            Assert.AreEqual(new Note(0, 3, 52, 100), notes[2]);
            Assert.AreEqual(new Note(4, 1, 43, 100), notes[3]);
            var bass = BakedRiffs.Guitar("a-", 28, 90, false);
            Assert.AreEqual(new[] { new Note(0, 2, 38, 90) }, bass);
            Assert.Throws<FormatException>(() => BakedRiffs.Guitar("-0", 40, 100, false));
            Assert.Throws<FormatException>(() => BakedRiffs.Guitar("0z", 40, 100, false));
        }

        [Test]
        public void DrumLinesParseAccentsAndGhosts()
        {
            var notes = BakedRiffs.Drums(new[] { "k:x...|X...", "s:..g." });
            CollectionAssert.AreEqual(new[] { new Note(0, 1, 36, 100), new Note(2, 1, 38, 45), new Note(4, 1, 36, 122) }, notes);
            Assert.Throws<FormatException>(() => BakedRiffs.Drums(new[] { "q:x" }));
            Assert.Throws<FormatException>(() => BakedRiffs.Drums(new[] { "k:x?" }));
        }
    }
}
