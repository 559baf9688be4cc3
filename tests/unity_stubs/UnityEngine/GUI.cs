namespace UnityEngine
{
    // https://docs.unity3d.com/ScriptReference/GUILayoutOption.html
    public sealed class GUILayoutOption { }

    // https://docs.unity3d.com/ScriptReference/GUIContent.html
    public class GUIContent
    {
        public GUIContent() { }
        public GUIContent(string text) { this.text = text; }
        public GUIContent(string text, string tooltip) { this.text = text; this.tooltip = tooltip; }
        public string text { get; set; }
        public string tooltip { get; set; }
        // https://docs.unity3d.com/ScriptReference/GUIContent-none.html: a static field, not a property
        public static GUIContent none = new GUIContent("");
        public GUIContent(GUIContent src) { text = src.text; tooltip = src.tooltip; }
    }

    // https://docs.unity3d.com/ScriptReference/GUIStyle.html
    public sealed class GUIStyle
    {
        public GUIStyle() { }
        public GUIStyle(GUIStyle other) { }
        // https://docs.unity3d.com/ScriptReference/GUIStyle-operator_GUIStyle.html: a named style of the current skin
        public static implicit operator GUIStyle(string str) { return new GUIStyle(); }
        public bool wordWrap { get; set; }
        public bool richText { get; set; }
        public int fontSize { get; set; }
    }

    // https://docs.unity3d.com/ScriptReference/GUI.html
    public class GUI
    {
        public static bool enabled { get; set; }
        public static Color color { get; set; }
        public static void Label(Rect position, string text) { }
        public static void Label(Rect position, string text, GUIStyle style) { }
        public static bool Button(Rect position, string text) { return false; }
        public static void Box(Rect position, string text) { }
    }

    // https://docs.unity3d.com/ScriptReference/GUILayout.html
    public class GUILayout
    {
        public static void Label(string text, params GUILayoutOption[] options) { }
        public static void Label(string text, GUIStyle style, params GUILayoutOption[] options) { }
        public static bool Button(string text, params GUILayoutOption[] options) { return false; }
        public static bool Toggle(bool value, string text, params GUILayoutOption[] options) { return value; }
        public static float HorizontalSlider(float value, float leftValue, float rightValue, params GUILayoutOption[] options) { return value; }
        public static void Box(string text, params GUILayoutOption[] options) { }
        public static void Space(float pixels) { }
        public static void FlexibleSpace() { }
        public static void BeginHorizontal(params GUILayoutOption[] options) { }
        public static void EndHorizontal() { }
        public static void BeginVertical(params GUILayoutOption[] options) { }
        public static void BeginVertical(string text, GUIStyle style, params GUILayoutOption[] options) { }
        public static void EndVertical() { }
        public static void BeginArea(Rect screenRect) { }
        public static void EndArea() { }
        public static Vector2 BeginScrollView(Vector2 scrollPosition, params GUILayoutOption[] options) { return scrollPosition; }
        public static void EndScrollView() { }
        public static GUILayoutOption Width(float width) { return null; }
        public static GUILayoutOption Height(float height) { return null; }
        public static GUILayoutOption MinWidth(float minWidth) { return null; }
        public static GUILayoutOption ExpandWidth(bool expand) { return null; }
    }

    // https://docs.unity3d.com/ScriptReference/GUILayoutUtility.html
    public class GUILayoutUtility
    {
        public static Rect GetRect(float width, float height) { return new Rect(); }
        public static Rect GetRect(float width, float height, params GUILayoutOption[] options) { return new Rect(); }
        public static Rect GetLastRect() { return new Rect(); }
    }

    // https://docs.unity3d.com/ScriptReference/GUISkin.html
    public class GUISkin : ScriptableObject { }

    // https://docs.unity3d.com/ScriptReference/Screen.html
    public sealed class Screen
    {
        public static int width { get { return 0; } }
        public static int height { get { return 0; } }
    }
}
