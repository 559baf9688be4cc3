using System;
using System.Collections.Generic;
using RiffForge.Core;

namespace RiffForge.EditorTools
{
    /// <summary>One note as a rectangle of the Editor monitor's piano roll (pixels from the roll's top left).</summary>
    public struct RollNote
    {
        public string Instrument;
        public int Lane;
        public float X, Y, Width, Height;
        /// <summary>0..1 from the MIDI velocity (drawn as brightness).</summary>
        public float Velocity;
    }

    /// <summary>
    /// Lays a riff out as three lanes (guitar, bass, drums, top to bottom) of note rectangles over its steps,
    /// free of Unity so it is tested; the monitor draws the rectangles with EditorGUI.DrawRect.
    /// Within a lane, higher pitches are higher; drum pitches get one row each.
    /// </summary>
    public static class PianoRollLayout
    {
        public static readonly string[] Lanes = { "guitar", "bass", "drums" };

        public static List<RollNote> Layout(Riff riff, float width, float laneHeight)
        {
            var notes = new List<RollNote>();
            if (riff == null || width <= 0 || laneHeight <= 0) return notes;
            var total = (float)riff.TotalSteps;
            for (var lane = 0; lane < Lanes.Length; lane++)
            {
                var track = riff.Notes(Lanes[lane]);
                if (track.Count == 0) continue;
                var rows = new SortedSet<int>();
                foreach (var n in track) rows.Add(n.Pitch);
                var low = rows.Min;
                var high = rows.Max;
                var isDrums = Lanes[lane] == "drums";
                var rowCount = isDrums ? rows.Count : high - low + 1;
                var rowHeight = Math.Max(1f, laneHeight / Math.Max(1, rowCount));
                var rowIndex = new List<int>(rows);
                foreach (var n in track)
                {
                    if (n.Start >= riff.TotalSteps) continue;
                    var row = isDrums ? rowIndex.IndexOf(n.Pitch) : n.Pitch - low;
                    var length = Math.Min(n.Length, riff.TotalSteps - n.Start);
                    notes.Add(new RollNote
                    {
                        Instrument = Lanes[lane],
                        Lane = lane,
                        X = n.Start / total * width,
                        Width = Math.Max(1f, length / total * width - 1f),
                        Y = lane * laneHeight + (rowCount - 1 - row) * rowHeight,
                        Height = Math.Max(1f, rowHeight - 1f),
                        Velocity = Math.Max(0, Math.Min(127, n.Velocity)) / 127f,
                    });
                }
            }
            return notes;
        }

        /// <summary>X positions of the bar lines (including 0, excluding the end).</summary>
        public static float[] BarLines(Riff riff, float width)
        {
            if (riff == null) return new float[0];
            var lines = new float[riff.Bars];
            for (var b = 0; b < riff.Bars; b++) lines[b] = (float)b / riff.Bars * width;
            return lines;
        }
    }
}
