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
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

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
    chunks: Iterator[list[Any]], jobs: int, make: Callable[..., Any], args: tuple[Any, ...]
) -> Iterator[Any]:
    """Results of ``make(*args).chunk`` over ``chunks`` in ``jobs`` processes, in input order."""
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init, initargs=(make, args))
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
