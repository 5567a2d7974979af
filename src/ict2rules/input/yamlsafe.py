"""Safe YAML/JSON loading that remembers where every value came from.

Rulesets and records arrive from many hands (provinces, districts, schools, spreadsheets
exported by hand), so every byte is treated as hostile:

* only plain data is built (mappings, lists, strings, numbers, booleans, null, dates); any
  other tag (``!!python/...``, ``!!binary``, ``!custom``) is refused, never constructed;
* the document size, nesting depth, number of aliases and merge keys, the size of the data
  after alias expansion and the length of one scalar are all bounded (see :class:`Limits`),
  and every bound is checked *before* the work it protects (file size from ``stat`` before
  reading, alias expansion from node counts before building anything);
* every failure, whatever the input bytes, is an :class:`~ict2rules.errors.InputError`
  whose problems say ``file:line:col: 中文 / English``.

Every mapping key and list item keeps its line and column so a problem found later (by the
schema or by pydantic) can be reported at its place in the file.

How YAML is read: libyaml's composer (C) builds the node graph, in which an alias is the very
node of its anchor, so nothing is expanded; one walk over the graph (:func:`_check_graph`)
then bounds it, counting an alias as the size and depth it would have once expanded, and only
then are the values built. The composers recurse once per level, so text that could nest
deeper than they safely go is first read as events (:func:`_scan`, also how problems at an
alias are placed and how the project's own words come before the parser's). Without libyaml,
PyYAML's pure-Python composer takes its place, with the same results and places.

>>> data, where = load_yaml_text("a:\\n  b: [1, 2]\\n", "x.yaml")
>>> data
{'a': {'b': [1, 2]}}
>>> where.find(("a", "b", 1))
(2, 10)
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import gc
import json
import math
import os
import re
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    ScalarEvent,
    SequenceStartEvent,
)

from ..errors import InputError, Problem, dotted
from .textio import decode_text

__all__ = [
    "DEFAULT_LIMITS",
    "Limits",
    "Locations",
    "load_file",
    "load_json_text",
    "load_yaml_text",
    "read_text",
    "resolve_extends",
]

PathKey = tuple[str | int, ...]

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Bounds applied to every YAML/JSON document.

    The defaults are far above any real ruleset or school plan (the largest bundled ruleset
    is a few hundred lines) yet small enough that a hostile file is refused in well under a
    second. Rosters of any size belong in JSON Lines or CSV, which are streamed row by row and
    only have a per-row bound (``max_row_bytes``, enforced by the record readers).

    >>> Limits().max_depth
    64
    >>> Limits(max_bytes=1024).max_bytes
    1024
    """

    max_bytes: int = 16 * MiB
    """Largest YAML/JSON document, in bytes on disk (or characters for in-memory text)."""
    max_depth: int = 64
    """Deepest nesting of lists/mappings, counted after alias expansion."""
    max_aliases: int = 100
    """Most ``*alias`` references in one document."""
    max_merge_keys: int = 100
    """Most ``<<`` merge keys in one document (they copy mappings, so they are counted too)."""
    max_nodes: int = 1_000_000
    """Most values (scalars, lists, mappings) in one document, counted after alias expansion.

    This bounds memory and time (a 16 MiB file of ``[1,1,1,...]`` would otherwise be 8
    million values) and is where a "billion laughs" bomb is caught: an alias counts as the
    full size of what it points to, known before anything is expanded.
    """
    max_scalar_chars: int = 1 * MiB
    """Longest single string/number/key, in characters."""
    max_row_bytes: int = 1 * MiB
    """Longest row of a streamed roster (JSON Lines/CSV); quoted in messages, used by readers."""


DEFAULT_LIMITS = Limits()

_STREAMED_HINT_ZH = (
    "大型名册请改用逐行读取的 JSON Lines(.jsonl)或 CSV 格式,"
    "它们没有总大小限制,只限制每行不超过 {row}"
)
_STREAMED_HINT_EN = (
    "large rosters belong in the streamed formats, JSON Lines (.jsonl) or CSV, which have "
    "no total size limit, only a per-row limit of {row}"
)


def _human(n: int) -> str:
    """Byte count for people: ``16 MiB`` rather than ``16777216``."""
    if n >= MiB and n % MiB == 0:
        return f"{n // MiB} MiB"
    if n >= 1024 and n % 1024 == 0:
        return f"{n // 1024} KiB"
    return f"{n} bytes"


class Locations:
    """Maps a path inside a loaded document to its (line, column), both 1-based.

    >>> where = Locations()
    >>> where.add(("teachers", 0), 3, 5)
    >>> where.find(("teachers", 0, "hours", "online"))  # falls back to the deepest ancestor
    (3, 5)
    >>> where.find(("other",)) is None
    True
    """

    def __init__(self) -> None:
        self._marks: dict[PathKey, tuple[int, int]] = {}

    def add(self, path: PathKey, line: int, column: int) -> None:
        self._marks[path] = (line, column)

    def find(self, path: Sequence[str | int]) -> tuple[int, int] | None:
        """Position of ``path``, or of its deepest ancestor that has one."""
        key = tuple(path)
        while True:
            if key in self._marks:
                return self._marks[key]
            if not key:
                return None
            key = key[:-1]


# --------------------------------------------------------------------------------------
# YAML
# --------------------------------------------------------------------------------------

_TAG = "tag:yaml.org,2002:"
_MERGE = _TAG + "merge"
_STR = _TAG + "str"
# The closed list of tags that may appear. Anything else (python/*, binary, set, omap, local
# "!tags") is refused at the node, so no constructor beyond plain data is ever reached.
_SCALAR_TAGS = {
    _STR,
    _TAG + "int",
    _TAG + "float",
    _TAG + "bool",
    _TAG + "null",
    _TAG + "timestamp",
}
_KIND_TAGS = {
    "scalar": {*_SCALAR_TAGS, _MERGE, _TAG + "value"},  # "<<" and a bare "=" are resolved so
    "seq": {_TAG + "seq"},
    "map": {_TAG + "map"},
}
_KEY_TYPES = (str, int, float, dt.date)  # bool is an int; datetime is a date

# YAML 1.2 plain scalars (the core schema), not PyYAML's YAML 1.1: `yes`/`no`/`on`/`off` are
# text, not booleans, and `050` (octal 40), `1:05` (base 60: 65), `0x32`, `0b110010` and `5_0`
# are text, not numbers — so a field wanting a number or a yes/no refuses them, located, instead
# of reading a silently different value.
_CORE_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_CORE_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")


def _core(tag: str, value: str) -> str:
    """The tag a plain scalar has in YAML 1.2 (core schema), from PyYAML's YAML 1.1 one."""
    if tag == _TAG + "bool" and not _CORE_BOOL.match(value):
        return _STR
    if tag == _TAG + "int" and not _CORE_INT.match(value):
        return _STR
    if tag == _TAG + "float" and ("_" in value or ":" in value):
        return _STR
    return tag


# The pure-Python composer recurses about three Python frames per level, libyaml's composer
# one C call per level (an 8 MiB stack holds some 20,000 levels). Text that could nest deeper
# than this is measured from its events first (_scan), unless libyaml stops deep nesting itself.
_PY_SAFE_DEPTH = 100
_C_SAFE_DEPTH = 5000

# Tags of short plain scalars, already resolved: a roster repeats `true`, `A1` and `50`
# thousands of times and PyYAML resolves each one with a list of regular expressions.
_RESOLVED: dict[str, str] = {}


def _resolve(self: Any, kind: Any, value: Any, implicit: Any) -> str:
    """``Resolver.resolve`` with YAML 1.2 plain scalars (:func:`_core`); called by the composers."""
    if kind is yaml.ScalarNode and implicit[0]:
        tag = _RESOLVED.get(value)
        if tag is None:
            tag = _core(yaml.resolver.Resolver.resolve(self, kind, value, implicit), value)
            if len(value) <= 64:
                if len(_RESOLVED) >= 50_000:
                    _RESOLVED.clear()
                _RESOLVED[value] = tag
        return tag
    return str(yaml.resolver.Resolver.resolve(self, kind, value, implicit))


class _PyLoader(yaml.SafeLoader):
    """PyYAML's pure-Python parser and composer, used only where libyaml is absent."""

    safe_depth = _PY_SAFE_DEPTH
    resolve = _resolve


_CLoader: type[Any] | None = None
if yaml.__with_libyaml__:

    class _CLoader(yaml.CSafeLoader):  # type: ignore[no-redef]
        """libyaml's parser and composer (C): nodes with their marks, about 3x faster."""

        safe_depth = _C_SAFE_DEPTH
        resolve = _resolve


@functools.cache
def _libyaml_caps_nesting() -> bool:
    """Whether libyaml refuses deep nesting itself, as 0.2.6 does past 1,000 levels (0.2.5
    nests as deep as the text does). Then its composer may be given any text: it cannot
    recurse deeper than that. Found by trying 2,000 levels, which any stack holds.

    >>> _libyaml_caps_nesting() in (True, False)
    True
    """
    if _CLoader is None:
        return False
    try:
        yaml.compose("[" * 2000 + "]" * 2000, Loader=_CLoader)
    except yaml.YAMLError:
        return True
    return False


def _safe_depth(loader_class: type[Any]) -> float:
    """How deep a text may nest before its events are read first (:func:`_compose`)."""
    if loader_class is _CLoader and _libyaml_caps_nesting():
        return math.inf
    return float(loader_class.safe_depth)


def _pick_loader() -> type[Any]:
    """libyaml's loader when PyYAML was built with it, else the pure-Python one.

    >>> _pick_loader().safe_depth in (_C_SAFE_DEPTH, _PY_SAFE_DEPTH)
    True
    """
    return _CLoader if yaml.__with_libyaml__ and _CLoader is not None else _PyLoader


_Loader = _pick_loader()


def _mark_problem(file: str, mark: Any, zh: str, en: str, code: str = "yaml") -> Problem:
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    return Problem(file, zh, en, line=line, column=column, code=code)


def _problem_from_yaml_error(file: str, exc: yaml.YAMLError, text: str | None = None) -> Problem:
    if isinstance(exc, yaml.reader.ReaderError) and text is not None:
        # the reader gives a character offset, not a mark: say line:column like every other
        line, column = _line_col(text, exc.position)
        char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
        return Problem(file, f"YAML 中不允许的字符 U+{char:04X}(控制字符)",
                       f"invalid YAML: character U+{char:04X} is not allowed (a control character)",
                       line=line, column=column, code="yaml")
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    detail = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    if context:
        detail = f"{detail} ({context})"
    detail = _one_line(detail, 160)  # a Problem is one line, whatever the parser said
    return _mark_problem(file, mark, f"YAML 语法错误:{detail}", f"invalid YAML: {detail}")


def _one_line(text: str, width: int = 40) -> str:
    """A short, single-line excerpt of a value for a message (keeps Problems one line)."""
    text = text.replace("\n", "\\n").replace("\r", "\\r")
    return text if len(text) <= width else text[: width - 1] + "…"


def _fail(file: str, mark: Any, zh: str, en: str) -> InputError:
    return InputError([_mark_problem(file, mark, zh, en)])


def _too_deep(file: str, limits: Limits, mark: Any, aliases: bool) -> InputError:
    n = limits.max_depth
    extra_zh, extra_en = ("(含别名展开)", " (aliases expanded)") if aliases else ("", "")
    return _fail(
        file, mark, f"嵌套层数超过 {n} 层{extra_zh}", f"nesting is deeper than {n} levels{extra_en}"
    )


def _check_tag(file: str, tag: str, kind: str, mark: Any) -> None:
    if tag not in _KIND_TAGS[kind]:
        shown = _one_line(tag.replace(_TAG, "!!"), 60)
        raise _fail(
            file,
            mark,
            f"不支持的标签 {shown}:只允许普通数据(文本、数字、布尔、日期、列表、映射)",
            f"unsupported tag {shown}: only plain data (text, numbers, booleans, dates, "
            "lists, mappings) is allowed",
        )


def _check_length(file: str, limits: Limits, value: str, mark: Any) -> None:
    if len(value) > limits.max_scalar_chars:
        raise _fail(
            file,
            mark,
            f"单个值过长(超过 {limits.max_scalar_chars} 个字符)",
            f"a single value is longer than {limits.max_scalar_chars} characters",
        )


def _depth_bound(text: str, enough: int) -> int:
    """A cheap bound on how deep ``text`` nests, never below the real depth.

    Stops counting once the bound is above ``enough``.

    A flow collection opens with ``[`` or ``{`` (a flow sequence may hold one more level, a
    bare ``key: value`` pair), flow collections hold no block ones, and nested block
    collections move one column right at least every second level. Brackets in strings or
    comments only make the bound larger.

    >>> _depth_bound("a:\\n  b: [1, {c: 2}]\\n", 1000)  # real depth: 3
    38
    """
    bound = 2 * (text.count("[") + text.count("{")) + 2
    if bound > enough:
        return bound
    # only "\n" ends a line here: every other YAML line break makes lines shorter, not longer
    return bound + 2 * max(map(len, text.split("\n")))


def _scan(
    text: str, file: str, limits: Limits, loader_class: type[Any], alias: int = 0
) -> Any:
    """Read the parser's events for what the composer cannot say, or says in its own words.

    Raises the first of: nesting deeper than the limit, an unsupported tag, a value too long,
    a duplicate anchor, an undefined or recursive alias, a second document. With ``alias``
    set, returns the mark of that alias (1-based, in document order) if it comes first;
    otherwise returns None. The parsers keep their state on the heap and hand out one event
    at a time, so this is safe at any depth, unlike the composers, and stops at the problem.
    """
    anchors: list[str | None] = []  # of the collections open at this point
    done: set[str] = set()
    aliases = documents = 0
    loader = loader_class(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            mark = event.start_mark
            if isinstance(event, AliasEvent):
                aliases += 1
                if aliases == alias:
                    return mark
                if event.anchor not in done:
                    if event.anchor in anchors:
                        raise _fail(
                            file,
                            mark,
                            f"别名 *{event.anchor} 引用了包含它自身的锚点(不允许循环结构)",
                            f"alias *{event.anchor} refers to an anchor that contains it "
                            "(recursive structures are not allowed)",
                        )
                    raise _fail(
                        file, mark, f"未定义的别名 *{event.anchor}", f"undefined alias *{event.anchor}"
                    )
            elif isinstance(event, (ScalarEvent, CollectionStartEvent)):
                if isinstance(event, ScalarEvent):
                    kind = "scalar"
                    _check_length(file, limits, event.value, mark)
                else:
                    kind = "seq" if isinstance(event, SequenceStartEvent) else "map"
                    if len(anchors) >= limits.max_depth:
                        raise _too_deep(file, limits, mark, aliases=False)
                if event.tag is not None and event.tag != "!":  # implicit tags are all plain data
                    _check_tag(file, event.tag, kind, mark)
                anchor = event.anchor
                if anchor is not None and (anchor in done or anchor in anchors):
                    raise _fail(file, mark, f"重复的锚点 &{anchor}", f"duplicate anchor &{anchor}")
                if kind == "scalar":
                    if anchor is not None:
                        done.add(anchor)
                else:
                    anchors.append(anchor)
            elif isinstance(event, CollectionEndEvent):
                anchor = anchors.pop()
                if anchor is not None:
                    done.add(anchor)
            elif isinstance(event, DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise _fail(
                        file,
                        mark,
                        "文件中只能有一个 YAML 文档(发现了第二个 ---)",
                        "expected a single YAML document but found another (---)",
                    )
    finally:
        loader.dispose()
    return None


def _compose(text: str, file: str, limits: Limits, loader_class: type[Any]) -> Any:
    """The document's node graph from the composer (aliases are shared nodes, never copies)."""
    try:
        safe = _safe_depth(loader_class)
        if safe < math.inf and _depth_bound(text, int(safe)) > safe:
            _scan(text, file, limits, loader_class)  # the composer recurses: depth first
        loader = loader_class(text)
        try:
            return loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.YAMLError:
        # The parser's or composer's own error: say first any problem of ours that comes
        # earlier (anchors, a second document in the project's words; the depth before libyaml's
        # own nesting cap, which it may hit reading ahead). The pure-Python parser is lazy.
        with contextlib.suppress(yaml.YAMLError):
            _scan(text, file, limits, _PyLoader)
        raise


def _check_graph(root: Any, file: str, limits: Limits, text: str, loader_class: type[Any]) -> None:
    """Bound the node graph before anything is built: tags, lengths, depth, aliases, size.

    One walk in document order over the nodes as composed, never expanding an alias: a node
    met again is an alias and counts as the size and height it has once expanded, known since
    the node was finished. So a "billion laughs" document is refused at its first big alias.
    Problems at an alias are placed by reading the events up to that alias (:func:`_scan`).
    """
    lim = limits
    shared = "&" in text  # without an anchor every node is met once: no bookkeeping needed
    sizes: dict[int, tuple[int, int]] = {}  # finished node: (values once expanded, height)
    active: set[int] = set()  # open collections
    total = aliases = merges = 0
    frames: list[list[Any]] = []  # [node, children, next child, size, height, is_mapping]

    def at_alias() -> Any:
        return _scan(text, file, lim, loader_class, alias=aliases)

    node = root
    is_key = False
    while True:
        size = -1  # set when the visited node is finished (a scalar or an alias)
        key = id(node)
        if shared and (key in sizes or key in active):
            aliases += 1
            if aliases > lim.max_aliases:
                raise _fail(
                    file,
                    at_alias(),
                    f"别名(*引用)超过 {lim.max_aliases} 个",
                    f"more than {lim.max_aliases} aliases (*references)",
                )
            if key in active:
                _scan(text, file, lim, loader_class)  # names the recursive alias and raises
                raise _fail(file, node.start_mark, "不允许循环结构", "recursive structures are not allowed")
            size, height = sizes[key]
            total += size
            if total > lim.max_nodes:
                raise _too_big(file, lim, at_alias(), alias=True)
            if len(frames) + height > lim.max_depth:
                raise _too_deep(file, lim, at_alias(), aliases=True)
        elif isinstance(node, yaml.ScalarNode):
            mark = node.start_mark
            _check_length(file, lim, node.value, mark)
            _check_tag(file, node.tag, "scalar", mark)
            if is_key and node.tag == _MERGE:
                merges += 1
                if merges > lim.max_merge_keys:
                    raise _fail(
                        file,
                        mark,
                        f"合并键 << 超过 {lim.max_merge_keys} 个",
                        f"more than {lim.max_merge_keys} merge keys (<<)",
                    )
            total += 1
            if total > lim.max_nodes:
                raise _too_many_values(file, lim, mark)
            size, height = 1, 0
            if shared:
                sizes[key] = (1, 0)
        else:
            mark = node.start_mark
            if len(frames) >= lim.max_depth:
                raise _too_deep(file, lim, mark, aliases=False)
            mapping = isinstance(node, yaml.MappingNode)
            _check_tag(file, node.tag, "map" if mapping else "seq", mark)
            children = [n for pair in node.value for n in pair] if mapping else node.value
            frames.append([node, children, 0, 1, 1, mapping])
            if shared:
                active.add(key)
        while frames:
            frame = frames[-1]
            if size >= 0:  # hand the finished child to its parent
                frame[3] += size
                frame[4] = max(frame[4], 1 + height)
            children, index = frame[1], frame[2]
            if index < len(children):
                frame[2] = index + 1
                node = children[index]
                is_key = frame[5] and index % 2 == 0
                break
            frames.pop()
            done = frame[0]
            size, height = frame[3], frame[4]
            total += 1
            if total > lim.max_nodes:
                raise _too_many_values(file, lim, done.start_mark)
            if shared:
                active.discard(id(done))
                sizes[id(done)] = (size, height)
        else:
            return


class _Builder:
    """Turn a checked node graph into plain Python data, recording positions.

    Recursion depth is bounded by ``Limits.max_depth`` and the amount of work by
    ``Limits.max_nodes``, both already enforced by :func:`_check_graph`.
    """

    def __init__(self, file: str, where: Locations) -> None:
        self.file = file
        self.where = where
        # one constructor for all scalars: building one per node (as yaml does) is slow
        self.scalars = _PyLoader("")

    def fail(self, node: Any, zh: str, en: str) -> InputError:
        return _fail(self.file, node.start_mark, zh, en)

    def build(self, node: Any, path: PathKey) -> Any:
        mark = node.start_mark
        self.where.add(path, mark.line + 1, mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self.scalar(node, path)

    def scalar(self, node: Any, path: PathKey = ()) -> Any:
        tag = node.tag
        if tag == _STR or tag not in _SCALAR_TAGS:
            # "!!value" (a bare "=") is text; a "<<" outside a mapping key is text too
            return node.value
        try:
            return self.scalars.yaml_constructors[tag](self.scalars, node)
        except Exception as exc:  # why: e.g. 2021-02-30, a 5000-digit int; any failure is input
            detail = _one_line(str(exc).splitlines()[0] if str(exc) else type(exc).__name__, 80)
            # a date that does not exist (2024-02-30) is the usual case: say it in Chinese too
            zh_detail = "日期不存在" if tag == _TAG + "timestamp" else detail
            problem = _mark_problem(
                self.file, node.start_mark,
                f"无法读取值 {_one_line(node.value)!r}:{zh_detail}",
                f"cannot read the value {_one_line(node.value)!r}: {detail}",
            )
            field_name = dotted(path) or None  # the field, as every other problem names it
            raise InputError([dataclasses.replace(problem, field=field_name)]) from None

    def key(self, node: Any) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(
                node,
                "映射的键必须是简单值(文本或数字)",
                "mapping keys must be plain scalars (text or numbers)",
            )
        key = self.scalar(node)
        if (
            key is None
            or not isinstance(key, _KEY_TYPES)
            or (isinstance(key, float) and math.isnan(key))
        ):
            raise self.fail(
                node,
                f"映射的键 {_one_line(node.value)!r} 必须是文本或数字",
                f"mapping key {_one_line(node.value)!r} must be text or a number",
            )
        return key

    def mapping(self, node: Any, path: PathKey) -> dict[Any, Any]:
        """Build a mapping; explicit keys win over ``<<`` merged ones, earlier merges over later.

        Duplicate explicit keys are an error; a key that only overrides a merged one is not
        (that is what merge keys are for).
        """
        explicit: list[tuple[Any, Any, Any]] = []
        seen: set[Any] = set()
        sources: list[Any] = []
        merge_seen = False
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE and isinstance(key_node, yaml.ScalarNode):
                if merge_seen:
                    raise self.fail(key_node, "重复的合并键 <<", "duplicate merge key <<")
                merge_seen = True
                is_list = isinstance(value_node, yaml.SequenceNode)
                candidates = value_node.value if is_list else [value_node]
                for source in candidates:
                    if not isinstance(source, yaml.MappingNode):
                        raise self.fail(
                            source,
                            "合并键 << 的值必须是映射或映射的列表",
                            "a merge key << needs a mapping or a list of mappings",
                        )
                sources.extend(candidates)
                continue
            key = self.key(key_node)
            if key in seen:
                raise self.fail(key_node, f"重复的键 {key!r}", f"duplicate key {key!r}")
            seen.add(key)
            explicit.append((key, key_node, value_node))
        result: dict[Any, Any] = {}
        # later sources first so that earlier ones overwrite them (and their positions)
        for source in reversed(sources):
            result.update(self.mapping(source, path))
        for key, key_node, value_node in explicit:
            result.pop(key, None)  # overriding a merged key keeps the file's order
            child = (*path, key)
            result[key] = self.build(value_node, child)
            # a scalar is reported at the value; a list/mapping at its key, which is where a
            # reader looks for "missing field"/"unknown field" inside it
            if not isinstance(value_node, yaml.ScalarNode):
                mark = key_node.start_mark
                self.where.add(child, mark.line + 1, mark.column + 1)
        return result


def _guard(file: str, kind: str, func: Callable[[], Any], text: str | None = None) -> Any:
    """Run a parse step so that only :class:`InputError` can escape, whatever the input."""
    try:
        return func()
    except InputError:
        raise
    except yaml.YAMLError as exc:
        raise InputError([_problem_from_yaml_error(file, exc, text)]) from None
    except RecursionError:
        # json's C parser recurses per level; the walk afterwards would have said "> 64"
        raise InputError.single(
            file, "嵌套层数远超上限", "nesting is far deeper than the limit", code=kind
        ) from None
    except Exception as exc:  # why: the promise is "InputError and nothing else" for any bytes
        detail = _one_line(str(exc).splitlines()[0] if str(exc) else type(exc).__name__, 80)
        raise InputError.single(
            file,
            f"无法解析 {kind.upper()}:{detail}",
            f"cannot parse {kind.upper()}: {detail}",
            code=kind,
        ) from None


def _check_surrogates(text: str, file: str) -> None:
    # why: only reachable from in-memory text (read_text decodes strictly), but a lone
    # surrogate would otherwise surface as a confusing codec error from libyaml
    if not text.isascii():
        found = _LONE_SURROGATE.search(text)
        if found:
            line, column = _line_col(text, found.start())
            raise InputError.single(
                file,
                "文本中含有不成对的代理字符",
                "text contains an unpaired surrogate character",
                line=line,
                column=column,
            )


def _check_text_size(text: str, file: str, limits: Limits) -> None:
    # in-memory text is measured in characters: cheap, and never smaller than the byte size
    # divided by 4, so the bound is the same order as the on-disk one
    if len(text) > limits.max_bytes:
        raise _too_large(file, len(text), limits, unit="characters")


def _too_big(file: str, limits: Limits, mark: Any, alias: bool) -> InputError:
    if not alias:
        return _too_many_values(file, limits, mark)
    n = limits.max_nodes
    return _fail(
        file,
        mark,
        f"展开别名(*引用)后文档会超过 {n:,} 个值(疑似“十亿笑声”炸弹),已拒绝且未展开",
        f"expanding the aliases (*references) would make more than {n:,} values "
        "(a 'billion laughs' bomb?); refused without expanding them",
    )


def _too_many_values(file: str, limits: Limits, mark: Any) -> InputError:
    row = _human(limits.max_row_bytes)
    n = limits.max_nodes
    return InputError(
        [
            _mark_problem(
                file,
                mark,
                f"文档中的值超过 {n:,} 个;" + _STREAMED_HINT_ZH.format(row=row),
                f"the document has more than {n:,} values; " + _STREAMED_HINT_EN.format(row=row),
                code="too_large",
            )
        ]
    )


def _too_large(file: str, size: int, limits: Limits, unit: str = "bytes") -> InputError:
    row = _human(limits.max_row_bytes)
    zh_unit = "字节" if unit == "bytes" else "个字符"
    return InputError.single(
        file,
        f"文件过大({size:,} {zh_unit},上限 {_human(limits.max_bytes)});"
        + _STREAMED_HINT_ZH.format(row=row),
        f"the file is too large ({size:,} {unit}, limit {_human(limits.max_bytes)}); "
        + _STREAMED_HINT_EN.format(row=row),
        code="too_large",
    )


def load_yaml_text(text: str, file: str, *, limits: Limits | None = None) -> tuple[Any, Locations]:
    """Parse YAML text safely; raise :class:`InputError` with the place of any problem.

    >>> load_yaml_text("hours: {online: 50}", "a.yaml")[0]
    {'hours': {'online': 50}}
    >>> load_yaml_text("a: 1\\na: 2\\n", "a.yaml")
    Traceback (most recent call last):
    ...
    ict2rules.errors.InputError: a.yaml:2:1: 重复的键 'a' / duplicate key 'a'
    """
    lim = limits or DEFAULT_LIMITS
    _check_text_size(text, file, lim)
    _check_surrogates(text, file)
    loader_class = _Loader
    # The cyclic garbage collector would run again and again over the hundreds of thousands of
    # fresh nodes and values, none of which can be cyclic garbage (a recursive alias is refused
    # before anything is built): paused while they are made, it halves the time of a big file.
    collecting = gc.isenabled()
    gc.disable()
    try:
        node = _guard(file, "yaml", lambda: _compose(text, file, lim, loader_class), text)
        if node is None:
            raise InputError.single(
                file, "文件为空(没有任何内容或只有注释)", "the file is empty (nothing but comments)"
            )
        where = Locations()

        def build() -> Any:
            _check_graph(node, file, lim, text, loader_class)
            return _Builder(file, where).build(node, ())

        data = _guard(file, "yaml", build, text)
    finally:
        if collecting:
            gc.enable()
    return data, where


# --------------------------------------------------------------------------------------
# JSON
# --------------------------------------------------------------------------------------

# A JSON string, or one of the non-standard constants; strings are matched first so that
# "NaN" inside a string is skipped. Used only on the error path, to place the problem.
_JSON_CONSTANT = re.compile(r'"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)', re.DOTALL)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class _Duplicate(dict):  # type: ignore[type-arg]
    """What the pairs hook returns for an object with a repeated key; found by the walk."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.duplicate = key


class _BadConstant(Exception):
    pass


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # why not raise here: the hook does not know where it is; the walk below knows the path
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                return _Duplicate(key)
            seen.add(key)
    return result


def _json_constant(name: str) -> Any:
    raise _BadConstant(name)


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _json_walk(data: Any, file: str, limits: Limits) -> None:
    """Check depth, value count, scalar length, duplicates, finiteness, lone surrogates.

    Iterative on purpose, and paths are only built for containers (a scalar's path is made
    when it is wrong): a 16 MiB array of numbers is checked in about a second.
    """
    count = 1
    todo: list[tuple[Any, PathKey]] = [(data, ())] if isinstance(data, (dict, list)) else []
    while todo:
        value, path = todo.pop()
        if isinstance(value, _Duplicate):
            raise InputError.single(
                file,
                f"重复的键 {value.duplicate!r}",
                f"duplicate key {value.duplicate!r}",
                field=_field(path),
                code="json",
            )
        if len(path) >= limits.max_depth:
            raise InputError.single(
                file,
                f"嵌套层数超过 {limits.max_depth} 层",
                f"nesting is deeper than {limits.max_depth} levels",
                code="json",
            )
        pairs = value.items() if isinstance(value, dict) else enumerate(value)
        count += len(value)
        if count > limits.max_nodes:
            raise _too_many_values(file, limits, None)
        containers: list[tuple[Any, PathKey]] = []
        for key, item in pairs:
            if isinstance(key, str):
                _json_scalar_ok(key, file, path, limits)
            if isinstance(item, (dict, list)):
                containers.append((item, (*path, key)))
            elif isinstance(item, (str, float)):
                _json_scalar_ok(item, file, (*path, key), limits)
        todo.extend(reversed(containers))  # document order, so the first problem is reported
    if isinstance(data, (str, float)):
        _json_scalar_ok(data, file, (), limits)


def _json_scalar_ok(value: str | float, file: str, path: PathKey, limits: Limits) -> None:
    text = value
    if isinstance(text, float):
        if not math.isfinite(text):
            # why: 1e999 parses as inf without going through parse_constant
            raise InputError.single(
                file,
                "数字超出范围(必须是有限数字)",
                "number out of range (numbers must be finite)",
                field=_field(path),
                code="json",
            )
        return
    if len(text) > limits.max_scalar_chars:
        raise InputError.single(
            file,
            f"单个值过长(超过 {limits.max_scalar_chars} 个字符)",
            f"a single value is longer than {limits.max_scalar_chars} characters",
            field=_field(path),
            code="json",
        )
    # why: "\ud800" is valid JSON but not valid Unicode; it would crash the report writer later
    if not text.isascii() and _LONE_SURROGATE.search(text):
        raise InputError.single(
            file,
            "文本中含有不成对的代理字符(\\ud800 一类)",
            "text contains an unpaired surrogate (\\ud800-style escape)",
            field=_field(path),
            code="json",
        )


def _field(path: PathKey) -> str | None:
    if not path:
        return None
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def load_json_text(text: str, file: str, *, limits: Limits | None = None) -> tuple[Any, Locations]:
    """Parse JSON text strictly; raise :class:`InputError` with the place of any problem.

    Duplicate keys and the non-standard ``NaN``/``Infinity`` are refused. Positions are not
    tracked below the top level (the problem's ``field`` names the path instead), because doing
    so would need a pure-Python parser, 20x slower on big files.

    >>> load_json_text('{"hours": {"online": 50}}', "a.json")[0]
    {'hours': {'online': 50}}
    >>> load_json_text('{"a": NaN}', "a.json")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ict2rules.errors.InputError: a.json:1:7: ... / NaN is not allowed in JSON ...
    """
    lim = limits or DEFAULT_LIMITS
    _check_text_size(text, file, lim)
    if text.startswith("\ufeff"):
        text = text[1:]  # a UTF-8 BOM is harmless; json.loads refuses it
    if not text.strip():
        raise InputError.single(file, "文件为空", "the file is empty", code="json")

    def parse() -> Any:
        try:
            return json.loads(text, object_pairs_hook=_json_pairs, parse_constant=_json_constant)
        except json.JSONDecodeError as exc:
            raise InputError(
                [
                    Problem(
                        file,
                        f"JSON 语法错误:{exc.msg}",
                        f"invalid JSON: {exc.msg}",
                        line=exc.lineno,
                        column=exc.colno,
                        code="json",
                    )
                ]
            ) from None
        except _BadConstant as exc:
            name = str(exc)
            line = column = None
            for match in _JSON_CONSTANT.finditer(text):
                if match.group(1):
                    line, column = _line_col(text, match.start(1))
                    name = match.group(1)
                    break
            raise InputError(
                [
                    Problem(
                        file,
                        f"JSON 中不允许 {name}(只允许有限数字)",
                        f"{name} is not allowed in JSON (numbers must be finite)",
                        line=line,
                        column=column,
                        code="json",
                    )
                ]
            ) from None

    data = _guard(file, "json", parse)
    _guard(file, "json", lambda: _json_walk(data, file, lim))
    return data, Locations()


# --------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------

def read_text(path: Path | str, *, limits: Limits | None = None) -> str:
    """Read a text file (UTF-8, or GB18030: see :mod:`textio`), turning every OS or encoding failure into an InputError.

    The size is checked with ``stat`` before anything is read, and at most ``max_bytes + 1``
    bytes are ever read (the file could grow in between), so memory stays bounded.

    >>> read_text(Path("/no/such/file.yaml"))
    Traceback (most recent call last):
    ...
    ict2rules.errors.InputError: /no/such/file.yaml: 文件不存在 / no such file
    """
    lim = limits or DEFAULT_LIMITS
    path = Path(path)
    file = str(path)
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise InputError.single(
                file, "这是一个目录,不是文件", "this is a directory, not a file"
            )
        if not stat.S_ISREG(info.st_mode):
            # why: /dev/zero or a FIFO would make read() endless or block forever
            raise InputError.single(
                file,
                "这不是普通文件(设备、管道等)",
                "this is not a regular file (device, pipe, ...)",
            )
        if info.st_size > lim.max_bytes:
            raise _too_large(file, info.st_size, lim)
        with open(path, "rb") as handle:
            raw = handle.read(lim.max_bytes + 1)
    except InputError:
        raise
    except (FileNotFoundError, NotADirectoryError):
        raise InputError.single(file, "文件不存在", "no such file") from None
    except PermissionError:
        raise InputError.single(
            file, "没有读取该文件的权限", "permission denied: cannot read the file"
        ) from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InputError.single(
            file, f"无法读取文件:{reason}", f"cannot read the file: {reason}"
        ) from None
    except ValueError:  # a NUL byte in the name
        raise InputError.single(file, "文件名无效", "invalid file name") from None
    if len(raw) > lim.max_bytes:
        raise _too_large(file, len(raw), lim)
    return _decode(raw, file)


def _decode(raw: bytes, file: str) -> str:
    text = decode_text(raw, file)  # the one encoding policy of every input (textio)
    if not text.strip():
        raise InputError.single(file, "文件为空", "the file is empty")
    return text


def load_file(path: str | Path, *, limits: Limits | None = None) -> tuple[Any, Locations]:
    """Load a YAML or JSON file (by its suffix; YAML otherwise).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d, "plan.json")
    ...     _ = p.write_text('{"year": 2023}', encoding="utf-8")
    ...     load_file(p)[0]
    {'year': 2023}
    """
    path = Path(path)
    text = read_text(path, limits=limits)
    if path.suffix.lower() == ".json":
        return load_json_text(text, str(path), limits=limits)
    return load_yaml_text(text, str(path), limits=limits)


# --------------------------------------------------------------------------------------
# extends
# --------------------------------------------------------------------------------------

_BUNDLED_NAME = re.compile(r"[a-z][a-z0-9_]*")
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")  # http:, file:, also C: drives
_EXTENDS_SUFFIXES = (".yaml", ".yml", ".json")


def resolve_extends(
    name: str,
    base_dir: Path,
    bundled: Callable[[str], Path | None],
    *,
    source: str | None = None,
    line: int | None = None,
    column: int | None = None,
) -> Path:
    """Where ``extends: <name>`` points: a bundled ruleset or a file under ``base_dir``.

    ``name`` is either a bundled ruleset name (``^[a-z][a-z0-9_]*$``, looked up with
    ``bundled``) or a relative path with a ``.yaml``/``.yml``/``.json`` suffix that stays
    inside ``base_dir`` once symbolic links are resolved. Absolute paths, ``..``, URLs, and
    links leading outside are refused, so a ruleset can never make the tool read
    ``/etc/passwd`` or fetch anything over the network. ``source``/``line``/``column`` locate
    the ``extends`` in the referring file for the error message.

    >>> resolve_extends("national", Path("."), lambda n: Path("national.yaml"))
    PosixPath('national.yaml')
    >>> resolve_extends("../x.yaml", Path("."), lambda n: None)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ict2rules.errors.InputError: <input>: extends: ... / ".." is not allowed (extends ...)
    """

    def refuse(zh: str, en: str) -> InputError:
        return InputError(
            [Problem(source, zh, en, line=line, column=column, field="extends", code="extends")]
        )

    if not isinstance(name, str) or not name.strip():
        raise refuse("extends 必须是非空文本", "extends must be a non-empty text")
    if "\x00" in name or len(name) > 1024:
        raise refuse("extends 的值无效", "extends has an invalid value")
    if _BUNDLED_NAME.fullmatch(name):
        found = bundled(name)
        if found is None:
            raise refuse(
                f"没有名为 {name!r} 的内置规则集;引用文件请写出带后缀的相对路径,如 {name}.yaml",
                f"no bundled ruleset named {name!r}; to use a file, write its relative path with "
                f"its suffix, e.g. {name}.yaml",
            )
        return found
    if "://" in name or _URL_SCHEME.match(name):
        raise refuse("extends 不允许使用网址或盘符", "extends cannot be a URL or a drive path")
    if "\\" in name:
        raise refuse("extends 路径请用 / 分隔", "write extends paths with / as the separator")
    if (
        name.startswith(("/", "~"))
        or PurePosixPath(name).is_absolute()
        or PureWindowsPath(name).is_absolute()
    ):
        raise refuse("extends 不允许使用绝对路径", "extends cannot be an absolute path")
    parts = PurePosixPath(name).parts
    if ".." in parts:
        raise refuse(
            "不允许使用 ..(不能离开规则集所在目录)",
            '".." is not allowed (extends cannot leave the ruleset\'s folder)',
        )
    if not name.lower().endswith(_EXTENDS_SUFFIXES):
        raise refuse(
            f"extends 文件必须是 .yaml、.yml 或 .json:{name!r}",
            f"an extends file must end in .yaml, .yml or .json: {name!r}",
        )
    try:
        root = Path(base_dir).resolve(strict=True)
        target = (root / name).resolve(strict=True)
    except FileNotFoundError:
        raise refuse(f"找不到 extends 文件 {name!r}", f"extends file not found: {name!r}") from None
    except (OSError, RuntimeError, ValueError) as exc:  # symlink loops: RuntimeError before 3.13
        raise refuse(
            f"无法解析 extends 路径 {name!r}:{exc}", f"cannot resolve extends path {name!r}: {exc}"
        ) from None
    if target != root and root not in target.parents:
        raise refuse(
            f"extends 路径 {name!r} 经符号链接指向了规则集目录之外",
            f"extends path {name!r} leads outside the ruleset's folder (through a symbolic link)",
        )
    if not target.is_file():
        raise refuse(f"extends 的目标不是文件:{name!r}", f"extends target is not a file: {name!r}")
    return target
