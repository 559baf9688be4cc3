using System;
using System.Collections.Generic;
using RiffForge.Core;
using RiffForge.Engine;

namespace RiffForge
{
    /// <summary>
    /// The shipped in-engine models and style table, loaded once (RiffForge.Engine's EngineModel.Load and
    /// StyleTable.Parse) and shared by every generator. Free of Unity: the component layer reads the bytes
    /// from Resources, tests read the same files from disk.
    /// </summary>
    public sealed class EngineAssets
    {
        /// <summary>The folder under Resources/ that holds the assets (unity_package/Runtime/Resources/RiffForgeEngine).</summary>
        public const string ResourcesFolder = "RiffForgeEngine";

        /// <summary>The model assets (TextAssets with the .bytes extension, so Unity keeps their bytes as they are).</summary>
        public static readonly string[] ModelNames = { "metal-guitar", "metal-bass", "metal-drums" };

        /// <summary>The style table asset (styles.json, a TextAsset).</summary>
        public const string StylesName = "styles";

        readonly List<EngineModel> _models;
        readonly StyleTable _styles;

        EngineAssets(List<EngineModel> models, StyleTable styles)
        {
            _models = models;
            _styles = styles;
        }

        public IList<EngineModel> Models { get { return _models.AsReadOnly(); } }
        public StyleTable Styles { get { return _styles; } }

        /// <summary>
        /// Loads the models and the style table. <paramref name="readBytes"/>(name) gives a model asset's
        /// bytes and <paramref name="readText"/>(name) the style table's text, null when the asset is missing.
        /// A missing or malformed asset throws <see cref="EngineFormatException"/> (from the engine, naming the
        /// file and field) or InvalidOperationException naming the asset, its folder and the fix.
        /// </summary>
        public static EngineAssets Load(Func<string, byte[]> readBytes, Func<string, string> readText)
        {
            if (readBytes == null) throw new ArgumentNullException("readBytes");
            if (readText == null) throw new ArgumentNullException("readText");
            var models = new List<EngineModel>(ModelNames.Length);
            foreach (var name in ModelNames)
            {
                var bytes = readBytes(name);
                if (bytes == null || bytes.Length == 0) throw Missing(name + ".bytes");
                models.Add(EngineModel.Load(bytes, ResourcesFolder + "/" + name + ".bytes"));
            }
            var json = readText(StylesName);
            if (string.IsNullOrEmpty(json)) throw Missing(StylesName + ".json");
            return new EngineAssets(models, StyleTable.Parse(json, ResourcesFolder + "/" + StylesName + ".json"));
        }

        /// <summary>The error for a missing or empty asset: names it, its folder and the fix.</summary>
        public static InvalidOperationException Missing(string file)
        {
            return new InvalidOperationException("the in-engine asset Resources/" + ResourcesFolder + "/" + file
                + " is missing or empty. Fix: reinstall the RiffForge package (it ships Runtime/Resources/" + ResourcesFolder
                + "/), or set the generator's Engine to Sidecar.");
        }

        /// <summary>A new generator over the shared models (one per thread that generates: it owns its decoders).</summary>
        public EngineRiffs CreateGenerator(EngineSettings settings = null)
        {
            return new EngineRiffs(new EngineGenerator(_models, _styles, settings));
        }
    }

    /// <summary><see cref="IRiffEngine"/> over RiffForge.Engine's EngineGenerator.</summary>
    public sealed class EngineRiffs : IRiffEngine
    {
        readonly EngineGenerator _generator;

        public EngineRiffs(EngineGenerator generator)
        {
            if (generator == null) throw new ArgumentNullException("generator");
            _generator = generator;
        }

        public Riff Generate(RiffRequest request)
        {
            return _generator.Generate(request);
        }

        public IRiffJob Start(RiffRequest request)
        {
            return new Job(_generator.Start(request));
        }

        sealed class Job : IRiffJob
        {
            readonly GenerationJob _job;

            public Job(GenerationJob job)
            {
                if (job == null) throw new ArgumentNullException("job");
                _job = job;
            }

            public void Step(int maxDecoderSteps) { _job.Step(maxDecoderSteps); }
            // the units of the step budget: decoder steps and the slices of work between them (GenerationJob.Step)
            public int DecoderSteps { get { return _job.WorkUnits; } }
            public bool IsDone { get { return _job.IsDone; } }
            public Riff Result { get { return _job.Result; } }
            public Exception Error { get { return _job.Error; } }
        }
    }
}
