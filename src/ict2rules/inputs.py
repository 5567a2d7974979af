"""Read record files (YAML, JSON; rosters in CSV, XLSX, JSON Lines) into validated records.

Every problem in a file is collected and raised at once as :class:`InputError`, each with its
file, line (or row) and field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import (
    InputError,
    Problem,
    argument_error,
    dotted,
    path_argument,
    problems_from_validation,
    recursion_error,
)
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
    #: with ``keep_going``: the problems of the rows left out (warnings, not errors)
    problems: list[Problem] = field(default_factory=list)

    def extend(self, other: Records) -> None:
        self.teachers += other.teachers
        self.schools += other.schools
        self.projects += other.projects
        self.files += other.files
        self.skipped_rows += other.skipped_rows
        self.problems += other.problems


def _from_datafile(df: DataFile) -> Records:
    return Records(
        teachers=([df.teacher] if df.teacher else []) + (df.teachers or []),
        schools=([df.school] if df.school else []) + (df.schools or []),
        projects=([df.project] if df.project else []) + (df.projects or []),
    )


def _top_kind(data: Any) -> tuple[str, str]:
    if isinstance(data, list):
        return "一个列表", "a list"
    if isinstance(data, dict):
        return "空映射", "an empty mapping"
    return f"单个值 {str(data)[:20]!r}", f"a single value {str(data)[:20]!r}"


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(value: dt.date | str | None, what: str = "as_of") -> dt.date | None:
    """A date given as ``YYYY-MM-DD`` (the same on every Python version), or an InputError.

    >>> parse_date("2024-06-30")
    datetime.date(2024, 6, 30)
    """
    if value is None or isinstance(value, dt.date):
        return value
    if not isinstance(value, str):  # 20231231, a timestamp: refused, not guessed
        raise argument_error(what, value, "日期(date 或 YYYY-MM-DD 文本)", "a date (datetime.date or 'YYYY-MM-DD')")
    try:
        if _ISO_DATE.match(value):
            return dt.date.fromisoformat(value)
    except ValueError:
        pass
    raise InputError.single(
        what, f"不是有效日期(应为 YYYY-MM-DD):{value!r}", f"not a valid date (YYYY-MM-DD): {value!r}"
    )


def records_from_data(data: Any, file: str | None = None, locate: Any = None) -> Records:
    """Validate an already-parsed document (``{"school": {...}}`` …) into records.

    >>> records_from_data({"teacher": {"id": "T1"}}).teachers[0].id
    'T1'
    """
    if isinstance(data, BaseModel):
        data = {type(data).__name__.lower(): data}
    if not isinstance(data, dict) or not data:
        found_zh, found_en = _top_kind(data)
        raise InputError.single(
            file,
            "记录文件顶层应为映射,含 teacher/teachers/school/schools/project/projects 之一,"
            f"实际为{found_zh}",
            "a record file must be a mapping with one of teacher, teachers, school, schools, "
            f"project, projects; found {found_en}",
            line=1 if file else None,
        )
    try:
        return _from_datafile(DataFile.model_validate(data))
    except RecursionError:  # library data: a dict that contains itself, or thousands deep
        raise recursion_error(file) from None
    except ValidationError as exc:
        problems = problems_from_validation(exc, data, file, locate, model=DataFile)
        raise InputError(problems) from None


def read_roster(
    path: Path, *, keep_going: bool = False, mapping: dict[str, str] | None = None
) -> Records:
    """Teachers from a CSV/XLSX/JSON Lines roster; all bad rows reported together.

    With ``keep_going`` the bad rows (and the second row of a duplicate id) are left out,
    counted in ``skipped_rows`` and listed in ``problems``; problems with the file as a whole
    (missing, binary, unknown encoding) still raise.
    """
    teachers: list[Teacher] = []
    problems: list[Problem] = []
    first_row: dict[str, int] = {}
    skipped = 0
    for row, teacher_or_problems in iter_roster_teachers(path, mapping):
        if not isinstance(teacher_or_problems, Teacher):
            problems.extend(teacher_or_problems)
            skipped += 1
        elif teacher_or_problems.id in first_row:
            problems.append(_duplicate_row(str(path), teacher_or_problems.id, row, first_row))
            skipped += 1
        else:
            first_row[teacher_or_problems.id] = row
            teachers.append(teacher_or_problems)
    if problems and not keep_going:
        raise InputError(problems)
    return Records(teachers=teachers, files=[str(path)], skipped_rows=skipped, problems=problems)


def _duplicate_row(file: str, tid: str, row: int, first_row: dict[str, int]) -> Problem:
    return Problem(
        file,
        f"教师编号 {tid} 重复(第 {first_row[tid]} 行已有)",
        f"teacher id {tid!r} appears twice (already on row {first_row[tid]})",
        line=row,
        field="id",
        code="duplicate",
    )


def iter_roster_teachers(
    path: Path, mapping: dict[str, str] | None = None
) -> Iterator[tuple[int, Teacher | list[Problem]]]:
    """Stream a roster: each row as a validated teacher, or the problems that row has."""
    from .tabular import iter_roster

    for row in iter_roster(path, mapping=mapping):
        yield row.row, roster_teacher(row)


def roster_teacher(row: Any) -> Teacher | list[Problem]:
    """One roster row (a ``tabular.RosterRow``) as a validated teacher, or its problems, each
    placed at the row and named by the column the user sees."""
    if not row.ok:  # cells the reader could not read: report those, not pydantic's echo of them
        return list(row.problems)
    try:
        return Teacher.model_validate(row.data)
    except ValidationError as exc:
        return [
            Problem(
                row.file,
                p.message_zh,
                p.message_en,
                line=row.row,
                field=row.column_for(_loc(p.field)) or p.field,
                code=p.code,
            )
            for p in problems_from_validation(exc, row.data, row.file, model=Teacher)
        ]


def _loc(dotted: str | None) -> tuple[str | int, ...]:
    """'points[1].code' → ('points', 1, 'code')."""
    if not dotted:
        return ()
    out: list[str | int] = []
    for part in dotted.replace("[", ".").replace("]", "").split("."):
        out.append(int(part) if part.isdigit() else part)
    return tuple(out)


def read_records(
    source: str | Path, *, keep_going: bool = False, mapping: dict[str, str] | None = None
) -> Records:
    """Read one record file of any supported format.

    A school may name a ``roster:`` file (relative to its own file) instead of listing its
    teachers inline.
    """
    path = Path(path_argument(source, "source"))  # no NUL, not too long, not bytes or a number
    if path.suffix.lower() in ROSTER_SUFFIXES:
        return read_roster(path, keep_going=keep_going, mapping=mapping)
    data, where = load_file(path)
    file = str(path)
    records = records_from_data(data, file, where.find)
    records.files.append(file)
    places = _school_places(data)
    for school, place in zip(records.schools, places, strict=True):
        if school.roster:
            if school.teachers:
                pos = where.find((*place, "roster")) or (None, None)
                raise InputError(
                    [
                        Problem(
                            file,
                            f"学校 {school.id} 同时给出了 roster 和 teachers,只能二选一",
                            f"school {school.id!r} has both roster and teachers; give one of them",
                            line=pos[0],
                            column=pos[1],
                            field=dotted((*place, "roster")),
                            code="conflict",
                        )
                    ]
                )
            roster_path = _roster_path(
                path, school.roster, where.find((*place, "roster")), dotted((*place, "roster"))
            )
            roster = read_roster(roster_path, keep_going=keep_going, mapping=mapping)
            school.teachers = roster.teachers
            records.skipped_rows += roster.skipped_rows
            records.problems += roster.problems
    _check_teacher_in_one_school(records, file, places, where.find)
    return records


def _roster_path(school_file: Path, name: str, pos: tuple[int, int] | None, field: str) -> Path:
    """A school's roster file: relative to the school file and inside its folder, like
    ``extends`` (a file mailed in must not make us read, and echo, files elsewhere)."""
    line, column = pos or (None, None)
    base = school_file.parent.resolve()
    target = (base / name).resolve()
    if Path(name).is_absolute() or "://" in name or not target.is_relative_to(base):
        raise InputError(
            [
                Problem(
                    str(school_file),
                    f"名册文件 {name!r} 必须位于本文件所在目录之内",
                    f"roster file {name!r} must be inside this file's folder",
                    line=line,
                    column=column,
                    field=field,
                    code="roster",
                )
            ]
        )
    if not target.exists():  # say which file names it, and where
        raise InputError(
            [
                Problem(
                    str(school_file),
                    f"找不到名册文件 {name!r}(相对于本文件所在目录)",
                    f"roster file {name!r} not found (relative to this file's folder)",
                    line=line,
                    column=column,
                    field=field,
                    code="roster",
                )
            ]
        )
    return target


def _school_places(data: dict[str, Any]) -> list[tuple[str | int, ...]]:
    """Where each school of :func:`_from_datafile` sits in the file, in the same order."""
    places: list[tuple[str | int, ...]] = [("school",)] if data.get("school") is not None else []
    places += [("schools", i) for i in range(len(data.get("schools") or ()))]
    return places


def _check_teacher_in_one_school(
    records: Records, file: str, places: list[tuple[str | int, ...]], locate: Any
) -> None:
    """A teacher belongs to one school: the second listing is reported, naming the first."""
    first: dict[str, str] = {}
    problems = []
    for school, place in zip(records.schools, places, strict=True):
        inline = not school.roster  # roster rows have no place in this file: point at roster
        for i, t in enumerate(school.teachers or ()):
            if t.id in first and first[t.id] != school.id:
                at = (*place, "teachers", i, "id") if inline else (*place, "roster")
                pos = locate(at) or (None, None)
                problems.append(
                    Problem(
                        file,
                        f"教师 {t.id} 同时出现在学校 {first[t.id]} 和 {school.id}",
                        f"teacher {t.id!r} is listed in two schools: {first[t.id]!r} and {school.id!r}",
                        line=pos[0],
                        column=pos[1],
                        field=dotted(at),
                        code="duplicate",
                    )
                )
            first.setdefault(t.id, school.id)
    if problems:
        raise InputError(problems)
