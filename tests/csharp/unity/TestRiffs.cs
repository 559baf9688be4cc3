using System.Collections.Generic;
using RiffForge.Core;

namespace RiffForge.Unity.Tests
{
    /// <summary>Small riffs for the tests: one kick per beat and a guitar note per bar.</summary>
    static class TestRiffs
    {
        public static Riff Make(double intensity, int bars = 2, double tempo = 120, string style = "thrash")
        {
            var drums = new List<Note>();
            var guitar = new List<Note>();
            for (var bar = 0; bar < bars; bar++)
            {
                for (var beat = 0; beat < 4; beat++) drums.Add(new Note(bar * 16 + beat * 4, 1, 36, 100));
                guitar.Add(new Note(bar * 16, 8, 40, 100));
            }
            return new Riff(tempo, 4, 4, bars, "E", "phrygian", style, intensity, 1, "test", "E standard",
                new Dictionary<string, Note[]> { { "drums", drums.ToArray() }, { "guitar", guitar.ToArray() } });
        }
    }
}
