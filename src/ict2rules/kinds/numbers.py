"""Kinds about numbers: threshold, ratio, compare, present, consistency."""

from __future__ import annotations

import datetime as dt
import operator
from typing import TYPE_CHECKING, Any, Literal

from ..paths import is_collection, true_when_present
from .base import (
    FAIL,
    MISSING,
    NA,
    PASS,
    Args,
    Check,
    Comparison,
    FieldRef,
    Number,
    Outcome,
    ParamRef,
    Read,
    Status,
    Subject,
    fmt_number,
    fmt_percent,
    missing,
    register,
    with_verdict,
)

if TYPE_CHECKING:
    from ..compiler import Context

_SIZED = (list, tuple, dict, set)


def not_a_number(expected: Any, value: Any) -> Outcome:
    """A value that is not a number where the rule compares numbers: not met, and said why."""
    return Outcome(FAIL, expected, value, {"reason": "not a number / 不是数字"})


def bounds_text(lo: Any, hi: Any, lo_x: bool, hi_x: bool, unit: str = "", pct: bool = False) -> str:
    """'≥ 75 学时', '≤ 60%', '60 – 89' — the expected value as people write it."""
    show = fmt_percent if pct else fmt_number
    u = f" {unit}" if unit else ""
    if lo is not None and hi is not None:
        if lo == hi and not lo_x and not hi_x:  # "设3个" reads "= 3 个", not "[3, 3] 个"
            return f"= {show(lo)}{u}"
        left, right = ("(" if lo_x else "["), (")" if hi_x else "]")
        return f"{left}{show(lo)}, {show(hi)}{right}{u}"
    if lo is not None:
        return f"{'>' if lo_x else '≥'} {show(lo)}{u}"
    if hi is not None:
        return f"{'<' if hi_x else '≤'} {show(hi)}{u}"
    return "any"


def within(v: float, lo: Any, hi: Any, lo_x: bool, hi_x: bool) -> bool:
    if lo is not None and (v <= lo if lo_x else v < lo):
        return False
    return not (hi is not None and (v >= hi if hi_x else v > hi))


def _bounded(ctx: Context, args: Any, pct: bool = False) -> tuple[Any, Any, Any]:
    """Compile min/max operands; return (get_lo, get_hi, expected_text_or_None_if_dynamic)."""
    lo = ctx.operand(args.min) if args.min is not None else None
    hi = ctx.operand(args.max) if args.max is not None else None
    unit = getattr(args, "unit", None) or ""
    static = all(op is None or op.constant for op in (lo, hi))
    text = (
        bounds_text(
            lo and lo.value, hi and hi.value, args.min_exclusive, args.max_exclusive, unit, pct
        )
        if static
        else None
    )
    return lo, hi, text


class ThresholdArgs(Args):
    value: str
    min: Number | None = None
    max: Number | None = None
    min_exclusive: bool = False
    max_exclusive: bool = False
    unit: str | None = None


@register(
    "threshold",
    ThresholdArgs,
    summary="A number (or the length of a list) lies between a minimum and/or a maximum.",
)
def threshold(args: ThresholdArgs, ctx: Context) -> Check:
    """What it does: reads one number and compares it with ``min`` and/or ``max``. A list is
    measured by its length (three work bulletins = a list of three dates).

    Why: most requirements are "不少于 N" (``min: N``, inclusive) or "不超过 N" (``max: N``,
    inclusive). "超过/不满" exclude the number: set ``min_exclusive``/``max_exclusive``.

    Example::

        kind: threshold
        args: {value: hours.online, min: $online_hours, unit: 学时}

    passes for 50 学时 against 50, fails for 49.5, is ``missing_data`` when ``hours.online``
    is absent.
    """
    get = ctx.getter(args.value)
    lo, hi, text = _bounded(ctx, args)
    lx, hx, unit = args.min_exclusive, args.max_exclusive, args.unit or ""

    if text is not None and lo is not None and hi is None and lo.value is not None:
        # The common case ("不少于 N", N constant): no operand calls, one comparison.
        floor, path = lo.value, args.value

        # a list ("at least one point") is measured by its length
        def check_min(s: Subject) -> Outcome:
            v = get(s)
            if v is None:
                return missing(text, path)
            if isinstance(v, _SIZED):
                v = len(v)
            try:
                return Outcome(PASS if (v > floor if lx else v >= floor) else FAIL, text, v)
            except TypeError:  # text or a date where a number belongs (free attributes)
                return not_a_number(text, v)

        if is_collection(ctx.type_of(path)):  # "at least one point": measured at once

            def verdict_min(s: Subject) -> Status:
                v = get(s)
                if v is None:
                    return MISSING
                if isinstance(v, _SIZED):
                    v = len(v)
                try:
                    return PASS if (v > floor if lx else v >= floor) else FAIL
                except TypeError:
                    return FAIL

        else:  # a number is compared at once; a list (in free attributes) raises, then measured

            def verdict_min(s: Subject) -> Status:
                v = get(s)
                if v is None:
                    return MISSING
                try:
                    return PASS if (v > floor if lx else v >= floor) else FAIL
                except TypeError:
                    if not isinstance(v, _SIZED):
                        return FAIL
                    return PASS if (len(v) > floor if lx else len(v) >= floor) else FAIL

        read = ctx.read(args.value)
        compares = [Comparison(read, operator.gt if lx else operator.ge, floor)] if read else None
        return with_verdict(check_min, verdict_min, compares)

    def check(s: Subject) -> Outcome:
        lo_v = lo.read(s) if lo else None
        hi_v = hi.read(s) if hi else None
        expected = text or bounds_text(lo_v, hi_v, lx, hx, unit)
        v = get(s)
        if isinstance(v, _SIZED):
            v = len(v)
        if v is None or (lo and lo_v is None) or (hi and hi_v is None):
            return missing(expected, args.value)
        try:
            return Outcome(PASS if within(v, lo_v, hi_v, lx, hx) else FAIL, expected, v)
        except TypeError:
            return not_a_number(expected, v)

    def verdict(s: Subject) -> Status:
        lo_v = lo.read(s) if lo else None
        hi_v = hi.read(s) if hi else None
        v = get(s)
        if isinstance(v, _SIZED):
            v = len(v)
        if v is None or (lo and lo_v is None) or (hi and hi_v is None):
            return MISSING
        try:
            return PASS if within(v, lo_v, hi_v, lx, hx) else FAIL
        except TypeError:
            return FAIL

    return with_verdict(check, verdict, _bound_compares(ctx.read(args.value), lo, hi, lx, hx))


def _bound_compares(
    read: Read | None, lo: Any, hi: Any, lx: bool, hx: bool
) -> list[Comparison] | None:
    """The comparisons of a value read at ``read`` with constant bounds (None if not constant)."""
    if read is None or any(
        op is not None and (not op.constant or op.value is None) for op in (lo, hi)
    ):
        return None
    found = []
    if lo is not None:
        found.append(Comparison(read, operator.gt if lx else operator.ge, lo.value))
    if hi is not None:
        found.append(Comparison(read, operator.lt if hx else operator.le, hi.value))
    return found or None


class RatioArgs(Args):
    numerator: str
    denominator: str
    min: Number | None = None
    max: Number | None = None
    min_exclusive: bool = False
    max_exclusive: bool = False


@register(
    "ratio",
    RatioArgs,
    summary="The ratio of two numbers of the same record lies within bounds (as a fraction).",
)
def ratio(args: RatioArgs, ctx: Context) -> Check:
    """What it does: divides ``numerator`` by ``denominator`` and compares the fraction with
    ``min``/``max`` (0.5 means 50 %).

    Why: "实践应用不少于50%" relates two numbers of one record; no single field holds it.
    A zero denominator makes the rule ``not_applicable`` (there is nothing to divide).

    Example::

        kind: ratio
        args: {numerator: hours.offline, denominator: hours.total, min: 0.5}

    passes for 25 of 50 学时, fails for 24 of 50.
    """
    num, den = ctx.getter(args.numerator), ctx.getter(args.denominator)
    lo, hi, text = _bounded(ctx, args, pct=True)
    lx, hx = args.min_exclusive, args.max_exclusive

    def check(s: Subject) -> Outcome:
        lo_v = lo.read(s) if lo else None
        hi_v = hi.read(s) if hi else None
        expected = text or bounds_text(lo_v, hi_v, lx, hx, pct=True)
        n, d = num(s), den(s)
        if n is None or d is None:
            return missing(
                expected, *(p for p, v in ((args.numerator, n), (args.denominator, d)) if v is None)
            )
        try:
            if d == 0:
                return Outcome(NA, expected, None, {"reason": "denominator is 0"})
            r = n / d
        except TypeError:
            return not_a_number(expected, (n, d))
        return Outcome(
            PASS if within(r, lo_v, hi_v, lx, hx) else FAIL,
            expected,
            round(r, 6),
            {"numerator": n, "denominator": d, "actual_text": fmt_percent(r)},
        )

    return check


_OPS = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "in": lambda a, b: a in b,
    "not_in": lambda a, b: a not in b,
    "contains": lambda a, b: b in a,
}


class CompareArgs(Args):
    value: str
    op: Literal["==", "!=", "<", "<=", ">", ">=", "in", "not_in", "contains"]
    to: bool | float | dt.date | str | list[str | float] | FieldRef | ParamRef


@register(
    "compare", CompareArgs, summary="A field compared with a literal, a parameter or another field."
)
def compare(args: CompareArgs, ctx: Context) -> Check:
    """What it does: compares one value with ``to`` using ``op`` (``==``, ``!=``, ``<``, ``<=``,
    ``>``, ``>=``, ``in``, ``not_in``, ``contains``). Dates compare as dates.

    Why: conditions ("the management team's leader is 校长", "evidence is valid",
    "a bulletin falls on or after the start") are comparisons.

    Example::

        kind: compare
        args: {value: teams.management.leader_role, op: "==", to: 校长}
    """
    get = ctx.getter(args.value)
    other = ctx.operand(args.to)
    fn = _OPS[args.op]

    fixed = f"{args.op} {other.value}" if other.constant else None  # built once when constant

    def check(s: Subject) -> Outcome:
        v, w = get(s), other.read(s)
        expected = fixed or f"{args.op} {w}"
        if v is None or w is None:
            return missing(expected, args.value)
        try:
            ok = fn(v, w)
        except TypeError:  # e.g. a date compared with a number: the data is not what is asked
            return Outcome(FAIL, expected, v, {"reason": "values cannot be compared"})
        return Outcome(PASS if ok else FAIL, expected, v)

    if other.constant and other.value is not None:  # the usual condition: a field against a literal
        w0 = other.value

        def verdict(s: Subject) -> Status:
            v = get(s)
            if v is None:
                return MISSING
            try:
                return PASS if fn(v, w0) else FAIL
            except TypeError:
                return FAIL

    else:
        other_value = other.read

        def verdict(s: Subject) -> Status:
            v, w = get(s), other_value(s)
            if v is None or w is None:
                return MISSING
            try:
                return PASS if fn(v, w) else FAIL
            except TypeError:
                return FAIL

    # (!= and not_in are true of an absent value, "in" of a text in a text: left alone)
    read = ctx.read(args.value) if args.op in _ORDERS else None
    compares = None
    if read is not None and other.constant and other.value is not None:
        compares = [Comparison(read, fn, other.value)]
    elif read is not None and isinstance(args.to, FieldRef) and args.op != "==":
        other_read = ctx.read(args.to.field)  # a date against another date of the record
        if other_read is not None and other_read.key is None:
            compares = [Comparison(read, fn, other_read)]
    return with_verdict(check, verdict, compares)


_ORDERS = ("==", "<", "<=", ">", ">=")  # false, or a TypeError, when the value is None


class PresentArgs(Args):
    fields: list[str]


@register("present", PresentArgs, summary="Each named field has a value (not absent, not empty).")
def present(args: PresentArgs, ctx: Context) -> Check:
    """What it does: passes when every field in ``fields`` is there and not empty; fails and
    names the absent ones otherwise. It never returns ``missing_data``: absence is its subject.

    Why: "has the teacher taken the assessment", "did the school apply for re-review" are facts
    of presence, and are the usual ``action`` of a prerequisite or gate.

    Example::

        kind: present
        args: {fields: [assessed_on]}
    """
    getters = [(f, ctx.getter(f)) for f in args.fields]

    def check(s: Subject) -> Outcome:
        absent = [f for f, g in getters if _empty(g(s))]
        if absent:
            return Outcome(FAIL, "present", None, {"absent": absent})
        return _PRESENT  # immutable, so one shared outcome serves every subject

    only = [g for _, g in getters]

    def verdict(s: Subject) -> Status:
        for g in only:
            v = g(s)
            # a date, a text, a list with something in it is present: the common answer, at once
            if not v and (v is None or isinstance(v, (str, list, dict))):
                return FAIL
        return PASS

    if len(only) == 1:  # the usual "has it happened": the same test, without the loop
        one = only[0]

        def verdict(s: Subject) -> Status:
            v = one(s)
            return FAIL if not v and (v is None or isinstance(v, (str, list, dict))) else PASS

    # A date, a text, a record is true exactly when it is present (a number is not: 0 is there).
    reads = [ctx.read(f) if true_when_present(ctx.type_of(f)) else None for f in args.fields]
    compares = [Comparison(r, None) for r in reads if r] if all(reads) else None
    return with_verdict(check, verdict, compares)


_PRESENT = Outcome(PASS, "present", "present", None)


def _empty(v: Any) -> bool:
    """``v in (None, "", [], {})`` without comparing dates and records with strings and lists."""
    return v is None or (isinstance(v, (str, list, dict)) and not v)


class ConsistencyArgs(Args):
    parts: list[str]
    whole: str
    item_field: str | None = None
    tolerance: float = 0


def _total(v: Any, item_field: str | None) -> float | None:
    """A number, the sum of a mapping's values, or the sum of a field over a list."""
    if v is None:
        return None
    if isinstance(v, dict):
        v = list(v.values())
    if isinstance(v, list):
        vals = [getattr(i, item_field) if item_field else i for i in v]
        return None if any(x is None for x in vals) else sum(vals)
    return v


@register(
    "consistency",
    ConsistencyArgs,
    summary="Parts add up to their whole; the report says by how much they do not.",
)
def consistency(args: ConsistencyArgs, ctx: Context) -> Check:
    """What it does: sums ``parts`` (numbers, mappings of numbers such as an age table, or a
    list with ``item_field`` summed over it) and compares the sum with ``whole``. ``actual`` is
    the sum and ``detail.difference`` is sum − whole.

    Why: a plan's tables must agree with its own headline figures (workshop sizes with the
    number enrolled; age, title and degree breakdowns with the staff count).

    Example::

        kind: consistency
        args: {parts: [workshops], item_field: size, whole: staff.enrolled}

    fails for workshops of 74 + 70 + 67 = 211 against 212 enrolled, difference −1.
    """
    parts = [(p, ctx.getter(p)) for p in args.parts]
    whole = ctx.getter(args.whole)

    def check(s: Subject) -> Outcome:
        w = whole(s)
        totals = [(p, _total(g(s), args.item_field)) for p, g in parts]
        absent = [p for p, t in totals if t is None]
        expected = f"= {fmt_number(w)}" if w is not None else "= whole"
        if w is None or absent:
            return missing(expected, *([args.whole] if w is None else []), *absent)
        total = sum(t for _, t in totals if t is not None)
        diff = total - w
        ok = abs(diff) <= args.tolerance
        return Outcome(PASS if ok else FAIL, expected, total, {"difference": diff, "whole": w})

    return check
