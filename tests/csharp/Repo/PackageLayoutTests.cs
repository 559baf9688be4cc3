using System.Collections.Generic;
using System.IO;
using NUnit.Framework;
using RiffForge.Core;

namespace RiffForge.Repo.Tests
{
    /// <summary>The UPM package's metadata agrees with the code and the brief.</summary>
    public class PackageLayoutTests
    {
        static string Package { get { return Path.Combine(RepoPaths.Root, "unity_package"); } }

        [Test]
        public void PackageJsonHasTheRequiredFieldsAndMatchesRiffForgePackage()
        {
            var json = (JsonObject)RepoPaths.Json(Path.Combine(Package, "package.json"));
            Assert.AreEqual(RiffForgePackage.Name, json["name"]);
            Assert.AreEqual(RiffForgePackage.Version, json["version"]);
            Assert.AreEqual("2021.3", json["unity"]);
            Assert.IsNotEmpty((string)json["displayName"]);
            Assert.IsNotEmpty((string)json["description"]);
        }

        [Test]
        public void CoreAsmdefHasNoEngineReferencesNoReferencesAndEveryPlatform()
        {
            // Every platform: a user's Android, iOS or WebGL build must compile scripts naming RiffForge types.
            var json = (JsonObject)RepoPaths.Json(Path.Combine(Package, "Runtime", "Core", "RiffForge.Core.asmdef"));
            Assert.AreEqual("RiffForge.Core", json["name"]);
            Assert.AreEqual(true, json["noEngineReferences"]);
            Assert.IsEmpty((List<object>)json["includePlatforms"]);
            Assert.IsEmpty((List<object>)json["excludePlatforms"]);
            Assert.AreEqual(0, ((List<object>)json["references"]).Count);
        }

        [Test]
        public void EngineAsmdefIsUnityFreeUnsafeAndReferencesOnlyTheCore()
        {
            // allowUnsafeCode: Unity passes /unsafe to the compiler for this assembly (the decoder's pointer loops);
            // noEngineReferences: no UnityEngine, so the engine runs and is tested without Unity. Unity's
            // "Assembly Definition file format reference":
            // https://docs.unity.com/en-us/engine/6000.0/manual/scripting/compilation-and-code-reload/script-compilation/assembly-definition-files/file-format
            var json = (JsonObject)RepoPaths.Json(Path.Combine(Package, "Runtime", "Engine", "RiffForge.Engine.asmdef"));
            Assert.AreEqual("RiffForge.Engine", json["name"]);
            Assert.AreEqual("RiffForge.Engine", json["rootNamespace"]);
            Assert.AreEqual(true, json["noEngineReferences"]);
            Assert.AreEqual(true, json["allowUnsafeCode"]);
            Assert.AreEqual(true, json["autoReferenced"]);
            CollectionAssert.AreEqual(new[] { "RiffForge.Core" }, (List<object>)json["references"]);
            Assert.IsEmpty((List<object>)json["includePlatforms"]);
            Assert.IsEmpty((List<object>)json["excludePlatforms"]);
        }

        [Test]
        public void EngineModelsShipAsBinaryTextAssets()
        {
            // Resources/RiffForgeEngine/<bundle>.bytes: Unity imports .bytes as a TextAsset whose bytes
            // EngineModel.Load reads (build/engine_assets.py writes them).
            foreach (var bundle in new[] { "metal-guitar", "metal-bass", "metal-drums" })
            {
                var path = Path.Combine(Package, "Runtime", "Resources", "RiffForgeEngine", bundle + ".bytes");
                Assert.IsTrue(File.Exists(path), path);
                Assert.IsTrue(File.Exists(path + ".meta"), path + ".meta");
                var head = new byte[4];
                using (var f = File.OpenRead(path)) f.Read(head, 0, 4);
                Assert.AreEqual("RFEM", System.Text.Encoding.ASCII.GetString(head), path);
            }
        }

        [Test]
        public void EveryAsmdefInThePackageIsValidForUnity()
        {
            var problems = AsmdefValidator.CheckFolder(Package);
            Assert.IsEmpty(problems, string.Join("\n", problems.ToArray()));
        }

        [Test]
        public void TestAsmdefIsEditorOnly()
        {
            // EditMode tests, referencing UnityEditor.TestRunner: an Editor-only assembly.
            var json = (JsonObject)RepoPaths.Json(Path.Combine(Package, "Tests", "Runtime", "RiffForge.Core.Tests.asmdef"));
            CollectionAssert.AreEqual(new[] { "Editor" }, (List<object>)json["includePlatforms"]);
        }

        [Test]
        public void TestAsmdefReferencesTheCoreAndNUnit()
        {
            var json = (JsonObject)RepoPaths.Json(Path.Combine(Package, "Tests", "Runtime", "RiffForge.Core.Tests.asmdef"));
            CollectionAssert.Contains((List<object>)json["references"], "RiffForge.Core");
            CollectionAssert.Contains((List<object>)json["precompiledReferences"], "nunit.framework.dll");
            CollectionAssert.Contains((List<object>)json["defineConstraints"], "UNITY_INCLUDE_TESTS");
        }

        [Test]
        public void EveryCoreSourceIsInTheRiffForgeCoreNamespace()
        {
            foreach (var file in Directory.GetFiles(Path.Combine(Package, "Runtime", "Core"), "*.cs", SearchOption.AllDirectories))
                StringAssert.Contains("namespace RiffForge.Core\n", File.ReadAllText(file).Replace("\r\n", "\n"), file);
        }

        [Test]
        public void EveryEngineSourceIsInTheRiffForgeEngineNamespace()
        {
            foreach (var file in Directory.GetFiles(Path.Combine(Package, "Runtime", "Engine"), "*.cs", SearchOption.AllDirectories))
                StringAssert.Contains("namespace RiffForge.Engine\n", File.ReadAllText(file).Replace("\r\n", "\n"), file);
        }

        [Test]
        public void NoticesCreditTheGrooveMidiDataset()
        {
            var text = File.ReadAllText(Path.Combine(Package, "Third Party Notices.md"));
            foreach (var needle in new[] { "Groove MIDI Dataset", "CC BY 4.0", "Gillick", "Roberts", "Engel", "Eck", "Bamman", "ICML", "2019", "numpy", "msgpack", "python-osc", "mido", "tqdm" })
                StringAssert.Contains(needle.ToLowerInvariant(), text.ToLowerInvariant(), needle);
        }
    }
}
