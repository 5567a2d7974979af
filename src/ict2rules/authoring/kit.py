"""The authoring kit: lint a ruleset beyond its schema, scaffold a new one, run its cases.

A policy analyst who encodes a new regional document writes YAML only. These functions catch
what the schema cannot: numbers that contradict each other, quotes that are not in the
source, bands that leave a gap, dates out of order. Each finding has a code (``ICT101`` …),
a place (file:line:col) and a message in Chinese and English; :data:`LINT_CODES` lists them
all (``docs/authoring.md`` has the table).

>>> from ict2rules.rules.loader import bundled_path
>>> [f.code for f in lint(bundled_path("zeku_2023")) if f.severity == "error"]
[]
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import InputError, did_you_mean, problems_from_validation
from ..input.catalog import CATALOG
from ..input.yamlsafe import Locations, load_file, resolve_extends
from ..kinds.bands import Band
from ..kinds.numbers import Bounds
from ..rules.loader import bundled_path, load_ruleset
from ..rules.ruleset import Rule, Ruleset, RulesetFile
from .coverage import ruleset_coverage
from .wording import ruleset_wording_problems, simplified

# code: (severity, what it means) — the table in docs/authoring.md is generated from the same
LINT_CODES: dict[str, tuple[str, str]] = {
    "ICT100": ("error", "the file does not follow the ruleset format (schema)"),
    "ICT101": ("error", "parts' minimums add up to more than the whole's maximum (online + offline > total)"),
    "ICT102": ("error", "a minimum above a maximum on the same value"),
    "ICT103": ("error", "a rate or ratio bound no subject can meet (min > 1, max < 0, min > max)"),
    "ICT104": ("error", "a coverage count no set of points can meet (more than 30 points, 4 dimensions, 3 environments)"),
    "ICT105": ("error", "a rule refers to a field or parameter that does not exist (compile error)"),
    "ICT110": ("error", "unknown micro-ability point code"),
    "ICT111": ("error", "unknown dimension name"),
    "ICT112": ("error", "unknown environment (A, B or C)"),
    "ICT120": ("error", "quote not found in its source text (whitespace-normalised)"),
    "ICT121": ("warning", "quote too short to identify its clause"),
    "ICT122": ("warning", "source text not found: quotes not checked"),
    "ICT130": ("warning", "parameter defined but used by no rule or derived value (mark it `informative: true` if it is kept on purpose)"),
    "ICT140": ("error", "the same rule (or derived) id twice in one file"),
    "ICT141": ("warning", "a rule id redefines an inherited rule without listing it in remove_rules"),
    "ICT150": ("error", "bands leave a gap"),
    "ICT151": ("error", "bands overlap"),
    "ICT160": ("error", "document.effective starts after it ends"),
    "ICT161": ("error", "a deadline's not_before is after its due date"),
    "ICT162": ("error", "a phase's start parameter is after its end parameter"),
    "ICT123": ("warning", "a quote in Simplified characters against a Traditional source (or the reverse): matched after conversion"),
    "ICT170": ("warning", "a placeholder (TODO / 待填写) is left in the file"),
    "ICT180": ("warning", "a bound's exclusivity disagrees with its quote's wording (min_exclusive on 不少于, an inclusive min on 超过 …)"),
    "ICT181": ("warning", "a bound or parameter whose number is not among the numbers its quote states"),
    "ICT182": ("warning", "a requirement sentence of the source that no rule quotes and no not_checked entry lists (ict2rules coverage)"),
}
MIN_QUOTE = 6  # characters, whitespace removed: shorter quotes match too many places
_PLACEHOLDER = re.compile(r"TODO|待填写")
_CODE_LIKE = re.compile(r"^[A-Za-z]\d{1,2}$")


@dataclass(frozen=True)
class LintFinding:
    """One lint finding: code, severity, place and message."""

    code: str
    file: str
    message_zh: str
    message_en: str
    line: int | None = None
    column: int | None = None

    @property
    def severity(self) -> str:
        return LINT_CODES[self.code][0]

    def __str__(self) -> str:
        where = ":".join(str(x) for x in (self.file, self.line, self.column) if x is not None)
        return f"{where}: {self.code} [{self.severity}] {self.message_zh} / {self.message_en}"


class _Linter:
    """Collects findings for one file, placing each at its YAML location."""

    def __init__(self, path: Path, where: Locations) -> None:
        self.path = path
        self.where = where
        self.found: list[LintFinding] = []

    def add(self, code: str, at: tuple[Any, ...], zh: str, en: str) -> None:
        pos = self.where.find(at)
        self.found.append(
            LintFinding(code, str(self.path), zh, en, pos[0] if pos else None, pos[1] if pos else None)
        )


def lint(path: str | Path, *, seeds: list[Path] | None = None) -> list[LintFinding]:
    """Lint one ruleset file; raise :class:`InputError` when it cannot be read at all.

    ``seeds`` are folders holding the source texts quotes are checked against; the defaults
    are ``docs/sources``, ``shared/seeds`` and ``seeds`` under every folder above the file.
    """
    path = Path(path)
    data, where = load_file(path)  # unreadable (missing, not YAML): InputError, exit 2
    lt = _Linter(path, where)
    if not isinstance(data, dict):
        lt.add("ICT100", (), "规则集文件顶层应为映射", "a ruleset file must be a mapping at the top level")
        return lt.found
    try:
        model = RulesetFile.model_validate(data)
    except ValidationError as exc:
        for p in problems_from_validation(exc, data, str(path), where.find):
            lt.found.append(LintFinding("ICT100", str(path), p.message_zh, p.message_en, p.line, p.column))
        return lt.found
    _duplicates(lt, model)
    _placeholders(lt, data, ())
    _dates(lt, model)
    _catalog_names(lt, model)
    _bands(lt, model)
    _quotes(lt, model, path, seeds)
    try:
        merged = load_ruleset(path)
    except InputError as exc:
        for p in exc.problems:
            lt.found.append(LintFinding("ICT105", p.file or str(path), p.message_zh, p.message_en, p.line, p.column))
        return lt.found
    _bounds(lt, model, merged)
    _wording(lt, model, merged)
    _coverage(lt, model, merged, path, seeds)
    _unused(lt, model, merged)
    _inherited(lt, model, path)
    return sorted(lt.found, key=lambda f: (f.line or 0, f.column or 0, f.code))


# ---- ids ----------------------------------------------------------------------------------------


def _duplicates(lt: _Linter, model: RulesetFile) -> None:
    for section, items in (("rules", model.rules), ("derived", model.derived)):
        first: dict[str, int] = {}
        for i, item in enumerate(items):
            if item.id in first:
                line = lt.where.find((section, first[item.id]))
                at = f"(first at line {line[0]})" if line else ""
                lt.add(
                    "ICT140", (section, i, "id"),
                    f"编号 {item.id} 在本文件中重复出现;后一条会覆盖前一条 {at}",
                    f"id {item.id} appears twice in this file; the later one silently replaces the earlier {at}",
                )
            else:
                first[item.id] = i


def _inherited(lt: _Linter, model: RulesetFile, path: Path) -> None:
    if not model.extends:
        return
    base = {r.id for r in load_ruleset(resolve_extends(model.extends, path.parent, bundled_path)).rules}
    for i, r in enumerate(model.rules):
        if r.id in base and r.id not in model.remove_rules:
            lt.add(
                "ICT141", ("rules", i, "id"),
                f"规则 {r.id} 覆盖了上级规则集中的同名规则;如有意替换,请在 remove_rules 中列出",
                f"rule {r.id} redefines the inherited rule of the same id; to replace it on purpose, list it in remove_rules",
            )


# ---- placeholders, dates ------------------------------------------------------------------------


def _placeholders(lt: _Linter, data: Any, at: tuple[Any, ...]) -> None:
    if isinstance(data, dict):
        for k, v in data.items():
            _placeholders(lt, v, (*at, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            _placeholders(lt, v, (*at, i))
    elif isinstance(data, str) and _PLACEHOLDER.search(data):
        lt.add("ICT170", at, f"尚未填写:{'.'.join(map(str, at))}", f"placeholder left at {'.'.join(map(str, at))}")


def _dates(lt: _Linter, model: RulesetFile) -> None:
    eff = model.document.effective
    if eff and eff.start and eff.end and eff.start > eff.end:
        lt.add(
            "ICT160", ("document", "effective", "start"),
            f"生效期开始 {eff.start} 晚于结束 {eff.end}",
            f"effective period starts {eff.start}, after it ends {eff.end}",
        )
    params = {n: p.value for n, p in model.parameters.items()}
    for i, r in enumerate(model.rules):
        for spec, at in _specs(r):
            if spec.kind != "deadline":
                continue
            by, start = _const(spec.args.by, params), _const(spec.args.not_before, params)
            if isinstance(by, dt.date) and isinstance(start, dt.date) and start > by:
                lt.add(
                    "ICT161", ("rules", i, *at, "args", "not_before"),
                    f"{r.id}:不早于日期 {start} 晚于截止日期 {by}",
                    f"{r.id}: not_before {start} is after the due date {by}",
                )
    for name, value in params.items():
        for a, b in (("_start", "_end"), ("_from", "_to"), ("_begin", "_end")):
            if name.endswith(a):
                other = name[: -len(a)] + b
                end = params.get(other)
                if isinstance(value, dt.date) and isinstance(end, dt.date) and value > end:
                    lt.add(
                        "ICT162", ("parameters", name, "value"),
                        f"阶段开始 {name}={value} 晚于结束 {other}={end}",
                        f"phase start {name}={value} is after its end {other}={end}",
                    )


def _const(value: Any, params: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("$"):
        return params.get(value[1:])
    return value


def _specs(rule: Rule) -> Iterator[tuple[Any, tuple[Any, ...]]]:
    """Every check inside a rule (its check, its condition, their sub-checks) with its path."""
    stack: list[tuple[Any, tuple[Any, ...]]] = [(rule.check, ("check",))]
    if rule.when is not None:
        stack.append((rule.when, ("when",)))
    while stack:
        spec, at = stack.pop()
        yield spec, at
        a = spec.args
        for name in ("check", "where", "among", "count_only", "action", "requires", "each"):
            sub = getattr(a, name, None)
            if sub is not None and hasattr(sub, "kind"):
                stack.append((sub, (*at, "args", name)))
        for j, sub in enumerate(getattr(a, "checks", None) or []):
            stack.append((sub, (*at, "args", "checks", j)))


# ---- catalog names --------------------------------------------------------------------------------


def _catalog_names(lt: _Linter, model: RulesetFile) -> None:
    params = {n: p.value for n, p in model.parameters.items()}
    for name, value in params.items():
        if isinstance(value, list) and value and all(isinstance(v, str) and _CODE_LIKE.match(v) for v in value):
            for j, v in enumerate(value):
                _code(lt, v, ("parameters", name, "value", j))
    for i, r in enumerate(model.rules):
        for spec, at in _specs(r):
            a = spec.args
            base = ("rules", i, *at, "args")
            if spec.kind == "coverage":
                dims = a.dimensions if isinstance(a.dimensions, list) else _const(a.dimensions, params)
                dim_at = (*base, "dimensions") if isinstance(a.dimensions, list) else ("parameters", str(a.dimensions)[1:], "value")
                for j, d in enumerate(dims or []):
                    if CATALOG.dimension_key(str(d)) is None:
                        names = [lab.zh for lab in CATALOG.dimensions.values()] + list(CATALOG.dimensions)
                        hint = did_you_mean(str(d), names)
                        tip = (f";是否应为 {hint}?", f"; did you mean {hint!r}?") if hint else ("", "")
                        lt.add("ICT111", (*dim_at, j), f"未知维度 {d!r}{tip[0]}", f"unknown dimension {d!r}{tip[1]}")
                envs = a.environments if isinstance(a.environments, list) else _const(a.environments, params)
                for j, e in enumerate(envs or []):
                    if e not in CATALOG.environments:
                        lt.add("ICT112", (*base, "environments", j), f"未知环境 {e!r}(应为 A、B 或 C)", f"unknown environment {e!r} (A, B or C)")
                _impossible_coverage(lt, r, a, params, base)
            if spec.kind == "membership" and a.of in ("code", "value") and a.items.split(".")[-1] in ("points", "point_scope"):
                for key in ("within", "includes"):
                    val = getattr(a, key)
                    if isinstance(val, list):
                        for j, v in enumerate(val):
                            _code(lt, v, (*base, key, j))


def _code(lt: _Linter, code: Any, at: tuple[Any, ...]) -> None:
    c = str(code).strip().upper()
    if c not in CATALOG.points:
        hint = did_you_mean(c, CATALOG.points)
        tip = (f";是否应为 {hint}?", f"; did you mean {hint}?") if hint else ("", "")
        lt.add("ICT110", at, f"未知微能力点 {code!r}{tip[0]}", f"unknown micro-ability point {code!r}{tip[1]}")


def _impossible_coverage(lt: _Linter, r: Rule, a: Any, params: dict[str, Any], base: tuple[Any, ...]) -> None:
    limits = (("min_points", len(CATALOG.points), "个能力点", "points"),
              ("min_dimensions", len(CATALOG.dimensions), "个维度", "dimensions"),
              ("min_environments", len(CATALOG.environments), "个环境", "environments"))
    for arg, most, zh, en in limits:
        v = _const(getattr(a, arg), params)
        if isinstance(v, int) and v > most:
            lt.add("ICT104", (*base, arg), f"{r.id}:要求 {v}{zh},目录只有 {most}", f"{r.id}: asks for {v} {en}; the catalog has {most}")
    lo, hi = _const(a.min_points, params), _const(a.max_points, params)
    if isinstance(lo, int) and isinstance(hi, int) and lo > hi:
        lt.add("ICT104", (*base, "min_points"), f"{r.id}:能力点下限 {lo} 大于上限 {hi}", f"{r.id}: min_points {lo} is above max_points {hi}")


# ---- bands --------------------------------------------------------------------------------------


def _bands(lt: _Linter, model: RulesetFile) -> None:
    tables: list[tuple[list[Band], tuple[Any, ...], str]] = []
    for i, d in enumerate(model.derived):
        if d.compute.kind == "band":
            tables.append((list(d.compute.args.bands), ("derived", i, "compute", "args", "bands"), d.id))
    for i, r in enumerate(model.rules):
        for spec, at in _specs(r):
            if spec.kind == "bands":
                tables.append((list(spec.args.bands), ("rules", i, *at, "args", "bands"), r.id))
    for bands, at, owner in tables:
        for problem in band_problems(bands):
            code, zh, en = problem
            lt.add(code, at, f"{owner}:{zh}", f"{owner}: {en}")


def band_problems(bands: list[Band]) -> list[tuple[str, str, str]]:
    """Gaps and overlaps between bands sorted by their lower edge.

    >>> pass_ = Band(label="pass", min=60, max=89)
    >>> excellent = Band(label="excellent", min=90)
    >>> band_problems([excellent, pass_])[0][2]
    'a score in (89, 90) falls in no band (between pass and excellent)'
    """
    order = sorted(bands, key=lambda b: (-math.inf if b.min is None else b.min, b.min_exclusive))
    found = []
    for a, b in itertools.pairwise(order):
        hi, lo = (math.inf if a.max is None else a.max), (-math.inf if b.min is None else b.min)
        if hi < lo or (hi == lo and a.max_exclusive and b.min_exclusive):
            left = "(" if not a.max_exclusive else "["
            right = ")" if not b.min_exclusive else "]"
            interval = f"{left}{_num(hi)}, {_num(lo)}{right}"
            found.append(("ICT150", f"分数 {interval} 不属于任何等次({a.label} 与 {b.label} 之间)",
                          f"a score in {interval} falls in no band (between {a.label} and {b.label})"))
        elif hi > lo or (hi == lo and not a.max_exclusive and not b.min_exclusive):
            found.append(("ICT151", f"等次 {a.label} 与 {b.label} 重叠于 {_num(lo)}–{_num(hi)}",
                          f"bands {a.label} and {b.label} overlap on {_num(lo)}–{_num(hi)}"))
    return found


def _num(x: float) -> str:
    return str(int(x)) if isinstance(x, float) and x.is_integer() else str(x)


# ---- bounds on the merged ruleset -----------------------------------------------------------------


def _rule_at(model: RulesetFile, rule_id: str) -> tuple[Any, ...]:
    idx = next((i for i, r in enumerate(model.rules) if r.id == rule_id), None)
    return ("rules", idx, "check", "args") if idx is not None else ()


def _top_checks(rule: Rule) -> Iterator[Any]:
    """The checks that must all hold for a rule: its check, or the parts of an ``all``."""
    stack = [rule.check]
    while stack:
        spec = stack.pop()
        if spec.kind == "all":
            stack.extend(spec.args.checks)
        else:
            yield spec


def _bounds(lt: _Linter, model: RulesetFile, merged: Ruleset) -> None:
    params = {n: p.value for n, p in merged.parameters.items()}
    mins: dict[tuple[str, str], tuple[float, str]] = {}
    maxs: dict[tuple[str, str], tuple[float, str]] = {}
    for r in merged.rules:
        for spec in _top_checks(r):
            a = spec.args
            if not isinstance(a, Bounds):  # the kinds with min/max share one argument type
                continue
            lo, hi = _const(a.min, params), _const(a.max, params)
            lo = _clean(lo) if isinstance(lo, (int, float)) and not isinstance(lo, bool) else None
            hi = _clean(hi) if isinstance(hi, (int, float)) and not isinstance(hi, bool) else None
            at = _rule_at(model, r.id)
            if spec.kind in ("rate", "ratio"):
                _rate_bounds(lt, r, spec.kind, lo, hi, at)
            if lo is not None and hi is not None and lo > hi:
                lt.add("ICT102", (*at, "min"), f"{r.id}:下限 {lo} 大于上限 {hi}", f"{r.id}: min {lo} is above max {hi}")
            if spec.kind == "threshold" and r.when is None:
                key = (r.level, a.value)
                if lo is not None and (key not in mins or lo > mins[key][0]):
                    mins[key] = (lo, r.id)
                if hi is not None and (key not in maxs or hi < maxs[key][0]):
                    maxs[key] = (hi, r.id)
    for key, (lo, rid) in mins.items():
        if key in maxs and lo > maxs[key][0] and maxs[key][1] != rid:
            hi, hid = maxs[key]
            lt.add("ICT102", _rule_at(model, rid), f"{rid} 要求 {key[1]} ≥ {lo},而 {hid} 要求 ≤ {hi}",
                   f"{rid} asks {key[1]} ≥ {lo} while {hid} asks ≤ {hi}")
    for level in ("teacher",):
        on, off, tot = (mins.get((level, "hours.online")), mins.get((level, "hours.offline")), maxs.get((level, "hours.total")))
        if on and off and tot and on[0] + off[0] > tot[0]:
            lt.add(
                "ICT101", _rule_at(model, tot[1]),
                f"线上下限 {on[0]}({on[1]})+ 线下下限 {off[0]}({off[1]})超过总学时上限 {tot[0]}({tot[1]})",
                f"online minimum {on[0]} ({on[1]}) + offline minimum {off[0]} ({off[1]}) exceed the total maximum {tot[0]} ({tot[1]})",
            )


def _clean(x: float) -> float:
    """75.0 → 75, so that messages read as the document does."""
    return int(x) if isinstance(x, float) and x.is_integer() else x


def _rate_bounds(lt: _Linter, r: Rule, kind: str, lo: Any, hi: Any, at: tuple[Any, ...]) -> None:
    if lo is not None and lo > 1:
        lt.add("ICT103", (*at, "min"), f"{r.id}:比率下限 {lo} 大于 1(100%),无人能达到", f"{r.id}: {kind} minimum {lo} is above 1 (100 %): no one can meet it")
    if hi is not None and hi < 0:
        lt.add("ICT103", (*at, "max"), f"{r.id}:比率上限 {hi} 小于 0,无人能达到", f"{r.id}: {kind} maximum {hi} is below 0: no one can meet it")


def _unused(lt: _Linter, model: RulesetFile, merged: Ruleset) -> None:
    plan = merged.plan
    used = {p for rules in plan.rules.values() for cr in rules for p in cr.parameters}
    used |= {p for ds in plan.derived.values() for cd in ds for p in cd.parameters}
    for name, param in model.parameters.items():
        if name not in used and not param.informative:
            lt.add("ICT130", ("parameters", name), f"参数 {name} 未被任何规则使用", f"parameter {name} is used by no rule or derived value")


# ---- quotes -------------------------------------------------------------------------------------


def seed_dirs(path: Path, extra: list[Path] | None = None) -> list[Path]:
    """Folders searched for source texts: ``extra``, then ``docs/sources``, ``shared/seeds``
    and ``seeds`` under every folder above ``path`` and the working directory."""
    found = list(extra or [])
    for top in [*Path(path).resolve().parents, *Path.cwd().resolve().parents, Path.cwd().resolve()]:
        for sub in ("docs/sources", "shared/seeds", "seeds"):
            d = top / sub
            if d.is_dir() and d not in found:
                found.append(d)
    return found


def _normal(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _quotes(lt: _Linter, model: RulesetFile, path: Path, seeds: list[Path] | None) -> None:
    dirs = seed_dirs(path, seeds)
    texts: dict[str, str | None] = {}

    def text_of(name: str) -> str | None:
        if name not in texts:
            hit = next((d / name for d in dirs if (d / name).is_file()), None)
            texts[name] = _normal(hit.read_text(encoding="utf-8")) if hit else None
        return texts[name]

    cited: list[tuple[Any, tuple[Any, ...], str]] = [(r.source, ("rules", i, "source", "quote"), r.id) for i, r in enumerate(model.rules)]
    cited += [(p.source, ("parameters", n, "source", "quote"), n) for n, p in model.parameters.items()]
    cited += [(d.source, ("derived", i, "source", "quote"), d.id) for i, d in enumerate(model.derived)]
    missing_reported: set[str] = set()
    converted_reported: set[str] = set()
    for source, at, owner in cited:
        quote = _normal(source.quote)
        if len(quote) < MIN_QUOTE:
            lt.add("ICT121", at, f"{owner}:引文过短({len(quote)} 字),无法定位条款", f"{owner}: the quote is too short ({len(quote)} characters) to identify its clause")
        name = source.document or model.document.seed
        if not name:
            continue
        text = text_of(name)
        if text is None:
            if name not in missing_reported:
                missing_reported.add(name)
                lt.add("ICT122", ("document", "seed"), f"找不到原文 {name},未核对引文(可用 --seeds 指定目录)",
                       f"source text {name} not found; quotes not checked (point --seeds at its folder)")
        elif quote not in text and simplified(quote) in simplified(text):
            if name not in converted_reported:
                converted_reported.add(name)
                lt.add("ICT123", at, f"{owner}:引文与原文 {name} 繁简不同,已按简体比对",
                       f"{owner}: the quote and {name} differ in Simplified/Traditional characters; matched after conversion")
        elif quote not in text:
            lt.add("ICT120", at, f"{owner}:引文不在原文 {name} 中:{source.quote[:30]}…",
                   f"{owner}: quote not found in {name}: {source.quote[:30]}…")


def _wording(lt: _Linter, model: RulesetFile, merged: Ruleset) -> None:
    for p in ruleset_wording_problems(merged):
        if p.subject.startswith("$"):
            at: tuple[Any, ...] = ("parameters", p.subject[1:], "value")
        else:
            at = (*_rule_at(model, p.subject), "check", "args", p.side or "min")
        lt.add(p.code, at, p.message_zh, p.message_en)


def _coverage(lt: _Linter, model: RulesetFile, merged: Ruleset, path: Path, seeds: list[Path] | None) -> None:
    """ICT182, once a source text is found: the requirement sentences the ruleset leaves out."""
    name = model.document.seed
    hit = next((d / name for d in seed_dirs(path, seeds) if (d / name).is_file()), None) if name else None
    if hit is None:
        return
    cov = ruleset_coverage(merged, hit.read_text(encoding="utf-8"), name or "")
    for s in cov.sentences:
        if s.status == "unclassified":
            lt.add("ICT182", ("document", "seed"), f"{name}:{s.line} 的要求未编码也未列入 not_checked:{s.text[:40]}",
                   f"{name}:{s.line}: a requirement neither encoded nor listed in not_checked: {s.text[:40]}")


# ---- scaffold -----------------------------------------------------------------------------------


def scaffold(ruleset_id: str, base: str, out_dir: str | Path = ".") -> Path:
    """Write ``<out_dir>/<ruleset_id>.yaml`` extending ``base``, every base parameter listed
    (commented) with its value, unit and citation, ready to override. Never overwrites.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = scaffold("my_school_2024", "zeku_2023", d)
    ...     load_ruleset(p).chain[-2:]
    ['zeku_2023', 'my_school_2024']
    """
    out = _new_ruleset_path(ruleset_id, out_dir)
    parent = load_ruleset(base)
    extends = base if re.fullmatch(r"[a-z][a-z0-9_]*", base) else _relative(Path(base), out.parent)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "x", encoding="utf-8") as fh:  # "x": fail rather than overwrite, even in a race
        fh.write(_scaffold_text(ruleset_id, extends, parent))
    return out


def _new_ruleset_path(ruleset_id: str, out_dir: str | Path) -> Path:
    """Where a new ruleset goes; refuses a bad id and an existing file (never overwritten)."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", ruleset_id):
        raise InputError.single(ruleset_id, "规则集编号只能含小写字母、数字和下划线,以字母开头",
                                "a ruleset id is lower-case letters, digits and _, starting with a letter")
    out = Path(out_dir) / f"{ruleset_id}.yaml"
    if out.exists():
        raise InputError.single(str(out), "文件已存在,不会覆盖", "the file exists; it is never overwritten")
    return out


#: The figures nearly every document sets, with the numbers most documents give (edit them).
MINIMAL_PARAMETERS: list[tuple[str, Any, str, str, str]] = [
    ("total_hours", 50, "学时", "每位教师总学时", "Hours per teacher in all"),
    ("online_hours", 25, "学时", "线上(网络研修)学时", "Online hours"),
    ("offline_hours", 25, "学时", "线下(校本实践应用)学时", "Offline (school-based practice) hours"),
    ("teacher_min_points", 3, "个", "每位教师至少选择的微能力点数", "Micro-ability points per teacher, at least"),
    ("teacher_min_dimensions", 2, "个", "教师能力点至少覆盖的维度数", "Dimensions a teacher's points cover, at least"),
    ("completion_deadline", "2024-12-31", "", "完成培训的期限", "Date by which the training is done"),
]


def scaffold_minimal(ruleset_id: str, out_dir: str | Path = ".") -> Path:
    """Write ``<out_dir>/<ruleset_id>.yaml``: a ruleset of its own (no ``extends``) with the
    common hour and point parameters and one rule for each, every blank marked ``待填写 TODO``
    and every comment in Chinese and English. Never overwrites.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     rs = load_ruleset(scaffold_minimal("my_province_2024", d))
    ...     sorted(rs.parameters)[:2], [r.id for r in rs.rules][:1]
    (['completion_deadline', 'offline_hours'], ['MY-PROVINCE-2024-T-HOURS-TOTAL'])
    """
    out = _new_ruleset_path(ruleset_id, out_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "x", encoding="utf-8") as fh:  # "x": fail rather than overwrite, even in a race
        fh.write(_minimal_text(ruleset_id))
    return out


def _minimal_text(ruleset_id: str) -> str:
    prefix = ruleset_id.upper().replace("_", "-")
    todo = '{section: "待填写 TODO 章节 section", quote: "待填写 TODO 原文句子,逐字 / the sentence, word for word"}'
    lines = [
        f"# {ruleset_id}:独立的规则集(不继承其他规则集),含常用的学时与能力点参数。",
        "# A ruleset of its own (it extends nothing) with the common hour and point parameters.",
        "# 1. 填写文件信息 document:;把原文存为 docs/sources/<id>.txt 并写入 seed。",
        "#    Fill in `document:`; keep the source text as docs/sources/<id>.txt and name it in `seed`.",
        "# 2. 每个参数改为文件中的数,并逐字引用给出该数的句子(quote)。",
        "#    Set each parameter to your document's number and quote its sentence word for word.",
        "# 3. 删去文件没有的规则和参数;照 docs/ruleset-format.md 增加其余规则。",
        "#    Delete the rules and parameters your document does not have; add the others.",
        "# 4. ict2rules lint THIS_FILE && ict2rules test tests/cases/<id>/",
        f"id: {ruleset_id}",
        "title: {zh: 待填写 TODO 文件标题, en: TODO English title}",
        "document:",
        "  title: 待填写 TODO 文件全称          # 文件全称 / the document's full title",
        "  issuer: 待填写 TODO 发文单位         # 发文单位 / issuing body",
        "  number: null        # 文号 / document number, e.g. 开教发[2024]1号",
        "  date: null          # 发文日期 / date issued, YYYY-MM-DD",
        "  level: county       # 层级 / level: national / province / city / county / school / project",
        "  seed: null          # 原文文件名 / the source text's file name (shared/seeds or docs/sources)",
        "  url: null",
        "",
        "# 参数:每个数只写一次,附原文出处 / parameters: each number once, with its sentence",
        "parameters:",
    ]
    for name, value, unit, zh, en in MINIMAL_PARAMETERS:
        lines += [
            f"  {name}:   # {zh} / {en}",
            f"    value: {value}" + ("   # YYYY-MM-DD" if isinstance(value, str) else ""),
            *([f"    unit: {unit}"] if unit else []),
            f"    description: {{zh: {_yaml_scalar(zh)}, en: {_yaml_scalar(en)}}}",
            f"    source: {todo}",
        ]

    def rule(rid: str, level: str, zh: str, en: str, mzh: str, men: str, check: str) -> list[str]:
        return [
            f"  - id: {prefix}-{rid}",
            f"    level: {level}",
            f"    title: {{zh: {zh}, en: {en}}}",
            f'    message: {{zh: "{mzh}", en: "{men}"}}',
            f"    check: {check}",
            "    due: $completion_deadline   # 期限前未满足为待办 / pending until this date",
            f"    source: {todo}",
        ]

    lines += [
        "",
        "# 规则:每条一项要求,须/要/应 为 error,鼓励/可 为 info / rules: one requirement each;",
        "# 须/要/应 oblige (error), 鼓励/可/支持 encourage (severity: info)",
        "rules:",
        *rule("T-HOURS-TOTAL", "teacher", "总学时达标", "Total hours", "总学时 {actual},要求 {expected}",
              "{actual} hours in all; required {expected}",
              "{kind: threshold, args: {value: hours.total, min: $total_hours, unit: 学时}}"),
        *rule("T-HOURS-ONLINE", "teacher", "线上学时达标", "Online hours", "线上学时 {actual},要求 {expected}",
              "{actual} online hours; required {expected}",
              "{kind: threshold, args: {value: hours.online, min: $online_hours, unit: 学时}}"),
        *rule("T-HOURS-OFFLINE", "teacher", "线下学时达标", "Offline hours", "线下学时 {actual},要求 {expected}",
              "{actual} offline hours; required {expected}",
              "{kind: threshold, args: {value: hours.offline, min: $offline_hours, unit: 学时}}"),
        *rule("T-POINTS", "teacher", "能力点个数与维度", "Points and dimensions", "能力点 {actual},要求 {expected}",
              "points {actual}; required {expected}",
              "{kind: coverage, args: {items: points, min_points: $teacher_min_points, "
              "min_dimensions: $teacher_min_dimensions}}"),
        "",
        "# 不检查的句子及理由(ict2rules coverage)/ sentences not checked, with their reason",
        "not_checked: []",
        "",
    ]
    return "\n".join(lines)


def _relative(base: Path, folder: Path) -> str:
    try:
        return base.resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        raise InputError.single(str(base), "extends 的文件须在新规则集所在目录之下", "an extends file must lie under the new ruleset's folder") from None


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, (dt.date, bool, int, float)):
        return str(value).lower() if isinstance(value, bool) else str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_yaml_scalar(v) for v in value) + "]"
    text = str(value).replace('"', '\\"')
    return f'"{text}"'


def _scaffold_text(ruleset_id: str, extends: str, parent: Ruleset) -> str:
    d = parent.document
    lines = [
        f"# {ruleset_id}:继承 {parent.id}({d.title})的规则集。",
        f"# A ruleset extending {parent.id} ({d.title}).",
        "# 填写文件信息;改写文件改动的参数(取消注释,改数值,逐字引用本文件的句子);增加本文件的规则。",
        "# Fill in the document block, override the parameters your document changes (uncomment",
        "# one, change its value and quote your document's own sentence), add rules of your own,",
        "# then / 然后: ict2rules lint THIS_FILE && ict2rules test tests/cases/<id>/",
        f"id: {ruleset_id}",
        "title: {zh: 待填写 TODO 文件标题, en: TODO English title}",
        f"extends: {extends}",
        "document:",
        "  title: 待填写 TODO 文件全称",
        "  issuer: 待填写 TODO 发文单位",
        "  number: null        # 文号, e.g. 开教发[2024]1号",
        "  date: null          # YYYY-MM-DD",
        f"  level: {d.level}     # national / province / city / county / school / project",
        "  seed: null          # the source text's file name (shared/seeds or docs/sources)",
        "  url: null",
        "  effective: {start: null, end: null}",
        "",
        "parameters: {}",
        "# 上级规则集的参数,附现值与出处。要改写,移到 parameters: 下(删去 {}),取消注释并引用本文件。",
        "# Parameters of the base, each with its current value and citation. To override one,",
        "# move it under `parameters:` (remove `{}`), uncomment it and cite your document.",
    ]
    for name, p in sorted(parent.parameters.items()):
        desc = f"{p.description.zh} / {p.description.en}" if p.description else ""
        lines += [
            f"#  {name}:" + (f"   # {desc}" if desc else ""),
            f"#    value: {_yaml_scalar(p.value)}" + (f"   # {p.unit}" if p.unit else ""),
            "#    source:",
            f"#      section: {_yaml_scalar(p.source.section)}   # {p.defined_in}: {p.source.document or ''}",
            f"#      quote: {_yaml_scalar(p.source.quote)}",
        ]
    lines += [
        "",
        "# 本文件没有的上级规则 / rules of the base that your document does not have:",
        "remove_rules: []",
        "",
        "# 本文件自己的规则 / rules of your own (docs/ruleset-format.md, `ict2rules explain KIND`):",
        "rules: []",
        "",
    ]
    return "\n".join(lines)


def summarise(findings: list[LintFinding]) -> dict[str, int]:
    """Counts by severity."""
    counts: dict[str, int] = defaultdict(int)
    for f in findings:
        counts[f.severity] += 1
    return dict(counts)
