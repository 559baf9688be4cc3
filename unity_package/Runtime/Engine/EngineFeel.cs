using System;
using System.Collections.Generic;
using RiffForge.Core;

namespace RiffForge.Engine
{
    /// <summary>
    /// A riff's harmony and tempo: tuning, mode, key and BPM (Python <c>generator._feel</c>). The request's own
    /// key, mode and tempo win; the rest comes from the style's vocabulary (<see cref="StyleSpec"/>).
    /// </summary>
    public sealed class EngineFeel
    {
        public readonly string Tuning;
        public readonly string Mode;
        /// <summary>The key as requested (a flat spelling such as "Bb" stays so), or the tuning's low string's name.</summary>
        public readonly string Key;
        public readonly double Tempo;

        public EngineFeel(string tuning, string mode, string key, double tempo)
        {
            Tuning = tuning;
            Mode = mode;
            Key = key;
            Tempo = tempo;
        }

        static bool IsAuto(string value) { return string.IsNullOrEmpty(value) || value == "auto"; }

        /// <summary>
        /// The feel of <paramref name="request"/>, drawing from <paramref name="random"/> (a request's feel stream,
        /// <c>PortableRandom.ForRequest(seed, styleIndex, PortableRandom.FeelStream)</c>) in the Python runtime's
        /// order: the tuning by the style's weights; the mode by its weights unless the request names one; the
        /// key is the request's, else the tuning's lowest string; the tempo, unless the request gives one, across
        /// the style's range by intensity (<c>0.06 + 0.88 * intensity</c> of the way, +-0.05 at random),
        /// rounded to whole BPM. Throws <see cref="ArgumentException"/> for a style or mode the table lacks.
        /// </summary>
        public static EngineFeel ForRequest(RiffRequest request, StyleTable styles, PortableRandom random)
        {
            if (request == null) throw new ArgumentNullException("request");
            if (styles == null) throw new ArgumentNullException("styles");
            if (random == null) throw new ArgumentNullException("random");
            var spec = styles.Style(request.Style);
            var tuning = Weighted(spec.Tunings, random);
            var mode = IsAuto(request.Mode) ? Weighted(spec.Modes, random) : request.Mode;
            if (!styles.HasMode(mode))
                throw new ArgumentException("RiffRequest.mode=" + mode + ": unknown mode; use one of "
                    + string.Join(", ", styles.ModeNames) + ", or null for auto");
            var key = IsAuto(request.Key) ? styles.PitchClassName(styles.Tuning(tuning).Lowest) : request.Key;
            styles.PitchClass(key);
            double tempo;
            if (request.Tempo.HasValue)
            {
                tempo = request.Tempo.Value;
            }
            else
            {
                var x = request.Intensity;
                var pos = 0.06 + 0.88 * x;
                pos += (random.NextDouble() - 0.5) * 0.1;
                pos = Math.Min(1.0, Math.Max(0.0, pos));
                tempo = EngineRender.RoundHalfEven(spec.TempoLow + (spec.TempoHigh - spec.TempoLow) * pos);
            }
            return new EngineFeel(tuning, mode, key, tempo);
        }

        /// <summary>One name of <paramref name="options"/> drawn by weight (Python <c>styles.weighted</c>: one uniform).</summary>
        public static string Weighted(IList<WeightedName> options, PortableRandom random)
        {
            var weights = new double[options.Count];
            for (var i = 0; i < weights.Length; i++) weights[i] = options[i].Weight;
            return options[random.ChooseWeighted(weights)].Name;
        }

        public override string ToString() { return Key + " " + Mode + ", " + Tuning + ", " + Tempo + " BPM"; }
    }
}
