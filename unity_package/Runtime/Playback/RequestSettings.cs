using System;
using System.Collections.Generic;
using RiffForge.Core;

namespace RiffForge
{
    /// <summary>
    /// What MetalRiffGenerator's Inspector says about the riffs to request, turned into
    /// <see cref="RiffRequest"/>s (free of Unity so tests check it). Intensity is given per request.
    /// </summary>
    public sealed class RequestSettings
    {
        public string Style = "thrash";
        /// <summary>BPM, or null for auto.</summary>
        public double? Tempo;
        /// <summary>"C", "C#", ... or null for auto.</summary>
        public string Key;
        public int Bars = 2;
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
        /// A request at <paramref name="intensity"/>. With every instrument disabled and
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
                Bars = Bars,
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
