"""RiffForge: real-time generative Metal riffs (MusicVAE) served over OSC to Unity."""
__version__ = "0.1.0"
