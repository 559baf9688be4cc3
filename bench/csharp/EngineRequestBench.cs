// The whole in-engine request on Mono: EngineGenerator.Generate with the three shipped models and styles.json,
// p50/p99 ms per riff and bytes allocated per riff. Run by bench/engine.py (`./run bench engine`); prints
// "key value" lines (BenchOutput).
//
//   mono EngineRequestBench.exe ASSET_DIR REQUESTS BARS [default|fast]   (EngineSettings.Default or .Fast)
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using RiffForge.Core;
using RiffForge.Engine;
using RiffForge.Engine.Tests;

static class EngineRequestBench
{
    static int Main(string[] args)
    {
        if (args.Length < 3)
        {
            Console.Error.WriteLine("usage: EngineRequestBench.exe ASSET_DIR REQUESTS BARS [default|fast]");
            return 2;
        }
        var preset = args.Length > 3 ? args[3] : "default";
        if (preset != "default" && preset != "fast")
        {
            Console.Error.WriteLine("EngineRequestBench: preset '" + preset + "': use default or fast");
            return 2;
        }
        return Requests(args[0], int.Parse(args[1]), int.Parse(args[2]), preset == "fast" ? EngineSettings.Fast : EngineSettings.Default);
    }

    /// <summary>Whole band riffs: p50/p99 of EngineGenerator.Generate over seeded requests (styles and intensities
    /// cycling), one thread, after a warm-up, and the bytes allocated per request.</summary>
    static int Requests(string assets, int requests, int bars, EngineSettings settings)
    {
        var models = new List<EngineModel>();
        foreach (var b in new[] { "metal-guitar", "metal-bass", "metal-drums" })
            models.Add(EngineModel.Load(File.ReadAllBytes(Path.Combine(assets, b + ".bytes")), b + ".bytes"));
        var styles = StyleTable.Parse(File.ReadAllText(Path.Combine(assets, "styles.json")), "styles.json");
        var generator = new EngineGenerator(models, styles, settings);
        BenchOutput.Emit("candidates", settings.Candidates);
        BenchOutput.Emit("drum_candidates", settings.DrumCandidates);
        var names = new[] { "thrash", "death", "doom", "groove", "black", "djent" };
        Func<int, RiffRequest> request = i => new RiffRequest(i % 11 / 10.0)
        {
            Style = names[i % names.Length], Bars = bars, Seed = 1000 + i,
        };
        for (var i = 0; i < 5; i++) generator.Generate(request(i));
        var times = new List<double>(requests);
        var allocBefore = EngineAllocations.Now();
        for (var i = 0; i < requests; i++)
        {
            var r = request(i);
            var sw = Stopwatch.StartNew();
            generator.Generate(r);
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        var allocated = EngineAllocations.Now() - allocBefore;
        BenchOutput.Emit("request_ms_p50", BenchOutput.Percentile(times, 50));
        BenchOutput.Emit("request_ms_p99", BenchOutput.Percentile(times, 99));
        BenchOutput.Emit("request_alloc_bytes", (double)allocated / requests);
        return 0;
    }
}
