"""Read record files (YAML, JSON; rosters in CSV, XLSX, JSON Lines) into validated records.

Every problem in a file is collected and raised at once as :class:`InputError`, each with its
file, line (or row) and field.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import InputError, Problem, problems_from_validation
from .records import DataFile, Project, School, Teacher
from .yamlsafe import load_file

ROSTER_SUFFIXES = (".csv", ".xlsx", ".jsonl", ".ndjson")


@dataclass
class Records:
    """What one or more input files hold, by level, in the order given."""

    teachers: list[Teacher] = field(default_factory=list)
    schools: list[School] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    skipped_rows: int = 0

    def extend(self, other: Records) -> None:
        self.teachers += other.teachers
        self.schools += other.schools
        self.projects += other.projects
        self.files += other.files
        self.skipped_rows += other.skipped_rows


def _from_datafile(df: DataFile) -> Records:
    return Records(
        teachers=([df.teacher] if df.teacher else []) + (df.teachers or []),
        schools=([df.school] if df.school else []) + (df.schools or []),
        projects=([df.project] if df.project else []) + (df.projects or []),
    )


def records_from_data(data: Any, file: str | None = None, locate: Any = None) -> Records:
    """Validate an already-parsed document (``{"school": {...}}`` …) into records.

    >>> records_from_data({"teacher": {"id": "T1"}}).teachers[0].id
    'T1'
    """
    if isinstance(data, BaseModel):
        data = {type(data).__name__.lower(): data}
    if not isinstance(data, dict) or not data:
        raise InputError.single(
            file, "记录文件顶层应为映射,含 teacher/teachers/school/schools/project/projects 之一",
            "a record file must be a mapping with one of teacher, teachers, school, schools, project, projects",
            line=1 if file else None,
        )
    try:
        return _from_datafile(DataFile.model_validate(data))
    except ValidationError as exc:
        raise InputError(problems_from_validation(exc, data, file, locate)) from None


def read_roster(path: Path, *, keep_going: bool = False) -> Records:
    """Teachers from a CSV/XLSX/JSON Lines roster; all bad rows reported together."""
    teachers: list[Teacher] = []
    problems: list[Problem] = []
    skipped = 0
    for row, teacher_or_problems in iter_roster_teachers(path):
        if isinstance(teacher_or_problems, Teacher):
            teachers.append(teacher_or_problems)
        else:
            problems.extend(teacher_or_problems)
            skipped += 1
    _check_unique_ids(teachers, str(path), problems)
    if problems and not keep_going:
        raise InputError(problems)
    records = Records(teachers=teachers, files=[str(path)], skipped_rows=skipped)
    records.problems = problems  # type: ignore[attr-defined]
    return records


def iter_roster_teachers(path: Path, mapping: dict[str, str] | None = None) -> Iterator[tuple[int, Teacher | list[Problem]]]:
    """Stream a roster: each row as a validated teacher, or the problems that row has."""
    from .tabular import iter_roster

    for row in iter_roster(path, mapping=mapping):
        if not row.ok:  # cells the reader could not read: report those, not pydantic's echo of them
            yield row.row, list(row.problems)
            continue
        try:
            yield row.row, Teacher.model_validate(row.data)
        except ValidationError as exc:
            yield row.row, [
                Problem(
                    row.file, p.message_zh, p.message_en, line=row.row,
                    field=row.column_for(_loc(p.field)) or p.field, code=p.code,
                )
                for p in problems_from_validation(exc, row.data, row.file)
            ]


def _loc(dotted: str | None) -> tuple[str | int, ...]:
    """'points[1].code' → ('points', 1, 'code')."""
    if not dotted:
        return ()
    out: list[str | int] = []
    for part in dotted.replace("[", ".").replace("]", "").split("."):
        out.append(int(part) if part.isdigit() else part)
    return tuple(out)


def _check_unique_ids(teachers: list[Teacher], file: str, problems: list[Problem]) -> None:
    seen: set[str] = set()
    for t in teachers:
        if t.id in seen:
            problems.append(Problem(file, f"教师编号 {t.id} 重复", f"teacher id {t.id!r} appears twice", field="id", code="duplicate"))
        seen.add(t.id)


def read_records(source: str | Path, *, keep_going: bool = False) -> Records:
    """Read one record file of any supported format.

    A school may name a ``roster:`` file (relative to its own file) instead of listing its
    teachers inline.
    """
    path = Path(source)
    if path.suffix.lower() in ROSTER_SUFFIXES:
        return read_roster(path, keep_going=keep_going)
    data, where = load_file(path)
    records = records_from_data(data, str(path), where.find)
    records.files.append(str(path))
    for school in records.schools:
        if school.roster:
            if school.teachers:
                raise InputError.single(
                    str(path), f"学校 {school.id} 同时给出了 roster 和 teachers", f"school {school.id!r} has both roster and teachers"
                )
            roster = read_roster(path.parent / school.roster, keep_going=keep_going)
            school.teachers = roster.teachers
            records.skipped_rows += roster.skipped_rows
    _check_teacher_in_one_school(records, str(path))
    return records


def _check_teacher_in_one_school(records: Records, file: str) -> None:
    where: dict[str, str] = {}
    problems = []
    for school in records.schools:
        for t in school.teachers or ():
            if t.id in where and where[t.id] != school.id:
                problems.append(Problem(
                    file, f"教师 {t.id} 同时出现在学校 {where[t.id]} 和 {school.id}",
                    f"teacher {t.id!r} is listed in two schools: {where[t.id]!r} and {school.id!r}",
                    field="teachers", code="duplicate",
                ))
            where.setdefault(t.id, school.id)
    if problems:
        raise InputError(problems)
