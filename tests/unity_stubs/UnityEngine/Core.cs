using System;

namespace UnityEngine
{
    // https://docs.unity3d.com/ScriptReference/RuntimePlatform.html
    public enum RuntimePlatform { OSXEditor = 0, OSXPlayer = 1, WindowsPlayer = 2, WindowsEditor = 7, IPhonePlayer = 8, Android = 11, LinuxPlayer = 13, LinuxEditor = 16, WebGLPlayer = 17 }

    // https://docs.unity3d.com/ScriptReference/Application.html
    public class Application
    {
        public static event Action quitting;
        public static event Func<bool> wantsToQuit;
        public static string dataPath { get { return ""; } }
        public static string streamingAssetsPath { get { return ""; } }
        public static string persistentDataPath { get { return ""; } }
        public static string temporaryCachePath { get { return ""; } }
        public static string productName { get { return ""; } }
        public static string version { get { return ""; } }
        public static string unityVersion { get { return ""; } }
        public static bool isPlaying { get { return false; } }
        public static bool isEditor { get { return false; } }
        public static RuntimePlatform platform { get { return RuntimePlatform.LinuxPlayer; } }
        public static bool runInBackground { get; set; }
        public static int targetFrameRate { get; set; }
        public static void Quit() { }
    }

    // https://docs.unity3d.com/ScriptReference/Time.html
    public class Time
    {
        public static float time { get { return 0f; } }
        public static double timeAsDouble { get { return 0.0; } }
        public static float deltaTime { get { return 0f; } }
        public static float unscaledDeltaTime { get { return 0f; } }
        public static float realtimeSinceStartup { get { return 0f; } }
        public static double realtimeSinceStartupAsDouble { get { return 0.0; } }
        public static int frameCount { get { return 0; } }
        public static float timeScale { get; set; }
    }

    // https://docs.unity3d.com/ScriptReference/Debug.html
    public class Debug
    {
        public static void Log(object message) { }
        public static void Log(object message, Object context) { }
        public static void LogFormat(string format, params object[] args) { }
        public static void LogWarning(object message) { }
        public static void LogWarning(object message, Object context) { }
        public static void LogWarningFormat(string format, params object[] args) { }
        public static void LogError(object message) { }
        public static void LogError(object message, Object context) { }
        public static void LogErrorFormat(string format, params object[] args) { }
        public static void LogException(Exception exception) { }
        public static void LogException(Exception exception, Object context) { }
    }

    // https://docs.unity3d.com/ScriptReference/Resources.html
    public sealed class Resources
    {
        public static Object Load(string path) { return null; }
        public static T Load<T>(string path) where T : Object { return null; }
        public static Object[] LoadAll(string path) { return new Object[0]; }
        public static T[] LoadAll<T>(string path) where T : Object { return new T[0]; }
    }

    // https://docs.unity3d.com/2018.3/Documentation/ScriptReference/TextAsset-bytes.html (bytes: the raw bytes of a
    // .bytes asset, read only) and TextAsset.text
    public class TextAsset : Object
    {
        public byte[] bytes { get { return new byte[0]; } }
        public string text { get { return ""; } }
    }

    // https://docs.unity3d.com/ScriptReference/Mathf.html
    public struct Mathf
    {
        public const float PI = 3.14159274f;
        public static float Clamp01(float value) { return value < 0f ? 0f : value > 1f ? 1f : value; }
        public static float Clamp(float value, float min, float max) { return value < min ? min : value > max ? max : value; }
        public static int Clamp(int value, int min, int max) { return value < min ? min : value > max ? max : value; }
        public static float Lerp(float a, float b, float t) { return a + (b - a) * Clamp01(t); }
        public static float MoveTowards(float current, float target, float maxDelta) { return Math.Abs(target - current) <= maxDelta ? target : current + Math.Sign(target - current) * maxDelta; }
        public static float Max(float a, float b) { return a > b ? a : b; }
        public static float Min(float a, float b) { return a < b ? a : b; }
        public static int Max(int a, int b) { return a > b ? a : b; }
        public static int Min(int a, int b) { return a < b ? a : b; }
        public static float Abs(float f) { return Math.Abs(f); }
        public static int RoundToInt(float f) { return (int)Math.Round(f); }
        public static int FloorToInt(float f) { return (int)Math.Floor(f); }
        public static float Sin(float f) { return (float)Math.Sin(f); }
        public static float Pow(float f, float p) { return (float)Math.Pow(f, p); }
    }

    // https://docs.unity3d.com/ScriptReference/Vector2.html
    public struct Vector2
    {
        public float x;
        public float y;
        public Vector2(float x, float y) { this.x = x; this.y = y; }
        public static Vector2 zero { get { return new Vector2(0f, 0f); } }
    }

    // https://docs.unity3d.com/ScriptReference/Vector3.html
    public struct Vector3
    {
        public float x;
        public float y;
        public float z;
        public Vector3(float x, float y, float z) { this.x = x; this.y = y; this.z = z; }
        public static Vector3 zero { get { return new Vector3(0f, 0f, 0f); } }
    }

    // https://docs.unity3d.com/ScriptReference/Color.html
    public struct Color
    {
        public float r;
        public float g;
        public float b;
        public float a;
        public Color(float r, float g, float b, float a) { this.r = r; this.g = g; this.b = b; this.a = a; }
        public Color(float r, float g, float b) { this.r = r; this.g = g; this.b = b; a = 1f; }
        public static Color white { get { return new Color(1f, 1f, 1f, 1f); } }
        public static Color black { get { return new Color(0f, 0f, 0f, 1f); } }
        public static Color gray { get { return new Color(0.5f, 0.5f, 0.5f, 1f); } }
        public static Color red { get { return new Color(1f, 0f, 0f, 1f); } }
        public static Color green { get { return new Color(0f, 1f, 0f, 1f); } }
        public static Color yellow { get { return new Color(1f, 0.921568632f, 0.0156862754f, 1f); } }
        public static Color clear { get { return new Color(0f, 0f, 0f, 0f); } }
        public static Color Lerp(Color a, Color b, float t) { return a; }
    }

    // https://docs.unity3d.com/ScriptReference/Rect.html
    public struct Rect
    {
        public Rect(float x, float y, float width, float height) { this.x = x; this.y = y; this.width = width; this.height = height; }
        public float x { get; set; }
        public float y { get; set; }
        public float width { get; set; }
        public float height { get; set; }
        public float xMin { get { return x; } }
        public float yMin { get { return y; } }
        public float xMax { get { return x + width; } }
        public float yMax { get { return y + height; } }
    }
}
