using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;

namespace RiffForge.Core
{
    /// <summary>
    /// Remembers the running sidecar on disk so that a host that crashed (or a Unity domain reload that lost
    /// the supervisor) can reap the leftover process on its next start. The file holds the sidecar's pid,
    /// the host's pid, the session token and the start time; a process is only killed when it is provably
    /// that sidecar (its command line holds the token on Linux; elsewhere its start time matches) and its
    /// host is gone or is this very process.
    /// </summary>
    public static class PidFile
    {
        public static void Write(string path, int sidecarPid, string token, DateTime startedUtc)
        {
            var dir = Path.GetDirectoryName(path);
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
            var text = "sidecar_pid=" + sidecarPid + "\nhost_pid=" + CurrentPid() + "\ntoken=" + token
                + "\nstarted_utc_ticks=" + startedUtc.Ticks.ToString(CultureInfo.InvariantCulture) + "\n";
            var tmp = path + ".tmp";
            File.WriteAllText(tmp, text, new UTF8Encoding(false));
            if (File.Exists(path)) File.Delete(path);
            File.Move(tmp, path);
        }

        public static void Delete(string path)
        {
            try { if (File.Exists(path)) File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }

        /// <summary>
        /// Deletes the pid file only while it still records the sidecar of session <paramref name="token"/>: a
        /// supervisor stopping in the background must not delete the file a newer supervisor (a restart) wrote.
        /// </summary>
        public static void DeleteIfToken(string path, string token)
        {
            try
            {
                if (!File.Exists(path)) return;
                string recorded;
                if (Parse(File.ReadAllText(path)).TryGetValue("token", out recorded) && recorded == token) File.Delete(path);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }

        /// <summary>
        /// Kills the sidecar recorded in <paramref name="path"/> when it is still running and orphaned; returns
        /// a sentence saying what was done, or null when there was nothing to reap.
        /// </summary>
        public static string Reap(string path)
        {
            if (!File.Exists(path)) return null;
            Dictionary<string, string> keys;
            try { keys = Parse(File.ReadAllText(path)); }
            catch (IOException) { return null; }
            int sidecarPid, hostPid;
            long ticks;
            string token;
            if (!TryInt(keys, "sidecar_pid", out sidecarPid) || !TryInt(keys, "host_pid", out hostPid)
                || !keys.TryGetValue("token", out token) || !keys.ContainsKey("started_utc_ticks")
                || !long.TryParse(keys["started_utc_ticks"], NumberStyles.Integer, CultureInfo.InvariantCulture, out ticks))
            {
                Delete(path);
                return "removed the unreadable pid file " + SidecarLocator.Quote(path);
            }
            if (hostPid != CurrentPid() && IsAlive(hostPid))
                return null; // another running host owns that sidecar
            var result = "the sidecar from an earlier run (pid " + sidecarPid + ") had already exited";
            Process process = null;
            try
            {
                process = Process.GetProcessById(sidecarPid);
                if (IsThatSidecar(process, sidecarPid, token, new DateTime(ticks, DateTimeKind.Utc)))
                {
                    process.Kill();
                    try { process.WaitForExit(2000); } catch (Exception) { }
                    result = "killed a leftover sidecar from an earlier run (pid " + sidecarPid + ")";
                }
                else result = "pid " + sidecarPid + " from the pid file now belongs to another program; left it alone";
            }
            catch (ArgumentException) { }
            catch (InvalidOperationException) { }
            catch (System.ComponentModel.Win32Exception) { }
            finally { if (process != null) process.Dispose(); }
            Delete(path);
            return result;
        }

        static bool IsThatSidecar(Process process, int pid, string token, DateTime startedUtc)
        {
            var cmdline = "/proc/" + pid + "/cmdline";
            if (File.Exists(cmdline))
            {
                try { return File.ReadAllText(cmdline).Contains(token); }
                catch (IOException) { return false; }
            }
            try { return Math.Abs((process.StartTime.ToUniversalTime() - startedUtc).TotalSeconds) < 5.0; }
            catch (Exception) { return false; }
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
