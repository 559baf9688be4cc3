using System;
using System.Collections.Generic;
using RiffForge.Core;

namespace RiffForge
{
    /// <summary>
    /// The phrase lengths continuous mode may request (MetalRiffGenerator's Phrase Bars). For a request of 4
    /// or 8 bars the sidecar builds a phrase: a 1-2 bar figure repeated with variation and a turnaround at the
    /// phrase end. Both are within the protocol's <c>bars</c> range (1..max_bars, 16; protocol/SPEC.md).
    /// </summary>
    public enum PhraseLength
    {
        FourBars = 4,
        EightBars = 8,
    }

    /// <summary>
    /// What MetalRiffGenerator's Inspector says about the riffs to request, turned into
    /// <see cref="RiffRequest"/>s (free of Unity so tests check it). Intensity is given per request.
    /// </summary>
    public sealed class RequestSettings
    {
        /// <summary>The phrase length continuous mode requests unless set otherwise.</summary>
        public const int DefaultPhraseBars = 8;

        int _phraseBars = DefaultPhraseBars;

        public string Style = "thrash";
        /// <summary>BPM, or null for auto.</summary>
        public double? Tempo;
        /// <summary>"C", "C#", ... or null for auto.</summary>
        public string Key;
        /// <summary>Riff length when <see cref="Continuous"/> is off.</summary>
        public int Bars = 2;

        /// <summary>
        /// True (continuous mode): every request is a phrase of <see cref="PhraseBars"/> bars, so a fresh
        /// riff that follows the playing one starts on a phrase boundary. False: requests use <see cref="Bars"/>.
        /// </summary>
        public bool Continuous;

        /// <summary>
        /// Bars per phrase in continuous mode: 4 or 8 (<see cref="PhraseLength"/>). Any other value throws
        /// <see cref="ArgumentOutOfRangeException"/> with the message of <see cref="CheckPhraseBars"/>.
        /// </summary>
        public int PhraseBars
        {
            get { return _phraseBars; }
            set
            {
                var problem = CheckPhraseBars(value);
                if (problem != null) throw new ArgumentOutOfRangeException("PhraseBars", value, problem);
                _phraseBars = value;
            }
        }

        /// <summary>The bars of the next request: <see cref="PhraseBars"/> in continuous mode, else <see cref="Bars"/>.</summary>
        public int RequestBars { get { return Continuous ? _phraseBars : Bars; } }

        /// <summary>
        /// Null when <paramref name="bars"/> is a phrase length (4 or 8), otherwise what is wrong and how to fix
        /// it, naming the field. Allocates nothing for a good value (it is checked every frame).
        /// </summary>
        public static string CheckPhraseBars(int bars)
        {
            if (bars == (int)PhraseLength.FourBars || bars == (int)PhraseLength.EightBars) return null;
            return "phraseBars=" + bars + ": must be 4 or 8 (the phrase lengths the sidecar builds; the protocol's bars range is 1..16). "
                + "Set Phrase Bars on the Metal Riff Generator to 4 or 8.";
        }
        /// <summary>Null: the generator's default.</summary>
        public double? Temperature;
        /// <summary>Null: a fresh riff each time (the sidecar picks and reports the seed).</summary>
        public int? Seed;
        public bool Guitar = true, Bass = true, Drums = true;
        /// <summary>
        /// True: request every instrument and silence disabled ones in playback, so enabling one joins in on its
        /// next note. False: request only the enabled instruments.
        /// </summary>
        public bool GenerateDisabledInstruments = true;

        public bool IsEnabled(string instrument)
        {
            switch (instrument)
            {
                case "guitar": return Guitar;
                case "bass": return Bass;
                case "drums": return Drums;
                default: return false;
            }
        }

        /// <summary>The enabled instruments as bits (guitar 1, bass 2, drums 4): compared every frame without allocating.</summary>
        public int EnabledMask { get { return (Guitar ? 1 : 0) | (Bass ? 2 : 0) | (Drums ? 4 : 0); } }

        /// <summary>The enabled instruments in protocol order.</summary>
        public string[] EnabledInstruments()
        {
            var list = new List<string>(3);
            foreach (var name in RiffRequest.AllInstruments) if (IsEnabled(name)) list.Add(name);
            return list.ToArray();
        }

        /// <summary>
        /// A request at <paramref name="intensity"/> of <see cref="RequestBars"/> bars. With every instrument disabled and
        /// <see cref="GenerateDisabledInstruments"/> off it still asks for all three (a riff needs a track)
        /// and playback stays silent.
        /// </summary>
        public RiffRequest Build(double intensity)
        {
            var instruments = GenerateDisabledInstruments ? (string[])RiffRequest.AllInstruments.Clone() : EnabledInstruments();
            if (instruments.Length == 0) instruments = (string[])RiffRequest.AllInstruments.Clone();
            return new RiffRequest
            {
                Intensity = Math.Max(0.0, Math.Min(1.0, intensity)),
                Style = Style,
                Bars = RequestBars,
                Tempo = Tempo,
                Key = Key,
                Seed = Seed,
                Temperature = Temperature,
                Instruments = instruments,
            };
        }

        /// <summary>
        /// True when a riff lacks a track the settings now need (an instrument was enabled while only enabled
        /// ones are requested): then a new riff must be requested at once.
        /// </summary>
        public bool Lacks(Riff riff)
        {
            if (riff == null || GenerateDisabledInstruments) return false;
            foreach (var name in EnabledInstruments()) if (!riff.HasTrack(name)) return true;
            return false;
        }
    }
}
