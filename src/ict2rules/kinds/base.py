"""What every rule kind shares: statuses, outcomes, the subject a check looks at, the registry.

A kind is a small function registered by name. At compile time it receives its validated
arguments and a :class:`~ict2rules.rules.compiler.Context`, and returns a check made by
:func:`judged`: one body ``judge(subject) -> (status, evidence)`` and a pure
``explain(status, evidence) -> Outcome``. Like a jsonschema keyword, it never raises for bad
data: an absent value is ``missing_data``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from operator import attrgetter
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

if TYPE_CHECKING:
    from ..rules.compiler import Context


class Status(str, Enum):
    """The verdict of one rule on one subject."""

    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    MISSING_DATA = "missing_data"
    PENDING = "pending"

    def __str__(self) -> str:
        return self.value


# The statuses by short names, for the code that tests them on every record (a module global
# is found faster than an attribute of the enum class).
PASS, FAIL, NA, MISSING, PENDING = (
    Status.PASS,
    Status.FAIL,
    Status.NOT_APPLICABLE,
    Status.MISSING_DATA,
    Status.PENDING,
)


class Outcome(NamedTuple):
    """What a check found: status, what was expected, what was found, optional details."""

    status: Status
    expected: Any = None
    actual: Any = None
    detail: dict[str, Any] | None = None


def missing(expected: Any, *fields: str) -> Outcome:
    """The outcome for data that is not there."""
    return Outcome(Status.MISSING_DATA, expected, None, {"missing": list(fields)})


@dataclass(eq=False)
class Env:
    """Evaluation-wide settings every check can read."""

    as_of: dt.date


@dataclass(eq=False, slots=True)
class Subject:
    """A record being checked, with what the evaluator knows about it so far."""

    record: Any
    env: Env
    parent: Subject | None = None
    derived: dict[str, Any] = field(default_factory=dict)
    children: list[Subject] | None = None
    passed: bool | None = None
    waiting: bool = False  # not passed only because required work is not yet due
    # Item subjects already built, by list path: several rules walk a teacher's points.
    memo: dict[str, Any] | None = None
    # A school's group rules' tallies while its own rules run (``evaluator.TeacherGroup``).
    groups: list[Any] | None = None


# What a check may raise on data the record models do not type (free ``attributes``, values
# compared across types): it is the data's fault, so it is a finding, never a crash.
DATA_ERRORS = (TypeError, ValueError, ArithmeticError, AttributeError, KeyError, IndexError)


Check = Callable[[Subject], Outcome]
Verdict = Callable[[Subject], Status]


class Read(NamedTuple):
    """Where a comparison finds its value: a chain of attributes through the subject
    (``record.hours.online``) and, when that reaches a mapping, one key of it (``lesson``)."""

    chain: str
    key: str | None = None
    certain: bool = False  # nothing on the way can be None: reading it never raises


class Comparison(NamedTuple):
    """One comparison a check's pass rests on: ``op(value read, bound)``, or, when ``op`` is
    None, the value's truth. The bound is a constant, or a :class:`Read` of another field
    (then ``op`` must raise on None, as ``<`` does and ``==`` does not).

    A kind may list the comparisons that, all true, mean its check passes; a kind's single
    comparison is moreover true exactly when its check passes, unless reading raises (an absent
    value, a value of another type), so a list can be filtered by it. The compiler tests
    the comparisons of neighbouring rules together, in a few C-level calls (``attrgetter`` of
    every read, ``map`` of the operator): when all are true the rules all pass; when any is
    false, absent (None) or of the wrong type, each rule is asked on its own, so the verdicts
    are exactly those of the rules themselves.
    """

    read: Read
    op: Callable[[Any, Any], Any] | None
    bound: Any = None


def with_verdict(
    check: Check, verdict: Verdict, compares: list[Comparison] | None = None
) -> Check:
    """Give a compiled check its cheap twin: ``verdict(s)`` is ``check(s).status``, always,
    without building the outcome (expected, actual, detail) that explains it.

    The evaluator asks the verdict and explains a finding only when someone reads it (a
    report of failures explains the failures, never the thousands of passes); a condition
    tested on every item of a list asks only the verdict. ``compares``, when given, are
    comparisons that are all true only when the check passes (see :class:`Comparison`).
    Where the check raises (a value of the wrong kind), the verdict raises too.

    >>> def check(s): return Outcome(Status.PASS if s.record > 0 else Status.FAIL, "> 0", s.record)
    >>> check = with_verdict(check, lambda s: Status.PASS if s.record > 0 else Status.FAIL)
    >>> verdict_of(check)(Subject(5, Env(dt.date(2024, 1, 1))))
    <Status.PASS: 'pass'>
    """
    check.verdict = verdict  # type: ignore[attr-defined]
    if compares:
        check.compares = tuple(compares)  # type: ignore[attr-defined]
    return check


# A kind written once: ``judge(subject) -> (status, evidence)`` reads the subject, and
# ``explain(status, evidence) -> Outcome`` is a pure function of what was read. A finding keeps
# the evidence, never the subject, so its explanation is the one of evaluation time.
Judge = Callable[[Subject], tuple[Status, Any]]
Explain = Callable[[Status, Any], Outcome]


def judged(
    judge: Judge,
    explain: Explain,
    verdict: Verdict | None = None,
    compares: list[Comparison] | None = None,
) -> Check:
    """A compiled check made of one judging body and its pure explanation.

    ``check(s)`` is ``explain(*judge(s))``; the verdict is the judged status, unless a kind
    gives a faster function of the subject for it (a measured fast path: it must return the
    judged status, always, and the property tests hold it to that).

    >>> def judge(s): return (PASS if s.record > 0 else FAIL), s.record
    >>> def explain(st, v): return Outcome(st, "> 0", v)
    >>> check = judged(judge, explain)
    >>> s = Subject(5, Env(dt.date(2024, 1, 1)))
    >>> check(s), verdict_of(check)(s)
    (Outcome(status=<Status.PASS: 'pass'>, expected='> 0', actual=5, detail=None), <Status.PASS: 'pass'>)
    """

    def check(s: Subject) -> Outcome:
        st, ev = judge(s)
        return explain(st, ev)

    check.judge = judge  # type: ignore[attr-defined]
    check.explain = explain  # type: ignore[attr-defined]
    check.fast = verdict is not None  # type: ignore[attr-defined]  # else the judge is asked
    return with_verdict(check, verdict if verdict is not None else (lambda s: judge(s)[0]), compares)


def _outcome_is_evidence(status: Status, outcome: Outcome) -> Outcome:
    return outcome


def is_fast(check: Check) -> bool:
    """Whether the check gives a status faster than its judge (a kind's measured fast path,
    or a plain check's verdict twin)."""
    return bool(getattr(check, "fast", hasattr(check, "verdict")))


def judge_of(check: Check) -> Judge:
    """The check's judge; for a kind written as a plain check, its outcome is the evidence
    (explained at once: correct, and as costly as the check)."""
    found: Judge | None = getattr(check, "judge", None)
    if found is None:

        def found(s: Subject) -> tuple[Status, Any]:
            o = check(s)
            return o.status, o

    return found


def explain_of(check: Check) -> Explain:
    """The check's explanation of its evidence (the evidence itself for a plain check)."""
    return getattr(check, "explain", _outcome_is_evidence)


def verdict_of(check: Check) -> Verdict:
    """The check's ``verdict`` if its kind gives one, else the status of its outcome."""
    fast: Verdict | None = getattr(check, "verdict", None)
    return fast if fast is not None else (lambda s: check(s).status)


def passes_of(check: Check) -> Callable[[Subject], Any]:
    """A function whose result is true exactly when the check passes: for the presence of a
    field read with nothing on the way that can be None (``assessed_on`` of a teacher), that
    field's ``attrgetter`` itself, with no Python call at all; else a test of the verdict."""
    compares = getattr(check, "compares", None)
    if compares is not None and len(compares) == 1:
        read, op, _ = compares[0]
        if op is None and read.certain and read.key is None:
            return attrgetter(read.chain)
    verdict = verdict_of(check)
    return lambda s: verdict(s) is Status.PASS


def compares_of(*checks: Check) -> list[Comparison] | None:
    """The comparisons of several checks that must all pass, or None if one has none."""
    found: list[Comparison] = []
    for c in checks:
        more = getattr(c, "compares", None)
        if more is None:
            return None
        found += more
    return found


#: The arguments whose value is a field path a check reads: together they are "the field it
#: checks" (``ict2rules diff`` pairs rules by them; a rate names what its items lack by them).
PATH_ARGS = ("value", "numerator", "denominator", "items", "over", "done", "whole", "parts", "fields", "documents")


class Args(BaseModel):
    """Base of every kind's argument model: unknown arguments are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class Kind:
    """A registered rule kind: its name, argument model, compile function and documentation."""

    name: str
    args: type[Args]
    compile: Callable[[Any, Context], Check]
    summary: str
    doc: str
    monotone: str | None = None  # "increasing" in a value when more of it never hurts


KINDS: dict[str, Kind] = {}


def register(
    name: str, args: type[Args], *, summary: str, monotone: str | None = None
) -> Callable[[Callable[[Any, Context], Check]], Callable[[Any, Context], Check]]:
    """Register a kind; the function's docstring is its documentation (What / Why / Example)."""

    def deco(fn: Callable[[Any, Context], Check]) -> Callable[[Any, Context], Check]:
        if name in KINDS:
            raise RuntimeError(f"rule kind {name!r} registered twice")
        KINDS[name] = Kind(name, args, fn, summary, (fn.__doc__ or "").strip(), monotone)
        return fn

    return deco


def fmt_percent(x: float) -> str:
    return f"{x * 100:.1f}%".replace(".0%", "%")


# Operands: an argument that is a literal, a named parameter ("$total_hours"), a field of the
# subject ({field: hours.total}) or, for dates, a number of days after a field.
ParamRef = Annotated[str, StringConstraints(pattern=r"^\$[A-Za-z_][A-Za-z0-9_]*$")]


class FieldRef(Args):
    """A value read from the subject at evaluation time."""

    field: str


class DaysAfter(Args):
    """A date ``days`` after the date in ``field`` (泽库: "结束后30日内")."""

    field: str
    days: int = Field(ge=-36_500, le=36_500)  # a century either way: beyond it is a typo


Number = float | ParamRef | FieldRef
DateOperand = dt.date | ParamRef | FieldRef | DaysAfter
