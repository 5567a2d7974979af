"""The one exception the library raises for bad input, and the problems it carries.

Every loader collects :class:`Problem` objects (file, line, column, field, bilingual message)
and raises a single :class:`InputError` holding all of them, so a roster with ten bad rows is
reported once, not ten times. The CLI prints ``str(problem)`` one per line and exits 2.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input, located as precisely as the input allows.

    >>> str(Problem("school.yaml", "数值应为数字", "expected a number", line=4, column=9, field="hours.online"))
    'school.yaml:4:9: hours.online: 数值应为数字 / expected a number'
    """

    file: str | None
    message_zh: str
    message_en: str
    line: int | None = None
    column: int | None = None
    field: str | None = None
    code: str = "input"

    def location(self) -> str:
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        where = self.location()
        field_part = f"{self.field}: " if self.field else ""
        return f"{where}: {field_part}{self.message_zh} / {self.message_en}"

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "code": self.code,
            "message": {"zh": self.message_zh, "en": self.message_en},
        }


@dataclass
class InputError(Exception):
    """Raised for any bad ruleset or record; ``problems`` lists every problem found.

    >>> err = InputError([Problem("a.yaml", "空文件", "empty file")])
    >>> str(err)
    'a.yaml: 空文件 / empty file'
    """

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    @classmethod
    def single(cls, file: str | None, zh: str, en: str, **where: object) -> InputError:
        """Shortcut for an error with one problem."""
        return cls([Problem(file, zh, en, **where)])  # type: ignore[arg-type]

    @classmethod
    def collect(cls, problems: Iterable[Problem]) -> InputError:
        return cls(list(problems))


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """The closest choice to a mistyped word, or None.

    >>> did_you_mean("A14", ["A1", "A13", "B1"])
    'A13'
    """
    import difflib

    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.5)
    return found[0] if found else None


_EXPECTED_ZH = {
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "bool_parsing": "应为是/否 (true/false)",
    "bool_type": "应为是/否 (true/false)",
    "date_from_datetime_parsing": "应为日期 YYYY-MM-DD",
    "date_parsing": "应为日期 YYYY-MM-DD",
    "date_type": "应为日期 YYYY-MM-DD",
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "string_type": "应为文本",
    "list_type": "应为列表",
    "dict_type": "应为映射",
    "model_type": "应为映射",
    "literal_error": "取值不在允许范围内",
    "union_tag_invalid": "未知的类型 (kind)",
    "string_pattern_mismatch": "格式不正确",
    "value_error": "取值无效",
    "too_short": "内容过少",
    "string_too_short": "不能为空",
    "finite_number": "必须是有限数值",
}


def problems_from_validation(
    exc: Any,
    data: Any,
    file: str | None,
    locate: Any = None,
    prefix: tuple[str | int, ...] = (),
) -> list[Problem]:
    """Turn a pydantic ``ValidationError`` into located, bilingual problems (one per place).

    ``locate(path) -> (line, column) | None`` finds a data path in the source file. Pydantic's
    error locations also contain union tags and type names; only the steps that exist in the
    data are kept, so the path is the one the user wrote.
    """
    seen: dict[tuple[str | int, ...], Problem] = {}
    for err in exc.errors(include_url=False):
        path = _data_path(err["loc"], data)
        if path in seen:
            continue  # a union reports each alternative: the first says enough
        full = prefix + path
        pos = locate(full) if locate else None
        found = err.get("input")
        shown = "" if err["type"] in ("missing",) or isinstance(found, (dict, list)) else f" (found {found!r})"
        zh = _EXPECTED_ZH.get(err["type"], "取值无效")
        msg = err["msg"]
        if err["type"] == "union_tag_invalid":
            from .kinds import KINDS

            hint = did_you_mean(str(err.get("ctx", {}).get("tag", "")), KINDS)
            msg = f"unknown kind {err.get('ctx', {}).get('tag')!r}" + (f"; did you mean {hint!r}?" if hint else "")
        if err["type"] == "extra_forbidden" and path:
            msg = f"unknown field {path[-1]!r}"
        seen[path] = Problem(
            file,
            f"{zh}{shown}",
            f"{msg}{shown}",
            line=pos[0] if pos else None,
            column=pos[1] if pos else None,
            field=_dotted(full) or None,
            code=err["type"],
        )
    return list(seen.values())


def _data_path(loc: tuple[Any, ...], data: Any) -> tuple[str | int, ...]:
    """Keep the steps of a pydantic location that exist in the data."""
    path: list[str | int] = []
    for step in loc:
        if isinstance(data, dict) and step in data:
            data = data[step]
            path.append(step)
        elif isinstance(data, list) and isinstance(step, int) and 0 <= step < len(data):
            data = data[step]
            path.append(step)
        elif not isinstance(data, (dict, list)) or isinstance(step, str) and step[:1].isupper():
            continue
        elif isinstance(data, dict) and isinstance(step, str) and not any(c in step for c in "[]()"):
            path.append(step)  # a missing or unknown key: name it
            data = None
    return tuple(path)


def _dotted(path: tuple[str | int, ...]) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out
