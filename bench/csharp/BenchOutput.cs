// What every C# bench program prints and how it summarises timings (compiled into each by bench/csharp_host.py).
using System;
using System.Collections.Generic;
using System.Globalization;

static class BenchOutput
{
    /// <summary>The p-th percentile (0..100) of <paramref name="values"/>, linearly interpolated; NaN when empty.</summary>
    public static double Percentile(List<double> values, double p)
    {
        var sorted = new List<double>(values);
        sorted.Sort();
        if (sorted.Count == 0) return double.NaN;
        var rank = p / 100.0 * (sorted.Count - 1);
        var lo = (int)Math.Floor(rank);
        var hi = (int)Math.Ceiling(rank);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
    }

    /// <summary>One "key value" line on stdout, the format bench/csharp_host.py reads back.</summary>
    public static void Emit(string key, double value)
    {
        Console.WriteLine(key + " " + value.ToString("0.###", CultureInfo.InvariantCulture));
    }
}
