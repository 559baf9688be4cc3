using System;
using System.Collections.Generic;
using System.IO;
using NUnit.Framework;
using RiffForge.Repo.Tests;

namespace RiffForge.Unity.Tests
{
    /// <summary>The Unity layer's assets: asmdefs, the sample entry, the default sounds, .meta files.</summary>
    [TestFixture]
    public class UnityLayerLayoutTests
    {
        static string Package { get { return Path.Combine(RepoPaths.Root, "unity_package"); } }

        static List<string> Strings(object list) { return ((List<object>)list).ConvertAll(o => (string)o); }

        [Test]
        public void RuntimeAsmdefReferencesTheCoreAndTheEngineOnEveryPlatform()
        {
            // Every platform, so user scripts naming MetalRiffGenerator compile for Android, iOS, WebGL and
            // consoles too; there the in-engine generator (RiffForge.Engine) makes the riffs the sidecar cannot.
            var json = (JsonObject)RepoPaths.Json(Path.Combine(Path.Combine(Package, "Runtime"), "RiffForge.Runtime.asmdef"));
            Assert.AreEqual("RiffForge.Runtime", json["name"]);
            CollectionAssert.AreEqual(new[] { "RiffForge.Core", "RiffForge.Engine" }, Strings(json["references"]));
            Assert.IsEmpty(Strings(json["includePlatforms"]));
            Assert.IsEmpty(Strings(json["excludePlatforms"]));
            Assert.AreEqual(false, json["noEngineReferences"]);
        }
        // Every asmdef of the package is checked against Unity's format by
        // RiffForge.Repo.Tests.PackageLayoutTests.EveryAsmdefInThePackageIsValidForUnity (tests/csharp/run.sh).

        [Test]
        public void EditorAsmdefIsEditorOnlyAndReferencesCoreAndRuntime()
        {
            var json = (JsonObject)RepoPaths.Json(Path.Combine(Path.Combine(Package, "Editor"), "RiffForge.Editor.asmdef"));
            Assert.AreEqual("RiffForge.Editor", json["name"]);
            CollectionAssert.AreEquivalent(new[] { "RiffForge.Core", "RiffForge.Runtime" }, Strings(json["references"]));
            CollectionAssert.AreEqual(new[] { "Editor" }, Strings(json["includePlatforms"]));
        }

        [Test]
        public void PackageJsonListsTheDemoSampleAndItsFolderExists()
        {
            var json = (JsonObject)RepoPaths.Json(Path.Combine(Package, "package.json"));
            Assert.IsTrue(json.ContainsKey("samples"), "package.json has no \"samples\"");
            var samples = (List<object>)json["samples"];
            Assert.GreaterOrEqual(samples.Count, 1);
            foreach (JsonObject s in samples)
            {
                Assert.IsNotEmpty((string)s["displayName"]);
                Assert.IsNotEmpty((string)s["description"]);
                var path = (string)s["path"];
                StringAssert.StartsWith("Samples~/", path);
                var dir = Path.Combine(Package, path);
                Assert.IsTrue(Directory.Exists(dir), "sample folder " + dir);
                Assert.IsNotEmpty(Directory.GetFiles(dir, "*.cs", SearchOption.AllDirectories), "the sample has scripts");
                Assert.IsNotEmpty(Directory.GetFiles(dir, "*.md", SearchOption.AllDirectories), "the sample describes its scene");
            }
        }

        [Test]
        public void EverySoundTheSamplerNeedsShipsAndTheyStaySmall()
        {
            var folder = Path.Combine(Path.Combine(Path.Combine(Package, "Runtime"), "Resources"), RiffSamplerFolder);
            var names = new List<string>(DrumKitMap.Sounds);
            names.AddRange(new[] { "guitar_38", "guitar_50", "guitar_62", "bass_28", "bass_40" });
            long total = 0;
            foreach (var name in names)
            {
                var wav = Path.Combine(folder, name + ".wav");
                Assert.IsTrue(File.Exists(wav), wav);
                Assert.IsTrue(File.Exists(wav + ".meta"), wav + ".meta");
                var bytes = File.ReadAllBytes(wav);
                Assert.AreEqual("RIFF", System.Text.Encoding.ASCII.GetString(bytes, 0, 4));
                Assert.AreEqual("WAVE", System.Text.Encoding.ASCII.GetString(bytes, 8, 4));
                total += bytes.Length;
            }
            Assert.Less(total, 1000000, "the default sounds must stay under 1 MB");
            // And every sampled pitch the planner asks for has its file.
            var planner = new SamplerPlanner(1, s => 1.0);
            for (var p = 20; p < 100; p++)
            {
                string sound; double ratio;
                planner.PitchedSound("guitar", p, out sound, out ratio);
                CollectionAssert.Contains(names, sound);
                planner.PitchedSound("bass", p, out sound, out ratio);
                CollectionAssert.Contains(names, sound);
            }
        }

        const string RiffSamplerFolder = "RiffForgeSounds";

        [Test]
        public void EveryImportedFileAndFolderOfTheUnityLayerHasAMeta()
        {
            var missing = new List<string>();
            foreach (var top in new[] { "Runtime", "Editor" })
                Walk(Path.Combine(Package, top), missing);
            Assert.IsEmpty(missing, "missing .meta (run python build/gen_meta.py): " + string.Join(", ", missing.ToArray()));
        }

        static void Walk(string dir, List<string> missing)
        {
            if (!File.Exists(dir + ".meta")) missing.Add(dir);
            foreach (var f in Directory.GetFiles(dir))
                if (!f.EndsWith(".meta", StringComparison.Ordinal) && !Path.GetFileName(f).StartsWith(".", StringComparison.Ordinal) && !File.Exists(f + ".meta")) missing.Add(f);
            foreach (var d in Directory.GetDirectories(dir))
                if (!Path.GetFileName(d).EndsWith("~", StringComparison.Ordinal) && !Path.GetFileName(d).StartsWith(".", StringComparison.Ordinal)) Walk(d, missing);
        }
    }
}
