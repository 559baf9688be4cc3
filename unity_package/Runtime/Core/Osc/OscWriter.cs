using System;
using System.IO;
using System.Text;

namespace RiffForge.Core
{
    /// <summary>Encodes OSC 1.0 messages and bundles to bytes (big-endian, 4-byte aligned, NUL padding).</summary>
    public static class OscWriter
    {
        static readonly UTF8Encoding Utf8 = new UTF8Encoding(false, true);

        public static byte[] Encode(OscMessage message)
        {
            var s = new MemoryStream(64);
            WriteMessage(s, message);
            return s.ToArray();
        }

        public static byte[] Encode(OscBundle bundle)
        {
            var s = new MemoryStream(128);
            WriteBundle(s, bundle);
            return s.ToArray();
        }

        static void WriteMessage(MemoryStream s, OscMessage m)
        {
            WriteString(s, m.Address);
            WriteString(s, m.TypeTags);
            foreach (var a in m.Arguments)
            {
                if (a is int) WriteInt(s, (int)a);
                else if (a is float) WriteFloat(s, (float)a);
                else if (a is string) WriteString(s, (string)a);
                else WriteBlob(s, (byte[])a);
            }
        }

        static void WriteBundle(MemoryStream s, OscBundle b)
        {
            WriteString(s, "#bundle");
            WriteInt(s, (int)(b.TimeTag >> 32));
            WriteInt(s, (int)(b.TimeTag & 0xffffffffUL));
            foreach (var e in b.Elements)
            {
                byte[] content;
                var m = e as OscMessage;
                var nested = e as OscBundle;
                if (m != null) content = Encode(m);
                else if (nested != null) content = Encode(nested);
                else throw new ArgumentException("bundle element must be an OscMessage or OscBundle");
                WriteInt(s, content.Length);
                s.Write(content, 0, content.Length);
            }
        }

        static void WriteInt(MemoryStream s, int v)
        {
            s.WriteByte((byte)(v >> 24));
            s.WriteByte((byte)(v >> 16));
            s.WriteByte((byte)(v >> 8));
            s.WriteByte((byte)v);
        }

        static void WriteFloat(MemoryStream s, float v)
        {
            var bytes = BitConverter.GetBytes(v);
            if (BitConverter.IsLittleEndian) Array.Reverse(bytes);
            s.Write(bytes, 0, 4);
        }

        static void WriteString(MemoryStream s, string v)
        {
            if (v.IndexOf('\0') >= 0) throw new ArgumentException("OSC strings cannot contain NUL characters");
            var bytes = Utf8.GetBytes(v);
            s.Write(bytes, 0, bytes.Length);
            var pad = 4 - (bytes.Length % 4); // 1..4 NULs: always at least the terminator
            for (var i = 0; i < pad; i++) s.WriteByte(0);
        }

        static void WriteBlob(MemoryStream s, byte[] v)
        {
            WriteInt(s, v.Length);
            s.Write(v, 0, v.Length);
            var pad = (4 - (v.Length % 4)) % 4;
            for (var i = 0; i < pad; i++) s.WriteByte(0);
        }
    }
}
