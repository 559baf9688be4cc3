using System;
using NUnit.Framework;

namespace RiffForge.Engine.Tests
{
    /// <summary>
    /// <see cref="PortableRandom"/> is SplitMix64 and draws exactly what the Python runtime's
    /// <c>riffforge.runtime.portable.PortableRandom</c> draws (tests/python/test_portable.py pins the same values).
    /// </summary>
    [TestFixture]
    public class PortableRandomTests
    {
        [Test]
        public void StreamIsSplitMix64()
        {
            // Vigna's reference splitmix64.c, seed 1234567
            var r = new PortableRandom(1234567UL);
            ulong[] reference = { 6457827717110365317UL, 3203168211198807973UL, 9817491932198370423UL, 4593380528125082431UL, 16408922859458223821UL };
            foreach (var want in reference) Assert.AreEqual(want, r.NextUInt64());
            Assert.AreEqual(0xE220A8397B1DCDAFUL, new PortableRandom(0).NextUInt64());
            var wrap = new PortableRandom(ulong.MaxValue);
            var first = wrap.NextUInt64();
            Assert.AreEqual(unchecked(ulong.MaxValue + PortableRandom.GoldenGamma), wrap.State);
            Assert.AreEqual(PortableRandom.Mix64(wrap.State), first);
        }

        [Test]
        public void DrawsEqualThePythonStreams()
        {
            var r = new PortableRandom(99);
            Assert.AreEqual(0.2615304715693846, r.NextDouble());
            Assert.AreEqual(0.12878968216065845, r.NextStandardNormal());
            Assert.AreEqual(0.10794094908048162, r.NextStandardExponential());

            var gumbel = new float[4];
            new PortableRandom(8).FillGumbel(gumbel, 0, 4, 0.3);
            uint[] gumbelBits = { 0x3c35f659, 0x3c86d3eb, 0xbd3ee234, 0x3da216ad };
            for (var i = 0; i < 4; i++) Assert.AreEqual(gumbelBits[i], Bits(gumbel[i]), "gumbel " + i);

            var noise = new float[3];
            new PortableRandom(5).FillStandardNormal(noise, 0, 3, 0.8f);
            uint[] noiseBits = { 0x3c3be36d, 0x3ef1eb18, 0xbec15e36 };
            for (var i = 0; i < 3; i++) Assert.AreEqual(noiseBits[i], Bits(noise[i]), "normal " + i);

            var choose = new PortableRandom(77);
            var picks = "";
            for (var i = 0; i < 8; i++) picks += "abc"[choose.ChooseWeighted(new[] { 0.2, 0.5, 0.3 })];
            Assert.AreEqual("bbbacbcb", picks);
        }

        [Test]
        public void RequestStreamsAreSeededAsDocumented()
        {
            Assert.AreEqual(18352081336851336966UL, PortableRandom.ForRequest(1000, 0, PortableRandom.RequestStream).State);
            Assert.AreEqual(17168735402723548173UL, PortableRandom.ForRequest(42, 3, PortableRandom.FeelStream).State);
            Assert.AreEqual(PortableRandom.Mix64((7UL << 16) | (5UL << 8) | 1UL), PortableRandom.ForRequest(7, 5, PortableRandom.VoicingStream).State);
            Assert.Throws<ArgumentOutOfRangeException>(() => PortableRandom.ForRequest(-1, 0, 0));
            Assert.Throws<ArgumentOutOfRangeException>(() => PortableRandom.ForRequest(1, 256, 0));
            Assert.Throws<ArgumentOutOfRangeException>(() => PortableRandom.ForRequest(1, 0, 256));
        }

        [Test]
        public void DistributionsAreSane()
        {
            var r = new PortableRandom(2024);
            const int n = 40000;
            double su = 0, sn = 0, sn2 = 0, se = 0, min = 1, max = 0;
            for (var i = 0; i < n; i++)
            {
                var u = r.NextDouble();
                su += u; min = Math.Min(min, u); max = Math.Max(max, u);
                var z = r.NextStandardNormal();
                sn += z; sn2 += z * z;
                se += r.NextStandardExponential();
            }
            Assert.That(min, Is.GreaterThanOrEqualTo(0.0));
            Assert.That(max, Is.LessThan(1.0));
            Assert.AreEqual(0.5, su / n, 0.01);
            Assert.AreEqual(0.0, sn / n, 0.03);
            Assert.AreEqual(1.0, Math.Sqrt(sn2 / n), 0.02);
            Assert.AreEqual(1.0, se / n, 0.03);
            var g = new float[n];
            r.FillGumbel(g, 0, n, 0.5);
            double sg = 0;
            foreach (var v in g) { Assert.IsFalse(float.IsInfinity(v) || float.IsNaN(v)); sg += v; }
            Assert.AreEqual(0.5 * 0.5772, sg / n, 0.02);   // 0.5 x standard Gumbel: mean 0.5 x Euler's gamma
        }

        static uint Bits(float f) { return BitConverter.ToUInt32(BitConverter.GetBytes(f), 0); }
    }
}
