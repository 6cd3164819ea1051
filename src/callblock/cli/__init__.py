"""The command line: the parser, the entry point, and one module of command bodies per topic."""

from callblock.cli.main import execute, main
from callblock.cli.parser import build_parser

__all__ = ["build_parser", "execute", "main"]
