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
        public void NoticesCreditTheGrooveMidiDataset()
        {
            var text = File.ReadAllText(Path.Combine(Package, "Third Party Notices.md"));
            foreach (var needle in new[] { "Groove MIDI Dataset", "CC BY 4.0", "Gillick", "Roberts", "Engel", "Eck", "Bamman", "ICML", "2019", "numpy", "msgpack", "python-osc", "mido", "tqdm" })
                StringAssert.Contains(needle.ToLowerInvariant(), text.ToLowerInvariant(), needle);
        }
    }
}
