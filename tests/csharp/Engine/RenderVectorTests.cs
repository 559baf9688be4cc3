using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using NUnit.Framework;
using RiffForge.Core;
using RiffForge.Repo.Tests;

namespace RiffForge.Engine.Tests
{
    /// <summary>
    /// The C# rendering against the Python runtime (tests/vectors/engine/render.json, written by
    /// tests/vectors/make_engine_render_vectors.py): decoded classes + feel + the voicing stream give identical
    /// notes per track, in the same order, consuming the same draws; the feel of a request drawn from its
    /// portable feel stream is identical; the bass's chord controls from a guitar window are identical.
    /// </summary>
    [TestFixture]
    public class RenderVectorTests
    {
        static StyleTable styles;

        static JsonObject Vectors { get { return EngineTestData.VectorFile("render.json"); } }

        /// <summary>The package's style table (Resources/RiffForgeEngine/styles.json), parsed once.</summary>
        public static StyleTable Styles
        {
            get
            {
                if (styles == null)
                    styles = StyleTable.Parse(File.ReadAllText(Path.Combine(EngineTestData.AssetDir, "styles.json")), "styles.json");
                return styles;
            }
        }

        static List<object> Cases(string kind) { return (List<object>)Vectors[kind]; }

        static IEnumerable<string> RenderCaseNames()
        {
            foreach (JsonObject c in Cases("render")) yield return (string)c["name"];
        }

        static JsonObject RenderCase(string name)
        {
            foreach (JsonObject c in Cases("render"))
                if ((string)c["name"] == name) return c;
            throw new ArgumentException("no render case " + name);
        }

        static int[] Ints(object list)
        {
            var l = (List<object>)list;
            var a = new int[l.Count];
            for (var i = 0; i < a.Length; i++) a[i] = (int)(long)l[i];
            return a;
        }

        static double Double(object v) { return Convert.ToDouble(v, CultureInfo.InvariantCulture); }

        static EngineFeel Feel(JsonObject f)
        {
            return new EngineFeel((string)f["tuning"], (string)f["mode"], (string)f["key"], Double(f["tempo"]));
        }

        static string Show(IList<Note> notes)
        {
            var parts = new List<string>();
            foreach (var n in notes) parts.Add(n.ToString());
            return "[" + string.Join(", ", parts.ToArray()) + "]";
        }

        [Test]
        public void VectorsCoverEveryStyleBarCountAndKeyMode()
        {
            var seen = new HashSet<string>();
            foreach (JsonObject c in Cases("render"))
            {
                seen.Add("style " + c["style"]);
                seen.Add("bars " + c["bars"]);
                seen.Add("keys " + c["separate_keys"] + "/" + c["bass_follows"]);
                seen.Add("shift " + (c["shift"] == null ? "auto" : "fixed"));
            }
            foreach (var s in Styles.StyleNames) Assert.That(seen, Has.Member("style " + s));
            foreach (var b in new[] { 1, 2, 4, 8, 16 }) Assert.That(seen, Has.Member("bars " + b));
            Assert.That(seen, Has.Member("keys False/False"));
            Assert.That(seen, Has.Member("keys True/True"));
            Assert.That(seen, Has.Member("keys True/False"));
            Assert.That(seen, Has.Member("shift auto"));
            Assert.That(seen, Has.Member("shift fixed"));
            Assert.That(Cases("render").Count, Is.GreaterThanOrEqualTo(60));
        }

        [TestCaseSource("RenderCaseNames")]
        public void RendersAsThePythonRuntime(string name)
        {
            var c = RenderCase(name);
            var heads = new Dictionary<string, int[]>();
            foreach (var kv in (JsonObject)c["heads"]) heads[kv.Key] = Ints(kv.Value);
            var voicing = new PortableRandom(ulong.Parse((string)c["voicing_seed"], CultureInfo.InvariantCulture));
            var shift = c["shift"] == null ? (int?)null : (int)(long)c["shift"];
            var tracks = EngineRender.Render(Styles, (string)c["style"], heads, Feel((JsonObject)c["feel"]), Double(c["intensity"]),
                (int)(long)c["bars"], (bool)c["separate_keys"], (bool)c["bass_follows"], voicing, shift);

            var expected = (JsonObject)c["tracks"];
            Assert.That(tracks.Keys, Is.EquivalentTo(expected.Keys), name + ": tracks");
            foreach (var kv in expected)
            {
                var want = (List<object>)kv.Value;
                var got = tracks[kv.Key];
                var wantNotes = new List<Note>();
                foreach (var n in want)
                {
                    var a = Ints(n);
                    wantNotes.Add(new Note(a[0], a[1], a[2], a[3]));
                }
                Assert.AreEqual(Show(wantNotes), Show(got), name + ": " + kv.Key + " notes");
            }
            Assert.AreEqual(ulong.Parse((string)c["voicing_state_after"], CultureInfo.InvariantCulture), voicing.State,
                name + ": the voicing drew as many uniforms as in Python");
        }

        [Test]
        public void FeelIsThePythonRuntimesPortableFeel()
        {
            var checkedCases = 0;
            foreach (JsonObject c in Cases("feel"))
            {
                var style = (string)c["style"];
                var seed = (int)(long)c["seed"];
                var request = new RiffRequest(Double(c["intensity"]))
                {
                    Style = style, Seed = seed, Key = (string)c["key"], Mode = (string)c["mode"],
                    Tempo = c["tempo"] == null ? (double?)null : Double(c["tempo"]),
                };
                var stream = PortableRandom.ForRequest(seed, Styles.StyleIndex(style), PortableRandom.FeelStream);
                var feel = EngineFeel.ForRequest(request, Styles, stream);
                var want = Feel((JsonObject)c["feel"]);
                var label = style + " seed " + seed + " " + request;
                Assert.AreEqual(want.Tuning, feel.Tuning, label + ": tuning");
                Assert.AreEqual(want.Mode, feel.Mode, label + ": mode");
                Assert.AreEqual(want.Key, feel.Key, label + ": key");
                Assert.AreEqual(want.Tempo, feel.Tempo, label + ": tempo");
                Assert.AreEqual(ulong.Parse((string)c["stream_state_after"], CultureInfo.InvariantCulture), stream.State, label + ": draws");
                checkedCases++;
            }
            Assert.That(checkedCases, Is.GreaterThanOrEqualTo(100));
        }

        [Test]
        public void FeelRejectsAnUnknownModeNamingTheKnownOnes()
        {
            var request = new RiffRequest(0.5) { Mode = "ionian", Seed = 1 };
            var e = Assert.Throws<ArgumentException>(() => EngineFeel.ForRequest(request, Styles, new PortableRandom(1)));
            StringAssert.Contains("mode=ionian", e.Message);
            StringAssert.Contains("phrygian", e.Message);
        }

        [Test]
        public void RootControlsAreThePythonRuntimes()
        {
            var count = 0;
            foreach (JsonObject c in Cases("root_controls"))
            {
                var guitar = Ints(c["guitar"]);
                int start = (int)(long)c["start"], steps = (int)(long)c["count"], depth = (int)(long)c["depth"];
                var want = Ints(c["controls"]);
                var into = new float[steps * depth + 3];
                for (var i = 0; i < into.Length; i++) into[i] = 7f;   // overwritten: the window is cleared first
                EngineRender.RootControls(Styles, guitar, start, steps, depth, into, 2);
                for (var t = 0; t < steps; t++)
                    for (var d = 0; d < depth; d++)
                        Assert.AreEqual(d == want[t] ? 1f : 0f, into[2 + t * depth + d], "window " + start + " step " + t + " control " + d);
                Assert.AreEqual(7f, into[0]);
                Assert.AreEqual(7f, into[into.Length - 1]);
                if (start == 0 && steps == guitar.Length)
                    Assert.AreEqual(Slice(into, 2, steps * depth), EngineRender.RootControls(Styles, guitar, depth));
                count++;
            }
            Assert.That(count, Is.GreaterThanOrEqualTo(12));
        }

        [Test]
        public void TonalCentreAndFollowShiftBreakTiesAsPython()
        {
            var count = 0;
            foreach (JsonObject c in Cases("lines"))
            {
                var lead = EngineRender.MelodyTriples(Styles, Ints(c["lead"]));
                var line = EngineRender.MelodyTriples(Styles, Ints(c["line"]));
                var label = "lines[" + count + "]";
                var centre = EngineRender.TonalCentre(line);
                if (c["tonal_centre"] == null) Assert.IsNull(centre, label + ": tonal centre");
                else Assert.AreEqual((int)(long)c["tonal_centre"], centre, label + ": tonal centre");
                Assert.AreEqual((int)(long)c["follow_shift"], EngineRender.FollowShift(lead, (int)(long)c["lead_shift"], line,
                    (int)(long)c["default"], (int)(long)c["total"]), label + ": follow shift");
                count++;
            }
            Assert.That(count, Is.GreaterThanOrEqualTo(100));
        }

        static float[] Slice(float[] a, int offset, int count)
        {
            var s = new float[count];
            Array.Copy(a, offset, s, 0, count);
            return s;
        }

        [Test]
        public void SortTrackOrdersByStartThenPitchKeepingTies()
        {
            var notes = new List<Note> { new Note(4, 1, 40, 1), new Note(0, 2, 50, 2), new Note(4, 1, 40, 3), new Note(0, 1, 43, 4), new Note(4, 1, 35, 5) };
            var sorted = EngineRender.SortTrack(notes);
            Assert.AreEqual("[[0, 1, 43, 4], [0, 2, 50, 2], [4, 1, 35, 5], [4, 1, 40, 1], [4, 1, 40, 3]]", Show(sorted));
            Assert.AreEqual(5, notes.Count, "the input is not changed");
        }

        [Test]
        public void MelodyClassesDecodeAsMagentasMelody()
        {
            // 0 = no event (keep sounding), 1 = note off, k >= 2 = pitch 21 + k - 2
            var notes = EngineRender.MelodyTriples(Styles, new[] { 0, 2, 0, 1, 0, 89, 50, 0 });
            Assert.AreEqual(3, notes.Count);
            Assert.AreEqual(new MelodyNote(1, 3, 21), notes[0]);
            Assert.AreEqual(new MelodyNote(5, 6, 108), notes[1]);
            Assert.AreEqual(new MelodyNote(6, 8, 69), notes[2]);
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => EngineRender.MelodyTriples(Styles, new[] { 0, 90 }));
            StringAssert.Contains("melody class 90 at step 1: must be 0..89", e.Message);
        }

        [Test]
        public void RoundingIsPythonsHalfToEven()
        {
            Assert.AreEqual(76.0, EngineRender.RoundHalfEven(76.5));
            Assert.AreEqual(78.0, EngineRender.RoundHalfEven(77.5));
            Assert.AreEqual(2.0, EngineRender.RoundHalfEven(2.5));
            Assert.AreEqual(3.0, EngineRender.RoundHalfEven(2.5000000000000004));
            Assert.AreEqual(76, EngineRender.Velocity(0.25), "62 + 58 * 0.25 = 76.5 rounds to 76 as Python's round()");
            Assert.AreEqual(62, EngineRender.Velocity(0.0));
            Assert.AreEqual(120, EngineRender.Velocity(1.0));
        }

        sealed class Constant : IUniformSource
        {
            readonly double _value;
            public int Draws;
            public Constant(double value) { _value = value; }
            public double NextDouble() { Draws++; return _value; }
        }

        [Test]
        public void VoicingFollowsTheDrawsAndRepeatsAFigure()
        {
            // E phrygian root line E2 on the downbeat, F2, then the same two notes again one figure (32 steps) later
            var triples = new List<MelodyNote> { new MelodyNote(0, 4, 40), new MelodyNote(4, 8, 41), new MelodyNote(32, 36, 40), new MelodyNote(36, 40, 41) };
            var scale = new bool[12];
            foreach (var o in Styles.ModeIntervals("phrygian")) scale[(4 + o) % 12] = true;
            var never = new Constant(0.999);
            var plain = EngineRender.RenderGuitar(triples, 0, 40, 88, 40, 90, scale, 0.6, 0.06, never);
            Assert.AreEqual("[[0, 4, 40, 98], [4, 4, 41, 98], [32, 4, 40, 98], [36, 4, 41, 98]]", Show(plain));
            Assert.AreEqual(2, never.Draws, "one draw per new note (no chord), the repeated figure reuses the voicings");
            var always = new Constant(0.0);
            var chords = EngineRender.RenderGuitar(triples, 0, 40, 88, 40, 90, scale, 0.6, 0.06, always);
            // E: B is in E phrygian -> octave (first voicing draw < 0.12); F: C is in the mode -> octave too
            Assert.AreEqual("[[0, 4, 40, 98], [0, 4, 52, 98], [4, 4, 41, 98], [4, 4, 53, 98], [32, 4, 40, 98], [32, 4, 52, 98], [36, 4, 41, 98], [36, 4, 53, 98]]", Show(chords));
            Assert.AreEqual(4, always.Draws, "chord, then octave: two draws per new note");
        }

        [Test]
        public void GuitarNeedsAUniformSourceOnlyWhenItHasNotes()
        {
            var feel = new EngineFeel("E standard", "aeolian", "E", 120);
            var rests = new Dictionary<string, int[]> { { "guitar", new int[32] }, { "drums", new int[32] } };
            var tracks = EngineRender.Render(Styles, "thrash", rests, feel, 0.5, 2, false, false, null);
            Assert.AreEqual(0, tracks["guitar"].Count);
            Assert.IsFalse(tracks.ContainsKey("bass"), "no line to double: no bass track");
            var line = new int[32];
            line[0] = 21;
            Assert.Throws<ArgumentNullException>(() => EngineRender.Render(Styles, "thrash", new Dictionary<string, int[]> { { "guitar", line } },
                feel, 0.5, 2, false, false, null));
        }
    }
}
