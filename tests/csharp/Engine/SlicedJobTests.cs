using System.Collections.Generic;
using NUnit.Framework;
using RiffForge.Core;

namespace RiffForge.Engine.Tests
{
    /// <summary>
    /// <see cref="GenerationJob.Step"/> as frame slicing uses it: each resumption of <c>Step(1)</c> does one work
    /// unit and no more (counted in units of work, not time: decoder steps, decoder Begins, bringing a decoder's
    /// weights into the cache, random draws, the rendering), a budget of n runs n units, and a warmed-up 8-bar job allocates nothing in any resumption
    /// before its last (which renders the notes and builds the <see cref="Riff"/>). The time of one unit on Mono
    /// is measured by bench/engine.py (bench/csharp/EngineSliceBench.cs).
    /// </summary>
    [TestFixture]
    public class SlicedJobTests
    {
        static EngineGenerator generator;

        static EngineGenerator Generator
        {
            get
            {
                if (generator == null)
                {
                    var models = new List<EngineModel>();
                    foreach (var name in EngineTestData.Bundles) models.Add(EngineTestData.Model(name));
                    generator = new EngineGenerator(models, RenderVectorTests.Styles);
                }
                return generator;
            }
        }

        /// <summary>8-bar requests over the styles and intensities (the calm ones decode greedily at low temperature,
        /// blast-free styles at high intensity re-decode their drums), and odd lengths (a bass chunk cut short).</summary>
        static IEnumerable<RiffRequest> Requests()
        {
            var styles = new[] { "thrash", "death", "doom", "groove", "black", "djent" };
            for (var i = 0; i < styles.Length; i++)
                yield return new RiffRequest(i / 5.0) { Style = styles[i], Bars = 8, Seed = 300 + i };
            yield return new RiffRequest(0.95) { Style = "thrash", Bars = 3, Seed = 9 };
            yield return new RiffRequest(0.0) { Style = "doom", Bars = 1, Seed = 4, Temperature = 1e-6 };
        }

        [Test]
        public void EveryResumptionDoesAtMostOneUnitOfWork()
        {
            var sawRedecode = false;
            foreach (var request in Requests())
            {
                var job = Generator.Start(request);
                var calls = 0;
                var draws = 0L;
                while (true)
                {
                    var more = job.Step(1);
                    calls++;
                    var what = request + ", call " + calls + ": " + job.LastStepDecoderSteps + " decoder steps, " + job.LastStepBegins
                        + " Begins, " + job.LastStepTouches + " touches, " + job.LastStepDraws + " draws, " + job.LastStepRendered + " renderings";
                    // the rendering draws the guitar's voicing: its draws are part of that unit
                    var units = job.LastStepDecoderSteps + job.LastStepBegins + job.LastStepTouches + job.LastStepRendered
                        + (job.LastStepDraws > 0 && job.LastStepRendered == 0 ? 1 : 0);
                    Assert.That(units, Is.LessThanOrEqualTo(1), what);
                    Assert.That(job.LastStepDraws, Is.LessThanOrEqualTo(GenerationJob.DrawsPerUnit), what);
                    draws += job.LastStepDraws;
                    if (!more)
                    {
                        Assert.AreEqual(1, job.LastStepRendered, what + ": the last unit renders the riff");
                        break;
                    }
                    Assert.AreEqual(0, job.LastStepRendered, what);
                }
                Assert.IsNull(job.Error, request.ToString());
                Assert.AreEqual(calls, job.WorkUnits, request + ": WorkUnits counts the calls of Step(1)");
                Assert.That(draws, Is.GreaterThan(0));
                // each decode is one Begin and at most Steps decoder steps (the bass's last chunk stops at the riff's end)
                Assert.That(job.DecoderSteps, Is.LessThanOrEqualTo(job.Begins * 32), request.ToString());
                var bassChunks = (request.Bars * 16 + 31) / 32;
                var chunks = (request.Bars + 1) / 2;
                var decodes = 3 + 2 + (chunks > 1 ? chunks : 0) + bassChunks;   // candidates, variations (one drum), bass
                Assert.That(job.Begins, Is.InRange(decodes, decodes + 2), request + ": decodes (a drum part re-decoded at most twice)");
                sawRedecode |= job.Begins > decodes;
            }
            Assert.IsTrue(sawRedecode, "one of the requests re-decodes its drums, so that path is sliced too");
        }

        [Test]
        public void ABudgetOfNRunsNUnits()
        {
            var request = new RiffRequest(0.6) { Style = "groove", Bars = 4, Seed = 17 };
            var whole = Generator.Generate(request);
            var job = Generator.Start(request);
            var before = 0;
            while (job.Step(5))
            {
                Assert.AreEqual(before + 5, job.WorkUnits);
                before = job.WorkUnits;
            }
            Assert.That(job.WorkUnits - before, Is.InRange(1, 5), "the last call runs what was left");
            CollectionAssert.AreEqual(whole.Notes("guitar"), job.Result.Notes("guitar"));
            CollectionAssert.AreEqual(whole.Notes("drums"), job.Result.Notes("drums"));
            CollectionAssert.AreEqual(whole.Notes("bass"), job.Result.Notes("bass"));
            var done = job.WorkUnits;
            Assert.IsFalse(job.Step(5));
            Assert.AreEqual(done, job.WorkUnits, "a finished job runs nothing more");
        }

        [Test]
        public void AWarmedUpEightBarJobAllocatesNothingBeforeItsLastUnit()
        {
            foreach (var request in new[]
            {
                new RiffRequest(0.9) { Style = "thrash", Bars = 8, Seed = 42 },
                new RiffRequest(0.2) { Style = "death", Bars = 8, Seed = 43 },
            })
            {
                // warm-up: everything JIT-compiled, and the generator keeps the finished job's buffers for the next
                Generator.Generate(request);
                var job = Generator.Start(request);
                var allocating = new List<string>();
                var calls = 0;
                long last = 0;
                while (true)
                {
                    var before = EngineAllocations.Now();
                    var more = job.Step(1);
                    var bytes = EngineAllocations.Now() - before;
                    calls++;
                    if (!more) { last = bytes; break; }
                    if (bytes > 0 && allocating.Count < 10)
                        allocating.Add("call " + calls + " (decoder step " + job.DecoderSteps + "): " + bytes + " bytes");
                }
                Assert.IsNull(job.Error);
                Assert.IsEmpty(allocating, request + ": Step(1) allocated before the last of " + calls + " calls ("
                    + EngineAllocations.Counter + "): " + string.Join("; ", allocating.ToArray()));
                Assert.That(last, Is.GreaterThan(0), "the last unit builds the riff (its notes and tracks)");
            }
        }
    }
}
