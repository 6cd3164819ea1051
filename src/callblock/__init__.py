"""callblock: a keyboard-driven terminal workstation for inside-sales call blocks."""

__version__ = "0.1.0"
