"""Teacher rosters from CSV, XLSX and JSON Lines, turned into teacher dicts row by row.

A roster is a table with one teacher per row, as schools export it from Excel or a training
platform. This module reads it lazily and turns each row into a plain dict shaped like
:class:`ict2rules.records.Teacher` (``hours.online``, ``points`` …). It does not validate: the
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
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .catalog import CATALOG
from .errors import InputError, Problem

__all__ = [
    "DEFAULT_COLUMNS",
    "MAX_ROW_CHARS",
    "RosterRow",
    "iter_roster",
    "load_mapping",
    "read_roster",
]

#: A CSV row or JSON line longer than this (in characters) is reported, not read.
MAX_ROW_CHARS = 1 << 20
_SAMPLE_BYTES = 256 * 1024
_HEADER_SCAN_ROWS = 20
_CODE = "roster"

#: Header text → record field path. Headers are matched after NFKC normalisation (full-width →
#: half-width), case-folding and removing spaces, ``_``, ``-`` and ``*``; a trailing unit in
#: brackets (``线上学时(小时)``) is ignored. A field path itself (``hours.online``) is always
#: accepted as a header, and so are numbered point columns (``能力点1``, ``能力点1成绩`` …).
DEFAULT_COLUMNS: dict[str, str] = {
    # identity
    "工号": "id",
    "教师编号": "id",
    "教师ID": "id",
    "id": "id",
    "teacher id": "id",
    "姓名": "name",
    "教师姓名": "name",
    "name": "name",
    "学校": "school_id",
    "学校编号": "school_id",
    "所在学校": "school_id",
    "school": "school_id",
    "school id": "school_id",
    "学科": "subject",
    "任教学科": "subject",
    "subject": "subject",
    "是否参训": "enrolled",
    "参训": "enrolled",
    "enrolled": "enrolled",
    # hours
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
    # dates
    "考核日期": "assessed_on",
    "考核时间": "assessed_on",
    "assessed on": "assessed_on",
    "完成日期": "completed_on",
    "完成时间": "completed_on",
    "结业日期": "completed_on",
    "completed on": "completed_on",
}

# value kinds
_STR, _NUM, _INT, _BOOL, _DATE, _POINTS, _AUTO, _SKIP = (
    "str", "num", "int", "bool", "date", "points", "auto", "skip"
)

_FIELD_KINDS: dict[str, str] = {
    "id": _STR,
    "name": _STR,
    "school_id": _STR,
    "subject": _STR,
    "enrolled": _BOOL,
    "hours.online": _NUM,
    "hours.offline": _NUM,
    "hours.practice.lesson": _NUM,
    "hours.practice.certification": _NUM,
    "hours.practice.process": _NUM,
    "points": _POINTS,
    "lessons_uploaded": _INT,
    "lessons_reviewed": _INT,
    "peer_reviews_given": _INT,
    "result_cases": _INT,
    "peer_score": _NUM,
    "school_score": _NUM,
    "score": _NUM,
    "assessed_on": _DATE,
    "completed_on": _DATE,
}
_POINT_PART_KINDS = {
    "code": _STR,
    "score": _NUM,
    "peer_score": _NUM,
    "school_score": _NUM,
    "certified_on": _DATE,
}
_POINT_PART_WORDS = {
    "": "code", "编号": "code", "代码": "code", "code": "code",
    "成绩": "score", "得分": "score", "分数": "score", "score": "score",
    "互评成绩": "peer_score", "互评": "peer_score", "peerscore": "peer_score",
    "学校评价成绩": "school_score", "学校评价": "school_score", "schoolscore": "school_score",
    "认证日期": "certified_on", "certifiedon": "certified_on",
}
_NUMBERED_POINT = re.compile(r"^(?:微?能力点|point)(\d{1,2})(.*)$")
_PRACTICE_PART = re.compile(r"^hours\.practice\.[a-z][a-z0-9_]*$")
_POINT_PATH = re.compile(r"^points\.(\d{1,2})\.([a-z_]+)$")

#: Mapping value meaning "ignore this column".
IGNORE = "-"


# --------------------------------------------------------------------------- public types


@dataclass(frozen=True)
class RosterRow:
    """One data row of a roster: where it is, the teacher dict, and which column fed each field.

    ``row`` is the row number a person sees (header = row 1 in CSV/XLSX; the line number in JSON
    Lines). ``columns`` maps a field path (``"hours.online"``, ``"points.0.score"``,
    ``"attributes.备注"``) to the header text of its column; treat it as read-only, rows share it.
    ``problems`` lists cells of this row that could not be read (empty when the row is fine).

    >>> r = RosterRow("a.csv", 3, {"id": "T1"}, {"id": "工号", "points": "能力点"})
    >>> r.column_for(("points", 1, "code"))
    '能力点'
    """

    file: str
    row: int
    data: dict[str, Any]
    columns: dict[str, str]
    problems: tuple[Problem, ...] = ()

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
    path: str | os.PathLike[str], *, mapping: dict[str, str] | None = None
) -> Iterator[RosterRow]:
    """Yield the rows of a CSV, XLSX or JSON Lines roster one by one, without reading it all.

    The format comes from the content (an XLSX is a zip; a file whose first character is ``{``
    is JSON Lines) and then the suffix. Problems with one row are attached to that row's
    ``problems``; problems with the file as a whole (missing, a directory, empty, binary, an
    unknown encoding, a duplicate header) raise one :class:`InputError` when iteration reaches
    them. ``mapping`` (header → field path, see :data:`DEFAULT_COLUMNS`) adds to and overrides
    the default headers; map a header to ``"-"`` to ignore its column.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.jsonl"
    >>> _ = p.write_text('{"id": "T1"}\\n\\n{"id": "T2"}\\n', encoding="utf-8")
    >>> [(r.row, r.data["id"]) for r in iter_roster(p)]
    [(1, 'T1'), (3, 'T2')]
    """
    file_problems: list[Problem] = []
    for row in _read(Path(path), _build_table(mapping), file_problems):
        if file_problems:
            raise InputError(list(file_problems))
        yield row
    if file_problems:
        raise InputError(list(file_problems))


def read_roster(
    path: str | os.PathLike[str], *, mapping: dict[str, str] | None = None
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
        for row in _read(Path(path), _build_table(mapping), file_problems):
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
    if _PRACTICE_PART.match(path):
        return _NUM
    if path.startswith("attributes.") and len(path) > len("attributes."):
        return _AUTO
    m = _POINT_PATH.match(path)
    if m and m.group(2) in _POINT_PART_KINDS:
        return _POINT_PART_KINDS[m.group(2)]
    return None


def _build_table(mapping: dict[str, str] | None) -> dict[str, str]:
    table = {_norm(path): path for path in _FIELD_KINDS}
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


def _resolve(header: str, table: dict[str, str]) -> str | None:
    """Field path for a header text, or None when the header is not known."""
    key = _norm(header)
    if not key:
        return None
    if key in table:
        return table[key]
    bare = re.sub(r"\([^()]*\)$", "", key)
    if bare in table:
        return table[bare]
    m = _NUMBERED_POINT.match(bare)
    if m and m.group(2) in _POINT_PART_WORDS and int(m.group(1)) >= 1:
        return f"points.{int(m.group(1)) - 1}.{_POINT_PART_WORDS[m.group(2)]}"
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


def _is_header(cells: Sequence[Any], table: dict[str, str]) -> int:
    """How many cells of a row are known headers (0 when the row is not a header)."""
    filled = [c for c in cells if not _blank(c)]
    known = sum(1 for c in filled if _resolve(_header_text(c), table))
    return known if known >= min(2, len(filled)) else 0


def _layout(
    file: str, row: int, cells: Sequence[Any], table: dict[str, str], problems: list[Problem]
) -> _Layout:
    columns: list[_Column] = []
    fields: dict[str, str] = {}
    seen: dict[str, str] = {}
    for index, cell in enumerate(cells):
        header = _header_text(cell)
        if not header:
            columns.append(_Column(index, "", None, _SKIP))
            continue
        path = _resolve(header, table) or f"attributes.{header}"
        kind = _kind_of(path) or _AUTO
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
    return _Layout(columns, fields, numbered)


# --------------------------------------------------------------------------- cell values

_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_UNITS = re.compile(r"(?:学时|小时|课时|分钟|分|个|次|节|篇|份|h|hours?|pts?)$")
_AUTO_NUMBER = re.compile(r"^[+-]?(?:0|[1-9]\d*)(?:\.\d+)?$")
_DATE_TEXT = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ t]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_TRUE = {"是", "true", "yes", "y", "1", "√", "✓", "✔", "参训", "已参训", "t"}
_FALSE = {"否", "false", "no", "n", "0", "×", "✗", "✘", "未参训", "不参训", "f"}
_POINT_ITEMS = re.compile(r"[;,、|/\n\r]+")
_CODE_ONLY = re.compile(r"^[A-Za-z]\d{1,2}$")
_CODE_PREFIX = re.compile(r"^([A-Za-z]\d{1,2})(?![0-9])\s*[^\s:]")
_CODES_BY_SPACE = re.compile(r"^[A-Za-z]\d{1,2}(?:\s+[A-Za-z]\d{1,2})+$")
_POINT_BY_NAME = {p.zh: code for code, p in CATALOG.points.items()}


class _Bad(Exception):
    """A cell that cannot be read; args are (zh, en)."""


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
            raise _Bad(f"不是数字:{str(value).strip()!r}", f"not a number: {str(value).strip()!r}")
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
        text = _text(value).casefold()
    m = _DATE_TEXT.match(text) or _DATE_COMPACT.match(text)
    if not m:
        raise _Bad(f"不是日期:{str(value).strip()!r}(应如 2023-09-20)",
                   f"not a date: {str(value).strip()!r} (write it like 2023-09-20)")
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        raise _Bad(f"日期不存在:{str(value).strip()!r}",
                   f"no such date: {str(value).strip()!r}") from None


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
    if _AUTO_NUMBER.match(text):
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
        if score_text.strip():
            try:
                point["score"] = _number(score_text, whole=False)
            except _Bad as bad:
                raise _Bad(f"能力点 {point['code']} 的成绩{bad.args[0]}",
                           f"score of point {point['code']}: {bad.args[1]}") from None
        points.append(point)
    return points


_CONVERT = {
    _STR: _string,
    _NUM: lambda v: _number(v, whole=False),
    _INT: lambda v: _number(v, whole=True),
    _BOOL: _bool,
    _DATE: _date,
    _POINTS: _points,
    _AUTO: _auto,
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
        try:
            converted = _CONVERT[column.kind](value)
        except _Bad as bad:
            problems.append(
                Problem(file, f"{bad.args[0]}(字段 {column.path})",
                        f"{bad.args[1]} (field {column.path})",
                        line=number, column=column.index + 1, field=column.header, code=_CODE)
            )
            converted = value.strip() if isinstance(value, str) else value
        if column.path == "points":
            if not isinstance(converted, list):
                converted = [converted]
            data.setdefault("points", []).extend(converted)
        elif column.path.startswith("points."):
            _, index, part = column.path.split(".")
            numbered.setdefault(int(index), {})[part] = converted
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
        data["points"] = [numbered[k] for k in order]
        if order != list(range(len(order))):
            # 能力点1 left empty: the list is compacted, so re-point the field paths at columns
            columns = {k: v for k, v in layout.fields.items() if not k.startswith("points.")}
            for new, old in enumerate(order):
                for part in _POINT_PART_KINDS:
                    header = layout.fields.get(f"points.{old}.{part}")
                    if header is not None:
                        columns[f"points.{new}.{part}"] = header
    return RosterRow(file, number, data, columns, tuple(problems))


def _records(file: str, raw: Iterator[_Raw], table: dict[str, str],
             file_problems: list[Problem]) -> Iterator[RosterRow]:
    """Find the header among the first rows, then convert every row after it."""
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
    layout = _layout(file, number, cells, table, file_problems)
    for number, cells, problems in itertools.chain(head[header_at + 1 :], raw):
        if cells is None or all(_blank(c) for c in cells):
            if problems:
                yield RosterRow(file, number, {}, layout.fields, tuple(problems))
            continue
        row = _convert_row(file, number, cells, layout)
        if problems:
            row = RosterRow(file, number, row.data, row.columns, (*problems, *row.problems))
        yield row


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


def _read(path: Path, table: dict[str, str], file_problems: list[Problem]) -> Iterator[RosterRow]:
    file = str(path)
    if path.is_dir():
        raise _fatal(file, "这是一个目录,不是花名册文件", "this is a directory, not a roster file")
    try:
        with path.open("rb") as raw:
            head = raw.read(_SAMPLE_BYTES)
    except FileNotFoundError:
        raise _fatal(file, "文件不存在", "no such file") from None
    except OSError as exc:
        raise _fatal(file, f"无法读取文件:{exc.strerror}",
                     f"cannot read the file: {exc.strerror}") from None
    suffix = path.suffix.lower()
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise _fatal(file, "文件为空", "the file is empty")
    if head.startswith(_OLE) or suffix == ".xls":
        raise _fatal(file, "不支持旧的 .xls 格式,请在 Excel 中另存为 .xlsx 或 CSV",
                     "the old .xls format is not supported; save it as .xlsx or CSV in Excel")
    if head.startswith(b"PK\x03\x04"):
        yield from _records(file, _xlsx_rows(path, table), table, file_problems)
        return
    if suffix in (".xlsx", ".xlsm"):
        raise _fatal(file, "不是有效的 .xlsx 文件", "not a valid .xlsx file")
    encoding = _detect_encoding(file, head, complete=len(head) < _SAMPLE_BYTES)
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
    yield from _records(file, _csv_rows(file, path, encoding, delimiter), table, file_problems)


def _detect_encoding(file: str, head: bytes, complete: bool) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030; binary data is refused.

    A sample that is plain ASCII decides nothing: the file is then read with a codec that
    picks UTF-8 or GB18030 at the first non-ASCII bytes it meets.
    """
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        if b"\x00" in head:
            raise _fatal(file, "这是二进制文件,不是花名册", "this is a binary file, not a roster")
        if head.isascii() and not complete:
            encoding = _AUTO_CODEC
        else:
            encoding = _best_encoding(file, head, complete)
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=False)
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n")
    if controls > max(2, len(text) // 100):
        raise _fatal(file, "这是二进制文件,不是花名册", "this is a binary file, not a roster")
    return encoding


def _best_encoding(file: str, head: bytes, complete: bool) -> str:
    """The candidate that decodes the sample strictly, else the one with a few bad bytes only."""
    misses: list[tuple[int, str]] = []
    for candidate in ("utf-8-sig", "gb18030"):
        try:
            codecs.getincrementaldecoder(candidate)(errors="strict").decode(head, final=complete)
            return candidate
        except UnicodeDecodeError:
            text = codecs.getincrementaldecoder(candidate)(errors="replace").decode(head)
            misses.append((text.count("\ufffd"), candidate))
    count, candidate = min(misses)
    if count <= max(1, len(head) // 1000):
        return candidate  # rows with the bad bytes are reported one by one
    raise _fatal(file, "无法识别文件编码(应为 UTF-8 或 GBK/GB18030)",
                 "unknown text encoding (expected UTF-8 or GBK/GB18030)")


_AUTO_CODEC = "ict2rules_utf8_or_gb18030"


class _AutoDecoder(codecs.IncrementalDecoder):
    """ASCII until the first non-ASCII bytes, then UTF-8 if they are valid UTF-8, else GB18030."""

    def __init__(self, errors: str = "strict") -> None:
        super().__init__(errors)
        self._inner: codecs.IncrementalDecoder | None = None

    def decode(self, input: bytes, final: bool = False) -> str:
        data = bytes(input)
        if self._inner is None:
            if data.isascii():
                return data.decode("ascii")
            try:
                codecs.getincrementaldecoder("utf-8")("strict").decode(data, final)
                name = "utf-8"
            except UnicodeDecodeError:
                name = "gb18030"
            self._inner = codecs.getincrementaldecoder(name)(self.errors)
        return self._inner.decode(data, final)

    def reset(self) -> None:
        self._inner = None

    def getstate(self) -> tuple[bytes, int]:
        return self._inner.getstate() if self._inner else (b"", 0)

    def setstate(self, state: tuple[bytes, int]) -> None:
        if self._inner:
            self._inner.setstate(state)


def _auto_codec(name: str) -> codecs.CodecInfo | None:
    if name != _AUTO_CODEC:
        return None
    utf8 = codecs.lookup("utf-8")
    return codecs.CodecInfo(
        utf8.encode, utf8.decode, name=_AUTO_CODEC,
        incrementalencoder=utf8.incrementalencoder, incrementaldecoder=_AutoDecoder,
    )


codecs.register(_auto_codec)


def _encoding_name(encoding: str) -> str:
    return {"utf-8-sig": "UTF-8", _AUTO_CODEC: "UTF-8/GB18030"}.get(encoding, encoding.upper())


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
        self.chars += len(line)
        return line


def _open_text(file: str, path: Path, encoding: str) -> IO[str]:
    try:
        return io.TextIOWrapper(path.open("rb"), encoding=encoding, errors="replace", newline="")
    except OSError as exc:
        raise _fatal(file, f"无法读取文件:{exc.strerror}",
                     f"cannot read the file: {exc.strerror}") from None


def _line_problems(file: str, number: int, lines: _Lines, before: tuple[int, int, int],
                   encoding: str) -> tuple[list[Problem], bool]:
    """Problems of the row just read (too long, undecodable bytes) and whether it was too long."""
    problems: list[Problem] = []
    too_long, undecodable, chars = before
    dropped = lines.too_long != too_long or lines.chars - chars > MAX_ROW_CHARS
    if dropped:
        problems.append(
            Problem(file, f"此行超过 {MAX_ROW_CHARS // (1 << 20)} MB,未读取",
                    f"this row is longer than {MAX_ROW_CHARS // (1 << 20)} MB and was not read",
                    line=number, code=_CODE)
        )
    if lines.undecodable != undecodable:
        problems.append(
            Problem(file, f"此行含有不是 {_encoding_name(encoding)} 编码的字节",
                    f"this row has bytes that are not valid {_encoding_name(encoding)}",
                    line=number, code=_CODE)
        )
    return problems, dropped


def _csv_rows(file: str, path: Path, encoding: str, delimiter: str) -> Iterator[_Raw]:
    with _open_text(file, path, encoding) as stream:
        lines = _Lines(stream)
        reader = csv.reader(lines, delimiter=delimiter)
        number = 0
        while True:
            before = (lines.too_long, lines.undecodable, lines.chars)
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


def _jsonl_rows(file: str, path: Path, encoding: str) -> Iterator[RosterRow]:
    with _open_text(file, path, encoding) as stream:
        lines = _Lines(stream)
        for number in itertools.count(1):
            before = (lines.too_long, lines.undecodable, lines.chars)
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
            try:
                data = json.loads(line, object_pairs_hook=_no_duplicates)
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
            walked = _json_row_problems(data, file, number) if isinstance(data, dict) else []
            if walked:
                problems += walked
                data = {}
            if not isinstance(data, dict):
                problems.append(Problem(file, "每行应是一个 JSON 对象 {…}",
                                        f"each line must be a JSON object {{…}}, not "
                                        f"{type(data).__name__}", line=number, code=_CODE))
                data = {}
            yield RosterRow(file, number, data, {}, tuple(problems))


def _json_row_problems(data: dict[str, Any], file: str, number: int) -> list[Problem]:
    """The checks a JSON record file gets (nesting depth, value count and length, lone
    surrogates, which no report could encode), for one JSON Lines row, located at its line."""
    from .yamlsafe import DEFAULT_LIMITS, _json_walk

    try:
        _json_walk(data, file, DEFAULT_LIMITS)
    except InputError as exc:
        return [dataclasses.replace(p, line=number) for p in exc.problems]
    return []


def _xlsx_rows(path: Path, table: dict[str, str]) -> Iterator[_Raw]:
    """Rows of the first sheet whose first rows hold a known header (else the first sheet)."""
    from openpyxl import load_workbook

    file = str(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl's own errors for a broken workbook
        raise _fatal(file, f"无法打开 .xlsx 文件:{exc}",
                     f"cannot open the .xlsx file: {exc}") from None
    try:
        sheets = [ws for ws in book.worksheets if hasattr(ws, "iter_rows")]
        if not sheets:
            raise _fatal(file, "工作簿中没有工作表", "the workbook has no worksheet")
        chosen: tuple[list[_Raw], Iterator[_Raw]] | None = None
        for sheet in sheets:
            rows = _sheet_rows(file, sheet)
            head = list(itertools.islice(rows, _HEADER_SCAN_ROWS))
            if any(cells and _is_header(cells, table) for _, cells, _ in head):
                chosen = (head, rows)
                break
            if chosen is None and any(cells for _, cells, _ in head):
                chosen = (head, rows)
        if chosen is None:
            raise _fatal(file, "工作簿是空的", "the workbook is empty")
        yield from itertools.chain(chosen[0], chosen[1])
    finally:
        book.close()


def _sheet_rows(file: str, sheet: Any) -> Iterator[_Raw]:
    sheet.reset_dimensions()
    try:
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = list(values)
            while cells and _blank(cells[-1]):
                cells.pop()
            size = sum(len(c) if isinstance(c, str) else 8 for c in cells)
            if size > MAX_ROW_CHARS:
                yield number, None, [
                    Problem(file, f"此行超过 {MAX_ROW_CHARS // (1 << 20)} MB,未读取",
                            f"this row is longer than {MAX_ROW_CHARS // (1 << 20)} MB and was not "
                            "read", line=number, code=_CODE)
                ]
                continue
            yield number, cells, []
    except Exception as exc:  # broken sheet XML
        raise _fatal(file, f".xlsx 工作表已损坏:{exc}",
                     f"the .xlsx sheet is broken: {exc}") from None
