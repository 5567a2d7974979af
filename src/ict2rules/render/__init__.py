"""Report writers. Human output (rich text) and machine output (JSON …) are separate writers;
machine output never carries colour codes or progress bars.

Each writer is ``write(report, stream, *, lang) -> None`` registered in :data:`WRITERS`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

from ..report import Report

Writer = Callable[..., None]
WRITERS: dict[str, Writer] = {}


def writer(name: str) -> Callable[[Writer], Writer]:
    def deco(fn: Writer) -> Writer:
        WRITERS[name] = fn
        return fn

    return deco


def write(fmt: str, report: Report, stream: IO[str], **options: Any) -> None:
    """Write ``report`` in format ``fmt`` to ``stream``."""
    from . import github, html, json_, jsonl, junit, markdown, sarif, text  # noqa: F401  (register the writers)

    WRITERS[fmt](report, stream, **options)


def formats() -> list[str]:
    from . import github, html, json_, jsonl, junit, markdown, sarif, text  # noqa: F401

    return sorted(WRITERS)
