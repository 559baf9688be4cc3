using System;
using System.Collections.Generic;
using System.IO;
using System.Text.RegularExpressions;

namespace RiffForge.Repo.Tests
{
    /// <summary>
    /// Checks a package's Assembly Definition (.asmdef) files the way Unity reads them, so a mistake shows here
    /// instead of stopping every script in a user's project from compiling. The format is Unity's
    /// "Assembly Definition file format reference":
    /// https://docs.unity3d.com/2020.2/Manual/AssemblyDefinitionFileFormat.html and
    /// https://docs.unity.com/en-us/engine/6000.0/manual/scripting/compilation-and-code-reload/script-compilation/assembly-definition-files/file-format
    /// Each problem is one line: the file, the field, what is wrong and the fix.
    /// </summary>
    public static class AsmdefValidator
    {
        /// <summary>
        /// The platform names Unity's documentation gives for includePlatforms / excludePlatforms: the names in
        /// the file format page's examples (iOS, macOSStandalone, tvOS, Android, LinuxStandalone64, WebGL; pages
        /// above) and "Editor", the Editor platform of the Inspector's Platforms list
        /// (https://docs.unity3d.com/Manual/class-AssemblyDefinitionImporter.html).
        /// Unity takes the names from CompilationPipeline.GetAssemblyDefinitionPlatforms (AssemblyDefinitionPlatform.Name,
        /// https://docs.unity3d.com/2018.1/Documentation/ScriptReference/Compilation.AssemblyDefinitionPlatform.html),
        /// and an unknown name (e.g. "OSXStandalone") is an error that stops compilation. A name missing here
        /// is added only with the Unity page that documents it.
        /// </summary>
        public static readonly string[] Platforms =
        {
            "Editor", "Android", "iOS", "LinuxStandalone64", "macOSStandalone", "tvOS", "WebGL",
        };

        /// <summary>Unity's own assemblies a package asmdef may reference by name (Unity Test Framework).</summary>
        public static readonly string[] UnityAssemblies = { "UnityEngine.TestRunner", "UnityEditor.TestRunner" };

        /// <summary>Unity assemblies that exist only in the Editor: referencing one makes an assembly Editor-only.</summary>
        public static readonly string[] EditorOnlyUnityAssemblies = { "UnityEditor.TestRunner" };

        // The fields of the file format reference (optionalUnityReferences: the pre-2019.3 test flag).
        static readonly string[] Fields =
        {
            "name", "rootNamespace", "references", "includePlatforms", "excludePlatforms", "allowUnsafeCode",
            "overrideReferences", "precompiledReferences", "autoReferenced", "defineConstraints", "versionDefines",
            "noEngineReferences", "optionalUnityReferences",
        };
        static readonly string[] BoolFields = { "allowUnsafeCode", "overrideReferences", "autoReferenced", "noEngineReferences" };
        static readonly string[] ListFields = { "references", "includePlatforms", "excludePlatforms", "precompiledReferences", "defineConstraints", "optionalUnityReferences" };

        static readonly Regex Symbol = new Regex(@"^[A-Za-z_][A-Za-z0-9_]*$");
        static readonly Regex Constraint = new Regex(@"^!?[A-Za-z_][A-Za-z0-9_]*$");
        static readonly Regex AssemblyName = new Regex(@"^[A-Za-z_][A-Za-z0-9_.\-]*$");
        static readonly Regex Guid = new Regex(@"^GUID:([0-9a-f]{32})$");
        // A version: 1, 1.2, 1.2.3, optionally with a pre-release tag (1.2.3-preview.4).
        const string Version = @"[0-9]+(\.[0-9]+){0,2}(-[0-9A-Za-z.]+)?";
        // versionDefines expression: "1.2.3" (at least), "[1.2.3]" (exactly), or a range with [ ] (inclusive)
        // and ( ) (exclusive) bounds, either bound may be left out: "[1.0,2.0)", "(,3.1]".
        static readonly Regex Expression = new Regex(@"^(" + Version + @"|\[" + Version + @"\]|[\[\(]\s*(" + Version + @")?\s*,\s*(" + Version + @")?\s*[\]\)])$");

        /// <summary>
        /// Every problem in a package's asmdefs. <paramref name="files"/>: the path of each .asmdef inside the
        /// package ("/"-separated) -> its JSON text; <paramref name="guids"/>: the GUID of each (from its .meta),
        /// for "GUID:..." references; may be null.
        /// </summary>
        public static List<string> Check(IDictionary<string, string> files, IDictionary<string, string> guids = null)
        {
            var problems = new List<string>();
            var parsed = new Dictionary<string, JsonObject>();
            foreach (var kv in files)
            {
                try
                {
                    var json = MiniJson.Parse(kv.Value) as JsonObject;
                    if (json == null) problems.Add(kv.Key + ": the file is not a JSON object. Fix: write { \"name\": \"...\", ... }");
                    else parsed[kv.Key] = json;
                }
                catch (FormatException e)
                {
                    problems.Add(kv.Key + ": not valid JSON (" + e.Message + "). Fix: correct the JSON syntax");
                }
            }

            // Names, for references by name or GUID.
            var byName = new Dictionary<string, string>();
            foreach (var kv in parsed)
            {
                var name = kv.Value.ContainsKey("name") ? kv.Value["name"] as string : null;
                if (string.IsNullOrEmpty(name)) continue;
                if (byName.ContainsKey(name)) problems.Add(kv.Key + ": name: \"" + name + "\" is also the name of " + byName[name] + ". Fix: give every assembly its own name");
                else byName[name] = kv.Key;
            }
            var byGuid = new Dictionary<string, string>();
            if (guids != null)
                foreach (var kv in guids)
                    if (parsed.ContainsKey(kv.Key) && parsed[kv.Key].ContainsKey("name")) byGuid[kv.Value] = parsed[kv.Key]["name"] as string;

            foreach (var kv in parsed) CheckOne(kv.Key, kv.Value, byName, byGuid, problems);
            CheckEditorOnly(parsed, byName, byGuid, problems);
            return problems;
        }

        /// <summary>Every .asmdef under <paramref name="packageRoot"/>, read from disk, checked together.</summary>
        public static List<string> CheckFolder(string packageRoot)
        {
            var files = new Dictionary<string, string>();
            var guids = new Dictionary<string, string>();
            foreach (var path in Directory.GetFiles(packageRoot, "*.asmdef", SearchOption.AllDirectories))
            {
                var rel = path.Substring(packageRoot.Length).TrimStart('/', '\\').Replace('\\', '/');
                files[rel] = File.ReadAllText(path);
                if (File.Exists(path + ".meta"))
                {
                    var m = Regex.Match(File.ReadAllText(path + ".meta"), @"^guid: ([0-9a-f]{32})\s*$", RegexOptions.Multiline);
                    if (m.Success) guids[rel] = m.Groups[1].Value;
                }
            }
            if (files.Count == 0) return new List<string> { packageRoot + ": no .asmdef found. Fix: point the check at the package root" };
            return Check(files, guids);
        }

        static void CheckOne(string file, JsonObject json, Dictionary<string, string> byName, Dictionary<string, string> byGuid, List<string> problems)
        {
            Action<string, string, string> bad = (field, what, fix) => problems.Add(file + ": " + field + ": " + what + ". Fix: " + fix);

            foreach (var key in json.Keys)
                if (Array.IndexOf(Fields, key) < 0) bad(key, "not a field of the asmdef format", "remove it or correct its spelling (fields: " + string.Join(", ", Fields) + ")");

            var name = json.ContainsKey("name") ? json["name"] as string : null;
            if (string.IsNullOrEmpty(name)) bad("name", "missing or empty (the one required field)", "set \"name\" to the assembly's name");
            else if (!AssemblyName.IsMatch(name)) bad("name", "\"" + name + "\" is not a valid assembly name", "use letters, digits, '.', '_' and '-'");

            foreach (var f in BoolFields)
                if (json.ContainsKey(f) && !(json[f] is bool)) bad(f, "must be true or false", "write " + f + " as a JSON boolean");
            if (json.ContainsKey("rootNamespace") && !(json["rootNamespace"] is string)) bad("rootNamespace", "must be a string", "write a namespace such as \"RiffForge\"");
            var lists = new Dictionary<string, List<string>>();
            foreach (var f in ListFields)
            {
                lists[f] = new List<string>();
                if (!json.ContainsKey(f)) continue;
                var list = json[f] as List<object>;
                if (list == null) { bad(f, "must be an array of strings", "write [] or [\"...\"]"); continue; }
                foreach (var item in list)
                {
                    var s = item as string;
                    if (s == null) bad(f, "has a non-string entry", "list only strings");
                    else if (lists[f].Contains(s)) bad(f, "lists \"" + s + "\" twice", "list it once");
                    else lists[f].Add(s);
                }
            }

            // Platforms.
            foreach (var f in new[] { "includePlatforms", "excludePlatforms" })
                foreach (var p in lists[f])
                    if (Array.IndexOf(Platforms, p) < 0)
                    {
                        var near = Array.Find(Platforms, x => string.Equals(x, p, StringComparison.OrdinalIgnoreCase));
                        bad(f, "\"" + p + "\" is not a Unity asmdef platform name (Unity stops compiling on it)",
                            near != null ? "write \"" + near + "\"" : p.IndexOf("OSX", StringComparison.OrdinalIgnoreCase) >= 0 ? "macOS is \"macOSStandalone\""
                            : "use one of " + string.Join(", ", Platforms) + ", or leave the list empty for every platform");
                    }
            if (lists["includePlatforms"].Count > 0 && lists["excludePlatforms"].Count > 0)
                bad("includePlatforms", "and excludePlatforms are both non-empty (Unity allows only one)", "empty one of them");

            // References.
            foreach (var r in lists["references"])
            {
                var g = Guid.Match(r);
                var target = g.Success ? (byGuid.ContainsKey(g.Groups[1].Value) ? byGuid[g.Groups[1].Value] : null) : r;
                if (target == name) bad("references", "the assembly references itself", "remove \"" + r + "\"");
                else if (g.Success && target == null) bad("references", "\"" + r + "\" is the GUID of no asmdef in the package", "reference the assembly by name");
                else if (!g.Success && !byName.ContainsKey(r) && Array.IndexOf(UnityAssemblies, r) < 0)
                    bad("references", "\"" + r + "\" is neither an asmdef of this package nor a known Unity assembly (" + string.Join(", ", UnityAssemblies) + ")", "correct the name or remove it");
            }
            if (lists["precompiledReferences"].Count > 0 && !(json.ContainsKey("overrideReferences") && json["overrideReferences"] is bool && (bool)json["overrideReferences"]))
                bad("precompiledReferences", "is used only when overrideReferences is true", "set \"overrideReferences\": true or empty the list");
            foreach (var p in lists["precompiledReferences"])
                if (!p.EndsWith(".dll", StringComparison.Ordinal)) bad("precompiledReferences", "\"" + p + "\" is not a .dll file name", "write the plug-in's file name, e.g. nunit.framework.dll");

            // Define constraints: scripting symbols, each optionally negated with a leading '!'.
            foreach (var c in lists["defineConstraints"])
                if (!Constraint.IsMatch(c)) bad("defineConstraints", "\"" + c + "\" is not a scripting symbol (optionally with a leading '!')", "write e.g. UNITY_INCLUDE_TESTS or !UNITY_WEBGL");

            // Version defines: objects with name (a package, or "Unity"), expression and define.
            if (json.ContainsKey("versionDefines"))
            {
                var defines = json["versionDefines"] as List<object>;
                if (defines == null) bad("versionDefines", "must be an array of objects", "write [] or [{\"name\": ..., \"expression\": ..., \"define\": ...}]");
                else for (var i = 0; i < defines.Count; i++)
                {
                    var field = "versionDefines[" + i + "]";
                    var d = defines[i] as JsonObject;
                    if (d == null) { bad(field, "is not an object", "write {\"name\": ..., \"expression\": ..., \"define\": ...}"); continue; }
                    foreach (var key in d.Keys)
                        if (key != "name" && key != "expression" && key != "define") bad(field + "." + key, "not a versionDefines field", "use only name, expression and define");
                    var resource = d.ContainsKey("name") ? d["name"] as string : null;
                    var expression = d.ContainsKey("expression") ? d["expression"] as string : null;
                    var define = d.ContainsKey("define") ? d["define"] as string : null;
                    if (string.IsNullOrEmpty(resource)) bad(field + ".name", "missing or empty", "name a package (e.g. com.unity.inputsystem) or \"Unity\"");
                    if (expression == null || !Expression.IsMatch(expression)) bad(field + ".expression", "\"" + expression + "\" is not a version or version range", "write e.g. 1.2.0, [1.2.0], [1.0,2.0) or (,3.1]");
                    if (define == null || !Symbol.IsMatch(define)) bad(field + ".define", "\"" + define + "\" is not a scripting symbol", "write e.g. RIFFFORGE_HAS_INPUT_SYSTEM");
                }
            }
        }

        /// <summary>
        /// Editor assemblies (an asmdef in an Editor folder, or one referencing Editor-only assemblies, ours or
        /// Unity's) must include exactly the Editor platform, else a player build compiles them and fails.
        /// </summary>
        static void CheckEditorOnly(Dictionary<string, JsonObject> parsed, Dictionary<string, string> byName, Dictionary<string, string> byGuid, List<string> problems)
        {
            var editorOnly = new Dictionary<string, string>(); // file -> why
            foreach (var kv in parsed)
                if (("/" + kv.Key).Contains("/Editor/")) editorOnly[kv.Key] = "it is in an Editor folder";
            for (var changed = true; changed;)
            {
                changed = false;
                foreach (var kv in parsed)
                {
                    if (editorOnly.ContainsKey(kv.Key)) continue;
                    foreach (var r in References(kv.Value))
                    {
                        var g = Guid.Match(r);
                        var target = g.Success ? (byGuid.ContainsKey(g.Groups[1].Value) ? byGuid[g.Groups[1].Value] : null) : r;
                        if (target == null) continue;
                        string why = null;
                        if (Array.IndexOf(EditorOnlyUnityAssemblies, target) >= 0) why = "it references " + target + ", which exists only in the Editor";
                        else if (byName.ContainsKey(target) && editorOnly.ContainsKey(byName[target])) why = "it references the Editor-only " + target;
                        if (why == null) continue;
                        editorOnly[kv.Key] = why;
                        changed = true;
                        break;
                    }
                }
            }
            foreach (var kv in editorOnly)
            {
                var include = parsed[kv.Key].ContainsKey("includePlatforms") ? parsed[kv.Key]["includePlatforms"] as List<object> : null;
                if (include == null || include.Count != 1 || !"Editor".Equals(include[0]))
                    problems.Add(kv.Key + ": includePlatforms: an Editor-only assembly (" + kv.Value + ") must include only the Editor platform. Fix: \"includePlatforms\": [\"Editor\"]");
            }
        }

        static IEnumerable<string> References(JsonObject json)
        {
            var list = json.ContainsKey("references") ? json["references"] as List<object> : null;
            if (list == null) yield break;
            foreach (var o in list) if (o is string) yield return (string)o;
        }
    }
}
