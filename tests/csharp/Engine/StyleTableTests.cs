using System;
using System.IO;
using NUnit.Framework;

namespace RiffForge.Engine.Tests
{
    /// <summary>
    /// The package's style table parses to the Python runtime's styles, tunings and modes, and a broken table
    /// fails with one EngineFormatException naming the file, the field and the fix.
    /// </summary>
    [TestFixture]
    public class StyleTableTests
    {
        static string Shipped { get { return File.ReadAllText(Path.Combine(EngineTestData.AssetDir, "styles.json")); } }

        static StyleTable ShippedTable { get { return StyleTable.Parse(Shipped, "styles.json"); } }

        [Test]
        public void ShippedTableHasThePythonStyles()
        {
            var t = ShippedTable;
            Assert.AreEqual(new[] { "thrash", "death", "black", "doom", "djent", "groove" }, t.StyleNames);
            Assert.AreEqual(3, t.StyleIndex("doom"));
            Assert.AreEqual(-1, t.StyleIndex("polka"));
            var thrash = t.Style("thrash");
            Assert.AreEqual(115.0, thrash.TempoLow);
            Assert.AreEqual(200.0, thrash.TempoHigh);
            Assert.AreEqual(0.6, thrash.ChordP);
            Assert.AreEqual(0.06, thrash.PedalChordP);
            Assert.AreEqual("E standard", thrash.Tunings[0].Name);
            Assert.AreEqual(6.0, thrash.Tunings[0].Weight);
            Assert.AreEqual(5, thrash.Modes.Count);
            var e = t.Tuning("E standard");
            Assert.AreEqual(new[] { 40, 88, 28, 63 }, new[] { e.Lowest, e.Highest, e.BassLowest, e.BassHighest });
            Assert.AreEqual(30, t.Tuning("8-string").Lowest);
            Assert.AreEqual(new[] { 0, 1, 3, 4, 6, 7, 9, 10 }, t.ModeIntervals("diminished"));
            Assert.AreEqual(10, t.PitchClass("Bb"));
            Assert.AreEqual(10, t.PitchClass("A#"));
            Assert.AreEqual("F#", t.PitchClassName(6));
            Assert.AreEqual(21, t.MelodyMinPitch);
            Assert.AreEqual(108, t.MelodyMaxPitch);
            Assert.AreEqual(90, t.MelodyClasses);
            Assert.AreEqual(512, t.DrumClasses);
            // kick + closed hat + crash (bits 0, 2, 7), ascending
            Assert.AreEqual(new[] { 36, 42, 49 }, t.DrumClassPitches(1 | 4 | 128));
            Assert.IsTrue(t.IsAccentedDrum(38));
            Assert.IsTrue(t.IsCymbal(51));
            Assert.IsFalse(t.IsCymbal(49), "the crash is not softened");
        }

        [Test]
        public void LookupsOfUnknownNamesListTheKnownOnes()
        {
            var t = ShippedTable;
            StringAssert.Contains("groove", Assert.Throws<ArgumentException>(() => t.Style("polka")).Message);
            StringAssert.Contains("drop D", Assert.Throws<ArgumentException>(() => t.Tuning("open G")).Message);
            StringAssert.Contains("aeolian", Assert.Throws<ArgumentException>(() => t.ModeIntervals("ionian")).Message);
            StringAssert.Contains("key='H'", Assert.Throws<ArgumentException>(() => t.PitchClass("H")).Message);
            Assert.Throws<ArgumentOutOfRangeException>(() => t.DrumClassPitches(512));
        }

        static void Fails(string json, params string[] parts)
        {
            var e = Assert.Throws<EngineFormatException>(() => StyleTable.Parse(json, "RiffForgeEngine/styles.json"));
            StringAssert.StartsWith("RiffForgeEngine/styles.json: ", e.Message);
            foreach (var p in parts) StringAssert.Contains(p, e.Message);
        }

        static string Edit(string from, string to)
        {
            var text = Shipped;
            var at = text.IndexOf(from, StringComparison.Ordinal);
            Assert.That(at, Is.GreaterThanOrEqualTo(0), "the shipped styles.json contains " + from);
            return text.Substring(0, at) + to + text.Substring(at + from.Length);
        }

        [Test]
        public void NotJsonNamesTheFileAndTheFix()
        {
            Fails("{\"format_version\": 1,", "not valid JSON", "python build/engine_assets.py");
            Fails("", "not valid JSON");
        }

        [Test]
        public void AnotherFormatVersionNamesTheVersionAndTheFix()
        {
            Fails(Edit("\"format_version\": 1", "\"format_version\": 2"), "format_version is 2", "reads format 1", "python build/engine_assets.py");
        }

        [Test]
        public void MissingFieldsAreNamedWithTheirPath()
        {
            Fails(Edit("\"chord_p\": 0.6, ", ""), "styles[0] (thrash).chord_p is missing", "regenerate");
            Fails(Edit("\"melody\"", "\"melodies\""), "melody is missing");
            Fails(Edit("\"highest\": 88, ", ""), "tunings[0].highest is missing");
        }

        [Test]
        public void WrongTypesAreNamed()
        {
            Fails(Edit("\"tempo\": [115.0, 200.0]", "\"tempo\": [\"fast\", 200.0]"), "styles[0] (thrash).tempo[0] must be a number, not a string");
            Fails(Edit("\"lowest\": 40", "\"lowest\": 40.5"), "tunings[0].lowest is 40.5; must be a whole number");
            // an overflowing number is refused by the JSON reader (Mono) or as not finite (.NET Core's parser)
            Fails(Edit("\"tempo\": [115.0, 200.0]", "\"tempo\": [115.0, 1e999]"));
            Fails(Edit("\"styles\": [", "\"styles\": \"none\", \"old_styles\": ["), "styles must be a JSON array, not a string");
        }

        [Test]
        public void TruncatedOrCorruptedTablesFailOnlyWithEngineFormatException()
        {
            var text = Shipped;
            var rng = new Random(20261203);
            var failures = 0;
            for (var i = 0; i < 400; i++)
            {
                string broken;
                if (i % 2 == 0)
                {
                    broken = text.Substring(0, rng.Next(text.Length - 1));
                }
                else
                {
                    var chars = text.ToCharArray();
                    for (var k = 0; k < 3; k++) chars[rng.Next(chars.Length)] = "{}[],:\"0-9.ex "[rng.Next(14)];
                    broken = new string(chars);
                }
                try
                {
                    StyleTable.Parse(broken, "styles.json");
                }
                catch (EngineFormatException e)
                {
                    StringAssert.StartsWith("styles.json: ", e.Message);
                    failures++;
                }
            }
            Assert.That(failures, Is.GreaterThan(200), "truncations always fail, most corruptions too");
        }

        [Test]
        public void ContradictionsNameTheEntryAndTheFix()
        {
            Fails(Edit("[\"drop D\", 1.0]", "[\"drop Q\", 1.0]"), "styles[0] (thrash).tunings[1] names 'drop Q'", "add it there");
            Fails(Edit("[\"aeolian\", 3.0]", "[\"ionian\", 3.0]"), "styles[0] (thrash).modes[0] names 'ionian'");
            Fails(Edit("\"chord_p\": 0.6", "\"chord_p\": 1.5"), "chord_p is 1.5; a probability is 0..1");
            Fails(Edit("\"tempo\": [115.0, 200.0]", "\"tempo\": [200.0, 115.0]"), "tempo is [200, 115]");
            Fails(Edit("\"lowest\": 40, \"highest\": 88", "\"lowest\": 40, \"highest\": 50"), "tunings[0]", "at least an octave");
            Fails(Edit("[[\"E standard\", 6.0], [\"drop D\", 1.0], [\"D standard\", 1.0]]", "[[\"E standard\", 0.0]]"), "only zero weights");
            Fails(Edit("\"num_classes\": 90", "\"num_classes\": 91"), "melody.num_classes is 91", "make 90");
            Fails(Edit("\"num_classes\": 512", "\"num_classes\": 256"), "drums.num_classes is 256", "make 512");
            Fails(Edit("\"Bb\": \"A#\"", "\"Bb\": \"B-flat\""), "key_aliases.Bb names 'B-flat'");
            Fails(Edit("{\"name\": \"death\"", "{\"name\": \"thrash\""), "styles[1].name repeats style 'thrash'");
        }
    }
}
