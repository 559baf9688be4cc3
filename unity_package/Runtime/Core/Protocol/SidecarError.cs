namespace RiffForge.Core
{
    /// <summary>An error for one request (<see cref="RequestId"/> &gt; 0) or for the session (0).</summary>
    public sealed class SidecarError
    {
        public readonly int RequestId;
        /// <summary>A <see cref="SidecarErrorCode"/> value.</summary>
        public readonly string Code;
        public readonly string Message;

        public SidecarError(int requestId, string code, string message)
        {
            RequestId = requestId;
            Code = code;
            Message = message;
        }

        public override string ToString() { return Code + " (request " + RequestId + "): " + Message; }
    }
}
