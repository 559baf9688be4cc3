using System;
using System.Collections.Generic;

namespace RiffForge.Core
{
    /// <summary>
    /// Reassembles the chunks of riff answers per request id (protocol section 6). Duplicates are ignored,
    /// a chunk whose count disagrees with the first one is rejected, and a payload is returned only when every
    /// chunk is present: a half riff is never delivered. Not thread-safe: the client's receive thread owns it.
    /// </summary>
    public sealed class ChunkAssembler
    {
        public const int MaxChunkCount = 64;
        public const int MaxPayloadBytes = 262144;

        sealed class Partial
        {
            public byte[][] Chunks;
            public int Received;
            public int Bytes;
        }

        readonly Dictionary<int, Partial> _partials = new Dictionary<int, Partial>();

        /// <summary>Outcome of <see cref="Add"/>.</summary>
        public enum Result { Incomplete, Complete, Duplicate, Rejected }

        /// <summary>
        /// Adds one chunk. Returns <see cref="Result.Complete"/> with the whole payload in
        /// <paramref name="payload"/> when this chunk was the last one missing; <paramref name="problem"/>
        /// explains a <see cref="Result.Rejected"/> chunk.
        /// </summary>
        public Result Add(int requestId, int chunkIndex, int chunkCount, byte[] chunk, out byte[] payload, out string problem)
        {
            payload = null;
            problem = null;
            if (chunkCount < 1 || chunkCount > MaxChunkCount)
            {
                problem = "chunk_count=" + chunkCount + " is outside 1.." + MaxChunkCount;
                return Result.Rejected;
            }
            if (chunkIndex < 0 || chunkIndex >= chunkCount)
            {
                problem = "chunk_index=" + chunkIndex + " is outside 0.." + (chunkCount - 1);
                return Result.Rejected;
            }
            Partial p;
            if (!_partials.TryGetValue(requestId, out p))
            {
                p = new Partial { Chunks = new byte[chunkCount][] };
                _partials[requestId] = p;
            }
            else if (p.Chunks.Length != chunkCount)
            {
                problem = "chunk_count=" + chunkCount + " differs from " + p.Chunks.Length + " given by an earlier chunk of request " + requestId;
                return Result.Rejected;
            }
            if (p.Chunks[chunkIndex] != null) return Result.Duplicate;
            if (p.Bytes + chunk.Length > MaxPayloadBytes)
            {
                _partials.Remove(requestId);
                problem = "riff payload of request " + requestId + " exceeds " + MaxPayloadBytes + " bytes";
                return Result.Rejected;
            }
            p.Chunks[chunkIndex] = chunk;
            p.Received++;
            p.Bytes += chunk.Length;
            if (p.Received < chunkCount) return Result.Incomplete;
            _partials.Remove(requestId);
            payload = new byte[p.Bytes];
            var at = 0;
            foreach (var c in p.Chunks)
            {
                Buffer.BlockCopy(c, 0, payload, at, c.Length);
                at += c.Length;
            }
            return Result.Complete;
        }

        /// <summary>Forgets the chunks of one request (answered, timed out before a retry, or cancelled).</summary>
        public void Forget(int requestId) { _partials.Remove(requestId); }

        public void Clear() { _partials.Clear(); }

        public int PendingCount { get { return _partials.Count; } }
    }
}
