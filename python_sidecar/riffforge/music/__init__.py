"""Metal music: the riff type, theory, MIDI and piano-roll I/O, the procedural generator."""
from .riff import INSTRUMENTS, STYLES, Note, Riff, RiffError

__all__ = ["INSTRUMENTS", "STYLES", "Note", "Riff", "RiffError"]
