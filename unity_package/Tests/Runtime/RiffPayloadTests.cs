using NUnit.Framework;
using RiffForge.Core;

namespace RiffForge.Core.Tests
{
    public class RiffPayloadTests
    {
        [Test]
        public void DecodesEveryField()
        {
            var riff = TestData.Riff(tempo: 150.0, bars: 2, intensity: 0.75);
            Assert.AreEqual(150.0, riff.Tempo);
            Assert.AreEqual(4, riff.MeterNumerator);
            Assert.AreEqual(4, riff.MeterDenominator);
            Assert.AreEqual(2, riff.Bars);
            Assert.AreEqual("E", riff.Key);
            Assert.AreEqual("phrygian", riff.Mode);
            Assert.AreEqual("thrash", riff.Style);
            Assert.AreEqual(0.75, riff.Intensity);
            Assert.AreEqual(1234, riff.Seed);
            Assert.AreEqual("procedural", riff.ModelId);
            Assert.AreEqual("E standard", riff.Tuning);
            Assert.AreEqual(3, riff.Notes("guitar").Count);
            Assert.AreEqual(new Note(4, 2, 43, 90).ToString(), riff.Notes("guitar")[1].ToString());
            Assert.AreEqual(8, riff.NoteCount);
            Assert.AreEqual(0, riff.Notes("vocals").Count);
            Assert.AreEqual(16, riff.StepsPerBar);
            Assert.AreEqual(32, riff.TotalSteps);
            Assert.AreEqual(0.1, riff.SecondsPerStep, 1e-12); // 150 BPM: a quarter is 0.4 s, a 16th 0.1 s
        }

        [Test]
        public void AcceptsIntsWhereFloatsAreExpectedButNotTheOtherWayRound()
        {
            var map = TestData.RiffMap();
            map[0] = new System.Collections.Generic.KeyValuePair<string, object>("tempo", 120);
            Assert.AreEqual(120.0, RiffPayload.Decode(MsgPackWriter.Encode(map)).Tempo);
            map = TestData.RiffMap();
            map[2] = new System.Collections.Generic.KeyValuePair<string, object>("bars", 2.0);
            var e = Assert.Throws<RiffFormatException>(() => RiffPayload.Decode(MsgPackWriter.Encode(map)));
            StringAssert.Contains("riff.bars", e.Message);
        }

        [Test]
        public void IgnoresUnknownKeysAndSortsNotes()
        {
            var map = TestData.RiffMap(tracks: TestData.Map("bass", TestData.Events(new[] { 8, 1, 30, 90 }, new[] { 0, 1, 28, 90 })));
            map.Add(new System.Collections.Generic.KeyValuePair<string, object>("added_in_1_1", "whatever"));
            var riff = RiffPayload.Decode(MsgPackWriter.Encode(map));
            Assert.AreEqual(0, riff.Notes("bass")[0].Start);
            Assert.AreEqual(8, riff.Notes("bass")[1].Start);
        }

        [TestCase(0, "tempo", 10.0, "riff.tempo")]
        [TestCase(2, "bars", 0, "riff.bars")]
        [TestCase(6, "intensity", 1.5, "riff.intensity")]
        [TestCase(7, "seed", -1, "riff.seed")]
        [TestCase(3, "key", 4, "riff.key")]
        public void NamesTheBadField(int index, string key, object value, string expected)
        {
            var map = TestData.RiffMap();
            map[index] = new System.Collections.Generic.KeyValuePair<string, object>(key, value);
            var e = Assert.Throws<RiffFormatException>(() => RiffPayload.Decode(MsgPackWriter.Encode(map)));
            StringAssert.Contains(expected, e.Message);
        }

        [Test]
        public void RejectsBadNotesAndMissingFields()
        {
            var badPitch = TestData.RiffMap(tracks: TestData.Map("guitar", TestData.Events(new[] { 0, 1, 128, 90 })));
            StringAssert.Contains("tracks.guitar[0].pitch", Assert.Throws<RiffFormatException>(() => RiffPayload.Decode(MsgPackWriter.Encode(badPitch))).Message);
            var badLength = TestData.RiffMap(tracks: TestData.Map("guitar", TestData.Events(new[] { 0, 0, 40, 90 })));
            StringAssert.Contains("length", Assert.Throws<RiffFormatException>(() => RiffPayload.Decode(MsgPackWriter.Encode(badLength))).Message);
            var shortEvent = TestData.RiffMap(tracks: TestData.Map("guitar", new object[] { new object[] { 0, 1, 40 } }));
            Assert.Throws<RiffFormatException>(() => RiffPayload.Decode(MsgPackWriter.Encode(shortEvent)));
            var missing = TestData.RiffMap();
            missing.RemoveAt(8);
            StringAssert.Contains("riff.model_id is missing", Assert.Throws<RiffFormatException>(() => RiffPayload.Decode(MsgPackWriter.Encode(missing))).Message);
        }
    }
}
