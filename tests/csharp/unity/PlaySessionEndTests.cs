using System;
using System.Reflection;
using NUnit.Framework;
using UnityEditor;
using UnityEngine;

namespace RiffForge.Unity.Tests
{
    /// <summary>
    /// PlaySessionEnd, which stops the sidecar and the in-engine worker when a play session ends: the events the
    /// Unity stand-ins declare are raised here by hand (Unity raises them in a real Editor or player).
    /// </summary>
    [TestFixture]
    public class PlaySessionEndTests
    {
        static readonly Type SessionEnd = typeof(RiffForgeSidecar).Assembly.GetType("RiffForge.PlaySessionEnd", true);

        static void Raise(Type owner, string name, params object[] args)
        {
            var field = owner.GetField(name, BindingFlags.Static | BindingFlags.NonPublic);
            var handlers = (Delegate)field.GetValue(null);
            if (handlers != null) handlers.DynamicInvoke(args);
        }

        static void EndEverything()
        {
            Raise(typeof(Application), "quitting");
            Raise(typeof(AssemblyReloadEvents), "beforeAssemblyReload");
            Raise(typeof(EditorApplication), "playModeStateChanged", PlayModeStateChange.ExitingPlayMode);
        }

        [Test]
        public void CallsTheActionOnceForEachWayASessionEndsWhileSubscribed()
        {
            var ended = 0;
            var hook = Activator.CreateInstance(SessionEnd, new object[] { (Action)(() => ended++) });
            var set = SessionEnd.GetMethod("Set");
            set.Invoke(hook, new object[] { true });
            set.Invoke(hook, new object[] { true }); // already subscribed: no second subscription
            Raise(typeof(Application), "quitting");
            Assert.AreEqual(1, ended, "player quit");
            Raise(typeof(EditorApplication), "playModeStateChanged", PlayModeStateChange.EnteredEditMode);
            Assert.AreEqual(1, ended, "entering edit mode is not the end of a play session");
            Raise(typeof(EditorApplication), "playModeStateChanged", PlayModeStateChange.ExitingPlayMode);
            Assert.AreEqual(2, ended, "leaving Play mode");
            Raise(typeof(AssemblyReloadEvents), "beforeAssemblyReload");
            Assert.AreEqual(3, ended, "script reload");

            set.Invoke(hook, new object[] { false });
            EndEverything();
            Assert.AreEqual(3, ended, "unsubscribed: nothing more");
        }
    }
}
