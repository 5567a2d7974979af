"""Check chunks of a roster in several processes, results back in input order.

What the workers run is given, not imported: each builds its checker once, in its initializer,
as ``make(*args)`` (``stream.Checker`` and its ruleset, which travels without its compiled plan:
``Ruleset.__getstate__``), then checks chunk after chunk. So this module sits below the stream
that feeds it. At most ``2 × jobs`` chunks are in
flight, so memory stays bounded however long the roster is.

No worker outlives the run: when the run ends early (an error, Ctrl-C, SIGTERM or SIGHUP
turned into an exception by the CLI, or the consumer stopping), the workers are killed at
once rather than waited for; they hold nothing to clean up. Workers ignore SIGTERM and SIGHUP
themselves (the parent decides and cleans up) and, on Linux, die with their parent even when
it is killed outright (SIGKILL).

See :func:`ict2rules.stream.check_stream` (``jobs=``) and ``ict2rules check --jobs N``.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import signal
import sys
from array import array
from collections import Counter, deque
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

_checker: Any = None  # the worker's Checker, built once by _init


def _init(make: Callable[..., Any], args: tuple[Any, ...]) -> None:
    global _checker
    for name in ("SIGTERM", "SIGHUP"):  # the parent's handlers would raise in the worker
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
    _die_with_parent()
    _checker = make(*args)


def _die_with_parent() -> None:
    """Linux: the kernel kills this process when its parent dies (PR_SET_PDEATHSIG)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # 1: PR_SET_PDEATHSIG


def _work(rows: list[Any]) -> Any:
    return _checker.chunk(rows)


def ordered_map(
    chunks: Iterator[list[Any]], jobs: int, make: Callable[..., Any], args: tuple[Any, ...],
    context: Any = None,
) -> Iterator[Any]:
    """Results of ``make(*args).chunk`` over ``chunks`` in ``jobs`` processes, in input order
    (``context``: a ``multiprocessing`` context; with ``fork`` the workers inherit ``args``,
    which are then never pickled)."""
    from concurrent.futures import ProcessPoolExecutor  # imported by a run that uses it only

    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init,
                               initargs=(make, args))
    try:
        pending: deque[Future[Any]] = deque()
        for chunk in chunks:
            pending.append(pool.submit(_work, chunk))
            if len(pending) >= 2 * jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    except BaseException:  # GeneratorExit, KeyboardInterrupt, the CLI's Terminated, an error
        _stop(pool)
        raise
    pool.shutdown()


def _stop(pool: ProcessPoolExecutor) -> None:
    """Kill the workers now: waiting for their chunks would keep a killed run alive."""
    workers = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in workers:
        with contextlib.suppress(Exception):
            process.kill()
    for process in workers:
        with contextlib.suppress(Exception):
            process.join(timeout=5)


# --------------------------------------------------------------------------- schools in memory


def fork_context() -> Any | None:
    """The ``fork`` start method where the platform has one (Linux, macOS), else None: a
    forked worker inherits the records already read and the compiled plan, so nothing but
    the results is ever pickled. Without it (Windows) the in-memory check runs in one process.
    """
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    return multiprocessing.get_context("fork")


def cores() -> int:
    """The cores this process may run on."""
    import os

    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


# Teachers from which checking schools in worker processes pays (docs/performance.md, "One
# check, both cores"): below it, starting the workers and sending results back cost more.
PAYS_FROM = 5_000
# Teachers per unit of work: a few hundred KB of results, and enough units to share the work.
SCHOOL_CHUNK = 500


def default_jobs(teachers: int) -> int:
    """``--jobs`` left out: one process for a small roster, else min(cores, 4).

    >>> default_jobs(100)
    1
    """
    return 1 if teachers < PAYS_FROM else max(1, min(cores(), 4))


def tally(checked: Any) -> tuple[list[tuple[str, str, bool]], int, int]:
    """A checked school's subjects for the report (its teachers, then itself) and how many
    of them wait only for work not yet due: ``(subjects, teachers waiting, schools waiting)``."""
    subjects: list[tuple[str, str, bool]] = []
    waiting = 0
    for child in checked.children or ():
        subjects.append(("teacher", f"{checked.record.id}/{child.record.id}", bool(child.passed)))
        waiting += child.waiting
    subjects.append(("school", checked.record.id, bool(checked.passed)))
    return subjects, waiting, int(checked.waiting)


class SchoolsResult(NamedTuple):
    """What a run of consecutive schools gave, as it travels back from a worker: the findings
    (compact columns, or their JSON lines as one text), the subjects, the counts of the
    evaluator (unmet, statuses) and its derived values."""

    findings: Any
    subjects: list[tuple[str, str, bool]]
    waiting: int
    schools_waiting: int
    unmet: Counter[str]
    statuses: Counter[Any]
    derived: list[Any]


class SchoolChecker:
    """Checks schools ``schools[start:end]`` in a forked worker, with the parent's evaluator
    (inherited: already compiled). ``encode`` (a line end): findings come back as their JSON
    lines in UTF-8, each followed by it (:class:`~ict2rules.jsonlines.Lines`), else as compact
    columns (:func:`_compact`)."""

    def __init__(self, ev: Any, schools: list[Any], encode: bytes | None) -> None:
        self.ev, self.schools = ev, schools
        self.rules = _rules(ev)
        self.index = {id(cr): i for i, cr in enumerate(self.rules)}
        self.lines, self.end = None, encode
        if encode is not None:
            from .jsonlines import Lines

            self.lines = Lines(ev.ruleset)

    def chunk(self, span: tuple[int, int]) -> SchoolsResult:
        ev = self.ev
        ev.unmet, ev.statuses = Counter(), Counter()  # this chunk's, added up by the parent
        ev.forget_values()
        found: list[Any] = []
        subjects: list[tuple[str, str, bool]] = []
        waiting = schools_waiting = 0
        for school in self.schools[span[0]:span[1]]:
            s, more = ev.school(school)
            found += more
            subs, w, ws = tally(s)
            subjects += subs
            waiting += w
            schools_waiting += ws
        if self.lines is not None:
            line = self.lines.line
            end = self.end
            out: Any = b"".join([line(f).encode("utf-8", "surrogatepass") + end for f in found])
        else:
            out = _compact(found, self.index)
        derived = ev._derived[:]
        ev.forget_values()
        return SchoolsResult(out, subjects, waiting, schools_waiting, ev.unmet, ev.statuses, derived)


def _rules(ev: Any) -> list[Any]:
    return [cr for rules in ev.plan.rules.values() for cr in rules]


def _compact(found: list[Any], index: dict[int, int]) -> tuple[Any, ...]:
    """Findings as columns that pickle quickly: rule numbers, status codes, subjects (each
    shared one pickled once), evidence, and the few outcomes already made."""
    from .kinds.base import Status

    codes = {st: i for i, st in enumerate(Status)}
    rules = array("H", [index[id(f.compiled)] for f in found])
    statuses = bytes([codes[f.status] for f in found])
    outcomes = {i: f._outcome for i, f in enumerate(found) if f._outcome is not None}
    return rules, statuses, [f.subject for f in found], [f._evidence for f in found], outcomes


def _findings(columns: tuple[Any, ...], rules: list[Any]) -> list[Any]:
    """:func:`_compact`'s columns as findings again, in the parent."""
    from .evaluator import Finding
    from .kinds.base import Status

    numbers, statuses, refs, evidence, outcomes = columns
    by_code = list(Status)
    found = [Finding(rules[r], ref, by_code[st], ev) for r, st, ref, ev in zip(numbers, statuses, refs, evidence, strict=True)]
    for i, outcome in outcomes.items():
        found[i]._outcome, found[i]._evidence = outcome, None
    return found


def check_schools(ev: Any, schools: list[Any], jobs: int, *, encode: bytes | None = None,
                  release: bool = False) -> Iterator[SchoolsResult]:
    """Check ``schools`` (records in memory) in ``jobs`` forked processes, each school
    checked whole by one of them; their results in order, the findings as
    :class:`~ict2rules.evaluator.Finding` again (``encode``, a line end: their JSON lines, one
    UTF-8 text per unit of work). ``ev``'s counts and derived values grow as with ``ev.school`` called on
    each school in turn, so the report is the same, byte for byte. ``release``: each school's
    teachers let go once its result is back (as ``evaluate(release=True)``)."""
    spans, start, size = [], 0, 0
    for i, school in enumerate(schools):
        size += len(school.teachers or ()) + 1
        if size >= SCHOOL_CHUNK:
            spans.append((start, i + 1))
            start, size = i + 1, 0
    if start < len(schools):
        spans.append((start, len(schools)))
    rules = _rules(ev)
    # What the workers inherit, out of the collector's reach: its passes in a worker would
    # walk (and so copy, page by page) the parent's whole heap, the records already read.
    gc.freeze()
    try:
        results = ordered_map(iter(spans), jobs, SchoolChecker, (ev, schools, encode), context=fork_context())
        first = next(results, None)  # the workers are forked: the parent may collect again
    finally:
        gc.unfreeze()
    for span, res in zip(spans, itertools.chain([first], results), strict=True):
        ev.unmet.update(res.unmet)
        ev.statuses.update(res.statuses)
        ev._derived.extend(res.derived)
        if release:
            for school in schools[span[0]:span[1]]:
                if school.teachers:
                    school.teachers = []
        yield res if encode is not None else res._replace(findings=_findings(res.findings, rules))
