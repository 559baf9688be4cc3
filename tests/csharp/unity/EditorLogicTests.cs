using System;
using System.IO;
using NUnit.Framework;
using RiffForge.Core;
using RiffForge.EditorTools;

namespace RiffForge.Unity.Tests
{
    [TestFixture]
    public class SidecarBuildCopierTests
    {
        string _root;

        [SetUp]
        public void SetUp() { _root = Path.Combine(Path.GetTempPath(), "riffforge-copier-" + Guid.NewGuid().ToString("N")); }

        [TearDown]
        public void TearDown() { if (Directory.Exists(_root)) Directory.Delete(_root, true); }

        string MakeSidecar(string platform)
        {
            var dir = Path.Combine(Path.Combine(_root, "Sidecar~"), platform);
            Directory.CreateDirectory(Path.Combine(dir, "_internal"));
            File.WriteAllText(Path.Combine(dir, SidecarLocator.ExecutableName(platform)), "#!/bin/sh\n");
            File.WriteAllText(Path.Combine(Path.Combine(dir, "_internal"), "lib.so"), "x");
            File.WriteAllText(Path.Combine(dir, "manifest.json"), "{}");
            return dir;
        }

        [Test]
        public void BuildTargetsMapToOses()
        {
            Assert.AreEqual("win", SidecarBuildCopier.OsFor("StandaloneWindows64"));
            Assert.AreEqual("osx", SidecarBuildCopier.OsFor("StandaloneOSX"));
            Assert.AreEqual("linux", SidecarBuildCopier.OsFor("StandaloneLinux64"));
            Assert.IsNull(SidecarBuildCopier.OsFor("StandaloneWindows"));
            Assert.IsNull(SidecarBuildCopier.OsFor("Android"));
        }

        [Test]
        public void CopiesOnlyTheTargetOsFoldersIntoThePlayerAndKeepsThemExecutable()
        {
            MakeSidecar("linux-x64");
            MakeSidecar("win-x64");
            MakeSidecar("osx-arm64");
            var data = SidecarPaths.PlayerDataFolder(Path.Combine(Path.Combine(_root, "Build"), "Game.x86_64"), "linux");
            var dest = SidecarPaths.PlayerSidecarRoot(data, "linux");
            var result = SidecarBuildCopier.Copy(Path.Combine(_root, "Sidecar~"), "linux", dest);
            CollectionAssert.AreEqual(new[] { "linux-x64" }, result.Platforms);
            Assert.AreEqual(3, result.Files);
            var exe = Path.Combine(Path.Combine(dest, "linux-x64"), "riffforge-sidecar");
            Assert.IsTrue(File.Exists(exe));
            Assert.IsTrue(File.Exists(Path.Combine(Path.Combine(Path.Combine(dest, "linux-x64"), "_internal"), "lib.so")));
            Assert.IsFalse(Directory.Exists(Path.Combine(dest, "win-x64")));
            Assert.IsTrue(SidecarBuildCopier.IsExecutable(exe), "the copied sidecar is executable");
            Assert.IsEmpty(result.Warnings);
            // What the player will look for at run time is what was copied.
            Assert.AreEqual(exe, SidecarLocator.Frozen(dest, "linux-x64").FileName);
        }

        [Test]
        public void MacBuildTakesEveryMacArchitectureAndACopyReplacesTheOldOne()
        {
            MakeSidecar("osx-arm64");
            MakeSidecar("osx-x64");
            var dest = SidecarPaths.PlayerSidecarRoot(SidecarPaths.PlayerDataFolder(Path.Combine(_root, "Game.app"), "osx"), "osx");
            Directory.CreateDirectory(Path.Combine(dest, "osx-x64"));
            File.WriteAllText(Path.Combine(Path.Combine(dest, "osx-x64"), "stale.txt"), "old");
            var result = SidecarBuildCopier.Copy(Path.Combine(_root, "Sidecar~"), "osx", dest);
            CollectionAssert.AreEqual(new[] { "osx-arm64", "osx-x64" }, result.Platforms);
            Assert.IsFalse(File.Exists(Path.Combine(Path.Combine(dest, "osx-x64"), "stale.txt")));
            StringAssert.Contains(Path.Combine(Path.Combine("Game.app", "Contents"), "Helpers"), dest);
            StringAssert.DoesNotContain("Resources", dest);
            // The copy changed a signed app: the result says so, with the commands that re-sign it.
            Assert.IsTrue(result.NeedsResign);
            var advice = SidecarBuildCopier.MacSigningAdvice(Path.Combine(_root, "Game.app"));
            StringAssert.Contains("codesign --force --options runtime --timestamp --entitlements", advice);
            StringAssert.Contains("Sidecar~/sidecar.entitlements", advice);
            StringAssert.Contains("notarytool submit", advice);
            StringAssert.Contains("Game.app", advice);
        }

        [Test]
        public void LinuxAndWindowsCopiesNeedNoResigning()
        {
            MakeSidecar("linux-x64");
            var result = SidecarBuildCopier.Copy(Path.Combine(_root, "Sidecar~"), "linux", Path.Combine(_root, "out"));
            Assert.IsFalse(result.NeedsResign);
        }

        [Test]
        public void AdHocResignReportsWhetherCodesignRanAndSucceeded()
        {
            var app = Path.Combine(_root, "Game.app");
            // No codesign program (Windows and Linux hosts): nothing runs and the post-processor warns.
            Assert.IsFalse(SidecarBuildCopier.ResignAdHoc(app, Path.Combine(_root, "no-codesign")));
            // A program standing in for codesign: its exit status is the answer.
            Assert.IsTrue(SidecarBuildCopier.ResignAdHoc(app, "/bin/true"));
            Assert.IsFalse(SidecarBuildCopier.ResignAdHoc(app, "/bin/false"));
        }

        [Test]
        public void MissingSidecarWarnsWithTheFixAndCopiesNothing()
        {
            MakeSidecar("linux-x64");
            var dest = Path.Combine(_root, "out");
            var result = SidecarBuildCopier.Copy(Path.Combine(_root, "Sidecar~"), "win", dest);
            Assert.IsEmpty(result.Platforms);
            Assert.AreEqual(1, result.Warnings.Count);
            StringAssert.Contains("fallback riffs", result.Warnings[0]);
            StringAssert.Contains("build_sidecar.py", result.Warnings[0]);
            Assert.IsFalse(Directory.Exists(dest));
        }
    }

    [TestFixture]
    public class PianoRollLayoutTests
    {
        [Test]
        public void NotesLandInTheirLaneAtTheirStepsWithHigherPitchesHigher()
        {
            var riff = TestRiffs.Make(0.5, bars: 2); // 32 steps; guitar E2 at steps 0 and 16 (8 long); kicks on beats
            var notes = PianoRollLayout.Layout(riff, 320f, 60f);
            Assert.AreEqual(riff.NoteCount, notes.Count);
            var guitar = notes.FindAll(n => n.Instrument == "guitar");
            Assert.AreEqual(2, guitar.Count);
            Assert.AreEqual(0f, guitar[0].X, 1e-4);
            Assert.AreEqual(160f, guitar[1].X, 1e-4);
            Assert.AreEqual(79f, guitar[0].Width, 1e-4, "8 of 32 steps of 320 px, minus a 1 px gap");
            foreach (var n in notes)
            {
                Assert.GreaterOrEqual(n.Y, n.Lane * 60f);
                Assert.LessOrEqual(n.Y + n.Height, (n.Lane + 1) * 60f + 1e-3);
            }
            Assert.AreEqual(2, notes.Find(n => n.Instrument == "drums").Lane);
            CollectionAssert.AreEqual(new[] { 0f, 160f }, PianoRollLayout.BarLines(riff, 320f));

            var two = new Riff(120, 4, 4, 1, "E", "aeolian", "thrash", 0.5, 1, "t", "E standard",
                new System.Collections.Generic.Dictionary<string, Note[]> { { "bass", new[] { new Note(0, 4, 28, 90), new Note(4, 4, 40, 90) } } });
            var bass = PianoRollLayout.Layout(two, 100f, 60f);
            Assert.Less(bass[1].Y, bass[0].Y, "the higher note is drawn higher");
            Assert.AreEqual(1, bass[0].Lane);
        }
    }
}
