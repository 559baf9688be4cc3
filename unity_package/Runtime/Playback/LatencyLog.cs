using System;
using System.Collections.Generic;

namespace RiffForge
{
    /// <summary>The request → riff latencies of the most recent requests (for the Editor monitor).</summary>
    public sealed class LatencyLog
    {
        readonly double[] _ring;
        readonly double[] _sorted;
        int _count;
        int _next;
        long _total;

        public LatencyLog(int capacity = 64)
        {
            if (capacity < 1) throw new ArgumentOutOfRangeException("capacity", "capacity " + capacity + " must be >= 1");
            _ring = new double[capacity];
            _sorted = new double[capacity];
        }

        public int Count { get { return _count; } }

        /// <summary>Every latency ever added (the ring keeps only the most recent).</summary>
        public long Total { get { return _total; } }

        public void Add(double seconds)
        {
            _ring[_next] = seconds;
            _next = (_next + 1) % _ring.Length;
            if (_count < _ring.Length) _count++;
            _total++;
        }

        /// <summary>The kept latencies, oldest first.</summary>
        public double[] Recent()
        {
            var a = new double[_count];
            var first = (_next - _count + _ring.Length) % _ring.Length;
            for (var i = 0; i < _count; i++) a[i] = _ring[(first + i) % _ring.Length];
            return a;
        }

        /// <summary>The latest latency, NaN when none.</summary>
        public double Last { get { return _count == 0 ? double.NaN : _ring[(_next - 1 + _ring.Length) % _ring.Length]; } }

        /// <summary>
        /// The q-quantile (0..1, nearest rank) of the kept latencies, NaN when none. Allocates nothing (the
        /// generator asks for the p99 every frame).
        /// </summary>
        public double Quantile(double q)
        {
            if (_count == 0) return double.NaN;
            var first = (_next - _count + _ring.Length) % _ring.Length;
            // Insertion sort into the scratch array: a few dozen values, and Array.Sort allocates on Mono.
            for (var i = 0; i < _count; i++)
            {
                var v = _ring[(first + i) % _ring.Length];
                var j = i;
                for (; j > 0 && _sorted[j - 1] > v; j--) _sorted[j] = _sorted[j - 1];
                _sorted[j] = v;
            }
            var rank = (int)Math.Ceiling(Math.Max(0.0, Math.Min(1.0, q)) * _count) - 1;
            return _sorted[Math.Max(0, Math.Min(_count - 1, rank))];
        }

        public double Max { get { return Quantile(1.0); } }

        /// <summary>"p50 12 ms, max 31 ms over 20" or "no requests yet".</summary>
        public string Summary()
        {
            if (_count == 0) return "no requests yet";
            return "last " + Ms(Last) + ", p50 " + Ms(Quantile(0.5)) + ", max " + Ms(Max) + " over the last " + _count;
        }

        static string Ms(double s) { return (s * 1000.0).ToString("0.0") + " ms"; }
    }
}
