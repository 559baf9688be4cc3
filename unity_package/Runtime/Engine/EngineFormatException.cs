using System;

namespace RiffForge.Engine
{
    /// <summary>
    /// An engine model file (or another engine asset) is missing, truncated, malformed or of a kind the in-engine
    /// runtime cannot run. The message names the source (asset or file name), the field and the fix, e.g.
    /// <c>metal-bass.bytes: field 'magic' is "PK\u0003\u0004", expected "RFEM": ...; rewrite it with ...</c>.
    /// </summary>
    public sealed class EngineFormatException : Exception
    {
        /// <summary>What to run to rewrite the package's engine assets.</summary>
        public const string RewriteFix = "rewrite it with `python build/engine_assets.py` (or `riffforge export`)";

        public EngineFormatException(string message) : base(message) { }

        public EngineFormatException(string message, Exception inner) : base(message, inner) { }

        /// <summary><c>"{source}: field '{field}' {problem}; {fix}"</c>.</summary>
        public static EngineFormatException Field(string source, string field, string problem, string fix = RewriteFix)
        {
            return new EngineFormatException(source + ": field '" + field + "' " + problem + "; " + fix);
        }
    }
}
