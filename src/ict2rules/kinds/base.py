"""What every rule kind shares: statuses, outcomes, the subject a check looks at, the registry.

A kind is a small function registered by name. At compile time it receives its validated
arguments and a :class:`~ict2rules.compiler.Context`, and returns a plain callable that takes a
:class:`Subject` and returns an :class:`Outcome`. Like a jsonschema keyword, the callable never
raises for bad data: an absent value is ``missing_data``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

if TYPE_CHECKING:
    from ..compiler import Context


class Status(str, Enum):
    """The verdict of one rule on one subject."""

    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    MISSING_DATA = "missing_data"
    PENDING = "pending"

    def __str__(self) -> str:
        return self.value


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


Check = Callable[[Subject], Outcome]
Holds = Callable[[Subject], bool]


def with_holds(check: Check, holds: Holds) -> Check:
    """Give a compiled check its cheap twin: ``holds(s)`` is True exactly when ``check(s)``
    would pass. It builds no outcome, so a run that reports only failures, and a condition
    tested on every item of a list, skip the work of explaining a pass.
    """
    check.holds = holds  # type: ignore[attr-defined]
    return check


def holds_of(check: Check) -> Holds:
    """The check's ``holds`` if it has one, else a test built on the check itself."""
    fast: Holds | None = getattr(check, "holds", None)
    return fast if fast is not None else (lambda s: check(s).status is Status.PASS)


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


def fmt_number(x: Any) -> str:
    """75.0 → '75', 0.5 → '0.5'."""
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


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
