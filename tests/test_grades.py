"""The `lowest` kind: the lowest item decides (a point is 优秀 only if every item is 优秀,
不合格 if any item is below 合格), with each status and the grade order's edges."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from ict2rules import evaluate, load_ruleset
from ict2rules.errors import InputError


def _ruleset(tmp_path: Path, floor: str, **extra: Any) -> Any:
    doc = {
        "id": "grades_test",
        "title": {"zh": "测试", "en": "test"},
        "document": {"title": "示例", "issuer": "示例", "level": "national"},
        "rules": [{
            "id": "R", "level": "teacher", "title": {"zh": "等级", "en": "grade"},
            "message": {"zh": "最低 {actual}", "en": "lowest {actual}"},
            "check": {"kind": "lowest", "args": {"over": "points", "min": floor, **extra}},
            "source": {"section": "一", "quote": "示例条款示例条款"},
        }],
    }
    path = tmp_path / "g.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return load_ruleset(path)


CODES = ["A1", "A2", "A3", "A4"]


def _status(rs: Any, items: list[dict[str, Any]] | None) -> tuple[str, Any]:
    """The teacher's points carry the grades (`over: points`)."""
    teacher: dict[str, Any] = {"id": "T"}
    if items is not None:
        teacher["points"] = [{"code": c, **{k: v for k, v in i.items() if k != "name"}} for c, i in zip(CODES, items, strict=False)]
    (f,) = evaluate(rs, {"teacher": teacher}, as_of="2024-01-01").findings
    return f.status.value, f.outcome.actual


@pytest.mark.parametrize(
    ("floor", "grades", "expected"),
    [
        ("优秀", ["优秀", "优秀"], ("pass", "优秀")),
        ("优秀", ["优秀", "良好"], ("fail", "良好")),          # one item short of 优秀
        ("合格", ["优秀", "合格"], ("pass", "合格")),          # 合格 itself meets 合格
        ("合格", ["优秀", "不合格"], ("fail", "不合格")),      # any item below 合格 decides
        ("合格", ["不合格", None], ("fail", "不合格")),        # decided despite an ungraded item
        ("合格", ["优秀", None], ("missing_data", "优秀")),    # an ungraded item could be below
        ("不合格", ["不合格"], ("pass", "不合格")),
    ],
)
def test_the_lowest_item_decides(tmp_path: Path, floor: str, grades: list[str | None], expected: tuple[str, Any]) -> None:
    items = [{"grade": g} if g else {} for g in grades]
    assert _status(_ruleset(tmp_path, floor), items) == expected


def test_no_items_is_missing_data_never_a_pass(tmp_path: Path) -> None:
    rs = _ruleset(tmp_path, "合格")
    assert _status(rs, None)[0] == "missing_data"
    assert _status(rs, [])[0] == "missing_data"


def test_the_failure_names_the_items_below(tmp_path: Path) -> None:
    rs = _ruleset(tmp_path, "合格")
    teacher = {"id": "T", "points": [{"code": "A1", "grade": "优秀"}, {"code": "A3", "grade": "不合格"}]}
    (f,) = evaluate(rs, {"teacher": teacher}, as_of="2024-01-01").findings
    assert f.outcome.detail["below"] == ["A3"]


def test_an_own_order(tmp_path: Path) -> None:
    rs = _ruleset(tmp_path, "合格", order=["不合格", "合格", "优秀"])  # 良好 not ranked here
    assert _status(rs, [{"grade": "优秀"}, {"grade": "合格"}])[0] == "pass"
    assert _status(rs, [{"grade": "优秀"}, {"grade": "良好"}])[0] == "missing_data"  # unranked


def test_a_min_outside_the_order_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        _ruleset(tmp_path, "甲")
