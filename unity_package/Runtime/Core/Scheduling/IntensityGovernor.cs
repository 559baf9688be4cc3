using System;

namespace RiffForge.Core
{
    /// <summary>
    /// Keeps intensity gentle: never above <see cref="Ceiling"/>, and changing by at most
    /// <see cref="MaxChangePerBar"/> from one bar to the next (the prototype was made for therapeutic use,
    /// where sudden jumps are unwelcome). <see cref="Clamp"/> says what to request next;
    /// <see cref="Check"/> is what the scheduler enforces when a riff is queued.
    /// </summary>
    public sealed class IntensityGovernor
    {
        const double Epsilon = 1e-6;
        double _ceiling = 1.0;
        double _maxChange = 1.0;

        /// <summary>The highest intensity a riff may have (0..1).</summary>
        public double Ceiling
        {
            get { return _ceiling; }
            set
            {
                if (double.IsNaN(value) || value < 0 || value > 1) throw new ArgumentOutOfRangeException("value", "intensity ceiling " + value + " must be within 0..1");
                _ceiling = value;
            }
        }

        /// <summary>The largest intensity difference between consecutive bars (0..1; 1 allows any jump).</summary>
        public double MaxChangePerBar
        {
            get { return _maxChange; }
            set
            {
                if (double.IsNaN(value) || value < 0 || value > 1) throw new ArgumentOutOfRangeException("value", "maximum intensity change per bar " + value + " must be within 0..1");
                _maxChange = value;
            }
        }

        /// <summary>
        /// The intensity to request next when the host wants <paramref name="desired"/> and the riff playing
        /// has <paramref name="current"/> (null: nothing plays yet, only the ceiling applies).
        /// </summary>
        public double Clamp(double desired, double? current)
        {
            var v = Math.Max(0.0, Math.Min(desired, _ceiling));
            if (current.HasValue) v = Math.Max(current.Value - _maxChange, Math.Min(current.Value + _maxChange, v));
            return Math.Max(0.0, Math.Min(v, _ceiling));
        }

        /// <summary>Null when a riff of <paramref name="intensity"/> may follow <paramref name="current"/>; else why not.</summary>
        public string Check(double intensity, double? current)
        {
            if (intensity > _ceiling + Epsilon)
                return "riff intensity " + intensity.ToString("0.###") + " is above the ceiling " + _ceiling.ToString("0.###")
                    + "; request at most the ceiling (IntensityGovernor.Clamp)";
            if (current.HasValue && Math.Abs(intensity - current.Value) > _maxChange + Epsilon)
                return "riff intensity " + intensity.ToString("0.###") + " differs from the playing " + current.Value.ToString("0.###")
                    + " by more than the maximum change per bar " + _maxChange.ToString("0.###") + "; request IntensityGovernor.Clamp(desired, current) instead";
            return null;
        }
    }
}
