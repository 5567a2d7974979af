"""Kinds about numbers: threshold, ratio, compare, present, consistency."""

from __future__ import annotations

import datetime as dt
import operator
from typing import TYPE_CHECKING, Any, Literal

from ..input.paths import is_collection, true_when_present
from ..labels import Phrase, field, fmt_number, say
from ..labels import unit as unit_in
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
    fmt_percent,
    judged,
    missing,
    register,
)

if TYPE_CHECKING:
    from ..rules.compiler import Context

_SIZED = (list, tuple, dict, set)


def not_a_number(expected: Any, value: Any) -> Outcome:
    """A value that is not a number where the rule compares numbers: not met, and said why."""
    return Outcome(FAIL, expected, value, {"reason": "not a number / 不是数字"})


def bounds_text(
    lo: Any, hi: Any, lo_x: bool, hi_x: bool, unit: str = "", pct: bool = False,
    lang: str | None = None,
) -> str:
    """'≥ 75 学时', '≤ 60%', '60 – 89' — the expected value as people write it (a bound that
    is text, the name of an absent field, is written as it is; in ``lang``, by its label and
    the unit in that language).

    >>> bounds_text(75, None, False, False, "学时"), bounds_text(75, None, False, False, "学时", lang="en")
    ('≥ 75 学时', '≥ 75 hours')
    >>> bounds_text("staff.total", None, False, False, "人", lang="zh")
    '≥ 专任教师总数(未填写) 人'
    """
    num = fmt_percent if pct else fmt_number

    def show(x: Any) -> str:
        if not isinstance(x, str):
            return num(x)
        if lang is None:
            return x
        name = field(x).of(lang)
        return f"{name}(未填写)" if lang == "zh" else f"{name} (not given)"

    if lang is not None:
        unit = unit_in(unit, lang)
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
    return {"zh": "不限", "en": "any"}.get(lang or "", "any")


def bounds_phrase(lo: Any, hi: Any, lo_x: bool, hi_x: bool, unit: str = "", pct: bool = False) -> Phrase:
    """:func:`bounds_text` as a :class:`~ict2rules.labels.Phrase`: the text JSON has always
    given, and how it reads in Chinese and English.

    >>> p = bounds_phrase(25, None, False, False, "学时"); p, p.en
    ('≥ 25 学时', '≥ 25 hours')
    """
    return Phrase(
        bounds_text(lo, hi, lo_x, hi_x, unit, pct),
        bounds_text(lo, hi, lo_x, hi_x, unit, pct, "zh"),
        bounds_text(lo, hi, lo_x, hi_x, unit, pct, "en"),
    )


def within(v: float, lo: Any, hi: Any, lo_x: bool, hi_x: bool) -> bool:
    if lo is not None and (v <= lo if lo_x else v < lo):
        return False
    return not (hi is not None and (v >= hi if hi_x else v > hi))


class Bounds(Args):
    """The bounds of every kind that compares a number with a range: ``min`` and/or ``max``
    (inclusive unless ``min_exclusive``/``max_exclusive``), each a literal, a ``$parameter``
    or ``{field: …}`` read from the subject. A bound that is given but has no value (an absent
    field, a parameter without a value) makes the rule ``missing_data``: a number the data
    does not give never decides, in any kind. Compiled by :meth:`compile` into a :class:`Range`.
    """

    min: Number | None = None
    max: Number | None = None
    min_exclusive: bool = False
    max_exclusive: bool = False

    def compile(self, ctx: Context, *, pct: bool = False, unit: str = "") -> Range:
        return Range(self, ctx, pct=pct, unit=unit)


class Range:
    """Compiled :class:`Bounds`: read them for a subject, test a value, say them.

    >>> from types import SimpleNamespace as NS
    >>> r = Range(Bounds(min=50), NS(operand=lambda v: NS(constant=True, value=v)))
    >>> got = r.read(None); r.holds(50, got), r.holds(49.5, got), r.expected(got)
    (True, False, '≥ 50')
    """

    __slots__ = (
        "_ops", "constant", "fixed", "hi", "hx", "lo", "lx", "may_lack", "pct", "text", "unit"
    )

    def __init__(self, args: Bounds, ctx: Any, *, pct: bool = False, unit: str = "") -> None:
        self.lo = ctx.operand(args.min) if args.min is not None else None
        self.hi = ctx.operand(args.max) if args.max is not None else None
        self.lx, self.hx, self.pct, self.unit = args.min_exclusive, args.max_exclusive, pct, unit
        # each given bound with the name it is reported by when it has no value
        self._ops = [
            (op, _name(arg, ctx)) for op, arg in ((self.lo, args.min), (self.hi, args.max)) if op
        ]
        self.constant = all(op.constant for op, _ in self._ops)
        self.fixed: tuple[Any, Any] | None = None
        self.text: Phrase | None = None
        # whether a subject's bounds may lack a value (read from fields, or a parameter
        # without one): only then is ``absent`` asked per subject
        self.may_lack = not self.constant
        if self.constant:
            fixed = (self.lo.value if self.lo else None, self.hi.value if self.hi else None)
            self.may_lack = bool(self.absent(fixed))
            self.text = self.expected(fixed)
            self.fixed = fixed

    def read(self, s: Subject) -> tuple[Any, Any]:
        """The bounds' values for a subject, (min, max): None where a bound is not given."""
        if self.fixed is not None:
            return self.fixed
        lo, hi = self.lo, self.hi
        return (lo.read(s) if lo else None, hi.read(s) if hi else None)

    def absent(self, got: tuple[Any, Any]) -> list[str]:
        """The bounds given without a value (a field absent, a parameter left empty)."""
        lo_v, hi_v = got
        return [
            name
            for (op, name) in self._ops
            if (lo_v if op is self.lo else hi_v) is None
        ]

    def expected(self, got: tuple[Any, Any]) -> Phrase:
        """'≥ 75 学时' — an absent bound is written by its name ('≥ hours.required'; for
        people, by its label)."""
        if self.text is not None:
            return self.text
        lo_v, hi_v = got
        if self.lo is not None and lo_v is None:
            lo_v = self._ops[0][1]
        if self.hi is not None and hi_v is None:
            hi_v = self._ops[-1][1]
        return bounds_phrase(lo_v, hi_v, self.lx, self.hx, self.unit, self.pct)

    def holds(self, v: Any, got: tuple[Any, Any]) -> bool:
        """Whether ``v`` lies within the bounds read (raises TypeError for a value of another
        type than the bounds')."""
        return within(v, got[0], got[1], self.lx, self.hx)

    def numbers(self, got: tuple[Any, Any]) -> bool:
        """The bounds read are numbers (a free attribute may hold text)."""
        return all(x is None or isinstance(x, (int, float)) for x in got)


def _name(arg: Any, ctx: Any = None) -> Phrase:
    """The field (or parameter) a bound reads, to name it when it has no value."""
    return field(arg.field if isinstance(arg, FieldRef) else str(arg), ctx)


class ThresholdArgs(Bounds):
    value: str
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
    is absent. A bound read from a field (``min: {field: …}``) that is absent is
    ``missing_data`` too, naming that field, in every kind with bounds (:class:`Bounds`).
    """
    get, path = ctx.getter(args.value), field(args.value, ctx)
    bounds = args.compile(ctx, unit=args.unit or "")
    read, holds, fixed, lx, hx = bounds.read, bounds.holds, bounds.fixed, bounds.lx, bounds.hx

    def judge(s: Subject) -> tuple[Status, Any]:
        v = get(s)
        if isinstance(v, _SIZED):  # a list ("at least one point") is measured by its length
            v = len(v)
        got = fixed if fixed is not None else read(s)
        if v is None or (bounds.may_lack and bounds.absent(got)):
            return MISSING, (v, got)
        try:
            ok = within(v, got[0], got[1], lx, hx)
        except TypeError:  # text or a date where a number belongs (free attributes)
            return FAIL, (v, got)
        return (PASS if ok else FAIL), (v, got)

    def explain(st: Status, ev: Any) -> Outcome:
        v, got = ev
        expected = bounds.expected(got)
        if st is MISSING:
            return missing(expected, *([path] if v is None else []), *bounds.absent(got))
        if st is FAIL and not _compares(holds, v, got):
            return not_a_number(expected, v)
        return Outcome(st, expected, v)

    verdict = None
    lo = bounds.lo
    if bounds.constant and lo is not None and bounds.hi is None and lo.value is not None:
        # The common case ("不少于 N", N constant), measured the fastest: one comparison, no
        # tuple; a list or a value of another type raises, and is judged.
        floor = lo.value

        def verdict(s: Subject) -> Status:
            v = get(s)
            if v is None:
                return MISSING
            try:
                return PASS if (v > floor if lx else v >= floor) else FAIL
            except TypeError:
                return judge(s)[0]

        def length_verdict(s: Subject) -> Status:
            v = get(s)
            if v is None:
                return MISSING
            return PASS if (len(v) > floor if lx else len(v) >= floor) else FAIL

        if is_collection(ctx.type_of(path)):  # always a list (or None): measured by its length
            verdict = length_verdict

    return judged(judge, explain, verdict, _bound_compares(ctx.read(path), bounds))


def _compares(holds: Any, v: Any, got: Any) -> bool:
    """Whether ``v`` can be compared with the bounds at all."""
    try:
        holds(v, got)
    except TypeError:
        return False
    return True


def _bound_compares(read: Read | None, bounds: Range) -> list[Comparison] | None:
    """The comparisons of a value read at ``read`` with constant bounds (None if not constant)."""
    if read is None or bounds.fixed is None or bounds.may_lack:
        return None
    found = []
    lo, hi = bounds.fixed
    if bounds.lo is not None:
        found.append(Comparison(read, operator.gt if bounds.lx else operator.ge, lo))
    if bounds.hi is not None:
        found.append(Comparison(read, operator.lt if bounds.hx else operator.le, hi))
    return found or None


class RatioArgs(Bounds):
    numerator: str
    denominator: str


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

    passes for 25 of 50 学时, fails for 24 of 50; a bound from an absent field is
    ``missing_data``.
    """
    num, den = ctx.getter(args.numerator), ctx.getter(args.denominator)
    bounds = args.compile(ctx, pct=True)

    def judge(s: Subject) -> tuple[Status, Any]:
        got = bounds.read(s)
        n, d = num(s), den(s)
        ev = (got, n, d)
        if n is None or d is None or bounds.absent(got):
            return MISSING, ev
        try:
            if d == 0:
                return NA, ev
            return (PASS if bounds.holds(n / d, got) else FAIL), ev
        except TypeError:
            return FAIL, ev

    def explain(st: Status, ev: Any) -> Outcome:
        got, n, d = ev
        expected = bounds.expected(got)
        if st is MISSING:
            names = (field(p, ctx) for p, v in ((args.numerator, n), (args.denominator, d)) if v is None)
            return missing(expected, *names, *bounds.absent(got))
        if st is NA:
            return Outcome(NA, expected, None, {"reason": "denominator is 0"})
        try:
            r = n / d
            bounds.holds(r, got)
        except TypeError:
            return not_a_number(expected, (n, d))
        detail = {"numerator": n, "denominator": d, "actual_text": fmt_percent(r)}
        return Outcome(st, expected, round(r, 6), detail)

    return judged(judge, explain)


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

    fixed = _compared(args.op, other.value) if other.constant else None  # built once when constant
    other_value = other.read
    path = field(args.value, ctx)

    def judge(s: Subject) -> tuple[Status, Any]:
        v, w = get(s), other_value(s)
        if v is None or w is None:
            return MISSING, (v, w)
        try:
            return (PASS if fn(v, w) else FAIL), (v, w)
        except TypeError:  # e.g. a date compared with a number: the data is not what is asked
            return FAIL, (v, w)

    def explain(st: Status, ev: Any) -> Outcome:
        v, w = ev
        expected = fixed or _compared(args.op, w, _other_name(args.to, ctx))
        if st is MISSING:
            return missing(expected, *([path] if v is None else []), *([_other_name(args.to, ctx)] if w is None else []))
        if st is FAIL:
            try:
                fn(v, w)
            except TypeError:
                return Outcome(FAIL, expected, v, {"reason": "values cannot be compared"})
        return Outcome(st, expected, v)

    verdict = None
    if other.constant and other.value is not None:  # the usual condition: a field against a literal
        w0 = other.value

        def verdict(s: Subject) -> Status:  # measured: conditions are asked of every item
            v = get(s)
            if v is None:
                return MISSING
            try:
                return PASS if fn(v, w0) else FAIL
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
    return judged(judge, explain, verdict, compares)


_ORDERS = ("==", "<", "<=", ">", ">=")  # false, or a TypeError, when the value is None

# How a comparison reads: (zh, en) before the value. Numbers keep their signs (≥ 256), dates
# read as 早于/不晚于 …, text as 为/不为 (是/否 alone for true/false).
_OP_WORDS = {
    "==": ("为", ""), "!=": ("不为", "not"), "<": ("<", "<"), "<=": ("≤", "≤"), ">": (">", ">"),
    ">=": ("≥", "≥"), "in": ("为以下之一:", "one of:"), "not_in": ("不为以下任何一项:", "none of:"),
    "contains": ("包含", "containing"),
}
_NUMBER_WORDS = {"==": ("=", "="), "!=": ("≠", "≠")}
_DATE_WORDS = {
    "<": ("早于", "before"), "<=": ("不晚于", "on or before"), ">": ("晚于", "after"),
    ">=": ("不早于", "on or after"),
}


def _compared(op: str, w: Any, absent: Phrase | None = None) -> Phrase:
    """'== 校长' for JSON; '为校长' / 'principal' for people; dates as 不晚于 / on or before;
    a value read from a field that is absent (``absent``) by that field's label.

    >>> p = _compared("<=", dt.date(2023, 9, 18)); p, p.zh, p.en
    ('<= 2023-09-18', '不晚于 2023-09-18', 'on or before 2023-09-18')
    >>> p = _compared("==", "校长"); p.zh, p.en
    ('为校长', 'principal')
    """
    if isinstance(w, dt.date) and op in _DATE_WORDS:
        zh, en = _DATE_WORDS[op]
    elif isinstance(w, (int, float)) and not isinstance(w, bool) and op in _NUMBER_WORDS:
        zh, en = _NUMBER_WORDS[op]
    elif isinstance(w, bool) and op == "==":
        zh, en = "", ""
    else:
        zh, en = _OP_WORDS[op]
    if w is None and absent is not None:
        said = {"zh": f"{absent.zh}(未填写)", "en": f"{absent.en} (not given)"}
    else:
        said = {lang: say(w, lang) for lang in ("zh", "en")}
    return Phrase(
        f"{op} {w}",
        f"为{said['zh']}" if zh == "为" else f"{zh} {said['zh']}".strip(),
        f"{en} {said['en']}".strip(),
    )


def _other_name(to: Any, ctx: Any) -> Phrase:
    """What a comparison compares with, named when it has no value."""
    return field(to.field if isinstance(to, FieldRef) else str(to), ctx)


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
    names = [field(f, ctx) for f in args.fields]

    def judge(s: Subject) -> tuple[Status, Any]:
        gone = tuple(_empty(g(s)) for _, g in getters)  # what was absent, not the values
        return (FAIL if any(gone) else PASS), gone

    def explain(st: Status, gone: Any) -> Outcome:
        absent = [f for f, g in zip(names, gone, strict=True) if g]
        if absent:
            return Outcome(FAIL, _FILLED, None, {"absent": absent})
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
    return judged(judge, explain, verdict, compares)


_FILLED = Phrase("present", "已填写", "filled in")
_PRESENT = Outcome(PASS, _FILLED, _FILLED, None)


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
    parts = [(field(p, ctx), ctx.getter(p)) for p in args.parts]
    whole, whole_name = ctx.getter(args.whole), field(args.whole, ctx)

    def check(s: Subject) -> Outcome:
        w = whole(s)
        totals = [(p, _total(g(s), args.item_field)) for p, g in parts]
        absent = [p for p, t in totals if t is None]
        expected = (
            f"= {fmt_number(w)}" if w is not None
            else Phrase("= whole", f"= {whole_name.zh}(未填写)", f"= {whole_name.en} (not given)")
        )
        if w is None or absent:
            return missing(expected, *([whole_name] if w is None else []), *absent)
        total = sum(t for _, t in totals if t is not None)
        diff = total - w
        ok = abs(diff) <= args.tolerance
        return Outcome(PASS if ok else FAIL, expected, total, {"difference": diff, "whole": w})

    return check
