using System;
using System.IO;

namespace RiffForge.Repo.Tests
{
    /// <summary>Where the repository is (tests/csharp/run.sh exports RIFFFORGE_REPO) and the Python to launch.</summary>
    public static class RepoPaths
    {
        public static string Root
        {
            get
            {
                var env = Environment.GetEnvironmentVariable("RIFFFORGE_REPO");
                if (!string.IsNullOrEmpty(env)) return env;
                var dir = new DirectoryInfo(AppDomain.CurrentDomain.BaseDirectory);
                while (dir != null && !File.Exists(Path.Combine(dir.FullName, "protocol", "protocol.json"))) dir = dir.Parent;
                if (dir == null) throw new InvalidOperationException("cannot find the repository: set RIFFFORGE_REPO (tests/csharp/run.sh does)");
                return dir.FullName;
            }
        }

        public static string Vectors { get { return Path.Combine(Root, "protocol", "vectors"); } }

        public static string Python
        {
            get
            {
                var env = Environment.GetEnvironmentVariable("RIFFFORGE_PYTHON");
                return !string.IsNullOrEmpty(env) ? env : Path.Combine(Root, ".venv", "bin", "python");
            }
        }

        /// <summary>
        /// The sidecar the interop tests launch: the source sidecar (<c>$RIFFFORGE_PYTHON -m riffforge sidecar</c>),
        /// or with <c>RIFFFORGE_SIDECAR=frozen</c> the frozen build in unity_package/Sidecar~/ for this platform.
        /// </summary>
        public static RiffForge.Core.SidecarCommand SidecarCommand()
        {
            if (Environment.GetEnvironmentVariable("RIFFFORGE_SIDECAR") == "frozen")
                return RiffForge.Core.SidecarLocator.Frozen(Path.Combine(Root, "unity_package", "Sidecar~"));
            return RiffForge.Core.SidecarCommand.Source(Python);
        }

        public static object Json(string path) { return MiniJson.Parse(File.ReadAllText(path)); }
    }
}
