using System;
using System.Diagnostics;
using System.IO;
using System.Threading;
using NUnit.Framework;

namespace RiffForge.Unity.Tests
{
    /// <summary>Waiting on real sidecar processes in the Unity-layer tests (Linux /proc; the tests run on Linux).</summary>
    static class TestProcesses
    {
        /// <summary>Polls <paramref name="done"/> every 10 ms; fails the test naming <paramref name="what"/> after <paramref name="seconds"/>.</summary>
        public static void WaitFor(Func<bool> done, double seconds, string what)
        {
            var sw = Stopwatch.StartNew();
            while (!done())
            {
                if (sw.Elapsed.TotalSeconds > seconds) Assert.Fail("timed out waiting for " + what);
                Thread.Sleep(10);
            }
        }

        /// <summary>Whether process <paramref name="pid"/> exists and is not a zombie.</summary>
        public static bool Alive(int pid)
        {
            var stat = "/proc/" + pid + "/stat";
            if (!File.Exists(stat)) return false;
            try { var t = File.ReadAllText(stat); return t[t.LastIndexOf(')') + 2] != 'Z'; }
            catch (IOException) { return false; }
        }
    }
}
