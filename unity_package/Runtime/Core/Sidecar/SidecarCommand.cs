using System.Collections.Generic;
using System.Text;

namespace RiffForge.Core
{
    /// <summary>
    /// How to start a sidecar: an executable and its leading arguments. The supervisor appends
    /// <c>--host-port</c>, <c>--parent-pid</c> (and <c>--models</c>, <c>--heartbeat-timeout</c>) and passes the
    /// session token in the environment variable <c>RIFFFORGE_TOKEN</c>, never as an argument.
    /// Use <see cref="SidecarLocator.Frozen"/> for the frozen build shipped in the package, or
    /// <see cref="Source"/> during development.
    /// </summary>
    public sealed class SidecarCommand
    {
        public readonly string FileName;
        public readonly string[] Arguments;
        /// <summary>True for a frozen build inside the package (its executable bit may need restoring).</summary>
        public readonly bool IsFrozen;

        public SidecarCommand(string fileName, string[] arguments, bool isFrozen)
        {
            FileName = fileName;
            Arguments = arguments ?? new string[0];
            IsFrozen = isFrozen;
        }

        /// <summary>The source sidecar: <c>PYTHON -m riffforge sidecar</c> (riffforge installed in that Python).</summary>
        public static SidecarCommand Source(string python)
        {
            return new SidecarCommand(python, new[] { "-m", "riffforge", "sidecar" }, false);
        }

        /// <summary>Quotes arguments for <c>ProcessStartInfo.Arguments</c> (Windows rules, which Mono also parses).</summary>
        public static string JoinArguments(IEnumerable<string> args)
        {
            var sb = new StringBuilder();
            foreach (var a in args)
            {
                if (sb.Length > 0) sb.Append(' ');
                AppendQuoted(sb, a);
            }
            return sb.ToString();
        }

        static void AppendQuoted(StringBuilder sb, string arg)
        {
            if (arg.Length > 0 && arg.IndexOfAny(new[] { ' ', '\t', '\n', '"' }) < 0) { sb.Append(arg); return; }
            sb.Append('"');
            var backslashes = 0;
            foreach (var c in arg)
            {
                if (c == '\\') { backslashes++; continue; }
                if (c == '"') { sb.Append('\\', backslashes * 2 + 1); }
                else { sb.Append('\\', backslashes); }
                backslashes = 0;
                sb.Append(c);
            }
            sb.Append('\\', backslashes * 2);
            sb.Append('"');
        }

        public override string ToString() { return FileName + " " + JoinArguments(Arguments); }
    }
}
