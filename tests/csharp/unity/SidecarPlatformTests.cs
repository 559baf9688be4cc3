using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using NUnit.Framework;
using RiffForge.Core;
using RiffForge.Repo.Tests;

namespace RiffForge.Unity.Tests
{
    /// <summary>
    /// Where the sidecar may start (<see cref="SidecarPlatform"/>): the pure decision per target, the baked-only
    /// session a phone or browser build runs, and the constants each build target's compiled Runtime carries
    /// (tests/csharp/run_unity_layer.sh compiles one per target into bin/unity/targets).
    /// </summary>
    [TestFixture]
    public class SidecarPlatformTests
    {
        [Test]
        public void OnlyTheEditorAndDesktopPlayersCanLaunchTheSidecar()
        {
            foreach (SidecarTarget t in Enum.GetValues(typeof(SidecarTarget)))
            {
                var desktop = t == SidecarTarget.Editor || t == SidecarTarget.WindowsPlayer || t == SidecarTarget.MacOSPlayer || t == SidecarTarget.LinuxPlayer;
                Assert.AreEqual(desktop, SidecarPlatform.CanLaunchOn(t), t.ToString());
                Assert.AreEqual(desktop, SidecarPlatform.Announcement(t) == null, t + ": an announcement exactly where the sidecar cannot start");
                Assert.AreEqual(desktop, SidecarPlatform.BakedOnlySession(t, 0.0) == null, t + ": a baked-only session exactly where the sidecar cannot start");
            }
        }

        [Test]
        public void AnAndroidBuildPlaysBakedRiffsAndSaysWhyInOneLine()
        {
            var session = SidecarPlatform.BakedOnlySession(SidecarTarget.Android, 0.0);
            var warnings = new List<string>();
            var logs = new List<string>();
            var answers = new List<Riff>();
            session.Warning += warnings.Add;
            session.Log += logs.Add;
            session.RiffReady += (id, riff, fromFallback) => { Assert.IsTrue(fromFallback, "a baked riff"); answers.Add(riff); };
            session.Start();
            Assert.IsNull(session.Supervisor, "no process is started");
            session.Send(new RiffRequest(0.9) { Style = "death" });
            session.Update(0.1, 0.01);
            session.Send(new RiffRequest(0.2) { Style = "doom" });
            session.Update(30.0, 0.01);
            session.Update(60.0, 0.01);

            Assert.AreEqual(2, answers.Count);
            Assert.AreEqual(BakedRiffs.ModelId, answers[0].ModelId);
            Assert.AreEqual("death", answers[0].Style);
            Assert.AreEqual("doom", answers[1].Style);
            Assert.AreEqual(1, warnings.Count + logs.Count, "exactly one log line in all: " + string.Join(" | ", warnings.ToArray()));
            Assert.AreEqual(SidecarPlatform.Announcement(SidecarTarget.Android), warnings[0], "the line is the platform's, word for word");
            StringAssert.StartsWith("RiffForge: this build target (Android) cannot start the sidecar", warnings[0]);
            StringAssert.EndsWith("playing baked riffs", warnings[0]);
            Assert.IsFalse(warnings[0].Contains("\n"), "one line");
            Assert.IsTrue(session.UsingFallback);
            StringAssert.Contains("cannot start the sidecar", session.Status);
            session.Dispose();
        }

        [Test]
        public void TheAnnouncementNamesEachTargetThatCannotLaunch()
        {
            foreach (var t in new[] { SidecarTarget.Android, SidecarTarget.IOS, SidecarTarget.WebGL, SidecarTarget.Other })
            {
                var line = SidecarPlatform.Announcement(t);
                StringAssert.Contains("(" + t + ")", line);
                StringAssert.Contains("baked riffs", line);
            }
        }

        [Test]
        public void TheAssembliesTheseTestsLoadAreTheEditorFlavour()
        {
            Assert.AreEqual(SidecarTarget.Editor, SidecarPlatform.Current);
            Assert.IsTrue(SidecarPlatform.CanLaunchOn(SidecarPlatform.Current));
        }

        // Flavour (tests/csharp/run_unity_layer.sh FLAVOURS) -> the target its symbols must select.
        static readonly Dictionary<string, SidecarTarget> Flavours = new Dictionary<string, SidecarTarget>
        {
            { "editor-linux", SidecarTarget.Editor },
            { "editor-win", SidecarTarget.Editor },
            { "editor-osx-android", SidecarTarget.Editor },
            { "unity6-editor-linux", SidecarTarget.Editor },
            { "windows", SidecarTarget.WindowsPlayer },
            { "windows-il2cpp", SidecarTarget.WindowsPlayer },
            { "macos", SidecarTarget.MacOSPlayer },
            { "linux", SidecarTarget.LinuxPlayer },
            { "android", SidecarTarget.Android },
            { "android-il2cpp", SidecarTarget.Android },
            { "unity6-android-il2cpp", SidecarTarget.Android },
            { "ios-il2cpp", SidecarTarget.IOS },
            { "webgl-il2cpp", SidecarTarget.WebGL },
            { "unity6-webgl-il2cpp", SidecarTarget.WebGL },
        };

        [Test]
        public void EachBuildTargetsCompiledRuntimeSelectsItsTargetAndSupport()
        {
            var dir = Path.Combine(Path.Combine(Path.Combine(Path.Combine(RepoPaths.Root, "tests"), "csharp"), "bin"), Path.Combine("unity", "targets"));
            foreach (var kv in Flavours)
            {
                var path = Path.Combine(dir, "RiffForge.Runtime." + kv.Key + ".dll");
                Assert.IsTrue(File.Exists(path), path + " is missing: run tests/csharp/run_unity_layer.sh (it compiles every build target)");
                var type = Assembly.LoadFrom(path).GetType("RiffForge.SidecarPlatform", true);
                var current = (int)type.GetField("Current").GetRawConstantValue();
                var supported = (bool)type.GetField("Supported").GetRawConstantValue();
                Assert.AreEqual(kv.Value, (SidecarTarget)current, kv.Key + ": SidecarPlatform.Current");
                Assert.AreEqual(SidecarPlatform.CanLaunchOn(kv.Value), supported, kv.Key + ": SidecarPlatform.Supported agrees with CanLaunchOn");
            }
        }
    }
}
