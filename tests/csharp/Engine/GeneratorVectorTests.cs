using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using NUnit.Framework;
using RiffForge.Core;
using RiffForge.Repo.Tests;

namespace RiffForge.Engine.Tests
{
    /// <summary>
    /// Whole requests through <see cref="EngineGenerator"/> over the package's engine assets against the Python
    /// runtime's portable mode (tests/vectors/engine/requests.json, written by
    /// tests/vectors/make_engine_request_vectors.py): the same riff (feel, every note of every track), the same
    /// latent codes (bit for bit) and the same decoded classes per part; a job sliced one work unit at a time gives the same riff (the slicing and its
    /// allocations: SlicedJobTests); bad requests and model sets fail with one clear message.
    /// </summary>
    [TestFixture]
    public class GeneratorVectorTests
    {
        static EngineGenerator generator;

        static JsonObject Vectors { get { return EngineTestData.VectorFile("requests.json"); } }

        static IList<EngineModel> Models()
        {
            var models = new List<EngineModel>();
            foreach (string name in (List<object>)Vectors["bundles"]) models.Add(EngineTestData.Model(name));
            return models;
        }

        static EngineGenerator Generator
        {
            get
            {
                if (generator == null) generator = new EngineGenerator(Models(), RenderVectorTests.Styles);
                return generator;
            }
        }

        static IEnumerable<string> CaseNames()
        {
            foreach (JsonObject c in (List<object>)Vectors["cases"]) yield return (string)c["name"];
        }

        static JsonObject Case(string name)
        {
            foreach (JsonObject c in (List<object>)Vectors["cases"])
                if ((string)c["name"] == name) return c;
            throw new ArgumentException("requests.json has no case " + name);
        }

        /// <summary>The case's request as the C# type (absent fields keep their defaults: auto, all instruments).</summary>
        static RiffRequest Request(JsonObject c)
        {
            var r = (JsonObject)c["request"];
            var request = new RiffRequest(Convert.ToDouble(r["intensity"]))
            {
                Style = (string)r["style"], Bars = (int)(long)r["bars"], Seed = (int)(long)r["seed"],
            };
            if (r.ContainsKey("tempo")) request.Tempo = Convert.ToDouble(r["tempo"]);
            if (r.ContainsKey("key")) request.Key = (string)r["key"];
            if (r.ContainsKey("mode")) request.Mode = (string)r["mode"];
            if (r.ContainsKey("temperature")) request.Temperature = Convert.ToDouble(r["temperature"]);
            if (r.ContainsKey("instruments"))
            {
                var names = new List<string>();
                foreach (string n in (List<object>)r["instruments"]) names.Add(n);
                request.Instruments = names.ToArray();
            }
            return request;
        }

        static int[] Ints(object list)
        {
            var l = (List<object>)list;
            var a = new int[l.Count];
            for (var i = 0; i < a.Length; i++) a[i] = (int)(long)l[i];
            return a;
        }

        static string Describe(IList<Note> notes)
        {
            var sb = new StringBuilder();
            foreach (var n in notes) sb.Append(n).Append(' ');
            return sb.ToString();
        }

        static void AssertSameTracks(Riff expected, Riff actual, string what)
        {
            CollectionAssert.AreEquivalent(expected.Instruments, actual.Instruments, what + ": instruments");
            foreach (var inst in expected.Instruments)
                Assert.AreEqual(Describe(expected.Notes(inst)), Describe(actual.Notes(inst)), what + ": " + inst + " notes");
        }

        [Test]
        public void SettingsDefaultsAreThePythonGenerators()
        {
            var py = (JsonObject)Vectors["generator"];
            var s = EngineSettings.Default;
            Assert.AreEqual("portable", (string)py["noise"]);
            Assert.AreEqual((long)py["candidates"], s.Candidates);
            Assert.AreEqual((long)py["drum_candidates"], s.DrumCandidates);
            Assert.AreEqual(Convert.ToDouble(py["latent_noise"]), s.LatentNoise);
            var gain = (List<object>)py["intensity_gain"];
            Assert.AreEqual(Convert.ToDouble(gain[0]), s.IntensityGainLow);
            Assert.AreEqual(Convert.ToDouble(gain[1]), s.IntensityGainHigh);
            var temps = (List<object>)py["temperature_range"];
            Assert.AreEqual(Convert.ToDouble(temps[0]), s.TemperatureLow);
            Assert.AreEqual(Convert.ToDouble(temps[1]), s.TemperatureHigh);
            Assert.AreEqual(Convert.ToDouble(py["style_gain"]), s.StyleGain);
        }

        [Test, TestCaseSource("CaseNames")]
        public void RequestGivesThePythonRiff(string name)
        {
            var c = Case(name);
            var job = Generator.Start(Request(c));
            while (job.Step(1 << 20)) { }
            Assert.IsNull(job.Error, name + ": " + job.Error);
            var riff = job.Result;

            // the latent codes bit for bit, then the decoded classes: a difference there explains one in the notes
            var latents = (JsonObject)c["latents"];
            Assert.AreEqual((long)latents["count"], job.LatentCount, name + ": latent codes decoded");
            Assert.AreEqual(ulong.Parse((string)latents["hash"]), job.LatentHash, name + ": latent codes' float32 bits");
            var classes = (JsonObject)c["classes"];
            var decoded = job.DecodedClasses;
            CollectionAssert.AreEquivalent(classes.Keys, decoded.Keys, name + ": decoded parts");
            foreach (var part in classes.Keys)
                CollectionAssert.AreEqual(Ints(classes[part]), decoded[part], name + ": " + part + " classes");

            var want = (JsonObject)c["riff"];
            Assert.AreEqual(Convert.ToDouble(want["tempo"]), riff.Tempo, name + ": tempo");
            Assert.AreEqual((string)want["key"], riff.Key, name + ": key");
            Assert.AreEqual((string)want["mode"], riff.Mode, name + ": mode");
            Assert.AreEqual((string)want["tuning"], riff.Tuning, name + ": tuning");
            Assert.AreEqual((long)want["bars"], riff.Bars, name + ": bars");
            Assert.AreEqual((long)want["seed"], riff.Seed, name + ": seed");
            Assert.AreEqual((string)want["model_id"], riff.ModelId, name + ": model id");
            var tracks = (JsonObject)want["tracks"];
            CollectionAssert.AreEquivalent(tracks.Keys, riff.Instruments, name + ": tracks");
            foreach (var inst in tracks.Keys)
            {
                var notes = new List<Note>();
                foreach (List<object> n in (List<object>)tracks[inst])
                    notes.Add(new Note((int)(long)n[0], (int)(long)n[1], (int)(long)n[2], (int)(long)n[3]));
                Assert.AreEqual(Describe(notes), Describe(riff.Notes(inst)), name + ": " + inst + " notes");
            }
        }

        [Test]
        public void SlicedJobGivesTheSameRiffAsGenerate()
        {
            var request = Request(Case("death/0.9/2bars"));   // 2 bars, every part and a phrase-free decode
            var whole = Generator.Generate(request);
            var longer = Request(Case(FourBarCase()));
            var wholeLonger = Generator.Generate(longer);
            foreach (var pair in new[] { Tuple.Create(request, whole), Tuple.Create(longer, wholeLonger) })
            {
                var job = Generator.Start(pair.Item1);
                var calls = 1;
                while (job.Step(1)) calls++;
                Assert.IsNull(job.Error);
                Assert.IsTrue(job.IsDone);
                Assert.AreEqual(job.WorkUnits, calls, "one work unit per Step(1), the last one finishing the riff");
                Assert.That(job.WorkUnits, Is.GreaterThan(job.DecoderSteps), "the work between decoder steps is sliced too");
                Assert.That(job.DecoderSteps, Is.GreaterThanOrEqualTo(6 * 32), "guitar and drum candidates and the bass");
                AssertSameTracks(pair.Item2, job.Result, pair.Item1.ToString());
                Assert.AreEqual(pair.Item2.Tempo, job.Result.Tempo);
                Assert.IsFalse(job.Step(1), "a finished job stays finished");
            }
        }

        [Test]
        public void InterleavedJobsOfOneGeneratorStayIndependent()
        {
            // two requests of the same length stepped in turn (reusing finished jobs' buffers afterwards)
            var a = Request(Case("thrash/0.1/2bars"));
            var b = Request(Case(FourBarCase()));
            var c = Request(Case("death/0.9/2bars"));
            var ja = Generator.Start(a);
            var jb = Generator.Start(b);
            var jc = Generator.Start(c);
            bool ma = true, mb = true, mc = true;
            while (ma || mb || mc)
            {
                if (ma) ma = ja.Step(7);
                if (mb) mb = jb.Step(3);
                if (mc) mc = jc.Step(11);
            }
            foreach (var pair in new[] { Tuple.Create(a, ja), Tuple.Create(b, jb), Tuple.Create(c, jc) })
                AssertSameTracks(Generator.Generate(pair.Item1), pair.Item2.Result, pair.Item1.ToString());
        }

        static string FourBarCase()
        {
            foreach (var n in CaseNames()) if (n.EndsWith("/4bars", StringComparison.Ordinal)) return n;
            throw new InvalidOperationException("requests.json has no 4-bar case");
        }

        [Test]
        public void NullSeedDrawsOneAndTheRiffRecordsIt()
        {
            var request = new RiffRequest(0.5) { Style = "groove", Instruments = new[] { "drums" } };
            var job = Generator.Start(request);
            while (job.Step(4096)) { }
            Assert.That(job.Seed, Is.InRange(0, int.MaxValue - 1));
            Assert.AreEqual(job.Seed, job.Result.Seed);
            CollectionAssert.AreEquivalent(new[] { "drums" }, job.Result.Instruments);
            request.Seed = job.Seed;
            AssertSameTracks(job.Result, Generator.Generate(request), "the same seed again");
        }

        [Test]
        public void BadRequestsAndModelSetsFailClearly()
        {
            var e = Assert.Throws<ArgumentException>(() => Generator.Start(new RiffRequest(0.5) { Style = "polka", Seed = 1 }));
            StringAssert.Contains("style=polka", e.Message);
            StringAssert.Contains("thrash", e.Message);
            e = Assert.Throws<ArgumentException>(() => Generator.Start(new RiffRequest(1.5) { Seed = 1 }));
            StringAssert.Contains("intensity", e.Message);
            e = Assert.Throws<ArgumentException>(() => Generator.Generate(new RiffRequest(0.5) { Mode = "lydian-ish", Seed = 1 }));
            StringAssert.Contains("mode=lydian-ish", e.Message);
            Assert.Throws<ArgumentNullException>(() => Generator.Start(null));

            var job = Generator.Start(new RiffRequest(0.5) { Seed = 3 });
            Assert.Throws<ArgumentOutOfRangeException>(() => job.Step(0));
            var notReady = Assert.Throws<InvalidOperationException>(() => { var r = job.Result; });
            StringAssert.Contains("call Step", notReady.Message);

            var noDrums = new List<EngineModel> { EngineTestData.Model("metal-guitar"), EngineTestData.Model("metal-bass") };
            e = Assert.Throws<ArgumentException>(() => new EngineGenerator(noDrums, RenderVectorTests.Styles));
            StringAssert.Contains("role 'drums'", e.Message);
            StringAssert.Contains("metal-bass (bass)", e.Message);
            var guitarAndDrums = new List<EngineModel> { EngineTestData.Model("metal-guitar"), EngineTestData.Model("metal-drums") };
            Assert.Throws<ArgumentNullException>(() => new EngineGenerator(guitarAndDrums, null));
            var bad = new EngineSettings { Candidates = 0 };
            e = Assert.Throws<ArgumentException>(() => new EngineGenerator(guitarAndDrums, RenderVectorTests.Styles, bad));
            StringAssert.Contains("Candidates=0", e.Message);
        }

        [Test]
        public void WithoutABassModelTheBassDoublesTheGuitar()
        {
            var g = new EngineGenerator(new List<EngineModel> { EngineTestData.Model("metal-guitar"), EngineTestData.Model("metal-drums") },
                RenderVectorTests.Styles);
            Assert.AreEqual("metal-guitar+metal-drums", g.ModelId);
            var riff = g.Generate(new RiffRequest(0.6) { Style = "thrash", Seed = 5 });
            var withBass = Generator.Generate(new RiffRequest(0.6) { Style = "thrash", Seed = 5 });
            AssertSameTracks(Only(withBass, "guitar", "drums"), Only(riff, "guitar", "drums"), "guitar and drums do not depend on the bass");
            Assert.That(riff.Notes("guitar").Count, Is.GreaterThan(0));
            Assert.IsTrue(riff.HasTrack("bass"));
            var guitarStarts = new HashSet<int>();
            foreach (var n in riff.Notes("guitar")) guitarStarts.Add(n.Start);
            foreach (var n in riff.Notes("bass")) Assert.IsTrue(guitarStarts.Contains(n.Start), "bass note at " + n.Start + " doubles a guitar onset");
        }

        static Riff Only(Riff r, params string[] keep)
        {
            var tracks = new Dictionary<string, Note[]>();
            foreach (var k in keep) { var l = new List<Note>(r.Notes(k)); tracks[k] = l.ToArray(); }
            return new Riff(r.Tempo, 4, 4, r.Bars, r.Key, r.Mode, r.Style, r.Intensity, r.Seed, r.ModelId, r.Tuning, tracks);
        }

        [Test]
        public void FastSettingsDecodeFewerStepsAndStillPlayTheBand()
        {
            var fast = new EngineGenerator(Models(), RenderVectorTests.Styles, EngineSettings.Fast);
            var request = new RiffRequest(0.7) { Style = "thrash", Seed = 21 };
            var job = fast.Start(request);
            while (job.Step(1 << 20)) { }
            var full = Generator.Start(request);
            while (full.Step(1 << 20)) { }
            Assert.That(job.DecoderSteps, Is.LessThan(full.DecoderSteps));
            Assert.That(job.DecoderSteps, Is.GreaterThanOrEqualTo(3 * 32));
            foreach (var inst in new[] { "guitar", "bass", "drums" })
                Assert.That(job.Result.Notes(inst).Count, Is.GreaterThan(0), inst);
        }
    }
}
