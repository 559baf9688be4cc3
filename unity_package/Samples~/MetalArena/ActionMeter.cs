using System;

namespace RiffForge.Samples
{
    /// <summary>
    /// How much is going on in the demo's arena, 0..1: every hit, enemy and boss adds to it, and it calms
    /// down by itself. The music's intensity follows it (a plain class: any game can compute "action" its own way).
    /// </summary>
    public sealed class ActionMeter
    {
        double _level;

        /// <summary>Fraction of the level lost per second when nothing happens.</summary>
        public double DecayPerSecond = 0.08;

        /// <summary>The level no decay goes below while enemies are around.</summary>
        public double Floor;

        public double Level { get { return _level; } }

        public void Add(double amount) { _level = Math.Max(0.0, Math.Min(1.0, _level + amount)); }

        public void Tick(double seconds)
        {
            _level = Math.Max(Floor, _level - DecayPerSecond * seconds);
        }

        /// <summary>The music intensity for this level: a calm base that rises with the action.</summary>
        public float Intensity { get { return (float)(0.15 + 0.85 * _level); } }
    }
}
