// C# side of bench/csharp_fuzz.py: mutates real packets (protocol/vectors) and feeds them to the decoders of
// RiffForge.Core exactly where SidecarClient does: ProtocolMessages.Decode (OSC reader), the hello's
// capabilities and the riff payload (msgpack reader), and the ChunkAssembler.
//
//   mono FuzzBench.exe <corpus.txt> <iterations> <seed>
//
// corpus.txt: one "datagram <hex>" or "payload <hex>" line per captured packet. An exception is handled when
// it is one the client catches at that call site (the decoders' format exceptions; RiffPayload may also throw
// ArgumentException); anything else counts as unhandled. Prints "key value" lines.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using RiffForge.Core;
using static BenchOutput;

static class FuzzBench
{
    static readonly int[] InterestingInts = { 0, 1, -1, 63, 64, 65, 255, 256, 4096, 8192, 65535, 65536, 262144, int.MaxValue, int.MinValue };
    static readonly byte[] InterestingBytes = { 0, 1, 0x7f, 0x80, 0xc0, 0xc1, 0xcc, 0xcd, 0xce, 0xcf, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xff, (byte)',', (byte)'/' };

    static long _unhandled;
    static readonly Dictionary<string, int> UnhandledKinds = new Dictionary<string, int>();

    static int Main(string[] args)
    {
        if (args.Length != 3) { Console.Error.WriteLine("usage: FuzzBench.exe <corpus.txt> <iterations> <seed>"); return 2; }
        var datagrams = new List<byte[]>();
        var payloads = new List<byte[]>();
        foreach (var line in File.ReadAllLines(args[0]))
        {
            var parts = line.Split(' ');
            if (parts.Length != 2) continue;
            (parts[0] == "payload" ? payloads : datagrams).Add(FromHex(parts[1]));
        }
        var iterations = long.Parse(args[1], CultureInfo.InvariantCulture);
        var rng = new Random(int.Parse(args[2], CultureInfo.InvariantCulture));
        var assembler = new ChunkAssembler();
        long decoded = 0, rejected = 0, riffs = 0, assembled = 0;
        var maxPending = 0;

        var before = GC.GetTotalMemory(true);
        for (long i = 0; i < iterations; i++)
        {
            var kind = rng.Next(10);
            if (kind < 6)
            {
                var seedPacket = datagrams[rng.Next(datagrams.Count)];
                var packet = Mutate(seedPacket, datagrams, rng);
                var outcome = FeedDatagram(packet, assembler, rng);
                if (outcome == 1) decoded++; else if (outcome == 0) rejected++;
            }
            else if (kind < 8)
            {
                var payload = Mutate(payloads[rng.Next(payloads.Count)], payloads, rng);
                if (FeedPayload(payload)) riffs++;
            }
            else
            {
                // A riff split into chunks with mutated bounds, ids from a small range (like the pending ids).
                var payload = payloads[rng.Next(payloads.Count)];
                if (rng.Next(4) == 0) payload = Mutate(payload, payloads, rng);
                var count = 1 + rng.Next(8);
                var size = Math.Max(1, (payload.Length + count - 1) / count);
                var id = 1 + rng.Next(64);
                for (var k = 0; k < count; k++)
                {
                    var from = Math.Min(payload.Length, k * size);
                    var chunk = new byte[Math.Min(size, payload.Length - from)];
                    Buffer.BlockCopy(payload, from, chunk, 0, chunk.Length);
                    var index = rng.Next(10) == 0 ? InterestingInts[rng.Next(InterestingInts.Length)] : k;
                    var total = rng.Next(10) == 0 ? InterestingInts[rng.Next(InterestingInts.Length)] : count;
                    byte[] whole;
                    if (AddChunk(assembler, id, index, total, chunk, out whole) && whole != null)
                    {
                        assembled++;
                        if (FeedPayload(whole)) riffs++;
                    }
                }
                if (rng.Next(3) == 0) assembler.Forget(id); // answered or timed out, as the client does
            }
            maxPending = Math.Max(maxPending, assembler.PendingCount);
            if ((i + 1) % 200000 == 0) Console.Error.WriteLine("fuzz " + (i + 1) + "/" + iterations + ", unhandled " + _unhandled);
        }
        assembler.Clear();
        var after = GC.GetTotalMemory(true);

        Emit("iterations", iterations);
        Emit("seed_datagrams", datagrams.Count);
        Emit("seed_payloads", payloads.Count);
        Emit("unhandled_exceptions", _unhandled);
        Emit("datagrams_decoded", decoded);
        Emit("datagrams_rejected", rejected);
        Emit("chunked_riffs_assembled", assembled);
        Emit("riffs_decoded", riffs);
        Emit("assembler_max_pending", maxPending);
        Emit("memory_before_bytes", before);
        Emit("memory_after_bytes", after);
        foreach (var kv in UnhandledKinds) Console.Error.WriteLine("unhandled " + kv.Value + "x " + kv.Key);
        return 0;
    }

    /// <summary>1 decoded, 0 rejected with a format exception, -1 unhandled.</summary>
    static int FeedDatagram(byte[] packet, ChunkAssembler assembler, Random rng)
    {
        OscMessage m;
        try { m = ProtocolMessages.Decode(packet, 0, packet.Length); }
        catch (OscFormatException) { return 0; }
        catch (Exception e) { Unhandled("ProtocolMessages.Decode", e); return -1; }
        try
        {
            m.GetString(0);
            switch (m.Address)
            {
                case ProtocolMessages.Hello:
                    string message;
                    var outcome = ProtocolVersion.Check(ProtocolVersion.Current, m.GetString(1), out message);
                    m.GetString(2);
                    if (ProtocolVersion.IsUsable(outcome))
                    {
                        try { SidecarCapabilities.Decode(m.GetBlob(3)); }
                        catch (MsgPackFormatException) { }
                        catch (RiffFormatException) { }
                    }
                    break;
                case ProtocolMessages.RiffChunk:
                    byte[] whole;
                    // Mostly ids the client waits for (1..64), sometimes any id.
                    var id = rng.Next(4) == 0 ? m.GetInt(1) : 1 + (m.GetInt(1) & 63);
                    if (AddChunk(assembler, id, m.GetInt(2), m.GetInt(3), m.GetBlob(4), out whole) && whole != null) FeedPayload(whole);
                    break;
                case ProtocolMessages.Error:
                    m.GetInt(1); m.GetString(2); m.GetString(3);
                    break;
                case ProtocolMessages.Ping:
                case ProtocolMessages.Pong:
                    m.GetInt(1);
                    break;
            }
            return 1;
        }
        catch (Exception e) { Unhandled("using " + m.Address, e); return -1; }
    }

    static bool AddChunk(ChunkAssembler assembler, int id, int index, int count, byte[] chunk, out byte[] payload)
    {
        payload = null;
        try
        {
            string problem;
            var result = assembler.Add(id, index, count, chunk, out payload, out problem);
            return result != ChunkAssembler.Result.Rejected;
        }
        catch (Exception e) { Unhandled("ChunkAssembler.Add", e); return false; }
    }

    static bool FeedPayload(byte[] payload)
    {
        try { MsgPackReader.Read(payload); }
        catch (MsgPackFormatException) { }
        catch (Exception e) { Unhandled("MsgPackReader.Read", e); }
        try { SidecarCapabilities.Decode(payload); }
        catch (MsgPackFormatException) { }
        catch (RiffFormatException) { }
        catch (Exception e) { Unhandled("SidecarCapabilities.Decode", e); }
        try { RiffPayload.Decode(payload); return true; }
        catch (MsgPackFormatException) { }
        catch (RiffFormatException) { }
        catch (ArgumentException) { }
        catch (Exception e) { Unhandled("RiffPayload.Decode", e); }
        return false;
    }

    static byte[] Mutate(byte[] seed, List<byte[]> pool, Random rng)
    {
        var data = new List<byte>(seed);
        var ops = 1 + rng.Next(4);
        for (var o = 0; o < ops; o++)
        {
            var at = data.Count == 0 ? 0 : rng.Next(data.Count);
            switch (rng.Next(9))
            {
                case 0: if (data.Count > 0) data[at] ^= (byte)(1 << rng.Next(8)); break;
                case 1: if (data.Count > 0) data[at] = (byte)rng.Next(256); break;
                case 2: if (data.Count > 0) data[at] = InterestingBytes[rng.Next(InterestingBytes.Length)]; break;
                case 3:
                    var v = InterestingInts[rng.Next(InterestingInts.Length)];
                    for (var b = 0; b < 4 && at + b < data.Count; b++) data[at + b] = (byte)(v >> (24 - 8 * b));
                    break;
                case 4: { var n = 1 + rng.Next(8); for (var b = 0; b < n; b++) data.Insert(at, (byte)rng.Next(256)); } break;
                case 5: if (data.Count > 0) data.RemoveRange(at, Math.Min(data.Count - at, 1 + rng.Next(16))); break;
                case 6: if (data.Count > 0) data.RemoveRange(at, data.Count - at); break; // truncate
                case 7: if (data.Count > 0) { var n = Math.Min(data.Count - at, 1 + rng.Next(32)); data.InsertRange(at, data.GetRange(at, n)); } break;
                default:
                    var other = pool[rng.Next(pool.Count)];
                    var from = other.Length == 0 ? 0 : rng.Next(other.Length);
                    data.RemoveRange(at, data.Count - at);
                    for (var b = from; b < other.Length; b++) data.Add(other[b]); // splice: head of one, tail of another
                    break;
            }
        }
        return data.ToArray();
    }

    static void Unhandled(string where, Exception e)
    {
        _unhandled++;
        var key = where + ": " + e.GetType().Name + ": " + e.Message;
        int n;
        UnhandledKinds.TryGetValue(key, out n);
        if (n == 0 && UnhandledKinds.Count < 20) Console.Error.WriteLine("first unhandled at " + key + "\n" + e.StackTrace);
        if (n > 0 || UnhandledKinds.Count < 20) UnhandledKinds[key] = n + 1;
    }

    static byte[] FromHex(string hex)
    {
        var bytes = new byte[hex.Length / 2];
        for (var i = 0; i < bytes.Length; i++) bytes[i] = byte.Parse(hex.Substring(2 * i, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return bytes;
    }
}
