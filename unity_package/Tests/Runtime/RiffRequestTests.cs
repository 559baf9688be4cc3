using System;
using NUnit.Framework;
using RiffForge.Core;

namespace RiffForge.Core.Tests
{
    public class RiffRequestTests
    {
        [Test]
        public void CanonicalPayloadHasAllNineKeysInSchemaOrder()
        {
            var payload = new RiffRequest(0.7).ToPayload();
            // Same bytes as protocol/vectors/request.json "request_canonical_auto".
            Assert.AreEqual("89a9696e74656e73697479cb3fe6666666666666a57374796c65a6746872617368a46261727302a574656d706fa46175746fa36b6579a46175746fa46d6f6465a46175746fa473656564c0ab696e737472756d656e747393a6677569746172a462617373a56472756d73ab74656d7065726174757265c0",
                TestData.Hex(payload));
        }

        [Test]
        public void ExplicitValuesAreEncoded()
        {
            var r = new RiffRequest(0.25) { Style = "doom", Bars = 4, Tempo = 90.0, Key = "D", Mode = "phrygian", Seed = 300, Instruments = new[] { "drums" }, Temperature = 0.5 };
            var map = MsgPackReader.ReadMap(r.ToPayload());
            Assert.AreEqual(0.25, map["intensity"]);
            Assert.AreEqual("doom", map["style"]);
            Assert.AreEqual(4L, map["bars"]);
            Assert.AreEqual(90.0, map["tempo"]);
            Assert.AreEqual("D", map["key"]);
            Assert.AreEqual("phrygian", map["mode"]);
            Assert.AreEqual(300L, map["seed"]);
            Assert.AreEqual("drums", ((System.Collections.Generic.List<object>)map["instruments"])[0]);
            Assert.AreEqual(0.5, map["temperature"]);
        }

        [TestCase(1.5, 2, "intensity=1.5")]
        [TestCase(-0.1, 2, "intensity=-0.1")]
        [TestCase(0.5, 0, "bars=0")]
        [TestCase(0.5, 17, "bars=17")]
        public void ValidationNamesFieldAndFix(double intensity, int bars, string expected)
        {
            var e = Assert.Throws<ArgumentException>(() => new RiffRequest(intensity) { Bars = bars }.Validate());
            StringAssert.Contains(expected, e.Message);
        }

        [Test]
        public void ValidationChecksTempoKeyTemperatureInstrumentsAndCapabilities()
        {
            Assert.Throws<ArgumentException>(() => new RiffRequest(0.5) { Tempo = 500 }.Validate());
            Assert.Throws<ArgumentException>(() => new RiffRequest(0.5) { Key = "H" }.Validate());
            Assert.Throws<ArgumentException>(() => new RiffRequest(0.5) { Temperature = 0.0 }.Validate());
            Assert.Throws<ArgumentException>(() => new RiffRequest(0.5) { Instruments = new string[0] }.Validate());
            Assert.Throws<ArgumentException>(() => new RiffRequest(0.5) { Instruments = new[] { "bass", "bass" } }.Validate());
            Assert.Throws<ArgumentException>(() => new RiffRequest(0.5) { Seed = -3 }.Validate());
            var caps = SidecarCapabilities.Decode(TestData.Capabilities());
            var e = Assert.Throws<ArgumentException>(() => new RiffRequest(0.5) { Style = "polka" }.Validate(caps));
            StringAssert.Contains("style=polka", e.Message);
            Assert.Throws<ArgumentException>(() => new RiffRequest(0.5) { Instruments = new[] { "kazoo" } }.Validate(caps));
            new RiffRequest(0.5) { Style = "djent", Bars = 16, Key = "F#", Seed = 0 }.Validate(caps);
        }

        [Test]
        public void CloneCopiesTheInstrumentArray()
        {
            var a = new RiffRequest(0.3);
            var b = a.Clone();
            b.Instruments[0] = "x";
            Assert.AreEqual("guitar", a.Instruments[0]);
        }
    }
}
