namespace RiffForge.Core
{
    /// <summary>
    /// One note event of a riff track. <see cref="Start"/> and <see cref="Length"/> count 16th steps from the
    /// riff's first downbeat; <see cref="Pitch"/> and <see cref="Velocity"/> are MIDI (drums: GM drum pitches).
    /// </summary>
    public struct Note
    {
        public readonly int Start;
        public readonly int Length;
        public readonly int Pitch;
        public readonly int Velocity;

        public Note(int start, int length, int pitch, int velocity)
        {
            Start = start;
            Length = length;
            Pitch = pitch;
            Velocity = velocity;
        }

        public int End { get { return Start + Length; } }

        public override string ToString() { return "[" + Start + ", " + Length + ", " + Pitch + ", " + Velocity + "]"; }
    }
}
