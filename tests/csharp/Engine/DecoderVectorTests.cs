using System;
using NUnit.Framework;

namespace RiffForge.Engine.Tests
{
    /// <summary>
    /// The C# decoder against the Python runtime on the shipped models: for seeded codes (and, for the bass, the
    /// guitar's root line as per-step controls) greedy decodes choose identical classes with logits within the
    /// vectors' tolerance (1e-4), and sampled decodes fed the Python run's Gumbel noise choose identical classes.
    /// </summary>
    [TestFixture]
    public class DecoderVectorTests
    {
        static string[] Bundles { get { return EngineTestData.Bundles; } }

        [TestCaseSource("Bundles")]
        public void DecodesAsThePythonRuntime(string bundle)
        {
            var model = EngineTestData.Model(bundle);
            var vectors = DecodeVectors.Load(bundle);
            Assert.That(vectors.Cases.Count, Is.GreaterThanOrEqualTo(6), "vectors of " + bundle);
            Assert.AreEqual(vectors.Steps, model.Steps);
            Assert.AreEqual(vectors.OutputDepth, model.OutputDepth);
            var decoder = new LstmDecoder(model) { KeepLogits = true };
            var greedy = 0;
            foreach (var c in vectors.Cases)
            {
                decoder.Decode(c.Z, c.Controls, c.Gumbel);
                Assert.AreEqual(c.Classes, decoder.Classes, bundle + " " + c.Name + ": classes");
                var worst = 0.0;
                for (var i = 0; i < c.Logits.Length; i++) worst = Math.Max(worst, Math.Abs(c.Logits[i] - decoder.Logits[i]));
                Assert.That(worst, Is.LessThanOrEqualTo(vectors.LogitsTolerance), bundle + " " + c.Name + ": largest logit difference");
                if (c.Gumbel == null) greedy++;
            }
            Assert.That(greedy, Is.GreaterThan(0), "greedy cases");
            Assert.That(greedy, Is.LessThan(vectors.Cases.Count), "sampled cases");
        }

        [TestCaseSource("Bundles")]
        public void StepByStepEqualsDecodeAndReusesTheDecoder(string bundle)
        {
            var model = EngineTestData.Model(bundle);
            var vectors = DecodeVectors.Load(bundle);
            var decoder = new LstmDecoder(model);
            var c = vectors.Cases[1];
            decoder.Begin(c.Z, c.Controls, c.Gumbel);
            var calls = 0;
            while (decoder.Step()) calls++;
            Assert.AreEqual(model.Steps - 1, calls, "Step is true while steps remain");
            Assert.AreEqual(model.Steps, decoder.StepIndex);
            Assert.IsTrue(decoder.IsDone);
            Assert.IsFalse(decoder.Step(), "a finished decode stays finished");
            Assert.AreEqual(c.Classes, decoder.Classes);
            Assert.IsNull(decoder.Logits, "no logits unless KeepLogits");
            // a second decode with the same decoder starts afresh
            var first = vectors.Cases[0];
            decoder.Decode(first.Z, first.Controls, first.Gumbel);
            Assert.AreEqual(first.Classes, decoder.Classes);
        }

        [Test]
        public void BadInputsNameTheArgument()
        {
            var bass = new LstmDecoder(EngineTestData.Model("metal-bass"));
            var z = new float[256];
            var e = Assert.Throws<ArgumentException>(() => bass.Begin(z, null, null));
            StringAssert.Contains("controls", e.Message);
            StringAssert.Contains("Steps * ControlDepth = 1568", e.Message);
            e = Assert.Throws<ArgumentException>(() => bass.Begin(new float[3], new float[32 * 49], null));
            StringAssert.Contains("ZSize = 256", e.Message);
            var guitar = new LstmDecoder(EngineTestData.Model("metal-guitar"));
            e = Assert.Throws<ArgumentException>(() => guitar.Begin(z, null, new float[10]));
            StringAssert.Contains("gumbel", e.Message);
            e = Assert.Throws<ArgumentException>(() => guitar.Begin(z, new float[5], null));
            StringAssert.Contains("takes no controls", e.Message);
        }

        [Test]
        public void StepAllocatesNothing()
        {
            var model = EngineTestData.Model("metal-drums");
            var vectors = DecodeVectors.Load("metal-drums");
            var decoder = new LstmDecoder(model) { KeepLogits = true };
            var c = vectors.Cases[1];
            decoder.Decode(c.Z, c.Controls, c.Gumbel);   // warm up (JIT)
            const int decodes = 40;
            var before = EngineAllocations.Now();
            for (var k = 0; k < decodes; k++)
            {
                decoder.Begin(c.Z, c.Controls, c.Gumbel);
                while (decoder.Step()) { }
            }
            var allocated = EngineAllocations.Now() - before;
            // GC.GetTotalMemory counts in allocation-context chunks, so allow a few kB of noise; one allocation per
            // step would show as decodes * 32 steps * >= 24 bytes = 30 kB and more.
            Assert.That(allocated, Is.LessThan(8 * 1024), "bytes allocated by " + decodes * model.Steps + " steps");
        }
    }
}
