using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace RiffForge.Core
{
    /// <summary>
    /// Where the Editor action "Window > RiffForge > Set Up Python Sidecar..." puts the sidecar it installs
    /// from a Python 3.11/3.12 (for a package added from a git URL or from disk, which carries no frozen build):
    /// <code>
    /// &lt;project&gt;/Library/RiffForge/python-sidecar.json      what was set up (the record; "status": "ready" once verified)
    /// &lt;project&gt;/Library/RiffForge/python-sidecar/venv/     the virtual environment with riffforge installed
    /// </code>
    /// Library/ is per project and never committed, so every clone sets its sidecar up once. Both the
    /// action (which writes) and <see cref="SidecarLocator.SetUp"/> (which reads) use this class.
    /// </summary>
    public static class PythonSidecarSetupLayout
    {
        /// <summary>The menu path of the Editor action, as a user reads it in messages.</summary>
        public const string ActionName = "Window > RiffForge > Set Up Python Sidecar...";
        public const string RecordFileName = "python-sidecar.json";
        public const string StatusReady = "ready";
        public const string StatusPending = "pending";

        /// <summary>Python versions the sidecar supports (python_sidecar/pyproject.toml requires-python = "&gt;=3.11,&lt;3.13").</summary>
        public static readonly Version MinimumPython = new Version(3, 11);
        public static readonly Version PythonBelow = new Version(3, 13);

        /// <summary>&lt;project&gt;/Library/RiffForge (also the folder of the Editor's sidecar.pid).</summary>
        public static string LibraryFolder(string projectRoot)
        {
            if (string.IsNullOrEmpty(projectRoot)) throw new ArgumentException("the project folder is empty", "projectRoot");
            return Path.Combine(Path.Combine(projectRoot, "Library"), "RiffForge");
        }

        public static string RecordFile(string libraryFolder) { return Path.Combine(libraryFolder, RecordFileName); }

        public static string VenvFolder(string libraryFolder) { return Path.Combine(Path.Combine(libraryFolder, "python-sidecar"), "venv"); }

        /// <summary>The venv's interpreter: Scripts\python.exe on Windows, bin/python elsewhere.</summary>
        public static string VenvPython(string venvFolder, bool windows)
        {
            return windows ? Path.Combine(Path.Combine(venvFolder, "Scripts"), "python.exe") : Path.Combine(Path.Combine(venvFolder, "bin"), "python");
        }

        /// <summary>
        /// How the venv's sidecar is started: <c>VENV_PYTHON -I -m riffforge sidecar</c>. -I (isolated mode) keeps
        /// the Editor's working folder and any PYTHONPATH/PYTHONHOME out of the sidecar's import path, so only
        /// what the action installed runs.
        /// </summary>
        public static SidecarCommand Command(string venvPython)
        {
            return new SidecarCommand(venvPython, new[] { "-I", "-m", "riffforge", "sidecar" }, false);
        }
    }

    /// <summary>
    /// The record of a Python sidecar set-up (<see cref="PythonSidecarSetupLayout.RecordFileName"/>): a flat
    /// JSON object of strings. Python is what the user typed (empty: found on PATH), so the action remembers it.
    /// </summary>
    public sealed class PythonSidecarRecord
    {
        public string Status = "";
        /// <summary>The Python the user typed in the action's window; empty when it was found on PATH.</summary>
        public string TypedPython = "";
        /// <summary>The base interpreter the venv was made from (sys.executable) and its version.</summary>
        public string BasePython = "";
        public string PythonVersion = "";
        /// <summary>What pip installed: a folder (python_sidecar of a checkout) or git+URL@commit#subdirectory=python_sidecar.</summary>
        public string Requirement = "";
        /// <summary>A source the user typed instead of the one derived from the package (empty: derived).</summary>
        public string TypedSource = "";
        public string VenvPython = "";
        public string PackageVersion = "";
        public string SetUpUtc = "";

        static readonly string[] Keys = { "status", "typedPython", "basePython", "pythonVersion", "requirement", "typedSource", "venvPython", "packageVersion", "setUpUtc" };

        string[] Values() { return new[] { Status, TypedPython, BasePython, PythonVersion, Requirement, TypedSource, VenvPython, PackageVersion, SetUpUtc }; }

        public string ToJson()
        {
            var sb = new StringBuilder("{\n");
            var values = Values();
            for (int i = 0; i < Keys.Length; i++)
            {
                sb.Append("  \"").Append(Keys[i]).Append("\": ");
                AppendString(sb, values[i] ?? "");
                sb.Append(i + 1 < Keys.Length ? ",\n" : "\n");
            }
            return sb.Append("}\n").ToString();
        }

        /// <summary>Reads a record; throws FormatException naming the problem for anything but a flat object of strings.</summary>
        public static PythonSidecarRecord FromJson(string json)
        {
            var map = ParseFlatObject(json ?? "");
            var r = new PythonSidecarRecord();
            string v;
            if (map.TryGetValue("status", out v)) r.Status = v;
            if (map.TryGetValue("typedPython", out v)) r.TypedPython = v;
            if (map.TryGetValue("basePython", out v)) r.BasePython = v;
            if (map.TryGetValue("pythonVersion", out v)) r.PythonVersion = v;
            if (map.TryGetValue("requirement", out v)) r.Requirement = v;
            if (map.TryGetValue("typedSource", out v)) r.TypedSource = v;
            if (map.TryGetValue("venvPython", out v)) r.VenvPython = v;
            if (map.TryGetValue("packageVersion", out v)) r.PackageVersion = v;
            if (map.TryGetValue("setUpUtc", out v)) r.SetUpUtc = v;
            return r;
        }

        /// <summary>The record in <paramref name="libraryFolder"/>, or null when there is none (or it is unreadable).</summary>
        public static PythonSidecarRecord Load(string libraryFolder)
        {
            var file = PythonSidecarSetupLayout.RecordFile(libraryFolder);
            if (!File.Exists(file)) return null;
            try { return FromJson(File.ReadAllText(file)); }
            catch (IOException) { return null; }
            catch (UnauthorizedAccessException) { return null; }
            catch (FormatException) { return null; }
        }

        /// <summary>Writes the record (temporary file, then replaced) so a reader never sees half of it.</summary>
        public void Save(string libraryFolder)
        {
            Directory.CreateDirectory(libraryFolder);
            var file = PythonSidecarSetupLayout.RecordFile(libraryFolder);
            var tmp = file + ".tmp";
            File.WriteAllText(tmp, ToJson(), new UTF8Encoding(false));
            if (File.Exists(file)) File.Delete(file);
            File.Move(tmp, file);
        }

        static void AppendString(StringBuilder sb, string s)
        {
            sb.Append('"');
            foreach (var c in s)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    default:
                        if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4"));
                        else sb.Append(c);
                        break;
                }
            }
            sb.Append('"');
        }

        static Dictionary<string, string> ParseFlatObject(string s)
        {
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            int i = 0;
            SkipSpace(s, ref i);
            Expect(s, ref i, '{');
            SkipSpace(s, ref i);
            if (i < s.Length && s[i] == '}') return map;
            while (true)
            {
                SkipSpace(s, ref i);
                var key = ReadString(s, ref i);
                SkipSpace(s, ref i);
                Expect(s, ref i, ':');
                SkipSpace(s, ref i);
                map[key] = ReadString(s, ref i);
                SkipSpace(s, ref i);
                if (i < s.Length && s[i] == ',') { i++; continue; }
                Expect(s, ref i, '}');
                return map;
            }
        }

        static void SkipSpace(string s, ref int i) { while (i < s.Length && char.IsWhiteSpace(s[i])) i++; }

        static void Expect(string s, ref int i, char c)
        {
            if (i >= s.Length || s[i] != c) throw new FormatException("expected '" + c + "' at character " + i + " (a flat JSON object of strings)");
            i++;
        }

        static string ReadString(string s, ref int i)
        {
            Expect(s, ref i, '"');
            var sb = new StringBuilder();
            while (i < s.Length)
            {
                var c = s[i++];
                if (c == '"') return sb.ToString();
                if (c != '\\') { sb.Append(c); continue; }
                if (i >= s.Length) break;
                var e = s[i++];
                switch (e)
                {
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'u':
                        if (i + 4 > s.Length) throw new FormatException("a \\u escape is cut short at character " + i);
                        sb.Append((char)Convert.ToInt32(s.Substring(i, 4), 16));
                        i += 4;
                        break;
                    default: sb.Append(e); break;
                }
            }
            throw new FormatException("a string is not closed (a flat JSON object of strings)");
        }
    }
}
