using System;
using System.IO;
using System.Runtime.InteropServices;

namespace RiffForge.Core.Tests
{
    /// <summary>A fresh folder under the temp path, deleted on Dispose.</summary>
    internal sealed class TempFolder : IDisposable
    {
        public readonly string Path;

        public TempFolder()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "riffforge-test-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path);
        }

        public string Sub(params string[] parts)
        {
            var p = Path;
            foreach (var part in parts) p = System.IO.Path.Combine(p, part);
            return p;
        }

        public static bool IsWindows { get { return RuntimeInformation.IsOSPlatform(OSPlatform.Windows); } }

        /// <summary>Runs chmod (tests only; the supervisor has its own restore).</summary>
        public static void Chmod(string mode, string path)
        {
            using (var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("chmod", mode + " \"" + path + "\"") { UseShellExecute = false }))
                p.WaitForExit();
        }

        public void Dispose()
        {
            try { Directory.Delete(Path, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
