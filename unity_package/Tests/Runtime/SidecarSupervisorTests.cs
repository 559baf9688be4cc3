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
    /// Python: executable bit, READY line, the token in the environment, crash restart with back-off, exits that
    /// are not retried (state Failed), one event per failure, pid files (one per supervisor, reaping rule).
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
                PidFolder = _temp.Sub("pids"),
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
        public void TheTokenTravelsInTheEnvironmentNeverOnTheCommandLineOrInAFile()
        {
            var argsFile = _temp.Sub("args.txt");
            var tokenFile = _temp.Sub("token.txt");
            var path = Script("riffforge-sidecar", "echo \"$@\" > '" + argsFile + "'\necho \"$RIFFFORGE_TOKEN\" > '" + tokenFile + "'\n" + ReadyThenSleep, executable: true);
            using (var s = new SidecarSupervisor(new SidecarCommand(path, new[] { "sidecar" }, true), Options()))
            {
                s.Start();
                WaitFor(() => s.SidecarPid > 0, 5, "the READY line");
                var token = s.Client.Token;
                var args = File.ReadAllText(argsFile).Trim();
                StringAssert.StartsWith("sidecar --host-port " + s.Client.LocalPort + " --parent-pid ", args);
                StringAssert.Contains("--heartbeat-timeout 10", args);
                StringAssert.DoesNotContain(token, args);
                StringAssert.DoesNotContain("--token", args);
                Assert.AreEqual(token, File.ReadAllText(tokenFile).Trim(), "RIFFFORGE_TOKEN carries the session token");
                // What `ps` shows every local user: the running sidecar's command line.
                StringAssert.DoesNotContain(token, CommandLine(s.SidecarPid));
                StringAssert.Contains("sleep", CommandLine(s.SidecarPid));
                var recorded = File.ReadAllText(s.PidFilePath);
                StringAssert.DoesNotContain(token, recorded);
                var keys = new List<string>();
                foreach (var line in recorded.Split(new[] { '\n' }, StringSplitOptions.RemoveEmptyEntries)) keys.Add(line.Substring(0, line.IndexOf('=')));
                CollectionAssert.AreEqual(new[] { "sidecar_pid", "owner_pid", "sidecar_start" }, keys);
                StringAssert.Contains("owner_pid=" + Process.GetCurrentProcess().Id + "\n", recorded);
                Assert.AreEqual("600", Mode(s.PidFilePath), "the pid file is readable by its owner only");
                Assert.AreEqual("700", Mode(s.PidFolder), "the pid folder is its owner's only");
                StringAssert.StartsWith(_temp.Sub("pids"), s.PidFilePath);
            }
        }

        [Test]
        public void ACrashingSidecarIsRestartedWithBackOffThenGivenUp()
        {
            var path = Script("riffforge-sidecar", "echo \"RIFFFORGE READY port=9 pid=$$ protocol=1.0 version=0.0.0\"\necho 'boom: generator failed' >&2\nsleep 0.1\nexit 1", executable: true);
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
                // Four failures (the first start and three restarts), four events: three crashes, then giving up.
                Assert.AreEqual(4, errors.Count, string.Join(" | ", errors.ConvertAll(e => e.ToString()).ToArray()));
                for (var i = 0; i < 3; i++)
                {
                    Assert.AreEqual(SidecarErrorCode.LaunchFailed, errors[i].Code, "it never got past the handshake");
                    StringAssert.Contains("exited with code 1", errors[i].Message);
                    StringAssert.Contains("boom: generator failed", errors[i].Message);
                }
                StringAssert.StartsWith("gave up after 3 restarts", errors[3].Message);
                Assert.AreEqual(SidecarState.Failed, s.Client.State, "a game polling the state sees that it gave up");
                Assert.AreEqual(errors[3].Message, s.FailureReason);
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
                StringAssert.Contains("code 4", e0.Message);
                WaitFor(() => s.Client.State == SidecarState.Failed, 5, "state Failed");
                s.Client.Drain(1);
                Assert.AreEqual(1, errors.Count, "one failure, one event");
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
        public void ExitsThatWouldFailAgainAreNotRetried()
        {
            foreach (var code in new[] { 2, 3, 4 })
            {
                var path = Script("riffforge-sidecar-" + code, "echo \"RIFFFORGE READY port=9 pid=$$ protocol=1.0 version=0.0.0\"\necho 'riffforge sidecar: error: cannot go on' >&2\nsleep 0.1\nexit " + code, executable: true);
                var options = Options();
                options.MaxConsecutiveRestarts = 8;
                var errors = new List<SidecarError>();
                using (var s = new SidecarSupervisor(new SidecarCommand(path, new string[0], true), options))
                {
                    s.Client.ErrorReceived += errors.Add;
                    s.Start();
                    WaitFor(() => { s.Client.Drain(1); return s.Client.State == SidecarState.Failed && errors.Count > 0; }, 10, "state Failed after exit code " + code);
                    Assert.AreEqual(0, s.Restarts, "exit code " + code + " means the same launch would fail again");
                    Assert.AreEqual(1, errors.Count, "exactly one event for the failure");
                    Assert.AreEqual(SidecarErrorCode.LaunchFailed, errors[0].Code);
                    StringAssert.Contains("exited with code " + code, errors[0].Message);
                    StringAssert.Contains("not restarting", errors[0].Message);
                    StringAssert.Contains("cannot go on", errors[0].Message, "the sidecar's last log line says what to fix");
                    Assert.AreEqual(errors[0].Message, s.FailureReason);
                    // A request now fails at once with the same reason instead of waiting for a sidecar that never comes.
                    var id = s.Client.SendRequest(new RiffRequest { Intensity = 0.5 });
                    s.Client.Drain(1);
                    Assert.AreEqual(2, errors.Count);
                    Assert.AreEqual(id, errors[1].RequestId);
                    Assert.AreEqual(errors[0].Message, errors[1].Message);
                }
            }
        }

        [Test]
        public void ALostHeartbeatRaisesOneSidecarLostThenRestarts()
        {
            var options = Options();
            options.Client = new SidecarClientOptions
            {
                Token = TestData.Token, LivenessTimeoutSeconds = 0.5, PingIntervalSeconds = 0.1, HandshakeTimeoutSeconds = 30,
            };
            var errors = new List<SidecarError>();
            // The fake sidecar's port is known only once the supervisor exists: the stand-in reads it from a file.
            var portFile = _temp.Sub("fake-port");
            var path = Script("riffforge-sidecar", "echo \"RIFFFORGE READY port=$(cat '" + portFile + "') pid=$$ protocol=1.0 version=0.0.0\"\nexec sleep 30", executable: true);
            using (var sup = new SidecarSupervisor(new SidecarCommand(path, new string[0], true), options))
            using (var fake = new FakeSidecar(sup.Client.LocalPort, TestData.Token))
            {
                File.WriteAllText(portFile, fake.Port.ToString());
                sup.Client.ErrorReceived += errors.Add;
                sup.Start();
                WaitFor(() => sup.SidecarPid > 0, 5, "the READY line");
                fake.Hello();
                WaitFor(() => { sup.Client.Drain(1); return sup.Client.State == SidecarState.Ready; }, 5, "the handshake");
                // The fake never answers pings: the heartbeat is lost, the stand-in is killed and started again.
                WaitFor(() => sup.Restarts == 1, 10, "the restart after the lost heartbeat");
                sup.Client.Drain(1);
                var lost = errors.FindAll(e => e.Code == SidecarErrorCode.SidecarLost);
                Assert.AreEqual(1, lost.Count, string.Join(" | ", errors.ConvertAll(e => e.ToString()).ToArray()));
                StringAssert.Contains("heartbeat lost", lost[0].Message);
                Assert.AreEqual(1, errors.Count, "no other event for that loss");
            }
        }

        [Test]
        public void TwoSupervisorsOfOneProjectKeepTheirOwnPidFilesAndSidecars()
        {
            var path = Script("riffforge-sidecar", ReadyThenSleep, executable: true);
            var options = Options();
            options.QuitGraceSeconds = 0.2;
            var first = new SidecarSupervisor(new SidecarCommand(path, new string[0], true), options);
            SidecarSupervisor second = null;
            try
            {
                first.Start();
                WaitFor(() => first.SidecarPid > 0, 5, "the first READY line");
                var firstPid = first.SidecarPid;
                // The same project, the same folder: the second one must not take the first one's sidecar for a leftover.
                second = new SidecarSupervisor(new SidecarCommand(path, new string[0], true), options);
                second.Start();
                WaitFor(() => second.SidecarPid > 0, 5, "the second READY line");
                Assert.AreNotEqual(first.PidFilePath, second.PidFilePath);
                Assert.AreEqual(first.PidFolder, second.PidFolder);
                Assert.IsTrue(Alive(firstPid), "the second supervisor killed the first one's live sidecar");
                Assert.IsTrue(File.Exists(first.PidFilePath) && File.Exists(second.PidFilePath));
                first.Dispose();
                Assert.IsTrue(first.Stopped.WaitOne(5000));
                WaitFor(() => !Alive(firstPid), 5, "the first sidecar to stop");
                Assert.IsFalse(File.Exists(first.PidFilePath));
                Assert.IsTrue(File.Exists(second.PidFilePath), "stopping the first one left the second one's pid file alone");
                Assert.IsTrue(Alive(second.SidecarPid));
            }
            finally
            {
                first.Dispose();
                if (second != null) second.Dispose();
            }
            Assert.IsTrue(second.Stopped.WaitOne(5000));
            Assert.IsFalse(File.Exists(second.PidFilePath));
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

        /// <summary>The pid of a process that has exited (a host that crashed).</summary>
        static int DeadPid()
        {
            using (var p = Process.Start(new ProcessStartInfo("/bin/true") { UseShellExecute = false }))
            {
                Assert.IsTrue(p.WaitForExit(5000));
                return p.Id;
            }
        }

        static Process SleepingStandIn()
        {
            var p = Process.Start(new ProcessStartInfo("/bin/sleep", "30") { UseShellExecute = false });
            // Right after fork the child is still its parent's copy: wait for the exec.
            WaitFor(() => CommandLine(p.Id).StartsWith("/bin/sleep", StringComparison.Ordinal), 5, "the stand-in to exec");
            return p;
        }

        static void Record(string file, int sidecarPid, int ownerPid, string marker)
        {
            File.WriteAllText(file, "sidecar_pid=" + sidecarPid + "\nowner_pid=" + ownerPid + "\nsidecar_start=" + marker + "\n");
        }

        [Test]
        public void ALeftoverWhoseOwnerIsDeadIsKilledOnlyWhenItIsThatSidecar()
        {
            var victim = SleepingStandIn();
            var bystander = SleepingStandIn();
            try
            {
                var file = _temp.Sub("leftover.pid");
                var deadOwner = DeadPid();
                // Owner dead, but the process under that pid started at another time: another program, left alone.
                Record(file, bystander.Id, deadOwner, "stat:1");
                StringAssert.Contains("cannot be identified", PidFile.Reap(file));
                Assert.IsTrue(Alive(bystander.Id));
                Assert.IsFalse(File.Exists(file), "a file whose owner is dead is removed either way");
                // Owner dead and the recorded start marker matches: our leftover sidecar, killed.
                Record(file, victim.Id, deadOwner, PidFile.StartMarker(victim.Id));
                StringAssert.Contains("killed a leftover sidecar", PidFile.Reap(file));
                Assert.IsTrue(victim.WaitForExit(3000));
                Assert.IsFalse(File.Exists(file));
                Assert.IsNull(PidFile.Reap(file), "nothing to reap without a pid file");
                // Owner dead and the sidecar gone already: only the file goes.
                Record(file, victim.Id, deadOwner, "stat:1");
                StringAssert.Contains("had already exited", PidFile.Reap(file));
                Assert.IsFalse(File.Exists(file));
            }
            finally
            {
                try { victim.Kill(); } catch (Exception) { }
                try { bystander.Kill(); } catch (Exception) { }
            }
        }

        [Test]
        public void ASidecarWhoseOwnerIsAliveIsNeverTouched()
        {
            var sidecar = SleepingStandIn();
            try
            {
                var marker = PidFile.StartMarker(sidecar.Id);
                Assert.IsNotNull(marker);
                // Its owner is this very process (another supervisor here, e.g. the Editor monitor's) or another
                // running host (pid 1): file and process stay, whatever the marker says.
                foreach (var owner in new[] { Process.GetCurrentProcess().Id, 1 })
                {
                    var file = _temp.Sub("owner-" + owner + ".pid");
                    Record(file, sidecar.Id, owner, marker);
                    Assert.IsNull(PidFile.Reap(file), "owner " + owner + " is alive");
                    Assert.IsTrue(File.Exists(file));
                    Assert.IsTrue(Alive(sidecar.Id));
                }
                // ReapFolder applies the same rule to every file and skips the caller's own.
                Record(_temp.Sub("own.pid"), sidecar.Id, DeadPid(), marker);
                Assert.IsEmpty(PidFile.ReapFolder(_temp.Path, _temp.Sub("own.pid")));
                Assert.IsTrue(File.Exists(_temp.Sub("own.pid")));
                Assert.IsTrue(Alive(sidecar.Id));
            }
            finally { try { sidecar.Kill(); } catch (Exception) { } }
        }

        [Test]
        public void AnUnreadableOrOldPidFileIsRemovedAndNothingIsKilled()
        {
            var sidecar = SleepingStandIn();
            try
            {
                var file = _temp.Sub("old.pid");
                // The earlier format (token inside, no owner_pid): removed, its process left alone.
                File.WriteAllText(file, "sidecar_pid=" + sidecar.Id + "\nhost_pid=1\ntoken=whatever-token\nstarted_utc_ticks=0\n");
                StringAssert.Contains("unreadable", PidFile.Reap(file));
                Assert.IsFalse(File.Exists(file));
                Assert.IsTrue(Alive(sidecar.Id));
            }
            finally { try { sidecar.Kill(); } catch (Exception) { } }
        }

        static string Mode(string path)
        {
            using (var p = Process.Start(new ProcessStartInfo("stat", "-c %a \"" + path + "\"") { UseShellExecute = false, RedirectStandardOutput = true }))
            {
                var text = p.StandardOutput.ReadToEnd();
                p.WaitForExit(5000);
                return text.Trim();
            }
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
