using System;
using System.Collections.Generic;
using System.IO;
using RiffForge.Repo.Tests;

namespace RiffForge.Engine.Tests
{
    /// <summary>
    /// The package's engine assets (unity_package/Runtime/Resources/RiffForgeEngine, written by
    /// build/engine_assets.py) and the decode vectors (tests/vectors/engine, written by
    /// tests/vectors/make_engine_decode_vectors.py from the Python runtime). Models load once per test run.
    /// </summary>
    public static class EngineTestData
    {
        public static readonly string[] Bundles = { "metal-guitar", "metal-bass", "metal-drums" };

        static readonly Dictionary<string, EngineModel> models = new Dictionary<string, EngineModel>();

        public static string AssetDir { get { return Path.Combine(RepoPaths.Root, "unity_package", "Runtime", "Resources", "RiffForgeEngine"); } }

        public static string VectorDir { get { return Path.Combine(RepoPaths.Root, "tests", "vectors", "engine"); } }

        static readonly Dictionary<string, JsonObject> vectorFiles = new Dictionary<string, JsonObject>();

        /// <summary>The JSON vector file <paramref name="name"/> of tests/vectors/engine ("render.json", ...), parsed once.</summary>
        public static JsonObject VectorFile(string name)
        {
            JsonObject parsed;
            if (!vectorFiles.TryGetValue(name, out parsed))
                vectorFiles[name] = parsed = (JsonObject)MiniJson.Parse(File.ReadAllText(Path.Combine(VectorDir, name)));
            return parsed;
        }

        public static byte[] AssetBytes(string bundle) { return File.ReadAllBytes(Path.Combine(AssetDir, bundle + ".bytes")); }

        /// <summary>The shipped engine model of <paramref name="bundle"/> ("metal-guitar", ...), loaded once.</summary>
        public static EngineModel Model(string bundle)
        {
            lock (models)
            {
                EngineModel m;
                if (!models.TryGetValue(bundle, out m))
                {
                    m = EngineModel.Load(AssetBytes(bundle), bundle + ".bytes");
                    models[bundle] = m;
                }
                return m;
            }
        }
    }

    /// <summary>One bundle's decode vectors: decode_&lt;bundle&gt;.json with float arrays in decode_&lt;bundle&gt;.bin.</summary>
    public sealed class DecodeVectors
    {
        public sealed class Case
        {
            public string Name;
            public float[] Z, Controls, Gumbel, Logits;
            public int[] Classes;
        }

        public string Bundle;
        public int Steps, OutputDepth;
        public double LogitsTolerance;
        public readonly List<Case> Cases = new List<Case>();

        public static DecodeVectors Load(string bundle)
        {
            var dir = EngineTestData.VectorDir;
            var index = (JsonObject)MiniJson.Parse(File.ReadAllText(Path.Combine(dir, "decode_" + bundle + ".json")));
            var bin = File.ReadAllBytes(Path.Combine(dir, (string)index["binary"]));
            var v = new DecodeVectors
            {
                Bundle = bundle, Steps = (int)(long)index["steps"], OutputDepth = (int)(long)index["output_depth"],
                LogitsTolerance = Convert.ToDouble(index["logits_tolerance"]),
            };
            foreach (JsonObject c in (List<object>)index["cases"])
            {
                var classes = (List<object>)c["classes"];
                var k = new Case
                {
                    Name = (string)c["name"], Z = Floats(bin, c["z"]), Controls = Floats(bin, c["controls"]),
                    Gumbel = Floats(bin, c["gumbel"]), Logits = Floats(bin, c["logits"]), Classes = new int[classes.Count],
                };
                for (var i = 0; i < classes.Count; i++) k.Classes[i] = (int)(long)classes[i];
                v.Cases.Add(k);
            }
            return v;
        }

        static float[] Floats(byte[] bin, object reference)
        {
            var r = reference as JsonObject;
            if (r == null) return null;
            var offset = (int)(long)r["offset"];
            var values = new float[(int)(long)r["count"]];
            Buffer.BlockCopy(bin, offset * 4, values, 0, values.Length * 4);
            return values;
        }
    }
}
