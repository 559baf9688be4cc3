using System;

namespace RiffForge.Engine
{
    /// <summary>
    /// The random stream the Python runtime's portable mode draws from too
    /// (<c>riffforge.runtime.portable.PortableRandom</c>), so one seed gives the same riff on both sides.
    /// SplitMix64: each draw adds <see cref="GoldenGamma"/> to the 64-bit state and returns the SplitMix64 mix
    /// of the new state. A uniform is <c>(u64 &gt;&gt; 11) * 2^-53</c>; a normal is Box-Muller, one per two
    /// uniforms <c>u1, u2</c> drawn in that order, <c>sqrt(-2 log(1 - u1)) cos(2 pi u2)</c>; an exponential is
    /// <c>-log(1 - u)</c>. Arrays are filled in C order (the last index fastest), as NumPy draws them.
    /// Not thread-safe: one stream per request.
    /// </summary>
    public sealed class PortableRandom : IUniformSource
    {
        public const ulong GoldenGamma = 0x9E3779B97F4A7C15UL;

        /// <summary>Stream numbers of one request: latent codes, sampling and the phrase plan.</summary>
        public const int RequestStream = 0;
        /// <summary>The guitar's chord voicings.</summary>
        public const int VoicingStream = 1;
        /// <summary>Tuning, mode and tempo (the feel).</summary>
        public const int FeelStream = 2;

        const double Unit53 = 1.0 / 9007199254740992.0;   // 2^-53
        const double TwoPi = 2.0 * Math.PI;
        // A Gumbel draw takes log(max(e, 2^-53)) of an exponential e (e is 0 only for u = 0).
        const double MinExponential = 1.0 / 9007199254740992.0;

        ulong _state;

        public PortableRandom(ulong seed) { _state = seed; }

        /// <summary>The 64-bit state (the next draw mixes <c>State + GoldenGamma</c>).</summary>
        public ulong State { get { return _state; } }

        /// <summary>
        /// A request's stream: state <c>Mix64(seed &lt;&lt; 16 | styleIndex &lt;&lt; 8 | stream)</c> (Python
        /// <c>riffforge.runtime.portable.stream_seed</c>); <paramref name="styleIndex"/> indexes the style list
        /// (thrash, death, black, doom, djent, groove).
        /// </summary>
        public static PortableRandom ForRequest(int seed, int styleIndex, int stream)
        {
            if (seed < 0) throw new ArgumentOutOfRangeException("seed", seed, "PortableRandom.ForRequest: seed must be >= 0");
            if (styleIndex < 0 || styleIndex > 255) throw new ArgumentOutOfRangeException("styleIndex", styleIndex, "PortableRandom.ForRequest: style index must be 0..255");
            if (stream < 0 || stream > 255) throw new ArgumentOutOfRangeException("stream", stream, "PortableRandom.ForRequest: stream must be 0..255");
            return new PortableRandom(Mix64(((ulong)seed << 16) | ((ulong)styleIndex << 8) | (ulong)stream));
        }

        /// <summary>The SplitMix64 output function.</summary>
        public static ulong Mix64(ulong z)
        {
            unchecked
            {
                z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
                z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
                return z ^ (z >> 31);
            }
        }

        public ulong NextUInt64()
        {
            unchecked { _state += GoldenGamma; }
            return Mix64(_state);
        }

        /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
        public double NextDouble() { return (NextUInt64() >> 11) * Unit53; }

        /// <summary>One Box-Muller normal (two uniforms).</summary>
        public double NextStandardNormal()
        {
            var u1 = NextDouble();
            var u2 = NextDouble();
            return Math.Sqrt(-2.0 * Math.Log(1.0 - u1)) * Math.Cos(TwoPi * u2);
        }

        /// <summary><c>-log(1 - u)</c>.</summary>
        public double NextStandardExponential() { return -Math.Log(1.0 - NextDouble()); }

        /// <summary>
        /// <paramref name="count"/> normals into <paramref name="dest"/> from <paramref name="offset"/>, each
        /// rounded to float and times <paramref name="scale"/> in float (NumPy's
        /// <c>standard_normal(n).astype(float32) * scale</c>).
        /// </summary>
        public void FillStandardNormal(float[] dest, int offset, int count, float scale)
        {
            for (var i = 0; i < count; i++)
            {
                var n = (float)NextStandardNormal();
                dest[offset + i] = (float)(n * scale);
            }
        }

        /// <summary>
        /// <paramref name="count"/> values of temperature-scaled Gumbel noise (Python
        /// <c>PortableRandom.gumbel_noise</c>): per value <c>float(log(max(e, 2^-53))) * float(-temperature)</c> of
        /// an exponential <c>e</c>; sampling from <c>softmax(logits / T)</c> is then <c>argmax(logits + noise)</c>.
        /// </summary>
        public void FillGumbel(float[] dest, int offset, int count, double temperature)
        {
            var negT = (float)(-temperature);
            for (var i = 0; i < count; i++)
            {
                var e = NextStandardExponential();
                if (e < MinExponential) e = MinExponential;
                var g = (float)Math.Log(e);
                dest[offset + i] = (float)(g * negT);
            }
        }

        /// <summary>
        /// <c>random.Random.choices(population, weights)[0]</c>: one uniform times the total weight, the first
        /// index whose running sum (left to right) exceeds it (bisect right, capped at the last index).
        /// </summary>
        public int ChooseWeighted(double[] weights)
        {
            if (weights == null || weights.Length == 0) throw new ArgumentException("PortableRandom.ChooseWeighted: weights is empty");
            var cum = new double[weights.Length];
            var sum = 0.0;
            for (var i = 0; i < weights.Length; i++) { sum = i == 0 ? weights[0] : sum + weights[i]; cum[i] = sum; }
            var r = NextDouble() * (cum[cum.Length - 1] + 0.0);
            int lo = 0, hi = cum.Length - 1;
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (r < cum[mid]) hi = mid; else lo = mid + 1;
            }
            return lo;
        }
    }
}
