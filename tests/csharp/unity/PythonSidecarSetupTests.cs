using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text.RegularExpressions;
using NUnit.Framework;
using RiffForge.Core;
using RiffForge.EditorTools;
using RiffForge.Repo.Tests;

namespace RiffForge.Unity.Tests
{
    /// <summary>A stand-in for Python: answers each run from a script keyed by the program and its arguments.</summary>
    sealed class ScriptedRunner : IProcessRunner
    {
        public readonly List<string> Calls = new List<string>();
        readonly Func<string, IList<string>, ProcessOutcome> _answer;

        public ScriptedRunner(Func<string, IList<string>, ProcessOutcome> answer) { _answer = answer; }

        public ProcessOutcome Run(string fileName, IList<string> arguments, Action<string> onLine, Func<bool> cancelled)
        {
            Calls.Add(fileName + " " + string.Join(" ", new List<string>(arguments).ToArray()));
            var o = _answer(fileName, arguments);
            if (onLine != null) foreach (var l in o.Lines) onLine(l);
            return o;
        }

        public static ProcessOutcome Exit(int code, params string[] lines)
        {
            var o = new ProcessOutcome { ExitCode = code };
            o.Lines.AddRange(lines);
            return o;
        }

        public static ProcessOutcome NotStarted(string why) { return new ProcessOutcome { StartError = why }; }
    }

    [TestFixture]
    public class PythonSidecarSourceTests
    {
        [Test]
        public void AGitInstallPipInstallsPythonSidecarOfTheResolvedCommit()
        {
            string problem;
            Assert.AreEqual("git+https://github.com/o/riffforge.git@0123abcd#subdirectory=python_sidecar",
                PythonSidecarSource.GitRequirement("com.riffforge.unity@https://github.com/o/riffforge.git?path=unity_package#v0.1.0", "0123abcd", out problem),
                "the commit Unity resolved wins over the revision in the URL");
            Assert.AreEqual("git+https://github.com/o/riffforge.git@v0.1.0#subdirectory=python_sidecar",
                PythonSidecarSource.GitRequirement("com.riffforge.unity@https://github.com/o/riffforge.git?path=/unity_package#v0.1.0", "", out problem));
            Assert.AreEqual("git+https://github.com/o/riffforge.git#subdirectory=python_sidecar",
                PythonSidecarSource.GitRequirement("com.riffforge.unity@https://github.com/o/riffforge.git?path=unity_package", null, out problem),
                "no revision: the default branch");
            Assert.AreEqual("git+https://h/x.git@main#subdirectory=mono/python_sidecar",
                PythonSidecarSource.GitRequirement("com.riffforge.unity@https://h/x.git?path=mono/unity_package#main", null, out problem));
            Assert.AreEqual("git+ssh://git@github.com/o/riffforge.git@abc#subdirectory=python_sidecar",
                PythonSidecarSource.GitRequirement("com.riffforge.unity@git@github.com:o/riffforge.git?path=unity_package", "abc", out problem),
                "the SCP-like form becomes an ssh:// URL pip accepts");
            Assert.AreEqual("git+ssh://git@h/o/r.git@abc#subdirectory=python_sidecar",
                PythonSidecarSource.GitRequirement("com.riffforge.unity@git+ssh://git@h/o/r.git?path=unity_package", "abc", out problem));
            Assert.IsNull(problem);
        }

        [Test]
        public void AGitUrlWithoutPathSaysWhyAndTheFix()
        {
            string problem;
            Assert.IsNull(PythonSidecarSource.GitRequirement("com.riffforge.unity@https://h/x.git#main", "abc", out problem));
            StringAssert.Contains("?path=", problem);
            StringAssert.Contains("Fix:", problem);
        }

        [Test]
        public void ALocalPackageUsesPythonSidecarBesideIt()
        {
            var root = Path.Combine(Path.GetTempPath(), "riffforge-source-" + Guid.NewGuid().ToString("N"));
            try
            {
                var package = Path.Combine(root, "unity_package");
                Directory.CreateDirectory(package);
                string problem;
                Assert.IsNull(PythonSidecarSource.Requirement(PackageOrigin.Local, "com.riffforge.unity@file:" + package, null, package, "", out problem));
                StringAssert.Contains(Path.Combine(root, "python_sidecar"), problem, "names the folder it looked for");
                StringAssert.Contains("Fix:", problem);
                Directory.CreateDirectory(Path.Combine(root, "python_sidecar"));
                File.WriteAllText(Path.Combine(root, "python_sidecar", "pyproject.toml"), "[project]\nname = \"riffforge\"\n");
                Assert.AreEqual(Path.Combine(root, "python_sidecar"),
                    PythonSidecarSource.Requirement(PackageOrigin.Embedded, "com.riffforge.unity@0.1.0", null, package + "/", "", out problem));
                Assert.IsNull(problem);
            }
            finally { Directory.Delete(root, true); }
        }

        [Test]
        public void RegistryInstallsHaveNoSourceAndATypedSourceWins()
        {
            string problem;
            Assert.IsNull(PythonSidecarSource.Requirement(PackageOrigin.LocalTarball, "com.riffforge.unity@file:x.tgz", null, "/p", "", out problem));
            StringAssert.Contains("no Python source", problem);
            StringAssert.Contains("Fix:", problem);
            Assert.AreEqual("git+https://h/r.git@v1#subdirectory=python_sidecar",
                PythonSidecarSource.Requirement(PackageOrigin.Registry, "", null, "", " git+https://h/r.git@v1#subdirectory=python_sidecar ", out problem));
            var missing = Path.Combine(Path.GetTempPath(), "riffforge-no-source-" + Guid.NewGuid().ToString("N"));
            Assert.IsNull(PythonSidecarSource.Requirement(PackageOrigin.Git, "", null, "", missing, out problem));
            StringAssert.Contains(missing, problem);
            StringAssert.Contains("pyproject.toml", problem);
        }

        [Test]
        public void ThePythonSidecarPackagesItsModelsAsPackageData()
        {
            // A pip install (from git or a folder) carries the default models only because pyproject.toml says so.
            var toml = File.ReadAllText(Path.Combine(RepoPaths.Root, "python_sidecar", "pyproject.toml"));
            StringAssert.Contains("riffforge = [\"models/**/*\"", toml);
        }
    }

    [TestFixture]
    public class PythonFinderTests
    {
        static ProcessOutcome Probe(string version, string exe) { return ScriptedRunner.Exit(0, version, exe); }

        [Test]
        public void SupportedVersionsFollowPyprojectRequiresPython()
        {
            var toml = File.ReadAllText(Path.Combine(RepoPaths.Root, "python_sidecar", "pyproject.toml"));
            var m = Regex.Match(toml, "requires-python = \">=(\\d+)\\.(\\d+),<(\\d+)\\.(\\d+)\"");
            Assert.IsTrue(m.Success, "python_sidecar/pyproject.toml has requires-python = \">=X.Y,<X.Z\"");
            Assert.AreEqual(new Version(int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value)), PythonSidecarSetupLayout.MinimumPython);
            Assert.AreEqual(new Version(int.Parse(m.Groups[3].Value), int.Parse(m.Groups[4].Value)), PythonSidecarSetupLayout.PythonBelow);
        }

        [Test]
        public void VersionsParseAndOldOrNewOnesAreClearErrors()
        {
            Assert.AreEqual(new Version(3, 8, 10), PythonFinder.ParseVersion("Python 3.8.10"));
            Assert.AreEqual(new Version(3, 12, 1), PythonFinder.ParseVersion("3.12.1+"));
            Assert.AreEqual(new Version(3, 13, 0), PythonFinder.ParseVersion("3.13.0rc1"));
            Assert.IsNull(PythonFinder.ParseVersion("Python"));
            Assert.IsNull(PythonFinder.VersionProblem(new Version(3, 11, 0), "/p"));
            Assert.IsNull(PythonFinder.VersionProblem(new Version(3, 12, 9), "/p"));
            var old = PythonFinder.VersionProblem(new Version(3, 8, 10), "/usr/bin/python3");
            StringAssert.Contains("Python 3.8.10 at '/usr/bin/python3' is too old", old);
            StringAssert.Contains("3.11 or 3.12", old);
            StringAssert.Contains("Fix: install Python", old);
            StringAssert.Contains("too new", PythonFinder.VersionProblem(new Version(3, 13, 0), "/p"));
        }

        [Test]
        public void ATypedPythonThatIsTooOldNamesItsVersionAndTheFix()
        {
            var file = Path.GetTempFileName();
            try
            {
                var runner = new ScriptedRunner((f, a) => Probe("3.8.10", "/usr/bin/python3.8"));
                var e = Assert.Throws<PythonSidecarSetupException>(() => PythonFinder.Find(file, new List<KeyValuePair<string, string[]>>(), runner, () => false));
                StringAssert.Contains("Python 3.8.10", e.Message);
                StringAssert.Contains("too old", e.Message);
                StringAssert.Contains("Fix:", e.Message);
                CollectionAssert.AreEqual(new[] { file + " -I -c " + PythonFinder.ProbeScript }, runner.Calls, "the typed Python itself is run to tell its version");
            }
            finally { File.Delete(file); }
        }

        [Test]
        public void AMissingTypedPythonOrNoneOnPathSaysSoWithTheFix()
        {
            var runner = new ScriptedRunner((f, a) => ScriptedRunner.NotStarted("No such file"));
            var missing = Path.Combine(Path.GetTempPath(), "riffforge-no-python-" + Guid.NewGuid().ToString("N"));
            var e = Assert.Throws<PythonSidecarSetupException>(() => PythonFinder.Find(missing, new List<KeyValuePair<string, string[]>>(), runner, () => false));
            StringAssert.Contains("The Python '" + missing + "' does not exist", e.Message);
            StringAssert.Contains("Fix: install Python 3.12", e.Message);
            e = Assert.Throws<PythonSidecarSetupException>(() => PythonFinder.Find("", new List<KeyValuePair<string, string[]>>(), runner, () => false));
            StringAssert.Contains("No Python 3.11 or 3.12 was found on PATH", e.Message);
            StringAssert.Contains("no python at all", e.Message);
            StringAssert.Contains("Fix:", e.Message);
        }

        [Test]
        public void TheFirstSupportedPythonOnPathWinsAndRejectedOnesAreListed()
        {
            var candidates = new List<KeyValuePair<string, string[]>>
            {
                new KeyValuePair<string, string[]>("/a/python3", new string[0]),
                new KeyValuePair<string, string[]>("/b/python3", new string[0]),
                new KeyValuePair<string, string[]>("/c/python3", new string[0]),
            };
            var runner = new ScriptedRunner((f, a) => f == "/a/python3" ? Probe("3.9.6", f) : f == "/b/python3" ? ScriptedRunner.Exit(9009) : Probe("3.12.4", "/c/real/python3.12"));
            var found = PythonFinder.Find("", candidates, runner, () => false);
            Assert.AreEqual("/c/real/python3.12", found.Executable, "sys.executable, not the name asked for");
            Assert.AreEqual(new Version(3, 12, 4), found.Version);
            Assert.AreEqual("/c/python3", found.Asked);
            runner = new ScriptedRunner((f, a) => f == "/a/python3" ? Probe("3.9.6", f) : ScriptedRunner.Exit(9009));
            var e = Assert.Throws<PythonSidecarSetupException>(() => PythonFinder.Find(null, candidates.GetRange(0, 2), runner, () => false));
            StringAssert.Contains("found only /a/python3 (Python 3.9.6), /b/python3 (exit code 9009)", e.Message);
        }

        [Test]
        public void CandidatesAreVersionedNamesFirstAcrossPathAndTheUsualFolders()
        {
            var root = Path.Combine(Path.GetTempPath(), "riffforge-path-" + Guid.NewGuid().ToString("N"));
            try
            {
                var a = Path.Combine(root, "a");
                var b = Path.Combine(root, "b");
                Directory.CreateDirectory(a);
                Directory.CreateDirectory(b);
                File.WriteAllText(Path.Combine(a, "python3"), "");
                File.WriteAllText(Path.Combine(b, "python3.11"), "");
                File.WriteAllText(Path.Combine(b, "python3"), "");
                var list = PythonFinder.Candidates(false, a + Path.PathSeparator + Path.PathSeparator + a, new[] { b });
                var files = list.ConvertAll(c => c.Key);
                CollectionAssert.AreEqual(new[] { Path.Combine(b, "python3.11"), Path.Combine(a, "python3"), Path.Combine(b, "python3") }, files);
                Directory.CreateDirectory(Path.Combine(root, "w"));
                File.WriteAllText(Path.Combine(root, "w", "py.exe"), "");
                File.WriteAllText(Path.Combine(root, "w", "python.exe"), "");
                var win = PythonFinder.Candidates(true, Path.Combine(root, "w"), null);
                Assert.AreEqual(3, win.Count);
                CollectionAssert.AreEqual(new[] { "-3.12" }, win[0].Value, "the py launcher is asked for 3.12, then 3.11");
                CollectionAssert.AreEqual(new[] { "-3.11" }, win[1].Value);
                Assert.AreEqual(Path.Combine(root, "w", "python.exe"), win[2].Key);
            }
            finally { Directory.Delete(root, true); }
        }
    }

    [TestFixture]
    public class PythonSidecarSetupTests
    {
        string _root;

        [SetUp]
        public void CreateProject() { _root = Path.Combine(Path.GetTempPath(), "riffforge-setup-" + Guid.NewGuid().ToString("N")); Directory.CreateDirectory(_root); }

        [TearDown]
        public void DeleteProject() { if (Directory.Exists(_root)) Directory.Delete(_root, true); }

        string Library { get { return PythonSidecarSetupLayout.LibraryFolder(_root); } }

        [Test]
        public void AFailingPipNamesTheStepItsLastLinesAndTheFixAndNothingIsTakenAsReady()
        {
            var python = Path.Combine(_root, "python3");
            File.WriteAllText(python, "");
            var venvPython = PythonSidecarSetupLayout.VenvPython(PythonSidecarSetupLayout.VenvFolder(Library), false);
            var runner = new ScriptedRunner((f, a) =>
            {
                if (a.Contains("-c")) return ScriptedRunner.Exit(0, "3.11.7", python);
                if (a.Contains("venv")) { Directory.CreateDirectory(Path.GetDirectoryName(venvPython)); File.WriteAllText(venvPython, ""); return ScriptedRunner.Exit(0); }
                return ScriptedRunner.Exit(1, "Collecting numpy", "ERROR: Could not find a version that satisfies the requirement numpy>=1.26", "ERROR: No matching distribution found for numpy>=1.26");
            });
            var setup = new PythonSidecarSetup(new PythonSidecarSetupOptions { LibraryFolder = Library, Requirement = "/src/python_sidecar", TypedPython = python }, runner);
            var e = Assert.Throws<PythonSidecarSetupException>(() => setup.Run());
            StringAssert.Contains("pip install /src/python_sidecar failed (exit code 1)", e.Message);
            StringAssert.Contains("No matching distribution found for numpy", e.Message);
            StringAssert.Contains("Fix: check the network connection", e.Message);
            StringAssert.Contains(venvPython + " -I -m pip install", runner.Calls[2]);
            var record = PythonSidecarRecord.Load(Library);
            Assert.AreEqual(PythonSidecarSetupLayout.StatusPending, record.Status);
            Assert.AreEqual(python, record.TypedPython, "the typed Python is remembered even when the set-up fails");
            string problem;
            Assert.IsNull(SidecarLocator.SetUp(Library, out problem));
            StringAssert.Contains("did not finish", problem);
            StringAssert.Contains(PythonSidecarSetupLayout.ActionName, problem);
        }

        [Test]
        public void AMissingPythonStopsTheSetUpWithTheFix()
        {
            var runner = new ScriptedRunner((f, a) => ScriptedRunner.NotStarted("No such file"));
            var setup = new PythonSidecarSetup(new PythonSidecarSetupOptions { LibraryFolder = Library, Requirement = "/src/python_sidecar" }, runner);
            var e = Assert.Throws<PythonSidecarSetupException>(() => setup.Run());
            StringAssert.Contains("No Python 3.11 or 3.12 was found", e.Message);
            StringAssert.Contains("Fix: install Python", e.Message);
            Assert.IsFalse(Directory.Exists(PythonSidecarSetupLayout.VenvFolder(Library)), "no venv without a Python");
        }

        /// <summary>
        /// End to end with the real Python and this checkout's python_sidecar: venv, pip install, --help and the
        /// models check, the record, then RiffForgeSidecar's lookup finds the venv and its sidecar answers a request
        /// with a generated riff. Offline: the venv sees the runtime dependencies of the repository's .venv
        /// (linked in one by one, riffforge itself left out) and pip runs with --no-index; the Editor action
        /// itself installs them from PyPI.
        /// </summary>
        [Test]
        public void RealPythonSetsUpASidecarThatTheLookupFindsAndThatGeneratesARiff()
        {
            var python = RepoPaths.Python;
            Assert.IsTrue(File.Exists(python), "no Python at " + python + ": set RIFFFORGE_PYTHON or run ./run setup");
            var sitePackages = SitePackages(python);
            var deps = Path.Combine(_root, "offline-deps");
            Directory.CreateDirectory(deps);
            var links = new List<string> { "-s" };
            foreach (var entry in Directory.GetFileSystemEntries(sitePackages))
            {
                var name = Path.GetFileName(entry);
                if (name.StartsWith("riffforge", StringComparison.OrdinalIgnoreCase) || name.StartsWith("__editable__", StringComparison.Ordinal)
                    || name.EndsWith(".pth", StringComparison.Ordinal) || name == "__pycache__") continue;
                links.Add(entry);
            }
            links.Add(deps);
            Run("ln", links.ToArray());
            var progress = new List<string>();
            var options = new PythonSidecarSetupOptions
            {
                LibraryFolder = Library,
                Requirement = CopyOfPythonSidecar(Path.Combine(_root, "checkout")),
                TypedPython = python,
                PipArguments = new List<string> { "--no-index", "--no-build-isolation", "--quiet" },
                AfterVenvCreated = venv =>
                {
                    var site = Directory.GetDirectories(Path.Combine(venv, "lib"))[0];
                    File.WriteAllText(Path.Combine(Path.Combine(site, "site-packages"), "offline-deps.pth"), deps + "\n");
                },
            };
            var setup = new PythonSidecarSetup(options, new SystemProcessRunner());
            setup.Progress += (f, text) => progress.Add(text);
            var record = setup.Run();

            Assert.AreEqual(PythonSidecarSetupLayout.StatusReady, record.Status);
            Assert.AreEqual(PythonSidecarSetupLayout.VenvPython(PythonSidecarSetupLayout.VenvFolder(Library), false), record.VenvPython);
            StringAssert.StartsWith("3.", record.PythonVersion);
            StringAssert.Contains("metal-drums", progress[progress.Count - 1], "the models check lists the bundled models");
            var installed = Directory.GetDirectories(Path.Combine(PythonSidecarSetupLayout.VenvFolder(Library), "lib"))[0];
            Assert.IsTrue(Directory.Exists(Path.Combine(installed, "site-packages", "riffforge", "models", "metal-guitar")), "pip copied the bundled models into the venv");

            string problem;
            var command = SidecarLocator.SetUp(Library, out problem);
            Assert.IsNull(problem);
            Assert.AreEqual(record.VenvPython, command.FileName);
            CollectionAssert.AreEqual(new[] { "-I", "-m", "riffforge", "sidecar" }, command.Arguments);

            // What RiffForgeSidecar does in the Editor: no frozen build, no Python set, the set-up venv is found.
            var saved = Environment.GetEnvironmentVariable(SidecarPaths.PythonVariable);
            Environment.SetEnvironmentVariable(SidecarPaths.PythonVariable, null);
            try
            {
                var resolved = SidecarPaths.Resolve(SidecarLaunchMode.Auto, Path.Combine(_root, "Sidecar~"), null, Library, out problem);
                Assert.IsNull(problem);
                Assert.AreEqual(record.VenvPython, resolved.FileName);
                RealSidecarSession.AssertGeneratesARiff(resolved, 60);
            }
            finally { Environment.SetEnvironmentVariable(SidecarPaths.PythonVariable, saved); }
        }

        [Test]
        public void WithoutASetUpTheNoSidecarMessageNamesTheAction()
        {
            var saved = Environment.GetEnvironmentVariable(SidecarPaths.PythonVariable);
            Environment.SetEnvironmentVariable(SidecarPaths.PythonVariable, null);
            try
            {
                string problem;
                Assert.IsNull(SidecarPaths.Resolve(SidecarLaunchMode.Auto, Path.Combine(_root, "Sidecar~"), null, Library, out problem));
                StringAssert.Contains(PythonSidecarSetupLayout.ActionName, problem);
                Assert.IsNull(SidecarPaths.Resolve(SidecarLaunchMode.Source, Path.Combine(_root, "Sidecar~"), null, Library, out problem));
                StringAssert.Contains(PythonSidecarSetupLayout.ActionName, problem);
            }
            finally { Environment.SetEnvironmentVariable(SidecarPaths.PythonVariable, saved); }
        }

        /// <summary>
        /// python_sidecar (pyproject.toml + riffforge/) copied under <paramref name="into"/>: pip builds a folder in
        /// place (setuptools writes build/ and *.egg-info there), so the test builds a copy, not the checkout.
        /// </summary>
        static string CopyOfPythonSidecar(string into)
        {
            var source = Path.Combine(RepoPaths.Root, "python_sidecar");
            var target = Path.Combine(into, "python_sidecar");
            Directory.CreateDirectory(target);
            File.Copy(Path.Combine(source, "pyproject.toml"), Path.Combine(target, "pyproject.toml"));
            CopyTree(Path.Combine(source, "riffforge"), Path.Combine(target, "riffforge"));
            return target;
        }

        static void CopyTree(string from, string to)
        {
            Directory.CreateDirectory(to);
            foreach (var file in Directory.GetFiles(from)) if (!file.EndsWith(".pyc", StringComparison.Ordinal)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
            foreach (var dir in Directory.GetDirectories(from)) if (Path.GetFileName(dir) != "__pycache__") CopyTree(dir, Path.Combine(to, Path.GetFileName(dir)));
        }

        static string SitePackages(string python)
        {
            var o = new SystemProcessRunner().Run(python, new[] { "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])" }, null, null);
            Assert.AreEqual(0, o.ExitCode, o.Tail(5));
            return o.Lines[0].Trim();
        }

        static void Run(string file, params string[] args)
        {
            var o = new SystemProcessRunner().Run(file, args, null, null);
            Assert.AreEqual(0, o.ExitCode, file + " " + string.Join(" ", args) + ": " + o.StartError + o.Tail(5));
        }
    }
}
