using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace RiffForge.Core
{
    /// <summary>
    /// Remembers running sidecars on disk so that a host that crashed can reap its leftover sidecar on the next
    /// start. Every supervisor has a file of its own in one folder per user and project
    /// (<c>sidecar-&lt;owner pid&gt;-&lt;random&gt;.pid</c>), holding three lines and nothing secret:
    /// <c>sidecar_pid</c>, <c>owner_pid</c> (the host process that started it) and <c>sidecar_start</c> (a marker
    /// of when that process started, so a reused pid is never mistaken for it).
    /// <para>The rule: a sidecar whose owner process is alive is never touched, whoever asks (two supervisors of one
    /// project, in one process or in two, each keep their own). A file whose owner is dead is removed, and its
    /// sidecar is killed only when it still runs with the recorded start marker. On Unix the folder is made mode
    /// 0700 and each file 0600. Windows has no mode bits: the folder lies in the user's profile or project
    /// (<c>%LOCALAPPDATA%</c>, <c>Library</c>) whose inherited ACL already limits it to that user, SYSTEM and
    /// administrators, and the file holds nothing another user could not read in the task list anyway.</para>
    /// </summary>
    public static class PidFile
    {
        public const string Extension = ".pid";
        const string Prefix = "sidecar-";

        /// <summary>A fresh file name in <paramref name="folder"/> for one supervisor of this process.</summary>
        public static string NewPath(string folder)
        {
            if (string.IsNullOrEmpty(folder)) throw new ArgumentException("the pid folder is empty; pass a per-user, per-project folder", "folder");
            return Path.Combine(folder, Prefix + CurrentPid().ToString(CultureInfo.InvariantCulture) + "-"
                + Guid.NewGuid().ToString("N").Substring(0, 12) + Extension);
        }

        /// <summary>Records <paramref name="sidecarPid"/> (started by this process) in <paramref name="path"/>, mode 0600.</summary>
        public static void Write(string path, int sidecarPid, string startMarker)
        {
            var dir = Path.GetDirectoryName(path);
            if (!string.IsNullOrEmpty(dir) && !Directory.Exists(dir))
            {
                Directory.CreateDirectory(dir);
                Chmod("700", dir);
            }
            var text = "sidecar_pid=" + sidecarPid.ToString(CultureInfo.InvariantCulture)
                + "\nowner_pid=" + CurrentPid().ToString(CultureInfo.InvariantCulture)
                + "\nsidecar_start=" + (startMarker ?? "") + "\n";
            var tmp = path + ".tmp";
            File.WriteAllText(tmp, text, new UTF8Encoding(false));
            Chmod("600", tmp); // before the rename, so the final name never has wider permissions
            if (File.Exists(path)) File.Delete(path);
            File.Move(tmp, path);
        }

        public static void Delete(string path)
        {
            try { if (File.Exists(path)) File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }

        /// <summary>
        /// Applies <see cref="Reap"/> to every pid file in <paramref name="folder"/> except <paramref name="own"/>;
        /// returns one sentence per file it acted on (empty when there was nothing to reap).
        /// </summary>
        public static List<string> ReapFolder(string folder, string own)
        {
            var said = new List<string>();
            if (string.IsNullOrEmpty(folder) || !Directory.Exists(folder)) return said;
            string[] files;
            try { files = Directory.GetFiles(folder, "*" + Extension); }
            catch (IOException) { return said; }
            catch (UnauthorizedAccessException) { return said; }
            Array.Sort(files, StringComparer.Ordinal);
            foreach (var file in files)
            {
                if (own != null && string.Equals(Path.GetFullPath(file), Path.GetFullPath(own), StringComparison.Ordinal)) continue;
                var line = Reap(file);
                if (line != null) said.Add(line);
            }
            return said;
        }

        /// <summary>
        /// Reaps the sidecar recorded in <paramref name="path"/> when its owner is gone: kills it if it still runs
        /// with the recorded start marker, then removes the file. Returns a sentence saying what was done, or null
        /// when there was nothing to do (no file, or its owner is alive: then file and sidecar are left alone).
        /// </summary>
        public static string Reap(string path)
        {
            if (!File.Exists(path)) return null;
            Dictionary<string, string> keys;
            try { keys = Parse(File.ReadAllText(path)); }
            catch (IOException) { return null; }
            catch (UnauthorizedAccessException) { return null; }
            int sidecarPid, ownerPid;
            if (!TryInt(keys, "sidecar_pid", out sidecarPid) || !TryInt(keys, "owner_pid", out ownerPid))
            {
                Delete(path);
                return "removed the unreadable pid file " + SidecarLocator.Quote(path) + " (no sidecar_pid / owner_pid)";
            }
            if (ownerPid == CurrentPid() || IsAlive(ownerPid))
                return null; // its owner runs (maybe this very process): that sidecar is not a leftover
            string marker;
            keys.TryGetValue("sidecar_start", out marker);
            string result;
            if (!IsAlive(sidecarPid))
                result = "the sidecar from an earlier run (pid " + sidecarPid + ") had already exited";
            else if (string.IsNullOrEmpty(marker) || !MarkerMatches(sidecarPid, marker))
                result = "pid " + sidecarPid + " from the pid file " + SidecarLocator.Quote(path)
                    + " cannot be identified as that sidecar (another program may have its pid now); left it alone";
            else
                result = Kill(sidecarPid)
                    ? "killed a leftover sidecar from an earlier run (pid " + sidecarPid + ", its host " + ownerPid + " is gone)"
                    : "could not kill the leftover sidecar pid " + sidecarPid + "; it exits by itself once its heartbeat times out";
            Delete(path);
            return result;
        }

        /// <summary>
        /// When process <paramref name="pid"/> started, as a string that stays the same for its whole life and
        /// differs for a later process with the same pid: on Linux the start time in clock ticks since boot
        /// (field 22 of /proc/PID/stat, exact); elsewhere <see cref="Process.StartTime"/> in UTC ticks. Null when
        /// the runtime cannot tell (then a leftover cannot be identified and is never killed).
        /// </summary>
        public static string StartMarker(int pid)
        {
            var stat = ProcStatStart(pid);
            if (stat != null) return "stat:" + stat;
            try
            {
                using (var p = Process.GetProcessById(pid))
                    return "utc:" + p.StartTime.ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture);
            }
            catch (Exception) { return null; }
        }

        static bool MarkerMatches(int pid, string recorded)
        {
            var now = StartMarker(pid);
            if (now == null) return false;
            if (recorded.StartsWith("utc:", StringComparison.Ordinal) && now.StartsWith("utc:", StringComparison.Ordinal))
            {
                // The same process's StartTime is read twice; allow for rounding, never for a different process.
                long a, b;
                return long.TryParse(recorded.Substring(4), NumberStyles.Integer, CultureInfo.InvariantCulture, out a)
                    && long.TryParse(now.Substring(4), NumberStyles.Integer, CultureInfo.InvariantCulture, out b)
                    && Math.Abs(a - b) < TimeSpan.TicksPerSecond;
            }
            return string.Equals(now, recorded, StringComparison.Ordinal);
        }

        static string ProcStatStart(int pid)
        {
            var stat = "/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/stat";
            try
            {
                if (!File.Exists(stat)) return null;
                var text = File.ReadAllText(stat);
                var close = text.LastIndexOf(')');
                if (close < 0) return null;
                // After "pid (comm)" come fields 3..; starttime is field 22, i.e. the 20th after the parenthesis.
                var fields = text.Substring(close + 1).Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
                return fields.Length >= 20 ? fields[19] : null;
            }
            catch (IOException) { return null; }
            catch (UnauthorizedAccessException) { return null; }
        }

        static bool Kill(int pid)
        {
            try
            {
                using (var process = Process.GetProcessById(pid))
                {
                    process.Kill();
                    try { process.WaitForExit(2000); } catch (Exception) { }
                    return true;
                }
            }
            catch (ArgumentException) { return true; } // exited meanwhile
            catch (InvalidOperationException) { return true; }
            catch (System.ComponentModel.Win32Exception) { return false; }
        }

        internal static bool IsAlive(int pid)
        {
            try
            {
                using (var p = Process.GetProcessById(pid))
                {
                    var stat = "/proc/" + pid + "/stat";
                    if (File.Exists(stat))
                    {
                        var text = File.ReadAllText(stat);
                        var close = text.LastIndexOf(')');
                        if (close > 0 && close + 2 < text.Length && text[close + 2] == 'Z') return false; // zombie
                    }
                    return true;
                }
            }
            catch (ArgumentException) { return false; }
            catch (InvalidOperationException) { return false; }
            catch (IOException) { return true; }
        }

        internal static int CurrentPid()
        {
            using (var p = Process.GetCurrentProcess()) return p.Id;
        }

        /// <summary>
        /// chmod on Unix (.NET Standard 2.0 has no API for file modes). Best effort: where it fails the folder is
        /// still the user's own, and the file holds no secret.
        /// </summary>
        static void Chmod(string mode, string path)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return;
            try
            {
                var chmod = File.Exists("/bin/chmod") ? "/bin/chmod" : "chmod";
                using (var p = Process.Start(new ProcessStartInfo(chmod, SidecarCommand.JoinArguments(new[] { mode, path }))
                { UseShellExecute = false, CreateNoWindow = true }))
                {
                    if (p != null) p.WaitForExit(5000);
                }
            }
            catch (Exception) { }
        }

        static Dictionary<string, string> Parse(string text)
        {
            var keys = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var raw in text.Split('\n'))
            {
                var line = raw.Trim();
                var eq = line.IndexOf('=');
                if (eq > 0) keys[line.Substring(0, eq)] = line.Substring(eq + 1);
            }
            return keys;
        }

        static bool TryInt(Dictionary<string, string> keys, string key, out int value)
        {
            value = 0;
            string s;
            return keys.TryGetValue(key, out s) && int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) && value > 0;
        }
    }
}
