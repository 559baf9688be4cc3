using System;
using System.Collections.Generic;
using RiffForge.Core;

namespace RiffForge
{
    /// <summary>One thing the sampler's AudioSources must do: start a sound, cut a ringing one short, or fade one out.</summary>
    public struct VoiceCommand
    {
        /// <summary>True: <see cref="Voice"/> plays <see cref="Sound"/> from <see cref="Start"/>; false: it stops at <see cref="End"/>.</summary>
        public bool Play;
        /// <summary>With <see cref="Play"/> false: a stolen voice, faded out instead of cut (no click). From
        /// <see cref="Start"/> on its gain ramps linearly to 0 sample by sample (RiffSampler: the voice's
        /// <see cref="VoiceFade"/>, 5 ms on the audio thread), and it stops at <see cref="End"/>, after the ramp is over.</summary>
        public bool FadeOut;
        public int Voice;
        /// <summary>The sound's name (a file in Resources/RiffForgeSounds, e.g. "kick", "guitar_50").</summary>
        public string Sound;
        /// <summary>dspTime to start at (AudioSource.PlayScheduled).</summary>
        public double Start;
        /// <summary>dspTime to stop at (AudioSource.SetScheduledEndTime); NaN lets the sound ring out.</summary>
        public double End;
        /// <summary>Playback rate (AudioSource.pitch): 2^(semitones/12) from the sampled note.</summary>
        public double PitchRatio;
        /// <summary>0..1 (AudioSource.volume).</summary>
        public double Volume;

        public override string ToString()
        {
            return Play ? "voice " + Voice + " plays " + Sound + " @" + Start.ToString("0.0000") + (double.IsNaN(End) ? "" : "-" + End.ToString("0.0000"))
                + " x" + PitchRatio.ToString("0.000") + " vol " + Volume.ToString("0.00")
                : FadeOut ? "voice " + Voice + " fades " + Start.ToString("0.0000") + "-" + End.ToString("0.0000")
                : "voice " + Voice + " stops @" + End.ToString("0.0000");
        }
    }

    /// <summary>
    /// The built-in sampler's decisions, free of Unity: which sound a note plays (GM drum pitch → one-shot;
    /// guitar/bass pitch → the nearest sampled note, pitch-shifted), on which of a fixed pool of voices
    /// (AudioSources), when it starts and stops, and how loud. A voice is free again once the clock passed the
    /// end of what it plays (re-arming a playing AudioSource would cut it at once); with no free voice the one
    /// that finishes first is stolen. A closed or pedal hi-hat chokes a ringing open hi-hat.
    /// Stealing never cuts: once <see cref="VoiceCount"/> - <see cref="FadeReserve"/> voices sound, the one that
    /// finishes first gets a fade-out from the planning moment on (a sample-accurate 5 ms gain ramp in
    /// RiffSampler, see <see cref="VoiceFade"/>; busy for <see cref="FadeSeconds"/>), and the
    /// new note takes one of the reserve voices, so no voice ever plays two sounds at once and never more than
    /// <see cref="VoiceCount"/> AudioSources sound. Only a burst of more steals than the reserve within one fade
    /// falls back to cutting the voice whose fade ends first (usually silent already: its ramp is far shorter).
    /// </summary>
    public sealed class SamplerPlanner
    {
        public const string OpenHat = "hat_open";
        static readonly int[] DefaultGuitarNotes = { 38, 50, 62 };
        static readonly int[] DefaultBassNotes = { 28, 40 };

        struct Voice
        {
            public double Start;
            public double BusyUntil;
            public string Sound;
            /// <summary>Fading out after a steal: it no longer counts as sounding and is not stolen twice.</summary>
            public bool Fading;
        }

        readonly Voice[] _voices;
        readonly Func<string, double> _soundSeconds;
        readonly Dictionary<string, double> _instrumentVolume = new Dictionary<string, double>(StringComparer.Ordinal);
        readonly Dictionary<string, int[]> _sampledNotes = new Dictionary<string, int[]>(StringComparer.Ordinal);
        // "<instrument>_<pitch>" for each sampled pitch, built once: Plan runs for every note in the frame loop.
        readonly Dictionary<string, string[]> _sampledNames = new Dictionary<string, string[]>(StringComparer.Ordinal);
        readonly int _reserve;
        long _stolen;
        long _cut;

        /// <param name="voices">How many AudioSources the sampler has.</param>
        /// <param name="soundSeconds">Length in seconds of a sound by name at its natural rate; a negative
        /// value or an exception means the sound is missing, and notes that need it are skipped.</param>
        public SamplerPlanner(int voices, Func<string, double> soundSeconds)
        {
            if (voices < 1 || voices > 256) throw new ArgumentOutOfRangeException("voices", "voices=" + voices + ": must be 1..256");
            if (soundSeconds == null) throw new ArgumentNullException("soundSeconds");
            _voices = new Voice[voices];
            _reserve = voices >= 8 ? voices / 4 : voices >= 2 ? 1 : 0;
            for (var i = 0; i < voices; i++) _voices[i].BusyUntil = double.NegativeInfinity;
            _soundSeconds = soundSeconds;
            SetSampledNotes("guitar", DefaultGuitarNotes);
            SetSampledNotes("bass", DefaultBassNotes);
        }

        /// <summary>Overall volume 0..1.</summary>
        public double MasterVolume = 0.8;

        /// <summary>Exponent of the velocity curve: volume = (velocity/127)^curve.</summary>
        public double VelocityCurve = 1.6;

        public int VoiceCount { get { return _voices.Length; } }

        /// <summary>Seconds from a steal until the stolen voice is silent and free again: its fade-out runs
        /// between the command's Start and End. The default is the bare 5 ms ramp; RiffSampler sets
        /// <see cref="VoiceFade.SecondsUntilSilent"/> (the ramp plus the mixer buffers before it surely started,
        /// about 48 ms at 48 kHz with 1024-frame buffers).</summary>
        public double FadeSeconds = VoiceFade.RampSeconds;

        /// <summary>Voices kept free for new notes while stolen voices fade: a quarter of 8 or more voices (6 of 24, enough
        /// for a chord plus kick and crash on one onset), 1 below 8, none for a single voice.</summary>
        public int FadeReserve { get { return _reserve; } }

        /// <summary>Steals that had no voice free to fade into and cut a fading voice instead.</summary>
        public long CutVoices { get { return _cut; } }

        /// <summary>Notes that had to take a voice still sounding (raise the voice count when this grows fast).</summary>
        public long StolenVoices { get { return _stolen; } }

        /// <summary>Volume 0..1 of one instrument (default 1); 0 mutes it in the sampler only (OnNote still fires).</summary>
        public void SetInstrumentVolume(string instrument, double volume)
        {
            _instrumentVolume[instrument] = Math.Max(0.0, Math.Min(1.0, volume));
        }

        public double InstrumentVolume(string instrument)
        {
            double v;
            return _instrumentVolume.TryGetValue(instrument, out v) ? v : 1.0;
        }

        /// <summary>The MIDI pitches that have a sampled sound "&lt;instrument&gt;_&lt;pitch&gt;" (guitar 38 50 62, bass 28 40 by default).</summary>
        public void SetSampledNotes(string instrument, int[] pitches)
        {
            if (pitches == null || pitches.Length == 0) throw new ArgumentException("name at least one sampled pitch for " + instrument, "pitches");
            _sampledNotes[instrument] = (int[])pitches.Clone();
            var names = new string[pitches.Length];
            for (var i = 0; i < pitches.Length; i++) names[i] = instrument + "_" + pitches[i];
            _sampledNames[instrument] = names;
        }

        /// <summary>The sound and playback rate of a pitched note: the nearest sampled note (lower one on a tie).</summary>
        public bool PitchedSound(string instrument, int pitch, out string sound, out double ratio)
        {
            int[] sampled;
            sound = null;
            ratio = 1.0;
            if (!_sampledNotes.TryGetValue(instrument, out sampled)) return false;
            var bestIndex = 0;
            for (var i = 1; i < sampled.Length; i++)
            {
                int p = sampled[i], best0 = sampled[bestIndex];
                if (Math.Abs(p - pitch) < Math.Abs(best0 - pitch) || (Math.Abs(p - pitch) == Math.Abs(best0 - pitch) && p < best0)) bestIndex = i;
            }
            var best = sampled[bestIndex];
            sound = _sampledNames[instrument][bestIndex];
            ratio = Math.Pow(2.0, (pitch - best) / 12.0);
            return true;
        }

        /// <summary>
        /// Plans one note at its time (dspTime) given the clock <paramref name="now"/>: appends the commands to
        /// <paramref name="commands"/> and returns how many it added (0 when the note has no sound or is muted).
        /// </summary>
        public int Plan(ScheduledNote note, double now, List<VoiceCommand> commands)
        {
            if (commands == null) throw new ArgumentNullException("commands");
            var volume = MasterVolume * InstrumentVolume(note.Instrument) * Math.Pow(Math.Max(0, Math.Min(127, note.Velocity)) / 127.0, VelocityCurve);
            if (volume <= 0.0) return 0;
            string sound;
            double ratio = 1.0;
            var pitched = note.Instrument != "drums";
            if (pitched)
            {
                if (!PitchedSound(note.Instrument, note.Pitch, out sound, out ratio)) return 0;
            }
            else
            {
                sound = DrumKitMap.SoundFor(note.Pitch);
                if (sound == null) return 0;
            }
            var natural = Length(sound);
            if (natural < 0) return 0;
            var start = Math.Max(note.Time, now);
            var ringsUntil = start + natural / ratio;
            var end = pitched ? Math.Min(ringsUntil, start + Math.Max(note.Duration, 0.02)) : double.NaN;
            var added = 0;
            if (!pitched && DrumKitMap.ChokesOpenHat(note.Pitch))
            {
                for (var i = 0; i < _voices.Length; i++)
                {
                    if (_voices[i].Sound == OpenHat && _voices[i].Start < start && _voices[i].BusyUntil > start)
                    {
                        _voices[i].BusyUntil = start;
                        commands.Add(new VoiceCommand { Play = false, Voice = i, End = start });
                        added++;
                    }
                }
            }
            var voice = Allocate(now, start, commands, ref added);
            _voices[voice] = new Voice { Start = start, BusyUntil = double.IsNaN(end) ? ringsUntil : end, Sound = sound };
            commands.Add(new VoiceCommand { Play = true, Voice = voice, Sound = sound, Start = start, End = end, PitchRatio = ratio, Volume = Math.Min(1.0, volume) });
            return added + 1;
        }

        /// <summary>Frees every voice (after the AudioSources were stopped).</summary>
        public void Reset()
        {
            for (var i = 0; i < _voices.Length; i++) _voices[i] = new Voice { BusyUntil = double.NegativeInfinity };
        }

        double Length(string sound)
        {
            try { return _soundSeconds(sound); }
            catch (Exception) { return -1; }
        }

        /// <summary>
        /// A voice for a sound starting at <paramref name="start"/>. A voice is free once the clock passed the end
        /// of what it plays. When the sounding, unfaded voices reach the count minus the reserve, the one that ends
        /// first is faded out (a command appended) so that a reserve voice stays free for the next steal.
        /// </summary>
        int Allocate(double now, double start, List<VoiceCommand> commands, ref int added)
        {
            var sounding = 0;
            var victim = -1;
            for (var i = 0; i < _voices.Length; i++)
            {
                if (_voices[i].BusyUntil <= now || _voices[i].Fading) continue;
                sounding++;
                if (victim < 0 || _voices[i].BusyUntil < _voices[victim].BusyUntil) victim = i;
            }
            if (victim >= 0 && sounding >= _voices.Length - _reserve && _reserve > 0)
            {
                // The fade starts now, so the stolen voice is free again a few ms later (ahead of the new onset
                // whenever the note was planned at least FadeSeconds early) and the reserve refills quickly.
                var fadeStart = now;
                var fadeEnd = now + FadeSeconds;
                if (_voices[victim].BusyUntil > fadeEnd)
                {
                    _voices[victim].BusyUntil = fadeEnd;
                    _voices[victim].Fading = true;
                    commands.Add(new VoiceCommand { Play = false, FadeOut = true, Voice = victim, Start = fadeStart, End = fadeEnd });
                    added++;
                    _stolen++;
                }
            }
            var best = 0;
            for (var i = 0; i < _voices.Length; i++)
            {
                if (_voices[i].BusyUntil <= now) return i;
                if (_voices[i].BusyUntil < _voices[best].BusyUntil) best = i;
            }
            // No voice free even with the reserve: more steals than reserve voices within one fade, or a single
            // voice. Cut the voice that ends first (a fading one when there is one).
            if (_voices[best].Fading) _cut++;
            else _stolen++;
            return best;
        }
    }

    /// <summary>General MIDI drum pitches → the default kit's sounds.</summary>
    public static class DrumKitMap
    {
        /// <summary>Every sound name the default kit uses (files in Resources/RiffForgeSounds).</summary>
        public static readonly string[] Sounds = { "kick", "snare", "hat_closed", "hat_open", "crash", "china", "ride", "tom_high", "tom_mid", "tom_floor" };

        /// <summary>The sound for a GM drum pitch, or null for a pitch the kit does not have.</summary>
        public static string SoundFor(int pitch)
        {
            switch (pitch)
            {
                case 35: case 36: return "kick";
                case 37: case 38: case 39: case 40: return "snare";
                case 42: case 44: return "hat_closed";
                case 46: return "hat_open";
                case 49: case 55: case 57: return "crash";
                case 52: return "china";
                case 51: case 53: case 59: return "ride";
                case 48: case 50: return "tom_high";
                case 45: case 47: return "tom_mid";
                case 41: case 43: return "tom_floor";
                default: return null;
            }
        }

        /// <summary>True for the closed and pedal hi-hat, which silence a ringing open hi-hat.</summary>
        public static bool ChokesOpenHat(int pitch) { return pitch == 42 || pitch == 44; }
    }
}
