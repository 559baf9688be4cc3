using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading;
using NUnit.Framework;
using RiffForge.Core;
using RiffForge.EditorTools;

namespace RiffForge.Unity.Tests
{
    /// <summary>
    /// The Monitor window's sessions across Play mode: its own sidecar only in Edit mode, disposed (and its
    /// process gone) when Play is pressed, the game's shared session shown in Play mode, none started there.
    /// </summary>
    [TestFixture]
    public class MonitorSessionHandoffTests
    {
        string _folder;
        readonly List<SidecarSession> _started = new List<SidecarSession>();

        [SetUp]
        public void SetUp()
        {
            _folder = Path.Combine(Path.GetTempPath(), "riffforge-handoff-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_folder);
            _started.Clear();
        }

        [TearDown]
        public void TearDown()
        {
            foreach (var s in _started) s.Dispose();
            try { Directory.Delete(_folder, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }

        /// <summary>A session without a sidecar command (baked riffs only): the state machine's bookkeeping without a process.</summary>
        SidecarSession StartBakedOnly()
        {
            var s = new SidecarSession(null, "no sidecar in this test", null, 0.0);
            s.Start();
            _started.Add(s);
            return s;
        }

        [Test]
        public void OwnSessionInEditModeOnlyAndTheSharedOneInPlayMode()
        {
            var handoff = new MonitorSessionHandoff(EditorPlayPhase.EditMode, StartBakedOnly);
            Assert.IsTrue(handoff.CanStartOwn);
            Assert.IsNull(handoff.Own, "nothing starts before a test request");
            var own = handoff.OwnForRequest();
            Assert.IsNotNull(own);
            Assert.AreSame(own, handoff.OwnForRequest(), "one own session, reused");
            Assert.AreEqual(1, _started.Count);
            Assert.AreSame(own, handoff.Shown(null));

            // Play pressed: the own session is disposed before the game's sidecar starts.
            handoff.Changed(EditorPlayPhase.ExitingEditMode);
            Assert.AreEqual("stopped", own.Status);
            Assert.IsNull(handoff.Own);
            Assert.IsFalse(handoff.CanStartOwn);
            Assert.IsNull(handoff.OwnForRequest(), "no own sidecar while Play mode starts");
            Assert.IsNull(handoff.Shown(null));

            // Play mode: the game's shared session is shown, none is started.
            handoff.Changed(EditorPlayPhase.PlayMode);
            var shared = StartBakedOnly();
            var other = StartBakedOnly();
            Assert.AreSame(shared, handoff.Shown(new List<SidecarSession> { null, shared, other }), "the first RiffForgeSidecar with a session");
            Assert.IsNull(handoff.Shown(new List<SidecarSession> { null, null }), "the game's sidecar has not started yet");
            Assert.IsNull(handoff.OwnForRequest());
            Assert.IsNull(handoff.Own);
            Assert.AreEqual(3, _started.Count, "no own session was started in Play mode");

            // Leaving Play mode: still none of the window's own until Edit mode is back.
            handoff.Changed(EditorPlayPhase.ExitingPlayMode);
            Assert.IsNull(handoff.OwnForRequest());
            Assert.IsNull(handoff.Shown(new List<SidecarSession> { shared }), "the game's session is being stopped");

            // Edit mode again: a new own session on the next request.
            handoff.Changed(EditorPlayPhase.EditMode);
            Assert.IsTrue(handoff.CanStartOwn);
            Assert.IsNull(handoff.Own, "not restarted by itself");
            var again = handoff.OwnForRequest();
            Assert.IsNotNull(again);
            Assert.AreNotSame(own, again);
            Assert.AreEqual(4, _started.Count);
            Assert.IsTrue(handoff.LastStopInTime);
        }

        [Test]
        public void EveryPhaseButEditModeStopsTheOwnSession()
        {
            foreach (var phase in new[] { EditorPlayPhase.ExitingEditMode, EditorPlayPhase.PlayMode, EditorPlayPhase.ExitingPlayMode })
            {
                var handoff = new MonitorSessionHandoff(EditorPlayPhase.EditMode, StartBakedOnly);
                var own = handoff.OwnForRequest();
                handoff.Changed(phase);
                Assert.AreEqual("stopped", own.Status, phase.ToString());
                Assert.IsNull(handoff.Own, phase.ToString());
            }
        }

        [Test]
        public void AWindowOpenedInPlayModeOrWhilePlayStartsStartsNothing()
        {
            Assert.AreEqual(EditorPlayPhase.PlayMode, MonitorSessionHandoff.PhaseNow(true, true));
            Assert.AreEqual(EditorPlayPhase.ExitingEditMode, MonitorSessionHandoff.PhaseNow(false, true));
            Assert.AreEqual(EditorPlayPhase.EditMode, MonitorSessionHandoff.PhaseNow(false, false));
            foreach (var phase in new[] { MonitorSessionHandoff.PhaseNow(true, true), MonitorSessionHandoff.PhaseNow(false, true) })
            {
                var handoff = new MonitorSessionHandoff(phase, StartBakedOnly);
                Assert.IsNull(handoff.OwnForRequest(), phase.ToString());
            }
            Assert.AreEqual(0, _started.Count);
        }

        [Test]
        public void StoppingWithoutAnOwnSessionOrTwiceIsHarmless()
        {
            var handoff = new MonitorSessionHandoff(EditorPlayPhase.EditMode, StartBakedOnly);
            Assert.DoesNotThrow(() => handoff.StopOwn(true));
            handoff.OwnForRequest();
            handoff.StopOwn(false);
            Assert.DoesNotThrow(() => handoff.StopOwn(false));
            Assert.IsNull(handoff.Own);
            Assert.IsTrue(MonitorSessionHandoff.WaitStopped(null, 0));
            Assert.IsTrue(MonitorSessionHandoff.WaitStopped(_started[0], 0), "a session without a process has nothing to wait for");
            Assert.Throws<ArgumentNullException>(() => new MonitorSessionHandoff(EditorPlayPhase.EditMode, null));
            Assert.Throws<ArgumentOutOfRangeException>(() => new MonitorSessionHandoff(EditorPlayPhase.EditMode, StartBakedOnly, -1));
        }

        /// <summary>A stand-in sidecar: prints a READY line, then sleeps, ignoring quit (so it must be killed).</summary>
        string DeafSidecar()
        {
            var path = Path.Combine(_folder, "riffforge-sidecar");
            File.WriteAllText(path, "#!/bin/sh\necho \"RIFFFORGE READY port=9 pid=$$ protocol=1.0 version=0.0.0\"\nexec sleep 30\n");
            using (var chmod = Process.Start(new ProcessStartInfo("/bin/chmod", "755 " + path) { UseShellExecute = false })) chmod.WaitForExit(5000);
            return path;
        }

        SidecarSession StartDeaf()
        {
            var options = new SidecarSupervisorOptions
            {
                PidFolder = Path.Combine(_folder, "sidecars"),
                RestoreExecutableBit = false,
                QuitGraceSeconds = 0.3,
                Client = new SidecarClientOptions { HandshakeTimeoutSeconds = 30 },
            };
            var s = new SidecarSession(new SidecarCommand(DeafSidecar(), new string[0], false), null, options, 0.0);
            s.Start();
            _started.Add(s);
            return s;
        }

        [Test]
        public void WhenPlayIsPressedTheOwnSidecarProcessIsGoneBeforeTheHandOffReturns()
        {
            var handoff = new MonitorSessionHandoff(EditorPlayPhase.EditMode, StartDeaf, 10.0);
            var own = handoff.OwnForRequest();
            TestProcesses.WaitFor(() => own.Supervisor != null && own.Supervisor.SidecarPid > 0, 10, "the READY line");
            var pid = own.Supervisor.SidecarPid;
            Assert.IsTrue(TestProcesses.Alive(pid));
            handoff.Changed(EditorPlayPhase.ExitingEditMode);
            // No waiting here: the game's sidecar may start right after this call returns.
            Assert.IsFalse(TestProcesses.Alive(pid), "the window's sidecar (which ignores quit) was killed and reaped before the hand-off returned");
            Assert.IsTrue(handoff.LastStopInTime);
            Assert.IsFalse(File.Exists(own.Supervisor.PidFilePath), "the pid file of the stopped sidecar was deleted");
        }

        [Test]
        public void AHandOffThatGivesUpWaitingSaysSoAndTheProcessIsStillStopped()
        {
            var handoff = new MonitorSessionHandoff(EditorPlayPhase.EditMode, StartDeaf, 0.0);
            var own = handoff.OwnForRequest();
            TestProcesses.WaitFor(() => own.Supervisor != null && own.Supervisor.SidecarPid > 0, 10, "the READY line");
            var pid = own.Supervisor.SidecarPid;
            handoff.Changed(EditorPlayPhase.ExitingEditMode);
            Assert.IsFalse(handoff.LastStopInTime, "a zero wait cannot outlast the 0.3 s quit grace");
            Assert.IsTrue(own.Supervisor.Stopped.WaitOne(10000), "the background stop finishes");
            Assert.IsFalse(TestProcesses.Alive(pid));
            handoff.Changed(EditorPlayPhase.PlayMode);
            Assert.IsTrue(handoff.LastStopInTime, "nothing to stop on the next change: no stale give-up");
        }
    }
}
