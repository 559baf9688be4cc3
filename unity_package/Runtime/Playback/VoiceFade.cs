using System;

namespace RiffForge
{
    /// <summary>
    /// The gain ramp of one sampler voice, free of Unity: a stolen voice fades linearly from full gain to
    /// silence over <see cref="RampSeconds"/>, sample by sample, instead of being cut (a cut is a click).
    /// Threading contract: <see cref="FadeOut"/> and <see cref="Rearm"/> are called on the main thread,
    /// <see cref="Apply"/> on the audio thread (Unity calls MonoBehaviour.OnAudioFilterRead there:
    /// https://docs.unity3d.com/2017.1/Documentation/ScriptReference/MonoBehaviour.OnAudioFilterRead.html).
    /// They share only volatile fields; Apply allocates nothing and takes no lock.
    /// </summary>
    public sealed class VoiceFade
    {
        /// <summary>Length of the ramp (5 ms: too short to hear as a fade, long enough not to click).</summary>
        public const double RampSeconds = 0.005;

        // Written by the main thread, read by the audio thread.
        volatile int _fading;      // 1 from FadeOut until Rearm
        volatile int _request;     // counts FadeOut calls: a new value starts a new ramp
        volatile int _rampFrames = 1;
        // The audio thread's own state (Silent reads _left from the main thread: an int read is atomic).
        int _seenRequest;
        int _n = 1;                // frames of the ramp under way
        volatile int _left;        // frames of it still to go; the gain is _left / _n
        volatile bool _ramping;

        /// <summary>
        /// Frames (samples per channel) of a <see cref="RampSeconds"/> ramp at <paramref name="sampleRate"/>
        /// (Unity: AudioSettings.outputSampleRate, the mixer's output rate:
        /// https://docs.unity.cn/2021.3/Documentation/ScriptReference/AudioSettings-outputSampleRate.html).
        /// 240 at 48 kHz, 221 at 44.1 kHz; at least 1.
        /// </summary>
        public static int RampFrames(int sampleRate)
        {
            if (sampleRate <= 0) throw new ArgumentOutOfRangeException("sampleRate", "sampleRate=" + sampleRate + ": must be the mixer's output rate in Hz (AudioSettings.outputSampleRate)");
            return Math.Max(1, (int)Math.Round(sampleRate * RampSeconds, MidpointRounding.AwayFromZero));
        }

        /// <summary>
        /// Seconds from <see cref="FadeOut"/> until the voice is surely silent, for the voice's scheduled end and
        /// for how long the sampler keeps it busy: the mixer may be mixing a buffer already when the fade is
        /// asked for, so the ramp starts with the next one at the latest; one more buffer covers the audio
        /// thread's timing against AudioSettings.dspTime. <paramref name="dspBufferLength"/> is the mixer's
        /// buffer in frames (AudioSettings.GetConfiguration().dspBufferSize, "the length of the DSP buffer in
        /// samples": https://docs.unity3d.com/ScriptReference/AudioConfiguration-dspBufferSize.html).
        /// About 48 ms at 48 kHz with 1024-frame buffers.
        /// </summary>
        public static double SecondsUntilSilent(int sampleRate, int dspBufferLength)
        {
            if (dspBufferLength < 0) throw new ArgumentOutOfRangeException("dspBufferLength", "dspBufferLength=" + dspBufferLength + ": must be the mixer's buffer length in frames (AudioSettings.GetConfiguration().dspBufferSize)");
            return (RampFrames(sampleRate) + 2.0 * dspBufferLength) / sampleRate;
        }

        /// <summary>Main thread: ramp to silence over <paramref name="rampFrames"/> frames, starting with the next buffer.</summary>
        public void FadeOut(int rampFrames)
        {
            if (rampFrames < 1) throw new ArgumentOutOfRangeException("rampFrames", "rampFrames=" + rampFrames + ": must be at least 1 (VoiceFade.RampFrames)");
            _rampFrames = rampFrames;
            _request++;            // single writer (the main thread): no interlock needed
            _fading = 1;
        }

        /// <summary>Main thread: full gain again, for the voice's next sound (call it once the old one was stopped).</summary>
        public void Rearm()
        {
            _fading = 0;
        }

        /// <summary>True from <see cref="FadeOut"/> until <see cref="Rearm"/>.</summary>
        public bool Fading { get { return _fading != 0; } }

        /// <summary>True once a fade has reached silence on the audio thread (stays true until <see cref="Rearm"/>).</summary>
        public bool Silent { get { return _fading != 0 && _ramping && _left == 0; } }

        /// <summary>The gain the last frame got, 0..1 (audio thread's view).</summary>
        public float Gain { get { return _ramping ? (float)_left / _n : 1f; } }

        /// <summary>
        /// Audio thread: applies the gain to <paramref name="data"/> (interleaved, <paramref name="channels"/>
        /// samples per frame, as OnAudioFilterRead passes it). Untouched at full gain; during a ramp frame k
        /// (from 0) gets 1 - (k + 1) / n, so the gain falls by 1/n per frame and reaches 0 on the ramp's last
        /// frame; every frame after it is silent.
        /// </summary>
        public void Apply(float[] data, int channels)
        {
            if (data == null || channels <= 0) return;
            if (_fading == 0)
            {
                _ramping = false;
                return;
            }
            var request = _request;
            if (!_ramping || request != _seenRequest)
            {
                // A new fade starts from the gain the voice has now (full, unless a ramp was under way).
                var n = _rampFrames;
                var from = _ramping ? (float)_left / _n : 1f;
                _n = n;
                _left = (int)Math.Round(from * n);
                _seenRequest = request;
                _ramping = true;
            }
            var frames = data.Length / channels;
            var left = _left;
            var i = 0;
            for (var f = 0; f < frames && left > 0; f++)
            {
                left--;
                var gain = (float)left / _n;
                for (var c = 0; c < channels; c++, i++) data[i] *= gain;
            }
            _left = left;
            if (i < data.Length) Array.Clear(data, i, data.Length - i);
        }
    }
}
