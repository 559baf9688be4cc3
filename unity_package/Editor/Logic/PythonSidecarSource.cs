using System;
using System.IO;

namespace RiffForge.EditorTools
{
    /// <summary>
    /// How the package was added, as UnityEditor.PackageManager.PackageSource names it
    /// (https://docs.unity3d.com/2021.3/Documentation/ScriptReference/PackageManager.PackageSource.html).
    /// </summary>
    public enum PackageOrigin { Unknown, Registry, BuiltIn, Embedded, Local, LocalTarball, Git }

    /// <summary>
    /// Where the Python sidecar's source comes from for the installed package: the <c>python_sidecar</c>
    /// folder of the same repository revision as the package's <c>unity_package</c> folder.
    /// <list type="bullet">
    /// <item>Git (<c>com.riffforge.unity@https://host/repo.git?path=unity_package#rev</c>, PackageInfo.packageId):
    /// pip installs <c>git+https://host/repo.git@COMMIT#subdirectory=python_sidecar</c>, COMMIT being the commit
    /// Unity resolved (PackageInfo.git.hash, https://docs.unity3d.com/2021.3/Documentation/ScriptReference/PackageManager.GitInfo.html)
    /// so Python and C# come from one revision. Unity's git installs need the git client on PATH
    /// (https://docs.unity3d.com/2021.3/Documentation/Manual/upm-git.html), which pip needs too.</item>
    /// <item>Local or embedded (a folder on disk): <c>&lt;package folder&gt;/../python_sidecar</c> of the same checkout.</item>
    /// <item>A source the user typed (a folder, or anything pip accepts) always wins.</item>
    /// </list>
    /// Release tarballs and registries carry frozen sidecars, so they have no Python source of their own.
    /// </summary>
    public static class PythonSidecarSource
    {
        public const string SourceFolderName = "python_sidecar";

        /// <summary>The pip requirement for the sidecar, or null with <paramref name="problem"/> naming why and the fix.</summary>
        public static string Requirement(PackageOrigin origin, string packageId, string gitHash, string packageFolder, string typedSource, out string problem)
        {
            problem = null;
            if (!string.IsNullOrEmpty(typedSource) && typedSource.Trim().Length > 0) return TypedRequirement(typedSource.Trim(), out problem);
            switch (origin)
            {
                case PackageOrigin.Git:
                    return GitRequirement(packageId, gitHash, out problem);
                case PackageOrigin.Local:
                case PackageOrigin.Embedded:
                    return FolderRequirement(packageFolder, out problem);
                default:
                    problem = "This copy of com.riffforge.unity was installed as " + origin + ", which carries frozen sidecars but no Python source. "
                        + "Fix: install the release for this platform (its Sidecar~ folder has the frozen sidecar), or type in Source the "
                        + SourceFolderName + " folder of the same RiffForge revision (or a pip requirement such as "
                        + "git+https://host/riffforge.git@v" + RiffForge.Core.RiffForgePackage.Version + "#subdirectory=" + SourceFolderName + ").";
                    return null;
            }
        }

        static string TypedRequirement(string typed, out string problem)
        {
            problem = null;
            var looksLikePath = typed.IndexOf("://", StringComparison.Ordinal) < 0 && !typed.StartsWith("git+", StringComparison.Ordinal)
                && (typed.IndexOf('/') >= 0 || typed.IndexOf('\\') >= 0 || typed.StartsWith(".", StringComparison.Ordinal));
            if (!looksLikePath) return typed;
            var folder = Path.GetFullPath(typed);
            if (!File.Exists(Path.Combine(folder, "pyproject.toml")))
            {
                problem = "The Source folder '" + folder + "' has no pyproject.toml. Fix: type the " + SourceFolderName
                    + " folder of a RiffForge checkout (the one next to its unity_package folder), or leave Source empty.";
                return null;
            }
            return folder;
        }

        /// <summary>The python_sidecar folder next to a package on disk, or null with the problem.</summary>
        public static string FolderRequirement(string packageFolder, out string problem)
        {
            problem = null;
            if (string.IsNullOrEmpty(packageFolder))
            {
                problem = "Unity did not say where com.riffforge.unity is on disk. Fix: type the " + SourceFolderName + " folder of the same RiffForge checkout in Source.";
                return null;
            }
            var parent = Path.GetDirectoryName(Path.GetFullPath(packageFolder).TrimEnd('/', '\\')) ?? "";
            var folder = Path.Combine(parent, SourceFolderName);
            if (File.Exists(Path.Combine(folder, "pyproject.toml"))) return folder;
            problem = "There is no Python source next to the package: '" + folder + "' (with a pyproject.toml) is missing. "
                + "Fix: add the package from disk out of a full RiffForge checkout (its unity_package folder, whose " + SourceFolderName
                + " folder sits beside it), or type the " + SourceFolderName + " folder of the same revision in Source.";
            return null;
        }

        /// <summary>
        /// <c>git+URL@REV#subdirectory=DIR</c> from a git packageId: the URL without its <c>?path=</c> and <c>#rev</c>,
        /// REV the resolved commit (else the revision in the URL, else none: the default branch), DIR the
        /// python_sidecar folder beside the package's path.
        /// </summary>
        public static string GitRequirement(string packageId, string gitHash, out string problem)
        {
            problem = null;
            var at = packageId == null ? -1 : packageId.IndexOf('@');
            var url = at < 0 ? "" : packageId.Substring(at + 1).Trim();
            if (url.Length == 0)
            {
                problem = "The package id '" + packageId + "' names no git URL. Fix: type the " + SourceFolderName + " folder (or a pip requirement) in Source.";
                return null;
            }
            string revision = null;
            var hashMark = url.IndexOf('#');
            if (hashMark >= 0) { revision = url.Substring(hashMark + 1); url = url.Substring(0, hashMark); }
            string path = null;
            var query = url.IndexOf('?');
            if (query >= 0)
            {
                foreach (var pair in url.Substring(query + 1).Split('&'))
                    if (pair.StartsWith("path=", StringComparison.Ordinal)) path = Uri.UnescapeDataString(pair.Substring(5));
                url = url.Substring(0, query);
            }
            var packagePath = (path ?? "").Trim('/');
            if (packagePath.Length == 0)
            {
                problem = "The git URL '" + url + "' has no ?path=: the package is the repository root, so the Python sidecar's folder is unknown. "
                    + "Fix: add the package as " + url + "?path=unity_package (RiffForge's layout), or type the " + SourceFolderName + " folder in Source.";
                return null;
            }
            var slash = packagePath.LastIndexOf('/');
            var subdirectory = slash < 0 ? SourceFolderName : packagePath.Substring(0, slash) + "/" + SourceFolderName;
            var rev = !string.IsNullOrEmpty(gitHash) ? gitHash : (string.IsNullOrEmpty(revision) ? null : revision);
            return "git+" + PipGitUrl(url) + (rev == null ? "" : "@" + rev) + "#subdirectory=" + subdirectory;
        }

        /// <summary>
        /// A git URL as pip's VCS support takes it: Unity's <c>git+</c> prefix is kept, the SCP-like form
        /// <c>git@host:owner/repo.git</c> becomes <c>ssh://git@host/owner/repo.git</c>.
        /// </summary>
        static string PipGitUrl(string url)
        {
            if (url.StartsWith("git+", StringComparison.Ordinal)) url = url.Substring(4);
            if (url.IndexOf("://", StringComparison.Ordinal) < 0)
            {
                var colon = url.IndexOf(':');
                var at = url.IndexOf('@');
                if (colon > 0 && at >= 0 && at < colon) url = "ssh://" + url.Substring(0, colon) + "/" + url.Substring(colon + 1);
            }
            return url;
        }
    }
}
