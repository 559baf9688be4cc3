using System;

namespace UnityEngine
{
    // https://docs.unity3d.com/ScriptReference/PropertyAttribute.html (abstract: the page names it the base class to derive attributes from; only subclasses are applied)
    public abstract class PropertyAttribute : Attribute
    {
        protected PropertyAttribute() { }
        public int order { get; set; }
    }

    // https://docs.unity3d.com/ScriptReference/SerializeField.html
    [AttributeUsage(AttributeTargets.Field, Inherited = true, AllowMultiple = false)]
    public sealed class SerializeField : Attribute { }

    // https://docs.unity3d.com/ScriptReference/HideInInspector.html
    [AttributeUsage(AttributeTargets.Field, Inherited = true, AllowMultiple = false)]
    public sealed class HideInInspector : Attribute { }

    // https://docs.unity3d.com/ScriptReference/TooltipAttribute.html
    [AttributeUsage(AttributeTargets.Field, Inherited = true, AllowMultiple = false)]
    public class TooltipAttribute : PropertyAttribute
    {
        public readonly string tooltip;
        public TooltipAttribute(string tooltip) { this.tooltip = tooltip; }
    }

    // https://docs.unity3d.com/ScriptReference/RangeAttribute.html
    [AttributeUsage(AttributeTargets.Field, Inherited = true, AllowMultiple = false)]
    public sealed class RangeAttribute : PropertyAttribute
    {
        public readonly float min;
        public readonly float max;
        public RangeAttribute(float min, float max) { this.min = min; this.max = max; }
    }

    // https://docs.unity3d.com/ScriptReference/MinAttribute.html
    [AttributeUsage(AttributeTargets.Field, Inherited = true, AllowMultiple = false)]
    public sealed class MinAttribute : PropertyAttribute
    {
        public readonly float min;
        public MinAttribute(float min) { this.min = min; }
    }

    // https://docs.unity3d.com/ScriptReference/HeaderAttribute.html
    [AttributeUsage(AttributeTargets.Field, Inherited = true, AllowMultiple = true)]
    public class HeaderAttribute : PropertyAttribute
    {
        public readonly string header;
        public HeaderAttribute(string header) { this.header = header; }
    }

    // https://docs.unity3d.com/ScriptReference/SpaceAttribute.html (a DecoratorDrawer spacing before a serialized field: fields only)
    [AttributeUsage(AttributeTargets.Field, Inherited = true, AllowMultiple = true)]
    public class SpaceAttribute : PropertyAttribute
    {
        public readonly float height;
        public SpaceAttribute() { height = 8f; }
        public SpaceAttribute(float height) { this.height = height; }
    }

    // https://docs.unity3d.com/ScriptReference/TextAreaAttribute.html
    [AttributeUsage(AttributeTargets.Field, Inherited = true, AllowMultiple = false)]
    public class TextAreaAttribute : PropertyAttribute
    {
        public readonly int minLines;
        public readonly int maxLines;
        public TextAreaAttribute() { minLines = 3; maxLines = 3; }
        public TextAreaAttribute(int minLines, int maxLines) { this.minLines = minLines; this.maxLines = maxLines; }
    }

    // https://docs.unity3d.com/ScriptReference/DisallowMultipleComponent.html
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
    public sealed class DisallowMultipleComponent : Attribute { }

    // https://docs.unity3d.com/ScriptReference/RequireComponent.html
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
    public sealed class RequireComponent : Attribute
    {
        public Type m_Type0;
        public RequireComponent(Type requiredComponent) { m_Type0 = requiredComponent; }
    }

    // https://docs.unity3d.com/ScriptReference/AddComponentMenu.html
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
    public sealed class AddComponentMenu : Attribute
    {
        public AddComponentMenu(string menuName) { }
        public AddComponentMenu(string menuName, int order) { }
        public string componentMenu { get { return null; } }
    }

    // https://docs.unity3d.com/ScriptReference/DefaultExecutionOrder.html
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
    public class DefaultExecutionOrder : Attribute
    {
        public DefaultExecutionOrder(int order) { this.order = order; }
        public int order { get; private set; }
    }

    // https://docs.unity3d.com/ScriptReference/HelpURLAttribute.html
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
    public sealed class HelpURLAttribute : Attribute
    {
        public HelpURLAttribute(string url) { this.URL = url; }
        public string URL { get; private set; }
    }

    // https://docs.unity3d.com/ScriptReference/ContextMenu.html
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
    public sealed class ContextMenu : Attribute
    {
        public readonly string menuItem;
        public ContextMenu(string itemName) { menuItem = itemName; }
        public ContextMenu(string itemName, bool isValidateFunction) { menuItem = itemName; }
    }

    // https://docs.unity3d.com/ScriptReference/RuntimeInitializeOnLoadMethodAttribute.html
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
    public class RuntimeInitializeOnLoadMethodAttribute : Attribute
    {
        public RuntimeInitializeOnLoadMethodAttribute() { }
        public RuntimeInitializeOnLoadMethodAttribute(RuntimeInitializeLoadType loadType) { }
    }

    // https://docs.unity3d.com/ScriptReference/RuntimeInitializeLoadType.html
    public enum RuntimeInitializeLoadType { AfterSceneLoad = 0, BeforeSceneLoad = 1, AfterAssembliesLoaded = 2, BeforeSplashScreen = 3, SubsystemRegistration = 4 }
}
