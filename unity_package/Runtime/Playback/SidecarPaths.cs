using System;
using System.IO;
using RiffForge.Core;

namespace RiffForge
{
    /// <summary>How the sidecar is started (RiffForgeSidecar's Inspector "Launch Mode").</summary>
    public enum SidecarLaunchMode
    {
        /// <summary>The frozen sidecar for this machine; in the Editor, the source sidecar when no frozen one exists and a Python is set.</summary>
        Auto,
        /// <summary>Only the frozen sidecar (package Sidecar~ in the Editor, next to the player in a build).</summary>
        Frozen,
        /// <summary>The source sidecar: <c>PYTHON -m riffforge sidecar</c> with the Python set in the Inspector or RIFFFORGE_PYTHON.</summary>
        Source,
        /// <summary>No sidecar: baked fallback riffs only.</summary>
        Off,
    }

    /// <summary>
    /// Where the frozen sidecar lives in the package and in a player build, in one place so the build
    /// post-processor (which copies it) and the runtime (which starts it) agree:
    /// <code>
    /// Editor:          Packages/com.riffforge.unity/Sidecar~/&lt;platform&gt;/riffforge-sidecar[.exe]
    /// Windows, Linux:  &lt;Game&gt;_Data/RiffForgeSidecar/&lt;platform&gt;/...      (next to Game.exe / Game.x86_64)
    /// macOS:           Game.app/Contents/Helpers/RiffForgeSidecar/&lt;platform&gt;/...
    /// </code>
    /// On macOS the sidecar is executable code, and Apple's bundle rules put helper tools in Contents/Helpers
    /// (or Contents/MacOS) and keep Contents/Resources for data; code in Resources breaks signing and
    /// notarisation (https://developer.apple.com/documentation/bundleresources/placing-content-in-a-bundle).
    /// </summary>
    public static class SidecarPaths
    {
        public const string PlayerFolderName = "RiffForgeSidecar";
        /// <summary>The folder of Game.app/Contents that holds the sidecar in a macOS player.</summary>
        public const string MacHelpersFolder = "Helpers";
        /// <summary>Environment variable naming a Python with riffforge installed (source sidecar during development).</summary>
        public const string PythonVariable = "RIFFFORGE_PYTHON";

        /// <summary>The package's Sidecar~ folder given the package root (Unity: PackageInfo.resolvedPath).</summary>
        public static string PackageSidecarRoot(string packageRoot)
        {
            return Path.Combine(packageRoot, SidecarLocator.FolderName);
        }

        /// <summary>
        /// The player's sidecar root given its data folder (Unity: Application.dataPath, i.e. Game_Data on
        /// Windows and Linux, Game.app/Contents on macOS) and the OS ("win", "linux", "osx").
        /// </summary>
        public static string PlayerSidecarRoot(string dataPath, string os)
        {
            if (string.IsNullOrEmpty(dataPath)) throw new ArgumentException("the player's data path is empty", "dataPath");
            return os == "osx" ? Path.Combine(Path.Combine(dataPath, MacHelpersFolder), PlayerFolderName) : Path.Combine(dataPath, PlayerFolderName);
        }

        /// <summary>
        /// The data folder of a player built to <paramref name="outputPath"/> (BuildReport.summary.outputPath:
        /// Game.exe, Game.x86_64 or Game.app), i.e. what Application.dataPath will be when it runs.
        /// </summary>
        public static string PlayerDataFolder(string outputPath, string os)
        {
            if (string.IsNullOrEmpty(outputPath)) throw new ArgumentException("the build output path is empty", "outputPath");
            var trimmed = outputPath.TrimEnd('/', '\\');
            if (os == "osx") return Path.Combine(trimmed, "Contents");
            var dir = Path.GetDirectoryName(trimmed) ?? "";
            return Path.Combine(dir, Path.GetFileNameWithoutExtension(trimmed) + "_Data");
        }

        /// <summary>
        /// The command that starts the sidecar for <paramref name="mode"/>, or null with
        /// <paramref name="problem"/> saying why none can start (then fallback riffs play).
        /// </summary>
        public static SidecarCommand Resolve(SidecarLaunchMode mode, string sidecarRoot, string python, out string problem)
        {
            return Resolve(mode, sidecarRoot, python, null, out problem);
        }

        /// <summary>
        /// As above, also taking the sidecar set up by "Set Up Python Sidecar..." in <paramref name="setUpLibraryFolder"/>
        /// (Editor: &lt;project&gt;/Library/RiffForge; null in a player): Auto tries it after the frozen build and a set Python,
        /// Source uses it when no Python is set.
        /// </summary>
        public static SidecarCommand Resolve(SidecarLaunchMode mode, string sidecarRoot, string python, string setUpLibraryFolder, out string problem)
        {
            problem = null;
            string setUpProblem;
            if (string.IsNullOrEmpty(python)) python = Environment.GetEnvironmentVariable(PythonVariable);
            switch (mode)
            {
                case SidecarLaunchMode.Off:
                    problem = "the sidecar is switched off (RiffForgeSidecar Launch Mode = Off)";
                    return null;
                case SidecarLaunchMode.Source:
                    if (string.IsNullOrEmpty(python))
                    {
                        var setUp = SidecarLocator.SetUp(setUpLibraryFolder, out setUpProblem);
                        if (setUp != null) return setUp;
                        problem = (setUpProblem != null ? setUpProblem + " " : "") + "Launch Mode is Source but no Python is set. Fix: run "
                            + PythonSidecarSetupLayout.ActionName + ", or set RiffForgeSidecar's Python Path (or the "
                            + PythonVariable + " environment variable) to a Python with riffforge installed, e.g. <repo>/.venv/bin/python";
                        return null;
                    }
                    return SidecarCommand.Source(python);
                default:
                    try { return SidecarLocator.Frozen(sidecarRoot); }
                    catch (SidecarException e)
                    {
                        if (mode == SidecarLaunchMode.Auto && !string.IsNullOrEmpty(python)) return SidecarCommand.Source(python);
                        if (mode == SidecarLaunchMode.Auto)
                        {
                            var setUp = SidecarLocator.SetUp(setUpLibraryFolder, out setUpProblem);
                            if (setUp != null) return setUp;
                            if (setUpProblem != null) { problem = setUpProblem + " (" + e.Message + ")"; return null; }
                        }
                        problem = e.Message;
                        return null;
                    }
            }
        }
    }
}
