using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using NUnit.Framework;
using RiffForge.Core;

namespace RiffForge.Unity.Tests
{
    /// <summary>A session on a real sidecar, driven as the Unity layer drives it, until it answers with a riff.</summary>
    static class RealSidecarSession
    {
        /// <summary>
        /// Starts a <see cref="SidecarSession"/> on <paramref name="command"/>, requests a seeded 2-bar thrash riff at
        /// intensity 0.8 right away (before the handshake), and asserts that a generated riff, not a baked one,
        /// arrives within <paramref name="timeoutSeconds"/>.
        /// </summary>
        public static void AssertGeneratesARiff(SidecarCommand command, double timeoutSeconds)
        {
            var options = new SidecarSupervisorOptions { PidFolder = Path.Combine(Path.GetTempPath(), "riffforge-unity-session-" + Guid.NewGuid().ToString("N")) };
            var session = new SidecarSession(command, null, options, 0.0);
            var warnings = new List<string>();
            session.Warning += warnings.Add;
            Riff riff = null;
            var fromFallback = true;
            try
            {
                session.Start();
                var id = session.Send(new RiffRequest(0.8) { Style = "thrash", Bars = 2, Seed = 7 });
                Assert.Greater(id, 0, "sent to the sidecar, not answered by the fallback");
                session.RiffReady += (rid, r, fb) => { if (rid == id) { riff = r; fromFallback = fb; } };
                var clock = Stopwatch.StartNew();
                while (riff == null && clock.Elapsed.TotalSeconds < timeoutSeconds)
                {
                    if (session.Client != null) session.Client.WaitForEvents(50);
                    session.Update(clock.Elapsed.TotalSeconds, 0.01);
                }
                Assert.IsNotNull(riff, "no riff within " + timeoutSeconds + " s; status: " + session.Status + "; warnings: " + string.Join(" | ", warnings.ToArray()));
                Assert.IsFalse(fromFallback, session.Status);
                Assert.AreNotEqual(BakedRiffs.ModelId, riff.ModelId);
                Assert.AreEqual(2, riff.Bars);
                Assert.Greater(riff.NoteCount, 0);
                Assert.AreEqual(1, session.Latencies.Count);
                Assert.IsTrue(session.IsReady);
                StringAssert.StartsWith("ready: sidecar", session.Status);
            }
            finally { session.Dispose(); }
        }
    }
}
