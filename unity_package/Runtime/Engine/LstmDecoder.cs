// Two builds of the same arithmetic. System.Numerics.Vector4 (4 float32 lanes; Mono's JIT turns it into SSE
// instructions) lives in System.Numerics.dll, which Unity references by default only at the .NET Standard API
// compatibility level: at .NET Framework it references mscorlib, System, System.Core,
// System.Runtime.Serialization, System.Xml and System.Xml.Linq and nothing else
// (https://docs.unity3d.com/2022.3/Documentation/Manual/dotnetProfileAssemblies.html). So the decoder uses
// Vector4 only where the level's scripting symbol says .NET Standard (NET_STANDARD_2_0, NET_STANDARD_2_1,
// NET_STANDARD; NET_4_6 says .NET Framework 4.x; UNITY_5_3_OR_NEWER is defined in every Unity compile:
// https://docs.unity3d.com/6000.0/Documentation/Manual/scripting-symbol-reference.html) or outside Unity (the
// repository's Mono builds); everywhere else it runs scalar loops: per row and unit the same float32 operations in
// the same order as a Vector4 lane, so both builds decode bit for bit alike (tests/csharp/run.sh builds and tests
// both). A Unity compile with no level symbol at all thus still compiles, on the scalar path.
#if (NET_STANDARD_2_0 || NET_STANDARD_2_1 || NET_STANDARD || !UNITY_5_3_OR_NEWER) && !NET_4_6
#define RIFFFORGE_VECTOR4
#endif
using System;
#if RIFFFORGE_VECTOR4
using System.Numerics;
#endif

namespace RiffForge.Engine
{
    /// <summary>
    /// Decodes one latent code into a sequence of classes with an <see cref="EngineModel"/>: Magenta's flat
    /// categorical LSTM decoder, as <c>riffforge.runtime.model</c> runs it.
    /// <para>
    /// The network, per decode: each layer's initial <c>(c, h)</c> = <c>tanh(dense(z))</c>, split layer by layer
    /// as <c>c</c> then <c>h</c>. Each step feeds <c>[previous class one-hot (zeros at step 0), z, controls]</c>
    /// to the stacked LSTM (gates i, f, c, o; the forget bias is part of the stored bias), projects the top
    /// layer's <c>h</c> to logits, and picks <c>argmax(logits + gumbel)</c>: with temperature-scaled Gumbel
    /// noise that samples <c>softmax(logits / temperature)</c>, without it it is the greedy choice.
    /// </para>
    /// <para>
    /// Speed: what does not change within a decode (the code's contribution to layer 0's gates plus its bias,
    /// and every step's control contribution) is computed once in <see cref="Begin"/>; the previous class
    /// enters as one row of layer 0's kernel; every per-step product is a sequential dot product over a
    /// transposed float32 weight row, four rows at a time (in the lanes of a Vector4 where System.Numerics is
    /// referenced, see the top of this file). <see cref="Step"/> allocates nothing. One
    /// decoder per model per thread: its buffers are its own, the model is shared read-only.
    /// </para>
    /// </summary>
    public sealed class LstmDecoder
    {
        readonly EngineModel m;
        readonly int layers, steps, depth, zSize, ctrlDepth;
        readonly int[] sizes;
        readonly float[][] cell;       // per layer [H]
        readonly float[][] input;      // per layer: layer 0 [H0] = its h; layer l: [H_{l-1} + H_l] = [h below, own h]
        readonly int[] ownH;           // where layer l's h sits in input[l]
        readonly float[][] gates;      // per layer [4H]
        readonly float[] zGates;       // [4H0]: bias + z . kernel rows of z
        readonly float[] ctrlGates;    // [Steps, 4H0] or null
        readonly float[] state;        // [2 sum H] initial state scratch
        readonly float[] logits;       // [OutputDepth] this step's logits
        readonly int[] classes;
        float[] keptLogits;
        float[] gumbel;
        int stepIndex, prev;

        /// <summary>When set before <see cref="Begin"/>, every step's logits are kept in <see cref="Logits"/>.</summary>
        public bool KeepLogits;

        public LstmDecoder(EngineModel model)
        {
            if (model == null) throw new ArgumentNullException("model");
            m = model;
            sizes = model.sizes;
            layers = sizes.Length;
            steps = model.Steps;
            depth = model.OutputDepth;
            zSize = model.ZSize;
            ctrlDepth = model.ControlDepth;
            cell = new float[layers][];
            input = new float[layers][];
            gates = new float[layers][];
            ownH = new int[layers];
            for (var l = 0; l < layers; l++)
            {
                cell[l] = new float[sizes[l]];
                ownH[l] = l == 0 ? 0 : sizes[l - 1];
                input[l] = new float[ownH[l] + sizes[l]];
                gates[l] = new float[4 * sizes[l]];
            }
            zGates = new float[4 * sizes[0]];
            ctrlGates = ctrlDepth > 0 ? new float[steps * 4 * sizes[0]] : null;
            state = new float[model.StateSize];
            logits = new float[depth];
            classes = new int[steps];
            StepIndex = 0;
            stepIndex = steps;   // nothing to decode before Begin
        }

        public EngineModel Model { get { return m; } }

        /// <summary>Steps decoded since <see cref="Begin"/> (equals the model's Steps when done).</summary>
        public int StepIndex { get; private set; }

        /// <summary>True when every step of the current decode is done (or before the first Begin).</summary>
        public bool IsDone { get { return stepIndex >= steps; } }

        /// <summary>The class chosen at each step [Steps]; valid up to <see cref="StepIndex"/>. Reused by the next Begin.</summary>
        public int[] Classes { get { return classes; } }

        /// <summary>Each step's logits [Steps * OutputDepth] when <see cref="KeepLogits"/> was set at Begin, else null.</summary>
        public float[] Logits { get { return KeepLogits ? keptLogits : null; } }

        /// <summary>
        /// Start a decode of <paramref name="z"/> [ZSize]. <paramref name="controls"/> [Steps * ControlDepth] (step
        /// major) are the per-step controls, required when the model has them, else null. <paramref name="gumbel"/>
        /// [Steps * OutputDepth] is Gumbel noise already scaled by the temperature (null: greedy, argmax). The
        /// decoder reads <paramref name="gumbel"/> while stepping: do not change it until the decode is done.
        /// </summary>
        public unsafe void Begin(float[] z, float[] controls, float[] gumbel)
        {
            if (z == null || z.Length != zSize)
                throw new ArgumentException("z has " + (z == null ? "no" : z.Length.ToString()) + " values; model " + m.ModelId + " needs ZSize = " + zSize, "z");
            if (ctrlDepth > 0 && (controls == null || controls.Length != steps * ctrlDepth))
                throw new ArgumentException("controls has " + (controls == null ? "no" : controls.Length.ToString()) + " values; model " + m.ModelId + " needs Steps * ControlDepth = " + steps * ctrlDepth, "controls");
            if (ctrlDepth == 0 && controls != null && controls.Length != 0)
                throw new ArgumentException("model " + m.ModelId + " takes no controls; pass null", "controls");
            if (gumbel != null && gumbel.Length != steps * depth)
                throw new ArgumentException("gumbel has " + gumbel.Length + " values; model " + m.ModelId + " needs Steps * OutputDepth = " + steps * depth + " (or null for greedy)", "gumbel");
            this.gumbel = gumbel;
            if (KeepLogits && keptLogits == null) keptLogits = new float[steps * depth];

            // initial state: tanh(z . W + b), layer by layer (c, h)
            Array.Copy(m.InitBias, state, state.Length);
            Array.Copy(m.Bias[0], zGates, zGates.Length);
            fixed (float* zp = z, sp = state, iw = m.InitKernelT, gp = zGates, zw = m.ZKernelT)
            {
                MatVecAdd(iw, zp, sp, state.Length, zSize);
                // layer 0's constant part: bias + z . (z rows of its kernel)
                MatVecAdd(zw, zp, gp, zGates.Length, zSize);
            }
            var pos = 0;
            for (var l = 0; l < layers; l++)
            {
                var H = sizes[l];
                for (var j = 0; j < H; j++)
                {
                    cell[l][j] = Tanh(state[pos + j]);
                    input[l][ownH[l] + j] = Tanh(state[pos + H + j]);
                }
                pos += 2 * H;
            }
            // each step's controls . (control rows of layer 0's kernel)
            if (ctrlGates != null)
            {
                Array.Clear(ctrlGates, 0, ctrlGates.Length);
                var G0 = zGates.Length;
                for (var t = 0; t < steps; t++)
                    AddRows(controls, t * ctrlDepth, ctrlDepth, m.ControlKernel, G0, ctrlGates, t * G0);
            }
            prev = -1;
            stepIndex = 0;
            StepIndex = 0;
        }

        /// <summary>
        /// Reads one float of every 64-byte cache line of the weights a step multiplies with, so that the next
        /// step finds them in the cache (the first step after another model ran otherwise costs about twice a
        /// step); computes nothing the decode uses. Frame slicing runs it as its own unit of work.
        /// </summary>
        public unsafe int Touch()
        {
            var bits = 0;
            for (var l = 0; l <= layers; l++)
            {
                var w = l < layers ? m.StepKernelT[l] : m.OutKernelT;
                fixed (float* p = w)
                {
                    // the float bits as ints (Mono keeps int locals in registers), four lines per round
                    var q = (int*)p;
                    int i = 0, n = w.Length;
                    for (; i + 64 <= n; i += 64) bits ^= q[i] ^ q[i + 16] ^ q[i + 32] ^ q[i + 48];
                    for (; i < n; i += 16) bits ^= q[i];
                }
            }
            return bits;
        }

        /// <summary>Begin, then every step.</summary>
        public void Decode(float[] z, float[] controls, float[] gumbel)
        {
            Begin(z, controls, gumbel);
            while (Step()) { }
        }

        /// <summary>
        /// Decode the next step (allocates nothing). Returns true while steps remain after this one, false once the
        /// decode is complete (a call after that does nothing and returns false), so <c>while (decoder.Step()) { }</c>
        /// runs a whole decode.
        /// </summary>
        public unsafe bool Step()
        {
            if (stepIndex >= steps) return false;
            var t = stepIndex;
            int H0 = sizes[0], G0 = 4 * H0;
            // layer 0: constant part + previous class row + this step's controls + recurrent product
            fixed (float* g = gates[0], zg = zGates, x = input[0], w = m.StepKernelT[0])
            {
#if RIFFFORGE_VECTOR4
                // (G0 = 4 H0 is a multiple of 4: whole Vector4s, lane by lane the scalar sums below)
                var g4 = (Vector4*)g;
                var n4 = G0 >> 2;
                if (prev >= 0)
                {
                    fixed (float* row = &m.PrevKernel[prev * G0])
                        for (var r = 0; r < n4; r++) g4[r] = ((Vector4*)zg)[r] + ((Vector4*)row)[r];
                }
                else
                {
                    for (var r = 0; r < n4; r++) g4[r] = ((Vector4*)zg)[r];
                }
                if (ctrlGates != null)
                {
                    fixed (float* cg = &ctrlGates[t * G0])
                        for (var r = 0; r < n4; r++) g4[r] = g4[r] + ((Vector4*)cg)[r];
                }
#else
                if (prev >= 0)
                {
                    fixed (float* row = &m.PrevKernel[prev * G0])
                        for (var r = 0; r < G0; r++) g[r] = zg[r] + row[r];
                }
                else
                {
                    for (var r = 0; r < G0; r++) g[r] = zg[r];
                }
                if (ctrlGates != null)
                {
                    fixed (float* cg = &ctrlGates[t * G0])
                        for (var r = 0; r < G0; r++) g[r] = g[r] + cg[r];
                }
#endif
                MatVecAdd(w, x, g, G0, H0);
            }
            Activate(0);
            // upper layers: bias + [h below, own h] . [input kernel; recurrent kernel]
            for (var l = 1; l < layers; l++)
            {
                int G = 4 * sizes[l], width = ownH[l] + sizes[l];
                fixed (float* g = gates[l], b = m.Bias[l], x = input[l], w = m.StepKernelT[l])
                {
                    for (var r = 0; r < G; r++) g[r] = b[r];
                    MatVecAdd(w, x, g, G, width);
                }
                Activate(l);
            }
            // output projection and the class choice
            var top = layers - 1;
            int best = 0;
            fixed (float* lg = logits, b = m.OutBias, w = m.OutKernelT, h = &input[top][ownH[top]])
            {
                for (var d = 0; d < depth; d++) lg[d] = b[d];
                MatVecAdd(w, h, lg, depth, sizes[top]);
                if (gumbel != null)
                {
                    fixed (float* nz = &gumbel[t * depth])
                    {
                        var bestV = lg[0] + nz[0];
                        for (var d = 1; d < depth; d++)
                        {
                            var v = lg[d] + nz[d];
                            if (v > bestV) { bestV = v; best = d; }
                        }
                    }
                }
                else
                {
                    var bestV = lg[0];
                    for (var d = 1; d < depth; d++)
                        if (lg[d] > bestV) { bestV = lg[d]; best = d; }
                }
            }
            if (KeepLogits && keptLogits != null) Array.Copy(logits, 0, keptLogits, t * depth, depth);
            classes[t] = best;
            prev = best;
            stepIndex = t + 1;
            StepIndex = stepIndex;
            return stepIndex < steps;
        }

        /// <summary>LSTM update of layer l from its gate pre-activations: c = f c + i g, h = o tanh(c); the new h goes
        /// to the layer's own slot and to the next layer's input.</summary>
        unsafe void Activate(int l)
        {
            int H = sizes[l];
            var next = l + 1 < layers ? input[l + 1] : input[l];   // (the layer's own input when it is the top)
            var nextOff = l + 1 < layers ? 0 : ownH[l];
            fixed (float* g = gates[l], c = cell[l], x = &input[l][ownH[l]], nx = &next[nextOff])
            {
                float* gi = g, gf = g + H, gc = g + 2 * H, go = g + 3 * H;
                var j = 0;
#if RIFFFORGE_VECTOR4
                // four units at a time in the lanes of a Vector4 (the same float32 operations as the scalar
                // loop below, lane by lane), then the rest one by one
                for (; j + 4 <= H; j += 4)
                {
                    var cj = Sigmoid4(*(Vector4*)(gf + j)) * *(Vector4*)(c + j) + Sigmoid4(*(Vector4*)(gi + j)) * Tanh4(*(Vector4*)(gc + j));
                    *(Vector4*)(c + j) = cj;
                    var h = Sigmoid4(*(Vector4*)(go + j)) * Tanh4(cj);
                    *(Vector4*)(x + j) = h;
                    *(Vector4*)(nx + j) = h;
                }
#endif
                for (; j < H; j++)
                {
                    var cj = Sigmoid(gf[j]) * c[j] + Sigmoid(gi[j]) * Tanh(gc[j]);
                    c[j] = cj;
                    var h = Sigmoid(go[j]) * Tanh(cj);
                    x[j] = h;
                    nx[j] = h;
                }
            }
        }

#if RIFFFORGE_VECTOR4
        static readonly Vector4 Half4 = new Vector4(0.5f), Clamp4 = new Vector4(TanhClamp), NegClamp4 = new Vector4(-TanhClamp),
            VA1 = new Vector4(A1), VA3 = new Vector4(A3), VA5 = new Vector4(A5), VA7 = new Vector4(A7), VA9 = new Vector4(A9),
            VA11 = new Vector4(A11), VA13 = new Vector4(A13), VB0 = new Vector4(B0), VB2 = new Vector4(B2), VB4 = new Vector4(B4), VB6 = new Vector4(B6);

        /// <summary><see cref="Sigmoid"/> lane by lane.</summary>
        static Vector4 Sigmoid4(Vector4 x)
        {
            return Tanh4(x * 0.5f) * 0.5f + Half4;
        }

        /// <summary><see cref="Tanh"/> lane by lane (the same clamp, polynomials and division).</summary>
        static Vector4 Tanh4(Vector4 x)
        {
            x = Vector4.Min(Vector4.Max(x, NegClamp4), Clamp4);
            var x2 = x * x;
            return x * (VA1 + x2 * (VA3 + x2 * (VA5 + x2 * (VA7 + x2 * (VA9 + x2 * (VA11 + x2 * VA13))))))
                 / (VB0 + x2 * (VB2 + x2 * (VB4 + x2 * VB6)));
        }
#endif

        /// <summary>sigmoid(x) = 0.5 tanh(x / 2) + 0.5 (as the Python runtime computes it).</summary>
        static float Sigmoid(float x)
        {
            return 0.5f * Tanh(0.5f * x) + 0.5f;
        }

        /// <summary>The decoder's float32 tanh (see below); public so that tests can check its accuracy.</summary>
        // tanh as a [13/6] rational function on [-7.905, 7.905] (beyond that tanh rounds to +-1 in float32):
        // absolute error below 4e-7 over the whole range (checked against float64 tanh), 2.5x faster than
        // Math.Tanh on Mono, whose double-precision libm call dominates the LSTM's element-wise work.
        const float TanhClamp = 7.90531110763549805f;
        const float A1 = 4.89352455891786e-03f, A3 = 6.37261928875436e-04f, A5 = 1.48572235717979e-05f,
            A7 = 5.12229709037114e-08f, A9 = -8.60467152213735e-11f, A11 = 2.00018790482477e-13f, A13 = -2.76076847742355e-16f;
        const float B0 = 4.89352518554385e-03f, B2 = 2.26843463243900e-03f, B4 = 1.18534705686654e-04f, B6 = 1.19825839466702e-06f;

        public static float Tanh(float x)
        {
            if (x > TanhClamp) x = TanhClamp;
            else if (x < -TanhClamp) x = -TanhClamp;
            var x2 = x * x;
            return x * (A1 + x2 * (A3 + x2 * (A5 + x2 * (A7 + x2 * (A9 + x2 * (A11 + x2 * A13))))))
                 / (B0 + x2 * (B2 + x2 * (B4 + x2 * B6)));
        }

        /// <summary>
        /// out[r] += sum_k w[r, k] x[k] for r &lt; rows, <paramref name="w"/> in row blocks (EngineModel.Blocked: 4 rows
        /// column by column): each block's 4 dot products run in the lanes of one Vector4 (or one after another in
        /// the scalar build).
        /// </summary>
        // Every lane does exactly the float32 operations, in the same order, of a dot product over one row written
        // as one accumulator statement per 16 products summed as a tree (Mono's JIT keeps the terms of one
        // expression in registers): that is the scalar build's Tree16, so both builds give the same bits; Mono's JIT
        // turns Vector4 arithmetic into SSE instructions (mulps, addps), about 3 times the scalar speed.
        // System.Numerics.Vector4 is part of .NET Standard 2.0 and 2.1
        // (https://learn.microsoft.com/en-us/dotnet/api/system.numerics.vector4); for the .NET Framework level,
        // where Unity does not reference System.Numerics.dll, see the top of this file.
#if RIFFFORGE_VECTOR4
        static unsafe void MatVecAdd(float* w, float* x, float* outp, int rows, int n)
        {
            var full = rows >> 2;
            var blocks = (Vector4*)w;
            for (var b = 0; b < full; b++)
            {
                var o = (Vector4*)(outp + 4 * b);
                *o = *o + Dot4(blocks + (long)b * n, x, n);
            }
            var rest = rows & 3;
            if (rest != 0)
            {
                var s = Dot4(blocks + (long)full * n, x, n);
                var o = outp + 4 * full;
                o[0] += s.X;
                if (rest > 1) o[1] += s.Y;
                if (rest > 2) o[2] += s.Z;
            }
        }

        /// <summary>Lane i: sum_k a[k].lane(i) b[k], summed as the scalar kernel does (see <see cref="MatVecAdd"/>).</summary>
        static unsafe Vector4 Dot4(Vector4* a, float* b, int n)
        {
            var s = Vector4.Zero;
            var end16 = a + (n & ~15);
            while (a < end16)
            {
                s += (((a[0] * b[0] + a[1] * b[1]) + (a[2] * b[2] + a[3] * b[3])) + ((a[4] * b[4] + a[5] * b[5]) + (a[6] * b[6] + a[7] * b[7])))
                   + (((a[8] * b[8] + a[9] * b[9]) + (a[10] * b[10] + a[11] * b[11])) + ((a[12] * b[12] + a[13] * b[13]) + (a[14] * b[14] + a[15] * b[15])));
                a += 16;
                b += 16;
            }
            for (var k = 0; k < (n & 15); k++) s += a[k] * b[k];
            return s;
        }
#else
        static unsafe void MatVecAdd(float* w, float* x, float* outp, int rows, int n)
        {
            for (var b = 0; 4 * b < rows; b++)
            {
                var a = w + (long)b * 4 * n;
                var xb = x;
                float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
                // the block's 4 rows in one pass over it, each summed as Dot4 sums its lane
                var end16 = a + 4 * (n & ~15);
                while (a < end16)
                {
                    s0 += Tree16(a, xb);
                    s1 += Tree16(a + 1, xb);
                    s2 += Tree16(a + 2, xb);
                    s3 += Tree16(a + 3, xb);
                    a += 64;
                    xb += 16;
                }
                for (var k = 0; k < (n & 15); k++)
                {
                    s0 += a[4 * k] * xb[k];
                    s1 += a[4 * k + 1] * xb[k];
                    s2 += a[4 * k + 2] * xb[k];
                    s3 += a[4 * k + 3] * xb[k];
                }
                var o = outp + 4 * b;
                var lanes = rows - 4 * b;
                o[0] += s0;
                if (lanes > 1) o[1] += s1;
                if (lanes > 2) o[2] += s2;
                if (lanes > 3) o[3] += s3;
            }
        }

        /// <summary>sum_k a[4 k] b[k] for k &lt; 16, as a tree: one lane of Dot4's 16 products.</summary>
        static unsafe float Tree16(float* a, float* b)
        {
            return (((a[0] * b[0] + a[4] * b[1]) + (a[8] * b[2] + a[12] * b[3])) + ((a[16] * b[4] + a[20] * b[5]) + (a[24] * b[6] + a[28] * b[7])))
                 + (((a[32] * b[8] + a[36] * b[9]) + (a[40] * b[10] + a[44] * b[11])) + ((a[48] * b[12] + a[52] * b[13]) + (a[56] * b[14] + a[60] * b[15])));
        }
#endif

        /// <summary>out[off + j] += sum_i x[xOff + i] w[i, j] for i &lt; count (w row-major [count, cols]); zero
        /// entries of x (most of a one-hot control) are skipped.</summary>
        static unsafe void AddRows(float[] x, int xOff, int count, float[] w, int cols, float[] outp, int off)
        {
            fixed (float* wp = w, op = &outp[off])
            {
                for (var i = 0; i < count; i++)
                {
                    var v = x[xOff + i];
                    if (v == 0f) continue;
                    var row = wp + (long)i * cols;
                    for (var j = 0; j < cols; j++) op[j] += v * row[j];
                }
            }
        }
    }
}
