using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using RiffForge.Core;

namespace RiffForge
{
    /// <summary>Generates riffs in the game: a whole request at once, or step by step.</summary>
    public interface IRiffEngine
    {
        /// <summary>The riff for <paramref name="request"/> (throws when it cannot be generated).</summary>
        Riff Generate(RiffRequest request);

        /// <summary>A resumable generation of <paramref name="request"/>, advanced by <see cref="IRiffJob.Step"/>.</summary>
        IRiffJob Start(RiffRequest request);
    }

    /// <summary>One request being generated a few decoder steps at a time.</summary>
    public interface IRiffJob
    {
        /// <summary>Runs at most <paramref name="maxDecoderSteps"/> more steps (finishing the riff when they are the last). A step
        /// is the engine's unit of work: a decoder step or a slice of similar size of the work between decoder steps.</summary>
        void Step(int maxDecoderSteps);
        /// <summary>Steps (units of work, as <see cref="Step"/> counts them) run so far.</summary>
        int DecoderSteps { get; }
        bool IsDone { get; }
        /// <summary>The riff once <see cref="IsDone"/> and no <see cref="Error"/>.</summary>
        Riff Result { get; }
        /// <summary>Why the job failed, or null.</summary>
        Exception Error { get; }
    }

    /// <summary>A finished in-engine request: its riff or its error, and the seconds from submit to done.</summary>
    public struct EngineAnswer
    {
        public int Id;
        public Riff Riff;
        public Exception Error;
        public double Seconds;
    }

    /// <summary>
    /// Where an <see cref="EngineRunner"/> leaves the answers of one owner's requests. The runner posts from
    /// its worker thread (or the main thread when sliced); the owner takes them on the main thread.
    /// </summary>
    public sealed class EngineInbox
    {
        readonly Queue<EngineAnswer> _answers = new Queue<EngineAnswer>();

        internal void Post(EngineAnswer answer)
        {
            lock (_answers) _answers.Enqueue(answer);
        }

        /// <summary>The next answer, false when none waits. Allocates nothing.</summary>
        public bool TryTake(out EngineAnswer answer)
        {
            lock (_answers)
            {
                if (_answers.Count == 0) { answer = default(EngineAnswer); return false; }
                answer = _answers.Dequeue();
                return true;
            }
        }
    }

    /// <summary>A submitted request; <see cref="Cancel"/> stops it being generated (or its answer being posted).</summary>
    public sealed class EngineTicket
    {
        internal readonly EngineRunner Runner;
        internal readonly EngineInbox Inbox;
        internal readonly int Id;
        internal readonly RiffRequest Request;
        internal readonly long SubmittedAt;
        volatile bool _cancelled;

        internal EngineTicket(EngineRunner runner, EngineInbox inbox, int id, RiffRequest request, long submittedAt)
        {
            Runner = runner;
            Inbox = inbox;
            Id = id;
            Request = request;
            SubmittedAt = submittedAt;
        }

        public bool Cancelled { get { return _cancelled; } }
        public void Cancel() { _cancelled = true; }
    }

    /// <summary>
    /// Runs an <see cref="IRiffEngine"/> without stalling the main thread, free of Unity.
    /// <list type="bullet">
    /// <item><see cref="EngineScheduling.Threaded"/>: one dedicated background thread takes the requests in
    /// order and generates each whole; the engine is used by that thread only.</item>
    /// <item><see cref="EngineScheduling.Sliced"/> (WebGL, no threads): <see cref="Pump"/>, called once per
    /// frame on the main thread, advances the current request by as many decoder steps as fit in the frame
    /// budget (<see cref="StepBudget"/>, measured with a Stopwatch); the engine is used by the main thread only.</item>
    /// </list>
    /// Answers go to the submitter's <see cref="EngineInbox"/>. <see cref="Submit"/>, <see cref="Pump"/> and
    /// <see cref="Dispose"/> are called on the main thread. Idle, <see cref="Pump"/> allocates nothing.
    /// </summary>
    public sealed class EngineRunner : IDisposable
    {
        readonly Func<IRiffEngine> _create;
        IRiffEngine _engine;
        Exception _createError;
        readonly EngineScheduling _scheduling;
        readonly StepBudget _budget;
        readonly Func<long> _clock;
        readonly double _ticksPerSecond;
        readonly Queue<EngineTicket> _queue = new Queue<EngineTicket>();
        readonly object _lock = new object();
        Thread _worker;
        bool _disposed;
        EngineTicket _current;
        IRiffJob _job;
        int _stepsLastPump;
        double _secondsLastPump;
        double _maxSecondsPerPump;

        /// <param name="engine">The generator; used by one thread only (the worker, or the main thread when sliced).</param>
        /// <param name="scheduling">Threaded or sliced (see <see cref="EngineChoice.Scheduling"/>).</param>
        /// <param name="budget">The per-frame budget when sliced; null for <see cref="StepBudget.DefaultFrameSeconds"/> (0.7 ms planned, so frames stay within 1 ms).</param>
        /// <param name="clock">Ticks now (default Stopwatch.GetTimestamp) and <paramref name="ticksPerSecond"/>; tests pass a fake.</param>
        public EngineRunner(IRiffEngine engine, EngineScheduling scheduling, StepBudget budget = null, Func<long> clock = null, double ticksPerSecond = 0)
            : this(Given(engine), scheduling, budget, clock, ticksPerSecond)
        {
        }

        /// <summary>
        /// A runner that creates its engine on first use, on the thread that generates: threaded, parsing the
        /// models happens on the worker, not in the frame that enables a generator. When
        /// <paramref name="create"/> throws, every request is answered with that error.
        /// </summary>
        public EngineRunner(Func<IRiffEngine> create, EngineScheduling scheduling, StepBudget budget = null, Func<long> clock = null, double ticksPerSecond = 0)
        {
            if (create == null) throw new ArgumentNullException("create");
            _create = create;
            _scheduling = scheduling;
            _budget = budget ?? new StepBudget();
            _clock = clock ?? Stopwatch.GetTimestamp;
            _ticksPerSecond = clock == null ? Stopwatch.Frequency : ticksPerSecond;
            if (_ticksPerSecond <= 0) throw new ArgumentOutOfRangeException("ticksPerSecond", "a custom clock needs ticksPerSecond > 0");
        }

        public EngineScheduling Scheduling { get { return _scheduling; } }
        public StepBudget Budget { get { return _budget; } }

        /// <summary>Requests waiting or being generated.</summary>
        public int Pending { get { lock (_lock) return _queue.Count + (_current != null ? 1 : 0); } }

        /// <summary>Sliced: decoder steps asked for, and main-thread seconds spent, by the last <see cref="Pump"/>.</summary>
        public int StepsLastPump { get { return _stepsLastPump; } }
        public double SecondsLastPump { get { return _secondsLastPump; } }
        /// <summary>Sliced: the longest <see cref="Pump"/> that decoded anything (main-thread seconds).</summary>
        public double MaxSecondsPerPump { get { return _maxSecondsPerPump; } }

        /// <summary>
        /// True the first time it is called: the one caller that announces this engine's failures (every
        /// session shares the runner, and the game hears about a broken engine once). Main thread.
        /// </summary>
        public bool ClaimFailureNotice()
        {
            if (_failureNoticed) return false;
            _failureNoticed = true;
            return true;
        }

        bool _failureNoticed;

        /// <summary>Queues <paramref name="request"/>; its answer goes to <paramref name="inbox"/> under <paramref name="id"/>.</summary>
        public EngineTicket Submit(EngineInbox inbox, int id, RiffRequest request)
        {
            if (inbox == null) throw new ArgumentNullException("inbox");
            if (request == null) throw new ArgumentNullException("request");
            if (_disposed) throw new ObjectDisposedException("EngineRunner");
            var ticket = new EngineTicket(this, inbox, id, request.Clone(), _clock());
            lock (_lock)
            {
                _queue.Enqueue(ticket);
                if (_scheduling == EngineScheduling.Threaded) Monitor.Pulse(_lock);
            }
            if (_scheduling == EngineScheduling.Threaded && _worker == null)
            {
                _worker = new Thread(WorkerLoop) { IsBackground = true, Name = "RiffForge engine" };
                _worker.Start();
            }
            return ticket;
        }

        /// <summary>
        /// Sliced: decodes within the frame budget (at least one step per frame while a request waits, so a
        /// request always finishes). Threaded: nothing to do. Call once per frame on the main thread.
        /// </summary>
        public void Pump()
        {
            _stepsLastPump = 0;
            _secondsLastPump = 0;
            if (_scheduling != EngineScheduling.Sliced || _disposed) return;
            var start = _clock();
            while (true)
            {
                if (_job == null && !StartNext()) break;
                var remaining = _budget.FrameSeconds - Seconds(start, _clock());
                var steps = _budget.StepsFor(remaining, _stepsLastPump == 0);
                if (steps == 0) break;
                var before = _clock();
                var done = _job.DecoderSteps;
                Exception error = null;
                try { _job.Step(steps); }
                catch (Exception e) { error = e; }
                // The steps really run (fewer than asked at the end of a riff), so the estimate stays per step.
                var ran = error == null ? _job.DecoderSteps - done : steps;
                _budget.Observe(ran > 0 ? ran : 1, Seconds(before, _clock()));
                _stepsLastPump += steps;
                if (error != null) Finish(null, error);
                else if (_job.IsDone) Finish(_job.Error == null ? _job.Result : null, _job.Error);
                else if (_current.Cancelled) { _job = null; _current = null; }
            }
            _secondsLastPump = Seconds(start, _clock());
            if (_stepsLastPump > 0 && _secondsLastPump > _maxSecondsPerPump) _maxSecondsPerPump = _secondsLastPump;
        }

        /// <summary>Stops the worker after the request it is generating; queued requests are dropped.</summary>
        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            lock (_lock)
            {
                _queue.Clear();
                Monitor.PulseAll(_lock);
            }
            _job = null;
            _current = null;
        }

        static Func<IRiffEngine> Given(IRiffEngine engine)
        {
            if (engine == null) throw new ArgumentNullException("engine");
            return () => engine;
        }

        /// <summary>The engine, created on the first call (on the generating thread); throws the creation error every time.</summary>
        IRiffEngine Engine()
        {
            if (_engine != null) return _engine;
            if (_createError == null)
            {
                try
                {
                    _engine = _create();
                    if (_engine == null) throw new InvalidOperationException("the engine factory returned null");
                    return _engine;
                }
                catch (Exception e) { _createError = e; }
            }
            throw new InvalidOperationException("the in-engine generator could not be created: " + _createError.Message, _createError);
        }

        bool StartNext()
        {
            EngineTicket next = null;
            lock (_lock)
            {
                while (_queue.Count > 0 && next == null)
                {
                    var t = _queue.Dequeue();
                    if (!t.Cancelled) next = t;
                }
            }
            if (next == null) return false;
            _current = next;
            try
            {
                _job = Engine().Start(next.Request);
                if (_job == null) throw new InvalidOperationException("the engine started no job for " + next.Request);
            }
            catch (Exception e)
            {
                _job = null;
                Post(next, null, e);
                _current = null;
                return _queue.Count > 0 && StartNext();
            }
            return true;
        }

        void Finish(Riff riff, Exception error)
        {
            var ticket = _current;
            _job = null;
            _current = null;
            if (riff == null && error == null) error = new InvalidOperationException("the engine finished " + ticket.Request + " without a riff");
            Post(ticket, riff, error);
        }

        void Post(EngineTicket ticket, Riff riff, Exception error)
        {
            if (ticket.Cancelled) return;
            ticket.Inbox.Post(new EngineAnswer { Id = ticket.Id, Riff = riff, Error = error, Seconds = Seconds(ticket.SubmittedAt, _clock()) });
        }

        double Seconds(long from, long to) { return (to - from) / _ticksPerSecond; }

        void WorkerLoop()
        {
            while (true)
            {
                EngineTicket ticket;
                lock (_lock)
                {
                    while (_queue.Count == 0 && !_disposed) Monitor.Wait(_lock);
                    if (_disposed) return;
                    ticket = _queue.Dequeue();
                    _current = ticket;
                }
                if (!ticket.Cancelled)
                {
                    Riff riff = null;
                    Exception error = null;
                    try { riff = Engine().Generate(ticket.Request); }
                    catch (Exception e) { error = e; }
                    if (riff == null && error == null) error = new InvalidOperationException("the engine returned no riff for " + ticket.Request);
                    Post(ticket, riff, error);
                }
                lock (_lock) _current = null;
            }
        }
    }
}
