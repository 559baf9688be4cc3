using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using RiffForge.Core;
using UnityEditor;
using UnityEngine;

namespace RiffForge.EditorTools
{
    /// <summary>
    /// Window > RiffForge > Set Up Python Sidecar...: for a package added from a git URL or from disk (no frozen
    /// sidecar in Sidecar~), installs the sidecar from a Python 3.11/3.12 into this project's
    /// Library/RiffForge/python-sidecar/venv, where RiffForgeSidecar finds it. The Python is found on PATH (and the
    /// usual install folders) or typed once; the window remembers it in Library/RiffForge/python-sidecar.json.
    /// The work runs on a worker thread (<see cref="PythonSidecarSetup"/>); a cancelable progress bar shows it.
    /// Menu item: https://docs.unity3d.com/2021.3/Documentation/ScriptReference/MenuItem.html
    /// </summary>
    public sealed class PythonSidecarSetupWindow : EditorWindow
    {
        const string Title = "RiffForge Python Sidecar";

        string _python = "";
        string _source = "";
        string _requirement;
        string _sourceProblem;
        PackageOrigin _origin;
        PythonSidecarRecord _record;
        Vector2 _scroll;

        PythonSidecarSetup _setup;
        Thread _thread;
        readonly object _gate = new object();
        float _fraction;
        string _progressText = "";
        string _error;
        string _done;
        readonly List<string> _recentLines = new List<string>();

        [MenuItem("Window/RiffForge/Set Up Python Sidecar...")]
        public static void Open()
        {
            var window = GetWindow<PythonSidecarSetupWindow>(Title);
            window.minSize = new Vector2(460f, 320f);
            window.Show();
        }

        static string ProjectRoot() { return Path.GetDirectoryName(Application.dataPath) ?? "."; }

        static string LibraryFolder() { return PythonSidecarSetupLayout.LibraryFolder(ProjectRoot()); }

        void OnEnable()
        {
            titleContent = new GUIContent(Title);
            EditorApplication.update += Tick;
            _record = PythonSidecarRecord.Load(LibraryFolder());
            if (_record != null) { _python = _record.TypedPython ?? ""; _source = _record.TypedSource ?? ""; }
            ResolveSource();
        }

        void OnDisable()
        {
            EditorApplication.update -= Tick;
            if (_setup != null) _setup.Cancel();
            EditorUtility.ClearProgressBar();
        }

        /// <summary>The pip requirement from how Unity installed this package (or from the typed Source).</summary>
        void ResolveSource()
        {
            var info = UnityEditor.PackageManager.PackageInfo.FindForAssembly(typeof(PythonSidecarSetupWindow).Assembly);
            _origin = PackageOrigin.Unknown;
            string packageId = "", hash = "", folder = "";
            if (info != null)
            {
                PackageOrigin parsed;
                if (Enum.TryParse(info.source.ToString(), out parsed)) _origin = parsed;
                packageId = info.packageId ?? "";
                hash = info.git != null ? info.git.hash : "";
                folder = info.resolvedPath ?? "";
            }
            _requirement = PythonSidecarSource.Requirement(_origin, packageId, hash, folder, _source, out _sourceProblem);
        }

        void OnGUI()
        {
            _scroll = EditorGUILayout.BeginScrollView(_scroll);
            EditorGUILayout.LabelField("Python sidecar for this project", EditorStyles.boldLabel);
            EditorGUILayout.LabelField("Installs the sidecar into Library/RiffForge/python-sidecar/venv. Needed only when the package "
                + "has no frozen sidecar for this machine (added from a git URL or from disk).", EditorStyles.wordWrappedMiniLabel);
            EditorGUILayout.Space();
            EditorGUILayout.LabelField("Package", RiffForge.Core.RiffForgePackage.Name + " " + RiffForge.Core.RiffForgePackage.Version + " (" + _origin + ")");
            var running = _thread != null;
            EditorGUI.BeginDisabledGroup(running);
            var python = EditorGUILayout.TextField("Python", _python);
            EditorGUILayout.LabelField("Empty: Python 3.12 or 3.11 found on PATH and in the usual install folders. Or type the path of python3 / python.exe.", EditorStyles.wordWrappedMiniLabel);
            var source = EditorGUILayout.TextField("Source", _source);
            EditorGUILayout.LabelField("Empty: the python_sidecar folder of the package's own revision. Or a python_sidecar folder, or a pip requirement.", EditorStyles.wordWrappedMiniLabel);
            EditorGUI.EndDisabledGroup();
            if (python != _python) _python = python;
            if (source != _source) { _source = source; ResolveSource(); }

            if (_requirement != null) EditorGUILayout.LabelField("pip installs", _requirement, EditorStyles.wordWrappedMiniLabel);
            else EditorGUILayout.HelpBox(_sourceProblem, MessageType.Warning);

            EditorGUILayout.Space();
            EditorGUI.BeginDisabledGroup(running || _requirement == null);
            if (GUILayout.Button(_record != null && _record.Status == PythonSidecarSetupLayout.StatusReady ? "Set Up Again" : "Set Up")) StartSetup();
            EditorGUI.EndDisabledGroup();

            EditorGUILayout.Space();
            if (_record != null && _record.Status == PythonSidecarSetupLayout.StatusReady)
                EditorGUILayout.HelpBox("Ready: " + _record.VenvPython + " (Python " + _record.PythonVersion + ", set up " + _record.SetUpUtc + ")\n" + _record.Requirement, MessageType.Info);
            if (_error != null) EditorGUILayout.HelpBox(_error, MessageType.Error);
            if (_done != null) EditorGUILayout.HelpBox(_done, MessageType.Info);
            lock (_gate)
            {
                if (_recentLines.Count > 0)
                {
                    EditorGUILayout.LabelField("Output", EditorStyles.boldLabel);
                    foreach (var l in _recentLines) EditorGUILayout.LabelField(l, EditorStyles.wordWrappedMiniLabel);
                }
            }
            EditorGUILayout.EndScrollView();
        }

        void StartSetup()
        {
            _error = null;
            _done = null;
            lock (_gate) _recentLines.Clear();
            var os = BinaryArchitecture.CurrentOs();
            var windows = os == "win";
            var options = new PythonSidecarSetupOptions
            {
                LibraryFolder = LibraryFolder(),
                Requirement = _requirement,
                TypedPython = _python ?? "",
                TypedSource = _source ?? "",
                Windows = windows,
                Candidates = PythonFinder.Candidates(windows, Environment.GetEnvironmentVariable("PATH"), PythonFinder.UsualFolders(windows, os == "osx")),
            };
            var setup = new PythonSidecarSetup(options, new SystemProcessRunner());
            setup.Progress += (fraction, text) =>
            {
                lock (_gate)
                {
                    _fraction = fraction;
                    _progressText = text;
                    _recentLines.Add(text);
                    if (_recentLines.Count > 8) _recentLines.RemoveAt(0);
                }
            };
            _setup = setup;
            _thread = new Thread(() =>
            {
                try
                {
                    var record = setup.Run();
                    lock (_gate) _done = "The Python sidecar is set up: " + record.VenvPython + ". Press Play (or Restart Sidecar) to use it.";
                }
                catch (PythonSidecarSetupException e) { lock (_gate) _error = e.Message; }
                catch (Exception e) { lock (_gate) _error = "The Python sidecar set-up failed: " + e; }
            }) { IsBackground = true, Name = "RiffForge Python sidecar set-up" };
            _thread.Start();
        }

        void Tick()
        {
            if (_thread == null) return;
            if (_thread.IsAlive)
            {
                float fraction;
                string text;
                lock (_gate) { fraction = _fraction; text = _progressText; }
                if (EditorUtility.DisplayCancelableProgressBar(Title, text, fraction)) _setup.Cancel();
                return;
            }
            _thread = null;
            _setup = null;
            EditorUtility.ClearProgressBar();
            _record = PythonSidecarRecord.Load(LibraryFolder());
            string error, done;
            lock (_gate) { error = _error; done = _done; }
            if (error != null)
            {
                Debug.LogError("RiffForge: " + error);
                EditorUtility.DisplayDialog(Title, error, "OK");
            }
            else if (done != null) Debug.Log("RiffForge: " + done);
            Repaint();
        }
    }
}
