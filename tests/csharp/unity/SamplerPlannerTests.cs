using System;
using System.Collections.Generic;
using NUnit.Framework;
using RiffForge.Core;

namespace RiffForge.Unity.Tests
{
    /// <summary>The built-in sampler's scheduling: sounds, times, voices, chokes and volumes.</summary>
    [TestFixture]
    public class SamplerPlannerTests
    {
        static double Length(string sound)
        {
            switch (sound)
            {
                case "hat_open": return 0.6;
                case "crash": return 1.5;
                case "kick": return 0.45;
                case "hat_closed": return 0.12;
                default: return sound.StartsWith("guitar_", StringComparison.Ordinal) || sound.StartsWith("bass_", StringComparison.Ordinal) ? 1.5 : 0.5;
            }
        }

        static ScheduledNote N(string instrument, int pitch, double time, double duration = 0.25, int velocity = 127)
        {
            return new ScheduledNote { Instrument = instrument, Pitch = pitch, Velocity = velocity, Time = time, Duration = duration };
        }

        [Test]
        public void DrumPitchesMapToTheKitAndUnknownPitchesAreSkipped()
        {
            Assert.AreEqual("kick", DrumKitMap.SoundFor(36));
            Assert.AreEqual("kick", DrumKitMap.SoundFor(35));
            Assert.AreEqual("snare", DrumKitMap.SoundFor(38));
            Assert.AreEqual("hat_closed", DrumKitMap.SoundFor(44));
            Assert.AreEqual("china", DrumKitMap.SoundFor(52));
            Assert.AreEqual("ride", DrumKitMap.SoundFor(53));
            Assert.AreEqual("tom_floor", DrumKitMap.SoundFor(41));
            Assert.IsNull(DrumKitMap.SoundFor(81));
            var planner = new SamplerPlanner(4, Length);
            var commands = new List<VoiceCommand>();
            Assert.AreEqual(0, planner.Plan(N("drums", 81, 1.0), 0.9, commands));
            Assert.AreEqual(0, commands.Count);
        }

        [Test]
        public void DrumHitStartsAtItsTimeAndRingsOut()
        {
            var planner = new SamplerPlanner(4, Length);
            var commands = new List<VoiceCommand>();
            planner.Plan(N("drums", 36, 10.25), 10.05, commands);
            Assert.AreEqual(1, commands.Count);
            var c = commands[0];
            Assert.IsTrue(c.Play);
            Assert.AreEqual("kick", c.Sound);
            Assert.AreEqual(10.25, c.Start, 1e-12, "PlayScheduled at the note's own dspTime");
            Assert.IsTrue(double.IsNaN(c.End), "a drum one-shot rings out");
            Assert.AreEqual(1.0, c.PitchRatio, 1e-12);
        }

        [Test]
        public void PitchedNoteUsesTheNearestSampleShiftedAndStopsAtTheNoteEnd()
        {
            var planner = new SamplerPlanner(4, Length);
            string sound;
            double ratio;
            Assert.IsTrue(planner.PitchedSound("guitar", 43, out sound, out ratio));
            Assert.AreEqual("guitar_38", sound);
            Assert.AreEqual(Math.Pow(2, 5 / 12.0), ratio, 1e-12);
            Assert.IsTrue(planner.PitchedSound("guitar", 44, out sound, out ratio));
            Assert.AreEqual("guitar_38", sound, "a tie (6 semitones each way) takes the lower sample");
            Assert.IsTrue(planner.PitchedSound("bass", 26, out sound, out ratio));
            Assert.AreEqual("bass_28", sound);
            Assert.AreEqual(Math.Pow(2, -2 / 12.0), ratio, 1e-12);
            var commands = new List<VoiceCommand>();
            planner.Plan(N("bass", 40, 2.0, duration: 0.3), 1.9, commands);
            Assert.AreEqual("bass_40", commands[0].Sound);
            Assert.AreEqual(2.3, commands[0].End, 1e-12, "SetScheduledEndTime at the note's end");
        }

        [Test]
        public void PitchedNoteLongerThanItsSampleEndsWithTheSample()
        {
            var planner = new SamplerPlanner(4, Length);
            var commands = new List<VoiceCommand>();
            planner.Plan(N("guitar", 62 + 12, 0.0, duration: 5.0), 0.0, commands); // an octave up: the 1.5 s sample lasts 0.75 s
            Assert.AreEqual(2.0, commands[0].PitchRatio, 1e-12);
            Assert.AreEqual(0.75, commands[0].End, 1e-12);
        }

        [Test]
        public void LateNoteStartsNowRatherThanInThePast()
        {
            var planner = new SamplerPlanner(4, Length);
            var commands = new List<VoiceCommand>();
            planner.Plan(N("drums", 38, 4.98), 5.0, commands);
            Assert.AreEqual(5.0, commands[0].Start, 1e-12);
        }

        [Test]
        public void VoicesAreReusedOnlyAfterTheirSoundEndedAndOtherwiseTheFirstToFinishIsFadedOut()
        {
            var planner = new SamplerPlanner(3, Length);   // 3 voices, 1 kept in reserve for fades
            Assert.AreEqual(1, planner.FadeReserve);
            var commands = new List<VoiceCommand>();
            planner.Plan(N("drums", 49, 0.0), 0.0, commands);   // crash rings to 1.5 on voice 0
            planner.Plan(N("drums", 36, 0.1), 0.0, commands);   // kick rings to 0.55 on voice 1
            Assert.AreEqual(0, commands[0].Voice);
            Assert.AreEqual(1, commands[1].Voice);
            Assert.AreEqual(2, commands.Count, "two sounding voices of four: nothing stolen yet");
            commands.Clear();
            planner.Plan(N("drums", 36, 0.7), 0.6, commands);   // the kick's voice is free again at 0.6
            Assert.AreEqual(1, commands.Count);
            Assert.AreEqual(1, commands[0].Voice);
            Assert.AreEqual(0, planner.StolenVoices);
            commands.Clear();
            planner.Plan(N("drums", 38, 0.8), 0.75, commands);  // two sound (the count minus the reserve): the kick (ends 1.15) fades
            Assert.AreEqual(2, commands.Count);
            Assert.IsFalse(commands[0].Play);
            Assert.IsTrue(commands[0].FadeOut, "a stolen voice fades out, it is not cut");
            Assert.AreEqual(1, commands[0].Voice);
            Assert.AreEqual(0.75, commands[0].Start, 1e-12, "the fade starts when the steal is planned");
            Assert.LessOrEqual(commands[0].End, 0.8, "the stolen voice is silent by the new note's onset");
            Assert.AreEqual(planner.FadeSeconds, commands[0].End - commands[0].Start, 1e-12);
            Assert.IsTrue(commands[1].Play);
            Assert.AreNotEqual(1, commands[1].Voice, "the new note takes a reserve voice, not the fading one");
            Assert.AreEqual(1, planner.StolenVoices);
            Assert.AreEqual(0, planner.CutVoices);
        }

        [Test]
        public void StealWithNoLeadTimeFadesFromNowAndTheNewNoteStillStartsOnTime()
        {
            var planner = new SamplerPlanner(3, Length);
            var commands = new List<VoiceCommand>();
            planner.Plan(N("drums", 49, 0.0), 0.0, commands);
            planner.Plan(N("drums", 49, 0.0), 0.0, commands);
            commands.Clear();
            planner.Plan(N("drums", 38, 1.0), 1.0, commands);   // due now
            Assert.IsTrue(commands[0].FadeOut);
            Assert.AreEqual(1.0, commands[0].Start, 1e-12, "a fade cannot start in the past");
            Assert.AreEqual(1.0 + planner.FadeSeconds, commands[0].End, 1e-12);
            Assert.AreEqual(1.0, commands[1].Start, 1e-12, "the new note is not delayed by the fade");
        }

        [Test]
        public void DenseSeededStreamNeverSoundsMoreVoicesThanTheBudgetNorTwoSoundsOnOneVoice()
        {
            const int budget = RiffSampler.DefaultVoices;
            var planner = new SamplerPlanner(budget, Length);
            var rng = new Random(1234);
            var drums = new[] { 36, 38, 42, 46, 49, 51, 52, 45 };
            // What each voice plays, as [start, end) intervals on the dsp clock (fades shorten the last one).
            var intervals = new List<double[]>[budget];
            for (var v = 0; v < budget; v++) intervals[v] = new List<double[]>();
            var commands = new List<VoiceCommand>();
            var t = 0.0;
            var fades = 0;
            for (var i = 0; i < 2000; i++)
            {
                t += rng.NextDouble() * 0.06;                       // up to ~33 notes a second
                var lead = 0.01 + rng.NextDouble() * 0.1;           // planned 10..110 ms ahead
                var note = rng.Next(3) == 0
                    ? N("guitar", 40 + rng.Next(24), t + lead, 0.05 + rng.NextDouble() * 0.5)
                    : N("drums", drums[rng.Next(drums.Length)], t + lead);
                commands.Clear();
                planner.Plan(note, t, commands);
                foreach (var c in commands)
                {
                    Assert.That(c.Voice, Is.InRange(0, budget - 1));
                    var list = intervals[c.Voice];
                    if (c.Play)
                    {
                        if (list.Count > 0) Assert.LessOrEqual(list[list.Count - 1][1], t + 1e-12, "voice " + c.Voice + " re-armed while sounding at " + t + " (cuts " + planner.CutVoices + ", stolen " + planner.StolenVoices + ")");
                        var natural = Length(c.Sound) / c.PitchRatio;
                        list.Add(new[] { c.Start, double.IsNaN(c.End) ? c.Start + natural : c.End });
                    }
                    else
                    {
                        Assert.Greater(list.Count, 0);
                        var last = list[list.Count - 1];
                        last[1] = Math.Min(last[1], c.End);
                        if (c.FadeOut)
                        {
                            fades++;
                            Assert.AreEqual(planner.FadeSeconds, c.End - c.Start, 1e-12, "a stolen voice gets a fade-out ramp, not a hard stop");
                            Assert.GreaterOrEqual(c.Start, t - 1e-12, "the fade starts no earlier than now");
                        }
                    }
                }
            }
            Assert.Greater(fades, 50, "the stream is dense enough to steal");
            Assert.AreEqual(0, planner.CutVoices, "the reserve absorbed every steal");
            // At every onset, count the voices sounding: never more than the budget.
            for (var v = 0; v < budget; v++)
                foreach (var onset in intervals[v])
                {
                    var sounding = 0;
                    for (var w = 0; w < budget; w++)
                        foreach (var iv in intervals[w])
                            if (iv[0] <= onset[0] + 1e-12 && onset[0] < iv[1] - 1e-12) sounding++;
                    Assert.LessOrEqual(sounding, budget);
                }
        }

        [Test]
        public void ClosedHiHatChokesARingingOpenHiHat()
        {
            var planner = new SamplerPlanner(8, Length);
            var commands = new List<VoiceCommand>();
            planner.Plan(N("drums", 46, 1.0), 0.9, commands);
            var openVoice = commands[0].Voice;
            commands.Clear();
            planner.Plan(N("drums", 42, 1.25), 1.1, commands);
            Assert.AreEqual(2, commands.Count);
            Assert.IsFalse(commands[0].Play);
            Assert.AreEqual(openVoice, commands[0].Voice);
            Assert.AreEqual(1.25, commands[0].End, 1e-12, "the open hat stops exactly when the closed hat sounds");
            Assert.AreEqual("hat_closed", commands[1].Sound);
            commands.Clear();
            planner.Plan(N("drums", 42, 3.0), 2.9, commands);
            Assert.AreEqual(1, commands.Count, "nothing left to choke");
        }

        [Test]
        public void VolumeFollowsVelocityCurveInstrumentAndMasterAndZeroMutes()
        {
            var planner = new SamplerPlanner(4, Length) { MasterVolume = 0.5, VelocityCurve = 2.0 };
            planner.SetInstrumentVolume("drums", 0.8);
            var commands = new List<VoiceCommand>();
            planner.Plan(N("drums", 36, 0.0, velocity: 64), 0.0, commands);
            Assert.AreEqual(0.5 * 0.8 * Math.Pow(64 / 127.0, 2.0), commands[0].Volume, 1e-12);
            planner.SetInstrumentVolume("guitar", 0.0);
            Assert.AreEqual(0, planner.Plan(N("guitar", 40, 0.0), 0.0, commands), "a muted instrument takes no voice");
        }

        [Test]
        public void MissingSoundIsSkipped()
        {
            var planner = new SamplerPlanner(4, s => s == "kick" ? -1.0 : 0.5);
            var commands = new List<VoiceCommand>();
            Assert.AreEqual(0, planner.Plan(N("drums", 36, 0.0), 0.0, commands));
            Assert.AreEqual(1, planner.Plan(N("drums", 38, 0.0), 0.0, commands));
        }

        [Test]
        public void RejectsBadVoiceCount()
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => new SamplerPlanner(0, Length));
        }
    }
}
