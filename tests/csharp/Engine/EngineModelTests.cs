using System;
using System.Linq;
using System.Text;
using NUnit.Framework;

namespace RiffForge.Engine.Tests
{
    /// <summary>
    /// Loading engine model files: the shipped models' header fields and controls, and one clear
    /// <see cref="EngineFormatException"/> (source, field, fix) for each way a file can be wrong.
    /// The engine assembly's asmdef sets allowUnsafeCode (Unity then passes /unsafe to the compiler, as
    /// tests/csharp/run.sh does) and noEngineReferences: Unity's "Assembly Definition file format reference",
    /// https://docs.unity.com/en-us/engine/6000.0/manual/scripting/compilation-and-code-reload/script-compilation/assembly-definition-files/file-format
    /// and its Inspector page ("Allow 'unsafe' Code"),
    /// https://docs.unity.com/en-us/engine/6000.7/manual/programming-environment/script-compilation/assembly-definition-files/class-assembly-definition-importer
    /// </summary>
    [TestFixture]
    public class EngineModelTests
    {
        [Test]
        public void ShippedModelsDescribeThemselves()
        {
            var guitar = EngineTestData.Model("metal-guitar");
            Assert.AreEqual("metal-guitar", guitar.ModelId);
            Assert.AreEqual("guitar", guitar.Role);
            Assert.AreEqual("melody", guitar.Encoding);
            Assert.AreEqual(32, guitar.Steps);
            Assert.AreEqual(256, guitar.ZSize);
            Assert.AreEqual(90, guitar.OutputDepth);
            Assert.AreEqual(0, guitar.ControlDepth);
            Assert.AreEqual(2, guitar.Bars);
            Assert.AreEqual(16, guitar.StepsPerBar);
            CollectionAssert.AreEqual(new[] { 256, 256 }, guitar.LayerSizes);
            var bass = EngineTestData.Model("metal-bass");
            Assert.AreEqual("bass", bass.Role);
            Assert.AreEqual(49, bass.ControlDepth);
            var drums = EngineTestData.Model("metal-drums");
            Assert.AreEqual("drums", drums.Role);
            Assert.AreEqual("drums", drums.Encoding);
            Assert.AreEqual(512, drums.OutputDepth);
            Assert.That(drums.MemoryBytes, Is.GreaterThan(4L * 1000 * 1000), "float32 weights in memory");
        }

        [Test]
        public void ControlsAreTheBundlesControls()
        {
            var m = EngineTestData.Model("metal-guitar");
            float[] mean, style, q;
            Assert.IsTrue(m.TryGetControl("latent_mean", out mean));
            Assert.AreEqual(256, mean.Length);
            Assert.IsTrue(m.TryGetControl("style/thrash", out style));
            Assert.AreEqual(256, style.Length);
            Assert.IsTrue(m.TryGetControl("energy_quantiles/doom", out q));
            Assert.AreEqual(11, q.Length);
            for (var i = 1; i < q.Length; i++) Assert.That(q[i], Is.GreaterThanOrEqualTo(q[i - 1]), "deciles ascend");
            Assert.IsFalse(m.TryGetControl("style/polka", out style));
            Assert.IsNull(style);
            Assert.IsFalse(m.TryGetControl(null, out style));
            var names = m.ControlNames.ToList();
            Assert.Contains("intensity_direction/thrash", names);
            Assert.Contains("latent_std", names);
            CollectionAssert.IsOrdered(names, StringComparer.Ordinal);
        }

        [Test]
        public void HalfFloatsConvertExactly()
        {
            Assert.AreEqual(1.0f, EngineModel.HalfToFloat(0x3c00));
            Assert.AreEqual(-2.0f, EngineModel.HalfToFloat(0xc000));
            Assert.AreEqual(65504f, EngineModel.HalfToFloat(0x7bff));
            Assert.AreEqual((float)Math.Pow(2, -24), EngineModel.HalfToFloat(0x0001), "smallest subnormal");
            Assert.AreEqual((float)Math.Pow(2, -14), EngineModel.HalfToFloat(0x0400), "smallest normal");
            Assert.AreEqual(0f, EngineModel.HalfToFloat(0x8000));
            Assert.IsTrue(float.IsPositiveInfinity(EngineModel.HalfToFloat(0x7c00)));
            Assert.IsTrue(float.IsNaN(EngineModel.HalfToFloat(0x7e00)));
        }

        [Test]
        public void FastTanhIsWithinFourTenMillionths()
        {
            var worst = 0.0;
            for (var x = -12.0; x <= 12.0; x += 0.0007)
                worst = Math.Max(worst, Math.Abs(LstmDecoder.Tanh((float)x) - Math.Tanh((float)x)));
            Assert.That(worst, Is.LessThan(4e-7));
            Assert.AreEqual(0f, LstmDecoder.Tanh(0f));
        }

        static EngineFormatException Fails(byte[] data, string source = "test.bytes")
        {
            return Assert.Throws<EngineFormatException>(() => EngineModel.Load(data, source));
        }

        static void Says(EngineFormatException e, params string[] parts)
        {
            foreach (var p in parts) StringAssert.Contains(p, e.Message);
        }

        [Test]
        public void WrongMagicNamesTheField()
        {
            var data = EngineTestData.AssetBytes("metal-guitar");
            data[0] = (byte)'P'; data[1] = (byte)'K';
            Says(Fails(data, "metal-guitar.bytes"), "metal-guitar.bytes:", "field 'magic'", "\"PKEM\"", "expected \"RFEM\"", "build/engine_assets.py");
        }

        [Test]
        public void NewerVersionNamesTheField()
        {
            var data = EngineTestData.AssetBytes("metal-bass");
            data[4] = 2;
            Says(Fails(data), "test.bytes:", "field 'format_version' is 2", "reads 1", "build/engine_assets.py");
        }

        [Test]
        public void TruncatedFilesAreNamed()
        {
            var data = EngineTestData.AssetBytes("metal-drums");
            Says(Fails(new byte[7]), "truncated", "7 bytes");
            Says(Fails(data.Take(100).ToArray()), "field 'header_len'", "truncated");
            Says(Fails(data.Take(data.Length - 10).ToArray()), "truncated", "\"control/");
            Says(Fails(null), "test.bytes: no data");
        }

        [Test]
        public void MalformedHeaderIsNamed()
        {
            Says(Fails(File("{\"format\": \"riffforge-engine-model\", ")), "field 'header'", "not UTF-8 JSON");
            Says(Fails(File("{\"format\": \"other\"}")), "field 'header.format' is \"other\"");
            Says(Fails(File("{\"format\": \"riffforge-engine-model\", \"model_id\": \"m\", \"role\": \"guitar\"}")), "field 'config'");
        }

        [Test]
        public void HierarchicalModelsAreNotSupportedInEngine()
        {
            var header = Header("\"decoder\": \"hierarchical\", \"level_lengths\": [2, 16]");
            Says(Fails(File(header)), "field 'config.decoder'", "hierarchical", "not supported in-engine", "flat categorical");
            Says(Fails(File(Header("", "band"))), "field 'role' is \"band\"", "not supported in-engine");
        }

        [Test]
        public void MissingOrMisShapedArraysAreNamed()
        {
            var e = Fails(File(Header("")));
            Says(e, "field 'arrays'", "lacks \"decoder/z_to_initial_state/kernel\"", "shape [256, 1024]");
            var bad = Header("", "guitar", "[{\"name\": \"decoder/z_to_initial_state/kernel\", \"dtype\": \"float32\", \"shape\": [2, 2], \"offset\": 0, \"nbytes\": 16}]");
            Says(Fails(File(bad, 16)), "arrays[\"decoder/z_to_initial_state/kernel\"].shape", "is [2, 2]", "needs [256, 1024]");
            var dtype = Header("", "guitar", "[{\"name\": \"x\", \"dtype\": \"int8\", \"shape\": [2], \"offset\": 0, \"nbytes\": 2}]");
            Says(Fails(File(dtype, 16)), "field 'arrays[0].dtype' is \"int8\"");
            var nbytes = Header("", "guitar", "[{\"name\": \"x\", \"dtype\": \"float16\", \"shape\": [3], \"offset\": 0, \"nbytes\": 4}]");
            Says(Fails(File(nbytes, 16)), "field 'arrays[0].nbytes'", "needs 6");
        }

        static string Header(string extraConfig, string role = "guitar", string arrays = "[]")
        {
            var cfg = "\"encoding\": \"melody\", \"z_size\": 256, \"dec_rnn_size\": [256, 256], \"max_seq_len\": 32, " +
                      "\"output_depth\": 90, \"control_depth\": 0, \"bars\": 2, \"steps_per_bar\": 16" +
                      (extraConfig.Length > 0 ? ", " + extraConfig : "");
            return "{\"format\": \"riffforge-engine-model\", \"model_id\": \"m\", \"role\": \"" + role + "\", \"config\": {" + cfg +
                   "}, \"controls\": [], \"arrays\": " + arrays + "}";
        }

        /// <summary>An engine file with <paramref name="header"/> and <paramref name="dataBytes"/> zero bytes of data.</summary>
        static byte[] File(string header, int dataBytes = 0)
        {
            var h = Encoding.UTF8.GetBytes(header);
            var start = (12 + h.Length + 15) / 16 * 16;
            var data = new byte[start + dataBytes];
            data[0] = (byte)'R'; data[1] = (byte)'F'; data[2] = (byte)'E'; data[3] = (byte)'M';
            data[4] = 1;
            BitConverter.GetBytes(h.Length).CopyTo(data, 8);
            h.CopyTo(data, 12);
            return data;
        }
    }
}
