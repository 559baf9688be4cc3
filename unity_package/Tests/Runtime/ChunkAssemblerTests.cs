using System;
using NUnit.Framework;
using RiffForge.Core;

namespace RiffForge.Core.Tests
{
    public class ChunkAssemblerTests
    {
        static byte[][] Split(byte[] payload, int size)
        {
            var count = Math.Max(1, (payload.Length + size - 1) / size);
            var chunks = new byte[count][];
            for (var k = 0; k < count; k++)
            {
                var n = Math.Min(size, payload.Length - k * size);
                chunks[k] = new byte[n];
                Buffer.BlockCopy(payload, k * size, chunks[k], 0, n);
            }
            return chunks;
        }

        [Test]
        public void ReassemblesOutOfOrderChunksWithDuplicatesAndNeverDeliversEarly()
        {
            var payload = new byte[1000];
            new Random(7).NextBytes(payload);
            var chunks = Split(payload, 300); // 4 chunks
            var a = new ChunkAssembler();
            byte[] result;
            string problem;
            Assert.AreEqual(ChunkAssembler.Result.Incomplete, a.Add(9, 3, 4, chunks[3], out result, out problem));
            Assert.AreEqual(ChunkAssembler.Result.Incomplete, a.Add(9, 1, 4, chunks[1], out result, out problem));
            Assert.AreEqual(ChunkAssembler.Result.Duplicate, a.Add(9, 1, 4, chunks[1], out result, out problem));
            Assert.AreEqual(ChunkAssembler.Result.Incomplete, a.Add(9, 0, 4, chunks[0], out result, out problem));
            Assert.IsNull(result, "a half riff must never be delivered");
            Assert.AreEqual(ChunkAssembler.Result.Complete, a.Add(9, 2, 4, chunks[2], out result, out problem));
            CollectionAssert.AreEqual(payload, result);
            Assert.AreEqual(0, a.PendingCount);
        }

        [Test]
        public void KeepsRequestsApart()
        {
            var a = new ChunkAssembler();
            byte[] result;
            string problem;
            a.Add(1, 0, 2, new byte[] { 1 }, out result, out problem);
            a.Add(2, 0, 2, new byte[] { 2 }, out result, out problem);
            Assert.AreEqual(ChunkAssembler.Result.Complete, a.Add(2, 1, 2, new byte[] { 3 }, out result, out problem));
            CollectionAssert.AreEqual(new byte[] { 2, 3 }, result);
            Assert.AreEqual(1, a.PendingCount);
        }

        [Test]
        public void RejectsInconsistentOrOutOfRangeChunks()
        {
            var a = new ChunkAssembler();
            byte[] result;
            string problem;
            a.Add(5, 0, 3, new byte[] { 1 }, out result, out problem);
            Assert.AreEqual(ChunkAssembler.Result.Rejected, a.Add(5, 1, 2, new byte[] { 1 }, out result, out problem));
            StringAssert.Contains("chunk_count=2 differs", problem);
            Assert.AreEqual(ChunkAssembler.Result.Rejected, a.Add(6, 2, 2, new byte[] { 1 }, out result, out problem));
            Assert.AreEqual(ChunkAssembler.Result.Rejected, a.Add(6, -1, 2, new byte[] { 1 }, out result, out problem));
            Assert.AreEqual(ChunkAssembler.Result.Rejected, a.Add(6, 0, 65, new byte[] { 1 }, out result, out problem));
            Assert.AreEqual(ChunkAssembler.Result.Rejected, a.Add(6, 0, 0, new byte[] { 1 }, out result, out problem));
        }

        [Test]
        public void RefusesPayloadsAboveTheLimit()
        {
            var a = new ChunkAssembler();
            byte[] result;
            string problem;
            var big = new byte[ChunkAssembler.MaxPayloadBytes / 2 + 1];
            a.Add(1, 0, 3, big, out result, out problem);
            Assert.AreEqual(ChunkAssembler.Result.Rejected, a.Add(1, 1, 3, big, out result, out problem));
            StringAssert.Contains("exceeds", problem);
        }

        [Test]
        public void ForgetDropsPartialAnswers()
        {
            var a = new ChunkAssembler();
            byte[] result;
            string problem;
            a.Add(1, 0, 2, new byte[] { 1 }, out result, out problem);
            a.Forget(1);
            Assert.AreEqual(0, a.PendingCount);
            Assert.AreEqual(ChunkAssembler.Result.Incomplete, a.Add(1, 1, 2, new byte[] { 2 }, out result, out problem));
        }
    }
}
