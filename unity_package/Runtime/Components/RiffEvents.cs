using System;
using RiffForge.Core;
using UnityEngine.Events;

namespace RiffForge
{
    /// <summary>A riff arrived and will play (or, for RequestRiffAsync without play, was generated).</summary>
    [Serializable]
    public sealed class RiffEvent : UnityEvent<Riff> { }

    /// <summary>
    /// A note: instrument ("guitar", "bass", "drums"), MIDI pitch (drums: GM drum pitch), velocity 1..127,
    /// and the AudioSettings.dspTime at which it sounds. Raised up to the look-ahead before that time, so a
    /// synth of your own can schedule it exactly.
    /// </summary>
    [Serializable]
    public sealed class NoteEvent : UnityEvent<string, int, int, double> { }

    /// <summary>A bar line was reached (bars since playback started).</summary>
    [Serializable]
    public sealed class BarEvent : UnityEvent<int> { }

    /// <summary>A beat was reached: (bar since playback started, beat within the bar from 0).</summary>
    [Serializable]
    public sealed class BeatEvent : UnityEvent<int, int> { }

    /// <summary>The six styles the sidecar generates (the Inspector's style dropdown).</summary>
    public enum MetalStyle { Thrash, Death, Black, Doom, Djent, Groove }

    /// <summary>A key for the Inspector's dropdown; Auto lets the generator choose.</summary>
    public enum MusicalKey { Auto, C, CSharp, D, DSharp, E, F, FSharp, G, GSharp, A, ASharp, B }

    /// <summary>Conversions between the Inspector's enums and the protocol's strings.</summary>
    public static class RiffNames
    {
        static readonly string[] KeyNames = { null, "C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B" };

        // Spelled once: Style runs every frame (MetalRiffGenerator.Update syncs its settings), and enum ToString
        // plus ToLowerInvariant would allocate two strings each time.
        static readonly string[] StyleNames = { "thrash", "death", "black", "doom", "djent", "groove" };

        /// <summary>"thrash", "death", ... as the protocol spells styles.</summary>
        public static string Style(MetalStyle style)
        {
            var i = (int)style;
            return i >= 0 && i < StyleNames.Length ? StyleNames[i] : style.ToString().ToLowerInvariant();
        }

        /// <summary>"C", "C#", ... or null for Auto.</summary>
        public static string Key(MusicalKey key)
        {
            var i = (int)key;
            return i >= 0 && i < KeyNames.Length ? KeyNames[i] : null;
        }
    }
}
