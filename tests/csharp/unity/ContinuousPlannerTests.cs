using System;
using System.Collections.Generic;
using NUnit.Framework;
using RiffForge.Core;

namespace RiffForge.Unity.Tests
{
    /// <summary>Continuous mode's request-ahead and swap decisions, driven by a fake clock.</summary>
    [TestFixture]
    public class ContinuousPlannerTests
    {
        RiffScheduler _scheduler;
        ContinuousPlanner _planner;

        [SetUp]
        public void SetUp()
        {
            _scheduler = new RiffScheduler();
            _planner = new ContinuousPlanner(_scheduler.Governor) { LeadSeconds = 1.0 };
        }

        [Test]
        public void FirstRequestAsksForTheTargetClampedToTheCeiling()
        {
            _scheduler.Governor.Ceiling = 0.6;
            _planner.Target = 0.9;
            var d = _planner.Next(0.0, null, false);
            Assert.IsTrue(d.Request);
            Assert.AreEqual(RiffPurpose.Start, d.Purpose);
            Assert.AreEqual(0.6, d.Intensity, 1e-9);
        }

        [Test]
        public void NoSecondRequestWhileOneIsInFlight()
        {
            _planner.Target = 0.5;
            _planner.RequestSent(7, _planner.Next(0.0, null, false).Intensity, RiffPurpose.Start);
            Assert.IsFalse(_planner.Next(0.1, null, false).Request);
            Assert.AreEqual(7, _planner.InFlightId);
        }

        [Test]
        public void StartRiffIsHandedOffAsSoonAsItArrives()
        {
            _planner.Target = 0.5;
            _planner.RequestSent(1, 0.5, RiffPurpose.Start);
            var riff = TestRiffs.Make(0.5);
            Assert.IsTrue(_planner.Accept(1, riff));
            Assert.AreSame(riff, _planner.Next(0.2, null, false).HandOff);
            Assert.IsNull(_planner.Held);
        }

        [Test]
        public void AnswerToASupersededOrUnknownRequestIsIgnored()
        {
            _planner.RequestSent(1, 0.5, RiffPurpose.Continuation);
            _planner.RequestSent(2, 0.9, RiffPurpose.Explicit);
            Assert.IsFalse(_planner.Accept(1, TestRiffs.Make(0.5)));
            Assert.IsFalse(_planner.Accept(99, TestRiffs.Make(0.5)));
            Assert.IsTrue(_planner.Accept(2, TestRiffs.Make(0.9)));
        }

        [Test]
        public void IntensityMoveIsRequestedStepLimitedAndSwapsAtTheNextBarLine()
        {
            _scheduler.Governor.MaxChangePerBar = 0.2;
            var playing = TestRiffs.Make(0.3, bars: 4);
            _scheduler.Enqueue(playing);
            var notes = new List<ScheduledNote>();
            var bars = new List<ScheduledBar>();
            _scheduler.Update(0.0, notes, bars);  // starts the riff at 0.2 (now + look-ahead)
            _scheduler.Update(0.05, notes, bars); // emits the first bar line
            foreach (var b in bars) _planner.ObserveBar(b);
            _planner.Target = 0.9;
            var d = _planner.Next(0.0, _scheduler.Current, false);
            Assert.IsTrue(d.Request);
            Assert.AreEqual(RiffPurpose.Move, d.Purpose);
            Assert.AreEqual(0.5, d.Intensity, 1e-9, "one step of at most the maximum change per bar");
            _planner.RequestSent(3, d.Intensity, d.Purpose);
            Assert.IsTrue(_planner.Accept(3, TestRiffs.Make(d.Intensity)));
            var handOff = _planner.Next(0.05, _scheduler.Current, false).HandOff;
            Assert.IsNotNull(handOff, "a move is handed off at once, not held until the riff ends");
            Assert.IsNull(_scheduler.Enqueue(handOff));
            bars.Clear();
            _scheduler.Update(2.5, notes, bars);
            var swap = bars.Find(b => b.RiffChanged);
            Assert.AreSame(handOff, swap.Riff);
            Assert.AreEqual(0.2 + 2.0, swap.Time, 1e-9, "swapped at the second bar line (2 s bars at 120 BPM), mid-riff");
        }

        [Test]
        public void SmallIntensityDifferenceDoesNotSwapMidRiff()
        {
            _planner.SwapThreshold = 0.1;
            _scheduler.Enqueue(TestRiffs.Make(0.5, bars: 8));
            var bars = new List<ScheduledBar>();
            _scheduler.Update(0.0, new List<ScheduledNote>(), bars);
            _scheduler.Update(0.05, new List<ScheduledNote>(), bars);
            foreach (var b in bars) _planner.ObserveBar(b);
            Assert.AreEqual(1, bars.Count);
            _planner.Target = 0.55;
            Assert.IsFalse(_planner.Next(0.1, _scheduler.Current, false).Request);
        }

        [Test]
        public void ContinuationIsRequestedWithinTheLeadAndHeldUntilTheLastBar()
        {
            _planner.Target = 0.5;
            _scheduler.Enqueue(TestRiffs.Make(0.5, bars: 2)); // 2 s bars: loop ends at 0.2 + 4.0
            var notes = new List<ScheduledNote>();
            var bars = new List<ScheduledBar>();
            _scheduler.Update(0.0, notes, bars);
            _scheduler.Update(0.05, notes, bars);
            foreach (var b in bars) _planner.ObserveBar(b);
            Assert.AreEqual(4.2, _planner.LoopEndTime, 1e-9);
            // The scheduler takes the next bar's riff one 16th step (0.125 s at 120 BPM) before the loop end.
            Assert.IsFalse(_planner.Next(3.05, _scheduler.Current, false).Request, "more than the lead before the last step");
            var d = _planner.Next(3.1, _scheduler.Current, false);
            Assert.IsTrue(d.Request);
            Assert.AreEqual(RiffPurpose.Continuation, d.Purpose);
            _planner.RequestSent(5, d.Intensity, d.Purpose);
            var follower = TestRiffs.Make(0.5, bars: 2);
            Assert.IsTrue(_planner.Accept(5, follower));
            // Still on the first bar (the scheduler has not emitted the second bar line yet): hold it.
            var early = new RiffScheduler();
            early.Enqueue(TestRiffs.Make(0.5));
            var p2 = new ContinuousPlanner(early.Governor);
            var b0 = new List<ScheduledBar>();
            early.Update(0.0, new List<ScheduledNote>(), b0);
            early.Update(0.05, new List<ScheduledNote>(), b0);
            p2.ObserveBar(b0[0]);
            p2.RequestSent(1, 0.5, RiffPurpose.Continuation);
            p2.Accept(1, follower);
            Assert.IsNull(p2.Next(0.5, early.Current, false).HandOff, "held while the riff's first bar is the latest bar line");
            // The original planner: bring the scheduler to the last bar, then it hands off.
            bars.Clear();
            _scheduler.Update(2.1, notes, bars); // emits the bar line at 2.2 (bar 1 of 2: the last)
            foreach (var b in bars) _planner.ObserveBar(b);
            var handOff = _planner.Next(2.1, _scheduler.Current, false).HandOff;
            Assert.AreSame(follower, handOff);
            Assert.IsNull(_scheduler.Enqueue(handOff));
            bars.Clear();
            _scheduler.Update(4.1, notes, bars);
            var swap = bars.Find(b => b.RiffChanged);
            Assert.AreSame(follower, swap.Riff);
            Assert.AreEqual(4.2, swap.Time, 1e-9, "the follower starts exactly where the loop ended");
        }

        [Test]
        public void FailedRequestBacksOffThenAsksAgain()
        {
            _planner.Target = 0.5;
            _planner.RequestSent(1, 0.5, RiffPurpose.Start);
            Assert.IsTrue(_planner.Failed(1, 10.0));
            Assert.IsFalse(_planner.Next(10.2, null, false).Request, "within the 0.5 s back-off");
            Assert.IsTrue(_planner.Next(10.6, null, false).Request);
            _planner.RequestSent(2, 0.5, RiffPurpose.Start);
            _planner.Failed(2, 11.0);
            Assert.IsFalse(_planner.Next(11.9, null, false).Request, "the back-off doubled to 1 s");
            Assert.IsTrue(_planner.Next(12.1, null, false).Request);
            Assert.IsFalse(_planner.Failed(42, 13.0), "an unknown id changes nothing");
        }

        [Test]
        public void RefusedRiffIsDroppedAndAskedForAgainAfterAPause()
        {
            _planner.Target = 0.5;
            _planner.RequestSent(1, 0.5, RiffPurpose.Start);
            _planner.Accept(1, TestRiffs.Make(0.5));
            _planner.Refused(1.0);
            Assert.IsNull(_planner.Held);
            Assert.IsFalse(_planner.Next(1.1, null, false).Request);
            Assert.IsTrue(_planner.Next(1.0 + ContinuousPlanner.RefusedRetryDelay + 0.01, null, false).Request);
        }

        [Test]
        public void NotContinuousOnlyHandsOffExplicitRiffs()
        {
            _planner.Continuous = false;
            _planner.Target = 1.0;
            Assert.IsFalse(_planner.Next(0.0, null, false).Request);
            _planner.RequestSent(4, 0.7, RiffPurpose.Explicit);
            var riff = TestRiffs.Make(0.7);
            _planner.Accept(4, riff);
            Assert.AreSame(riff, _planner.Next(0.0, TestRiffs.Make(0.7), false).HandOff);
        }

        [Test]
        public void RequestsSnapToThePrefetchGridWhenThatStillMakesProgressOtherwiseTheyAreExact()
        {
            _scheduler.Governor.MaxChangePerBar = 0.16;
            _scheduler.Enqueue(TestRiffs.Make(0.5));
            _planner.Target = 0.9;
            var d = _planner.Next(0.0, _scheduler.Current, false);
            Assert.AreEqual(0.6, d.Intensity, 1e-12, "0.66 allowed; 0.7 would break the limit, 0.6 still gets closer");
            Assert.IsFalse(d.Exact);
            var near = new RiffScheduler();
            near.Enqueue(TestRiffs.Make(0.6));
            var p = new ContinuousPlanner(near.Governor) { Target = 0.65, SwapThreshold = 0.04 };
            d = p.Next(0.0, near.Current, false);
            Assert.AreEqual(RiffPurpose.Move, d.Purpose);
            Assert.AreEqual(0.65, d.Intensity, 1e-12, "no grid point is closer to 0.65 than 0.6: ask for 0.65 exactly");
            Assert.IsTrue(d.Exact);
        }

        [Test]
        public void AfterARefusalTheNextRequestIsExact()
        {
            _scheduler.Governor.Ceiling = 0.87;
            _planner.Target = 1.0;
            var d = _planner.Next(0.0, null, false);
            Assert.AreEqual(0.8, d.Intensity, 1e-12, "the grid point under the ceiling");
            Assert.IsFalse(d.Exact);
            _planner.RequestSent(1, d.Intensity, d.Purpose);
            _planner.Accept(1, TestRiffs.Make(0.9)); // an answer at another intensity than asked
            var problem = _scheduler.Enqueue(_planner.Next(0.1, null, false).HandOff);
            StringAssert.Contains("above the ceiling", problem);
            _planner.Refused(0.1);
            Assert.IsFalse(_planner.Next(0.2, null, false).Request, "a short pause after a refusal");
            d = _planner.Next(0.1 + ContinuousPlanner.RefusedRetryDelay + 0.01, null, false);
            Assert.IsTrue(d.Request);
            Assert.IsTrue(d.Exact, "after a refusal, ask for the exact intensity (with a seed)");
            Assert.AreEqual(0.87, d.Intensity, 1e-12);
            _planner.RequestSent(2, d.Intensity, d.Purpose);
            _planner.Accept(2, TestRiffs.Make(0.87));
            Assert.IsNull(_scheduler.Enqueue(_planner.Next(0.5, null, false).HandOff));
        }

        [Test]
        public void MakeExactSeedsOnlyOffGridAutoRequests()
        {
            var random = new Random(1);
            var offGrid = new RiffRequest(0.65);
            Assert.IsTrue(IntensityGrid.MakeExact(offGrid, random));
            Assert.IsTrue(offGrid.Seed.HasValue);
            var onGrid = new RiffRequest(0.7);
            Assert.IsFalse(IntensityGrid.MakeExact(onGrid, random));
            Assert.IsFalse(onGrid.Seed.HasValue);
            var tempo = new RiffRequest(0.65) { Tempo = 140 };
            Assert.IsFalse(IntensityGrid.MakeExact(tempo, random), "not a prefetch candidate: its intensity is exact anyway");
            Assert.IsFalse(tempo.Seed.HasValue);
            Assert.IsTrue(IntensityGrid.OnGrid(0.3));
            Assert.IsTrue(IntensityGrid.OnGrid(0.1 + 0.2));
            Assert.IsFalse(IntensityGrid.OnGrid(0.35));
        }

        /// <summary>
        /// 60 s of play at 60 fps against a fake sidecar that behaves like the real one (answers after 30 ms; a
        /// seedless "auto" request comes from its prefetch cache at the nearest 0.1 intensity), while the
        /// game's intensity ramps up, holds and drops: music never stops, every swap lands on a bar line,
        /// consecutive riffs never differ by more than the maximum change, the ceiling holds, no riff is
        /// refused, and the music reaches the target.
        /// </summary>
        [Test]
        public void SimulatedSessionFollowsIntensityWithinTheComfortLimits()
        {
            _scheduler.Governor.Ceiling = 0.85;
            _scheduler.Governor.MaxChangePerBar = 0.15;
            var random = new Random(3);
            var pending = new List<KeyValuePair<double, KeyValuePair<int, double>>>(); // arrival -> (id, intensity)
            var nextId = 1;
            var bars = new List<ScheduledBar>();
            var allBars = new List<ScheduledBar>();
            var notes = new List<ScheduledNote>();
            var requests = 0;
            var cacheAnswers = 0;
            var prefetchSafe = 0;
            for (var frame = 0; frame < 60 * 60; frame++)
            {
                var now = frame / 60.0;
                _planner.Target = now < 20 ? now / 20.0 : now < 40 ? 1.0 : 0.1;
                for (var i = pending.Count - 1; i >= 0; i--)
                {
                    if (pending[i].Key > now) continue;
                    var answer = pending[i].Value;
                    pending.RemoveAt(i);
                    _planner.Accept(answer.Key, TestRiffs.Make(answer.Value, bars: 2, tempo: 150));
                    prefetchSafe++;
                }
                var d = _planner.Next(now, _scheduler);
                if (d.HandOff != null) Assert.IsNull(_scheduler.Enqueue(d.HandOff), "the governor accepts what the planner hands off");
                else if (d.Request)
                {
                    requests++;
                    var id = nextId++;
                    var request = new RiffRequest(d.Intensity);
                    if (d.Exact) IntensityGrid.MakeExact(request, random);
                    // Like the sidecar: a seedless auto request may be answered from the 0.1-bucket prefetch cache.
                    var answered = request.Seed.HasValue ? d.Intensity : Math.Round(d.Intensity * 10) / 10;
                    if (!request.Seed.HasValue) cacheAnswers++;
                    _planner.RequestSent(id, d.Intensity, d.Purpose);
                    pending.Add(new KeyValuePair<double, KeyValuePair<int, double>>(now + 0.03, new KeyValuePair<int, double>(id, answered)));
                }
                bars.Clear();
                _scheduler.Update(now, notes, bars);
                foreach (var b in bars) { _planner.ObserveBar(b); allBars.Add(b); }
            }
            Assert.Greater(allBars.Count, 35, "1.6 s bars at 150 BPM: about 37 in 60 s, with no silence at the start");
            var barSeconds = 60.0 / 150 * 4;
            for (var i = 1; i < allBars.Count; i++)
            {
                Assert.AreEqual(allBars[i - 1].Time + barSeconds, allBars[i].Time, 1e-6, "bar " + i + " follows the previous bar without a gap");
                var step = Math.Abs(allBars[i].Riff.Intensity - allBars[i - 1].Riff.Intensity);
                Assert.LessOrEqual(step, 0.15 + 1e-9, "intensity jump at bar " + i);
                Assert.LessOrEqual(allBars[i].Riff.Intensity, 0.85 + 1e-9, "ceiling at bar " + i);
                if (allBars[i].RiffChanged) Assert.AreEqual(0, allBars[i].BarInRiff);
            }
            var atPeak = allBars.FindLast(b => b.Time < 40.0);
            Assert.Less(0.85 - atPeak.Riff.Intensity, _planner.SwapThreshold, "reached the ceiling (within the swap threshold) while the game asked for 1.0");
            Assert.Less(Math.Abs(allBars[allBars.Count - 1].Riff.Intensity - 0.1), _planner.SwapThreshold, "came back down to 0.1");
            Assert.Less(requests, 60, "no request storm: " + requests + " requests in 60 s");
            Assert.Greater(cacheAnswers, requests / 2, "most requests stay on the grid, where the prefetch cache answers them fast");
            Assert.AreEqual(requests, prefetchSafe, "every request was answered");
        }
    }
}
