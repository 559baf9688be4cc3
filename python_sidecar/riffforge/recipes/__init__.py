"""Reproducible recipes that produce RiffForge's bundled default models (see :mod:`.default`)."""
