"""Check a roster on a Dask cluster: partitions on the workers, one report, byte for byte.

The same evaluator as everywhere else: each partition of rows is checked on a worker by a
:class:`~ict2rules.evaluation.stream.Checker` (compiled once per worker process), which returns its finding
lines, its :class:`~ict2rules.report.findings.Summary` and each school's
:class:`~ict2rules.evaluation.evaluator.TeacherGroup` (the tallies of ``rate``/``count``/``gate``); the
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
import io
from collections import Counter
from collections.abc import Iterable
from typing import Any

from .errors import InputError, Problem
from .evaluation.cluster import Work, _key, check_rows
from .evaluation.stream import Checker, rollup_lines, summary_line
from .input.files import id_key, parse_date, unmatched_problem
from .input.records import School
from .kinds.base import Status
from .rules.ruleset import Ruleset


def _check_partition(key: str, work: Work, number: int, elements: Iterable[Any]) -> Any:
    rows = [
        e if isinstance(e, tuple) else (f"partition {number}", i, e, {}, (), "teacher", ())
        for i, e in enumerate(elements, 1)
    ]
    return check_rows(key, work, rows)


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

    from .rules.loader import load_ruleset

    rs = load_ruleset(ruleset)
    day = parse_date(as_of) or dt.date.today()
    given = [s if isinstance(s, School) else School.model_validate(s) for s in schools]
    init = (rs, day, keep, given)
    work: Work = (Checker, init)
    key = _key(work)
    shared = dask.delayed(work, traverse=False)  # sent to each worker once, not with each task
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
