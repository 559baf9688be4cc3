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
    /// <c>sidecar --host-port P --parent-pid PID</c> with the session token in the environment variable
    /// <c>RIFFFORGE_TOKEN</c> (never on the command line, which every local user can read), waits for the READY
    /// line, notices a crash by the end of its stdout (or a lost heartbeat), restarts a crashed sidecar with
    /// back-off, reaps leftover sidecars of crashed earlier runs (<see cref="PidFile"/>) and kills its sidecar on
    /// <see cref="Dispose"/>.
    /// <para>An exit that would fail the same way again is not retried: exit codes 2 (usage), 3 (rejected) and
    /// 4 (could not start: bad models or configuration), a handshake that never completes and a program that can
    /// no longer be started put the client in <see cref="SidecarState.Failed"/> with <see cref="FailureReason"/>;
    /// so does a sidecar that crashed <see cref="SidecarSupervisorOptions.MaxConsecutiveRestarts"/> times in a
    /// row. Every failure raises exactly one <see cref="SidecarClient.ErrorReceived"/> event (session errors,
    /// request id 0): sidecar_lost for a connected sidecar that was lost, launch_failed or handshake_timeout for
    /// one that never got ready, and the final one with the reason when the supervisor gives up.</para>
    /// Use <see cref="Client"/> for requests; its events also carry the supervisor's reports.
    /// </summary>
    public sealed class SidecarSupervisor : IDisposable
    {
        /// <summary>The environment variable that carries the session token to the sidecar.</summary>
        public const string TokenVariable = "RIFFFORGE_TOKEN";

        readonly SidecarCommand _command;
        readonly SidecarSupervisorOptions _options;
        readonly SidecarClient _client;
        readonly string _pidFolder;
        readonly string _pidFile;
        readonly AutoResetEvent _wake = new AutoResetEvent(false);
        readonly object _gate = new object();
        Thread _watch;
        readonly ManualResetEvent _stopped = new ManualResetEvent(false);
        SidecarProcess _process;
        volatile SidecarError _unresponsive;
        volatile string _failureReason;
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
            _pidFolder = _options.PidFolder ?? DefaultPidFolder();
            _pidFile = PidFile.NewPath(_pidFolder);
            _client = new SidecarClient(_options.Client);
            _client.Unresponsive = error => { _unresponsive = error; _wake.Set(); };
        }

        public SidecarClient Client { get { return _client; } }

        /// <summary>How many times the sidecar was restarted after a crash or a lost heartbeat.</summary>
        public int Restarts { get { return Volatile.Read(ref _restarts); } }

        /// <summary>Why the supervisor gave up (the client is then <see cref="SidecarState.Failed"/>), or null.</summary>
        public string FailureReason { get { return _failureReason; } }

        /// <summary>The running sidecar's process id (from its READY line), or 0.</summary>
        public int SidecarPid
        {
            get { lock (_gate) return _process != null && _process.Ready != null ? _process.Ready.Pid : 0; }
        }

        /// <summary>This supervisor's own pid file (it exists while its sidecar runs).</summary>
        public string PidFilePath { get { return _pidFile; } }

        /// <summary>The folder of pid files this supervisor shares with the others of this user and project.</summary>
        public string PidFolder { get { return _pidFolder; } }

        /// <summary>
        /// Reaps leftover sidecars, then starts the sidecar process. Every problem found before the process runs
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
                foreach (var line in PidFile.ReapFolder(_pidFolder, _pidFile)) PostLog(line);
            }
            catch (Exception e) { PostLog("could not check the pid files in " + SidecarLocator.Quote(_pidFolder) + ": " + e.GetType().Name + ": " + e.Message); }
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
            var watch = _watch;
            Action after = () =>
            {
                if (watch != null && Thread.CurrentThread != watch) watch.Join(3000);
                PidFile.Delete(pidFile);
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
                "--parent-pid", PidFile.CurrentPid().ToString(CultureInfo.InvariantCulture),
                "--heartbeat-timeout", _options.HeartbeatTimeoutSeconds.ToString("0.###", CultureInfo.InvariantCulture),
            };
            if (!string.IsNullOrEmpty(_options.ModelsDirectory)) { args.Add("--models"); args.Add(_options.ModelsDirectory); }
            var environment = new Dictionary<string, string> { { TokenVariable, _client.Token } };
            var process = SidecarProcess.Start(_command, args, environment, PostLog, _options.ProcessStarter);
            lock (_gate) _process = process;
            try { PidFile.Write(_pidFile, process.Pid, PidFile.StartMarker(process.Pid)); }
            catch (Exception e) { PostLog("could not write the pid file " + SidecarLocator.Quote(_pidFile) + ": " + e.Message); }
            return process;
        }

        void Watch(SidecarProcess process)
        {
            while (!_disposed)
            {
                var started = DateTime.UtcNow;
                var problem = AwaitReady(process);
                var exitedByItself = problem != null && process.ExitedSignal.WaitOne(0);
                if (problem == null)
                {
                    _client.ExpectSidecar(process.Ready.Port);
                    while (problem == null && !_disposed)
                    {
                        WaitHandle.WaitAny(new WaitHandle[] { process.ExitedSignal, _wake });
                        if (_disposed) return;
                        problem = _unresponsive;
                        exitedByItself = problem == null && process.ExitedSignal.WaitOne(0);
                        if (exitedByItself)
                            problem = _client.State == SidecarState.Ready
                                ? new SidecarError(0, SidecarErrorCode.SidecarLost, Exited(process))
                                : new SidecarError(0, SidecarErrorCode.LaunchFailed, "the sidecar " + SidecarLocator.Quote(_command.FileName)
                                    + " exited before the handshake (" + Exited(process) + ")");
                    }
                }
                if (_disposed) return;
                // The exit code counts only when the sidecar ended by itself (not when killed for silence).
                var exitCode = exitedByItself ? process.TryExitCode() : null;
                process.Kill();
                process.Dispose();
                lock (_gate) _process = null;
                PidFile.Delete(_pidFile);
                if (_client.State == SidecarState.Incompatible)
                {
                    _client.SidecarGone(null); // the version mismatch was raised when the hello was checked
                    PostLog("not restarting the sidecar: its protocol version does not match this package's");
                    return;
                }
                var permanent = WillFailAgain(exitCode, problem);
                if (permanent != null)
                {
                    GiveUp(new SidecarError(0, problem.Code == SidecarErrorCode.HandshakeTimeout ? SidecarErrorCode.HandshakeTimeout : SidecarErrorCode.LaunchFailed,
                        permanent + "; not restarting it: it would fail the same way again. " + problem.Message));
                    return;
                }
                if ((DateTime.UtcNow - started).TotalSeconds >= _options.StableAfterSeconds) _consecutive = 0;
                if (_consecutive >= _options.MaxConsecutiveRestarts)
                {
                    GiveUp(new SidecarError(0, SidecarErrorCode.LaunchFailed, "gave up after "
                        + _consecutive + " restarts in a row; last problem: " + problem.Message));
                    return;
                }
                _client.SidecarGone(problem);
                var delays = _options.RestartDelaysSeconds;
                var delay = delays.Length == 0 ? 0.0 : delays[Math.Min(_consecutive, delays.Length - 1)];
                _consecutive++;
                PostLog("sidecar lost (" + problem.Message + "); restart " + _consecutive + " in " + delay.ToString("0.0", CultureInfo.InvariantCulture) + " s");
                if (delay > 0 && _wake.WaitOne(TimeSpan.FromSeconds(delay)) && _disposed) return;
                if (_disposed) return;
                _unresponsive = null;
                try
                {
                    process = Launch();
                    Interlocked.Increment(ref _restarts);
                }
                catch (SidecarException e)
                {
                    // The program was there at the first start; whatever removed it will not undo itself.
                    GiveUp(new SidecarError(0, e.Code, e.Message));
                    return;
                }
                if (_disposed)
                {
                    lock (_gate) if (_process != null) { _process.Kill(); _process.Dispose(); }
                    return;
                }
            }
        }

        void GiveUp(SidecarError error)
        {
            _failureReason = error.Message;
            _client.Fail(error);
        }

        /// <summary>
        /// What makes a restart pointless, or null for a crash worth retrying. The exit codes are those of
        /// <c>riffforge sidecar</c> (protocol/SPEC.md, "Exit codes"): 2 usage error, 3 rejected by the host,
        /// 4 could not start (a bad model bundle or configuration). 0 (quit, parent gone, heartbeat timeout on the
        /// sidecar's side), 1 (an uncaught Python error) and signals are crashes.
        /// </summary>
        static string WillFailAgain(int? exitCode, SidecarError problem)
        {
            if (problem.Code == SidecarErrorCode.HandshakeTimeout)
                return "the sidecar printed READY but never completed the handshake (wrong token or blocked local UDP)";
            return exitCode.HasValue ? ExitMeaning(exitCode.Value) : null;
        }

        /// <summary>
        /// For an exit code of <c>riffforge sidecar</c> that means a restart would fail the same way, a sentence
        /// saying so; null for the codes a restart may cure (0, 1, signals).
        /// </summary>
        public static string ExitMeaning(int exitCode)
        {
            switch (exitCode)
            {
                case 2: return "the sidecar exited with code 2 (usage error: it refused its launch arguments)";
                case 3: return "the sidecar exited with code 3 (rejected by the host at the handshake)";
                case 4: return "the sidecar exited with code 4 (it could not start: a model bundle in its models folder is broken, or its configuration is invalid)";
                default: return null;
            }
        }

        /// <summary>Null when READY arrived; otherwise why not (launch_failed).</summary>
        SidecarError AwaitReady(SidecarProcess process)
        {
            if (process.WaitReady(_options.ReadyTimeoutSeconds, _wake)) return null;
            if (_disposed) return new SidecarError(0, SidecarErrorCode.LaunchFailed, "disposed");
            string problem;
            if (process.ExitedSignal.WaitOne(0))
                problem = "the sidecar " + SidecarLocator.Quote(_command.FileName) + " exited before printing its READY line (" + Exited(process) + ")";
            else
                problem = "the sidecar " + SidecarLocator.Quote(_command.FileName) + " printed no READY line within "
                    + _options.ReadyTimeoutSeconds + " s" + Tail(process);
            return new SidecarError(0, SidecarErrorCode.LaunchFailed, problem);
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

        /// <summary>
        /// A folder of the current user (local application data; the temp folder with the user's name where there
        /// is none) named after the current directory (the project).
        /// </summary>
        static string DefaultPidFolder()
        {
            var key = Environment.CurrentDirectory ?? "";
            uint hash = 2166136261;
            foreach (var c in key) { hash ^= c; hash *= 16777619; }
            var root = "";
            try { root = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData); } catch (Exception) { }
            if (string.IsNullOrEmpty(root))
                root = Path.Combine(Path.GetTempPath(), "riffforge-" + SafeName(Environment.UserName));
            return Path.Combine(Path.Combine(root, "RiffForge"), "sidecars-" + hash.ToString("x8"));
        }

        static string SafeName(string s)
        {
            var sb = new System.Text.StringBuilder();
            foreach (var c in s ?? "") sb.Append(char.IsLetterOrDigit(c) || c == '-' || c == '_' ? c : '_');
            return sb.Length == 0 ? "user" : sb.ToString();
        }

        void PostLog(string line) { _client.PostCallback(() => { var h = Log; if (h != null) h(line); }); }
    }
}
