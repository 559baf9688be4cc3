using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using RiffForge.Core;

namespace RiffForge.EditorTools
{
    /// <summary>What <see cref="SidecarBuildCopier.Copy"/> did.</summary>
    public sealed class SidecarCopyResult
    {
        /// <summary>The platform folders copied ("linux-x64", "osx-arm64", ...).</summary>
        public readonly List<string> Platforms = new List<string>();
        /// <summary>Problems worth a build warning (nothing copied, executable bit not set).</summary>
        public readonly List<string> Warnings = new List<string>();
        /// <summary>The player's sidecar root the folders went to.</summary>
        public string Destination;
        public int Files;
        /// <summary>
        /// True after copying into a macOS app: Unity built (and on Apple silicon signed) the app before the
        /// copy, so its seal no longer covers Contents/Helpers and the app must be signed again.
        /// </summary>
        public bool NeedsResign;
    }

    /// <summary>
    /// The build post-processor's work, free of Unity so it is tested: copies the frozen sidecar folders of
    /// the target OS from the package's Sidecar~ into the player (see <see cref="SidecarPaths"/> for where),
    /// and sets the executable bit of each sidecar executable (a copy made on Windows for a macOS/Linux player
    /// cannot carry it; the runtime restores it at launch too).
    /// </summary>
    public static class SidecarBuildCopier
    {
        /// <summary>"win", "osx", "linux" for a desktop BuildTarget name, null for any other target.</summary>
        public static string OsFor(string buildTarget)
        {
            switch (buildTarget)
            {
                case "StandaloneWindows64": return "win";
                case "StandaloneOSX": return "osx";
                case "StandaloneLinux64": return "linux";
                default: return null;
            }
        }

        /// <summary>
        /// Copies every <c>&lt;os&gt;-&lt;arch&gt;</c> folder of <paramref name="sidecarRoot"/> that holds a
        /// sidecar executable to <paramref name="destinationRoot"/> (replacing an older copy).
        /// </summary>
        public static SidecarCopyResult Copy(string sidecarRoot, string os, string destinationRoot)
        {
            if (string.IsNullOrEmpty(os)) throw new ArgumentException("os is empty: use win, osx or linux", "os");
            var result = new SidecarCopyResult { Destination = destinationRoot };
            var sources = new List<string>();
            if (Directory.Exists(sidecarRoot))
            {
                foreach (var dir in Directory.GetDirectories(sidecarRoot))
                {
                    var platform = Path.GetFileName(dir);
                    if (!platform.StartsWith(os + "-", StringComparison.Ordinal)) continue;
                    if (File.Exists(Path.Combine(dir, SidecarLocator.ExecutableName(platform)))) sources.Add(dir);
                    else result.Warnings.Add("RiffForge: " + Quote(dir) + " has no " + SidecarLocator.ExecutableName(platform)
                        + "; it was not copied into the player.");
                }
            }
            sources.Sort(StringComparer.Ordinal);
            if (sources.Count == 0)
            {
                result.Warnings.Add("RiffForge: no frozen sidecar for " + os + " in " + Quote(sidecarRoot)
                    + ", so this player will play the built-in fallback riffs only. Fix: build the sidecar on a " + os
                    + " machine with `python build/build_sidecar.py` (or take it from the release / CI artifact), put it in "
                    + SidecarLocator.FolderName + "/" + os + "-<arch>/, and build the player again.");
                return result;
            }
            foreach (var source in sources)
            {
                var platform = Path.GetFileName(source);
                var target = Path.Combine(destinationRoot, platform);
                if (Directory.Exists(target)) Directory.Delete(target, true);
                result.Files += CopyDirectory(source, target);
                result.Platforms.Add(platform);
                if (os == "osx") result.NeedsResign = true;
                if (os != "win")
                {
                    var exe = Path.Combine(target, SidecarLocator.ExecutableName(platform));
                    if (!MakeExecutable(exe))
                        result.Warnings.Add("RiffForge: could not set the executable bit of " + Quote(exe)
                            + " (building on Windows for " + os + "?). The player sets it itself before starting the sidecar; "
                            + "if its folder is read-only, run `chmod +x` on it after copying the build.");
                }
            }
            return result;
        }

        /// <summary>Where macOS keeps codesign (absent on Windows and Linux hosts).</summary>
        public const string CodesignPath = "/usr/bin/codesign";

        /// <summary>
        /// Signs <paramref name="appPath"/> again ad hoc (<c>codesign --force --sign -</c>), so a macOS player
        /// built on this Mac launches after the sidecar was copied into it. The sidecar's own Mach-O files keep
        /// the signatures PyInstaller gave them; the app's seal then covers them as nested code. False when
        /// this host has no codesign (Windows, Linux) or signing failed. Not a distribution signature: see
        /// <see cref="MacSigningAdvice"/>.
        /// </summary>
        public static bool ResignAdHoc(string appPath)
        {
            return ResignAdHoc(appPath, CodesignPath);
        }

        /// <summary><see cref="ResignAdHoc(string)"/> with the codesign program given.</summary>
        public static bool ResignAdHoc(string appPath, string codesign)
        {
            return Run(codesign, SidecarCommand.JoinArguments(new[] { "--force", "--sign", "-", appPath })) == 0;
        }

        /// <summary>
        /// What to run to distribute a macOS player outside the Mac App Store after the sidecar was copied in:
        /// sign every sidecar binary, then the app, with a Developer ID, the hardened runtime and the
        /// entitlements a PyInstaller build needs, then notarise. Apple: "Placing content in a bundle"
        /// (https://developer.apple.com/documentation/bundleresources/placing-content-in-a-bundle) and the
        /// Hardened Runtime (https://developer.apple.com/documentation/security/hardened_runtime).
        /// </summary>
        public static string MacSigningAdvice(string appPath)
        {
            var helpers = Path.Combine(Path.Combine(Path.Combine(appPath, "Contents"), SidecarPaths.MacHelpersFolder), SidecarPaths.PlayerFolderName);
            return "RiffForge: the sidecar was copied into " + Quote(helpers) + " after Unity built the app, so the app must be signed again."
                + " To distribute it: (1) sign every Mach-O file under that folder (the sidecar executable and _internal/*.dylib, *.so)"
                + " with `codesign --force --options runtime --timestamp --entitlements Packages/com.riffforge.unity/Sidecar~/sidecar.entitlements --sign \"Developer ID Application: ...\" FILE`"
                + " (the executable needs its entitlements com.apple.security.cs.allow-unsigned-executable-memory and com.apple.security.cs.disable-library-validation);"
                + " (2) sign the app: `codesign --force --options runtime --timestamp --sign \"Developer ID Application: ...\" " + Quote(appPath) + "`;"
                + " (3) `ditto -c -k --keepParent` it into a zip, `xcrun notarytool submit ZIP --wait`, then `xcrun stapler staple` the app."
                + " The package manual (Documentation~/troubleshooting.md, macOS signing) has the details.";
        }

        /// <summary>Copies a folder tree; returns the number of files copied.</summary>
        public static int CopyDirectory(string source, string target)
        {
            Directory.CreateDirectory(target);
            var count = 0;
            foreach (var file in Directory.GetFiles(source))
            {
                File.Copy(file, Path.Combine(target, Path.GetFileName(file)), true);
                count++;
            }
            foreach (var dir in Directory.GetDirectories(source))
                count += CopyDirectory(dir, Path.Combine(target, Path.GetFileName(dir)));
            return count;
        }

        /// <summary>Runs <c>chmod +x</c> on <paramref name="path"/>; false on Windows hosts or when it failed.</summary>
        public static bool MakeExecutable(string path)
        {
            return Run("/bin/chmod", SidecarCommand.JoinArguments(new[] { "a+x", path })) == 0;
        }

        /// <summary>True when <paramref name="path"/> has an executable bit (Unix hosts; false on Windows).</summary>
        public static bool IsExecutable(string path)
        {
            return Run("/bin/sh", SidecarCommand.JoinArguments(new[] { "-c", "test -x \"$1\"", "sh", path })) == 0;
        }

        static string Quote(string path) { return "'" + path + "'"; }

        static int Run(string program, string arguments)
        {
            if (!File.Exists(program)) return -1;
            try
            {
                using (var p = Process.Start(new ProcessStartInfo(program, arguments) { UseShellExecute = false, CreateNoWindow = true }))
                {
                    if (p == null || !p.WaitForExit(10000)) return -1;
                    return p.ExitCode;
                }
            }
            catch (Exception) { return -1; }
        }
    }
}
