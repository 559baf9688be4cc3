using System.Collections.Generic;
using System.Text;

namespace RiffForge
{
    /// <summary>What <see cref="SidecarChoice.Choose"/> needs to know about one RiffForgeSidecar component.</summary>
    public struct SidecarCandidate
    {
        /// <summary>The GameObject's name, for the warning.</summary>
        public string Name;
        /// <summary>The component is enabled on an active GameObject (or about to be: it is in Awake/OnEnable).</summary>
        public bool Enabled;
        /// <summary>Keep Across Scenes is on and the GameObject is a root (it survives scene loads).</summary>
        public bool KeepsAcrossScenes;

        public SidecarCandidate(string name, bool enabled, bool keepsAcrossScenes)
        {
            Name = name;
            Enabled = enabled;
            KeepsAcrossScenes = keepsAcrossScenes;
        }
    }

    /// <summary>
    /// Which RiffForgeSidecar component runs the one sidecar process of an Editor (or player), free of Unity.
    /// Every MetalRiffGenerator uses it; one process per Editor keeps two sidecars from fighting over CPU and
    /// pid files. The rule:
    /// <list type="number">
    /// <item>the one already chosen stays chosen while it is enabled (switching would start a second process);</item>
    /// <item>otherwise the first enabled one (in the order the components woke) that keeps across scenes;</item>
    /// <item>otherwise the first enabled one;</item>
    /// <item>none enabled: -1 (the caller creates a "RiffForge Sidecar" GameObject).</item>
    /// </list>
    /// When more than one is enabled, the warning names the chosen one and every ignored one.
    /// </summary>
    public static class SidecarChoice
    {
        /// <param name="candidates">The live components in the order they woke.</param>
        /// <param name="current">Index of the component chosen before, or -1.</param>
        /// <param name="warning">Null, or a warning naming the chosen and the ignored components.</param>
        /// <returns>Index of the chosen component, or -1 when none is enabled.</returns>
        public static int Choose(IList<SidecarCandidate> candidates, int current, out string warning)
        {
            warning = null;
            if (candidates == null || candidates.Count == 0) return -1;
            var chosen = -1;
            if (current >= 0 && current < candidates.Count && candidates[current].Enabled) chosen = current;
            for (var i = 0; chosen < 0 && i < candidates.Count; i++)
                if (candidates[i].Enabled && candidates[i].KeepsAcrossScenes) chosen = i;
            for (var i = 0; chosen < 0 && i < candidates.Count; i++)
                if (candidates[i].Enabled) chosen = i;
            if (chosen < 0) return -1;
            var ignored = new StringBuilder();
            var count = 0;
            for (var i = 0; i < candidates.Count; i++)
            {
                if (i == chosen || !candidates[i].Enabled) continue;
                if (count++ > 0) ignored.Append(", ");
                ignored.Append('\'').Append(candidates[i].Name).Append('\'');
            }
            if (count > 0)
                warning = "RiffForge: " + (count + 1) + " RiffForgeSidecar components are enabled; '" + candidates[chosen].Name
                    + "' runs the one sidecar every MetalRiffGenerator uses, ignoring " + ignored
                    + ". Fix: keep a single RiffForgeSidecar (one sidecar process per Editor or game).";
            return chosen;
        }
    }
}
