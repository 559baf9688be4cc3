"""Magenta MusicVAE tensor encodings, re-implemented with numpy only.

The sidecar runtime decodes model classes to notes with these functions, so nothing here may import
note-seq, TensorFlow or Magenta. Corpus ingestion (:mod:`riffforge.corpus`) turns MIDI into the same
per-step class sequences and stores them; :func:`inputs_from_targets` rebuilds Magenta's encoder input
tensors from those classes.

- :mod:`.drums`: 9 drum classes with Magenta's pitch map; 512 output classes (bitmask of the 9 types);
  input = 9 hit bits + a no-hit bit (``roll_input=True``, depth 10) or the 512-class one-hot (trio).
- :mod:`.melody`: 90 classes (0 no-event, 1 note-off, 2.. = pitches 21..108); monophonic, keeping the
  highest note of polyphony.
- :mod:`.chords`: 49-class triad chord controls (0 = no chord, then 12 roots x 4 qualities).
- trio: melody (90) + bass (90) + drums (512) one-hots concatenated, depth 692.
"""
from __future__ import annotations

from typing import Dict, List, Sequence

import numpy as np

from . import drums, melody

KINDS = ("drums", "melody", "trio")
STEPS_PER_QUARTER = 4
STEPS_PER_BAR = 16

#: Output heads per corpus kind, in tensor order.
HEADS: Dict[str, Sequence[str]] = {"drums": ("drums",), "melody": ("melody",), "trio": ("melody", "bass", "drums")}
HEAD_DEPTHS = {"melody": melody.NUM_CLASSES, "bass": melody.NUM_CLASSES, "drums": drums.NUM_CLASSES}


def one_hot(classes: np.ndarray, depth: int, dtype=np.float32) -> np.ndarray:
    """``[..., ]`` int classes -> ``[..., depth]`` one-hot. Raises if a class is out of range."""
    classes = np.asarray(classes)
    if classes.size and (classes.min() < 0 or classes.max() >= depth):
        raise ValueError(f"class index out of range 0..{depth - 1}: min {classes.min()}, max {classes.max()}")
    out = np.zeros(classes.shape + (depth,), dtype)
    np.put_along_axis(out, classes[..., None].astype(np.int64), 1, axis=-1)
    return out


def encoding_info(kind: str, bars: int, chords: bool = False) -> Dict:
    """The ``encoding`` block of a corpus manifest: everything needed to rebuild inputs and decode."""
    if kind not in KINDS:
        raise ValueError(f"kind={kind!r}: unknown; use one of {', '.join(KINDS)}")
    heads = list(HEADS[kind])
    output_depths = [HEAD_DEPTHS[h] for h in heads]
    drums_input = "roll" if kind == "drums" else "one_hot"
    input_depth = drums.ROLL_INPUT_DEPTH if kind == "drums" else int(sum(output_depths))
    from . import chords as chords_mod

    return {
        "kind": kind,
        "bars": int(bars),
        "steps": int(bars) * STEPS_PER_BAR,
        "steps_per_quarter": STEPS_PER_QUARTER,
        "steps_per_bar": STEPS_PER_BAR,
        "heads": heads,
        "output_depths": output_depths,
        "input_depth": int(input_depth),
        "drums_input": drums_input,
        "control_depth": chords_mod.NUM_CLASSES if chords else 0,
        "melody_min_pitch": melody.MIN_PITCH,
        "melody_max_pitch": melody.MAX_PITCH,
        "drum_pitch_classes": [list(p) for p in drums.DRUM_TYPE_PITCHES],
    }


def inputs_from_targets(encoding: Dict, targets: np.ndarray) -> np.ndarray:
    """Magenta's encoder input ``float32 [N, T, input_depth]`` from stored classes ``[N, T, K]``."""
    targets = np.asarray(targets)
    parts: List[np.ndarray] = []
    for h, head in enumerate(encoding["heads"]):
        classes = targets[..., h]
        if head == "drums" and encoding.get("drums_input") == "roll":
            parts.append(drums.roll_input(classes))
        else:
            parts.append(one_hot(classes, HEAD_DEPTHS[head]))
    return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=-1)
