using System;

namespace RiffForge.Core
{
    /// <summary>
    /// The messages of protocol v1 (protocol.json "messages"): addresses, fixed type tags, builders for what
    /// the host sends and a strict check of what it receives.
    /// </summary>
    public static class ProtocolMessages
    {
        public const string Hello = "/riffforge/hello";
        public const string Connect = "/riffforge/connect";
        public const string Welcome = "/riffforge/welcome";
        public const string Reject = "/riffforge/reject";
        public const string Request = "/riffforge/request";
        public const string RiffChunk = "/riffforge/riff";
        public const string Error = "/riffforge/error";
        public const string Ping = "/riffforge/ping";
        public const string Pong = "/riffforge/pong";
        public const string Quit = "/riffforge/quit";

        public const int MaxDatagramBytes = 8192;
        public const int MaxChunkBytes = 7936;
        public const int TokenMinLength = 8;
        public const int TokenMaxLength = 128;

        static readonly string[] Addresses = { Hello, Connect, Welcome, Reject, Request, RiffChunk, Error, Ping, Pong, Quit };
        static readonly string[] Tags = { ",sssb", ",ss", ",sss", ",ss", ",sib", ",siiib", ",siss", ",si", ",si", ",s" };

        /// <summary>The fixed type tag string of an address, or null for an address the protocol does not have.</summary>
        public static string TypeTagsOf(string address)
        {
            var i = Array.IndexOf(Addresses, address);
            return i < 0 ? null : Tags[i];
        }

        /// <summary>
        /// Decodes a datagram as a protocol message: valid OSC, a known address, its exact type tags.
        /// Bundles are not used by the protocol and are rejected. Throws <see cref="OscFormatException"/>.
        /// </summary>
        public static OscMessage Decode(byte[] data, int offset, int count)
        {
            if (count > MaxDatagramBytes) throw new OscFormatException("datagram of " + count + " bytes exceeds " + MaxDatagramBytes);
            if (OscReader.IsBundle(data, offset, count)) throw new OscFormatException("bundles are not used by protocol v1");
            var m = OscReader.DecodeMessage(data, offset, count);
            var tags = TypeTagsOf(m.Address);
            if (tags == null) throw new OscFormatException("unknown address " + m.Address);
            if (tags != m.TypeTags) throw new OscFormatException(m.Address + " has type tags " + m.TypeTags + ", expected " + tags);
            return m;
        }

        /// <summary>True when the token fits the protocol's length and alphabet (A-Z a-z 0-9 _ -).</summary>
        public static bool IsValidToken(string token)
        {
            if (token == null || token.Length < TokenMinLength || token.Length > TokenMaxLength) return false;
            foreach (var c in token)
            {
                var ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
                if (!ok) return false;
            }
            return true;
        }

        /// <summary>A fresh session token: 32 hex digits (128 bits) from a cryptographic random source.</summary>
        public static string NewToken()
        {
            var bytes = new byte[16];
            using (var rng = System.Security.Cryptography.RandomNumberGenerator.Create()) rng.GetBytes(bytes);
            var hex = new System.Text.StringBuilder(32);
            foreach (var b in bytes) hex.Append(b.ToString("x2"));
            return hex.ToString();
        }
    }
}
