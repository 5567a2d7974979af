"""Grades over items: the lowest item decides (the national 考核规范's grading of a point)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field, model_validator

from .base import (
    FAIL,
    MISSING,
    PASS,
    Args,
    Check,
    Outcome,
    Status,
    Subject,
    judged,
    missing,
    register,
)

if TYPE_CHECKING:
    from ..rules.compiler import Context

#: Grades from lowest to highest, as records hold them (``records.GRADES``).
GRADE_ORDER = ["不合格", "合格", "良好", "优秀"]


class LowestArgs(Args):
    over: str
    field: str = "grade"
    min: str = Field(description="The lowest grade every item must reach, one of `order`.")
    order: list[str] = Field(default_factory=lambda: list(GRADE_ORDER), min_length=2)

    @model_validator(mode="after")
    def _min_is_ranked(self) -> LowestArgs:
        if self.min not in self.order:
            raise ValueError(f"min {self.min!r} is not one of order {self.order}")
        return self


@register("lowest", LowestArgs, summary="The lowest grade among a list's items is at least a given grade.")
def lowest(args: LowestArgs, ctx: Context) -> Check:
    """What it does: ranks the ``field`` (default ``grade``) of every item of ``over`` by
    ``order`` (default 不合格 < 合格 < 良好 < 优秀) and passes when the lowest is at least
    ``min``: every item meets it. One item below ``min`` fails, whatever the others are; an
    item without a grade (or with one not in ``order``) while none is below is
    ``missing_data``, and so is a list that is absent or empty — nothing shows every item
    meets it. ``actual`` is the lowest grade; ``detail.below`` lists the items under ``min``.

    Why: the national grading of a point by its evidence items — 优秀 only if every item is
    优秀, 不合格 if any item is below 合格 — is "the lowest item decides", not a cut-off on a
    score the text never gives.

    Example::

        kind: lowest
        args: {over: points, field: grade, min: 合格}

    passes for a teacher whose points are 优秀 and 合格; fails for 优秀 and 不合格; lacks data
    for 优秀 and an ungraded point. Over a point's evidence items, inside a rule over points:
    ``{kind: rate, args: {over: points, min: 1, where: {kind: lowest, args: {over:
    evidence.items, min: 合格}}}}``.
    """
    get, item_ctx = ctx.items(args.over)
    value = item_ctx.getter(args.field)
    rank = {g: i for i, g in enumerate(args.order)}
    floor = args.min  # a grade, one of `order` (checked with the arguments)
    need = rank[floor]
    expected = f"≥ {floor}"

    def judge(s: Subject) -> tuple[Status, Any]:
        items = get(s)
        if not items:
            return MISSING, None
        grades = [value(i) for i in items]
        known = [rank[g] for g in grades if g in rank]
        below = [_name(i, n) for n, (i, g) in enumerate(zip(items, grades, strict=True)) if g in rank and rank[g] < need]
        low = args.order[min(known)] if known else None
        if below:
            return FAIL, (low, below, len(items))
        if len(known) < len(items):
            return MISSING, (low, [], len(items))
        return PASS, (low, [], len(items))

    def explain(st: Status, ev: Any) -> Outcome:
        if ev is None:
            return missing(expected, args.over)
        low, below, n = ev
        if st is MISSING:
            return Outcome(MISSING, expected, low, {"missing": [f"{args.over}.{args.field}"], "items": n})
        detail = {"items": n, "below": below} if below else {"items": n}
        return Outcome(st, expected, low, detail)

    return judged(judge, explain)


def _name(item: Subject, n: int) -> str:
    return str(getattr(item.record, "name", None) or getattr(item.record, "code", None) or f"#{n + 1}")
