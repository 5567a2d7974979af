"""Law: any teacher, written as a roster (CSV or XLSX, points wide or long) and read back, gives
the same findings as the same teacher given as a record, for every bundled ruleset.

Teachers come from three sources: compliant ones (``testing.records``), near misses of each
teacher rule (``testing.near_miss``), and free ones drawing every field a roster can carry
(grades, certification levels, evidence with its items, a stated total)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from ict2rules import bundled_names, evaluate, load_ruleset
from ict2rules.input.catalog import CATALOG
from ict2rules.input.records import CERT_LEVELS, GRADES
from ict2rules.input.tabular import read_roster, write_roster
from ict2rules.testing import (
    NotDerivable,
    evaluation_date,
    near_miss,
    near_miss_level,
    records,
    rules_of,
)

SHAPES = [("r.csv", False), ("r.xlsx", False), ("r.xlsx", True), ("r.csv", True)]

_bools = st.none() | st.booleans()
_scores = st.none() | st.integers(0, 100) | st.floats(0, 100, allow_nan=False).map(lambda x: round(x, 1))
_hours = st.integers(0, 120) | st.sampled_from([24.5, 49.5, 75.5])
_dates = st.none() | st.dates(dt.date(2023, 6, 1), dt.date(2024, 6, 30))


@st.composite
def _evidence(draw: Any) -> dict[str, Any] | None:
    if draw(st.booleans()):
        return None
    ev = {k: draw(_bools) for k in ("shows_teacher", "own_work", "judged_valid")}
    ev["grade"] = draw(st.none() | st.sampled_from(sorted(GRADES)))
    items = draw(st.lists(st.fixed_dictionaries({
        "name": st.none() | st.sampled_from(["教学设计", "课堂实录", "教学反思"]),
        "grade": st.none() | st.sampled_from(sorted(GRADES)),
        "valid": _bools,
    }), max_size=3))
    if items:
        ev["items"] = items
    return {k: v for k, v in ev.items() if v is not None}


@st.composite
def free_teacher(draw: Any) -> dict[str, Any]:
    """A teacher with any of the fields a roster can carry."""
    t: dict[str, Any] = {"id": f"T{draw(st.integers(1, 99999))}"}
    t["name"] = draw(st.none() | st.sampled_from(["卓玛吉", "王海燕", "才让", "Li Wen"]))
    online, offline = draw(st.none() | _hours), draw(st.none() | _hours)
    hours: dict[str, Any] = {}
    if online is not None:
        hours["online"] = online
    if offline is not None:
        hours["offline"] = offline
    if online is None and offline is None and draw(st.booleans()):
        hours["stated_total"] = draw(_hours)
    if draw(st.booleans()):
        hours["practice"] = {"lesson": draw(_hours), "certification": draw(_hours)}
    if hours:
        t["hours"] = hours
    codes = draw(st.none() | st.lists(st.sampled_from(sorted(CATALOG.points)), unique=True,
                                      max_size=5))
    if codes is not None:
        t["points"] = []
        for code in codes:
            point: dict[str, Any] = {"code": code}
            for key, value in (
                ("grade", draw(st.none() | st.sampled_from(sorted(GRADES)))),
                ("score", draw(_scores)),
                ("level", draw(st.none() | st.sampled_from(sorted(CERT_LEVELS)))),
                ("certified_on", draw(_dates)),
                ("school_grade", draw(st.none() | st.sampled_from(sorted(GRADES)))),
                ("result_filed_on", draw(_dates)),
                ("evidence", draw(_evidence())),
            ):
                if value is not None:
                    point[key] = value
            t["points"].append(point)
    for key, strategy in (
        ("lessons_uploaded", st.none() | st.integers(0, 5)),
        ("lessons_reviewed", st.none() | st.integers(0, 5)),
        ("peer_reviews_given", st.none() | st.integers(0, 5)),
        ("peer_score", _scores), ("school_score", _scores), ("score", _scores),
        ("grade", st.none() | st.sampled_from(sorted(GRADES))),
        ("enrolled", _bools), ("assessed_on", _dates), ("completed_on", _dates),
        ("declared_on", _dates), ("peer_reviewed_on", _dates), ("school_reviewed_on", _dates),
        ("workshop", st.none() | st.sampled_from(["1坊", "语文坊"])),
        ("subject_group", st.none() | st.sampled_from(["语文组", "数学教研组"])),
    ):
        value = draw(strategy)
        if value is not None:
            t[key] = value
    return t


def _teachers(name: str) -> st.SearchStrategy[dict[str, Any]]:
    rs = load_ruleset(name)
    options = [free_teacher()]
    if rules_of(rs, "teacher"):
        options.append(records(rs, "teacher"))
        for rule in rules_of(rs, "teacher", "error"):
            try:
                if near_miss_level(rs, rule.id) == "teacher":
                    options.append(near_miss(rs, rule.id))
            except NotDerivable:
                pass
    return st.one_of(options)


def _findings(name: str, data: Any) -> list[tuple[str, str, str, str, str]]:
    rs = load_ruleset(name)
    report = evaluate(rs, data, as_of=evaluation_date(rs))
    return sorted(
        (f.rule_id, f.subject.id, f.status.value, str(f.outcome.expected), str(f.outcome.actual))
        for f in report.findings
    )


@pytest.mark.parametrize("name", bundled_names())
def test_a_teacher_as_a_roster_row_checks_like_the_record(name: str) -> None:
    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
    @given(_teachers(name), st.sampled_from(SHAPES))
    def law(teacher: dict[str, Any], shape: tuple[str, bool]) -> None:
        # a teacher's documents (学习计划, 任务清单 …) are an open list no roster column holds
        teacher = {k: v for k, v in teacher.items() if k != "documents"}
        expected = _findings(name, {"teachers": [teacher]})
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / shape[0]
            files = write_roster(path, [teacher], long=shape[1])
            points = files[1] if len(files) > 1 else None
            rows = read_roster(path, points=points)
            got = _findings(name, {"teachers": [r.data for r in rows if r.kind == "teacher"]})
        assert got == expected

    law()


def _fields(t: dict[str, Any]) -> set[str]:
    seen = {f"hours.{k}" for k in t.get("hours", {})} | set(t)
    for p in t.get("points") or []:
        seen.update(f"points.{k}" for k in p)
        seen.update(f"evidence.{k}" for k in p.get("evidence") or {})
    return seen


@pytest.mark.parametrize(
    "field", ["hours.stated_total", "points.grade", "points.level", "evidence.items",
              "evidence.judged_valid", "points.school_grade", "points.result_filed_on",
              "workshop", "subject_group"],
)
def test_the_free_teachers_reach_every_field(field: str) -> None:
    """The free strategy is not vacuous: grades, levels, evidence items, stated totals occur.
    ``find`` searches until one occurs (a fixed sample of 200 could miss one by chance)."""
    found = find(free_teacher(), lambda t: field in _fields(t),  # the first one found, unshrunk
                 settings=settings(max_examples=5000, database=None, deadline=None,
                                   phases=[Phase.generate]))
    assert field in _fields(found)
