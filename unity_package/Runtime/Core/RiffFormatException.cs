using System;

namespace RiffForge.Core
{
    /// <summary>A payload decoded as msgpack but does not follow its protocol schema; names the field and rule.</summary>
    public sealed class RiffFormatException : Exception
    {
        public RiffFormatException(string message) : base(message) { }
    }
}
