"""The model-backed band generator: a :class:`riffforge.generation.Generator` over MusicVAE bundles.

How a request becomes a riff (all randomness from one seeded ``numpy.random.Generator``; with
``noise="portable"`` from the SplitMix64 streams of :mod:`.portable`, which the in-engine C# generator
``RiffForge.Engine.EngineGenerator`` draws identically, so it generates the same riff from the seed):

1. Harmony and feel from the style (:mod:`riffforge.music.styles`): tuning, mode and key (unless the request
   fixes them), tempo across the style's range by intensity, velocity by intensity.
2. Latent code per model: Gaussian noise placed at the bundle's style centroid (pushed ``style_gain`` times
   its distance from the corpus mean) and moved along the style's own intensity direction (the corpus-wide
   one for bundles without per-style controls) by
   ``gain * (intensity - 0.5) * 2`` (``intensity_gain`` = (gain below 0.5, gain above): the calm end moves
   less, since a code pushed far down the direction decodes to near silence, e.g. 4 drum hits in 2 bars
   at gain 3 against 18 at 1.5), decoded at a temperature that rises with intensity
   (``temperature_range``). With ``candidates > 1`` several codes are decoded in one batch and the one whose
   energy (:func:`.control.class_energy`) is closest to the intensity's target (corpus/model deciles stored
   in the bundle; else the candidate at the intensity's rank) is kept.
3. Band coherence. With a ``band`` (trio) bundle, guitar, bass and drums come from one latent code and one
   decoder trained on them playing together. With separate ``guitar``/``bass``/``drums`` bundles the guitar
   and drums models are decoded together in one loop (:class:`.model.DecodeTogether`); the guitar model
   plays the riff's root line, voiced per style at rendering (:func:`.render.render_guitar`). A
   guitar-conditioned bass (a chord-control config such as ``bass-chords_2bar``) decodes with the guitar's
   root per step as its control (:func:`.render.root_controls`), in the guitar's pitch space, so it
   doubles the guitar's roots and moves with it; an unconditioned bass decodes the guitar's code (same
   noise, placed by the bass bundle's own controls) with the guitar's sampling noise (``bass_from="encode"``
   instead encodes the decoded guitar line with the bass model). Among ``drum_candidates`` drum candidates
   the one whose kicks lock to the guitar's onsets, whose energy fits the intensity and which keeps the
   style's vocabulary (no blast bars outside death and black) wins. All parts share one tempo and key.
4. Phrases: a request longer than one chunk (2 bars) is a phrase (:func:`phrase_plan`): the chosen figure,
   variations decoded from codes near it (the figure's first bar repeated, its second bar answered), and a
   turnaround at the end; the drums keep their groove and vary the last bar. ``interpolate`` morphs two
   riffs along the slerp path between their encodings.
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
from .portable import (FEEL_STREAM, REQUEST_STREAM, VOICING_STREAM, portable_slerp, request_stream,
                       sequential_norm)
from .render import (encoder_inputs, follow_shift, key_shift, melody_triples, render_drums, render_guitar,
                     render_melodic, root_controls, tonal_centre, tracks_to_classes)

HEAD_NAMES = {"band": ("guitar", "bass", "drums"), "drums": ("drums",), "guitar": ("guitar",), "bass": ("bass",)}
_SEED_RANGE = 2 ** 31 - 1


class ModelGenerator:
    """Generates band riffs from one ``band`` bundle, or from ``guitar``/``bass``/``drums`` bundles."""

    def __init__(self, bundles: Sequence[Bundle], candidates: int = 3, latent_noise: float = 0.8,
                 intensity_gain: Union[float, Tuple[float, float]] = (1.5, 3.0), temperature_range: Tuple[float, float] = (0.1, 0.8),
                 style_gain: float = 3.0, bass_from: str = "code", drum_candidates: int = 2,
                 noise: str = "numpy"):
        """``noise="portable"`` draws every random number of a request from :class:`.portable.PortableRandom`
        streams (the in-engine C# generator draws the same ones, so it generates the same riff from a
        seed); the default ``"numpy"`` draws from NumPy's ``Generator`` and ``random.Random``."""
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
        if noise not in ("numpy", "portable"):
            raise ValueError(f"noise={noise!r}: use 'numpy' (NumPy's generator, the default) or 'portable' "
                             "(the SplitMix64 stream the in-engine C# runtime draws identically)")
        self.noise = noise
        self._cache: Dict = {}
        self.temperature_range = (float(temperature_range[0]), float(temperature_range[1]))
        self.model_id = "+".join(b.model_id for b in ([self.band] if self.band else list(self.parts.values())))

    # ------------------------------------------------------------------------------------ protocol
    def capabilities(self) -> Capabilities:
        instruments = INSTRUMENTS if self.band else tuple(i for i in INSTRUMENTS if i in self.parts or
                                                          (i == "bass" and "guitar" in self.parts))
        # every style may be asked for (tuning, key and tempo come from the style); the models steer towards
        # a style only where each bundle in use has its centroid; the others decode from the prior
        playing = [self.band] if self.band else list(self.parts.values())
        unsteered = tuple(s for s in STYLES if any(s not in b.styles for b in playing))
        return Capabilities(model_ids=tuple(b.model_id for b in self.bundles), styles=STYLES,
                            instruments=instruments, unsteered_styles=unsteered,
                            extra={"kind": "musicvae", "band_model": bool(self.band),
                                   "bundles": {b.model_id: {"role": b.role, "config": b.config.name,
                                                            "styles": list(b.styles)}
                                               for b in self.bundles}})

    def generate(self, request: RiffRequest) -> Riff:
        if not isinstance(request, RiffRequest):
            raise RiffRequestError(f"request={request!r}: pass a riffforge.generation.RiffRequest")
        request.validate()
        seed = random.SystemRandom().randrange(_SEED_RANGE) if request.seed is None else int(request.seed)
        style_index = STYLES.index(request.style)
        if self.noise == "portable":
            # three streams per request (see riffforge.runtime.portable.request_stream); the voicing and the
            # feel draw from their own, as the NumPy path below does
            feel = _feel(request, seed, request_stream(seed, style_index, FEEL_STREAM))
            rng = request_stream(seed, style_index, REQUEST_STREAM)
            voicing_rng = request_stream(seed, style_index, VOICING_STREAM)
        else:
            feel = _feel(request, seed)
            rng = np.random.default_rng([seed, style_index])
            voicing_rng = np.random.default_rng([seed, style_index, 1])
        x = float(request.intensity)
        t_lo, t_hi = self.temperature_range
        temperature = float(request.temperature) if request.temperature else t_lo + (t_hi - t_lo) * x
        if self.band is not None:
            heads = self._decode_unit(self.band, request, x, temperature, rng)
        else:
            heads = self._decode_parts(request, x, temperature, rng)
        tracks = self._render(heads, feel, x, request.bars, separate_keys=self.band is None,
                              bass_follows=self.band is None and self._bass_conditioned(),
                              voicing_rng=voicing_rng,
                              style=request.style)
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
        # the style's own intensity axis where the bundle has one: moving up the corpus-wide axis would
        # pull every style towards the most intense one (thrash towards death's blasts)
        direction = self._axis(bundle, style)
        if direction is not None:
            z += (x - 0.5) * 2.0 * self.intensity_gain[x >= 0.5] * direction
        return z

    def _axis(self, bundle: Bundle, style: str) -> Optional[np.ndarray]:
        """The intensity axis for ``style``: the style's own direction (else the corpus-wide one). A drum
        bundle's style axes are stretched to the length of its longest style axis, so every style's drums
        climb their whole vocabulary over 0..1 (a short axis, groove's, otherwise never reaches the style's
        double-bass bars, and its energy barely follows the intensity)."""
        key = ("axis", bundle.model_id, style)
        if key not in self._cache:
            own = bundle.controls.get("intensity_direction/" + style)
            direction = own if own is not None else bundle.controls.get("intensity_direction")
            if own is not None and bundle.role == "drums":
                # the portable stream's generator sums left to right, so C# computes the same scale
                norm = sequential_norm if self.noise == "portable" else (lambda v: float(np.linalg.norm(v)))
                longest = max(norm(v) for k, v in bundle.controls.items() if k.startswith("intensity_direction/"))
                direction = own * np.float32(longest / max(norm(own), 1e-6))
            self._cache[key] = direction
        return self._cache[key]

    def _pick(self, bundle: Bundle, classes: np.ndarray, heads: Sequence[str], x: float,
              bonus: Optional[np.ndarray] = None, style: Optional[str] = None) -> int:
        if len(classes) == 1:  # one candidate: nothing to choose
            return 0
        energy = class_energy(classes, heads)
        quantiles = bundle.controls.get(f"energy_quantiles/{style}", bundle.controls.get("energy_quantiles"))
        target = target_energy(quantiles, x)
        if target is None:  # rank within the candidates
            ranks = np.empty(len(energy))
            ranks[np.argsort(energy, kind="stable")] = np.arange(len(energy))
            cost = np.abs(ranks - x * (len(energy) - 1))
        else:
            spread = float(np.ptp(quantiles)) or 1.0
            cost = np.abs(energy - target) / spread * 10.0
        if bonus is not None:
            cost = cost - bonus
        return int(np.argmin(cost))

    def _variation_noise(self, noise: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` codes' noise near ``noise`` [z]: the variations of a phrase (later ones move further)."""
        fresh = rng.standard_normal((n, noise.shape[-1])).astype(np.float32) * self.latent_noise
        path = portable_slerp if self.noise == "portable" else slerp
        return np.stack([path(noise, fresh[k], PHRASE_VARIATION[min(k, len(PHRASE_VARIATION) - 1)])
                         for k in range(n)]).astype(np.float32)

    def _chunks(self, bundle: Bundle, request: RiffRequest, x: float, temperature: float,
                rng: np.random.Generator, bonus_fn=None) -> np.ndarray:
        """Classes [bars*16, heads] for ``bundle``: best of ``candidates`` as the phrase's figure, then its
        variations arranged by :func:`phrase_plan`."""
        heads = HEAD_NAMES[bundle.role]
        z = self._latents(bundle, request.style, x, self.candidates, rng)
        res = bundle.model.decode(z, temperature=temperature, rng=rng)
        bonus = bonus_fn(res.classes) if bonus_fn is not None else None
        bonus = self._vocabulary_bonus(request.style, res.classes, heads, bonus)
        best = self._pick(bundle, res.classes, heads, x, bonus, request.style)
        chunks = [res.classes[best]]
        n_chunks = math.ceil(request.bars / bundle.config.bars)
        if n_chunks > 1:
            offset = self._latents(bundle, request.style, x, 1, rng, np.zeros((1, z.shape[1]), np.float32))[0]
            more = offset + self._variation_noise(z[best] - offset, n_chunks - 1, rng)
            chunks.extend(bundle.model.decode(more, temperature=temperature, rng=rng).classes)
        plan = phrase_plan(n_chunks, rng)
        return np.stack([compose([c[:, h] for c in chunks], plan, drums=(name == "drums"))
                         for h, name in enumerate(heads)], axis=1)[: request.bars * 16]

    def _decode_unit(self, bundle: Bundle, request, x, temperature, rng) -> Dict[str, np.ndarray]:
        classes = self._chunks(bundle, request, x, temperature, rng)
        return {name: classes[:, h] for h, name in enumerate(HEAD_NAMES[bundle.role])}

    def _vocabulary_bonus(self, style: str, classes: np.ndarray, heads: Sequence[str],
                          bonus: Optional[np.ndarray]) -> Optional[np.ndarray]:
        """Candidate bonus that keeps the style's drum vocabulary: a candidate with a blast bar loses in a
        style that has no blast beats (thrash, groove, doom, djent; see :data:`BLAST_STYLES`)."""
        if "drums" not in heads or style in BLAST_STYLES or len(classes) == 1:
            return bonus
        blasts = blast_bar_counts(classes[:, :, list(heads).index("drums")])
        penalty = -5.0 * (blasts > 0)
        return penalty if bonus is None else bonus + penalty

    def _keep_vocabulary(self, bundle: Bundle, style: str, x: float, temperature: float,
                         rng: np.random.Generator, drums: np.ndarray, noise: np.ndarray) -> np.ndarray:
        """``drums`` [T], or, when it has a blast bar in a style without blasts, a decode of the same noise a
        little lower on the style's intensity axis (at most two tries; intensity only ever moves down)."""
        if style in BLAST_STYLES or not blast_bar_counts(drums[None])[0]:
            return drums
        for lower in (x - 0.2, x - 0.4):
            z = self._latents(bundle, style, max(0.0, lower), 1, rng, noise[None])
            again = bundle.model.decode(z, temperature=temperature, rng=rng).classes[0, :, 0]
            if not blast_bar_counts(again[None])[0]:
                return again
        return drums

    def _together(self, roles: Tuple[str, ...], n_drums: int):
        """A cached :class:`DecodeTogether` over the ``roles`` models and ``n_drums`` drum rows, or None."""
        key = ("together", roles, n_drums)
        if key not in self._cache:
            models = [self.parts[r].model for r in roles] + [self.parts["drums"].model] * n_drums
            self._cache[key] = DecodeTogether(models) if can_decode_together(models) else None
        return self._cache[key]

    def _bass_conditioned(self) -> bool:
        """Whether the bass bundle is conditioned on the guitar's root line (a chord-control config)."""
        bass = self.parts.get("bass")
        return bass is not None and bass.config.control_depth > 0

    def _decode_parts_together(self, request, x, temperature, rng) -> Optional[Dict[str, np.ndarray]]:
        """Guitar, (bass,) and drums models decoded in one loop; None when they cannot be.

        The guitar's code decides the riff. A guitar-conditioned bass (``bass-chords_2bar``) then decodes
        with the guitar's root line as its per-step control, so it doubles the guitar's roots and starts with
        its notes as a bassist does; an unconditioned bass decodes the guitar's code (the same noise, placed
        by the bass bundle's own controls) with the guitar's sampling noise, so where the two models agree
        they make the same choices. Among the drum candidates, the one closest to the intensity's energy
        whose kicks lock to the guitar's onsets, in the style's vocabulary, wins. Riffs longer than one
        chunk are phrases (:func:`phrase_plan`)."""
        if not all(r in self.parts for r in ("guitar", "drums")):
            return None
        conditioned = self._bass_conditioned()
        melodic = ("guitar",) if conditioned or "bass" not in self.parts else ("guitar", "bass")
        # guitar candidates (the one whose energy fits the style's intensity wins) where no bass shares its noise
        n_guitar = max(1, self.candidates) if len(melodic) == 1 else 1
        n_drums = self.drum_candidates
        roles = ("guitar",) * n_guitar + melodic[1:]
        dt_first, dt_one = self._together(roles, n_drums), self._together(melodic, 1)
        if dt_first is None or dt_one is None:
            return None
        g, d = self.parts["guitar"], self.parts["drums"]
        zsize = g.config.z_size
        noise_g = rng.standard_normal((n_guitar, zsize)).astype(np.float32) * self.latent_noise
        noise_d = rng.standard_normal((n_drums, zsize)).astype(np.float32) * self.latent_noise
        rows = [self._latents(g, request.style, x, 1, rng, noise_g[j:j + 1]) for j in range(n_guitar)]
        rows += [self._latents(self.parts[r], request.style, x, 1, rng, noise_g[:1]) for r in melodic[1:]]
        z = np.stack(rows + [self._latents(d, request.style, x, 1, rng, noise_d[j:j + 1]) for j in range(n_drums)])
        shared = {1: 0} if len(melodic) == 2 else None
        m = len(roles)
        res = dt_first.decode(z, [temperature] * (m + n_drums), rng, shared_noise=shared).classes[0]
        pick_g = self._pick(g, res[:, :n_guitar].T[:, :, None], ("guitar",), x, None, request.style)
        onsets = res[:, pick_g] >= 2
        drum_cands = res[:, m:].T[:, :, None]                                        # [n_drums, T, 1]
        bonus = lock_bonus(drum_cands[:, :, 0], onsets)
        bonus = self._vocabulary_bonus(request.style, drum_cands, ("drums",), bonus)
        best = self._pick(d, drum_cands, ("drums",), x, bonus, request.style)
        drums = self._keep_vocabulary(d, request.style, x, temperature, rng, res[:, m + best], noise_d[best])
        res[:, m + best] = drums
        first = np.stack([res[:, pick_g]] + [res[:, n_guitar + k] for k in range(len(melodic) - 1)]
                         + [res[:, m + best]], axis=1)                                # [T, melodic + drums]
        noise_g = noise_g[pick_g:pick_g + 1]
        chunks = [first]
        n_chunks = math.ceil(request.bars / g.config.bars)
        if n_chunks > 1:
            ng = self._variation_noise(noise_g[0], n_chunks - 1, rng)
            nd = self._variation_noise(noise_d[best], n_chunks - 1, rng)
            zc = np.stack([self._latents(self.parts[r], request.style, x, n_chunks - 1, rng, ng) for r in melodic]
                          + [self._latents(d, request.style, x, n_chunks - 1, rng, nd)])
            more = dt_one.decode(zc, [temperature] * (m + 1), rng, shared_noise=shared).classes
            chunks.extend(more[k] for k in range(n_chunks - 1))
        plan = phrase_plan(n_chunks, rng)
        names = list(melodic) + ["drums"]
        out = {name: compose([c[:, h] for c in chunks], plan, drums=(name == "drums"))[: request.bars * 16]
               for h, name in enumerate(names)}
        if conditioned:
            out["bass"] = self._conditioned_bass(out["guitar"], request, x, temperature, rng)
        return out

    def _conditioned_bass(self, guitar: np.ndarray, request, x: float, temperature: float,
                          rng: np.random.Generator) -> np.ndarray:
        """The guitar-conditioned bass over the whole riff: one decode per chunk (batched), each with the
        guitar's root line of that chunk as its control."""
        bass = self.parts["bass"]
        T = bass.config.max_seq_len
        n = math.ceil(len(guitar) / T)
        padded = np.zeros(n * T, np.int64)
        padded[: len(guitar)] = guitar
        controls = np.stack([root_controls(padded[k * T:(k + 1) * T], bass.config.control_depth) for k in range(n)])
        z = self._latents(bass, request.style, x, n, rng)
        res = bass.model.decode(z, temperature=max(1e-5, temperature * 0.5), rng=rng, controls=controls)
        return res.classes[:, :, 0].reshape(-1)[: len(guitar)]

    def _decode_parts(self, request, x, temperature, rng) -> Dict[str, np.ndarray]:
        if self.bass_from == "code":
            together = self._decode_parts_together(request, x, temperature, rng)
            if together is not None:
                return together
        out: Dict[str, np.ndarray] = {}
        if "guitar" in self.parts:
            out["guitar"] = self._chunks(self.parts["guitar"], request, x, temperature, rng)[:, 0]
        if "bass" in self.parts:
            bass = self.parts["bass"]
            if "guitar" in out and self._bass_conditioned():
                out["bass"] = self._conditioned_bass(out["guitar"], request, x, temperature, rng)
            elif "guitar" in out and bass.config.encoding == "melody":
                # the bass model encodes the guitar line and decodes from that code
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
                return None if guitar_onsets is None else lock_bonus(classes[:, :, 0], guitar_onsets)

            out["drums"] = self._chunks(self.parts["drums"], request, x, temperature, rng, sync_bonus)[:, 0]
        return out

    # ------------------------------------------------------------------------------------ rendering
    def _render(self, heads: Dict[str, np.ndarray], feel: Dict, x: float, bars: int,
                shift: Optional[int] = None, separate_keys: bool = False, bass_follows: bool = False,
                voicing_rng: Optional[np.random.Generator] = None, style: str = "thrash") -> Dict[str, List]:
        """Notes from decoded classes. ``bass_follows``: the bass was decoded in the guitar's pitch space
        (conditioned on its root line), so it takes the guitar's transposition."""
        from ..music.styles import STYLE_SPECS
        from ..music.theory import get_mode, get_tuning

        tuning = get_tuning(feel["tuning"])
        key_pc = pitch_class(feel["key"])
        spec = STYLE_SPECS[style]
        scale = frozenset((key_pc + o) % 12 for o in get_mode(feel["mode"]))
        rng = voicing_rng if voicing_rng is not None else np.random.default_rng(0)
        velocity = int(round(62 + 58 * x))
        tracks: Dict[str, List] = {}
        triples = {k: melody_triples(v) for k, v in heads.items() if k in ("guitar", "bass")}
        if shift is None:
            ref = triples.get("guitar") or triples.get("bass") or []
            shift = key_shift(tonal_centre(ref), key_pc)
        if "guitar" in triples:
            tracks["guitar"] = render_guitar(triples["guitar"], shift, tuning.lowest, tuning.highest,
                                             tuning.lowest + (key_pc - tuning.lowest) % 12, velocity, scale,
                                             spec.chord_p, spec.pedal_chord_p, rng)
        if triples.get("bass"):
            bass_triples = triples["bass"]
        elif triples.get("guitar"):  # no bass model, or it decoded only rests: the bass doubles the guitar
            bass_triples = triples["guitar"]
        else:
            bass_triples = []
        bass_shift = shift
        if separate_keys and triples.get("bass") and not bass_follows:
            # separate bass model: its own tonal centre goes onto the key, or, with a guitar, the shift
            # whose beat notes land on the guitar's roots (its notes are its own; its register follows)
            bass_shift = key_shift(tonal_centre(triples["bass"]), key_pc)
            if triples.get("guitar"):
                bass_shift = follow_shift(triples["guitar"], shift, triples["bass"], bass_shift, bars * 16)
        if bass_triples:
            tracks["bass"] = render_melodic(bass_triples, bass_shift, tuning.bass_lowest, tuning.bass_highest,
                                            tuning.bass_lowest + (key_pc - tuning.bass_lowest) % 12,
                                            max(1, velocity - 6), False, on_tonic=True)
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
        conditioned = self.band is None and self._bass_conditioned() and "guitar" in self.parts
        if conditioned:  # the guitar-conditioned bass follows the morphing guitar (decoded below)
            units = [u for u in units if u.role != "bass"]
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
        if conditioned:
            bass = self.parts["bass"]
            controls = np.stack([root_controls(decoded[i]["guitar"], bass.config.control_depth) for i in range(steps)])
            mus = []
            for riff, ctrl in ((riff_a, controls[0]), (riff_b, controls[-1])):
                cls = tracks_to_classes(riff.tracks, ("bass",), bass.config.max_seq_len)
                inputs = np.concatenate([encoder_inputs(cls, "melody"), ctrl], axis=-1)
                mus.append(bass.model.encode(inputs[None])[0][0])
            z = np.stack([slerp(mus[0], mus[1], float(t)) for t in ts])
            res = bass.model.decode(z, temperature=temperature, rng=np.random.default_rng(0), controls=controls)
            for i in range(steps):
                decoded[i]["bass"] = res.classes[i, :, 0]
        bars = min(riff_a.bars, riff_b.bars, min(u.config.bars for u in units))
        out = []
        for i, t in enumerate(ts):
            src = riff_a if t < 0.5 else riff_b
            x = float((1 - t) * riff_a.intensity + t * riff_b.intensity)
            feel = {"tempo": float(round((1 - t) * riff_a.tempo + t * riff_b.tempo, 2)), "key": src.key,
                    "mode": src.mode, "tuning": src.tuning}
            tracks = self._render(decoded[i], feel, x, bars, shift=0, style=src.style)
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


def _feel(request: RiffRequest, seed: int, r=None) -> Dict:
    """Tuning, mode, key and tempo for a request (style vocabularies; request fields win). ``r``: the
    stream to draw from (anything with ``random()`` and ``choices()``, e.g. a portable stream); default a
    ``random.Random`` seeded from the style and seed."""
    from ..music.styles import STYLE_SPECS, weighted
    from ..music.theory import TUNINGS, get_mode

    spec = STYLE_SPECS[request.style]
    r = r if r is not None else random.Random(f"riffforge-model/{request.style}/{seed}")
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


# How far each variation of a phrase moves from the figure's code (slerp fraction): the first stays close
# (the figure answered), later ones further (the turnaround at the phrase end).
PHRASE_VARIATION = (0.2, 0.3, 0.4)
BLAST_STYLES = frozenset({"death", "black"})


def phrase_plan(n_chunks: int, rng: np.random.Generator) -> List[Tuple[Tuple[int, int], Tuple[int, int]]]:
    """Where each 2-bar chunk of a phrase takes its two bars from, as ``((chunk, bar), (chunk, bar))`` into
    the decoded chunks (0 = the figure, k = its k-th variation).

    Real riffs are a figure repeated with variation and closed by a turnaround (over 8 bars about 6 distinct
    bars, and a bar equal to the one two before it about a fifth of the time; see
    :mod:`riffforge.metrics.reference`): chunk 0 is the figure; a middle chunk repeats the figure's first bar
    and answers with a varied second bar (every other one, by chance, is varied in both bars); the last
    chunk is the turnaround, both bars varied. The drums keep their groove and vary only the last chunk's
    second bar (the fill) -- :func:`compose` with ``drums=True``.
    """
    plan = [((0, 0), (0, 1))]
    for k in range(1, n_chunks):
        if k == n_chunks - 1 and n_chunks > 2:
            plan.append(((k, 0), (k, 1)))
        elif k % 2 == 0 and rng.random() < 0.5:
            plan.append(((k, 0), (k, 1)))
        else:
            plan.append(((0, 0), (k, 1)))
    return plan


def compose(chunks: Sequence[np.ndarray], plan, drums: bool = False, bar_steps: int = 16) -> np.ndarray:
    """One head's classes for the whole phrase from its decoded ``chunks`` [2 * bar_steps] and ``plan``
    (drums: the figure's groove throughout, the last chunk's second bar from its own variation)."""
    out = []
    last = len(plan) - 1
    for i, (a, b) in enumerate(plan):
        if drums:
            a, b = (0, 0), ((i, 1) if i == last and i > 0 else (0, 1))
        for c, bar in (a, b):
            out.append(np.asarray(chunks[c])[bar * bar_steps:(bar + 1) * bar_steps])
    return np.concatenate(out)


def lock_bonus(drum_classes: np.ndarray, onsets: np.ndarray) -> np.ndarray:
    """Candidate bonus for drums [N, T] locked to the guitar: 2 x the share of the guitar's onset steps
    (``onsets`` [T'], bool) that have a kick (Magenta kit bit 0); compared over the shorter of the two."""
    t = min(drum_classes.shape[1], len(onsets))
    g = np.asarray(onsets[:t])
    kicks = (np.asarray(drum_classes)[:, :t] & 1) > 0
    return 2.0 * (kicks & g[None]).sum(1) / max(1, g.sum())


def blast_bar_counts(drum_classes: np.ndarray, bar_steps: int = 16) -> np.ndarray:
    """Blast bars per candidate in drum classes [N, T] (Magenta's 9-class kit: bit 0 kick, bit 1 snare,
    bits 2, 3, 7, 8 hi-hats, crash, ride): kick or snare on at least 3/4 of a bar's steps and a cymbal on at
    least half (the definition of :func:`riffforge.metrics.rhythm.blast_bars`)."""
    c = np.asarray(drum_classes)
    n, T = c.shape
    bars = T // bar_steps
    c = c[:, : bars * bar_steps].reshape(n, bars, bar_steps)
    ks = ((c & 0b11) > 0).sum(-1)
    cym = ((c & 0b110001100) > 0).sum(-1)
    return ((ks >= 12) & (cym >= 8)).sum(-1)
