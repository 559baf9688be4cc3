using System;
using System.Collections.Generic;
using System.Text;

namespace RiffForge.Core
{
    /// <summary>
    /// Reads the msgpack subset protocol v1 uses into plain objects: <c>Dictionary&lt;string, object&gt;</c>
    /// (string keys only), <c>List&lt;object&gt;</c>, <c>long</c> (every integer), <c>double</c> (float32 and
    /// float64), <c>string</c>, <c>bool</c>, <c>null</c> and <c>byte[]</c> (bin). Hostile input is safe: every
    /// length is checked against the bytes that are left before anything is allocated or read, nesting is
    /// limited, and any problem throws <see cref="MsgPackFormatException"/> naming the byte offset.
    /// </summary>
    public sealed class MsgPackReader
    {
        public const int MaxDepth = 32;
        static readonly UTF8Encoding Utf8 = new UTF8Encoding(false, true);

        readonly byte[] _data;
        readonly int _start;
        readonly int _end;
        int _pos;

        MsgPackReader(byte[] data, int offset, int count)
        {
            if (data == null) throw new MsgPackFormatException("msgpack payload is null");
            if (offset < 0 || count < 0 || offset > data.Length - count)
                throw new MsgPackFormatException("msgpack range [" + offset + ", +" + count + ") is outside the buffer of " + data.Length + " bytes");
            _data = data;
            _start = offset;
            _pos = offset;
            _end = offset + count;
        }

        /// <summary>Reads exactly one value that spans the whole payload (trailing bytes are an error).</summary>
        public static object Read(byte[] data) { return Read(data, 0, data == null ? 0 : data.Length); }

        public static object Read(byte[] data, int offset, int count)
        {
            var r = new MsgPackReader(data, offset, count);
            if (count == 0) throw new MsgPackFormatException("msgpack payload is empty");
            var value = r.ReadValue(0);
            if (r._pos != r._end)
                throw new MsgPackFormatException((r._end - r._pos) + " bytes left over after the msgpack value at byte " + (r._pos - r._start));
            return value;
        }

        /// <summary>Reads a payload that must be a map (the protocol's request, riff and capabilities).</summary>
        public static Dictionary<string, object> ReadMap(byte[] data)
        {
            var value = Read(data);
            var map = value as Dictionary<string, object>;
            if (map == null) throw new MsgPackFormatException("msgpack payload is a " + TypeName(value) + ", expected a map");
            return map;
        }

        public static string TypeName(object value)
        {
            if (value == null) return "nil";
            if (value is long) return "int";
            if (value is double) return "float";
            if (value is string) return "str";
            if (value is bool) return "bool";
            if (value is byte[]) return "bin";
            if (value is List<object>) return "array";
            if (value is Dictionary<string, object>) return "map";
            return value.GetType().Name;
        }

        object ReadValue(int depth)
        {
            if (depth > MaxDepth) throw Fail("nesting deeper than " + MaxDepth);
            var at = _pos;
            var b = ReadByte();
            if (b <= 0x7f) return (long)b;
            if (b >= 0xe0) return (long)(sbyte)b;
            if ((b & 0xf0) == 0x80) return ReadMapBody(b & 0x0f, depth, at);
            if ((b & 0xf0) == 0x90) return ReadArrayBody(b & 0x0f, depth, at);
            if ((b & 0xe0) == 0xa0) return ReadStr(b & 0x1f, at);
            switch (b)
            {
                case 0xc0: return null;
                case 0xc2: return false;
                case 0xc3: return true;
                case 0xc4: return ReadBin(ReadByte(), at);
                case 0xc5: return ReadBin(ReadUInt16(), at);
                case 0xc6: return ReadBin(ReadLength32(at), at);
                case 0xca: { var bits = (int)ReadUInt32(); return (double)BitConverter.ToSingle(BitConverter.GetBytes(bits), 0); }
                case 0xcb: return BitConverter.Int64BitsToDouble((long)ReadUInt64());
                case 0xcc: return (long)ReadByte();
                case 0xcd: return (long)ReadUInt16();
                case 0xce: return (long)ReadUInt32();
                case 0xcf:
                    {
                        var u = ReadUInt64();
                        if (u > long.MaxValue) throw Fail("uint64 " + u + " at byte " + (at - _start) + " does not fit an int64");
                        return (long)u;
                    }
                case 0xd0: return (long)(sbyte)ReadByte();
                case 0xd1: return (long)(short)ReadUInt16();
                case 0xd2: return (long)(int)ReadUInt32();
                case 0xd3: return (long)ReadUInt64();
                case 0xd9: return ReadStr(ReadByte(), at);
                case 0xda: return ReadStr(ReadUInt16(), at);
                case 0xdb: return ReadStr(ReadLength32(at), at);
                case 0xdc: return ReadArrayBody(ReadUInt16(), depth, at);
                case 0xdd: return ReadArrayBody(ReadLength32(at), depth, at);
                case 0xde: return ReadMapBody(ReadUInt16(), depth, at);
                case 0xdf: return ReadMapBody(ReadLength32(at), depth, at);
                default:
                    throw Fail("msgpack type byte 0x" + b.ToString("x2") + " at byte " + (at - _start) + " is not used by the protocol (ext and reserved types are rejected)");
            }
        }

        Dictionary<string, object> ReadMapBody(int count, int depth, int at)
        {
            // Every entry needs at least two bytes: a count larger than that is a lie, refuse before allocating.
            if (count > (_end - _pos) / 2) throw Fail("map at byte " + (at - _start) + " claims " + count + " entries but only " + (_end - _pos) + " bytes are left");
            var map = new Dictionary<string, object>(count, StringComparer.Ordinal);
            for (var i = 0; i < count; i++)
            {
                var keyAt = _pos;
                var key = ReadValue(depth + 1) as string;
                if (key == null) throw Fail("map key at byte " + (keyAt - _start) + " is not a string");
                if (map.ContainsKey(key)) throw Fail("map key '" + key + "' at byte " + (keyAt - _start) + " is repeated");
                map[key] = ReadValue(depth + 1);
            }
            return map;
        }

        List<object> ReadArrayBody(int count, int depth, int at)
        {
            if (count > _end - _pos) throw Fail("array at byte " + (at - _start) + " claims " + count + " items but only " + (_end - _pos) + " bytes are left");
            var list = new List<object>(count);
            for (var i = 0; i < count; i++) list.Add(ReadValue(depth + 1));
            return list;
        }

        string ReadStr(int length, int at)
        {
            Need(length, "string at byte " + (at - _start));
            string s;
            try { s = Utf8.GetString(_data, _pos, length); }
            catch (ArgumentException) { throw Fail("string at byte " + (at - _start) + " is not valid UTF-8"); }
            _pos += length;
            return s;
        }

        byte[] ReadBin(int length, int at)
        {
            Need(length, "bin at byte " + (at - _start));
            var bytes = new byte[length];
            Buffer.BlockCopy(_data, _pos, bytes, 0, length);
            _pos += length;
            return bytes;
        }

        int ReadLength32(int at)
        {
            var n = ReadUInt32();
            if (n > int.MaxValue) throw Fail("length " + n + " at byte " + (at - _start) + " is too large");
            return (int)n;
        }

        void Need(int n, string what)
        {
            if (n < 0 || n > _end - _pos)
                throw Fail(what + " needs " + n + " bytes but only " + (_end - _pos) + " are left (truncated payload)");
        }

        int ReadByte()
        {
            Need(1, "value at byte " + (_pos - _start));
            return _data[_pos++];
        }

        int ReadUInt16()
        {
            Need(2, "uint16 at byte " + (_pos - _start));
            var v = (_data[_pos] << 8) | _data[_pos + 1];
            _pos += 2;
            return v;
        }

        uint ReadUInt32()
        {
            Need(4, "uint32 at byte " + (_pos - _start));
            var v = ((uint)_data[_pos] << 24) | ((uint)_data[_pos + 1] << 16) | ((uint)_data[_pos + 2] << 8) | _data[_pos + 3];
            _pos += 4;
            return v;
        }

        ulong ReadUInt64()
        {
            Need(8, "uint64 at byte " + (_pos - _start));
            ulong v = 0;
            for (var i = 0; i < 8; i++) v = (v << 8) | _data[_pos + i];
            _pos += 8;
            return v;
        }

        static MsgPackFormatException Fail(string message) { return new MsgPackFormatException(message); }
    }
}
