// C# side of bench/flood.py: a supervised RiffForge.Core client keeps a session with the real sidecar while
// the Python script floods both of its ports with token-less datagrams.
//
//   mono FloodBench.exe source <python> <seconds> <request-interval-ms>
//
// Prints "ports <host port> <sidecar port>" once connected. Then, for each line PHASE read on stdin (until
// "quit"), requests a riff every <request-interval-ms> for <seconds> and prints "PHASE_key value" lines and
// "end": the script sends "baseline" (no flood), then "flood" right after its senders started.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;
using RiffForge.Core;
using static BenchOutput;

static class FloodBench
{
    static int Main(string[] args)
    {
        if (args.Length != 4) { Console.Error.WriteLine("usage: FloodBench.exe source <python> <seconds> <request-interval-ms>"); return 2; }
        var command = SidecarCommand.Source(args[1]);
        var seconds = double.Parse(args[2], CultureInfo.InvariantCulture);
        var intervalMs = int.Parse(args[3], CultureInfo.InvariantCulture);
        var pidFolder = Path.Combine(Path.GetTempPath(), "riffforge-flood-bench-" + Guid.NewGuid().ToString("N"));
        var s = new SidecarSupervisor(command, new SidecarSupervisorOptions
        {
            PidFolder = pidFolder,
            ReadyTimeoutSeconds = 60,
            Client = new SidecarClientOptions { HandshakeTimeoutSeconds = 60, RequestDeadlineSeconds = 10 },
        });
        var lost = 0;
        var errors = 0;
        s.Client.ErrorReceived += e =>
        {
            if (e.Code == SidecarErrorCode.SidecarLost) lost++;
            else if (e.RequestId == 0) Console.Error.WriteLine("session error " + e.Code + ": " + e.Message);
        };
        try
        {
            s.Start();
            WaitConnected(s);
            // Warm up: imports, caches, the prefetch of the bucket the bench asks for.
            for (var i = 0; i < 10; i++) s.Client.WaitForRiff(s.Client.SendRequest(new RiffRequest(0.7) { Style = "thrash", Bars = 2 }), 30);
            Thread.Sleep(500);
            Console.WriteLine("ports " + s.Client.LocalPort + " " + s.Client.SidecarPort);
            Console.Out.Flush();
            string phase;
            while ((phase = Console.In.ReadLine()) != null && phase != "quit")
            {
                lost = 0;
                errors = 0;
                var restartsBefore = s.Restarts;
                var latencies = Measure(s, seconds, intervalMs, ref errors);
                Emit(phase + "_restarts", s.Restarts - restartsBefore);
                Emit(phase + "_heartbeat_losses", lost);
                Emit(phase + "_requests", latencies.Count);
                Emit(phase + "_request_errors", errors);
                Emit(phase + "_request_p50_ms", Percentile(latencies, 50));
                Emit(phase + "_request_p99_ms", Percentile(latencies, 99));
                Emit(phase + "_request_max_ms", Percentile(latencies, 100));
                Emit(phase + "_dropped_reaching_process", s.Client.DroppedForeign + s.Client.DroppedMalformed + s.Client.DroppedUnauthenticated);
                Console.WriteLine("end");
                Console.Out.Flush();
            }
        }
        finally
        {
            s.Dispose();
            s.Stopped.WaitOne(5000);
            try { Directory.Delete(pidFolder, true); } catch (Exception) { }
        }
        return 0;
    }

    static List<double> Measure(SidecarSupervisor s, double seconds, int intervalMs, ref int errors)
    {
        var latencies = new List<double>();
        var clock = Stopwatch.StartNew();
        var next = 0.0;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            var wait = next - clock.Elapsed.TotalSeconds;
            if (wait > 0) { s.Client.WaitForEvents((int)Math.Ceiling(wait * 1000)); s.Client.Drain(0.005); continue; }
            next += intervalMs / 1000.0;
            try
            {
                var id = s.Client.SendRequest(new RiffRequest(0.7) { Style = "thrash", Bars = 2 });
                latencies.Add(s.Client.WaitForRiff(id, 5).LatencySeconds * 1000.0);
            }
            catch (SidecarException e) { errors++; Console.Error.WriteLine("request failed: " + e.Code + " " + e.Message); }
        }
        s.Client.Drain(1);
        return latencies;
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
}
