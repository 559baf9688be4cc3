namespace RiffForge.Engine
{
    /// <summary>
    /// A stream of uniform doubles in [0, 1): what the guitar voicing (<see cref="EngineRender.RenderGuitar"/>)
    /// draws from. The engine's generator passes a request's voicing stream (<see cref="PortableRandom"/>,
    /// identical in Python), so a riff's voicing matches the Python runtime's portable mode draw for draw;
    /// a test may pass a fixed list of values.
    /// </summary>
    public interface IUniformSource
    {
        /// <summary>The next uniform double in [0, 1).</summary>
        double NextDouble();
    }
}
