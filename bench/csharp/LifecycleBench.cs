using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;
using RiffForge;
using RiffForge.Core;
using static BenchOutput;

/// <summary>
/// The sidecar's lifecycle through a SidecarSession, as the RiffForgeSidecar component drives it (Update every
/// 5 ms stands in for the frame loop): start -> first baked note (the stand-in answered while the sidecar
/// starts), start -> first generated riff, the time Dispose blocks the caller (Unity's main thread), and how
/// long after Dispose the sidecar process is gone. Usage: LifecycleBench.exe source|frozen PYTHON|SIDECAR_ROOT RUNS.
/// Prints "key value" lines on stdout.
/// </summary>
static class LifecycleBench
{
    static int Main(string[] args)
    {
        var command = args[0] == "frozen" ? SidecarLocator.Frozen(args[1]) : SidecarCommand.Source(args[1]);
        var runs = int.Parse(args[2], CultureInfo.InvariantCulture);
        var baked = new List<double>();
        var generated = new List<double>();
        var dispose = new List<double>();
        var gone = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var options = new SidecarSupervisorOptions
            {
                PidFolder = Path.Combine(Path.GetTempPath(), "riffforge-lifecycle-bench-" + Guid.NewGuid().ToString("N")),
                ReadyTimeoutSeconds = 60,
                Client = new SidecarClientOptions { HandshakeTimeoutSeconds = 60, RequestDeadlineSeconds = 60 },
            };
            var clock = Stopwatch.StartNew();
            var session = new SidecarSession(command, null, options, 0.0);
            session.Fallback.StartupGraceSeconds = 60;
            double firstBaked = double.NaN, firstGenerated = double.NaN;
            int generatedId = 0;
            session.RiffReady += (id, riff, fromFallback) =>
            {
                if (fromFallback && double.IsNaN(firstBaked)) firstBaked = clock.Elapsed.TotalMilliseconds;
                if (!fromFallback && id == generatedId) firstGenerated = clock.Elapsed.TotalSeconds;
            };
            session.Start();
            session.SendOrStandIn(new RiffRequest(0.5) { Style = "thrash", Bars = 2 });
            session.Update(clock.Elapsed.TotalSeconds, 0.002);
            while (double.IsNaN(firstGenerated))
            {
                if (clock.Elapsed.TotalSeconds > 90) throw new TimeoutException("no generated riff within 90 s: " + session.Status);
                if (generatedId == 0 && session.IsReady) generatedId = session.Send(new RiffRequest(0.5) { Style = "thrash", Bars = 2, Seed = 7 + i });
                Thread.Sleep(5);
                session.Update(clock.Elapsed.TotalSeconds, 0.002);
            }
            var pid = session.Supervisor.SidecarPid;
            var stopped = session.Supervisor.Stopped;
            var d = Stopwatch.StartNew();
            session.Dispose();
            dispose.Add(d.Elapsed.TotalMilliseconds);
            if (!stopped.WaitOne(10000)) throw new TimeoutException("the sidecar did not stop within 10 s of Dispose");
            while (Alive(pid) && d.Elapsed.TotalSeconds < 10) Thread.Sleep(2);
            gone.Add(d.Elapsed.TotalMilliseconds);
            baked.Add(firstBaked);
            generated.Add(firstGenerated);
            Console.Error.WriteLine("run " + (i + 1) + "/" + runs + ": baked " + firstBaked.ToString("0.0") + " ms, generated "
                + firstGenerated.ToString("0.00") + " s, dispose " + dispose[i].ToString("0.00") + " ms, gone " + gone[i].ToString("0") + " ms");
        }
        Emit("runs", runs);
        Emit("first_baked_p50_ms", Percentile(baked, 50));
        Emit("first_baked_max_ms", Percentile(baked, 100));
        Emit("first_generated_p50_s", Percentile(generated, 50));
        Emit("first_generated_max_s", Percentile(generated, 100));
        Emit("dispose_p50_ms", Percentile(dispose, 50));
        Emit("dispose_max_ms", Percentile(dispose, 100));
        Emit("gone_p50_ms", Percentile(gone, 50));
        Emit("gone_max_ms", Percentile(gone, 100));
        return 0;
    }

    /// <summary>True while the process exists and is not a zombie (Linux /proc; elsewhere: assume gone).</summary>
    static bool Alive(int pid)
    {
        var stat = "/proc/" + pid + "/stat";
        if (pid <= 0 || !File.Exists(stat)) return false;
        try { var t = File.ReadAllText(stat); return t[t.LastIndexOf(')') + 2] != 'Z'; }
        catch (IOException) { return false; }
    }

    static double Percentile(List<double> values, double p)
    {
        var sorted = new List<double>(values);
        sorted.Sort();
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1;
        return sorted[Math.Max(0, Math.Min(sorted.Count - 1, rank))];
    }
}
