"""Kinds over a group of items: rate, count, gate — each one accumulator.

A group kind is written once as an :class:`Accumulator`: ``start()`` an empty tally, ``add``
a batch of items to it, ``merge`` two tallies (of two chunks of a roster, two Dask
partitions), ``finish`` a tally on the group's owner into ``(status, evidence)``. Its judge
over a list held in memory is ``finish(add(start(), items), owner)``; the evaluator feeds a
school's teachers to the same accumulator one by one as they are checked, in memory, streamed,
in worker processes or on a cluster — one body, whichever way the teachers arrive.

>>> from ict2rules import load_ruleset
>>> rules = {cr.rule.id: cr for cr in load_ruleset("zeku_2023").plan.rules["school"]}
>>> accumulator_of(rules["ZK-S-PASS-RATE"].check).over
'teachers'
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from ..labels import Phrase, field
from .base import (
    DATA_ERRORS,
    FAIL,
    MISSING,
    NA,
    PASS,
    PATH_ARGS,
    Args,
    Check,
    Explain,
    Outcome,
    Status,
    Subject,
    fmt_percent,
    judged,
    missing,
    passes_of,
    register,
    verdict_of,
)
from .comparisons import item_test, passing_items
from .numbers import Bounds, Range, not_a_number

if TYPE_CHECKING:
    from ..rules.compiler import Context


class Accumulator(NamedTuple):
    """A group kind's running form (a tally is a small list of numbers and ids: it pickles).

    ``finish(None, owner)`` is the group that is absent (no list given: ``missing_data``).
    """

    over: str
    start: Callable[[], list[Any]]
    add: Callable[[list[Any], list[Subject]], None]
    merge: Callable[[list[Any], list[Any]], list[Any]]
    finish: Callable[[list[Any] | None, Subject], tuple[Status, Any]]


def accumulated(
    acc: Accumulator,
    get: Callable[[Subject], list[Subject] | None],
    explain: Explain,
    verdict: Callable[[Subject], Status] | None = None,
    direct: Callable[[Subject], tuple[Status, Any]] | None = None,
) -> Check:
    """The compiled check of a group kind: its judge is its accumulator over the list (and
    ``verdict``, a kind's measured fast path, as :func:`~ict2rules.kinds.base.judged` takes it;
    ``direct``, a judge that gives the same for some lists more cheaply and the accumulator's
    for the others, ``check.judge.each``)."""

    def each(s: Subject) -> tuple[Status, Any]:
        items = get(s)
        if items is None:
            return acc.finish(None, s)
        tally = acc.start()
        acc.add(tally, items)
        return acc.finish(tally, s)

    judge = each if direct is None else direct
    judge.each = each  # type: ignore[attr-defined]
    check = judged(judge, explain, verdict)
    check.accumulator = acc  # type: ignore[attr-defined]
    return check


def accumulator_of(check: Check) -> Accumulator | None:
    """The check's accumulator when its kind is a group kind, else None."""
    return getattr(check, "accumulator", None)


def member_items(over: str) -> Callable[[Subject], list[Subject]] | None:
    """For a school's group ``over`` its teachers, the items one teacher brings: itself
    (``teachers``) or its point certifications (``teachers.points``); None for any other list.

    >>> member_items("teachers")("t")
    ['t']
    """
    if over == "teachers":
        return _itself
    if over == "teachers.points":
        return _points_of
    return None


def _itself(t: Subject) -> list[Subject]:
    return [t]


def _points_of(t: Subject) -> list[Subject]:
    return [Subject(p, t.env, t) for p in (t.record.points or ())]


def mentions_teachers(value: Any) -> bool:
    """Does a rule spec (a model or its dump; any sub-check in it) walk a school's teachers?

    >>> mentions_teachers({"kind": "rate", "args": {"over": "teachers.points"}})
    True
    """
    if hasattr(value, "model_dump"):
        value = value.model_dump()
    if isinstance(value, dict):
        return any(
            (k in ("over", "items") and isinstance(v, str) and v.split(".")[0] == "teachers")
            or mentions_teachers(v)
            for k, v in value.items()
        )
    if isinstance(value, list):
        return any(mentions_teachers(v) for v in value)
    return False



class RateArgs(Bounds):
    over: str
    where: CheckSpec  # type: ignore[name-defined]  # noqa: F821
    among: CheckSpec | None = None  # type: ignore[name-defined]  # noqa: F821


@register(
    "rate", RateArgs, summary="The share of a group's items meeting a condition lies within bounds."
)
def rate(args: RateArgs, ctx: Context) -> Check:
    """What it does: over the items of ``over`` (``teachers`` of a school, ``teachers.points``
    for every point certification of a school, or any list field), counts those for which
    ``where`` passes, and compares the share with ``min``/``max`` (fractions: 1 is 100 %).
    With ``among``, the share is over the items that pass ``among`` only (优秀率 among the
    graded certifications): the others are neither counted nor in the denominator.
    Items whose condition lacks data count as not meeting it and are counted in
    ``detail.missing`` (as are items for which ``among`` lacks data: they may belong to the
    denominator) — except where that would favour the subject: under a ``max`` cap, when
    those items could carry the share over it, the rule is ``missing_data``, not a pass. An
    empty group is ``not_applicable``; a group none of whose items passes ``among`` is
    ``missing_data`` (there is nothing to take a share of: never a pass).

    Why: "各校培训合格率为100%", "各校微能力点认证优秀率不超过60%".

    Example::

        kind: rate
        args: {over: teachers, where: {kind: compare, args: {value: passed, op: "==", to: true}}, min: 1}

    The excellence rate among the graded certifications (开原 KY-S-EXCELLENCE-RATE) adds
    ``among: {kind: present, args: {fields: [grade]}}`` to ``over: teachers.points``,
    ``where: {kind: compare, args: {value: grade, op: "==", to: 优秀}}``, ``max: 0.6``. There a
    point whose grade is removed leaves the denominator: ``among`` is the one argument by which
    an absent value may change a share, and only as the document's own reading says.

    A bound from an absent field (``min: {field: …}``) is ``missing_data``, never a pass.
    """

    get, item_ctx = ctx.items(args.over)
    over = field(args.over, ctx)
    cond = item_ctx.check(args.where)
    meets = verdict_of(cond)
    passes = passing_items(cond, meets)
    among = None
    if args.among is not None:
        among_cond = item_ctx.check(args.among)
        among_meets = verdict_of(among_cond)
        among = (passing_items(among_cond, among_meets), among_meets)
    bounds = args.compile(ctx, pct=True)
    # What an item lacking data lacks, said in words (等级, not "150 项的相关数据"): the fields
    # the conditions read, as paths of the school's or the subject's record.
    unsure_of = _item_fields(args.over, args.where, args.among)
    kept_by = _item_fields(args.over, args.among) if args.among is not None else []
    # With constant bounds, the status of a group whose every item meets is known now.
    all_met = (
        _rate_status(1, 0, 1, bounds, bounds.fixed)
        if bounds.fixed is not None and not bounds.may_lack
        else None
    )

    fixed = bounds.fixed if all_met is not None else None  # constant numbers: no test per group

    def start() -> list[Any]:
        # items in the denominator, of them meeting the condition, lacking its data; all items
        return [0, 0, 0, 0]

    def add(tally: list[Any], items: list[Subject]) -> None:
        tally[3] += len(items)
        unsure = 0
        if among is not None:
            kept = among[0](items)
            if len(kept) != len(items):  # items whose ``among`` lacks data may belong too
                unsure = [among[1](i) for i in items].count(MISSING)
            items = kept
        total, met = len(items), len(passes(items))
        tally[0] += total + unsure
        tally[1] += met
        if met != total:
            tally[2] += [meets(i) for i in items].count(MISSING)
        tally[2] += unsure

    def finish(tally: list[Any] | None, s: Subject) -> tuple[Status, Any]:
        got = fixed
        if got is None:
            got = bounds.read(s)
            if bounds.absent(got):
                return MISSING, (got, None, 0, 0)
            if not bounds.numbers(got):  # a bound from a field holding no number
                return FAIL, (got, None, 0, 0)
        if tally is None:
            return MISSING, (got, None, 0, 0)
        total, met, unknown, items = tally
        if not total:
            # no item at all, or none that ``among`` keeps: nothing to take a share of
            return (MISSING if items else NA), (got, 0, 0, items)
        if met == total and all_met is not None:
            return all_met, (got, total, met, 0)
        return _rate_status(met, unknown, total, bounds, got), (got, total, met, unknown)

    def explain(st: Status, ev: Any) -> Outcome:
        got, total, met, unknown = ev
        if not bounds.absent(got) and not bounds.numbers(got):
            return not_a_number(_NOT_NUMBERS, list(got))
        expected = bounds.expected(got)
        if total is None:
            return missing(expected, *([] if bounds.absent(got) else [over]), *bounds.absent(got))
        if not total:
            if st is MISSING:  # items, none in the denominator (``unknown`` holds how many there are)
                return Outcome(MISSING, expected, None, {"missing": kept_by, "count": 0, "total": 0, "items": unknown})
            return Outcome(NA, expected, None, {"reason": "empty group", "total": 0})
        share = met / total
        detail = {
            "count": met,
            "total": total,
            "missing": unknown,
            "actual_text": fmt_percent(share),
        }
        if unknown:
            detail["missing_fields"] = unsure_of
        return Outcome(st, expected, round(share, 6), detail)

    acc = Accumulator(args.over, start, add, _merge_counts, finish)
    # With a condition on the items' own fields, a list whose every item meets it is tallied
    # on the record's list itself, in C, without an item subject (the tally ``add`` would
    # make: all n in the denominator, all n met); any other list is added item by item.
    raw, test = ctx.values(args.over), item_test(cond)
    if raw is None or test is None or among is not None:
        return accumulated(acc, get, explain)

    def all_meet(s: Subject) -> int | None:
        """How many items the subject's list has, when it has some and every one meets."""
        values = raw(s)
        if values:
            try:
                if all(test(values)):
                    return len(values)
            except DATA_ERRORS:
                pass
        return None

    def direct(s: Subject) -> tuple[Status, Any]:
        n = all_meet(s)
        return each(s) if n is None else finish([n, n, 0, n], s)

    def verdict(s: Subject) -> Status:  # constant bounds: the status of "all met" is known
        return all_met if all_meet(s) is not None else each(s)[0]  # type: ignore[return-value]

    check = accumulated(acc, get, explain, verdict if all_met is not None else None, direct)
    each = check.judge.each  # type: ignore[attr-defined]  # (read by direct and verdict when called)
    return check


def _item_fields(over: str, *specs: Any) -> list[Phrase]:
    """The fields the conditions on a group's items read, as their owner's paths
    (``teachers.points`` reading ``grade`` → ``points.grade``, 能力点等级).

    >>> where = {"kind": "compare", "args": {"value": "grade", "op": "==", "to": "优秀"}}
    >>> [(p, p.zh) for p in _item_fields("teachers.points", where)]
    [('points.grade', '能力点等级')]
    """
    prefix = {"teachers": "", "teachers.points": "points."}.get(over, f"{over}.")
    paths: dict[str, None] = {}
    for spec in specs:
        if spec is not None:
            _read_paths(spec.model_dump() if hasattr(spec, "model_dump") else spec, paths)
    return [field(prefix + p if p != "." else over) for p in paths]


def _read_paths(spec: Any, into: dict[str, None]) -> None:
    """Every field path a dumped check (and the checks inside it) reads, in order."""
    if isinstance(spec, list):
        for x in spec:
            _read_paths(x, into)
        return
    if not isinstance(spec, dict):
        return
    args = spec.get("args") if "kind" in spec else None
    if isinstance(args, dict):
        for key in PATH_ARGS:
            v = args.get(key)
            for p in v if isinstance(v, list) else [v]:
                if isinstance(p, str) and not p.startswith("$"):
                    into.setdefault(p)
        for v in args.values():
            _read_paths(v, into)


def _merge_counts(a: list[Any], b: list[Any]) -> list[Any]:
    """Two tallies of counts, added."""
    return [x + y for x, y in zip(a, b, strict=True)]


_NOT_NUMBERS = Phrase("?", "界限应为数字", "bounds that are numbers")


def _rate_status(met: int, unknown: int, total: int, bounds: Range, got: Any) -> Status:
    """Whether ``met`` of ``total`` items lie within the bounds, ``unknown`` of the others
    lacking data."""
    ok = bounds.holds(met / total, got)
    if ok and unknown and not bounds.holds((met + unknown) / total, got):
        # Under a cap, items that lack data count as not meeting the condition only in the
        # school's favour: when they could carry the share over it, say that data is missing.
        return MISSING
    return PASS if ok else FAIL


class CountArgs(Bounds):
    over: str
    where: CheckSpec | None = None  # type: ignore[name-defined]  # noqa: F821
    unit: str | None = None


@register(
    "count", CountArgs, summary="How many items of a list meet a condition lies within bounds."
)
def count(args: CountArgs, ctx: Context) -> Check:
    """What it does: counts the items of ``over`` for which ``where`` passes (all items when
    there is no ``where``) and compares the count with ``min``/``max``.

    Why: "在培训期间至少报送3期工作简报" counts only bulletins dated within the training.

    Example::

        kind: count
        args:
          over: bulletins
          where: {kind: compare, args: {value: ., op: "<=", to: {field: parent.end}}}
          min: 3

    A bound from an absent field (``min: {field: …}``) is ``missing_data``, never a pass.
    """

    get, item_ctx = ctx.items(args.over)
    passes = None
    if args.where is not None:
        cond = item_ctx.check(args.where)
        passes = passing_items(cond, verdict_of(cond))
    bounds = args.compile(ctx, unit=args.unit or "")

    def start() -> list[Any]:
        return [0, 0]  # items meeting the condition, items

    def add(tally: list[Any], items: list[Subject]) -> None:
        tally[0] += len(passes(items)) if passes is not None else len(items)
        tally[1] += len(items)

    def finish(tally: list[Any] | None, s: Subject) -> tuple[Status, Any]:
        got = bounds.read(s)
        if tally is None:
            return MISSING, (got, None, None)
        n, total = tally
        if bounds.may_lack and bounds.absent(got):
            return MISSING, (got, n, total)
        try:
            return (PASS if bounds.holds(n, got) else FAIL), (got, n, total)
        except TypeError:  # a bound from a field holding text
            return FAIL, (got, n, total)

    def explain(st: Status, ev: Any) -> Outcome:
        got, n, total = ev
        expected = bounds.expected(got)
        if st is MISSING:
            return missing(expected, *([field(args.over, ctx)] if n is None else []), *bounds.absent(got))
        if st is FAIL and not bounds.numbers(got):
            return not_a_number(expected, n)
        return Outcome(st, expected, n, {"total": total})

    return accumulated(Accumulator(args.over, start, add, _merge_counts, finish), get, explain)


class GateArgs(Args):
    action: CheckSpec  # type: ignore[name-defined]  # noqa: F821
    over: str = "teachers"
    each: CheckSpec  # type: ignore[name-defined]  # noqa: F821


@register(
    "gate",
    GateArgs,
    summary="An action of a group (apply for re-review) is allowed only when every member meets a condition.",
)
def gate(args: GateArgs, ctx: Context) -> Check:
    """What it does: if ``action`` has not happened (its check does not pass), the rule is
    ``not_applicable``. If it has, every item of ``over`` must pass ``each``; the rule fails
    and lists the members that do not (``detail.blocking``) otherwise. A group with no member
    is ``missing_data``: nothing shows that every member meets the condition.

    Why: "在全体教师考核结果均达到合格以上等次之后,学校信息化管理团队可以向上一级管理团队提交复评验收申请".

    Example::

        kind: gate
        args:
          action: {kind: present, args: {fields: [review_applied_on]}}
          over: teachers
          each: {kind: compare, args: {value: passed, op: "==", to: true}}
    """
    act = passes_of(ctx.check(args.action))
    get, item_ctx = ctx.items(args.over)
    each = passes_of(item_ctx.check(args.each))
    # Whether the action happened is read from the group's owner when its first members come
    # (the items' parent): a group whose action did not happen keeps no blocking ids. An action
    # that walks the teachers, or reads a derived value (computed after them), is known only
    # at the end: every blocking id is kept.
    early = not mentions_teachers(args.action) and not _reads(args.action, ctx.derived)

    def start() -> list[Any]:
        return [0, [], None]  # members, blocking members' ids, whether the action happened

    def add(tally: list[Any], items: list[Subject]) -> None:
        tally[0] += len(items)
        if tally[2] is None and early and items and items[0].parent is not None:
            tally[2] = bool(act(items[0].parent))
        if tally[2] is not False:
            tally[1] += [_ident(i) for i in items if not each(i)]  # every member asked

    def merge(a: list[Any], b: list[Any]) -> list[Any]:
        return [a[0] + b[0], a[1] + b[1], a[2] if a[2] is not None else b[2]]

    def finish(tally: list[Any] | None, s: Subject) -> tuple[Status, Any]:
        if not act(s):
            return NA, None
        if not tally or not tally[0]:  # no member at all: "every member meets it" is not shown
            return MISSING, None
        blocking = tally[1]
        return (FAIL if blocking else PASS), (tally[0], blocking)

    def explain(st: Status, ev: Any) -> Outcome:
        if st is NA:
            return Outcome(NA, _ALL_MEET, None, {"reason": "action not taken"})
        if ev is None:
            return missing(_ALL_MEET, field(args.over, ctx))
        total, blocking = ev
        actual = f"{total - len(blocking)}/{total}"
        detail = {"blocking": blocking} if blocking else None
        return Outcome(st, f"{total}/{total}", actual, detail)

    return accumulated(Accumulator(args.over, start, add, merge, finish), get, explain)


def _reads(value: Any, names: frozenset[str]) -> bool:
    """Does a spec (a model or its dump) name a path that starts with one of ``names``?"""
    if hasattr(value, "model_dump"):
        value = value.model_dump()
    if isinstance(value, dict):
        return any(_reads(v, names) for v in value.values())
    if isinstance(value, list):
        return any(_reads(v, names) for v in value)
    return isinstance(value, str) and value.split(".")[0] in names


_ALL_MEET = Phrase("all members meet the condition", "全部成员符合条件", "all members meet the condition")


def _ident(item: Subject) -> str:
    rec = item.record
    return str(getattr(rec, "id", None) or getattr(rec, "name", None) or getattr(rec, "code", rec))
