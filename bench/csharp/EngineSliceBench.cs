// The in-engine request sliced as on WebGL: GenerationJob.Step(1) one work unit at a time, each resumption timed
// and its allocations counted; then the frames of the Unity layer's sliced path (EngineRunner.Pump: as many
// units as StepBudget fits in its default budget per frame (0.7 ms planned, 1 ms promised), unity_package/Runtime/Playback/StepBudget.cs compiled in),
// each frame's work timed. Run by bench/engine.py (`./run bench engine`); prints "key value" lines (BenchOutput)
// and, on stderr, the slowest unit.
//
//   mono EngineSliceBench.exe ASSET_DIR REQUESTS BARS [default|fast]
//
// Timings on a shared machine include preemption: besides the maximum over every resumption, the bench repeats
// each request and takes, per unit, the median over the repeats; the largest of those medians is the work of
// the heaviest unit ("slice_ms_max_median"), robust to another process taking the core for a moment.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using RiffForge.Core;
using RiffForge.Engine;
using RiffForge.Engine.Tests;

static class EngineSliceBench
{
    static int Main(string[] args)
    {
        if (args.Length < 3)
        {
            Console.Error.WriteLine("usage: EngineSliceBench.exe ASSET_DIR REQUESTS BARS [default|fast]");
            return 2;
        }
        var preset = args.Length > 3 ? args[3] : "default";
        if (preset != "default" && preset != "fast")
        {
            Console.Error.WriteLine("EngineSliceBench: preset '" + preset + "': use default or fast");
            return 2;
        }
        var assets = args[0];
        int requests = int.Parse(args[1]), bars = int.Parse(args[2]);
        var settings = preset == "fast" ? EngineSettings.Fast : EngineSettings.Default;
        var models = new List<EngineModel>();
        foreach (var b in new[] { "metal-guitar", "metal-bass", "metal-drums" })
            models.Add(EngineModel.Load(File.ReadAllBytes(Path.Combine(assets, b + ".bytes")), b + ".bytes"));
        var styles = StyleTable.Parse(File.ReadAllText(Path.Combine(assets, "styles.json")), "styles.json");
        var generator = new EngineGenerator(models, styles, settings);
        var names = new[] { "thrash", "death", "doom", "groove", "black", "djent" };
        Func<int, RiffRequest> request = i => new RiffRequest(i % 11 / 10.0)
        {
            Style = names[i % names.Length], Bars = bars, Seed = 1000 + i,
        };
        const int Repeats = 5;
        var tick = Stopwatch.Frequency / 1000.0;
        for (var i = 0; i < 3; i++) generator.Generate(request(i));
        var all = new List<double>();
        double worstMedian = 0, worstMax = 0;
        string worstWhere = "";
        long allocated = 0, allocatedLast = 0;
        int units = 0, decoderSteps = 0, allocatingCalls = 0;
        var perUnit = new List<double[]>();
        var unitMedians = new List<double[]>(); // per request, each unit's median time over the repeats
        for (var i = 0; i < requests; i++)
        {
            perUnit.Clear();
            for (var rep = 0; rep < Repeats; rep++)
            {
                var job = generator.Start(request(i));
                var k = 0;
                while (true)
                {
                    var a0 = EngineAllocations.Now();
                    var t0 = Stopwatch.GetTimestamp();
                    var more = job.Step(1);
                    var t1 = Stopwatch.GetTimestamp();
                    var bytes = EngineAllocations.Now() - a0;
                    var ms = (t1 - t0) / tick;
                    if (k == perUnit.Count) perUnit.Add(new double[Repeats]);
                    perUnit[k][rep] = ms;
                    all.Add(ms);
                    if (ms > worstMax) worstMax = ms;
                    if (rep == 0)
                    {
                        if (!more) allocatedLast += bytes;
                        else allocated += bytes;
                        if (more && bytes > 0) allocatingCalls++;
                    }
                    k++;
                    if (!more) break;
                }
                if (job.Error != null) { Console.Error.WriteLine(job.Error); return 1; }
                if (rep == 0) { units += job.WorkUnits; decoderSteps += job.DecoderSteps; }
            }
            var medians = new double[perUnit.Count];
            unitMedians.Add(medians);
            for (var k = 0; k < perUnit.Count; k++)
            {
                var row = perUnit[k];
                Array.Sort(row);
                var median = row[Repeats / 2];
                medians[k] = median;
                if (median > worstMedian) { worstMedian = median; worstWhere = request(i) + " unit " + (k + 1) + " of " + perUnit.Count; }
            }
        }
        Frames(generator, request, requests, unitMedians);
        Console.Error.WriteLine("[slice] heaviest unit (median of " + Repeats + "): " + worstMedian.ToString("0.000") + " ms at " + worstWhere);
        BenchOutput.Emit("slice_units_per_request", (double)units / requests);
        BenchOutput.Emit("slice_decoder_steps_per_request", (double)decoderSteps / requests);
        BenchOutput.Emit("slice_ms_p50", BenchOutput.Percentile(all, 50));
        BenchOutput.Emit("slice_ms_p99", BenchOutput.Percentile(all, 99));
        BenchOutput.Emit("slice_ms_max_median", worstMedian);
        BenchOutput.Emit("slice_ms_max", worstMax);
        BenchOutput.Emit("slice_alloc_bytes_before_last", (double)allocated / requests);
        BenchOutput.Emit("slice_allocating_calls", allocatingCalls);
        BenchOutput.Emit("slice_alloc_bytes_last", (double)allocatedLast / requests);
        return 0;
    }

    /// <summary>
    /// The requests one after another as EngineRunner.Pump runs them on WebGL: per frame, Step(n) with n from
    /// StepBudget.StepsFor(what is left of the default budget) until nothing fits, the budget learning from each
    /// call's time per unit; a new request starts in the frame after the last one finished.
    /// </summary>
    static void Frames(EngineGenerator generator, Func<int, RiffRequest> request, int requests, List<double[]> unitMedians)
    {
        var budget = new RiffForge.StepBudget();
        // sized up front: a list growing mid-run would allocate inside the frames it measures
        var frames = new List<double>(requests * 1024);
        var cpuFrames = new List<double>(requests * 1024);
        var plannedFrames = new List<double>(requests * 1024);
        var cpu = ThreadClock.Available();
        double perSecond = Stopwatch.Frequency;
        for (var i = 0; i < requests; i++)
        {
            var job = generator.Start(request(i));
            var medians = unitMedians[i];
            var more = true;
            while (more)
            {
                var firstUnit = job.WorkUnits;
                var cpuStart = cpu ? ThreadClock.Seconds() : 0.0;
                var start = Stopwatch.GetTimestamp();
                var stepsThisFrame = 0;
                while (more)
                {
                    var remaining = budget.FrameSeconds - (Stopwatch.GetTimestamp() - start) / perSecond;
                    var steps = budget.StepsFor(remaining, stepsThisFrame == 0);
                    if (steps == 0) break;
                    var before = Stopwatch.GetTimestamp();
                    var done = job.WorkUnits;
                    more = job.Step(steps);
                    var ran = job.WorkUnits - done;
                    budget.Observe(ran > 0 ? ran : 1, (Stopwatch.GetTimestamp() - before) / perSecond);
                    stepsThisFrame += steps;
                }
                frames.Add((Stopwatch.GetTimestamp() - start) * 1000.0 / perSecond);
                if (cpu) cpuFrames.Add((ThreadClock.Seconds() - cpuStart) * 1000.0);
                // the same units' work without the machine's moments: their medians over the repeats above
                var planned = 0.0;
                for (var k = firstUnit; k < job.WorkUnits && k < medians.Length; k++) planned += medians[k];
                plannedFrames.Add(planned);
            }
        }
        BenchOutput.Emit("frames_per_request", (double)frames.Count / requests);
        EmitFrames("", frames);
        if (cpu) EmitFrames("_cpu", cpuFrames);
        EmitFrames("_units", plannedFrames);
    }

    /// <summary>frame{kind}_ms_p50 / _p99 / _max and frames{kind}_over_1ms_percent of one measure of the frames.</summary>
    static void EmitFrames(string kind, List<double> frames)
    {
        BenchOutput.Emit("frame" + kind + "_ms_p50", BenchOutput.Percentile(frames, 50));
        BenchOutput.Emit("frame" + kind + "_ms_p99", BenchOutput.Percentile(frames, 99));
        BenchOutput.Emit("frame" + kind + "_ms_max", BenchOutput.Percentile(frames, 100));
        var over = 0;
        foreach (var f in frames) if (f > 1.0) over++;
        BenchOutput.Emit("frames" + kind + "_over_1ms_percent", 100.0 * over / frames.Count);
    }
}

/// <summary>
/// This thread's CPU time (Linux clock_gettime with CLOCK_THREAD_CPUTIME_ID, 3 in its time.h): the work a frame
/// does without the time another process held the core. Only the benchmark uses it, beside the wall clock.
/// </summary>
static class ThreadClock
{
    [StructLayout(LayoutKind.Sequential)]
    struct Timespec { public long Seconds; public long Nanoseconds; }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    static extern int ClockGetTime(int clock, out Timespec time);

    const int ThreadCpuTime = 3;

    public static bool Available()
    {
        if (Environment.OSVersion.Platform != PlatformID.Unix || !File.Exists("/proc/self/stat")) return false; // Linux only
        try { Timespec t; return ClockGetTime(ThreadCpuTime, out t) == 0; }
        catch (Exception) { return false; }
    }

    public static double Seconds()
    {
        Timespec t;
        ClockGetTime(ThreadCpuTime, out t);
        return t.Seconds + t.Nanoseconds * 1e-9;
    }
}
