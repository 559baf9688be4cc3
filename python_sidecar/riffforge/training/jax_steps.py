"""The train and evaluation steps on the JAX backend (``KERAS_BACKEND=jax``), on one device or data-parallel.

The same optimisation step as :class:`riffforge.training.trainer.Trainer` on TensorFlow (Magenta's Adam,
global-norm clipping or zeroing, KL and sampling schedules on the global step), written as one pure function
of the variables' values: ``keras.StatelessScope`` runs the model's own ``losses_for_batch`` on those values,
``jax.value_and_grad`` differentiates it and ``optimizer.stateless_apply`` updates them; the new values are
assigned back to the Keras variables after every step, so checkpoints, ``--resume`` and export read them as
on TensorFlow.

Data parallelism (``riffforge train --distribute data``) is Keras's distribution API
(https://keras.io/guides/distribution/, https://keras.io/api/distribution/data_parallel): with a
``DataParallel`` distribution set before the model is built, every variable is replicated on each device of
a 1-D ``DeviceMesh``; each batch is split along its first axis across the devices, and ``jax.jit`` compiles the
step for that layout (every device runs its share of the batch; the mean loss and so the gradients are
all-reduced by XLA). The global batch is the same as on one device, so the loss curve is too, up to float
summation order.
"""
from __future__ import annotations

from typing import Dict, List, Optional

import jax
import keras
import numpy as np
from keras import ops

from .schedules import sampling_probability

BATCH_AXIS = "batch"


def data_parallel(devices: Optional[List[str]] = None) -> "keras.distribution.DataParallel":
    """Data parallelism over ``devices`` (default: every device ``keras.distribution.list_devices()`` finds)."""
    devices = list(devices or keras.distribution.list_devices())
    mesh = keras.distribution.DeviceMesh((len(devices),), [BATCH_AXIS], devices)
    return keras.distribution.DataParallel(device_mesh=mesh)


def _global_norm(grads):
    return ops.sqrt(sum(ops.sum(ops.square(g)) for g in grads))


class JaxSteps:
    """Jitted train / eval / greedy-decode steps for one model, optimizer and (optional) distribution."""

    def __init__(self, model, config, optimizer, lr_schedule, step_offset: int, scheduled: bool,
                 distribution=None):
        self.model, self.config, self.optimizer = model, config, optimizer
        self.lr_schedule, self.step_offset, self.scheduled = lr_schedule, int(step_offset), scheduled
        self.distribution = distribution
        self.trainable = list(model.trainable_variables)
        self.non_trainable = list(model.non_trainable_variables)  # seed-generator states among them
        self.optimizer_variables = list(optimizer.variables)
        self.iterations_index = next(i for i, v in enumerate(self.optimizer_variables)
                                     if v is optimizer.iterations)
        self._train = jax.jit(self._train_pure)
        self._eval = jax.jit(self._eval_pure)
        self._greedy = jax.jit(self._greedy_pure)

    # -- state ---------------------------------------------------------------------------------------
    def _values(self, variables) -> List:
        return [v.value for v in variables]

    def _mapping(self, trainable_values, non_trainable_values):
        return list(zip(self.trainable, trainable_values)) + list(zip(self.non_trainable, non_trainable_values))

    def _shard(self, array):
        """Split a batch array across the devices along its first axis (unchanged without a distribution)."""
        if array is None or self.distribution is None:
            return array
        layout = self.distribution.get_data_layout(array.shape)
        return keras.distribution.distribute_tensor(jax.numpy.asarray(array), layout)

    # -- pure functions (jitted) ---------------------------------------------------------------------
    def _train_pure(self, trainable_values, non_trainable_values, optimizer_values, inputs, targets, lengths,
                    controls):
        cfg = self.config
        step = ops.cast(optimizer_values[self.iterations_index], "float32") + float(self.step_offset)
        p = sampling_probability(cfg, step) if self.scheduled else ops.cast(0.0, "float32")

        def loss(values):
            with keras.StatelessScope(state_mapping=self._mapping(values, non_trainable_values)) as scope:
                terms = self.model.losses_for_batch(inputs, targets, lengths, controls, step=step, training=True,
                                                    sampling_probability=p, scheduled=self.scheduled)
            new_non_trainable = [scope.get_current_value(v) for v in self.non_trainable]
            return terms["loss"], (terms, new_non_trainable)

        (_, (terms, new_non_trainable)), grads = jax.value_and_grad(loss, has_aux=True)(trainable_values)
        norm = _global_norm(grads)
        if cfg.clip_mode == "value":
            grads = [ops.clip(g, -cfg.grad_clip, cfg.grad_clip) for g in grads]
        else:  # tf.clip_by_global_norm, then zero everything when the norm is too large
            scale = cfg.grad_clip / ops.maximum(norm, cfg.grad_clip)
            ok = ops.cast(norm < cfg.grad_norm_clip_to_zero, "float32")
            grads = [g * scale * ok for g in grads]
        new_trainable, new_optimizer = self.optimizer.stateless_apply(optimizer_values, grads, trainable_values)
        terms = dict(terms, global_norm=norm, sampling_probability=ops.cast(p, "float32"),
                     learning_rate=self.lr_schedule(new_optimizer[self.iterations_index]))
        return new_trainable, new_non_trainable, new_optimizer, terms

    def _eval_pure(self, trainable_values, non_trainable_values, inputs, targets, lengths, controls, eps, step):
        with keras.StatelessScope(state_mapping=self._mapping(trainable_values, non_trainable_values)):
            return self.model.losses_for_batch(inputs, targets, lengths, controls, step=step, training=False,
                                               sampling_probability=0.0, scheduled=False, eps=eps)

    def _greedy_pure(self, trainable_values, non_trainable_values, inputs, lengths, controls):
        with keras.StatelessScope(state_mapping=self._mapping(trainable_values, non_trainable_values)):
            mu, _ = self.model.encode(inputs, lengths, controls)
            classes, _ = self.model.sample(mu, controls, temperature=None)
        return classes

    # -- the Trainer's interface ---------------------------------------------------------------------
    def train(self, inputs, targets, lengths, controls) -> Dict:
        new_trainable, new_non_trainable, new_optimizer, terms = self._train(
            self._values(self.trainable), self._values(self.non_trainable), self._values(self.optimizer_variables),
            self._shard(inputs), self._shard(targets), self._shard(lengths), self._shard(controls))
        for variables, values in ((self.trainable, new_trainable), (self.non_trainable, new_non_trainable),
                                  (self.optimizer_variables, new_optimizer)):
            for var, value in zip(variables, values):
                var.assign(value)
        return terms

    def evaluate(self, inputs, targets, lengths, controls, eps, step) -> Dict:
        # Validation batches are not split: their last one may not divide by the device count, and each
        # device computing the whole (small) batch gives the same numbers.
        return self._eval(self._values(self.trainable), self._values(self.non_trainable), inputs, targets,
                          lengths, controls, eps, step)

    def greedy(self, inputs, lengths, controls) -> np.ndarray:
        return np.asarray(self._greedy(self._values(self.trainable), self._values(self.non_trainable), inputs,
                                       lengths, controls))
