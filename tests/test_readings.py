"""Readings of the documents that a user relies on, checked on whole example records.

Each test names the clause it protects (docs/readings.md has the quotes). They run the CLI's
engine on the bundled examples, so a ruleset edit that silently drops an obligation fails here.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ict2rules import evaluate, load_ruleset

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _statuses(ruleset: str, record: object, as_of: str) -> dict[tuple[str, str], str]:
    report = evaluate(load_ruleset(ruleset), record, as_of=dt.date.fromisoformat(as_of))
    return {(f.rule_id, f.subject.id): f.status.value for f in report.findings}


def test_zeku_school_with_no_teacher_assessed_fails_after_the_deadline() -> None:
    # 四(六)1 "至少参加3项微能力(至少覆盖3个维度)考核", 五(二) "参加校本应用考核": an obligation.
    path = EXAMPLES / "zeku_2023" / "school_unassessed_bad.yaml"
    report = evaluate(load_ruleset("zeku_2023"), path, as_of=dt.date(2024, 1, 5))
    assert not report.passed
    assessed = {f.subject.id: f.status.value for f in report.findings if f.rule_id == "ZK-T-ASSESSED"}
    assert assessed == {"ZK001": "fail", "ZK002": "fail", "ZK003": "fail"}


def test_zeku_unassessed_teachers_are_pending_before_the_deadline() -> None:
    path = EXAMPLES / "zeku_2023" / "school_unassessed_bad.yaml"
    report = evaluate(load_ruleset("zeku_2023"), path, as_of=dt.date(2023, 12, 31))
    assessed = {f.status.value for f in report.findings if f.rule_id == "ZK-T-ASSESSED"}
    assert assessed == {"pending"}


def _school(total: int, listed: int) -> dict[str, object]:
    return {"school": {"id": "S", "staff": {"total": total},
                       "teachers": [{"id": f"T{i}", "enrolled": True} for i in range(listed)]}}


def test_one_of_forty_is_not_everyone() -> None:
    # 全员: Zeku 二(三), Kaiyuan 五 第一阶段, Shanxi 二, Yongzhou 二 / 三(二)4.
    # Without a headcount the 全员 rule cannot apply, and its companion fails: a list is not a headcount.
    cases = {
        "zeku_2023": ("ZK-S-ALL-STAFF", "ZK-S-STAFF-STATED", "2024-01-05"),
        "kaiyuan_2024": ("KY-S-ENROLLED-HEADCOUNT", "KY-S-STAFF-STATED", "2024-07-01"),
        "shanxi_2020": ("SX-S-ALL-STAFF", "SX-S-STAFF-STATED", "2021-01-05"),
    }
    for ruleset, (rule, stated, as_of) in cases.items():
        assert _statuses(ruleset, _school(40, 1), as_of)[(rule, "S")] == "fail", ruleset
        assert _statuses(ruleset, _school(40, 40), as_of)[(rule, "S")] == "pass", ruleset
        record = {"school": {"id": "S", "teachers": [{"id": "T0", "enrolled": True}]}}
        found = _statuses(ruleset, record, as_of)
        assert found[(stated, "S")] == "fail", ruleset
        report = evaluate(load_ruleset(ruleset), record, as_of=dt.date.fromisoformat(as_of))
        assert not report.passed, ruleset


def test_yongzhou_roster_is_compared_with_its_212() -> None:
    school = {"school": {"id": "S", "staff": {"total": 256, "enrolled": 212},
                         "teachers": [{"id": "T1", "enrolled": True}]}}
    assert _statuses("yongzhou_2023", school, "2023-10-21")[("YZ-S-ROSTER", "S")] == "fail"
    assert _statuses("yongzhou_2023", school, "2023-10-20")[("YZ-S-ROSTER", "S")] == "pending"


def test_no_rule_note_names_an_internal_field() -> None:
    """A note is the 读法 people read under a finding: fields in words (专任教师总数, the staff
    headcount), never ``staff.total``, ``detail.missing`` or ``completed_on``."""
    import re

    from ict2rules import load_ruleset
    from ict2rules.rules.loader import bundled_names

    path = re.compile(r"(?<![A-Za-z0-9/._$])(detail\.[a-z_]+|[a-z_]+\.[a-z_]+(?:\.[a-z_]+)+|[a-z_]+\.[a-z_]{2,}|[a-z]+_[a-z_]+)(?![A-Za-z0-9_])")
    allowed = {"format.md"}  # a file name, not a field
    found = {}
    for name in bundled_names():
        rs = load_ruleset(name)
        for r in rs.rules:
            hits = {m.group(1) for m in path.finditer(r.note or "")} - allowed
            if hits:
                found[r.id] = sorted(hits)
    assert found == {}
