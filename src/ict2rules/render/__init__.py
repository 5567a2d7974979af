"""Report writers. Human output (rich text) and machine output (JSON …) are separate writers;
machine output never carries colour codes or progress bars.

Each writer is ``write(report, stream, *, lang) -> None`` registered in :data:`WRITERS`. A
binary format (:data:`BINARY`, e.g. xlsx) is given a binary stream.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

from ..report import Report

Writer = Callable[..., None]
WRITERS: dict[str, Writer] = {}
BINARY = frozenset({"xlsx"})  # formats written to a binary stream, never to a terminal
#: The file extension of each format (``--split-by`` names one file per school with it).
EXTENSIONS = {
    "text": "txt", "markdown": "md", "html": "html", "json": "json", "jsonl": "jsonl",
    "junit": "xml", "sarif": "sarif", "github": "txt", "xlsx": "xlsx", "teachers": "txt",
    "concise": "txt",
}


def writer(name: str) -> Callable[[Writer], Writer]:
    def deco(fn: Writer) -> Writer:
        WRITERS[name] = fn
        return fn

    return deco


def write(fmt: str, report: Report, stream: IO[Any], **options: Any) -> None:
    """Write ``report`` in format ``fmt`` to ``stream`` (binary for a format in :data:`BINARY`)."""
    from . import concise, github, html, json_, jsonl, junit, markdown, sarif, teachers, text, xlsx  # noqa: F401  (register)

    WRITERS[fmt](report, stream, **options)


def formats() -> list[str]:
    from . import concise, github, html, json_, jsonl, junit, markdown, sarif, teachers, text, xlsx  # noqa: F401

    return sorted(WRITERS)
