"""The general-purpose melody corpus: music21's Bach chorales written as guitar + bass MIDI files.

The chorales are the "general, non-Metal" melody data of the default recipe (the same material the
shared Magenta fixture ``cat-mel_2bar_small`` was trained on): for every 4/4 chorale in the corpus that
ships inside the ``music21`` package, the soprano part becomes a guitar track (GM program 30) and the
lowest part a bass track (GM program 33), so ``riffforge corpus build --kind melody --melody-from both``
reads them like any other band MIDI file.

Licences (recorded in the bundle metadata): J. S. Bach's chorales are in the public domain; ``music21``
is BSD-3-Clause; its corpus encodings are distributed "with the permission of the encoders" (see
``music21/corpus/license.txt``).

``music21`` is a training-time dependency only (``train`` extra); nothing here runs in the sidecar.
"""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional, Tuple

LICENSE = ("J. S. Bach chorales: public domain; encodings from the music21 corpus (music21 is BSD-3-Clause; "
           "corpus encodings distributed with the encoders' permission, see music21/corpus/license.txt)")
ATTRIBUTION = "Bach chorales from the music21 corpus (Cuthbert & Ariza, music21: a toolkit for computer-aided musicology)"
TICKS_PER_BEAT = 480
GUITAR_PROGRAM, BASS_PROGRAM = 30, 33

Note = Tuple[float, float, int]  # onset (quarters), duration (quarters), MIDI pitch


def chorale_paths() -> List[Path]:
    """Every Bach score file in music21's corpus, sorted (the chorales are most of it)."""
    from music21 import corpus

    return sorted(Path(p) for p in corpus.getComposer("bach"))


def _part_notes(part, shift: float, highest: bool) -> List[Note]:
    out: List[Note] = []
    for n in part.stripTies().flatten().notes:
        pitches = [p.midi for p in n.pitches]
        if not pitches or n.quarterLength <= 0:
            continue
        out.append((float(n.offset) + shift, float(n.quarterLength), max(pitches) if highest else min(pitches)))
    return out


def chorale_parts(path: Path) -> Optional[Dict[str, List[Note]]]:
    """``{"guitar": soprano notes, "bass": lowest-part notes}`` of a 4/4 score, None when it does not fit
    (another meter, fewer than two parts). A pickup bar is shifted so bar lines fall on multiples of 4."""
    from music21 import converter

    score = converter.parse(str(path))
    parts = list(score.parts)
    if len(parts) < 2:
        return None
    meters = {ts.ratioString for ts in score.recurse().getElementsByClass("TimeSignature")}
    if meters != {"4/4"}:
        return None
    by_name = {str(p.partName or "").lower(): p for p in parts}
    soprano = by_name.get("soprano")
    bass = by_name.get("bass")
    if soprano is None or bass is None:
        def mean_pitch(p):
            ps = [x.midi for n in p.flatten().notes for x in n.pitches]
            return sum(ps) / len(ps) if ps else 0.0
        ranked = sorted(parts, key=mean_pitch)
        soprano, bass = soprano or ranked[-1], bass or ranked[0]
    measures = soprano.getElementsByClass("Measure")
    shift = float(measures[0].paddingLeft) if len(measures) else 0.0
    top, low = _part_notes(soprano, shift, True), _part_notes(bass, shift, False)
    if not top or not low:
        return None
    return {"guitar": top, "bass": low}


def write_midi(parts: Dict[str, List[Note]], path: Path, tempo_bpm: float = 120.0) -> None:
    """A type-1 MIDI file: tempo + 4/4 track, guitar on channel 1 (program 30), bass on channel 2 (33)."""
    import mido

    mid = mido.MidiFile(type=1, ticks_per_beat=TICKS_PER_BEAT)
    meta = mido.MidiTrack()
    meta.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(tempo_bpm), time=0))
    meta.append(mido.MetaMessage("time_signature", numerator=4, denominator=4, time=0))
    mid.tracks.append(meta)
    for channel, (name, program) in enumerate((("guitar", GUITAR_PROGRAM), ("bass", BASS_PROGRAM))):
        track = mido.MidiTrack()
        track.append(mido.MetaMessage("track_name", name=name, time=0))
        track.append(mido.Message("program_change", program=program, channel=channel, time=0))
        events = []
        for onset, dur, pitch in parts[name]:
            on = int(round(onset * TICKS_PER_BEAT))
            off = int(round((onset + dur) * TICKS_PER_BEAT))
            events.append((off, 0, pitch))  # note-offs sort before note-ons at the same tick
            events.append((on, 1, pitch))
        now = 0
        for tick, kind, pitch in sorted(events):
            msg = "note_on" if kind else "note_off"
            track.append(mido.Message(msg, note=pitch, velocity=80 if kind else 0, channel=channel, time=tick - now))
            now = tick
        mid.tracks.append(track)
    path.parent.mkdir(parents=True, exist_ok=True)
    mid.save(str(path))


def write_chorales(out: Path, limit: Optional[int] = None, progress: bool = True) -> Dict[str, int]:
    """Convert the corpus' Bach scores into ``out/*.mid``; returns counts (written, skipped)."""
    from tqdm import tqdm

    paths = chorale_paths()[: limit or None]
    written = skipped = 0
    for path in tqdm(paths, unit="score", desc="bach chorales", disable=None if progress else True):
        target = Path(out) / (path.stem.replace(".", "_") + ".mid")
        if target.exists():
            written += 1
            continue
        try:
            parts = chorale_parts(path)
        except Exception:  # a score music21 cannot parse is skipped, like any broken MIDI in a corpus
            parts = None
        if parts is None:
            skipped += 1
            continue
        write_midi(parts, target)
        written += 1
    return {"written": written, "skipped": skipped}
