using System;

namespace UnityEngine.Events
{
    // https://docs.unity3d.com/ScriptReference/Events.UnityAction.html
    public delegate void UnityAction();
    // https://docs.unity3d.com/ScriptReference/Events.UnityAction_1.html
    public delegate void UnityAction<T0>(T0 arg0);
    // https://docs.unity3d.com/ScriptReference/Events.UnityAction_2.html
    public delegate void UnityAction<T0, T1>(T0 arg0, T1 arg1);
    // https://docs.unity3d.com/ScriptReference/Events.UnityAction_3.html
    public delegate void UnityAction<T0, T1, T2>(T0 arg0, T1 arg1, T2 arg2);
    // https://docs.unity3d.com/ScriptReference/Events.UnityAction_4.html
    public delegate void UnityAction<T0, T1, T2, T3>(T0 arg0, T1 arg1, T2 arg2, T3 arg3);

    // https://docs.unity3d.com/ScriptReference/Events.UnityEventBase.html
    [Serializable]
    public abstract class UnityEventBase
    {
        public int GetPersistentEventCount() { return 0; }
        public void RemoveAllListeners() { }
    }

    // https://docs.unity3d.com/ScriptReference/Events.UnityEvent.html
    [Serializable]
    public class UnityEvent : UnityEventBase
    {
        public void AddListener(UnityAction call) { }
        public void RemoveListener(UnityAction call) { }
        public void Invoke() { }
    }

    // https://docs.unity3d.com/ScriptReference/Events.UnityEvent_1.html
    [Serializable]
    public class UnityEvent<T0> : UnityEventBase
    {
        public void AddListener(UnityAction<T0> call) { }
        public void RemoveListener(UnityAction<T0> call) { }
        public void Invoke(T0 arg0) { }
    }

    // https://docs.unity3d.com/ScriptReference/Events.UnityEvent_2.html
    [Serializable]
    public class UnityEvent<T0, T1> : UnityEventBase
    {
        public void AddListener(UnityAction<T0, T1> call) { }
        public void RemoveListener(UnityAction<T0, T1> call) { }
        public void Invoke(T0 arg0, T1 arg1) { }
    }

    // https://docs.unity3d.com/ScriptReference/Events.UnityEvent_3.html
    [Serializable]
    public class UnityEvent<T0, T1, T2> : UnityEventBase
    {
        public void AddListener(UnityAction<T0, T1, T2> call) { }
        public void RemoveListener(UnityAction<T0, T1, T2> call) { }
        public void Invoke(T0 arg0, T1 arg1, T2 arg2) { }
    }

    // https://docs.unity3d.com/ScriptReference/Events.UnityEvent_4.html
    [Serializable]
    public class UnityEvent<T0, T1, T2, T3> : UnityEventBase
    {
        public void AddListener(UnityAction<T0, T1, T2, T3> call) { }
        public void RemoveListener(UnityAction<T0, T1, T2, T3> call) { }
        public void Invoke(T0 arg0, T1 arg1, T2 arg2, T3 arg3) { }
    }
}
