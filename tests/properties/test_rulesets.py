"""Laws every ruleset must obey, checked on records drawn from the ruleset itself.

Parametrised over every file in ``src/ict2rules/rulesets/`` at collection time: a new
regional document is covered the moment its YAML file is added, with no new test code.
Records come from :mod:`ict2rules.testing`; a rule whose kind the generator cannot derive is
skipped with the generator's reason (never silently passed).
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from prop_support import examples

from ict2rules import evaluate
from ict2rules.authoring.wording import (
    EXCLUSIVE_MAX,
    EXCLUSIVE_MIN,
    INCLUSIVE_MAX,
    INCLUSIVE_MIN,
    numbers,
    ruleset_wording_problems,
)
from ict2rules.errors import InputError
from ict2rules.input.catalog import CATALOG
from ict2rules.kinds.base import Status
from ict2rules.report.report import message
from ict2rules.rules.loader import bundled_dir, load_ruleset
from ict2rules.rules.ruleset import Rule, Ruleset
from ict2rules.testing import (
    NotDerivable,
    boundary_pair,
    evaluation_date,
    near_miss_level,
    records,
    rules_of,
)

FILES = sorted(bundled_dir().glob("*.yaml"))
NAMES = [p.stem for p in FILES]
BAD = frozenset({Status.FAIL, Status.MISSING_DATA, Status.PENDING})


def _load(name: str) -> Ruleset:
    try:
        return load_ruleset(name)
    except InputError as exc:  # a file still being written is reported by test_loader
        pytest.skip(f"{name} does not load: {exc}")


def _levels() -> Iterator[Any]:
    for name in NAMES:
        for level in ("teacher", "school", "project", "region"):
            yield pytest.param(name, level, id=f"{name}-{level}")


def _rules() -> Iterator[Any]:
    for name in NAMES:
        try:
            rs = load_ruleset(name)
        except InputError:
            continue
        for r in rs.rules:
            yield pytest.param(name, r.id, id=f"{name}:{r.id}")


def _draw(data: st.DataObject, strategy: st.SearchStrategy[Any]) -> Any:
    try:
        return data.draw(strategy)
    except NotDerivable as exc:
        pytest.skip(f"not derivable: {exc}")


def _verdicts(rs: Ruleset, level: str, record: dict[str, Any]) -> dict[tuple[str, str], str]:
    report = evaluate(rs, {level: record}, as_of=evaluation_date(rs))
    return {(f.rule_id, f.subject.label()): f.status.value for f in report.findings}


# -- a compliant record passes ----------------------------------------------------------------


@pytest.mark.parametrize(("name", "level"), list(_levels()))
@examples(8)
@given(data=st.data())
def test_compliant_record_meets_every_error_rule(name: str, level: str, data: st.DataObject) -> None:
    rs = _load(name)
    if not rules_of(rs, level):
        pytest.skip(f"{name} has no {level} rules")
    record = _draw(data, records(rs, level))
    report = evaluate(rs, {level: record}, as_of=evaluation_date(rs))
    alone = level == "teacher"  # a teacher drawn alone has no school to compare with
    bad = [
        f"{f.rule_id}@{f.subject.label()}: {f.status.value} (expected {f.outcome.expected}, actual {f.outcome.actual})"
        for f in report.findings
        if f.severity == "error" and f.status in BAD
        and not (alone and f.status is Status.MISSING_DATA and "school." in repr(f.compiled.rule.check))
    ]
    assert not bad, "\n".join(bad)


# -- a near miss fails the rule it breaks, and says why ------------------------------------------

NOT_MET = frozenset({Status.FAIL, Status.MISSING_DATA})


def _not_met(report: Any) -> list[tuple[str, str, str]]:
    return [(f.rule_id, f.subject.label(), f.status.value) for f in report.findings if f.status in NOT_MET]



@pytest.mark.parametrize(("name", "rule_id"), list(_rules()))
@examples(3)  # ~250 rules × 3 in CI (a Yongzhou school near miss costs ~2 s); 60 each nightly
@given(data=st.data())
def test_near_miss_fails_its_rule_and_says_why(name: str, rule_id: str, data: st.DataObject) -> None:
    """The pair's compliant record meets the rule and its near miss fails it, saying what was
    expected; on both, a failures-only run finds and counts exactly what a full run does."""
    rs = _load(name)
    level = near_miss_level(rs, rule_id)
    good, bad = _draw(data, boundary_pair(rs, rule_id))
    as_of = evaluation_date(rs)
    full = {}
    for which, record in (("good", good), ("bad", bad)):
        full[which] = evaluate(rs, {level: record}, as_of=as_of)
        lean = evaluate(rs, {level: record}, as_of=as_of, keep=NOT_MET)
        # keeping only what is not met changes what is listed, never what is found or counted
        assert _not_met(lean) == _not_met(full[which])
        assert lean.summary() == full[which].summary()
        for f in full[which].findings:  # each status is the one its explanation gives
            assert f.status is f.outcome.status, (f.rule_id, f.subject.label())
    before = [f for f in full["good"].findings if f.rule_id == rule_id]
    after = [f for f in full["bad"].findings if f.rule_id == rule_id]
    assert before and all(f.status in (Status.PASS, Status.NOT_APPLICABLE) for f in before)
    failed = [f for f in after if f.status is Status.FAIL]
    assert failed, [f.status.value for f in after]
    for f in failed:
        assert f.outcome.expected not in (None, ""), "a failure must say what was expected"
        for lang in ("zh", "en"):
            text = message(f, lang)
            assert text.strip()
            assert not re.search(r"\{[a-z_]+\}", text), f"unfilled placeholder in {lang} message: {text}"


# -- more never hurts where the kind is monotone --------------------------------------------------


def _increasing_paths(rule: Rule) -> list[str]:
    """Fields of a rule where more never hurts: a threshold with only a minimum."""
    a = rule.check.args
    if rule.check.kind == "threshold" and a.min is not None and a.max is None:
        return [a.value]
    return []


def _bump(record: dict[str, Any], path: str, delta: float) -> bool:
    """Add ``delta`` to a stored number (``hours.total`` through ``hours.online``)."""
    if path == "hours.total":
        path = "hours.online"
    node: Any = record
    *head, last = path.split(".")
    for seg in head:
        node = node.get(seg) if isinstance(node, dict) else None
    if not isinstance(node, dict) or not isinstance(node.get(last), (int, float)) or isinstance(node.get(last), bool):
        return False
    node[last] = node[last] + (int(delta) if isinstance(node[last], int) else delta)
    return True


def _add_point(record: dict[str, Any]) -> bool:
    points = record.get("points")
    if not isinstance(points, list) or not points or not isinstance(points[0], dict):
        return False
    used = {p["code"] for p in points}
    extra = next((c for c in sorted(CATALOG.points) if c not in used), None)
    if extra is None:
        return False
    points.append({**{k: v for k, v in points[0].items() if k != "code"}, "code": extra})
    return True


@pytest.mark.parametrize("name", NAMES)
@examples(8)
@given(data=st.data(), delta=st.sampled_from([0.5, 1, 3, 25]))
def test_more_hours_or_points_never_turn_a_pass_into_a_fail(name: str, data: st.DataObject, delta: float) -> None:
    rs = _load(name)
    rules = rules_of(rs, "teacher")
    if not rules:
        pytest.skip(f"{name} has no teacher rules")
    teacher = _draw(data, records(rs, "teacher"))
    base = _verdicts(rs, "teacher", teacher)
    checked = 0
    for rule in rules:
        for path in _increasing_paths(rule):
            more = {**teacher, "hours": dict(teacher.get("hours") or {})}
            if _bump(more, path, delta):
                checked += 1
                after = _verdicts(rs, "teacher", more)
                for key, status in base.items():
                    if key[0] == rule.id and status == "pass":
                        assert after[key] == "pass", f"{rule.id}: {path} + {delta} turned a pass into {after[key]}"
        if rule.check.kind == "coverage" and rule.check.args.max_points is None:
            more = {**teacher, "points": [dict(p) for p in teacher.get("points") or []]}
            if _add_point(more):
                checked += 1
                after = _verdicts(rs, "teacher", more)
                for key, status in base.items():
                    if key[0] == rule.id and status == "pass":
                        assert after[key] == "pass", f"{rule.id}: one more point turned a pass into {after[key]}"
    if not checked:
        pytest.skip(f"{name} has no monotone teacher rule on a stored number")


# -- the order of teachers changes nothing -------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
@examples(6)
@given(data=st.data(), seed=st.integers(0, 2**16))
def test_teacher_order_never_changes_a_verdict(name: str, data: st.DataObject, seed: int) -> None:
    rs = _load(name)
    if not rules_of(rs, "school") and not rules_of(rs, "teacher"):
        pytest.skip(f"{name} has no school or teacher rules")
    school = _draw(data, records(rs, "school", teachers=(2, 4)))
    shuffled = {**school, "teachers": list(school["teachers"])}
    random.Random(seed).shuffle(shuffled["teachers"])
    assert _verdicts(rs, "school", school) == _verdicts(rs, "school", shuffled)


# -- the JSON form is the same ruleset ------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
@examples(4)
@given(data=st.data())
def test_ruleset_round_trips_through_json(name: str, data: st.DataObject) -> None:
    rs = _load(name)
    again = Ruleset.model_validate(rs.model_dump(mode="json"))
    # compared as data: the compiled plan (a private attribute) is rebuilt, not copied
    assert again.model_dump() == rs.model_dump()
    level = next((lv for lv in ("school", "teacher", "project") if rules_of(rs, lv)), None)
    if level is None:
        return
    record = _draw(data, records(rs, level))
    assert _verdicts(again, level, record) == _verdicts(rs, level, record)


# -- boundaries sit where the wording puts them ---------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_boundaries_follow_the_wording(name: str) -> None:
    # 民法典 第一千二百五十九条: 以上, 以下, 以内 include the number; 超过, 不满 exclude it
    wrong = [p.message_en for p in ruleset_wording_problems(_load(name)) if p.code == "ICT180"]
    assert not wrong, "\n".join(wrong)


def test_wording_patterns_read_the_legal_convention() -> None:
    assert numbers(INCLUSIVE_MIN, "每人不少于75学时") == {75}
    assert numbers(INCLUSIVE_MIN, "每人不少於75學時") == {75}  # Traditional characters
    assert numbers(INCLUSIVE_MIN, "90分以上") == {90}
    assert numbers(INCLUSIVE_MAX, "优秀率不超过60%") == {0.6}
    assert numbers(INCLUSIVE_MAX, "60分以下") == {60}
    assert numbers(EXCLUSIVE_MIN, "超过30天") == {30}
    assert numbers(EXCLUSIVE_MIN, "不超过30天") == set()
    assert numbers(EXCLUSIVE_MIN, "不得超过30天") == set()
    assert numbers(EXCLUSIVE_MAX, "不满60分") == {60}
    assert numbers(EXCLUSIVE_MAX, "低于60分") == {60}
    assert numbers(EXCLUSIVE_MAX, "不低于60分") == set()
