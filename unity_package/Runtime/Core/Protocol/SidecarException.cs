using System;

namespace RiffForge.Core
{
    /// <summary>Thrown when the sidecar cannot be located or launched; <see cref="Code"/> is a <see cref="SidecarErrorCode"/>.</summary>
    public sealed class SidecarException : Exception
    {
        public readonly string Code;

        public SidecarException(string code, string message) : base(message) { Code = code; }

        public SidecarException(string code, string message, Exception inner) : base(message, inner) { Code = code; }
    }
}
