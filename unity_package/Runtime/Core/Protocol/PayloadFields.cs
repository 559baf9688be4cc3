using System.Collections.Generic;

namespace RiffForge.Core
{
    /// <summary>
    /// Typed access to a decoded msgpack map following the protocol's decoding rules: a float field accepts
    /// any int or float, an int field accepts only ints. Every violation throws
    /// <see cref="RiffFormatException"/> naming the schema, the field and the rule.
    /// </summary>
    internal struct PayloadFields
    {
        readonly Dictionary<string, object> _map;
        readonly string _schema;

        public PayloadFields(Dictionary<string, object> map, string schema)
        {
            _map = map;
            _schema = schema;
        }

        public bool Has(string key) { return _map.ContainsKey(key); }

        public object Required(string key)
        {
            object v;
            if (!_map.TryGetValue(key, out v)) throw Fail(key, "is missing");
            return v;
        }

        public double Number(string key, double min, double max)
        {
            var v = Required(key);
            double d;
            if (v is long) d = (long)v;
            else if (v is double) d = (double)v;
            else throw Fail(key, "is a " + MsgPackReader.TypeName(v) + ", expected a number");
            if (double.IsNaN(d) || d < min || d > max) throw Fail(key, "= " + d + " is outside " + min + ".." + max);
            return d;
        }

        public long Int(string key, long min, long max)
        {
            return Int(Required(key), key, min, max);
        }

        public long Int(object v, string key, long min, long max)
        {
            if (!(v is long)) throw Fail(key, "is a " + MsgPackReader.TypeName(v) + ", expected an int");
            var n = (long)v;
            if (n < min || n > max) throw Fail(key, "= " + n + " is outside " + min + ".." + max);
            return n;
        }

        public string Str(string key)
        {
            var s = Required(key) as string;
            if (s == null) throw Fail(key, "is a " + MsgPackReader.TypeName(_map[key]) + ", expected a str");
            return s;
        }

        public List<object> Array(string key)
        {
            var a = Required(key) as List<object>;
            if (a == null) throw Fail(key, "is a " + MsgPackReader.TypeName(_map[key]) + ", expected an array");
            return a;
        }

        public string[] StrArray(string key)
        {
            var a = Array(key);
            var result = new string[a.Count];
            for (var i = 0; i < a.Count; i++)
            {
                result[i] = a[i] as string;
                if (result[i] == null) throw Fail(key + "[" + i + "]", "is a " + MsgPackReader.TypeName(a[i]) + ", expected a str");
            }
            return result;
        }

        public Dictionary<string, object> Map(string key)
        {
            var m = Required(key) as Dictionary<string, object>;
            if (m == null) throw Fail(key, "is a " + MsgPackReader.TypeName(_map[key]) + ", expected a map");
            return m;
        }

        public RiffFormatException Fail(string key, string problem)
        {
            return new RiffFormatException(_schema + "." + key + " " + problem);
        }
    }
}
