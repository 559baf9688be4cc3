using System;
using System.Collections.Generic;
using RiffForge.Core;

namespace RiffForge
{
    /// <summary>
    /// A few riffs written into the package, played when the sidecar is missing or dies so a game never goes
    /// silent. They are built from readable tab-like lines (see <see cref="Guitar"/> and <see cref="Drums"/>):
    /// E standard, one riff per intensity band, two bars of 4/4 each. <see cref="Pick"/> answers a request with
    /// the nearest one.
    /// </summary>
    public static class BakedRiffs
    {
        /// <summary>The model id baked riffs carry, so a listener can tell them from generated ones.</summary>
        public const string ModelId = "baked-fallback";
        const int LowE = 40, BassLowE = 28;

        static Riff[] _all;

        /// <summary>All baked riffs, sorted by intensity (built once).</summary>
        public static IList<Riff> All
        {
            get
            {
                if (_all == null) _all = Build();
                return Array.AsReadOnly(_all);
            }
        }

        /// <summary>
        /// The baked riff for <paramref name="request"/>: same style if one exists within 0.25 intensity,
        /// otherwise the nearest intensity; only the instruments the request asks for are kept.
        /// </summary>
        public static Riff Pick(RiffRequest request)
        {
            if (request == null) throw new ArgumentNullException("request");
            Riff best = null;
            var bestScore = double.MaxValue;
            foreach (var riff in All)
            {
                var score = Math.Abs(riff.Intensity - request.Intensity);
                if (riff.Style != request.Style) score += 0.25;
                if (score < bestScore) { best = riff; bestScore = score; }
            }
            return Only(best, request.Instruments, request.Intensity);
        }

        /// <summary>
        /// A copy of <paramref name="riff"/> with only the tracks named in <paramref name="instruments"/> (null: all),
        /// labelled with <paramref name="intensity"/> when given.
        /// </summary>
        public static Riff Only(Riff riff, string[] instruments, double? intensity = null)
        {
            var tracks = new Dictionary<string, Note[]>();
            foreach (var name in riff.Instruments)
                if (instruments == null || Array.IndexOf(instruments, name) >= 0)
                    tracks[name] = new List<Note>(riff.Notes(name)).ToArray();
            return new Riff(riff.Tempo, riff.MeterNumerator, riff.MeterDenominator, riff.Bars, riff.Key, riff.Mode, riff.Style,
                intensity ?? riff.Intensity, riff.Seed, riff.ModelId, riff.Tuning, tracks);
        }

        static Riff[] Build()
        {
            return new[]
            {
                Make("doom", 0.2, 66,
                    guitar: "0-------5---3---|0-------7-6-5---",
                    drums: new[] { "k:x.........x.....|x.........x.x...", "s:........X.......|........X.......", "r:x...x...x...x...|x...x...x...x..." }),
                Make("groove", 0.45, 112,
                    guitar: "0.00..0.3-0.00..|0.00..0.5-3-1...",
                    drums: new[] { "k:x.xx..x.x.xx..x.|x.xx..x.x.xx....", "s:....X.......X...|....X.......X.xx", "h:x.x.x.x.x.x.x.x.|x.x.x.x.x.x.x.x." }),
                Make("thrash", 0.7, 184,
                    guitar: "0.000.000.003.5.|0.000.000.006.5.",
                    drums: new[] { "k:x.x.x.x.x.x.x.x.|x.x.x.x.x.x.x.x.", "s:..X...X...X...X.|..X...X...X...X.", "r:x.x.x.x.x.x.x.x.|x.x.x.x.x.x.x.x.", "c:x...............|x..............." }),
                Make("death", 0.95, 200,
                    guitar: "0000111100003333|0000111155553333",
                    drums: new[] { "k:x.x.x.x.x.x.x.x.|x.x.x.x.x.x.x.x.", "s:.X.X.X.X.X.X.X.X|.X.X.X.X.X.X.X.X", "C:xxxxxxxxxxxxxxxx|xxxxxxxxxxxxxxxx" }),
            };
        }

        static Riff Make(string style, double intensity, double tempo, string guitar, string[] drums)
        {
            var tracks = new Dictionary<string, Note[]>
            {
                { "guitar", Guitar(guitar, LowE, 100, true) },
                { "bass", Guitar(guitar, BassLowE, 96, false) },
                { "drums", Drums(drums) },
            };
            var bars = guitar.Split('|').Length;
            CheckSteps(guitar, bars);
            foreach (var line in drums) CheckSteps(line.Substring(2), bars);
            return new Riff(tempo, 4, 4, bars, "E", "phrygian", style, intensity, 0, ModelId, "E standard", tracks);
        }

        static void CheckSteps(string line, int bars)
        {
            foreach (var bar in line.Split('|'))
                if (bar.Length != 16) throw new FormatException("baked riff line \"" + line + "\" has a bar of " + bar.Length + " steps; every bar needs 16");
            if (line.Split('|').Length != bars) throw new FormatException("baked riff line \"" + line + "\" does not have " + bars + " bars");
        }

        /// <summary>
        /// Notes from a tab-like line of 16th steps, bars separated by '|': a fret digit (0-9, then a=10, b=11,
        /// c=12) starts a note on the low string, '-' holds the previous note, '.' is a rest. With
        /// <paramref name="powerChord"/> every onset plays root, fifth and octave.
        /// </summary>
        public static Note[] Guitar(string line, int openString, int velocity, bool powerChord)
        {
            var notes = new List<Note>();
            var step = 0;
            var start = -1;
            var fret = 0;
            Action close = () =>
            {
                if (start < 0) return;
                var root = openString + fret;
                var length = step - start;
                notes.Add(new Note(start, length, root, velocity));
                if (powerChord)
                {
                    notes.Add(new Note(start, length, root + 7, velocity));
                    notes.Add(new Note(start, length, root + 12, velocity));
                }
                start = -1;
            };
            foreach (var c in line)
            {
                if (c == '|') continue;
                if (c == '-') { if (start < 0) throw new FormatException("'-' with no note to hold at step " + step + " of \"" + line + "\""); step++; continue; }
                close();
                if (c != '.')
                {
                    fret = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'c' ? c - 'a' + 10 : -1;
                    if (fret < 0) throw new FormatException("'" + c + "' is not a fret (0-9, a-c), '-' or '.' in \"" + line + "\"");
                    start = step;
                }
                step++;
            }
            close();
            notes.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : a.Pitch.CompareTo(b.Pitch));
            return notes.ToArray();
        }

        /// <summary>
        /// Drum hits from lines "P:pattern" where P names the piece (k kick, s snare, h closed hi-hat, o open
        /// hi-hat, r ride, c crash, C china, t/m/f high/mid/floor tom) and the pattern has one character per
        /// 16th step: 'x' a hit, 'X' an accent, 'g' a ghost note, '.' nothing; '|' separates bars.
        /// </summary>
        public static Note[] Drums(string[] lines)
        {
            var notes = new List<Note>();
            foreach (var line in lines)
            {
                if (line.Length < 2 || line[1] != ':') throw new FormatException("drum line \"" + line + "\" must start with a piece letter and ':'");
                var pitch = DrumPitch(line[0]);
                var step = 0;
                for (var i = 2; i < line.Length; i++)
                {
                    var c = line[i];
                    if (c == '|') continue;
                    var velocity = c == 'x' ? 100 : c == 'X' ? 122 : c == 'g' ? 45 : 0;
                    if (velocity == 0 && c != '.') throw new FormatException("'" + c + "' is not x, X, g or . in drum line \"" + line + "\"");
                    if (velocity > 0) notes.Add(new Note(step, 1, pitch, velocity));
                    step++;
                }
            }
            notes.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : a.Pitch.CompareTo(b.Pitch));
            return notes.ToArray();
        }

        static int DrumPitch(char piece)
        {
            switch (piece)
            {
                case 'k': return 36;
                case 's': return 38;
                case 'h': return 42;
                case 'o': return 46;
                case 'r': return 51;
                case 'c': return 49;
                case 'C': return 52;
                case 't': return 50;
                case 'm': return 47;
                case 'f': return 43;
                default: throw new FormatException("unknown drum piece '" + piece + "' (use k s h o r c C t m f)");
            }
        }
    }
}
