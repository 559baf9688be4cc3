using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using NUnit.Framework;
using RiffForge.Core;

namespace RiffForge.Repo.Tests
{
    /// <summary>Launching the real Python sidecar (`$RIFFFORGE_PYTHON -m riffforge sidecar`) from the C# core.</summary>
    internal static class InteropHelpers
    {
        public static SidecarSupervisorOptions Options(double heartbeatTimeout = 10.0)
        {
            return new SidecarSupervisorOptions
            {
                PidFolder = Path.Combine(Path.GetTempPath(), "riffforge-interop-" + Guid.NewGuid().ToString("N")),
                HeartbeatTimeoutSeconds = heartbeatTimeout,
                ReadyTimeoutSeconds = 60.0,
                Client = new SidecarClientOptions { HandshakeTimeoutSeconds = 60.0, RequestDeadlineSeconds = 60.0 },
            };
        }

        public static SidecarSupervisor Start(SidecarSupervisorOptions options = null)
        {
            var command = RepoPaths.SidecarCommand();
            Assert.IsTrue(File.Exists(command.FileName), command.FileName + " does not exist; run ./run setup (or set RIFFFORGE_PYTHON)");
            var s = new SidecarSupervisor(command, options ?? Options());
            s.Start();
            return s;
        }

        /// <summary>Drains events until <paramref name="done"/> holds; fails after <paramref name="seconds"/>.</summary>
        public static void WaitUntil(SidecarClient client, Func<bool> done, double seconds, string what)
        {
            var sw = Stopwatch.StartNew();
            while (!done())
            {
                if (sw.Elapsed.TotalSeconds > seconds) Assert.Fail("timed out after " + seconds + " s waiting for " + what);
                client.WaitForEvents(20);
                client.Drain(1.0);
            }
        }

        public static SidecarCapabilities WaitConnected(SidecarSupervisor s, double seconds = 60.0)
        {
            SidecarCapabilities caps = null;
            SidecarError fatal = null;
            Action<SidecarCapabilities> onConnected = c => caps = c;
            Action<SidecarError> onError = e => { if (e.Code == SidecarErrorCode.LaunchFailed) fatal = e; };
            s.Client.Connected += onConnected;
            s.Client.ErrorReceived += onError;
            try
            {
                WaitUntil(s.Client, () => caps != null || fatal != null, seconds, "the sidecar's handshake");
                if (fatal != null) Assert.Fail("sidecar failed to launch: " + fatal.Message);
                return caps;
            }
            finally
            {
                s.Client.Connected -= onConnected;
                s.Client.ErrorReceived -= onError;
            }
        }

        /// <summary>Starts the sidecar by hand (no supervisor), for tests that need a wrong token or raw packets.</summary>
        public static Process StartRaw(int hostPort, string token, double heartbeatTimeout)
        {
            var command = RepoPaths.SidecarCommand();
            var args = new System.Collections.Generic.List<string>(command.Arguments);
            args.AddRange(new[]
            {
                "--host-port", hostPort.ToString(CultureInfo.InvariantCulture), "--token", token,
                "--parent-pid", Process.GetCurrentProcess().Id.ToString(CultureInfo.InvariantCulture),
                "--heartbeat-timeout", heartbeatTimeout.ToString(CultureInfo.InvariantCulture),
            });
            var info = new ProcessStartInfo(command.FileName, SidecarCommand.JoinArguments(args))
            { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, CreateNoWindow = true };
            var p = Process.Start(info);
            p.ErrorDataReceived += (o, e) => { };
            p.BeginErrorReadLine();
            return p;
        }

        public static ReadyLine ReadReady(Process p)
        {
            var line = p.StandardOutput.ReadLine();
            var ready = ReadyLine.TryParse(line);
            Assert.IsNotNull(ready, "expected the READY line, got: " + line);
            return ready;
        }

        public static Socket RawSocket()
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            s.ReceiveTimeout = 10000;
            return s;
        }

        public static int Port(Socket s) { return ((IPEndPoint)s.LocalEndPoint).Port; }

        /// <summary>Receives protocol messages until one has <paramref name="address"/>; null after the timeout.</summary>
        public static OscMessage Receive(Socket s, string address, int timeoutMs)
        {
            var buffer = new byte[65536];
            var sw = Stopwatch.StartNew();
            while (sw.ElapsedMilliseconds < timeoutMs)
            {
                s.ReceiveTimeout = Math.Max(1, timeoutMs - (int)sw.ElapsedMilliseconds);
                EndPoint from = new IPEndPoint(IPAddress.Loopback, 0);
                int n;
                try { n = s.ReceiveFrom(buffer, ref from); }
                catch (SocketException) { return null; }
                var m = ProtocolMessages.Decode(buffer, 0, n);
                _lastFrom = ((IPEndPoint)from).Port;
                if (m.Address == address) return m;
            }
            return null;
        }

        /// <summary>The sidecar's port: the source of the hello (read again with a connect to be exact).</summary>
        public static int ReadyPortFromHello(OscMessage hello, Socket host) { return _lastFrom; }

        static int _lastFrom;

        public static bool IsAlive(int pid)
        {
            var stat = "/proc/" + pid + "/stat";
            if (!File.Exists(stat)) return false;
            try
            {
                var text = File.ReadAllText(stat);
                return text[text.LastIndexOf(')') + 2] != 'Z';
            }
            catch (IOException) { return false; }
        }

        public static void KillQuietly(Process p)
        {
            try { p.Kill(); p.WaitForExit(3000); } catch (Exception) { }
        }
    }
}
