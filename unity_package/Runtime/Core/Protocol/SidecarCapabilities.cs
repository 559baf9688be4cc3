namespace RiffForge.Core
{
    /// <summary>What a sidecar can do, from its <c>hello</c> (protocol schema "capabilities").</summary>
    public sealed class SidecarCapabilities
    {
        public string[] Styles;
        public string[] Instruments;
        public int MaxBars;
        public string[] ModelIds;
        public int HeartbeatTimeoutMs;
        public int MaxDatagram;
        /// <summary>Mode names a request may ask for; null when the sidecar did not say (send "auto").</summary>
        public string[] Modes;
        /// <summary>Styles a request may ask for that the sidecar's models cannot steer towards (their bundles
        /// hold no centroid for them): the riff keeps the style's tuning, key and tempo, not its vocabulary.
        /// Empty when every style is steered; null when the sidecar did not say (an older sidecar).</summary>
        public string[] UnsteeredStyles;

        public static SidecarCapabilities Decode(byte[] payload)
        {
            var f = new PayloadFields(MsgPackReader.ReadMap(payload), "capabilities");
            var c = new SidecarCapabilities
            {
                Styles = f.StrArray("styles"),
                Instruments = f.StrArray("instruments"),
                MaxBars = (int)f.Int("max_bars", 1, 1024),
                ModelIds = f.StrArray("model_ids"),
                HeartbeatTimeoutMs = (int)f.Int("heartbeat_timeout_ms", 0, int.MaxValue),
                MaxDatagram = (int)f.Int("max_datagram", 512, 65507),
            };
            if (f.Has("modes")) c.Modes = f.StrArray("modes");
            if (f.Has("unsteered_styles")) c.UnsteeredStyles = f.StrArray("unsteered_styles");
            return c;
        }
    }
}
