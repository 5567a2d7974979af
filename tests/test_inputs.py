"""Record files: a school's roster is read relative to the school file, and confined to its folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from ict2rules import InputError
from ict2rules.input.files import read_records


def test_school_roster_is_read_from_beside_the_school_file(tmp_path: Path) -> None:
    (tmp_path / "teachers.csv").write_text("工号,姓名,线上学时,线下学时\nT1,张三,50,25\n", encoding="utf-8")
    (tmp_path / "school.yaml").write_text("school:\n  id: S1\n  roster: teachers.csv\n", encoding="utf-8")
    records = read_records(tmp_path / "school.yaml")
    (teacher,) = records.schools[0].teachers or []
    assert (teacher.id, teacher.hours.total) == ("T1", 75.0)


@pytest.mark.parametrize("roster", ["../outside.csv", "/etc/passwd", "http://example.org/r.csv"])
def test_school_roster_cannot_escape_its_folder(tmp_path: Path, roster: str) -> None:
    inner = tmp_path / "plans"
    inner.mkdir()
    (tmp_path / "outside.csv").write_text("工号\nT1\n", encoding="utf-8")
    (inner / "school.yaml").write_text(f"school:\n  id: S1\n  roster: '{roster}'\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_records(inner / "school.yaml")
    (p,) = err.value.problems
    assert p.line == 3 and p.field == "school.roster"
    assert "inside this file's folder" in p.message_en or "not found" in p.message_en


def test_one_teacher_in_two_rosters_is_an_input_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ict2rules.cli import main

    for name in ("a.csv", "b.csv"):
        (tmp_path / name).write_text("工号,线上学时\nT1,50\n", encoding="utf-8")
    assert main(["check", str(tmp_path / "a.csv"), str(tmp_path / "b.csv"), "-r", "zeku_2023"]) == 2
    assert f"teacher id 'T1' appears twice (already in {tmp_path / 'a.csv'}:2)" in capsys.readouterr().err
