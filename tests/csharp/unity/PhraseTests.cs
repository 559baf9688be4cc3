using System;
using System.Collections.Generic;
using System.Reflection;
using NUnit.Framework;
using RiffForge.Core;
using UnityEngine;

namespace RiffForge.Unity.Tests
{
    /// <summary>
    /// Continuous mode plays phrases (Phrase Bars, 4 or 8 bars): a fresh phrase starts exactly where the playing
    /// one ends, an intensity move swaps in at the next bar line. Driven by a fake clock at 60 frames per second
    /// against a fake sidecar that answers each request after a fixed latency with a riff of the requested bars.
    /// </summary>
    [TestFixture]
    public class PhraseTests
    {
        const double LookAhead = 0.2;

        /// <summary>The planner, the scheduler and the request settings as MetalRiffGenerator wires them (also used by InEngineTimingTests).</summary>
        internal sealed class Session
        {
            public readonly RiffScheduler Scheduler = new RiffScheduler { LookAheadSeconds = LookAhead };
            public readonly ContinuousPlanner Planner;
            public readonly RequestSettings Settings = new RequestSettings { Continuous = true };
            public readonly List<ScheduledBar> Bars = new List<ScheduledBar>();
            public readonly List<RiffPurpose> Purposes = new List<RiffPurpose>();
            public readonly List<int> RequestedBars = new List<int>();
            public Func<double, double> Target = t => 0.5;
            /// <summary>Called each frame before the planner decides (to look at its state when the game acts).</summary>
            public Action<double> BeforeNext = t => { };
            public int IgnoredAnswers;
            readonly double _tempo, _latency;
            readonly List<KeyValuePair<double, KeyValuePair<int, Riff>>> _answers = new List<KeyValuePair<double, KeyValuePair<int, Riff>>>();
            int _nextId = 1;
            int _frame;

            public Session(double tempo, double p99Latency, double latency)
            {
                _tempo = tempo;
                _latency = latency;
                Planner = new ContinuousPlanner(Scheduler.Governor) { LeadSeconds = ContinuousPlanner.LeadFor(LookAhead, p99Latency) };
            }

            public double BarSeconds { get { return 240.0 / _tempo; } }

            public void RunUntil(double seconds)
            {
                var notes = new List<ScheduledNote>();
                var bars = new List<ScheduledBar>();
                for (; _frame / 60.0 <= seconds; _frame++)
                {
                    var now = _frame / 60.0;
                    Planner.Target = Target(now);
                    for (var i = 0; i < _answers.Count; i++)
                    {
                        if (_answers[i].Key > now) continue;
                        if (!Planner.Accept(_answers[i].Value.Key, _answers[i].Value.Value)) IgnoredAnswers++;
                        _answers.RemoveAt(i--);
                    }
                    BeforeNext(now);
                    var d = Planner.Next(now, Scheduler);
                    if (d.HandOff != null) Assert.IsNull(Scheduler.Enqueue(d.HandOff), "the governor accepts what the planner hands off");
                    else if (d.Request)
                    {
                        var request = Settings.Build(d.Intensity);
                        request.Validate();
                        var id = _nextId++;
                        Planner.RequestSent(id, d.Intensity, d.Purpose);
                        Purposes.Add(d.Purpose);
                        RequestedBars.Add(request.Bars);
                        var riff = TestRiffs.Make(d.Intensity, bars: request.Bars, tempo: _tempo);
                        _answers.Add(new KeyValuePair<double, KeyValuePair<int, Riff>>(now + _latency, new KeyValuePair<int, Riff>(id, riff)));
                    }
                    notes.Clear();
                    bars.Clear();
                    Scheduler.Update(now, notes, bars);
                    foreach (var b in bars) { Planner.ObserveBar(b); Bars.Add(b); }
                }
            }

            /// <summary>Indexes (bars since start) of the bar lines where a riff swapped in, the first riff left out.</summary>
            public List<int> Swaps()
            {
                var swaps = new List<int>();
                for (var i = 1; i < Bars.Count; i++)
                {
                    Assert.AreEqual(Bars[0].Time + i * BarSeconds, Bars[i].Time, 1e-6, "bar " + i + " follows the previous one without a gap");
                    if (Bars[i].RiffChanged) swaps.Add(i);
                }
                return swaps;
            }
        }

        /// <summary>
        /// A follower requested <see cref="ContinuousPlanner.LeadFor"/> ahead arrives in time at the fastest and the
        /// slowest tempos (a 1 s bar at 240 BPM, a 6 s bar at 40 BPM), also when the lead is longer than a bar,
        /// and starts exactly on the phrase boundary: every phrase plays its 8 bars once, then a fresh one follows.
        /// </summary>
        [TestCase(240.0, 0.1, 0.45)]  // lead 0.7 s, answers within the 0.5 s margin
        [TestCase(240.0, 0.5, 1.9)]   // lead 2.2 s (over two bars), answers within the 2 s margin
        [TestCase(40.0, 0.1, 0.45)]
        [TestCase(40.0, 0.5, 1.9)]
        public void ContinuationSwapsExactlyAtThePhraseEnd(double tempo, double p99, double latency)
        {
            var s = new Session(tempo, p99, latency);
            s.RunUntil(latency + 1.0 + s.BarSeconds * 8 * 3.5);
            CollectionAssert.AreEqual(new[] { 8, 16, 24 }, s.Swaps(), "a fresh phrase at each phrase end, never a repeat or a mid-phrase swap");
            for (var i = 0; i < s.Bars.Count; i++)
            {
                Assert.AreEqual(i % 8, s.Bars[i].BarInRiff, "bar " + i);
                Assert.AreEqual(8, s.Bars[i].Riff.Bars, "continuous mode plays 8-bar phrases (the default Phrase Bars)");
            }
            Assert.AreNotSame(s.Bars[7].Riff, s.Bars[8].Riff);
            CollectionAssert.AreEqual(new[] { RiffPurpose.Start, RiffPurpose.Continuation, RiffPurpose.Continuation, RiffPurpose.Continuation }, s.Purposes);
            CollectionAssert.AreEqual(new[] { 8, 8, 8, 8 }, s.RequestedBars, "every request asks for a phrase");
        }

        [Test]
        public void FourBarPhrasesSwapEveryFourBars()
        {
            var s = new Session(160.0, 0.1, 0.2);
            s.Settings.PhraseBars = 4;
            s.RunUntil(0.5 + s.BarSeconds * 4 * 3.5);
            CollectionAssert.AreEqual(new[] { 4, 8, 12 }, s.Swaps());
            CollectionAssert.AreEqual(new[] { 4, 4, 4, 4 }, s.RequestedBars);
        }

        [Test]
        public void ALateFollowerWaitsForTheNextPhraseEndRatherThanStartingMidPhrase()
        {
            // Lead 0.7 s, but the sidecar takes 1 s: the follower misses the end of the first loop.
            var s = new Session(240.0, 0.1, 1.0);
            s.RunUntil(1.5 + s.BarSeconds * 8 * 2.5);
            var swaps = s.Swaps();
            Assert.AreEqual(16, swaps[0], "the phrase plays once more, whole, and the follower starts at its end");
            for (var i = 8; i < 16; i++) Assert.AreSame(s.Bars[0].Riff, s.Bars[i].Riff, "bar " + i + " repeats the first phrase");
        }

        /// <summary>
        /// The scheduler takes the loop's first bar when it schedules the last 16th step (375 ms before the bar
        /// line at 40 BPM), before it reports that bar line: a follower that arrives in between is too late for
        /// this phrase end and must wait for the next one, not swap in one bar into the repeat.
        /// </summary>
        [Test]
        public void AFollowerArrivingAfterTheSchedulerTookTheNextBarWaitsForTheNextPhraseEnd()
        {
            var scheduler = new RiffScheduler { LookAheadSeconds = LookAhead };
            var planner = new ContinuousPlanner(scheduler.Governor) { Target = 0.5, LeadSeconds = 0.7 };
            var playing = TestRiffs.Make(0.5, bars: 8, tempo: 40); // 6 s bars, 0.375 s steps
            Assert.IsNull(scheduler.Enqueue(playing));
            var bars = new List<ScheduledBar>();
            var notes = new List<ScheduledNote>();
            var got = new List<ScheduledBar>();
            Action<double> update = now =>
            {
                got.Clear();
                scheduler.Update(now, notes, got);
                foreach (var b in got) { planner.ObserveBar(b); bars.Add(b); }
            };
            update(0.0); // the riff starts at 0.2
            var end = 0.2 + 48.0;
            for (var k = 1; k * 0.05 < end - 0.3; k++) update(k * 0.05);
            update(end - 0.3); // the horizon (end - 0.1) is past the last step (end - 0.375), not yet the bar line
            Assert.AreEqual(7, bars[bars.Count - 1].BarInRiff, "the bar line at the phrase end is not reported yet");
            planner.RequestSent(1, 0.5, RiffPurpose.Continuation);
            var follower = TestRiffs.Make(0.5, bars: 8, tempo: 40);
            Assert.IsTrue(planner.Accept(1, follower));
            for (var k = 0; end - 0.29 + k * 0.05 < end + 49.0; k++)
            {
                var now = end - 0.29 + k * 0.05;
                var d = planner.Next(now, scheduler);
                if (k == 0) Assert.IsNull(d.HandOff, "too late for this phrase end: held");
                if (d.HandOff != null) Assert.IsNull(scheduler.Enqueue(d.HandOff));
                Assert.IsFalse(d.Request, "no other request while the follower waits");
                update(now);
            }
            var swap = bars.FindIndex(b => b.RiffChanged && b.Bar > 0);
            Assert.AreEqual(16, swap, "the phrase repeats whole and the follower starts at the end of the repeat");
            Assert.AreSame(follower, bars[16].Riff);
            Assert.AreSame(playing, bars[15].Riff);
        }

        [Test]
        public void IntensityMoveMidPhraseSwapsAtTheNextBarLine()
        {
            var s = new Session(120.0, 0.1, 0.03); // 2 s bars
            var moveAt = double.NaN;
            s.Target = t =>
            {
                if (s.Bars.Count < 4) return 0.5;                        // until the 4th bar line is scheduled
                if (double.IsNaN(moveAt)) moveAt = t;
                return 0.9;
            };
            s.RunUntil(s.BarSeconds * 8);
            var swaps = s.Swaps();
            var firstBarAfterMove = s.Bars.FindIndex(b => b.Time - LookAhead > moveAt);
            Assert.AreEqual(firstBarAfterMove, swaps[0], "swapped at the first bar line scheduled after the move");
            Assert.Less(swaps[0], 8, "mid-phrase: a move does not wait for the phrase end");
            var moved = s.Bars[swaps[0]].Riff;
            Assert.Greater(moved.Intensity, 0.5);
            Assert.LessOrEqual(moved.Intensity, 0.5 + s.Scheduler.Governor.MaxChangePerBar + 1e-9, "one step of at most the maximum change per bar");
            Assert.AreEqual(8, moved.Bars, "the move starts a new phrase");
            Assert.AreEqual(RiffPurpose.Move, s.Purposes[1]);
            foreach (var i in swaps) Assert.AreEqual(0, s.Bars[i].BarInRiff, "riffs start on their first bar");
        }

        /// <summary>
        /// With a lead over a bar (240 BPM, slow answers) the follower is requested bars before the phrase end;
        /// an intensity move in that time gives it up, in flight or held, and still swaps at the next bar line.
        /// </summary>
        [TestCase(0.4, true)]   // the follower is still being generated when the game moves
        [TestCase(0.1, false)]  // the follower arrived and waits for the phrase's last bar
        public void IntensityMoveReplacesAFollowerThatWaitsForThePhraseEnd(double latency, bool inFlight)
        {
            var s = new Session(240.0, 0.5, latency); // lead 2.2 s, 1 s bars
            var moveAt = double.NaN;
            Riff heldFollower = null;
            var followerInFlight = false;
            s.BeforeNext = t =>
            {
                if (!double.IsNaN(moveAt) || s.Purposes.Count < 2) return;
                // The follower was requested: move the game's intensity a little later, before the last bar.
                if (inFlight ? t < s.Bars[0].Time + 6.0 : s.Planner.Held == null) return;
                moveAt = t;
                heldFollower = s.Planner.Held;
                followerInFlight = s.Planner.InFlightId != 0 && s.Planner.InFlightPurpose == RiffPurpose.Continuation;
            };
            s.Target = t => double.IsNaN(moveAt) ? 0.5 : 0.9;
            s.RunUntil(s.BarSeconds * 10);
            Assert.AreEqual(RiffPurpose.Continuation, s.Purposes[1]);
            Assert.AreEqual(RiffPurpose.Move, s.Purposes[2], "the move was requested at once");
            Assert.AreEqual(inFlight, followerInFlight, "the follower was in flight when the game moved");
            Assert.AreEqual(!inFlight, heldFollower != null, "the follower was held when the game moved");
            var swaps = s.Swaps();
            Assert.AreEqual(7, swaps[0], "the move swapped in at the next bar line, before the phrase end");
            Assert.Greater(s.Bars[7].Riff.Intensity, 0.5);
            if (heldFollower != null) Assert.IsFalse(s.Bars.Exists(b => b.Riff == heldFollower), "the stale follower never plays");
            else Assert.AreEqual(1, s.IgnoredAnswers, "the stale follower's answer is ignored");
        }

        [Test]
        public void LeadCoversTheLookAheadAndFourTimesTheP99Latency()
        {
            Assert.AreEqual(0.2 + ContinuousPlanner.MinAnswerMargin, ContinuousPlanner.LeadFor(0.2, double.NaN), 1e-12, "no latency measured yet");
            Assert.AreEqual(0.2 + ContinuousPlanner.MinAnswerMargin, ContinuousPlanner.LeadFor(0.2, 0.01), 1e-12, "fast answers: the minimum margin");
            Assert.AreEqual(0.3 + 1.2, ContinuousPlanner.LeadFor(0.3, 0.3), 1e-12);
        }

        [Test]
        public void ContinuousRequestsArePhrasesOtherwiseBars()
        {
            var s = new RequestSettings { Bars = 2 };
            Assert.AreEqual(RequestSettings.DefaultPhraseBars, s.PhraseBars);
            Assert.AreEqual(8, s.PhraseBars);
            Assert.AreEqual(2, s.Build(0.5).Bars, "outside continuous mode a request has Bars");
            s.Continuous = true;
            Assert.AreEqual(8, s.Build(0.5).Bars, "continuous mode requests a phrase");
            s.PhraseBars = 4;
            var r = s.Build(0.5);
            r.Validate();
            Assert.AreEqual(4, r.Bars);
        }

        [TestCase(6)]
        [TestCase(0)]
        [TestCase(-8)]
        [TestCase(16)] // a legal bars value, but not a phrase the sidecar builds
        public void ABadPhraseLengthIsRejectedNamingTheFieldAndTheFix(int bad)
        {
            var s = new RequestSettings { Continuous = true };
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => s.PhraseBars = bad);
            StringAssert.Contains("phraseBars=" + bad + ": must be 4 or 8", e.Message);
            StringAssert.Contains("Set Phrase Bars on the Metal Riff Generator to 4 or 8", e.Message);
            Assert.AreEqual(8, s.PhraseBars, "the bad value is not kept");
            Assert.AreEqual(8, s.Build(0.5).Bars);
            var generator = new MetalRiffGenerator();
            var g = Assert.Throws<ArgumentOutOfRangeException>(() => generator.PhraseBars = bad);
            StringAssert.Contains("phraseBars=" + bad + ": must be 4 or 8", g.Message);
            Assert.AreEqual(8, generator.PhraseBars);
        }

        [Test]
        public void EveryPhraseLengthIsABarsValueTheProtocolAccepts()
        {
            var values = new List<int>();
            foreach (PhraseLength length in Enum.GetValues(typeof(PhraseLength))) values.Add((int)length);
            CollectionAssert.AreEquivalent(new[] { 4, 8 }, values);
            foreach (var bars in values)
            {
                Assert.IsNull(RequestSettings.CheckPhraseBars(bars));
                new RiffRequest(0.5) { Bars = bars }.Validate(); // protocol/SPEC.md: bars 1..max_bars (16)
            }
        }

        const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

        static RiffRequest RequestOf(MetalRiffGenerator generator)
        {
            // What Unity's serializer sets, then the settings sync every frame runs, then the request it builds.
            typeof(MetalRiffGenerator).GetMethod("SyncSettings", Instance).Invoke(generator, null);
            var settings = (RequestSettings)typeof(MetalRiffGenerator).GetField("_settings", Instance).GetValue(generator);
            return settings.Build(0.5);
        }

        [Test]
        public void PhraseBarsIsAnInspectorFieldThatFlowsIntoTheRequest()
        {
            var field = typeof(MetalRiffGenerator).GetField("phraseBars", Instance);
            Assert.IsNotNull(field, "MetalRiffGenerator.phraseBars");
            Assert.IsTrue(field.IsDefined(typeof(SerializeField), false), "shown in the Inspector");
            Assert.AreEqual(typeof(PhraseLength), field.FieldType, "a dropdown of the phrase lengths only");
            var tooltip = (TooltipAttribute)Attribute.GetCustomAttribute(field, typeof(TooltipAttribute));
            StringAssert.Contains("phrases", tooltip.tooltip);

            var generator = new MetalRiffGenerator();
            Assert.AreEqual(PhraseLength.EightBars, field.GetValue(generator), "default 8 bars");
            Assert.AreEqual(8, RequestOf(generator).Bars, "continuous (the default) requests an 8-bar phrase");
            field.SetValue(generator, PhraseLength.FourBars);
            Assert.AreEqual(4, RequestOf(generator).Bars);
            Assert.AreEqual(4, generator.PhraseBars);
            generator.PhraseBars = 8;
            Assert.AreEqual(8, RequestOf(generator).Bars, "the PhraseBars property sets the same field");
            generator.Continuous = false;
            Assert.AreEqual(2, RequestOf(generator).Bars, "outside continuous mode: Bars");
        }

        [Test]
        public void AHandEditedPhraseLengthIsNotUsed()
        {
            var field = typeof(MetalRiffGenerator).GetField("phraseBars", Instance);
            var generator = new MetalRiffGenerator();
            field.SetValue(generator, PhraseLength.FourBars);
            Assert.AreEqual(4, RequestOf(generator).Bars);
            field.SetValue(generator, (PhraseLength)6); // a scene file edited by hand
            Assert.AreEqual(4, RequestOf(generator).Bars, "the last good phrase length stays (the error is logged once)");
            StringAssert.Contains("phraseBars=6", RequestSettings.CheckPhraseBars(6));
        }
    }
}
