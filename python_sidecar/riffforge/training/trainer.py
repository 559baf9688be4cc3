"""Compiled train and evaluation steps for the Keras MusicVAE (TensorFlow backend; JAX in :mod:`.jax_steps`).

One optimisation step is Magenta's ``music_vae_train.train``: Adam (beta1 0.9, beta2 0.999, epsilon
1e-8) on the decayed learning rate; gradients clipped to global norm ``grad_clip``, or zeroed when the
norm exceeds ``grad_norm_clip_to_zero``; the KL weight and scheduled-sampling probability follow the
global step. The step is a ``tf.function`` compiled with XLA (``jit_compile``), which turns the unrolled
LSTM loops into fused CPU kernels.

Validation reports what the MusicVAE paper reports: reconstruction accuracy with teacher forcing and
with free-running sampling (the decoder fed its own argmax outputs, z = posterior mean), plus the loss
terms with a fixed ``eps`` so they are comparable between evaluations.
"""
from __future__ import annotations

from typing import Dict, List, Optional

import keras
import numpy as np
import tensorflow as tf

from .data import Batch
from .schedules import MagentaLearningRate, sampling_probability, uses_scheduled_sampling


class Trainer:
    """Train and evaluation steps for ``model`` on the active Keras backend: ``tf.function`` steps on
    TensorFlow; on JAX the same step as a jitted pure function (:mod:`.jax_steps`), which ``distribution``
    (a ``keras.distribution.DataParallel``, set globally before the model was built) spreads over devices."""

    def __init__(self, model, config, step_offset: int = 0, jit_compile: bool = True, distribution=None):
        self.model = model
        self.config = config
        self.step_offset = int(step_offset)
        self.scheduled = uses_scheduled_sampling(config)
        self.lr_schedule = MagentaLearningRate(config.learning_rate, config.decay_rate, config.min_learning_rate,
                                               self.step_offset)
        self.optimizer = keras.optimizers.Adam(learning_rate=self.lr_schedule, beta_1=0.9, beta_2=0.999,
                                               epsilon=1e-8)
        self.variables = list(model.trainable_variables)
        self.optimizer.build(self.variables)
        backend = keras.backend.backend()
        self.jax_steps = None
        if backend == "jax":
            from .jax_steps import JaxSteps

            steps = JaxSteps(model, config, self.optimizer, self.lr_schedule, self.step_offset, self.scheduled,
                             distribution)
            self.jax_steps = steps
            self._train_fn, self._eval_fn, self._greedy_fn = steps.train, steps.evaluate, steps.greedy
        elif backend == "tensorflow":
            if distribution is not None:
                raise ValueError("a keras.distribution needs the JAX backend (KERAS_BACKEND=jax)")
            self._train_fn = tf.function(self._train_step, jit_compile=jit_compile)
            self._eval_fn = tf.function(self._eval_step, jit_compile=jit_compile)
            self._greedy_fn = tf.function(self._greedy_step, jit_compile=jit_compile)
        else:
            raise ValueError(f"Keras backend {backend!r}: riffforge trains on tensorflow or jax; set "
                             "KERAS_BACKEND=tensorflow or KERAS_BACKEND=jax")

    # -- steps -------------------------------------------------------------------------------------
    @property
    def global_step(self) -> int:
        """The step the schedules see: this run's optimizer iterations + the step fine-tuned from."""
        return self.step_offset + int(self.optimizer.iterations.numpy())

    def _train_step(self, inputs, targets, lengths, controls):
        cfg = self.config
        step = tf.cast(self.optimizer.iterations, tf.float32) + float(self.step_offset)
        p = sampling_probability(cfg, step) if self.scheduled else 0.0
        with tf.GradientTape() as tape:
            terms = self.model.losses_for_batch(inputs, targets, lengths, controls, step=step, training=True,
                                                sampling_probability=p, scheduled=self.scheduled)
        grads = tape.gradient(terms["loss"], self.variables)
        grads = [tf.convert_to_tensor(g) for g in grads]
        norm = tf.linalg.global_norm(grads)
        if cfg.clip_mode == "value":
            grads = [tf.clip_by_value(g, -cfg.grad_clip, cfg.grad_clip) for g in grads]
        else:
            clipped, _ = tf.clip_by_global_norm(grads, cfg.grad_clip, use_norm=norm)
            ok = tf.cast(norm < cfg.grad_norm_clip_to_zero, tf.float32)
            grads = [g * ok for g in clipped]
        self.optimizer.apply_gradients(zip(grads, self.variables))
        terms["global_norm"] = norm
        terms["sampling_probability"] = tf.cast(p, tf.float32)
        terms["learning_rate"] = self.optimizer.learning_rate
        return terms

    def train_step(self, batch: Batch) -> Dict[str, float]:
        out = self._train_fn(batch.inputs, batch.targets, batch.lengths, batch.controls)
        return {k: float(v) for k, v in out.items()}

    def _eval_step(self, inputs, targets, lengths, controls, eps, step):
        return self.model.losses_for_batch(inputs, targets, lengths, controls, step=step, training=False,
                                           sampling_probability=0.0, scheduled=False, eps=eps)

    def _greedy_step(self, inputs, lengths, controls):
        mu, _ = self.model.encode(inputs, lengths, controls)
        classes, _ = self.model.sample(mu, controls, temperature=None)
        return classes

    def evaluate(self, val: Batch, batch_size: int, seed: int = 0) -> Dict[str, float]:
        """Validation metrics over ``val`` (deterministic for a given seed and weights)."""
        rng = np.random.RandomState(seed)
        eps_all = rng.standard_normal((len(val), self.config.z_size)).astype(np.float32)
        step = np.float32(self.global_step)
        sums: Dict[str, float] = {}
        n_total = 0
        correct = 0.0
        valid = 0.0
        for start in range(0, len(val), batch_size):
            sl = slice(start, start + batch_size)
            controls = None if val.controls is None else val.controls[sl]
            n = int(val.targets[sl].shape[0])
            terms = self._eval_fn(val.inputs[sl], val.targets[sl], val.lengths[sl], controls, eps_all[sl], step)
            for k, v in terms.items():
                sums[k] = sums.get(k, 0.0) + float(v) * n
            n_total += n
            classes = np.asarray(self._greedy_fn(val.inputs[sl], val.lengths[sl], controls))
            t = val.targets[sl]
            mask = (np.arange(t.shape[1])[None, :] < val.lengths[sl][:, None]).astype(np.float32)
            hit = (classes == t).astype(np.float32).mean(axis=-1)  # mean over heads
            correct += float((hit * mask).sum())
            valid += float(mask.sum())
        out = {k: v / max(n_total, 1) for k, v in sums.items()}
        out["accuracy_teacher_forced"] = out.pop("accuracy")
        out["accuracy_sampling"] = correct / max(valid, 1.0)
        return out

    # -- optimizer state (for --resume) --------------------------------------------------------------
    def optimizer_state(self) -> List[np.ndarray]:
        return [np.asarray(v.numpy()) for v in self.optimizer.variables]

    def set_optimizer_state(self, values: List[np.ndarray], source: str = "checkpoint") -> None:
        variables = self.optimizer.variables
        if len(values) != len(variables):
            raise ValueError(f"{source}: holds {len(values)} optimizer variables, this model has {len(variables)}; "
                             "it was written for another config")
        for var, val in zip(variables, values):
            if tuple(var.shape) != tuple(val.shape):
                raise ValueError(f"{source}: optimizer variable {var.path!r} has shape {tuple(val.shape)}, "
                                 f"expected {tuple(var.shape)}; it was written for another config")
        for var, val in zip(variables, values):
            var.assign(val)


def trainable_check(model) -> Optional[str]:
    """None when every canonical variable is trainable (sanity check used by tests)."""
    names = {id(v) for v in model.trainable_variables}
    for name, var in model.canonical_variables().items():
        if id(var) not in names:
            return name
    return None
