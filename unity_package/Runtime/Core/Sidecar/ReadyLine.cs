using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.RegularExpressions;

namespace RiffForge.Core
{
    /// <summary>
    /// The sidecar's one stdout line, <c>RIFFFORGE READY port=&lt;port&gt; pid=&lt;pid&gt; protocol=1.0 version=0.1.0</c>
    /// (unknown keys are ignored).
    /// </summary>
    public sealed class ReadyLine
    {
        public const string Prefix = "RIFFFORGE READY";
        static readonly Regex Shape = new Regex(@"^RIFFFORGE READY( [a-z_]+=\S+)+$", RegexOptions.CultureInvariant);

        public readonly int Port;
        public readonly int Pid;
        public readonly string Protocol;
        public readonly string Version;

        ReadyLine(int port, int pid, string protocol, string version)
        {
            Port = port;
            Pid = pid;
            Protocol = protocol;
            Version = version;
        }

        /// <summary>Parses a line; null when it is not a READY line (or lacks a required key).</summary>
        public static ReadyLine TryParse(string line)
        {
            if (line == null) return null;
            line = line.TrimEnd('\r', '\n');
            if (!Shape.IsMatch(line)) return null;
            var keys = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in line.Substring(Prefix.Length + 1).Split(' '))
            {
                var eq = pair.IndexOf('=');
                keys[pair.Substring(0, eq)] = pair.Substring(eq + 1);
            }
            string port, pid, protocol, version;
            int portValue, pidValue;
            if (!keys.TryGetValue("port", out port) || !keys.TryGetValue("pid", out pid)
                || !keys.TryGetValue("protocol", out protocol) || !keys.TryGetValue("version", out version)) return null;
            if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out portValue) || portValue < 1 || portValue > 65535) return null;
            if (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out pidValue) || pidValue < 1) return null;
            return new ReadyLine(portValue, pidValue, protocol, version);
        }
    }
}
