using UnityEngine;

namespace RiffForge
{
    /// <summary>
    /// One voice of the <see cref="RiffSampler"/>: sits after the voice's AudioSource on its own GameObject, so
    /// Unity inserts its OnAudioFilterRead into that source's DSP chain ("the filter is inserted in the same
    /// order as the MonoBehaviour script is shown in the inspector", and data "contains audio from the previous
    /// filter in the chain or the AudioClip on the AudioSource":
    /// https://docs.unity3d.com/2017.1/Documentation/ScriptReference/MonoBehaviour.OnAudioFilterRead.html).
    /// There it applies <see cref="VoiceFade"/>, so a stolen voice fades sample by sample instead of once per frame.
    /// OnAudioFilterRead runs on the audio thread, where the page forbids most Unity calls: it touches only the
    /// plain <see cref="VoiceFade"/> object, and allocates nothing.
    /// The sampler creates these; they are hidden from the Add Component menu (an empty menu name hides a
    /// script: https://docs.unity3d.com/450/Documentation/ScriptReference/AddComponentMenu-ctor.html).
    /// </summary>
    [RequireComponent(typeof(AudioSource))]
    [AddComponentMenu("")]
    public sealed class RiffVoice : MonoBehaviour
    {
        readonly VoiceFade _fade = new VoiceFade();

        /// <summary>The voice's gain ramp (main thread: FadeOut and Rearm).</summary>
        public VoiceFade Fade { get { return _fade; } }

        void OnAudioFilterRead(float[] data, int channels)
        {
            _fade.Apply(data, channels);
        }
    }
}
