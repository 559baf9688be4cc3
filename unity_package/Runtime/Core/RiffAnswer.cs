namespace RiffForge.Core
{
    /// <summary>A riff that answered a request, with how long the answer took.</summary>
    public sealed class RiffAnswer
    {
        public readonly int RequestId;
        public readonly Riff Riff;
        /// <summary>Seconds from <see cref="SidecarClient.SendRequest"/> to the last chunk's arrival.</summary>
        public readonly double LatencySeconds;
        /// <summary>How many times the request was sent (1 when no retry was needed).</summary>
        public readonly int Attempts;

        public RiffAnswer(int requestId, Riff riff, double latencySeconds, int attempts)
        {
            RequestId = requestId;
            Riff = riff;
            LatencySeconds = latencySeconds;
            Attempts = attempts;
        }
    }
}
