"""The one exception the library raises for bad input, and the problems it carries.

Every loader collects :class:`Problem` objects (file, line, column, field, bilingual message)
and raises a single :class:`InputError` holding all of them, so a roster with ten bad rows is
reported once, not ten times. The CLI prints ``str(problem)`` one per line and exits 2.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# What must never reach a terminal or an XML file from a user's text: C0/C1 control characters
# (a terminal escape hidden in a name), the bidirectional overrides and isolates that make
# text read in another order than it is stored (U+202A–202E, U+2066–2069), the noncharacters
# U+FFFE/U+FFFF and lone surrogates, which XML 1.0 and UTF-8 cannot carry. Tab and line feed
# stay (a Problem turns line breaks into ``\\n`` itself).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff\ud800-\udfff]")


def printable(text: str) -> str:
    """Text from a file made safe to print: each unsafe character becomes U+FFFD.

    >>> printable("张三\x1b]0;x\x07")
    '张三�]0;x�'
    >>> printable("abc\u202edef\uffff")
    'abc�def�'
    """
    return text if text.isprintable() else _UNSAFE.sub("\ufffd", text)


def printable_data(value: Any) -> Any:
    r"""Every string (and key) of nested dicts, lists and tuples made :func:`printable`;
    other values as they are. For writers that show a whole structure (SARIF, ``explain``).

    >>> printable_data({"a": ["b￿", 1]}) == {"a�": ["b�", 1]}
    True
    """
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {printable(k) if isinstance(k, str) else k: printable_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(printable_data(v) for v in value)
    return value


# A file read as a table (a workbook's sheet is named after it: 名册.xlsx[一校]).
_TABLE = re.compile(r"\.(xlsx|xlsm|csv|tsv)(\[.*\])?$", re.IGNORECASE)


def column_letters(n: int) -> str:
    """A spreadsheet column's letters from its number (1 → A, 27 → AA), as Excel heads it.

    >>> column_letters(3), column_letters(26), column_letters(27), column_letters(703)
    ('C', 'Z', 'AA', 'AAA')
    """
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input, located as precisely as the input allows.

    >>> p = Problem("school.yaml", "数值应为数字", "expected a number", line=4, column=9,
    ...             field="hours.online")
    >>> str(p)
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

    @property
    def cell(self) -> str | None:
        """The spreadsheet cell (``C5``) of a place in a workbook or CSV table, as Excel names
        it; None elsewhere (a YAML or JSON line:column is a place in text, not a cell).

        >>> Problem("名册.xlsx[一校]", "x", "x", line=5, column=3).cell, Problem("a.yaml", "x", "x", 5, 3).cell
        ('C5', None)
        """
        if self.line is None or self.column is None or not _TABLE.search(self.file or ""):
            return None
        return column_letters(self.column) + str(self.line)

    def __str__(self) -> str:
        where = self.location()
        cell = self.cell
        field_part = (f"({cell}) " if cell else "") + (f"{self.field}: " if self.field else "")
        text = f"{where}: {field_part}{self.message_zh} / {self.message_en}"
        # one problem, one line, whatever a message or a file name holds; no terminal escape
        # or bidi override from a file reaches stderr, in either language's half
        return printable(text.replace("\r", "\\r").replace("\n", "\\n"))

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


def argument_error(name: str, value: Any, zh: str, en: str) -> InputError:
    """A library argument of the wrong kind, as an :class:`InputError` (the one exception the
    library raises for bad input) naming the argument, what it must be and what it got.

    >>> str(argument_error("as_of", 20231231, "日期", "a date"))
    '<as_of>: 参数 as_of 应为日期,实际为 int / as_of must be a date, not int (20231231)'
    """
    shown = repr(value) if isinstance(value, (int, float, bytes)) else ""
    shown = f" ({shown[:40]})" if shown else ""
    return InputError.single(
        f"<{name}>",
        f"参数 {name} 应为{zh},实际为 {type(value).__name__}",
        f"{name} must be {en}, not {type(value).__name__}{shown}",
        code="argument",
    )


MAX_PATH_BYTES, MAX_NAME_BYTES = 4096, 255  # PATH_MAX and NAME_MAX of the common file systems


def path_argument(value: Any, name: str = "path") -> str:
    """A file path given to the library, checked before the OS sees it: text or a Path (not
    bytes, not a number), no NUL character, not longer than a file system allows. Returns it
    as ``str``; raises :class:`InputError` otherwise.

    >>> path_argument("a.yaml")
    'a.yaml'
    >>> path_argument("a\\0.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ict2rules.errors.InputError: a�.csv: 文件名无效(含 NUL 字符) / invalid file name (it contains a NUL character)
    """
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str):
        raise argument_error(name, value, "文件路径或名称(文本或 Path)", "a file path or name (str or Path)")
    if "\0" in value:
        raise InputError.single(value, "文件名无效(含 NUL 字符)", "invalid file name (it contains a NUL character)")
    encoded = os.fsencode(value)
    if len(encoded) > MAX_PATH_BYTES or any(len(part) > MAX_NAME_BYTES for part in encoded.split(b"/")):
        shown = value if len(value) <= 80 else value[:79] + "…"
        raise InputError.single(shown, "文件名过长", "the file name is too long")
    return value


def recursion_error(file: str | None = None) -> InputError:
    """Data nested thousands deep, or a dict that contains itself (library data), refused."""
    return InputError.single(
        file, "数据嵌套过深或引用了自身", "the data is nested too deeply, or refers to itself",
        code="recursion",
    )


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """The closest choice to a mistyped word, or None.

    >>> did_you_mean("treshold", ["threshold", "ratio", "count"])
    'threshold'
    >>> did_you_mean("zzz", ["threshold", "ratio"]) is None
    True
    """
    import difflib

    found = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.5)
    return found[0] if found else None


def unwrap_optional(tp: Any) -> Any:
    """Strip ``Annotated`` and ``X | None``; a union of several types is returned as it is."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


#: Every compile error, by code: its Chinese and English text with ``{name}`` fields. The
#: compiler raises codes with their values; the loader places them and words them from here,
#: so rewording one language can never lose the other.
COMPILE_MESSAGES: dict[str, tuple[str, str]] = {
    "unknown_parameter": ("未知参数 ${name}{hint_zh}", "unknown parameter {name!r}{hint_en}"),
    "no_field": (
        "字段路径 {token} 无效:{model} 没有字段 {name!r}{hint_zh}",
        "invalid field path {token}: {model} has no field {name!r}{hint_en}",
    ),
    "cannot_take": (
        "字段路径 {token} 无效:类型 {type} 的值没有 {name!r}",
        "invalid field path {token}: cannot take {name!r} of a value of type {type}",
    ),
    "parameter_type": (
        "参数值的类型不适用于 {argument!r}:{shown}",
        "the parameter's value does not fit {argument!r}: {shown}",
    ),
    "field_not_allowed": (
        "{token}:此处不能引用字段,请给出数字或 $参数",
        "{token}: a field cannot be used here; give a number or a $parameter",
    ),
    "own_passed": (
        "{token}:规则不能读取其自身对象的 passed(结论正由这些规则决定)",
        "{token}: a rule cannot read its own subject's `passed`",
    ),
    "computed_after": (
        "{token}:教师规则不能读取 {token!r},它在教师之后才计算",
        "{token}: a teacher rule cannot read {token!r}: it is computed after the teachers",
    ),
    "region_only": (
        "规则类型 {token} 只能用于区域规则(level: region)",
        "the {token} kind is for region rules (level: region)",
    ),
    "weights_count": (
        "{token}:权重须与取值一一对应",
        "{token}: weights must have one number per value",
    ),
}


class CompileError(ValueError):
    """A rule refers to a field, parameter or value that does not exist: a code and its values.

    ``token`` is what the ruleset wrote (a path, a ``$parameter``), which the loader finds to
    place the error; ``where`` (``"rule ID"`` / ``"derived ID"``) is set by the compiler.

    >>> e = CompileError("unknown_parameter", "$onlin", name="onlin", hint="online")
    >>> e.text("zh"), e.text("en")
    ('未知参数 $onlin;是否应为 $online?', "unknown parameter 'onlin'; did you mean $online?")
    """

    def __init__(self, code: str, token: str, where: str = "", **params: Any) -> None:
        if code not in COMPILE_MESSAGES:
            raise KeyError(f"no compile message for {code!r}")
        self.code, self.token, self.where, self.params = code, token, where, params
        super().__init__(f"{where}: {self.text('en')}" if where else self.text("en"))

    def text(self, lang: str) -> str:
        hint = self.params.get("hint")
        quoted = f"${hint}" if self.code == "unknown_parameter" else repr(hint)
        extra = {
            "hint_zh": f";是否应为 {quoted}?" if hint else "",
            "hint_en": f"; did you mean {quoted}?" if hint else "",
        }
        zh, en = COMPILE_MESSAGES[self.code]
        return (zh if lang == "zh" else en).format(token=self.token, **self.params, **extra)

    def at(self, where: str) -> CompileError:
        """The same error, said of a rule or derived value (``"rule ID"``)."""
        return CompileError(self.code, self.token, where, **self.params)


class Invalid(ValueError):
    """A validator's complaint in both languages, raised inside pydantic validators.

    ``at`` names steps below the validated value (the index of a duplicate in a list), so the
    problem is reported where the offending item is, not at the list.

    >>> err = Invalid("能力点 A1 重复", "point 'A1' is listed twice", at=(3,))
    >>> err.zh, err.en, err.at
    ('能力点 A1 重复', "point 'A1' is listed twice", (3,))
    """

    def __init__(self, zh: str, en: str, at: tuple[str | int, ...] = ()) -> None:
        super().__init__(f"{en} / {zh}")
        self.zh = zh
        self.en = en
        self.at = tuple(at)


# error type → (中文, English): what was expected. "found …" is added when there is a value.
_EXPECTED: dict[str, tuple[str, str]] = {
    "float_parsing": ("应为数字", "expected a number"),
    "float_type": ("应为数字", "expected a number"),
    "int_parsing": ("应为整数", "expected a whole number"),
    "int_type": ("应为整数", "expected a whole number"),
    "int_from_float": ("应为整数", "expected a whole number"),
    "bool_parsing": ("应为是/否 (true/false)", "expected true or false"),
    "bool_type": ("应为是/否 (true/false)", "expected true or false"),
    "date_from_datetime_parsing": ("应为日期 YYYY-MM-DD", "expected a date YYYY-MM-DD"),
    "date_from_datetime_inexact": (
        "应为日期 YYYY-MM-DD(不含时刻)",
        "expected a date YYYY-MM-DD without a time",
    ),
    "date_parsing": ("应为日期 YYYY-MM-DD", "expected a date YYYY-MM-DD"),
    "date_type": ("应为日期 YYYY-MM-DD", "expected a date YYYY-MM-DD"),
    "string_type": ("应为文本", "expected text"),
    "list_type": ("应为列表", "expected a list"),
    "dict_type": ("应为映射(键: 值)", "expected a mapping (key: value)"),
    "model_type": ("应为映射(键: 值)", "expected a mapping (key: value)"),
    "model_attributes_type": ("应为映射(键: 值)", "expected a mapping (key: value)"),
    "string_too_short": ("不能为空", "must not be empty"),
    "too_short": ("内容过少", "has too few items"),
    "string_too_long": ("文本过长", "text is too long"),
    "too_long": ("项目过多", "has too many items"),
    "finite_number": (
        "必须是有限数值,不能是 NaN 或无穷大",
        "must be a finite number, not NaN or Infinity",
    ),
    "union_tag_not_found": ("缺少 kind(规则类型)", "'kind' is missing"),
    "string_unicode": ("应为文本", "expected text"),
}
# error type → (中文, English, ctx key) for bounds: "at least 0", "at most 100"
_BOUNDS: dict[str, tuple[str, str, str]] = {
    "greater_than_equal": ("应不小于", "must be at least", "ge"),
    "greater_than": ("应大于", "must be greater than", "gt"),
    "less_than_equal": ("应不大于", "must be at most", "le"),
    "less_than": ("应小于", "must be less than", "lt"),
}
# types whose value is not worth echoing: it is the parent, or absent
_NO_FOUND = {"missing", "extra_forbidden", "union_tag_not_found"}


def problems_from_validation(
    exc: Any,
    data: Any,
    file: str | None,
    locate: Any = None,
    prefix: tuple[str | int, ...] = (),
    model: Any = None,
) -> list[Problem]:
    """Turn a pydantic ``ValidationError`` into located, bilingual problems (one per place).

    ``locate(path) -> (line, column) | None`` finds a data path in the source file. Pydantic's
    error locations also contain union tags and type names; only the steps that exist in the
    data are kept, so the path is the one the user wrote. Every message says what was expected
    and what was found, in Chinese and English; an unknown field gets a "did you mean" from the
    fields of ``model`` (the model validated) when it is given. Problems come in file order.

    >>> from pydantic import BaseModel, ValidationError
    >>> class M(BaseModel):
    ...     hours: float
    >>> try:
    ...     M.model_validate({"hours": "五十"})
    ... except ValidationError as exc:
    ...     print(problems_from_validation(exc, {"hours": "五十"}, "a.yaml")[0])
    a.yaml: hours: 应为数字,实际为 '五十' / expected a number, found '五十'
    """
    seen: dict[tuple[str | int, ...], Problem] = {}
    for err in exc.errors(include_url=False):
        invalid = _invalid(err)
        path = _data_path(err["loc"], data) + (invalid.at if invalid else ())
        if path in seen:
            continue  # a union reports each alternative: the first says enough
        zh, en = _messages(err, path, model, invalid)
        full = prefix + path
        pos = locate(full) if locate else None
        seen[path] = Problem(
            file,
            zh,
            en,
            line=pos[0] if pos else None,
            column=pos[1] if pos else None,
            field=_dotted(full) or None,
            code=err["type"],
        )
    # file order: a reader fixes a file top to bottom (sorted() is stable for unlocated ones)
    return sorted(seen.values(), key=lambda p: (p.line or 0, p.column or 0))


def _invalid(err: Any) -> Invalid | None:
    found = (err.get("ctx") or {}).get("error")
    return found if isinstance(found, Invalid) else None


def _messages(
    err: Any, path: tuple[str | int, ...], model: Any, invalid: Invalid | None
) -> tuple[str, str]:
    """The Chinese and English message of one pydantic error, with what was found."""
    kind: str = err["type"]
    ctx: dict[str, Any] = err.get("ctx") or {}
    found = err.get("input")
    name = str(path[-1]) if path else ""
    if invalid is not None:
        zh, en = invalid.zh, invalid.en
    elif kind not in _NO_FOUND and isinstance(found, float) and not math.isfinite(found):
        zh, en = _EXPECTED["finite_number"]
    elif kind == "missing":
        return f"缺少必填字段 {name}", f"required field {name!r} is missing"
    elif kind == "extra_forbidden":
        hint = did_you_mean(name, _fields_at(model, err["loc"][:-1]))
        return (
            f"未知字段 {name!r}" + (f";是否应为 {hint!r}?" if hint else ""),
            f"unknown field {name!r}" + (f"; did you mean {hint!r}?" if hint else ""),
        )
    elif kind == "union_tag_invalid":
        return _unknown_kind(ctx)
    elif kind == "literal_error":
        return _literal(ctx, found)
    elif kind in _BOUNDS:
        word_zh, word_en, key = _BOUNDS[kind]
        limit = _number(ctx.get(key))
        zh, en = f"{word_zh} {limit}", f"{word_en} {limit}"
    elif kind.startswith("date") and "range" in str(ctx.get("error", "")):
        zh, en = "日期不存在", "no such date"
    elif kind in _EXPECTED:
        zh, en = _EXPECTED[kind]
    elif kind == "string_pattern_mismatch":
        pattern = ctx.get("pattern", "")
        zh, en = f"格式不正确(应匹配 {pattern})", f"wrong format (must match {pattern})"
    else:  # a plain ValueError from a validator, or a type we do not word ourselves
        text = str(ctx.get("error") or err.get("msg") or kind)
        zh, en = f"取值无效:{text}", f"invalid value: {text}"
    if kind in _NO_FOUND or invalid is not None:  # a validator's own message names the value
        return zh, en
    found_zh, found_en = _found(found)
    return f"{zh},实际为 {found_zh}", f"{en}, found {found_en}"


def _unknown_kind(ctx: dict[str, Any]) -> tuple[str, str]:
    tag = str(ctx.get("tag", ""))
    expected = re.findall(r"'([^']*)'", str(ctx.get("expected_tags", "")))  # pydantic lists them
    hint = did_you_mean(tag, expected)
    return (
        f"未知的规则类型 kind {tag!r}" + (f";是否应为 {hint!r}?" if hint else ""),
        f"unknown kind {tag!r}" + (f"; did you mean {hint!r}?" if hint else ""),
    )


def _literal(ctx: dict[str, Any], found: Any) -> tuple[str, str]:
    """One of a closed list of words: what was found, and the nearest allowed word."""
    expected = str(ctx.get("expected", ""))
    choices = re.findall(r"'([^']*)'", expected)
    hint = did_you_mean(found, choices) if isinstance(found, str) else None
    tip_zh, tip_en = (f";是否应为 {hint!r}?", f"; did you mean {hint!r}?") if hint else ("", "")
    found_zh, found_en = _found(found)
    return (
        f"取值应为 {expected} 之一,实际为 {found_zh}{tip_zh}",
        f"expected {expected}, found {found_en}{tip_en}",
    )


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and value.bit_length() > 256:  # str() refuses > 4300 digits
        return f"{'-' if value < 0 else ''}~10^{int(value.bit_length() * math.log10(2))}"
    return str(value)


def _found(value: Any) -> tuple[str, str]:
    """How a found value is shown: short, on one line, its type when it is a collection."""
    if isinstance(value, dict):
        return "一个映射", "a mapping"
    if isinstance(value, (list, tuple)):
        return "一个列表", "a list"
    if value is None:
        return "空值", "nothing (null)"
    if isinstance(value, bool):
        return str(value).lower(), str(value).lower()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat(), value.isoformat()
    text = repr(value) if isinstance(value, str) else _number(value)
    text = text.replace("\n", "\\n").replace("\r", "\\r")
    if len(text) > 40:
        text = text[:39] + "…"
    return text, text


def _fields_at(model: Any, loc: tuple[Any, ...]) -> list[str]:
    """Field names of the model reached by a pydantic location (for "did you mean"), or []."""
    tp = model
    for step in loc:
        tp = _step(tp, step)
        if tp is None:
            return []
    tp = unwrap_optional(tp)
    fields = getattr(tp, "model_fields", None)
    return list(fields) if isinstance(fields, dict) else []


def _step(tp: Any, step: Any) -> Any:
    """The type one pydantic location step leads to, or None when it cannot be followed."""
    tp = unwrap_optional(tp)
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return _union_member(typing.get_args(tp), step)
    fields = getattr(tp, "model_fields", None)
    if isinstance(fields, dict):
        return fields[step].annotation if step in fields else None
    args = typing.get_args(tp)
    if origin is list and isinstance(step, int) and args:
        return args[0]
    if origin is dict and len(args) == 2 and step != "[key]":
        return args[1]
    return None


def _union_member(members: tuple[Any, ...], step: Any) -> Any:
    """A union's member named by a tag step (a ``kind`` literal or a type name)."""
    for member in members:
        inner = unwrap_optional(member)
        kind = getattr(inner, "model_fields", {}).get("kind")
        tags = typing.get_args(kind.annotation) if kind is not None else ()
        if step in tags or getattr(inner, "__name__", None) == step:
            return inner
    return None


def _data_path(loc: tuple[Any, ...], data: Any) -> tuple[str | int, ...]:
    """Keep the steps of a pydantic location that exist in the data.

    A step absent from the data is kept only when it is the last one (the missing or unknown
    key, which the message names); inner absent steps are union tags (``threshold``,
    ``Teacher``, ``list[Teacher]``) that the user never wrote.
    """
    path: list[str | int] = []
    last = len(loc) - 1
    for i, step in enumerate(loc):
        in_dict = isinstance(data, dict) and step in data
        if in_dict or (isinstance(data, list) and isinstance(step, int) and 0 <= step < len(data)):
            data = data[step]
            path.append(step)
        elif (
            i == last
            and isinstance(data, dict)
            and isinstance(step, str)
            and not any(c in step for c in "[]()")
        ):
            path.append(step)  # a missing or unknown key: name it
    return tuple(path)


def _dotted(path: tuple[str | int, ...]) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


def dotted(path: tuple[str | int, ...]) -> str:
    """A data path as people write it.

    >>> dotted(("school", "teachers", 2, "hours", "online"))
    'school.teachers[2].hours.online'
    """
    return _dotted(path)
