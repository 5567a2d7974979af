"""Check chunks of rows on the workers of a Dask cluster, results back in input order.

What runs on the workers is given, not imported: ``make(*args)`` builds the worker's checker
(``stream.Checker`` and its ruleset, date, statuses and schools), once per worker process and
kept for the next chunk. So this module, like :mod:`ict2rules.evaluation.parallel` for processes, sits
below the stream that feeds it and the :mod:`ict2rules.dask` entry point that merges the results.

>>> _key((dict, (("a", 1),))) == _key((dict, (("a", 1),)))
True
"""

from __future__ import annotations

import hashlib
import pickle
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

from ..errors import InputError

#: What a worker builds its checker with: ``(make, args)``, checker = ``make(*args)``.
Work = tuple[Callable[..., Any], tuple[Any, ...]]

# Per worker process: the checker of each piece of work seen (a ruleset, as-of date, statuses,
# schools), compiled once and kept for the next chunk (a few at most: a worker serves a few
# runs at a time).
_CHECKERS: dict[str, Any] = {}
CONNECT_TIMEOUT = 20  # seconds to reach the scheduler of ``--dask``


def _key(work: Work) -> str:
    """What a checker is made of, as a short key (the ruleset pickles without its plan)."""
    return hashlib.sha256(pickle.dumps(work)).hexdigest()


def check_rows(key: str, work: Work, rows: list[Any]) -> Any:
    """On a worker: one chunk of roster rows (``stream.Row`` tuples) → ``ChunkResult``."""
    found = _CHECKERS.get(key)
    if found is None:
        if len(_CHECKERS) >= 4:
            _CHECKERS.clear()
        make, args = work
        found = _CHECKERS[key] = make(*args)
    return found.chunk(rows)


def ordered_results(chunks: Iterator[list[Any]], address: str, work: Work) -> Iterator[Any]:
    """``ChunkResult`` of each chunk, checked on the workers of the scheduler at ``address``, in
    input order (at most two chunks per worker in flight, so memory stays bounded)."""
    try:
        from distributed import Client
    except ImportError:
        raise InputError.single(
            "--dask", "需要安装 dask 扩展:pip install \"ict2rules[dask]\"",
            "needs the dask extra: pip install \"ict2rules[dask]\"",
        ) from None
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError.single(
            "--dask", f"无法连接 Dask 调度器 {address}", f"cannot reach the Dask scheduler at {address}: {exc}",
        ) from None
    with client:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        [shared] = client.scatter([work], broadcast=True)  # one copy per worker
        key = _key(work)
        pending: deque[Any] = deque()
        try:
            for chunk in chunks:
                pending.append(client.submit(check_rows, key, shared, chunk, pure=False))
                if len(pending) >= 2 * workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            client.cancel(list(pending))
