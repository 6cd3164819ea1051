"""The command line: the parser, the entry point, and one module of command bodies per topic."""

from callblock import codecache

codecache.install()  # before the modules below create their dataclasses (start-up speed)

from callblock.cli.main import execute, main  # noqa: E402
from callblock.cli.parser import build_parser  # noqa: E402

__all__ = ["build_parser", "execute", "main"]
