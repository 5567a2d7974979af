"""Kinds over a region's teachers, summed over its schools: quota."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from ..errors import CompileError
from ..input.records import SchoolFigures
from .base import (
    FAIL,
    MISSING,
    NA,
    PASS,
    Check,
    DateOperand,
    Outcome,
    Status,
    Subject,
    fmt_percent,
    judged,
    missing,
    register,
)
from .numbers import Bounds

if TYPE_CHECKING:
    from ..rules.compiler import Context


class QuotaArgs(Bounds):
    by: DateOperand


@register(
    "quota",
    QuotaArgs,
    summary="The share of a region's teachers trained by a date, summed over its schools, lies within bounds.",
)
def quota(args: QuotaArgs, ctx: Context) -> Check:
    """What it does: at the region level, the share of the region's teachers who had completed
    the training on the date ``by``, compared with ``min``/``max`` (fractions: 0.25 is 25 %).
    The teachers are the region's ``staff.total`` (本地教师数), or else the sum of its
    schools' ``staff.total``; the trained are the region's own ``progress`` count dated on or
    before ``by`` (the latest), or else the sum over its schools — a school given in full
    counts its teachers whose ``completed_on`` is on or before ``by``, a school given as figures
    its latest ``progress`` count on or before that date. A school whose figure is unknown makes
    the rule ``missing_data`` naming it: a number the records do not give never decides.

    Why: 浙江 "培训人数不少于本地教师数的25%" by 2021-08-15; a city's "2020 年、2021 年、2022
    年分别完成全市中小学教师总数 30%、50%、20%" (cumulated: 30 % by 2020-12-31, 80 % by 2021-12-31).

    Example::

        kind: quota
        args: {by: 2021-08-15, min: 0.25}

    With 100 teachers, 25 trained by 2021-08-15 passes and 24 fails. Give the rule
    ``due:`` the same date so that before it an unmet quota is ``pending``.
    """
    if ctx.model.__name__ != "RegionView":
        raise CompileError("region_only", "quota")
    by = ctx.operand(args.by)
    bounds = args.compile(ctx, pct=True)
    staff = ctx.getter("staff.total")
    progress = ctx.getter("progress")
    schools = ctx.getter("schools")

    def judge(s: Subject) -> tuple[Status, Any]:
        got = bounds.read(s)
        day = by.read(s)
        if day is None or bounds.absent(got):
            return MISSING, (got, day, None, None, "", [])
        items = schools(s) or []
        unknown: list[str] = []
        total = staff(s)
        if total is None:
            sizes = [(f.id, f.staff.total if f.staff else None) for f in items]
            unknown += [f"{i}.staff.total" for i, n in sizes if n is None]
            total = sum(n for _, n in sizes if n is not None) if items else None
        trained = latest_count(progress(s), day)
        counted = "region"
        if trained is None:
            counted = "schools"
            counts = [(f.id, trained_by(f, day)) for f in items]
            unknown += [f"{i}.trained" for i, n in counts if n is None]
            trained = sum(n for _, n in counts if n is not None) if items else None
        if unknown or total is None or trained is None:
            return MISSING, (got, day, trained, total, counted, unknown or ["staff.total"])
        if total == 0:  # a region without teachers: nothing to train
            return NA, (got, day, trained, total, counted, [])
        return (PASS if bounds.holds(trained / total, got) else FAIL), (got, day, trained, total, counted, [])

    def explain(st: Status, ev: Any) -> Outcome:
        got, day, trained, total, counted, unknown = ev
        expected = bounds.expected(got)
        when = day.isoformat() if day is not None else str(args.by)
        if st is MISSING:
            return missing(f"{expected} ({when})", *(unknown or ["by"]), *bounds.absent(got))
        if st is NA:
            return Outcome(NA, f"{expected} ({when})", None, {"reason": "no teachers", "teachers": 0})
        share = trained / total
        detail = {"trained": trained, "teachers": total, "by": when, "counted": counted,
                  "actual_text": fmt_percent(share)}
        return Outcome(st, f"{expected} ({when})", round(share, 6), detail)

    return judged(judge, explain)


def trained_by(figures: SchoolFigures, day: dt.date) -> int | None:
    """How many of a school's teachers had completed the training on ``day``: counted from its
    teachers' ``completed_on`` when the school was given in full, else the latest of its
    ``progress`` counts dated on or before ``day`` (counts are cumulative); None when unknown.

    >>> f = SchoolFigures(id="S1", progress=[{"date": "2021-06-01", "trained": 5}, {"date": "2021-09-01", "trained": 9}])
    >>> trained_by(f, dt.date(2021, 8, 15)), trained_by(f, dt.date(2021, 5, 1))
    (5, None)
    """
    completed = figures._completed
    if completed is not None:
        return sum(1 for d in completed if d is not None and d <= day)
    return latest_count(figures.progress, day)


def latest_count(progress: list[Any] | None, day: dt.date) -> int | None:
    """The ``trained`` count of the latest entry dated on or before ``day`` (None if none)."""
    best = None
    for entry in progress or ():
        if entry.date <= day and entry.trained is not None and (best is None or entry.date > best.date):
            best = entry
    return None if best is None else best.trained
