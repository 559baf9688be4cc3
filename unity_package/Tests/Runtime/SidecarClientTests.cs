using System;
using System.Collections.Generic;
using System.Diagnostics;
using NUnit.Framework;
using RiffForge.Core;

namespace RiffForge.Core.Tests
{
    /// <summary>The protocol client against a scripted fake sidecar: handshake, retries, chunks, errors, liveness.</summary>
    public class SidecarClientTests
    {
        SidecarClient _client;
        FakeSidecar _fake;
        List<SidecarError> _errors;
        List<RiffAnswer> _riffs;
        List<string> _warnings;
        int _connected;

        [SetUp]
        public void SetUp()
        {
            _client = new SidecarClient(new SidecarClientOptions
            {
                Token = TestData.Token, AttemptTimeoutSeconds = 0.3, MaxAttempts = 3, LivenessTimeoutSeconds = 1.0,
                PingIntervalSeconds = 0.1, HandshakeTimeoutSeconds = 1.0, RequestDeadlineSeconds = 10.0,
            });
            _fake = new FakeSidecar(_client.LocalPort, TestData.Token);
            _errors = new List<SidecarError>();
            _riffs = new List<RiffAnswer>();
            _warnings = new List<string>();
            _connected = 0;
            _client.ErrorReceived += _errors.Add;
            _client.RiffReceived += _riffs.Add;
            _client.Warning += _warnings.Add;
            _client.Connected += c => _connected++;
        }

        [TearDown]
        public void TearDown()
        {
            _client.Dispose();
            _fake.Dispose();
        }

        void WaitUntil(Func<bool> done, double seconds, string what)
        {
            var sw = Stopwatch.StartNew();
            while (!done())
            {
                if (sw.Elapsed.TotalSeconds > seconds) Assert.Fail("timed out waiting for " + what);
                _client.WaitForEvents(10);
                _client.Drain(1.0);
            }
        }

        void Handshake()
        {
            _fake.Hello();
            var welcome = _fake.Expect(ProtocolMessages.Welcome);
            Assert.IsNotNull(welcome, "no welcome");
            Assert.AreEqual(TestData.Token, welcome.GetString(0));
            Assert.AreEqual(ProtocolVersion.Current, welcome.GetString(1));
            Assert.AreEqual(RiffForgePackage.Version, welcome.GetString(2));
            WaitUntil(() => _connected == 1, 3, "Connected");
        }

        [Test]
        public void BindsLoopbackOnlyAndHandshakes()
        {
            Assert.Greater(_client.LocalPort, 0);
            Assert.AreEqual(SidecarState.Connecting, _client.State);
            Handshake();
            Assert.AreEqual(SidecarState.Ready, _client.State);
            Assert.AreEqual(_fake.Port, _client.SidecarPort);
            Assert.AreEqual(16, _client.Capabilities.MaxBars);
            Assert.AreEqual("1.0", _client.SidecarProtocolVersion);
        }

        [Test]
        public void RequestsQueuedBeforeTheHandshakeAreSentAfterIt()
        {
            var id = _client.SendRequest(new RiffRequest(0.4));
            Assert.IsNull(_fake.Expect(ProtocolMessages.Request, 200), "nothing may be sent before welcome");
            _fake.Hello();
            var request = _fake.Expect(ProtocolMessages.Request);
            Assert.AreEqual(id, request.GetInt(1));
            Assert.AreEqual(0.4, MsgPackReader.ReadMap(request.GetBlob(2))["intensity"]);
        }

        [Test]
        public void ChunksReassembleIntoOneRiff()
        {
            Handshake();
            var id = _client.SendRequest(new RiffRequest(0.5) { Seed = 1 });
            Assert.AreEqual(id, _fake.Expect(ProtocolMessages.Request).GetInt(1));
            var payload = TestData.RiffPayload(tempo: 133.0);
            _fake.Answer(id, payload, 50);
            WaitUntil(() => _riffs.Count == 1, 3, "the riff");
            Assert.AreEqual(133.0, _riffs[0].Riff.Tempo);
            Assert.AreEqual(id, _riffs[0].RequestId);
            Assert.AreEqual(1, _riffs[0].Attempts);
            Assert.Greater(_riffs[0].LatencySeconds, 0.0);
            Assert.AreEqual(0, _client.PendingCount);
        }

        [Test]
        public void ALostChunkMeansNoRiffUntilTheSameRequestIsResentAndAnswered()
        {
            Handshake();
            var id = _client.SendRequest(new RiffRequest(0.5) { Seed = 2 });
            var first = _fake.Expect(ProtocolMessages.Request);
            var payload = TestData.RiffPayload();
            _fake.Answer(id, payload, 40, skip: 1);
            var retry = _fake.Expect(ProtocolMessages.Request, 2000);
            Assert.IsNotNull(retry, "the client must re-send after its attempt timeout");
            Assert.AreEqual(id, retry.GetInt(1));
            CollectionAssert.AreEqual(first.GetBlob(2), retry.GetBlob(2), "a retry is the same request, byte for byte");
            _client.Drain(1.0);
            Assert.AreEqual(0, _riffs.Count, "a half riff must never be delivered");
            _fake.Answer(id, payload, 40);
            WaitUntil(() => _riffs.Count == 1, 3, "the riff after the retry");
            Assert.AreEqual(2, _riffs[0].Attempts);
        }

        [Test]
        public void ARequestFailsWithTimeoutAfterItsAttempts()
        {
            Handshake();
            var id = _client.SendRequest(new RiffRequest(0.5));
            for (var attempt = 0; attempt < 3; attempt++) Assert.IsNotNull(_fake.Expect(ProtocolMessages.Request, 2000), "attempt " + attempt);
            WaitUntil(() => _errors.Exists(e => e.RequestId == id), 3, "the timeout");
            Assert.AreEqual(SidecarErrorCode.Timeout, _errors.Find(e => e.RequestId == id).Code);
        }

        [Test]
        public void SidecarErrorsAreDeliveredWithTheirCode()
        {
            Handshake();
            var id = _client.SendRequest(new RiffRequest(0.5));
            _fake.Expect(ProtocolMessages.Request);
            _fake.Send(new OscMessage(ProtocolMessages.Error, TestData.Token, id, "out_of_range", "bars=40: must be an integer 1..16"));
            WaitUntil(() => _errors.Count == 1, 3, "the error");
            Assert.AreEqual("out_of_range", _errors[0].Code);
            StringAssert.Contains("bars=40", _errors[0].Message);
            Assert.AreEqual(0, _client.PendingCount);
        }

        [Test]
        public void AnIncompatibleHelloIsRejectedNamingBothVersions()
        {
            var id = _client.SendRequest(new RiffRequest(0.5));
            _fake.Hello("2.0");
            var reject = _fake.Expect(ProtocolMessages.Reject);
            Assert.IsNotNull(reject);
            StringAssert.Contains("speaks 1.0", reject.GetString(1));
            StringAssert.Contains("speaks 2.0", reject.GetString(1));
            WaitUntil(() => _errors.Count >= 2, 3, "mismatch errors");
            Assert.AreEqual(SidecarErrorCode.VersionMismatch, _errors[0].Code);
            Assert.IsTrue(_errors.Exists(e => e.RequestId == id && e.Code == SidecarErrorCode.VersionMismatch), "pending requests fail too");
            Assert.AreEqual(SidecarState.Incompatible, _client.State);
        }

        [Test]
        public void ANewerMinorVersionIsAcceptedWithAWarning()
        {
            _fake.Hello("1.4");
            Assert.IsNotNull(_fake.Expect(ProtocolMessages.Welcome));
            WaitUntil(() => _connected == 1, 3, "Connected");
            Assert.IsTrue(_warnings.Exists(w => w.Contains("minor version differs")));
        }

        [Test]
        public void WrongTokensAreDroppedAndCountedNeverAnswered()
        {
            var other = new FakeSidecar(_client.LocalPort, "another-token-456");
            try
            {
                other.Hello();
                other.Send(new OscMessage(ProtocolMessages.Ping, "another-token-456", 5));
                Assert.IsNull(other.Expect(ProtocolMessages.Welcome, 300));
                Assert.IsNull(other.Expect(ProtocolMessages.Pong, 100));
                Assert.AreEqual(2, _client.DroppedUnauthenticated);
                Assert.AreEqual(SidecarState.Connecting, _client.State);
            }
            finally { other.Dispose(); }
        }

        [Test]
        public void PingsAreAnsweredAndSentAndSilenceMeansLost()
        {
            Handshake();
            _fake.Send(new OscMessage(ProtocolMessages.Ping, TestData.Token, 77));
            var pong = _fake.Expect(ProtocolMessages.Pong);
            Assert.AreEqual(77, pong.GetInt(1));
            Assert.IsNotNull(_fake.Expect(ProtocolMessages.Ping, 1000), "the client pings a connected sidecar");
            // The fake never answers pings: after the liveness timeout the sidecar counts as lost.
            WaitUntil(() => _errors.Exists(e => e.Code == SidecarErrorCode.SidecarLost), 4, "sidecar_lost");
            Assert.AreEqual(SidecarState.Connecting, _client.State);
            StringAssert.Contains("heartbeat", _errors.Find(e => e.Code == SidecarErrorCode.SidecarLost).Message);
            Assert.AreEqual(1, _errors.Count, "one loss, one event (a client without a supervisor raises it itself)");
        }

        [Test]
        public void NoHelloMeansHandshakeTimeoutNamingTheFix()
        {
            _client.ExpectSidecar(_fake.Port);
            var connect = _fake.Expect(ProtocolMessages.Connect, 3000);
            Assert.IsNotNull(connect, "a client that got no hello asks for it");
            WaitUntil(() => _errors.Exists(e => e.Code == SidecarErrorCode.HandshakeTimeout), 4, "handshake_timeout");
            StringAssert.Contains("--token", _errors[0].Message);
            StringAssert.Contains("RIFFFORGE_TOKEN", _errors[0].Message);
            Assert.AreEqual(1, _errors.Count, "one handshake timeout, one event");
        }

        [Test]
        public void AChunkFromAnotherPortIsNotTrusted()
        {
            Handshake();
            var id = _client.SendRequest(new RiffRequest(0.5));
            _fake.Expect(ProtocolMessages.Request);
            var impostor = new FakeSidecar(_client.LocalPort, TestData.Token);
            try
            {
                impostor.Answer(id, TestData.RiffPayload(), 8000);
                System.Threading.Thread.Sleep(100);
                _client.Drain(1.0);
                Assert.AreEqual(0, _riffs.Count);
                // The socket is connected to the sidecar: the kernel dropped the impostor's chunk before the client
                // saw it (DroppedForeign counts only what got past that filter).
                Assert.AreEqual(0, _client.DroppedForeign + _client.DroppedMalformed + _client.DroppedUnauthenticated);
            }
            finally { impostor.Dispose(); }
        }

        [Test]
        public void DatagramsFromOtherPortsNeverReachAConnectedClient()
        {
            Handshake();
            var stranger = new FakeSidecar(_client.LocalPort, TestData.Token); // has the token, wrong port
            try
            {
                for (var i = 0; i < 200; i++) stranger.Send(new OscMessage(ProtocolMessages.Ping, TestData.Token, i));
                stranger.Hello();
                stranger.SendRaw(new byte[] { 1, 2, 3 });
                _fake.Send(new OscMessage(ProtocolMessages.Ping, TestData.Token, 5));
                Assert.AreEqual(5, _fake.Expect(ProtocolMessages.Pong).GetInt(1), "the sidecar is still answered");
                Assert.IsNull(stranger.Expect(ProtocolMessages.Pong, 300), "a stranger's ping is never answered");
                Assert.AreEqual(0, _client.DroppedForeign + _client.DroppedMalformed + _client.DroppedUnauthenticated,
                    "nothing from the stranger reached the process");
                Assert.AreEqual(_fake.Port, _client.SidecarPort);
                Assert.AreEqual(1, _connected);
            }
            finally { stranger.Dispose(); }
        }

        [Test]
        public void OnceTheReadyPortIsKnownOnlyThatPortCanSayHello()
        {
            var impostor = new FakeSidecar(_client.LocalPort, TestData.Token);
            try
            {
                _client.ExpectSidecar(_fake.Port);
                impostor.Hello();
                Assert.IsNull(impostor.Expect(ProtocolMessages.Welcome, 300));
                Handshake();
                Assert.AreEqual(_fake.Port, _client.SidecarPort);
            }
            finally { impostor.Dispose(); }
        }

        [Test]
        public void ARestartedSidecarOnANewPortIsAskedForItsHelloAndConnects()
        {
            Handshake();
            var id = _client.SendRequest(new RiffRequest(0.5));
            Assert.IsNotNull(_fake.Expect(ProtocolMessages.Request));
            _client.SidecarGone(new SidecarError(0, SidecarErrorCode.SidecarLost, "test: the sidecar exited"));
            var restarted = new FakeSidecar(_client.LocalPort, TestData.Token);
            try
            {
                restarted.Hello(); // sent before the client knows the new port: dropped by the old filter
                _client.ExpectSidecar(restarted.Port);
                Assert.IsNotNull(restarted.Expect(ProtocolMessages.Connect, 3000), "the client asks the new port for hello");
                restarted.Hello();
                Assert.IsNotNull(restarted.Expect(ProtocolMessages.Welcome));
                var resent = restarted.Expect(ProtocolMessages.Request);
                Assert.IsNotNull(resent, "the pending request goes to the restarted sidecar");
                Assert.AreEqual(id, resent.GetInt(1));
                restarted.Answer(id, TestData.RiffPayload(), 8000);
                WaitUntil(() => _riffs.Count == 1, 3, "the riff from the restarted sidecar");
                Assert.AreEqual(restarted.Port, _client.SidecarPort);
                _fake.Send(new OscMessage(ProtocolMessages.Ping, TestData.Token, 9));
                Assert.IsNull(_fake.Expect(ProtocolMessages.Pong, 300), "the old port is no longer heard");
            }
            finally { restarted.Dispose(); }
        }

        [Test]
        public void DrainRespectsItsBudgetAndRunsOnTheCallingThread()
        {
            Handshake();
            for (var i = 0; i < 20; i++) _fake.Send(new OscMessage(ProtocolMessages.Error, TestData.Token, 0, "internal", "e" + i));
            var sw = Stopwatch.StartNew();
            while (_client.QueuedEvents < 20 && sw.Elapsed.TotalSeconds < 3) System.Threading.Thread.Sleep(5);
            Assert.AreEqual(20, _client.QueuedEvents);
            var thread = System.Threading.Thread.CurrentThread.ManagedThreadId;
            var ranOn = -1;
            _client.ErrorReceived += e => ranOn = System.Threading.Thread.CurrentThread.ManagedThreadId;
            Assert.AreEqual(1, _client.Drain(0.0), "a zero budget still runs one event");
            Assert.AreEqual(thread, ranOn);
            Assert.AreEqual(19, _client.Drain(1.0));
        }

        [Test]
        public void DisposeSaysQuitAndCancelsPendingRequests()
        {
            Handshake();
            var id = _client.SendRequest(new RiffRequest(0.5));
            _client.Dispose();
            Assert.IsNotNull(_fake.Expect(ProtocolMessages.Quit));
            _client.Drain(1.0);
            Assert.IsTrue(_errors.Exists(e => e.RequestId == id && e.Code == SidecarErrorCode.Cancelled));
            Assert.AreEqual(SidecarState.Closed, _client.State);
            Assert.Throws<ObjectDisposedException>(() => _client.SendRequest(new RiffRequest(0.5)));
        }

        [Test]
        public void InvalidRequestsThrowBeforeAnythingIsSent()
        {
            Handshake();
            Assert.Throws<ArgumentException>(() => _client.SendRequest(new RiffRequest(2.0)));
            Assert.Throws<ArgumentException>(() => _client.SendRequest(new RiffRequest(0.5) { Style = "polka" }));
            Assert.AreEqual(0, _client.PendingCount);
        }

        [Test]
        public void APortInUseGivesAClearMessage()
        {
            var e = Assert.Throws<SidecarException>(() => new SidecarClient(new SidecarClientOptions { HostPort = _client.LocalPort }));
            Assert.AreEqual(SidecarErrorCode.LaunchFailed, e.Code);
            StringAssert.Contains("127.0.0.1:" + _client.LocalPort + " is in use", e.Message);
            StringAssert.Contains("Fix: set the host port to 0", e.Message);
        }
    }
}
