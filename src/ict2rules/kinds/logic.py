"""Composition: all / any / not, and prerequisites ("only after")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import (
    FAIL,
    MISSING,
    NA,
    PASS,
    PENDING,
    Args,
    Check,
    Outcome,
    Status,
    Subject,
    compares_of,
    explain_of,
    is_fast,
    judge_of,
    judged,
    passes_of,
    register,
    verdict_of,
)

if TYPE_CHECKING:
    from ..rules.compiler import Context

from ..labels import Phrase, say

# How a composite's status reads when its parts are listed (the JSON keeps the status ids)
_STATUS = {
    PASS: Phrase("pass", "符合", "met"), FAIL: Phrase("fail", "不符合", "not met"),
    NA: Phrase("not_applicable", "不适用", "not applicable"),
    MISSING: Phrase("missing_data", "缺少数据", "data missing"),
    PENDING: Phrase("pending", "尚未到期", "not yet due"),
}
_ALL = Phrase("all", "各项均符合", "every part met")
_ANY = Phrase("any", "至少一项符合", "at least one part met")

# How bad each status is when statuses are combined: a failure outweighs missing data,
# which outweighs work not yet due.
_RANK = {FAIL: 4, MISSING: 3, PENDING: 2, PASS: 1, NA: 0}


def worst(statuses: list[Status]) -> Status:
    """The status of all-of: the worst of the parts (not_applicable parts are ignored)."""
    # max(key=rank) by hand: the first of the highest rank, NA when there is nothing.
    found, top = NA, -1
    for st in statuses:
        r = _RANK[st]
        if r > top:
            found, top = st, r
    return found


def _mildest(statuses: list[Status]) -> Status:
    """The status of any-of when no part passed: the mildest of the others (pending before
    missing data before fail; not-applicable parts last, and when there is nothing)."""
    return min(statuses, key=lambda st: _RANK[st] if st is not NA else 9, default=NA)


class ChecksArgs(Args):
    checks: list[CheckSpec]  # type: ignore[name-defined]  # noqa: F821


@register("all", ChecksArgs, summary="Every sub-check passes.")
def all_(args: ChecksArgs, ctx: Context) -> Check:
    """What it does: runs each sub-check; the result is the worst of theirs (fail > missing
    data > pending > pass; not-applicable parts are ignored). When it is not met, its expected,
    actual and detail are those of the first part that decided it.

    Why: a clause with several conditions that must hold together.

    Example::

        kind: all
        args: {checks: [{kind: threshold, args: {value: hours.online, min: 25}},
                        {kind: threshold, args: {value: hours.offline, min: 25}}]}
    """
    parts = [ctx.check(c) for c in args.checks]

    judges = [judge_of(p) for p in parts]
    explains = [explain_of(p) for p in parts]

    def judge(s: Subject) -> tuple[Status, Any]:
        found = [j(s) for j in judges]
        return worst([st for st, _ in found]), found

    def explain(status: Status, found: Any) -> Outcome:
        if status in (PASS, NA):
            return Outcome(status, _ALL, [_STATUS[st] for st, _ in found])
        # explain by the first part that decided: its expected, actual and detail
        i = next(i for i, (st, _) in enumerate(found) if st is status)
        o = explains[i](*found[i])
        return Outcome(status, o.expected, o.actual, o.detail)

    part_verdicts = [verdict_of(p) for p in parts]

    def verdict(s: Subject) -> Status:
        # worst(), inlined; every part is asked, as the check asks them (one may raise)
        found, top = NA, -1
        for v in part_verdicts:
            st = v(s)
            r = _RANK[st]
            if r > top:
                found, top = st, r
        return found

    # the parts' fast verdicts pay only when every part has one; else judging once is cheaper
    fast = all(map(is_fast, parts))
    return judged(judge, explain, verdict if fast else None, compares_of(*parts))


@register("any", ChecksArgs, summary="At least one sub-check passes.")
def any_(args: ChecksArgs, ctx: Context) -> Check:
    """What it does: passes when one sub-check passes; otherwise takes the mildest of the
    others (pending before missing data before fail).

    Why: alternatives ("by 6-30, or by 12-31 with an approved extension").

    Example::

        kind: any
        args: {checks: [{kind: compare, args: {value: kind, op: "==", to: 小学}},
                        {kind: compare, args: {value: kind, op: "==", to: 初中}}]}
    """
    parts = [ctx.check(c) for c in args.checks]

    judges = [judge_of(p) for p in parts]
    explains = [explain_of(p) for p in parts]

    def judge(s: Subject) -> tuple[Status, Any]:
        found = [j(s) for j in judges]
        statuses = [st for st, _ in found]
        return (PASS if PASS in statuses else _mildest(statuses)), found

    def explain(status: Status, found: Any) -> Outcome:
        statuses = [_STATUS[st] for st, _ in found]
        if status is not MISSING:
            return Outcome(status, _ANY, statuses)
        # what is missing: every field a part lacking data names
        names = [
            name
            for (st, ev), ex in zip(found, explains, strict=True)
            if st is MISSING
            for name in (ex(st, ev).detail or {}).get("missing", ())
        ]
        return Outcome(status, _ANY, statuses, {"missing": list(dict.fromkeys(names))})

    part_verdicts = [verdict_of(p) for p in parts]

    def verdict(s: Subject) -> Status:
        statuses = [v(s) for v in part_verdicts]  # all asked, as the check asks them
        return PASS if PASS in statuses else _mildest(statuses)

    return judged(judge, explain, verdict if all(map(is_fast, parts)) else None)


class NotArgs(Args):
    check: CheckSpec  # type: ignore[name-defined]  # noqa: F821


@register("not", NotArgs, summary="The sub-check fails.")
def not_(args: NotArgs, ctx: Context) -> Check:
    """What it does: turns pass into fail and fail into pass; missing data, pending and
    not-applicable stay as they are (not knowing is not the opposite of knowing).

    Example::

        kind: not
        args: {check: {kind: compare, args: {value: kind, op: "==", to: 幼儿园}}}
    """
    inner = ctx.check(args.check)
    inner_verdict = verdict_of(inner)
    flip = {PASS: FAIL, FAIL: PASS}

    inner_judge, inner_explain = judge_of(inner), explain_of(inner)

    def judge(s: Subject) -> tuple[Status, Any]:
        st, ev = inner_judge(s)
        return flip.get(st, st), (st, ev)

    def explain(status: Status, inner_ev: Any) -> Outcome:
        o = inner_explain(*inner_ev)
        inner = o.expected
        return Outcome(
            status,
            Phrase(
                f"not ({inner})",
                f"不满足:{say(inner, 'zh')}",
                f"not: {say(inner, 'en')}",
            ),
            o.actual,
        )

    def verdict(s: Subject) -> Status:
        st = inner_verdict(s)
        return flip.get(st, st)

    return judged(judge, explain, verdict if is_fast(inner) else None)


class PrerequisiteArgs(Args):
    action: CheckSpec  # type: ignore[name-defined]  # noqa: F821
    requires: CheckSpec  # type: ignore[name-defined]  # noqa: F821


@register(
    "prerequisite",
    PrerequisiteArgs,
    summary="If an action happened, what must come before it holds.",
)
def prerequisite(args: PrerequisiteArgs, ctx: Context) -> Check:
    """What it does: when ``action`` did not happen the rule is ``not_applicable``; when it
    did, the rule takes the outcome of ``requires``.

    Why: "完成75学时(其中实践应用研修25学时)后方可参与校本应用考核": taking the
    assessment without the hours is the violation; not having taken it yet is not.

    Example::

        kind: prerequisite
        args:
          action: {kind: present, args: {fields: [assessed_on]}}
          requires: {kind: threshold, args: {value: hours.total, min: 75}}
    """
    action, req = ctx.check(args.action), ctx.check(args.requires)
    acted, req_verdict = passes_of(action), verdict_of(req)

    req_judge, req_explain = judge_of(req), explain_of(req)

    def judge(s: Subject) -> tuple[Status, Any]:
        if not acted(s):
            return NA, None
        st, ev = req_judge(s)
        return st, (st, ev)

    def explain(status: Status, req_ev: Any) -> Outcome:
        if req_ev is None:
            return Outcome(NA, None, None, {"reason": "action not taken"})
        return req_explain(*req_ev)

    def verdict(s: Subject) -> Status:
        return req_verdict(s) if acted(s) else NA

    return judged(judge, explain, verdict if is_fast(req) else None, compares_of(action, req))
