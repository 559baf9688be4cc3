using System;

namespace RiffForge.Core
{
    /// <summary>A msgpack payload is malformed, truncated, too deep, or uses a type the protocol does not.</summary>
    public sealed class MsgPackFormatException : Exception
    {
        public MsgPackFormatException(string message) : base(message) { }
    }
}
