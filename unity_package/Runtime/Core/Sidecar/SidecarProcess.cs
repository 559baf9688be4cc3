using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Threading;

namespace RiffForge.Core
{
    /// <summary>
    /// One launched sidecar process. Its stdout is read on a thread: the READY line sets <see cref="ReadySignal"/>,
    /// end of stream sets <see cref="ExitedSignal"/> (how the process's exit is noticed: Process.HasExited
    /// throws under IL2CPP). Its stderr is kept as a short tail for error messages.
    /// </summary>
    internal sealed class SidecarProcess : IDisposable
    {
        const int TailLines = 30;

        readonly Process _process;
        readonly Queue<string> _stderrTail = new Queue<string>();
        readonly Action<string> _log;
        public readonly ManualResetEvent ReadySignal = new ManualResetEvent(false);
        public readonly ManualResetEvent ExitedSignal = new ManualResetEvent(false);
        public readonly int Pid;
        public readonly DateTime StartedUtc;
        volatile ReadyLine _ready;

        SidecarProcess(Process process, Action<string> log)
        {
            _process = process;
            _log = log;
            Pid = process.Id;
            StartedUtc = DateTime.UtcNow;
            new Thread(ReadStdout) { IsBackground = true, Name = "RiffForge sidecar stdout" }.Start();
            new Thread(ReadStderr) { IsBackground = true, Name = "RiffForge sidecar stderr" }.Start();
        }

        public ReadyLine Ready { get { return _ready; } }

        public static SidecarProcess Start(SidecarCommand command, IList<string> arguments, Action<string> log)
        {
            return Start(command, arguments, null, log, null);
        }

        /// <summary>
        /// Starts the process with <paramref name="starter"/> (null: <see cref="Process.Start(ProcessStartInfo)"/>),
        /// adding <paramref name="environment"/> to the environment it inherits (secrets go there, never into
        /// <paramref name="arguments"/>: every local user can read a process's command line).
        /// Every failure to start becomes a <see cref="SidecarException"/> with code launch_failed whose message
        /// names the program, the exception's type and its message, so the caller can fall back at once.
        /// </summary>
        public static SidecarProcess Start(SidecarCommand command, IList<string> arguments, IDictionary<string, string> environment,
            Action<string> log, Func<ProcessStartInfo, Process> starter)
        {
            var all = new List<string>(command.Arguments);
            all.AddRange(arguments);
            var info = new ProcessStartInfo(command.FileName, SidecarCommand.JoinArguments(all))
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = false,
                CreateNoWindow = true,
            };
            // ProcessStartInfo.EnvironmentVariables is in .NET Standard 2.0 and starts as a copy of this process's
            // environment; a change reaches only the child, and needs UseShellExecute = false
            // (https://learn.microsoft.com/en-us/dotnet/api/system.diagnostics.processstartinfo.environmentvariables).
            info.EnvironmentVariables["PYTHONUNBUFFERED"] = "1";
            if (environment != null)
                foreach (var kv in environment) info.EnvironmentVariables[kv.Key] = kv.Value;
            Process process;
            try
            {
                process = starter != null ? starter(info) : Process.Start(info);
            }
            catch (Win32Exception e)
            {
                throw new SidecarException(SidecarErrorCode.LaunchFailed, Explain(command, e), e);
            }
            catch (Exception e)
            {
                // Process.Start is not available everywhere: under IL2CPP it is reported to throw or to do nothing
                // (https://issuetracker.unity3d.com/issues/il2cpp-system-dot-diagnostics-dot-process-dot-start-fails-to-launch-application,
                // https://github.com/bhaptics/haptic-library/issues/146), and other runtimes throw
                // PlatformNotSupportedException, NotSupportedException, InvalidOperationException or IOException.
                // Whatever it is, the launch failed: say which exception, so the fallback reason tells the truth.
                throw new SidecarException(SidecarErrorCode.LaunchFailed, ExplainOther(command, e), e);
            }
            if (process == null) throw new SidecarException(SidecarErrorCode.LaunchFailed, "the sidecar " + SidecarLocator.Quote(command.FileName)
                + " did not start (Process.Start returned no process; under IL2CPP starting processes may be unsupported)");
            try { return new SidecarProcess(process, log); }
            catch (Exception e)
            {
                // The process started but cannot be watched (no pid, no stdout): do not leave it running.
                try { process.Kill(); } catch (Exception) { }
                try { process.Dispose(); } catch (Exception) { }
                throw new SidecarException(SidecarErrorCode.LaunchFailed, ExplainOther(command, e), e);
            }
        }

        static string ExplainOther(SidecarCommand command, Exception e)
        {
            var unsupported = e is PlatformNotSupportedException || e is NotSupportedException;
            return "Cannot start the sidecar " + SidecarLocator.Quote(command.FileName) + ": " + e.GetType().Name + ": " + e.Message
                + (unsupported ? " (this player cannot start processes, e.g. an IL2CPP build on a platform without System.Diagnostics.Process: "
                    + "baked fallback riffs play instead)" : "");
        }

        static string Explain(SidecarCommand command, Win32Exception e)
        {
            var path = SidecarLocator.Quote(command.FileName);
            // Mono reports EACCES as 5 (Windows' ERROR_ACCESS_DENIED) and ENOENT as 2.
            if (e.NativeErrorCode == 5 || e.NativeErrorCode == 13)
                return "The sidecar " + path + " is not executable: its executable bit was lost (unzipping or copying files does that) "
                    + "or the file system forbids running programs. Fix: run `chmod +x " + path + "`"
                    + (command.IsFrozen ? " (on macOS also `xattr -dr com.apple.quarantine` on its folder)" : "") + ".";
            if (e.NativeErrorCode == 2 || e.NativeErrorCode == 3)
                return "The sidecar program " + path + " was not found. Fix: "
                    + (command.IsFrozen ? "reinstall the package or rebuild the sidecar with `python build/build_sidecar.py`." : "pass the full path of a Python that has riffforge installed (e.g. .venv/bin/python).");
            if (e.NativeErrorCode == 8 || e.NativeErrorCode == 193)
                return "The sidecar " + path + " is not a program this machine can run (" + e.Message + "). Fix: use the build for " + BinaryArchitecture.CurrentPlatform() + ".";
            return "Cannot start the sidecar " + path + ": " + e.Message + " (error " + e.NativeErrorCode + ").";
        }

        /// <summary>Waits for READY; false when the process ended first, <paramref name="cancel"/> fired or time ran out.</summary>
        public bool WaitReady(double timeoutSeconds, WaitHandle cancel)
        {
            var handles = cancel == null ? new WaitHandle[] { ReadySignal, ExitedSignal } : new WaitHandle[] { ReadySignal, ExitedSignal, cancel };
            var which = WaitHandle.WaitAny(handles, TimeSpan.FromSeconds(timeoutSeconds));
            return which == 0 || (ReadySignal.WaitOne(0) && _ready != null);
        }

        /// <summary>The last lines the sidecar wrote to stderr (its log), for error messages.</summary>
        public string StderrTail(int lines)
        {
            lock (_stderrTail)
            {
                var all = _stderrTail.ToArray();
                var from = Math.Max(0, all.Length - lines);
                return string.Join("\n", all, from, all.Length - from);
            }
        }

        /// <summary>The exit code once stdout has ended, or null when unknown (never blocks for long).</summary>
        public int? TryExitCode()
        {
            try { return _process.WaitForExit(200) ? (int?)_process.ExitCode : null; }
            catch (Exception) { return null; }
        }

        /// <summary>Kills the process (no-op when it already exited) and waits briefly for it to go.</summary>
        public void Kill()
        {
            // A process that already ended is not killed: its pid may belong to another program by now.
            try { if (!_process.WaitForExit(0)) _process.Kill(); } catch (Exception) { }
            try { _process.WaitForExit(2000); } catch (Exception) { }
        }

        /// <summary>
        /// Stops the process without blocking the caller: on a background thread, waits up to
        /// <paramref name="graceSeconds"/> for it to exit by itself (after quit), then kills it (only this
        /// process, which this object started), reaps it, runs <paramref name="after"/> and sets <paramref name="done"/>.
        /// </summary>
        public void StopInBackground(double graceSeconds, Action after, ManualResetEvent done)
        {
            var thread = new Thread(() =>
            {
                try
                {
                    ExitedSignal.WaitOne(TimeSpan.FromSeconds(graceSeconds));
                    Kill();
                    Dispose();
                    if (after != null) after();
                }
                catch (Exception) { }
                finally { done.Set(); }
            }) { IsBackground = true, Name = "RiffForge sidecar stop" };
            thread.Start();
        }

        public void Dispose()
        {
            try { _process.Dispose(); } catch (Exception) { }
        }

        void ReadStdout()
        {
            try
            {
                string line;
                while ((line = _process.StandardOutput.ReadLine()) != null)
                {
                    var ready = _ready == null ? ReadyLine.TryParse(line) : null;
                    if (ready != null) { _ready = ready; ReadySignal.Set(); }
                    else if (_log != null) _log("sidecar stdout (expected only the READY line): " + line);
                }
            }
            catch (Exception) { }
            ExitedSignal.Set();
        }

        void ReadStderr()
        {
            try
            {
                string line;
                while ((line = _process.StandardError.ReadLine()) != null)
                {
                    lock (_stderrTail)
                    {
                        _stderrTail.Enqueue(line);
                        if (_stderrTail.Count > TailLines) _stderrTail.Dequeue();
                    }
                }
            }
            catch (Exception) { }
        }
    }
}
