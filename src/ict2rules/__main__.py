"""``python -m ict2rules`` runs the command line."""

from .cli import entry

entry()
