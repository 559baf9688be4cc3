using System;
using System.Reflection;

namespace RiffForge.Engine.Tests
{
    /// <summary>
    /// Bytes allocated so far on this thread: GC.GetAllocatedBytesForCurrentThread where the runtime has it (Mono 6
    /// does, outside the .NET Standard 2.0 surface, hence the reflection), else GC.GetTotalMemory(false).
    /// </summary>
    public static class EngineAllocations
    {
        static readonly Func<long> perThread = Find();

        /// <summary>Which counter <see cref="Now"/> reads.</summary>
        public static string Counter { get { return perThread != null ? "GC.GetAllocatedBytesForCurrentThread" : "GC.GetTotalMemory"; } }

        public static long Now() { return perThread != null ? perThread() : GC.GetTotalMemory(false); }

        static Func<long> Find()
        {
            var m = typeof(GC).GetMethod("GetAllocatedBytesForCurrentThread", BindingFlags.Public | BindingFlags.Static, null, Type.EmptyTypes, null);
            return m == null ? null : (Func<long>)Delegate.CreateDelegate(typeof(Func<long>), m);
        }
    }
}
