"""Report writers. Human output (rich text) and machine output (JSON …) are separate writers;
machine output never carries colour codes or progress bars.

Each writer is ``write(report, stream, *, lang) -> None`` registered in :data:`WRITERS`. A
binary format (:data:`BINARY`, e.g. xlsx) is given a binary stream.
"""

from __future__ import annotations

from typing import IO, Any

from ..report.report import Report
from .registry import BINARY, EXTENSIONS, WRITERS, Writer, writer

__all__ = ["BINARY", "EXTENSIONS", "WRITERS", "Writer", "formats", "write", "writer"]


def write(fmt: str, report: Report, stream: IO[Any], **options: Any) -> None:
    """Write ``report`` in format ``fmt`` to ``stream`` (binary for a format in :data:`BINARY`)."""
    from . import concise, github, html, json_, jsonl, junit, markdown, sarif, teachers, text, xlsx  # noqa: F401  (register)

    WRITERS[fmt](report, stream, **options)


def formats() -> list[str]:
    from . import concise, github, html, json_, jsonl, junit, markdown, sarif, teachers, text, xlsx  # noqa: F401

    return sorted(WRITERS)
