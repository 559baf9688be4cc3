using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using NUnit.Framework;
using RiffForge.Core;
using UnityEngine;

namespace RiffForge.Unity.Tests
{
    /// <summary>
    /// A stolen sampler voice fades sample by sample on the audio thread: the ramp arithmetic fed buffers as
    /// OnAudioFilterRead gets them (interleaved, any buffer size), its allocation-free hot path, and the
    /// RiffVoice component that hosts it.
    /// </summary>
    [TestFixture]
    public class VoiceFadeTests
    {
        /// <summary>Runs <paramref name="frames"/> frames of a constant 1.0 signal through the fade in buffers of
        /// <paramref name="bufferFrames"/>; returns the gain each frame got (channel 0) and checks every channel got it.</summary>
        static List<float> Feed(VoiceFade fade, int frames, int bufferFrames, int channels)
        {
            var gains = new List<float>();
            var buffer = new float[bufferFrames * channels];
            while (gains.Count < frames)
            {
                for (var i = 0; i < buffer.Length; i++) buffer[i] = 1f;
                fade.Apply(buffer, channels);
                for (var f = 0; f < bufferFrames && gains.Count < frames; f++)
                {
                    for (var c = 1; c < channels; c++) Assert.AreEqual(buffer[f * channels], buffer[f * channels + c], "channel " + c + " of frame " + f);
                    gains.Add(buffer[f * channels]);
                }
            }
            return gains;
        }

        [Test]
        public void RampLengthComesFromTheOutputSampleRate()
        {
            Assert.AreEqual(240, VoiceFade.RampFrames(48000));
            Assert.AreEqual(221, VoiceFade.RampFrames(44100));
            Assert.AreEqual(480, VoiceFade.RampFrames(96000));
            Assert.AreEqual(1, VoiceFade.RampFrames(100), "at least one frame");
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => VoiceFade.RampFrames(0));
            StringAssert.Contains("AudioSettings.outputSampleRate", e.Message);
            Assert.Throws<ArgumentOutOfRangeException>(() => new VoiceFade().FadeOut(0));
        }

        [Test]
        public void AtFullGainTheSignalPassesUntouched()
        {
            var fade = new VoiceFade();
            var rng = new System.Random(3);
            var data = new float[512];
            for (var i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
            var copy = (float[])data.Clone();
            fade.Apply(data, 2);
            CollectionAssert.AreEqual(copy, data);
            Assert.AreEqual(1f, fade.Gain);
            Assert.IsFalse(fade.Fading);
            Assert.IsFalse(fade.Silent);
        }

        [TestCase(48000, 2, 100)]   // stereo, buffers that split the ramp unevenly
        [TestCase(44100, 1, 1024)]  // mono, one buffer holds the whole ramp
        [TestCase(48000, 6, 7)]     // 5.1, tiny buffers
        public void FadeFallsMonotonicallyFromOneToZeroOverTheRampThenStaysSilent(int sampleRate, int channels, int bufferFrames)
        {
            var n = VoiceFade.RampFrames(sampleRate);
            var fade = new VoiceFade();
            var before = Feed(fade, 3 * bufferFrames, bufferFrames, channels);
            Assert.That(before, Is.All.EqualTo(1f), "full gain before the fade");
            fade.FadeOut(n);
            Assert.IsTrue(fade.Fading);
            Assert.IsFalse(fade.Silent, "nothing has been mixed since the request");
            var gains = Feed(fade, n + 5 * bufferFrames, bufferFrames, channels);
            var step = 1.0 / n;
            var previous = 1.0;
            for (var k = 0; k < gains.Count; k++)
            {
                var g = gains[k];
                Assert.LessOrEqual(g, previous, "the gain never rises (frame " + k + ")");
                Assert.LessOrEqual(previous - g, step + 1e-6, "no jump larger than one ramp step (frame " + k + ")");
                if (k < n) Assert.AreEqual(1.0 - (k + 1) * step, g, 1e-6, "linear ramp, frame " + k);
                else Assert.AreEqual(0f, g, "silent after the ramp (frame " + k + ")");
                previous = g;
            }
            Assert.Greater(gains[n - 2], 0f, "the ramp takes all " + n + " frames, not fewer");
            Assert.AreEqual(0f, gains[n - 1], "silent on the ramp's last frame");
            Assert.IsTrue(fade.Silent);
            Assert.AreEqual(0f, fade.Gain);
        }

        [Test]
        public void TheRampScalesTheRealSignal()
        {
            var fade = new VoiceFade();
            var rng = new System.Random(11);
            var data = new float[2 * 300];
            for (var i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
            var input = (float[])data.Clone();
            fade.FadeOut(240);
            fade.Apply(data, 2);
            for (var f = 0; f < 300; f++)
            {
                var gain = f < 240 ? (float)(240 - f - 1) / 240 : 0f;
                Assert.AreEqual(input[2 * f] * gain, data[2 * f], 1e-6);
                Assert.AreEqual(input[2 * f + 1] * gain, data[2 * f + 1], 1e-6);
            }
        }

        [Test]
        public void RearmRestoresFullGainAndTheNextStealRampsAgainFromOne()
        {
            var fade = new VoiceFade();
            fade.FadeOut(48);
            Feed(fade, 100, 64, 2);
            Assert.IsTrue(fade.Silent);
            fade.Rearm();
            Assert.IsFalse(fade.Fading);
            Assert.That(Feed(fade, 64, 64, 2), Is.All.EqualTo(1f), "the voice's next sound plays at full gain");
            fade.FadeOut(48);
            var gains = Feed(fade, 48, 64, 2);
            Assert.AreEqual(1.0 - 1.0 / 48, gains[0], 1e-6, "a new ramp from full gain");
            Assert.AreEqual(0f, gains[47]);
        }

        [Test]
        public void ASecondRequestDuringARampContinuesFromTheGainReachedWithoutAJump()
        {
            var fade = new VoiceFade();
            fade.FadeOut(100);
            var first = Feed(fade, 40, 40, 2);
            Assert.AreEqual(0.6f, first[39], 1e-6);
            fade.FadeOut(100);
            var second = Feed(fade, 120, 40, 2);
            Assert.LessOrEqual(first[39] - second[0], 0.01 + 1e-6, "continues from 0.6, not from 1");
            Assert.Less(second[0], first[39]);
            Assert.AreEqual(0f, second[59], "the remaining 60 % of the ramp take 60 frames");
            Assert.That(second.GetRange(60, 60), Is.All.EqualTo(0f));
        }

        [Test]
        public void ApplyIgnoresABufferWithoutChannels()
        {
            var fade = new VoiceFade();
            fade.FadeOut(10);
            Assert.DoesNotThrow(() => fade.Apply(null, 2));
            var data = new float[] { 1f, 1f };
            fade.Apply(data, 0);
            CollectionAssert.AreEqual(new[] { 1f, 1f }, data);
        }

        [Test]
        public void TheAudioThreadPathAllocatesNothing()
        {
            var fade = new VoiceFade();
            var buffer = new float[2 * 1024];
            Action mix = () => fade.Apply(buffer, 2);
            mix();
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 200; i++)
            {
                if (i % 50 == 0) fade.FadeOut(240);
                if (i % 50 == 25) fade.Rearm();
                mix();
            }
            Assert.AreEqual(0, GC.GetAllocatedBytesForCurrentThread() - before, "OnAudioFilterRead must not allocate (a GC on the audio thread is a dropout)");
        }

        [Test]
        public void SilentIsCertainBeforeTheVoicesScheduledEnd()
        {
            // 48 kHz, 1024-frame buffers: the 5 ms ramp plus two buffers.
            Assert.AreEqual((240 + 2048) / 48000.0, VoiceFade.SecondsUntilSilent(48000, 1024), 1e-12);
            Assert.AreEqual(240 / 48000.0, VoiceFade.SecondsUntilSilent(48000, 0), 1e-12);
            Assert.Greater(VoiceFade.SecondsUntilSilent(44100, 256), VoiceFade.RampSeconds);
            StringAssert.Contains("dspBufferSize", Assert.Throws<ArgumentOutOfRangeException>(() => VoiceFade.SecondsUntilSilent(48000, -1)).Message);
        }

        [Test]
        public void WithTheSamplersFadeTimeTheReserveStillAbsorbsADenseStream()
        {
            var planner = new SamplerPlanner(RiffSampler.DefaultVoices, s => s == "crash" ? 1.5 : s.StartsWith("guitar_", StringComparison.Ordinal) ? 1.5 : 0.45);
            planner.FadeSeconds = VoiceFade.SecondsUntilSilent(48000, 1024);
            var rng = new System.Random(99);
            var drums = new[] { 36, 38, 42, 46, 49, 51, 52, 45 };
            var commands = new List<VoiceCommand>();
            var busyUntil = new double[RiffSampler.DefaultVoices];
            var t = 0.0;
            for (var i = 0; i < 2000; i++)
            {
                t += rng.NextDouble() * 0.06;
                var lead = 0.01 + rng.NextDouble() * 0.1;
                var note = rng.Next(3) == 0
                    ? new ScheduledNote { Instrument = "guitar", Pitch = 40 + rng.Next(24), Velocity = 110, Time = t + lead, Duration = 0.05 + rng.NextDouble() * 0.5 }
                    : new ScheduledNote { Instrument = "drums", Pitch = drums[rng.Next(drums.Length)], Velocity = 110, Time = t + lead, Duration = 0.1 };
                commands.Clear();
                planner.Plan(note, t, commands);
                foreach (var c in commands)
                {
                    if (c.FadeOut)
                    {
                        Assert.AreEqual(planner.FadeSeconds, c.End - c.Start, 1e-12, "the stolen voice stops after its ramp surely ended");
                        busyUntil[c.Voice] = c.End;
                    }
                    else if (c.Play)
                        Assert.LessOrEqual(busyUntil[c.Voice], t + 1e-12, "a fading voice is reused only after its scheduled end");
                }
            }
            Assert.Greater(planner.StolenVoices, 50, "the stream is dense enough to steal");
            Assert.AreEqual(0, planner.CutVoices, "no steal had to cut a voice");
        }

        [Test]
        public void RiffVoiceIsAnAudioFilterOnItsOwnAudioSource()
        {
            var t = typeof(RiffVoice);
            Assert.IsTrue(typeof(MonoBehaviour).IsAssignableFrom(t));
            // The message Unity calls on the audio thread: void OnAudioFilterRead(float[] data, int channels).
            var m = t.GetMethod("OnAudioFilterRead", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public, null, new[] { typeof(float[]), typeof(int) }, null);
            Assert.IsNotNull(m, "OnAudioFilterRead(float[], int)");
            Assert.AreEqual(typeof(void), m.ReturnType);
            var require = (RequireComponent)Attribute.GetCustomAttribute(t, typeof(RequireComponent));
            Assert.IsNotNull(require);
            Assert.AreEqual(typeof(AudioSource), require.m_Type0);
            var menu = CustomAttributeData.GetCustomAttributes(t).FirstOrDefault(a => a.AttributeType == typeof(AddComponentMenu));
            Assert.IsNotNull(menu, "hidden from the Add Component menu");
            Assert.AreEqual("", menu.ConstructorArguments[0].Value);
            foreach (var f in t.GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public))
                Assert.IsFalse(f.IsDefined(typeof(SerializeField), false), "nothing of a voice is serialized: " + f.Name);
        }
    }
}
