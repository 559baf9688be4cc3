using System;
using System.Collections.Generic;
using RiffForge.Core;

namespace RiffForge.Engine
{
    /// <summary>
    /// Generates band riffs in-engine from the guitar, bass and drums models, the same riffs the Python runtime
    /// generates in its portable mode (<c>ModelGenerator(bundles, noise="portable")</c>) from the same request and
    /// seed. How a request becomes a riff (all randomness from <see cref="PortableRandom"/> streams of the seed):
    /// <list type="number">
    /// <item>the feel (tuning, mode, key, tempo) from the style (<see cref="EngineFeel"/>);</item>
    /// <item>latent codes: Gaussian noise placed at each model's style centroid (pushed <c>StyleGain</c> times its
    /// distance from the corpus mean) and moved along the style's intensity axis by
    /// <c>gain * (intensity - 0.5) * 2</c> (drum axes stretched to the longest style axis), decoded at a
    /// temperature that rises with intensity;</item>
    /// <item><c>Candidates</c> guitar codes and <c>DrumCandidates</c> drum codes are decoded; the guitar whose
    /// energy is closest to the intensity's target on the model's scale wins; among the drums, energy fit plus
    /// a bonus for kicks on the guitar's onsets, minus a penalty for blast bars in styles without blasts; a
    /// winning drum part with a blast bar there is decoded again lower on the axis;</item>
    /// <item>longer riffs are phrases: variations of the winning codes (slerp towards fresh noise), arranged as
    /// figure, answers and turnaround, the drums keeping their groove;</item>
    /// <item>the bass decodes with the guitar's root line per step as its control, then everything is rendered
    /// (<see cref="EngineRender"/>).</item>
    /// </list>
    /// Thread-safe for concurrent jobs: the models and tables are read-only, each job has its own decoders.
    /// </summary>
    public sealed class EngineGenerator
    {
        /// <summary>At or below this temperature a decode is greedy (argmax), as the Python runtime's.</summary>
        public const double GreedyTemperature = 1e-4;
        /// <summary>Styles that keep blast beats (elsewhere a blast bar costs a drum candidate).</summary>
        static readonly string[] BlastStyles = { "death", "black" };
        /// <summary>How far each variation of a phrase moves from the figure's code (slerp fraction).</summary>
        internal static readonly double[] PhraseVariation = { 0.2, 0.3, 0.4 };

        internal readonly EngineModel Guitar, Bass, Drums;
        internal readonly StyleTable Styles;
        internal readonly EngineSettings Settings;
        internal readonly ModelControls GuitarControls, BassControls, DrumControls;
        readonly string _modelId;

        public EngineGenerator(IList<EngineModel> models, StyleTable styles, EngineSettings settings = null)
        {
            if (models == null || models.Count == 0)
                throw new ArgumentException("EngineGenerator needs the guitar and drums models (and a bass model): pass the loaded EngineModels", "models");
            if (styles == null) throw new ArgumentNullException("styles", "EngineGenerator needs the style table (StyleTable.Parse of styles.json)");
            Settings = (settings ?? EngineSettings.Default).Clone();
            Settings.Validate();
            Styles = styles;
            foreach (var m in models)
            {
                if (m == null) throw new ArgumentException("models contains null", "models");
                if (m.Role == "guitar" && Guitar == null) Guitar = m;
                else if (m.Role == "bass" && Bass == null) Bass = m;
                else if (m.Role == "drums" && Drums == null) Drums = m;
            }
            if (Guitar == null || Drums == null)
                throw new ArgumentException("EngineGenerator needs a model with role 'guitar' and one with role 'drums'; got "
                    + Roles(models) + ": load metal-guitar.bytes and metal-drums.bytes too", "models");
            if (Guitar.Encoding != "melody" || Drums.Encoding != "drums")
                throw new ArgumentException("the guitar model must have encoding 'melody' (has '" + Guitar.Encoding
                    + "') and the drums model 'drums' (has '" + Drums.Encoding + "')", "models");
            if (Guitar.Steps != Drums.Steps || Guitar.Bars != Drums.Bars || Guitar.ZSize != Drums.ZSize || Guitar.ControlDepth != 0 || Drums.ControlDepth != 0)
                throw new ArgumentException("the guitar (" + Guitar.ModelId + ") and drums (" + Drums.ModelId
                    + ") models must be flat models of equal length and code size without controls, as the shipped 2-bar models are", "models");
            if (Guitar.Steps != Guitar.Bars * EngineRender.StepsPerBar)
                throw new ArgumentException("the guitar model " + Guitar.ModelId + " has " + Guitar.Steps + " steps for "
                    + Guitar.Bars + " bars: the engine needs 16 steps per bar", "models");
            if (Bass != null && (Bass.ControlDepth == 0 || Bass.Encoding != "melody"))
                throw new ArgumentException("the bass model " + Bass.ModelId + " has no chord controls: the engine plays only a "
                    + "guitar-conditioned bass (a chord-control melody model such as bass-chords_2bar); leave it out and the bass doubles the guitar", "models");
            GuitarControls = new ModelControls(Guitar, styles, Settings);
            DrumControls = new ModelControls(Drums, styles, Settings);
            BassControls = Bass != null ? new ModelControls(Bass, styles, Settings) : null;
            _modelId = Guitar.ModelId + (Bass != null ? "+" + Bass.ModelId : "") + "+" + Drums.ModelId;
        }

        /// <summary>"guitar+bass+drums" model ids, as the Python runtime names the riffs' model.</summary>
        public string ModelId { get { return _modelId; } }

        /// <summary>A copy of the settings this generator runs with.</summary>
        public EngineSettings CurrentSettings { get { return Settings.Clone(); } }

        /// <summary>The whole request at once (seeded by <c>request.Seed</c>; a null seed draws one).</summary>
        public Riff Generate(RiffRequest request)
        {
            var job = Start(request);
            job.RunToEnd();
            return job.Result;
        }

        /// <summary>
        /// A resumable generation of <paramref name="request"/>: call <see cref="GenerationJob.Step"/> with a budget
        /// of decoder steps per frame until it returns false. The request is validated (and copied) here.
        /// </summary>
        public GenerationJob Start(RiffRequest request)
        {
            if (request == null) throw new ArgumentNullException("request");
            request.Validate();
            if (Styles.StyleIndex(request.Style) < 0)
                throw new ArgumentException("RiffRequest.style=" + request.Style + ": the engine knows " + string.Join(", ", Styles.StyleNames));
            foreach (var name in request.Instruments)
                if (name != EngineRender.Guitar && name != EngineRender.Bass && name != EngineRender.Drums)
                    throw new ArgumentException("RiffRequest.instruments: '" + name + "' is not one of guitar, bass, drums");
            return new GenerationJob(this, request.Clone());
        }

        // Buffers (and decoders) of finished jobs, by GenerationJob.Buffers.KeyOf, so that a steady stream of
        // requests allocates little more than its riffs; at most PoolDepth per key.
        const int PoolDepth = 2;
        readonly Dictionary<int, Stack<GenerationJob.Buffers>> _pool = new Dictionary<int, Stack<GenerationJob.Buffers>>();

        internal GenerationJob.Buffers RentBuffers(RiffRequest request)
        {
            var key = GenerationJob.Buffers.KeyOf(this, request);
            lock (_pool)
            {
                Stack<GenerationJob.Buffers> stack;
                if (_pool.TryGetValue(key, out stack) && stack.Count > 0) return stack.Pop();
            }
            return new GenerationJob.Buffers(this, request);
        }

        internal void ReturnBuffers(GenerationJob.Buffers buffers)
        {
            if (buffers == null) return;
            lock (_pool)
            {
                Stack<GenerationJob.Buffers> stack;
                if (!_pool.TryGetValue(buffers.Key, out stack)) _pool[buffers.Key] = stack = new Stack<GenerationJob.Buffers>();
                if (stack.Count < PoolDepth) stack.Push(buffers);
            }
        }

        static string Roles(IList<EngineModel> models)
        {
            var parts = new List<string>();
            foreach (var m in models) parts.Add(m == null ? "null" : m.ModelId + " (" + m.Role + ")");
            return parts.Count == 0 ? "none" : string.Join(", ", parts.ToArray());
        }

        internal static bool IsBlastStyle(string style) { return Array.IndexOf(BlastStyles, style) >= 0; }

        // ------------------------------------------------------------------------- candidate scores

        // Energy of each of Magenta's 512 drum classes (9 drum types, bit k = type k): the weighted sum of its
        // types in the Python runtime's summation order (NumPy's pairwise sum over 9 terms).
        static readonly double[] DrumWeights = { 1.5, 1.3, 0.15, 0.25, 0.9, 0.9, 0.9, 0.3, 0.15 };
        internal static readonly double[] DrumClassEnergy = BuildDrumClassEnergy();
        const int HitBits = 0x73;            // kick, snare and the three toms: the strokes that drive a groove
        const int KickOrSnareBits = 0x3;
        const int CymbalBits = 0x18C;        // closed and open hi-hat, crash, ride

        static double[] BuildDrumClassEnergy()
        {
            var table = new double[512];
            var a = new double[9];
            for (var c = 0; c < 512; c++)
            {
                for (var k = 0; k < 9; k++) a[k] = ((c >> k) & 1) != 0 ? DrumWeights[k] : 0.0;
                table[c] = (((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]))) + a[8];
            }
            return table;
        }

        /// <summary>Energy of one guitar part (<c>control.class_energy</c>): 1.5 x the share of steps with an onset.</summary>
        internal static double GuitarEnergy(int[] classes, int length)
        {
            var n = 0;
            for (var t = 0; t < length; t++) if (classes[t] >= 2) n++;
            return 0.0 + (double)n / length * 1.5;
        }

        /// <summary>Energy of one drum part: 2 x the mean class energy per step plus the share of steps with a kick,
        /// snare or tom (summed left to right, as NumPy sums the candidates' rows there).</summary>
        internal static double DrumEnergy(int[] classes, int length)
        {
            var sum = 0.0;
            var hits = 0;
            for (var t = 0; t < length; t++)
            {
                sum += DrumClassEnergy[classes[t]];
                if ((classes[t] & HitBits) != 0) hits++;
            }
            return 0.0 + (sum / length * 2.0 + (double)hits / length);
        }

        /// <summary>Bars with a blast beat: kick or snare on at least 12 of 16 steps and a cymbal on at least 8.</summary>
        internal static int BlastBars(int[] classes, int length)
        {
            var count = 0;
            for (var bar = 0; bar + EngineRender.StepsPerBar <= length; bar += EngineRender.StepsPerBar)
            {
                int ks = 0, cym = 0;
                for (var t = bar; t < bar + EngineRender.StepsPerBar; t++)
                {
                    if ((classes[t] & KickOrSnareBits) != 0) ks++;
                    if ((classes[t] & CymbalBits) != 0) cym++;
                }
                if (ks >= 12 && cym >= 8) count++;
            }
            return count;
        }

        /// <summary>2 x the share of the guitar's onset steps that have a kick (over the shorter of the two).</summary>
        internal static double LockBonus(int[] drums, int drumLength, bool[] onsets, int onsetLength)
        {
            var t = Math.Min(drumLength, onsetLength);
            int both = 0, g = 0;
            for (var i = 0; i < t; i++)
            {
                if (!onsets[i]) continue;
                g++;
                if ((drums[i] & 1) != 0) both++;
            }
            return 2.0 * both / Math.Max(1, g);
        }

        /// <summary>
        /// NumPy's <c>interp(x, linspace(0, 1, n), quantiles)</c>: the target energy of an intensity on a model's
        /// scale, or null without quantiles.
        /// </summary>
        internal static double? TargetEnergy(float[] quantiles, double x)
        {
            if (quantiles == null || quantiles.Length < 2) return null;
            var n = quantiles.Length;
            if (double.IsNaN(x)) return x;
            if (x < Linspace(0, n)) return quantiles[0];
            if (x > Linspace(n - 1, n)) return quantiles[n - 1];
            var j = 0;
            while (j + 1 < n && Linspace(j + 1, n) <= x) j++;
            if (j == n - 1) return quantiles[n - 1];
            var xj = Linspace(j, n);
            if (xj == x) return quantiles[j];
            var slope = ((double)quantiles[j + 1] - quantiles[j]) / (Linspace(j + 1, n) - xj);
            return slope * (x - xj) + quantiles[j];
        }

        /// <summary>Point <paramref name="i"/> of NumPy's <c>linspace(0, 1, n)</c>: <c>i * (1 / (n - 1))</c>, the last exactly 1.</summary>
        static double Linspace(int i, int n)
        {
            if (i == n - 1) return 1.0;
            var step = 1.0 / (n - 1);
            return i * step + 0.0;
        }

        /// <summary>
        /// The candidate to keep (<c>ModelGenerator._pick</c>): the energy closest to the intensity's target, in
        /// tenths of the model's energy range, minus <paramref name="bonus"/>; without quantiles, the candidate at
        /// the intensity's rank. <paramref name="energy"/> [n] is overwritten with the costs.
        /// </summary>
        internal static int Pick(double[] energy, int n, float[] quantiles, double x, double[] bonus,
            int[] order = null, double[] keys = null, double[] ranks = null)
        {
            if (n == 1) return 0;
            var target = TargetEnergy(quantiles, x);
            if (target == null)
            {
                // (order, keys, ranks: scratch of at least n, allocated here when not given)
                if (order == null) order = new int[n];
                for (var i = 0; i < n; i++) order[i] = i;
                if (keys == null) keys = new double[n];
                Array.Copy(energy, keys, n);
                StableSort(order, keys, n);
                if (ranks == null) ranks = new double[n];
                for (var r = 0; r < n; r++) ranks[order[r]] = r;
                for (var i = 0; i < n; i++) energy[i] = Math.Abs(ranks[i] - x * (n - 1));
            }
            else
            {
                float lo = quantiles[0], hi = quantiles[0];
                for (var i = 1; i < quantiles.Length; i++) { lo = Math.Min(lo, quantiles[i]); hi = Math.Max(hi, quantiles[i]); }
                double spread = (float)(hi - lo);
                if (spread == 0) spread = 1.0;
                for (var i = 0; i < n; i++) energy[i] = Math.Abs(energy[i] - target.Value) / spread * 10.0;
            }
            if (bonus != null) for (var i = 0; i < n; i++) energy[i] = energy[i] - bonus[i];
            var best = 0;
            for (var i = 1; i < n; i++) if (energy[i] < energy[best]) best = i;
            return best;
        }

        static void StableSort(int[] order, double[] keys, int n)
        {
            for (var i = 1; i < n; i++)
            {
                var o = order[i];
                var j = i - 1;
                while (j >= 0 && keys[order[j]] > keys[o]) { order[j + 1] = order[j]; j--; }
                order[j + 1] = o;
            }
        }

        // ------------------------------------------------------------------------- latent geometry

        /// <summary>Dot product in double, summed left to right (the Python portable mode's <c>sequential_dot</c>).</summary>
        internal static double SequentialDot(float[] a, int aOff, float[] b, int bOff, int n)
        {
            var s = 0.0;
            for (var i = 0; i < n; i++) s += (double)a[aOff + i] * b[bOff + i];
            return s;
        }

        /// <summary>
        /// Spherical interpolation from <paramref name="a"/> to <paramref name="b"/> at <paramref name="t"/> into
        /// <paramref name="dest"/> (Python <c>portable.portable_slerp</c>: double precision, left-to-right sums,
        /// linear where the two are (anti)parallel).
        /// </summary>
        internal static void Slerp(float[] a, int aOff, float[] b, int bOff, int n, double t, float[] dest, int destOff)
        {
            var na = Math.Sqrt(SequentialDot(a, aOff, a, aOff, n));
            var nb = Math.Sqrt(SequentialDot(b, bOff, b, bOff, n));
            double c1 = 1 - t, c2 = t;
            var linear = na == 0 || nb == 0;
            if (!linear)
            {
                var cos = 0.0;
                for (var i = 0; i < n; i++) cos += (a[aOff + i] / na) * (b[bOff + i] / nb);
                cos = Math.Min(1.0, Math.Max(-1.0, cos));
                var omega = Math.Acos(cos);
                if (omega < 1e-6 || Math.PI - omega < 1e-6) linear = true;
                else
                {
                    var s = Math.Sin(omega);
                    c1 = Math.Sin((1 - t) * omega) / s;
                    c2 = Math.Sin(t * omega) / s;
                }
            }
            for (var i = 0; i < n; i++) dest[destOff + i] = (float)(c1 * a[aOff + i] + c2 * b[bOff + i]);
        }

        /// <summary>
        /// A model's latent controls per style, prepared once: where a code starts (the corpus mean pushed past the
        /// style centroid) and the style's intensity axis, and the energy quantiles its candidates are scored on.
        /// </summary>
        internal sealed class ModelControls
        {
            readonly float[][] _offset;     // per style: mean + StyleGain * (centroid - mean), or null
            readonly float[][] _axis;       // per style: the intensity direction, or null
            readonly float[][] _quantiles;  // per style: energy quantiles, or null
            readonly double _gainLow, _gainHigh;
            public readonly int ZSize;

            public ModelControls(EngineModel model, StyleTable styles, EngineSettings settings)
            {
                ZSize = model.ZSize;
                _gainLow = settings.IntensityGainLow;
                _gainHigh = settings.IntensityGainHigh;
                var names = styles.StyleNames;
                _offset = new float[names.Count][];
                _axis = new float[names.Count][];
                _quantiles = new float[names.Count][];
                float[] mean, global, globalQ;
                if (!model.TryGetControl("latent_mean", out mean)) mean = null;
                if (!model.TryGetControl("intensity_direction", out global)) global = null;
                if (!model.TryGetControl("energy_quantiles", out globalQ)) globalQ = null;
                // a drum model's style axes are stretched to its longest style axis, so every style's drums climb
                // their whole vocabulary over intensity 0..1
                var longest = 0.0;
                if (model.Role == "drums")
                    foreach (var name in model.ControlNames)
                        if (name.StartsWith("intensity_direction/", StringComparison.Ordinal))
                        {
                            float[] v;
                            model.TryGetControl(name, out v);
                            longest = Math.Max(longest, Math.Sqrt(SequentialDot(v, 0, v, 0, v.Length)));
                        }
                var gain = (float)settings.StyleGain;
                for (var s = 0; s < names.Count; s++)
                {
                    float[] centroid, own, q;
                    if (model.TryGetControl("style/" + names[s], out centroid))
                    {
                        Check(model, "style/" + names[s], centroid);
                        var off = new float[ZSize];
                        for (var i = 0; i < ZSize; i++)
                        {
                            var m = mean != null ? mean[i] : 0f;
                            var d = (float)(centroid[i] - m);
                            var pushed = (float)(gain * d);
                            off[i] = (float)(m + pushed);
                        }
                        _offset[s] = off;
                    }
                    if (model.TryGetControl("intensity_direction/" + names[s], out own))
                    {
                        Check(model, "intensity_direction/" + names[s], own);
                        if (model.Role == "drums")
                        {
                            var norm = Math.Sqrt(SequentialDot(own, 0, own, 0, own.Length));
                            var scale = (float)(longest / Math.Max(norm, 1e-6));
                            var stretched = new float[ZSize];
                            for (var i = 0; i < ZSize; i++) stretched[i] = (float)(own[i] * scale);
                            own = stretched;
                        }
                        _axis[s] = own;
                    }
                    else if (global != null)
                    {
                        Check(model, "intensity_direction", global);
                        _axis[s] = global;
                    }
                    _quantiles[s] = model.TryGetControl("energy_quantiles/" + names[s], out q) ? q : globalQ;
                }
            }

            static void Check(EngineModel model, string name, float[] v)
            {
                if (v == null || v.Length != model.ZSize)
                    throw new EngineFormatException(model.Source + ": control '" + name + "' has " + (v == null ? 0 : v.Length)
                        + " values, the model's ZSize is " + model.ZSize + "; re-export the engine model (build/engine_assets.py)");
            }

            public float[] Quantiles(int style) { return _quantiles[style]; }

            /// <summary>
            /// The code of <paramref name="noise"/> (already scaled) for a style and intensity into
            /// <paramref name="dest"/> (Python <c>ModelGenerator._latents</c>, float32 step by step).
            /// </summary>
            public void Latent(int style, double x, float[] noise, int noiseOff, float[] dest, int destOff)
            {
                var off = _offset[style];
                var axis = _axis[style];
                var move = (float)((x - 0.5) * 2.0 * (x >= 0.5 ? _gainHigh : _gainLow));
                for (var i = 0; i < ZSize; i++)
                {
                    var z = noise[noiseOff + i];
                    if (off != null) z = (float)(z + off[i]);
                    if (axis != null)
                    {
                        var step = (float)(move * axis[i]);
                        z = (float)(z + step);
                    }
                    dest[destOff + i] = z;
                }
            }
        }
    }
}
