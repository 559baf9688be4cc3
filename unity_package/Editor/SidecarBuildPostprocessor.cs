using System.IO;
using RiffForge.Core;
using UnityEditor;
using UnityEditor.Build;
using UnityEditor.Build.Reporting;
using UnityEngine;

namespace RiffForge.EditorTools
{
    /// <summary>
    /// After a desktop player build, copies the target OS's frozen sidecar from the package's Sidecar~ into
    /// the player where RiffForgeSidecar looks for it (Game_Data/RiffForgeSidecar on Windows and Linux,
    /// Game.app/Contents/Helpers/RiffForgeSidecar on macOS, where Apple's bundle rules allow helper code) and
    /// sets its executable bit. The copy changes a macOS app Unity already built and signed, so on a Mac the app
    /// is signed again ad hoc (it launches on this machine) and the build log says how to sign and notarise it
    /// for distribution. A build without a frozen sidecar for its OS still succeeds, with a warning: that
    /// player plays fallback riffs.
    /// </summary>
    public sealed class SidecarBuildPostprocessor : IPostprocessBuildWithReport
    {
        public int callbackOrder { get { return 100; } }

        public void OnPostprocessBuild(BuildReport report)
        {
            var target = report.summary.platform;
            var os = SidecarBuildCopier.OsFor(target.ToString());
            if (os == null)
            {
                if (target == BuildTarget.StandaloneWindows)
                    Debug.LogWarning("RiffForge: 32-bit Windows players are not supported (the sidecar is 64-bit only); this player plays fallback riffs. Build for Windows x86_64 instead.");
                return;
            }
            var dataFolder = SidecarPaths.PlayerDataFolder(report.summary.outputPath, os);
            var destination = SidecarPaths.PlayerSidecarRoot(dataFolder, os);
            var result = SidecarBuildCopier.Copy(RiffForgeSidecar.SidecarRoot(), os, destination);
            foreach (var warning in result.Warnings) Debug.LogWarning(warning);
            if (result.Platforms.Count > 0)
                Debug.Log("RiffForge: copied the sidecar (" + string.Join(", ", result.Platforms.ToArray()) + ", " + result.Files
                    + " files) to " + Path.GetFullPath(destination));
            if (result.NeedsResign)
            {
                var app = report.summary.outputPath.TrimEnd('/', '\\');
                if (!SidecarBuildCopier.ResignAdHoc(app))
                    Debug.LogWarning("RiffForge: could not re-sign " + app + " ad hoc (no codesign on this machine, or it failed); "
                        + "sign it on a Mac before running it on Apple silicon.");
                Debug.LogWarning(SidecarBuildCopier.MacSigningAdvice(app));
            }
        }
    }
}
