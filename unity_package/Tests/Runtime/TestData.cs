using System;
using System.Collections.Generic;
using System.Text;
using RiffForge.Core;

namespace RiffForge.Core.Tests
{
    /// <summary>Small builders shared by the tests: hex, ordered msgpack maps, riff payloads.</summary>
    internal static class TestData
    {
        public const string Token = "rf-test-token-0123456789abcdef";

        public static string Hex(byte[] bytes)
        {
            var sb = new StringBuilder(bytes.Length * 2);
            foreach (var b in bytes) sb.Append(b.ToString("x2"));
            return sb.ToString();
        }

        public static byte[] Bytes(string hex)
        {
            var bytes = new byte[hex.Length / 2];
            for (var i = 0; i < bytes.Length; i++) bytes[i] = Convert.ToByte(hex.Substring(2 * i, 2), 16);
            return bytes;
        }

        public static List<KeyValuePair<string, object>> Map(params object[] keyValues)
        {
            var map = new List<KeyValuePair<string, object>>();
            for (var i = 0; i < keyValues.Length; i += 2) map.Add(new KeyValuePair<string, object>((string)keyValues[i], keyValues[i + 1]));
            return map;
        }

        public static object[] Events(params int[][] notes)
        {
            var list = new object[notes.Length];
            for (var i = 0; i < notes.Length; i++) list[i] = new object[] { notes[i][0], notes[i][1], notes[i][2], notes[i][3] };
            return list;
        }

        /// <summary>The riff map in Riff.to_dict() order, with one field replaceable for negative tests.</summary>
        public static List<KeyValuePair<string, object>> RiffMap(double tempo = 120.0, int bars = 2, double intensity = 0.5, object tracks = null)
        {
            return Map(
                "tempo", tempo,
                "meter", new object[] { 4, 4 },
                "bars", bars,
                "key", "E",
                "mode", "phrygian",
                "style", "thrash",
                "intensity", intensity,
                "seed", 1234,
                "model_id", "procedural",
                "tuning", "E standard",
                "tracks", tracks ?? Map(
                    "guitar", Events(new[] { 0, 2, 40, 100 }, new[] { 4, 2, 43, 90 }, new[] { 16, 4, 40, 110 }),
                    "bass", Events(new[] { 0, 4, 28, 100 }),
                    "drums", Events(new[] { 0, 1, 36, 120 }, new[] { 8, 1, 38, 110 }, new[] { 16, 1, 36, 120 }, new[] { 24, 1, 38, 110 })));
        }

        public static byte[] RiffPayload(double tempo = 120.0, int bars = 2, double intensity = 0.5, object tracks = null)
        {
            return MsgPackWriter.Encode(RiffMap(tempo, bars, intensity, tracks));
        }

        public static Riff Riff(double tempo = 120.0, int bars = 2, double intensity = 0.5, object tracks = null)
        {
            return RiffForge.Core.RiffPayload.Decode(RiffPayload(tempo, bars, intensity, tracks));
        }

        public static byte[] Capabilities(int heartbeatMs = 10000)
        {
            return MsgPackWriter.Encode(Map(
                "styles", new[] { "thrash", "death", "black", "doom", "djent", "groove" },
                "instruments", new[] { "guitar", "bass", "drums" },
                "max_bars", 16,
                "model_ids", new[] { "procedural" },
                "heartbeat_timeout_ms", heartbeatMs,
                "max_datagram", 8192));
        }
    }
}
