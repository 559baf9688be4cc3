using NUnit.Framework;
using RiffForge.Core;

namespace RiffForge.Core.Tests
{
    public class OscCodecTests
    {
        [Test]
        public void Float32MessageMatchesTheOscSpecExample()
        {
            // OSC 1.0 spec example: "/oscillator/4/frequency" ,f 440.0
            var bytes = OscWriter.Encode(new OscMessage("/oscillator/4/frequency", 440.0f));
            Assert.AreEqual("2f6f7363696c6c61746f722f342f6672657175656e6379002c66000043dc0000", TestData.Hex(bytes));
            var back = OscReader.DecodeMessage(bytes);
            Assert.AreEqual(",f", back.TypeTags);
            Assert.AreEqual(440.0f, back.GetFloat(0));
        }

        [Test]
        public void AllArgumentTypesRoundTrip()
        {
            var blob = new byte[] { 1, 2, 3, 4, 5 };
            var m = new OscMessage("/a", -7, 1.5f, "héllo", blob, int.MaxValue, "", new byte[0]);
            var bytes = OscWriter.Encode(m);
            Assert.AreEqual(0, bytes.Length % 4);
            var back = OscReader.DecodeMessage(bytes);
            Assert.AreEqual(",ifsbisb", back.TypeTags);
            Assert.AreEqual(-7, back.GetInt(0));
            Assert.AreEqual(1.5f, back.GetFloat(1));
            Assert.AreEqual("héllo", back.GetString(2));
            CollectionAssert.AreEqual(blob, back.GetBlob(3));
            Assert.AreEqual(int.MaxValue, back.GetInt(4));
            Assert.AreEqual("", back.GetString(5));
            Assert.AreEqual(0, back.GetBlob(6).Length);
        }

        [Test]
        public void StringsGetOneToFourNulBytes()
        {
            Assert.AreEqual("2f616263" + "00000000" + "2c000000", TestData.Hex(OscWriter.Encode(new OscMessage("/abc"))));
            Assert.AreEqual("2f616200" + "2c000000", TestData.Hex(OscWriter.Encode(new OscMessage("/ab"))));
        }

        [Test]
        public void BlobsArePaddedToFourBytes()
        {
            var bytes = OscWriter.Encode(new OscMessage("/b", new byte[] { 0xaa }));
            Assert.AreEqual("2f620000" + "2c620000" + "00000001" + "aa000000", TestData.Hex(bytes));
        }

        [Test]
        public void BundlesRoundTripWithNesting()
        {
            var inner = new OscBundle(42UL, new OscMessage("/x", 1));
            var outer = new OscBundle(OscBundle.Immediately, new OscMessage("/y", "s"), inner);
            var bytes = OscWriter.Encode(outer);
            StringAssert.StartsWith("2362756e646c6500" + "0000000000000001", TestData.Hex(bytes));
            Assert.IsTrue(OscReader.IsBundle(bytes, 0, bytes.Length));
            var back = (OscBundle)OscReader.DecodePacket(bytes, 0, bytes.Length);
            Assert.AreEqual(OscBundle.Immediately, back.TimeTag);
            Assert.AreEqual(2, back.Elements.Count);
            Assert.AreEqual("/y", ((OscMessage)back.Elements[0]).Address);
            var nested = (OscBundle)back.Elements[1];
            Assert.AreEqual(42UL, nested.TimeTag);
            Assert.AreEqual(1, ((OscMessage)nested.Elements[0]).GetInt(0));
        }

        [Test]
        public void BundleElementSizeBeyondTheEndIsRejected()
        {
            var bytes = OscWriter.Encode(new OscBundle(1UL, new OscMessage("/x", 1)));
            bytes[19] = 0x7f; // element size
            Assert.Throws<OscFormatException>(() => OscReader.DecodeBundle(bytes));
        }

        [TestCase("")]
        [TestCase("2f61")]                               // not a multiple of 4
        [TestCase("2f616263")]                           // address without NUL
        [TestCase("2f610000")]                           // no type tags
        [TestCase("2f610000" + "69000000")]              // tags without ','
        [TestCase("2f610000" + "2c690000")]              // int missing
        [TestCase("2f610000" + "2c690000" + "00000001" + "00000000")] // trailing bytes
        [TestCase("2f610000" + "2c620000" + "00000008" + "00000000")] // blob past the end
        [TestCase("2f610000" + "2c620000" + "ffffffff")]              // negative blob
        [TestCase("2f610000" + "2c730000" + "ff000000")]              // invalid UTF-8
        [TestCase("2f610000" + "2c780000")]                           // unknown tag
        [TestCase("61000000" + "2c000000")]                           // address without '/'
        public void MalformedPacketsThrowOscFormatException(string hex)
        {
            Assert.Throws<OscFormatException>(() => OscReader.DecodeMessage(TestData.Bytes(hex)));
        }

        [Test]
        public void DecodingHonoursOffsetAndCount()
        {
            var message = OscWriter.Encode(new OscMessage("/q", 5));
            var buffer = new byte[message.Length + 8];
            System.Buffer.BlockCopy(message, 0, buffer, 4, message.Length);
            Assert.AreEqual(5, OscReader.DecodeMessage(buffer, 4, message.Length).GetInt(0));
            Assert.Throws<OscFormatException>(() => OscReader.DecodeMessage(buffer, 8, message.Length));
        }

        [Test]
        public void ProtocolDecodeRejectsUnknownAddressesWrongTagsBundlesAndOversize()
        {
            var ok = OscWriter.Encode(new OscMessage(ProtocolMessages.Ping, TestData.Token, 3));
            Assert.AreEqual(3, ProtocolMessages.Decode(ok, 0, ok.Length).GetInt(1));
            var unknown = OscWriter.Encode(new OscMessage("/riffforge/nope", TestData.Token));
            Assert.Throws<OscFormatException>(() => ProtocolMessages.Decode(unknown, 0, unknown.Length));
            var wrongTags = OscWriter.Encode(new OscMessage(ProtocolMessages.Ping, TestData.Token, "3"));
            Assert.Throws<OscFormatException>(() => ProtocolMessages.Decode(wrongTags, 0, wrongTags.Length));
            var bundle = OscWriter.Encode(new OscBundle(1UL, new OscMessage(ProtocolMessages.Ping, TestData.Token, 3)));
            Assert.Throws<OscFormatException>(() => ProtocolMessages.Decode(bundle, 0, bundle.Length));
            var big = OscWriter.Encode(new OscMessage(ProtocolMessages.Request, TestData.Token, 1, new byte[8200]));
            Assert.Throws<OscFormatException>(() => ProtocolMessages.Decode(big, 0, big.Length));
        }

        [Test]
        public void TokensFollowTheAlphabetAndLengthRule()
        {
            Assert.IsTrue(ProtocolMessages.IsValidToken(TestData.Token));
            Assert.IsFalse(ProtocolMessages.IsValidToken("short"));
            Assert.IsFalse(ProtocolMessages.IsValidToken("has space in it"));
            Assert.IsFalse(ProtocolMessages.IsValidToken(new string('a', 129)));
            var fresh = ProtocolMessages.NewToken();
            Assert.AreEqual(32, fresh.Length);
            Assert.IsTrue(ProtocolMessages.IsValidToken(fresh));
            Assert.AreNotEqual(fresh, ProtocolMessages.NewToken());
        }
    }
}
