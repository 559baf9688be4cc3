using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace RiffForge.Core
{
    /// <summary>
    /// Writes msgpack in the protocol's canonical encoding: smallest integer formats, floats always float64
    /// (0xcb), str formats for strings, maps written in the order the caller gives the keys.
    /// Values: null, bool, int, long, float, double, string, byte[], <c>IList&lt;string&gt;</c>, <c>object[]</c>,
    /// and ordered maps as <c>IList&lt;KeyValuePair&lt;string, object&gt;&gt;</c>.
    /// </summary>
    public sealed class MsgPackWriter
    {
        static readonly UTF8Encoding Utf8 = new UTF8Encoding(false, true);
        readonly MemoryStream _s = new MemoryStream(128);

        public byte[] ToArray() { return _s.ToArray(); }

        public static byte[] Encode(object value)
        {
            var w = new MsgPackWriter();
            w.Write(value);
            return w.ToArray();
        }

        public void Write(object value)
        {
            if (value == null) { _s.WriteByte(0xc0); return; }
            if (value is bool) { _s.WriteByte((bool)value ? (byte)0xc3 : (byte)0xc2); return; }
            if (value is int) { WriteInt((int)value); return; }
            if (value is long) { WriteInt((long)value); return; }
            if (value is float) { WriteFloat((float)value); return; }
            if (value is double) { WriteFloat((double)value); return; }
            var s = value as string;
            if (s != null) { WriteString(s); return; }
            var bin = value as byte[];
            if (bin != null) { WriteBin(bin); return; }
            var map = value as IList<KeyValuePair<string, object>>;
            if (map != null) { WriteMapHeader(map.Count); foreach (var kv in map) { WriteString(kv.Key); Write(kv.Value); } return; }
            var strings = value as IList<string>;
            if (strings != null) { WriteArrayHeader(strings.Count); foreach (var x in strings) Write(x); return; }
            var array = value as object[];
            if (array != null) { WriteArrayHeader(array.Length); foreach (var x in array) Write(x); return; }
            throw new ArgumentException("msgpack writer cannot encode a " + value.GetType().Name);
        }

        public void WriteInt(long v)
        {
            if (v >= 0)
            {
                if (v <= 0x7f) _s.WriteByte((byte)v);
                else if (v <= 0xff) { _s.WriteByte(0xcc); _s.WriteByte((byte)v); }
                else if (v <= 0xffff) { _s.WriteByte(0xcd); Big((ulong)v, 2); }
                else if (v <= 0xffffffffL) { _s.WriteByte(0xce); Big((ulong)v, 4); }
                else { _s.WriteByte(0xcf); Big((ulong)v, 8); }
            }
            else
            {
                if (v >= -32) _s.WriteByte((byte)(sbyte)v);
                else if (v >= sbyte.MinValue) { _s.WriteByte(0xd0); _s.WriteByte((byte)(sbyte)v); }
                else if (v >= short.MinValue) { _s.WriteByte(0xd1); Big((ulong)v, 2); }
                else if (v >= int.MinValue) { _s.WriteByte(0xd2); Big((ulong)v, 4); }
                else { _s.WriteByte(0xd3); Big((ulong)v, 8); }
            }
        }

        public void WriteFloat(double v)
        {
            _s.WriteByte(0xcb);
            Big((ulong)BitConverter.DoubleToInt64Bits(v), 8);
        }

        public void WriteString(string v)
        {
            var bytes = Utf8.GetBytes(v);
            var n = bytes.Length;
            if (n <= 31) _s.WriteByte((byte)(0xa0 | n));
            else if (n <= 0xff) { _s.WriteByte(0xd9); _s.WriteByte((byte)n); }
            else if (n <= 0xffff) { _s.WriteByte(0xda); Big((ulong)n, 2); }
            else { _s.WriteByte(0xdb); Big((ulong)n, 4); }
            _s.Write(bytes, 0, n);
        }

        public void WriteBin(byte[] v)
        {
            var n = v.Length;
            if (n <= 0xff) { _s.WriteByte(0xc4); _s.WriteByte((byte)n); }
            else if (n <= 0xffff) { _s.WriteByte(0xc5); Big((ulong)n, 2); }
            else { _s.WriteByte(0xc6); Big((ulong)n, 4); }
            _s.Write(v, 0, n);
        }

        public void WriteArrayHeader(int n)
        {
            if (n <= 15) _s.WriteByte((byte)(0x90 | n));
            else if (n <= 0xffff) { _s.WriteByte(0xdc); Big((ulong)n, 2); }
            else { _s.WriteByte(0xdd); Big((ulong)n, 4); }
        }

        public void WriteMapHeader(int n)
        {
            if (n <= 15) _s.WriteByte((byte)(0x80 | n));
            else if (n <= 0xffff) { _s.WriteByte(0xde); Big((ulong)n, 2); }
            else { _s.WriteByte(0xdf); Big((ulong)n, 4); }
        }

        void Big(ulong v, int bytes)
        {
            for (var i = bytes - 1; i >= 0; i--) _s.WriteByte((byte)(v >> (8 * i)));
        }
    }
}
