using System;
using System.Collections.Generic;

namespace RiffForge.Core
{
    /// <summary>
    /// Turns riffs into timed notes on a clock the host supplies (Unity: AudioSettings.dspTime; tests: a fake
    /// clock). Riffs start on bar lines; the playing riff loops until a queued riff swaps in at the next bar
    /// line; notes are emitted <see cref="LookAheadSeconds"/> ahead so the host can schedule them exactly.
    /// Intensity rules (<see cref="Governor"/>) are enforced when a riff is queued. Not thread-safe: call it
    /// from one thread (Unity's main thread).
    /// </summary>
    public sealed class RiffScheduler
    {
        struct Event
        {
            public int Start;
            public string Instrument;
            public Note Note;
        }

        public readonly IntensityGovernor Governor = new IntensityGovernor();
        double _lookAhead = 0.2;
        double _lateTolerance = 0.05;

        Riff _current;
        Event[] _events;
        int _nextEvent;
        Riff _pending;
        bool _started;
        double _barStart;     // clock time of the cursor's bar line
        int _barInRiff;       // cursor bar within _current
        int _stepInBar;       // cursor step within the bar (next step to emit)
        int _bar;             // bars since start
        bool _barAnnounced;
        bool _riffChanged;
        long _droppedLate;

        /// <summary>How far ahead of the clock notes are emitted (seconds, default 0.2).</summary>
        public double LookAheadSeconds
        {
            get { return _lookAhead; }
            set
            {
                if (double.IsNaN(value) || value < 0 || value > 10) throw new ArgumentOutOfRangeException("value", "look-ahead " + value + " s must be within 0..10");
                _lookAhead = value;
            }
        }

        /// <summary>Notes whose time is further than this in the past when reached (a frame hitch) are dropped, not played late.</summary>
        public double LateToleranceSeconds
        {
            get { return _lateTolerance; }
            set { _lateTolerance = Math.Max(0.0, value); }
        }

        /// <summary>The riff playing (or about to start), null before the first riff.</summary>
        public Riff Current { get { return _current; } }

        /// <summary>The riff that swaps in at the next bar line the scheduler reaches, or null.</summary>
        public Riff Pending { get { return _pending; } }

        public bool IsStarted { get { return _started; } }

        /// <summary>Clock time of the next bar line not yet scheduled (where a pending riff would start).</summary>
        public double NextBarTime
        {
            get { return _started ? _barStart + (_stepInBar == 0 && !_barAnnounced ? 0.0 : _current.SecondsPerBar) : double.NaN; }
        }

        /// <summary>Bars of the current riff left after the bar being scheduled (0 on its last bar).</summary>
        public int BarsLeftInRiff { get { return _current == null ? 0 : _current.Bars - _barInRiff - 1; } }

        /// <summary>Notes dropped because the clock had already passed them by more than the late tolerance.</summary>
        public long DroppedLateNotes { get { return _droppedLate; } }

        /// <summary>
        /// Queues a riff. Before anything plays it becomes <see cref="Current"/>; otherwise it waits in
        /// <see cref="Pending"/> (replacing an earlier pending riff) and swaps in at the next bar line.
        /// Returns null when accepted, or why it was refused (intensity ceiling, maximum change per bar).
        /// </summary>
        public string Enqueue(Riff riff)
        {
            if (riff == null) throw new ArgumentNullException("riff");
            double? playing = null;
            if (_current != null) playing = _current.Intensity;
            var problem = Governor.Check(riff.Intensity, playing);
            if (problem != null) return problem;
            if (_current == null) Activate(riff);
            else _pending = riff;
            return null;
        }

        /// <summary>Starts playing the current riff with its first bar line at <paramref name="time"/>.</summary>
        public void Start(double time)
        {
            if (_current == null) throw new InvalidOperationException("queue a riff before starting the scheduler");
            _started = true;
            _barStart = time;
            _stepInBar = 0;
            _barInRiff = 0;
            _nextEvent = 0;
            _bar = 0;
            _barAnnounced = false;
            _riffChanged = true;
        }

        /// <summary>Stops; queued riffs are forgotten. The next riff starts afresh.</summary>
        public void Stop()
        {
            _started = false;
            _current = null;
            _pending = null;
            _events = null;
        }

        /// <summary>
        /// Emits every note (and bar line) whose time is before <paramref name="now"/> + look-ahead and has
        /// not been emitted yet. Starts automatically at <paramref name="now"/> + look-ahead when a riff is
        /// queued and <see cref="Start"/> was not called. Returns the number of notes added.
        /// </summary>
        public int Update(double now, List<ScheduledNote> notes, List<ScheduledBar> bars = null)
        {
            if (notes == null) throw new ArgumentNullException("notes");
            if (_current == null) return 0;
            if (!_started) Start(now + _lookAhead);
            var horizon = now + _lookAhead;
            var added = 0;
            var sps = _current.SecondsPerStep;
            while (_barStart + _stepInBar * sps < horizon)
            {
                if (_stepInBar == 0 && !_barAnnounced)
                {
                    _barAnnounced = true;
                    if (bars != null)
                        bars.Add(new ScheduledBar
                        {
                            Time = _barStart, Bar = _bar, BarInRiff = _barInRiff, Riff = _current, RiffChanged = _riffChanged,
                            SecondsPerBeat = _current.SecondsPerStep * 16.0 / _current.MeterDenominator,
                        });
                    _riffChanged = false;
                }
                var step = _barInRiff * _current.StepsPerBar + _stepInBar;
                var time = _barStart + _stepInBar * sps;
                while (_nextEvent < _events.Length && _events[_nextEvent].Start <= step)
                {
                    var e = _events[_nextEvent++];
                    if (e.Start < step) continue; // cannot happen with sorted events; defensive
                    if (time < now - _lateTolerance) { _droppedLate++; continue; }
                    notes.Add(new ScheduledNote
                    {
                        Instrument = e.Instrument, Pitch = e.Note.Pitch, Velocity = e.Note.Velocity,
                        Time = time, Duration = e.Note.Length * sps, Bar = _bar, Step = e.Start,
                    });
                    added++;
                }
                _stepInBar++;
                if (_stepInBar < _current.StepsPerBar) continue;
                // Bar line reached: the next bar is the next of this riff, its first bar again, or a new riff.
                _barStart += _current.StepsPerBar * sps;
                _stepInBar = 0;
                _barAnnounced = false;
                _bar++;
                _barInRiff++;
                if (_pending != null)
                {
                    Activate(_pending);
                    _pending = null;
                    sps = _current.SecondsPerStep;
                }
                else if (_barInRiff >= _current.Bars)
                {
                    _barInRiff = 0;
                    _nextEvent = 0;
                }
            }
            return added;
        }

        void Activate(Riff riff)
        {
            var list = new List<Event>(riff.NoteCount);
            foreach (var instrument in riff.Instruments)
                foreach (var n in riff.Notes(instrument))
                    if (n.Start < riff.TotalSteps) list.Add(new Event { Start = n.Start, Instrument = instrument, Note = n });
            list.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : string.CompareOrdinal(a.Instrument, b.Instrument) != 0
                ? string.CompareOrdinal(a.Instrument, b.Instrument) : a.Note.Pitch.CompareTo(b.Note.Pitch));
            _current = riff;
            _events = list.ToArray();
            _nextEvent = 0;
            _barInRiff = 0;
            _riffChanged = true;
        }
    }
}
