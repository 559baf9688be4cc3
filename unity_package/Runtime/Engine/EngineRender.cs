using System;
using System.Collections.Generic;
using RiffForge.Core;

namespace RiffForge.Engine
{
    /// <summary>One decoded melody note: sounding from step <see cref="Start"/> up to (not including) <see cref="End"/>.</summary>
    public struct MelodyNote
    {
        public readonly int Start;
        public readonly int End;
        public readonly int Pitch;

        public MelodyNote(int start, int end, int pitch)
        {
            Start = start;
            End = end;
            Pitch = pitch;
        }

        public override string ToString() { return "(" + Start + ", " + End + ", " + Pitch + ")"; }
    }

    /// <summary>
    /// Decoded MusicVAE classes -> riff tracks, exactly as the Python runtime renders them
    /// (<c>riffforge.runtime.render</c> and <c>ModelGenerator._render</c>):
    /// <list type="bullet">
    /// <item>drums (512 classes): Magenta's 9-type kit -> GM pitches, velocity from the intensity with kick and
    /// snare accented on the beat and cymbals a little softer;</item>
    /// <item>guitar and bass (90 melody classes: 0 no event, 1 note off, then pitches): Magenta's melody
    /// decoding, one transposition that puts the riff's tonal centre on the key, then octave folding into the
    /// instrument's range for the tuning (the lowest tonic on the open low string). The guitar model plays
    /// the riff's root line; <see cref="RenderGuitar"/> voices it as the style does (power chords, octaves or
    /// single notes, a repeated figure voiced as it was the first time).</item>
    /// </list>
    /// Pure functions of their inputs; the only randomness is the guitar voicing's <see cref="IUniformSource"/>.
    /// </summary>
    public static class EngineRender
    {
        public const int StepsPerBar = 16;
        public const string Guitar = "guitar", Bass = "bass", Drums = "drums";

        static readonly int[] Single = { 0 };
        static readonly int[] Octave = { 0, 12 };
        static readonly int[] FifthOctave = { 0, 7, 12 };
        static readonly int[] Fifth = { 0, 7 };

        /// <summary>Python's <c>%</c>: the result has the sign of the divisor (here always 0..m-1).</summary>
        static int Mod(int a, int m)
        {
            var r = a % m;
            return r < 0 ? r + m : r;
        }

        /// <summary>Python's <c>round()</c> of a double to an integer: halves go to the even neighbour.</summary>
        public static double RoundHalfEven(double v)
        {
            var f = Math.Floor(v);
            var d = v - f;
            if (d > 0.5 || (d == 0.5 && Math.Floor(f / 2.0) * 2.0 != f)) f += 1.0;
            return f;
        }

        /// <summary>Note velocity at intensity <paramref name="intensity"/> (0..1): 62 calm .. 120 extreme.</summary>
        public static int Velocity(double intensity) { return (int)RoundHalfEven(62 + 58 * intensity); }

        // ------------------------------------------------------------------------------------ melody lines

        /// <summary>
        /// Melody classes -> notes, as Magenta's <c>Melody.to_sequence</c> plays them: a pitch class starts a
        /// note that sounds until the next onset, a note off (class 1) or the end; class 0 keeps going.
        /// Throws <see cref="ArgumentOutOfRangeException"/> for a class outside the table's melody classes.
        /// </summary>
        public static List<MelodyNote> MelodyTriples(StyleTable styles, IList<int> classes)
        {
            return MelodyTriples(styles, classes, 0, classes.Count);
        }

        /// <summary>The notes of the window <c>classes[start .. start + count)</c>, steps counted from the
        /// window start; steps past the end of <paramref name="classes"/> are class 0 (no event).</summary>
        public static List<MelodyNote> MelodyTriples(StyleTable styles, IList<int> classes, int start, int count)
        {
            var notes = new List<MelodyNote>();
            var sounding = false;
            int onset = 0, pitch = 0;
            for (var step = 0; step < count; step++)
            {
                var i = start + step;
                var c = i < classes.Count ? classes[i] : 0;
                if (c < 0 || c >= styles.MelodyClasses)
                    throw new ArgumentOutOfRangeException("classes", "melody class " + c + " at step " + i + ": must be 0.." + (styles.MelodyClasses - 1));
                if (c >= 2)
                {
                    if (sounding) notes.Add(new MelodyNote(onset, step, pitch));
                    sounding = true;
                    onset = step;
                    pitch = c - 2 + styles.MelodyMinPitch;
                }
                else if (c == 1 && sounding)
                {
                    notes.Add(new MelodyNote(onset, step, pitch));
                    sounding = false;
                }
            }
            if (sounding) notes.Add(new MelodyNote(onset, count, pitch));
            return notes;
        }

        /// <summary>Pitch class that best serves as the riff's root: duration-weighted, with low notes (under a
        /// fifth above the lowest) counting double and onsets on a beat one more; null for no notes.</summary>
        public static int? TonalCentre(IList<MelodyNote> triples)
        {
            if (triples.Count == 0) return null;
            var weights = new double[12];
            var low = int.MaxValue;
            for (var i = 0; i < triples.Count; i++) low = Math.Min(low, triples[i].Pitch);
            for (var i = 0; i < triples.Count; i++)
            {
                var n = triples[i];
                var pc = Mod(n.Pitch, 12);
                weights[pc] += (n.End - n.Start) * (n.Pitch - low < 7 ? 2.0 : 1.0);
                if (Mod(n.Start, 4) == 0) weights[pc] += 1.0;
            }
            var best = 0;
            for (var pc = 1; pc < 12; pc++)
                if (weights[pc] > weights[best]) best = pc;
            return best;
        }

        /// <summary>Semitones in -6..5 that move pitch class <paramref name="centre"/> onto <paramref name="keyPc"/> (0 for none).</summary>
        public static int KeyShift(int? centre, int keyPc)
        {
            if (!centre.HasValue) return 0;
            return Mod(keyPc - centre.Value + 6, 12) - 6;
        }

        /// <summary>Lowest sounding pitch at every beat start 0, 4, 8, .. below <paramref name="total"/>, indexed by
        /// beat; <see cref="int.MaxValue"/> where nothing sounds.</summary>
        static int[] SoundingOnBeats(IList<MelodyNote> triples, int total)
        {
            var beats = new int[Math.Max(0, (total + 3) / 4)];
            for (var i = 0; i < beats.Length; i++) beats[i] = int.MaxValue;
            for (var i = 0; i < triples.Count; i++)
            {
                var n = triples[i];
                var end = Math.Min(n.End, total);
                for (var b = (n.Start + 3) / 4 * 4; b < end; b += 4)
                    if (n.Pitch < beats[b / 4]) beats[b / 4] = n.Pitch;
            }
            return beats;
        }

        /// <summary>
        /// Transposition (-6..5) for <paramref name="line"/> (a separately decoded bass) that makes its beat notes
        /// land on the pitch classes of <paramref name="lead"/> (the guitar, shifted by <paramref name="leadShift"/>)
        /// most often; ties keep <paramref name="fallback"/> (the line's own tonal centre on the key) or the shift
        /// closest to it.
        /// </summary>
        public static int FollowShift(IList<MelodyNote> lead, int leadShift, IList<MelodyNote> line, int fallback, int total)
        {
            var leadBeats = SoundingOnBeats(lead, total);
            var lineBeats = SoundingOnBeats(line, total);
            var scores = new int[12];
            var any = false;
            for (var b = 0; b < leadBeats.Length; b++)
            {
                if (leadBeats[b] == int.MaxValue || lineBeats[b] == int.MaxValue) continue;
                any = true;
                scores[Mod(Mod(leadBeats[b] + leadShift, 12) - Mod(lineBeats[b], 12), 12)]++;
            }
            if (!any) return fallback;
            var max = 0;
            for (var k = 0; k < 12; k++) max = Math.Max(max, scores[k]);
            var best = 0;
            var found = false;
            for (var k = 0; k < 12; k++)
            {
                if (scores[k] != max) continue;
                var shift = (k + 6) % 12 - 6;
                if (!found || Closer(shift, best, fallback)) best = shift;
                found = true;
            }
            return best;
        }

        /// <summary>Whether <paramref name="a"/> is preferred to <paramref name="b"/>: equal to the fallback first, then closer to it.</summary>
        static bool Closer(int a, int b, int fallback)
        {
            var aOff = a != fallback;
            var bOff = b != fallback;
            if (aOff != bOff) return !aOff;
            return Math.Abs(a - fallback) < Math.Abs(b - fallback);
        }

        /// <summary>Octave offset (multiple of 12) that puts the lowest pitch closest to <paramref name="anchor"/>, at
        /// least <paramref name="lo"/>; 0 for no pitches.</summary>
        public static int FoldInto(IList<int> pitches, int lo, int hi, int anchor)
        {
            if (pitches.Count == 0) return 0;
            var low = int.MaxValue;
            for (var i = 0; i < pitches.Count; i++) low = Math.Min(low, pitches[i]);
            var k = (int)Math.Floor((anchor - low) / 12.0 + 0.5) * 12;
            if (low + k < lo) k += 12;
            return k;
        }

        /// <summary>Octave offset that puts the lowest note of <paramref name="anchor"/>'s pitch class (the tonic) on
        /// <paramref name="anchor"/>, or null when the line never plays the tonic.</summary>
        public static int? TonicFold(IList<int> pitches, int anchor)
        {
            var low = int.MaxValue;
            var tonic = Mod(anchor, 12);
            for (var i = 0; i < pitches.Count; i++)
                if (Mod(pitches[i], 12) == tonic && pitches[i] < low) low = pitches[i];
            if (low == int.MaxValue) return null;
            return anchor - low;
        }

        /// <summary>
        /// Notes of a decoded line, shifted by <paramref name="shift"/> and folded into [lo, hi]: its lowest note
        /// near <paramref name="anchor"/>, or with <paramref name="onTonic"/> its lowest tonic on the anchor (notes
        /// below it an octave up). Onsets on a beat are 8 louder; <paramref name="powerChords"/> adds a fifth to
        /// notes in the lowest octave of the range.
        /// </summary>
        public static List<Note> RenderMelodic(IList<MelodyNote> triples, int shift, int lo, int hi, int anchor, int velocity,
            bool powerChords, int offset = 0, bool onTonic = false)
        {
            var pitched = new int[triples.Count];
            for (var i = 0; i < triples.Count; i++) pitched[i] = triples[i].Pitch + shift;
            int? fold = onTonic ? TonicFold(pitched, anchor) : null;
            var k = fold.HasValue ? fold.Value : FoldInto(pitched, lo, hi, anchor);
            var notes = new List<Note>(triples.Count * (powerChords ? 2 : 1));
            for (var i = 0; i < triples.Count; i++)
            {
                var s = triples[i].Start;
                var e = triples[i].End;
                var p = pitched[i] + k;
                while (p > hi) p -= 12;
                while (p < lo) p += 12;
                if (e <= s) continue;
                var v = Math.Min(127, velocity + (Mod(s, 4) == 0 ? 8 : 0));
                notes.Add(new Note(offset + s, e - s, p, v));
                if (powerChords && p + 7 <= hi && p < lo + 12) notes.Add(new Note(offset + s, e - s, p + 7, v));
            }
            return notes;
        }

        /// <summary>
        /// Voices a decoded root line as the style does. <paramref name="scale"/>[pc] is true for the pitch classes
        /// of the key's mode (a chord is only added where its fifth stays in the mode). A plain pedal note (the
        /// line's lowest pitch, at most 2 steps, off the downbeat) becomes a chord with probability
        /// <paramref name="pedalChordP"/>, any other note with <paramref name="chordP"/>; a chord is an octave
        /// (12%), root-fifth-octave (30% of the rest, not on a pedal note) or root and fifth. A note that
        /// repeats (same place in the 2-bar figure, length and pitch) keeps the voicing drawn the first time.
        /// Draws from <paramref name="random"/> in exactly the Python runtime's order.
        /// </summary>
        public static List<Note> RenderGuitar(IList<MelodyNote> triples, int shift, int lo, int hi, int anchor, int velocity,
            bool[] scale, double chordP, double pedalChordP, IUniformSource random)
        {
            var roots = RenderMelodic(triples, shift, lo, hi, anchor, velocity, false, 0, true);
            var notes = new List<Note>(roots.Count * 2);
            if (roots.Count == 0) return notes;
            if (random == null) throw new ArgumentNullException("random", "the guitar voicing needs a uniform source: pass the generator's stream");
            var pedal = int.MaxValue;
            for (var i = 0; i < roots.Count; i++) pedal = Math.Min(pedal, roots[i].Pitch);
            var voicings = new Dictionary<long, int[]>();
            for (var i = 0; i < roots.Count; i++)
            {
                var n = roots[i];
                var plainPedal = n.Pitch == pedal && n.Length <= 2 && Mod(n.Start, 16) != 0;
                var key = ((long)Mod(n.Start, 32) << 40) | ((long)n.Length << 16) | (uint)n.Pitch;
                int[] voicing;
                if (!voicings.TryGetValue(key, out voicing))
                {
                    var chord = random.NextDouble() < (plainPedal ? pedalChordP : chordP) && scale[Mod(n.Pitch + 7, 12)];
                    if (!chord) voicing = Single;
                    else if (n.Pitch + 12 <= hi && random.NextDouble() < 0.12) voicing = Octave;
                    else if (n.Pitch + 12 <= hi && !plainPedal && random.NextDouble() < 0.3) voicing = FifthOctave;
                    else voicing = Fifth;
                    voicings[key] = voicing;
                }
                for (var v = 0; v < voicing.Length; v++)
                    if (n.Pitch + voicing[v] <= hi) notes.Add(new Note(n.Start, n.Length, n.Pitch + voicing[v], n.Velocity));
            }
            return notes;
        }

        // ------------------------------------------------------------------------------------------- drums

        /// <summary>Drum classes -> GM notes one step long (the kit's exemplar pitch per type, ascending per step):
        /// kick and snare 10 louder on a beat, cymbals 8 softer, clamped to 1..127.</summary>
        public static List<Note> RenderDrums(StyleTable styles, IList<int> classes, int velocity, int offset = 0)
        {
            var notes = new List<Note>(classes.Count * 2);
            for (var step = 0; step < classes.Count; step++)
            {
                var pitches = styles.DrumClassPitches(classes[step]);
                for (var i = 0; i < pitches.Length; i++)
                {
                    var p = pitches[i];
                    var v = velocity + (step % 4 == 0 && styles.IsAccentedDrum(p) ? 10 : 0) - (styles.IsCymbal(p) ? 8 : 0);
                    notes.Add(new Note(offset + step, 1, p, v < 1 ? 1 : v > 127 ? 127 : v));
                }
            }
            return notes;
        }

        // ------------------------------------------------------------------------------- chord controls

        /// <summary>
        /// Per step, the 49-class chord control of a guitar part's root line (Python
        /// <c>encoding.chords.root_line_controls</c>): the major-triad class <c>1 + pc</c> of its lowest sounding
        /// note (else of its latest onset's lowest note), held through rests; 0 before its first note.
        /// </summary>
        public static int[] RootLineControls(IList<MelodyNote> notes, int totalSteps)
        {
            var low = new int[totalSteps];
            var starts = new int[totalSteps];
            for (var t = 0; t < totalSteps; t++) { low[t] = int.MaxValue; starts[t] = int.MaxValue; }
            for (var i = 0; i < notes.Count; i++)
            {
                var n = notes[i];
                if (n.Start >= totalSteps) continue;
                if (n.Start >= 0) starts[n.Start] = Math.Min(starts[n.Start], n.Pitch);
                for (var t = Math.Max(0, n.Start); t < Math.Min(n.End, totalSteps); t++)
                    if (n.Pitch < low[t]) low[t] = n.Pitch;
            }
            var out_ = new int[totalSteps];
            var last = int.MaxValue;
            for (var t = 0; t < totalSteps; t++)
            {
                if (starts[t] != int.MaxValue) last = starts[t];
                var pitch = low[t] != int.MaxValue ? low[t] : last;
                out_[t] = pitch == int.MaxValue ? 0 : 1 + Mod(pitch, 12);
            }
            return out_;
        }

        /// <summary>
        /// One-hot chord controls [count * depth] (step-major) for a guitar-conditioned bass: the root line of the
        /// decoded guitar classes in the window <c>guitar[start .. start + count)</c> (steps past the end are
        /// rests), written into <paramref name="into"/> from <paramref name="intoOffset"/> (the decoder's controls
        /// layout, <c>Steps * ControlDepth</c>). Python <c>render.root_controls</c> of that window.
        /// </summary>
        public static void RootControls(StyleTable styles, IList<int> guitar, int start, int count, int depth, float[] into, int intoOffset)
        {
            var classes = guitar as int[];
            if (classes == null)
            {
                classes = new int[guitar.Count];
                guitar.CopyTo(classes, 0);
            }
            RootControls(styles, classes, start, count, depth, into, intoOffset, new int[count], new int[count]);
        }

        /// <summary>
        /// <see cref="RootControls(StyleTable, IList{int}, int, int, int, float[], int)"/> without allocating: the
        /// root line computed in <paramref name="low"/> and <paramref name="starts"/> (scratch, at least
        /// <paramref name="count"/> long each), the window's notes applied as Magenta's melody decoding finds them
        /// (<see cref="MelodyTriples(StyleTable, IList{int}, int, int)"/>, then <see cref="RootLineControls"/>).
        /// </summary>
        internal static void RootControls(StyleTable styles, int[] guitar, int start, int count, int depth, float[] into, int intoOffset,
            int[] low, int[] starts)
        {
            if (into.Length - intoOffset < count * depth)
                throw new ArgumentException("into: needs " + count * depth + " floats from " + intoOffset + " for " + count + " steps x " + depth + " controls", "into");
            for (var t = 0; t < count; t++) { low[t] = int.MaxValue; starts[t] = int.MaxValue; }
            var sounding = false;
            int onset = 0, pitch = 0;
            for (var step = 0; step < count; step++)
            {
                var i = start + step;
                var c = i < guitar.Length ? guitar[i] : 0;
                if (c < 0 || c >= styles.MelodyClasses)
                    throw new ArgumentOutOfRangeException("classes", "melody class " + c + " at step " + i + ": must be 0.." + (styles.MelodyClasses - 1));
                if (c >= 2)
                {
                    if (sounding) RootLineNote(onset, step, pitch, count, low, starts);
                    sounding = true;
                    onset = step;
                    pitch = c - 2 + styles.MelodyMinPitch;
                }
                else if (c == 1 && sounding)
                {
                    RootLineNote(onset, step, pitch, count, low, starts);
                    sounding = false;
                }
            }
            if (sounding) RootLineNote(onset, count, pitch, count, low, starts);
            Array.Clear(into, intoOffset, count * depth);
            var last = int.MaxValue;
            for (var t = 0; t < count; t++)
            {
                if (starts[t] != int.MaxValue) last = starts[t];
                var p = low[t] != int.MaxValue ? low[t] : last;
                var control = p == int.MaxValue ? 0 : 1 + Mod(p, 12);
                if (control < depth) into[intoOffset + t * depth + control] = 1f;
            }
        }

        /// <summary>One note of <see cref="RootLineControls"/>: the lowest pitch sounding per step, and per onset.</summary>
        static void RootLineNote(int noteStart, int noteEnd, int pitch, int totalSteps, int[] low, int[] starts)
        {
            if (noteStart >= totalSteps) return;
            if (noteStart >= 0) starts[noteStart] = Math.Min(starts[noteStart], pitch);
            for (var t = Math.Max(0, noteStart); t < Math.Min(noteEnd, totalSteps); t++)
                if (pitch < low[t]) low[t] = pitch;
        }

        /// <summary>The one-hot chord controls [guitar.Count * depth] of a whole decoded guitar chunk.</summary>
        public static float[] RootControls(StyleTable styles, IList<int> guitar, int depth)
        {
            var into = new float[guitar.Count * depth];
            RootControls(styles, guitar, 0, guitar.Count, depth, into, 0);
            return into;
        }

        // ------------------------------------------------------------------------------------- the riff

        /// <summary>
        /// Notes from decoded classes, per instrument (Python <c>ModelGenerator._render</c>). <paramref name="heads"/>:
        /// classes per head ("guitar", "bass": melody; "drums"), each <paramref name="bars"/> * 16 long.
        /// The guitar and bass share one transposition (<paramref name="shift"/>, or by default the one that puts the
        /// guitar's tonal centre, else the bass's, on the key). <paramref name="separateKeys"/>: the bass was decoded
        /// by its own model, so (unless <paramref name="bassFollows"/>: it was conditioned on the guitar's root line
        /// and is in the guitar's pitch space) its own centre goes on the key, moved to land on the guitar's beat
        /// notes. Without a bass line (or one of rests only) the bass doubles the guitar. Tracks: "guitar" when the
        /// heads have one (possibly empty), "bass" when it has notes, "drums" when the heads have one; notes
        /// starting at or after the riff's end are dropped. Track order is the rendering order, not sorted; see
        /// <see cref="SortTrack"/>.
        /// </summary>
        public static Dictionary<string, List<Note>> Render(StyleTable styles, string style, IDictionary<string, int[]> heads,
            EngineFeel feel, double intensity, int bars, bool separateKeys, bool bassFollows, IUniformSource voicing, int? shift = null)
        {
            if (styles == null) throw new ArgumentNullException("styles");
            if (heads == null) throw new ArgumentNullException("heads");
            if (feel == null) throw new ArgumentNullException("feel");
            var tuning = styles.Tuning(feel.Tuning);
            var keyPc = styles.PitchClass(feel.Key);
            var spec = styles.Style(style);
            var scale = new bool[12];
            foreach (var o in styles.ModeIntervals(feel.Mode)) scale[Mod(keyPc + o, 12)] = true;
            var velocity = Velocity(intensity);
            var tracks = new Dictionary<string, List<Note>>(StringComparer.Ordinal);

            int[] classes;
            var guitar = heads.TryGetValue(Guitar, out classes) && classes != null ? MelodyTriples(styles, classes) : null;
            var bass = heads.TryGetValue(Bass, out classes) && classes != null ? MelodyTriples(styles, classes) : null;
            var hasGuitar = guitar != null && guitar.Count > 0;
            var hasBass = bass != null && bass.Count > 0;
            int s;
            if (shift.HasValue) s = shift.Value;
            else s = KeyShift(TonalCentre(hasGuitar ? guitar : hasBass ? bass : new List<MelodyNote>()), keyPc);

            if (guitar != null)
                tracks[Guitar] = RenderGuitar(guitar, s, tuning.Lowest, tuning.Highest, tuning.Lowest + Mod(keyPc - tuning.Lowest, 12),
                    velocity, scale, spec.ChordP, spec.PedalChordP, voicing);
            // no bass model, or it decoded only rests: the bass doubles the guitar
            var bassLine = hasBass ? bass : hasGuitar ? guitar : null;
            var bassShift = s;
            if (separateKeys && hasBass && !bassFollows)
            {
                bassShift = KeyShift(TonalCentre(bass), keyPc);
                if (hasGuitar) bassShift = FollowShift(guitar, s, bass, bassShift, bars * StepsPerBar);
            }
            if (bassLine != null)
                tracks[Bass] = RenderMelodic(bassLine, bassShift, tuning.BassLowest, tuning.BassHighest,
                    tuning.BassLowest + Mod(keyPc - tuning.BassLowest, 12), Math.Max(1, velocity - 6), false, 0, true);
            if (heads.TryGetValue(Drums, out classes) && classes != null)
                tracks[Drums] = RenderDrums(styles, classes, velocity);

            var total = bars * StepsPerBar;
            foreach (var track in tracks.Values)
            {
                var kept = 0;
                for (var i = 0; i < track.Count; i++)
                    if (track[i].Start < total) track[kept++] = track[i];
                track.RemoveRange(kept, track.Count - kept);
            }
            return tracks;
        }

        /// <summary>The notes sorted by (start, pitch), ties in their given order: how a riff keeps its tracks
        /// (Python <c>Riff</c> sorts them so, stably).</summary>
        public static Note[] SortTrack(IList<Note> notes)
        {
            var sorted = new Note[notes.Count];
            notes.CopyTo(sorted, 0);
            for (var i = 1; i < sorted.Length; i++)
            {
                var n = sorted[i];
                var j = i - 1;
                while (j >= 0 && (sorted[j].Start > n.Start || (sorted[j].Start == n.Start && sorted[j].Pitch > n.Pitch)))
                {
                    sorted[j + 1] = sorted[j];
                    j--;
                }
                sorted[j + 1] = n;
            }
            return sorted;
        }
    }
}
