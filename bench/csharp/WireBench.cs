// C# side of bench/csharp_wire.py: the RiffForge.Core client and supervisor against the real sidecar.
// Prints one "key value" line per measurement; the Python script turns them into a table.
//
//   mono WireBench.exe source <python> <requests> <cold-starts>
//   mono WireBench.exe frozen <Sidecar~ folder> <requests> <cold-starts>
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;
using RiffForge.Core;
using static BenchOutput;

static class WireBench
{
    static int Main(string[] args)
    {
        if (args.Length != 4) { Console.Error.WriteLine("usage: WireBench.exe source|frozen <python|Sidecar~> <requests> <cold-starts>"); return 2; }
        var command = args[0] == "frozen" ? SidecarLocator.Frozen(args[1]) : SidecarCommand.Source(args[1]);
        var requests = int.Parse(args[2], CultureInfo.InvariantCulture);
        var coldStarts = int.Parse(args[3], CultureInfo.InvariantCulture);

        var cold = new List<double>();
        for (var i = 0; i < coldStarts; i++)
        {
            using (var s = NewSupervisor(command))
            {
                var sw = Stopwatch.StartNew();
                s.Start();
                WaitConnected(s);
                cold.Add(sw.Elapsed.TotalSeconds);
            }
            Console.Error.WriteLine("cold start " + (i + 1) + "/" + coldStarts + ": " + cold[i].ToString("0.000") + " s");
        }
        Emit("cold_start_median_s", Percentile(cold, 50));
        Emit("cold_start_min_s", Percentile(cold, 0));
        Emit("cold_start_max_s", Percentile(cold, 100));

        using (var s = NewSupervisor(command))
        {
            s.Start();
            WaitConnected(s);
            // Warm up: the first riffs pay for imports and caches.
            for (var i = 0; i < 20; i++) s.Client.WaitForRiff(s.Client.SendRequest(new RiffRequest(0.5) { Seed = 100000 + i }), 30);

            var miss = new List<double>();
            var progress = Stopwatch.StartNew();
            for (var i = 0; i < requests; i++)
            {
                // A seeded request is always generated exactly: never a prefetch hit.
                var id = s.Client.SendRequest(new RiffRequest((i % 10) / 10.0) { Style = "thrash", Bars = 2, Seed = i });
                miss.Add(s.Client.WaitForRiff(id, 30).LatencySeconds * 1000.0);
                Progress("miss", i, requests, progress);
            }
            var missP50 = Percentile(miss, 50);
            Emit("miss_p50_ms", missP50);
            Emit("miss_p99_ms", Percentile(miss, 99));
            Emit("miss_max_ms", Percentile(miss, 100));

            // Unseeded "auto" requests for one bucket may be served from the prefetch cache; pause between
            // them so the sidecar can refill it, as a game asking for one riff per few bars would.
            var hit = new List<double>();
            var pauseMs = Math.Max(5, (int)Math.Ceiling(missP50 * 3));
            progress.Restart();
            for (var i = 0; i < requests; i++)
            {
                Thread.Sleep(pauseMs);
                var id = s.Client.SendRequest(new RiffRequest(0.7) { Style = "thrash", Bars = 2 });
                hit.Add(s.Client.WaitForRiff(id, 30).LatencySeconds * 1000.0);
                Progress("auto", i, requests, progress);
            }
            Emit("auto_pause_ms", pauseMs);
            Emit("auto_p50_ms", Percentile(hit, 50));
            Emit("auto_p99_ms", Percentile(hit, 99));
            Emit("auto_max_ms", Percentile(hit, 100));
            Emit("requests", requests);
            Emit("dropped_malformed", s.Client.DroppedMalformed);
            Emit("restarts", s.Restarts);
        }
        return 0;
    }

    static SidecarSupervisor NewSupervisor(SidecarCommand command)
    {
        return new SidecarSupervisor(command, new SidecarSupervisorOptions
        {
            PidFolder = Path.Combine(Path.GetTempPath(), "riffforge-bench-" + Guid.NewGuid().ToString("N")),
            ReadyTimeoutSeconds = 60,
            Client = new SidecarClientOptions { HandshakeTimeoutSeconds = 60, AttemptTimeoutSeconds = 5, RequestDeadlineSeconds = 60 },
        });
    }

    static void WaitConnected(SidecarSupervisor s)
    {
        var connected = false;
        s.Client.Connected += c => connected = true;
        var sw = Stopwatch.StartNew();
        while (!connected)
        {
            if (sw.Elapsed.TotalSeconds > 60) throw new TimeoutException("no handshake within 60 s");
            s.Client.WaitForEvents(5);
            s.Client.Drain(1);
        }
    }

    static void Progress(string what, int i, int total, Stopwatch sw)
    {
        if ((i + 1) % 100 != 0) return;
        var eta = sw.Elapsed.TotalSeconds / (i + 1) * (total - i - 1);
        Console.Error.WriteLine(what + " " + (i + 1) + "/" + total + " ETA " + eta.ToString("0") + " s");
    }
}
