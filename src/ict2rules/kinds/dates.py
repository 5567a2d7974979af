"""Deadlines and date windows, judged against an as-of date."""

from __future__ import annotations

import datetime as dt
import functools
import operator
from typing import TYPE_CHECKING, Any

from .base import (
    FAIL,
    PASS,
    PENDING,
    Args,
    Check,
    Comparison,
    DateOperand,
    Outcome,
    Status,
    Subject,
    register,
    with_verdict,
)

if TYPE_CHECKING:
    from ..rules.compiler import Context

from ..labels import Phrase, field

_NO_DUE = Phrase("by ?", "截止日期(未给出)", "a due date (not given)")
_A_DATE = Phrase("a date", "日期", "a date")
_DUE_DATE = field("due date")



@functools.lru_cache(maxsize=4096)
def due_text(due: dt.date, first: dt.date | None = None) -> Phrase:
    """'≤ 2023-09-18' for JSON; '不晚于 2023-09-18' / 'by 2023-09-18' for people (a window:
    both of its ends).

    >>> p = due_text(dt.date(2023, 9, 18)); p, p.zh, p.en
    ('≤ 2023-09-18', '不晚于 2023-09-18', 'by 2023-09-18')
    """
    if first is None:
        return Phrase(f"≤ {_iso(due)}", f"不晚于 {_iso(due)}", f"by {_iso(due)}")
    a, b = _iso(first), _iso(due)
    return Phrase(f"[{a}, {b}]", f"{a} 至 {b} 之间", f"between {a} and {b}")


@functools.lru_cache(maxsize=4096)
def _iso(d: dt.date) -> str:
    """``d.isoformat()``, remembered: a roster repeats the same few dates thousands of times."""
    return d.isoformat()


def due_outcome(
    done: dt.date | None,
    by: dt.date,
    as_of: dt.date,
    expected: str,
    not_before: dt.date | None = None,
) -> Outcome:
    """The one rule for anything due: done in time passes, done late fails, not done is
    ``pending`` until the due date has passed and ``fail`` after it."""
    if done is None:
        status = PENDING if as_of <= by else FAIL
        return Outcome(status, expected, None, {"due": _iso(by), "as_of": _iso(as_of)})
    late = done > by
    early = not_before is not None and done < not_before
    detail: dict[str, Any] | None = None
    if late:
        detail = {"days_late": (done - by).days}
    elif early:
        detail = {"days_early": (not_before - done).days}  # type: ignore[operator]
    return Outcome(FAIL if late or early else PASS, expected, _iso(done), detail)


def _dates(due: Any, first: Any) -> bool:
    """A due date, and the start of the window when there is one, are dates."""
    return isinstance(due, dt.date) and (first is None or isinstance(first, dt.date))


class DeadlineArgs(Args):
    done: str
    by: DateOperand
    not_before: DateOperand | None = None


@register(
    "deadline",
    DeadlineArgs,
    summary="Something is done by a date (and not before another); pending until due.",
)
def deadline(args: DeadlineArgs, ctx: Context) -> Check:
    """What it does: reads the date in ``done`` (the date the work was done, a list of dates
    counts by its latest) and compares it with ``by`` (a date, a parameter, or
    ``{field: end, days: 30}`` for "within 30 days after"). Not done yet is ``pending`` while
    the as-of date is on or before the due date, ``fail`` after it. ``by`` itself is inclusive
    ("前"/"以内" include the day). Done before ``not_before`` fails too.

    Why: every document has dated phases; a plan checked in March must not fail a June deadline.

    Example::

        kind: deadline
        args: {done: completed_on, by: 2024-06-30}

    With as-of 2024-05-01 and no ``completed_on``: pending; with as-of 2024-07-01: fail.
    """
    get = ctx.getter(args.done)
    by = ctx.operand(args.by)
    start = ctx.operand(args.not_before) if args.not_before is not None else None

    def check(s: Subject) -> Outcome:
        due = by.read(s)
        done = get(s)
        if isinstance(done, list):
            done = max(done) if done else None
        if due is None:
            return Outcome(Status.MISSING_DATA, _NO_DUE, done, {"missing": [_DUE_DATE]})
        first = start.read(s) if start else None
        if not _dates(due, first):  # a due date read from a free attribute holding text
            return Outcome(FAIL, _A_DATE, str(due), {"reason": "not a date / 不是日期"})
        # a window says both of its ends, so a message's {expected} needs no hard-coded date
        expected = due_text(due, first)
        return due_outcome(done, due, s.env.as_of, expected, first)

    due_of = by.read

    def verdict(s: Subject) -> Status:
        due, done = due_of(s), get(s)
        if isinstance(done, list):
            done = max(done) if done else None
        if due is None:
            return Status.MISSING_DATA
        first = start.read(s) if start else None
        if not _dates(due, first):
            return FAIL
        if done is None:
            return PENDING if s.env.as_of <= due else FAIL
        late = done > due  # both asked, as the check asks them (a datetime start raises)
        early = first is not None and done < first
        return FAIL if late or early else PASS

    # done on or before a fixed date (a date that is a list, or absent, is left to ``verdict``)
    read = ctx.read(args.done)
    fixed = read is not None and by.constant and by.value is not None and start is None
    return with_verdict(check, verdict, [Comparison(read, operator.le, by.value)] if fixed else None)
