using System;
using UnityEngine;
#if UNITY_EDITOR
using UnityEditor;
#endif

namespace RiffForge
{
    /// <summary>
    /// Calls an action when the play session ends: the player quits (<c>Application.quitting</c>), or, in the
    /// Editor, Play mode is left or scripts are about to reload (<c>EditorApplication.playModeStateChanged</c>,
    /// <c>AssemblyReloadEvents.beforeAssemblyReload</c>). <see cref="Set"/> subscribes or unsubscribes all of
    /// them at once, and does nothing when already in that state. The sidecar component stops its process with
    /// it, the shared in-engine generator its worker thread.
    /// </summary>
    sealed class PlaySessionEnd
    {
        readonly Action _onEnd;
        bool _subscribed;

        public PlaySessionEnd(Action onEnd)
        {
            if (onEnd == null) throw new ArgumentNullException(nameof(onEnd));
            _onEnd = onEnd;
        }

        public bool Subscribed { get { return _subscribed; } }

        public void Set(bool subscribed)
        {
            if (subscribed == _subscribed) return;
            _subscribed = subscribed;
            if (subscribed)
            {
                Application.quitting += End;
#if UNITY_EDITOR
                AssemblyReloadEvents.beforeAssemblyReload += End;
                EditorApplication.playModeStateChanged += OnPlayModeStateChanged;
#endif
            }
            else
            {
                Application.quitting -= End;
#if UNITY_EDITOR
                AssemblyReloadEvents.beforeAssemblyReload -= End;
                EditorApplication.playModeStateChanged -= OnPlayModeStateChanged;
#endif
            }
        }

        void End() { _onEnd(); }

#if UNITY_EDITOR
        void OnPlayModeStateChanged(PlayModeStateChange change)
        {
            if (change == PlayModeStateChange.ExitingPlayMode) _onEnd();
        }
#endif
    }
}
