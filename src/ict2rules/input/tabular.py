"""Teacher rosters from CSV, XLSX and JSON Lines, turned into teacher dicts row by row.

A roster is a table with one teacher per row, as schools export it from Excel or a training
platform. This module reads it lazily and turns each row into a plain dict shaped like
:class:`ict2rules.input.records.Teacher` (``hours.online``, ``points`` …). It does not validate: the
caller runs pydantic on ``row.data``; this module only turns cell text into the right shapes
(numbers, booleans, ISO dates, point lists) and reports cells it cannot read.

* Empty cells are left out, so a missing value stays missing (never 0).
* Text that is not a number in a numeric column (``五十``) is kept as the string and reported
  as a :class:`~ict2rules.errors.Problem` on that row.
* Columns whose header is not known are kept under ``attributes`` keyed by the header text.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "r.csv"
>>> _ = p.write_text("工号,姓名,线上学时,能力点\\nT1,张三,50,A1;B2:85\\n", encoding="utf-8")
>>> row = read_roster(p)[0]
>>> row.row, row.data["hours"], row.data["points"]
(2, {'online': 50}, [{'code': 'A1'}, {'code': 'B2', 'score': 85}])
>>> row.columns["hours.online"]
'线上学时'
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as dt
import io
import itertools
import json
import os
import re
import stat
import typing
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import IO, Any, Literal

from ..errors import InputError, Problem, did_you_mean, unwrap_optional
from .catalog import CATALOG
from .paths import field_types
from .records import EvidenceItem, PointRecord, Teacher, date_from_text
from .textio import SAMPLE_BYTES, detect_encoding, encoding_name

__all__ = [
    "DEFAULT_COLUMNS",
    "MAX_ROW_CHARS",
    "RosterRow",
    "iter_roster",
    "load_mapping",
    "read_roster",
    "roster_table",
    "write_roster",
]

#: A CSV row or JSON line longer than this (in characters) is reported, not read.
MAX_ROW_CHARS = 1 << 20
_SAMPLE_BYTES = SAMPLE_BYTES  # the encoding is decided on this much (textio)
_HEADER_SCAN_ROWS = 20
_CODE = "roster"

#: Mapping value meaning "ignore this column".
IGNORE = "-"

#: Header text → record field path. Headers are matched after NFKC normalisation (full-width →
#: half-width), case-folding and removing spaces, ``_``, ``-`` and ``*``; a trailing unit in
#: brackets (``线上学时(小时)``) is ignored. A field path itself (``hours.online``) is always
#: accepted as a header, and so are numbered point columns (``能力点1``, ``能力点1成绩`` …).
DEFAULT_COLUMNS: dict[str, str] = {
    # identity
    "工号": "id",
    "教师编号": "id",
    "教师ID": "id",
    "教师工号": "id",
    "id": "id",
    "teacher id": "id",
    # national id and login: the teacher's id only when the roster has no 工号 column
    "身份证号": "id",
    "身份证号码": "id",
    "证件号码": "id",
    "身份证": "id",
    "用户名": "id",
    "账号": "id",
    "姓名": "name",
    "教师姓名": "name",
    "name": "name",
    "学校": "school_id",
    "学校编号": "school_id",
    "学校代码": "school_id",
    "所在学校": "school_id",
    "学校名称": "school_id",
    "单位": "school_id",
    "单位名称": "school_id",
    "工作单位": "school_id",
    "所在单位": "school_id",
    "任职学校": "school_id",
    "school": "school_id",
    "school id": "school_id",
    "school name": "school_id",
    "所属区县": "attributes.county",
    "区县": "attributes.county",
    "县区": "attributes.county",
    "所在区县": "attributes.county",
    "county": "attributes.county",
    "district": "attributes.county",
    # facts exports carry that no bundled rule reads: kept as attributes, no warning
    **{h: f"attributes.{h}" for h in (
        "备注", "性别", "民族", "出生日期", "联系电话", "手机", "手机号", "手机号码", "职称",
        "职务", "学段", "年级", "任教年级", "学历", "政治面貌", "教龄",
    )},
    "序号": IGNORE,
    "no.": IGNORE,
    "学科": "subject",
    "任教学科": "subject",
    "subject": "subject",
    "工作坊": "workshop",
    "所在工作坊": "workshop",
    "所属工作坊": "workshop",
    "坊别": "workshop",
    "workshop": "workshop",
    "学科组": "subject_group",
    "教研组": "subject_group",
    "所在教研组": "subject_group",
    "所属教研组": "subject_group",
    "学科教研组": "subject_group",
    "研修小组": "subject_group",
    "subject group": "subject_group",
    "是否参训": "enrolled",
    "参训": "enrolled",
    "enrolled": "enrolled",
    # hours
    "总学时": "hours.stated_total",
    "学时合计": "hours.stated_total",
    "合计学时": "hours.stated_total",
    "总计学时": "hours.stated_total",
    "获得学时": "hours.stated_total",
    "total hours": "hours.stated_total",
    "线上学时": "hours.online",
    "线上": "hours.online",
    "网络研修学时": "hours.online",
    "线上研修学时": "hours.online",
    "online hours": "hours.online",
    "线下学时": "hours.offline",
    "线下": "hours.offline",
    "实践学时": "hours.offline",
    "校本研修学时": "hours.offline",
    "校本实践学时": "hours.offline",
    "实践应用学时": "hours.offline",
    "offline hours": "hours.offline",
    "课堂实录学时": "hours.practice.lesson",
    "lesson hours": "hours.practice.lesson",
    "认证学时": "hours.practice.certification",
    "能力点认证学时": "hours.practice.certification",
    "certification hours": "hours.practice.certification",
    "过程性资料学时": "hours.practice.process",
    "process hours": "hours.practice.process",
    # points
    "能力点": "points",
    "微能力点": "points",
    "所选能力点": "points",
    "考核能力点": "points",
    "points": "points",
    # counts
    "上传课例数": "lessons_uploaded",
    "课例数": "lessons_uploaded",
    "lessons uploaded": "lessons_uploaded",
    "评课数": "lessons_reviewed",
    "评课次数": "lessons_reviewed",
    "lessons reviewed": "lessons_reviewed",
    "互评数": "peer_reviews_given",
    "互评次数": "peer_reviews_given",
    "peer reviews given": "peer_reviews_given",
    "成果案例数": "result_cases",
    "案例数": "result_cases",
    "result cases": "result_cases",
    # scores
    "互评成绩": "peer_score",
    "互评分数": "peer_score",
    "peer score": "peer_score",
    "学校评价成绩": "school_score",
    "学校评价": "school_score",
    "校评成绩": "school_score",
    "school score": "school_score",
    "成绩": "score",
    "最终成绩": "score",
    "考核成绩": "score",
    "总成绩": "score",
    "score": "score",
    "考核结果": "grade",
    "考核等级": "grade",
    "等级": "grade",
    "综合等级": "grade",
    "最终等级": "grade",
    "评价等级": "grade",
    "grade": "grade",
    "result": "grade",
    # dates
    "考核日期": "assessed_on",
    "考核时间": "assessed_on",
    "assessed on": "assessed_on",
    "申报日期": "declared_on",
    "个人申报日期": "declared_on",
    "declared on": "declared_on",
    "互评日期": "peer_reviewed_on",
    "组内互评日期": "peer_reviewed_on",
    "peer reviewed on": "peer_reviewed_on",
    "学校评价日期": "school_reviewed_on",
    "school reviewed on": "school_reviewed_on",
    "完成日期": "completed_on",
    "完成时间": "completed_on",
    "结业日期": "completed_on",
    "completed on": "completed_on",
}

# value kinds
_STR, _NUM, _INT, _BOOL, _DATE, _POINTS, _AUTO, _SKIP, _ID, _DOC = (
    "str", "num", "int", "bool", "date", "points", "auto", "skip", "id", "document"
)


def _cell_kind(tp: Any) -> str | None:
    """How a cell is read for a field of type ``tp``; None when no single cell holds one."""
    if tp is bool:  # before int: a bool is an int
        return _BOOL
    if tp is int:
        return _INT
    if tp is float:
        return _NUM
    if tp is dt.date:
        return _DATE
    if tp is str or (typing.get_origin(tp) is Literal and all(isinstance(a, str) for a in typing.get_args(tp))):
        return _STR
    return None


def _cell_kinds(model: Any, own: dict[str, str]) -> dict[str, str]:
    """The cells of ``model``'s fields by path, read as the model declares them (``Hours``: a
    number, ``Count``: a whole number, ``Date``, ``bool``, text and closed sets of words), and
    the cells in ``own`` that are read their own way."""
    kinds = {path: kind for path, tp in field_types(model).items() if (kind := _cell_kind(tp))}
    return {**kinds, **own}


def _keyed_kinds(model: Any) -> dict[str, str]:
    """Fields that map part names to values (``hours.practice``): each part's cell kind."""
    out = {}
    for path, tp in field_types(model).items():
        if typing.get_origin(tp) is dict:
            kind = _cell_kind(unwrap_optional(typing.get_args(tp)[1]))
            if kind is not None:
                out[path] = kind
    return out


# Roster cells are read as the record models declare their fields: a field added to a model is
# a column at once. Named here are only the cells read their own way: the teacher's id, the
# points in one cell, a point's 证据 cell (was evidence handed in at all).
_EVIDENCE = "evidence"
_FIELD_KINDS = _cell_kinds(Teacher, {"id": _ID, "points": _POINTS})
_KEYED_KINDS = _keyed_kinds(Teacher)  # hours.practice.NAME: a number of hours
_POINT_PART_KINDS = _cell_kinds(PointRecord, {"evidence": _EVIDENCE})
_ITEM_PART_KINDS = _cell_kinds(EvidenceItem, {})
_POINT_PART_WORDS = {
    "": "code", "编号": "code", "代码": "code", "名称": "code", "code": "code",
    "等级": "grade", "考核等级": "grade", "考核结果": "grade", "结果": "grade", "grade": "grade",
    "成绩": "score", "得分": "score", "分数": "score", "score": "score",
    "认证级别": "level", "级别": "level", "认证层级": "level", "level": "level",
    "互评成绩": "peer_score", "互评": "peer_score", "peerscore": "peer_score",
    "学校评价成绩": "school_score", "学校评价": "school_score", "schoolscore": "school_score",
    "认证日期": "certified_on", "认证时间": "certified_on", "certifiedon": "certified_on",
    "校内等级": "school_grade", "校内考核等级": "school_grade", "schoolgrade": "school_grade",
    "成果提交日期": "result_filed_on", "研修成果提交日期": "result_filed_on",
    "resultfiledon": "result_filed_on",
    "证据": "evidence", "是否提交证据": "evidence", "证据已提交": "evidence",
    "证据提交": "evidence", "evidence": "evidence",
    "证据有效": "evidence.judged_valid", "证据是否有效": "evidence.judged_valid",
    "证据有效性": "evidence.judged_valid", "evidencevalid": "evidence.judged_valid",
    "证据等级": "evidence.grade", "evidencegrade": "evidence.grade",
    "本人影像": "evidence.shows_teacher", "包含本人影像": "evidence.shows_teacher",
    "证据含本人影像": "evidence.shows_teacher", "showsteacher": "evidence.shows_teacher",
    "本人制作": "evidence.own_work", "证据本人制作": "evidence.own_work",
    "ownwork": "evidence.own_work",
}
_ITEM_PART_WORDS = {
    "": "name", "名称": "name", "name": "name",
    "等级": "grade", "grade": "grade",
    "有效": "valid", "是否有效": "valid", "valid": "valid",
}
_NUMBERED_POINT = re.compile(r"^(?:微?能力点|point)(\d{1,2})(.*)$")
_NUMBERED_ITEM = re.compile(r"^(?:证据|evidence)(\d{1,2})(.*)$")
_PART_NAME = re.compile(r"^[a-z][a-z0-9_]*$")  # a part of hours.practice
_POINT_PATH = re.compile(r"^points\.(\d{1,2})\.([a-z_.]+?)(?:\.items\.(\d{1,2})\.([a-z]+))?$")



# --------------------------------------------------------------------------- public types


@dataclass(frozen=True)
class RosterRow:
    """One data row of a roster: where it is, the teacher dict, and which column fed each field.

    ``row`` is the row number a person sees (header = row 1 in CSV/XLSX; the line number in JSON
    Lines). ``columns`` maps a field path (``"hours.online"``, ``"points.0.score"``,
    ``"attributes.备注"``) to the header text of its column; treat it as read-only, rows share it.
    ``problems`` lists cells of this row that could not be read (empty when the row is fine).
    ``kind`` is ``"teacher"`` for a data row; ``"skipped"`` for a row that is not a teacher
    (合计, 注, a repeated header) and ``"note"`` for a remark about the file (an unknown column,
    a hidden sheet not read, blank rows): their ``notes`` say why, as warnings to show with the
    report, never as errors.

    >>> r = RosterRow("a.csv", 3, {"id": "T1"}, {"id": "工号", "points": "能力点"})
    >>> r.column_for(("points", 1, "code"))
    '能力点'
    """

    file: str
    row: int
    data: dict[str, Any]
    columns: dict[str, str]
    problems: tuple[Problem, ...] = ()
    kind: str = "teacher"
    notes: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        """True when nothing in this row was unreadable."""
        return not self.problems

    def column_for(self, loc: Sequence[str | int]) -> str | None:
        """Header of the column behind a pydantic error location, or None (longest prefix wins).

        >>> RosterRow("a.csv", 2, {}, {"hours.online": "线上学时"}).column_for(["hours", "online"])
        '线上学时'
        """
        parts = [str(p) for p in loc]
        while parts:
            header = self.columns.get(".".join(parts))
            if header is not None:
                return header
            parts.pop()
        return None


def iter_roster(
    path: str | os.PathLike[str], *, mapping: dict[str, str] | None = None,
    points: str | os.PathLike[str] | None = None, sheet: str | None = None,
) -> Iterator[RosterRow]:
    """Yield the rows of a CSV, XLSX or JSON Lines roster one by one, without reading it all.

    The format comes from the content (an XLSX is a zip; a file whose first character is ``{``
    is JSON Lines) and then the suffix. Problems with one row are attached to that row's
    ``problems``; problems with the file as a whole (missing, a directory, empty, binary, an
    unknown encoding, a duplicate header) raise one :class:`InputError` when iteration reaches
    them. ``mapping`` (header → field path, see :data:`DEFAULT_COLUMNS`) adds to and overrides
    the default headers; map a header to ``"-"`` to ignore its column.

    Every visible sheet of a workbook is read (``sheet`` names one); a sheet named for points
    (能力点 …) holds the long shape, one row per teacher × point, joined to the teachers by id.
    ``points`` names a file of that shape for a CSV roster. Rows that are not teachers come
    with ``kind`` ``"skipped"`` or ``"note"`` (see :class:`RosterRow`).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.jsonl"
    >>> _ = p.write_text('{"id": "T1"}\\n\\n{"id": "T2"}\\n', encoding="utf-8")
    >>> [(r.row, r.data["id"]) for r in iter_roster(p)]
    [(1, 'T1'), (3, 'T2')]
    """
    file_problems: list[Problem] = []
    for row in _rows(Path(path), _build_table(mapping), file_problems, points, sheet):
        if file_problems:
            raise InputError(list(file_problems))
        yield row
    if file_problems:
        raise InputError(list(file_problems))


def _rows(path: Path, table: dict[str, str], file_problems: list[Problem],
          points: str | os.PathLike[str] | None, sheet: str | None) -> Iterator[RosterRow]:
    if points is None:
        yield from _read(path, table, file_problems, sheet=sheet)
        return
    found: _LongPoints = {}
    yield from _long_points(_read(Path(points), table, file_problems, long=True), found)
    yield from _read(path, table, file_problems, points=found, sheet=sheet)
    yield from _unjoined(found)


def read_roster(
    path: str | os.PathLike[str], *, mapping: dict[str, str] | None = None,
    points: str | os.PathLike[str] | None = None, sheet: str | None = None,
) -> list[RosterRow]:
    """Read a whole roster; raise ONE :class:`InputError` listing every problem of every row.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.csv"
    >>> _ = p.write_text("工号,线上学时\\nT1,五十\\nT2,50\\nT3,x\\n", encoding="utf-8")
    >>> try:
    ...     read_roster(p)
    ... except InputError as err:
    ...     [(q.line, q.field) for q in err.problems]
    [(2, '线上学时'), (4, '线上学时')]
    """
    file_problems: list[Problem] = []
    rows: list[RosterRow] = []
    row_problems: list[Problem] = []
    try:
        for row in _rows(Path(path), _build_table(mapping), file_problems, points, sheet):
            rows.append(row)
            row_problems.extend(row.problems)
    except InputError as err:
        row_problems.extend(err.problems)
    if file_problems or row_problems:
        raise InputError([*file_problems, *row_problems])
    return rows


def load_mapping(path: str | os.PathLike[str]) -> dict[str, str]:
    """Load a header → field-path mapping from a small YAML (or JSON) file.

    The file is either a plain mapping or has the mapping under ``columns:``::

        columns:
          教师姓名: name
          研修网学时: hours.online
          备注: attributes.note
          序号: "-"          # ignore this column

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "m.yaml"
    >>> _ = p.write_text("columns:\\n  研修网学时: hours.online\\n", encoding="utf-8")
    >>> load_mapping(p)
    {'研修网学时': 'hours.online'}
    """
    from .yamlsafe import load_file

    file = str(path)
    data, where = load_file(path)
    prefix: tuple[str, ...] = ()
    if isinstance(data, dict) and set(data) == {"columns"} and isinstance(data["columns"], dict):
        data, prefix = data["columns"], ("columns",)
    if not isinstance(data, dict):
        raise InputError.single(
            file,
            "列映射文件应是“表头: 字段”的映射",
            "a column mapping file must be a mapping of header: field",
            line=1,
        )
    problems: list[Problem] = []
    result: dict[str, str] = {}
    for key, value in data.items():
        line, column = where.find((*prefix, key)) or (None, None)
        if not isinstance(value, str) or not isinstance(key, (str, int)):
            problems.append(
                Problem(file, "表头和字段都应是文本", "both header and field must be text",
                        line=line, column=column, field=str(key), code=_CODE)
            )
            continue
        problem = _check_target(value)
        if problem:
            problems.append(Problem(file, problem[0], problem[1], line=line, column=column,
                                    field=str(key), code=_CODE))
            continue
        result[str(key)] = value.strip()
    if problems:
        raise InputError(problems)
    return result


# --------------------------------------------------------------------------- headers


def _norm(header: str) -> str:
    text = unicodedata.normalize("NFKC", header).casefold()
    return re.sub(r"[\s_\-*:]+", "", text)


def _check_target(target: str) -> tuple[str, str] | None:
    if _kind_of(target.strip()) is None:
        return (
            f"未知的字段 {target!r}",
            f"unknown field {target!r} (use a field such as hours.online, attributes.NAME or -)",
        )
    return None


def _kind_of(path: str) -> str | None:
    if path == IGNORE:
        return _SKIP
    if path in _FIELD_KINDS:
        return _FIELD_KINDS[path]
    parent, _, name = path.rpartition(".")
    if parent in _KEYED_KINDS and _PART_NAME.match(name):
        return _KEYED_KINDS[parent]
    if path.startswith("attributes.") and len(path) > len("attributes."):
        return _AUTO
    if path.startswith(_DOC_PATH) and len(path) > len(_DOC_PATH):
        return _DOC
    m = _POINT_PATH.match(path)
    if m and m.group(3) is not None:
        return _ITEM_PART_KINDS.get(m.group(4)) if m.group(2) == "evidence" else None
    if m and m.group(2) in _POINT_PART_KINDS:
        return _POINT_PART_KINDS[m.group(2)]
    return None


def _build_table(mapping: dict[str, str] | None) -> dict[str, str]:
    # a field path is a header too: each field's, and each part the default columns name
    paths = [*_FIELD_KINDS, *(p for p in DEFAULT_COLUMNS.values() if p.rpartition(".")[0] in _KEYED_KINDS)]
    table = {_norm(path): path for path in paths}
    table.update({_norm(h): p for h, p in DEFAULT_COLUMNS.items()})
    problems: list[Problem] = []
    for header, target in (mapping or {}).items():
        problem = _check_target(target)
        if problem:
            problems.append(Problem("<mapping>", problem[0], problem[1], field=header, code=_CODE))
        else:
            table[_norm(header)] = target.strip()
    if problems:
        raise InputError(problems)
    return table


#: A teacher's document as a column: ``文件:任务清单`` (材料: / document: too), its cell the date
#: the document was filed; ``否``/``无`` or blank: not filed. (Rosters have no list cells, so
#: each document a ruleset asks of teachers gets a column of its own.)
_DOC_HEADER = re.compile(r"^\s*(?:文件|材料|document)\s*[:：]\s*(\S.*?)\s*$", re.IGNORECASE)
_DOC_PATH = "documents:"


def document_header(title: str) -> str:
    """The roster header of a teacher's document.

    >>> document_header("任务清单")
    '文件:任务清单'
    """
    return f"文件:{title}"


def _resolve(header: str, table: dict[str, str]) -> str | None:
    """Field path for a header text, or None when the header is not known."""
    key = _norm(header)
    if not key:
        return None
    if key in table:  # the user's mapping first: it may map or ignore a document column too
        return table[key]
    doc = _DOC_HEADER.match(unicodedata.normalize("NFKC", header))
    if doc:
        return _DOC_PATH + doc.group(1)
    bare = re.sub(r"\([^()]*\)$", "", key)
    if bare in table:
        return table[bare]
    m = _NUMBERED_POINT.match(bare)
    if m and int(m.group(1)) >= 1:
        return _point_part(int(m.group(1)) - 1, m.group(2))
    return None


def _point_part(index: int, rest: str) -> str | None:
    """``points.N.PART`` for the header text after ``能力点N`` (``等级``, ``证据2有效`` …)."""
    if rest in _POINT_PART_WORDS:
        return f"points.{index}.{_POINT_PART_WORDS[rest]}"
    m = _NUMBERED_ITEM.match(rest)
    if m and int(m.group(1)) >= 1 and m.group(2) in _ITEM_PART_WORDS:
        return f"points.{index}.evidence.items.{int(m.group(1)) - 1}.{_ITEM_PART_WORDS[m.group(2)]}"
    return None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() if value is not None else ""


@dataclass
class _Column:
    index: int
    header: str
    path: str | None  # None: blank header
    kind: str


@dataclass
class _Layout:
    columns: list[_Column]
    fields: dict[str, str]  # field path → header (RosterRow.columns)
    numbered_points: bool
    headers: list[str]  # the header text of every column (to spot a repeated header row)
    notes: list[Problem]  # warnings about the header: unknown columns, columns not read

    @cached_property
    def id_index(self) -> int | None:
        return next((c.index for c in self.columns if c.path == "id" and c.kind != _SKIP), None)


_SHOWN = {_norm(h): h for h in DEFAULT_COLUMNS}  # a normalised header as people write it

#: Headers that give the id only when no 工号 / 教师编号 column is there (else kept as attributes).
_SECONDARY_IDS = {_norm(h) for h in ("身份证号", "身份证号码", "证件号码", "身份证", "用户名", "账号")}
_POINT_PREFIX = re.compile(r"^(?:微?能力点|point)")


def _is_header(cells: Sequence[Any], table: dict[str, str]) -> int:
    """How many cells of a row are known headers (0 when the row is not a header)."""
    filled = [c for c in cells if not _blank(c)]
    known = sum(1 for c in filled if _resolve(_header_text(c), table))
    return known if known >= min(2, len(filled)) else 0


def _long_path(header: str, table: dict[str, str]) -> str | None:
    """The point part a column of a points sheet gives (``grade``, ``evidence.judged_valid``),
    ``id`` for the teacher's id, or None."""
    if _resolve(header, table) == "id":
        return "id"
    key = re.sub(r"\([^()]*\)$", "", _norm(header))
    path = _point_part(0, _POINT_PREFIX.sub("", key))
    return path[len("points.0."):] if path else None


def _unknown_note(file: str, row: int, index: int, header: str, table: dict[str, str]) -> Problem:
    hint = did_you_mean(_norm(header), table)
    guess = f"{_SHOWN.get(hint, hint)}({table[hint]})" if hint else None
    return Problem(
        file,
        f"未识别的列“{header}”,其值作为 attributes.{header} 保留"
        + (f";是否应为 {guess}?" if guess else "(可用 --columns 指定它对应的字段)"),
        f"unknown column {header!r}, kept as attributes.{header}"
        + (f"; did you mean {guess}?" if guess else " (map it to a field with --columns)"),
        line=row, column=index + 1, field=header, code="unknown_column",
    )


def _layout(
    file: str, row: int, cells: Sequence[Any], table: dict[str, str], problems: list[Problem],
    *, long: bool = False,
) -> _Layout:
    columns: list[_Column] = []
    fields: dict[str, str] = {}
    seen: dict[str, str] = {}
    notes: list[Problem] = []
    headers = [_header_text(c) for c in cells]
    primary_id = any(
        _resolve(h, table) == "id" and _norm(h) not in _SECONDARY_IDS for h in headers if h
    )
    unread: list[str] = []
    for index, header in enumerate(headers):
        if not header:
            columns.append(_Column(index, "", None, _SKIP))
            continue
        if long:
            part = _long_path(header, table)
            path = part if part in (None, "id") else f"points.0.{part}"
            kind = _kind_of(path) if path else None
            if kind is None:
                unread.append(header)
                columns.append(_Column(index, header, IGNORE, _SKIP))  # said once, below
                continue
        else:
            path = _resolve(header, table)
            if path is None and header.startswith("attributes.") and len(header) > 11:
                path = header
            if path == "id" and primary_id and _norm(header) in _SECONDARY_IDS:
                path = None  # 身份证号 beside 工号: a fact about the teacher, not the id
            elif path is None and not header.startswith("attributes."):
                notes.append(_unknown_note(file, row, index, header, table))
            path = path or f"attributes.{header}"
            kind = _kind_of(path) or _AUTO
        assert path is not None
        if kind == _SKIP:
            columns.append(_Column(index, header, path, _SKIP))
            continue
        repeatable = path == "points"
        if path in seen and not repeatable:
            problems.append(
                Problem(
                    file,
                    f"表头重复:与列“{seen[path]}”都对应字段 {path}",
                    f"duplicate header: this column and {seen[path]!r} both give {path}",
                    line=row, column=index + 1, field=header, code=_CODE,
                )
            )
            columns.append(_Column(index, header, path, _SKIP))
            continue
        seen[path] = header
        fields.setdefault(path, header)
        columns.append(_Column(index, header, path, kind))
    if long:
        if "id" not in seen or "points.0.code" not in seen:
            problems.append(
                Problem(file, "能力点表需要教师编号列(工号)和能力点列",
                        "a points sheet needs a teacher id column (工号) and a point column",
                        line=row, code=_CODE)
            )
        if unread:
            notes.append(
                Problem(file, f"能力点表中这些列未读取:{'、'.join(unread)}",
                        f"these columns of the points sheet are not read: {', '.join(unread)}",
                        line=row, code="unknown_column")
            )
    numbered = any(p.startswith("points.") for p in fields)
    clash = [c for c in columns if c.path == "points" and c.kind != _SKIP]
    if numbered and clash:
        for c in clash:
            problems.append(
                Problem(
                    file,
                    "同时有“能力点”列和“能力点1、能力点2…”列,只能用一种",
                    "a points column and numbered point columns (能力点1 …) cannot be mixed",
                    line=row, column=c.index + 1, field=c.header, code=_CODE,
                )
            )
            c.kind = _SKIP
    return _Layout(columns, fields, numbered, headers, notes)


# --------------------------------------------------------------------------- cell values

_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_UNITS = re.compile(r"(?:学时|小时|课时|分钟|分|个|次|节|篇|份|h|hours?|pts?)$")
_AUTO_NUMBER = re.compile(r"^[+-]?(?:0|[1-9]\d*)(?:\.\d+)?$")
_TRUE = {"是", "true", "yes", "y", "1", "√", "✓", "✔", "参训", "已参训", "t"}
_FALSE = {"否", "false", "no", "n", "0", "×", "✗", "✘", "未参训", "不参训", "f"}
_POINT_ITEMS = re.compile(r"[;,、|/\n\r]+")
_NO_POINTS = {"无", "没有", "none"}  # a teacher who chose no point (not: not known)
_CODE_ONLY = re.compile(r"^[A-Za-z]\d{1,2}$")
_CODE_PREFIX = re.compile(r"^([A-Za-z]\d{1,2})(?![0-9])\s*[^\s:]")
_CODES_BY_SPACE = re.compile(r"^[A-Za-z]\d{1,2}(?:\s+[A-Za-z]\d{1,2})+$")
_POINT_BY_NAME = {p.zh: code for code, p in CATALOG.points.items()}


class _Bad(Exception):
    """A cell that cannot be read; args are (zh, en)."""


_MAX_DIGITS = 40


def _clip(value: Any, size: int = 40) -> str:
    text = str(value).strip()
    return text if len(text) <= size else text[:size] + "…"


_SCIENTIFIC = re.compile(r"^[+-]?\d(?:\.\d+)?e\+?\d+$", re.IGNORECASE)
_ID_HINT = (
    "Excel 把编号当作数字保存,已丢失位数;请把该列设为“文本”格式后重新输入编号(或从平台重新导出)",
    "Excel stored the id as a number and lost digits; format the column as Text and enter the "
    "ids again (or export again from the platform)",
)


def _id(value: Any) -> str:
    """An id is text. A number Excel made of a long id (6.32323E+17) cannot be read back."""
    if isinstance(value, bool):
        raise _Bad("编号不能是真假值", "an id cannot be true/false")
    if isinstance(value, float) and not value.is_integer():
        raise _Bad(f"编号不应是小数:{value!r}", f"an id should not be a decimal: {value!r}")
    if isinstance(value, (int, float)):
        number = int(value)
        if abs(number) >= 10**15:  # past Excel's 15 significant digits
            raise _Bad(f"编号 {value!r} 是数字:{_ID_HINT[0]}", f"id {value!r} is a number: {_ID_HINT[1]}")
        return str(number)
    text = str(value).strip()
    if _SCIENTIFIC.match(text.replace(" ", "")):
        raise _Bad(f"编号 {text!r} 是科学计数法:{_ID_HINT[0]}",
                   f"id {text!r} is in scientific notation: {_ID_HINT[1]}")
    return text


def _text(value: Any) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip()


def _number(value: Any, whole: bool) -> int | float:
    if isinstance(value, bool):
        raise _Bad("应为数字,不是真假值", "expected a number, not true/false")
    if isinstance(value, (int, float)):
        number: int | float = value
    else:
        text = _text(value).casefold().replace(" ", "")
        text = _UNITS.sub("", text)
        if _GROUPED.match(text):
            text = text.replace(",", "")
        if not _NUMBER.match(text):
            raise _Bad(f"不是数字:{_clip(value)!r}", f"not a number: {_clip(value)!r}")
        if len(text) > _MAX_DIGITS:  # int() refuses 4300+ digits; no count or score is that long
            raise _Bad(f"数字过长({len(text)} 位)", f"number too long ({len(text)} digits)")
        number = float(text) if "." in text else int(text)
    if whole and isinstance(number, float):
        if not number.is_integer():
            raise _Bad(f"应为整数:{value!r}", f"expected a whole number: {value!r}")
        number = int(number)
    return number


def _date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = _header_text(value)  # 20230920 typed as a number
    else:
        text = str(value)
    try:
        found = date_from_text(text)  # the parse a YAML plan's dates go through too
    except ValueError:
        raise _Bad(f"日期不存在:{str(value).strip()!r}",
                   f"no such date: {str(value).strip()!r}") from None
    if found is None:
        raise _Bad(f"不是日期:{str(value).strip()!r}(应如 2023-09-20)",
                   f"not a date: {str(value).strip()!r} (write it like 2023-09-20)")
    return found.isoformat()


def _document_date(value: Any) -> str | None:
    """A document column's cell: the filing date, or None for 否 / 无 (not filed)."""
    if isinstance(value, str) and value.strip().casefold() in _NOT_FILED:
        return None
    try:
        return _date(value)
    except _Bad as bad:  # 是 / ✓: the date is what the rules read
        raise _Bad(f"{bad.args[0]};文件列填写提交日期,未提交填“否”或留空",
                   f"{bad.args[1]}; a document column gives the filing date (否 or blank: not filed)",
                   ) from None


_NOT_FILED = {"否", "无", "没有", "未提交", "no", "none"}


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = _text(value).casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _Bad(f"应为“是”或“否”:{str(value).strip()!r}",
               f"expected yes/no (是/否, true/false, 1/0): {str(value).strip()!r}")


def _string(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value).strip()


def _auto(value: Any) -> Any:
    if isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    text = str(value).strip()
    if _AUTO_NUMBER.match(text) and len(text) <= 15:  # longer: an id number, kept as text
        return float(text) if "." in text else int(text)
    return text


def _point_code(text: str) -> str:
    if _CODE_ONLY.match(text):
        return text.upper()
    m = _CODE_PREFIX.match(text)
    if m:
        return m.group(1).upper()
    return _POINT_BY_NAME.get(text, text)


def _points(value: Any) -> list[dict[str, Any]]:
    """``"A1;B2,C3"``, ``"A1、B2"``, ``"A1:92;B2:85"`` → ``[{"code": "A1", "score": 92}, …]``."""
    text = _text(value)
    if text.casefold() in _NO_POINTS:
        return []
    items: list[str] = []
    for item in _POINT_ITEMS.split(text):
        item = item.strip()
        if _CODES_BY_SPACE.match(item):
            items.extend(item.split())
        elif item:
            items.append(item)
    points: list[dict[str, Any]] = []
    for item in items:
        code_text, _, score_text = item.partition(":")
        point: dict[str, Any] = {"code": _point_code(code_text.strip())}
        if _GRADE_WORD.match(score_text.strip()):  # A1:优秀
            point["grade"] = score_text.strip()
        elif score_text.strip():
            try:
                point["score"] = _number(score_text, whole=False)
            except _Bad as bad:
                raise _Bad(f"能力点 {point['code']} 的成绩{bad.args[0]}",
                           f"score of point {point['code']}: {bad.args[1]}") from None
        points.append(point)
    return points


_GRADE_WORD = re.compile(r"^(?:优秀|优|良好|良|合格|及格|不合格|不及格|通过|未通过)$")
_YES_EVIDENCE = {"已上传", "已提交", "有", "已交"}
_NO_EVIDENCE = {"未上传", "未提交", "无", "没有", "未交"}


def _evidence(value: Any) -> bool:
    """Whether a point's evidence was handed in: 是/否, 已上传/未上传, 有/无 …"""
    text = _text(value).casefold() if isinstance(value, str) else None
    if text in _YES_EVIDENCE:
        return True
    if text in _NO_EVIDENCE:
        return False
    return _bool(value)


_CONVERT = {
    _ID: _id,
    _EVIDENCE: _evidence,
    _STR: _string,
    _NUM: lambda v: _number(v, whole=False),
    _INT: lambda v: _number(v, whole=True),
    _BOOL: _bool,
    _DATE: _date,
    _POINTS: _points,
    _AUTO: _auto,
    _DOC: _document_date,
}


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    if path.startswith("attributes."):
        data.setdefault("attributes", {})[path[len("attributes."):]] = value
        return
    *parents, last = path.split(".")
    node = data
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


# --------------------------------------------------------------------------- rows → records

# A raw row: (row number, cells or None when unreadable, problems found while reading it).
_Raw = tuple[int, "list[Any] | None", list[Problem]]


def _convert_row(file: str, number: int, cells: list[Any], layout: _Layout) -> RosterRow:
    data: dict[str, Any] = {}
    problems: list[Problem] = []
    numbered: dict[int, dict[str, Any]] = {}
    for column in layout.columns:
        if column.index >= len(cells):
            break
        value = cells[column.index]
        if _blank(value) or column.kind == _SKIP:
            if column.path is None and not _blank(value):
                problems.append(
                    Problem(file, "此列没有表头,值被忽略",
                            "this column has no header; value ignored",
                            line=number, column=column.index + 1, code=_CODE)
                )
            continue
        assert column.path is not None
        if isinstance(value, _Formula):
            problems.append(
                Problem(file, f"公式 {_clip(value)} 没有保存计算结果;"
                        "请在 Excel 中打开后保存,或复制后“粘贴为数值”",
                        f"the formula {_clip(value)} has no saved value (field {column.path}); "
                        "open and save the file in Excel, or paste the values",
                        line=number, column=column.index + 1, field=column.header, code=_CODE)
            )
            continue
        try:
            converted = _CONVERT[column.kind](value)
        except _Bad as bad:
            problems.append(
                Problem(file, bad.args[0],  # the column's header names the field for people
                        f"{bad.args[1]} (field {column.path})",
                        line=number, column=column.index + 1, field=column.header, code=_CODE)
            )
            converted = value.strip() if isinstance(value, str) else value
        if column.kind == _DOC:
            if converted is not None:  # 否 / 无: not filed, no document
                title = column.path[len(_DOC_PATH):]
                data.setdefault("documents", []).append({"name": title, "filed_on": converted})
        elif column.path == "points":
            if not isinstance(converted, list):
                converted = [converted]
            data.setdefault("points", []).extend(converted)
        elif column.path.startswith("points."):
            _, index, part = column.path.split(".", 2)
            part = _HANDED_IN if part == "evidence" else part
            _put(numbered.setdefault(int(index), {}), part, converted)
        else:
            _put(data, column.path, converted)
    extra = [i for i in range(len(layout.columns), len(cells)) if not _blank(cells[i])]
    if extra:
        problems.append(
            Problem(file, f"此行比表头多出 {len(cells) - len(layout.columns)} 个单元格",
                    f"this row has more cells than the header has columns ({len(cells)} > "
                    f"{len(layout.columns)})",
                    line=number, column=extra[0] + 1, code=_CODE)
        )
    columns = layout.fields
    if numbered:
        order = sorted(numbered)
        data["points"] = [_finish_point(numbered[k], file, number, problems) for k in order]
        if order != list(range(len(order))):
            # 能力点1 left empty: the list is compacted, so re-point the field paths at columns
            columns = {k: v for k, v in layout.fields.items() if not k.startswith("points.")}
            for new, old in enumerate(order):
                for path, header in layout.fields.items():
                    if path.startswith(f"points.{old}."):
                        columns[f"points.{new}." + path[len(f"points.{old}."):]] = header
    return RosterRow(file, number, data, columns, tuple(problems))


_HANDED_IN = "\0evidence"  # a 证据 yes/no cell, until the point is put together


def _finish_point(point: dict[str, Any], file: str, number: int,
                  problems: list[Problem]) -> dict[str, Any]:
    """A point's cells as a point: 证据 yes/no and the evidence columns, items as a list."""
    handed_in = point.pop(_HANDED_IN, None)
    evidence = point.get("evidence")
    if isinstance(evidence, dict) and isinstance(evidence.get("items"), dict):
        items = evidence["items"]
        evidence["items"] = [items[k] for k in sorted(items, key=int)]
    if handed_in is True:
        point.setdefault("evidence", {})
    elif handed_in is False and evidence:
        problems.append(
            Problem(file, f"能力点 {point.get('code', '?')} 写明未提交证据,却又给出了证据的评价",
                    f"point {point.get('code', '?')} says no evidence was handed in, yet its "
                    "evidence is judged", line=number, code=_CODE)
        )
    return point


_TOTAL_ROW = re.compile(r"^(?:合\s*计|小\s*计|总\s*计|共\s*计|总\s*数|平\s*均|汇\s*总|total|subtotal)",
                        re.IGNORECASE)
_NOTE_ROW = re.compile(
    r"^(?:注|备注|说明|附注|填表|制表|审核|填报|联系|负责人|校长|签字|签名|盖章|单位盖章|日期|打印|note)"
    r"\s*(?:[:：、.\d]|人|$)", re.IGNORECASE)


def _skip_reason(cells: list[Any], layout: _Layout) -> tuple[str, str] | None:
    """Why a row after the header is not a teacher (合计, 注, a repeated header), or None."""
    id_index = layout.id_index
    if id_index is not None and id_index < len(cells) and not _blank(cells[id_index]):
        text = _header_text(cells[id_index])  # the common case, decided by the id cell alone
        if (text != (layout.headers[id_index] if id_index < len(layout.headers) else None)
                and not _TOTAL_ROW.match(text) and not _NOTE_ROW.match(text)):
            return None
    texts = [_header_text(c) for c in cells]
    filled = [(i, t) for i, t in enumerate(texts) if t]
    if not filled:
        return None
    if texts[: len(layout.headers)] == layout.headers[: len(texts)] and len(filled) > 1:
        return "重复的表头行", "a repeated header row"
    first_index, first = filled[0]
    id_free = id_index is None or id_index >= len(texts) or not texts[id_index] \
        or id_index == first_index
    if not id_free:
        return None
    if _TOTAL_ROW.match(first):
        return f"合计/小计行(“{_clip(first, 20)}”)", f"a total row ({_clip(first, 20)!r})"
    if _NOTE_ROW.match(first) and len(filled) <= 3:
        return f"注释/签名行(“{_clip(first, 20)}”)", f"a note row ({_clip(first, 20)!r})"
    return None


def _two_row_header(first: list[Any], second: list[Any] | None,
                    table: dict[str, str]) -> list[Any] | None:
    """The header of a two-row (merged) header, or None when the second row is data.

    A merged cell is read only at its left (top) cell, so a blank in the first row takes the
    text to its left when the second row has text under it: 能力点1 | | → 能力点1编号, 能力点1等级.
    """
    if not second or all(_blank(c) for c in second):
        return None
    if any(not _blank(c) and not isinstance(c, str) for c in second):
        return None  # a number or a date: a data row
    if any(isinstance(c, str) and _AUTO_NUMBER.match(c.strip()) for c in second):
        return None
    id_cols = [i for i, c in enumerate(first) if not _blank(c)
               and _resolve(_header_text(c), table) == "id"]
    if any(i < len(second) and not _blank(second[i]) for i in id_cols):
        return None  # the id column has a value: a teacher
    width = max(len(first), len(second))
    combined: list[Any] = []
    parent = ""
    for i in range(width):
        top = _header_text(first[i]) if i < len(first) else ""
        below = _header_text(second[i]) if i < len(second) else ""
        if top:
            parent = top
        elif not below:
            parent = ""
        up = top or parent
        if not below:
            combined.append(up)
            continue
        choice = below
        for candidate in (up + below, below + up, below, up):
            if candidate and _resolve(candidate, table):
                choice = candidate
                break
        combined.append(choice)
    known = sum(1 for h in combined if h and _resolve(h, table))
    if known <= sum(1 for c in first if not _blank(c) and _resolve(_header_text(c), table)):
        return None
    return combined


#: The long shape: teacher id → the points a points sheet (or file) gives, as
#: (point, file, row, columns). Rows that could not be read come as RosterRows to yield.
_LongPoints = dict[str, list[tuple[dict[str, Any], str, int, dict[str, str]]]]


def _records(file: str, raw: Iterator[_Raw], table: dict[str, str],
             file_problems: list[Problem], *, long: bool = False,
             points: _LongPoints | None = None) -> Iterator[RosterRow]:
    """Find the header among the first rows, then convert every row after it.

    Rows that are not teachers (合计, 注, a repeated header, blank rows between teachers) come
    as ``kind="skipped"`` / ``"note"`` rows saying why. With ``points`` (the long shape), each
    teacher's points from the points sheet are added to it, and taken out of ``points``.
    """
    head = list(itertools.islice(raw, _HEADER_SCAN_ROWS))
    header_at = _pick_header(head, table)
    if header_at is None:
        for _, _, problems in head:
            file_problems.extend(problems)
        return
    for _, _, problems in head[: header_at + 1]:
        file_problems.extend(problems)
    number, cells, _ = head[header_at]
    assert cells is not None
    rest = head[header_at + 1 :]
    top = [_header_text(c) for c in cells]
    merged = _two_row_header(cells, rest[0][1] if rest else None, table)
    if merged is not None:
        file_problems.extend(rest[0][2])
        cells, rest = merged, rest[1:]
    layout = _layout(file, number, cells, table, file_problems, long=long)
    layout.headers = top  # a header repeated on a later page repeats its first row
    if layout.notes:
        yield RosterRow(file, number, {}, {}, (), "note", tuple(layout.notes))
    blank_from: int | None = None
    seen_data = False
    previous = number
    for number, cells, problems in itertools.chain(rest, raw):
        if seen_data and blank_from is None and number > previous + 1:
            blank_from = previous + 1  # a sheet leaves blank rows out of its XML
        previous = number
        if cells is None or all(_blank(c) for c in cells):
            if problems:
                yield RosterRow(file, number, {}, layout.fields, tuple(problems))
            elif seen_data and blank_from is None:
                blank_from = number
            continue
        if blank_from is not None:
            span = f"{blank_from}" if blank_from == number - 1 else f"{blank_from}–{number - 1}"
            yield RosterRow(file, blank_from, {}, {}, (), "note", (
                Problem(file, f"第 {span} 行是空行,已跳过", f"row {span} blank, skipped",
                        line=blank_from, code="skipped"),))
            blank_from = None
        reason = _skip_reason(cells, layout)
        if reason:
            yield RosterRow(file, number, {}, {}, tuple(problems), "skipped", (
                Problem(file, f"不是教师:{reason[0]},已跳过", f"not a teacher: {reason[1]}; skipped",
                        line=number, code="skipped"),))
            continue
        seen_data = True
        row = _convert_row(file, number, cells, layout)
        if problems:
            row = RosterRow(file, number, row.data, row.columns, (*problems, *row.problems))
        if points is not None and isinstance(row.data.get("id"), str):
            row = _with_long_points(row, points)
        yield row


def _with_long_points(row: RosterRow, points: _LongPoints) -> RosterRow:
    """The teacher row with the points the points sheet gives for its id."""
    found = points.pop(row.data["id"].strip(), None)
    if not found:
        return row
    data = dict(row.data)
    have = list(data.get("points") or [])
    columns = dict(row.columns)
    for point, file, number, cols in found:
        for path, header in cols.items():
            if path.startswith("points.0."):
                columns[f"points.{len(have)}.{path[len('points.0.'):]}"] = f"{header}({file} 第 {number} 行)"
        have.append(point)
    data["points"] = have
    return RosterRow(row.file, row.row, data, columns, row.problems, row.kind, row.notes)


def _long_points(rows: Iterator[RosterRow], out: _LongPoints) -> Iterator[RosterRow]:
    """Collect the rows of a points sheet into ``out``; yield what is not a point row."""
    from pydantic import ValidationError

    from ..errors import problems_from_validation
    from .records import PointRecord

    for r in rows:
        if r.kind != "teacher" or r.problems:
            yield r
            continue
        tid = r.data.get("id")
        point = (r.data.get("points") or [None])[0]
        if not isinstance(tid, str) or not tid.strip() or point is None:
            yield RosterRow(r.file, r.row, {}, {}, (Problem(
                r.file, "能力点表的此行缺少教师编号或能力点", "this points row has no teacher id or "
                "no point", line=r.row, code=_CODE),))
            continue
        try:
            PointRecord.model_validate(point)
        except ValidationError as exc:
            bad = [Problem(r.file, p.message_zh, p.message_en, line=r.row,
                           field=r.column_for(("points", 0, *(p.field or "").split("."))) or p.field,
                           code=p.code)
                   for p in problems_from_validation(exc, point, r.file, model=PointRecord)]
            yield RosterRow(r.file, r.row, {}, {}, tuple(bad))
            continue
        out.setdefault(tid.strip(), []).append((point, r.file, r.row, r.columns))


def _unjoined(points: _LongPoints) -> Iterator[RosterRow]:
    """Points rows whose teacher id is on no teacher row: located problems, never dropped."""
    for tid, found in points.items():
        for _, file, number, _ in found:
            yield RosterRow(file, number, {}, {}, (Problem(
                file, f"能力点表中的教师编号 {tid} 在名册中不存在",
                f"teacher id {tid!r} of the points sheet is not in the roster",
                line=number, field="id", code="unjoined"),))


def _pick_header(head: list[_Raw], table: dict[str, str]) -> int | None:
    first: int | None = None
    for i, (_, cells, _) in enumerate(head):
        if cells is None or all(_blank(c) for c in cells):
            continue
        if first is None:
            first = i
        if _is_header(cells, table):
            return i
    return first


# --------------------------------------------------------------------------- files


def _fatal(file: str, zh: str, en: str, **where: Any) -> InputError:
    return InputError([Problem(file, zh, en, code=_CODE, **where)])


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _open_head(path: Path) -> bytes:
    file = str(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise _fatal(file, "文件不存在", "no such file") from None
    except (OSError, ValueError) as exc:
        raise _fatal(file, f"无法读取文件:{getattr(exc, 'strerror', None) or exc}",
                     f"cannot read the file: {getattr(exc, 'strerror', None) or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise _fatal(file, "这是一个目录,不是花名册文件", "this is a directory, not a roster file")
    if not stat.S_ISREG(info.st_mode):  # a FIFO or a device would block or never end
        raise _fatal(file, "这不是普通文件(管道或设备),不能作为花名册",
                     "not a regular file (a pipe or a device); a roster must be a file")
    try:
        with path.open("rb") as raw:
            return raw.read(_SAMPLE_BYTES)
    except OSError as exc:
        raise _fatal(file, f"无法读取文件:{exc.strerror}",
                     f"cannot read the file: {exc.strerror}") from None


def _read(path: Path, table: dict[str, str], file_problems: list[Problem], *,
          long: bool = False, points: _LongPoints | None = None,
          sheet: str | None = None) -> Iterator[RosterRow]:
    file = str(path)
    head = _open_head(path)
    suffix = path.suffix.lower()
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise _fatal(file, "文件为空", "the file is empty")
    if head.startswith(_OLE) or suffix == ".xls":
        raise _fatal(file, "不支持旧的 .xls 格式,请在 Excel 中另存为 .xlsx 或 CSV",
                     "the old .xls format is not supported; save it as .xlsx or CSV in Excel")
    if head.startswith(b"PK\x03\x04"):
        yield from _xlsx_records(path, table, file_problems, long=long, points=points,
                                 sheet=sheet)
        return
    if suffix in (".xlsx", ".xlsm"):
        raise _fatal(file, "不是有效的 .xlsx 文件", "not a valid .xlsx file")
    encoding = detect_encoding(file, head, complete=len(head) < _SAMPLE_BYTES)
    sample = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=False)
    if not sample.strip():
        raise _fatal(file, "文件为空", "the file is empty")
    if sample.lstrip().startswith("["):
        raise _fatal(file, "这是一个 JSON 数组;花名册请用 JSON Lines(每行一个教师对象)",
                     "this is a JSON array; write the roster as JSON Lines (one teacher object "
                     "per line)", line=1)
    if suffix in (".jsonl", ".ndjson", ".json", ".jsonlines") or sample.lstrip().startswith("{"):
        yield from _jsonl_rows(file, path, encoding)
        return
    delimiter = _sniff_delimiter(sample, table)
    yield from _records(file, _csv_rows(file, path, encoding, delimiter), table, file_problems,
                        long=long, points=points)


def _sniff_delimiter(sample: str, table: dict[str, str]) -> str:
    """The delimiter (comma, tab, semicolon) under which the first rows hold most known headers."""
    best, best_score = ",", (0, 0)
    for delimiter in (",", "\t", ";"):
        try:
            rows = list(itertools.islice(csv.reader(io.StringIO(sample), delimiter=delimiter),
                                         _HEADER_SCAN_ROWS))
        except csv.Error:
            continue
        known = max((_is_header(r, table) for r in rows), default=0)
        width = max((len(r) for r in rows), default=0)
        score = (known, width if known else 0)
        if score > best_score:
            best, best_score = delimiter, score
    if best_score[0]:
        return best
    try:
        lines = "\n".join(sample.splitlines()[:_HEADER_SCAN_ROWS])
        return csv.Sniffer().sniff(lines, delimiters=",\t;").delimiter
    except csv.Error:
        return ","


_TOO_LONG = "\ufffe"  # a non-character: stands in for a line that was too long to keep


class _Lines:
    """Lines of a text stream, each at most MAX_ROW_CHARS; counts the lines it had to drop."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.too_long = 0
        self.undecodable = 0
        self.chars = 0
        self.taken: list[str] | None = None  # a CSV record's physical lines (CSV only)
        self.gb18030 = False  # set when the file was found to be GB18030
        self.disguised = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self.stream.readline(MAX_ROW_CHARS + 1)
        if not line:
            raise StopIteration
        if len(line) > MAX_ROW_CHARS and not line.endswith(("\n", "\r")):
            while True:
                more = self.stream.readline(MAX_ROW_CHARS)
                if not more or more.endswith(("\n", "\r")):
                    break
            self.too_long += 1
            return _TOO_LONG + "\n"
        if "\ufffd" in line:
            self.undecodable += 1
        elif self.gb18030 and not line.isascii() and _utf8_in_disguise(line):
            self.disguised += 1  # UTF-8 bytes read as GB18030: garbled (张三 → 寮犱笁)
        self.chars += len(line)
        if self.taken is not None:
            self.taken.append(line)  # bounded: csv refuses a field over 128 KiB
        return line


def _utf8_in_disguise(line: str) -> bool:
    """Whether a line decoded as GB18030 was UTF-8 (its bytes are valid UTF-8 with CJK)."""
    try:
        text = line.encode("gb18030").decode("utf-8")
    except UnicodeError:
        return False
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _lines(stream: IO[str], encoding: str) -> _Lines:
    lines = _Lines(stream)
    lines.gb18030 = encoding == "gb18030"
    return lines


def _open_text(file: str, path: Path, encoding: str) -> IO[str]:
    try:
        return io.TextIOWrapper(path.open("rb"), encoding=encoding, errors="replace", newline="")
    except OSError as exc:
        raise _fatal(file, f"无法读取文件:{exc.strerror}",
                     f"cannot read the file: {exc.strerror}") from None


def _line_problems(file: str, number: int, lines: _Lines, before: tuple[int, int, int, int],
                   encoding: str) -> tuple[list[Problem], bool]:
    """Problems of the row just read (too long, undecodable bytes) and whether it was too long."""
    problems: list[Problem] = []
    too_long, undecodable, chars, disguised = before
    if lines.disguised != disguised:
        problems.append(
            Problem(file, "此行是 UTF-8 编码,而文件其余部分是 GBK/GB18030,读出来会是乱码;"
                    "请把整个文件存为同一种编码",
                    "this row is UTF-8 in a GBK/GB18030 file and would read as garbled text; "
                    "save the whole file in one encoding", line=number, code=_CODE)
        )
    dropped = lines.too_long != too_long or lines.chars - chars > MAX_ROW_CHARS
    if dropped:
        problems.append(
            Problem(file, f"此行超过 {MAX_ROW_CHARS // (1 << 20)} MB,未读取",
                    f"this row is longer than {MAX_ROW_CHARS // (1 << 20)} MB and was not read",
                    line=number, code=_CODE)
        )
    if lines.undecodable != undecodable:
        problems.append(
            Problem(file, f"此行含有不是 {encoding_name(encoding)} 编码的字节",
                    f"this row has bytes that are not valid {encoding_name(encoding)}",
                    line=number, code=_CODE)
        )
    return problems, dropped


def _stray_quote(cells: list[Any], taken: list[str], delimiter: str) -> bool:
    """A quoted cell that ran over line ends and swallowed whole rows: a stray ``"``.

    A cell may hold a line break (a note typed with Alt+Enter); it does not hold lines that
    have as many delimiters as a row.
    """
    if len(taken) < 2:
        return False
    width = len(next(csv.reader([taken[0]], delimiter=delimiter), []))
    return any(
        "\n" in c and any(line.count(delimiter) >= max(1, width // 2)
                          for line in c.split("\n")[1:])
        for c in cells if isinstance(c, str)
    )


def _csv_rows(file: str, path: Path, encoding: str, delimiter: str) -> Iterator[_Raw]:
    with _open_text(file, path, encoding) as stream:
        lines = _lines(stream, encoding)
        reader = csv.reader(lines, delimiter=delimiter)
        number = 0
        while True:
            before = (lines.too_long, lines.undecodable, lines.chars, lines.disguised)
            lines.taken = []
            try:
                cells: list[Any] | None = next(reader)
                error: Problem | None = None
            except StopIteration:
                return
            except csv.Error as exc:
                cells = None
                error = Problem(file, f"CSV 格式错误(单元格过长或引号未闭合):{exc}",
                                f"bad CSV (a cell too long or an unclosed quote): {exc}",
                                line=number + 1, code=_CODE)
            except OSError as exc:
                raise _fatal(file, f"读取文件出错:{exc}", f"cannot read the file: {exc}") from None
            number += 1
            problems, dropped = _line_problems(file, number, lines, before, encoding)
            if error:
                problems.insert(0, error)
            if dropped:
                cells = None
            taken = lines.taken or []
            if (cells is None and error and len(taken) > 1) or (
                cells is not None and _stray_quote(cells, taken, delimiter)
            ):
                # read the swallowed lines again one by one; the row with the quote is reported
                yield number, None, [Problem(
                    file, f"引号 \" 没有闭合,吞掉了其后的 {len(taken) - 1} 行;此行未读取,其后各行已逐行重读",
                    f"an unclosed quote (\") ran over the next {len(taken) - 1} lines; this row "
                    "is not read, the lines after it are read one by one",
                    line=number, code=_CODE)]
                for line in taken[1:]:
                    number += 1
                    again = next(csv.reader([line.rstrip("\r\n")], delimiter=delimiter), [])
                    yield number, again, []
                continue
            yield number, cells, problems


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


class _Overflow(Exception):  # a signal: read the row the slow way
    pass


_INF = float("inf")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (_INF, -_INF):  # a literal too large for a float (1e400, 400 digits)
        raise _Overflow
    return value


# One decoder for every row (``json.loads`` with a hook makes a new one for each), which also
# says when a number literal overflows to infinity: the rows the walk must see.
_ROW_DECODER = json.JSONDecoder(object_pairs_hook=_no_duplicates, parse_float=_finite_float)


def _row_json(line: str) -> tuple[Any, bool]:
    """``json.loads(line, object_pairs_hook=_no_duplicates)``, and whether a number in it
    overflowed to infinity."""
    if line.startswith("\ufeff"):  # as json.loads refuses it
        raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", line, 0)
    try:
        return _ROW_DECODER.decode(line), False
    except _Overflow:
        return json.loads(line, object_pairs_hook=_no_duplicates), True


def _jsonl_rows(file: str, path: Path, encoding: str) -> Iterator[RosterRow]:
    with _open_text(file, path, encoding) as stream:
        lines = _lines(stream, encoding)
        for number in itertools.count(1):
            before = (lines.too_long, lines.undecodable, lines.chars, lines.disguised)
            try:
                line = next(lines)
            except StopIteration:
                return
            problems, dropped = _line_problems(file, number, lines, before, encoding)
            if dropped:
                yield RosterRow(file, number, {}, {}, tuple(problems))
                continue
            if not line.strip():
                continue
            data: Any = {}
            overflowed = False
            try:
                data, overflowed = _row_json(line)
            except _DuplicateKey as exc:
                problems.append(Problem(file, f"JSON 对象中键 {exc.args[0]!r} 重复",
                                        f"duplicate key {exc.args[0]!r} in the JSON object",
                                        line=number, code=_CODE))
                data = {}
            except json.JSONDecodeError as exc:
                problems.append(Problem(file, f"JSON 语法错误:{exc.msg}",
                                        f"invalid JSON: {exc.msg}",
                                        line=number, column=exc.colno, code=_CODE))
                data = {}
            except RecursionError:  # [[[[… two thousand deep, well under the row limit
                problems.append(Problem(file, "JSON 嵌套过深", "the JSON is nested too deeply",
                                        line=number, code=_CODE))
                data = {}
            except ValueError:  # an integer of more than 4300 digits
                problems.append(Problem(file, "JSON 中的数字过长", "a number in the JSON is too long",
                                        line=number, code=_CODE))
                data = {}
            walked = (
                _json_row_problems(data, file, number, None if overflowed else line)
                if isinstance(data, dict) else []
            )
            if walked:
                problems += walked
                data = {}
            if not isinstance(data, dict):
                problems.append(Problem(file, "每行应是一个 JSON 对象 {…}",
                                        f"each line must be a JSON object {{…}}, not "
                                        f"{type(data).__name__}", line=number, code=_CODE))
                data = {}
            yield RosterRow(file, number, data, {}, tuple(problems))


# What in a row's text could hide a value the walk refuses: a \u escape (a lone surrogate), a
# non-finite number (NaN, Infinity; a literal that overflows to inf is told by the decoder,
# ``_row_json``), a lone surrogate as such (which UTF-8 cannot encode). A row without any of
# them is checked from its text alone: each test a search in C, not a regular expression over
# the line (which cost as much as parsing it).
def _walk_needed(line: str) -> bool:
    if "\\u" in line or "NaN" in line or "Infinity" in line:
        return True
    if line.isascii():
        return False
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:  # a surrogate code point
        return True
    return False


def _json_row_problems(data: dict[str, Any], file: str, number: int, line: str | None = None) -> list[Problem]:
    """The checks a JSON record file gets (nesting depth, value count and length, lone
    surrogates, which no report could encode), for one JSON Lines row, located at its line.

    Most rows are decided from their text (``line``) in C, with no walk over the values (a
    quarter of a streamed run's time before): shorter than any value limit, fewer brackets
    than the depth limit, and nothing that could be a lone surrogate or a non-finite number.
    """
    from .yamlsafe import DEFAULT_LIMITS, _json_walk

    lim = DEFAULT_LIMITS
    if (
        line is not None
        and len(line) < min(lim.max_scalar_chars, lim.max_nodes)
        and line.count("{") + line.count("[") < lim.max_depth
        and not _walk_needed(line)
    ):
        return []
    try:
        _json_walk(data, file, DEFAULT_LIMITS)
    except InputError as exc:
        return [dataclasses.replace(p, line=number) for p in exc.problems]
    return []


_POINTS_SHEET = re.compile(r"能力点|微能力|points?", re.IGNORECASE)
#: Empty rows in a row after which the rest of a sheet is not read (50M ``<row/>`` took minutes).
MAX_EMPTY_ROWS = 100_000


class _Formula(str):
    """A formula cell saved without its value (openpyxl and some exporters write these)."""


def _points_sheet(title: str, head: list[_Raw], table: dict[str, str]) -> bool:
    """A sheet of the long shape: a teacher id, a point and point parts, no hours; and named
    for points (能力点 …) or with an id on more than one of its first rows."""
    for i, (_, cells, _) in enumerate(head):
        if not cells or not _is_header(cells, table):
            continue
        paths = [_long_path(_header_text(c), table) for c in cells]
        teacher = [_resolve(_header_text(c), table) for c in cells if not _blank(c)]
        if "id" not in paths or "code" not in paths or any(
            (t or "").startswith("hours.") for t in teacher
        ):
            return False
        if _POINTS_SHEET.search(title):
            return True
        at = paths.index("id")
        ids = [_header_text(r[at]) for _, r, _ in head[i + 1 :] if r and at < len(r)]
        ids = [x for x in ids if x]
        return len([p for p in paths if p]) >= 3 and len(set(ids)) < len(ids)
    return False


def _xlsx_records(path: Path, table: dict[str, str], file_problems: list[Problem], *,
                  long: bool, points: _LongPoints | None,
                  sheet: str | None) -> Iterator[RosterRow]:
    """Every visible sheet with a roster header, points sheets (the long shape) joined in.

    Hidden sheets are never read, and said so; a visible sheet with no header is said so too.
    Rows are placed as ``file[sheet]:row`` when the workbook has more than one sheet.
    """
    from openpyxl import load_workbook

    file = str(path)
    handle = path.open("rb")  # a file object: openpyxl would refuse a workbook named .csv
    try:
        book = load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl's own errors for a broken workbook
        handle.close()
        raise _fatal(file, f"无法打开 .xlsx 文件:{_clip(exc, 200)}",
                     f"cannot open the .xlsx file: {_clip(exc, 200)}") from None
    try:
        sheets = [ws for ws in book.worksheets if hasattr(ws, "iter_rows")]
        if not sheets:
            raise _fatal(file, "工作簿中没有工作表", "the workbook has no worksheet")
        if sheet is not None and sheet not in [ws.title for ws in sheets]:
            names = [ws.title for ws in sheets]
            hint = did_you_mean(sheet, names)
            raise _fatal(file, f"工作簿中没有名为 {sheet!r} 的工作表(有:{'、'.join(names)})"
                         + (f";是否应为 {hint}?" if hint else ""),
                         f"the workbook has no sheet {sheet!r} (it has: {', '.join(names)})"
                         + (f"; did you mean {hint}?" if hint else ""))
        multi = len(book.sheetnames) > 1
        notes: list[Problem] = []
        plan: list[tuple[str, str, Any]] = []  # (kind, label, sheet)
        others: list[tuple[str, Any]] = []
        for ws in sheets:
            label = f"{file}[{ws.title}]" if multi else file
            if sheet is not None and ws.title != sheet and not _POINTS_SHEET.search(ws.title):
                continue
            if getattr(ws, "sheet_state", "visible") != "visible" and ws.title != sheet:
                notes.append(Problem(label, f"隐藏的工作表“{ws.title}”未读取(取消隐藏后才会检查)",
                                     f"hidden sheet {ws.title!r} not read (unhide it to check it)",
                                     code="skipped"))
                continue
            rows = _sheet_rows(label, ws)
            head = list(itertools.islice(rows, _HEADER_SCAN_ROWS))
            rows.close()
            if not any(cells and not all(_blank(c) for c in cells) for _, cells, _ in head):
                continue  # an empty sheet holds nothing to lose
            if long or _points_sheet(ws.title, head, table):
                plan.append(("points", label, ws))
            elif any(cells and _is_header(cells, table) for _, cells, _ in head):
                plan.append(("teacher", label, ws))
            else:
                others.append((label, ws))
        if not any(kind == "teacher" for kind, _, _ in plan) and not long:
            plan = [("teacher", label, ws) for _, label, ws in plan]  # points of no roster
        if not plan and others:
            plan.append(("teacher", *others.pop(0)))  # no header anywhere: its rows say why
        if not plan:
            raise _fatal(file, "工作簿是空的", "the workbook is empty")
        for label, ws in others:
            notes.append(Problem(label, f"工作表“{ws.title}”的前 {_HEADER_SCAN_ROWS} 行中没有可识别的表头,未读取",
                                 f"sheet {ws.title!r} has no known header in its first "
                                 f"{_HEADER_SCAN_ROWS} rows; not read", code="skipped"))
        if notes:
            yield RosterRow(file, 0, {}, {}, (), "note", tuple(notes))
        if points is None and any(kind == "points" for kind, _, _ in plan) and not long:
            points = {}
            own_points = True
        else:
            own_points = False
        for kind, label, ws in plan:
            if kind == "points":
                rows = _records(label, _sheet_rows(label, ws), table, file_problems, long=True)
                if long:
                    yield from rows
                else:
                    assert points is not None
                    yield from _long_points(rows, points)
        for kind, label, ws in plan:
            if kind == "teacher":
                yield from _records(label, _sheet_rows(label, ws), table, file_problems,
                                    points=points)
        if own_points and points:
            yield from _unjoined(points)
    finally:
        book.close()
        handle.close()


def _sheet_rows(file: str, sheet: Any) -> Iterator[_Raw]:
    """The rows of a sheet by the row numbers its XML gives, read with openpyxl's parser.

    openpyxl's own reader drops a row whose number repeats or goes back, and reads a formula
    saved without its value as empty; here the first is a located problem and the second a
    ``_Formula`` the row conversion reports. Blank rows are counted, and after
    :data:`MAX_EMPTY_ROWS` of them in a row the rest of the sheet is not read (said so).
    """
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class _Parser(WorkSheetParser):  # type: ignore[misc]
        def parse_cell(self, element: Any) -> dict[str, Any]:
            cell: dict[str, Any] = super().parse_cell(element)
            if cell["value"] is None:
                formula = element.find(FORMULA_TAG)
                if formula is not None:
                    cell["value"] = _Formula("=" + (formula.text or ""))
            return cell

    book = sheet.parent
    last = 0
    empty = 0
    try:
        with sheet._get_source() as src:
            parser = _Parser(src, sheet._shared_strings, data_only=True, epoch=book.epoch,
                             date_formats=book._date_formats,
                             timedelta_formats=book._timedelta_formats)
            for number, parsed in parser.parse():
                cells: list[Any] = []
                for cell in parsed:
                    column = cell["column"]
                    if column > 16_384:
                        continue
                    if cell["value"] is None:
                        continue
                    cells.extend([None] * (column - len(cells)))
                    cells[column - 1] = cell["value"]
                if not cells:
                    empty += 1
                    if empty > MAX_EMPTY_ROWS:
                        yield number, None, [Problem(
                            file, f"工作表在第 {number - empty + 1} 行后有超过 {MAX_EMPTY_ROWS} 个空行,"
                            "其后的内容未读取", f"more than {MAX_EMPTY_ROWS} empty rows after row "
                            f"{number - empty + 1}; the rest of the sheet was not read",
                            line=number - empty + 1, code=_CODE)]
                        return
                    last = max(last, number)
                    continue
                empty = 0
                if number <= last:
                    yield number, None, [Problem(
                        file, f"工作表中第 {number} 行重复出现或顺序错乱(文件已损坏),此行未读取;"
                        "请在 Excel 中打开并另存", f"row {number} comes twice or out of order in "
                        "the sheet (a broken file); not read: open and save it again in Excel",
                        line=number, code=_CODE)]
                    continue
                last = number
                size = sum(len(c) if isinstance(c, str) else 8 for c in cells)
                if size > MAX_ROW_CHARS:
                    yield number, None, [
                        Problem(file, f"此行超过 {MAX_ROW_CHARS // (1 << 20)} MB,未读取",
                                f"this row is longer than {MAX_ROW_CHARS // (1 << 20)} MB and was "
                                "not read", line=number, code=_CODE)
                    ]
                    continue
                yield number, cells, []
    except InputError:
        raise
    except Exception as exc:  # broken sheet XML
        raise _fatal(file, f".xlsx 工作表已损坏:{_clip(exc, 200)}",
                     f"the .xlsx sheet is broken: {_clip(exc, 200)}") from None


# --------------------------------------------------------------------------- writing rosters

#: The header :func:`roster_table` writes for each teacher field (the first Chinese one read).
CANONICAL_HEADERS: dict[str, str] = {
    "id": "工号", "name": "姓名", "school_id": "学校", "subject": "学科", "workshop": "工作坊",
    "subject_group": "教研组", "enrolled": "是否参训",
    "hours.online": "线上学时", "hours.offline": "线下学时", "hours.stated_total": "总学时",
    "hours.practice.lesson": "课堂实录学时", "hours.practice.certification": "认证学时",
    "hours.practice.process": "过程性资料学时",
    "lessons_uploaded": "上传课例数", "lessons_reviewed": "评课数",
    "peer_reviews_given": "互评数", "result_cases": "成果案例数",
    "peer_score": "互评成绩", "school_score": "学校评价成绩", "score": "成绩",
    "grade": "考核结果", "assessed_on": "考核日期", "declared_on": "申报日期",
    "peer_reviewed_on": "互评日期", "school_reviewed_on": "学校评价日期", "completed_on": "完成日期",
}
_POINT_HEADERS = {
    "code": "", "grade": "等级", "score": "成绩", "level": "认证级别", "peer_score": "互评成绩",
    "school_score": "学校评价成绩", "certified_on": "认证日期",
    "school_grade": "校内考核等级", "result_filed_on": "成果提交日期",
    "evidence.shows_teacher": "本人影像", "evidence.own_work": "本人制作",
    "evidence.judged_valid": "证据有效", "evidence.grade": "证据等级",
}
_ITEM_HEADERS = {"name": "", "grade": "等级", "valid": "有效"}


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _flat(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _point_cells(point: dict[str, Any], prefix: str) -> dict[str, Any]:
    """A point's cells under headers ``{prefix}等级`` …; prefix ``能力点1`` (wide) or ``能力点``."""
    cells: dict[str, Any] = {}
    evidence = point.get("evidence")
    for part, word in _POINT_HEADERS.items():
        node: Any = point
        for seg in part.split("."):
            node = node.get(seg) if isinstance(node, dict) else None
        if node is not None:
            cells[prefix + word] = _cell(node)
    if isinstance(evidence, dict):
        items = evidence.get("items") or []
        for j, item in enumerate(items):
            for part, word in _ITEM_HEADERS.items():
                if item.get(part) is not None:
                    cells[f"{prefix}证据{j + 1}{word}"] = _cell(item[part])
            if not any(item.get(part) is not None for part in _ITEM_HEADERS):
                cells[f"{prefix}证据{j + 1}"] = ""  # an empty item has nothing to say
        if not any(k.startswith(prefix + "证据") or k[len(prefix):] in ("本人影像", "本人制作")
                   for k in cells):
            cells[prefix + "证据"] = "是"  # handed in, nothing judged yet
    return cells


def roster_table(
    teachers: Sequence[Any], *, long: bool = False
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Teachers as roster rows (header → cell), and the points rows of the long shape.

    Each teacher (a :class:`~ict2rules.input.records.Teacher` or its dict) gives one row with the
    headers this module reads back to the same record; its points go on the row (能力点1,
    能力点1等级 …) or, with ``long``, one row each in the second list (工号, 能力点, 等级 …).

    >>> rows, points = roster_table([{"id": "T1", "hours": {"online": 50},
    ...                               "points": [{"code": "A1", "grade": "优秀"}]}])
    >>> rows
    [{'工号': 'T1', '线上学时': 50, '能力点1': 'A1', '能力点1等级': '优秀'}]
    """
    from .records import Teacher

    rows: list[dict[str, Any]] = []
    point_rows: list[dict[str, Any]] = []
    for teacher in teachers:
        record = teacher if isinstance(teacher, Teacher) else Teacher.model_validate(teacher)
        data = record.model_dump(exclude_computed_fields=True) if _HAS_EXCLUDE_COMPUTED \
            else _strip_computed(record.model_dump())
        points = data.pop("points", None)
        attributes = data.pop("attributes", None) or {}
        row: dict[str, Any] = {}
        for path, value in _flat(data).items():
            row[CANONICAL_HEADERS.get(path, path)] = _cell(value)
        for key, value in attributes.items():
            row[f"attributes.{key}"] = _cell(value)
        if points == []:
            row["能力点"] = "无"
        for i, point in enumerate(points or []):
            if long:
                point_rows.append({"工号": record.id, **_point_cells(point, "能力点")})
            else:
                row.update(_point_cells(point, f"能力点{i + 1}"))
        rows.append(row)
    return rows, point_rows


def _strip_computed(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _strip_computed(v) for k, v in data.items()
                if k not in ("total", "valid", "dimension", "environment")}
    if isinstance(data, list):
        return [_strip_computed(v) for v in data]
    return data


try:  # pydantic >= 2.12
    from pydantic import BaseModel as _BaseModel

    _HAS_EXCLUDE_COMPUTED = "exclude_computed_fields" in _BaseModel.model_dump.__code__.co_varnames
except Exception:  # pragma: no cover
    _HAS_EXCLUDE_COMPUTED = False


def write_roster(path: str | os.PathLike[str], teachers: Sequence[Any], *, long: bool = False,
                 encoding: str = "utf-8-sig") -> list[Path]:
    """Write teachers as a CSV or XLSX roster (by the suffix); return the files written.

    With ``long`` the points go to a second sheet 能力点 (XLSX) or a second file
    ``NAME.points.csv`` (CSV), one row per teacher × point.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.csv"
    >>> _ = write_roster(p, [{"id": "T1", "points": [{"code": "A1", "evidence": {}}]}])
    >>> read_roster(p)[0].data
    {'id': 'T1', 'points': [{'code': 'A1', 'evidence': {}}]}
    """
    rows, point_rows = roster_table(teachers, long=long)
    target = Path(path)

    def headers(table: list[dict[str, Any]]) -> list[str]:
        return list(dict.fromkeys(h for r in table for h in r)) or ["工号"]

    if target.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = "教师"
        for name, table in (("教师", rows), ("能力点", point_rows)):
            if name == "能力点":
                if not long:
                    break
                sheet = book.create_sheet(name)
            cols = headers(table) if table or name == "教师" else ["工号", "能力点"]
            sheet.append(cols)
            for r in table:
                sheet.append([r.get(h) for h in cols])
        book.save(target)
        return [target]
    written = [target]
    tables = [(target, rows)]
    if long:
        extra = target.with_name(target.stem + ".points" + target.suffix)
        tables.append((extra, point_rows))
        written.append(extra)
    for file, table in tables:
        cols = headers(table) if table or file == target else ["工号", "能力点"]
        with file.open("w", encoding=encoding, newline="") as out:
            writer = csv.writer(out)
            writer.writerow(cols)
            for r in table:
                writer.writerow(["" if r.get(h) is None else r.get(h) for h in cols])
    return written
