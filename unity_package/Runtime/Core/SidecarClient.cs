using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading;

namespace RiffForge.Core
{
    /// <summary>
    /// The host end of protocol v1: binds 127.0.0.1, answers the sidecar's hello (version rule, token),
    /// sends requests with ids, re-sends them on timeout, reassembles riff chunks, keeps the heartbeat and
    /// says quit. A receive thread does all socket work and queues events; the host calls <see cref="Drain"/>
    /// on its own thread (Unity: once per frame) and the events run there, within a time budget.
    /// </summary>
    public sealed class SidecarClient : IDisposable
    {
        sealed class PendingRequest
        {
            public int Id;
            public byte[] Datagram;
            public int Attempts;
            public double Created;
            public double AttemptDeadline;
        }

        const int ReceivePollMs = 20;
        const double ConnectAfterSeconds = 1.0;

        readonly SidecarClientOptions _options;
        readonly string _token;
        readonly Socket _socket;
        readonly Thread _thread;
        readonly object _gate = new object();
        readonly Queue<Action> _events = new Queue<Action>();
        readonly AutoResetEvent _eventSignal = new AutoResetEvent(false);
        readonly Dictionary<int, PendingRequest> _pending = new Dictionary<int, PendingRequest>();
        readonly ChunkAssembler _chunks = new ChunkAssembler();
        readonly Stopwatch _clock = Stopwatch.StartNew();

        SidecarState _state = SidecarState.Connecting;
        IPEndPoint _sidecar;
        IPEndPoint _connectedTo;
        int _expectedPort;
        double _connectingSince = -1;
        bool _connectSent;
        bool _handshakeTimeoutReported;
        SidecarCapabilities _capabilities;
        string _sidecarVersion;
        string _sidecarProtocol;
        int _nextRequestId = 1;
        int _pingSeq;
        double _lastHeard;
        double _lastPing;
        volatile bool _closed;
        long _droppedUnauthenticated, _droppedMalformed, _droppedForeign;
        SidecarError _failure;

        /// <summary>Raised (on the draining thread) when a compatible sidecar completed the handshake.</summary>
        public event Action<SidecarCapabilities> Connected;
        /// <summary>Raised when a request was answered with a complete, valid riff.</summary>
        public event Action<RiffAnswer> RiffReceived;
        /// <summary>Raised for a failed request (RequestId &gt; 0) or a session problem (RequestId 0).</summary>
        public event Action<SidecarError> ErrorReceived;
        /// <summary>Raised for things worth a log line (a minor version difference, dropped datagrams).</summary>
        public event Action<string> Warning;

        /// <summary>
        /// Called on the receive thread when a connected sidecar went silent (sidecar_lost) or never said hello
        /// (handshake_timeout). When set, the supervisor raises that error, once, as it ends that sidecar; when
        /// null (no supervisor) the client raises it itself.
        /// </summary>
        internal Action<SidecarError> Unresponsive;

        public SidecarClient(SidecarClientOptions options = null)
        {
            _options = options ?? new SidecarClientOptions();
            _token = _options.Token ?? ProtocolMessages.NewToken();
            if (!ProtocolMessages.IsValidToken(_token))
                throw new ArgumentException("token must be 8..128 characters of A-Z a-z 0-9 _ -; pass null to make a fresh one");
            _socket = Bind(_options.HostPort);
            _thread = new Thread(ReceiveLoop) { IsBackground = true, Name = "RiffForge sidecar client" };
            _thread.Start();
        }

        public string Token { get { return _token; } }
        public int LocalPort { get { return ((IPEndPoint)_socket.LocalEndPoint).Port; } }
        public SidecarState State { get { lock (_gate) return _state; } }
        public SidecarCapabilities Capabilities { get { lock (_gate) return _capabilities; } }
        public string SidecarVersion { get { lock (_gate) return _sidecarVersion; } }
        public string SidecarProtocolVersion { get { lock (_gate) return _sidecarProtocol; } }
        public int PendingCount { get { lock (_gate) return _pending.Count; } }
        /// <summary>The UDP port of the connected sidecar, or 0 while none is connected.</summary>
        public int SidecarPort { get { lock (_gate) return _sidecar != null ? _sidecar.Port : 0; } }
        /// <summary>Well-formed datagrams dropped because their token was not the session token.</summary>
        public long DroppedUnauthenticated { get { return Interlocked.Read(ref _droppedUnauthenticated); } }
        /// <summary>Datagrams dropped because they are not valid messages of this protocol.</summary>
        public long DroppedMalformed { get { return Interlocked.Read(ref _droppedMalformed); } }
        /// <summary>Datagrams dropped because they came from somewhere other than the connected sidecar.</summary>
        public long DroppedForeign { get { return Interlocked.Read(ref _droppedForeign); } }
        /// <summary>Events waiting for <see cref="Drain"/>.</summary>
        public int QueuedEvents { get { lock (_events) return _events.Count; } }

        static Socket Bind(int port)
        {
            if (port < 0 || port > 65535) throw new ArgumentException("host port " + port + " is outside 0..65535; use 0 to pick a free port");
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                {
                    socket.ExclusiveAddressUse = true;
                    // Without this, an ICMP "port unreachable" from a dead sidecar breaks ReceiveFrom on Windows.
                    try { socket.IOControl(-1744830452, new byte[] { 0, 0, 0, 0 }, null); } catch (Exception) { }
                }
                else
                {
                    // Mono turns SO_REUSEADDR on by default, which lets two programs share a UDP port silently.
                    socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, false);
                }
                socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
                socket.ReceiveTimeout = ReceivePollMs;
                socket.ReceiveBufferSize = 1 << 20;
            }
            catch (SocketException e)
            {
                socket.Close();
                if (e.SocketErrorCode == SocketError.AddressAlreadyInUse || e.SocketErrorCode == SocketError.AccessDenied)
                    throw new SidecarException(SidecarErrorCode.LaunchFailed,
                        "UDP port 127.0.0.1:" + port + " is in use by another program, so RiffForge cannot listen for its sidecar there. "
                        + "Fix: set the host port to 0 (RiffForge then picks a free port), or close the program that uses port " + port + ".", e);
                throw new SidecarException(SidecarErrorCode.LaunchFailed,
                    "cannot bind UDP 127.0.0.1:" + port + " (" + e.SocketErrorCode + "): " + e.Message
                    + ". Fix: allow local UDP sockets for this program (firewall, sandbox) or set the host port to 0.", e);
            }
            return socket;
        }

        /// <summary>Seconds on the client's monotonic clock.</summary>
        public double Now { get { return _clock.Elapsed.TotalSeconds; } }

        /// <summary>
        /// Tells the client that a sidecar was started and printed READY with <paramref name="port"/>: the
        /// handshake clock starts, and if no hello arrives within a second the client asks for it (connect).
        /// </summary>
        public void ExpectSidecar(int port)
        {
            lock (_gate)
            {
                if (_state == SidecarState.Closed) return;
                var previous = _connectedTo;
                ConnectTo(new IPEndPoint(IPAddress.Loopback, port));
                _expectedPort = port;
                _connectSent = false;
                _handshakeTimeoutReported = false;
                // The hello may already have been handled (the sidecar sends it right after READY): keep a
                // handshake with this port, and keep Incompatible so a rejected sidecar is not retried.
                if (_state == SidecarState.Connecting || (_state == SidecarState.Ready && (_sidecar == null || _sidecar.Port != port)))
                {
                    _state = SidecarState.Connecting;
                    _connectingSince = Now;
                    // A restarted sidecar's hello may have come while the socket still admitted only the old
                    // port, so the kernel dropped it: ask for it again at once (and once more after a second).
                    if (previous != null && previous.Port != port)
                        Send(OscWriter.Encode(new OscMessage(ProtocolMessages.Connect, _token, _options.HostVersion)), _connectedTo);
                }
            }
        }

        /// <summary>
        /// Connects the UDP socket to the sidecar's port so the kernel discards datagrams from every other port
        /// before this process sees them (a local flood cannot crowd out the sidecar's answers); the token check
        /// stays the second wall. Connecting again moves the filter to a restarted sidecar's port. Platform rules:
        /// Windows: "Any datagrams received from an address other than the destination address specified will be
        /// discarded", and connect may be called again to change it
        /// (https://learn.microsoft.com/en-us/previous-versions/aa916058(v=msdn.10),
        /// https://learn.microsoft.com/en-us/previous-versions/windows/embedded/ee494317(v=winembedded.60));
        /// Linux: a connected datagram socket only receives from its peer (udp(7),
        /// https://manpages.ubuntu.com/manpages/focal/man7/udp.7.html); macOS/BSD: the same, and reconnecting
        /// first dissolves the old association (https://newosxbook.com/code/xnu-3247.1.106/bsd/man/man2/connect.2.auto.html).
        /// A connected socket sends with Send only (BSD refuses sendto with an address: EISCONN). An ICMP port
        /// unreachable from a dead sidecar ends one receive with ConnectionRefused (Linux, macOS) or
        /// ConnectionReset (Windows, unless SIO_UDP_CONNRESET is off, see Bind); the receive loop just polls on.
        /// Caller holds _gate.
        /// </summary>
        void ConnectTo(IPEndPoint sidecar)
        {
            if (_closed || sidecar.Equals(_connectedTo)) return;
            try
            {
                _socket.Connect(sidecar);
                _connectedTo = sidecar;
            }
            catch (SocketException e) { PostWarning("RiffForge client could not connect its socket to port " + sidecar.Port + ": " + e.SocketErrorCode); }
            catch (ObjectDisposedException) { }
        }

        /// <summary>
        /// Forgets the current sidecar (it exited or was killed). Pending requests stay and are sent again
        /// once a new sidecar says hello. <paramref name="report"/> is the one event for this loss (null: none).
        /// </summary>
        public void SidecarGone(SidecarError report)
        {
            lock (_gate)
            {
                if (_state == SidecarState.Closed) return;
                _sidecar = null;
                _expectedPort = 0;
                _chunks.Clear();
                if (_state != SidecarState.Incompatible && _state != SidecarState.Failed) _state = SidecarState.Connecting;
                _connectingSince = -1;
                foreach (var p in _pending.Values) p.AttemptDeadline = double.MaxValue;
            }
            if (report != null) Post(report);
        }

        /// <summary>
        /// The supervisor gave up (<see cref="SidecarState.Failed"/>): raises <paramref name="error"/> once and
        /// fails every pending request with the same code and message; later requests fail at once.
        /// </summary>
        internal void Fail(SidecarError error)
        {
            List<int> failed;
            lock (_gate)
            {
                if (_state == SidecarState.Closed) return;
                _state = SidecarState.Failed;
                _failure = error;
                _sidecar = null;
                _expectedPort = 0;
                _connectingSince = -1;
                _chunks.Clear();
                failed = new List<int>(_pending.Keys);
                _pending.Clear();
            }
            Post(error);
            foreach (var id in failed) Post(new SidecarError(id, error.Code, error.Message));
        }

        /// <summary>
        /// Queues a riff request and returns its id. It is sent at once when connected, otherwise right after
        /// the handshake. The answer arrives as <see cref="RiffReceived"/> or <see cref="ErrorReceived"/>.
        /// Throws <see cref="ArgumentException"/> for an invalid request (the message names field and fix).
        /// </summary>
        public int SendRequest(RiffRequest request)
        {
            if (request == null) throw new ArgumentNullException("request");
            lock (_gate)
            {
                if (_state == SidecarState.Closed) throw new ObjectDisposedException("SidecarClient");
                request.Validate(_capabilities);
                var id = _nextRequestId;
                _nextRequestId = _nextRequestId == int.MaxValue ? 1 : _nextRequestId + 1;
                var datagram = OscWriter.Encode(new OscMessage(ProtocolMessages.Request, _token, id, request.ToPayload()));
                var p = new PendingRequest { Id = id, Datagram = datagram, Created = Now, AttemptDeadline = double.MaxValue };
                if (_state == SidecarState.Failed)
                {
                    Post(new SidecarError(id, _failure.Code, _failure.Message));
                    return id;
                }
                _pending[id] = p;
                if (_state == SidecarState.Ready) SendAttempt(p);
                return id;
            }
        }

        /// <summary>Stops waiting for a request's answer (a late answer is ignored). False when unknown.</summary>
        public bool Cancel(int requestId)
        {
            lock (_gate)
            {
                _chunks.Forget(requestId);
                return _pending.Remove(requestId);
            }
        }

        /// <summary>
        /// Runs queued events on the calling thread until none is left or <paramref name="budgetSeconds"/>
        /// have passed (at least one event runs). Returns how many ran.
        /// </summary>
        public int Drain(double budgetSeconds)
        {
            var start = _clock.Elapsed.TotalSeconds;
            var count = 0;
            while (true)
            {
                Action next;
                lock (_events)
                {
                    if (_events.Count == 0) break;
                    next = _events.Dequeue();
                }
                next();
                count++;
                if (_clock.Elapsed.TotalSeconds - start >= budgetSeconds) break;
            }
            return count;
        }

        /// <summary>Blocks until an event is queued or the timeout passes (for hosts without a frame loop).</summary>
        public bool WaitForEvents(int timeoutMs)
        {
            lock (_events) if (_events.Count > 0) return true;
            _eventSignal.WaitOne(timeoutMs);
            lock (_events) return _events.Count > 0;
        }

        /// <summary>
        /// Waits for the answer to <paramref name="requestId"/>, draining (and so dispatching) every event
        /// meanwhile. For tools, tests and hosts without a frame loop; a game uses the events instead.
        /// Throws <see cref="SidecarException"/> with the error code when the request fails or time runs out.
        /// </summary>
        public RiffAnswer WaitForRiff(int requestId, double timeoutSeconds)
        {
            RiffAnswer answer = null;
            SidecarError error = null;
            Action<RiffAnswer> onRiff = a => { if (a.RequestId == requestId) answer = a; };
            Action<SidecarError> onError = e => { if (e.RequestId == requestId) error = e; };
            RiffReceived += onRiff;
            ErrorReceived += onError;
            try
            {
                var deadline = Now + timeoutSeconds;
                while (answer == null && error == null)
                {
                    var left = deadline - Now;
                    if (left <= 0)
                        throw new SidecarException(SidecarErrorCode.Timeout, "no answer to request " + requestId + " within " + timeoutSeconds + " s");
                    WaitForEvents((int)Math.Ceiling(Math.Min(left, 0.1) * 1000));
                    Drain(double.MaxValue);
                }
                if (error != null) throw new SidecarException(error.Code, error.Message);
                return answer;
            }
            finally
            {
                RiffReceived -= onRiff;
                ErrorReceived -= onError;
            }
        }

        /// <summary>Asks the connected sidecar to exit (no answer; it exits within 2 s).</summary>
        public void Quit()
        {
            lock (_gate)
            {
                if (_sidecar != null) Send(OscWriter.Encode(new OscMessage(ProtocolMessages.Quit, _token)), _sidecar);
                else if (_expectedPort > 0) Send(OscWriter.Encode(new OscMessage(ProtocolMessages.Quit, _token)), new IPEndPoint(IPAddress.Loopback, _expectedPort));
            }
        }

        /// <summary>
        /// Says quit, closes the socket and lets the receive thread stop by itself (Dispose returns at once).
        /// Pending requests are cancelled.
        /// </summary>
        public void Dispose()
        {
            if (_closed) return;
            Quit();
            List<int> cancelled;
            lock (_gate)
            {
                _closed = true;
                _state = SidecarState.Closed;
                cancelled = new List<int>(_pending.Keys);
                _pending.Clear();
            }
            try { _socket.Close(); } catch (Exception) { }
            // The receive thread is not joined: closing the socket ends its wait (at the latest after one receive
            // poll) and it stops by itself on seeing _closed, so Dispose never blocks the caller (Unity's main thread).
            foreach (var id in cancelled) Post(new SidecarError(id, SidecarErrorCode.Cancelled, "the client was disposed before request " + id + " was answered"));
        }

        // ---- receive thread ------------------------------------------------------------------------

        void ReceiveLoop()
        {
            var buffer = new byte[65536];
            while (!_closed)
            {
                EndPoint from = new IPEndPoint(IPAddress.Loopback, 0);
                var n = -1;
                try { n = _socket.ReceiveFrom(buffer, ref from); }
                catch (SocketException) { n = -1; } // timeout (poll), or an ICMP port unreachable from a dead sidecar
                catch (ObjectDisposedException) { break; }
                if (_closed) break;
                try
                {
                    if (n >= 0) HandleDatagram(buffer, n, (IPEndPoint)from);
                    Tick();
                }
                catch (Exception e)
                {
                    // A bug here must not kill the receive thread: report it and keep serving.
                    PostWarning("RiffForge client: unexpected " + e.GetType().Name + ": " + e.Message);
                }
            }
        }

        void HandleDatagram(byte[] buffer, int count, IPEndPoint from)
        {
            if (!from.Address.Equals(IPAddress.Loopback)) { Interlocked.Increment(ref _droppedForeign); return; }
            OscMessage m;
            try { m = ProtocolMessages.Decode(buffer, 0, count); }
            catch (OscFormatException e)
            {
                if (Interlocked.Increment(ref _droppedMalformed) % 100 == 1)
                    PostWarning("RiffForge client dropped a malformed datagram from port " + from.Port + ": " + e.Message + " (" + DroppedMalformed + " so far)");
                return;
            }
            if (m.GetString(0) != _token) { Interlocked.Increment(ref _droppedUnauthenticated); return; }
            switch (m.Address)
            {
                case ProtocolMessages.Hello: OnHello(m, from); break;
                case ProtocolMessages.RiffChunk: OnChunk(m, from); break;
                case ProtocolMessages.Error: OnError(m, from); break;
                case ProtocolMessages.Ping:
                    lock (_gate)
                    {
                        if (IsSidecar(from)) _lastHeard = Now;
                        Send(OscWriter.Encode(new OscMessage(ProtocolMessages.Pong, _token, m.GetInt(1))), from);
                    }
                    break;
                case ProtocolMessages.Pong:
                    lock (_gate) { if (IsSidecar(from)) _lastHeard = Now; }
                    break;
                default:
                    Interlocked.Increment(ref _droppedMalformed); // host-bound addresses only
                    break;
            }
        }

        bool IsSidecar(IPEndPoint from) { return _sidecar != null && _sidecar.Equals(from); }

        void OnHello(OscMessage m, IPEndPoint from)
        {
            var protocol = m.GetString(1);
            var version = m.GetString(2);
            string message;
            var outcome = ProtocolVersion.Check(_options.ProtocolVersion, protocol, out message);
            SidecarCapabilities caps = null;
            string capsProblem = null;
            if (ProtocolVersion.IsUsable(outcome))
            {
                try { caps = SidecarCapabilities.Decode(m.GetBlob(3)); }
                catch (MsgPackFormatException e) { capsProblem = e.Message; }
                catch (RiffFormatException e) { capsProblem = e.Message; }
            }
            List<int> failed = null;
            lock (_gate)
            {
                if (_state == SidecarState.Closed || _state == SidecarState.Failed) return;
                // Once the supervisor named the sidecar's port (READY line), only that port may say hello.
                if (_expectedPort > 0 && from.Port != _expectedPort) { Interlocked.Increment(ref _droppedForeign); return; }
                _sidecarProtocol = protocol;
                _sidecarVersion = version;
                if (!ProtocolVersion.IsUsable(outcome) || capsProblem != null)
                {
                    var reason = capsProblem != null ? "hello capabilities are invalid: " + capsProblem : message;
                    Send(OscWriter.Encode(new OscMessage(ProtocolMessages.Reject, _token, reason)), from);
                    _state = SidecarState.Incompatible;
                    _sidecar = null;
                    failed = new List<int>(_pending.Keys);
                    _pending.Clear();
                    _chunks.Clear();
                    message = reason;
                }
                else
                {
                    ConnectTo(from);
                    Send(OscWriter.Encode(new OscMessage(ProtocolMessages.Welcome, _token, _options.ProtocolVersion, _options.HostVersion)), from);
                    _sidecar = from;
                    _expectedPort = from.Port;
                    _capabilities = caps;
                    _state = SidecarState.Ready;
                    _lastHeard = Now;
                    _lastPing = Now;
                    foreach (var p in _pending.Values) SendAttempt(p);
                }
            }
            if (failed != null)
            {
                var code = capsProblem != null ? SidecarErrorCode.BadPayload : SidecarErrorCode.VersionMismatch;
                Post(new SidecarError(0, code, message));
                foreach (var id in failed) Post(new SidecarError(id, code, message));
                return;
            }
            if (outcome == ProtocolVersion.Outcome.Warning) PostWarning(message);
            Post(() => { var h = Connected; if (h != null) h(caps); });
        }

        void OnChunk(OscMessage m, IPEndPoint from)
        {
            var id = m.GetInt(1);
            byte[] payload;
            PendingRequest p;
            lock (_gate)
            {
                if (!IsSidecar(from)) { Interlocked.Increment(ref _droppedForeign); return; }
                _lastHeard = Now;
                if (!_pending.TryGetValue(id, out p)) return; // late, cancelled or unknown: ignored
                string problem;
                var result = _chunks.Add(id, m.GetInt(2), m.GetInt(3), m.GetBlob(4), out payload, out problem);
                if (result == ChunkAssembler.Result.Rejected)
                {
                    Interlocked.Increment(ref _droppedMalformed);
                    PostWarning("RiffForge client dropped a riff chunk: " + problem);
                    return;
                }
                if (result != ChunkAssembler.Result.Complete) return;
                _pending.Remove(id);
            }
            var latency = Now - p.Created;
            Riff riff;
            try { riff = RiffPayload.Decode(payload); }
            catch (Exception e)
            {
                if (!(e is MsgPackFormatException) && !(e is RiffFormatException) && !(e is ArgumentException)) throw;
                Post(new SidecarError(id, SidecarErrorCode.BadPayload, "the riff answering request " + id + " is invalid: " + e.Message));
                return;
            }
            var answer = new RiffAnswer(id, riff, latency, p.Attempts);
            Post(() => { var h = RiffReceived; if (h != null) h(answer); });
        }

        void OnError(OscMessage m, IPEndPoint from)
        {
            var id = m.GetInt(1);
            var code = m.GetString(2);
            var text = m.GetString(3);
            List<int> failed = null;
            lock (_gate)
            {
                if (!IsSidecar(from) && !(id == 0 && _sidecar == null)) { Interlocked.Increment(ref _droppedForeign); return; }
                _lastHeard = Now;
                if (code == SidecarErrorCode.HandshakeRequired && _sidecar != null)
                {
                    // The sidecar lost our welcome (or restarted on the same port): ask for hello again, keep the request.
                    _state = SidecarState.Connecting;
                    _connectingSince = Now;
                    Send(OscWriter.Encode(new OscMessage(ProtocolMessages.Connect, _token, _options.HostVersion)), from);
                    return;
                }
                if (id == 0)
                {
                    if (code == SidecarErrorCode.VersionMismatch)
                    {
                        _state = SidecarState.Incompatible;
                        failed = new List<int>(_pending.Keys);
                        _pending.Clear();
                        _chunks.Clear();
                    }
                }
                else
                {
                    if (!_pending.Remove(id)) return; // an error for a request we no longer wait for
                    _chunks.Forget(id);
                }
            }
            Post(new SidecarError(id, code, text));
            if (failed != null) foreach (var f in failed) Post(new SidecarError(f, code, text));
        }

        void Tick()
        {
            var now = Now;
            string unresponsive = null, unresponsiveCode = null;
            List<int> timedOut = null;
            lock (_gate)
            {
                if (_state == SidecarState.Closed) return;
                if (_state == SidecarState.Ready)
                {
                    var interval = _options.PingIntervalSeconds;
                    if (_capabilities != null && _capabilities.HeartbeatTimeoutMs > 0)
                        interval = Math.Min(interval, _capabilities.HeartbeatTimeoutMs / 3000.0);
                    if (now - _lastPing >= interval)
                    {
                        _lastPing = now;
                        _pingSeq = _pingSeq == int.MaxValue ? 0 : _pingSeq + 1;
                        Send(OscWriter.Encode(new OscMessage(ProtocolMessages.Ping, _token, _pingSeq)), _sidecar);
                    }
                    if (now - _lastHeard > _options.LivenessTimeoutSeconds)
                    {
                        unresponsive = "the sidecar on port " + _sidecar.Port + " sent nothing for "
                            + (now - _lastHeard).ToString("0.0") + " s (heartbeat lost)";
                        unresponsiveCode = SidecarErrorCode.SidecarLost;
                        _state = SidecarState.Connecting;
                        _sidecar = null;
                        _connectingSince = -1;
                        _chunks.Clear();
                        foreach (var p in _pending.Values) p.AttemptDeadline = double.MaxValue;
                    }
                }
                else if (_state == SidecarState.Connecting && _connectingSince >= 0)
                {
                    if (!_connectSent && _expectedPort > 0 && now - _connectingSince > ConnectAfterSeconds)
                    {
                        _connectSent = true; // hello may have been lost: ask for it once
                        Send(OscWriter.Encode(new OscMessage(ProtocolMessages.Connect, _token, _options.HostVersion)), new IPEndPoint(IPAddress.Loopback, _expectedPort));
                    }
                    if (!_handshakeTimeoutReported && now - _connectingSince > _options.HandshakeTimeoutSeconds)
                    {
                        _handshakeTimeoutReported = true;
                        unresponsive = "no hello with this session's token arrived within " + _options.HandshakeTimeoutSeconds
                            + " s from the sidecar on port " + _expectedPort + " (" + DroppedUnauthenticated
                            + " datagrams with a wrong token were dropped). Fix: start the sidecar with this client's token (in the environment variable RIFFFORGE_TOKEN, or --token) and --host-port "
                            + LocalPort + ", and make sure nothing else answers on that port";
                        unresponsiveCode = SidecarErrorCode.HandshakeTimeout;
                    }
                }
                foreach (var p in _pending.Values)
                {
                    var expired = now - p.Created > _options.RequestDeadlineSeconds;
                    if (!expired && now > p.AttemptDeadline)
                    {
                        if (p.Attempts >= _options.MaxAttempts) expired = true;
                        else SendAttempt(p);
                    }
                    if (expired)
                    {
                        if (timedOut == null) timedOut = new List<int>();
                        timedOut.Add(p.Id);
                    }
                }
                if (timedOut != null)
                    foreach (var id in timedOut) { _pending.Remove(id); _chunks.Forget(id); }
            }
            if (timedOut != null)
                foreach (var id in timedOut)
                    Post(new SidecarError(id, SidecarErrorCode.Timeout, "request " + id + " got no complete answer after "
                        + _options.MaxAttempts + " attempts / " + _options.RequestDeadlineSeconds + " s; is the sidecar running and generating?"));
            if (unresponsive != null && !_closed)
            {
                // One event per problem: a supervisor raises it when it ends that sidecar, otherwise the client does.
                var error = new SidecarError(0, unresponsiveCode, unresponsive);
                var callback = Unresponsive;
                if (callback != null) callback(error);
                else Post(error);
            }
        }

        void SendAttempt(PendingRequest p)
        {
            p.Attempts++;
            p.AttemptDeadline = Now + _options.AttemptTimeoutSeconds;
            Send(p.Datagram, _sidecar);
        }

        void Send(byte[] datagram, IPEndPoint to)
        {
            if (to == null || _closed) return;
            var connectedTo = _connectedTo;
            if (connectedTo != null && !connectedTo.Equals(to)) return; // only the connected sidecar can hear us
            try
            {
                if (connectedTo != null) _socket.Send(datagram);
                else _socket.SendTo(datagram, to);
            }
            catch (SocketException e) { PostWarning("RiffForge client could not send to port " + to.Port + ": " + e.SocketErrorCode); }
            catch (ObjectDisposedException) { }
        }

        /// <summary>Queues an error for the host (used by the supervisor for launch problems).</summary>
        internal void ReportError(SidecarError error) { Post(error); }

        /// <summary>Queues a callback that runs on the draining thread.</summary>
        internal void PostCallback(Action action) { Post(action); }

        void Post(SidecarError error)
        {
            Post(() => { var h = ErrorReceived; if (h != null) h(error); });
        }

        void PostWarning(string text)
        {
            Post(() => { var h = Warning; if (h != null) h(text); });
        }

        void Post(Action action)
        {
            lock (_events) _events.Enqueue(action);
            _eventSignal.Set();
        }
    }
}
