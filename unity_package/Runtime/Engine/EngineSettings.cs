using System;

namespace RiffForge.Engine
{
    /// <summary>
    /// The knobs of <see cref="EngineGenerator"/>, with the Python runtime's defaults
    /// (<c>riffforge.runtime.generator.ModelGenerator</c>; the request vectors record Python's values and a test
    /// checks these equal them). Read once when a generator is built.
    /// </summary>
    public sealed class EngineSettings
    {
        /// <summary>Guitar codes decoded per request; the one whose energy fits the intensity is kept.</summary>
        public int Candidates = 3;
        /// <summary>Drum codes decoded per request; the one locked to the guitar, at the intensity's energy, wins.</summary>
        public int DrumCandidates = 2;
        /// <summary>Scale of the Gaussian noise of a latent code.</summary>
        public double LatentNoise = 0.8;
        /// <summary>How far intensity 0 moves a code down the style's intensity axis (the calm end moves less).</summary>
        public double IntensityGainLow = 1.5;
        /// <summary>How far intensity 1 moves a code up the style's intensity axis.</summary>
        public double IntensityGainHigh = 3.0;
        /// <summary>Sampling temperature at intensity 0.</summary>
        public double TemperatureLow = 0.1;
        /// <summary>Sampling temperature at intensity 1.</summary>
        public double TemperatureHigh = 0.8;
        /// <summary>How far past its distance from the corpus mean a code is pushed towards the style centroid.</summary>
        public double StyleGain = 3.0;

        /// <summary>The Python runtime's defaults (a new instance each time).</summary>
        public static EngineSettings Default { get { return new EngineSettings(); } }

        /// <summary>
        /// One guitar and one drum code per request: about half the decoder steps of the default for a 2-bar
        /// riff, at the cost of the candidate choice (energy fit, kicks locked to the guitar).
        /// </summary>
        public static EngineSettings Fast { get { return new EngineSettings { Candidates = 1, DrumCandidates = 1 }; } }

        public EngineSettings Clone() { return (EngineSettings)MemberwiseClone(); }

        /// <summary>Throws <see cref="ArgumentException"/> naming the field and the fix.</summary>
        public void Validate()
        {
            if (Candidates < 1 || Candidates > 16) throw Bad("Candidates=" + Candidates + ": must be 1..16");
            if (DrumCandidates < 1 || DrumCandidates > 16) throw Bad("DrumCandidates=" + DrumCandidates + ": must be 1..16");
            if (!(LatentNoise >= 0) || double.IsInfinity(LatentNoise)) throw Bad("LatentNoise=" + LatentNoise + ": must be a finite number >= 0");
            if (!IsFinite(IntensityGainLow) || !IsFinite(IntensityGainHigh)) throw Bad("IntensityGainLow/High must be finite numbers");
            if (!(TemperatureLow > 0) || !(TemperatureHigh > 0) || double.IsInfinity(TemperatureLow) || double.IsInfinity(TemperatureHigh))
                throw Bad("TemperatureLow=" + TemperatureLow + ", TemperatureHigh=" + TemperatureHigh + ": both must be finite and > 0");
            if (!IsFinite(StyleGain)) throw Bad("StyleGain=" + StyleGain + ": must be a finite number");
        }

        static bool IsFinite(double v) { return !double.IsNaN(v) && !double.IsInfinity(v); }

        static ArgumentException Bad(string message) { return new ArgumentException("EngineSettings." + message); }
    }
}
