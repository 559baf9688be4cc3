using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace RiffForge.Engine
{
    /// <summary>
    /// A small strict JSON reader for the engine's own assets (the model file header, the style table): the
    /// engine runs without Unity and without a JSON library. Objects become <c>Dictionary&lt;string, object&gt;</c>,
    /// arrays <c>List&lt;object&gt;</c>, numbers <c>double</c>, plus strings, bools and null. Syntax errors throw
    /// <see cref="FormatException"/> with the character position; callers wrap it with their source name.
    /// </summary>
    internal static class EngineJson
    {
        public static object Parse(string text)
        {
            var pos = 0;
            var value = Value(text, ref pos);
            Skip(text, ref pos);
            if (pos != text.Length) throw new FormatException("unexpected characters at position " + pos);
            return value;
        }

        static void Skip(string s, ref int pos)
        {
            while (pos < s.Length && (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\n' || s[pos] == '\r')) pos++;
        }

        static object Value(string s, ref int pos)
        {
            Skip(s, ref pos);
            if (pos >= s.Length) throw new FormatException("unexpected end of JSON");
            var c = s[pos];
            if (c == '{') return Obj(s, ref pos);
            if (c == '[') return Arr(s, ref pos);
            if (c == '"') return Str(s, ref pos);
            if (Word(s, ref pos, "true")) return true;
            if (Word(s, ref pos, "false")) return false;
            if (Word(s, ref pos, "null")) return null;
            return Num(s, ref pos);
        }

        static bool Word(string s, ref int pos, string word)
        {
            if (string.CompareOrdinal(s, pos, word, 0, word.Length) != 0) return false;
            pos += word.Length;
            return true;
        }

        static Dictionary<string, object> Obj(string s, ref int pos)
        {
            var d = new Dictionary<string, object>(StringComparer.Ordinal);
            pos++;
            Skip(s, ref pos);
            if (pos < s.Length && s[pos] == '}') { pos++; return d; }
            while (true)
            {
                Skip(s, ref pos);
                if (pos >= s.Length || s[pos] != '"') throw new FormatException("expected a key at position " + pos);
                var key = Str(s, ref pos);
                Skip(s, ref pos);
                if (pos >= s.Length || s[pos] != ':') throw new FormatException("expected ':' at position " + pos);
                pos++;
                d[key] = Value(s, ref pos);
                Skip(s, ref pos);
                if (pos < s.Length && s[pos] == ',') { pos++; continue; }
                if (pos < s.Length && s[pos] == '}') { pos++; return d; }
                throw new FormatException("expected ',' or '}' at position " + pos);
            }
        }

        static List<object> Arr(string s, ref int pos)
        {
            var list = new List<object>();
            pos++;
            Skip(s, ref pos);
            if (pos < s.Length && s[pos] == ']') { pos++; return list; }
            while (true)
            {
                list.Add(Value(s, ref pos));
                Skip(s, ref pos);
                if (pos < s.Length && s[pos] == ',') { pos++; continue; }
                if (pos < s.Length && s[pos] == ']') { pos++; return list; }
                throw new FormatException("expected ',' or ']' at position " + pos);
            }
        }

        static string Str(string s, ref int pos)
        {
            var sb = new StringBuilder();
            pos++;
            while (pos < s.Length)
            {
                var c = s[pos++];
                if (c == '"') return sb.ToString();
                if (c != '\\') { sb.Append(c); continue; }
                if (pos >= s.Length) break;
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
                    case 'u':
                        if (pos + 4 > s.Length) throw new FormatException("bad \\u escape at position " + pos);
                        sb.Append((char)int.Parse(s.Substring(pos, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                        pos += 4;
                        break;
                    default: throw new FormatException("bad escape at position " + pos);
                }
            }
            throw new FormatException("unterminated string");
        }

        static double Num(string s, ref int pos)
        {
            var start = pos;
            while (pos < s.Length && "+-0123456789.eE".IndexOf(s[pos]) >= 0) pos++;
            double v;
            if (pos == start || !double.TryParse(s.Substring(start, pos - start), NumberStyles.Float, CultureInfo.InvariantCulture, out v))
                throw new FormatException("bad value at position " + start);
            return v;
        }
    }
}
