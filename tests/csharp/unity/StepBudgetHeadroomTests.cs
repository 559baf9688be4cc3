using NUnit.Framework;

namespace RiffForge.Unity.Tests
{
    /// <summary>
    /// <see cref="StepBudget"/>'s headroom: a call that took longer than its steps were estimated at keeps that
    /// overshoot free in later frames (at most half the frame) until calls finish on time again; steps of one
    /// cost never leave any (the in-engine generator's units differ in cost: a decoder's first step after
    /// another model, a Begin, a slice of random draws).
    /// </summary>
    [TestFixture]
    public class StepBudgetHeadroomTests
    {
        [Test]
        public void StepsOfOneCostLeaveNoHeadroom()
        {
            var b = new StepBudget(0.001);
            for (var i = 0; i < 100; i++) b.Observe(3, 0.0006);
            Assert.AreEqual(0.0, b.HeadroomSeconds);
            Assert.AreEqual(0.0002, b.SecondsPerStep, 1e-9);
            Assert.AreEqual(5, b.StepsFor(0.0010001, true), "the whole budget at the estimated step cost");
        }

        [Test]
        public void AfterItsWarmUpTheEstimateFallsPerMeasuredTimeSoLightUnitsCannotTalkItDown()
        {
            var b = new StepBudget(0.001);
            for (var i = 0; i < StepBudget.WarmUpCalls; i++) b.Observe(1, 0.0001);
            Assert.AreEqual(0.0001 + 0.0009 * System.Math.Pow(0.8, StepBudget.WarmUpCalls), b.SecondsPerStep, 1e-12,
                "while it learns from the initial guess, each faster call takes a fifth of the difference");
            for (var i = 0; i < 300; i++) b.Observe(1, 0.0002);   // decoder steps of 0.2 ms (the estimate rises at once)
            Assert.AreEqual(0.0002, b.SecondsPerStep, 1e-12);
            for (var i = 0; i < 10; i++) b.Observe(1, 0.00002);   // ten light units (random draws): 0.2 ms of work
            Assert.AreEqual(0.00002 + 0.00018 * System.Math.Pow(0.8, 0.2), b.SecondsPerStep, 1e-12,
                "0.2 ms of measured work keeps 0.8^0.2 of the difference (per call it would keep 0.8^10)");
            Assert.AreEqual(3, b.StepsFor(0.0007, false), "the next heavy steps are still planned near their cost");
        }

        [Test]
        public void AnOvershootIsKeptFreeThenShrinksAsCallsFinishOnTime()
        {
            var b = new StepBudget(0.001);
            for (var i = 0; i < 300; i++) b.Observe(5, 0.0005);   // 0.1 ms a step
            Assert.AreEqual(10, b.StepsFor(0.0010001, true));
            b.Observe(5, 0.0008);                                 // one heavy step among five: 0.3 ms over
            Assert.AreEqual(0.0003, b.HeadroomSeconds, 1e-9);
            Assert.AreEqual(0.00016, b.SecondsPerStep, 1e-9, "the estimate rises to the call's mean at once");
            Assert.AreEqual(4, b.StepsFor(0.0010001, true), "(1 ms - 0.3 ms headroom) / 0.16 ms");
            b.Observe(4, 0.0004);                                 // on time: a tenth goes per frame budget of work
            Assert.AreEqual(0.0003 * System.Math.Pow(0.9, 0.4), b.HeadroomSeconds, 1e-12, "0.4 ms of work: 0.9^0.4 of it stays");
            for (var i = 0; i < 400; i++) b.Observe(10, 0.001);
            Assert.AreEqual(0.0, b.HeadroomSeconds, "gone after many frames on time");
            b.Observe(1, 0.05);                                   // a call stalled far past the frame
            Assert.AreEqual(0.0005, b.HeadroomSeconds, 1e-12, "at most half the frame is kept free");
            Assert.AreEqual(1, b.StepsFor(0.001, true), "the first call of a frame still makes progress");
        }
    }
}
