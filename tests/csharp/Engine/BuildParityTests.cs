using System;
using System.IO;
using System.Linq;
using NUnit.Framework;

namespace RiffForge.Engine.Tests
{
    /// <summary>
    /// RiffForge.Engine is built two ways (see the top of LstmDecoder.cs): with System.Numerics.Vector4 (the .NET
    /// Standard API compatibility level, and builds outside Unity), and with scalar loops where Unity defines NET_4_6
    /// (the .NET Framework level, which does not reference System.Numerics.dll). tests/csharp/run.sh runs these tests
    /// against both builds, telling them apart with RIFFFORGE_ENGINE_BUILD ("vector4" or "net-framework"), and
    /// compares the digests of every logit's float32 bits that this fixture writes to RIFFFORGE_ENGINE_DIGEST: the
    /// two builds must decode bit for bit alike.
    /// </summary>
    [TestFixture]
    public class BuildParityTests
    {
        /// <summary>FNV-1a (64 bit) over the bits of every logit and every class of: each decode vector case, and
        /// each case's code scaled by 3 (large gate inputs, so tanh's clamp is reached), per shipped bundle.</summary>
        static ulong Digest(bool reuseDecoders)
        {
            var h = 14695981039346656037UL;
            Action<int> mix = v =>
            {
                for (var i = 0; i < 4; i++) { h ^= (byte)(v >> (8 * i)); h *= 1099511628211UL; }
            };
            foreach (var bundle in EngineTestData.Bundles)
            {
                var model = EngineTestData.Model(bundle);
                var shared = new LstmDecoder(model) { KeepLogits = true };
                foreach (var c in DecodeVectors.Load(bundle).Cases)
                {
                    foreach (var scale in new[] { 1f, 3f })
                    {
                        var decoder = reuseDecoders ? shared : new LstmDecoder(model) { KeepLogits = true };
                        decoder.Decode(c.Z.Select(v => v * scale).ToArray(), c.Controls, c.Gumbel);
                        foreach (var logit in decoder.Logits) mix(BitConverter.ToInt32(BitConverter.GetBytes(logit), 0));
                        foreach (var cls in decoder.Classes) mix(cls);
                    }
                }
            }
            return h;
        }

        [Test]
        public void LogitBitsAreDeterministicAndWrittenForTheOtherBuild()
        {
            var fresh = Digest(false);
            Assert.AreEqual(fresh, Digest(true), "a reused decoder decodes bit for bit as a fresh one");
            var path = Environment.GetEnvironmentVariable("RIFFFORGE_ENGINE_DIGEST");
            if (!string.IsNullOrEmpty(path)) File.WriteAllText(path, fresh.ToString("x16") + "\n");
        }

        [Test]
        public void TheBuildReferencesSystemNumericsOnlyWhenItUsesVector4()
        {
            var build = Environment.GetEnvironmentVariable("RIFFFORGE_ENGINE_BUILD") ?? "vector4";
            Assert.That(build, Is.EqualTo("vector4").Or.EqualTo("net-framework"), "RIFFFORGE_ENGINE_BUILD");
            var refs = typeof(LstmDecoder).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToArray();
            if (build == "vector4")
                CollectionAssert.Contains(refs, "System.Numerics", "the Vector4 build computes with System.Numerics");
            else
                // Unity's default references at the .NET Framework level (mscorlib, System, System.Core,
                // System.Runtime.Serialization, System.Xml, System.Xml.Linq:
                // https://docs.unity3d.com/2022.3/Documentation/Manual/dotnetProfileAssemblies.html) and RiffForge.Core
                CollectionAssert.IsSubsetOf(refs, new[] { "mscorlib", "System", "System.Core", "System.Runtime.Serialization",
                    "System.Xml", "System.Xml.Linq", "RiffForge.Core" }, "the .NET Framework build's references");
        }
    }
}
