using System;
using System.Collections.Generic;

namespace RiffForge.Core
{
    /// <summary>
    /// Decodes the reassembled msgpack riff payload (protocol schema "riff") into a <see cref="Riff"/>.
    /// Checks every field's type and range; a hostile payload throws <see cref="MsgPackFormatException"/> or
    /// <see cref="RiffFormatException"/>, never anything else.
    /// </summary>
    public static class RiffPayload
    {
        public const int MaxBars = 64;

        public static Riff Decode(byte[] payload)
        {
            var f = new PayloadFields(MsgPackReader.ReadMap(payload), "riff");
            var tempo = f.Number("tempo", 20.0, 400.0);
            var meter = f.Array("meter");
            if (meter.Count != 2) throw f.Fail("meter", "has " + meter.Count + " items, expected [numerator, denominator]");
            var num = (int)f.Int(meter[0], "meter[0]", 1, 64);
            var den = (int)f.Int(meter[1], "meter[1]", 1, 16);
            if (den != 1 && den != 2 && den != 4 && den != 8 && den != 16)
                throw f.Fail("meter[1]", "= " + den + " is not a power of two up to 16");
            var bars = (int)f.Int("bars", 1, MaxBars);
            var key = f.Str("key");
            var mode = f.Str("mode");
            var style = f.Str("style");
            var intensity = f.Number("intensity", 0.0, 1.0);
            var seed = (int)f.Int("seed", 0, int.MaxValue);
            var modelId = f.Str("model_id");
            var tuning = f.Str("tuning");
            var tracksMap = f.Map("tracks");
            var tracks = new Dictionary<string, Note[]>(StringComparer.Ordinal);
            foreach (var kv in tracksMap)
                tracks[kv.Key] = DecodeTrack(f, "tracks." + kv.Key, kv.Value);
            return new Riff(tempo, num, den, bars, key, mode, style, intensity, seed, modelId, tuning, tracks);
        }

        static Note[] DecodeTrack(PayloadFields f, string name, object value)
        {
            var events = value as List<object>;
            if (events == null) throw f.Fail(name, "is a " + MsgPackReader.TypeName(value) + ", expected an array of note events");
            var notes = new Note[events.Count];
            for (var i = 0; i < events.Count; i++)
            {
                var where = name + "[" + i + "]";
                var ev = events[i] as List<object>;
                if (ev == null || ev.Count != 4)
                    throw f.Fail(where, "is not [start, length, pitch, velocity]");
                notes[i] = new Note(
                    (int)f.Int(ev[0], where + ".start", 0, int.MaxValue / 2),
                    (int)f.Int(ev[1], where + ".length", 1, int.MaxValue / 2),
                    (int)f.Int(ev[2], where + ".pitch", 0, 127),
                    (int)f.Int(ev[3], where + ".velocity", 1, 127));
            }
            // The protocol promises (start, pitch) order; sort anyway so a careless sender cannot break timing.
            Array.Sort(notes, CompareNotes);
            return notes;
        }

        static int CompareNotes(Note a, Note b)
        {
            var c = a.Start.CompareTo(b.Start);
            return c != 0 ? c : a.Pitch.CompareTo(b.Pitch);
        }
    }
}
