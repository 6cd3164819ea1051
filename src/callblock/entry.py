"""The `callblock` command (its console script, and `python -m callblock`): start-up first
(callblock/startup.py), then the command line."""

from callblock import startup

startup.begin()

from callblock.cli.main import main  # noqa: E402

__all__ = ["main"]
