"""Kinds over a group of items: rate, count, gate."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..labels import Phrase, field
from .base import (
    FAIL,
    MISSING,
    NA,
    PASS,
    Args,
    Check,
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
from .numbers import Bounds, Range, not_a_number

if TYPE_CHECKING:
    from ..compiler import Context



class RateArgs(Bounds):
    over: str
    where: CheckSpec  # type: ignore[name-defined]  # noqa: F821


@register(
    "rate", RateArgs, summary="The share of a group's items meeting a condition lies within bounds."
)
def rate(args: RateArgs, ctx: Context) -> Check:
    """What it does: over the items of ``over`` (``teachers`` of a school, ``teachers.points``
    for every point certification of a school, or any list field), counts those for which
    ``where`` passes, and compares the share with ``min``/``max`` (fractions: 1 is 100 %).
    Items whose condition lacks data count as not meeting it and are counted in
    ``detail.missing`` — except where that would favour the subject: under a ``max`` cap, when
    those items could carry the share over it, the rule is ``missing_data``, not a pass. An
    empty group is ``not_applicable``.

    Why: "各校培训合格率为100%", "各校微能力点认证优秀率不超过60%".

    Example::

        kind: rate
        args: {over: teachers, where: {kind: compare, args: {value: passed, op: "==", to: true}}, min: 1}

    A bound from an absent field (``min: {field: …}``) is ``missing_data``, never a pass.
    """
    get, _ = ctx.items(args.over)
    over = field(args.over, ctx)
    kept, cond, _ = ctx.kept(args.over, args.where)
    meets = verdict_of(cond)
    bounds = args.compile(ctx, pct=True)
    # With constant bounds, the status of a group whose every item meets is known now.
    all_met = (
        _rate_status(1, 0, 1, bounds, bounds.fixed)
        if bounds.fixed is not None and not bounds.may_lack
        else None
    )

    fixed = bounds.fixed if all_met is not None else None  # constant numbers: no test per group

    def judge(s: Subject) -> tuple[Status, Any]:
        got = fixed
        if got is None:
            got = bounds.read(s)
            if bounds.absent(got):
                return MISSING, (got, None, 0, 0)
            if not bounds.numbers(got):  # a bound from a field holding no number
                return FAIL, (got, None, 0, 0)
        items = get(s)
        if items is None:
            return MISSING, (got, None, 0, 0)
        if not items:
            return NA, (got, 0, 0, 0)
        total, met = len(items), len(kept(s))  # type: ignore[arg-type]
        if met == total and all_met is not None:
            return all_met, (got, total, met, 0)
        unknown = 0 if met == total else [meets(i) for i in items].count(MISSING)
        return _rate_status(met, unknown, total, bounds, got), (got, total, met, unknown)

    def explain(st: Status, ev: Any) -> Outcome:
        got, total, met, unknown = ev
        if not bounds.absent(got) and not bounds.numbers(got):
            return not_a_number(_NOT_NUMBERS, list(got))
        expected = bounds.expected(got)
        if total is None:
            return missing(expected, *([] if bounds.absent(got) else [over]), *bounds.absent(got))
        if not total:
            return Outcome(NA, expected, None, {"reason": "empty group", "total": 0})
        share = met / total
        detail = {
            "count": met,
            "total": total,
            "missing": unknown,
            "actual_text": fmt_percent(share),
        }
        return Outcome(st, expected, round(share, 6), detail)

    return judged(judge, explain)


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
    get, _ = ctx.items(args.over)
    kept = ctx.kept(args.over, args.where)[0] if args.where else None
    bounds = args.compile(ctx, unit=args.unit or "")

    def judge(s: Subject) -> tuple[Status, Any]:
        got = bounds.read(s)
        items = get(s)
        if items is None:
            return MISSING, (got, None, None)
        n = len(kept(s) or ()) if kept else len(items)
        if bounds.may_lack and bounds.absent(got):
            return MISSING, (got, n, len(items))
        try:
            return (PASS if bounds.holds(n, got) else FAIL), (got, n, len(items))
        except TypeError:  # a bound from a field holding text
            return FAIL, (got, n, len(items))

    def explain(st: Status, ev: Any) -> Outcome:
        got, n, total = ev
        expected = bounds.expected(got)
        if st is MISSING:
            return missing(expected, *([field(args.over, ctx)] if n is None else []), *bounds.absent(got))
        if st is FAIL and not bounds.numbers(got):
            return not_a_number(expected, n)
        return Outcome(st, expected, n, {"total": total})

    return judged(judge, explain)


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

    def judge(s: Subject) -> tuple[Status, Any]:
        if not act(s):
            return NA, None
        items = get(s)
        if not items:  # no member at all: "every member meets it" is not shown, never a pass
            return MISSING, None
        blocking = [_ident(i) for i in items if not each(i)]  # every member asked
        return (FAIL if blocking else PASS), (len(items), blocking)

    def explain(st: Status, ev: Any) -> Outcome:
        if st is NA:
            return Outcome(NA, _ALL_MEET, None, {"reason": "action not taken"})
        if ev is None:
            return missing(_ALL_MEET, field(args.over, ctx))
        total, blocking = ev
        actual = f"{total - len(blocking)}/{total}"
        detail = {"blocking": blocking} if blocking else None
        return Outcome(st, f"{total}/{total}", actual, detail)

    return judged(judge, explain)


_ALL_MEET = Phrase("all members meet the condition", "全部成员符合条件", "all members meet the condition")


def _ident(item: Subject) -> str:
    rec = item.record
    return str(getattr(rec, "id", None) or getattr(rec, "name", None) or getattr(rec, "code", rec))
