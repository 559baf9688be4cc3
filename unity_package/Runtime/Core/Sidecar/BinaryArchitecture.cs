using System;
using System.IO;
using System.Runtime.InteropServices;

namespace RiffForge.Core
{
    /// <summary>
    /// Reads an executable's header to tell its format (ELF, Mach-O, PE) and CPU architecture, so a binary
    /// for the wrong machine is reported clearly instead of failing with a cryptic exec error.
    /// </summary>
    public static class BinaryArchitecture
    {
        /// <summary>
        /// Returns e.g. "linux-x64", "osx-arm64", "osx-universal", "win-x64", "script" (starts with #!), or
        /// "unknown". Reads at most the first 4 KiB.
        /// </summary>
        public static string Detect(string path)
        {
            var head = new byte[4096];
            int n;
            using (var f = File.OpenRead(path)) n = ReadFully(f, head);
            if (n >= 2 && head[0] == '#' && head[1] == '!') return "script";
            if (n >= 20 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F')
            {
                var littleEndian = head[5] == 1;
                var machine = littleEndian ? head[18] | (head[19] << 8) : (head[18] << 8) | head[19];
                return "linux-" + CpuName(machine == 0x3e ? "x64" : machine == 0xb7 ? "arm64" : machine == 0x03 ? "x86" : machine == 0x28 ? "arm" : null, machine);
            }
            if (n >= 8 && head[0] == 0xcf && head[1] == 0xfa && head[2] == 0xed && head[3] == 0xfe)
            {
                var cpu = head[4] | (head[5] << 8) | (head[6] << 16) | (head[7] << 24);
                return "osx-" + CpuName(cpu == 0x01000007 ? "x64" : cpu == 0x0100000c ? "arm64" : null, cpu);
            }
            if (n >= 4 && head[0] == 0xca && head[1] == 0xfe && head[2] == 0xba && head[3] == 0xbe) return "osx-universal";
            if (n >= 0x40 && head[0] == 'M' && head[1] == 'Z')
            {
                var pe = head[0x3c] | (head[0x3d] << 8) | (head[0x3e] << 16) | (head[0x3f] << 24);
                if (pe > 0 && pe + 6 <= n && head[pe] == 'P' && head[pe + 1] == 'E' && head[pe + 2] == 0 && head[pe + 3] == 0)
                {
                    var machine = head[pe + 4] | (head[pe + 5] << 8);
                    return "win-" + CpuName(machine == 0x8664 ? "x64" : machine == 0xaa64 ? "arm64" : machine == 0x14c ? "x86" : null, machine);
                }
                return "win-unknown";
            }
            return "unknown";
        }

        /// <summary>The folder name of this machine: "linux-x64", "osx-arm64", "win-x64", ...</summary>
        public static string CurrentPlatform()
        {
            return CurrentOs() + "-" + CurrentCpu(RuntimeInformation.OSArchitecture);
        }

        public static string CurrentOs()
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return "win";
            if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX)) return "osx";
            return "linux";
        }

        public static string CurrentCpu(Architecture a)
        {
            switch (a)
            {
                case Architecture.X64: return "x64";
                case Architecture.Arm64: return "arm64";
                case Architecture.X86: return "x86";
                default: return "arm";
            }
        }

        /// <summary>
        /// True when a binary of <paramref name="detected"/> can run on <paramref name="platform"/>: same OS
        /// and CPU, a universal macOS binary, a script, or x64 on Apple silicon (Rosetta 2).
        /// </summary>
        public static bool CanRun(string detected, string platform)
        {
            if (detected == "script" || detected == platform) return true;
            if (detected == "osx-universal") return platform.StartsWith("osx-", StringComparison.Ordinal);
            if (platform == "osx-arm64" && detected == "osx-x64") return true;
            if (platform == "win-arm64" && detected == "win-x64") return true;
            return false;
        }

        static string CpuName(string name, int raw) { return name ?? "unknown(0x" + raw.ToString("x") + ")"; }

        static int ReadFully(Stream s, byte[] buffer)
        {
            var total = 0;
            int n;
            while (total < buffer.Length && (n = s.Read(buffer, total, buffer.Length - total)) > 0) total += n;
            return total;
        }
    }
}
