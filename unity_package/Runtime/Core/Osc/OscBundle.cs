using System.Collections.Generic;

namespace RiffForge.Core
{
    /// <summary>
    /// An OSC 1.0 bundle: a 64-bit NTP time tag and elements (messages or nested bundles). Protocol v1
    /// does not use bundles (receivers drop them); the codec supports them for completeness.
    /// </summary>
    public sealed class OscBundle
    {
        /// <summary>The time tag that means "immediately".</summary>
        public const ulong Immediately = 1UL;

        public readonly ulong TimeTag;
        public readonly List<object> Elements = new List<object>();

        public OscBundle(ulong timeTag, params object[] elements)
        {
            TimeTag = timeTag;
            if (elements != null) Elements.AddRange(elements);
        }
    }
}
