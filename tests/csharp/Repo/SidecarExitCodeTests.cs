using System.IO;
using NUnit.Framework;
using RiffForge.Core;

namespace RiffForge.Repo.Tests
{
    /// <summary>The supervisor's idea of which sidecar exits are worth a restart matches protocol.json.</summary>
    public class SidecarExitCodeTests
    {
        [Test]
        public void EveryNonZeroDocumentedExitCodeIsNotRetriedAndCrashesAre()
        {
            var spec = (JsonObject)RepoPaths.Json(Path.Combine(RepoPaths.Root, "protocol", "protocol.json"));
            var codes = (JsonObject)((JsonObject)spec["launch"])["exit_codes"];
            Assert.That(codes.Keys, Is.EquivalentTo(new[] { "0", "2", "3", "4" }), "update SidecarSupervisor.ExitMeaning with the table");
            foreach (var key in codes.Keys)
            {
                var code = int.Parse(key);
                var meaning = SidecarSupervisor.ExitMeaning(code);
                if (code == 0) Assert.IsNull(meaning, "0 is an orderly stop the host did not ask for: restart it");
                else StringAssert.Contains("code " + code, meaning);
            }
            foreach (var crash in new[] { 1, 137, -9 }) Assert.IsNull(SidecarSupervisor.ExitMeaning(crash), "a crash is retried");
        }
    }
}
