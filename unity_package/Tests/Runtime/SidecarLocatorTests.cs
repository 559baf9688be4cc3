using System.IO;
using NUnit.Framework;
using RiffForge.Core;

namespace RiffForge.Core.Tests
{
    /// <summary>Every way the frozen sidecar can be missing gives a message naming the path and the fix.</summary>
    public class SidecarLocatorTests
    {
        static byte[] Elf(int machine)
        {
            var header = new byte[64];
            header[0] = 0x7f; header[1] = (byte)'E'; header[2] = (byte)'L'; header[3] = (byte)'F';
            header[4] = 2; header[5] = 1; // 64-bit, little-endian
            header[18] = (byte)machine; header[19] = (byte)(machine >> 8);
            return header;
        }

        static byte[] MachO(uint cpu)
        {
            var header = new byte[32];
            header[0] = 0xcf; header[1] = 0xfa; header[2] = 0xed; header[3] = 0xfe;
            header[4] = (byte)cpu; header[5] = (byte)(cpu >> 8); header[6] = (byte)(cpu >> 16); header[7] = (byte)(cpu >> 24);
            return header;
        }

        static byte[] Pe(int machine)
        {
            var header = new byte[256];
            header[0] = (byte)'M'; header[1] = (byte)'Z';
            header[0x3c] = 0x80;
            header[0x80] = (byte)'P'; header[0x81] = (byte)'E';
            header[0x84] = (byte)machine; header[0x85] = (byte)(machine >> 8);
            return header;
        }

        [Test]
        public void DetectsFormatAndArchitecture()
        {
            using (var t = new TempFolder())
            {
                var cases = new[]
                {
                    new object[] { Elf(0x3e), "linux-x64" }, new object[] { Elf(0xb7), "linux-arm64" },
                    new object[] { MachO(0x01000007), "osx-x64" }, new object[] { MachO(0x0100000c), "osx-arm64" },
                    new object[] { Pe(0x8664), "win-x64" }, new object[] { Pe(0xaa64), "win-arm64" },
                    new object[] { System.Text.Encoding.ASCII.GetBytes("#!/bin/sh\n"), "script" },
                    new object[] { new byte[] { 1, 2, 3 }, "unknown" },
                };
                foreach (var c in cases)
                {
                    var file = t.Sub("bin");
                    File.WriteAllBytes(file, (byte[])c[0]);
                    Assert.AreEqual(c[1], BinaryArchitecture.Detect(file));
                }
            }
        }

        [Test]
        public void CanRunKnowsRosettaAndUniversalBinaries()
        {
            Assert.IsTrue(BinaryArchitecture.CanRun("linux-x64", "linux-x64"));
            Assert.IsFalse(BinaryArchitecture.CanRun("linux-arm64", "linux-x64"));
            Assert.IsTrue(BinaryArchitecture.CanRun("osx-x64", "osx-arm64"));
            Assert.IsFalse(BinaryArchitecture.CanRun("osx-arm64", "osx-x64"));
            Assert.IsTrue(BinaryArchitecture.CanRun("osx-universal", "osx-x64"));
            Assert.IsFalse(BinaryArchitecture.CanRun("win-x64", "linux-x64"));
        }

        [Test]
        public void FindsThePlatformExecutable()
        {
            using (var t = new TempFolder())
            {
                Directory.CreateDirectory(t.Sub("linux-x64"));
                File.WriteAllBytes(t.Sub("linux-x64", "riffforge-sidecar"), Elf(0x3e));
                var command = SidecarLocator.Frozen(t.Path, "linux-x64");
                Assert.AreEqual(t.Sub("linux-x64", "riffforge-sidecar"), command.FileName);
                Assert.IsTrue(command.IsFrozen);
                Directory.CreateDirectory(t.Sub("win-x64"));
                File.WriteAllBytes(t.Sub("win-x64", "riffforge-sidecar.exe"), Pe(0x8664));
                Assert.AreEqual(t.Sub("win-x64", "riffforge-sidecar.exe"), SidecarLocator.Frozen(t.Path, "win-x64").FileName);
                Directory.CreateDirectory(t.Sub("osx-x64"));
                File.WriteAllBytes(t.Sub("osx-x64", "riffforge-sidecar"), MachO(0x01000007));
                Assert.AreEqual(t.Sub("osx-x64", "riffforge-sidecar"), SidecarLocator.Frozen(t.Path, "osx-arm64").FileName, "Apple silicon falls back to the Intel build (Rosetta)");
            }
        }

        [Test]
        public void AMissingSidecarFolderNamesThePathAndTheFix()
        {
            var missing = Path.Combine(Path.GetTempPath(), "riffforge-no-such-folder", "Sidecar~");
            var e = Assert.Throws<SidecarException>(() => SidecarLocator.Frozen(missing, "linux-x64"));
            Assert.AreEqual(SidecarErrorCode.LaunchFailed, e.Code);
            StringAssert.Contains(missing, e.Message);
            StringAssert.Contains("build/build_sidecar.py", e.Message);
        }

        [Test]
        public void AMissingPlatformFolderListsWhatIsThere()
        {
            using (var t = new TempFolder())
            {
                Directory.CreateDirectory(t.Sub("win-x64"));
                Directory.CreateDirectory(t.Sub("osx-arm64"));
                var e = Assert.Throws<SidecarException>(() => SidecarLocator.Frozen(t.Path, "linux-x64"));
                StringAssert.Contains(t.Sub("linux-x64"), e.Message);
                StringAssert.Contains("found only osx-arm64, win-x64", e.Message);
                StringAssert.Contains("Fix:", e.Message);
            }
        }

        [Test]
        public void AMissingBinaryNamesItsPath()
        {
            using (var t = new TempFolder())
            {
                Directory.CreateDirectory(t.Sub("linux-x64"));
                var e = Assert.Throws<SidecarException>(() => SidecarLocator.Frozen(t.Path, "linux-x64"));
                StringAssert.Contains(t.Sub("linux-x64", "riffforge-sidecar"), e.Message);
                StringAssert.Contains("is missing", e.Message);
                StringAssert.Contains("Fix:", e.Message);
            }
        }

        [Test]
        public void AWrongArchitectureNamesBothAndTheFix()
        {
            using (var t = new TempFolder())
            {
                Directory.CreateDirectory(t.Sub("linux-x64"));
                File.WriteAllBytes(t.Sub("linux-x64", "riffforge-sidecar"), Elf(0xb7));
                var e = Assert.Throws<SidecarException>(() => SidecarLocator.Frozen(t.Path, "linux-x64"));
                StringAssert.Contains(t.Sub("linux-x64", "riffforge-sidecar"), e.Message);
                StringAssert.Contains("built for linux-arm64", e.Message);
                StringAssert.Contains("this machine is linux-x64", e.Message);
                StringAssert.Contains("Fix:", e.Message);
                File.WriteAllBytes(t.Sub("linux-x64", "riffforge-sidecar"), Pe(0x8664));
                e = Assert.Throws<SidecarException>(() => SidecarLocator.Frozen(t.Path, "linux-x64"));
                StringAssert.Contains("built for win-x64", e.Message);
            }
        }

        [Test]
        public void AMissingSidecarNamesTheEditorSetUpAction()
        {
            var missing = Path.Combine(Path.GetTempPath(), "riffforge-no-such-folder", "Sidecar~");
            var e = Assert.Throws<SidecarException>(() => SidecarLocator.Frozen(missing, "linux-x64"));
            StringAssert.Contains("Window > RiffForge > Set Up Python Sidecar...", e.Message);
        }

        [Test]
        public void TheSetUpSidecarIsFoundOnlyWhenItsRecordIsReadyAndItsPythonExists()
        {
            using (var t = new TempFolder())
            {
                var library = PythonSidecarSetupLayout.LibraryFolder(t.Path);
                Assert.AreEqual(Path.Combine(t.Path, "Library", "RiffForge"), library);
                string problem;
                Assert.IsNull(SidecarLocator.SetUp(library, out problem));
                Assert.IsNull(problem, "nothing set up: no problem of its own (the frozen lookup's message stands)");
                Assert.IsNull(SidecarLocator.SetUp(null, out problem));

                var venvPython = PythonSidecarSetupLayout.VenvPython(PythonSidecarSetupLayout.VenvFolder(library), false);
                Assert.AreEqual(Path.Combine(library, "python-sidecar", "venv", "bin", "python"), venvPython);
                Assert.AreEqual(Path.Combine(library, "python-sidecar", "venv", "Scripts", "python.exe"),
                    PythonSidecarSetupLayout.VenvPython(PythonSidecarSetupLayout.VenvFolder(library), true));
                var record = new PythonSidecarRecord { Status = PythonSidecarSetupLayout.StatusPending, VenvPython = venvPython };
                record.Save(library);
                Assert.IsNull(SidecarLocator.SetUp(library, out problem));
                StringAssert.Contains("did not finish", problem);
                StringAssert.Contains(PythonSidecarSetupLayout.ActionName, problem);

                record.Status = PythonSidecarSetupLayout.StatusReady;
                record.Save(library);
                Assert.IsNull(SidecarLocator.SetUp(library, out problem));
                StringAssert.Contains(venvPython, problem);
                StringAssert.Contains("is missing", problem);

                Directory.CreateDirectory(Path.GetDirectoryName(venvPython));
                File.WriteAllText(venvPython, "");
                var command = SidecarLocator.SetUp(library, out problem);
                Assert.IsNull(problem);
                Assert.AreEqual(venvPython, command.FileName);
                CollectionAssert.AreEqual(new[] { "-I", "-m", "riffforge", "sidecar" }, command.Arguments);
                Assert.IsFalse(command.IsFrozen);

                File.WriteAllText(PythonSidecarSetupLayout.RecordFile(library), "{ not json");
                Assert.IsNull(SidecarLocator.SetUp(library, out problem));
                StringAssert.Contains("cannot be read", problem);
            }
        }

        [Test]
        public void TheSetUpRecordRoundTripsAndRejectsWhatIsNotAFlatObject()
        {
            var r = new PythonSidecarRecord
            {
                Status = "ready", TypedPython = "C:\\Py 3\\python.exe", BasePython = "/usr/bin/python3.12", PythonVersion = "3.12.4",
                Requirement = "git+https://h/r.git@abc#subdirectory=python_sidecar", TypedSource = "say \"hi\"\n", VenvPython = "/v/bin/python",
                PackageVersion = "0.1.0", SetUpUtc = "2026-01-02T03:04:05Z",
            };
            var back = PythonSidecarRecord.FromJson(r.ToJson());
            Assert.AreEqual(r.ToJson(), back.ToJson());
            Assert.AreEqual("C:\\Py 3\\python.exe", back.TypedPython);
            Assert.AreEqual("say \"hi\"\n", back.TypedSource);
            Assert.AreEqual("x\u00e9", PythonSidecarRecord.FromJson("{\"status\": \"x\\u00e9\", \"unknown\": \"kept out\"}").Status);
            Assert.Throws<System.FormatException>(() => PythonSidecarRecord.FromJson("{\"status\": 1}"));
            Assert.Throws<System.FormatException>(() => PythonSidecarRecord.FromJson("[]"));
        }

        [Test]
        public void ReadyLinesParseAndUnknownKeysAreIgnored()
        {
            var r = ReadyLine.TryParse("RIFFFORGE READY port=5000 pid=42 protocol=1.0 version=0.1.0 token=abc extra=1");
            Assert.AreEqual(5000, r.Port);
            Assert.AreEqual(42, r.Pid);
            Assert.AreEqual("1.0", r.Protocol);
            Assert.AreEqual("0.1.0", r.Version);
            Assert.IsNull(ReadyLine.TryParse("RIFFFORGE READY port=5000 pid=42 protocol=1.0"));
            Assert.IsNull(ReadyLine.TryParse("RIFFFORGE READY port=x pid=42 protocol=1.0 version=1"));
            Assert.IsNull(ReadyLine.TryParse("hello"));
            Assert.IsNull(ReadyLine.TryParse(null));
        }

        [Test]
        public void ArgumentsAreQuotedForProcessStart()
        {
            Assert.AreEqual("-m riffforge \"a b\" \"say \\\"hi\\\"\" \"\"", SidecarCommand.JoinArguments(new[] { "-m", "riffforge", "a b", "say \"hi\"", "" }));
            Assert.AreEqual("\"C:\\x y\\\\\"", SidecarCommand.JoinArguments(new[] { "C:\\x y\\" }));
        }
    }
}
