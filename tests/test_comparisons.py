"""Comparisons tested in C: batches of rules, items filtered at once, presence read directly.

Each is a shortcut a compliant record takes; every test here checks that the shortcut gives
exactly the verdicts the rules give one by one, on the records where it must step aside.
"""

from __future__ import annotations

import datetime as dt
import operator
from typing import Any

import pytest
from pydantic import TypeAdapter

from ict2rules import evaluate, load_ruleset
from ict2rules.evaluation.evaluator import Evaluator
from ict2rules.input.paths import is_collection, true_when_present
from ict2rules.input.records import HoursRecord, Teacher
from ict2rules.kinds.base import Comparison, Env, Read, Status, Subject, passes_of
from ict2rules.kinds.comparisons import fuse
from ict2rules.rules.compiler import _root
from ict2rules.rules.ruleset import CheckSpec

ZEKU = load_ruleset("zeku_2023")
AS_OF = "2024-01-15"
VALID = {"shows_teacher": True, "own_work": True}


def _compliant() -> dict[str, Any]:
    return {
        "id": "T1",
        "hours": {"online": 50, "offline": 25, "practice": {"lesson": 5, "certification": 15, "process": 5}},
        "lessons_uploaded": 1,
        "lessons_reviewed": 3,
        "peer_reviews_given": 1,
        "points": [{"code": c, "evidence": dict(VALID)} for c in ("A1", "A3", "A5")],
        "peer_score": 80,
        "school_score": 70,
        "completed_on": "2023-09-10",
        "assessed_on": "2023-09-20",
    }


def _spec(kind: str, **args: Any) -> Any:
    return TypeAdapter(CheckSpec).validate_python({"kind": kind, "args": args})


def _statuses(rs: Any, teacher: dict[str, Any], keep: frozenset[Status] | None = None) -> dict[str, str]:
    report = evaluate(rs, {"teacher": teacher}, as_of=AS_OF, keep=keep)
    return {f.rule_id: f.status.value for f in report.findings}


def test_neighbouring_comparisons_of_one_kind_are_batched() -> None:
    batches = [(together is not None, [cr.rule.id for cr in rules]) for together, rules in ZEKU.plan.batches["teacher"]]
    assert (True, ["ZK-T-HOURS-TOTAL", "ZK-T-HOURS-ONLINE", "ZK-T-HOURS-OFFLINE"]) in batches
    assert (True, ["ZK-T-PRACTICE-LESSON", "ZK-T-PRACTICE-CERTIFICATION", "ZK-T-PRACTICE-PROCESS"]) in batches
    assert (True, ["ZK-T-DEADLINE", "ZK-T-PHASE-PRACTICE", "ZK-T-ASSESSED", "ZK-T-PHASE-ASSESSMENT"]) in batches
    assert (False, ["ZK-T-POINTS"]) in batches  # a coverage is not a comparison
    # every rule once, in ruleset order
    assert [i for _, ids in batches for i in ids] == [r.id for r in ZEKU.rules if r.level == "teacher"]


SPOILED = {
    "hours blank": {"hours": None},
    "online half an hour short": {"hours": {"online": 49.5, "offline": 25.5, "practice": {"lesson": 5, "certification": 15, "process": 5}}},
    "a practice part missing": {"hours": {"online": 50, "offline": 25, "practice": {"lesson": 5, "process": 5}}},
    "no practice at all": {"hours": {"online": 50, "offline": 25}},
    "not finished": {"completed_on": None},
    "finished late": {"completed_on": "2024-01-02"},
    "assessed before finishing": {"assessed_on": "2023-09-01"},
    "not assessed": {"assessed_on": None},
    "a zero count": {"lessons_uploaded": 0},
}


@pytest.mark.parametrize("change", SPOILED.values(), ids=SPOILED.keys())
def test_a_batch_that_does_not_pass_gives_each_rule_its_own_verdict(change: dict[str, Any]) -> None:
    teacher = {**_compliant(), **change}
    together = _statuses(ZEKU, teacher)
    for rule in ZEKU.rules:
        if rule.level == "teacher":  # the same rule checked alone, outside any batch
            alone = _statuses(ZEKU.restricted([rule.id]), teacher)
            assert alone[rule.id] == together[rule.id], rule.id


def test_a_batch_decides_only_when_every_comparison_is_true() -> None:
    hours = Read("record.hours.online"), Read("record.hours.offline")
    test = fuse([Comparison(hours[0], operator.ge, 50), Comparison(hours[1], operator.ge, 25)])

    def subject(**h: Any) -> Subject:
        return Subject(Teacher(id="T", hours=HoursRecord(**h) if h else None), Env(dt.date(2024, 1, 1)))

    assert test(subject(online=50, offline=25)) is True
    assert test(subject(online=50, offline=24.5)) is False
    assert test(subject(online=50)) is False  # None >= 25 raises inside the C call: not decided
    assert test(subject()) is False  # no hours at all: the attribute chain stops at None


def test_a_bound_read_from_another_field() -> None:
    test = fuse([
        Comparison(Read("record.completed_on"), operator.le, Read("record.assessed_on")),
        Comparison(Read("record.assessed_on", certain=True), None),
    ])
    env = Env(dt.date(2024, 1, 1))
    same_day = Teacher(id="T", completed_on="2023-09-20", assessed_on="2023-09-20")
    assert test(Subject(same_day, env)) is True
    assert test(Subject(Teacher(id="T", completed_on="2023-09-21", assessed_on="2023-09-20"), env)) is False
    assert test(Subject(Teacher(id="T", completed_on="2023-09-21"), env)) is False


def test_items_filtered_at_once_are_those_each_item_passes() -> None:
    ctx = _root(ZEKU, "teacher")
    rule = next(r for r in ZEKU.rules if r.id == "ZK-T-POINTS")
    kept, cond, _ = ctx.kept("points", rule.check.args.count_only)
    evidence = [dict(VALID), {"shows_teacher": False, "own_work": True}, {"shows_teacher": True}, None, dict(VALID)]
    codes = ["A1", "A3", "A5", "A11", "B1"]
    for n in range(1, len(codes) + 1):  # with and without a point that has no evidence at all
        points = [{"code": c, **({"evidence": e} if e is not None else {})} for c, e in zip(codes[:n], evidence, strict=False)]
        s = Subject(Teacher(id="T", points=points), Env(dt.date(2024, 1, 1)))
        one_by_one = [p.record.code for p in ctx.items("points")[0](s) or [] if cond(p).status is Status.PASS]
        s.memo = None
        assert [p.record.code for p in kept(s) or []] == one_by_one


def test_truth_stands_for_presence_only_where_it_can() -> None:
    assert true_when_present(dt.date) and true_when_present(str) and true_when_present(list[str])
    assert not true_when_present(float) and not true_when_present(bool)  # 0 and False are there
    assert is_collection(list[int]) and is_collection(dict[str, float]) and not is_collection(str)
    ctx = _root(ZEKU, "teacher")
    date_present = ctx.check(_spec("present", fields=["assessed_on"]))
    score_present = ctx.check(_spec("present", fields=["peer_score"]))
    assert passes_of(date_present)(Subject(Teacher(id="T", assessed_on="2023-09-20"), Env(dt.date(2024, 1, 1))))
    assert getattr(score_present, "compares", None) is None  # a number is tested by its verdict
    zero = Subject(Teacher(id="T", peer_score=0), Env(dt.date(2024, 1, 1)))
    assert passes_of(score_present)(zero) and score_present(zero).status is Status.PASS


def test_a_failure_is_explained_only_when_read() -> None:
    ev = Evaluator(ZEKU, as_of=dt.date(2024, 1, 15), keep=frozenset({Status.FAIL, Status.MISSING_DATA}))
    teacher = {**_compliant(), "points": [{"code": "A1", "evidence": dict(VALID)}, {"code": "A2"}]}
    _, found = ev.teacher(teacher)
    assert found and all(f._outcome is None for f in found)  # statuses known, nothing explained
    by_id = {f.rule_id: f for f in found}
    assert by_id["ZK-T-CERT-UPLOAD"].outcome.actual["points"] == ["A1"]  # rebuilt from the record
    assert all(f.outcome.status is f.status for f in found)


# ------------------------------------------- verdicts agree with checks on values of the wrong kind

_MEMBERSHIP = {"kind": "membership", "args": {"items": "attributes.xs", "within": ["a"]}}
_BANDS = [{"label": "ok", "min": 60}, {"label": "bad", "max": 60, "max_exclusive": True, "passing": False}]

WRONG_KIND = {
    "an item that cannot be looked up, negated": (
        {"kind": "not", "args": {"check": _MEMBERSHIP}},
        {"attributes": {"xs": ["b", {"k": 1}]}},
    ),
    "a late date against a start that is a datetime, negated": (
        {"kind": "not", "args": {"check": {"kind": "deadline", "args": {"done": "attributes.done", "by": "2024-06-30", "not_before": {"field": "attributes.start"}}}}},
        {"attributes": {"done": dt.date(2024, 7, 1), "start": dt.datetime(2024, 1, 1, 9, 0)}},
    ),
    "a gate whose later member cannot be judged, negated": (
        {"kind": "not", "args": {"check": {"kind": "gate", "args": {
            "action": {"kind": "present", "args": {"fields": ["attributes.applied"]}},
            "over": "attributes.xs",
            "each": {"kind": "bands", "args": {"value": ".", "bands": _BANDS}},
        }}}},
        {"attributes": {"applied": "yes", "xs": [0, "x"]}},
    ),
    "a window opening on a text": (
        {"kind": "deadline", "args": {"done": "completed_on", "by": "2024-06-30", "not_before": {"field": "attributes.start"}}},
        {"attributes": {"start": "2023-01-01"}},
    ),
    "dates given as text": (
        {"kind": "deadline", "args": {"done": "attributes.done", "by": {"field": "attributes.due"}}},
        {"attributes": {"done": "2023-01-01", "due": "2023-12-31"}},
    ),
    "a share bounded by a text": (
        {"kind": "rate", "args": {"over": "points", "where": {"kind": "present", "args": {"fields": ["evidence"]}}, "min": {"field": "attributes.share"}}},
        {"attributes": {"share": "all"}},
    ),
    "one alternative passes, another cannot be judged": (
        {"kind": "any", "args": {"checks": [
            {"kind": "present", "args": {"fields": ["completed_on"]}},
            {"kind": "bands", "args": {"value": "attributes.score", "bands": [{"label": "ok", "min": 60}, {"label": "no", "max": 60, "max_exclusive": True, "passing": False}]}},
        ]}},
        {"completed_on": "2023-05-01", "attributes": {"score": "good"}},
    ),
}


@pytest.mark.parametrize(("check", "fields"), WRONG_KIND.values(), ids=WRONG_KIND.keys())
def test_a_verdict_on_a_value_of_the_wrong_kind_is_what_its_check_says(tmp_path: Any, check: dict[str, Any], fields: dict[str, Any]) -> None:
    from test_kinds import ruleset

    rs = ruleset(tmp_path, check)
    for keep in (None, frozenset({Status.FAIL, Status.MISSING_DATA})):
        report = evaluate(rs, {"teacher": {"id": "T1", **fields}}, as_of="2024-01-01", keep=keep)
        [f] = [f for f in report.findings if f.rule_id == "R1"]
        assert f.status is Status.FAIL and f.outcome.status is Status.FAIL


def test_a_rule_cannot_read_its_own_subjects_verdict(tmp_path: Any) -> None:
    from test_kinds import ruleset

    with pytest.raises(Exception, match="own subject's `passed`"):
        ruleset(tmp_path, {"kind": "compare", "args": {"value": "passed", "op": "==", "to": True}})


def test_a_code_outside_the_catalog_is_counted_and_shown(tmp_path: Any) -> None:
    from test_kinds import ruleset

    rs = ruleset(tmp_path, {"kind": "coverage", "args": {"items": "attributes.xs", "min_points": 1}})
    [f] = evaluate(rs, {"teacher": {"id": "T1", "attributes": {"xs": ["A²"]}}}, as_of="2024-01-01").findings
    assert f.status is f.outcome.status is Status.PASS and f.outcome.actual["points"] == ["A²"]
