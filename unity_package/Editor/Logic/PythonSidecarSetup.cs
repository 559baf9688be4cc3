using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Threading;
using RiffForge.Core;

namespace RiffForge.EditorTools
{
    /// <summary>A failed set-up step: the message names what failed and the fix.</summary>
    public sealed class PythonSidecarSetupException : Exception
    {
        public PythonSidecarSetupException(string message) : base(message) { }
    }

    /// <summary>What a finished child process left: exit code and its output lines (stdout and stderr, in order).</summary>
    public sealed class ProcessOutcome
    {
        /// <summary>Null when the program could not be started at all (see <see cref="StartError"/>).</summary>
        public int? ExitCode;
        public string StartError;
        public bool Cancelled;
        public readonly List<string> Lines = new List<string>();

        public string Tail(int count)
        {
            var from = Math.Max(0, Lines.Count - count);
            return string.Join("\n", Lines.GetRange(from, Lines.Count - from).ToArray());
        }
    }

    /// <summary>Runs a program to its end. The set-up talks to Python only through this, so tests can stand in for it.</summary>
    public interface IProcessRunner
    {
        ProcessOutcome Run(string fileName, IList<string> arguments, Action<string> onLine, Func<bool> cancelled);
    }

    /// <summary>
    /// System.Diagnostics.Process without a shell: output read line by line as it comes, the process killed
    /// when <c>cancelled</c> turns true. PYTHONPATH and PYTHONHOME are removed from the child's environment so a
    /// stray value cannot redirect the venv's interpreter.
    /// </summary>
    public sealed class SystemProcessRunner : IProcessRunner
    {
        public ProcessOutcome Run(string fileName, IList<string> arguments, Action<string> onLine, Func<bool> cancelled)
        {
            var outcome = new ProcessOutcome();
            var psi = new ProcessStartInfo(fileName, SidecarCommand.JoinArguments(arguments))
            {
                UseShellExecute = false,
                CreateNoWindow = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = false,
            };
            psi.EnvironmentVariables.Remove("PYTHONPATH");
            psi.EnvironmentVariables.Remove("PYTHONHOME");
            psi.EnvironmentVariables["PYTHONUNBUFFERED"] = "1";
            psi.EnvironmentVariables["PIP_DISABLE_PIP_VERSION_CHECK"] = "1";
            psi.EnvironmentVariables["PIP_NO_INPUT"] = "1";
            var gate = new object();
            DataReceivedEventHandler onData = (sender, e) =>
            {
                if (e.Data == null) return;
                lock (gate) outcome.Lines.Add(e.Data);
                if (onLine != null) onLine(e.Data);
            };
            using (var process = new Process { StartInfo = psi })
            {
                process.OutputDataReceived += onData;
                process.ErrorDataReceived += onData;
                try
                {
                    if (!process.Start()) { outcome.StartError = "it did not start"; return outcome; }
                }
                catch (Exception e) when (e is System.ComponentModel.Win32Exception || e is InvalidOperationException || e is IOException)
                {
                    outcome.StartError = e.Message;
                    return outcome;
                }
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
                while (!process.WaitForExit(200))
                {
                    if (cancelled != null && cancelled())
                    {
                        outcome.Cancelled = true;
                        try { process.Kill(); } catch (InvalidOperationException) { } catch (System.ComponentModel.Win32Exception) { }
                        process.WaitForExit(5000);
                        break;
                    }
                }
                process.WaitForExit(); // drains the asynchronous output readers
                if (!outcome.Cancelled) outcome.ExitCode = process.ExitCode;
            }
            return outcome;
        }
    }

    /// <summary>A Python that passed the version check: its real executable (sys.executable) and version.</summary>
    public sealed class FoundPython
    {
        public string Executable;
        public Version Version;
        /// <summary>What was asked for it: a typed path, or a PATH name such as "python3" or "py -3.12".</summary>
        public string Asked;
    }

    /// <summary>
    /// Finds a Python 3.11/3.12 to build the sidecar's venv with: the one the user typed, else versioned and
    /// plain names on PATH and in the usual install folders (the Editor started from Unity Hub gets the desktop's
    /// PATH, not a shell's, so Homebrew's and python.org's folders are searched as well). Each candidate is run
    /// to print its version and sys.executable; a version outside the supported range is a clear error.
    /// </summary>
    public static class PythonFinder
    {
        /// <summary>Prints "3.11.7" and sys.executable on two lines.</summary>
        public const string ProbeScript = "import sys; print('%d.%d.%d' % sys.version_info[:3]); print(sys.executable)";

        public const string InstallFix = "Fix: install Python 3.12 (or 3.11) from https://www.python.org/downloads/ "
            + "(macOS: or `brew install python@3.12`; Debian/Ubuntu: `sudo apt install python3.12 python3.12-venv`), then type its path in Python and press Set Up again.";

        /// <summary>(program, leading arguments) pairs to try, in order.</summary>
        public static List<KeyValuePair<string, string[]>> Candidates(bool windows, string pathVariable, IEnumerable<string> extraFolders)
        {
            var list = new List<KeyValuePair<string, string[]>>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            Action<string, string[]> add = (file, args) =>
            {
                var key = file + " " + string.Join(" ", args);
                if (seen.Add(key)) list.Add(new KeyValuePair<string, string[]>(file, args));
            };
            var names = windows ? new[] { "python.exe", "python3.exe" } : new[] { "python3.12", "python3.11", "python3", "python" };
            var folders = new List<string>();
            foreach (var dir in (pathVariable ?? "").Split(Path.PathSeparator)) if (dir.Trim().Length > 0) folders.Add(dir.Trim().Trim('"'));
            if (extraFolders != null) folders.AddRange(extraFolders);
            if (windows)
            {
                // The py launcher picks among installed versions; python.exe may be the Microsoft Store stub, which the probe rejects.
                foreach (var dir in folders) { var py = Path.Combine(dir, "py.exe"); if (File.Exists(py)) { add(py, new[] { "-3.12" }); add(py, new[] { "-3.11" }); } }
            }
            foreach (var name in names)
                foreach (var dir in folders)
                {
                    var file = Path.Combine(dir, name);
                    if (File.Exists(file)) add(file, new string[0]);
                }
            return list;
        }

        /// <summary>The usual install folders of Python outside PATH on this OS.</summary>
        public static List<string> UsualFolders(bool windows, bool mac)
        {
            var list = new List<string>();
            if (windows)
            {
                var local = Environment.GetEnvironmentVariable("LOCALAPPDATA");
                if (!string.IsNullOrEmpty(local))
                {
                    list.Add(Path.Combine(local, "Programs\\Python\\Python312"));
                    list.Add(Path.Combine(local, "Programs\\Python\\Python311"));
                    list.Add(Path.Combine(local, "Programs\\Python\\Launcher"));
                }
                list.Add("C:\\Windows");
            }
            else
            {
                if (mac)
                {
                    list.Add("/opt/homebrew/bin");
                    list.Add("/Library/Frameworks/Python.framework/Versions/3.12/bin");
                    list.Add("/Library/Frameworks/Python.framework/Versions/3.11/bin");
                }
                list.Add("/usr/local/bin");
                list.Add("/usr/bin");
                var home = Environment.GetEnvironmentVariable("HOME");
                if (!string.IsNullOrEmpty(home)) list.Add(Path.Combine(Path.Combine(home, ".pyenv"), "shims"));
            }
            return list;
        }

        /// <summary>"Python 3.11.7" or "3.11.7" to a Version; null when the text holds no version.</summary>
        public static Version ParseVersion(string text)
        {
            if (string.IsNullOrEmpty(text)) return null;
            var t = text.Trim();
            if (t.StartsWith("Python ", StringComparison.OrdinalIgnoreCase)) t = t.Substring(7).Trim();
            var end = 0;
            while (end < t.Length && (char.IsDigit(t[end]) || t[end] == '.')) end++;
            t = t.Substring(0, end).TrimEnd('.');
            var parts = t.Split('.');
            if (parts.Length < 2) return null;
            int major, minor, patch = 0;
            if (!int.TryParse(parts[0], out major) || !int.TryParse(parts[1], out minor)) return null;
            if (parts.Length > 2 && !int.TryParse(parts[2], out patch)) patch = 0;
            return new Version(major, minor, patch);
        }

        /// <summary>Null when <paramref name="version"/> is supported, else the error naming the Python, its version and the fix.</summary>
        public static string VersionProblem(Version version, string where)
        {
            var min = PythonSidecarSetupLayout.MinimumPython;
            var below = PythonSidecarSetupLayout.PythonBelow;
            if (version >= min && version < below) return null;
            return "Python " + version + " at '" + where + "' is " + (version < min ? "too old" : "too new")
                + ": the RiffForge sidecar needs Python " + min.Major + "." + min.Minor + " or " + below.Major + "." + (below.Minor - 1)
                + " (its numeric dependencies are pinned to those). " + InstallFix;
        }

        /// <summary>The typed Python, or the first supported one among <paramref name="candidates"/>; throws naming what was found and the fix.</summary>
        public static FoundPython Find(string typed, IList<KeyValuePair<string, string[]>> candidates, IProcessRunner runner, Func<bool> cancelled)
        {
            if (!string.IsNullOrEmpty(typed) && typed.Trim().Length > 0)
            {
                var path = typed.Trim().Trim('"');
                if (!File.Exists(path))
                    throw new PythonSidecarSetupException("The Python '" + path + "' does not exist. " + InstallFix + " (Or leave Python empty to search PATH.)");
                string reason;
                var found = Probe(path, new string[0], runner, cancelled, out reason);
                if (found == null) throw new PythonSidecarSetupException("The Python '" + path + "' could not report its version: " + reason + ". " + InstallFix);
                var problem = VersionProblem(found.Version, found.Executable);
                if (problem != null) throw new PythonSidecarSetupException(problem);
                found.Asked = path;
                return found;
            }
            var rejected = new List<string>();
            foreach (var c in candidates)
            {
                string reason;
                var found = Probe(c.Key, c.Value, runner, cancelled, out reason);
                var asked = c.Value.Length == 0 ? c.Key : c.Key + " " + string.Join(" ", c.Value);
                if (found == null) { rejected.Add(asked + " (" + reason + ")"); continue; }
                if (VersionProblem(found.Version, found.Executable) != null) { rejected.Add(asked + " (Python " + found.Version + ")"); continue; }
                found.Asked = asked;
                return found;
            }
            throw new PythonSidecarSetupException("No Python " + PythonSidecarSetupLayout.MinimumPython + " or 3." + (PythonSidecarSetupLayout.PythonBelow.Minor - 1)
                + " was found on PATH or in the usual install folders ("
                + (rejected.Count == 0 ? "no python at all" : "found only " + string.Join(", ", rejected.ToArray())) + "). " + InstallFix);
        }

        static FoundPython Probe(string file, string[] leading, IProcessRunner runner, Func<bool> cancelled, out string reason)
        {
            var args = new List<string>(leading) { "-I", "-c", ProbeScript };
            var outcome = runner.Run(file, args, null, cancelled);
            reason = null;
            if (outcome.ExitCode == null) { reason = outcome.Cancelled ? "cancelled" : "cannot start: " + outcome.StartError; return null; }
            if (outcome.ExitCode != 0 || outcome.Lines.Count < 1) { reason = "exit code " + outcome.ExitCode + (outcome.Lines.Count > 0 ? ": " + outcome.Tail(2) : ""); return null; }
            var version = ParseVersion(outcome.Lines[0]);
            if (version == null) { reason = "printed no version: " + outcome.Tail(2); return null; }
            var exe = outcome.Lines.Count > 1 && outcome.Lines[1].Trim().Length > 0 ? outcome.Lines[1].Trim() : file;
            return new FoundPython { Executable = exe, Version = version };
        }
    }

    /// <summary>What the set-up needs: the project's Library/RiffForge, the pip requirement and the Python.</summary>
    public sealed class PythonSidecarSetupOptions
    {
        public string LibraryFolder;
        public string Requirement;
        /// <summary>The Python the user typed (empty: search <see cref="Candidates"/>).</summary>
        public string TypedPython = "";
        /// <summary>The source the user typed (recorded so the window shows it again; <see cref="Requirement"/> already reflects it).</summary>
        public string TypedSource = "";
        public IList<KeyValuePair<string, string[]>> Candidates = new List<KeyValuePair<string, string[]>>();
        public bool Windows;
        public string PackageVersion = RiffForge.Core.RiffForgePackage.Version;
        /// <summary>Extra arguments of <c>python -m venv</c> (tests: --system-site-packages).</summary>
        public IList<string> VenvArguments = new List<string>();
        /// <summary>Extra arguments of <c>pip install</c> (tests: --no-index to stay offline).</summary>
        public IList<string> PipArguments = new List<string>();
        /// <summary>Called with the venv folder after it is created and before pip runs (tests make offline packages visible there).</summary>
        public Action<string> AfterVenvCreated;
    }

    /// <summary>
    /// The set-up behind <see cref="PythonSidecarSetupLayout.ActionName"/>, free of Unity so it runs on a worker
    /// thread and in tests: find Python, create &lt;Library&gt;/RiffForge/python-sidecar/venv, pip install the
    /// sidecar into it (its runtime dependencies come from PyPI), check that <c>riffforge sidecar --help</c>
    /// runs and the bundled models are there, then record it so <see cref="SidecarLocator.SetUp"/> finds it.
    /// Every failure throws <see cref="PythonSidecarSetupException"/> naming the step, the last output lines and the fix.
    /// </summary>
    public sealed class PythonSidecarSetup
    {
        /// <summary>Imports the runtime (numpy and friends) and lists the bundled model folders.</summary>
        public const string ModelsScript = "import riffforge.runtime as r; print('RIFFFORGE MODELS ' + ','.join(sorted(p.name for p in r.DEFAULT_MODELS_DIR.iterdir() if p.is_dir())))";
        const int TailLines = 12;

        readonly PythonSidecarSetupOptions _options;
        readonly IProcessRunner _runner;
        int _cancel;

        /// <summary>Progress (0..1) and a one-line description; raised on the set-up's thread.</summary>
        public event Action<float, string> Progress;

        public PythonSidecarSetup(PythonSidecarSetupOptions options, IProcessRunner runner)
        {
            if (options == null) throw new ArgumentNullException("options");
            if (string.IsNullOrEmpty(options.LibraryFolder)) throw new ArgumentException("the project's Library/RiffForge folder is empty", "options");
            _options = options;
            _runner = runner ?? new SystemProcessRunner();
        }

        /// <summary>Asks the running set-up to stop (kills the current step's process).</summary>
        public void Cancel() { Interlocked.Exchange(ref _cancel, 1); }

        bool Cancelled() { return Volatile.Read(ref _cancel) != 0; }

        /// <summary>Runs every step; returns the saved record or throws PythonSidecarSetupException.</summary>
        public PythonSidecarRecord Run()
        {
            var o = _options;
            var record = new PythonSidecarRecord
            {
                Status = PythonSidecarSetupLayout.StatusPending,
                TypedPython = o.TypedPython ?? "",
                TypedSource = o.TypedSource ?? "",
                Requirement = o.Requirement ?? "",
                PackageVersion = o.PackageVersion ?? "",
            };
            // Saved first, so the typed Python is remembered and a half-made venv is never taken for a ready one.
            record.Save(o.LibraryFolder);
            if (string.IsNullOrEmpty(o.Requirement))
                throw new PythonSidecarSetupException("No Python sidecar source to install. Fix: type the python_sidecar folder (or a pip requirement) in Source.");

            Report(0.02f, "Looking for Python 3.11 or 3.12");
            var python = PythonFinder.Find(o.TypedPython, o.Candidates, _runner, Cancelled);
            ThrowIfCancelled();
            record.BasePython = python.Executable;
            record.PythonVersion = python.Version.ToString();
            record.Save(o.LibraryFolder);

            var venv = PythonSidecarSetupLayout.VenvFolder(o.LibraryFolder);
            Report(0.08f, "Creating the venv " + venv + " with Python " + python.Version);
            var venvArgs = new List<string> { "-I", "-m", "venv", "--clear" };
            venvArgs.AddRange(o.VenvArguments);
            venvArgs.Add(venv);
            Step("Creating the venv", python.Executable, venvArgs,
                "Fix: install Python's venv module (Debian/Ubuntu: `sudo apt install python3." + python.Version.Minor + "-venv`), or pick another Python, and press Set Up again.");
            var venvPython = PythonSidecarSetupLayout.VenvPython(venv, o.Windows);
            if (!File.Exists(venvPython))
                throw new PythonSidecarSetupException("Creating the venv left no interpreter at '" + venvPython + "'. Fix: delete '" + venv + "' and press Set Up again.");
            if (o.AfterVenvCreated != null) o.AfterVenvCreated(venv);

            Report(0.15f, "Installing the sidecar: pip install " + o.Requirement);
            var pipArgs = new List<string> { "-I", "-m", "pip", "install", "--disable-pip-version-check", "--no-input" };
            pipArgs.AddRange(o.PipArguments);
            pipArgs.Add(o.Requirement);
            Step("pip install " + o.Requirement, venvPython, pipArgs,
                "Fix: check the network connection (the sidecar's dependencies numpy, python-osc, msgpack, mido and tqdm come from PyPI)"
                + (o.Requirement.StartsWith("git+", StringComparison.Ordinal) ? " and that git is on PATH and can reach the repository" : "")
                + ", then press Set Up again.", 0.15f, 0.85f);

            Report(0.88f, "Checking the sidecar: riffforge sidecar --help");
            var help = Step("riffforge sidecar --help", venvPython, new List<string> { "-I", "-m", "riffforge", "sidecar", "--help" },
                "Fix: the installed sidecar is broken; press Set Up again, and if it fails again install Python from python.org.");
            if (help.Lines.FindIndex(l => l.Contains("--host-port")) < 0)
                throw new PythonSidecarSetupException("`riffforge sidecar --help` in '" + venvPython + "' does not list --host-port, so this is not RiffForge's sidecar:\n"
                    + help.Tail(TailLines) + "\nFix: check Source (it must be RiffForge's python_sidecar) and press Set Up again.");
            Report(0.94f, "Checking the bundled models");
            var models = Step("Importing the runtime", venvPython, new List<string> { "-I", "-c", ModelsScript },
                "Fix: press Set Up again; if it fails again, the installed dependencies do not import on this machine (see the lines above).");
            var line = models.Lines.Find(l => l.StartsWith("RIFFFORGE MODELS ", StringComparison.Ordinal));
            if (line == null || line.Length <= "RIFFFORGE MODELS ".Length)
                throw new PythonSidecarSetupException("The installed sidecar has no bundled models (riffforge/models is empty). "
                    + "Fix: use a Source whose riffforge/models folder holds the model bundles (a full RiffForge checkout or git revision) and press Set Up again.");

            record.VenvPython = venvPython;
            record.SetUpUtc = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
            record.Status = PythonSidecarSetupLayout.StatusReady;
            record.Save(o.LibraryFolder);
            Report(1f, "The Python sidecar is ready (" + line.Substring("RIFFFORGE MODELS ".Length) + ")");
            return record;
        }

        ProcessOutcome Step(string what, string file, List<string> args, string fix, float from = -1f, float to = -1f)
        {
            var count = 0;
            Action<string> onLine = null;
            if (from >= 0f)
                onLine = l =>
                {
                    // pip prints a few dozen lines; creep towards the step's end without knowing how many.
                    count++;
                    Report(from + (to - from) * (1f - 1f / (1f + count / 20f)), l.Length > 120 ? l.Substring(0, 120) : l);
                };
            var outcome = _runner.Run(file, args, onLine, Cancelled);
            ThrowIfCancelled();
            if (outcome.ExitCode == null)
                throw new PythonSidecarSetupException(what + " failed: '" + file + "' cannot start (" + outcome.StartError + "). " + fix);
            if (outcome.ExitCode != 0)
            {
                var tail = outcome.Tail(TailLines);
                var hint = tail.Contains("ensurepip") ? " Python's venv module lacks ensurepip." : "";
                throw new PythonSidecarSetupException(what + " failed (exit code " + outcome.ExitCode + ")." + hint + " Its last lines:\n" + tail + "\n" + fix);
            }
            return outcome;
        }

        void ThrowIfCancelled()
        {
            if (Cancelled()) throw new PythonSidecarSetupException("The Python sidecar set-up was cancelled. Fix: press Set Up again to finish it.");
        }

        void Report(float fraction, string text)
        {
            var h = Progress;
            if (h != null) h(Math.Min(1f, Math.Max(0f, fraction)), text);
        }
    }
}
