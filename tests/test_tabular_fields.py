"""Roster cells are read as the record models declare their fields, with no second table.

Every field of ``Teacher`` (and of a point, and of an evidence item) that one cell can hold is a
column, named by its path, and its cell is read by the field's declared type; a field added to
a model is a column at once.
"""

from __future__ import annotations

import datetime as dt
import typing
from pathlib import Path
from typing import Any

import pytest

from ict2rules.input import tabular
from ict2rules.input.paths import field_types
from ict2rules.input.records import Date, EvidenceItem, Hours, PointRecord, Teacher
from ict2rules.input.tabular import read_roster

# a cell as a roster writes it, and the value read from it, for each declared type
CELLS: dict[Any, tuple[str, Any]] = {
    bool: ("是", True),
    int: ("3", 3),
    float: ("2.5", 2.5),
    dt.date: ("2023/5/1", "2023-05-01"),
    str: ("文本", "文本"),
}


def _cell(tp: Any) -> tuple[str, Any] | None:
    if typing.get_origin(tp) is typing.Literal:
        word = typing.get_args(tp)[0]
        return word, word
    return CELLS.get(tp)


def _get(data: dict[str, Any], path: str) -> Any:
    for part in path.split("."):
        data = data[int(part) - 1] if isinstance(data, list) else data[part]
    return data


def _scalar_fields(model: Any, special: set[str]) -> dict[str, Any]:
    return {p: tp for p, tp in field_types(model).items() if p not in special and _cell(tp)}


def test_every_teacher_field_is_a_column_read_by_its_type(tmp_path: Path) -> None:
    fields = _scalar_fields(Teacher, {"id"})
    assert {"name", "enrolled", "hours.online", "lessons_uploaded", "completed_on", "grade"} <= set(fields)
    header = ["id", *fields]
    cells = ["T1", *(_cell(tp)[0] for tp in fields.values())]
    roster = tmp_path / "r.csv"
    roster.write_text(",".join(header) + "\n" + ",".join(cells) + "\n", encoding="utf-8")
    [row] = [r for r in read_roster(roster) if r.kind == "teacher"]
    assert not row.problems and not row.notes
    for path, tp in fields.items():
        assert _get(row.data, path) == _cell(tp)[1], path


def test_every_point_and_item_part_is_a_column_read_by_its_type(tmp_path: Path) -> None:
    parts = _scalar_fields(PointRecord, {"code"})
    items = _scalar_fields(EvidenceItem, set())
    assert {"score", "certified_on", "evidence.judged_valid", "evidence.grade"} <= set(parts)
    paths = ["points.1.code"] + [f"points.1.{p}" for p in parts]
    paths += [f"points.1.evidence.items.1.{p}" for p in items]
    types = ["A1", *(_cell(tp)[0] for tp in parts.values()), *(_cell(tp)[0] for tp in items.values())]
    mapping = {f"c{i}": path for i, path in enumerate(paths)}
    roster = tmp_path / "r.csv"
    roster.write_text(
        "工号," + ",".join(mapping) + "\n" + "T1," + ",".join(types) + "\n", encoding="utf-8"
    )
    [row] = [r for r in read_roster(roster, mapping=mapping) if r.kind == "teacher"]
    assert not row.problems
    [point] = row.data["points"]
    for path, tp in parts.items():
        assert _get(point, path) == _cell(tp)[1], path
    for path, tp in items.items():
        assert _get(point["evidence"]["items"][0], path) == _cell(tp)[1], path


def test_a_field_added_to_a_model_needs_no_second_declaration() -> None:
    class Later(Teacher):
        declared_on: Date | None = None
        extra_hours: Hours | None = None
        practice_by_week: dict[str, Hours] | None = None

    kinds = tabular._cell_kinds(Later, {"id": "id"})
    assert kinds["declared_on"] == "date" and kinds["extra_hours"] == "num"
    assert kinds["id"] == "id" and kinds["hours.online"] == "num"
    assert tabular._keyed_kinds(Later)["practice_by_week"] == "num"


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("hours.practice.lesson", "num"),  # a part of a field that maps names to hours
        ("hours.practice.Talk", None),  # part names are lowercase words
        ("points", "points"),  # read its own way: codes in one cell
        ("points.3.evidence", "evidence"),  # and a point's 证据 yes/no cell
        ("attributes.职称", "auto"),
        ("hours", None),  # a model, not a cell
    ],
)
def test_cells_read_their_own_way(path: str, kind: str | None) -> None:
    assert tabular._kind_of(path) == kind
