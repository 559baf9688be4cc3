using NUnit.Framework;
using RiffForge.Core;

namespace RiffForge.Core.Tests
{
    public class ProtocolVersionTests
    {
        [TestCase("1.0", "1.0", ProtocolVersion.Outcome.Compatible)]
        [TestCase("1.2", "1.0", ProtocolVersion.Outcome.Warning)]
        [TestCase("1.0", "1.7", ProtocolVersion.Outcome.Warning)]
        [TestCase("2.0", "1.0", ProtocolVersion.Outcome.Mismatch)]
        [TestCase("0.3", "0.3", ProtocolVersion.Outcome.Compatible)]
        [TestCase("0.3", "0.4", ProtocolVersion.Outcome.Mismatch)]
        [TestCase("1", "1.0", ProtocolVersion.Outcome.Invalid)]
        [TestCase("1.0", "01.0", ProtocolVersion.Outcome.Invalid)]
        [TestCase("1.0", "1.0.0", ProtocolVersion.Outcome.Invalid)]
        public void AppliesTheVersionRule(string host, string sidecar, ProtocolVersion.Outcome expected)
        {
            string message;
            Assert.AreEqual(expected, ProtocolVersion.Check(host, sidecar, out message));
            if (expected == ProtocolVersion.Outcome.Compatible) Assert.IsNull(message);
            else Assert.IsNotNull(message);
        }

        [Test]
        public void MismatchMessagesNameBothVersionsAndWhatToUpgrade()
        {
            string message;
            ProtocolVersion.Check("2.0", "1.0", out message);
            StringAssert.Contains("2.0", message);
            StringAssert.Contains("1.0", message);
            StringAssert.Contains("upgrade the riffforge sidecar", message);
            ProtocolVersion.Check("1.0", "2.1", out message);
            StringAssert.Contains("upgrade the RiffForge Unity package to a release that speaks protocol 2.x", message);
        }
    }
}
