using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading;
using NUnit.Framework;
using RiffForge.Core;

namespace RiffForge.Core.Tests
{
    /// <summary>
    /// The supervisor with stand-in sidecars (small shell scripts), so process handling is tested without
    /// Python: executable bit, READY line, crash restart with back-off, giving up, pid-file reaping.
    /// </summary>
    public class SidecarSupervisorTests
    {
        TempFolder _temp;

        [SetUp]
        public void SetUp()
        {
            if (TempFolder.IsWindows) Assert.Ignore("these tests use /bin/sh stand-ins; the interop tests cover Windows paths");
            _temp = new TempFolder();
        }

        [TearDown]
        public void TearDown() { if (_temp != null) _temp.Dispose(); }

        string Script(string name, string body, bool executable)
        {
            var path = _temp.Sub(name);
            File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
            TempFolder.Chmod(executable ? "755" : "644", path);
            return path;
        }

        SidecarSupervisorOptions Options()
        {
            return new SidecarSupervisorOptions
            {
                PidFilePath = _temp.Sub("sidecar.pid"),
                ReadyTimeoutSeconds = 5,
                RestartDelaysSeconds = new[] { 0.0, 0.2 },
                MaxConsecutiveRestarts = 3,
                Client = new SidecarClientOptions { HandshakeTimeoutSeconds = 30 },
            };
        }

        const string ReadyThenSleep = "echo \"RIFFFORGE READY port=9 pid=$$ protocol=1.0 version=0.0.0\"\nexec sleep 30";

        static void WaitFor(Func<bool> done, double seconds, string what)
        {
            var sw = Stopwatch.StartNew();
            while (!done())
            {
                if (sw.Elapsed.TotalSeconds > seconds) Assert.Fail("timed out waiting for " + what);
                Thread.Sleep(10);
            }
        }

        [Test]
        public void AMissingExecutableBitIsReportedWithThePathAndTheFix()
        {
            var path = Script("riffforge-sidecar", ReadyThenSleep, executable: false);
            var options = Options();
            options.RestoreExecutableBit = false;
            using (var s = new SidecarSupervisor(new SidecarCommand(path, new string[0], true), options))
            {
                var e = Assert.Throws<SidecarException>(s.Start);
                Assert.AreEqual(SidecarErrorCode.LaunchFailed, e.Code);
                StringAssert.Contains(path, e.Message);
                StringAssert.Contains("not executable", e.Message);
                StringAssert.Contains("chmod +x", e.Message);
            }
        }

        [Test]
        public void TheExecutableBitOfAFrozenSidecarIsRestored()
        {
            var path = Script("riffforge-sidecar", ReadyThenSleep, executable: false);
            using (var s = new SidecarSupervisor(new SidecarCommand(path, new string[0], true), Options()))
            {
                s.Start();
                WaitFor(() => s.SidecarPid > 0, 5, "the READY line");
                Assert.IsTrue(File.Exists(s.PidFilePath));
                StringAssert.Contains("sidecar_pid=" + s.SidecarPid, File.ReadAllText(s.PidFilePath));
            }
        }

        [Test]
        public void AMissingProgramIsReportedWithItsPath()
        {
            var path = _temp.Sub("no-such-python");
            using (var s = new SidecarSupervisor(SidecarCommand.Source(path), Options()))
            {
                var e = Assert.Throws<SidecarException>(s.Start);
                StringAssert.Contains(path, e.Message);
                StringAssert.Contains("Fix:", e.Message);
            }
        }

        [Test]
        public void TheLaunchArgumentsCarryPortTokenAndParentPid()
        {
            var argsFile = _temp.Sub("args.txt");
            var path = Script("riffforge-sidecar", "echo \"$@\" > '" + argsFile + "'\n" + ReadyThenSleep, executable: true);
            using (var s = new SidecarSupervisor(new SidecarCommand(path, new[] { "sidecar" }, true), Options()))
            {
                s.Start();
                WaitFor(() => s.SidecarPid > 0, 5, "the READY line");
                var args = File.ReadAllText(argsFile).Trim();
                StringAssert.StartsWith("sidecar --host-port " + s.Client.LocalPort + " --token " + s.Client.Token + " --parent-pid ", args);
                StringAssert.Contains("--heartbeat-timeout 10", args);
            }
        }

        [Test]
        public void ACrashingSidecarIsRestartedWithBackOffThenGivenUp()
        {
            var path = Script("riffforge-sidecar", "echo \"RIFFFORGE READY port=9 pid=$$ protocol=1.0 version=0.0.0\"\necho 'boom: generator failed' >&2\nsleep 0.1\nexit 4", executable: true);
            var options = Options();
            var errors = new List<SidecarError>();
            var logs = new List<string>();
            using (var s = new SidecarSupervisor(new SidecarCommand(path, new string[0], true), options))
            {
                s.Client.ErrorReceived += errors.Add;
                s.Log += logs.Add;
                var sw = Stopwatch.StartNew();
                s.Start();
                WaitFor(() => { s.Client.Drain(1); return errors.Exists(e => e.Message.StartsWith("gave up")); }, 10, "giving up");
                Assert.AreEqual(3, s.Restarts);
                Assert.GreaterOrEqual(sw.Elapsed.TotalSeconds, 0.4, "restarts 2 and 3 wait 0.2 s each");
                var lost = errors.FindAll(e => e.Code == SidecarErrorCode.SidecarLost);
                Assert.AreEqual(4, lost.Count);
                StringAssert.Contains("exited with code 4", lost[0].Message);
                StringAssert.Contains("boom: generator failed", lost[0].Message);
                Assert.IsTrue(logs.Exists(l => l.Contains("restart 1 in 0.0 s")), string.Join(" | ", logs.ToArray()));
                Assert.IsTrue(logs.Exists(l => l.Contains("restart 2 in 0.2 s")));
            }
        }

        [Test]
        public void ASidecarThatNeverPrintsReadyIsReported()
        {
            var path = Script("riffforge-sidecar", "echo 'starting' >&2\nexit 4", executable: true);
            var errors = new List<SidecarError>();
            var options = Options();
            options.MaxConsecutiveRestarts = 0;
            using (var s = new SidecarSupervisor(new SidecarCommand(path, new string[0], true), options))
            {
                s.Client.ErrorReceived += errors.Add;
                s.Start();
                WaitFor(() => { s.Client.Drain(1); return errors.Exists(e => e.Code == SidecarErrorCode.LaunchFailed && e.Message.Contains("READY")); }, 10, "launch_failed");
                var e0 = errors.Find(e => e.Code == SidecarErrorCode.LaunchFailed);
                StringAssert.Contains(path, e0.Message);
                StringAssert.Contains("starting", e0.Message);
            }
        }

        [Test]
        public void DisposeReturnsAtOnceAndKillsASidecarThatIgnoresQuitInTheBackground()
        {
            var path = Script("riffforge-sidecar", ReadyThenSleep, executable: true);
            var options = Options();
            options.QuitGraceSeconds = 1.0;
            var s = new SidecarSupervisor(new SidecarCommand(path, new string[0], true), options);
            s.Start();
            WaitFor(() => s.SidecarPid > 0, 5, "the READY line");
            var pid = s.SidecarPid;
            var clock = Stopwatch.StartNew();
            s.Dispose();
            var ms = clock.Elapsed.TotalMilliseconds;
            // Dispose runs on Unity's main thread (OnDisable, play-mode exit, domain reload, quit): it must not wait
            // for the sidecar. 50 ms is the limit the package promises; bench/csharp_lifecycle.py measures it.
            Assert.Less(ms, 50.0, "Dispose blocked the caller");
            Assert.IsTrue(Alive(pid), "the grace period for quit had not passed yet, so the sidecar was not killed yet");
            Assert.IsTrue(s.Stopped.WaitOne(5000), "the background stop did not finish");
            WaitFor(() => !Alive(pid), 5, "the stand-in sidecar to be killed and reaped");
            Assert.IsFalse(File.Exists(s.PidFilePath));
        }

        [Test]
        public void ABackgroundStopLeavesThePidFileOfTheNextSupervisorAlone()
        {
            var path = Script("riffforge-sidecar", ReadyThenSleep, executable: true);
            var options = Options();
            options.QuitGraceSeconds = 0.2;
            var first = new SidecarSupervisor(new SidecarCommand(path, new string[0], true), options);
            first.Start();
            WaitFor(() => first.SidecarPid > 0, 5, "the first READY line");
            first.Dispose();
            // A restart: the next supervisor writes the same pid file while the first one still stops.
            var next = new SidecarSupervisor(new SidecarCommand(path, new string[0], true), options);
            try
            {
                next.Start();
                WaitFor(() => next.SidecarPid > 0, 5, "the next READY line");
                Assert.IsTrue(first.Stopped.WaitOne(5000));
                Assert.IsTrue(File.Exists(options.PidFilePath), "the first supervisor deleted the pid file of the next one");
                StringAssert.Contains("token=" + next.Client.Token, File.ReadAllText(options.PidFilePath));
            }
            finally { next.Dispose(); }
            Assert.IsTrue(next.Stopped.WaitOne(5000));
            Assert.IsFalse(File.Exists(options.PidFilePath));
        }

        static readonly Exception[] LaunchExceptions =
        {
            new PlatformNotSupportedException("process start is not supported on this platform"),
            new NotSupportedException("no processes here"),
            new InvalidOperationException("no file name"),
            new IOException("broken pipe"),
            new System.ComponentModel.Win32Exception(5, "Access denied"),
        };

        [Test]
        public void AnyExceptionFromTheProcessStarterIsALaunchFailureNamingIt()
        {
            foreach (var thrown in LaunchExceptions)
            {
                var options = Options();
                var started = 0;
                options.ProcessStarter = info => { started++; throw thrown; };
                var s = new SidecarSupervisor(new SidecarCommand("/opt/riffforge-sidecar", new string[0], false), options);
                var e = Assert.Throws<SidecarException>(s.Start, thrown.GetType().Name);
                Assert.AreEqual(1, started);
                Assert.AreEqual(SidecarErrorCode.LaunchFailed, e.Code, thrown.GetType().Name);
                StringAssert.Contains("/opt/riffforge-sidecar", e.Message);
                if (!(thrown is System.ComponentModel.Win32Exception)) StringAssert.Contains(thrown.GetType().Name + ": " + thrown.Message, e.Message);
                Assert.AreSame(thrown, e.InnerException);
                s.Dispose();
            }
        }

        [Test]
        public void AStarterThatReturnsNoProcessIsALaunchFailure()
        {
            var options = Options();
            options.ProcessStarter = info => null;
            var s = new SidecarSupervisor(new SidecarCommand("/opt/riffforge-sidecar", new string[0], false), options);
            var e = Assert.Throws<SidecarException>(s.Start);
            Assert.AreEqual(SidecarErrorCode.LaunchFailed, e.Code);
            StringAssert.Contains("did not start", e.Message);
            s.Dispose();
            Assert.IsTrue(s.Stopped.WaitOne(5000));
        }

        [Test]
        public void PidFileReapingKillsOnlyThatSidecar()
        {
            const string token = "reap-token-0123456789";
            var victim = Process.Start(new ProcessStartInfo("/bin/sh", "-c \"sleep 30\" " + token) { UseShellExecute = false });
            var bystander = Process.Start(new ProcessStartInfo("/bin/sh", "-c \"sleep 30\" other-token") { UseShellExecute = false });
            try
            {
                // Right after fork the child's /proc cmdline is still its parent's: wait for the exec.
                WaitFor(() => CommandLine(victim.Id).Contains(token) && CommandLine(bystander.Id).Contains("other-token"), 5, "the stand-ins to exec");
                var file = _temp.Sub("reap.pid");
                // A pid file whose token does not match: the process is left alone.
                PidFile.Write(file, bystander.Id, "reap-token-mismatch", DateTime.UtcNow);
                StringAssert.Contains("another program", PidFile.Reap(file));
                Assert.IsTrue(Alive(bystander.Id));
                // The recorded sidecar of this (same) host: killed.
                PidFile.Write(file, victim.Id, token, DateTime.UtcNow);
                StringAssert.Contains("killed a leftover sidecar", PidFile.Reap(file));
                Assert.IsTrue(victim.WaitForExit(3000));
                Assert.IsFalse(File.Exists(file));
                Assert.IsNull(PidFile.Reap(file), "nothing to reap without a pid file");
            }
            finally
            {
                try { victim.Kill(); } catch (Exception) { }
                try { bystander.Kill(); } catch (Exception) { }
            }
        }

        [Test]
        public void ASidecarOfAnotherRunningHostIsLeftAlone()
        {
            var file = _temp.Sub("other-host.pid");
            File.WriteAllText(file, "sidecar_pid=1\nhost_pid=1\ntoken=whatever-token\nstarted_utc_ticks=0\n");
            Assert.IsNull(PidFile.Reap(file), "pid 1 (a live host that is not us) owns it");
            Assert.IsTrue(File.Exists(file));
        }

        static string CommandLine(int pid)
        {
            try { return File.ReadAllText("/proc/" + pid + "/cmdline"); }
            catch (IOException) { return ""; }
        }

        static bool Alive(int pid)
        {
            var stat = "/proc/" + pid + "/stat";
            if (!File.Exists(stat)) return false;
            try { var t = File.ReadAllText(stat); return t[t.LastIndexOf(')') + 2] != 'Z'; }
            catch (IOException) { return false; }
        }
    }
}
