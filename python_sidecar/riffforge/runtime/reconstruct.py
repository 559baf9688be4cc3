"""How well the models hear a riff: encode it with each bundle's encoder, decode the codes greedily, compare.

:func:`reconstruct` cuts the riff into the bundles' windows (2 bars for the shipped ones), encodes every
window to its latent mean, decodes that greedily and renders the classes back into notes at the riff's
own pitches (as :meth:`ModelGenerator.interpolate` does). A guitar-conditioned bass gets the *input*
guitar's root line as its control, so its score is the bass model's alone. The score per instrument is
MusicVAE's reconstruction accuracy: the share of 16th steps whose decoded class (melody: onset pitch,
hold or note-off; drums: the 9-piece kit combination) equals the input's; ``onset_accuracy`` is the same
over the steps where the input plays a note or a hit only (a mostly silent line otherwise scores high for
decoding silence). The guitar model hears the root line (lowest note of each onset), so that is what the
guitar is scored on; its chords are re-voiced when rendered.

:func:`model_input` makes a riff read from any MIDI file usable by the renderer: a file without riffforge's
metadata has no style, mode or known tuning, so it gets ``style``, the aeolian mode on the tonal centre of
its guitar (else bass) line and E standard.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Dict, List, Sequence

import numpy as np

from ..music.riff import INSTRUMENTS, PITCH_CLASS_NAMES, STYLES, Riff
from .generator import HEAD_NAMES, ModelGenerator
from .render import encoder_inputs, melody_triples, root_controls, tonal_centre, tracks_to_classes

#: Sampling temperature of a greedy decode (the argmax at every step).
GREEDY = 1e-5


@dataclass
class Reconstruction:
    """The decoded riff and, per instrument of the input, its step accuracy and onset accuracy (0..1)."""

    riff: Riff
    accuracy: Dict[str, float]
    onset_accuracy: Dict[str, float]
    onsets: Dict[str, int]
    steps: int


def model_input(riff: Riff, style: str = "thrash") -> Riff:
    """``riff`` with a known style, mode and tuning (see the module docstring); riffforge's own files keep theirs."""
    from ..music.theory import MODES, TUNINGS

    changes = {}
    if riff.style not in STYLES:
        changes["style"] = style
    if riff.mode not in MODES:
        line = "guitar" if riff.notes("guitar") else "bass"
        classes = tracks_to_classes(riff.tracks, (line,), riff.total_steps)[:, 0]
        centre = tonal_centre(melody_triples(classes))
        changes["key"] = PITCH_CLASS_NAMES[centre if centre is not None else 4]
        changes["mode"] = "aeolian"
    if riff.tuning not in TUNINGS:
        changes["tuning"] = "E standard"
    return dataclasses.replace(riff, **changes) if changes else riff


def modelled_instruments(generator: ModelGenerator) -> List[str]:
    """The instruments ``generator``'s bundles model (guitar, bass, drums order)."""
    covered = set(HEAD_NAMES["band"]) if generator.band is not None else set(generator.parts)
    return [i for i in INSTRUMENTS if i in covered]


def playable_instruments(generator: ModelGenerator, riff: Riff) -> List[str]:
    """The instruments ``riff`` has notes for that ``generator``'s bundles model."""
    return [i for i in modelled_instruments(generator) if riff.notes(i)]


def _onsets(classes: np.ndarray, instrument: str) -> np.ndarray:
    return classes != 0 if instrument == "drums" else classes >= 2


def reconstruct(generator: ModelGenerator, riff: Riff, temperature: float = GREEDY) -> Reconstruction:
    """Encode ``riff`` window by window with every bundle, decode greedily, render, score (module docstring).

    Raises ValueError when the riff has no notes for any instrument the bundles model."""
    instruments = playable_instruments(generator, riff)
    if not instruments:
        raise ValueError(f"no notes for any instrument the models play ({', '.join(modelled_instruments(generator))})")
    units = [generator.band] if generator.band is not None else list(generator.parts.values())
    total = riff.total_steps
    decoded: Dict[str, np.ndarray] = {}
    truth: Dict[str, np.ndarray] = {}
    for bundle in units:
        heads = HEAD_NAMES[bundle.role]
        if not any(h in instruments for h in heads):
            continue
        T = bundle.config.max_seq_len
        n = math.ceil(total / T)
        classes = tracks_to_classes(riff.tracks, heads, n * T)               # [n*T, heads]
        windows = classes.reshape(n, T, len(heads))
        inputs = np.stack([encoder_inputs(w, bundle.config.encoding) for w in windows])
        controls = None
        if bundle.config.control_depth > 0:  # a guitar-conditioned bass hears the input guitar's root line
            guitar = tracks_to_classes(riff.tracks, ("guitar",), n * T)[:, 0].reshape(n, T)
            controls = np.stack([root_controls(g, bundle.config.control_depth) for g in guitar])
            inputs = np.concatenate([inputs, controls], axis=-1)
        mu, _ = bundle.model.encode(inputs.astype(np.float32))
        res = bundle.model.decode(mu, temperature=temperature, rng=np.random.default_rng(0), controls=controls)
        for h, name in enumerate(heads):
            decoded[name] = res.classes[:, :, h].reshape(-1)[:total]
            truth[name] = classes[:total, h]
    accuracy, onset_accuracy, onsets = {}, {}, {}
    for name in instruments:
        hits = _onsets(truth[name], name)
        accuracy[name] = float(np.mean(decoded[name] == truth[name]))
        onsets[name] = int(hits.sum())
        onset_accuracy[name] = float(np.mean(decoded[name][hits] == truth[name][hits])) if hits.any() else 1.0
    bars16 = math.ceil(total / 16)
    feel = {"tempo": riff.tempo, "key": riff.key, "mode": riff.mode, "tuning": riff.tuning}
    heads = {k: v for k, v in decoded.items() if k in instruments}
    tracks = generator._render(heads, feel, float(riff.intensity), bars16, shift=0, style=riff.style)
    tracks = {k: [n for n in v if n.start < total] for k, v in tracks.items() if k in instruments}
    out = dataclasses.replace(riff, tracks=tracks, model_id=generator.model_id)
    return Reconstruction(riff=out, accuracy=accuracy, onset_accuracy=onset_accuracy, onsets=onsets, steps=total)


__all__: Sequence[str] = ("GREEDY", "Reconstruction", "model_input", "modelled_instruments", "playable_instruments",
                          "reconstruct")
