"""The Zeku 2023 teacher rules written by hand, as a plain Python function over plain dicts.

The same 23 rules as the ``zeku_2023`` ruleset runs on a teacher, the one it inherits from
``national_2019`` included.

This is the baseline ict2rules is measured against: what a developer would write for one
document, with no ruleset, no citations and no validation, but with the same verdicts —
missing values are ``missing_data``, deadlines not yet due are ``pending``, a rule whose
condition does not hold is ``not_applicable``. It returns the rules a teacher does not meet
(``fail`` or ``missing_data``), as ``(rule id, status)`` pairs in ruleset order.

>>> failures({"id": "T1", "hours": {"online": 50, "offline": 25}}, {}, "2023-10-08")[:2]
[('ZK-T-PRACTICE-LESSON', 'missing_data'), ('ZK-T-PRACTICE-CERTIFICATION', 'missing_data')]
"""

from __future__ import annotations

from typing import Any

DIMENSION = {
    code: dim
    for dim, codes in {
        "learning_analysis": ["A1", "B1"],
        "instructional_design": ["A2", "A3", "A4", "B2", "B3", "C1", "C2"],
        "learning_guidance": [
            "A5", "A6", "A7", "A8", "A9", "A10", "B4", "B5", "B6", "B7", "B8", "C3", "C4", "C5",
        ],
        "academic_assessment": ["A11", "A12", "A13", "B9", "B10", "C6", "C7"],
    }.items()
    for code in codes
}
FAIL, MISSING, PENDING = "fail", "missing_data", "pending"


def _min(value: Any, lo: float) -> str | None:
    """None when met, else the failing status."""
    if value is None:
        return MISSING
    return None if value >= lo else FAIL


def _due(done: str | None, by: str, as_of: str) -> str | None:
    if done is None:
        return PENDING if as_of <= by else FAIL
    return None if done <= by else FAIL


def _valid(p: dict[str, Any]) -> bool | None:
    ev = p.get("evidence")
    if ev is None or ev.get("shows_teacher") is None or ev.get("own_work") is None:
        return None
    return ev["shows_teacher"] and ev["own_work"]


def _coverage(codes: list[str]) -> bool:
    distinct = set(codes)
    return len(distinct) >= 3 and len({DIMENSION[c] for c in distinct}) >= 3


def _evidence_of_each(points: list[dict[str, Any]] | None) -> str | None:
    if points is None:
        return MISSING
    return None if points and all(p.get("evidence") is not None for p in points) else FAIL


def verdicts(t: dict[str, Any], scope: list[str] | None, as_of: str) -> list[tuple[str, str | None]]:
    """Every Zeku teacher rule's verdict: None when met (or not applicable), else a status."""
    hours = t.get("hours") or {}
    online, offline = hours.get("online"), hours.get("offline")
    total = online + offline if online is not None and offline is not None else None
    practice = hours.get("practice") or {}
    points = t.get("points")
    assessed = t.get("assessed_on") is not None
    peer, school = t.get("peer_score"), t.get("school_score")
    out: list[tuple[str, str | None]] = [
        # inherited from national_2019: an assessed teacher has points, each with evidence
        ("NAT-T-EVIDENCE", _evidence_of_each(points) if assessed else None),
        ("ZK-T-HOURS-TOTAL", _min(total, 75)),
        ("ZK-T-HOURS-ONLINE", _min(online, 50)),
        ("ZK-T-HOURS-OFFLINE", _min(offline, 25)),
        ("ZK-T-PRACTICE-LESSON", _min(practice.get("lesson"), 5)),
        ("ZK-T-PRACTICE-CERTIFICATION", _min(practice.get("certification"), 15)),
        ("ZK-T-PRACTICE-PROCESS", _min(practice.get("process"), 5)),
        ("ZK-T-LESSON-UPLOAD", _min(t.get("lessons_uploaded"), 1)),
        ("ZK-T-LESSON-REVIEWS", _min(t.get("lessons_reviewed"), 3)),
        ("ZK-T-PEER-REVIEW", _min(t.get("peer_reviews_given"), 1)),  # more than 0 (a count)
    ]
    if points is None:
        out += [("ZK-T-POINTS", MISSING), ("ZK-T-CERT-UPLOAD", MISSING), ("ZK-T-EVIDENCE", MISSING)]
    else:
        valid = [_valid(p) for p in points]
        covered = _coverage([p["code"] for p, v in zip(points, valid, strict=True) if v])
        out.append(("ZK-T-POINTS", None if covered else FAIL))
        uploaded = [p["code"] for p in points if p.get("evidence") is not None]
        out.append(("ZK-T-CERT-UPLOAD", None if _coverage(uploaded) else FAIL))
        out.append(("ZK-T-EVIDENCE", None if not points or all(valid) else FAIL))
    if points is None or scope is None:
        out.append(("ZK-T-POINTS-IN-SCOPE", MISSING))
    else:
        out.append(("ZK-T-POINTS-IN-SCOPE", None if all(p["code"] in scope for p in points) else FAIL))
    if assessed:
        done = t.get("completed_on")
        in_order = MISSING if done is None else None if done <= t["assessed_on"] else FAIL
        parts = (_min(total, 75), _min(offline, 25), in_order)
        out.append(("ZK-T-ASSESS-AFTER-HOURS", FAIL if FAIL in parts else MISSING if MISSING in parts else None))
    # every teacher owes the assessment: the parts and the school's final score (no weights)
    out.append(("ZK-T-SCORE-PARTS", None if peer is not None and school is not None else _due(None, "2023-12-31", as_of)))
    final = t.get("score")
    out.append(("ZK-T-BAND", (MISSING if as_of > "2023-12-31" else PENDING) if final is None else None if final >= 60 else FAIL))
    out.append(("ZK-T-DEADLINE", _due(t.get("completed_on"), "2023-12-31", as_of)))
    out.append(("ZK-T-PHASE-PRACTICE", _due(t.get("completed_on"), "2023-09-20", as_of)))
    out.append(("ZK-T-ASSESSED", _due(t.get("assessed_on"), "2023-12-31", as_of)))
    out.append(("ZK-T-PHASE-ASSESSMENT", _due(t.get("assessed_on"), "2023-09-20", as_of)))
    out.append(("ZK-T-TASK-LIST", _task_list(t.get("documents"), as_of)))
    steps = (t.get("declared_on"), t.get("peer_reviewed_on"), t.get("school_reviewed_on"))
    if None not in steps:  # declared ≤ peer-reviewed ≤ school-reviewed, where all three are given
        out.append(("ZK-T-ASSESSMENT-ORDER", None if steps[0] <= steps[1] <= steps[2] else FAIL))
    return out


def _task_list(docs: list[dict[str, Any]] | None, as_of: str) -> str | None:
    """A task list (名称 or type containing 任务清单) filed by 2023-12-31."""
    by = "2023-12-31"
    if docs is None:
        return PENDING if as_of <= by else MISSING
    filed = [d["filed_on"] for d in docs if d.get("filed_on") and "任务清单" in f"{d.get('name')}{d.get('type')}"]
    return _due(min(filed) if filed else None, by, as_of)


def failures(t: dict[str, Any], scope: list[str] | None, as_of: str) -> list[tuple[str, str]]:
    """The rules ``t`` does not meet: ``(rule id, "fail" | "missing_data")``."""
    return [(rule, status) for rule, status in verdicts(t, scope, as_of) if status in (FAIL, MISSING)]
