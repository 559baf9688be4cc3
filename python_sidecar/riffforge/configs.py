"""MusicVAE configurations by Magenta's names, with Magenta 2.1.4's hyper-parameters.

One :class:`MusicVAEConfig` describes an architecture (encoder, flat or hierarchical decoder, sizes), its
data encoding (drums / melody / trio, input and output depths, control depth) and its training schedule
(KL free bits and beta annealing, learning-rate decay, scheduled sampling). The values of the named
Magenta configs are those of ``magenta/models/music_vae/configs.py`` merged over Magenta's defaults
(``base_model.get_default_hparams`` + ``lstm_models.get_default_hparams``):

=========================  ======================================================
default                    value
=========================  ======================================================
free_bits / max_beta       0.0 / 1.0
beta_rate                  0.0   (beta = (1 - rate**step) * max_beta = max_beta)
learning_rate              1e-3, decay_rate 0.9999, min_learning_rate 1e-5:
                           lr = (learning_rate - min_lr) * decay_rate**step + min_lr
grad_clip                  1.0, clip_mode "global_norm", grad_norm_clip_to_zero 10000
dropout_keep_prob          1.0
sampling_schedule          "constant", sampling_rate 0.0 (always teacher forcing)
=========================  ======================================================

The ``tiny-*`` configs keep the structure of a named config with very small sizes, so the test suite can
build, train and run them in milliseconds. Consumers: the Keras model and trainer (:mod:`riffforge.model`),
the Magenta importer (:mod:`riffforge.checkpoint`), the NumPy runtime (:mod:`riffforge.runtime`).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Dict, Optional, Tuple

# Depths of Magenta's data encodings.
DRUM_CLASSES = 9                      # Magenta's reduced drum pitch classes
DRUM_INPUT_DEPTH = DRUM_CLASSES + 1   # DrumsConverter(roll_input=True): 9 hit bits + "no hits" bit
DRUM_OUTPUT_DEPTH = 2 ** DRUM_CLASSES  # 512 classes: one per subset of the 9 drum classes
MELODY_DEPTH = 90                     # 0 no-event, 1 note-off, 2.. MIDI pitches 21..108
CHORD_DEPTH = 49                      # TriadChordOneHotEncoding: no-chord + 12 roots x 4 triad kinds
TRIO_DEPTHS = (MELODY_DEPTH, MELODY_DEPTH, DRUM_OUTPUT_DEPTH)  # melody, bass, drums
STEPS_PER_BAR = 16                    # steps_per_quarter 4, quarters_per_bar 4

ENCODINGS = ("drums", "melody", "trio")
DECODERS = ("categorical", "hierarchical")


class ConfigError(KeyError):
    """An unknown config name, or an inconsistent config; the message names the field and the fix."""

    def __str__(self) -> str:  # KeyError quotes its message; print it plainly.
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class MusicVAEConfig:
    """Everything that defines one MusicVAE: architecture, encoding, and training hyper-parameters.

    Architecture
      ``enc_rnn_size``: units per layer of the bidirectional LSTM encoder (per direction).
      ``dec_rnn_size``: units per layer of the decoder LSTM (and of the conductor, when hierarchical).
      ``decoder``: ``"categorical"`` (flat autoregressive LSTM decoder) or ``"hierarchical"`` (a
      conductor LSTM emits one embedding per segment; the core decoder(s) decode each segment).
      ``level_lengths``: hierarchical split, e.g. ``(16, 16)`` = 16 bars x 16 steps; ``()`` when flat.
      ``disable_autoregression``: the conductor gets zero inputs (Magenta's hierdec configs).
      ``output_depths``: one entry per output head; trio has three (melody, bass, drums) decoded by
      separate core decoders (Magenta's ``SplitMultiOutLstmDecoder``).
    Encoding
      ``encoding``: ``"drums"``, ``"melody"`` or ``"trio"``; ``input_depth``: encoder/decoder input width;
      ``control_depth``: width of the control (chord) input concatenated to inputs, 0 when none.
    Training
      KL: ``free_bits`` (nats, subtracted from the summed KL), ``max_beta``, ``beta_rate``
      (beta = (1 - beta_rate**step) * max_beta). Optimiser: Adam, ``learning_rate`` decayed by
      ``decay_rate`` per step to ``min_learning_rate``; ``grad_clip`` on the global norm. Scheduled
      sampling: ``sampling_schedule`` in (``constant``, ``exponential``, ``inverse_sigmoid``) with
      ``sampling_rate``. ``dropout_keep_prob`` as in Magenta (1.0 = no dropout).
    """

    name: str
    encoding: str
    decoder: str
    z_size: int
    enc_rnn_size: Tuple[int, ...]
    dec_rnn_size: Tuple[int, ...]
    max_seq_len: int
    input_depth: int
    output_depths: Tuple[int, ...]
    control_depth: int = 0
    level_lengths: Tuple[int, ...] = ()
    disable_autoregression: bool = True
    batch_size: int = 512
    free_bits: float = 0.0
    max_beta: float = 1.0
    beta_rate: float = 0.0
    learning_rate: float = 0.001
    decay_rate: float = 0.9999
    min_learning_rate: float = 0.00001
    grad_clip: float = 1.0
    clip_mode: str = "global_norm"
    grad_norm_clip_to_zero: float = 10000.0
    dropout_keep_prob: float = 1.0
    sampling_schedule: str = "constant"
    sampling_rate: float = 0.0
    conditional: bool = True
    residual_encoder: bool = False
    residual_decoder: bool = False
    steps_per_quarter: int = 4
    quarters_per_bar: int = 4
    slice_bars: int = 2
    transpose_range: Optional[Tuple[int, int]] = None
    description: str = ""

    def __post_init__(self) -> None:
        def bad(field_name: str, why: str) -> ConfigError:
            return ConfigError(f"config {self.name!r}: {field_name}: {why}")

        if self.encoding not in ENCODINGS:
            raise bad("encoding", f"{self.encoding!r} is not one of {', '.join(ENCODINGS)}")
        if self.decoder not in DECODERS:
            raise bad("decoder", f"{self.decoder!r} is not one of {', '.join(DECODERS)}")
        for f in ("enc_rnn_size", "dec_rnn_size", "output_depths", "level_lengths"):
            object.__setattr__(self, f, tuple(int(v) for v in getattr(self, f)))
        if not self.enc_rnn_size or not self.dec_rnn_size:
            raise bad("enc_rnn_size/dec_rnn_size", "need at least one layer each")
        if self.decoder == "hierarchical":
            prod = 1
            for n in self.level_lengths:
                prod *= n
            if len(self.level_lengths) < 2 or prod != self.max_seq_len:
                raise bad("level_lengths", f"{self.level_lengths} must have >= 2 levels whose product is "
                                           f"max_seq_len={self.max_seq_len}")
        elif self.level_lengths:
            raise bad("level_lengths", "only a hierarchical decoder has level_lengths; use ()")
        if len(self.output_depths) > 1 and self.decoder != "hierarchical":
            raise bad("output_depths", "several output heads need the hierarchical (split) decoder")
        if self.sampling_schedule not in ("constant", "exponential", "inverse_sigmoid"):
            raise bad("sampling_schedule", f"{self.sampling_schedule!r} is unknown")

    # ----- derived sizes -------------------------------------------------------------------------
    @property
    def output_depth(self) -> int:
        """Total output width (sum over heads); the width of the decoder's autoregressive input."""
        return sum(self.output_depths)

    @property
    def hierarchical(self) -> bool:
        return self.decoder == "hierarchical"

    @property
    def bars(self) -> int:
        return self.max_seq_len // (self.steps_per_quarter * self.quarters_per_bar)

    @property
    def segment_length(self) -> int:
        """Steps decoded by the core decoder per conductor output (the whole sequence when flat)."""
        return self.level_lengths[-1] if self.hierarchical else self.max_seq_len

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        for k, v in d.items():
            if isinstance(v, tuple):
                d[k] = list(v)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "MusicVAEConfig":
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ConfigError(f"config dict: unknown field(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        kwargs = dict(d)
        if kwargs.get("transpose_range") is not None:
            kwargs["transpose_range"] = tuple(kwargs["transpose_range"])
        return cls(**kwargs)

    def replace(self, **changes) -> "MusicVAEConfig":
        return dataclasses.replace(self, **changes)


def _drums(name, **kw) -> MusicVAEConfig:
    kw.setdefault("slice_bars", kw["max_seq_len"] // STEPS_PER_BAR)
    return MusicVAEConfig(name=name, encoding="drums", decoder="categorical", input_depth=DRUM_INPUT_DEPTH,
                          output_depths=(DRUM_OUTPUT_DEPTH,), **kw)


def _melody(name, decoder="categorical", **kw) -> MusicVAEConfig:
    kw.setdefault("slice_bars", kw["max_seq_len"] // STEPS_PER_BAR)
    return MusicVAEConfig(name=name, encoding="melody", decoder=decoder, input_depth=MELODY_DEPTH,
                          output_depths=(MELODY_DEPTH,), **kw)


def _trio(name, **kw) -> MusicVAEConfig:
    kw.setdefault("slice_bars", kw["max_seq_len"] // STEPS_PER_BAR)
    return MusicVAEConfig(name=name, encoding="trio", decoder="hierarchical", input_depth=sum(TRIO_DEPTHS),
                          output_depths=TRIO_DEPTHS, **kw)


_ALL = [
    # ---- Magenta's configs (magenta/models/music_vae/configs.py, Magenta 2.1.4) -------------------
    _melody("cat-mel_2bar_small", batch_size=512, max_seq_len=32, z_size=256, enc_rnn_size=(512,),
            dec_rnn_size=(256, 256), free_bits=0, max_beta=0.2, beta_rate=0.99999,
            sampling_schedule="inverse_sigmoid", sampling_rate=1000, transpose_range=(-5, 5),
            description="2-bar melody, small"),
    _melody("cat-mel_2bar_big", batch_size=512, max_seq_len=32, z_size=512, enc_rnn_size=(2048,),
            dec_rnn_size=(2048, 2048, 2048), free_bits=0, max_beta=0.5, beta_rate=0.99999,
            sampling_schedule="inverse_sigmoid", sampling_rate=1000, transpose_range=(-5, 5),
            description="2-bar melody, big"),
    _melody("cat-mel_2bar_med_chords", batch_size=512, max_seq_len=32, z_size=256, enc_rnn_size=(1024,),
            dec_rnn_size=(512, 512, 512), control_depth=CHORD_DEPTH, transpose_range=(-3, 3),
            description="2-bar melody conditioned on triad chords (49-class control)"),
    _drums("cat-drums_2bar_small", batch_size=512, max_seq_len=32, z_size=256, enc_rnn_size=(512,),
           dec_rnn_size=(256, 256), free_bits=48, max_beta=0.2, sampling_schedule="inverse_sigmoid",
           sampling_rate=1000, description="2-bar drums, small"),
    _drums("cat-drums_2bar_big", batch_size=512, max_seq_len=32, z_size=512, enc_rnn_size=(2048,),
           dec_rnn_size=(2048, 2048, 2048), free_bits=48, max_beta=0.2, sampling_schedule="inverse_sigmoid",
           sampling_rate=1000, description="2-bar drums, big"),
    _melody("hierdec-mel_16bar", decoder="hierarchical", level_lengths=(16, 16), batch_size=512,
            max_seq_len=256, z_size=512, enc_rnn_size=(2048, 2048), dec_rnn_size=(1024, 1024),
            free_bits=256, max_beta=0.2, description="16-bar melody, hierarchical decoder"),
    _trio("hierdec-trio_16bar", level_lengths=(16, 16), batch_size=256, max_seq_len=256, z_size=512,
          enc_rnn_size=(2048, 2048), dec_rnn_size=(1024, 1024), free_bits=256, max_beta=0.2,
          description="16-bar trio (melody, bass, drums), hierarchical split decoder"),
    # ---- RiffForge's real-time band architecture (not a Magenta config) --------------------------
    _trio("band-trio_2bar", level_lengths=(2, 16), batch_size=64, max_seq_len=32, z_size=256,
          enc_rnn_size=(512,), dec_rnn_size=(256, 256), free_bits=48, max_beta=0.2,
          description="2-bar trio (guitar=melody, bass, drums) for real-time band riffs: hierdec-trio_16bar's "
                      "structure at cat-*_2bar_small sizes"),
    _melody("bass-chords_2bar", batch_size=64, max_seq_len=32, z_size=256, enc_rnn_size=(512,),
            dec_rnn_size=(256, 256), control_depth=CHORD_DEPTH, free_bits=0, max_beta=0.2, beta_rate=0.99999,
            sampling_schedule="inverse_sigmoid", sampling_rate=1000, transpose_range=(-5, 5),
            description="2-bar bass line conditioned per step on the guitar's root (49-class chord control, "
                        "root in the major slot): cat-mel_2bar_med_chords' conditioning at cat-mel_2bar_small sizes"),
    # ---- tiny variants for tests (same structure, tiny sizes) ------------------------------------
    _drums("tiny-drums_2bar", batch_size=8, max_seq_len=32, z_size=8, enc_rnn_size=(16,),
           dec_rnn_size=(16, 16), free_bits=0, max_beta=0.2, sampling_schedule="inverse_sigmoid",
           sampling_rate=1000, description="test-size cat-drums_2bar_small"),
    _melody("tiny-mel_2bar", batch_size=8, max_seq_len=32, z_size=8, enc_rnn_size=(16,),
            dec_rnn_size=(16, 16), free_bits=0, max_beta=0.2, beta_rate=0.99999,
            sampling_schedule="inverse_sigmoid", sampling_rate=1000, description="test-size cat-mel_2bar_small"),
    _melody("tiny-mel_2bar_chords", batch_size=8, max_seq_len=32, z_size=8, enc_rnn_size=(16,),
            dec_rnn_size=(16, 16), control_depth=CHORD_DEPTH, description="test-size cat-mel_2bar_med_chords"),
    _melody("tiny-mel_4bar", decoder="hierarchical", level_lengths=(4, 16), batch_size=8, max_seq_len=64,
            z_size=8, enc_rnn_size=(16, 16), dec_rnn_size=(16, 16), free_bits=0, max_beta=0.2,
            description="test-size hierdec-mel_16bar (4 bars)"),
    _trio("tiny-trio_4bar", level_lengths=(4, 16), batch_size=8, max_seq_len=64, z_size=8,
          enc_rnn_size=(16, 16), dec_rnn_size=(16, 16), free_bits=0, max_beta=0.2,
          description="test-size hierdec-trio_16bar (4 bars)"),
    _trio("tiny-trio_2bar", level_lengths=(2, 16), batch_size=8, max_seq_len=32, z_size=8,
          enc_rnn_size=(16,), dec_rnn_size=(16,), free_bits=0, max_beta=0.2,
          description="test-size 2-bar trio, hierarchical split decoder"),
]

CONFIGS: Dict[str, MusicVAEConfig] = {c.name: c for c in _ALL}
MAGENTA_CONFIG_NAMES: Tuple[str, ...] = tuple(n for n in CONFIGS if not n.startswith(("tiny-", "band-", "bass-")))


def get_config(name: str) -> MusicVAEConfig:
    """The config called ``name``; raises :class:`ConfigError` listing the known names otherwise."""
    try:
        return CONFIGS[name]
    except KeyError:
        raise ConfigError(f"unknown MusicVAE config {name!r}; known configs: {', '.join(CONFIGS)}") from None


def config_names() -> Tuple[str, ...]:
    return tuple(CONFIGS)
