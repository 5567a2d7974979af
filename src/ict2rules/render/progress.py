"""Progress on stderr while ``ict2rules check`` reads, checks and writes a big roster.

Drawn only when stderr is a terminal (never into a pipe, a file, a test's capture or a CI
log) and, unless asked for with ``--progress``, only when the input is big enough for a bar
to be worth drawing (:data:`AUTO_BYTES`). ``--no-progress`` turns it off. The bar is transient:
it is erased when the run ends, and it is taken down before a report is written to the same
terminal, so the two never mix.

>>> import io
>>> with Phases(io.StringIO()) as bar:   # not a terminal: nothing is drawn
...     with bar.reading(["a.csv"]) as tick:
...         tick()
>>> bar.shown
False
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import IO, Any

AUTO_BYTES = 1_000_000  # inputs this big (about 2,000 teachers) get a bar without --progress
PROGRESS_THRESHOLD = 2000  # teachers: the same size, counted once read


def is_terminal(stream: Any) -> bool:
    """Whether ``stream`` is an interactive terminal that can redraw a bar."""
    try:
        return bool(stream.isatty()) and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError, OSError):
        return False


def wanted(option: bool | None, files: list[str], stream: Any = None) -> bool:
    """Whether to draw progress: ``option`` is ``--progress`` (True), ``--no-progress``
    (False) or neither (None: only for inputs of :data:`AUTO_BYTES` or more). Never when
    ``stream`` (stderr) is not a terminal.

    >>> wanted(True, [], object())
    False
    """
    if option is False or not is_terminal(stream if stream is not None else sys.stderr):
        return False
    if option:
        return True
    size = 0
    for path in files:
        with suppress(OSError):  # an unreadable file is reported by the reading
            size += os.path.getsize(path)
    return size >= AUTO_BYTES


class _Counting(list):  # type: ignore[type-arg]
    """A list that calls ``tick`` as each item is iterated (the evaluator walks it once)."""

    def __init__(self, items: list[Any], tick: Callable[[], None]) -> None:
        super().__init__(items)
        self._tick = tick

    def __iter__(self) -> Iterator[Any]:
        for item in super().__iter__():
            yield item
            self._tick()


class Phases:
    """A transient progress display with one task per phase: reading, checking, writing.

    Used as a context manager; when ``stream`` is not a terminal (or ``enabled`` is False)
    every phase is a no-op and nothing is written.
    """

    def __init__(self, stream: IO[str] | None = None, *, enabled: bool = True) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled and is_terminal(self.stream)
        self.shown = False
        self._bar: Any = None

    def __enter__(self) -> Phases:
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._bar = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                console=Console(file=self.stream), transient=True,
                redirect_stdout=False, redirect_stderr=False,  # the report is never the bar's
            )
            self._bar.start()
            self.shown = True
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Take the display down (before a report goes to the same terminal)."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    @contextmanager
    def reading(self, files: list[str]) -> Iterator[Callable[[], None]]:
        """A task over the files; the caller ticks after each one is read."""
        if self._bar is None:
            yield lambda: None
            return
        task = self._bar.add_task("读取 / reading", total=len(files))
        yield lambda: self._bar.advance(task) if self._bar is not None else None

    @contextmanager
    def checking(self, records: Any) -> Iterator[None]:
        """A task over the teachers, advanced as the evaluator reaches each one."""
        if self._bar is None:
            yield
            return
        bar = self._bar
        owners = [records, *records.schools]
        # the counting lists replace the teachers' lists (not kept beside them: a check that
        # lets a school's teachers go once checked frees them), made plain lists again after
        saved = [(o, _Counting(o.teachers, lambda: bar.advance(task))) for o in owners if getattr(o, "teachers", None)]
        task = bar.add_task("检查 / checking", total=sum(len(t) for _, t in saved) or None)
        for owner, counting in saved:
            owner.teachers = counting
        try:
            yield
        finally:
            for owner, counting in saved:
                if owner.teachers is counting:
                    owner.teachers = counting[:]  # (a plain list; no tick: not iterated)

    @contextmanager
    def writing(self, to_terminal: bool) -> Iterator[None]:
        """A task while the report is written; taken down first when it goes to the terminal."""
        if self._bar is None or to_terminal:
            self.stop()
            yield
            return
        self._bar.add_task("写出 / writing", total=None)
        try:
            yield
        finally:
            self.stop()


@contextmanager
def progress(records: Any, stream: IO[str] | None = None, *, threshold: int = PROGRESS_THRESHOLD) -> Iterator[None]:
    """A bar over the teachers of ``records`` while they are evaluated, on ``stream``
    (stderr) when it is a terminal and there are at least ``threshold`` teachers.

    >>> from ict2rules.input.files import Records
    >>> with progress(Records()):  # nothing to draw: no bar, no output
    ...     pass
    """
    owners = [records, *records.schools]
    total = sum(len(getattr(o, "teachers", None) or ()) for o in owners)
    with Phases(stream, enabled=total >= threshold) as bar, bar.checking(records):
        yield
