"""Magenta's per-step schedules, as plain functions of the global step (numpy or keras.ops tensors).

- KL weight: ``beta = (1 - beta_rate**step) * max_beta`` (``base_model._compute_model_loss``).
- Learning rate: ``(learning_rate - min_learning_rate) * decay_rate**step + min_learning_rate``
  (``base_model.train``), exposed to Keras as :class:`MagentaLearningRate`.
- Scheduled sampling probability (``lstm_utils.get_sampling_probability``): ``constant`` -> rate;
  ``inverse_sigmoid`` -> ``1 - k / (k + exp(step / k))``; ``exponential`` -> ``1 - k**step``.
"""
from __future__ import annotations

import math

import keras
from keras import ops


def beta(config, step):
    step = ops.cast(step, "float32")
    return (1.0 - ops.power(ops.cast(config.beta_rate, "float32"), step)) * config.max_beta


def learning_rate(config, step):
    step = ops.cast(step, "float32")
    return ((config.learning_rate - config.min_learning_rate)
            * ops.power(ops.cast(config.decay_rate, "float32"), step) + config.min_learning_rate)


def uses_scheduled_sampling(config) -> bool:
    """False exactly when Magenta uses plain teacher forcing (schedule constant with rate 0)."""
    return not (config.sampling_schedule == "constant" and config.sampling_rate == 0)


def sampling_probability(config, step):
    """Probability of feeding the model's own sample instead of the ground truth at ``step``."""
    schedule, rate = config.sampling_schedule, float(config.sampling_rate)
    step = ops.cast(step, "float32")
    if schedule == "constant":
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"config {config.name!r}: sampling_rate={rate} must be in [0, 1] for 'constant'")
        return ops.cast(rate, "float32") + 0.0 * step
    if schedule == "inverse_sigmoid":
        if rate < 1.0:
            raise ValueError(f"config {config.name!r}: sampling_rate={rate} must be >= 1 for 'inverse_sigmoid'")
        return 1.0 - rate / (rate + ops.exp(step / rate))
    if schedule == "exponential":
        if not 0.0 < rate < 1.0:
            raise ValueError(f"config {config.name!r}: sampling_rate={rate} must be in (0, 1) for 'exponential'")
        return 1.0 - ops.power(ops.cast(rate, "float32"), step)
    raise ValueError(f"config {config.name!r}: unknown sampling_schedule {schedule!r}")


def sampling_probability_py(config, step: int) -> float:
    """Same as :func:`sampling_probability` in plain Python (for logs)."""
    schedule, rate = config.sampling_schedule, float(config.sampling_rate)
    if schedule == "constant":
        return rate
    if schedule == "inverse_sigmoid":
        return 1.0 - rate / (rate + math.exp(min(step / rate, 700.0)))
    return 1.0 - rate ** step


@keras.saving.register_keras_serializable(package="riffforge")
class MagentaLearningRate(keras.optimizers.schedules.LearningRateSchedule):
    """``(lr - min_lr) * decay_rate**step + min_lr``, the step being the optimizer's iteration count
    plus ``step_offset`` (the global step of the run we fine-tune from, when continuing its schedule)."""

    def __init__(self, lr: float, decay_rate: float, min_lr: float, step_offset: int = 0):
        self.lr, self.decay_rate, self.min_lr = float(lr), float(decay_rate), float(min_lr)
        self.step_offset = int(step_offset)

    def __call__(self, step):
        step = ops.cast(step, "float32") + float(self.step_offset)
        return (self.lr - self.min_lr) * ops.power(self.decay_rate, step) + self.min_lr

    def get_config(self):
        return {"lr": self.lr, "decay_rate": self.decay_rate, "min_lr": self.min_lr,
                "step_offset": self.step_offset}
