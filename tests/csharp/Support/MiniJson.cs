using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace RiffForge.Repo.Tests
{
    /// <summary>A JSON object that keeps its key order (the vectors list keys in canonical msgpack order).</summary>
    public sealed class JsonObject : Dictionary<string, object>
    {
        public readonly List<string> Order = new List<string>();
    }

    /// <summary>
    /// A small strict JSON reader for the protocol vectors (the tests must not depend on a JSON library Unity
    /// or Mono may lack). Objects -> <see cref="JsonObject"/>, arrays -> List&lt;object&gt;, integers -> long,
    /// other numbers -> double, strings, bools, null.
    /// </summary>
    public static class MiniJson
    {
        public static object Parse(string text)
        {
            var pos = 0;
            var value = ParseValue(text, ref pos);
            SkipWs(text, ref pos);
            if (pos != text.Length) throw new FormatException("trailing characters at " + pos);
            return value;
        }

        static object ParseValue(string s, ref int pos)
        {
            SkipWs(s, ref pos);
            if (pos >= s.Length) throw new FormatException("unexpected end of JSON");
            var c = s[pos];
            if (c == '{') return ParseObject(s, ref pos);
            if (c == '[') return ParseArray(s, ref pos);
            if (c == '"') return ParseString(s, ref pos);
            if (Literal(s, ref pos, "true")) return true;
            if (Literal(s, ref pos, "false")) return false;
            if (Literal(s, ref pos, "null")) return null;
            return ParseNumber(s, ref pos);
        }

        static bool Literal(string s, ref int pos, string word)
        {
            if (string.CompareOrdinal(s, pos, word, 0, word.Length) != 0) return false;
            pos += word.Length;
            return true;
        }

        static JsonObject ParseObject(string s, ref int pos)
        {
            var obj = new JsonObject();
            pos++;
            SkipWs(s, ref pos);
            if (s[pos] == '}') { pos++; return obj; }
            while (true)
            {
                SkipWs(s, ref pos);
                var key = ParseString(s, ref pos);
                SkipWs(s, ref pos);
                Expect(s, ref pos, ':');
                obj[key] = ParseValue(s, ref pos);
                obj.Order.Add(key);
                SkipWs(s, ref pos);
                if (s[pos] == ',') { pos++; continue; }
                Expect(s, ref pos, '}');
                return obj;
            }
        }

        static List<object> ParseArray(string s, ref int pos)
        {
            var list = new List<object>();
            pos++;
            SkipWs(s, ref pos);
            if (s[pos] == ']') { pos++; return list; }
            while (true)
            {
                list.Add(ParseValue(s, ref pos));
                SkipWs(s, ref pos);
                if (s[pos] == ',') { pos++; continue; }
                Expect(s, ref pos, ']');
                return list;
            }
        }

        static string ParseString(string s, ref int pos)
        {
            Expect(s, ref pos, '"');
            var sb = new StringBuilder();
            while (true)
            {
                var c = s[pos++];
                if (c == '"') return sb.ToString();
                if (c != '\\') { sb.Append(c); continue; }
                var e = s[pos++];
                switch (e)
                {
                    case '"': sb.Append('"'); break;
                    case '\\': sb.Append('\\'); break;
                    case '/': sb.Append('/'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    case 'u': sb.Append((char)Convert.ToInt32(s.Substring(pos, 4), 16)); pos += 4; break;
                    default: throw new FormatException("bad escape \\" + e + " at " + pos);
                }
            }
        }

        static object ParseNumber(string s, ref int pos)
        {
            var start = pos;
            while (pos < s.Length && "+-0123456789.eE".IndexOf(s[pos]) >= 0) pos++;
            var token = s.Substring(start, pos - start);
            if (token.Length == 0) throw new FormatException("unexpected character '" + s[start] + "' at " + start);
            if (token.IndexOfAny(new[] { '.', 'e', 'E' }) < 0) return long.Parse(token, CultureInfo.InvariantCulture);
            return double.Parse(token, NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        static void Expect(string s, ref int pos, char c)
        {
            if (pos >= s.Length || s[pos] != c) throw new FormatException("expected '" + c + "' at " + pos);
            pos++;
        }

        static void SkipWs(string s, ref int pos)
        {
            while (pos < s.Length && char.IsWhiteSpace(s[pos])) pos++;
        }
    }
}
