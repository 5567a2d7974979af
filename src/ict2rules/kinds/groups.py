"""Kinds over a group of items: rate, count, gate."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import (
    FAIL,
    MISSING,
    NA,
    PASS,
    Args,
    Check,
    Number,
    Outcome,
    Status,
    Subject,
    fmt_percent,
    missing,
    passes_of,
    register,
    verdict_of,
    with_verdict,
)
from .numbers import _bounded, bounds_text, not_a_number, within

if TYPE_CHECKING:
    from ..compiler import Context



class RateArgs(Args):
    over: str
    where: CheckSpec  # type: ignore[name-defined]  # noqa: F821
    min: Number | None = None
    max: Number | None = None
    min_exclusive: bool = False
    max_exclusive: bool = False


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
    """
    get, _ = ctx.items(args.over)
    kept, cond, _ = ctx.kept(args.over, args.where)
    meets = verdict_of(cond)
    lo, hi, text = _bounded(ctx, args, pct=True)
    lx, hx = args.min_exclusive, args.max_exclusive

    def check(s: Subject) -> Outcome:
        lo_v = lo.read(s) if lo else None
        hi_v = hi.read(s) if hi else None
        if text is None and not _shares(lo_v, hi_v):  # a bound from a field holding no number
            return not_a_number("?", [lo_v, hi_v])
        expected = text or bounds_text(lo_v, hi_v, lx, hx, pct=True)
        items = get(s)
        if items is None:
            return missing(expected, args.over)
        if not items:
            return Outcome(NA, expected, None, {"reason": "empty group", "total": 0})
        statuses = [meets(i) for i in items]
        met, unknown = statuses.count(PASS), statuses.count(MISSING)
        share = met / len(items)
        detail = {
            "count": met,
            "total": len(items),
            "missing": unknown,
            "actual_text": fmt_percent(share),
        }
        status = _rate_status(met, unknown, len(items), lo_v, hi_v, lx, hx)
        return Outcome(status, expected, round(share, 6), detail)

    # With constant bounds, the verdict on a group whose every item meets is known now.
    all_met = _rate_status(1, 0, 1, lo and lo.value, hi and hi.value, lx, hx) if text else None

    def verdict(s: Subject) -> Status:
        if all_met is None:  # bounds read from fields: the check cannot say a share of text
            lo_v, hi_v = (lo.read(s) if lo else None), (hi.read(s) if hi else None)
            if not _shares(lo_v, hi_v):
                return FAIL
        items = get(s)
        if items is None:
            return MISSING
        if not items:
            return NA
        met = len(kept(s))
        if met == len(items) and all_met is not None:
            return all_met
        if all_met is not None:
            lo_v, hi_v = (lo and lo.value), (hi and hi.value)
        unknown = 0 if met == len(items) else [meets(i) for i in items].count(MISSING)
        return _rate_status(met, unknown, len(items), lo_v, hi_v, lx, hx)

    return with_verdict(check, verdict)


def _shares(lo: Any, hi: Any) -> bool:
    """Bounds of a share are numbers (or absent): text in a free attribute is not."""
    return (lo is None or isinstance(lo, (int, float))) and (hi is None or isinstance(hi, (int, float)))


def _rate_status(
    met: int, unknown: int, total: int, lo: Any, hi: Any, lx: bool, hx: bool
) -> Status:
    """Whether ``met`` of ``total`` items lie within the bounds, ``unknown`` of the others
    lacking data."""
    ok = within(met / total, lo, hi, lx, hx)
    if ok and unknown and not within((met + unknown) / total, lo, hi, lx, hx):
        # Under a cap, items that lack data count as not meeting the condition only in the
        # school's favour: when they could carry the share over it, say that data is missing.
        return MISSING
    return PASS if ok else FAIL


class CountArgs(Args):
    over: str
    where: CheckSpec | None = None  # type: ignore[name-defined]  # noqa: F821
    min: Number | None = None
    max: Number | None = None
    min_exclusive: bool = False
    max_exclusive: bool = False
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
    """
    get, _ = ctx.items(args.over)
    kept = ctx.kept(args.over, args.where)[0] if args.where else None
    lo, hi, text = _bounded(ctx, args)
    lx, hx = args.min_exclusive, args.max_exclusive

    def check(s: Subject) -> Outcome:
        lo_v = lo.read(s) if lo else None
        hi_v = hi.read(s) if hi else None
        expected = text or bounds_text(lo_v, hi_v, lx, hx, args.unit or "")
        items = get(s)
        if items is None:
            return missing(expected, args.over)
        n = len(kept(s) or ()) if kept else len(items)
        return Outcome(
            PASS if within(n, lo_v, hi_v, lx, hx) else FAIL, expected, n, {"total": len(items)}
        )

    def verdict(s: Subject) -> Status:
        items = get(s)
        if items is None:
            return MISSING
        n = len(kept(s) or ()) if kept else len(items)
        lo_v, hi_v = (lo.read(s) if lo else None), (hi.read(s) if hi else None)
        return PASS if within(n, lo_v, hi_v, lx, hx) else FAIL

    return with_verdict(check, verdict)


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
    and lists the members that do not (``detail.blocking``) otherwise.

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

    def check(s: Subject) -> Outcome:
        if not act(s):
            return Outcome(
                NA, "all members meet the condition", None, {"reason": "action not taken"}
            )
        items = get(s)
        if items is None:
            return missing("all members meet the condition", args.over)
        blocking = [_ident(i) for i in items if not each(i)]
        actual = f"{len(items) - len(blocking)}/{len(items)}"
        detail = {"blocking": blocking} if blocking else None
        return Outcome(FAIL if blocking else PASS, f"{len(items)}/{len(items)}", actual, detail)

    def verdict(s: Subject) -> Status:
        if not act(s):
            return NA
        items = get(s)
        if items is None:
            return MISSING
        return FAIL if [i for i in items if not each(i)] else PASS  # every member asked

    return with_verdict(check, verdict)


def _ident(item: Subject) -> str:
    rec = item.record
    return str(getattr(rec, "id", None) or getattr(rec, "name", None) or getattr(rec, "code", rec))
