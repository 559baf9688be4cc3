"""``riffforge evaluate``: does fine-tuning bring the models closer to real Metal? Numbers anyone can re-run.

- :mod:`.sources`: what is compared — model bundles (a folder of bundles plays as a band through the
  runtime's :class:`~riffforge.runtime.generator.ModelGenerator`), the procedural generator, and real
  reference MIDI (the Groove MIDI Dataset's rock performances) cut into 2-bar windows.
- :mod:`.real_metal`: the figures of :mod:`riffforge.metrics.metal` per source and style beside the real-Metal
  reference (:mod:`riffforge.metrics.reference`), inside / distance, and whether fine-tuning moved each figure
  toward real Metal.
- :mod:`.style_classifier`: a NumPy logistic regression trained on procedural riffs that names a riff's style;
  its accuracy on a source's riffs says whether they sound like the style requested.
- :mod:`.novelty`: exact duplicates of training examples and pairwise diversity of samples.
- :mod:`.reconstruction`: MusicVAE-paper reconstruction accuracy (teacher-forced and sampled) on
  validation splits, beside the paper's 2-bar figures.
- :mod:`.plots`: metric distribution plots (matplotlib) and piano rolls of typical samples.
- :mod:`.report`: sampling, the real-Metal tables, metric tables, acceptance checks and ``report.md``.

Training-time tool: it may import matplotlib and (for reconstruction) TensorFlow/Keras; the sidecar never
imports this package.
"""
