"""Check a roster on a Dask cluster: partitions on the workers, one report, byte for byte.

The same evaluator as everywhere else: each partition of rows is checked on a worker by a
:class:`~ict2rules.stream.Checker` (compiled once per worker process), which returns its finding
lines, its :class:`~ict2rules.evaluator.Summary` and each school's
:class:`~ict2rules.evaluator.TeacherGroup` (the tallies of ``rate``/``count``/``gate``); the
client merges them in partition order and finishes each school once. The text is what
``ict2rules check ROSTER SCHOOLS -f jsonl`` writes for the same rows, byte for byte.

Two entry points (``pip install "ict2rules[dask]"``):

* :func:`check_bag` — a ``dask.bag.Bag`` of roster rows (teacher dicts, as JSON Lines give them)
  and the ruleset, on whatever scheduler the bag computes with (``scheduler=`` or the current
  ``distributed.Client``);
* ``ict2rules check ROSTER [SCHOOLS] -f jsonl --dask SCHEDULER_ADDRESS`` — the rows are read
  and screened here (bad rows, duplicate ids, schools that do not join: exactly as without
  ``--dask``), then checked in chunks on the cluster's workers, results in input order.

>>> import dask.bag as db
>>> from ict2rules import load_ruleset
>>> rows = db.from_sequence([{"id": "T1", "hours": {"online": 50, "offline": 25}}], npartitions=1)
>>> text = check_bag(rows, load_ruleset("zeku_2023"), as_of="2023-10-08", scheduler="sync")
>>> text.splitlines()[-1][:40]
'{"type":"summary","version":1,"ruleset":'
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import pickle
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from typing import Any

from .errors import InputError, Problem
from .inputs import id_key, parse_date, unmatched_problem
from .kinds.base import Status
from .records import School
from .ruleset import Ruleset

# Per worker process: the checker of each (ruleset, as-of date, statuses, schools) seen, compiled
# once and kept for the next partition (a few at most: a worker serves a few runs at a time).
_CHECKERS: dict[str, Any] = {}
CONNECT_TIMEOUT = 20  # seconds to reach the scheduler of ``--dask``


def _key(init: tuple[Any, ...]) -> str:
    """What a checker is made of, as a short key (the ruleset pickles without its plan)."""
    return hashlib.sha256(pickle.dumps(init)).hexdigest()


def _checker(key: str, init: tuple[Any, ...]) -> Any:
    found = _CHECKERS.get(key)
    if found is None:
        from .stream import Checker

        if len(_CHECKERS) >= 4:
            _CHECKERS.clear()
        found = _CHECKERS[key] = Checker(*init)
    return found


def check_rows(key: str, init: tuple[Any, ...], rows: list[Any]) -> Any:
    """On a worker: one chunk of roster rows (``stream.Row`` tuples) → ``ChunkResult``."""
    return _checker(key, init).chunk(rows)


def _check_partition(key: str, init: tuple[Any, ...], number: int, elements: Iterable[Any]) -> Any:
    rows = [
        e if isinstance(e, tuple) else (f"partition {number}", i, e, {}, (), "teacher", ())
        for i, e in enumerate(elements, 1)
    ]
    return check_rows(key, init, rows)


def check_bag(
    bag: Any,
    ruleset: Ruleset | str,
    schools: Iterable[School | dict[str, Any]] = (),
    *,
    as_of: dt.date | str | None = None,
    keep: frozenset[Status] | None = None,
    keep_going: bool = False,
    inputs: Iterable[str] = (),
    scheduler: Any = None,
) -> str:
    """Check the rows of ``bag`` (teacher dicts; or ``stream.Row`` tuples) on Dask workers and
    return the JSON Lines report: the lines ``check_stream`` writes for the same rows, in
    partition order, then the schools' findings, a roll-up line per school and the summary
    (``inputs`` are the file names it names).

    A bad row is an :class:`~ict2rules.errors.InputError` naming its partition and row (with
    ``keep_going`` it is left out and counted in ``skipped_rows``); a teacher id given twice,
    or a row whose school is not among ``schools``, is always one: nothing was left out.
    ``scheduler`` is passed to ``dask.compute`` (default: the current client, else Dask's).
    """
    import dask

    from .loader import load_ruleset
    from .stream import Checker, rollup_lines, summary_line

    rs = load_ruleset(ruleset)
    day = parse_date(as_of) or dt.date.today()
    given = [s if isinstance(s, School) else School.model_validate(s) for s in schools]
    init = (rs, day, keep, given)
    key = _key(init)
    shared = dask.delayed(init, traverse=False)  # sent to each worker once, not with each task
    tasks = [
        dask.delayed(_check_partition, pure=False)(key, shared, n, part)
        for n, part in enumerate(bag.to_delayed())
    ]
    results = dask.compute(*tasks, scheduler=scheduler)
    problems = [p for r in results for p in r.problems]
    if problems and not keep_going:
        raise InputError(problems)
    refused = _twice(r.ids for r in results) + [
        unmatched_problem(file, row, sid, given) for r in results for file, row, sid in r.unjoined
    ]
    if refused:
        raise InputError(refused)
    checker = Checker(*init)
    out = io.StringIO()
    summary, groups = checker.merge(results, out)
    out.writelines(checker.finish(summary, groups))
    out.writelines(rollup_lines(groups))
    out.write(summary_line(rs, day, list(inputs), summary))
    return out.getvalue()


def _twice(ids: Iterable[list[str]]) -> list[Problem]:
    """A problem for each teacher id given more than once (on ``inputs.id_key``)."""
    counts = Counter(id_key(i) for chunk in ids for i in chunk)
    return [
        Problem(None, f"教师编号 {i} 出现 {n} 次", f"teacher id {i} is given {n} times", code="duplicate")
        for i, n in counts.items() if n > 1
    ]


def ordered_results(chunks: Iterator[list[Any]], address: str, init: tuple[Any, ...]) -> Iterator[Any]:
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
        [shared] = client.scatter([init], broadcast=True)  # one copy per worker
        key = _key(init)
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
