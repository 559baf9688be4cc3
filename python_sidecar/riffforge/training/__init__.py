"""Training and fine-tuning of the Keras MusicVAE (``riffforge train``); TensorFlow is imported lazily.

- :mod:`.data`: corpus shards -> fixed-size batches; corpus/config compatibility and empty-corpus checks.
- :mod:`.schedules`: Magenta's KL beta, learning-rate decay and scheduled-sampling schedules.
- :mod:`.trainer`: compiled train step (Adam eps 1e-8, global-norm clipping) and validation metrics
  (loss terms, teacher-forced and free-running reconstruction accuracy).
- :mod:`.jax_steps`: the same steps on the JAX backend, optionally data-parallel (``--distribute data``).
- :mod:`.rundir`: RUN directory files (weights.npz, run.json, resumable checkpoints), corruption errors.
- :mod:`.loop`: the loop itself (progress bar, TensorBoard, checkpoints, --init, --resume, curves).
- :mod:`.curves`: the curves PNG.

:mod:`.rundir` and :mod:`.schedules` need no TensorFlow (``.schedules`` needs Keras), so ``export`` and the
importer can use them in a lighter environment.
"""
