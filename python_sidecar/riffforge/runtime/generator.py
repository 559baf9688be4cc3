"""The model-backed band generator: a :class:`riffforge.generation.Generator` over MusicVAE bundles.

How a request becomes a riff (all randomness from one seeded ``numpy.random.Generator``):

1. Harmony and feel from the style (:mod:`riffforge.music.styles`): tuning, mode and key (unless the request
   fixes them), tempo across the style's range by intensity, velocity by intensity.
2. Latent code per model: Gaussian noise placed at the bundle's style centroid (pushed ``style_gain`` times
   its distance from the corpus mean) and moved along the bundle's intensity direction by
   ``gain * (intensity - 0.5) * 2`` (``intensity_gain`` = (gain below 0.5, gain above): the calm end moves
   less, since a code pushed far down the direction decodes to near silence, e.g. 4 drum hits in 2 bars
   at gain 3 against 18 at 1.5), decoded at a temperature that rises with intensity
   (``temperature_range``). With ``candidates > 1`` several codes are decoded in one batch and the one whose
   energy (:func:`.control.class_energy`) is closest to the intensity's target (corpus/model deciles stored
   in the bundle; else the candidate at the intensity's rank) is kept.
3. Band coherence. With a ``band`` (trio) bundle, guitar, bass and drums come from one latent code and one
   decoder trained on them playing together. With separate ``guitar``/``bass``/``drums`` bundles the three
   models are decoded together in one loop (:class:`.model.DecodeTogether`) and conditioned on each other:
   the bass decodes the guitar's code (same noise, placed by the bass bundle's own controls), so it follows
   the guitar's contour and root movement, sampling with the guitar's noise (``bass_from="encode"``
   instead encodes the decoded guitar line
   with the bass model); with ``drum_candidates > 1`` the drum candidate whose kicks coincide most with the
   guitar's onsets (and whose energy fits the intensity) wins. All parts share one tempo and key: a trio's
   guitar and bass share one transposition (its harmony is learned jointly); separate guitar and bass models
   are each transposed from their own tonal centre onto the key.
4. Longer requests decode further chunks from slightly perturbed codes; ``interpolate`` morphs two riffs
   along the slerp path between their encodings.
"""
from __future__ import annotations

import math
import random
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from ..generation import Capabilities, RiffRequest, RiffRequestError
from ..music.riff import INSTRUMENTS, PITCH_CLASS_NAMES, STYLES, Riff, RiffError, pitch_class
from .bundle import Bundle
from .control import class_energy, slerp, target_energy
from .model import DecodeTogether, can_decode_together
from .render import (encoder_inputs, follow_shift, key_shift, melody_triples, render_drums, render_melodic, tonal_centre,
                     tracks_to_classes)

HEAD_NAMES = {"band": ("guitar", "bass", "drums"), "drums": ("drums",), "guitar": ("guitar",), "bass": ("bass",)}
_SEED_RANGE = 2 ** 31 - 1


class ModelGenerator:
    """Generates band riffs from one ``band`` bundle, or from ``guitar``/``bass``/``drums`` bundles."""

    def __init__(self, bundles: Sequence[Bundle], candidates: int = 1, latent_noise: float = 0.8,
                 intensity_gain: Union[float, Tuple[float, float]] = (1.5, 3.0), temperature_range: Tuple[float, float] = (0.1, 0.8),
                 style_gain: float = 3.0, bass_from: str = "code", drum_candidates: int = 1):
        if not bundles:
            raise ValueError("ModelGenerator needs at least one bundle")
        self.bundles = list(bundles)
        by_role: Dict[str, Bundle] = {}
        for b in self.bundles:
            by_role.setdefault(b.role, b)
        self.band = by_role.get("band")
        self.parts = {r: by_role[r] for r in ("guitar", "bass", "drums") if r in by_role}
        if self.band is None and not self.parts:
            raise ValueError("no usable bundle roles")
        self.candidates = max(1, int(candidates))
        self.latent_noise = float(latent_noise)
        lo_hi = (intensity_gain, intensity_gain) if isinstance(intensity_gain, (int, float)) else intensity_gain
        self.intensity_gain = (float(lo_hi[0]), float(lo_hi[1]))
        self.style_gain = float(style_gain)
        if bass_from not in ("code", "encode"):
            raise ValueError(f"bass_from={bass_from!r}: use 'code' (bass decodes the guitar's latent code, fast) "
                             "or 'encode' (bass model encodes the decoded guitar line)")
        self.bass_from = bass_from
        self.drum_candidates = max(1, int(drum_candidates))
        self._cache: Dict = {}
        self.temperature_range = (float(temperature_range[0]), float(temperature_range[1]))
        self.model_id = "+".join(b.model_id for b in ([self.band] if self.band else list(self.parts.values())))

    # ------------------------------------------------------------------------------------ protocol
    def capabilities(self) -> Capabilities:
        instruments = INSTRUMENTS if self.band else tuple(i for i in INSTRUMENTS if i in self.parts or
                                                          (i == "bass" and "guitar" in self.parts))
        return Capabilities(model_ids=tuple(b.model_id for b in self.bundles), styles=STYLES,
                            instruments=instruments,
                            extra={"kind": "musicvae", "band_model": bool(self.band),
                                   "bundles": {b.model_id: {"role": b.role, "config": b.config.name}
                                               for b in self.bundles}})

    def generate(self, request: RiffRequest) -> Riff:
        if not isinstance(request, RiffRequest):
            raise RiffRequestError(f"request={request!r}: pass a riffforge.generation.RiffRequest")
        request.validate()
        seed = random.SystemRandom().randrange(_SEED_RANGE) if request.seed is None else int(request.seed)
        feel = _feel(request, seed)
        rng = np.random.default_rng([seed, STYLES.index(request.style)])
        x = float(request.intensity)
        t_lo, t_hi = self.temperature_range
        temperature = float(request.temperature) if request.temperature else t_lo + (t_hi - t_lo) * x
        if self.band is not None:
            heads = self._decode_unit(self.band, request, x, temperature, rng)
        else:
            heads = self._decode_parts(request, x, temperature, rng)
        tracks = self._render(heads, feel, x, request.bars, separate_keys=self.band is None)
        tracks = {k: v for k, v in tracks.items() if k in request.instruments}
        return Riff(tempo=feel["tempo"], bars=request.bars, key=feel["key"], mode=feel["mode"], style=request.style,
                    intensity=x, seed=seed, tracks=tracks, model_id=self.model_id, tuning=feel["tuning"])

    # ------------------------------------------------------------------------------------ decoding
    def _latents(self, bundle: Bundle, style: str, x: float, n: int, rng: np.random.Generator,
                 noise: Optional[np.ndarray] = None) -> np.ndarray:
        """Codes for ``bundle``: ``noise`` (default: fresh Gaussian) placed at the style centroid and moved
        along the bundle's intensity direction."""
        zs = bundle.config.z_size
        base = bundle.controls.get("style/" + style)
        if noise is None:
            noise = rng.standard_normal((n, zs)).astype(np.float32) * self.latent_noise
        z = np.array(noise, np.float32)
        if base is not None:  # move from the corpus mean towards (and past) the style centroid
            mean = bundle.controls.get("latent_mean", np.zeros_like(base))
            z += mean + self.style_gain * (base - mean)
        direction = bundle.controls.get("intensity_direction")
        if direction is not None:
            z += (x - 0.5) * 2.0 * self.intensity_gain[x >= 0.5] * direction
        return z

    def _pick(self, bundle: Bundle, classes: np.ndarray, heads: Sequence[str], x: float,
              bonus: Optional[np.ndarray] = None) -> int:
        if len(classes) == 1:  # one candidate: nothing to choose
            return 0
        energy = class_energy(classes, heads)
        target = target_energy(bundle.controls.get("energy_quantiles"), x)
        if target is None:  # rank within the candidates
            ranks = np.empty(len(energy))
            ranks[np.argsort(energy, kind="stable")] = np.arange(len(energy))
            cost = np.abs(ranks - x * (len(energy) - 1))
        else:
            spread = float(np.ptp(bundle.controls["energy_quantiles"])) or 1.0
            cost = np.abs(energy - target) / spread * 10.0
        if bonus is not None:
            cost = cost - bonus
        return int(np.argmin(cost))

    def _chunks(self, bundle: Bundle, request: RiffRequest, x: float, temperature: float,
                rng: np.random.Generator, bonus_fn=None) -> np.ndarray:
        """Classes [bars*16, heads] for ``bundle``: best of ``candidates`` first chunk, then variations."""
        cfg = bundle.config
        heads = HEAD_NAMES[bundle.role]
        z = self._latents(bundle, request.style, x, self.candidates, rng)
        res = bundle.model.decode(z, temperature=temperature, rng=rng)
        bonus = bonus_fn(res.classes) if bonus_fn is not None else None
        best = self._pick(bundle, res.classes, heads, x, bonus)
        parts = [res.classes[best]]
        n_chunks = math.ceil(request.bars / cfg.bars)
        if n_chunks > 1:
            alt = self._latents(bundle, request.style, x, n_chunks - 1, rng)
            zs = np.stack([slerp(z[best], alt[k], 0.2) for k in range(n_chunks - 1)])
            more = bundle.model.decode(zs, temperature=temperature, rng=rng)
            parts.extend(more.classes[k] for k in range(n_chunks - 1))
        return np.concatenate(parts, axis=0)[: request.bars * 16]

    def _decode_unit(self, bundle: Bundle, request, x, temperature, rng) -> Dict[str, np.ndarray]:
        classes = self._chunks(bundle, request, x, temperature, rng)
        return {name: classes[:, h] for h, name in enumerate(HEAD_NAMES[bundle.role])}

    def _together(self, n_drums: int):
        """A cached :class:`DecodeTogether` over guitar, bass and ``n_drums`` drum rows, or None."""
        if not all(r in self.parts for r in ("guitar", "bass", "drums")):
            return None
        key = ("together", n_drums)
        if key not in self._cache:
            models = [self.parts["guitar"].model, self.parts["bass"].model] + [self.parts["drums"].model] * n_drums
            self._cache[key] = DecodeTogether(models) if can_decode_together(models) else None
        return self._cache[key]

    def _decode_parts_together(self, dt_first, request, x, temperature, rng) -> Dict[str, np.ndarray]:
        """Guitar, bass and drums models decoded in one loop. The bass decodes the guitar's code (the same
        noise, placed by the bass bundle's own style/intensity controls), so it follows the guitar's contour
        and root movement; among the drum candidates the one closest to the intensity's energy whose kicks
        coincide most with the guitar's onsets wins."""
        g, b, d = self.parts["guitar"], self.parts["bass"], self.parts["drums"]
        n_drums = dt_first.models.__len__() - 2
        zsize = g.config.z_size
        noise_gb = rng.standard_normal((1, zsize)).astype(np.float32) * self.latent_noise
        noise_d = rng.standard_normal((n_drums, zsize)).astype(np.float32) * self.latent_noise
        z = np.stack([self._latents(g, request.style, x, 1, rng, noise_gb),
                      self._latents(b, request.style, x, 1, rng, noise_gb)]
                     + [self._latents(d, request.style, x, 1, rng, noise_d[j:j + 1]) for j in range(n_drums)])
        # the bass samples with the guitar's noise: where the two models agree, they make the same choices
        res = dt_first.decode(z, [temperature] * (2 + n_drums), rng, shared_noise={1: 0}).classes[0]
        onsets = res[:, 0] >= 2
        drum_cands = res[:, 2:].T[:, :, None]                                        # [n_drums, T, 1]
        kicks = (drum_cands[:, :, 0] & 1) > 0
        bonus = 2.0 * (kicks & onsets[None]).sum(1) / max(1, onsets.sum())
        best = self._pick(d, drum_cands, ("drums",), x, bonus)
        parts = [np.stack([res[:, 0], res[:, 1], res[:, 2 + best]], axis=1)]
        n_chunks = math.ceil(request.bars / g.config.bars)
        if n_chunks > 1:
            dt_one = self._together(1)
            for _ in range(n_chunks - 1):
                fresh = rng.standard_normal((2, zsize)).astype(np.float32) * self.latent_noise
                ngb = slerp(noise_gb[0], fresh[0], 0.2)[None]
                nd = slerp(noise_d[best], fresh[1], 0.2)[None]
                zc = np.stack([self._latents(g, request.style, x, 1, rng, ngb),
                               self._latents(b, request.style, x, 1, rng, ngb),
                               self._latents(d, request.style, x, 1, rng, nd)])
                parts.append(dt_one.decode(zc, [temperature] * 3, rng, shared_noise={1: 0}).classes[0])
        classes = np.concatenate(parts, axis=0)[: request.bars * 16]
        return {"guitar": classes[:, 0], "bass": classes[:, 1], "drums": classes[:, 2]}

    def _decode_parts(self, request, x, temperature, rng) -> Dict[str, np.ndarray]:
        dt = self._together(max(self.drum_candidates, self.candidates)) if self.bass_from == "code" else None
        if dt is not None and self._together(1) is not None:
            return self._decode_parts_together(dt, request, x, temperature, rng)
        out: Dict[str, np.ndarray] = {}
        if "guitar" in self.parts:
            out["guitar"] = self._chunks(self.parts["guitar"], request, x, temperature, rng)[:, 0]
        if "bass" in self.parts:
            bass = self.parts["bass"]
            if "guitar" in out and bass.config.encoding == "melody":
                # conditioned: the bass model encodes the guitar line and decodes from that code
                steps = bass.config.max_seq_len
                lines = []
                for start in range(0, len(out["guitar"]), steps):
                    seg = np.zeros((steps, 1), np.int64)
                    chunk = out["guitar"][start:start + steps]
                    seg[: len(chunk), 0] = chunk
                    mu, _ = bass.model.encode(encoder_inputs(seg, "melody")[None])
                    lines.append(bass.model.decode(mu, temperature=max(1e-5, temperature * 0.5), rng=rng).classes[0, :, 0])
                out["bass"] = np.concatenate(lines)[: len(out["guitar"])]
            else:
                out["bass"] = self._chunks(bass, request, x, temperature, rng)[:, 0]
        if "drums" in self.parts:
            guitar_onsets = (out["guitar"] >= 2) if "guitar" in out else None

            def sync_bonus(classes: np.ndarray) -> Optional[np.ndarray]:
                if guitar_onsets is None:
                    return None
                g = guitar_onsets[: classes.shape[1]]
                kicks = (classes[:, : len(g), 0] & 1) > 0
                both = (kicks & g[None]).sum(1)
                return 2.0 * both / max(1, g.sum())

            out["drums"] = self._chunks(self.parts["drums"], request, x, temperature, rng, sync_bonus)[:, 0]
        return out

    # ------------------------------------------------------------------------------------ rendering
    def _render(self, heads: Dict[str, np.ndarray], feel: Dict, x: float, bars: int,
                shift: Optional[int] = None, separate_keys: bool = False) -> Dict[str, List]:
        from ..music.theory import get_tuning

        tuning = get_tuning(feel["tuning"])
        key_pc = pitch_class(feel["key"])
        velocity = int(round(62 + 58 * x))
        tracks: Dict[str, List] = {}
        triples = {k: melody_triples(v) for k, v in heads.items() if k in ("guitar", "bass")}
        if shift is None:
            ref = triples.get("guitar") or triples.get("bass") or []
            shift = key_shift(tonal_centre(ref), key_pc)
        if "guitar" in triples:
            tracks["guitar"] = render_melodic(triples["guitar"], shift, tuning.lowest, tuning.highest,
                                              tuning.lowest + (key_pc - tuning.lowest) % 12, velocity, True)
        if triples.get("bass"):
            bass_triples = triples["bass"]
        elif triples.get("guitar"):  # no bass model, or it decoded only rests: the bass doubles the guitar
            bass_triples = triples["guitar"]
        else:
            bass_triples = []
        bass_shift = shift
        if separate_keys and triples.get("bass"):
            # separate bass model: its own tonal centre goes onto the key, or, with a guitar, the shift
            # whose beat notes land on the guitar's roots (its notes are its own; its register follows)
            bass_shift = key_shift(tonal_centre(triples["bass"]), key_pc)
            if triples.get("guitar"):
                bass_shift = follow_shift(triples["guitar"], shift, triples["bass"], bass_shift, bars * 16)
        if bass_triples:
            tracks["bass"] = render_melodic(bass_triples, bass_shift, tuning.bass_lowest, tuning.bass_highest,
                                            tuning.bass_lowest + (key_pc - tuning.bass_lowest) % 12,
                                            max(1, velocity - 6), False)
        if "drums" in heads:
            tracks["drums"] = render_drums(heads["drums"], velocity)
        total = bars * 16
        return {k: [n for n in v if n.start < total] for k, v in tracks.items()}

    # ------------------------------------------------------------------------------------ morphing
    def interpolate(self, riff_a: Riff, riff_b: Riff, steps: int, temperature: float = 1e-5) -> List[Riff]:
        """``steps`` riffs morphing from ``riff_a`` to ``riff_b`` (both ends are reconstructions).

        Each model encodes both riffs (its instruments, first ``config.bars`` bars); the codes are
        interpolated by slerp and decoded greedily; tempo, intensity and velocity move linearly; the key
        switches at the midpoint. Pitches are decoded as encoded (no re-transposition).
        """
        if steps < 2:
            raise RiffRequestError(f"steps={steps!r}: need at least 2 (the two end points)")
        units = [self.band] if self.band is not None else list(self.parts.values())
        decoded: List[Dict[str, np.ndarray]] = [dict() for _ in range(steps)]
        ts = np.linspace(0.0, 1.0, steps)
        for bundle in units:
            heads = HEAD_NAMES[bundle.role]
            T = bundle.config.max_seq_len
            mus = []
            for riff in (riff_a, riff_b):
                cls = tracks_to_classes(riff.tracks, heads, T)
                mu, _ = bundle.model.encode(encoder_inputs(cls, bundle.config.encoding)[None])
                mus.append(mu[0])
            z = np.stack([slerp(mus[0], mus[1], float(t)) for t in ts])
            res = bundle.model.decode(z, temperature=temperature, rng=np.random.default_rng(0))
            for i in range(steps):
                for h, name in enumerate(heads):
                    decoded[i][name] = res.classes[i, :, h]
        bars = min(riff_a.bars, riff_b.bars, min(u.config.bars for u in units))
        out = []
        for i, t in enumerate(ts):
            src = riff_a if t < 0.5 else riff_b
            x = float((1 - t) * riff_a.intensity + t * riff_b.intensity)
            feel = {"tempo": float(round((1 - t) * riff_a.tempo + t * riff_b.tempo, 2)), "key": src.key,
                    "mode": src.mode, "tuning": src.tuning}
            tracks = self._render(decoded[i], feel, x, bars, shift=0)
            out.append(Riff(tempo=feel["tempo"], bars=bars, key=src.key, mode=src.mode, style=src.style,
                            intensity=x, seed=src.seed, tracks=tracks, model_id=self.model_id, tuning=src.tuning))
        return out


def classes_to_riff(classes: np.ndarray, role: str, tempo: float = 120.0) -> Riff:
    """A riff from decoded classes [T, heads] of a ``role`` bundle, rendered in E aeolian at ``tempo``
    (used at export to score the model's samples with :func:`riffforge.metrics.energy`)."""
    heads = {name: classes[:, h] for h, name in enumerate(HEAD_NAMES[role])}
    bars = max(1, classes.shape[0] // 16)
    feel = {"tuning": "E standard", "key": "E", "mode": "aeolian", "tempo": tempo}
    gen = ModelGenerator.__new__(ModelGenerator)
    tracks = gen._render(heads, feel, 0.5, bars)
    return Riff(tempo=tempo, bars=bars, key="E", mode="aeolian", style="thrash", intensity=0.5, seed=0,
                tracks=tracks, model_id="calibration", tuning="E standard")


def _feel(request: RiffRequest, seed: int) -> Dict:
    """Tuning, mode, key and tempo for a request (style vocabularies; request fields win)."""
    from ..music.styles import STYLE_SPECS, weighted
    from ..music.theory import TUNINGS, get_mode

    spec = STYLE_SPECS[request.style]
    r = random.Random(f"riffforge-model/{request.style}/{seed}")
    tuning = weighted(spec.tunings, r)
    mode = request.mode or weighted(spec.modes, r)
    try:
        get_mode(mode)
    except RiffError as exc:
        raise RiffRequestError(str(exc)) from None
    key = request.key or PITCH_CLASS_NAMES[TUNINGS[tuning].lowest % 12]
    lo, hi = spec.tempo
    x = float(request.intensity)
    if request.tempo is None:
        pos = min(1.0, max(0.0, 0.06 + 0.88 * x + (r.random() - 0.5) * 0.1))
        tempo = float(round(lo + (hi - lo) * pos))
    else:
        tempo = float(request.tempo)
    return {"tuning": tuning, "mode": mode, "key": key, "tempo": tempo}
