using System;

namespace UnityEngine
{
    // https://docs.unity3d.com/ScriptReference/Object.html
    public class Object
    {
        public string name { get; set; }
        public HideFlags hideFlags { get; set; }

        public int GetInstanceID() { return 0; }
        public static void Destroy(Object obj) { }
        public static void Destroy(Object obj, float t) { }
        public static void DestroyImmediate(Object obj) { }
        public static void DontDestroyOnLoad(Object target) { }
        // https://docs.unity3d.com/ScriptReference/Object.FindObjectOfType.html and Object.FindObjectsOfType.html:
        // obsolete in Unity 6 (use FindFirstObjectByType / FindObjectsByType), so a Unity 6 flavour compile warns.
#if UNITY_6000_0_OR_NEWER
        [Obsolete("Object.FindObjectOfType has been deprecated. Use Object.FindFirstObjectByType or Object.FindAnyObjectByType instead.")]
#endif
        public static T FindObjectOfType<T>() where T : Object { return null; }
#if UNITY_6000_0_OR_NEWER
        [Obsolete("Object.FindObjectsOfType has been deprecated. Use Object.FindObjectsByType instead.")]
#endif
        public static T[] FindObjectsOfType<T>() where T : Object { return new T[0]; }
        // https://docs.unity3d.com/ScriptReference/Object.FindObjectsByType.html (2021.3.18+, 2022.2+, Unity 6)
        public static T[] FindObjectsByType<T>(FindObjectsSortMode sortMode) where T : Object { return new T[0]; }
        public static T[] FindObjectsByType<T>(FindObjectsInactive findObjectsInactive, FindObjectsSortMode sortMode) where T : Object { return new T[0]; }
        // https://docs.unity3d.com/ScriptReference/Object.FindFirstObjectByType.html
        public static T FindFirstObjectByType<T>() where T : Object { return null; }
        // https://docs.unity3d.com/ScriptReference/Object.FindAnyObjectByType.html
        public static T FindAnyObjectByType<T>() where T : Object { return null; }
        public static T Instantiate<T>(T original) where T : Object { return original; }

        public static implicit operator bool(Object exists) { return !ReferenceEquals(exists, null); }
        public static bool operator ==(Object x, Object y) { return ReferenceEquals(x, y); }
        public static bool operator !=(Object x, Object y) { return !ReferenceEquals(x, y); }
        public override bool Equals(object other) { return ReferenceEquals(this, other); }
        public override int GetHashCode() { return base.GetHashCode(); }
        public override string ToString() { return name; }
    }

    // https://docs.unity3d.com/ScriptReference/FindObjectsSortMode.html
    public enum FindObjectsSortMode { None = 0, InstanceID = 1 }

    // https://docs.unity3d.com/ScriptReference/FindObjectsInactive.html
    public enum FindObjectsInactive { Exclude = 0, Include = 1 }

    // https://docs.unity3d.com/ScriptReference/HideFlags.html
    [Flags]
    public enum HideFlags { None = 0, HideInHierarchy = 1, HideInInspector = 2, DontSaveInEditor = 4, NotEditable = 8, DontSaveInBuild = 16, DontUnloadUnusedAsset = 32, DontSave = 52, HideAndDontSave = 61 }

    // https://docs.unity3d.com/ScriptReference/ScriptableObject.html
    public class ScriptableObject : Object
    {
        public static T CreateInstance<T>() where T : ScriptableObject { return null; }
    }

    // https://docs.unity3d.com/ScriptReference/Component.html
    public class Component : Object
    {
        public GameObject gameObject { get { return null; } }
        public Transform transform { get { return null; } }
        public string tag { get; set; }
        public T GetComponent<T>() { return default(T); }
        public T GetComponentInChildren<T>() { return default(T); }
        public T GetComponentInParent<T>() { return default(T); }
        public T[] GetComponents<T>() { return new T[0]; }
    }

    // https://docs.unity3d.com/ScriptReference/Behaviour.html
    public class Behaviour : Component
    {
        public bool enabled { get; set; }
        public bool isActiveAndEnabled { get { return false; } }
    }

    // https://docs.unity3d.com/ScriptReference/MonoBehaviour.html
    public class MonoBehaviour : Behaviour
    {
        public Coroutine StartCoroutine(System.Collections.IEnumerator routine) { return null; }
        public void StopCoroutine(Coroutine routine) { }
        public void StopAllCoroutines() { }
        public void Invoke(string methodName, float time) { }
        public void CancelInvoke() { }
        public static void print(object message) { }
    }

    // https://docs.unity3d.com/ScriptReference/Coroutine.html
    public sealed class Coroutine { }

    // https://docs.unity3d.com/ScriptReference/GameObject.html
    public sealed class GameObject : Object
    {
        public GameObject() { }
        public GameObject(string name) { this.name = name; }
        public GameObject(string name, params Type[] components) { this.name = name; }
        public Transform transform { get { return null; } }
        public bool activeSelf { get { return false; } }
        public bool activeInHierarchy { get { return false; } }
        public string tag { get; set; }
        public T AddComponent<T>() where T : Component { return null; }
        public Component AddComponent(Type componentType) { return null; }
        public T GetComponent<T>() { return default(T); }
        public T GetComponentInChildren<T>() { return default(T); }
        public void SetActive(bool value) { }
    }

    // https://docs.unity3d.com/ScriptReference/Transform.html
    public class Transform : Component, System.Collections.IEnumerable
    {
        public Transform parent { get; set; }
        public Vector3 position { get; set; }
        public Vector3 localPosition { get; set; }
        public Vector3 localScale { get; set; }
        public int childCount { get { return 0; } }
        public void SetParent(Transform p) { }
        public void SetParent(Transform parent, bool worldPositionStays) { }
        public Transform GetChild(int index) { return null; }
        public System.Collections.IEnumerator GetEnumerator() { yield break; }
    }
}
