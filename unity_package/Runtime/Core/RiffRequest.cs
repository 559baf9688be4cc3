using System;
using System.Collections.Generic;

namespace RiffForge.Core
{
    /// <summary>
    /// What to generate (protocol schema "request", Python <c>riffforge.generation.RiffRequest</c>).
    /// Null <see cref="Tempo"/>, <see cref="Key"/>, <see cref="Mode"/> mean "auto"; null <see cref="Seed"/>
    /// lets the sidecar pick (and allows an answer from its prefetch cache); null <see cref="Temperature"/>
    /// uses the generator's default.
    /// </summary>
    public sealed class RiffRequest
    {
        public static readonly string[] AllInstruments = { "guitar", "bass", "drums" };
        public static readonly string[] Keys = { "C", "C#", "Db", "D", "D#", "Eb", "E", "F", "F#", "Gb", "G", "G#", "Ab", "A", "A#", "Bb", "B" };
        public const double MinTempo = 40.0, MaxTempo = 320.0, MaxTemperature = 4.0;

        public double Intensity;
        public string Style = "thrash";
        public int Bars = 2;
        public double? Tempo;
        public string Key;
        public string Mode;
        public int? Seed;
        public string[] Instruments = (string[])AllInstruments.Clone();
        public double? Temperature;

        public RiffRequest() { }

        public RiffRequest(double intensity) { Intensity = intensity; }

        public RiffRequest Clone()
        {
            var c = (RiffRequest)MemberwiseClone();
            c.Instruments = Instruments == null ? null : (string[])Instruments.Clone();
            return c;
        }

        /// <summary>
        /// Checks the request against the protocol's rules (and, when given, the sidecar's capabilities).
        /// Throws <see cref="ArgumentException"/> naming the field, the bad value and the fix.
        /// </summary>
        public void Validate(SidecarCapabilities capabilities = null)
        {
            if (double.IsNaN(Intensity) || Intensity < 0.0 || Intensity > 1.0)
                throw Bad("intensity=" + Intensity + ": must be within 0..1");
            if (string.IsNullOrEmpty(Style)) throw Bad("style is empty: use one of thrash, death, black, doom, djent, groove");
            var maxBars = capabilities != null ? capabilities.MaxBars : 16;
            if (Bars < 1 || Bars > maxBars) throw Bad("bars=" + Bars + ": must be an integer 1.." + maxBars);
            if (Tempo.HasValue && (double.IsNaN(Tempo.Value) || Tempo.Value < MinTempo || Tempo.Value > MaxTempo))
                throw Bad("tempo=" + Tempo.Value + ": must be " + MinTempo + ".." + MaxTempo + " BPM, or null for auto");
            if (Key != null && Key != "auto" && Array.IndexOf(Keys, Key) < 0)
                throw Bad("key=" + Key + ": must be one of " + string.Join(" ", Keys) + ", or null for auto");
            if (Seed.HasValue && Seed.Value < 0) throw Bad("seed=" + Seed.Value + ": must be 0..2147483647, or null");
            if (Temperature.HasValue && (double.IsNaN(Temperature.Value) || Temperature.Value <= 0.0 || Temperature.Value > MaxTemperature))
                throw Bad("temperature=" + Temperature.Value + ": must be in (0, 4], or null for the default");
            if (Instruments == null || Instruments.Length == 0)
                throw Bad("instruments is empty: name at least one of guitar, bass, drums");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var name in Instruments)
            {
                if (name == null || !seen.Add(name)) throw Bad("instruments lists '" + name + "' twice (or null): list each instrument once");
            }
            if (capabilities != null)
            {
                if (Array.IndexOf(capabilities.Styles, Style) < 0)
                    throw Bad("style=" + Style + ": this sidecar knows " + string.Join(", ", capabilities.Styles));
                foreach (var name in Instruments)
                    if (Array.IndexOf(capabilities.Instruments, name) < 0)
                        throw Bad("instruments: '" + name + "' is not one of " + string.Join(", ", capabilities.Instruments));
                if (Mode != null && Mode != "auto" && capabilities.Modes != null && Array.IndexOf(capabilities.Modes, Mode) < 0)
                    throw Bad("mode=" + Mode + ": this sidecar knows " + string.Join(", ", capabilities.Modes) + ", or null for auto");
            }
        }

        /// <summary>The canonical msgpack payload: all nine keys in schema order.</summary>
        public byte[] ToPayload()
        {
            var map = new List<KeyValuePair<string, object>>
            {
                Entry("intensity", Intensity),
                Entry("style", Style),
                Entry("bars", Bars),
                Entry("tempo", Tempo.HasValue ? (object)Tempo.Value : "auto"),
                Entry("key", Key ?? "auto"),
                Entry("mode", Mode ?? "auto"),
                Entry("seed", Seed.HasValue ? (object)Seed.Value : null),
                Entry("instruments", Instruments),
                Entry("temperature", Temperature.HasValue ? (object)Temperature.Value : null),
            };
            return MsgPackWriter.Encode(map);
        }

        static KeyValuePair<string, object> Entry(string key, object value) { return new KeyValuePair<string, object>(key, value); }

        static ArgumentException Bad(string message) { return new ArgumentException("RiffRequest." + message); }

        public override string ToString()
        {
            return "RiffRequest(intensity " + Intensity + ", " + Style + ", " + Bars + " bars"
                + (Seed.HasValue ? ", seed " + Seed.Value : "") + ")";
        }
    }
}
