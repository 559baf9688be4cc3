using System;
using System.Collections.Generic;
using System.Text;

namespace RiffForge.Core
{
    /// <summary>
    /// Decodes OSC 1.0 packets with strict bounds checks: every malformed input throws
    /// <see cref="OscFormatException"/>, nothing is read outside <c>[offset, offset+count)</c>.
    /// Supported argument tags: i, f, s, b. Rejects: length not a multiple of 4, a string without its NUL,
    /// invalid UTF-8, negative or overlong blobs, trailing bytes, unknown tags.
    /// </summary>
    public static class OscReader
    {
        static readonly UTF8Encoding Utf8 = new UTF8Encoding(false, true);
        const int MaxBundleDepth = 8;

        /// <summary>True when the packet starts with "#bundle\0".</summary>
        public static bool IsBundle(byte[] data, int offset, int count)
        {
            return count >= 8 && data[offset] == (byte)'#' && data[offset + 1] == (byte)'b'
                && data[offset + 7] == 0;
        }

        public static OscMessage DecodeMessage(byte[] data) { return DecodeMessage(data, 0, data.Length); }

        public static OscMessage DecodeMessage(byte[] data, int offset, int count)
        {
            CheckRange(data, offset, count);
            var end = offset + count;
            var pos = offset;
            var address = ReadString(data, ref pos, end, "address");
            if (address.Length == 0 || address[0] != '/')
                throw new OscFormatException("address '" + address + "' does not start with '/'");
            if (pos == end)
                throw new OscFormatException("message " + address + " has no type tag string");
            var tags = ReadString(data, ref pos, end, "type tags");
            if (tags.Length == 0 || tags[0] != ',')
                throw new OscFormatException("type tag string '" + tags + "' of " + address + " does not start with ','");
            var args = new object[tags.Length - 1];
            for (var i = 1; i < tags.Length; i++)
            {
                switch (tags[i])
                {
                    case 'i': args[i - 1] = ReadInt(data, ref pos, end, "int32 argument " + i); break;
                    case 'f': args[i - 1] = ReadFloat(data, ref pos, end, "float32 argument " + i); break;
                    case 's': args[i - 1] = ReadString(data, ref pos, end, "string argument " + i); break;
                    case 'b': args[i - 1] = ReadBlob(data, ref pos, end, "blob argument " + i); break;
                    default:
                        throw new OscFormatException("unsupported OSC type tag '" + tags[i] + "' in " + address);
                }
            }
            if (pos != end)
                throw new OscFormatException((end - pos) + " bytes left over after the last argument of " + address);
            return new OscMessage(address, args);
        }

        public static OscBundle DecodeBundle(byte[] data) { return DecodeBundle(data, 0, data.Length, 0); }

        public static OscBundle DecodeBundle(byte[] data, int offset, int count) { return DecodeBundle(data, offset, count, 0); }

        /// <summary>Decodes a message or bundle; returns an <see cref="OscMessage"/> or an <see cref="OscBundle"/>.</summary>
        public static object DecodePacket(byte[] data, int offset, int count)
        {
            CheckRange(data, offset, count);
            return IsBundle(data, offset, count) ? (object)DecodeBundle(data, offset, count, 0) : DecodeMessage(data, offset, count);
        }

        static OscBundle DecodeBundle(byte[] data, int offset, int count, int depth)
        {
            CheckRange(data, offset, count);
            if (depth > MaxBundleDepth) throw new OscFormatException("bundles nested deeper than " + MaxBundleDepth);
            var end = offset + count;
            var pos = offset;
            var head = ReadString(data, ref pos, end, "bundle header");
            if (head != "#bundle") throw new OscFormatException("bundle header is '" + head + "', expected '#bundle'");
            var hi = (uint)ReadInt(data, ref pos, end, "time tag");
            var lo = (uint)ReadInt(data, ref pos, end, "time tag");
            var bundle = new OscBundle(((ulong)hi << 32) | lo);
            while (pos < end)
            {
                var size = ReadInt(data, ref pos, end, "bundle element size");
                if (size < 0 || size % 4 != 0 || size > end - pos)
                    throw new OscFormatException("bundle element size " + size + " at byte " + (pos - 4 - offset) + " is invalid (" + (end - pos) + " bytes left)");
                bundle.Elements.Add(IsBundle(data, pos, size)
                    ? (object)DecodeBundle(data, pos, size, depth + 1)
                    : DecodeMessage(data, pos, size));
                pos += size;
            }
            return bundle;
        }

        static void CheckRange(byte[] data, int offset, int count)
        {
            if (data == null) throw new OscFormatException("packet is null");
            if (offset < 0 || count < 0 || offset > data.Length - count)
                throw new OscFormatException("packet range [" + offset + ", " + offset + "+" + count + ") is outside the buffer of " + data.Length + " bytes");
            if (count == 0) throw new OscFormatException("empty packet");
            if (count % 4 != 0) throw new OscFormatException("packet length " + count + " is not a multiple of 4");
        }

        static int ReadInt(byte[] d, ref int pos, int end, string what)
        {
            if (end - pos < 4) throw new OscFormatException(what + " runs past the end of the packet");
            var v = (d[pos] << 24) | (d[pos + 1] << 16) | (d[pos + 2] << 8) | d[pos + 3];
            pos += 4;
            return v;
        }

        static float ReadFloat(byte[] d, ref int pos, int end, string what)
        {
            var bits = ReadInt(d, ref pos, end, what);
            var bytes = BitConverter.GetBytes(bits); // host order, same as the int
            return BitConverter.ToSingle(bytes, 0);
        }

        static string ReadString(byte[] d, ref int pos, int end, string what)
        {
            var nul = -1;
            for (var i = pos; i < end; i++) { if (d[i] == 0) { nul = i; break; } }
            if (nul < 0) throw new OscFormatException(what + " at byte " + pos + " has no NUL terminator inside the packet");
            string s;
            try { s = Utf8.GetString(d, pos, nul - pos); }
            catch (ArgumentException) { throw new OscFormatException(what + " at byte " + pos + " is not valid UTF-8"); }
            var padded = ((nul - pos) / 4 + 1) * 4;
            if (padded > end - pos) throw new OscFormatException(what + " padding runs past the end of the packet");
            pos += padded;
            return s;
        }

        static byte[] ReadBlob(byte[] d, ref int pos, int end, string what)
        {
            var size = ReadInt(d, ref pos, end, what + " size");
            if (size < 0) throw new OscFormatException(what + " has negative size " + size);
            if (size > end - pos) throw new OscFormatException(what + " of " + size + " bytes runs past the end of the packet (" + (end - pos) + " left)");
            var padded = size + (4 - size % 4) % 4;
            if (padded > end - pos) throw new OscFormatException(what + " padding runs past the end of the packet");
            var blob = new byte[size];
            Buffer.BlockCopy(d, pos, blob, 0, size);
            pos += padded;
            return blob;
        }
    }
}
