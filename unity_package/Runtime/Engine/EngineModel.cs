using System;
using System.Collections.Generic;
using System.Text;

namespace RiffForge.Engine
{
    /// <summary>
    /// A flat categorical MusicVAE decoder read from an engine model file (<c>.rfem</c>; in the package the
    /// <c>Resources/RiffForgeEngine/metal-*.bytes</c> TextAssets), with its latent controls.
    /// <para>
    /// File layout (little-endian; written by <c>riffforge.runtime.engine_file</c>): bytes 0-3 the magic
    /// <c>RFEM</c>, a uint32 format version (1), a uint32 header length, the UTF-8 JSON header (model_id, role,
    /// config, controls, arrays: name, dtype float16|float32, shape, offset, nbytes), zero padding to a multiple
    /// of 16 bytes, then the arrays at their offsets from that data start. Weights are the canonical decoder
    /// arrays (Keras LSTM layout: kernel [in, 4H], recurrent_kernel [H, 4H], bias [4H], gates i, f, c, o,
    /// forget bias included); controls are <c>control/NAME</c> float32 arrays.
    /// </para>
    /// <para>
    /// Load converts float16 to float32 once and lays every matrix out for the decoder's inner loops (see
    /// <see cref="LstmDecoder"/>): matrices multiplied by a dense vector (the latent code, each layer's h) are
    /// transposed so that each output is one sequential dot product; the rows gathered by class (previous
    /// output) or by a sparse one-hot control stay row-major. An EngineModel is immutable and may be shared by decoders on several threads.
    /// </para>
    /// </summary>
    public sealed class EngineModel
    {
        public const int FormatVersion = 1;
        const string Format = "riffforge-engine-model";
        const string Prefix = "decoder/";
        const int Align = 16;

        readonly Dictionary<string, float[]> controls;
        readonly List<string> controlNames;

        /// <summary>The name the model was loaded from (asset or file name), used in error messages.</summary>
        public string Source { get; private set; }
        public string ModelId { get; private set; }
        /// <summary>"guitar", "bass" or "drums".</summary>
        public string Role { get; private set; }
        /// <summary>"melody" (guitar, bass: 90 classes) or "drums" (512 drum-hit combinations).</summary>
        public string Encoding { get; private set; }
        /// <summary>Decoder steps per decode (32 for a 2-bar model: 16 steps a bar).</summary>
        public int Steps { get; private set; }
        public int ZSize { get; private set; }
        /// <summary>Width of each step's control input (the bass' 49-class chord control), 0 when none.</summary>
        public int ControlDepth { get; private set; }
        /// <summary>Number of classes per step.</summary>
        public int OutputDepth { get; private set; }
        public int Bars { get; private set; }
        public int StepsPerBar { get; private set; }
        /// <summary>Units of each decoder LSTM layer, bottom first.</summary>
        public IList<int> LayerSizes { get { return Array.AsReadOnly(sizes); } }

        /// <summary>Bytes of float32 weights and controls the model holds in memory after loading.</summary>
        public long MemoryBytes { get; private set; }

        /// <summary>The control names (as in the bundle's model.json), sorted: "latent_mean", "style/thrash", ...</summary>
        public IEnumerable<string> ControlNames { get { return controlNames; } }

        // ---- decoder weights, float32, laid out for LstmDecoder (G = 4 H gate pre-activations, order i, f, c, o)
        internal int[] sizes;
        internal int StateSize;            // 2 * sum(H): the initial (c, h) of every layer
        // The matrices a decoder multiplies with a vector are in "row blocks" (Blocked): the transposed matrix
        // [rows, n] cut into blocks of 4 rows (the last padded with zero rows), each block stored column by
        // column, so that one Vector4 holds column k of 4 rows and LstmDecoder computes 4 rows' dot products
        // in the lanes of one vector (see LstmDecoder.MatVecAdd).
        internal float[] InitKernelT;      // [StateSize, Z] transposed, row blocks
        internal float[] InitBias;         // [StateSize]
        internal float[] ZKernelT;         // [G0, Z] transposed, row blocks: the code's rows of layer 0's input kernel
        internal float[] PrevKernel;       // [OutputDepth, G0] row-major: the previous class' one-hot rows (gathered)
        internal float[] ControlKernel;    // [ControlDepth, G0] row-major, or null
        internal float[][] Bias;           // per layer [G_l]
        internal float[][] StepKernelT;    // per layer [G_l, In_l] transposed, row blocks: layer 0 In = H0 (recurrent
                                           // only), layer l >= 1 In = H_{l-1} + H_l (input kernel rows, then recurrent)
        internal float[] OutKernelT;       // [OutputDepth, H_top] transposed output projection, row blocks
        internal float[] OutBias;          // [OutputDepth]

        EngineModel()
        {
            controls = new Dictionary<string, float[]>(StringComparer.Ordinal);
            controlNames = new List<string>();
        }

        /// <summary>The control array <paramref name="name"/> (e.g. "latent_mean", "style/thrash"); the array is the
        /// model's own: do not modify it.</summary>
        public bool TryGetControl(string name, out float[] values)
        {
            if (name == null) { values = null; return false; }
            return controls.TryGetValue(name, out values);
        }

        /// <summary>
        /// Read an engine model file. <paramref name="sourceName"/> names it in errors (e.g. "metal-bass.bytes").
        /// Throws <see cref="EngineFormatException"/> naming the source, field and fix on a wrong magic or
        /// version, a truncated file, a malformed header, a missing or mis-shaped array, or a decoder the engine
        /// cannot run (hierarchical, several output heads).
        /// </summary>
        public static EngineModel Load(byte[] data, string sourceName)
        {
            var src = string.IsNullOrEmpty(sourceName) ? "engine model" : sourceName;
            if (data == null) throw new EngineFormatException(src + ": no data (null); " + EngineFormatException.RewriteFix);
            if (data.Length < 12)
                throw new EngineFormatException(src + ": truncated (" + data.Length + " bytes, the preamble alone is 12); " + EngineFormatException.RewriteFix);
            if (data[0] != 'R' || data[1] != 'F' || data[2] != 'E' || data[3] != 'M')
                throw EngineFormatException.Field(src, "magic", "is \"" + Printable(data, 0, 4) + "\", expected \"RFEM\": not a RiffForge engine model");
            var version = ReadUInt32(data, 4);
            if (version != FormatVersion)
                throw EngineFormatException.Field(src, "format_version", "is " + version + ", this runtime reads " + FormatVersion,
                    EngineFormatException.RewriteFix + " with the riffforge version matching this package");
            var headerLen = ReadUInt32(data, 8);
            if (headerLen > (uint)(data.Length - 12))
                throw EngineFormatException.Field(src, "header_len", "is " + headerLen + " but the file has " + (data.Length - 12) + " bytes after the preamble (truncated)");
            Dictionary<string, object> header;
            try
            {
                var text = new UTF8Encoding(false, true).GetString(data, 12, (int)headerLen);
                header = EngineJson.Parse(text) as Dictionary<string, object>;
            }
            catch (Exception e) when (e is FormatException || e is ArgumentException)
            {
                throw EngineFormatException.Field(src, "header", "is not UTF-8 JSON (" + e.Message + ")");
            }
            if (header == null) throw EngineFormatException.Field(src, "header", "is not a JSON object");
            var format = header.ContainsKey("format") ? header["format"] as string : null;
            if (format != Format) throw EngineFormatException.Field(src, "header.format", "is " + Quote(format) + ", expected \"" + Format + "\"");

            var m = new EngineModel { Source = src };
            m.ModelId = RequireString(header, "model_id", src);
            m.Role = RequireString(header, "role", src);
            var cfg = header.ContainsKey("config") ? header["config"] as Dictionary<string, object> : null;
            if (cfg == null) throw EngineFormatException.Field(src, "config", "is missing or not an object");
            var decoder = cfg.ContainsKey("decoder") ? cfg["decoder"] as string : "categorical";
            var levels = cfg.ContainsKey("level_lengths") ? cfg["level_lengths"] as List<object> : null;
            if (decoder != "categorical" || (levels != null && levels.Count > 0))
                throw EngineFormatException.Field(src, "config.decoder", "is " + Quote(decoder) + " (a hierarchical decoder): not supported in-engine",
                    "use a flat categorical 2-bar model (as the shipped metal-* bundles), or the sidecar for this one");
            if (m.Role != "guitar" && m.Role != "bass" && m.Role != "drums")
                throw EngineFormatException.Field(src, "role", "is " + Quote(m.Role) + ": not supported in-engine (guitar, bass or drums)",
                    "export a single-instrument model (riffforge export --role guitar|bass|drums)");
            m.Encoding = RequireString(cfg, "encoding", src, "config.");
            m.ZSize = RequireInt(cfg, "z_size", src);
            m.Steps = RequireInt(cfg, "max_seq_len", src);
            m.OutputDepth = RequireInt(cfg, "output_depth", src);
            m.ControlDepth = RequireInt(cfg, "control_depth", src, 0);
            m.Bars = RequireInt(cfg, "bars", src);
            m.StepsPerBar = RequireInt(cfg, "steps_per_bar", src);
            var depths = cfg.ContainsKey("output_depths") ? cfg["output_depths"] as List<object> : null;
            if (depths != null && depths.Count != 1)
                throw EngineFormatException.Field(src, "config.output_depths", "has " + depths.Count + " heads: not supported in-engine (one head)",
                    "use a single-instrument model");
            var rnn = cfg.ContainsKey("dec_rnn_size") ? cfg["dec_rnn_size"] as List<object> : null;
            if (rnn == null || rnn.Count == 0) throw EngineFormatException.Field(src, "config.dec_rnn_size", "is missing or empty");
            m.sizes = new int[rnn.Count];
            for (var l = 0; l < rnn.Count; l++)
            {
                if (!(rnn[l] is double) || (double)rnn[l] < 1 || (double)rnn[l] != Math.Floor((double)rnn[l]))
                    throw EngineFormatException.Field(src, "config.dec_rnn_size[" + l + "]", "is not a positive integer");
                m.sizes[l] = (int)(double)rnn[l];
            }

            var arrays = ReadArrayTable(header, data, 12 + (int)headerLen, src);
            m.LoadWeights(arrays, data, src);
            if (header.ContainsKey("controls") && header["controls"] is List<object>)
            {
                foreach (var n in (List<object>)header["controls"])
                {
                    var name = n as string;
                    if (name == null) throw EngineFormatException.Field(src, "controls", "holds a non-string entry");
                    ArrayEntry e;
                    if (!arrays.TryGetValue("control/" + name, out e))
                        throw EngineFormatException.Field(src, "arrays", "lacks \"control/" + name + "\" listed in 'controls'");
                    m.controls[name] = e.Read(data);
                    m.controlNames.Add(name);
                }
            }
            m.controlNames.Sort(StringComparer.Ordinal);
            m.MemoryBytes = m.CountBytes();
            return m;
        }

        // ------------------------------------------------------------------------------------------ weights
        void LoadWeights(Dictionary<string, ArrayEntry> arrays, byte[] data, string src)
        {
            var n = sizes.Length;
            int D = OutputDepth, Z = ZSize, C = ControlDepth, H0 = sizes[0], G0 = 4 * H0;
            StateSize = 0;
            foreach (var h in sizes) StateSize += 2 * h;
            InitKernelT = Transpose(Need(arrays, data, src, Prefix + "z_to_initial_state/kernel", Z, StateSize), Z, StateSize, null, 0);
            InitBias = Need(arrays, data, src, Prefix + "z_to_initial_state/bias", StateSize);
            var k0 = Need(arrays, data, src, Cell(0) + "kernel", D + Z + C, G0);
            PrevKernel = new float[D * G0];
            Array.Copy(k0, 0, PrevKernel, 0, D * G0);
            var zk = new float[Z * G0];
            Array.Copy(k0, D * G0, zk, 0, Z * G0);
            ZKernelT = Transpose(zk, Z, G0, null, 0);
            if (C > 0)
            {
                ControlKernel = new float[C * G0];
                Array.Copy(k0, (D + Z) * G0, ControlKernel, 0, C * G0);
            }
            Bias = new float[n][];
            StepKernelT = new float[n][];
            for (var l = 0; l < n; l++)
            {
                int H = sizes[l], G = 4 * H;
                Bias[l] = Need(arrays, data, src, Cell(l) + "bias", G);
                var rec = Need(arrays, data, src, Cell(l) + "recurrent_kernel", H, G);
                if (l == 0)
                {
                    StepKernelT[0] = Transpose(rec, H, G, null, 0);
                }
                else
                {
                    int below = sizes[l - 1], width = below + H;
                    var kin = Need(arrays, data, src, Cell(l) + "kernel", below, G);
                    var t = new float[G * width];
                    Transpose(kin, below, G, t, 0, width);
                    Transpose(rec, H, G, t, below, width);
                    StepKernelT[l] = t;
                }
            }
            int top = sizes[n - 1];
            OutKernelT = Transpose(Need(arrays, data, src, Prefix + "output_projection/kernel", top, D), top, D, null, 0);
            OutBias = Need(arrays, data, src, Prefix + "output_projection/bias", D);
            InitKernelT = Blocked(InitKernelT, StateSize, Z);
            ZKernelT = Blocked(ZKernelT, G0, Z);
            for (var l = 0; l < n; l++) StepKernelT[l] = Blocked(StepKernelT[l], 4 * sizes[l], StepKernelT[l].Length / (4 * sizes[l]));
            OutKernelT = Blocked(OutKernelT, D, top);
        }

        /// <summary>Rows padded to a multiple of 4 (<see cref="Blocked"/>).</summary>
        internal static int BlockedRows(int rows) { return (rows + 3) & ~3; }

        /// <summary>
        /// A transposed matrix [rows, n] (row-major) in row blocks: block b holds rows 4b .. 4b + 3 column by
        /// column, <c>dst[(b * n + k) * 4 + lane] = src[(4b + lane) * n + k]</c>; rows past the end are zero.
        /// </summary>
        internal static float[] Blocked(float[] src, int rows, int n)
        {
            var dst = new float[BlockedRows(rows) * n];
            for (var r = 0; r < rows; r++)
            {
                int b = r >> 2, lane = r & 3;
                for (var k = 0; k < n; k++) dst[((long)b * n + k) * 4 + lane] = src[(long)r * n + k];
            }
            return dst;
        }

        long CountBytes()
        {
            long n = InitKernelT.Length + InitBias.Length + ZKernelT.Length + PrevKernel.Length + OutKernelT.Length + OutBias.Length;
            if (ControlKernel != null) n += ControlKernel.Length;
            for (var l = 0; l < sizes.Length; l++) n += Bias[l].Length + StepKernelT[l].Length;
            foreach (var v in controls.Values) n += v.Length;
            return 4 * n;
        }

        static string Cell(int l) { return Prefix + "multi_rnn_cell/cell_" + l + "/lstm_cell/"; }

        static float[] Need(Dictionary<string, ArrayEntry> arrays, byte[] data, string src, string name, params int[] shape)
        {
            ArrayEntry e;
            if (!arrays.TryGetValue(name, out e))
                throw EngineFormatException.Field(src, "arrays", "lacks \"" + name + "\" (shape " + Shape(shape) + ")");
            if (e.Shape.Length != shape.Length || !ShapeEquals(e.Shape, shape))
                throw EngineFormatException.Field(src, "arrays[\"" + name + "\"].shape", "is " + Shape(e.Shape) + ", the config needs " + Shape(shape));
            return e.Read(data);
        }

        static bool ShapeEquals(int[] a, int[] b)
        {
            for (var i = 0; i < a.Length; i++) if (a[i] != b[i]) return false;
            return true;
        }

        /// <summary>[rows, cols] row-major -> [cols, rows] (into <paramref name="dst"/> at column <paramref name="col"/> of
        /// rows <paramref name="stride"/> wide when given).</summary>
        static float[] Transpose(float[] a, int rows, int cols, float[] dst, int col, int stride = -1)
        {
            if (stride < 0) stride = rows;
            if (dst == null) dst = new float[cols * stride];
            for (var r = 0; r < rows; r++)
                for (var c = 0; c < cols; c++)
                    dst[c * stride + col + r] = a[r * cols + c];
            return dst;
        }

        // ------------------------------------------------------------------------------------------ array table
        sealed class ArrayEntry
        {
            public string Name;
            public bool Half;
            public int[] Shape;
            public int Count;
            public int Start;   // absolute byte position in the file

            public float[] Read(byte[] data)
            {
                var v = new float[Count];
                if (Half) for (var i = 0; i < Count; i++) v[i] = HalfToFloat((ushort)(data[Start + 2 * i] | (data[Start + 2 * i + 1] << 8)));
                else for (var i = 0; i < Count; i++) v[i] = BitsToFloat(ReadUInt32(data, Start + 4 * i));
                return v;
            }
        }

        static Dictionary<string, ArrayEntry> ReadArrayTable(Dictionary<string, object> header, byte[] data, int headerEnd, string src)
        {
            var list = header.ContainsKey("arrays") ? header["arrays"] as List<object> : null;
            if (list == null) throw EngineFormatException.Field(src, "arrays", "is missing or not a list");
            var start = (headerEnd + Align - 1) / Align * Align;
            var table = new Dictionary<string, ArrayEntry>(StringComparer.Ordinal);
            for (var i = 0; i < list.Count; i++)
            {
                var field = "arrays[" + i + "]";
                var o = list[i] as Dictionary<string, object>;
                if (o == null) throw EngineFormatException.Field(src, field, "is not an object");
                var e = new ArrayEntry { Name = RequireString(o, "name", src, field + ".") };
                var dtype = RequireString(o, "dtype", src, field + ".");
                if (dtype != "float16" && dtype != "float32")
                    throw EngineFormatException.Field(src, field + ".dtype", "is " + Quote(dtype) + ", expected \"float16\" or \"float32\"");
                e.Half = dtype == "float16";
                var shape = o.ContainsKey("shape") ? o["shape"] as List<object> : null;
                if (shape == null) throw EngineFormatException.Field(src, field + ".shape", "is missing or not a list");
                e.Shape = new int[shape.Count];
                long count = 1;
                for (var k = 0; k < shape.Count; k++)
                {
                    if (!(shape[k] is double) || (double)shape[k] < 0 || (double)shape[k] > int.MaxValue)
                        throw EngineFormatException.Field(src, field + ".shape", "holds a bad dimension");
                    e.Shape[k] = (int)(double)shape[k];
                    count *= e.Shape[k];
                }
                var offset = RequireLong(o, "offset", src, field + ".");
                var nbytes = RequireLong(o, "nbytes", src, field + ".");
                var item = e.Half ? 2 : 4;
                if (nbytes != count * item)
                    throw EngineFormatException.Field(src, field + ".nbytes", "of \"" + e.Name + "\" is " + nbytes + ", shape " + Shape(e.Shape) + " of " + dtype + " needs " + count * item);
                if (offset < 0 || start + offset + nbytes > data.Length)
                    throw EngineFormatException.Field(src, field, "\"" + e.Name + "\" ends at byte " + (start + offset + nbytes) + " but the file has " + data.Length + " (truncated)");
                e.Count = (int)count;
                e.Start = start + (int)offset;
                table[e.Name] = e;
            }
            return table;
        }

        // ------------------------------------------------------------------------------------------ helpers
        static string RequireString(Dictionary<string, object> o, string key, string src, string prefix = "")
        {
            object v;
            if (!o.TryGetValue(key, out v) || !(v is string))
                throw EngineFormatException.Field(src, prefix + key, v == null ? "is missing" : "is not a string");
            return (string)v;
        }

        static int RequireInt(Dictionary<string, object> cfg, string key, string src, int min = 1)
        {
            var v = RequireLong(cfg, key, src, "config.");
            if (v < min || v > 1 << 20) throw EngineFormatException.Field(src, "config." + key, "is " + v + ", expected " + min + " to " + (1 << 20));
            return (int)v;
        }

        static long RequireLong(Dictionary<string, object> o, string key, string src, string prefix)
        {
            object v;
            if (!o.TryGetValue(key, out v) || !(v is double) || (double)v != Math.Floor((double)v))
                throw EngineFormatException.Field(src, prefix + key, v == null ? "is missing" : "is not an integer");
            return (long)(double)v;
        }

        static string Quote(string s) { return s == null ? "missing" : "\"" + s + "\""; }

        static string Shape(int[] s) { return "[" + string.Join(", ", Array.ConvertAll(s, x => x.ToString())) + "]"; }

        static string Printable(byte[] d, int at, int n)
        {
            var sb = new StringBuilder();
            for (var i = at; i < at + n && i < d.Length; i++)
                sb.Append(d[i] >= 32 && d[i] < 127 ? ((char)d[i]).ToString() : "\\x" + d[i].ToString("X2"));
            return sb.ToString();
        }

        static uint ReadUInt32(byte[] d, int at)
        {
            return (uint)(d[at] | (d[at + 1] << 8) | (d[at + 2] << 16) | (d[at + 3] << 24));
        }

        static unsafe float BitsToFloat(uint bits) { return *(float*)&bits; }

        /// <summary>IEEE 754 binary16 -> float32 (exact: every half is a float).</summary>
        public static float HalfToFloat(ushort h)
        {
            uint sign = (uint)(h >> 15) << 31;
            int exp = (h >> 10) & 0x1f;
            uint mant = (uint)(h & 0x3ff);
            if (exp == 0)
            {
                var v = mant * (1.0f / 16777216f);      // subnormal: mant * 2^-24
                return sign != 0 ? -v : v;
            }
            if (exp == 31) return BitsToFloat(sign | 0x7f800000u | (mant << 13));
            return BitsToFloat(sign | ((uint)(exp - 15 + 127) << 23) | (mant << 13));
        }
    }
}
