using System;

namespace RiffForge.Core
{
    /// <summary>A datagram is not valid OSC 1.0. The message says which byte range and why.</summary>
    public sealed class OscFormatException : Exception
    {
        public OscFormatException(string message) : base(message) { }
    }
}
