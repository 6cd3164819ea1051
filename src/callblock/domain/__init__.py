"""The pure domain: dataclasses and functions with no I/O, no Textual and no SQL."""
