using System;
using System.Collections.Generic;
using System.IO;
using NUnit.Framework;
using RiffForge.Core;

namespace RiffForge.Unity.Tests
{
    [TestFixture]
    public class BeatClockTests
    {
        [Test]
        public void BeatsAndBarsFireWhenTheClockReachesThemNotWhenScheduled()
        {
            var scheduler = new RiffScheduler { LookAheadSeconds = 0.2 };
            scheduler.Enqueue(TestRiffs.Make(0.5, bars: 2, tempo: 120)); // 0.5 s beats, first bar line at 0.2
            var beats = new BeatClock();
            var bars = new List<ScheduledBar>();
            var ticks = new List<BeatTick>();
            var seen = new List<BeatTick>();
            for (var frame = 0; frame <= 300; frame++)
            {
                var now = frame / 100.0;
                bars.Clear();
                scheduler.Update(now, new List<ScheduledNote>(), bars);
                foreach (var b in bars) beats.AddBar(b);
                ticks.Clear();
                beats.Poll(now, ticks);
                foreach (var t in ticks)
                {
                    Assert.LessOrEqual(t.Time, now + 1e-9);
                    Assert.Greater(t.Time, now - 0.0100001, "reported in the frame it happens (10 ms frames)");
                    seen.Add(t);
                }
            }
            // Beats at 0.2, 0.7, ..., 2.7 (6 beats up to 3.0 s).
            Assert.AreEqual(6, seen.Count);
            for (var i = 0; i < seen.Count; i++)
            {
                Assert.AreEqual(0.2 + 0.5 * i, seen[i].Time, 1e-9);
                Assert.AreEqual(i / 4, seen[i].Bar);
                Assert.AreEqual(i % 4, seen[i].Beat);
            }
            Assert.IsTrue(seen[0].IsBarLine);
            Assert.IsTrue(seen[4].IsBarLine);
            Assert.IsFalse(seen[5].IsBarLine);
        }
    }

    [TestFixture]
    public class LatencyLogTests
    {
        [Test]
        public void KeepsTheMostRecentAndComputesQuantiles()
        {
            var log = new LatencyLog(4);
            Assert.IsTrue(double.IsNaN(log.Quantile(0.5)));
            Assert.AreEqual("no requests yet", log.Summary());
            foreach (var s in new[] { 0.5, 0.010, 0.020, 0.030, 0.040 }) log.Add(s);
            Assert.AreEqual(4, log.Count);
            Assert.AreEqual(5, log.Total);
            CollectionAssert.AreEqual(new[] { 0.010, 0.020, 0.030, 0.040 }, log.Recent());
            Assert.AreEqual(0.020, log.Quantile(0.5), 1e-12);
            Assert.AreEqual(0.040, log.Max, 1e-12);
            Assert.AreEqual(0.040, log.Last, 1e-12);
            StringAssert.Contains("p50 20.0 ms", log.Summary());
        }
    }

    [TestFixture]
    public class SidecarPathsTests
    {
        [Test]
        public void PlayerSidecarRootPerOs()
        {
            Assert.AreEqual(Path.Combine(Path.Combine("/g", "Game_Data"), "RiffForgeSidecar"), SidecarPaths.PlayerSidecarRoot(Path.Combine("/g", "Game_Data"), "linux"));
            Assert.AreEqual(Path.Combine(Path.Combine(Path.Combine("/g", "Game.app/Contents"), "Helpers"), "RiffForgeSidecar"),
                SidecarPaths.PlayerSidecarRoot(Path.Combine("/g", "Game.app/Contents"), "osx"));
        }

        [Test]
        public void PlayerDataFolderFromTheBuildOutputPath()
        {
            Assert.AreEqual(Path.Combine("/b", "Game_Data"), SidecarPaths.PlayerDataFolder("/b/Game.exe", "win"));
            Assert.AreEqual(Path.Combine("/b", "My Game_Data"), SidecarPaths.PlayerDataFolder("/b/My Game.x86_64", "linux"));
            Assert.AreEqual(Path.Combine("/b/Game.app", "Contents"), SidecarPaths.PlayerDataFolder("/b/Game.app/", "osx"));
        }

        [Test]
        public void ResolveNamesWhyNoSidecarCanStart()
        {
            string problem;
            Assert.IsNull(SidecarPaths.Resolve(SidecarLaunchMode.Off, "/nowhere", null, out problem));
            StringAssert.Contains("Off", problem);
            var missing = "/nowhere/" + Guid.NewGuid().ToString("N");
            Assert.IsNull(SidecarPaths.Resolve(SidecarLaunchMode.Frozen, missing, "/usr/bin/python3", out problem));
            StringAssert.Contains(missing, problem, "the frozen lookup's message names the folder");
            var source = SidecarPaths.Resolve(SidecarLaunchMode.Auto, missing, "/opt/py/bin/python", out problem);
            Assert.IsNotNull(source, "Auto falls back to the source sidecar when a Python is set");
            Assert.AreEqual("/opt/py/bin/python", source.FileName);
            CollectionAssert.AreEqual(new[] { "-m", "riffforge", "sidecar" }, source.Arguments);
            Assert.IsFalse(source.IsFrozen);
        }

        [Test]
        public void ResolveFindsTheFrozenSidecarOfThisMachine()
        {
            var root = Path.Combine(Path.GetTempPath(), "riffforge-paths-" + Guid.NewGuid().ToString("N"));
            try
            {
                var platform = BinaryArchitecture.CurrentPlatform();
                Directory.CreateDirectory(Path.Combine(root, platform));
                var exe = Path.Combine(Path.Combine(root, platform), SidecarLocator.ExecutableName(platform));
                File.WriteAllText(exe, "#!/bin/sh\necho hi\n");
                string problem;
                var command = SidecarPaths.Resolve(SidecarLaunchMode.Auto, root, null, out problem);
                Assert.IsNull(problem);
                Assert.AreEqual(exe, command.FileName);
                Assert.IsTrue(command.IsFrozen);
            }
            finally { Directory.Delete(root, true); }
        }
    }

    [TestFixture]
    public class RequestSettingsTests
    {
        [Test]
        public void BuildsAValidRequestFromTheInspectorSettings()
        {
            var s = new RequestSettings { Style = "doom", Tempo = 70, Key = "D#", Bars = 4, Temperature = 0.8, Seed = 12, Bass = false };
            var r = s.Build(1.3);
            r.Validate();
            Assert.AreEqual(1.0, r.Intensity, "clamped to 0..1");
            Assert.AreEqual("doom", r.Style);
            Assert.AreEqual(70.0, r.Tempo);
            Assert.AreEqual("D#", r.Key);
            Assert.AreEqual(4, r.Bars);
            Assert.AreEqual(12, r.Seed);
            CollectionAssert.AreEqual(RiffRequest.AllInstruments, r.Instruments, "disabled instruments are still generated, silenced in playback");
            Assert.IsFalse(s.IsEnabled("bass"));
            Assert.IsFalse(s.Lacks(TestRiffs.Make(0.5)));
        }

        [Test]
        public void OnlyEnabledInstrumentsWhenAskedAndANewTrackIsNoticed()
        {
            var s = new RequestSettings { GenerateDisabledInstruments = false, Bass = false };
            CollectionAssert.AreEqual(new[] { "guitar", "drums" }, s.Build(0.5).Instruments);
            var riff = TestRiffs.Make(0.5); // guitar + drums
            Assert.IsFalse(s.Lacks(riff));
            s.Bass = true;
            Assert.IsTrue(s.Lacks(riff), "bass was unlocked: the riff lacks it");
            s.Guitar = s.Bass = s.Drums = false;
            CollectionAssert.AreEqual(RiffRequest.AllInstruments, s.Build(0.5).Instruments, "a request needs an instrument; playback stays silent");
        }

        [Test]
        public void InspectorEnumsMapToProtocolNames()
        {
            Assert.AreEqual("black", RiffNames.Style(MetalStyle.Black));
            Assert.AreEqual("djent", RiffNames.Style(MetalStyle.Djent));
            Assert.IsNull(RiffNames.Key(MusicalKey.Auto));
            Assert.AreEqual("F#", RiffNames.Key(MusicalKey.FSharp));
            foreach (MusicalKey k in Enum.GetValues(typeof(MusicalKey)))
                if (k != MusicalKey.Auto) CollectionAssert.Contains(RiffRequest.Keys, RiffNames.Key(k));
            foreach (MetalStyle st in Enum.GetValues(typeof(MetalStyle)))
                new RiffRequest(0.5) { Style = RiffNames.Style(st) }.Validate();
        }
    }
}
