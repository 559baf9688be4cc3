using System;
using System.Collections.Generic;
using RiffForge.Core;

namespace RiffForge
{
    /// <summary>
    /// One sidecar with everything around it, free of Unity: the core's supervisor and client, fallback to
    /// <see cref="BakedRiffs"/> (<see cref="FallbackSwitch"/>), and the latency of recent requests. The
    /// RiffForgeSidecar component and the Editor monitor both run one. Call <see cref="Update"/> regularly on
    /// one thread (Unity: every frame); every event is raised there.
    /// </summary>
    public sealed class SidecarSession : IDisposable
    {
        readonly SidecarCommand _command;
        readonly SidecarSupervisorOptions _options;
        readonly FallbackSwitch _fallback;
        readonly LatencyLog _latencies = new LatencyLog();
        readonly Dictionary<int, RiffRequest> _outstanding = new Dictionary<int, RiffRequest>();
        readonly Queue<KeyValuePair<int, RiffRequest>> _fallbackQueue = new Queue<KeyValuePair<int, RiffRequest>>();
        readonly string _unavailable;
        SidecarSupervisor _supervisor;
        SidecarState _lastState = SidecarState.Connecting;
        int _nextFallbackId = -1;
        bool _started, _disposed, _bakedOnly;
        double _now;
        Riff _lastRiff;
        string _lastError;

        /// <summary>A riff answers request <c>id</c>; <c>fromFallback</c> when it is a baked one.</summary>
        public event Action<int, Riff, bool> RiffReady;
        /// <summary>A request failed for good (its code says why; fallback did not cover it).</summary>
        public event Action<SidecarError> RequestFailed;
        /// <summary>A line worth a normal log entry (restarts, state changes).</summary>
        public event Action<string> Log;
        /// <summary>A line worth a warning (the one fallback announcement, session errors, dropped datagrams).</summary>
        public event Action<string> Warning;

        /// <param name="command">How to start the sidecar, or null when none can start.</param>
        /// <param name="unavailableReason">Why <paramref name="command"/> is null (shown in the fallback announcement).</param>
        /// <param name="options">Supervisor (and client) settings; null for the defaults.</param>
        /// <param name="now">The session's clock now (Unity: Time.realtimeSinceStartupAsDouble).</param>
        public SidecarSession(SidecarCommand command, string unavailableReason, SidecarSupervisorOptions options, double now)
        {
            _command = command;
            _unavailable = command == null ? (unavailableReason ?? "no sidecar command") : null;
            _options = options ?? new SidecarSupervisorOptions();
            _fallback = new FallbackSwitch(now);
            _now = now;
        }

        /// <summary>
        /// A session for a build target that cannot start the sidecar (<see cref="SidecarPlatform"/>): every
        /// request is answered with a baked riff, and <see cref="Start"/> raises <paramref name="announcement"/>
        /// once as a <see cref="Warning"/>, word for word.
        /// </summary>
        public static SidecarSession BakedOnly(string announcement, double now)
        {
            return new SidecarSession(null, announcement, null, now) { _bakedOnly = true };
        }

        public FallbackSwitch Fallback { get { return _fallback; } }
        public LatencyLog Latencies { get { return _latencies; } }
        /// <summary>The supervisor, null when no sidecar runs (fallback only) or before <see cref="Start"/>.</summary>
        public SidecarSupervisor Supervisor { get { return _supervisor; } }
        public SidecarClient Client { get { return _supervisor == null ? null : _supervisor.Client; } }
        /// <summary>The command line that starts the sidecar, or null.</summary>
        public string CommandLine { get { return _command == null ? null : _command.ToString(); } }
        public Riff LastRiff { get { return _lastRiff; } }
        public string LastError { get { return _lastError; } }
        public bool UsingFallback { get { return _fallback.Active; } }
        public bool IsReady { get { var c = Client; return c != null && c.State == SidecarState.Ready; } }

        /// <summary>One line for the Editor monitor: state, versions, pid, restarts or the fallback reason.</summary>
        public string Status
        {
            get
            {
                if (_disposed) return "stopped";
                if (!_started) return "not started";
                var c = Client;
                if (c == null) return "fallback riffs: " + _fallback.Reason;
                var s = c.State == SidecarState.Ready
                    ? "ready: sidecar " + c.SidecarVersion + ", protocol " + c.SidecarProtocolVersion + ", pid " + _supervisor.SidecarPid
                    : c.State == SidecarState.Connecting ? "starting or restarting the sidecar" : c.State == SidecarState.Incompatible
                    ? "incompatible sidecar (protocol " + c.SidecarProtocolVersion + ", package speaks " + ProtocolVersion.Current + ")"
                    : c.State == SidecarState.Failed ? "failed, not restarting: " + _supervisor.FailureReason : "closed";
                if (_supervisor.Restarts > 0) s += ", " + _supervisor.Restarts + " restart(s)";
                if (_fallback.Active) s += "; fallback riffs: " + _fallback.Reason;
                return s;
            }
        }

        /// <summary>Starts the sidecar (or, without a command, switches to fallback riffs at once).</summary>
        public void Start()
        {
            if (_disposed) throw new ObjectDisposedException("SidecarSession");
            if (_started) return;
            _started = true;
            if (_command == null)
            {
                if (!_bakedOnly) Unavailable(_unavailable);
                else if (_fallback.Unsupported(_unavailable)) OnFallbackStarted();
                return;
            }
            try
            {
                _supervisor = new SidecarSupervisor(_command, _options);
                var client = _supervisor.Client;
                client.RiffReceived += OnRiff;
                client.ErrorReceived += OnError;
                client.Warning += w => Say(Warning, w);
                client.Connected += caps => Say(Log, "RiffForge sidecar connected: " + client.SidecarVersion + " (protocol " + client.SidecarProtocolVersion + ")");
                _supervisor.Log += line => Say(Log, "RiffForge: " + line);
                _supervisor.Start();
            }
            catch (Exception e)
            {
                // Any launch failure (not only a missing program: a runtime without Process.Start throws
                // PlatformNotSupportedException and others) switches to the baked riffs now, with the real cause.
                if (_supervisor != null) { _supervisor.Dispose(); _supervisor = null; }
                Unavailable(e is SidecarException ? e.Message : "cannot start the sidecar: " + e.GetType().Name + ": " + e.Message);
            }
        }

        /// <summary>
        /// Sends a request (validated: an invalid one throws ArgumentException naming the field). The answer
        /// comes as <see cref="RiffReady"/> or <see cref="RequestFailed"/> from a later <see cref="Update"/>.
        /// Ids are positive for the sidecar and negative for fallback answers.
        /// </summary>
        public int Send(RiffRequest request)
        {
            if (request == null) throw new ArgumentNullException("request");
            if (_disposed) throw new ObjectDisposedException("SidecarSession");
            var client = Client;
            var state = client == null ? SidecarState.Closed : client.State;
            if (_fallback.Active || state == SidecarState.Incompatible || state == SidecarState.Closed || state == SidecarState.Failed)
            {
                request.Validate();
                return QueueFallback(request.Clone());
            }
            var copy = request.Clone();
            var id = client.SendRequest(copy);
            _outstanding[id] = copy;
            return id;
        }

        /// <summary>
        /// True while a sidecar is starting for the first time: not ready yet, never was, and fallback is not on.
        /// </summary>
        public bool IsStarting
        {
            get
            {
                var c = Client;
                return _started && !_disposed && c != null && !_fallback.Active && !_fallback.EverReady && c.State == SidecarState.Connecting;
            }
        }

        /// <summary>
        /// Like <see cref="Send"/>, but while the sidecar is still starting (<see cref="IsStarting"/>) the request
        /// is answered at once by a baked riff (negative id, raised by the next <see cref="Update"/>), so the first
        /// sound never waits for the sidecar. The caller replaces it with a generated riff once
        /// <see cref="IsReady"/> (ContinuousPlanner does so at a bar line).
        /// </summary>
        public int SendOrStandIn(RiffRequest request)
        {
            if (request == null) throw new ArgumentNullException("request");
            if (_disposed) throw new ObjectDisposedException("SidecarSession");
            if (!IsStarting) return Send(request);
            request.Validate();
            return QueueFallback(request.Clone());
        }

        /// <summary>Stops waiting for a request (its answer will not be raised).</summary>
        public bool Cancel(int requestId)
        {
            if (requestId < 0)
            {
                var kept = new Queue<KeyValuePair<int, RiffRequest>>();
                var found = false;
                foreach (var kv in _fallbackQueue) { if (kv.Key == requestId) found = true; else kept.Enqueue(kv); }
                _fallbackQueue.Clear();
                foreach (var kv in kept) _fallbackQueue.Enqueue(kv);
                return found;
            }
            _outstanding.Remove(requestId);
            var c = Client;
            return c != null && c.Cancel(requestId);
        }

        /// <summary>
        /// Runs the queued client events (within <paramref name="budgetSeconds"/>), follows the sidecar's state,
        /// switches fallback on or off, and answers fallback requests. Call it every frame.
        /// </summary>
        public void Update(double now, double budgetSeconds)
        {
            _now = now;
            if (_disposed || !_started) return;
            var client = Client;
            if (client != null)
            {
                client.Drain(budgetSeconds);
                var state = client.State;
                if (state != _lastState)
                {
                    if (state == SidecarState.Ready)
                    {
                        if (_fallback.Active) Say(Log, "RiffForge: the sidecar is ready; generated riffs replace the fallback riffs");
                        _fallback.SidecarReady();
                    }
                    else if (state == SidecarState.Connecting) _fallback.SidecarNotReady(now);
                    // Failed needs nothing here: the supervisor's one error for it (launch_failed or
                    // handshake_timeout) switches to the fallback riffs, and Send routes to them.
                    _lastState = state;
                }
                if (_fallback.Tick(now)) OnFallbackStarted();
            }
            while (_fallbackQueue.Count > 0)
            {
                var kv = _fallbackQueue.Dequeue();
                var riff = BakedRiffs.Pick(kv.Value);
                _lastRiff = riff;
                Raise(kv.Key, riff, true);
            }
        }

        /// <summary>
        /// Stops the sidecar without blocking: quit is sent and the wait, kill and reap run on a background
        /// thread (see <see cref="SidecarSupervisor.Dispose"/>); this returns in well under a frame.
        /// </summary>
        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            _fallbackQueue.Clear();
            _outstanding.Clear();
            if (_supervisor != null) _supervisor.Dispose();
        }

        void OnRiff(RiffAnswer answer)
        {
            RiffRequest request;
            if (!_outstanding.TryGetValue(answer.RequestId, out request)) return;
            _outstanding.Remove(answer.RequestId);
            _latencies.Add(answer.LatencySeconds);
            _lastRiff = answer.Riff;
            Raise(answer.RequestId, answer.Riff, false);
        }

        void OnError(SidecarError error)
        {
            _lastError = error.ToString();
            var switched = _fallback.Error(error, _now);
            RiffRequest request = null;
            var mine = error.RequestId != 0 && _outstanding.TryGetValue(error.RequestId, out request);
            if (mine) _outstanding.Remove(error.RequestId);
            if (switched) OnFallbackStarted();
            if (mine && _fallback.Active && error.Code != SidecarErrorCode.Cancelled)
            {
                _fallbackQueue.Enqueue(new KeyValuePair<int, RiffRequest>(error.RequestId, request));
                return;
            }
            if (error.RequestId == 0)
            {
                if (!switched && error.Code != SidecarErrorCode.SidecarLost) Say(Warning, "RiffForge sidecar: " + error);
                else if (error.Code == SidecarErrorCode.SidecarLost) Say(Log, "RiffForge: " + error.Message);
                return;
            }
            if (mine)
            {
                var h = RequestFailed;
                if (h != null) h(error);
            }
        }

        void Unavailable(string reason)
        {
            if (_fallback.Unavailable(reason)) OnFallbackStarted();
        }

        /// <summary>Fallback just started: announce it once and answer every outstanding request from it.</summary>
        void OnFallbackStarted()
        {
            var announcement = _fallback.TakeAnnouncement();
            if (announcement != null) Say(Warning, announcement);
            var client = Client;
            foreach (var kv in _outstanding)
            {
                if (client != null) client.Cancel(kv.Key);
                _fallbackQueue.Enqueue(kv);
            }
            _outstanding.Clear();
        }

        int QueueFallback(RiffRequest request)
        {
            var id = _nextFallbackId;
            _nextFallbackId = _nextFallbackId == int.MinValue ? -1 : _nextFallbackId - 1;
            _fallbackQueue.Enqueue(new KeyValuePair<int, RiffRequest>(id, request));
            return id;
        }

        void Raise(int id, Riff riff, bool fromFallback)
        {
            var h = RiffReady;
            if (h != null) h(id, riff, fromFallback);
        }

        static void Say(Action<string> handler, string line)
        {
            if (handler != null) handler(line);
        }
    }
}
