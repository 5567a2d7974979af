"""A blank plan for a ruleset: the fields its rules read, as a commented YAML school plan and
as a roster workbook a coordinator fills in.

The field list is not written by hand: every rule (and derived value) of the ruleset is
compiled once more through a :class:`~ict2rules.rules.compiler.Context` that notes each path it
resolves (:func:`fields_read`). The plan then holds exactly those fields (and the fields a
record cannot be without), each with a comment saying what it is, in Chinese and English,
what kind of value it takes, and which rules read it. Placeholders never pass by accident:
a value left blank is *missing data* for every rule that reads it, never a pass.

>>> from ict2rules import load_ruleset
>>> reads = fields_read(load_ruleset("zeku_2023"))
>>> reads["teachers[].hours.online"]  # hours.total is online + offline
('ZK-T-ASSESS-AFTER-HOURS', 'ZK-T-HOURS-ONLINE', 'ZK-T-HOURS-TOTAL')
>>> "teachers[].points[].evidence.judged_valid" in reads  # ZK-T-EVIDENCE reads evidence.valid
True
"""

from __future__ import annotations

import dataclasses
import json
import re
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ..input.catalog import CATALOG
from ..input.paths import computed_fields, is_model
from ..input.records import (
    CertLevel,
    Count,
    Date,
    Environment,
    Evidence,
    Grade,
    Hours,
    HoursRecord,
    PointCode,
    PointRecord,
    School,
    SchoolFigures,
    Score,
    Teacher,
    Team,
)
from ..kinds.base import Check
from ..labels import FIELDS
from ..rules.compiler import MODELS, Context
from ..rules.ruleset import Ruleset

FORMATS = ("yaml", "xlsx")
#: Rows of the roster workbook made ready (ids as text, drop-down lists).
ROSTER_ROWS = 1000
POINT_ROWS = 3000
EVIDENCE_ITEMS = 3  # 证据1…证据3 on the points sheet, when the ruleset reads evidence items

# A computed field is read through the fields it is computed from: a plan fills those.
COMPUTED_FROM: dict[tuple[type[BaseModel], str], tuple[str, ...]] = {
    (HoursRecord, "total"): ("online", "offline"),
    (Evidence, "valid"): ("shows_teacher", "own_work", "judged_valid", "items[].name", "items[].valid"),
    (PointRecord, "dimension"): ("code",),
    (PointRecord, "environment"): ("code",),
    (Team, "size"): ("members",),
    (Team, "roles"): ("members[].role",),
    (Team, "leader_role"): ("members[].role", "members[].leader"),
    (School, "document_names"): ("documents[].name",),
    # set when a region's school was given in full and checked; no field of a plan fills it
    (SchoolFigures, "supplied"): (),
}

_TYPES: list[tuple[Any, str, str]] = [  # (type, zh, en) of a value, as the comment says it
    (Date, "日期,如 2023-09-20", "date YYYY-MM-DD"),
    (Hours, "学时数", "hours"),
    (Score, "分数 0–100", "score 0–100"),
    (Count, "整数", "whole number"),
    (Grade, "优秀/良好/合格/不合格", "grade"),
    (CertLevel, "校/区/市/省", "certification level"),
    (PointCode, "能力点编号", "point code"),
    (Environment, "A/B/C", "environment"),
    (bool, "true(是)或 false(否)", "true or false"),
    (str, "文字", "text"),
]
_CJK = re.compile(r"[\u3400-\u9fff]")


# --------------------------------------------------------------------------- what a ruleset reads


@dataclasses.dataclass
class _Tracing(Context):
    """A compile context that notes every path it resolves, as a path from the plan's root
    (``teachers[].hours.online``: ``[]`` marks the items of a list)."""

    prefix: str = ""
    log: dict[str, dict[str, None]] = dataclasses.field(default_factory=dict)
    whole: set[str] = dataclasses.field(default_factory=set)
    hints: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    current: list[str] = dataclasses.field(default_factory=lambda: [""])
    _items_of: str | None = None

    def _full(self, path: str) -> str:
        return self.prefix if path in (".", "") else ".".join(p for p in (self.prefix, path) if p)

    def note(self, path: str, *, whole: bool = False) -> None:
        full = self._full(path)
        if full:
            self.log.setdefault(full, {})[self.current[0]] = None
            if whole:
                self.whole.add(full)

    def getter(self, path: str) -> Any:
        get = super().getter(path)
        head = path.split(".")[0]
        own = head not in self.derived and head not in ("passed", "as_of", "parent") and not (
            self.parent is not None and head == self.parent.name
        )
        if own:  # the parent's fields are noted by the parent's own getter
            self.note(path, whole=True)
        return get

    def items(self, path: str) -> Any:
        self._items_of = path
        try:
            return super().items(path)
        finally:
            self._items_of = None

    def child(self, model: Any, name: str, derived: frozenset[str] = frozenset()) -> Context:
        if model is Teacher and self.name == "school":
            prefix, listed = "teachers[]", "teachers"
        elif model is PointRecord and self.name == "teacher" and self._items_of is None:
            prefix, listed = self._full("points") + "[]", "points"
        else:
            listed = "" if self._items_of in (None, ".") else self._items_of
            prefix = self._full(listed) + "[]"
        if listed:
            self.note(listed)
        return _Tracing(self.ruleset, model, name, derived, self, self.used, prefix=prefix,
                        log=self.log, whole=self.whole, hints=self.hints, current=self.current)

    def check(self, spec: Any) -> Check:
        args = spec.args
        if spec.kind == "documents":  # the kind reads each document's title, date and approval
            for part in ("name", "filed_on", *(("approved",) if args.approved else ())):
                self.note(f"{args.documents}[].{part}")
            self.hints.setdefault(self._full(args.documents), []).extend(
                str(t) for t in self.constant(args.required))
        item_field = getattr(args, "item_field", None)
        if item_field:  # consistency sums a field over a list's items
            for part in getattr(args, "parts", ()):
                self.note(f"{part}[].{item_field}")
        return super().check(spec)


def template_level(ruleset: Ruleset) -> str:
    """``project`` for a ruleset about training projects only, else ``school`` (a school plan
    holds its teachers).

    >>> from ict2rules import load_ruleset
    >>> template_level(load_ruleset("henan_2021")), template_level(load_ruleset("zeku_2023"))
    ('project', 'school')
    """
    levels = {r.level for r in ruleset.rules}
    return "project" if levels == {"project"} else "school"


def _trace(ruleset: Ruleset) -> _Tracing:
    root_level = template_level(ruleset)
    top = _Tracing(ruleset, MODELS[root_level], root_level,
                   frozenset(d.id for d in ruleset.derived if d.level == root_level), root=True)

    def context(level: str) -> Context:
        derived = frozenset(d.id for d in ruleset.derived if d.level == level)
        if level == root_level:
            return dataclasses.replace(top, derived=derived, root=True, used=set())
        if level == "teacher" and root_level == "school":
            ctx = top.child(Teacher, "teacher", derived)
            ctx.root = True
            return ctx
        # a level the plan does not hold (a project beside schools): noted under its own name
        return _Tracing(ruleset, MODELS[level], level, derived, root=True, prefix=f"<{level}>",
                        log=top.log, whole=top.whole, hints=top.hints, current=top.current)

    from ..kinds import DERIVATIONS

    for d in ruleset.derived:
        top.current[0] = f"derived:{d.id}"
        DERIVATIONS[d.compute.kind].compile(d.compute.args, context(d.level))
    for r in ruleset.rules:
        top.current[0] = r.id
        ctx = context(r.level)
        ctx.check(r.check)
        if r.when is not None:
            ctx.check(r.when)
        if r.due is not None:
            ctx.operand(r.due)
    return top


def fields_read(ruleset: Ruleset, traced: _Tracing | None = None) -> dict[str, tuple[str, ...]]:
    """Every field path the ruleset's rules read, from the plan's root (``school`` or
    ``project``; ``teachers[]`` are the school's teachers), with the ids of the rules (and
    ``derived:ID`` values) that read it. Computed fields are given as the fields they are
    computed from (``hours.total`` as ``hours.online`` and ``hours.offline``).

    >>> from ict2rules import load_ruleset
    >>> fields_read(load_ruleset("suncedu_2020"))["teachers[].hours.offline"]
    ('SC-T-HOURS-PRACTICE', 'SC-T-HOURS-TOTAL')
    """
    traced = traced or _trace(ruleset)
    root = MODELS[template_level(ruleset)]
    out: dict[str, dict[str, None]] = {}
    for path, rules in traced.log.items():
        if path.startswith("<"):
            continue
        for expanded in _expand(root, path):
            out.setdefault(expanded, {}).update(rules)
    return {p: tuple(sorted(r, key=lambda x: (x.startswith("derived:"), x))) for p, r in out.items()}


def _expand(root: type[BaseModel], path: str) -> list[str]:
    """``path`` with each computed field replaced by the fields it is computed from."""
    segs = path.split(".")
    model: Any = root
    done: list[str] = []
    for i, seg in enumerate(segs):
        name = seg.removesuffix("[]")
        if not is_model(model):
            done.append(seg)
            continue
        if name not in model.model_fields and name in computed_fields(model):
            base = ".".join(done)
            sources = COMPUTED_FROM.get((model, name))
            if sources is None:  # a computed field nobody told us about: keep it, the test says so
                return [path]
            rest = ".".join(segs[i + 1:])
            out = []
            for src in sources:
                joined = ".".join(p for p in (base, src) if p)
                out += _expand(root, joined) if not rest else [joined]
            return out
        done.append(seg)
        model = _element(model.model_fields[name].annotation) if name in model.model_fields else None
    return [path]


def _nullable(f: Field) -> bool:
    tp = f.annotation
    return typing.get_origin(tp) in (typing.Union, types.UnionType) and type(None) in typing.get_args(tp)


def _strip_optional(tp: Any) -> Any:
    """``X | None`` → ``X``, keeping ``Annotated`` (it says what kind of number X is)."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return args[0] if len(args) == 1 else tp
    return tp


def _bare(tp: Any) -> Any:
    tp = _strip_optional(tp)
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def _element(tp: Any) -> Any:
    """The model a field holds (itself, or a list's items), or the bare type."""
    tp = _bare(tp)
    if typing.get_origin(tp) is list:
        return _bare(typing.get_args(tp)[0])
    return tp


# --------------------------------------------------------------------------- the plan's tree


@dataclasses.dataclass
class Field:
    """One field of the plan: where it is, what it is, and what the blank plan holds."""

    path: str  # from the root, '[]' after a list: teachers[].hours.online
    name: str
    annotation: Any
    owner: type[BaseModel]
    required: bool
    default: Any = None
    rules: tuple[str, ...] = ()
    children: list[Field] = dataclasses.field(default_factory=list)
    keys: list[str] = dataclasses.field(default_factory=list)  # a mapping's keys that are read
    present_counts: bool = False  # a rule reads whether this record is there at all

    @property
    def bare(self) -> Any:
        return _bare(self.annotation)

    @property
    def is_list(self) -> bool:
        return typing.get_origin(self.bare) is list

    @property
    def model(self) -> type[BaseModel] | None:
        tp = _element(self.annotation)
        return tp if is_model(tp) else None

    @property
    def is_mapping(self) -> bool:
        return typing.get_origin(self.bare) is dict

    def walk(self) -> Iterator[Field]:
        yield self
        for c in self.children:
            yield from c.walk()


def plan_fields(ruleset: Ruleset, traced: _Tracing | None = None) -> Field:
    """The plan's root field (``school`` or ``project``) with the fields the ruleset reads
    below it, in the models' order; each field knows the rules that read it."""
    traced = traced or _trace(ruleset)
    reads = fields_read(ruleset, traced)
    whole = {p for w in traced.whole for p in _expand(MODELS[template_level(ruleset)], w)}
    level = template_level(ruleset)
    root = Field(level, level, MODELS[level], MODELS[level], True)
    _grow(root, MODELS[level], "", reads, whole, everything=False)
    return root


def _grow(node: Field, model: type[BaseModel], prefix: str, reads: dict[str, tuple[str, ...]],
          whole: set[str], *, everything: bool) -> None:
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        read_here = [p for p in reads if p == path or p.startswith((path + ".", path + "[]"))]
        required = info.is_required()
        named = not prefix and name == "name"  # rosters join and reports show a school by it
        if not (read_here or required or everything or named):
            continue
        if name in ("roster", "roster_points"):
            continue  # the plan says it in a comment: a roster replaces `teachers:`
        rules = tuple(dict.fromkeys(r for p in read_here for r in reads[p]))
        annotation = info.annotation
        if info.metadata:  # pydantic keeps a top-level Annotated's metadata apart
            annotation = typing.Annotated[(annotation, *info.metadata)]  # type: ignore[valid-type]
        f = Field(path, name, annotation, model, required,
                  None if required else info.get_default(call_default_factory=True), rules)
        node.children.append(f)
        sub = f.model
        if sub is not None:
            below = f"{path}[]." if f.is_list else f"{path}."
            # a record read as a whole (evidence handed in, a filing) shows every field it has
            all_of_it = everything or (path in whole and not f.is_list)
            f.present_counts = path in whole and not f.is_list and not required
            _grow(f, sub, below, reads, whole, everything=all_of_it)
            if f.is_list and not f.children and "name" in sub.model_fields:
                info = sub.model_fields["name"]  # only counted: a sample item says what one is
                f.children.append(Field(f"{below}name", "name", info.annotation, sub,
                                        info.is_required()))
        elif f.is_mapping:
            f.keys = sorted({p[len(path) + 1:].split(".")[0] for p in read_here if p != path})


# --------------------------------------------------------------------------- words for a field


def label(f: Field) -> tuple[str, str]:
    """A field's name in Chinese and English, for its comment.

    >>> zh, en = label(Field("teachers[].hours.online", "online", float, HoursRecord, False))
    >>> zh
    '线上学时'
    """
    from ..input.tabular import CANONICAL_HEADERS, DEFAULT_COLUMNS

    info = f.owner.model_fields.get(f.name)
    description = (info.description if info is not None else None) or ""
    zh = None
    teacher_path = _teacher_path(f.path)
    if teacher_path is not None:
        zh = CANONICAL_HEADERS.get(teacher_path) or next(
            (h for h, p in DEFAULT_COLUMNS.items() if p == teacher_path and not h.isascii()), None)
    # then the one label table of every record field (labels.FIELDS), by its path without [] marks
    known = FIELDS.get(teacher_path or f.path.replace("[]", ""))
    zh = zh or (known[0] if known else None)
    if zh is None:
        from ..input.tabular import _POINT_HEADERS

        part = f.path.split("points[].", 1)[-1] if "points[]." in f.path else None
        if _POINT_HEADERS.get(part):
            zh = "能力点" + _POINT_HEADERS[part]
    if zh is None:
        found = _CJK.search(description)
        zh = description if found else f.name
    en = description if description and not _CJK.search(description) else (
        known[1] if known else f.name.replace("_", " "))
    return zh, en


def _teacher_path(path: str) -> str | None:
    """A teacher's field as the roster names it (``hours.online``), or None."""
    if not path.startswith("teachers[].") or "[]" in path[len("teachers[]."):]:
        return None
    return path[len("teachers[]."):]


def _validators(tp: Any) -> set[Any]:
    """The validators and bounds of an alias: a score (0–100) is not hours (0–10 000), though
    both are numbers checked by the same functions."""
    out: set[Any] = set()
    while typing.get_origin(tp) is typing.Annotated:
        for m in typing.get_args(tp)[1:]:
            out |= {getattr(m, "func", None)} - {None}
            out |= {c for c in getattr(m, "metadata", ()) if type(c).__name__ in ("Ge", "Le", "Gt", "Lt")}
        tp = typing.get_args(tp)[0]
    return out


def _same(tp: Any, alias: Any) -> bool:
    """Whether ``tp`` is the records' alias (``Hours``, ``PointCode`` …), also when pydantic
    rebuilt it from a field's metadata; plain ``bool``/``str`` by their type."""
    if tp == alias:
        return True
    if _bare(tp) != _bare(alias):
        return False
    wanted = _validators(alias)
    return wanted <= _validators(tp) if wanted else alias in (bool, str)


def kind_words(f: Field) -> tuple[str, str]:
    """What kind of value a field takes, in Chinese and English."""
    tp = _strip_optional(f.annotation)
    listed = typing.get_origin(_bare(tp)) is list
    if listed:
        tp = _strip_optional(typing.get_args(_bare(tp))[0])
    for known, zh, en in _TYPES:
        if _same(tp, known):
            if known is Hours and f.name.endswith("_days"):  # days are counted as hours are
                zh, en = "天数", "days"
            return (f"若干项:{zh}", f"a list: {en}") if listed else (zh, en)
    if tp in (float, int) or _bare(tp) in (float, int):
        return "数字", "number"
    if typing.get_origin(_bare(tp)) is dict:
        return "各项及其数值", "named values"
    return "", ""


# --------------------------------------------------------------------------- YAML


def point_codes(ruleset: Ruleset) -> list[str]:
    """The point codes a plan may name: the catalog, narrowed to the ruleset's own scope where
    it states one (a rule keeping teachers' points within a fixed list of codes, environments
    or dimensions).

    >>> from ict2rules import load_ruleset
    >>> len(point_codes(load_ruleset("zeku_2023")))
    30
    """
    codes = list(CATALOG.points)
    for rule in ruleset.rules:
        for spec in _specs(rule.check):
            if spec.get("kind") != "membership":
                continue
            args = spec.get("args", {})
            within = _value_of(ruleset, args.get("within"))
            if not isinstance(within, list) or args.get("items") not in ("points", "point_scope"):
                continue
            of = args.get("of", "code")
            allowed = {str(w) for w in within}
            if of == "code":
                codes = [c for c in codes if c in allowed]
            elif of == "environment":
                codes = [c for c in codes if CATALOG.points[c].environment in allowed]
            elif of == "dimension":
                keys = {CATALOG.dimension_key(w) or w for w in allowed}
                codes = [c for c in codes if CATALOG.points[c].dimension in keys]
    return codes


def _value_of(ruleset: Ruleset, arg: Any) -> Any:
    """A check argument as given, or the parameter's value for ``$name``."""
    if isinstance(arg, str) and arg.startswith("$") and arg[1:] in ruleset.parameters:
        return ruleset.parameters[arg[1:]].value
    return arg


def _specs(check: Any) -> Iterator[dict[str, Any]]:
    """Every check in a rule's check, composed ones included, as plain data."""
    stack: list[Any] = [check.model_dump() if isinstance(check, BaseModel) else check]
    while stack:
        spec = stack.pop()
        if isinstance(spec, dict):
            if "kind" in spec:
                yield spec
            stack += list(spec.values())
        elif isinstance(spec, list):
            stack += spec


def _rules_words(ruleset: Ruleset, rules: tuple[str, ...]) -> str:
    ids = [r for r in rules if not r.startswith("derived:")]
    if not ids:
        derived = [r.removeprefix("derived:") for r in rules]
        return f"用于计算 / used to derive: {', '.join(derived)}" if derived else ""
    shown = ", ".join(ids[:4]) + (" …" if len(ids) > 4 else "")
    first = next((r for r in ruleset.rules if r.id == ids[0]), None)
    title = f"({first.title.zh})" if first is not None and len(ids) == 1 else ""
    return f"用于 / read by: {shown}{title}"


def _placeholder(f: Field, codes: list[str]) -> Any:
    """What the blank plan holds: nothing (missing data), or what a record needs to load."""
    if not f.required:
        return f.default if f.default not in ({}, []) else None
    if f.owner is PointRecord and f.name == "code":
        return codes[0]  # a code must be one of the catalog's; alone it meets no rule
    if f.name == "id":
        return "请填写编号"
    if f.bare is str:
        return "请填写名称"
    return None


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)


def _comment(ruleset: Ruleset, f: Field, codes: list[str], hints: dict[str, list[str]]) -> list[str]:
    zh, en = label(f)
    kind_zh, kind_en = kind_words(f)
    words = f"{zh} / {en}"
    if kind_zh and f.model is None:
        words += f" — {kind_zh} / {kind_en}"
    if f.required:
        words += " · 必填 required"
    lines = [words]
    tp = _strip_optional(f.annotation)
    if typing.get_origin(_bare(tp)) is list:
        tp = _strip_optional(typing.get_args(_bare(tp))[0])
    if _same(tp, PointCode):
        lines.append("可选 / choose from: " + ", ".join(codes))
    if f.owner is School and f.name == "environments":
        lines.append("; ".join(f"{k} {v.zh}" for k, v in CATALOG.environments.items()))
    wanted = hints.get(f.path.removesuffix("[]"))
    if wanted:
        lines.append("本规则集要求的文件 / required: " + "、".join(dict.fromkeys(wanted)))
    if f.keys:
        lines.append("填写各项(删去 # 号)/ fill each part (remove the #)")
    read_by = _rules_words(ruleset, f.rules)
    if read_by:
        lines.append(read_by)
    return lines


def plan_yaml(ruleset: Ruleset) -> str:
    """The blank plan as YAML text with a comment on every field.

    >>> from ict2rules import load_ruleset
    >>> text = plan_yaml(load_ruleset("suncedu_2020"))
    >>> "online:" in text and "# 线上学时 / online" in text
    True
    """
    traced = _trace(ruleset)
    root = plan_fields(ruleset, traced)
    codes = point_codes(ruleset)
    hints = traced.hints
    doc = ruleset.document
    out = [
        f"# 学校方案模板 / plan template — {ruleset.id}: {ruleset.title.zh}",
        f"# 依据 / document: {doc.title}" + (f"({doc.number})" if getattr(doc, "number", None) else ""),
        f"# 生成 / made with: ict2rules template --ruleset {ruleset.id}",
        "#",
        "# 每项上方的注释说明它是什么、填什么、哪些要求读取它。没有填写的项,检查时为“缺少数据”,",
        "# 不会被当作符合。日期写作 2023-09-20;是/否写作 true/false;列表每项一行,以 - 开头,可复制。",
        "# Each comment says what the field is, what it takes and which rules read it. A field left",
        "# blank is missing data, never a pass. Dates as 2023-09-20; yes/no as true/false.",
        f"# 检查 / check: ict2rules check 本文件.yaml -r {ruleset.id}",
        f"{root.name}:",
    ]
    for child in root.children:
        out += _render(ruleset, child, 1, codes, hints)
    return "\n".join(out) + "\n"


def _render(ruleset: Ruleset, f: Field, depth: int, codes: list[str],
            hints: dict[str, list[str]], *, plain: bool = False) -> list[str]:
    """The lines of one field. A record whose presence a rule counts (evidence handed in, a
    report filed) and a list whose items are counted are left out of the blank plan (a blank
    item would count as one): their fields follow as a sample behind '#'. ``plain``: inside
    such a sample, nothing more is commented out (the sample's caller does it)."""
    pad = "  " * depth
    lines = [f"{pad}# {c}" for c in _comment(ruleset, f, codes, hints)]
    if f.path == "teachers":
        lines.insert(0, f"{pad}# 每位教师一项(复制 - id 开始的一段)。教师多时改用名册:删去 teachers 一段,写")
        lines.insert(1, f"{pad}# roster: 名册.xlsx(用 ict2rules template -r {ruleset.id} --format xlsx 生成)。")
    if f.model is not None and (f.children or f.is_list):
        # the plan's teachers stay open: a blank teacher is missing data for every rule
        sample = not plain and f.path != "teachers" and (f.present_counts or f.is_list)
        if sample:
            lines.append(f"{pad}# 有此项时填写下列样例(删去行首的 # 号;列表每项复制一段)"
                         " / when there is one, fill in the sample (remove the #; one block per item)")
        lines.append(f"{pad}{f.name}:")
        body: list[str] = []
        if f.is_list:
            body.append(f"{pad}  -")
        for c in f.children:
            body += _render(ruleset, c, depth + (2 if f.is_list else 1), codes, hints,
                            plain=plain or sample)
        if sample:
            body = [f"{pad}  # {line[len(pad) + 2:]}" for line in body]
            if f.required or not _nullable(f):  # a list that may not be null: empty
                lines[-1] += " []"
                lines[-2] = f"{pad}# 有成员时删去 [] 和样例行首的 # 号(每项复制一段)" \
                            " / to fill it, remove [] and the # of the sample (one block per item)"
        return lines + body
    if f.keys:
        lines.append(f"{pad}{f.name}:")
        free = _bare(typing.get_args(f.bare)[1]) is Any if typing.get_args(f.bare) else True
        for key in f.keys:  # free facts may be blank; typed values (学时) may not: behind a '#'
            lines.append(f"{pad}  {key}:    # {_key_label(f, key)}" if free or plain
                         else f"{pad}  # {key}:    # {_key_label(f, key)}")
        return lines
    value = _placeholder(f, codes)
    lines.append(f"{pad}{f.name}: {_scalar(value)}".rstrip())
    return lines


def _key_label(f: Field, key: str) -> str:
    from ..input.tabular import CANONICAL_HEADERS

    teacher_path = _teacher_path(f"{f.path}.{key}")
    return (CANONICAL_HEADERS.get(teacher_path or "") or key) if teacher_path else key


# --------------------------------------------------------------------------- the roster workbook


@dataclasses.dataclass(frozen=True)
class Column:
    """A column of the roster workbook: its header, the field it fills and its drop-down."""

    header: str
    path: str  # the teacher's (or the point's) field: hours.online, grade, evidence.judged_valid
    zh: str
    en: str
    choices: tuple[str, ...] = ()
    text: bool = False  # ids: formatted as text, so Excel keeps 18 digits and leading zeros
    rules: tuple[str, ...] = ()


_GRADES = ("优秀", "良好", "合格", "不合格")
_LEVELS = ("校", "区", "市", "省")
_YES_NO = ("是", "否")


def _choices(annotation: Any) -> tuple[str, ...]:
    tp = _strip_optional(annotation)
    if _same(tp, Grade):
        return _GRADES
    if _same(tp, CertLevel):
        return _LEVELS
    if _bare(tp) is bool:
        return _YES_NO
    return ()


def roster_columns(ruleset: Ruleset) -> tuple[list[Column], list[Column]]:
    """The columns of the teachers sheet and of the points sheet (long shape: one row per
    teacher × point), with the headers :mod:`ict2rules.input.tabular` reads back to those fields.

    >>> from ict2rules import load_ruleset
    >>> teachers, points = roster_columns(load_ruleset("zeku_2023"))
    >>> [c.header for c in teachers][:4], [c.header for c in points][:2]
    (['工号', '姓名', '学校', '是否参训'], ['工号', '能力点'])
    """
    from ..input.tabular import _ITEM_HEADERS, _POINT_HEADERS, CANONICAL_HEADERS, document_header

    traced = _trace(ruleset)
    root = plan_fields(ruleset, traced)
    reads = fields_read(ruleset, traced)
    teacher = next((c for c in root.children if c.path == "teachers"), None)
    codes = point_codes(ruleset)
    base = [
        Column("工号", "id", "教师工号(或身份证号)", "teacher id", text=True),
        Column("姓名", "name", "姓名", "name"),
        Column("学校", "school_id", "学校编号或名称(与方案的 id 或 name 一致;只有一所学校时可不填)",
               "school id or name", text=True),
    ]
    teachers: list[Column] = []
    points: list[Column] = []
    if teacher is None:
        return base, points
    for f in teacher.walk():
        tpath = _teacher_path(f.path)
        if tpath is None or tpath in ("id", "name", "school_id"):
            continue
        if f.model is not None or tpath.startswith("points"):
            continue
        zh, en = label(f)
        if f.keys:
            for key in f.keys:
                sub = f"{tpath}.{key}"
                teachers.append(Column(CANONICAL_HEADERS.get(sub, sub), sub, _key_label(f, key), key,
                                       rules=reads.get(f"{f.path}.{key}", f.rules)))
            continue
        if f.is_mapping:
            continue
        header = CANONICAL_HEADERS.get(tpath, tpath)
        teachers.append(Column(header, tpath, zh, en, _choices(f.annotation), rules=f.rules))
    point = next((c for c in teacher.children if c.name == "points"), None)
    if point is not None:
        points.append(Column("工号", "id", "教师工号,与教师表一致", "teacher id", text=True))
        points.append(Column("能力点", "code", "能力点编号", "point code", tuple(codes), rules=point.rules))
        for f in point.walk():
            if f is point or f.name == "code":
                continue
            part = f.path.split("points[].", 1)[1]
            if part == "evidence" and f.model is not None:
                points.append(Column("证据", "evidence", "是否提交证据", "evidence handed in", _YES_NO,
                                     rules=f.rules))
                continue
            if part == "evidence.items":
                for m in range(1, EVIDENCE_ITEMS + 1):
                    for item_part, word in _ITEM_HEADERS.items():
                        choices = _GRADES if item_part == "grade" else _YES_NO if item_part == "valid" else ()
                        points.append(Column(f"证据{m}{word}", f"evidence.items.{m - 1}.{item_part}",
                                             f"证据{m}{word or '名称'}", f"evidence item {m} {item_part}",
                                             choices, rules=f.rules))
                continue
            if part in _POINT_HEADERS and _POINT_HEADERS[part] and f.model is None:
                zh, en = label(f)
                points.append(Column(_POINT_HEADERS[part], part, zh, en, _choices(f.annotation),
                                     rules=f.rules))
    for title, rules in teacher_documents(ruleset).items():
        teachers.append(Column(document_header(title), f"documents:{title}",
                               f"{title}的提交日期,如 2023-09-01;未提交填“否”或留空(不要填“是”)",
                               f"date the {title} was filed; 否 or blank: not filed", rules=rules))
    return base + teachers, points


def teacher_documents(ruleset: Ruleset) -> dict[str, tuple[str, ...]]:
    """The documents the ruleset asks of each teacher (title → the rules asking), each a
    column of the roster workbook.

    >>> from ict2rules import load_ruleset
    >>> teacher_documents(load_ruleset("zeku_2023"))
    {'任务清单': ('ZK-T-TASK-LIST',)}
    """
    found: dict[str, tuple[str, ...]] = {}
    for rule in ruleset.rules:
        if rule.level != "teacher":
            continue
        for spec in _specs(rule.check):
            args = spec.get("args") or {}
            if spec.get("kind") != "documents" or args.get("documents", "documents") != "documents":
                continue
            titles = _value_of(ruleset, args.get("required"))
            for title in titles if isinstance(titles, list) else ():
                found[str(title)] = (*found.get(str(title), ()), rule.id)
    return found


def write_roster_template(ruleset: Ruleset, out: Any) -> None:
    """Write the roster workbook (a path or a binary file): sheets 教师, 能力点 (when the
    ruleset reads points) and 说明; ids formatted as text; drop-down lists for grades,
    levels, yes/no and point codes."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    teachers, points = roster_columns(ruleset)
    book = Workbook()
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    sheets = [("教师", teachers, ROSTER_ROWS)] + ([("能力点", points, POINT_ROWS)] if points else [])
    for i, (title, columns, rows) in enumerate(sheets):
        ws = book.active if i == 0 else book.create_sheet(title)
        ws.title = title
        ws.append([c.header for c in columns])
        ws.freeze_panes = "A2"
        for j, c in enumerate(columns, start=1):
            letter = get_column_letter(j)
            head = ws.cell(row=1, column=j)
            head.font, head.fill = bold, fill
            ws.column_dimensions[letter].width = max(10, 2 * len(c.header) + 4)
            cells = f"{letter}2:{letter}{rows + 1}"
            if c.text:
                for r in range(2, rows + 2):
                    ws.cell(row=r, column=j).number_format = "@"
            if c.choices:
                dv = DataValidation(type="list", formula1='"' + ",".join(c.choices) + '"',
                                    allow_blank=True, showErrorMessage=True,
                                    errorTitle="请从列表中选择", error="可选:" + "、".join(c.choices))
                dv.add(cells)
                ws.add_data_validation(dv)
    guide = book.create_sheet("说明")
    guide.column_dimensions["A"].width = 22
    guide.column_dimensions["B"].width = 90
    for row in _guide_rows(ruleset, sheets):
        guide.append(row)
    for cell in guide["A"]:
        cell.alignment = Alignment(vertical="top")
    guide["A1"].font = Font(bold=True, size=13)
    book.active = 0
    book.save(out)


def _guide_rows(ruleset: Ruleset, sheets: list[tuple[str, list[Column], int]]) -> list[list[str]]:
    """The 说明 sheet: one remark a row, never two known headers in a row (so it is not read)."""
    rows: list[list[str]] = [
        [f"教师名册模板:{ruleset.title.zh}({ruleset.id})"],
        [f"Roster template for {ruleset.id}: {ruleset.title.en}"],
        ["填写方法", "每位教师在“教师”表中占一行;每位教师的每个能力点在“能力点”表中占一行,用工号与教师表对应。"],
        ["how to fill", "One row per teacher on 教师; one row per teacher and point on 能力点, joined by the teacher id."],
        ["空白", "不知道的格子留空:检查时为“缺少数据”,不会当作符合。不要填 0 代替未知。"],
        ["blank", "Leave a cell blank when you do not know: it is missing data, never a pass."],
        ["编号", "工号、学校列已设为文本格式:18 位身份证号不会变成 6.32323E+17。"],
        ["日期", "日期写作 2023-09-20 或 2023年9月20日。"],
        ["检查", f"在方案 YAML 中写 roster: 名册.xlsx,然后运行 ict2rules check 方案.yaml -r {ruleset.id}"],
        [],
    ]
    for title, columns, _ in sheets:
        rows.append([f"“{title}”表的列"])
        for c in columns:
            words = f"{c.zh} / {c.en}"
            if c.choices:
                words += ";可选:" + "、".join(c.choices[:12]) + (" …" if len(c.choices) > 12 else "")
            read_by = _rules_words(ruleset, c.rules)
            if read_by:
                words += ";" + read_by
            rows.append([f"列 {c.header}", words])
        rows.append([])
    rows.append(["能力点目录 / catalog"])
    for code in point_codes(ruleset):
        p = CATALOG.points[code]
        rows.append([f"点 {code}", f"{p.zh}({CATALOG.dimensions[p.dimension].zh};"
                                   f"{CATALOG.environments[p.environment].zh})"])
    return rows


# --------------------------------------------------------------------------- writing


def default_name(ruleset: Ruleset, fmt: str) -> str:
    """The file name ``template`` suggests: 方案-zeku_2023.yaml, 名册-zeku_2023.xlsx."""
    return f"方案-{ruleset.id}.yaml" if fmt == "yaml" else f"名册-{ruleset.id}.xlsx"


def write_template(ruleset: Ruleset, path: str | Path, fmt: str = "yaml", *, force: bool = False) -> Path:
    """Write the blank plan (``yaml``) or roster workbook (``xlsx``) to ``path``, atomically.
    An existing file is never replaced unless ``force``: raises :class:`~ict2rules.errors.InputError`.

    >>> import tempfile, pathlib
    >>> from ict2rules import load_ruleset
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "plan.yaml"
    >>> write_template(load_ruleset("zeku_2023"), p).name
    'plan.yaml'
    >>> write_template(load_ruleset("zeku_2023"), p)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ict2rules.errors.InputError: ...plan.yaml: -o: 文件已存在...(确要覆盖请加 --force) / the file exists ...
    """
    from ..errors import InputError
    from ..render.output import atomic_write

    target = Path(path)
    if target.exists() and target.is_file() and not force:
        raise InputError.single(
            str(target), "文件已存在,不予覆盖(确要覆盖请加 --force)",
            "the file exists and is not overwritten (add --force to replace it)",
            field="-o", code="output",
        )
    if fmt == "xlsx":
        with atomic_write(target, "wb") as out:
            write_roster_template(ruleset, out)
    else:
        with atomic_write(target) as out:
            out.write(plan_yaml(ruleset))
    return target
