"""ict2rules: check ICT 2.0 training plans and records against each regional document.

>>> import ict2rules
>>> rs = ict2rules.load_ruleset("zeku_2023")
>>> report = ict2rules.evaluate(rs, {"teacher": {"id": "T1", "hours": {"online": 50, "offline": 25}}})
>>> report.passed
False
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import datetime as dt
    from pathlib import Path

    from .errors import InputError, Problem
    from .evaluation.evaluator import Evaluator
    from .input.files import Records, read_records
    from .kinds.base import Status
    from .report.findings import Finding
    from .report.report import InputProblem, Report
    from .rules.loader import bundled_names, load_ruleset
    from .rules.ruleset import Ruleset

__version__ = "0.1.0"
__all__ = [
    "Evaluator",
    "Finding",
    "InputError",
    "InputProblem",
    "Problem",
    "Records",
    "Report",
    "Ruleset",
    "Status",
    "bundled_names",
    "evaluate",
    "load_ruleset",
    "read_records",
]

# The public names, each imported from its module when first used: ``import ict2rules`` builds
# no pydantic model and reads no ruleset, so a command (``ict2rules --help``) or a program that
# needs only part of the library does not pay for the rest (docs/performance.md#import-time).
_LAZY = {
    "Evaluator": "evaluation.evaluator",
    "Finding": "report.findings",
    "InputError": "errors",
    "InputProblem": "report.report",
    "Problem": "errors",
    "Records": "input.files",
    "Report": "report.report",
    "Ruleset": "rules.ruleset",
    "Status": "kinds.base",
    "bundled_names": "rules.loader",
    "load_ruleset": "rules.loader",
    "read_records": "input.files",
}


def __getattr__(name: str) -> Any:
    """A public name (or a submodule, ``ict2rules.dask``) imported when first read."""
    import importlib

    module = _LAZY.get(name)
    if module is None:
        if name.startswith("__"):  # probes (__wrapped__, __file__ …): never a module of ours
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        try:
            return importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # read once: later reads are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


def _statuses(keep: Any) -> frozenset[Status] | None:
    """``keep`` as a set of statuses (``Status`` or its value, such as ``"fail"``), or None."""
    from collections.abc import Iterable

    from .errors import argument_error
    from .kinds.base import Status

    if keep is None:
        return None
    if isinstance(keep, (str, Status)) or not isinstance(keep, Iterable):
        raise argument_error("keep", keep, "状态的集合", 'a set of statuses, e.g. {Status.FAIL} or {"fail"}')
    try:
        return frozenset(Status(k) for k in keep)
    except (ValueError, TypeError):
        raise argument_error("keep", keep, "状态的集合", 'a set of statuses, e.g. {Status.FAIL} or {"fail"}') from None


def evaluate(
    ruleset: Ruleset | str | Path,
    data: Any,
    *,
    as_of: dt.date | str | None = None,
    keep: frozenset[Status] | None = None,
    group_by_county: bool = False,
    release: bool = False,
    jobs: int = 1,
) -> Report:
    """Check records against a ruleset and return the report.

    ``data`` is a dict (``{"school": {...}}``, ``{"teacher": {...}}`` …), a pydantic record, a
    :class:`Records`, or a path to a YAML/JSON/CSV/XLSX/JSONL file. ``as_of`` (default today)
    decides what is still ``pending``. ``group_by_county`` puts schools given without a region
    into one region per county their records name (``attributes.county``, a roster's 所属区县
    column; :func:`ict2rules.evaluation.regions.group_by_county`) and checks the ruleset's region rules.
    ``release=True`` lets each school's teachers go once the school is checked (its
    ``teachers`` becomes ``[]`` in ``data``; a region's schools keep theirs), so that a province's roster and its report are
    never both in memory: for a caller that reads the records only to check them, as
    ``ict2rules check`` does. The report is the same.
    ``jobs`` > 1 checks the schools in that many worker processes
    (:func:`ict2rules.evaluation.parallel.check_schools`): the same report.

    >>> r = evaluate("kaiyuan_2024", {"teacher": {"id": "T1"}}, as_of="2024-03-01")
    >>> r.summary()["teachers"]["checked"]
    1
    """
    from pathlib import Path

    from .evaluation.evaluator import Evaluator
    from .evaluation.run import check_records
    from .input.files import Records, parse_date, read_records, records_from_data
    from .rules.loader import load_ruleset

    rs = load_ruleset(ruleset)  # a Ruleset as it is; a name or path loaded; anything else refused
    day, kept = parse_date(as_of), _statuses(keep)  # refused before any file is read
    if isinstance(data, Records):
        records = data
    elif isinstance(data, (str, Path)):
        records = read_records(data)
    else:
        records = records_from_data(data)
    ev = Evaluator(rs, as_of=day, keep=kept)
    return check_records(ev, records, group_by_county=group_by_county, release=release, jobs=jobs)
