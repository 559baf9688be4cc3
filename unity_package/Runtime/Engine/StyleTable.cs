using System;
using System.Collections.Generic;
using System.Globalization;

namespace RiffForge.Engine
{
    /// <summary>A name with a weight: one entry of a style's tuning or mode vocabulary.</summary>
    public struct WeightedName
    {
        public readonly string Name;
        public readonly double Weight;

        public WeightedName(string name, double weight)
        {
            Name = name;
            Weight = weight;
        }

        public override string ToString() { return Name + " (" + Weight.ToString(CultureInfo.InvariantCulture) + ")"; }
    }

    /// <summary>
    /// What the rendering and the feel read of one style (Python <c>riffforge.music.styles.StyleSpec</c>):
    /// its tempo range (BPM at intensity 0 and 1), its tunings and modes with their weights (drawn in this
    /// order), and how often the guitar voices a note as a chord.
    /// </summary>
    public sealed class StyleSpec
    {
        public readonly string Name;
        public readonly double TempoLow, TempoHigh;
        public readonly IList<WeightedName> Tunings;
        public readonly IList<WeightedName> Modes;
        /// <summary>Probability that an accented or moving guitar note is voiced as a chord.</summary>
        public readonly double ChordP;
        /// <summary>Probability that a plain (palm-muted) pedal note is voiced as a chord.</summary>
        public readonly double PedalChordP;

        public StyleSpec(string name, double tempoLow, double tempoHigh, IList<WeightedName> tunings,
            IList<WeightedName> modes, double chordP, double pedalChordP)
        {
            Name = name;
            TempoLow = tempoLow;
            TempoHigh = tempoHigh;
            Tunings = new List<WeightedName>(tunings).AsReadOnly();
            Modes = new List<WeightedName>(modes).AsReadOnly();
            ChordP = chordP;
            PedalChordP = pedalChordP;
        }
    }

    /// <summary>A tuning's playable ranges (MIDI pitches) for guitar and bass (Python <c>theory.Tuning</c>).</summary>
    public sealed class TuningSpec
    {
        public readonly string Name;
        /// <summary>Open lowest guitar string.</summary>
        public readonly int Lowest;
        /// <summary>Highest playable guitar pitch (top string, 24th fret).</summary>
        public readonly int Highest;
        public readonly int BassLowest;
        public readonly int BassHighest;

        public TuningSpec(string name, int lowest, int highest, int bassLowest, int bassHighest)
        {
            Name = name;
            Lowest = lowest;
            Highest = highest;
            BassLowest = bassLowest;
            BassHighest = bassHighest;
        }
    }

    /// <summary>
    /// The style table of the in-engine runtime: styles, tunings, modes, key names and the melody and drum
    /// encodings the rendering decodes with. Read from the package's <c>RiffForgeEngine/styles.json</c>, which
    /// the Python runtime writes from its own tables (<c>riffforge.runtime.engine_styles.style_table</c>), so
    /// both runtimes render a riff from the same data. Immutable after <see cref="Parse"/>.
    /// </summary>
    public sealed class StyleTable
    {
        public const int FormatVersion = 1;
        const string Regenerate = "regenerate it with `python build/engine_assets.py`";

        readonly List<string> _styleNames = new List<string>();
        readonly Dictionary<string, StyleSpec> _styles = new Dictionary<string, StyleSpec>(StringComparer.Ordinal);
        readonly List<string> _tuningNames = new List<string>();
        readonly Dictionary<string, TuningSpec> _tunings = new Dictionary<string, TuningSpec>(StringComparer.Ordinal);
        readonly List<string> _modeNames = new List<string>();
        readonly Dictionary<string, int[]> _modes = new Dictionary<string, int[]>(StringComparer.Ordinal);
        readonly string[] _pitchClasses = new string[12];
        readonly Dictionary<string, int> _keys = new Dictionary<string, int>(StringComparer.Ordinal);
        int[][] _drumClassPitches;
        readonly HashSet<int> _accented = new HashSet<int>();
        readonly HashSet<int> _cymbals = new HashSet<int>();

        /// <summary>The source name given to <see cref="Parse"/> (used in error messages).</summary>
        public string SourceName { get; private set; }

        /// <summary>Style names in table order (the Python runtime's <c>STYLES</c>; a style's index seeds its streams).</summary>
        public IList<string> StyleNames { get { return _styleNames.AsReadOnly(); } }

        public IList<string> TuningNames { get { return _tuningNames.AsReadOnly(); } }

        public IList<string> ModeNames { get { return _modeNames.AsReadOnly(); } }

        /// <summary>The 12 pitch-class names, C = 0 (sharps: "C#", "D#", ...).</summary>
        public IList<string> PitchClassNames { get { return Array.AsReadOnly(_pitchClasses); } }

        /// <summary>Lowest pitch a melody class plays: class <c>k >= 2</c> is pitch <c>MelodyMinPitch + k - 2</c>.</summary>
        public int MelodyMinPitch { get; private set; }

        public int MelodyMaxPitch { get; private set; }

        /// <summary>Melody classes: 0 = no event (the note sounds on), 1 = note off, then one per pitch.</summary>
        public int MelodyClasses { get; private set; }

        /// <summary>Drum classes: bit <c>t</c> set = drum type <c>t</c> hit (Magenta's 9-type kit: 512 classes).</summary>
        public int DrumClasses { get { return _drumClassPitches.Length; } }

        StyleTable() { }

        /// <summary>The index of <paramref name="style"/> in <see cref="StyleNames"/>, or -1.</summary>
        public int StyleIndex(string style) { return style == null ? -1 : _styleNames.IndexOf(style); }

        public bool TryGetStyle(string name, out StyleSpec spec)
        {
            spec = null;
            return name != null && _styles.TryGetValue(name, out spec);
        }

        /// <summary>The style <paramref name="name"/>; throws <see cref="ArgumentException"/> naming the known ones.</summary>
        public StyleSpec Style(string name)
        {
            StyleSpec spec;
            if (!TryGetStyle(name, out spec))
                throw new ArgumentException("style=" + Quote(name) + ": not in " + SourceName + "; use one of " + string.Join(", ", _styleNames.ToArray()));
            return spec;
        }

        public TuningSpec Tuning(string name)
        {
            TuningSpec t;
            if (name == null || !_tunings.TryGetValue(name, out t))
                throw new ArgumentException("tuning=" + Quote(name) + ": unknown tuning; use one of " + string.Join(", ", _tuningNames.ToArray()));
            return t;
        }

        public bool HasMode(string name) { return name != null && _modes.ContainsKey(name); }

        /// <summary>The semitone offsets from the root of mode <paramref name="name"/> (a copy).</summary>
        public int[] ModeIntervals(string name)
        {
            int[] m;
            if (name == null || !_modes.TryGetValue(name, out m))
                throw new ArgumentException("mode=" + Quote(name) + ": unknown mode; use one of " + string.Join(", ", _modeNames.ToArray()));
            return (int[])m.Clone();
        }

        /// <summary>"E" -> 4; accepts the sharps of <see cref="PitchClassNames"/> and the flats "Db", "Eb", "Gb", "Ab", "Bb".</summary>
        public int PitchClass(string key)
        {
            int pc;
            if (key == null || !_keys.TryGetValue(key, out pc))
                throw new ArgumentException("key=" + Quote(key) + ": not a pitch class; use one of " + string.Join(", ", _pitchClasses));
            return pc;
        }

        public string PitchClassName(int pitchClass) { return _pitchClasses[((pitchClass % 12) + 12) % 12]; }

        /// <summary>The GM pitches drum class <paramref name="cls"/> plays, ascending (shared array: do not modify).</summary>
        public int[] DrumClassPitches(int cls)
        {
            if (cls < 0 || cls >= _drumClassPitches.Length)
                throw new ArgumentOutOfRangeException("cls", "drum class " + cls + ": must be 0.." + (_drumClassPitches.Length - 1));
            return _drumClassPitches[cls];
        }

        /// <summary>Kick and snare pitches accented on the beat.</summary>
        public bool IsAccentedDrum(int pitch) { return _accented.Contains(pitch); }

        /// <summary>Cymbal pitches, played a little softer.</summary>
        public bool IsCymbal(int pitch) { return _cymbals.Contains(pitch); }

        // ------------------------------------------------------------------------------------------ parsing

        /// <summary>
        /// Reads a style table (the text of <c>styles.json</c>). <paramref name="sourceName"/> names the file in
        /// errors. Throws <see cref="EngineFormatException"/> naming the source, the field and the fix when the
        /// text is not JSON, a field is missing or has the wrong type, or the entries contradict each other
        /// (a style naming a tuning the table lacks, a tuning narrower than an octave, ...).
        /// </summary>
        public static StyleTable Parse(string json, string sourceName)
        {
            var source = string.IsNullOrEmpty(sourceName) ? "styles.json" : sourceName;
            if (json == null) throw new ArgumentNullException("json");
            object root;
            try
            {
                root = EngineJson.Parse(json);
            }
            catch (FormatException e)
            {
                throw new EngineFormatException(source + ": not valid JSON (" + e.Message + "); " + Regenerate);
            }
            var r = new Reader(source);
            var top = r.Object(root, "the top level");
            var table = new StyleTable { SourceName = source };
            var version = r.Int(top, "format_version", "");
            if (version != FormatVersion)
                throw r.Error("format_version", "is " + version + " but this engine reads format " + FormatVersion
                    + "; " + Regenerate + " from the Python runtime of this package version");
            table.ReadPitchClasses(r, top);
            table.ReadTunings(r, top);
            table.ReadModes(r, top);
            table.ReadStyles(r, top);
            table.ReadMelody(r, top);
            table.ReadDrums(r, top);
            return table;
        }

        void ReadPitchClasses(Reader r, Dictionary<string, object> top)
        {
            var names = r.List(top, "pitch_classes", "");
            if (names.Count != 12) throw r.Error("pitch_classes", "has " + names.Count + " names; list the 12 pitch classes from C");
            for (var pc = 0; pc < 12; pc++)
            {
                var name = r.String(names[pc], "pitch_classes[" + pc + "]");
                if (_keys.ContainsKey(name)) throw r.Error("pitch_classes[" + pc + "]", "repeats '" + name + "'; each pitch class once");
                _pitchClasses[pc] = name;
                _keys[name] = pc;
            }
            var aliases = r.Object(r.Field(top, "key_aliases", ""), "key_aliases");
            foreach (var kv in aliases)
            {
                var target = r.String(kv.Value, "key_aliases." + kv.Key);
                int pc;
                if (!_keys.TryGetValue(target, out pc))
                    throw r.Error("key_aliases." + kv.Key, "names '" + target + "', which is not in pitch_classes; name one of them");
                if (!_keys.ContainsKey(kv.Key)) _keys[kv.Key] = pc;
            }
        }

        void ReadTunings(Reader r, Dictionary<string, object> top)
        {
            var list = r.List(top, "tunings", "");
            if (list.Count == 0) throw r.Error("tunings", "is empty; list at least one tuning");
            for (var i = 0; i < list.Count; i++)
            {
                var at = "tunings[" + i + "]";
                var o = r.Object(list[i], at);
                var name = r.String(r.Field(o, "name", at), at + ".name");
                if (_tunings.ContainsKey(name)) throw r.Error(at + ".name", "repeats tuning '" + name + "'; list each tuning once");
                var t = new TuningSpec(name, r.Int(o, "lowest", at), r.Int(o, "highest", at), r.Int(o, "bass_lowest", at),
                    r.Int(o, "bass_highest", at));
                CheckRange(r, at, "lowest", "highest", t.Lowest, t.Highest);
                CheckRange(r, at, "bass_lowest", "bass_highest", t.BassLowest, t.BassHighest);
                _tunings[name] = t;
                _tuningNames.Add(name);
            }
        }

        static void CheckRange(Reader r, string at, string lowName, string highName, int low, int high)
        {
            if (low < 0 || high > 127)
                throw r.Error(at, lowName + "=" + low + ", " + highName + "=" + high + ": MIDI pitches are 0..127");
            // the rendering folds notes by octaves into the range, so it must hold at least one octave
            if (high - low < 12)
                throw r.Error(at, lowName + "=" + low + ", " + highName + "=" + high + ": the range must span at least an octave (12 semitones)");
        }

        void ReadModes(Reader r, Dictionary<string, object> top)
        {
            var list = r.List(top, "modes", "");
            if (list.Count == 0) throw r.Error("modes", "is empty; list at least one mode");
            for (var i = 0; i < list.Count; i++)
            {
                var at = "modes[" + i + "]";
                var o = r.Object(list[i], at);
                var name = r.String(r.Field(o, "name", at), at + ".name");
                if (_modes.ContainsKey(name)) throw r.Error(at + ".name", "repeats mode '" + name + "'; list each mode once");
                var offsets = r.List(o, "intervals", at);
                if (offsets.Count == 0) throw r.Error(at + ".intervals", "is empty; list the mode's semitone offsets from its root (0..11)");
                var intervals = new int[offsets.Count];
                for (var k = 0; k < offsets.Count; k++)
                {
                    intervals[k] = r.IntValue(offsets[k], at + ".intervals[" + k + "]");
                    if (intervals[k] < 0 || intervals[k] > 11)
                        throw r.Error(at + ".intervals[" + k + "]", "is " + intervals[k] + "; offsets from the root are 0..11");
                }
                _modes[name] = intervals;
                _modeNames.Add(name);
            }
        }

        void ReadStyles(Reader r, Dictionary<string, object> top)
        {
            var list = r.List(top, "styles", "");
            if (list.Count == 0) throw r.Error("styles", "is empty; list at least one style");
            for (var i = 0; i < list.Count; i++)
            {
                var at = "styles[" + i + "]";
                var o = r.Object(list[i], at);
                var name = r.String(r.Field(o, "name", at), at + ".name");
                if (_styles.ContainsKey(name)) throw r.Error(at + ".name", "repeats style '" + name + "'; list each style once");
                at = "styles[" + i + "] (" + name + ")";
                var tempo = r.List(o, "tempo", at);
                if (tempo.Count != 2) throw r.Error(at + ".tempo", "has " + tempo.Count + " numbers; give [BPM at intensity 0, BPM at intensity 1]");
                var lo = r.Number(tempo[0], at + ".tempo[0]");
                var hi = r.Number(tempo[1], at + ".tempo[1]");
                if (!(lo > 0 && hi >= lo))
                    throw r.Error(at + ".tempo", "is [" + Num(lo) + ", " + Num(hi) + "]; both must be positive BPM with the first <= the second");
                var tunings = Vocabulary(r, o, "tunings", at, _tunings.ContainsKey);
                var modes = Vocabulary(r, o, "modes", at, _modes.ContainsKey);
                var chordP = Probability(r, o, "chord_p", at);
                var pedalChordP = Probability(r, o, "pedal_chord_p", at);
                _styles[name] = new StyleSpec(name, lo, hi, tunings, modes, chordP, pedalChordP);
                _styleNames.Add(name);
            }
        }

        List<WeightedName> Vocabulary(Reader r, Dictionary<string, object> style, string field, string at, Func<string, bool> known)
        {
            var list = r.List(style, field, at);
            var path = at + "." + field;
            if (list.Count == 0) throw r.Error(path, "is empty; list at least one [name, weight]");
            var entries = new List<WeightedName>(list.Count);
            var total = 0.0;
            for (var k = 0; k < list.Count; k++)
            {
                var entry = r.ListValue(list[k], path + "[" + k + "]");
                if (entry.Count != 2) throw r.Error(path + "[" + k + "]", "must be [name, weight]");
                var name = r.String(entry[0], path + "[" + k + "][0]");
                if (!known(name))
                    throw r.Error(path + "[" + k + "]", "names '" + name + "', which is not in the table's " + field + "; add it there or use one of them");
                var weight = r.Number(entry[1], path + "[" + k + "][1]");
                if (!(weight >= 0)) throw r.Error(path + "[" + k + "][1]", "is " + Num(weight) + "; a weight is a number >= 0");
                total += weight;
                entries.Add(new WeightedName(name, weight));
            }
            if (!(total > 0)) throw r.Error(path, "has only zero weights; give at least one entry a positive weight");
            return entries;
        }

        static double Probability(Reader r, Dictionary<string, object> o, string field, string at)
        {
            var p = r.Number(r.Field(o, field, at), at + "." + field);
            if (!(p >= 0 && p <= 1)) throw r.Error(at + "." + field, "is " + Num(p) + "; a probability is 0..1");
            return p;
        }

        void ReadMelody(Reader r, Dictionary<string, object> top)
        {
            var m = r.Object(r.Field(top, "melody", ""), "melody");
            var min = r.Int(m, "min_pitch", "melody");
            var max = r.Int(m, "max_pitch", "melody");
            if (min < 0 || max > 127 || max < min) throw r.Error("melody", "min_pitch=" + min + ", max_pitch=" + max + ": need 0 <= min_pitch <= max_pitch <= 127");
            // Magenta's melody layout, which the decoding assumes: 0 no event, 1 note off, then the pitches
            if (r.Int(m, "no_event_class", "melody") != 0 || r.Int(m, "note_off_class", "melody") != 1)
                throw r.Error("melody", "no_event_class must be 0 and note_off_class 1 (Magenta's melody classes); " + Regenerate);
            var n = r.Int(m, "num_classes", "melody");
            if (n != max - min + 3)
                throw r.Error("melody.num_classes", "is " + n + " but min_pitch..max_pitch and the 2 special classes make " + (max - min + 3) + "; " + Regenerate);
            MelodyMinPitch = min;
            MelodyMaxPitch = max;
            MelodyClasses = n;
        }

        void ReadDrums(Reader r, Dictionary<string, object> top)
        {
            var d = r.Object(r.Field(top, "drums", ""), "drums");
            var types = r.List(d, "type_pitches", "drums");
            if (types.Count == 0 || types.Count > 16) throw r.Error("drums.type_pitches", "has " + types.Count + " drum types; list 1..16 GM pitches, one per type");
            var exemplar = new int[types.Count];
            for (var t = 0; t < types.Count; t++)
            {
                exemplar[t] = r.IntValue(types[t], "drums.type_pitches[" + t + "]");
                if (exemplar[t] < 0 || exemplar[t] > 127) throw r.Error("drums.type_pitches[" + t + "]", "is " + exemplar[t] + "; a GM drum pitch is 0..127");
            }
            var n = r.Int(d, "num_classes", "drums");
            if (n != 1 << types.Count)
                throw r.Error("drums.num_classes", "is " + n + " but " + types.Count + " drum types make " + (1 << types.Count) + " classes (one bit per type)");
            _drumClassPitches = new int[n][];
            var scratch = new List<int>(types.Count);
            for (var c = 0; c < n; c++)
            {
                scratch.Clear();
                for (var t = 0; t < types.Count; t++)
                    if (((c >> t) & 1) != 0 && !scratch.Contains(exemplar[t])) scratch.Add(exemplar[t]);
                scratch.Sort();
                _drumClassPitches[c] = scratch.ToArray();
            }
            foreach (var p in r.List(d, "accented", "drums")) _accented.Add(r.IntValue(p, "drums.accented[]"));
            foreach (var p in r.List(d, "cymbals", "drums")) _cymbals.Add(r.IntValue(p, "drums.cymbals[]"));
        }

        static string Quote(string s) { return s == null ? "null" : "'" + s + "'"; }

        static string Num(double v) { return v.ToString("R", CultureInfo.InvariantCulture); }

        /// <summary>Typed access to the parsed JSON with errors that name the source and the field.</summary>
        sealed class Reader
        {
            readonly string _source;

            public Reader(string source) { _source = source; }

            public EngineFormatException Error(string field, string problem)
            {
                return new EngineFormatException(_source + ": " + (field.Length == 0 ? "" : field + " ") + problem);
            }

            static string Path(string at, string field) { return at.Length == 0 ? field : at + "." + field; }

            public object Field(Dictionary<string, object> o, string field, string at)
            {
                object v;
                if (!o.TryGetValue(field, out v))
                    throw Error(Path(at, field), "is missing; " + Regenerate);
                return v;
            }

            public Dictionary<string, object> Object(object v, string at)
            {
                var o = v as Dictionary<string, object>;
                if (o == null) throw Error(at, "must be a JSON object, not " + Kind(v));
                return o;
            }

            public List<object> List(Dictionary<string, object> o, string field, string at)
            {
                return ListValue(Field(o, field, at), Path(at, field));
            }

            public List<object> ListValue(object v, string at)
            {
                var l = v as List<object>;
                if (l == null) throw Error(at, "must be a JSON array, not " + Kind(v));
                return l;
            }

            public string String(object v, string at)
            {
                var s = v as string;
                if (string.IsNullOrEmpty(s)) throw Error(at, "must be a non-empty string, not " + Kind(v));
                return s;
            }

            public double Number(object v, string at)
            {
                if (!(v is double)) throw Error(at, "must be a number, not " + Kind(v));
                var d = (double)v;
                if (double.IsNaN(d) || double.IsInfinity(d)) throw Error(at, "is " + Num(d) + "; must be a finite number");
                return d;
            }

            public int Int(Dictionary<string, object> o, string field, string at)
            {
                return IntValue(Field(o, field, at), Path(at, field));
            }

            public int IntValue(object v, string at)
            {
                var d = Number(v, at);
                if (d != Math.Floor(d) || d < int.MinValue || d > int.MaxValue) throw Error(at, "is " + Num(d) + "; must be a whole number");
                return (int)d;
            }

            static string Kind(object v)
            {
                if (v == null) return "null";
                if (v is string) return "a string";
                if (v is double) return "a number";
                if (v is bool) return "a boolean";
                if (v is List<object>) return "an array";
                return "an object";
            }
        }
    }
}
