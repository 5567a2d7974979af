"""Check chunks of a roster in several processes, results back in input order.

The ruleset travels without its compiled plan (``Ruleset.__getstate__``): each worker compiles
it once, in its initializer, then checks chunk after chunk. At most ``2 × jobs`` chunks are in
flight, so memory stays bounded however long the roster is.

See :func:`ict2rules.stream.check_stream` (``jobs=``) and ``ict2rules check --jobs N``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

_checker: Any = None  # the worker's Checker, built once by _init


def _init(ruleset: Any, as_of: Any, keep: Any, schools: Any) -> None:
    from .stream import Checker

    global _checker
    _checker = Checker(ruleset, as_of, keep, schools)


def _work(rows: list[Any]) -> Any:
    return _checker.chunk(rows)


def ordered_map(chunks: Iterator[list[Any]], jobs: int, init: tuple[Any, ...]) -> Iterator[Any]:
    """Results of ``Checker.chunk`` over ``chunks`` in ``jobs`` processes, in input order."""
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init, initargs=init) as pool:
        pending: deque[Future[Any]] = deque()
        for chunk in chunks:
            pending.append(pool.submit(_work, chunk))
            if len(pending) >= 2 * jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
