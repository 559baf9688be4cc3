using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using NUnit.Framework;
using RiffForge.Core;

namespace RiffForge.Repo.Tests
{
    /// <summary>The C# core against the REAL Python sidecar (source command), end to end over UDP.</summary>
    [TestFixture]
    public class SidecarInteropTests
    {
        [Test]
        public void HandshakesAndAnswersRiffsAtThreeIntensities()
        {
            using (var s = InteropHelpers.Start())
            {
                var caps = InteropHelpers.WaitConnected(s);
                CollectionAssert.Contains(caps.Styles, "thrash");
                CollectionAssert.AreEquivalent(new[] { "guitar", "bass", "drums" }, caps.Instruments);
                Assert.AreEqual(16, caps.MaxBars);
                Assert.AreEqual(ProtocolVersion.Current, s.Client.SidecarProtocolVersion);
                Assert.AreEqual(SidecarState.Ready, s.Client.State);
                var answers = new Dictionary<double, Riff>();
                foreach (var intensity in new[] { 0.1, 0.5, 0.9 })
                {
                    var id = s.Client.SendRequest(new RiffRequest(intensity) { Style = "thrash", Bars = 2, Seed = 4242 });
                    var answer = s.Client.WaitForRiff(id, 30.0);
                    var riff = answer.Riff;
                    answers[intensity] = riff;
                    Assert.AreEqual(intensity, riff.Intensity, 1e-9, "a seeded request is generated exactly at its intensity");
                    Assert.AreEqual(4242, riff.Seed);
                    Assert.AreEqual("thrash", riff.Style);
                    Assert.AreEqual(2, riff.Bars);
                    Assert.AreEqual(4, riff.MeterNumerator);
                    Assert.That(riff.Tempo, Is.InRange(40.0, 320.0));
                    foreach (var instrument in new[] { "guitar", "bass", "drums" })
                    {
                        Assert.IsTrue(riff.HasTrack(instrument), instrument + " track missing in " + riff);
                        Assert.Greater(riff.Notes(instrument).Count, 0, instrument + " has no notes in " + riff);
                        var previous = -1;
                        foreach (var n in riff.Notes(instrument))
                        {
                            Assert.That(n.Start, Is.InRange(0, riff.TotalSteps - 1), instrument + " note outside the riff: " + n);
                            Assert.GreaterOrEqual(n.Start, previous, "notes sorted by start");
                            previous = n.Start;
                        }
                    }
                }
                Assert.AreNotEqual(answers[0.1].NoteCount + "/" + answers[0.1].Tempo, answers[0.9].NoteCount + "/" + answers[0.9].Tempo,
                    "riffs at intensity 0.1 and 0.9 should differ");
                // Same request, same seed: same riff (the sidecar generates seeded requests exactly).
                var again = s.Client.WaitForRiff(s.Client.SendRequest(new RiffRequest(0.5) { Style = "thrash", Bars = 2, Seed = 4242 }), 30.0).Riff;
                Assert.AreEqual(answers[0.5].ToString(), again.ToString());
                // Instruments subset: only that track comes back.
                var drumsOnly = s.Client.WaitForRiff(s.Client.SendRequest(new RiffRequest(0.6) { Instruments = new[] { "drums" }, Seed = 7 }), 30.0).Riff;
                CollectionAssert.AreEquivalent(new[] { "drums" }, new List<string>(drumsOnly.Instruments));
            }
        }

        [Test]
        public void SidecarErrorsArriveWithTheirDocumentedCodes()
        {
            const string token = "interop-token-error-codes";
            using (var raw = InteropHelpers.RawSocket())
            using (var stranger = InteropHelpers.RawSocket())
            {
                // The client refuses these itself (validated against the capabilities), so a raw host sends them
                // with the session token; the sidecar answers the sender.
                var p = InteropHelpers.StartRaw(InteropHelpers.Port(raw), token, 10.0);
                try
                {
                    InteropHelpers.ReadReady(p);
                    Assert.IsNotNull(InteropHelpers.Receive(raw, ProtocolMessages.Hello, 30000), "no hello");
                    var sidecar = new IPEndPoint(IPAddress.Loopback, InteropHelpers.ReadyPortFromHello(null, raw));
                    raw.SendTo(OscWriter.Encode(new OscMessage(ProtocolMessages.Welcome, token, ProtocolVersion.Current, "interop")), sidecar);
                    // The sidecar's socket is connected to its host: another port, even with the token, gets nothing.
                    stranger.SendTo(OscWriter.Encode(new OscMessage(ProtocolMessages.Ping, token, 7)), sidecar);
                    Assert.IsNull(InteropHelpers.Receive(stranger, ProtocolMessages.Pong, 500), "a stranger's ping was answered");
                    var cases = new[]
                    {
                        new object[] { new RiffRequest(0.5) { Bars = 40 }, SidecarErrorCode.OutOfRange, "bars" },
                        new object[] { new RiffRequest(0.5) { Style = "polka" }, SidecarErrorCode.UnknownStyle, "polka" },
                        new object[] { new RiffRequest(0.5) { Mode = "no_such_mode" }, SidecarErrorCode.Unsupported, "no_such_mode" },
                    };
                    var id = 900;
                    foreach (var c in cases)
                    {
                        id++;
                        raw.SendTo(OscWriter.Encode(new OscMessage(ProtocolMessages.Request, token, id, ((RiffRequest)c[0]).ToPayload())), sidecar);
                        var error = InteropHelpers.Receive(raw, ProtocolMessages.Error, 10000);
                        Assert.IsNotNull(error, "no error for " + c[0]);
                        Assert.AreEqual(id, error.GetInt(1));
                        Assert.AreEqual(c[1], error.GetString(2), error.GetString(3));
                        StringAssert.Contains((string)c[2], error.GetString(3));
                    }
                    raw.SendTo(OscWriter.Encode(new OscMessage(ProtocolMessages.Request, token, 999, new byte[] { 0x93, 1, 2, 3 })), sidecar);
                    var bad = InteropHelpers.Receive(raw, ProtocolMessages.Error, 10000);
                    Assert.AreEqual(SidecarErrorCode.BadRequest, bad.GetString(2));
                }
                finally { InteropHelpers.KillQuietly(p); }
            }
        }

        [Test]
        public void AHostSpeakingAnotherMajorVersionGetsTheDocumentedMismatchAndNoRestart()
        {
            var options = InteropHelpers.Options();
            options.Client.ProtocolVersion = "2.0";
            using (var s = InteropHelpers.Start(options))
            {
                SidecarError mismatch = null;
                s.Client.ErrorReceived += e => { if (e.Code == SidecarErrorCode.VersionMismatch && e.RequestId == 0) mismatch = e; };
                InteropHelpers.WaitUntil(s.Client, () => mismatch != null, 60.0, "version_mismatch");
                Assert.AreEqual("protocol version mismatch: host (RiffForge Unity package) speaks 2.0, sidecar (riffforge sidecar) speaks 1.0; "
                    + "upgrade the riffforge sidecar to a release that speaks protocol 2.x", mismatch.Message);
                Assert.AreEqual(SidecarState.Incompatible, s.Client.State);
                Thread.Sleep(2500); // the rejected sidecar exits (code 3); it must not be restarted in a loop
                s.Client.Drain(1.0);
                Assert.AreEqual(0, s.Restarts);
            }
        }

        [Test]
        public void TheSidecarAnswersAnIncompatibleWelcomeWithVersionMismatch()
        {
            const string token = "interop-token-welcome-2-0";
            using (var host = InteropHelpers.RawSocket())
            {
                var p = InteropHelpers.StartRaw(InteropHelpers.Port(host), token, 10.0);
                try
                {
                    InteropHelpers.ReadReady(p);
                    var hello = InteropHelpers.Receive(host, ProtocolMessages.Hello, 30000);
                    Assert.IsNotNull(hello, "no hello");
                    var sidecar = new IPEndPoint(IPAddress.Loopback, InteropHelpers.ReadyPortFromHello(hello, host));
                    host.SendTo(OscWriter.Encode(new OscMessage(ProtocolMessages.Welcome, token, "2.0", "9.9.9")), sidecar);
                    var error = InteropHelpers.Receive(host, ProtocolMessages.Error, 5000);
                    Assert.IsNotNull(error, "no error after an incompatible welcome");
                    Assert.AreEqual(0, error.GetInt(1));
                    Assert.AreEqual(SidecarErrorCode.VersionMismatch, error.GetString(2));
                    StringAssert.Contains("2.0", error.GetString(3));
                    StringAssert.Contains("1.0", error.GetString(3));
                    // And it keeps refusing requests.
                    host.SendTo(OscWriter.Encode(new OscMessage(ProtocolMessages.Request, token, 1, new RiffRequest(0.5).ToPayload())), sidecar);
                    var refused = InteropHelpers.Receive(host, ProtocolMessages.Error, 5000);
                    Assert.IsNotNull(refused);
                    Assert.AreEqual(1, refused.GetInt(1));
                }
                finally { InteropHelpers.KillQuietly(p); }
            }
        }

        [Test]
        public void AHelloWithAnotherTokenIsDroppedAndReportedAsHandshakeTimeout()
        {
            var client = new SidecarClient(new SidecarClientOptions { HandshakeTimeoutSeconds = 4.0 });
            var p = InteropHelpers.StartRaw(client.LocalPort, "some-other-token-123", 10.0);
            try
            {
                var ready = InteropHelpers.ReadReady(p);
                client.ExpectSidecar(ready.Port);
                SidecarError error = null;
                client.ErrorReceived += e => { if (e.Code == SidecarErrorCode.HandshakeTimeout) error = e; };
                InteropHelpers.WaitUntil(client, () => error != null, 20.0, "handshake_timeout");
                StringAssert.Contains("--token", error.Message);
                Assert.GreaterOrEqual(client.DroppedUnauthenticated, 1, "the hello with the wrong token was counted");
                Assert.AreEqual(SidecarState.Connecting, client.State);
            }
            finally
            {
                client.Dispose();
                InteropHelpers.KillQuietly(p);
            }
        }

        [Test]
        public void ARequestWithAWrongTokenIsNeverAnsweredWhileTheRightOneIs()
        {
            using (var s = InteropHelpers.Start())
            using (var raw = InteropHelpers.RawSocket())
            {
                InteropHelpers.WaitConnected(s);
                var sidecar = new IPEndPoint(IPAddress.Loopback, s.Client.SidecarPort);
                raw.SendTo(OscWriter.Encode(new OscMessage(ProtocolMessages.Request, "not-the-session-token", 77, new RiffRequest(0.5).ToPayload())), sidecar);
                raw.SendTo(OscWriter.Encode(new OscMessage(ProtocolMessages.Ping, "not-the-session-token", 1)), sidecar);
                Assert.IsNull(InteropHelpers.Receive(raw, ProtocolMessages.RiffChunk, 1500), "a wrong-token request was answered");
                var answer = s.Client.WaitForRiff(s.Client.SendRequest(new RiffRequest(0.5) { Seed = 1 }), 30.0);
                Assert.IsNotNull(answer.Riff);
            }
        }

        [Test]
        public void AKilledSidecarIsRestartedWithinTwoSeconds()
        {
            using (var s = InteropHelpers.Start())
            {
                InteropHelpers.WaitConnected(s);
                // Warm the OS file cache so the restart measures the supervisor, not a cold disk.
                s.Client.WaitForRiff(s.Client.SendRequest(new RiffRequest(0.5) { Seed = 3 }), 30.0);
                var pid = s.SidecarPid;
                Assert.Greater(pid, 0);
                var connected = 0;
                s.Client.Connected += c => connected++;
                var sw = Stopwatch.StartNew();
                Process.Start("kill", "-KILL " + pid).WaitForExit();
                InteropHelpers.WaitUntil(s.Client, () => connected > 0, 10.0, "the restarted sidecar's handshake");
                var restart = sw.Elapsed.TotalSeconds;
                Console.WriteLine("restart after SIGKILL took " + restart.ToString("0.000") + " s");
                Assert.Less(restart, 2.0, "SIGKILL -> new handshake must take < 2 s");
                Assert.AreEqual(1, s.Restarts);
                Assert.AreNotEqual(pid, s.SidecarPid);
                Assert.IsFalse(InteropHelpers.IsAlive(pid));
                var after = s.Client.WaitForRiff(s.Client.SendRequest(new RiffRequest(0.4) { Seed = 9 }), 30.0);
                Assert.IsNotNull(after.Riff);
            }
        }

        [Test]
        public void ARequestPendingDuringACrashIsAnsweredByTheRestartedSidecar()
        {
            using (var s = InteropHelpers.Start())
            {
                InteropHelpers.WaitConnected(s);
                var pid = s.SidecarPid;
                Process.Start("kill", "-KILL " + pid).WaitForExit();
                var id = s.Client.SendRequest(new RiffRequest(0.7) { Seed = 11, Bars = 4 });
                var answer = s.Client.WaitForRiff(id, 30.0);
                Assert.AreEqual(4, answer.Riff.Bars);
            }
        }

        [Test]
        public void DisposingLeavesNoSidecarProcessAlive()
        {
            var s = InteropHelpers.Start();
            var log = new List<string>();
            s.Log += log.Add;
            s.Client.ErrorReceived += e => log.Add(e.ToString());
            InteropHelpers.WaitConnected(s);
            var pid = s.SidecarPid;
            var pidFile = s.PidFilePath;
            Assert.IsTrue(InteropHelpers.IsAlive(pid), "sidecar " + pid + " not alive after the handshake");
            Assert.IsTrue(System.IO.File.Exists(pidFile), "the supervisor records the sidecar's pid in " + pidFile);
            var sw = Stopwatch.StartNew();
            s.Dispose();
            var disposeSeconds = sw.Elapsed.TotalSeconds;
            // Dispose returns at once; the wait for exit, kill, reap and pid-file removal run in the background.
            Assert.IsTrue(s.Stopped.WaitOne(5000), "the background stop did not finish within 5 s");
            while (InteropHelpers.IsAlive(pid) && sw.Elapsed.TotalSeconds < 5) Thread.Sleep(20);
            s.Client.Drain(1.0);
            var context = " (Dispose took " + disposeSeconds.ToString("0.000") + " s; restarts " + s.Restarts + "; log: " + string.Join(" | ", log.ToArray()) + ")";
            Assert.IsFalse(InteropHelpers.IsAlive(pid), "sidecar " + pid + " still alive after Dispose" + context);
            Assert.AreEqual(pid, s.SidecarPid == 0 ? pid : s.SidecarPid, "the sidecar was replaced during the test" + context);
            Assert.IsFalse(System.IO.File.Exists(pidFile), "pid file left behind" + context);
            Assert.AreEqual(SidecarState.Closed, s.Client.State);
        }

        [Test]
        public void ALeftoverSidecarOfACrashedHostIsReapedAndTheTokenNeverShowsInItsCommandLine()
        {
            var options = InteropHelpers.Options();
            var lost = new SidecarSupervisor(RepoPaths.SidecarCommand(), options);
            var lostLogs = new List<string>();
            lost.Log += line => { lock (lostLogs) lostLogs.Add(line); };
            lost.Start();
            InteropHelpers.WaitConnected(lost);
            // The pid comes from the READY line of the sidecar running now; should the first one be lost on a
            // loaded machine, the supervisor's log says why and the test goes on with the one that replaced it.
            InteropHelpers.WaitUntil(lost.Client, () => lost.SidecarPid > 0 && lost.Client.State == SidecarState.Ready, 60.0,
                "a connected sidecar with a READY line (supervisor log: " + LogText(lostLogs) + ")");
            var leftover = lost.SidecarPid;
            // The real sidecar got its token from RIFFFORGE_TOKEN (it shook hands): `ps` shows no token.
            var cmdline = ProcessArguments(leftover);
            StringAssert.Contains("sidecar", cmdline, "ps -o args= -p " + leftover + " (supervisor log: " + LogText(lostLogs) + ")");
            StringAssert.DoesNotContain(lost.Client.Token, cmdline);
            StringAssert.DoesNotContain("--token", cmdline);
            StringAssert.DoesNotContain(lost.Client.Token, System.IO.File.ReadAllText(lost.PidFilePath));
            // As if the host had crashed: its pid file now names an owner that is gone.
            int deadOwner;
            using (var gone = Process.Start(new ProcessStartInfo("/bin/true") { UseShellExecute = false }))
            {
                gone.WaitForExit();
                deadOwner = gone.Id;
            }
            var recorded = System.IO.File.ReadAllText(lost.PidFilePath);
            System.IO.File.WriteAllText(lost.PidFilePath, recorded.Replace("owner_pid=" + Process.GetCurrentProcess().Id + "\n", "owner_pid=" + deadOwner + "\n"));
            var next = new SidecarSupervisor(RepoPaths.SidecarCommand(), new SidecarSupervisorOptions
            {
                PidFolder = options.PidFolder, ReadyTimeoutSeconds = 60.0,
                Client = new SidecarClientOptions { HandshakeTimeoutSeconds = 60.0 },
            });
            var logs = new List<string>();
            next.Log += logs.Add;
            try
            {
                next.Start();
                InteropHelpers.WaitConnected(next);
                Assert.IsFalse(InteropHelpers.IsAlive(leftover), "the leftover sidecar " + leftover + " was not reaped");
                Assert.IsTrue(logs.Exists(l => l.Contains("killed a leftover sidecar")), string.Join(" | ", logs.ToArray()));
            }
            finally
            {
                next.Dispose();
                lost.Dispose();
            }
        }

        static string LogText(List<string> lines)
        {
            lock (lines) return lines.Count == 0 ? "empty" : string.Join(" | ", lines.ToArray());
        }

        /// <summary>A process's command line as `ps` shows it to every local user (Linux and macOS).</summary>
        static string ProcessArguments(int pid)
        {
            using (var ps = Process.Start(new ProcessStartInfo("ps", "-o args= -p " + pid) { UseShellExecute = false, RedirectStandardOutput = true }))
            {
                var text = ps.StandardOutput.ReadToEnd();
                ps.WaitForExit(5000);
                return text.Trim();
            }
        }

        [Test]
        public void HeartbeatsKeepAShortTimeoutSidecarAlive()
        {
            using (var s = InteropHelpers.Start(InteropHelpers.Options(heartbeatTimeout: 1.5)))
            {
                InteropHelpers.WaitConnected(s);
                var pid = s.SidecarPid;
                var sw = Stopwatch.StartNew();
                while (sw.Elapsed.TotalSeconds < 4.0) { s.Client.WaitForEvents(50); s.Client.Drain(0.01); }
                Assert.AreEqual(0, s.Restarts, "the sidecar timed out although the client pings");
                Assert.AreEqual(pid, s.SidecarPid);
                Assert.IsNotNull(s.Client.WaitForRiff(s.Client.SendRequest(new RiffRequest(0.2)), 30.0).Riff);
            }
        }

        [Test]
        public void AThousandFuzzedDatagramsCrashNothing()
        {
            using (var s = InteropHelpers.Start())
            using (var raw = InteropHelpers.RawSocket())
            {
                InteropHelpers.WaitConnected(s);
                var target = new IPEndPoint(IPAddress.Loopback, s.Client.LocalPort);
                var random = new Random(1234);
                var templates = new List<byte[]>
                {
                    OscWriter.Encode(new OscMessage(ProtocolMessages.RiffChunk, s.Client.Token, 1, 0, 1, new byte[] { 0x80 })),
                    OscWriter.Encode(new OscMessage(ProtocolMessages.Hello, s.Client.Token, "1.0", "0.1.0", new byte[] { 0xc1 })),
                    OscWriter.Encode(new OscMessage(ProtocolMessages.Error, s.Client.Token, 5, "busy", "x")),
                    OscWriter.Encode(new OscMessage(ProtocolMessages.Ping, "wrong-token-xyz", 3)),
                    OscWriter.Encode(new OscBundle(1UL, new OscMessage(ProtocolMessages.Pong, s.Client.Token, 1))),
                };
                var pending = new List<int>();
                var answered = new Dictionary<int, string>();
                s.Client.RiffReceived += a => answered[a.RequestId] = "riff";
                s.Client.ErrorReceived += e => { if (e.RequestId > 0) answered[e.RequestId] = e.ToString(); };
                for (var i = 0; i < 1000; i++)
                {
                    byte[] datagram;
                    switch (i % 4)
                    {
                        case 0: datagram = new byte[random.Next(0, 1200)]; random.NextBytes(datagram); break;
                        case 1:
                            datagram = (byte[])templates[random.Next(templates.Count)].Clone();
                            for (var k = 0; k < 1 + random.Next(6); k++) datagram[random.Next(datagram.Length)] = (byte)random.Next(256);
                            break;
                        case 2: datagram = templates[random.Next(templates.Count)]; break;
                        default:
                            datagram = (byte[])templates[0].Clone();
                            Array.Resize(ref datagram, random.Next(1, datagram.Length + 8));
                            break;
                    }
                    raw.SendTo(datagram, target);
                    if (i % 100 == 0) pending.Add(s.Client.SendRequest(new RiffRequest(0.3 + (i % 300) / 1000.0) { Seed = i }));
                    if (i % 50 == 0) s.Client.Drain(0.005);
                }
                InteropHelpers.WaitUntil(s.Client, () => pending.TrueForAll(answered.ContainsKey), 60.0, "answers to the requests sent during the fuzz");
                foreach (var id in pending) Assert.AreEqual("riff", answered[id], "request " + id);
                Assert.AreEqual(SidecarState.Ready, s.Client.State);
                Assert.AreEqual(0, s.Restarts);
                // The client's socket is connected to its sidecar, so the kernel discards the fuzz from another port
                // before the client sees it (bench/csharp_fuzz.py fuzzes the decoders themselves).
                Assert.AreEqual(0, s.Client.DroppedMalformed + s.Client.DroppedUnauthenticated + s.Client.DroppedForeign,
                    "no datagram from another port reaches a connected client");
                Console.WriteLine("dropped malformed " + s.Client.DroppedMalformed + ", unauthenticated " + s.Client.DroppedUnauthenticated + ", foreign " + s.Client.DroppedForeign);
            }
        }
    }
}
