using System;

namespace UnityEngine
{
    // https://docs.unity3d.com/ScriptReference/AudioDataLoadState.html
    public enum AudioDataLoadState { Unloaded = 0, Loading = 1, Loaded = 2, Failed = 3 }

    // https://docs.unity3d.com/ScriptReference/AudioClip.html
    public sealed class AudioClip : Object
    {
        public float length { get { return 0f; } }
        public int samples { get { return 0; } }
        public int channels { get { return 0; } }
        public int frequency { get { return 0; } }
        public AudioDataLoadState loadState { get { return AudioDataLoadState.Unloaded; } }
        public bool preloadAudioData { get { return false; } }
        public bool LoadAudioData() { return false; }
        public bool UnloadAudioData() { return false; }
        public bool GetData(float[] data, int offsetSamples) { return false; }
        public bool SetData(float[] data, int offsetSamples) { return false; }
        public static AudioClip Create(string name, int lengthSamples, int channels, int frequency, bool stream) { return null; }
    }

    // https://docs.unity3d.com/ScriptReference/AudioBehaviour.html
    public class AudioBehaviour : Behaviour { }

    // https://docs.unity3d.com/ScriptReference/AudioSource.html
    public sealed class AudioSource : AudioBehaviour
    {
        public AudioClip clip { get; set; }
        public float volume { get; set; }
        public float pitch { get; set; }
        public bool loop { get; set; }
        public bool mute { get; set; }
        public bool playOnAwake { get; set; }
        public float spatialBlend { get; set; }
        public float panStereo { get; set; }
        public int priority { get; set; }
        public bool isPlaying { get { return false; } }
        public float time { get; set; }
        public int timeSamples { get; set; }
        public Audio.AudioMixerGroup outputAudioMixerGroup { get; set; }
        public void Play() { }
        public void Play(ulong delay) { }
        public void PlayScheduled(double time) { }
        public void PlayDelayed(float delay) { }
        public void PlayOneShot(AudioClip clip) { }
        public void PlayOneShot(AudioClip clip, float volumeScale) { }
        public void SetScheduledStartTime(double time) { }
        public void SetScheduledEndTime(double time) { }
        public void Stop() { }
        public void Pause() { }
        public void UnPause() { }
    }

    // https://docs.unity3d.com/ScriptReference/AudioSettings.html
    public sealed class AudioSettings
    {
        public static double dspTime { get { return 0.0; } }
        public static int outputSampleRate { get { return 48000; } }
        public static void GetDSPBufferSize(out int bufferLength, out int numBuffers) { bufferLength = 1024; numBuffers = 4; }
        // https://docs.unity3d.com/ScriptReference/AudioConfiguration-dspBufferSize.html names
        // AudioSettings.GetConfiguration().dspBufferSize as the recommended way to read the DSP buffer size.
        public static AudioConfiguration GetConfiguration() { return new AudioConfiguration { dspBufferSize = 1024 }; }
    }

    // https://docs.unity.cn/cn/current/ScriptReference/AudioConfiguration.html (a struct of public fields; only
    // the one the package reads)
    public struct AudioConfiguration
    {
        public int dspBufferSize;
    }

    // https://docs.unity3d.com/ScriptReference/AudioListener.html
    public sealed class AudioListener : AudioBehaviour
    {
        public static float volume { get; set; }
        public static bool pause { get; set; }
    }
}

namespace UnityEngine.Audio
{
    // https://docs.unity3d.com/ScriptReference/Audio.AudioMixerGroup.html
    public class AudioMixerGroup : Object { }
}
