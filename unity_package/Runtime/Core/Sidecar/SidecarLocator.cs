using System;
using System.Collections.Generic;
using System.IO;

namespace RiffForge.Core
{
    /// <summary>
    /// Finds the frozen sidecar shipped in the package. Layout (one PyInstaller onedir build per platform, in
    /// a folder Unity does not import because its name ends in '~'):
    /// <code>
    /// Packages/com.riffforge.unity/Sidecar~/linux-x64/riffforge-sidecar      (+ _internal/, manifest.json)
    ///                                       osx-arm64/riffforge-sidecar
    ///                                       osx-x64/riffforge-sidecar
    ///                                       win-x64/riffforge-sidecar.exe
    /// </code>
    /// A player build copies the same folder next to the player. In the Editor, <see cref="SetUp"/> finds the
    /// sidecar that <see cref="PythonSidecarSetupLayout.ActionName"/> installed into the project's Library
    /// folder (for a package added from a git URL or from disk, which has no frozen build). Every problem throws
    /// <see cref="SidecarException"/> (code <c>launch_failed</c>) naming the path and the fix.
    /// </summary>
    public static class SidecarLocator
    {
        /// <summary>The folder inside the package that holds the per-platform folders.</summary>
        public const string FolderName = "Sidecar~";
        public const string ExecutableBaseName = "riffforge-sidecar";

        const string Fixes = "Fix: in the Unity Editor choose " + PythonSidecarSetupLayout.ActionName
            + " (installs the sidecar from a Python 3.11 or 3.12 into this project's Library folder; for a package added from a git URL or from disk), "
            + "or reinstall com.riffforge.unity from a release that ships this platform's sidecar, "
            + "or build it on this machine with `python build/build_sidecar.py`, "
            + "or use the source sidecar during development (SidecarCommand.Source with a Python that has riffforge installed).";

        public static string ExecutableName(string platform)
        {
            return platform.StartsWith("win-", StringComparison.Ordinal) ? ExecutableBaseName + ".exe" : ExecutableBaseName;
        }

        /// <summary>The frozen sidecar for this machine under <paramref name="sidecarRoot"/> (the Sidecar~ folder).</summary>
        public static SidecarCommand Frozen(string sidecarRoot)
        {
            return Frozen(sidecarRoot, BinaryArchitecture.CurrentPlatform());
        }

        /// <summary>The frozen sidecar for <paramref name="platform"/> ("linux-x64", "osx-arm64", "win-x64", ...).</summary>
        public static SidecarCommand Frozen(string sidecarRoot, string platform)
        {
            if (string.IsNullOrEmpty(sidecarRoot) || !Directory.Exists(sidecarRoot))
                throw Fail("The RiffForge sidecar folder " + Quote(sidecarRoot) + " does not exist; the package ships its sidecars in "
                    + FolderName + "/<platform>/ (this machine needs " + platform + "/). " + Fixes);
            string folder = null;
            foreach (var candidate in Candidates(platform))
            {
                var dir = Path.Combine(sidecarRoot, candidate);
                if (Directory.Exists(dir)) { folder = dir; break; }
            }
            if (folder == null)
            {
                var found = new List<string>();
                foreach (var d in Directory.GetDirectories(sidecarRoot)) found.Add(Path.GetFileName(d));
                found.Sort(StringComparer.Ordinal);
                throw Fail("No sidecar for this machine (" + platform + "): the folder " + Quote(Path.Combine(sidecarRoot, platform))
                    + " is missing (" + (found.Count == 0 ? "no platform folders at all" : "found only " + string.Join(", ", found.ToArray())) + "). " + Fixes);
            }
            var exe = Path.Combine(folder, ExecutableName(platform));
            if (!File.Exists(exe))
                throw Fail("The sidecar executable " + Quote(exe) + " is missing (its folder exists but is incomplete). " + Fixes);
            string detected;
            try { detected = BinaryArchitecture.Detect(exe); }
            catch (IOException e) { throw Fail("Cannot read the sidecar executable " + Quote(exe) + ": " + e.Message + ". Fix: check its file permissions."); }
            catch (UnauthorizedAccessException e) { throw Fail("Cannot read the sidecar executable " + Quote(exe) + ": " + e.Message + ". Fix: check its file permissions."); }
            if (!BinaryArchitecture.CanRun(detected, platform))
                throw Fail("The sidecar executable " + Quote(exe) + " is built for " + detected + ", but this machine is " + platform
                    + ". Fix: put the " + platform + " build in " + Quote(Path.Combine(sidecarRoot, platform))
                    + " (build it on a " + platform + " machine with `python build/build_sidecar.py`, or take it from the release for all platforms).");
            return new SidecarCommand(exe, new string[0], true);
        }

        /// <summary>
        /// The sidecar installed by the Editor action <see cref="PythonSidecarSetupLayout.ActionName"/> under
        /// <paramref name="libraryFolder"/> (&lt;project&gt;/Library/RiffForge), or null with <paramref name="problem"/>
        /// saying why: null too when nothing was set up (then the frozen lookup's message is the one to show).
        /// </summary>
        public static SidecarCommand SetUp(string libraryFolder, out string problem)
        {
            problem = null;
            if (string.IsNullOrEmpty(libraryFolder)) return null;
            var recordFile = PythonSidecarSetupLayout.RecordFile(libraryFolder);
            if (!File.Exists(recordFile)) return null;
            var record = PythonSidecarRecord.Load(libraryFolder);
            if (record == null)
            {
                problem = "The Python sidecar record " + Quote(recordFile) + " cannot be read. Fix: run " + PythonSidecarSetupLayout.ActionName + " again.";
                return null;
            }
            if (record.Status != PythonSidecarSetupLayout.StatusReady)
            {
                problem = "The Python sidecar set-up in " + Quote(recordFile) + " did not finish (status " + Quote(record.Status)
                    + "). Fix: run " + PythonSidecarSetupLayout.ActionName + " again and read its error.";
                return null;
            }
            if (string.IsNullOrEmpty(record.VenvPython) || !File.Exists(record.VenvPython))
            {
                problem = "The Python sidecar's interpreter " + Quote(record.VenvPython) + " (named in " + Quote(recordFile)
                    + ") is missing; its venv was deleted or moved. Fix: run " + PythonSidecarSetupLayout.ActionName + " again.";
                return null;
            }
            return PythonSidecarSetupLayout.Command(record.VenvPython);
        }

        static IEnumerable<string> Candidates(string platform)
        {
            yield return platform;
            if (platform == "osx-arm64") yield return "osx-x64"; // runs under Rosetta 2
            if (platform == "win-arm64") yield return "win-x64"; // runs under emulation
        }

        internal static string Quote(string path) { return "'" + path + "'"; }

        static SidecarException Fail(string message) { return new SidecarException(SidecarErrorCode.LaunchFailed, message); }
    }
}
