"""``rate``'s ``among``: the share is over the items that meet it, and never over more.

For every school of drawn point grades (some absent), the rate with ``among`` counts in its
denominator no item the rate without ``among`` leaves out, and exactly the items ``among``
keeps; a denominator left empty is never a pass.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from prop_support import examples

from ict2rules import evaluate
from ict2rules.rules.loader import _merge
from ict2rules.rules.ruleset import Ruleset, RulesetFile

SOURCE = {"section": "一", "quote": "各校微能力点认证优秀率不超过60%"}
EXCELLENT = {"kind": "compare", "args": {"value": "grade", "op": "==", "to": "优秀"}}
GRADED = {"kind": "present", "args": {"fields": ["grade"]}}
# a condition that itself lacks data on a point without a score: such a point may belong
SCORED = {"kind": "threshold", "args": {"value": "score", "min": 0}}


def _ruleset(among: dict[str, Any] | None) -> Ruleset:
    args: dict[str, Any] = {"over": "teachers.points", "where": EXCELLENT, "max": 0.6}
    if among is not None:
        args["among"] = among
    data = {
        "id": "generated",
        "title": {"zh": "生成", "en": "generated"},
        "document": {"title": "生成", "issuer": "测试", "level": "county"},
        "rules": [
            {
                "id": "R0",
                "level": "school",
                "title": {"zh": "优秀率", "en": "excellence rate"},
                "message": {"zh": "{actual} / {expected}", "en": "{actual} / {expected}"},
                "check": {"kind": "rate", "args": args},
                "source": SOURCE,
            }
        ],
    }
    return _merge([(RulesetFile.model_validate(data), "<generated>")])


PLAIN, AMONG_GRADED, AMONG_SCORED = _ruleset(None), _ruleset(GRADED), _ruleset(SCORED)

point = st.fixed_dictionaries(
    {}, optional={"grade": st.sampled_from(["优秀", "良好", "合格", "不合格"]), "score": st.integers(0, 100)}
)


def _teacher(i: int, points: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": f"T{i}", "points": [{"code": code, **p} for code, p in zip(("A1", "A3", "A5", "B2"), points, strict=False)]}


schools = st.lists(st.lists(point, max_size=4), min_size=1, max_size=5).map(
    lambda teachers: {"school": {"id": "S", "teachers": [_teacher(i, p) for i, p in enumerate(teachers)]}}
)


def _finding(rs: Ruleset, data: dict[str, Any]) -> Any:
    (f,) = [f for f in evaluate(rs, data, as_of=dt.date(2030, 1, 1)).findings if f.rule_id == "R0"]
    return f


def _total(f: Any) -> int:
    return int((f.outcome.detail or {}).get("total", 0))


@examples(60)
@given(schools)
def test_among_never_widens_the_denominator(data: dict[str, Any]) -> None:
    plain = _finding(PLAIN, data)
    points = [p for t in data["school"]["teachers"] for p in t["points"]]
    graded, scored = [p for p in points if "grade" in p], [p for p in points if "score" in p]
    # (the items ``among`` keeps, those in the denominator: for SCORED also the points whose
    # ``among`` lacks data, which may belong to it)
    for rs, kept, total in ((AMONG_GRADED, graded, graded), (AMONG_SCORED, scored, points)):
        f = _finding(rs, data)
        assert _total(f) <= _total(plain)
        if total:
            assert _total(f) == len(total)
            assert f.outcome.detail["count"] == sum(p.get("grade") == "优秀" for p in kept)
        else:
            assert f.status.value != "pass"  # nothing to take a share of is never a pass


@examples(30)
@given(schools)
def test_a_point_whose_among_lacks_data_is_never_in_the_schools_favour(data: dict[str, Any]) -> None:
    """Under a cap, a point whose ``among`` cannot be decided (no score) may be excellent and
    in the denominator: the rate passes only if it passes whatever that point turns out to be."""
    f = _finding(AMONG_SCORED, data)
    if f.status.value != "pass":
        return
    points = [p for t in data["school"]["teachers"] for p in t["points"]]
    sure = [p for p in points if "score" in p]
    unsure = len(points) - len(sure)
    excellent = sum(p.get("grade") == "优秀" for p in sure)
    assert (excellent + unsure) / (len(sure) + unsure) <= 0.6
