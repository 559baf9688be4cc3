using System;
using System.Collections.Generic;
using System.IO;
using NUnit.Framework;
using RiffForge.Core;

namespace RiffForge.Repo.Tests
{
    /// <summary>The C# codec against protocol/vectors/*.json, byte for byte, in both directions.</summary>
    public class ProtocolVectorTests
    {
        const string Token = "rf-test-token-0123456789abcdef";
        static readonly string[] Special = { "versions.json", "malformed.json", "chunked_riff.json" };

        static IEnumerable<string> MessageFiles()
        {
            foreach (var f in Directory.GetFiles(RepoPaths.Vectors, "*.json"))
                if (Array.IndexOf(Special, Path.GetFileName(f)) < 0) yield return f;
        }

        static List<object> Vectors(string file) { return (List<object>)((JsonObject)RepoPaths.Json(file))["vectors"]; }

        [Test]
        public void EveryMessageVectorDecodesToItsMeaning()
        {
            var checkedCount = 0;
            foreach (var file in MessageFiles())
                foreach (JsonObject v in Vectors(file))
                {
                    var where = Path.GetFileName(file) + ":" + v["name"];
                    var bytes = Hex((string)v["hex"]);
                    var m = ProtocolMessages.Decode(bytes, 0, bytes.Length);
                    Assert.AreEqual(v["address"], m.Address, where);
                    Assert.AreEqual(v["type_tags"], m.TypeTags, where);
                    var args = (List<object>)v["args"];
                    Assert.AreEqual(args.Count, m.Arguments.Length, where);
                    for (var i = 0; i < args.Count; i++)
                    {
                        var a = (JsonObject)args[i];
                        var type = (string)a["type"];
                        if (type == "s") Assert.AreEqual(a["value"], m.GetString(i), where);
                        else if (type == "i") Assert.AreEqual((long)a["value"], (long)m.GetInt(i), where);
                        else
                        {
                            Assert.AreEqual(a["hex"], HexOf(m.GetBlob(i)), where);
                            if (a.ContainsKey("msgpack")) AssertSame(a["msgpack"], MsgPackReader.Read(m.GetBlob(i)), where + " msgpack");
                        }
                    }
                    checkedCount++;
                }
            Assert.Greater(checkedCount, 15, "expected the vectors of every message type");
        }

        [Test]
        public void EveryMessageVectorIsEncodedByteForByte()
        {
            foreach (var file in MessageFiles())
                foreach (JsonObject v in Vectors(file))
                {
                    var args = (List<object>)v["args"];
                    var values = new object[args.Count];
                    for (var i = 0; i < args.Count; i++)
                    {
                        var a = (JsonObject)args[i];
                        var type = (string)a["type"];
                        if (type == "s") values[i] = (string)a["value"];
                        else if (type == "i") values[i] = (int)(long)a["value"];
                        else values[i] = a.ContainsKey("msgpack") ? MsgPackWriter.Encode(ToWritable(a["msgpack"])) : Hex((string)a["hex"]);
                    }
                    var encoded = OscWriter.Encode(new OscMessage((string)v["address"], values));
                    Assert.AreEqual(v["hex"], HexOf(encoded), Path.GetFileName(file) + ":" + v["name"] + " (msgpack blobs re-encoded canonically)");
                }
        }

        [Test]
        public void RequestVectorsMatchRiffRequestToPayload()
        {
            foreach (JsonObject v in Vectors(Path.Combine(RepoPaths.Vectors, "request.json")))
            {
                var blob = (JsonObject)((List<object>)v["args"])[2];
                var map = (JsonObject)blob["msgpack"];
                if (map.Order.Count != 9) continue; // only canonical full requests come from RiffRequest
                var r = new RiffRequest(Number(map["intensity"]))
                {
                    Style = (string)map["style"],
                    Bars = (int)(long)map["bars"],
                    Tempo = map["tempo"] is string ? (double?)null : Number(map["tempo"]),
                    Key = (string)map["key"] == "auto" ? null : (string)map["key"],
                    Mode = (string)map["mode"] == "auto" ? null : (string)map["mode"],
                    Seed = map["seed"] == null ? (int?)null : (int)(long)map["seed"],
                    Instruments = ((List<object>)map["instruments"]).ConvertAll(x => (string)x).ToArray(),
                    Temperature = map["temperature"] == null ? (double?)null : Number(map["temperature"]),
                };
                Assert.AreEqual(blob["hex"], HexOf(r.ToPayload()), (string)v["name"]);
            }
        }

        [Test]
        public void HelloCapabilitiesAndRiffPayloadsDecodeToTypedObjects()
        {
            var hello = (JsonObject)Vectors(Path.Combine(RepoPaths.Vectors, "hello.json"))[0];
            var capsArg = (JsonObject)((List<object>)hello["args"])[3];
            var caps = SidecarCapabilities.Decode(Hex((string)capsArg["hex"]));
            var expected = (JsonObject)capsArg["msgpack"];
            Assert.AreEqual((long)expected["max_bars"], (long)caps.MaxBars);
            Assert.AreEqual((long)expected["heartbeat_timeout_ms"], (long)caps.HeartbeatTimeoutMs);
            Assert.AreEqual(((List<object>)expected["styles"]).Count, caps.Styles.Length);
            foreach (JsonObject v in Vectors(Path.Combine(RepoPaths.Vectors, "hello.json")))
            {
                var arg = (JsonObject)((List<object>)v["args"])[3];
                var decoded = SidecarCapabilities.Decode(Hex((string)arg["hex"]));
                var unsteered = (List<object>)((JsonObject)arg["msgpack"])["unsteered_styles"];
                Assert.AreEqual(unsteered.Count, decoded.UnsteeredStyles.Length, (string)v["name"]);
                for (var i = 0; i < unsteered.Count; i++)
                    Assert.AreEqual(unsteered[i], decoded.UnsteeredStyles[i], (string)v["name"]);
            }
            var older = new MsgPackWriter();  // a hello from an older sidecar: no unsteered_styles key
            older.WriteMapHeader(6);
            older.Write("styles"); older.WriteArrayHeader(1); older.Write("thrash");
            older.Write("instruments"); older.WriteArrayHeader(1); older.Write("drums");
            older.Write("max_bars"); older.Write(16L);
            older.Write("model_ids"); older.WriteArrayHeader(1); older.Write("procedural");
            older.Write("heartbeat_timeout_ms"); older.Write(0L);
            older.Write("max_datagram"); older.Write(8192L);
            var old = SidecarCapabilities.Decode(older.ToArray());
            Assert.IsNull(old.UnsteeredStyles);
            Assert.IsNull(old.Modes);
            foreach (JsonObject v in Vectors(Path.Combine(RepoPaths.Vectors, "riff.json")))
            {
                var blob = (JsonObject)((List<object>)v["args"])[4];
                AssertRiff((JsonObject)blob["msgpack"], RiffPayload.Decode(Hex((string)blob["hex"])), (string)v["name"]);
            }
        }

        [Test]
        public void VersionVectorsGiveTheExactOutcomeAndMessage()
        {
            foreach (JsonObject v in Vectors(Path.Combine(RepoPaths.Vectors, "versions.json")))
            {
                string message;
                var outcome = ProtocolVersion.Check((string)v["host"], (string)v["sidecar"], out message);
                var where = v["host"] + " vs " + v["sidecar"];
                Assert.AreEqual(v["outcome"], outcome.ToString().ToLowerInvariant(), where);
                Assert.AreEqual(v.ContainsKey("message") ? v["message"] : null, message, where);
            }
        }

        [Test]
        public void MalformedVectorsAreRejectedAndWrongTokensAreRecognised()
        {
            var count = 0;
            foreach (JsonObject v in Vectors(Path.Combine(RepoPaths.Vectors, "malformed.json")))
            {
                var bytes = Hex((string)v["hex"]);
                var where = (string)v["name"] + " (" + v["reason"] + ")";
                if ((string)v["outcome"] == "malformed")
                    Assert.Throws<OscFormatException>(() => ProtocolMessages.Decode(bytes, 0, bytes.Length), where);
                else
                    Assert.AreNotEqual(Token, ProtocolMessages.Decode(bytes, 0, bytes.Length).GetString(0), where);
                count++;
            }
            Assert.Greater(count, 10);
        }

        [Test]
        public void ChunkedRiffReassemblesInAnyOrderToThePayloadAndTheRiff()
        {
            var doc = (JsonObject)RepoPaths.Json(Path.Combine(RepoPaths.Vectors, "chunked_riff.json"));
            var payloadHex = (string)doc["payload_hex"];
            var random = new Random(3);
            foreach (JsonObject split in (List<object>)doc["splits"])
            {
                var datagrams = (List<object>)split["datagrams"];
                var order = new List<int>();
                for (var i = 0; i < datagrams.Count; i++) { order.Add(i); order.Add(i); } // every chunk twice
                for (var i = order.Count - 1; i > 0; i--) { var j = random.Next(i + 1); var t = order[i]; order[i] = order[j]; order[j] = t; }
                var assembler = new ChunkAssembler();
                byte[] payload = null;
                var completions = 0;
                foreach (var index in order)
                {
                    var d = (JsonObject)datagrams[index];
                    var bytes = Hex((string)d["hex"]);
                    var m = ProtocolMessages.Decode(bytes, 0, bytes.Length);
                    Assert.LessOrEqual(bytes.Length, ProtocolMessages.MaxDatagramBytes);
                    byte[] result;
                    string problem;
                    var r = assembler.Add(m.GetInt(1), m.GetInt(2), m.GetInt(3), m.GetBlob(4), out result, out problem);
                    Assert.AreNotEqual(ChunkAssembler.Result.Rejected, r, problem);
                    if (r == ChunkAssembler.Result.Complete) { payload = result; completions++; assembler.Forget(m.GetInt(1)); }
                }
                Assert.GreaterOrEqual(completions, 1, (string)split["name"]);
                Assert.AreEqual(payloadHex, HexOf(payload), (string)split["name"]);
            }
            AssertRiff((JsonObject)doc["riff"], RiffPayload.Decode(Hex(payloadHex)), "chunked_riff");
        }

        // ---- helpers ----------------------------------------------------------------------------

        static void AssertRiff(JsonObject expected, Riff riff, string where)
        {
            Assert.AreEqual(Number(expected["tempo"]), riff.Tempo, 1e-12, where);
            Assert.AreEqual((long)expected["bars"], (long)riff.Bars, where);
            Assert.AreEqual(expected["key"], riff.Key, where);
            Assert.AreEqual(expected["mode"], riff.Mode, where);
            Assert.AreEqual(expected["style"], riff.Style, where);
            Assert.AreEqual(Number(expected["intensity"]), riff.Intensity, 1e-12, where);
            Assert.AreEqual((long)expected["seed"], (long)riff.Seed, where);
            Assert.AreEqual(expected["model_id"], riff.ModelId, where);
            Assert.AreEqual(expected["tuning"], riff.Tuning, where);
            var tracks = (JsonObject)expected["tracks"];
            var total = 0;
            foreach (var name in tracks.Order)
            {
                var events = (List<object>)tracks[name];
                var notes = riff.Notes(name);
                Assert.AreEqual(events.Count, notes.Count, where + " " + name);
                for (var i = 0; i < events.Count; i++)
                {
                    var e = (List<object>)events[i];
                    Assert.AreEqual("[" + e[0] + ", " + e[1] + ", " + e[2] + ", " + e[3] + "]", notes[i].ToString(), where + " " + name + "[" + i + "]");
                }
                total += events.Count;
            }
            Assert.AreEqual(total, riff.NoteCount, where);
        }

        static void AssertSame(object json, object msgpack, string where)
        {
            if (json == null) { Assert.IsNull(msgpack, where); return; }
            var obj = json as JsonObject;
            if (obj != null)
            {
                var map = (Dictionary<string, object>)msgpack;
                Assert.AreEqual(obj.Count, map.Count, where);
                foreach (var key in obj.Order) AssertSame(obj[key], map[key], where + "." + key);
                return;
            }
            var list = json as List<object>;
            if (list != null)
            {
                var other = (List<object>)msgpack;
                Assert.AreEqual(list.Count, other.Count, where);
                for (var i = 0; i < list.Count; i++) AssertSame(list[i], other[i], where + "[" + i + "]");
                return;
            }
            if (json is double) { Assert.IsInstanceOf<double>(msgpack, where); Assert.AreEqual((double)json, (double)msgpack, 0.0, where); return; }
            Assert.AreEqual(json, msgpack, where);
        }

        /// <summary>JSON value -> what MsgPackWriter writes canonically (objects keep the vector's key order).</summary>
        static object ToWritable(object json)
        {
            var obj = json as JsonObject;
            if (obj != null)
            {
                var map = new List<KeyValuePair<string, object>>();
                foreach (var key in obj.Order) map.Add(new KeyValuePair<string, object>(key, ToWritable(obj[key])));
                return map;
            }
            var list = json as List<object>;
            if (list != null) return list.ConvertAll(ToWritable).ToArray();
            return json;
        }

        static double Number(object v) { return v is long ? (long)v : (double)v; }

        static byte[] Hex(string hex)
        {
            var bytes = new byte[hex.Length / 2];
            for (var i = 0; i < bytes.Length; i++) bytes[i] = Convert.ToByte(hex.Substring(2 * i, 2), 16);
            return bytes;
        }

        static string HexOf(byte[] bytes)
        {
            if (bytes == null) return null;
            var sb = new System.Text.StringBuilder(bytes.Length * 2);
            foreach (var b in bytes) sb.Append(b.ToString("x2"));
            return sb.ToString();
        }
    }
}
