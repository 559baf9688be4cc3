using System.Collections.Generic;
using NUnit.Framework;

namespace RiffForge.Repo.Tests
{
    /// <summary>The asmdef validator finds what Unity rejects, each with the file, the field and the fix.</summary>
    [TestFixture]
    public class AsmdefValidatorTests
    {
        const string Core = "{ \"name\": \"RiffForge.Core\", \"references\": [], \"includePlatforms\": [], \"excludePlatforms\": [], \"noEngineReferences\": true }";
        const string Runtime = "{ \"name\": \"RiffForge.Runtime\", \"references\": [\"RiffForge.Core\"], \"includePlatforms\": [], \"excludePlatforms\": [] }";
        const string Editor = "{ \"name\": \"RiffForge.Editor\", \"references\": [\"RiffForge.Core\", \"RiffForge.Runtime\"], \"includePlatforms\": [\"Editor\"], \"excludePlatforms\": [] }";

        static List<string> Check(params string[] pathAndJson)
        {
            var files = new Dictionary<string, string>();
            for (var i = 0; i < pathAndJson.Length; i += 2) files[pathAndJson[i]] = pathAndJson[i + 1];
            return AsmdefValidator.Check(files);
        }

        static List<string> WithRuntime(string runtimeJson)
        {
            return Check("Runtime/Core/RiffForge.Core.asmdef", Core, "Runtime/RiffForge.Runtime.asmdef", runtimeJson, "Editor/RiffForge.Editor.asmdef", Editor);
        }

        static void AssertOneProblem(List<string> problems, params string[] needles)
        {
            Assert.AreEqual(1, problems.Count, string.Join("\n", problems.ToArray()));
            foreach (var n in needles) StringAssert.Contains(n, problems[0]);
            StringAssert.Contains("Fix:", problems[0]);
        }

        [Test]
        public void AValidPackageHasNoProblems()
        {
            Assert.IsEmpty(WithRuntime(Runtime));
        }

        [Test]
        public void TheOldRuntimeAsmdefWithOSXStandaloneIsRejectedNamingMacOSStandalone()
        {
            // The file as it stood when it stopped every script in a user's project from compiling.
            const string old = @"{
    ""name"": ""RiffForge.Runtime"",
    ""rootNamespace"": ""RiffForge"",
    ""references"": [ ""RiffForge.Core"" ],
    ""includePlatforms"": [ ""Editor"", ""LinuxStandalone64"", ""OSXStandalone"", ""WindowsStandalone64"" ],
    ""excludePlatforms"": [],
    ""allowUnsafeCode"": false,
    ""overrideReferences"": false,
    ""precompiledReferences"": [],
    ""autoReferenced"": true,
    ""defineConstraints"": [],
    ""versionDefines"": [],
    ""noEngineReferences"": false
}";
            var problems = WithRuntime(old);
            Assert.IsNotEmpty(problems);
            var text = string.Join("\n", problems.ToArray());
            StringAssert.Contains("Runtime/RiffForge.Runtime.asmdef: includePlatforms: \"OSXStandalone\" is not a Unity asmdef platform name", text);
            StringAssert.Contains("macOSStandalone", text);
        }

        [Test]
        public void APlatformWithTheWrongCaseIsRejectedWithTheRightSpelling()
        {
            AssertOneProblem(WithRuntime("{ \"name\": \"RiffForge.Runtime\", \"references\": [\"RiffForge.Core\"], \"includePlatforms\": [], \"excludePlatforms\": [\"ios\"] }"),
                "excludePlatforms", "\"ios\"", "write \"iOS\"");
        }

        [Test]
        public void IncludeAndExcludeBothNonEmptyIsRejected()
        {
            AssertOneProblem(WithRuntime("{ \"name\": \"RiffForge.Runtime\", \"references\": [\"RiffForge.Core\"], \"includePlatforms\": [\"Android\"], \"excludePlatforms\": [\"WebGL\"] }"),
                "both non-empty");
        }

        [Test]
        public void AReferenceToNothingKnownIsRejected()
        {
            AssertOneProblem(WithRuntime("{ \"name\": \"RiffForge.Runtime\", \"references\": [\"RiffForge.Core\", \"RiffForge.Cor\"] }"),
                "references", "\"RiffForge.Cor\"");
        }

        [Test]
        public void ReferencesResolveByGuidAndToUnityTestAssemblies()
        {
            var files = new Dictionary<string, string>
            {
                { "Runtime/Core/RiffForge.Core.asmdef", Core },
                { "Runtime/RiffForge.Runtime.asmdef", "{ \"name\": \"RiffForge.Runtime\", \"references\": [\"GUID:0123456789abcdef0123456789abcdef\"] }" },
                { "Tests/RiffForge.Tests.asmdef", "{ \"name\": \"RiffForge.Tests\", \"references\": [\"RiffForge.Core\", \"UnityEngine.TestRunner\", \"UnityEditor.TestRunner\"], \"includePlatforms\": [\"Editor\"] }" },
            };
            var guids = new Dictionary<string, string> { { "Runtime/Core/RiffForge.Core.asmdef", "0123456789abcdef0123456789abcdef" } };
            Assert.IsEmpty(AsmdefValidator.Check(files, guids));
            files["Runtime/RiffForge.Runtime.asmdef"] = "{ \"name\": \"RiffForge.Runtime\", \"references\": [\"GUID:ffffffffffffffffffffffffffffffff\"] }";
            AssertOneProblem(AsmdefValidator.Check(files, guids), "GUID of no asmdef");
        }

        [Test]
        public void EditorAssembliesMustBeEditorOnly()
        {
            // In an Editor folder.
            AssertOneProblem(Check("Runtime/Core/RiffForge.Core.asmdef", Core, "Editor/RiffForge.Editor.asmdef", "{ \"name\": \"RiffForge.Editor\", \"references\": [\"RiffForge.Core\"] }"),
                "Editor/RiffForge.Editor.asmdef: includePlatforms", "Editor folder", "[\"Editor\"]");
            // Referencing UnityEditor.TestRunner (the old test asmdef also listed desktop players).
            AssertOneProblem(Check("Runtime/Core/RiffForge.Core.asmdef", Core, "Tests/Runtime/RiffForge.Core.Tests.asmdef",
                    "{ \"name\": \"RiffForge.Core.Tests\", \"references\": [\"RiffForge.Core\", \"UnityEditor.TestRunner\"], \"includePlatforms\": [\"Editor\", \"LinuxStandalone64\"] }"),
                "RiffForge.Core.Tests.asmdef: includePlatforms", "UnityEditor.TestRunner");
            // Referencing an Editor-only assembly of the package.
            var problems = Check("Runtime/Core/RiffForge.Core.asmdef", Core, "Editor/RiffForge.Editor.asmdef", Editor.Replace("\"RiffForge.Core\", \"RiffForge.Runtime\"", "\"RiffForge.Core\""),
                "Tools/RiffForge.Tools.asmdef", "{ \"name\": \"RiffForge.Tools\", \"references\": [\"RiffForge.Editor\"] }");
            AssertOneProblem(problems, "Tools/RiffForge.Tools.asmdef", "the Editor-only RiffForge.Editor");
        }

        [Test]
        public void DefineConstraintsMustBeSymbolsOptionallyNegated()
        {
            Assert.IsEmpty(WithRuntime("{ \"name\": \"RiffForge.Runtime\", \"references\": [\"RiffForge.Core\"], \"defineConstraints\": [\"UNITY_INCLUDE_TESTS\", \"!UNITY_WEBGL\"] }"));
            AssertOneProblem(WithRuntime("{ \"name\": \"RiffForge.Runtime\", \"references\": [\"RiffForge.Core\"], \"defineConstraints\": [\"UNITY INCLUDE\"] }"),
                "defineConstraints", "\"UNITY INCLUDE\"");
            AssertOneProblem(WithRuntime("{ \"name\": \"RiffForge.Runtime\", \"references\": [\"RiffForge.Core\"], \"defineConstraints\": [\"!!X\"] }"), "\"!!X\"");
        }

        [Test]
        public void VersionDefinesNeedANameAVersionExpressionAndASymbol()
        {
            const string head = "{ \"name\": \"RiffForge.Runtime\", \"references\": [\"RiffForge.Core\"], \"versionDefines\": [";
            foreach (var expression in new[] { "1.2.0", "[1.2.0]", "[1.0,2.0)", "(,3.1]", "[2021.3.0,)", "1.0.0-pre.4" })
                Assert.IsEmpty(WithRuntime(head + "{ \"name\": \"com.unity.inputsystem\", \"expression\": \"" + expression + "\", \"define\": \"HAS_INPUT\" }] }"), expression);
            AssertOneProblem(WithRuntime(head + "{ \"name\": \"com.unity.inputsystem\", \"expression\": \">= 1.0\", \"define\": \"HAS_INPUT\" }] }"), "versionDefines[0].expression");
            AssertOneProblem(WithRuntime(head + "{ \"name\": \"\", \"expression\": \"1.0\", \"define\": \"HAS_INPUT\" }] }"), "versionDefines[0].name");
            AssertOneProblem(WithRuntime(head + "{ \"name\": \"Unity\", \"expression\": \"2021.3\", \"define\": \"HAS-INPUT\" }] }"), "versionDefines[0].define");
            AssertOneProblem(WithRuntime(head + "{ \"name\": \"Unity\", \"expression\": \"2021.3\" }] }"), "versionDefines[0].define");
        }

        [Test]
        public void UnknownFieldsWrongTypesAndBadJsonAreReported()
        {
            AssertOneProblem(WithRuntime("{ \"name\": \"RiffForge.Runtime\", \"references\": [\"RiffForge.Core\"], \"includePlatform\": [] }"), "includePlatform:", "not a field");
            AssertOneProblem(WithRuntime("{ \"name\": \"RiffForge.Runtime\", \"references\": [\"RiffForge.Core\"], \"autoReferenced\": \"yes\" }"), "autoReferenced", "true or false");
            AssertOneProblem(WithRuntime("{ \"name\": \"RiffForge.Runtime\", \"references\": \"RiffForge.Core\" }"), "references", "array of strings");
            AssertOneProblem(Check("Runtime/RiffForge.Runtime.asmdef", "{ \"name\": \"RiffForge.Runtime\", "), "Runtime/RiffForge.Runtime.asmdef", "not valid JSON");
            AssertOneProblem(Check("A/a.asmdef", "{ \"references\": [] }"), "A/a.asmdef: name", "required");
            AssertOneProblem(Check("A/a.asmdef", "{ \"name\": \"Same\" }", "B/b.asmdef", "{ \"name\": \"Same\" }"), "also the name of");
        }

        [Test]
        public void PrecompiledReferencesNeedOverrideReferences()
        {
            AssertOneProblem(Check("Tests/t.asmdef", "{ \"name\": \"T\", \"includePlatforms\": [\"Editor\"], \"precompiledReferences\": [\"nunit.framework.dll\"] }"),
                "precompiledReferences", "overrideReferences");
        }
    }
}
