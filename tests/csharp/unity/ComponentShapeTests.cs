using System;
using System.Collections.Generic;
using System.Reflection;
using System.Threading.Tasks;
using NUnit.Framework;
using RiffForge.Core;
using RiffForge.EditorTools;
using UnityEngine;
using UnityEngine.Events;
using RangeAttribute = UnityEngine.RangeAttribute;

namespace RiffForge.Unity.Tests
{
    /// <summary>
    /// The components' public shape and Inspector, checked by reflection on the assemblies compiled against the
    /// Unity stand-ins (whose attribute types are Unity's): the API the issue names, a tooltip on every
    /// Inspector field, a range on every numeric one.
    /// </summary>
    [TestFixture]
    public class ComponentShapeTests
    {
        const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

        static List<FieldInfo> InspectorFields(Type type)
        {
            var fields = new List<FieldInfo>();
            foreach (var f in type.GetFields(Instance))
            {
                if (f.IsDefined(typeof(NonSerializedAttribute), false)) continue;
                if (f.IsDefined(typeof(SerializeField), false) || (f.IsPublic && !f.IsInitOnly)) fields.Add(f);
            }
            return fields;
        }

        [TestCase(typeof(MetalRiffGenerator))]
        [TestCase(typeof(RiffForgeSidecar))]
        [TestCase(typeof(RiffSampler))]
        [TestCase(typeof(SoundOverride))]
        public void EveryInspectorFieldHasATooltipAndEveryNumberARange(Type type)
        {
            var fields = InspectorFields(type);
            Assert.IsNotEmpty(fields);
            foreach (var f in fields)
            {
                var tooltip = (TooltipAttribute)Attribute.GetCustomAttribute(f, typeof(TooltipAttribute));
                Assert.IsNotNull(tooltip, type.Name + "." + f.Name + " has no [Tooltip]");
                Assert.Greater(tooltip.tooltip.Length, 15, type.Name + "." + f.Name + ": a tooltip that explains");
                var numeric = f.FieldType == typeof(float) || f.FieldType == typeof(int) || f.FieldType == typeof(double);
                if (numeric && f.Name != "seed")
                    Assert.IsNotNull(Attribute.GetCustomAttribute(f, typeof(RangeAttribute)), type.Name + "." + f.Name + " has no [Range]");
            }
        }

        [Test]
        public void GeneratorInspectorHasEverySettingTheIssueNames()
        {
            var names = InspectorFields(typeof(MetalRiffGenerator)).ConvertAll(f => f.Name);
            foreach (var n in new[] { "intensity", "style", "autoTempo", "tempo", "key", "bars", "phraseBars", "defaultTemperature", "temperature", "seed",
                                      "guitar", "bass", "drums", "lookAhead", "intensityCeiling", "maxChangePerBar", "continuous",
                                      "OnRiffReady", "OnNote", "OnBar", "OnBeat" })
                CollectionAssert.Contains(names, n);
            var intensity = (RangeAttribute)Attribute.GetCustomAttribute(typeof(MetalRiffGenerator).GetField("intensity", Instance), typeof(RangeAttribute));
            Assert.AreEqual(0f, intensity.min);
            Assert.AreEqual(1f, intensity.max);
            Assert.AreEqual(typeof(MetalStyle), typeof(MetalRiffGenerator).GetField("style", Instance).FieldType, "style is a dropdown (enum)");
            Assert.AreEqual(typeof(MusicalKey), typeof(MetalRiffGenerator).GetField("key", Instance).FieldType, "key is a dropdown with Auto");
        }

        [Test]
        public void GeneratorHasAnEngineDropdownThatDefaultsToAuto()
        {
            var field = typeof(MetalRiffGenerator).GetField("engine", Instance);
            Assert.IsNotNull(field, "MetalRiffGenerator.engine");
            Assert.IsTrue(field.IsDefined(typeof(SerializeField), false), "shown in the Inspector");
            Assert.AreEqual(typeof(RiffEngine), field.FieldType, "a dropdown: Sidecar, In Engine, Auto");
            CollectionAssert.AreEqual(new[] { "Sidecar", "InEngine", "Auto" }, Enum.GetNames(typeof(RiffEngine)));
            var generator = new MetalRiffGenerator();
            Assert.AreEqual(RiffEngine.Auto, field.GetValue(generator), "default Auto");
            Assert.AreEqual(RiffEngine.Auto, generator.Engine);
            generator.Engine = RiffEngine.InEngine;
            Assert.AreEqual(RiffEngine.InEngine, field.GetValue(generator), "the Engine property sets the same field");
            Assert.AreEqual("not started", generator.EngineInUse, "no route before it is enabled");
            var tooltip = (TooltipAttribute)Attribute.GetCustomAttribute(field, typeof(TooltipAttribute));
            foreach (var word in new[] { "Auto", "Sidecar", "In Engine", "WebGL", "Baked" }) StringAssert.Contains(word, tooltip.tooltip);
        }

        [Test]
        public void GeneratorApiAndEventsHaveTheIssuesSignatures()
        {
            var t = typeof(MetalRiffGenerator);
            Assert.IsTrue(typeof(MonoBehaviour).IsAssignableFrom(t));
            Assert.IsNotNull(t.GetMethod("RequestRiff", new[] { typeof(float) }));
            Assert.IsNotNull(t.GetMethod("RequestRiff", new[] { typeof(RiffRequest) }));
            var async = t.GetMethod("RequestRiffAsync");
            Assert.AreEqual(typeof(Task<Riff>), async.ReturnType);
            Assert.AreEqual(typeof(RiffRequest), async.GetParameters()[0].ParameterType);
            Assert.IsTrue(async.GetParameters()[1].IsOptional, "RequestRiffAsync(request) works with one argument");
            Assert.IsTrue(typeof(UnityEvent<Riff>).IsAssignableFrom(t.GetField("OnRiffReady").FieldType));
            Assert.IsTrue(typeof(UnityEvent<string, int, int, double>).IsAssignableFrom(t.GetField("OnNote").FieldType), "OnNote(instrument, pitch, velocity, dspTime)");
            Assert.IsTrue(typeof(UnityEvent<int>).IsAssignableFrom(t.GetField("OnBar").FieldType));
            Assert.IsTrue(typeof(UnityEvent<int, int>).IsAssignableFrom(t.GetField("OnBeat").FieldType));
            foreach (var e in new[] { typeof(RiffEvent), typeof(NoteEvent), typeof(BarEvent), typeof(BeatEvent) })
                Assert.IsTrue(e.IsDefined(typeof(SerializableAttribute), false), e.Name + " must be [Serializable] to show in the Inspector");
        }

        [Test]
        public void SidecarComponentHooksTheLifecycleMessagesUnityCalls()
        {
            var t = typeof(RiffForgeSidecar);
            foreach (var message in new[] { "Awake", "OnEnable", "Start", "Update", "OnDisable", "OnDestroy" })
                Assert.IsNotNull(t.GetMethod(message, Instance), "RiffForgeSidecar." + message);
            var sessionEnd = typeof(RiffForgeSidecar).Assembly.GetType("RiffForge.PlaySessionEnd");
            Assert.IsNotNull(sessionEnd.GetMethod("OnPlayModeStateChanged", Instance), "stops on play-mode exit (Editor flavour)");
            var reset = t.GetMethod("ResetStatics", BindingFlags.Static | BindingFlags.NonPublic);
            Assert.IsNotNull(Attribute.GetCustomAttribute(reset, typeof(RuntimeInitializeOnLoadMethodAttribute)));
        }

        [Test]
        public void EditorToolsAreRegisteredWhereUnityLooksForThem()
        {
            Assert.IsTrue(typeof(UnityEditor.Build.IPostprocessBuildWithReport).IsAssignableFrom(typeof(SidecarBuildPostprocessor)));
            var open = typeof(RiffForgeMonitorWindow).GetMethod("Open", BindingFlags.Static | BindingFlags.Public);
            var menu = (UnityEditor.MenuItem)Attribute.GetCustomAttribute(open, typeof(UnityEditor.MenuItem));
            Assert.AreEqual("Window/RiffForge/Monitor", menu.menuItem);
            Assert.IsTrue(typeof(UnityEditor.EditorWindow).IsAssignableFrom(typeof(RiffForgeMonitorWindow)));
            Assert.IsNotNull(Attribute.GetCustomAttribute(typeof(MetalRiffGeneratorEditor), typeof(UnityEditor.CustomEditor)));
            Assert.IsNotNull(Attribute.GetCustomAttribute(typeof(RiffForgeSidecarEditor), typeof(UnityEditor.CustomEditor)));
        }
    }
}
