"""Every rule kind: passing, failing, boundary and missing-data cases, through a real ruleset."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from ict2rules import evaluate, load_ruleset
from ict2rules.errors import InputError
from ict2rules.kinds import KINDS

SOURCE = {"section": "测试", "quote": "测试条款"}


def ruleset(
    tmp_path: Path,
    check: dict[str, Any],
    *,
    level: str = "teacher",
    when: dict[str, Any] | None = None,
    parameters: dict[str, Any] | None = None,
    derived: list[dict[str, Any]] | None = None,
) -> Any:
    rule: dict[str, Any] = {
        "id": "R1",
        "level": level,
        "title": {"zh": "规则", "en": "rule"},
        "message": {"zh": "实际 {actual},要求 {expected}", "en": "got {actual}, need {expected}"},
        "check": check,
        "source": SOURCE,
    }
    if when:
        rule["when"] = when
    doc = {
        "id": "t",
        "title": {"zh": "测试", "en": "test"},
        "document": {"title": "测试文件", "issuer": "测试", "level": "county"},
        "parameters": {k: {"value": v, "source": SOURCE} for k, v in (parameters or {}).items()},
        "derived": derived or [],
        "rules": [rule],
    }
    path = tmp_path / f"rs{len(list(tmp_path.iterdir()))}.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return load_ruleset(path)


def status(rs: Any, data: dict[str, Any], as_of: str = "2024-01-01") -> str | list[str]:
    found = [f.status.value for f in evaluate(rs, data, as_of=as_of).findings if f.rule_id == "R1"]
    return found[0] if len(found) == 1 else found


def teacher(**fields: Any) -> dict[str, Any]:
    return {"teacher": {"id": "T1", **fields}}


def test_every_kind_is_documented() -> None:
    for name, kind in KINDS.items():
        assert "What it does" in kind.doc and "Example" in kind.doc, name
        assert kind.summary, name


# -- threshold ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("online", "want"), [(75, "pass"), (75.5, "pass"), (74.5, "fail"), (0, "fail")]
)
def test_threshold_min_is_inclusive(tmp_path: Path, online: float, want: str) -> None:
    rs = ruleset(tmp_path, {"kind": "threshold", "args": {"value": "hours.online", "min": 75}})
    assert status(rs, teacher(hours={"online": online})) == want


def test_threshold_exclusive_and_max(tmp_path: Path) -> None:
    rs = ruleset(
        tmp_path,
        {
            "kind": "threshold",
            "args": {"value": "score", "min": 60, "min_exclusive": True, "max": 90},
        },
    )
    assert status(rs, teacher(score=60)) == "fail"
    assert status(rs, teacher(score=60.5)) == "pass"
    assert status(rs, teacher(score=90)) == "pass"
    assert status(rs, teacher(score=90.5)) == "fail"


def test_threshold_missing_value_is_missing_data(tmp_path: Path) -> None:
    rs = ruleset(tmp_path, {"kind": "threshold", "args": {"value": "hours.online", "min": 50}})
    assert status(rs, teacher()) == "missing_data"
    assert status(rs, teacher(hours={"offline": 25})) == "missing_data"


def test_threshold_uses_parameter_and_field(tmp_path: Path) -> None:
    rs = ruleset(
        tmp_path,
        {"kind": "threshold", "args": {"value": "hours.offline", "min": "$need"}},
        parameters={"need": 25},
    )
    assert status(rs, teacher(hours={"offline": 25})) == "pass"
    assert status(rs, teacher(hours={"offline": 24.9})) == "fail"
    rs = ruleset(
        tmp_path,
        {"kind": "threshold", "args": {"value": "hours.offline", "min": {"field": "hours.online"}}},
    )
    assert status(rs, teacher(hours={"online": 30, "offline": 30})) == "pass"
    assert status(rs, teacher(hours={"online": 31, "offline": 30})) == "fail"


def test_threshold_measures_lists_by_length(tmp_path: Path) -> None:
    rs = ruleset(tmp_path, {"kind": "threshold", "args": {"value": "points", "min": 3}})
    assert status(rs, teacher(points=[{"code": "A1"}, {"code": "A2"}, {"code": "A3"}])) == "pass"
    assert status(rs, teacher(points=[{"code": "A1"}])) == "fail"


# -- ratio -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("offline", "want"), [(25, "pass"), (24.5, "fail"), (30, "pass")])
def test_ratio_half_of_hours(tmp_path: Path, offline: float, want: str) -> None:
    rs = ruleset(
        tmp_path,
        {
            "kind": "ratio",
            "args": {"numerator": "hours.offline", "denominator": "hours.total", "min": 0.5},
        },
    )
    assert status(rs, teacher(hours={"online": 50 - offline, "offline": offline})) == want


def test_ratio_zero_denominator_and_missing(tmp_path: Path) -> None:
    rs = ruleset(
        tmp_path,
        {
            "kind": "ratio",
            "args": {"numerator": "hours.offline", "denominator": "hours.total", "min": 0.5},
        },
    )
    assert status(rs, teacher(hours={"online": 0, "offline": 0})) == "not_applicable"
    assert status(rs, teacher(hours={"offline": 10})) == "missing_data"


# -- compare / present ------------------------------------------------------------------------
def test_compare_ops(tmp_path: Path) -> None:
    rs = ruleset(
        tmp_path,
        {
            "kind": "compare",
            "args": {"value": "teams.management.leader_role", "op": "==", "to": "校长"},
        },
        level="school",
    )
    lead = {"teams": {"management": {"members": [{"role": "校长", "leader": True}]}}}
    assert status(rs, {"school": {"id": "S", **lead}}) == "pass"
    lead["teams"]["management"]["members"][0]["role"] = "副校长"
    assert status(rs, {"school": {"id": "S", **lead}}) == "fail"
    assert status(rs, {"school": {"id": "S"}}) == "missing_data"
    rs = ruleset(
        tmp_path,
        {"kind": "compare", "args": {"value": "kind", "op": "in", "to": ["小学", "初中"]}},
        level="school",
    )
    assert status(rs, {"school": {"id": "S", "kind": "初中"}}) == "pass"
    assert status(rs, {"school": {"id": "S", "kind": "幼儿园"}}) == "fail"


def test_present_never_missing(tmp_path: Path) -> None:
    rs = ruleset(tmp_path, {"kind": "present", "args": {"fields": ["assessed_on", "score"]}})
    assert status(rs, teacher(assessed_on="2023-09-01", score=80)) == "pass"
    assert status(rs, teacher(assessed_on="2023-09-01")) == "fail"


# -- consistency -------------------------------------------------------------------------------
def test_consistency_reports_difference(tmp_path: Path) -> None:
    rs = ruleset(
        tmp_path,
        {
            "kind": "consistency",
            "args": {"parts": ["workshops"], "item_field": "size", "whole": "staff.enrolled"},
        },
        level="school",
    )
    school = {
        "id": "S",
        "staff": {"enrolled": 212},
        "workshops": [
            {"name": "1", "size": 74},
            {"name": "2", "size": 70},
            {"name": "3", "size": 67},
        ],
    }
    report = evaluate(rs, {"school": school}, as_of="2024-01-01")
    (f,) = report.findings
    assert (
        f.status.value == "fail"
        and f.outcome.actual == 211
        and f.outcome.detail["difference"] == -1
    )
    school["staff"]["enrolled"] = 211
    assert status(rs, {"school": school}) == "pass"
    rs = ruleset(
        tmp_path,
        {"kind": "consistency", "args": {"parts": ["staff.by_age"], "whole": "staff.total"}},
        level="school",
    )
    assert (
        status(
            rs,
            {"school": {"id": "S", "staff": {"total": 256, "by_age": {"<30": 70, "30-40": 186}}}},
        )
        == "pass"
    )
    assert status(rs, {"school": {"id": "S", "staff": {"total": 256}}}) == "missing_data"


# -- coverage / membership ---------------------------------------------------------------------
VALID = {"shows_teacher": True, "own_work": True}


def test_coverage_points_and_dimensions(tmp_path: Path) -> None:
    rs = ruleset(
        tmp_path,
        {
            "kind": "coverage",
            "args": {
                "items": "points",
                "min_points": 3,
                "min_dimensions": 3,
                "count_only": {
                    "kind": "compare",
                    "args": {"value": "evidence.valid", "op": "==", "to": True},
                },
            },
        },
    )
    three_dims = [{"code": c, "evidence": VALID} for c in ("A1", "A3", "A5")]
    assert status(rs, teacher(points=three_dims)) == "pass"
    two_dims = [{"code": c, "evidence": VALID} for c in ("A2", "A3", "A5")]
    assert status(rs, teacher(points=two_dims)) == "fail"
    invalid = [
        *three_dims[:2],
        {"code": "A5", "evidence": {"shows_teacher": False, "own_work": True}},
    ]
    assert status(rs, teacher(points=invalid)) == "fail"
    assert status(rs, teacher()) == "missing_data"


def test_coverage_required_dimensions_and_environments(tmp_path: Path) -> None:
    rs = ruleset(
        tmp_path,
        {
            "kind": "coverage",
            "args": {
                "items": "point_scope",
                "min_points": 6,
                "dimensions": ["学情分析", "教学设计", "学法指导", "学业评价"],
                "min_environments": 2,
            },
        },
        level="school",
    )
    assert (
        status(rs, {"school": {"id": "S", "point_scope": ["A1", "A2", "A5", "A11", "B2", "B6"]}})
        == "pass"
    )
    assert (
        status(rs, {"school": {"id": "S", "point_scope": ["A1", "A2", "A5", "A11", "A3"]}})
        == "fail"
    )  # 5 points, 1 env
    assert (
        status(rs, {"school": {"id": "S", "point_scope": ["A2", "A3", "A5", "A11", "B2", "B6"]}})
        == "fail"
    )  # no 学情分析


def test_membership_within_and_includes(tmp_path: Path) -> None:
    rs = ruleset(
        tmp_path,
        {
            "kind": "membership",
            "args": {"items": "points", "of": "code", "within": {"field": "school.point_scope"}},
        },
    )
    school = {
        "id": "S",
        "point_scope": ["A1", "A2"],
        "teachers": [
            {"id": "T1", "points": [{"code": "A1"}]},
            {"id": "T2", "points": [{"code": "C1"}]},
        ],
    }
    report = evaluate(rs, {"school": school}, as_of="2024-01-01")
    assert [(f.subject.id, f.status.value) for f in report.findings] == [
        ("T1", "pass"),
        ("T2", "fail"),
    ]
    assert report.findings[1].outcome.detail == {"outside": ["C1"]}
    assert status(rs, teacher(points=[{"code": "A1"}])) == "missing_data"  # alone: no school scope
    rs = ruleset(
        tmp_path,
        {
            "kind": "membership",
            "args": {
                "items": "point_scope",
                "of": "environment",
                "within": {"field": "environments"},
            },
        },
        level="school",
    )
    assert (
        status(rs, {"school": {"id": "S", "environments": ["A", "B"], "point_scope": ["A1", "B2"]}})
        == "pass"
    )
    assert (
        status(rs, {"school": {"id": "S", "environments": ["A"], "point_scope": ["A1", "B2"]}})
        == "fail"
    )
    rs = ruleset(
        tmp_path,
        {
            "kind": "membership",
            "args": {"items": "teams.management.roles", "includes": ["校长", "信息技术负责人"]},
        },
        level="school",
    )
    team = {"members": [{"role": "校长"}, {"role": "信息技术负责人"}]}
    assert status(rs, {"school": {"id": "S", "teams": {"management": team}}}) == "pass"
    team["members"].pop()
    assert status(rs, {"school": {"id": "S", "teams": {"management": team}}}) == "fail"


# -- bands -------------------------------------------------------------------------------------
BANDS = [
    {"label": "excellent", "zh": "优秀", "min": 90},
    {"label": "pass", "zh": "合格", "min": 60, "max": 89},
    {"label": "fail", "zh": "不合格", "max": 60, "max_exclusive": True, "passing": False},
]


@pytest.mark.parametrize(
    ("score", "want", "band"),
    [
        (90, "pass", "excellent"),
        (89, "pass", "pass"),
        (60, "pass", "pass"),
        (59.5, "fail", "fail"),
        (0, "fail", "fail"),
    ],
)
def test_bands_edges(tmp_path: Path, score: float, want: str, band: str) -> None:
    rs = ruleset(tmp_path, {"kind": "bands", "args": {"value": "score", "bands": BANDS}})
    (f,) = evaluate(rs, teacher(score=score), as_of="2024-01-01").findings
    assert f.status.value == want and f.outcome.detail["band"] == band


def test_bands_gap_fails_and_says_so(tmp_path: Path) -> None:
    rs = ruleset(tmp_path, {"kind": "bands", "args": {"value": "score", "bands": BANDS}})
    (f,) = evaluate(rs, teacher(score=89.5), as_of="2024-01-01").findings
    assert f.status.value == "fail" and f.outcome.detail["gap"] is True
    assert status(rs, teacher()) == "missing_data"


# -- derived values ------------------------------------------------------------------------------
def test_derived_sum_band_lookup(tmp_path: Path) -> None:
    derived = [
        {
            "id": "final",
            "level": "teacher",
            "title": {"zh": "成绩", "en": "score"},
            "source": SOURCE,
            "compute": {
                "kind": "sum",
                "args": {"values": ["peer_score", "school_score"], "weights": [0.4, 0.6]},
            },
        },
        {
            "id": "band",
            "level": "teacher",
            "title": {"zh": "等次", "en": "band"},
            "source": SOURCE,
            "compute": {"kind": "band", "args": {"value": "final", "bands": BANDS}},
        },
        {
            "id": "bonus",
            "level": "teacher",
            "title": {"zh": "加分", "en": "bonus"},
            "source": SOURCE,
            "compute": {
                "kind": "lookup",
                "args": {"value": "band", "table": {"excellent": 1.5, "pass": 0.5, "fail": -2}},
            },
        },
    ]
    rs = ruleset(
        tmp_path, {"kind": "threshold", "args": {"value": "final", "min": 60}}, derived=derived
    )
    report = evaluate(rs, teacher(peer_score=100, school_score=85), as_of="2024-01-01")
    assert {v.id: v.value for v in report.values} == {
        "final": 91.0,
        "band": "excellent",
        "bonus": 1.5,
    }
    report = evaluate(rs, teacher(peer_score=100), as_of="2024-01-01")
    assert {v.id: v.value for v in report.values} == {"final": None, "band": None, "bonus": None}
    assert report.findings[0].status.value == "missing_data"


# -- prerequisite / gate / rate / count ------------------------------------------------------------
def test_prerequisite(tmp_path: Path) -> None:
    rs = ruleset(
        tmp_path,
        {
            "kind": "prerequisite",
            "args": {
                "action": {"kind": "present", "args": {"fields": ["assessed_on"]}},
                "requires": {"kind": "threshold", "args": {"value": "hours.total", "min": 75}},
            },
        },
    )
    assert status(rs, teacher(hours={"online": 50, "offline": 20})) == "not_applicable"
    assert (
        status(rs, teacher(hours={"online": 50, "offline": 20}, assessed_on="2023-09-01")) == "fail"
    )
    assert (
        status(rs, teacher(hours={"online": 50, "offline": 25}, assessed_on="2023-09-01")) == "pass"
    )
    assert status(rs, teacher(assessed_on="2023-09-01")) == "missing_data"


PASSED = {"kind": "compare", "args": {"value": "passed", "op": "==", "to": True}}


def _school(*hours: float, **extra: Any) -> dict[str, Any]:
    return {
        "school": {
            "id": "S",
            **extra,
            "teachers": [{"id": f"T{i}", "hours": {"online": h}} for i, h in enumerate(hours)],
        }
    }


def test_rate_over_teachers_uses_teacher_verdicts(tmp_path: Path) -> None:
    doc_rules = {"kind": "rate", "args": {"over": "teachers", "where": PASSED, "min": 1}}
    path = tmp_path / "two.yaml"
    rs = ruleset(tmp_path, doc_rules, level="school")
    data = yaml.safe_load(Path(rs.path).read_text(encoding="utf-8"))
    data["rules"].append(
        {
            **data["rules"][0],
            "id": "T-HOURS",
            "level": "teacher",
            "check": {"kind": "threshold", "args": {"value": "hours.online", "min": 50}},
        }
    )
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    rs = load_ruleset(path)
    assert status(rs, _school(50, 60)) == "pass"
    report = evaluate(rs, _school(50, 49.5), as_of="2024-01-01")
    (f,) = [f for f in report.findings if f.rule_id == "R1"]
    assert f.status.value == "fail" and f.outcome.actual == 0.5 and f.outcome.detail["count"] == 1
    assert status(rs, {"school": {"id": "S", "teachers": []}}) == "not_applicable"
    assert status(rs, {"school": {"id": "S"}}) == "missing_data"


@pytest.mark.parametrize(
    ("scores", "want"), [((95, 95, 80, 70, 60), "pass"), ((95, 95, 95, 70, 60), "fail")]
)
def test_rate_cap_over_points(tmp_path: Path, scores: tuple[int, ...], want: str) -> None:
    excellent = {"kind": "threshold", "args": {"value": "score", "min": 90}}
    rs = ruleset(
        tmp_path,
        {"kind": "rate", "args": {"over": "teachers.points", "where": excellent, "max": 0.4}},
        level="school",
    )
    teachers = [
        {"id": f"T{i}", "points": [{"code": "A1", "score": s}]} for i, s in enumerate(scores)
    ]
    assert status(rs, {"school": {"id": "S", "teachers": teachers}}) == want


def test_count_with_condition_on_parent(tmp_path: Path) -> None:
    during = {
        "kind": "all",
        "args": {
            "checks": [
                {
                    "kind": "compare",
                    "args": {"value": ".", "op": ">=", "to": {"field": "parent.start"}},
                },
                {
                    "kind": "compare",
                    "args": {"value": ".", "op": "<=", "to": {"field": "parent.end"}},
                },
            ]
        },
    }
    rs = ruleset(
        tmp_path,
        {"kind": "count", "args": {"over": "bulletins", "where": during, "min": 3}},
        level="project",
    )
    project = {"id": "P", "start": "2021-03-01", "end": "2021-06-30"}
    assert (
        status(
            rs, {"project": {**project, "bulletins": ["2021-03-10", "2021-04-10", "2021-06-30"]}}
        )
        == "pass"
    )
    assert (
        status(
            rs, {"project": {**project, "bulletins": ["2021-03-10", "2021-04-10", "2021-07-01"]}}
        )
        == "fail"
    )
    assert status(rs, {"project": project}) == "missing_data"


def test_gate(tmp_path: Path) -> None:
    over_50 = {"kind": "threshold", "args": {"value": "hours.online", "min": 50}}
    rs = ruleset(
        tmp_path,
        {
            "kind": "gate",
            "args": {
                "action": {"kind": "present", "args": {"fields": ["review_applied_on"]}},
                "over": "teachers",
                "each": over_50,
            },
        },
        level="school",
    )
    assert status(rs, _school(50, 40)) == "not_applicable"
    assert status(rs, _school(50, 60, review_applied_on="2023-09-28")) == "pass"
    report = evaluate(rs, _school(50, 40, review_applied_on="2023-09-28"), as_of="2024-01-01")
    assert report.findings[-1].status.value == "fail" and report.findings[-1].outcome.detail == {
        "blocking": ["T1"]
    }


# -- deadline / documents ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("done", "as_of", "want"),
    [
        ("2024-06-30", "2024-07-10", "pass"),
        ("2024-07-01", "2024-07-10", "fail"),
        (None, "2024-06-30", "pending"),
        (None, "2024-07-01", "fail"),
        ("2024-02-28", "2024-07-01", "fail"),
    ],
)
def test_deadline(tmp_path: Path, done: str | None, as_of: str, want: str) -> None:
    rs = ruleset(
        tmp_path,
        {
            "kind": "deadline",
            "args": {
                "done": "completed_on",
                "by": dt.date(2024, 6, 30),
                "not_before": dt.date(2024, 3, 1),
            },
        },
    )
    assert status(rs, teacher(**({"completed_on": done} if done else {})), as_of=as_of) == want


def test_deadline_days_after_a_field(tmp_path: Path) -> None:
    rs = ruleset(
        tmp_path,
        {
            "kind": "deadline",
            "args": {"done": "self_evaluation_report.filed_on", "by": {"field": "end", "days": 30}},
        },
        level="project",
    )
    base = {"id": "P", "end": "2021-06-30"}
    assert (
        status(rs, {"project": {**base, "self_evaluation_report": {"filed_on": "2021-07-30"}}})
        == "pass"
    )
    assert (
        status(rs, {"project": {**base, "self_evaluation_report": {"filed_on": "2021-07-31"}}})
        == "fail"
    )
    assert status(rs, {"project": base}, as_of="2021-07-15") == "pending"
    assert status(rs, {"project": {"id": "P"}}) == "missing_data"


def test_documents(tmp_path: Path) -> None:
    rs = ruleset(
        tmp_path,
        {
            "kind": "documents",
            "args": {
                "required": ["发展规划", "考核方案"],
                "approved": True,
                "by": dt.date(2024, 3, 17),
            },
        },
        level="school",
    )
    docs = [
        {"name": "《XX小学信息化发展规划》", "filed_on": "2024-03-10", "approved": True},
        {"name": "考核方案", "filed_on": "2024-03-12", "approved": True},
    ]
    assert status(rs, {"school": {"id": "S", "documents": docs}}) == "pass"
    assert (
        status(rs, {"school": {"id": "S", "documents": docs[:1]}}, as_of="2024-03-15") == "pending"
    )
    assert status(rs, {"school": {"id": "S", "documents": docs[:1]}}, as_of="2024-03-18") == "fail"
    late = [docs[0], {**docs[1], "filed_on": "2024-03-20"}]
    assert status(rs, {"school": {"id": "S", "documents": late}}, as_of="2024-03-25") == "fail"
    unapproved = [docs[0], {**docs[1], "approved": False}]
    assert (
        status(rs, {"school": {"id": "S", "documents": unapproved}}, as_of="2024-03-25") == "fail"
    )
    assert status(rs, {"school": {"id": "S"}}) == "missing_data"


# -- composition -----------------------------------------------------------------------------------
ONLINE = {"kind": "threshold", "args": {"value": "hours.online", "min": 25}}
OFFLINE = {"kind": "threshold", "args": {"value": "hours.offline", "min": 25}}


def test_all_any_not(tmp_path: Path) -> None:
    both = ruleset(tmp_path, {"kind": "all", "args": {"checks": [ONLINE, OFFLINE]}})
    either = ruleset(tmp_path, {"kind": "any", "args": {"checks": [ONLINE, OFFLINE]}})
    neither = ruleset(tmp_path, {"kind": "not", "args": {"check": ONLINE}})
    assert status(both, teacher(hours={"online": 25, "offline": 25})) == "pass"
    assert status(both, teacher(hours={"online": 25, "offline": 20})) == "fail"
    assert status(both, teacher(hours={"online": 25})) == "missing_data"
    assert status(either, teacher(hours={"online": 25, "offline": 20})) == "pass"
    assert status(either, teacher(hours={"online": 20, "offline": 20})) == "fail"
    assert status(either, teacher(hours={"online": 20})) == "missing_data"
    assert status(neither, teacher(hours={"online": 20})) == "pass"
    assert status(neither, teacher(hours={"online": 30})) == "fail"
    assert status(neither, teacher()) == "missing_data"


def test_when_makes_rule_not_applicable(tmp_path: Path) -> None:
    rs = ruleset(
        tmp_path,
        OFFLINE,
        when={"kind": "compare", "args": {"value": "enrolled", "op": "==", "to": True}},
    )
    assert status(rs, teacher(enrolled=False, hours={"offline": 0})) == "not_applicable"
    assert status(rs, teacher(enrolled=True, hours={"offline": 0})) == "fail"


# -- compile-time errors ---------------------------------------------------------------------------
def test_unknown_path_is_a_load_error_with_hint(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        ruleset(tmp_path, {"kind": "threshold", "args": {"value": "hours.onlin", "min": 1}})
    (p,) = err.value.problems
    assert "online" in p.message_en and p.line is not None


def test_unknown_parameter_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown parameter 'nope'"):
        ruleset(tmp_path, {"kind": "threshold", "args": {"value": "hours.online", "min": "$nope"}})


def test_unknown_kind_suggests_the_right_one(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        ruleset(tmp_path, {"kind": "treshold", "args": {"value": "hours.online", "min": 1}})
    assert "did you mean 'threshold'" in str(err.value)


def test_due_date_turns_not_yet_met_into_pending(tmp_path: Path) -> None:
    rs = ruleset(tmp_path, {"kind": "threshold", "args": {"value": "hours.online", "min": 50}}, parameters={"by": dt.date(2024, 6, 30)})
    data = yaml.safe_load(Path(rs.path).read_text(encoding="utf-8"))
    data["rules"][0]["due"] = "$by"
    path = tmp_path / "due.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    rs = load_ruleset(path)
    assert status(rs, teacher(hours={"online": 30}), as_of="2024-06-30") == "pending"
    assert status(rs, teacher(), as_of="2024-06-30") == "pending"
    assert status(rs, teacher(hours={"online": 50}), as_of="2024-03-01") == "pass"
    assert status(rs, teacher(hours={"online": 30}), as_of="2024-07-01") == "fail"
    assert status(rs, teacher(), as_of="2024-07-01") == "missing_data"
    (f,) = evaluate(rs, teacher(hours={"online": 30}), as_of="2024-05-01").findings
    assert f.outcome.detail == {"due": "2024-06-30", "would_be": "fail"}


def test_a_due_date_parameter_that_is_no_date_is_a_load_error(tmp_path: Path) -> None:
    rs = ruleset(tmp_path, {"kind": "threshold", "args": {"value": "hours.online", "min": 50}}, parameters={"by": 30})
    data = yaml.safe_load(Path(rs.path).read_text(encoding="utf-8"))
    data["rules"][0]["due"] = "$by"
    path = tmp_path / "due.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError, match=r"does not fit 'due': \$by = 30"):
        load_ruleset(path)


def test_membership_of_dimension_accepts_names(tmp_path: Path) -> None:
    rs = ruleset(tmp_path, {"kind": "membership", "args": {"items": "points", "of": "dimension", "within": ["学情分析", "教学设计"]}})
    assert status(rs, teacher(points=[{"code": "A1"}, {"code": "A3"}])) == "pass"
    assert status(rs, teacher(points=[{"code": "A1"}, {"code": "A5"}])) == "fail"


def test_a_value_of_the_wrong_kind_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    rs = ruleset(tmp_path, {"kind": "threshold", "args": {"value": "attributes.x", "min": 5}})
    (f,) = evaluate(rs, teacher(attributes={"x": "五"}), as_of="2024-01-01").findings
    assert f.status.value == "fail" and "not a number" in f.outcome.detail["reason"]
    rs = ruleset(tmp_path, {"kind": "deadline", "args": {"done": "attributes.x", "by": dt.date(2024, 1, 1)}})
    (f,) = evaluate(rs, teacher(attributes={"x": "昨天"}), as_of="2024-01-01").findings
    assert f.status.value == "fail" and "wrong kind" in f.outcome.detail["reason"]


def test_rate_under_a_cap_with_unknown_items_is_missing_data(tmp_path: Path) -> None:
    excellent = {"kind": "threshold", "args": {"value": "score", "min": 90}}
    rs = ruleset(tmp_path, {"kind": "rate", "args": {"over": "teachers.points", "where": excellent, "max": 0.6}}, level="school")
    scores = [95, 95, 70, None, None]  # 40 % known excellent; the two unscored could make it 80 %
    teachers = [{"id": f"T{i}", "points": [{"code": "A1", **({"score": s} if s else {})}]} for i, s in enumerate(scores)]
    assert status(rs, {"school": {"id": "S", "teachers": teachers}}) == "missing_data"
    teachers[3]["points"][0]["score"] = 60  # now at most 3 of 5 (60 %) can be excellent
    assert status(rs, {"school": {"id": "S", "teachers": teachers}}) == "pass"


def test_a_rate_lacking_data_names_the_fields_its_items_lack(tmp_path: Path) -> None:
    excellent = {"kind": "compare", "args": {"value": "grade", "op": "==", "to": "优秀"}}
    rs = ruleset(tmp_path, {"kind": "rate", "args": {"over": "teachers.points", "where": excellent, "max": 0.6}}, level="school")
    teachers = [{"id": "T1", "points": [{"code": "A1", "grade": "优秀"}, {"code": "A3"}, {"code": "A5"}]}]
    (f,) = [f for f in evaluate(rs, {"school": {"id": "S", "teachers": teachers}}, as_of="2024-01-01").findings if f.rule_id == "R1"]
    assert f.status.value == "missing_data" and f.outcome.detail["missing"] == 2
    assert f.outcome.detail["missing_fields"] == ["points.grade"]
    assert f.message("zh") == "2 项未填写:能力点等级"
    assert f.message("en") == "2 items without: point grade"
    from ict2rules.render.xlsx import problem

    assert problem(f, "zh")[0] == "未填写:2 项的「能力点等级」"  # the workbook's 检查结果 names it too


def test_rate_among_takes_the_share_over_the_items_it_keeps(tmp_path: Path) -> None:
    excellent = {"kind": "compare", "args": {"value": "grade", "op": "==", "to": "优秀"}}
    graded = {"kind": "present", "args": {"fields": ["grade"]}}
    rs = ruleset(tmp_path, {"kind": "rate", "args": {"over": "teachers.points", "where": excellent, "among": graded, "max": 0.6}}, level="school")

    def finding(points: list[dict[str, Any]]) -> Any:
        school = {"school": {"id": "S", "teachers": [{"id": "T1", "points": points}]}}
        (f,) = [f for f in evaluate(rs, school, as_of="2024-01-01").findings if f.rule_id == "R1"]
        return f

    # 3 of 5 graded are excellent: 60 % exactly, included; the ungraded point is not counted
    f = finding([{"code": c, "grade": g} for c, g in zip(["A1", "A3", "A5", "B1", "B2"], ["优秀", "优秀", "优秀", "合格", "良好"], strict=True)] + [{"code": "B3"}])
    assert (f.status.value, f.outcome.detail["count"], f.outcome.detail["total"]) == ("pass", 3, 5)
    f = finding([{"code": "A1", "grade": "优秀"}, {"code": "A3", "grade": "合格"}, {"code": "A5"}])
    assert f.outcome.detail["total"] == 2 and f.status.value == "pass"  # 1 of 2: 50 %
    # no point graded: nothing to take a share of, missing data (not a pass, not n/a), in words
    f = finding([{"code": "A1"}, {"code": "A3"}])
    assert f.status.value == "missing_data"
    assert f.message("zh") == "未填写:能力点等级"
    # no point at all: an empty group, as without among
    assert finding([]).status.value == "not_applicable"


def test_duplicate_rule_id_in_one_file_is_a_load_error(tmp_path: Path) -> None:
    rs = ruleset(tmp_path, {"kind": "present", "args": {"fields": ["score"]}})
    data = yaml.safe_load(Path(rs.path).read_text(encoding="utf-8"))
    data["rules"].append(data["rules"][0])
    path = tmp_path / "dup.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError, match="used twice in this file"):
        load_ruleset(path)


# -- bounds read from a field (one Bounds type for every kind) --------------------------------
def _finding(rs: Any, data: dict[str, Any]) -> Any:
    (f,) = [f for f in evaluate(rs, data, as_of="2024-01-01").findings if f.rule_id == "R1"]
    return f


def test_threshold_bound_from_an_absent_field_is_missing_data(tmp_path: Path) -> None:
    rs = ruleset(
        tmp_path,
        {"kind": "threshold", "args": {"value": "hours.online", "min": {"field": "attributes.need"}}},
    )
    f = _finding(rs, teacher(hours={"online": 50}))
    assert f.status.value == "missing_data"
    assert f.outcome.detail == {"missing": ["attributes.need"]}  # the bound, not the value
    assert f.outcome.expected == "≥ attributes.need"
    assert status(rs, teacher(hours={"online": 50}, attributes={"need": 50})) == "pass"
    assert status(rs, teacher(hours={"online": 49}, attributes={"need": 50})) == "fail"


def test_ratio_bound_from_an_absent_field_is_missing_data(tmp_path: Path) -> None:
    """Before: 'expected any', pass."""
    rs = ruleset(
        tmp_path,
        {
            "kind": "ratio",
            "args": {
                "numerator": "hours.offline",
                "denominator": "hours.total",
                "min": {"field": "attributes.share"},
            },
        },
    )
    hours = {"online": 25, "offline": 25}
    f = _finding(rs, teacher(hours=hours))
    assert f.status.value == "missing_data" and f.outcome.detail == {"missing": ["attributes.share"]}
    assert status(rs, teacher(hours=hours, attributes={"share": 0.5})) == "pass"
    assert status(rs, teacher(hours=hours, attributes={"share": 0.51})) == "fail"


def test_count_bound_from_an_absent_field_is_missing_data(tmp_path: Path) -> None:
    """Before: 'expected any', pass."""
    rs = ruleset(
        tmp_path,
        {"kind": "count", "args": {"over": "points", "max": {"field": "attributes.cap"}}},
    )
    points = [{"code": "A1"}, {"code": "A2"}]
    f = _finding(rs, teacher(points=points))
    assert f.status.value == "missing_data" and f.outcome.detail == {"missing": ["attributes.cap"]}
    assert f.outcome.expected == "≤ attributes.cap"
    assert status(rs, teacher(points=points, attributes={"cap": 2})) == "pass"
    assert status(rs, teacher(points=points, attributes={"cap": 1})) == "fail"
    f = _finding(rs, teacher(points=points, attributes={"cap": "二"}))  # text: not a number
    assert f.status.value == "fail" and f.outcome.detail == {"reason": "not a number / 不是数字"}


def test_rate_bound_from_an_absent_field_is_missing_data(tmp_path: Path) -> None:
    """Before: 'expected any', pass."""
    over_50 = {"kind": "threshold", "args": {"value": "hours.online", "min": 50}}
    rs = ruleset(
        tmp_path,
        {
            "kind": "rate",
            "args": {"over": "teachers", "where": over_50, "min": {"field": "attributes.rate"}},
        },
        level="school",
    )
    f = _finding(rs, _school(50, 40))
    assert f.status.value == "missing_data" and f.outcome.detail == {"missing": ["attributes.rate"]}
    assert status(rs, _school(50, 40, attributes={"rate": 0.5})) == "pass"
    assert status(rs, _school(50, 40, attributes={"rate": 0.6})) == "fail"


# -- a finding keeps what it read ---------------------------------------------------------------
def test_a_finding_does_not_change_when_its_record_changes_afterwards() -> None:
    """Before: evaluate a teacher, set hours.online = 60, and the finding read 'pending ·
    outcome pass 60'."""
    from ict2rules.evaluation.evaluator import Evaluator

    rs = load_ruleset("zeku_2023")
    ev = Evaluator(rs, as_of=dt.date(2023, 10, 8))
    _, found = ev.teacher({"id": "T1", "hours": {"online": 20, "offline": 25}})
    record_findings = {f.rule_id: f for f in found}
    ev2 = Evaluator(rs, as_of=dt.date(2023, 10, 8))
    s, found2 = ev2.teacher({"id": "T1", "hours": {"online": 20, "offline": 25}})
    s.record.hours.online = 60  # the caller edits the record after evaluating it
    for f in found2:
        before = record_findings[f.rule_id]
        assert (f.status, f.outcome) == (before.status, before.outcome), f.rule_id
    online = next(f for f in found2 if f.rule_id == "ZK-T-HOURS-ONLINE")
    assert online.outcome.actual == 20 and online.outcome.status is online.status


def test_a_gate_over_no_member_is_missing_data_not_a_vacuous_pass() -> None:
    """S12: a school with no teacher that applied for re-review does not pass the gate."""
    from ict2rules import evaluate
    from ict2rules.input.files import records_from_data

    data = {"school": {"id": "S1", "review_applied_on": "2023-09-25", "teachers": []}}
    report = evaluate("zeku_2023", records_from_data(data, "e.yaml", lambda _at: None), as_of="2024-01-05")
    (gate,) = [f for f in report.findings if f.rule_id == "ZK-S-REVIEW-GATE"]
    assert gate.status.value == "missing_data"


def test_item_conditions_count_exactly_the_items_that_pass() -> None:
    """A condition over items (count_only, where) counts exactly the items whose check passes:
    the quick path that decides a pass agrees with the explained one."""
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
