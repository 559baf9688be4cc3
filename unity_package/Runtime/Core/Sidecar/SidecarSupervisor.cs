using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;

namespace RiffForge.Core
{
    /// <summary>
    /// Starts the sidecar for a <see cref="SidecarClient"/> and keeps it alive: binds the client first, starts
    /// <c>sidecar --host-port P --token T --parent-pid PID</c>, waits for the READY line, notices a crash by
    /// the end of its stdout (or a lost heartbeat), restarts it with back-off, reaps a leftover sidecar of
    /// a crashed earlier run (pid file) and kills its sidecar on <see cref="Dispose"/>.
    /// Use <see cref="Client"/> for requests; its events also carry the supervisor's reports.
    /// </summary>
    public sealed class SidecarSupervisor : IDisposable
    {
        readonly SidecarCommand _command;
        readonly SidecarSupervisorOptions _options;
        readonly SidecarClient _client;
        readonly string _pidFile;
        readonly AutoResetEvent _wake = new AutoResetEvent(false);
        readonly object _gate = new object();
        Thread _watch;
        readonly ManualResetEvent _stopped = new ManualResetEvent(false);
        SidecarProcess _process;
        volatile string _unresponsive;
        volatile bool _disposed;
        int _restarts;
        int _consecutive;

        /// <summary>Raised on the draining thread with a line for the log (restarts, reaped leftovers).</summary>
        public event Action<string> Log;

        public SidecarSupervisor(SidecarCommand command, SidecarSupervisorOptions options = null)
        {
            if (command == null) throw new ArgumentNullException("command");
            _command = command;
            _options = options ?? new SidecarSupervisorOptions();
            _pidFile = _options.PidFilePath ?? DefaultPidFile();
            _client = new SidecarClient(_options.Client);
            _client.Unresponsive = reason => { _unresponsive = reason; _wake.Set(); };
        }

        public SidecarClient Client { get { return _client; } }

        /// <summary>How many times the sidecar was restarted after a crash or a lost heartbeat.</summary>
        public int Restarts { get { return Volatile.Read(ref _restarts); } }

        /// <summary>The running sidecar's process id (from its READY line), or 0.</summary>
        public int SidecarPid
        {
            get { lock (_gate) return _process != null && _process.Ready != null ? _process.Ready.Pid : 0; }
        }

        /// <summary>The pid file this supervisor uses.</summary>
        public string PidFilePath { get { return _pidFile; } }

        /// <summary>
        /// Reaps a leftover sidecar, then starts the sidecar process. Every problem found before the process runs
        /// (missing program, missing executable bit, a runtime that cannot start processes) throws
        /// <see cref="SidecarException"/> with code launch_failed naming the path, the cause and the fix; the wait
        /// for READY and the handshake go on in the background (see the client's events).
        /// </summary>
        public void Start()
        {
            if (_disposed) throw new ObjectDisposedException("SidecarSupervisor");
            if (_watch != null) throw new InvalidOperationException("the supervisor was already started");
            try
            {
                var reaped = PidFile.Reap(_pidFile);
                if (reaped != null) PostLog(reaped);
            }
            catch (Exception e) { PostLog("could not check the pid file " + SidecarLocator.Quote(_pidFile) + ": " + e.GetType().Name + ": " + e.Message); }
            var process = Launch();
            _watch = new Thread(() => Watch(process)) { IsBackground = true, Name = "RiffForge sidecar supervisor" };
            _watch.Start();
        }

        /// <summary>
        /// Returns at once (it never waits for the sidecar): says quit and closes the client, then, on a
        /// background thread, gives the sidecar <see cref="SidecarSupervisorOptions.QuitGraceSeconds"/> to exit,
        /// kills it if it did not (only the process this supervisor started), reaps it and deletes the pid file.
        /// <see cref="Stopped"/> is set when that is done. If the host exits first, the sidecar still goes: its
        /// parent-pid watchdog and heartbeat timeout end it, and the next run reaps it from the pid file.
        /// </summary>
        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            _wake.Set();
            _client.Quit();
            SidecarProcess process;
            lock (_gate) process = _process;
            _client.Dispose();
            var pidFile = _pidFile;
            var token = _client.Token;
            var watch = _watch;
            Action after = () =>
            {
                if (watch != null && Thread.CurrentThread != watch) watch.Join(3000);
                PidFile.DeleteIfToken(pidFile, token);
            };
            if (process != null) process.StopInBackground(_options.QuitGraceSeconds, after, _stopped);
            else ThreadPool.QueueUserWorkItem(_ => { try { after(); } catch (Exception) { } finally { _stopped.Set(); } });
        }

        /// <summary>
        /// Set once the sidecar started by this supervisor is gone after <see cref="Dispose"/> (exited or killed,
        /// reaped, pid file deleted).
        /// </summary>
        public WaitHandle Stopped { get { return _stopped; } }

        SidecarProcess Launch()
        {
            if (_command.IsFrozen && _options.RestoreExecutableBit) RestoreExecutableBit(_command.FileName);
            var args = new List<string>
            {
                "--host-port", _client.LocalPort.ToString(CultureInfo.InvariantCulture),
                "--token", _client.Token,
                "--parent-pid", PidFile.CurrentPid().ToString(CultureInfo.InvariantCulture),
                "--heartbeat-timeout", _options.HeartbeatTimeoutSeconds.ToString("0.###", CultureInfo.InvariantCulture),
            };
            if (!string.IsNullOrEmpty(_options.ModelsDirectory)) { args.Add("--models"); args.Add(_options.ModelsDirectory); }
            var process = SidecarProcess.Start(_command, args, PostLog, _options.ProcessStarter);
            lock (_gate) _process = process;
            try { PidFile.Write(_pidFile, process.Pid, _client.Token, process.StartedUtc); }
            catch (Exception e) { PostLog("could not write the pid file " + SidecarLocator.Quote(_pidFile) + ": " + e.Message); }
            return process;
        }

        void Watch(SidecarProcess process)
        {
            while (!_disposed)
            {
                var started = DateTime.UtcNow;
                var problem = AwaitReady(process);
                if (problem == null)
                {
                    _client.ExpectSidecar(process.Ready.Port);
                    WaitHandle.WaitAny(new WaitHandle[] { process.ExitedSignal, _wake });
                    if (_disposed) return;
                    problem = process.ExitedSignal.WaitOne(0) ? Exited(process) : _unresponsive;
                }
                if (_disposed) return;
                process.Kill();
                process.Dispose();
                PidFile.Delete(_pidFile);
                _client.SidecarGone(problem);
                if (_client.State == SidecarState.Incompatible)
                {
                    PostLog("not restarting the sidecar: its protocol version does not match this package's");
                    return;
                }
                if ((DateTime.UtcNow - started).TotalSeconds >= _options.StableAfterSeconds) _consecutive = 0;
                if (_consecutive >= _options.MaxConsecutiveRestarts)
                {
                    _client.ReportError(new SidecarError(0, SidecarErrorCode.LaunchFailed, "gave up after "
                        + _consecutive + " restarts in a row; last problem: " + problem));
                    return;
                }
                var delays = _options.RestartDelaysSeconds;
                var delay = delays.Length == 0 ? 0.0 : delays[Math.Min(_consecutive, delays.Length - 1)];
                _consecutive++;
                PostLog("sidecar lost (" + problem + "); restart " + _consecutive + " in " + delay.ToString("0.0", CultureInfo.InvariantCulture) + " s");
                if (delay > 0 && _wake.WaitOne(TimeSpan.FromSeconds(delay)) && _disposed) return;
                _unresponsive = null;
                while (!_disposed)
                {
                    try
                    {
                        process = Launch();
                        Interlocked.Increment(ref _restarts);
                        break;
                    }
                    catch (SidecarException e)
                    {
                        _client.ReportError(new SidecarError(0, e.Code, e.Message));
                        if (_consecutive >= _options.MaxConsecutiveRestarts) return;
                        _consecutive++;
                        _wake.WaitOne(TimeSpan.FromSeconds(delays.Length == 0 ? 1.0 : delays[Math.Min(_consecutive, delays.Length - 1)]));
                    }
                }
                if (_disposed)
                {
                    lock (_gate) if (_process != null) { _process.Kill(); _process.Dispose(); }
                    return;
                }
            }
        }

        /// <summary>Null when READY arrived; otherwise why not (reported as launch_failed).</summary>
        string AwaitReady(SidecarProcess process)
        {
            if (process.WaitReady(_options.ReadyTimeoutSeconds, _wake)) return null;
            if (_disposed) return "disposed";
            string problem;
            if (process.ExitedSignal.WaitOne(0))
                problem = "the sidecar " + SidecarLocator.Quote(_command.FileName) + " exited before printing its READY line (" + Exited(process) + ")";
            else
                problem = "the sidecar " + SidecarLocator.Quote(_command.FileName) + " printed no READY line within "
                    + _options.ReadyTimeoutSeconds + " s" + Tail(process);
            _client.ReportError(new SidecarError(0, SidecarErrorCode.LaunchFailed, problem));
            return problem;
        }

        static string Exited(SidecarProcess process)
        {
            var code = process.TryExitCode();
            return "the sidecar process " + process.Pid + " exited" + (code.HasValue ? " with code " + code.Value : "") + Tail(process);
        }

        static string Tail(SidecarProcess process)
        {
            var tail = process.StderrTail(5);
            return tail.Length == 0 ? "" : "; its last log lines:\n" + tail;
        }

        static void RestoreExecutableBit(string path)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return;
            try
            {
                var chmod = File.Exists("/bin/chmod") ? "/bin/chmod" : "chmod";
                using (var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(chmod, SidecarCommand.JoinArguments(new[] { "u+x,g+x,o+x", path }))
                { UseShellExecute = false, CreateNoWindow = true }))
                {
                    if (p != null) p.WaitForExit(5000);
                }
            }
            catch (Exception) { } // if it failed, starting the sidecar reports the missing bit with the fix
        }

        static string DefaultPidFile()
        {
            var key = Environment.CurrentDirectory ?? "";
            uint hash = 2166136261;
            foreach (var c in key) { hash ^= c; hash *= 16777619; }
            return Path.Combine(Path.GetTempPath(), "riffforge-sidecar-" + hash.ToString("x8") + ".pid");
        }

        void PostLog(string line) { _client.PostCallback(() => { var h = Log; if (h != null) h(line); }); }
    }
}
