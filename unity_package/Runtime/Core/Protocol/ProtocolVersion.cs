using System.Globalization;
using System.Text.RegularExpressions;

namespace RiffForge.Core
{
    /// <summary>
    /// Protocol versions ("MAJOR.MINOR") and the version rule (SPEC.md section 4, protocol/vectors/versions.json):
    /// compatible when the majors are equal and, while the major is 0, the minors are equal too; above major 0
    /// a minor difference is compatible with a warning. Messages name both versions and what to upgrade.
    /// </summary>
    public static class ProtocolVersion
    {
        /// <summary>The protocol this package speaks.</summary>
        public const string Current = "1.0";

        public enum Outcome { Compatible, Warning, Mismatch, Invalid }

        const string Host = "host (RiffForge Unity package)";
        const string Sidecar = "sidecar (riffforge sidecar)";
        static readonly Regex Pattern = new Regex(@"^(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})$", RegexOptions.CultureInvariant);

        public static bool TryParse(string text, out int major, out int minor)
        {
            major = minor = 0;
            var m = text == null ? null : Pattern.Match(text);
            if (m == null || !m.Success) return false;
            major = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            minor = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            return true;
        }

        /// <summary>Applies the rule; <paramref name="message"/> is null only when the versions are equal.</summary>
        public static Outcome Check(string host, string sidecar, out string message)
        {
            int hMajor, hMinor, sMajor, sMinor;
            if (!TryParse(host, out hMajor, out hMinor)) { message = Invalid(host, "host"); return Outcome.Invalid; }
            if (!TryParse(sidecar, out sMajor, out sMinor)) { message = Invalid(sidecar, "sidecar"); return Outcome.Invalid; }
            if (hMajor == sMajor && hMinor == sMinor) { message = null; return Outcome.Compatible; }
            if (hMajor == sMajor && hMajor > 0)
            {
                message = "protocol minor version differs: " + Host + " speaks " + host + ", " + Sidecar + " speaks " + sidecar
                    + "; compatible, but upgrade the older side to get the newer features";
                return Outcome.Warning;
            }
            var hostNewer = hMajor > sMajor || (hMajor == sMajor && hMinor > sMinor);
            var newerMajor = hostNewer ? hMajor : sMajor;
            var newerMinor = hostNewer ? hMinor : sMinor;
            var target = newerMajor > 0 ? newerMajor + ".x" : newerMajor + "." + newerMinor;
            message = "protocol version mismatch: " + Host + " speaks " + host + ", " + Sidecar + " speaks " + sidecar
                + "; upgrade the " + (hostNewer ? "riffforge sidecar" : "RiffForge Unity package")
                + " to a release that speaks protocol " + target;
            return Outcome.Mismatch;
        }

        public static bool IsUsable(Outcome outcome) { return outcome == Outcome.Compatible || outcome == Outcome.Warning; }

        static string Invalid(string text, string side)
        {
            return "protocol version " + PythonRepr(text) + " from the " + side + ": expected MAJOR.MINOR, e.g. 1.0";
        }

        static string PythonRepr(string text)
        {
            if (text == null) return "None";
            return text.IndexOf('\'') >= 0 && text.IndexOf('"') < 0 ? "\"" + text + "\"" : "'" + text.Replace("'", "\\'") + "'";
        }
    }
}
