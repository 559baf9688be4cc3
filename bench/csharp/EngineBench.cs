// The in-engine decoder on Mono: parity with the decode vectors, time per 32-step decode, allocations per step,
// model load time and memory. Run by bench/engine.py (`./run bench engine`), which compiles it with
// RiffForge.Engine and the test-side vector reader; prints "key value" lines (BenchOutput), progress on stderr.
//
//   mono EngineBench.exe ASSET_DIR VECTOR_DIR BUNDLE DECODES
//
// The whole request (EngineGenerator.Generate) is timed by EngineRequestBench.cs.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using RiffForge.Engine;
using RiffForge.Engine.Tests;

static class EngineBench
{
    static int Main(string[] args)
    {
        if (args.Length < 4)
        {
            Console.Error.WriteLine("usage: EngineBench.exe ASSET_DIR VECTOR_DIR BUNDLE DECODES");
            return 2;
        }
        string assets = args[0], vectorDir = args[1], bundle = args[2];
        var decodes = int.Parse(args[3]);
        Environment.SetEnvironmentVariable("RIFFFORGE_REPO", Path.GetFullPath(Path.Combine(vectorDir, "..", "..", "..")));

        // load: time, and the float32 weights and controls the model holds (EngineModel.MemoryBytes)
        var bytes = File.ReadAllBytes(Path.Combine(assets, bundle + ".bytes"));
        EngineModel.Load(bytes, bundle + ".bytes");     // JIT warm-up
        var loads = new List<double>();
        EngineModel model = null;
        long held = 0;
        for (var i = 0; i < 5; i++)
        {
            model = null;
            GC.Collect();
            var sw = Stopwatch.StartNew();
            model = EngineModel.Load(bytes, bundle + ".bytes");
            loads.Add(sw.Elapsed.TotalMilliseconds);
            held = model.MemoryBytes;
        }
        BenchOutput.Emit("file_bytes", bytes.Length);
        BenchOutput.Emit("load_ms_p50", BenchOutput.Percentile(loads, 50));
        BenchOutput.Emit("model_bytes", held);

        // parity: every vector case
        var vectors = DecodeVectors.Load(bundle);
        var decoder = new LstmDecoder(model) { KeepLogits = true };
        int pass = 0, fail = 0;
        double worst = 0;
        foreach (var c in vectors.Cases)
        {
            decoder.Decode(c.Z, c.Controls, c.Gumbel);
            var same = true;
            for (var t = 0; t < c.Classes.Length; t++) same &= c.Classes[t] == decoder.Classes[t];
            double diff = 0;
            for (var i = 0; i < c.Logits.Length; i++) diff = Math.Max(diff, Math.Abs(c.Logits[i] - decoder.Logits[i]));
            worst = Math.Max(worst, diff);
            if (same && diff <= vectors.LogitsTolerance) pass++; else fail++;
        }
        BenchOutput.Emit("parity_pass", pass);
        BenchOutput.Emit("parity_fail", fail);
        Console.WriteLine("max_logit_diff " + worst.ToString("0.###E+0", System.Globalization.CultureInfo.InvariantCulture));

        // speed: sampled decodes of the vectors' first sampled case, one thread, logits not kept
        var k = vectors.Cases.Find(x => x.Gumbel != null);
        decoder = new LstmDecoder(model);
        for (var i = 0; i < 20; i++) decoder.Decode(k.Z, k.Controls, k.Gumbel);
        var times = new List<double>(decodes);
        var begins = new List<double>(decodes);
        var gcBefore = GC.CollectionCount(0);
        var allocBefore = EngineAllocations.Now();
        var tick = Stopwatch.Frequency / 1000.0;
        for (var i = 0; i < decodes; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            decoder.Begin(k.Z, k.Controls, k.Gumbel);
            var t1 = Stopwatch.GetTimestamp();
            while (decoder.Step()) { }
            var t2 = Stopwatch.GetTimestamp();
            times.Add((t2 - t0) / tick);
            begins.Add((t1 - t0) / tick);
        }
        var allocated = EngineAllocations.Now() - allocBefore;
        var gcs = GC.CollectionCount(0) - gcBefore;
        // (the timing lists were preallocated, so only the decoder's own allocations count)
        BenchOutput.Emit("decode_ms_p50", BenchOutput.Percentile(times, 50));
        BenchOutput.Emit("decode_ms_p99", BenchOutput.Percentile(times, 99));
        BenchOutput.Emit("begin_ms_p50", BenchOutput.Percentile(begins, 50));
        BenchOutput.Emit("alloc_bytes_per_step", (double)allocated / (decodes * model.Steps));
        BenchOutput.Emit("gen0_collections", gcs);
        BenchOutput.Emit("alloc_counter_per_thread", EngineAllocations.Counter == "GC.GetAllocatedBytesForCurrentThread" ? 1 : 0);
        return fail == 0 ? 0 : 1;
    }
}
