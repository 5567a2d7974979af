"""Read record files (YAML, JSON; rosters in CSV, XLSX, JSON Lines) into validated records.

Every problem in a file is collected and raised at once as :class:`InputError`, each with its
file, line (or row) and field.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import (
    InputError,
    Problem,
    argument_error,
    dotted,
    path_argument,
    problems_from_validation,
    recursion_error,
)
from .records import DataFile, Project, Region, School, Teacher, date_from_text
from .yamlsafe import load_file

ROSTER_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".xls", ".jsonl", ".ndjson")


@dataclass
class Records:
    """What one or more input files hold, by level, in the order given."""

    teachers: list[Teacher] = field(default_factory=list)
    schools: list[School] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    #: counties, cities, provinces, each holding its schools (not in ``schools`` above)
    regions: list[Region] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    skipped_rows: int = 0
    #: with ``keep_going``: the problems of the rows left out (warnings, not errors)
    problems: list[Problem] = field(default_factory=list)
    #: with ``keep_going``: rows whose school matches no school given, and schools no row
    #: names (see :func:`join_schools`); the records are kept and checked, the problems told
    unjoined: list[Problem] = field(default_factory=list)
    #: where each teacher and school came from, by ``id()`` of the record: (file, line or row)
    origins: dict[int, tuple[str | None, int | None]] = field(default_factory=dict, repr=False)

    def extend(self, other: Records) -> None:
        self.teachers += other.teachers
        self.schools += other.schools
        self.projects += other.projects
        self.regions += other.regions
        self.files += other.files
        self.skipped_rows += other.skipped_rows
        self.problems += other.problems
        self.unjoined += other.unjoined
        self.origins.update(other.origins)

    def origin(self, record: Any) -> tuple[str | None, int | None]:
        """(file, line or row) a teacher or school was read from, as far as known."""
        return self.origins.get(id(record), (None, None))

    def is_empty(self) -> bool:
        """No teacher, school or project at all."""
        return not (self.teachers or self.schools or self.projects or self.regions)

    def every_school(self) -> list[School]:
        """The schools given on their own, then those given in full inside regions."""
        return self.schools + [s for r in self.regions for s in r.schools or ()]


# Characters that are invisible in a spreadsheet cell: two ids differing only by them are one id.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def id_key(value: Any) -> Any:
    """The form in which two ids are the same id, wherever ids are compared (in memory, streamed,
    across files): NFKC (a full-width Ｔ１ is T1), without invisible characters (zero-width
    space, BOM, soft hyphen), surrounding whitespace stripped. Case is kept: t1 and T1 may be
    two teachers of a platform that tells them apart.

    >>> id_key(" T1 ") == id_key("T1") == id_key("Ｔ１") == id_key("T1\u200b")
    True
    >>> id_key("t1") == id_key("T1")
    False
    """
    if not isinstance(value, str):
        return value
    return unicodedata.normalize("NFKC", value).translate(_INVISIBLE).strip()


def duplicate_problem(
    file: str | None, what: tuple[str, str], key: Any, first: tuple[str, str],
    line: int | None = None, column: int | None = None, field: str | None = "id",
) -> Problem:
    """The one message for an id seen twice, at the second place, naming the first
    (``first``: where, in Chinese and in English).

    >>> print(duplicate_problem("b.csv", _TEACHER_ID, "T1", in_file("a.csv"), line=3))
    b.csv:3: id: 教师编号 T1 重复(a.csv 中已有) / teacher id 'T1' appears twice (already in a.csv)
    """
    zh, en = what
    return Problem(
        file, f"{zh} {key} 重复({first[0]}已有)", f"{en} {key!r} appears twice (already {first[1]})",
        line=line, column=column, field=field, code="duplicate",
    )


def on_row(row: int | None) -> tuple[str, str]:
    return f"第 {row} 行", f"on row {row}"


def in_file(file: str | None, line: int | None = None) -> tuple[str, str]:
    at = f"{file}:{line}" if line else str(file)
    return f"{at} 中", f"in {at}"


_TEACHER_ID = ("教师编号", "teacher id")
_SCHOOL_ID = ("学校编号", "school id")


def _from_datafile(df: DataFile) -> Records:
    return Records(
        teachers=([df.teacher] if df.teacher else []) + (df.teachers or []),
        schools=([df.school] if df.school else []) + (df.schools or []),
        projects=([df.project] if df.project else []) + (df.projects or []),
        regions=([df.region] if df.region else []) + (df.regions or []),
    )


def _top_kind(data: Any) -> tuple[str, str]:
    if isinstance(data, list):
        return "一个列表", "a list"
    if isinstance(data, dict):
        return "空映射", "an empty mapping"
    return f"单个值 {str(data)[:20]!r}", f"a single value {str(data)[:20]!r}"


def parse_date(value: dt.date | str | None, what: str = "as_of") -> dt.date | None:
    """A date, or text writing one as a plan or a roster cell may (``2024-06-30``,
    ``2024/6/30``, ``2024年6月30日``, full-width digits: :func:`.records.date_from_text`), or an
    InputError saying why.

    >>> parse_date("2024-06-30"), parse_date("2024年6月30日")
    (datetime.date(2024, 6, 30), datetime.date(2024, 6, 30))
    """
    if value is None or isinstance(value, dt.date):
        return value
    if not isinstance(value, str):  # 20231231, a timestamp: refused, not guessed
        raise argument_error(what, value, "日期(date 或 YYYY-MM-DD 文本)", "a date (datetime.date or 'YYYY-MM-DD')")
    try:
        found = date_from_text(value)
    except ValueError:
        raise InputError.single(what, f"日期不存在:{value!r}", f"no such date: {value!r}") from None
    if found is None:
        raise InputError.single(
            what, f"不是有效日期(应为 YYYY-MM-DD):{value!r}", f"not a valid date (YYYY-MM-DD): {value!r}"
        )
    return found


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
            "记录文件顶层应为映射,含 teacher/teachers/school/schools/project/projects/region/regions 之一,"
            f"实际为{found_zh}",
            "a record file must be a mapping with one of teacher, teachers, school, schools, "
            f"project, projects, region, regions; found {found_en}",
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
    path: Path, *, keep_going: bool = False, mapping: dict[str, str] | None = None,
    points: Path | None = None, sheet: str | None = None,
) -> Records:
    """Teachers from a CSV/XLSX/JSON Lines roster; all bad rows reported together.
    ``sheet`` reads that sheet of a workbook only (and its points sheet); a CSV or JSON Lines
    file is one table and ignores it.

    With ``keep_going`` the bad rows (and the second row of a duplicate id) are left out,
    counted in ``skipped_rows`` and listed in ``problems``; problems with the file as a whole
    (missing, binary, unknown encoding) still raise.
    """
    from .tabular import iter_roster

    teachers: list[Teacher] = []
    problems: list[Problem] = []
    notes: list[Problem] = []  # rows that are not teachers (合计, 注 …) and remarks: warnings
    first_row: dict[str, int] = {}
    origins: dict[int, tuple[str | None, int | None]] = {}
    skipped = 0
    for r in iter_roster(path, mapping=mapping, points=points, sheet=sheet):
        if r.kind != "teacher":
            notes.extend(r.notes)
            skipped += r.kind == "skipped"
            continue
        row, teacher_or_problems = r.row, roster_teacher(r)
        if not isinstance(teacher_or_problems, Teacher):
            problems.extend(teacher_or_problems)
            skipped += 1
            continue
        dup = duplicate_row(str(path), teacher_or_problems.id, row, first_row)
        if dup is not None:
            problems.append(dup)
            skipped += 1
        else:
            teachers.append(teacher_or_problems)
            origins[id(teacher_or_problems)] = (str(path), row)
    if problems and not keep_going:
        raise InputError(problems)
    if not teachers and not skipped:
        raise no_subject(str(path))
    return Records(teachers=teachers, files=[str(path)], skipped_rows=skipped,
                   problems=problems + notes, origins=origins)


def duplicate_row(file: str, tid: Any, row: int, first_row: dict[Any, int]) -> Problem | None:
    """Remember a roster row's teacher id; the problem when an earlier row had it (the same
    test in memory and streamed, on :func:`id_key`)."""
    key = id_key(tid)
    if key not in first_row:
        first_row[key] = row
        return None
    return duplicate_problem(file, _TEACHER_ID, key, on_row(first_row[key]), line=row)


def no_subject(file: str) -> InputError:
    return InputError.single(
        file, "文件中没有任何教师、学校或项目(只有表头或空列表?)",
        "the file holds no teacher, school or project (only a header, or empty lists?)",
        code="no_subject",
    )


def iter_roster_teachers(
    path: Path, mapping: dict[str, str] | None = None
) -> Iterator[tuple[int, Teacher | list[Problem]]]:
    """Stream a roster: each row as a validated teacher, or the problems that row has."""
    from .tabular import iter_roster

    for row in iter_roster(path, mapping=mapping):
        if row.kind == "teacher":  # rows that are not teachers: see read_roster
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
    source: str | Path, *, keep_going: bool = False, mapping: dict[str, str] | None = None,
    sheet: str | None = None,
) -> Records:
    """Read one record file of any supported format.

    A school may name a ``roster:`` file (relative to its own file) instead of listing its
    teachers inline. A file that holds no teacher, school or project is an error (a header-only
    roster, ``teachers: []``): checking nothing is never a pass. ``sheet`` reads only that
    sheet of a workbook roster (given, or named by a school).
    """
    path = Path(path_argument(source, "source"))  # no NUL, not too long, not bytes or a number
    if path.suffix.lower() in ROSTER_SUFFIXES:
        return read_roster(path, keep_going=keep_going, mapping=mapping, sheet=sheet)
    data, where = load_file(path)
    file = str(path)
    records = records_from_data(data, file, where.find)
    records.files.append(file)
    if records.is_empty():
        raise no_subject(file)
    places = _school_places(data)
    _note_origins(records, data, file, where.find, places)
    for school, place in zip(records.every_school(), places, strict=True):
        if school.roster is not None and not school.roster.strip():  # not silently "no roster"
            pos = where.find((*place, "roster")) or (None, None)
            raise InputError.single(
                file, f"学校 {school.id} 的 roster 为空:请写名册文件名,或删去此项",
                f"school {school.id!r} has an empty roster: name the roster file, or leave roster out",
                line=pos[0], column=pos[1], field=dotted((*place, "roster")), code="roster",
            )
        if school.roster:
            at = (*place, "roster")
            pos = where.find(at) or (None, None)
            if school.teachers:
                raise InputError.single(
                    file,
                    f"学校 {school.id} 同时给出了 roster 和 teachers,只能二选一",
                    f"school {school.id!r} has both roster and teachers; give one of them",
                    line=pos[0], column=pos[1], field=dotted(at), code="conflict",
                )
            roster_path = _roster_path(path, school.roster, pos, dotted(at))
            points_path = None
            if school.roster_points:
                points_path = _roster_path(
                    path, school.roster_points, where.find((*place, "roster_points")),
                    dotted((*place, "roster_points")),
                )
            try:
                roster = read_roster(roster_path, keep_going=keep_going, mapping=mapping,
                                     points=points_path, sheet=sheet)
            except InputError as exc:
                if any(p.code == "no_subject" for p in exc.problems):  # say which school names it
                    raise InputError.single(
                        file, f"学校 {school.id} 的名册 {school.roster!r} 中没有教师行",
                        f"the roster {school.roster!r} of school {school.id!r} has no teacher rows",
                        line=pos[0], column=pos[1], field=dotted(at), code="no_subject",
                    ) from None
                raise
            school.teachers = roster.teachers
            records.skipped_rows += roster.skipped_rows
            records.problems += roster.problems
            records.origins.update(roster.origins)
    _check_teacher_in_one_school(records, file, places, where.find)
    return records


def _note_origins(
    records: Records, data: dict[str, Any], file: str, locate: Any,
    places: list[tuple[str | int, ...]],
) -> None:
    """Remember the line of every teacher and school, for problems found across files."""

    def line(at: tuple[str | int, ...]) -> int | None:
        pos = locate(at)
        return pos[0] if pos else None

    loose = [("teacher",)] if data.get("teacher") is not None else []
    loose += [("teachers", i) for i in range(len(data.get("teachers") or ()))]
    for t, at in zip(records.teachers, loose, strict=False):
        records.origins[id(t)] = (file, line((*at, "id")))
    for school, place in zip(records.every_school(), places, strict=True):
        records.origins[id(school)] = (file, line((*place, "id")))
        for i, t in enumerate(school.teachers or ()):
            records.origins[id(t)] = (file, line((*place, "teachers", i, "id")))


def _roster_path(school_file: Path, name: str, pos: tuple[int | None, int | None] | tuple[int, int],
                 field: str) -> Path:
    """A school's roster file: relative to the school file and inside its folder, like
    ``extends`` (a file mailed in must not make us read, and echo, files elsewhere); a regular
    file. Every refusal names the school file and the line of ``roster:``."""
    line, column = pos

    def refuse(zh: str, en: str) -> InputError:
        return InputError.single(str(school_file), zh, en, line=line, column=column, field=field,
                                 code="roster")

    shown = name if len(name) <= 80 else name[:79] + "…"
    if "\0" in name:
        raise refuse(f"名册文件名 {shown!r} 含有空字符 NUL", f"roster file name {shown!r} holds a NUL character")
    if len(name) > 1024 or any(len(part) > 255 for part in Path(name).parts):
        raise refuse(f"名册文件名过长({len(name)} 个字符)", f"roster file name is too long ({len(name)} characters)")
    base = school_file.parent.resolve()
    try:
        target = (base / name).resolve()
    except (OSError, ValueError, RuntimeError):  # a symlink loop, a name the system refuses
        raise refuse(f"无法解析名册文件名 {shown!r}", f"cannot resolve the roster file name {shown!r}") from None
    if Path(name).is_absolute() or "://" in name or not target.is_relative_to(base):
        raise refuse(f"名册文件 {shown!r} 必须位于本文件所在目录之内",
                     f"roster file {shown!r} must be inside this file's folder")
    if not target.exists():  # say which file names it, and where
        raise refuse(f"找不到名册文件 {shown!r}(相对于本文件所在目录)",
                     f"roster file {shown!r} not found (relative to this file's folder)")
    if target.is_dir() or target == base:
        raise refuse(f"名册 {shown!r} 是一个目录,应为 CSV/XLSX/JSON Lines 文件",
                     f"roster {shown!r} is a folder, not a CSV/XLSX/JSON Lines file")
    if not target.is_file():  # a FIFO or a device would block or never end
        raise refuse(f"名册 {shown!r} 不是普通文件", f"roster {shown!r} is not a regular file")
    return target


def _school_places(data: dict[str, Any]) -> list[tuple[str | int, ...]]:
    """Where each school of :func:`_from_datafile` sits in the file, in the same order."""
    places: list[tuple[str | int, ...]] = [("school",)] if data.get("school") is not None else []
    places += [("schools", i) for i in range(len(data.get("schools") or ()))]
    # then the schools given in full inside regions (Records.every_school's order)
    regions = [("region",)] if isinstance(data.get("region"), dict) else []
    regions += [("regions", i) for i in range(len(data.get("regions") or ()))]
    for at in regions:
        region = data.get(at[0]) if len(at) == 1 else data[at[0]][at[1]]
        places += [(*at, "schools", i) for i in range(len(region.get("schools") or ()))]
    return places


def _check_teacher_in_one_school(
    records: Records, file: str, places: list[tuple[str | int, ...]], locate: Any
) -> None:
    """A teacher belongs to one school: the second listing is reported, naming the first."""
    first: dict[str, str] = {}
    problems = []
    for school, place in zip(records.every_school(), places, strict=True):
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


# --------------------------------------------------------------------------- joins, counted once


class SchoolIndex:
    """Find the school a roster row names: by id, else by exact name (a name two schools share
    joins neither). The same lookup in memory and streamed.

    >>> idx = SchoolIndex([School(id="S1", name="一小")])
    >>> idx.find("S1").id, idx.find("一小").id, idx.find("二小")
    ('S1', 'S1', None)
    """

    def __init__(self, schools: list[School]) -> None:
        self.by_id = {id_key(s.id): s for s in schools}
        names: dict[str, list[School]] = {}
        for s in schools:
            if s.name:
                names.setdefault(id_key(s.name), []).append(s)
        self.by_name = {n: found[0] for n, found in names.items() if len(found) == 1}
        # a roster with no school column and one school given: its rows are that school's
        self.only = schools[0] if len(schools) == 1 else None

    def find(self, school_id: str | None) -> School | None:
        if school_id is None:
            return self.only
        key = id_key(school_id)
        return self.by_id.get(key) or self.by_name.get(key)


def unmatched_problem(file: str | None, row: int | None, school_id: str | None,
                      schools: list[School]) -> Problem:
    """A roster row whose school matches no school given."""
    known = ", ".join(s.id for s in schools[:5]) + (" …" if len(schools) > 5 else "")
    if school_id is None:
        zh = f"此行没有学校(名册无学校列),而给出了 {len(schools)} 所学校:{known}"
        en = f"this row names no school (no school column) and {len(schools)} schools are given: {known}"
    else:
        zh = f"学校 {school_id!r} 与给出的任何学校的编号或名称都不一致(已有:{known})"
        en = f"school {school_id!r} matches no given school by id or name (given: {known})"
    return Problem(file, zh, en, line=row, field="school_id", code="unjoined")


def no_rows_problem(file: str | None, line: int | None, school: School) -> Problem:
    """A school given without teachers that no roster row names."""
    return Problem(
        file,
        f"学校 {school.id}({school.name or '无名称'})没有教师:名册中没有任何一行的学校为其编号或名称",
        f"school {school.id!r} ({school.name or 'no name'}) has no teachers: no roster row names "
        "it by id or name",
        line=line, field="teachers", code="unjoined",
    )


def join_schools(records: Records, *, keep_going: bool = False) -> None:
    """Put loose teachers (rosters, ``teachers:`` lists) into the schools their ``school_id``
    names, by id or exact name, and count every teacher and school once.

    When schools and loose teachers are both given, a teacher whose school matches none and a
    school (without teachers of its own) that no teacher names are input errors; with
    ``keep_going`` they are kept, checked, and listed in ``records.unjoined``. The same teacher
    twice (two files, inline and in a roster) and the same school id in two files are errors;
    with ``keep_going`` the second is left out, counted in ``skipped_rows`` and listed in
    ``records.problems``.

    >>> r = Records(teachers=[Teacher(id="T1", school_id="一小")], schools=[School(id="S1", name="一小")])
    >>> join_schools(r)
    >>> r.teachers, [t.id for t in r.schools[0].teachers]
    ([], ['T1'])
    """
    errors: list[Problem] = []
    warnings: list[Problem] = []
    # the same school twice (in one list the model already refused it, at its line)
    first_school: dict[Any, School] = {}

    def once(schools: list[School]) -> list[School]:
        """The schools not seen before; each repeat an error at its line."""
        kept = []
        for s in schools:
            earlier = first_school.get(id_key(s.id))
            if earlier is None:
                first_school[id_key(s.id)] = s
                kept.append(s)
                continue
            file, line = records.origin(s)
            errors.append(duplicate_problem(file, _SCHOOL_ID, s.id, in_file(*records.origin(earlier)),
                                            line=line))
            records.skipped_rows += 1
        return kept

    records.schools = once(records.schools)
    for region in records.regions:  # a school is in one place: alone, or in one region
        if region.schools is not None:
            region.schools = once(region.schools)
    loose = records.teachers
    everyone = records.every_school()  # a roster's rows join a region's schools too
    open_schools = {id(s) for s in everyone if s.teachers is None and not s.roster}
    if loose and everyone:
        index = SchoolIndex(everyone)
        if index.only is not None and id(index.only) not in open_schools:
            index.only = None  # a school with its own teachers does not take the roster's
        alone = []
        for t in loose:
            s = index.find(t.school_id)
            if s is None and t.school_id is None and not open_schools:
                alone.append(t)  # a teacher on its own, beside schools with their own teachers
            elif s is None:
                warnings.append(unmatched_problem(*records.origin(t), t.school_id, everyone))
                alone.append(t)
            else:
                s.teachers = [*(s.teachers or ()), t]
        records.teachers = alone
        for s in everyone:
            if id(s) in open_schools and not s.teachers:
                warnings.append(no_rows_problem(*records.origin(s), s))
    errors += _count_teachers_once(records)
    if keep_going:
        records.problems += errors
        records.unjoined += warnings
    elif errors or warnings:
        raise InputError(sorted(errors + warnings, key=lambda p: (p.file or "", p.line or 0)))


def _count_teachers_once(records: Records) -> list[Problem]:
    """The same teacher id twice anywhere (loose, inline, in rosters): the second is left out."""
    first: dict[Any, Teacher] = {}
    problems = []

    def seen(t: Teacher) -> bool:
        earlier = first.get(id_key(t.id))
        if earlier is None:
            first[id_key(t.id)] = t
            return False
        file, line = records.origin(t)
        problems.append(duplicate_problem(file, _TEACHER_ID, t.id, in_file(*records.origin(earlier)),
                                          line=line))
        records.skipped_rows += 1
        return True

    for s in records.every_school():
        if s.teachers:
            s.teachers = [t for t in s.teachers if not seen(t)]
    records.teachers = [t for t in records.teachers if not seen(t)]
    return problems


# --------------------------------------------------------------------------- typos in free maps

_FREE = re.compile(r"(?:^|\.)(practice|attributes)\.([^.\s\[\]]+)")


def free_keys(ruleset: Any) -> dict[str, set[str]]:
    """The keys of the free maps (``hours.practice``, ``attributes``) that a ruleset's rules
    and derived values read.

    >>> from ict2rules import load_ruleset
    >>> sorted(free_keys(load_ruleset("zeku_2023"))["practice"])
    ['certification', 'lesson', 'process']
    """
    found: dict[str, set[str]] = {"practice": set(), "attributes": set()}

    def walk(value: Any) -> None:
        if isinstance(value, BaseModel):
            walk(value.model_dump())
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v)
        elif isinstance(value, str):
            for m in _FREE.finditer(value):
                found[m.group(1)].add(m.group(2))

    for rule in ruleset.rules:
        walk([rule.check, rule.when])
    for d in ruleset.derived:
        walk(d.compute)
    return found


def _near(word: str, choices: set[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.75)
    return found[0] if found else None


def map_typos(known: dict[str, set[str]], record: Any, file: str | None = None,
              line: int | None = None) -> list[Problem]:
    """Keys of a record's free maps that look like a typo of a key the ruleset reads, where
    that key itself is absent: ``practice: {certifcation: 15}`` would silently be missing data.
    (Other keys are the record's own facts and are kept.)"""
    maps: list[tuple[str, str, dict[str, Any]]] = []
    hours = getattr(record, "hours", None)
    if hours is not None and hours.practice:
        maps.append(("practice", "hours.practice", hours.practice))
    if getattr(record, "attributes", None):
        maps.append(("attributes", "attributes", record.attributes))
    problems = []
    for kind, prefix, values in maps:
        absent = known[kind] - set(values)
        for key in values:
            hint = _near(str(key), absent) if key not in known[kind] else None
            if hint:
                problems.append(Problem(
                    file,
                    f"{key!r} 不是规则集读取的项(编号 {record.id});是否应为 {hint!r}?",
                    f"{key!r} is not a key the ruleset reads (record {record.id!r}); did you mean "
                    f"{hint!r}?",
                    line=line, field=f"{prefix}.{key}", code="unknown_key",
                ))
    return problems


def typos(ruleset: Any, records: Records) -> list[Problem]:
    """:func:`map_typos` over every teacher, school and project of ``records``."""
    known = free_keys(ruleset)
    if not any(known.values()):
        return []
    problems = []
    subjects: list[Any] = list(records.teachers)
    for s in records.every_school():
        subjects += [s, *(s.teachers or ())]
    subjects += records.projects
    for record in subjects:
        problems += map_typos(known, record, *records.origin(record))
    return problems


# --------------------------------------------------------------------------- every input at once


def distinct_files(paths: list[str]) -> list[str]:
    """The file arguments, each at most once: a file given twice (or again through a link)
    would count its teachers twice — an input error naming both arguments.

    >>> distinct_files(["a.yaml", "b.yaml"])
    ['a.yaml', 'b.yaml']
    """
    import os

    seen: dict[str, str] = {}
    problems = []
    for path in paths:
        try:
            key = os.path.realpath(path)
        except (OSError, ValueError, TypeError):
            continue  # reading the file reports it
        if key in seen:
            problems.append(Problem(
                path, f"同一文件给出了两次(与 {seen[key]} 相同)",
                f"the same file is given twice (same as {seen[key]})", code="duplicate",
            ))
        else:
            seen[key] = path
    if problems:
        raise InputError(problems)
    return list(paths)


def read_inputs(
    paths: list[str] | list[Path], *, ruleset: Any = None, keep_going: bool = False,
    mapping: dict[str, str] | None = None, sheet: str | None = None,
    tick: Callable[[], None] | None = None,
) -> Records:
    """Read every input file as ``ict2rules check FILE…`` (and the web page) does, and join them.
    ``tick`` is called once per file given, when it has been read (a progress bar).

    Each file counts once; every file's problems come together in one :class:`InputError`
    before anything is checked. A roster that a given school file names (``roster:``) and that
    is given as well is read once, through that school (the web page must upload it beside the
    plan). Roster teachers then join the schools their 学校 column names
    (:func:`join_schools`), and, with ``ruleset``, keys that look like typos of a key it reads
    are errors (:func:`typos`).

    >>> r = read_inputs(["examples/zeku_2023/school_ok.yaml"], ruleset=None)
    >>> [s.id for s in r.schools], r.files
    (['ZK-MYZX'], ['examples/zeku_2023/school_ok.yaml'])
    """
    names = distinct_files([str(p) for p in paths])
    done: dict[int, Records | InputError] = {}
    named: set[Path] = set()  # rosters that a school file's `roster:` names
    for i, name in enumerate(names):  # school files first: they say which rosters they read
        if Path(name).suffix.lower() in ROSTER_SUFFIXES:
            continue
        try:
            done[i] = found = read_records(name, keep_going=keep_going, mapping=mapping, sheet=sheet)
        except InputError as exc:
            done[i] = exc
            continue
        named.update(p for s in found.schools if s.roster
                     if (p := _resolved(Path(name).parent / s.roster)) is not None)
    records = Records()
    bad: list[Problem] = []
    for i, name in enumerate(names):  # in the order given
        if i not in done and _resolved(Path(name)) in named:
            continue  # already read as that school's roster
        try:
            found = done.get(i) or read_records(name, keep_going=keep_going, mapping=mapping,
                                                sheet=sheet)
        except InputError as exc:
            found = exc
        if isinstance(found, InputError):
            bad += found.problems
        else:
            records.extend(found)
        if tick is not None:
            tick()
    if not bad:
        try:  # roster teachers join their schools (by id or name), every one counted once
            join_schools(records, keep_going=keep_going)
        except InputError as exc:
            bad += exc.problems
        if ruleset is not None:
            bad += typos(ruleset, records)
    if bad:
        raise InputError(bad)
    return records


def _resolved(path: Path) -> Path | None:
    try:
        return path.resolve()
    except (OSError, ValueError, RuntimeError):
        return None
