using System;
using System.Collections.Generic;

namespace RiffForge.Core
{
    /// <summary>
    /// A multi-instrument riff as the sidecar sends it (protocol schema "riff", Python
    /// <c>riffforge.music.riff.Riff</c>). Immutable. Build one from a payload with <see cref="RiffPayload.Decode"/>.
    /// </summary>
    public sealed class Riff
    {
        public const int StepsPerQuarter = 4;

        public readonly double Tempo;
        public readonly int MeterNumerator;
        public readonly int MeterDenominator;
        public readonly int Bars;
        public readonly string Key;
        public readonly string Mode;
        public readonly string Style;
        public readonly double Intensity;
        public readonly int Seed;
        public readonly string ModelId;
        public readonly string Tuning;
        readonly Dictionary<string, Note[]> _tracks;
        static readonly Note[] NoNotes = new Note[0];

        public Riff(double tempo, int meterNumerator, int meterDenominator, int bars, string key, string mode,
            string style, double intensity, int seed, string modelId, string tuning, IDictionary<string, Note[]> tracks)
        {
            if (tempo <= 0 || double.IsNaN(tempo) || double.IsInfinity(tempo))
                throw new ArgumentException("tempo=" + tempo + ": must be a positive number of BPM");
            if (meterNumerator < 1 || meterDenominator < 1)
                throw new ArgumentException("meter=[" + meterNumerator + ", " + meterDenominator + "]: both must be >= 1");
            if (meterNumerator * 16 % meterDenominator != 0)
                throw new ArgumentException("meter=[" + meterNumerator + ", " + meterDenominator + "]: a bar must be a whole number of 16th steps");
            if (bars < 1) throw new ArgumentException("bars=" + bars + ": must be >= 1");
            Tempo = tempo;
            MeterNumerator = meterNumerator;
            MeterDenominator = meterDenominator;
            Bars = bars;
            Key = key;
            Mode = mode;
            Style = style;
            Intensity = intensity;
            Seed = seed;
            ModelId = modelId;
            Tuning = tuning;
            _tracks = new Dictionary<string, Note[]>(StringComparer.Ordinal);
            if (tracks != null)
                foreach (var kv in tracks) _tracks[kv.Key] = (Note[])kv.Value.Clone();
        }

        /// <summary>16th steps per bar: 16 in 4/4, 12 in 3/4, 14 in 7/8.</summary>
        public int StepsPerBar { get { return MeterNumerator * 16 / MeterDenominator; } }

        public int TotalSteps { get { return Bars * StepsPerBar; } }

        /// <summary>Seconds one 16th step lasts at <see cref="Tempo"/> (a quarter note is one beat).</summary>
        public double SecondsPerStep { get { return 60.0 / Tempo / StepsPerQuarter; } }

        public double SecondsPerBar { get { return SecondsPerStep * StepsPerBar; } }

        public double DurationSeconds { get { return SecondsPerStep * TotalSteps; } }

        /// <summary>Instrument names with a track ("guitar", "bass", "drums").</summary>
        public IEnumerable<string> Instruments { get { return _tracks.Keys; } }

        public bool HasTrack(string instrument) { return _tracks.ContainsKey(instrument); }

        /// <summary>The notes of one instrument sorted by (start, pitch); empty when it has no track.</summary>
        public IList<Note> Notes(string instrument)
        {
            Note[] notes;
            return Array.AsReadOnly(_tracks.TryGetValue(instrument, out notes) ? notes : NoNotes);
        }

        public int NoteCount
        {
            get { var n = 0; foreach (var t in _tracks.Values) n += t.Length; return n; }
        }

        public override string ToString()
        {
            return "Riff(" + Style + ", " + Key + " " + Mode + ", " + Tempo + " BPM, " + Bars + " bars, intensity "
                + Intensity + ", seed " + Seed + ", " + NoteCount + " notes, " + ModelId + ")";
        }
    }
}
