"""A kind's ``verdict`` (the cheap twin of its check: the status without the explanation)
agrees with the check, on every rule of every bundled ruleset.

The evaluator decides with verdicts and explains a finding only when it is read, so if the two
ever disagreed a failure would vanish, or a finding would say one thing and explain another.
Checked on the near misses and compliant records the testing strategies draw, where the
boundaries are.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from prop_support import examples

from ict2rules import evaluate
from ict2rules.kinds.base import Status
from ict2rules.rules.loader import bundled_names, load_ruleset
from ict2rules.testing import NotDerivable, boundary_pair, evaluation_date, near_miss_level

FAILED = frozenset({Status.FAIL, Status.MISSING_DATA})


def _rules() -> list[Any]:
    return [pytest.param(n, r.id, id=f"{n}:{r.id}") for n in bundled_names() for r in load_ruleset(n).rules]


def _failures(report: Any) -> list[tuple[str, str, str]]:
    return [(f.rule_id, f.subject.label(), f.status.value) for f in report.findings if f.status in FAILED]


@pytest.mark.parametrize(("name", "rule_id"), _rules())
@examples(3)
@given(data=st.data())
def test_failures_only_run_reports_the_same_failures(name: str, rule_id: str, data: st.DataObject) -> None:
    rs = load_ruleset(name)
    try:
        level = near_miss_level(rs, rule_id)
        pair = data.draw(boundary_pair(rs, rule_id))
    except NotDerivable as exc:
        pytest.skip(f"not derivable: {exc}")
    for record in pair:
        full = evaluate(rs, {level: record}, as_of=evaluation_date(rs))
        lean = evaluate(rs, {level: record}, as_of=evaluation_date(rs), keep=FAILED)
        assert _failures(lean) == _failures(full)
        assert lean.summary()["teachers"] == full.summary()["teachers"]  # the same verdicts
        # each verdict is the status of the outcome that explains it
        for f in full.findings:
            assert f.status is f.outcome.status, (f.rule_id, f.subject.label())


def test_verdicts_stay_exact_on_item_conditions() -> None:
    """A condition over items (count_only, where) counts exactly the items whose check passes."""
    rs = load_ruleset("zeku_2023")
    teacher = {"id": "T", "assessed_on": "2023-09-20", "points": [
        {"code": "A1", "evidence": {"shows_teacher": True, "own_work": True}},
        {"code": "A3", "evidence": {"shows_teacher": False, "own_work": True}},
        {"code": "A5"},
        {"code": "A11", "evidence": {"shows_teacher": True, "own_work": True}},
    ]}
    found = {f.rule_id: f for f in evaluate(rs, {"teacher": teacher}, as_of="2024-01-05").findings}
    assert found["ZK-T-POINTS"].outcome.actual["points"] == ["A1", "A11"]
    assert found["ZK-T-CERT-UPLOAD"].outcome.actual["points"] == ["A1", "A3", "A11"]
    assert found["ZK-T-EVIDENCE"].outcome.detail["count"] == 2
