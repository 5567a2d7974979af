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

See :func:`ict2rules.evaluation.stream.check_stream` (``jobs=``) and ``ict2rules check --jobs N``.

The schools of records read into memory go the same way (:func:`check_schools`, what
``evaluate(..., jobs=N)`` and every in-memory format of ``check --jobs N`` use): units of
consecutive schools, pickled by the main process, checked whole by a :class:`SchoolChecker`,
merged in order into the report one process would make, byte for byte.
"""

from __future__ import annotations

import contextlib
import pickle
import signal
import sys
from array import array
from collections import Counter, deque
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from ..report.findings import Tally

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
    (``context``: a ``multiprocessing`` context, default the platform's)."""
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
    # let the pool's manager thread end now, the workers gone: at exit the interpreter wakes it
    # through a pipe it may be closing at that moment (CPython's concurrent.futures), and the
    # failed write was printed with a traceback after "terminated"
    manager = getattr(pool, "_executor_manager_thread", None)
    if manager is not None:
        with contextlib.suppress(Exception):
            manager.join(timeout=5)
            if not manager.is_alive():  # ended: nothing is left to wake, so exit must not try
                sys.modules["concurrent.futures.process"]._threads_wakeups.pop(manager, None)


# --------------------------------------------------------------------------- schools in memory


def fresh_context() -> Any:
    """Workers that start from a fresh interpreter, never a copy of this process: a fork
    after the records are read would share them copy-on-write, and each page a worker reads
    (its reference counts change) is then copied — about twice the memory in all. ``forkserver``
    where the platform has it (Linux, macOS), else ``spawn`` (Windows)."""
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # the server imports the evaluator once (before it starts; later calls change nothing):
    # each worker is a fork of it, not an interpreter importing the package again
    context.set_forkserver_preload(["ict2rules.evaluation.evaluator", "ict2rules.report.jsonlines"])
    return context


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
# ... and up to which it is the default: the main process holds every record read, and each
# worker is an interpreter of its own (~70-100 MB); for a province (50,000 teachers) two
# workers took the processes together past 500 MB, so the default there is one process.
DEFAULT_UP_TO = 20_000
# Teachers per unit of work: a few MB of results (7 MB of JSON lines with every finding kept:
# at most 2 × jobs units are in flight), and enough units to share the work.
SCHOOL_CHUNK = 250


def default_jobs(teachers: int) -> int:
    """``--jobs`` left out: min(cores, 4) processes for :data:`PAYS_FROM` to
    :data:`DEFAULT_UP_TO` teachers, else one (a small roster: the workers cost more than
    they save; a province: they would take memory past 500 MB — give ``--jobs`` to trade it).

    >>> default_jobs(100), default_jobs(50_000)
    (1, 1)
    """
    return max(1, min(cores(), 4)) if PAYS_FROM <= teachers <= DEFAULT_UP_TO else 1


class SchoolsResult(NamedTuple):
    """What a run of consecutive schools gave, as it travels back from a worker: the findings
    (compact columns, or their JSON lines as one UTF-8 text), the subjects checked, the counts
    of the evaluator (unmet, statuses) and its derived values."""

    findings: Any
    tally: Tally
    unmet: Counter[str]
    statuses: Counter[Any]
    derived: list[Any]


class SchoolChecker:
    """Checks schools in a worker with an evaluator of its own (the ruleset arrives without
    its compiled plan and compiles here, once). ``encode`` (a line end): findings go back as
    their JSON lines in UTF-8, each followed by it (:class:`~ict2rules.report.jsonlines.Lines`), else
    as compact columns (:func:`_compact`)."""

    def __init__(self, ruleset: Any, as_of: Any, keep: Any, encode: bytes | None) -> None:
        from .evaluator import Evaluator

        self.ev = Evaluator(ruleset, as_of=as_of, keep=keep)
        self.index = {id(cr): i for i, cr in enumerate(_rules(self.ev))}
        self.lines, self.end = None, encode
        if encode is not None:
            from ..report.jsonlines import Lines

            self.lines = Lines(ruleset)

    def chunk(self, schools: bytes) -> SchoolsResult:
        ev = self.ev
        ev.unmet, ev.statuses = Counter(), Counter()  # this chunk's, added up by the parent
        ev.forget_values()
        found: list[Any] = []
        tally = Tally()
        for school in pickle.loads(schools):
            s, more = ev.school(school)
            found += more
            tally.add_school(s)
        if self.lines is not None:
            out: Any = self.lines.encoded(found, self.end)
        else:
            out = _compact(found, self.index)
        derived = ev._derived[:]
        ev.forget_values()
        return SchoolsResult(out, tally, ev.unmet, ev.statuses, derived)


def _rules(ev: Any) -> list[Any]:
    return [cr for rules in ev.plan.rules.values() for cr in rules]


def _compact(found: list[Any], index: dict[int, int]) -> tuple[Any, ...]:
    """Findings as columns that pickle quickly: rule numbers, status codes, subjects (each
    shared one pickled once), evidence, and the few outcomes already made."""
    from ..kinds.base import Status

    codes = {st: i for i, st in enumerate(Status)}
    rules = array("H", [index[id(f.compiled)] for f in found])
    statuses = bytes([codes[f.status] for f in found])
    outcomes = {i: f._outcome for i, f in enumerate(found) if f._outcome is not None}
    return rules, statuses, [f.subject for f in found], [f._evidence for f in found], outcomes


def _findings(columns: tuple[Any, ...], rules: list[Any]) -> list[Any]:
    """:func:`_compact`'s columns as findings again, in the parent, of its own rules."""
    from ..kinds.base import Status
    from ..report.findings import Finding

    numbers, statuses, refs, evidence, outcomes = columns
    by_code = list(Status)
    found = [Finding(rules[r], ref, by_code[st], ev)
             for r, st, ref, ev in zip(numbers, statuses, refs, evidence, strict=True)]
    for i, outcome in outcomes.items():
        found[i]._outcome, found[i]._evidence = outcome, None
    return found


def _units(schools: list[Any], release: bool) -> Iterator[bytes]:
    """Consecutive schools, about :data:`SCHOOL_CHUNK` teachers at a time, pickled here (so
    that ``release`` may then let their teachers go)."""
    unit: list[Any] = []
    size = 0
    for i, school in enumerate(schools, 1):
        unit.append(school)
        size += len(school.teachers or ()) + 1
        if size >= SCHOOL_CHUNK or i == len(schools):
            data = pickle.dumps(unit, protocol=pickle.HIGHEST_PROTOCOL)
            if release:
                for sent in unit:
                    if sent.teachers:
                        sent.teachers = []
            yield data
            unit, size = [], 0


def check_schools(ev: Any, schools: list[Any], jobs: int, *, encode: bytes | None = None,
                  release: bool = False) -> Iterator[SchoolsResult]:
    """Check ``schools`` (records in memory) in ``jobs`` worker processes, each school checked
    whole by one of them; their results in order, the findings as
    :class:`~ict2rules.report.findings.Finding` of ``ev``'s rules (``encode``, a line end: their JSON
    lines, one UTF-8 text per unit of work). ``ev``'s counts and derived values grow as with
    ``ev.school`` called on each school in turn, so the report is the same, byte for byte.
    ``release``: each school's teachers let go once sent (as ``evaluate(release=True)``)."""
    rules = _rules(ev)
    make = (ev.ruleset, ev.env.as_of, ev.keep, encode)
    for res in ordered_map(_units(schools, release), jobs, SchoolChecker, make, context=fresh_context()):
        ev.unmet.update(res.unmet)
        ev.statuses.update(res.statuses)
        ev._derived.extend(res.derived)
        yield res if encode is not None else res._replace(findings=_findings(res.findings, rules))
