"""The public API: load_ruleset, evaluate, Report — as other systems import it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ict2rules
from ict2rules.input.records import Teacher
from ict2rules.report.report import render

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "zeku_2023" / "school_ok.yaml"


def test_evaluate_accepts_dict_model_and_path() -> None:
    rs = ict2rules.load_ruleset("zeku_2023")
    as_dict = ict2rules.evaluate(
        rs, {"teacher": {"id": "T1", "hours": {"online": 50, "offline": 25}}}, as_of="2023-10-01"
    )
    as_model = ict2rules.evaluate(
        rs, Teacher(id="T1", hours={"online": 50, "offline": 25}), as_of="2023-10-01"
    )
    assert [(f.rule_id, f.status) for f in as_dict.findings] == [
        (f.rule_id, f.status) for f in as_model.findings
    ]
    from_path = ict2rules.evaluate("zeku_2023", EXAMPLE, as_of="2023-10-01")
    assert from_path.passed and from_path.summary()["teachers"]["checked"] == 3


def test_report_json_shape_and_determinism() -> None:
    a = ict2rules.evaluate("zeku_2023", EXAMPLE, as_of="2023-10-01").to_dict()
    b = ict2rules.evaluate("zeku_2023", EXAMPLE, as_of="2023-10-01").to_dict()
    assert json.dumps(a, ensure_ascii=False) == json.dumps(b, ensure_ascii=False)
    assert {"ruleset", "passed", "summary", "findings"} <= set(a)
    f = a["findings"][0]
    assert {
        "rule",
        "subject",
        "status",
        "severity",
        "expected",
        "actual",
        "message",
        "source",
    } <= set(f)
    assert f["source"]["quote"] and f["source"]["document"] == "000_41d8c6dd8fc10703.txt"


def test_missing_value_is_missing_data_never_pass_or_fail() -> None:
    report = ict2rules.evaluate("zeku_2023", {"teacher": {"id": "T1"}}, as_of="2024-01-05")
    hours = [f for f in report.findings if f.rule_id.startswith("ZK-T-HOURS")]
    assert hours and all(f.status is ict2rules.Status.MISSING_DATA for f in hours)
    assert not report.passed  # missing data on a required rule is not a pass


def test_pending_does_not_fail_a_report_but_keeps_teacher_unpassed() -> None:
    teacher = {"id": "T1", "points": [{"code": "A1"}, {"code": "A3"}, {"code": "A5"}]}
    report = ict2rules.evaluate("zeku_2023", {"teacher": teacher}, as_of="2023-06-01")
    statuses = {f.rule_id: f.status.value for f in report.findings if f.severity == "error"}
    assert statuses["ZK-T-DEADLINE"] == "pending"
    assert statuses["ZK-T-HOURS-TOTAL"] == "pending"  # no hours yet, due at the end of 2023
    assert statuses["ZK-T-POINTS-IN-SCOPE"] == "missing_data"  # alone: no school scope to check
    assert report.summary()["teachers"]["passed"] == 0


def test_messages_fill_plain_names_only() -> None:
    report = ict2rules.evaluate(
        "zeku_2023",
        {"teacher": {"id": "T1", "hours": {"online": 10, "offline": 25}}},
        as_of="2023-10-01",
    )
    (f,) = [f for f in report.findings if f.rule_id == "ZK-T-HOURS-ONLINE"]
    assert render("{actual} / {expected} / {subject}", f) == "10 / ≥ 50 学时 / T1"
    # a ruleset's text is data: attribute access and format specs are left as they are
    assert (
        render("{actual.__class__} {expected!r} {nope}", f)
        == "{actual.__class__} {expected!r} {nope}"
    )


def test_teacher_in_school_reaches_school_fields() -> None:
    data = {
        "school": {
            "id": "S",
            "point_scope": ["A1"],
            "teachers": [{"id": "T1", "points": [{"code": "B2"}]}],
        }
    }
    report = ict2rules.evaluate("zeku_2023", data, as_of="2023-10-01")
    (f,) = [f for f in report.findings if f.rule_id == "ZK-T-POINTS-IN-SCOPE"]
    assert (
        f.status.value == "fail"
        and f.subject.school == "S"
        and f.outcome.detail == {"outside": ["B2"]}
    )


def test_bad_record_raises_input_error_with_place() -> None:
    with pytest.raises(ict2rules.InputError) as err:
        ict2rules.evaluate("zeku_2023", {"teacher": {"id": "T1", "hours": {"online": "五十"}}})
    (p,) = err.value.problems
    assert p.field == "teacher.hours.online" and "五十" in p.message_en


def test_ruleset_pickles_and_recompiles() -> None:
    import pickle

    for name in ict2rules.bundled_names():
        rs = ict2rules.load_ruleset(name)
        again = pickle.loads(pickle.dumps(rs))
        assert again.model_dump() == rs.model_dump()
    data = {"teacher": {"id": "T1", "hours": {"online": 49.5, "offline": 25}}}
    rs = ict2rules.load_ruleset("zeku_2023")
    a = ict2rules.evaluate(rs, data, as_of="2024-01-05").to_dict()
    b = ict2rules.evaluate(pickle.loads(pickle.dumps(rs)), data, as_of="2024-01-05").to_dict()
    assert a == b


def test_report_file_gets_ordinary_permissions(tmp_path: Path) -> None:
    import os

    from ict2rules.render.output import atomic_write

    target = tmp_path / "report.json"
    with atomic_write(target) as f:
        f.write("{}")
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_summary_keeps_not_yet_due_teachers_apart_from_failed() -> None:
    plan = Path(__file__).resolve().parents[1] / "examples" / "zeku_2023" / "plan_fixed.yaml"
    summary = ict2rules.evaluate("zeku_2023", plan, as_of="2023-06-15").summary()["teachers"]
    assert (summary["checked"], summary["passed"], summary["failed"], summary["pending"]) == (3, 0, 0, 3)
    after = ict2rules.evaluate("zeku_2023", plan, as_of="2024-01-05").summary()["teachers"]
    assert (after["failed"], after["pending"]) == (3, 0)  # the year is over: not done is not met
