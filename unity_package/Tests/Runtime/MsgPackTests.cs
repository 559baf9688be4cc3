using System;
using System.Collections.Generic;
using NUnit.Framework;
using RiffForge.Core;

namespace RiffForge.Core.Tests
{
    public class MsgPackTests
    {
        [TestCase(0L, "00")]
        [TestCase(127L, "7f")]
        [TestCase(128L, "cc80")]
        [TestCase(255L, "ccff")]
        [TestCase(256L, "cd0100")]
        [TestCase(65536L, "ce00010000")]
        [TestCase(4294967296L, "cf0000000100000000")]
        [TestCase(-1L, "ff")]
        [TestCase(-32L, "e0")]
        [TestCase(-33L, "d0df")]
        [TestCase(-129L, "d1ff7f")]
        [TestCase(-32769L, "d2ffff7fff")]
        public void IntegersUseTheSmallestFormatAndReadBack(long value, string hex)
        {
            var bytes = MsgPackWriter.Encode(value);
            Assert.AreEqual(hex, TestData.Hex(bytes));
            Assert.AreEqual(value, MsgPackReader.Read(bytes));
        }

        [Test]
        public void FloatsAreAlwaysFloat64AndFloat32ReadsToo()
        {
            Assert.AreEqual("cb3fe6666666666666", TestData.Hex(MsgPackWriter.Encode(0.7)));
            Assert.AreEqual("cb3ff8000000000000", TestData.Hex(MsgPackWriter.Encode(1.5f)));
            Assert.AreEqual(1.5, MsgPackReader.Read(TestData.Bytes("ca3fc00000")));
        }

        [Test]
        public void StringsNilBoolsArraysMapsAndBin()
        {
            var value = MsgPackReader.Read(MsgPackWriter.Encode(TestData.Map(
                "s", new string('x', 40), "n", null, "t", true, "f", false, "a", new object[] { 1, "two" }, "b", new byte[] { 9 })));
            var map = (Dictionary<string, object>)value;
            Assert.AreEqual(new string('x', 40), map["s"]);
            Assert.IsNull(map["n"]);
            Assert.AreEqual(true, map["t"]);
            Assert.AreEqual(false, map["f"]);
            var list = (List<object>)map["a"];
            Assert.AreEqual(1L, list[0]);
            Assert.AreEqual("two", list[1]);
            CollectionAssert.AreEqual(new byte[] { 9 }, (byte[])map["b"]);
            Assert.AreEqual("d920" + TestData.Hex(System.Text.Encoding.ASCII.GetBytes(new string('y', 32))), TestData.Hex(MsgPackWriter.Encode(new string('y', 32))));
        }

        [TestCase("")]                     // empty
        [TestCase("dc")]                   // array16 without its length
        [TestCase("dcffff")]               // array16 claiming 65535 items in 0 bytes
        [TestCase("ddffffffff")]           // array32 claiming 4G items
        [TestCase("dfffffffff")]           // map32 claiming 4G entries
        [TestCase("dbffffffff41")]         // str32 claiming 4G bytes
        [TestCase("c6ffffffff")]           // bin32 claiming 4G bytes
        [TestCase("a5616263")]             // fixstr 5 with 3 bytes
        [TestCase("cb3ff0")]               // truncated float64
        [TestCase("cfffffffffffffffff")]   // uint64 above int64
        [TestCase("c1")]                   // reserved
        [TestCase("d40100")]               // fixext: not used by the protocol
        [TestCase("81" + "01" + "02")]     // non-string key
        [TestCase("82" + "a161" + "01" + "a161" + "02")] // repeated key
        [TestCase("a2c328")]               // invalid UTF-8
        [TestCase("0101")]                 // trailing byte
        public void HostilePayloadsThrowMsgPackFormatException(string hex)
        {
            Assert.Throws<MsgPackFormatException>(() => MsgPackReader.Read(TestData.Bytes(hex)));
        }

        [Test]
        public void DeepNestingIsRefused()
        {
            var bytes = new byte[200];
            for (var i = 0; i < bytes.Length - 1; i++) bytes[i] = 0x91; // [[[[...]]]]
            bytes[bytes.Length - 1] = 0x00;
            var e = Assert.Throws<MsgPackFormatException>(() => MsgPackReader.Read(bytes));
            StringAssert.Contains("nesting", e.Message);
        }

        [Test]
        public void EveryTruncationOfARiffPayloadThrowsATypedException()
        {
            var payload = TestData.RiffPayload();
            for (var n = 0; n < payload.Length; n++)
            {
                try
                {
                    RiffPayload.Decode(Prefix(payload, n));
                    Assert.Fail("a riff payload cut to " + n + " of " + payload.Length + " bytes was accepted");
                }
                catch (MsgPackFormatException) { }
                catch (RiffFormatException) { }
            }
        }

        [Test]
        public void RandomMutationsNeverEscapeTheTypedExceptions()
        {
            var payload = TestData.RiffPayload();
            var random = new Random(20240611);
            var decoded = 0;
            for (var round = 0; round < 5000; round++)
            {
                var copy = (byte[])payload.Clone();
                var flips = 1 + random.Next(4);
                for (var i = 0; i < flips; i++) copy[random.Next(copy.Length)] = (byte)random.Next(256);
                try { RiffPayload.Decode(copy); decoded++; }
                catch (MsgPackFormatException) { }
                catch (RiffFormatException) { }
                catch (ArgumentException) { } // Riff's own invariants
            }
            Assert.Less(decoded, 5000, "mutations should break most payloads");
        }

        [Test]
        public void ReadMapRefusesNonMaps()
        {
            var e = Assert.Throws<MsgPackFormatException>(() => MsgPackReader.ReadMap(TestData.Bytes("93010203")));
            StringAssert.Contains("expected a map", e.Message);
        }

        static byte[] Prefix(byte[] data, int n)
        {
            var p = new byte[n];
            Buffer.BlockCopy(data, 0, p, 0, n);
            return p;
        }
    }
}
