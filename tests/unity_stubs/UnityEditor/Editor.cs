using System;
using UnityEngine;

namespace UnityEditor
{
    // https://docs.unity3d.com/ScriptReference/EditorWindow.html
    public class EditorWindow : ScriptableObject
    {
        public GUIContent titleContent { get; set; }
        public Rect position { get; set; }
        public Vector2 minSize { get; set; }
        public bool wantsMouseMove { get; set; }
        public static T GetWindow<T>() where T : EditorWindow { return null; }
        public static T GetWindow<T>(string title) where T : EditorWindow { return null; }
        public static T GetWindow<T>(string title, bool focus) where T : EditorWindow { return null; }
        public void Show() { }
        public void Close() { }
        public void Repaint() { }
        public void Focus() { }
    }

    // https://docs.unity3d.com/ScriptReference/Editor.html
    public class Editor : ScriptableObject
    {
        // https://docs.unity3d.com/ScriptReference/Editor-target.html declares `public Object target { get; set; }` and
        // documents no exception from the setter, so the stand-in keeps a plain setter; the package only reads it.
        public UnityEngine.Object target { get; set; }
        public UnityEngine.Object[] targets { get { return null; } }
        public SerializedObject serializedObject { get { return null; } }
        public virtual void OnInspectorGUI() { }
        public bool DrawDefaultInspector() { return false; }
        public virtual bool RequiresConstantRepaint() { return false; }
        public void Repaint() { }
    }

    // https://docs.unity3d.com/ScriptReference/CustomEditor.html
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class CustomEditor : Attribute
    {
        public CustomEditor(Type inspectedType) { }
        public CustomEditor(Type inspectedType, bool editorForChildClasses) { }
        public bool isFallback { get; set; }
    }

    // https://docs.unity3d.com/ScriptReference/CanEditMultipleObjects.html
    [AttributeUsage(AttributeTargets.Class)]
    public sealed class CanEditMultipleObjects : Attribute { }

    // https://docs.unity3d.com/ScriptReference/MenuItem.html
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
    public sealed class MenuItem : Attribute
    {
        public string menuItem;
        public bool validate;
        public int priority;
        public MenuItem(string itemName) { menuItem = itemName; }
        public MenuItem(string itemName, bool isValidateFunction) { menuItem = itemName; validate = isValidateFunction; }
        public MenuItem(string itemName, bool isValidateFunction, int priority) { menuItem = itemName; validate = isValidateFunction; this.priority = priority; }
    }

    // https://docs.unity3d.com/ScriptReference/InitializeOnLoadAttribute.html
    [AttributeUsage(AttributeTargets.Class)]
    public class InitializeOnLoadAttribute : Attribute { }

    // https://docs.unity3d.com/ScriptReference/InitializeOnLoadMethodAttribute.html
    [AttributeUsage(AttributeTargets.Method)]
    public class InitializeOnLoadMethodAttribute : Attribute { }

    // https://docs.unity3d.com/ScriptReference/PlayModeStateChange.html
    public enum PlayModeStateChange { EnteredEditMode = 0, ExitingEditMode = 1, EnteredPlayMode = 2, ExitingPlayMode = 3 }

    // https://docs.unity3d.com/ScriptReference/EditorApplication.html
    public sealed class EditorApplication
    {
        // https://docs.unity3d.com/ScriptReference/EditorApplication.CallbackFunction.html
        public delegate void CallbackFunction();
        public static CallbackFunction update;
        public static CallbackFunction delayCall;
        public static event Action<PlayModeStateChange> playModeStateChanged;
        public static event Action quitting;
        public static bool isPlaying { get; set; }
        public static bool isPlayingOrWillChangePlaymode { get { return false; } }
        public static bool isCompiling { get { return false; } }
        public static double timeSinceStartup { get { return 0.0; } }
        public static string applicationContentsPath { get { return ""; } }
    }

    // https://docs.unity3d.com/ScriptReference/AssemblyReloadEvents.html
    public sealed class AssemblyReloadEvents
    {
        // https://docs.unity3d.com/ScriptReference/AssemblyReloadEvents.AssemblyReloadCallback.html
        public delegate void AssemblyReloadCallback();
        public static event AssemblyReloadCallback beforeAssemblyReload;
        public static event AssemblyReloadCallback afterAssemblyReload;
    }

    // https://docs.unity3d.com/ScriptReference/EditorPrefs.html
    public sealed class EditorPrefs
    {
        public static string GetString(string key) { return ""; }
        public static string GetString(string key, string defaultValue) { return defaultValue; }
        public static void SetString(string key, string value) { }
        public static bool GetBool(string key, bool defaultValue) { return defaultValue; }
        public static void SetBool(string key, bool value) { }
        public static bool HasKey(string key) { return false; }
    }

    // https://docs.unity3d.com/ScriptReference/EditorUtility.html
    public sealed class EditorUtility
    {
        public static void RevealInFinder(string path) { }
        public static void SetDirty(UnityEngine.Object target) { }
        public static string OpenFilePanel(string title, string directory, string extension) { return ""; }
        public static bool DisplayDialog(string title, string message, string ok) { return false; }
        // https://docs.unity3d.com/2021.3/Documentation/ScriptReference/EditorUtility.DisplayCancelableProgressBar.html
        public static bool DisplayCancelableProgressBar(string title, string info, float progress) { return false; }
        // https://docs.unity3d.com/2021.3/Documentation/ScriptReference/EditorUtility.ClearProgressBar.html
        public static void ClearProgressBar() { }
    }

    // https://docs.unity3d.com/ScriptReference/SerializedObject.html
    public sealed class SerializedObject : IDisposable
    {
        public SerializedObject(UnityEngine.Object obj) { }
        public UnityEngine.Object targetObject { get { return null; } }
        public void Update() { }
        public bool ApplyModifiedProperties() { return false; }
        public SerializedProperty FindProperty(string propertyPath) { return null; }
        public void Dispose() { }
    }

    // https://docs.unity3d.com/ScriptReference/SerializedProperty.html
    public class SerializedProperty
    {
        public bool boolValue { get; set; }
        public float floatValue { get; set; }
        public int intValue { get; set; }
        public string stringValue { get; set; }
        public int enumValueIndex { get; set; }
        public string name { get { return ""; } }
        public string displayName { get { return ""; } }
        public string propertyPath { get { return ""; } }
        public bool NextVisible(bool enterChildren) { return false; }
        public SerializedProperty Copy() { return this; }
    }

    // https://docs.unity3d.com/ScriptReference/MessageType.html
    public enum MessageType { None = 0, Info = 1, Warning = 2, Error = 3 }

    // https://docs.unity3d.com/ScriptReference/EditorStyles.html
    public sealed class EditorStyles
    {
        public static GUIStyle label { get { return null; } }
        public static GUIStyle boldLabel { get { return null; } }
        public static GUIStyle miniLabel { get { return null; } }
        public static GUIStyle wordWrappedLabel { get { return null; } }
        public static GUIStyle wordWrappedMiniLabel { get { return null; } }
        public static GUIStyle helpBox { get { return null; } }
        public static GUIStyle miniButton { get { return null; } }
    }

    // https://docs.unity3d.com/ScriptReference/EditorGUI.html
    public sealed class EditorGUI
    {
        public static void DrawRect(Rect rect, Color color) { }
        public static void LabelField(Rect position, string label) { }
        public static void LabelField(Rect position, string label, GUIStyle style) { }
        public static void BeginDisabledGroup(bool disabled) { }
        public static void EndDisabledGroup() { }
        // https://docs.unity3d.com/ScriptReference/EditorGUI.DisabledScope.html (2021.3 and 6000.x)
        public struct DisabledScope : IDisposable
        {
            public DisabledScope(bool disabled) { }
            public void Dispose() { }
        }
        public static int indentLevel { get; set; }
    }

    // https://docs.unity3d.com/ScriptReference/EditorGUILayout.html
    public sealed class EditorGUILayout
    {
        public static void LabelField(string label, params GUILayoutOption[] options) { }
        public static void LabelField(string label, GUIStyle style, params GUILayoutOption[] options) { }
        public static void LabelField(string label, string label2, params GUILayoutOption[] options) { }
        public static void LabelField(string label, string label2, GUIStyle style, params GUILayoutOption[] options) { }
        public static void SelectableLabel(string text, params GUILayoutOption[] options) { }
        public static void HelpBox(string message, MessageType type) { }
        public static void Space() { }
        public static void Space(float width) { }
        public static Rect BeginHorizontal(params GUILayoutOption[] options) { return new Rect(); }
        public static void EndHorizontal() { }
        public static Rect BeginVertical(params GUILayoutOption[] options) { return new Rect(); }
        public static void EndVertical() { }
        public static Vector2 BeginScrollView(Vector2 scrollPosition, params GUILayoutOption[] options) { return scrollPosition; }
        public static void EndScrollView() { }
        public static bool PropertyField(SerializedProperty property, params GUILayoutOption[] options) { return false; }
        public static bool PropertyField(SerializedProperty property, GUIContent label, params GUILayoutOption[] options) { return false; }
        public static float Slider(string label, float value, float leftValue, float rightValue, params GUILayoutOption[] options) { return value; }
        public static float Slider(float value, float leftValue, float rightValue, params GUILayoutOption[] options) { return value; }
        public static string TextField(string label, string text, params GUILayoutOption[] options) { return text; }
        public static bool Toggle(string label, bool value, params GUILayoutOption[] options) { return value; }
        public static bool Foldout(bool foldout, string content) { return foldout; }
        public static Enum EnumPopup(string label, Enum selected, params GUILayoutOption[] options) { return selected; }
    }
}

namespace UnityEditor.PackageManager
{
    // https://docs.unity3d.com/ScriptReference/PackageManager.PackageInfo.html
    public sealed class PackageInfo
    {
        public string name { get { return ""; } }
        public string displayName { get { return ""; } }
        public string version { get { return ""; } }
        public string resolvedPath { get { return ""; } }
        public string assetPath { get { return ""; } }
        // https://docs.unity3d.com/2021.3/Documentation/ScriptReference/PackageManager.PackageInfo.html (packageId, source, git)
        public string packageId { get { return ""; } }
        public PackageSource source { get { return PackageSource.Unknown; } }
        public GitInfo git { get { return null; } }
        public static PackageInfo FindForAssembly(System.Reflection.Assembly assembly) { return null; }
        public static PackageInfo FindForAssetPath(string assetPath) { return null; }
    }
}

namespace UnityEditor.PackageManager
{
    // https://docs.unity3d.com/2021.3/Documentation/ScriptReference/PackageManager.PackageSource.html
    public enum PackageSource { Unknown = 0, Registry = 1, BuiltIn = 2, Embedded = 3, Local = 4, Git = 5, LocalTarball = 6 }

    // https://docs.unity3d.com/2021.3/Documentation/ScriptReference/PackageManager.GitInfo.html
    public sealed class GitInfo
    {
        public string hash { get { return ""; } }
        public string revision { get { return ""; } }
    }
}

namespace UnityEditor.Build
{
    // https://docs.unity3d.com/ScriptReference/Build.IOrderedCallback.html
    public interface IOrderedCallback
    {
        int callbackOrder { get; }
    }

    // https://docs.unity3d.com/ScriptReference/Build.IPostprocessBuildWithReport.html
    public interface IPostprocessBuildWithReport : IOrderedCallback
    {
        void OnPostprocessBuild(UnityEditor.Build.Reporting.BuildReport report);
    }

    // https://docs.unity3d.com/ScriptReference/Build.IPreprocessBuildWithReport.html
    public interface IPreprocessBuildWithReport : IOrderedCallback
    {
        void OnPreprocessBuild(UnityEditor.Build.Reporting.BuildReport report);
    }

    // https://docs.unity3d.com/ScriptReference/Build.BuildFailedException.html
    public class BuildFailedException : Exception
    {
        public BuildFailedException(string message) : base(message) { }
        public BuildFailedException(Exception innerException) : base(null, innerException) { }
    }
}

namespace UnityEditor.Build.Reporting
{
    // https://docs.unity3d.com/ScriptReference/Build.Reporting.BuildResult.html
    public enum BuildResult { Unknown = 0, Succeeded = 1, Failed = 2, Cancelled = 3 }

    // https://docs.unity3d.com/ScriptReference/Build.Reporting.BuildSummary.html
    public struct BuildSummary
    {
        public BuildTarget platform { get { return BuildTarget.NoTarget; } }
        public BuildTargetGroup platformGroup { get { return BuildTargetGroup.Unknown; } }
        public string outputPath { get { return ""; } }
        public BuildResult result { get { return BuildResult.Unknown; } }
    }

    // https://docs.unity3d.com/ScriptReference/Build.Reporting.BuildReport.html
    public sealed class BuildReport : UnityEngine.Object
    {
        public BuildSummary summary { get { return new BuildSummary(); } }
    }
}

namespace UnityEditor
{
    // https://docs.unity3d.com/ScriptReference/BuildTarget.html
    public enum BuildTarget
    {
        NoTarget = -2,
        StandaloneOSX = 2,
        StandaloneWindows = 5,
        iOS = 9,
        Android = 13,
        StandaloneWindows64 = 19,
        WebGL = 20,
        WSAPlayer = 21,
        StandaloneLinux64 = 24,
        PS4 = 31,
        XboxOne = 33,
        tvOS = 37,
        Switch = 38,
        LinuxHeadlessSimulation = 41,
        GameCoreXboxSeries = 42,
        GameCoreXboxOne = 43,
        PS5 = 44,
        EmbeddedLinux = 45,
    }

    // https://docs.unity3d.com/ScriptReference/BuildTargetGroup.html
    public enum BuildTargetGroup { Unknown = 0, Standalone = 1, iOS = 4, Android = 7, WebGL = 13, WSA = 14, PS4 = 19, XboxOne = 21, tvOS = 25, Switch = 27, GameCoreXboxSeries = 31, GameCoreXboxOne = 32, PS5 = 33 }
}
