using System;
using System.Text;

namespace RiffForge.Core
{
    /// <summary>
    /// One OSC 1.0 message: an address and typed arguments. Arguments are <see cref="int"/> (tag i),
    /// <see cref="float"/> (f), <see cref="string"/> (s) or <see cref="byte"/>[] (b, a blob).
    /// </summary>
    public sealed class OscMessage
    {
        public readonly string Address;
        public readonly object[] Arguments;

        public OscMessage(string address, params object[] arguments)
        {
            if (string.IsNullOrEmpty(address) || address[0] != '/')
                throw new ArgumentException("OSC address '" + address + "' must start with '/'", "address");
            Address = address;
            Arguments = arguments ?? new object[0];
            TypeTags = BuildTypeTags(Arguments);
        }

        /// <summary>The type tag string, starting with ',' (",sib" for token, request id, blob).</summary>
        public readonly string TypeTags;

        public int GetInt(int index) { return (int)Arguments[index]; }
        public float GetFloat(int index) { return (float)Arguments[index]; }
        public string GetString(int index) { return (string)Arguments[index]; }
        public byte[] GetBlob(int index) { return (byte[])Arguments[index]; }

        static string BuildTypeTags(object[] args)
        {
            var tags = new StringBuilder(",", args.Length + 1);
            for (var i = 0; i < args.Length; i++)
            {
                var a = args[i];
                if (a is int) tags.Append('i');
                else if (a is float) tags.Append('f');
                else if (a is string) tags.Append('s');
                else if (a is byte[]) tags.Append('b');
                else
                    throw new ArgumentException("OSC argument " + i + " has type "
                        + (a == null ? "null" : a.GetType().Name) + "; use int, float, string or byte[]");
            }
            return tags.ToString();
        }

        public override string ToString()
        {
            var sb = new StringBuilder(Address).Append(' ').Append(TypeTags);
            foreach (var a in Arguments)
            {
                var blob = a as byte[];
                sb.Append(' ').Append(blob != null ? "blob[" + blob.Length + "]" : Convert.ToString(a, System.Globalization.CultureInfo.InvariantCulture));
            }
            return sb.ToString();
        }
    }
}
