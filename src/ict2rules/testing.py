"""Hypothesis strategies derived from any ruleset: compliant records and near misses.

Use them to property-test a ruleset, or a program built on ``ict2rules``, without writing a
record by hand::

    from hypothesis import given
    from ict2rules import evaluate, load_ruleset
    from ict2rules.testing import evaluation_date, near_miss, records

    RS = load_ruleset("zeku_2023")

    @given(records(RS, level="school"))
    def test_compliant_school_passes(school):
        assert evaluate(RS, {"school": school}, as_of=evaluation_date(RS)).passed

    @given(near_miss(RS, "ZK-T-HOURS-TOTAL"))
    def test_just_short_fails(teacher):       # e.g. 74.5 学时 against 75
        report = evaluate(RS, {"teacher": teacher}, as_of=evaluation_date(RS))
        assert {f.status.value for f in report.findings if f.rule_id == "ZK-T-HOURS-TOTAL"} == {"fail"}

How it works. A record starts empty. Each rule's check is *fixed*: a small function per
kind moves the record just enough for the check to pass (``threshold`` sets the value to its
minimum plus a drawn slack, ``coverage`` draws catalog points until the counts are met,
``deadline`` sets a date on or before the due date, ``documents`` files every required title
on time …). Fixes only move what is wrong, so rules on the same field agree. The record is
evaluated again and the rounds repeat until every rule passes. A near miss starts from a
compliant record and breaks one rule at its boundary (``min − ε``: 74.5 against 75, one
dimension fewer, one day late), pinning what it changed while the other rules are fixed again.

The evaluator is the judge: a strategy only returns a record the engine has checked.
This module needs ``hypothesis`` (the ``test`` extra); ``import ict2rules`` never imports it. A kind
or field no fix knows how to move raises :class:`NotDerivable` naming the rule and the reason,
never a record that silently does not comply.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st
from pydantic import BaseModel

from .evaluation.evaluator import Evaluator
from .evaluation.regions import regions_of
from .input.catalog import CATALOG
from .input.paths import _unwrap, computed_fields, is_model
from .input.records import (
    Evidence,
    HoursRecord,
    PointCode,
    PointRecord,
    Project,
    RegionView,
    School,
    Teacher,
    Team,
)
from .kinds.base import (
    FAIL,
    MISSING,
    NA,
    PASS,
    DaysAfter,
    FieldRef,
    Outcome,
    Subject,
)
from .kinds.documents import matches
from .rules.compiler import LEVELS, Context, _root
from .rules.ruleset import Rule, Ruleset

__all__ = [
    "NotDerivable",
    "boundary_pair",
    "evaluation_date",
    "near_miss",
    "near_miss_level",
    "records",
    "rules_of",
]

MAX_ROUNDS = 10
_SLACKS = (0, 0, 0, 0.5, 1, 2, 5, 10)  # drawn per field: the boundary itself is drawn most


class NotDerivable(Exception):
    """A rule whose compliant (or near-miss) record cannot be derived from its arguments.

    >>> str(NotDerivable("X-1", "aggregate derivations cannot be inverted"))
    'X-1: aggregate derivations cannot be inverted'
    """

    def __init__(self, rule_id: str | None, reason: str) -> None:
        super().__init__(f"{rule_id}: {reason}" if rule_id else reason)
        self.rule_id = rule_id
        self.reason = reason


class _Pinned(Exception):
    """A fix would move a field a near miss has pinned."""


# ------------------------------------------------------------------------------------------
# dates the records use
# ------------------------------------------------------------------------------------------


def _walk_values(obj: Any) -> list[Any]:
    """Every scalar inside a pydantic model / dict / list, depth first."""
    out: list[Any] = []
    stack = [obj]
    while stack:
        x = stack.pop()
        if isinstance(x, BaseModel):
            stack.extend(getattr(x, n) for n in type(x).model_fields)
        elif isinstance(x, dict):
            stack.extend(x.values())
        elif isinstance(x, (list, tuple)):
            stack.extend(x)
        else:
            out.append(x)
    return out


def _dates(ruleset: Ruleset) -> list[dt.date]:
    found = [v for v in _walk_values([ruleset.parameters, ruleset.rules, ruleset.document]) if isinstance(v, dt.date)]
    return sorted(found)


def evaluation_date(ruleset: Ruleset) -> dt.date:
    """An as-of date after every date the ruleset names (plus 60 days for "within 30 days
    after" rules), so that nothing is ``pending`` and every deadline is judged.

    >>> from ict2rules import load_ruleset
    >>> evaluation_date(load_ruleset("zeku_2023")) > dt.date(2023, 12, 31)
    True
    """
    dates = _dates(ruleset)
    return (dates[-1] if dates else dt.date(2030, 1, 1)) + dt.timedelta(days=61)


def _reference_date(ruleset: Ruleset) -> dt.date:
    """The date a record uses for "it happened" when no rule says when: the earliest date."""
    eff = ruleset.document.effective
    if eff and eff.start:
        return eff.start
    dates = _dates(ruleset)
    return dates[0] if dates else dt.date(2020, 1, 1)


def rules_of(ruleset: Ruleset, level: str, severity: str | None = None) -> list[Rule]:
    """The rules of one level (and severity), in ruleset order."""
    return [r for r in ruleset.rules if r.level == level and (severity is None or r.severity == severity)]


# ------------------------------------------------------------------------------------------
# the mutable record and how fields are set
# ------------------------------------------------------------------------------------------


@dataclass
class _Target:
    """A record being built (a dict), the model it validates as, and how to reach its parent."""

    data: dict[str, Any]
    model: type[BaseModel]
    key: str
    parent: _Target | None = None
    slot: tuple[list[Any], int] | None = None  # a scalar item of a list (a date, a code)


@dataclass
class _Build:
    """Everything a fix needs: the ruleset, the draw function, the pins and the slacks drawn."""

    ruleset: Ruleset
    draw: Callable[[Any], Any]
    as_of: dt.date
    ref_date: dt.date
    pins: set[str] = field(default_factory=set)
    pinning: bool = False  # while breaking a rule, every field set is pinned
    slacks: dict[tuple[str, str], float] = field(default_factory=dict)
    rule: str | None = None

    def slack(self, t: _Target, path: str) -> float:
        k = (t.key, path)
        if k not in self.slacks:
            self.slacks[k] = self.draw(st.sampled_from(_SLACKS))
        return self.slacks[k]

    def touch(self, t: _Target, path: str) -> None:
        """Record a field about to change: pin it while breaking, refuse it when pinned (a
        pinned list pins its items too)."""
        k = f"{t.key}.{path}"
        if self.pinning:
            self.pins.add(k)
        elif any(k == p or k.startswith((p + ".", p + "[")) for p in self.pins):
            raise _Pinned(path)

    def fail(self, reason: str) -> NotDerivable:
        return NotDerivable(self.rule, reason)


def _leaf(model: Any, segs: list[str]) -> tuple[Any, bool]:
    """The type at ``segs`` below ``model`` and whether the last field is computed."""
    tp: Any = model
    computed = False
    for seg in segs:
        computed = False
        if is_model(tp):
            if seg in tp.model_fields:
                tp = _unwrap(tp.model_fields[seg].annotation)
            elif seg in computed_fields(tp):
                tp, computed = _unwrap(computed_fields(tp)[seg].return_type), True
            else:
                return Any, False
        elif typing.get_origin(tp) is dict:
            tp = _unwrap(typing.get_args(tp)[1])
        else:
            return Any, False
    return tp, computed


def _is_int(tp: Any) -> bool:
    return tp is int


def _epsilon(tp: Any) -> float:
    """The step just past a boundary: one for counts, half an hour for hours and scores."""
    return 1 if _is_int(tp) else 0.5


def _default(tp: Any, b: _Build) -> Any:
    """A plain valid value of a type (for "is present")."""
    origin = typing.get_origin(tp)
    if tp is dt.date:
        return b.ref_date
    if tp is bool:
        return True
    if tp in (int, float):
        return 1
    if tp is str:
        return "x"
    if origin is list:
        item = _unwrap(typing.get_args(tp)[0])
        return [_default(item, b)]
    if origin is typing.Literal:
        return typing.get_args(tp)[0]
    if is_model(tp):
        return _minimal(tp, b)
    if origin is dict:
        return {"x": 1}
    return "x"


def _minimal(model: type[BaseModel], b: _Build) -> dict[str, Any]:
    """The smallest valid dict of a model: required fields get defaults, an Evidence is valid."""
    if model is Evidence:
        return {"shows_teacher": True, "own_work": True}
    if model is PointRecord:
        return {"code": "A1"}
    return {n: _default(_unwrap(f.annotation), b) for n, f in model.model_fields.items() if f.is_required()}


def _parent_names(t: _Target) -> tuple[str, ...]:
    if t.parent is None:
        return ()
    return ("parent", t.parent.model.__name__.lower())


def _derived(b: _Build, t: _Target, name: str) -> Any:
    level = t.model.__name__.lower()
    return next((d for d in b.ruleset.derived if d.id == name and d.level == level), None)


def _set(b: _Build, t: _Target, path: str, value: Any) -> None:
    """Set ``path`` of the record to ``value``, through parents, derived values and computed fields."""
    if path in (".", ""):
        if t.slot is None:
            raise b.fail("cannot replace a whole record")
        b.touch(t, path)
        lst, i = t.slot
        lst[i] = value
        return
    segs = path.split(".")
    if segs[0] in _parent_names(t) and len(segs) > 1:
        _set(b, t.parent, ".".join(segs[1:]), value)  # type: ignore[arg-type]
        return
    if segs[0] == "as_of":
        raise b.fail("the as-of date is not a field of the record")
    d = _derived(b, t, segs[0])
    if d is not None and len(segs) == 1:
        _invert(b, t, d, value)
        return
    tp, computed = _leaf(t.model, segs)
    b.touch(t, path)  # before _holder, which may create (valid) parents on the way
    holder = _holder(b, t, segs[:-1])
    if computed:
        _set_computed(b, t, holder, segs, value)
        return
    if _is_int(tp) and isinstance(value, float):
        value = math.ceil(value) if value >= 0 else value
    holder[segs[-1]] = value


def _holder(b: _Build, t: _Target, segs: list[str]) -> dict[str, Any]:
    """The dict that holds the last segment, creating the dicts on the way."""
    node = t.data
    for i, seg in enumerate(segs):
        nxt = node.get(seg)
        if nxt is None:
            tp, _ = _leaf(t.model, segs[: i + 1])
            nxt = _minimal(tp, b) if is_model(tp) else {}
            node[seg] = nxt
        node = nxt
    return node


def _get_raw(t: _Target, path: str) -> Any:
    node: Any = t.data
    for seg in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(seg)
    return node


def _set_computed(b: _Build, t: _Target, holder: dict[str, Any], segs: list[str], value: Any) -> None:
    owner, _ = _leaf(t.model, segs[:-1]) if len(segs) > 1 else (t.model, False)
    name = segs[-1]
    base = ".".join(segs[:-1])
    prefix = f"{base}." if base else ""
    if owner is HoursRecord and name == "total":
        holder.pop("stated_total", None)  # the split decides the total
        _set_total(b, t, holder, prefix, float(value))
    elif owner is Evidence and name == "valid":
        holder["shows_teacher"] = bool(value)
        holder["own_work"] = True
        for judged in ("judged_valid", "items"):  # other judgements must not contradict it
            holder.pop(judged, None)
    elif owner is Team and name == "size":
        members = holder.setdefault("members", [])
        del members[int(value):]
        members.extend({"role": "教师"} for _ in range(int(value) - len(members)))
    elif owner is Team and name == "roles":
        members = holder.setdefault("members", [])
        keep = [m for m in members if m.get("role") in value or m.get("leader")]
        have = {m.get("role") for m in keep}
        holder["members"] = keep + [{"role": r} for r in value if r not in have]
    elif owner is Team and name == "leader_role":
        members = holder.setdefault("members", [])
        for m in members:
            m["leader"] = False
        found = next((m for m in members if m.get("role") == value), None)
        if found is None:
            found = {"role": value}
            members.insert(0, found)
        found["leader"] = True
    elif owner is School and name == "document_names":
        docs = holder.setdefault("documents", [])
        for title in value:
            if not any(dd.get("name") == title for dd in docs):
                docs.append({"name": title, "filed_on": b.ref_date, "approved": True})
    else:
        raise b.fail(f"cannot set the computed field {'.'.join(segs)!r}")


def _set_total(b: _Build, t: _Target, holder: dict[str, Any], prefix: str, value: float) -> None:
    """Move online/offline so that their sum is ``value``: the unpinned part takes the change."""
    online, offline = holder.get("online") or 0.0, holder.get("offline") or 0.0
    diff = value - (online + offline)
    parts = [p for p in ("online", "offline") if f"{t.key}.{prefix}{p}" not in b.pins or b.pinning]
    if not parts:
        raise _Pinned(prefix + "total")
    holder.setdefault("online", 0.0)
    holder.setdefault("offline", 0.0)
    # more hours go to the first free part; fewer come off the largest free parts first
    order = parts if diff >= 0 else sorted(parts, key=lambda p: -(holder.get(p) or 0.0))
    for part in order:
        if diff == 0:
            break
        new = max(holder[part] + diff, 0.0)
        diff -= new - holder[part]
        holder[part] = new
        if b.pinning:
            b.pins.add(f"{t.key}.{prefix}{part}")
    if diff:
        raise b.fail(f"{prefix}total cannot be {value}: the pinned part is already larger")


def _invert(b: _Build, t: _Target, d: Any, value: Any) -> None:
    """Set the inputs of a derived value so that it becomes ``value``."""
    kind, args = d.compute.kind, d.compute.args
    if kind == "sum":
        weights = [b.ruleset.parameters[w[1:]].value if isinstance(w, str) else w for w in (args.weights or [1] * len(args.values))]
        total = sum(weights)
        if total <= 0:
            raise b.fail(f"derived {d.id}: weights sum to {total}")
        each = float(value) / total
        for v in args.values:
            _set(b, t, v, each)
    elif kind == "band":
        band = next((x for x in args.bands if x.label == value), None)
        if band is None:
            raise b.fail(f"derived {d.id}: no band labelled {value!r}")
        _set(b, t, args.value, _inside(band.min, band.max, band.min_exclusive, band.max_exclusive, 0.5))
    elif kind == "first":  # the first value present wins: set that one
        _set(b, t, args.values[0], value)
    elif kind == "lookup":
        key = next((k for k, v in args.table.items() if v == value), None)
        if key is None:
            raise b.fail(f"derived {d.id}: no table entry gives {value!r}")
        _set(b, t, args.value, key)
    else:
        raise b.fail(f"derived {d.id}: {kind} derivations cannot be inverted")


def _inside(lo: Any, hi: Any, lx: bool, hx: bool, eps: float) -> Any:
    """A value inside [lo, hi] (edges as given), as near the lower edge as allowed."""
    if lo is not None:
        return lo + eps if lx else lo
    if hi is not None:
        return hi - eps if hx else hi
    return 0


# ------------------------------------------------------------------------------------------
# fixes: one per kind. fix(spec, subject, ctx, target, want) moves the record so that the
# check's status becomes pass (want=True) or fail (want=False).
# ------------------------------------------------------------------------------------------

Fix = Callable[[Any, Subject, Context, _Target, bool, _Build], None]
FIXES: dict[str, Fix] = {}


def _fix(name: str) -> Callable[[Fix], Fix]:
    def deco(fn: Fix) -> Fix:
        FIXES[name] = fn
        return fn

    return deco


# A generator fixes the same conditions thousands of times: each is compiled once per level.
# The key holds ids, the value the objects themselves, so that an id is never reused.
_COMPILED: dict[tuple[int, int, str, Any, Any], tuple[Any, Any, Any]] = {}


def _compiled(spec: Any, ctx: Context) -> Any:
    key = (id(spec), id(ctx.ruleset), ctx.name, ctx.model, ctx.parent.model if ctx.parent else None)
    found = _COMPILED.get(key)
    if found is None or found[0] is not spec or found[1] is not ctx.ruleset:
        if len(_COMPILED) > 50_000:
            _COMPILED.clear()
        found = _COMPILED[key] = (spec, ctx.ruleset, ctx.check(spec))
    return found[2]


def fix(spec: Any, s: Subject, ctx: Context, t: _Target, want: bool, b: _Build) -> None:
    """Move the record so that ``spec`` passes (``want``) or fails (``not want``)."""
    # a break is always applied: the subject may be stale (read before an earlier fix of the
    # same rule), and a stale "already fails" must not leave the record passing
    if want and _compiled(spec, ctx)(s).status is PASS:
        return
    fn = FIXES.get(spec.kind)
    if fn is None:
        raise b.fail(f"rule kind {spec.kind!r} has no generic fix; write its records by hand")
    fn(spec.args, s, ctx, t, want, b)


def _resolve(ctx: Context, s: Subject, value: Any) -> Any:
    return None if value is None else ctx.operand(value).read(s)


def _value_type(ctx: Context, t: _Target, path: str) -> Any:
    segs = path.split(".")
    if segs[0] in _parent_names(t) and t.parent is not None:
        return _leaf(t.parent.model, segs[1:])[0]
    return _leaf(t.model, segs)[0]


def _number_target(lo: Any, hi: Any, lx: bool, hx: bool, eps: float, slack: float, want: bool, v: Any) -> Any:
    """Where a number must go: inside the bounds (the lower edge plus slack, capped), or just
    outside the nearest edge."""
    if want:
        if lo is not None and (v is None or v < lo or (lx and v == lo)):
            target = lo + (eps if lx else 0) + slack
            if hi is not None and (target > hi or (hx and target >= hi)):
                target = lo + (eps if lx else 0)
            return target
        if hi is not None and (v is None or v > hi or (hx and v == hi)):
            return hi - (eps if hx else 0)
        return lo if v is None and lo is not None else (v if v is not None else 0)
    if lo is not None:
        return lo if lx else lo - eps
    return hi if hx else hi + eps


@_fix("threshold")
def _fix_threshold(a: Any, s: Subject, ctx: Context, t: _Target, want: bool, b: _Build) -> None:
    lo, hi = _resolve(ctx, s, a.min), _resolve(ctx, s, a.max)
    tp = _value_type(ctx, t, a.value)
    v = ctx.getter(a.value)(s)
    if typing.get_origin(tp) is list:
        n = len(v) if v is not None else None
        target = _number_target(lo, hi, a.min_exclusive, a.max_exclusive, 1, 0, want, n)
        _set_length(b, t, a.value, _item_annotation(t, a.value), int(target))
        return
    if isinstance(lo, dt.date) or isinstance(hi, dt.date) or tp is dt.date:
        raise b.fail("threshold on dates: use a deadline")
    eps = _epsilon(tp)
    target = _number_target(lo, hi, a.min_exclusive, a.max_exclusive, eps, b.slack(t, a.value), want, v)
    if target < 0:
        raise b.fail(f"{a.value} would have to be {target}, below 0")
    _set(b, t, a.value, target)


def _item_annotation(t: _Target, path: str) -> Any:
    """The item annotation of a list field, before unwrapping (so PointCode stays visible)."""
    segs = path.split(".")
    owner, _ = _leaf(t.model, segs[:-1]) if len(segs) > 1 else (t.model, False)
    if is_model(owner) and segs[-1] in owner.model_fields:
        ann = owner.model_fields[segs[-1]].annotation
        for arg in (ann, *typing.get_args(ann)):
            if typing.get_origin(arg) is list:
                return typing.get_args(arg)[0]
    return Any


def _set_length(b: _Build, t: _Target, path: str, item_tp: Any, n: int) -> None:
    if n < 0:
        raise b.fail(f"{path} would need {n} items")
    current = list(_get_raw(t, path) or [])
    item = _unwrap(item_tp)
    codes = item_tp == PointCode or item is PointRecord
    while len(current) < n:
        if codes:
            used = {x.get("code") if isinstance(x, dict) else x for x in current}
            code = next(c for c in sorted(CATALOG.points) if c not in used)
            current.append({"code": code} if item is PointRecord else code)
        else:
            current.append(_default(item, b) if item is not dt.date else b.ref_date)
    _set(b, t, path, current[:n])


@_fix("ratio")
def _fix_ratio(a: Any, s: Subject, ctx: Context, t: _Target, want: bool, b: _Build) -> None:
    lo, hi = _resolve(ctx, s, a.min), _resolve(ctx, s, a.max)
    num, den = ctx.getter(a.numerator)(s), ctx.getter(a.denominator)(s)
    if den is None or den == 0:
        _set(b, t, a.denominator, 10 if _is_int(_value_type(ctx, t, a.denominator)) else 10.0)
        return
    num = num or 0
    eps = _epsilon(_value_type(ctx, t, a.numerator))
    # does the denominator contain the numerator (practice hours over total hours)?
    probe = copy.deepcopy(t.data)
    tgt = _Target(probe, t.model, t.key, t.parent)
    _set(_Build(b.ruleset, b.draw, b.as_of, b.ref_date), tgt, a.numerator, num + 1)
    try:
        probed = getattr_path(t.model.model_validate(probe), a.denominator)
    except Exception:  # the probe is only a question; a record it cannot validate answers "no"
        probed = den
    rest = den - num if probed == den + 1 else None
    share = _number_target(lo, hi, a.min_exclusive, a.max_exclusive, 0, 0, want, num / den)
    if rest is not None:
        if share >= 1:
            raise b.fail("a part cannot be the whole")
        need = share * rest / (1 - share)
    else:
        need = share * den
    # round away from the boundary when passing, across it when failing
    step = eps
    above = (want and lo is not None and num / den < lo) or (not want and hi is not None)
    need = math.ceil(need / step) * step if above else math.floor(need / step) * step
    def share_of(x: float) -> float:
        return x / (x + rest) if rest is not None else x / den

    if not want and lo is not None:  # just below the minimum: one step under it
        for _ in range(3):
            if not (share_of(need) > lo or (share_of(need) == lo and not a.min_exclusive)):
                break
            need -= step
    if need < 0:
        raise b.fail(f"{a.numerator} would have to be {need}")
    _set(b, t, a.numerator, need)


def getattr_path(obj: Any, path: str) -> Any:
    for seg in path.split("."):
        obj = obj.get(seg) if isinstance(obj, dict) else getattr(obj, seg, None)
        if obj is None:
            return None
    return obj


def _other_side(op: str, v: Any, eps: float) -> Any:
    """A value ``w`` with ``v op w`` true (the other field of a comparison of two fields)."""
    step: Any = dt.timedelta(days=1) if isinstance(v, dt.date) else eps
    if op == "<":
        return v + step
    if op == ">":
        return v - step
    if op == "!=":
        return v + step if isinstance(v, (int, float, dt.date)) else f"非{v}"
    return v


def _labels(b: _Build, t: _Target, path: str) -> list[Any]:
    """The values a derived band or lookup can take (for "not in" on them)."""
    d = _derived(b, t, path)
    if d is None:
        return []
    if d.compute.kind == "band":
        return [x.label for x in d.compute.args.bands]
    if d.compute.kind == "lookup":
        return list(d.compute.args.table.values())
    return []


def _literal_options(tp: Any) -> list[Any]:
    """The values of a closed set (a grade, a certification level): "not 省" must be one of them."""
    tp = _unwrap(tp)
    return list(typing.get_args(tp)) if typing.get_origin(tp) is typing.Literal else []


_NEGATE = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<", "in": "not_in", "not_in": "in"}


@_fix("compare")
def _fix_compare(a: Any, s: Subject, ctx: Context, t: _Target, want: bool, b: _Build) -> None:
    op = a.op if want else _NEGATE.get(a.op, "not_contains")
    if a.value == "passed":
        _fix_passed(s, ctx, t, want, b)
        return
    to = _resolve(ctx, s, a.to)
    if isinstance(a.to, FieldRef) and op in ("==", "!=", "<", "<=", ">", ">="):
        # two fields compared: the other field follows this one (a threshold may hold this one)
        v = ctx.getter(a.value)(s)
        if v is not None:
            _set(b, t, a.to.field, _other_side(op, v, _epsilon(_value_type(ctx, t, a.value))))
            return
        if to is None:
            raise b.fail(f"compare: neither {a.value} nor {a.to.field} has a value")
    if to is None:
        raise b.fail(f"compare: {a.to} has no value to compare with")
    tp = _value_type(ctx, t, a.value)
    step: Any = dt.timedelta(days=1) if isinstance(to, dt.date) else _epsilon(tp)
    if op == "==":
        new = to
    elif op == "!=":
        other = [x for x in (*_labels(b, t, a.value), *_literal_options(tp)) if x != to]
        if other:
            new = other[0]
        elif isinstance(to, bool):
            new = not to
        else:
            new = to + step if isinstance(to, (int, float, dt.date)) else f"非{to}"
    elif op in (">=", "<="):
        new = to
    elif op == ">":
        new = to + step
    elif op == "<":
        new = to - step
    elif op == "in":
        new = to[0]
    elif op == "not_in":
        new = next((x for x in (*_labels(b, t, a.value), *_literal_options(tp), "其他", "other") if x not in to), None)
    elif op == "contains":
        current = ctx.getter(a.value)(s)
        new = f"{current or ''}{to}" if tp is str or isinstance(current, str) else [*(current or []), to]
    elif op == "not_contains":
        current = ctx.getter(a.value)(s)
        if isinstance(current, str):
            new = current.replace(str(to), "") or "其他"
        else:
            new = [x for x in (current or []) if x != to]
    else:
        raise b.fail(f"compare {op!r} cannot be fixed generically")
    _set(b, t, a.value, new)


def _fix_passed(s: Subject, ctx: Context, t: _Target, want: bool, b: _Build) -> None:
    """``passed`` follows from the subject's own rules: fix them all, or break one."""
    level = t.model.__name__.lower()
    rules = [r for r in rules_of(b.ruleset, level) if r.severity == "error"]
    if want:
        for r in rules:
            _fix_rule(r, s, ctx, t, True, b)
        return
    for r in rules:
        try:
            _fix_rule(r, s, ctx, t, False, b)
            return
        except (NotDerivable, _Pinned):
            continue
    raise b.fail(f"no rule of this {level} can be broken generically")


@_fix("present")
def _fix_present(a: Any, s: Subject, ctx: Context, t: _Target, want: bool, b: _Build) -> None:
    if not want:
        _set(b, t, a.fields[0], None)
        return
    for f in a.fields:
        if ctx.getter(f)(s) in (None, "", [], {}):
            _set(b, t, f, _default(_value_type(ctx, t, f), b))


def _date_before(b: _Build, t: _Target, path: str, by: dt.date, not_before: dt.date | None) -> dt.date:
    room = (by - not_before).days if not_before else 30
    back = min(int(b.slack(t, path) * 3), max(room, 0))
    return by - dt.timedelta(days=back)


@_fix("deadline")
def _fix_deadline(a: Any, s: Subject, ctx: Context, t: _Target, want: bool, b: _Build) -> None:
    by = ctx.operand(a.by).read(s)
    if by is None:
        ref = a.by.field if isinstance(a.by, (FieldRef, DaysAfter)) else None
        if ref is None:
            raise b.fail("deadline: no due date")
        _set(b, t, ref, b.ref_date)
        return
    start = _resolve(ctx, s, a.not_before)
    tp = _value_type(ctx, t, a.done)
    if want:
        new: Any = _date_before(b, t, a.done, by, start)
    elif start is not None and b.draw(st.booleans()):
        new = start - dt.timedelta(days=1)
    else:
        new = by + dt.timedelta(days=1)
    _set(b, t, a.done, [new] if typing.get_origin(tp) is list else new)


@_fix("documents")
def _fix_documents(a: Any, s: Subject, ctx: Context, t: _Target, want: bool, b: _Build) -> None:
    wanted = list(ctx.constant(a.required))
    due = _resolve(ctx, s, a.by)
    docs = [dict(d) for d in (_get_raw(t, a.documents) or [])]
    filed_on = (due - dt.timedelta(days=int(b.slack(t, a.documents)))) if due else b.ref_date
    for title in wanted:
        docs = [d for d in docs if not (matches(title, d.get("name", "")) or matches(title, d.get("type") or ""))]
        docs.append({"name": title, "filed_on": filed_on, "approved": True})
    if not want:
        victim = docs[len(docs) - len(wanted)]
        if due is not None:
            victim["filed_on"] = due + dt.timedelta(days=1)  # one day late
        elif a.approved:
            victim["approved"] = False
        else:
            docs.remove(victim)
    _set(b, t, a.documents, docs)


@_fix("lowest")
def _fix_lowest(a: Any, s: Subject, ctx: Context, t: _Target, want: bool, b: _Build) -> None:
    """Every item gets a grade at or above ``min``; a near miss puts the first one just below."""
    order, floor = list(a.order), a.min
    need = order.index(floor)
    if not want and need == 0:
        raise b.fail(f"no grade ranks below {floor!r}")
    lst, targets = _items_targets(t, a.over, b)
    if not lst:
        lst.append({"code": sorted(CATALOG.points)[0]} if _is_record_list(t, a.over) else {})
        lst, targets = _items_targets(t, a.over, b)
    for it in targets:
        _set(b, it, a.field, b.draw(st.sampled_from(order[need:])))
    if not want:
        _set(b, targets[0], a.field, order[need - 1])


# ---- points ---------------------------------------------------------------------------------


def _items_targets(t: _Target, path: str, b: _Build) -> tuple[list[Any], list[_Target]]:
    """The raw list at ``path`` (created if absent) and a target per item."""
    segs = path.split(".")
    if segs[0] in _parent_names(t) and t.parent is not None:
        return _items_targets(t.parent, ".".join(segs[1:]), b)
    if _leaf(t.model, segs)[1]:
        return [], []  # a computed list (a team's roles): set through _set, never in place
    holder = _holder(b, t, segs[:-1])
    lst = holder.get(segs[-1])
    if lst is None:
        lst = holder[segs[-1]] = []
    tp, _ = _leaf(t.model, segs)
    item = _unwrap(typing.get_args(tp)[0]) if typing.get_origin(tp) is list else Any
    targets = []
    for i, x in enumerate(lst):
        if isinstance(x, dict) and is_model(item):
            targets.append(_Target(x, item, f"{t.key}.{path}[{i}]", t))
        else:
            targets.append(_Target({}, Teacher, f"{t.key}.{path}[{i}]", t, slot=(lst, i)))
    return lst, targets


def _is_record_list(t: _Target, path: str) -> bool:
    tp, _ = _leaf(t.model, path.split("."))
    return typing.get_origin(tp) is list and _unwrap(typing.get_args(tp)[0]) is PointRecord


def _pick_points(b: _Build, a: Any, ctx: Context, *, keep: list[str], short: str | None) -> list[str]:
    """Codes meeting the coverage counts; ``short`` names the one count to miss by one
    (``"exact"``: meet the counts with no point to spare)."""
    order = b.draw(st.permutations(sorted(CATALOG.points)))
    pts = [*keep]
    dims_req = [CATALOG.dimension_key(d) or d for d in ctx.constant(a.dimensions) or ()]
    envs_req = list(ctx.constant(a.environments) or ())
    min_p = ctx.constant(a.min_points) or 0
    max_p = ctx.constant(a.max_points)
    min_d = ctx.constant(a.min_dimensions) or 0
    min_e = ctx.constant(a.min_environments) or 0

    if max_p is not None:
        pts = pts[:max_p]  # points beyond the maximum go first; the counts are met again below

    def dims(codes: list[str]) -> set[str]:
        return {CATALOG.points[c].dimension for c in codes}

    def envs(codes: list[str]) -> set[str]:
        return {CATALOG.points[c].environment for c in codes}

    banned_dim: str | None = None
    if short == "named_dimension":
        banned_dim = dims_req.pop()
        pts = [c for c in pts if CATALOG.points[c].dimension != banned_dim]
    allowed_envs = sorted(CATALOG.environments)
    if short == "environments":
        allowed_envs = (envs_req or allowed_envs)[: min_e - 1]
        min_e -= 1
        pts = [c for c in pts if CATALOG.points[c].environment in allowed_envs]
    if short == "dimensions":
        min_d -= 1
        # the dimension left out: one not required by name
        banned_dim = next(d for d in CATALOG.dimensions if d not in dims_req)
        pts = [c for c in pts if CATALOG.points[c].dimension != banned_dim]
    allowed = [c for c in order if CATALOG.points[c].dimension != banned_dim and CATALOG.points[c].environment in allowed_envs]
    for need in dims_req:
        if need not in dims(pts):
            pts.append(next(c for c in allowed if CATALOG.points[c].dimension == need and c not in pts))
    for need in envs_req:
        if need not in envs(pts):
            pts.append(next(c for c in allowed if CATALOG.points[c].environment == need and c not in pts))
    for c in allowed:
        if len(dims(pts)) >= min_d:
            break
        if CATALOG.points[c].dimension not in dims(pts):
            pts.append(c)
    for c in allowed:
        if len(envs(pts)) >= min_e:
            break
        if CATALOG.points[c].environment not in envs(pts):
            pts.append(c)
    extra = b.draw(st.integers(0, 2)) if short is None and max_p is None else 0
    short = None if short == "exact" else short
    # extra points must not add a dimension when the near miss is "one dimension short"
    for c in allowed:
        if len(pts) >= min_p + extra:
            break
        if c not in pts and (short != "dimensions" or CATALOG.points[c].dimension in dims(pts)):
            pts.append(c)
    if short == "points":
        pts = pts[: min_p - 1]
    if short == "dimensions" and len(dims(pts)) > min_d:
        raise b.fail("cannot miss one dimension while meeting the other counts")
    if max_p is not None and len(pts) > max_p:
        raise b.fail(f"coverage needs more points than max_points {max_p}")
    return pts


@_fix("coverage")
def _fix_coverage(a: Any, s: Subject, ctx: Context, t: _Target, want: bool, b: _Build) -> None:
    if a.items.startswith("teachers"):
        raise b.fail("coverage over a school's teachers is not derived generically")
    lst, _ = _items_targets(t, a.items, b)
    records_list = _is_record_list(t, a.items)
    codes = [x["code"] if isinstance(x, dict) else x for x in lst]
    short: str | None = None
    if not want:
        choices = []
        if ctx.constant(a.min_points):
            choices.append("points")
        if ctx.constant(a.min_dimensions) and ctx.constant(a.min_dimensions) > 1:
            choices.append("dimensions")
        if a.count_only is not None and records_list:
            choices.append("not_counted")
        if ctx.constant(a.max_points) is not None:
            choices.append("too_many")
        if ctx.constant(a.dimensions):
            choices.append("named_dimension")
        if (ctx.constant(a.min_environments) or 0) > 1:
            choices.append("environments")
        if not choices:
            raise b.fail("coverage without a minimum or maximum cannot be missed")
        short = b.draw(st.sampled_from(choices))
        codes = codes if short == "too_many" else []
    if short == "too_many":
        # one point more than allowed, kept within the points already there where it can be
        max_p = ctx.constant(a.max_points)
        new_codes = [*codes[: max_p + 1]]
        new_codes += [c for c in sorted(CATALOG.points) if c not in new_codes][: max_p + 1 - len(new_codes)]
    else:
        new_codes = _pick_points(b, a, ctx, keep=codes, short="exact" if short == "not_counted" else short)
    old = {(x["code"] if isinstance(x, dict) else x): x for x in lst}
    rebuilt = [old.get(c, {"code": c} if records_list else c) for c in new_codes]
    _set(b, t, a.items, rebuilt)
    if a.count_only is not None and records_list:
        _fix_items(a.items, a.count_only, s, ctx, t, b, want=lambda i, n: not (short == "not_counted" and i == 0))


def _fix_items(path: str, spec: Any, s: Subject, ctx: Context, t: _Target, b: _Build, want: Callable[[int, int], bool]) -> None:
    """Fix ``spec`` on each item of the list at ``path``: item ``i`` of ``n`` gets ``want(i, n)``."""
    _, item_ctx = ctx.items(path)
    _, targets = _items_targets(t, path, b)
    n = len(targets)
    for i, it in enumerate(targets):
        sub = Subject(_validated_item(it, item_ctx), s.env, s)
        fix(spec, sub, item_ctx, it, want(i, n), b)


def _validated_item(it: _Target, item_ctx: Context) -> Any:
    if it.slot is not None:
        lst, i = it.slot
        return lst[i]
    return item_ctx.model.model_validate(it.data)


@_fix("membership")
def _fix_membership(a: Any, s: Subject, ctx: Context, t: _Target, want: bool, b: _Build) -> None:
    values = ctx.getter(a.items)(s)
    lst, _ = _items_targets(t, a.items, b)
    records_list = _is_record_list(t, a.items)
    if not want:
        if a.includes is not None:
            req = list(ctx.operand(a.includes).read(s) or [])
            if not req:
                raise b.fail("membership: nothing required to remove")
            # the last required value: the first is often the leader's role, kept by its own rule
            _set(b, t, a.items, [x for x in (values or []) if x != req[-1]])
            return
        allowed = ctx.operand(a.within).read(s) or []
        current = [x["code"] if isinstance(x, dict) else x for x in lst]
        outsider = _outsider(a.of, [*allowed, *current] if a.of in ("value", "code") else allowed)
        if outsider is not None:  # one item more, from outside the allowed set
            _set(b, t, a.items, [*lst, {"code": outsider} if records_list else outsider])
        elif isinstance(a.within, FieldRef) and current:
            # every point is allowed (a school with all three environments): narrow the field
            drop = _of(current[0], a.of)
            _set(b, t, a.within.field, [x for x in allowed if x != drop])
        else:
            raise b.fail("every point is allowed: nothing lies outside")
        return
    if a.within is not None:
        allowed = ctx.operand(a.within).read(s)
        current = [x["code"] if isinstance(x, dict) else x for x in lst]
        of_values = [_of(c, a.of) for c in current]
        if isinstance(a.within, FieldRef):
            # the allowed set is another field: widen it (the school's scope takes the
            # teacher's points, the school's environments take the points' letters)
            union = list(allowed or [])
            union += [v for v in dict.fromkeys(of_values) if v not in union]
            try:
                _set(b, t, a.within.field, union)
                return
            except _Pinned:
                if allowed is None:
                    raise
        if allowed is not None:
            ok = [c for c in current if _of(c, a.of) in allowed]
            pool = [c for c in sorted(CATALOG.points) if _of(c, a.of) in allowed and c not in ok]
            while len(ok) < len(current) and pool:
                ok.append(pool.pop(0))
            old = {(x["code"] if isinstance(x, dict) else x): x for x in lst}
            _set(b, t, a.items, [old.get(c, {"code": c} if records_list else c) for c in ok])
    if a.includes is not None:
        req = list(ctx.operand(a.includes).read(s) or [])
        have = list(values or [])
        _set(b, t, a.items, have + [r for r in req if r not in have])


def _of(code: Any, of: str) -> Any:
    if of in ("value", "code") or code not in CATALOG.points:
        return code
    return getattr(CATALOG.points[code], of)


def _outsider(of: str, excluded: list[Any]) -> Any:
    """A catalog point whose value (code, dimension, environment) is not excluded, or None."""
    return next((c for c in sorted(CATALOG.points) if _of(c, of) not in excluded and c not in excluded), None)


@_fix("bands")
def _fix_bands(a: Any, s: Subject, ctx: Context, t: _Target, want: bool, b: _Build) -> None:
    choices = [x for x in a.bands if x.passing == want]
    if not choices:
        raise b.fail(f"no band with passing={want}")
    band = b.draw(st.sampled_from(choices))
    _set(b, t, a.value, _inside(band.min, band.max, band.min_exclusive, band.max_exclusive, 0.5))


# ---- groups -----------------------------------------------------------------------------------


def _group(b: _Build, s: Subject, ctx: Context, t: _Target, over: str) -> tuple[list[tuple[Subject, Context, _Target]], Callable[..., None]]:
    """Items of a group as (subject, context, target); ``add(n)`` makes sure there are ``n``
    more items than the last evaluation saw (calling it twice does not add twice)."""
    get, item_ctx = ctx.items(over)
    subjects = get(s) or []
    if over == "teachers":
        raws = t.data.setdefault("teachers", [])
        targets = [_Target(d, Teacher, f"teacher:{d['id']}", t) for d in raws]

        def add(n: int = 1) -> None:
            b.touch(t, "teachers")
            while len(raws) < len(subjects) + n:  # the subjects are from the last evaluation
                # a copy of the first teacher, who has been fixed already: a roster of 212
                # (Yongzhou's) settles in the rounds of one teacher, not of 212 blank ones
                teacher = copy.deepcopy(raws[0]) if raws else {}
                teacher["id"] = f"T{len(raws) + 1}"
                raws.append(teacher)

        return list(zip(subjects, [item_ctx] * len(subjects), targets, strict=False)), add
    if over == "teachers.points":
        pairs = []
        for td in t.data.get("teachers") or []:
            tt = _Target(td, Teacher, f"teacher:{td['id']}", t)
            for i, pd in enumerate(td.get("points") or []):
                pairs.append(_Target(pd, PointRecord, f"{tt.key}.points[{i}]", tt))
        return list(zip(subjects, [item_ctx] * len(subjects), pairs, strict=False)), lambda n=1: None
    lst, targets = _items_targets(t, over, b)
    tp, _ = _leaf(t.model, over.split("."))
    item_tp = _unwrap(typing.get_args(tp)[0]) if typing.get_origin(tp) is list else Any

    def add_item(n: int = 1) -> None:
        b.touch(t, over)
        while len(lst) < len(subjects) + n:
            if item_tp is PointRecord:
                used = {x.get("code") for x in lst if isinstance(x, dict)}
                lst.append({"code": next(c for c in sorted(CATALOG.points) if c not in used)})
            elif is_model(item_tp) and "id" in item_tp.model_fields:  # a school of a region
                lst.append({**_default(item_tp, b), "id": f"S{len(lst) + 1}"})
            else:
                lst.append(b.ref_date if item_tp is dt.date else _default(item_tp, b))

    return list(zip(subjects, [item_ctx] * len(subjects), targets, strict=False)), add_item


@_fix("rate")
def _fix_rate(a: Any, s: Subject, ctx: Context, t: _Target, want: bool, b: _Build) -> None:
    lo, hi = _resolve(ctx, s, a.min), _resolve(ctx, s, a.max)
    items, add = _group(b, s, ctx, t, a.over)
    if not items:
        add()
        return
    n = len(items)
    if want:
        k_lo = 0 if lo is None else math.ceil(lo * n - 1e-9) + (1 if a.min_exclusive and lo * n == math.ceil(lo * n) else 0)
        k_hi = n if hi is None else math.floor(hi * n + 1e-9) - (1 if a.max_exclusive and hi * n == math.floor(hi * n) else 0)
        if k_lo > k_hi:
            raise b.fail(f"no share of {n} items lies within the bounds")
        k = k_hi if lo is not None and hi is None else k_lo
    else:
        if lo is not None and lo > 0:
            k = math.ceil(lo * n - 1e-9) - 1 + (1 if a.min_exclusive and lo * n == math.ceil(lo * n) else 0)
        elif hi is not None and hi < 1:
            k = math.floor(hi * n + 1e-9) + 1
        else:
            raise b.fail("a rate with bounds 0 and 1 cannot be missed")
        k = max(0, min(n, k))
    for i, (sub, ictx, it) in enumerate(items):
        if a.among is not None:  # every item in the denominator: the share is k of n
            fix(a.among, sub, ictx, it, True, b)
        fix(a.where, sub, ictx, it, i < k, b)


@_fix("quota")
def _fix_quota(a: Any, s: Subject, ctx: Context, t: _Target, want: bool, b: _Build) -> None:
    """The region's own figures: 100 teachers (unless given) and a count dated ``by`` just
    inside the bounds, or one teacher short of them."""
    lo, hi, by = _resolve(ctx, s, a.min), _resolve(ctx, s, a.max), _resolve(ctx, s, a.by)
    if by is None or (lo is None and hi is None):
        raise b.fail("the quota's date or bounds have no value yet")
    total = (t.data.get("staff") or {}).get("total")
    if not total:
        _set(b, t, "staff.total", 100)
        total = 100
    k_lo = 0 if lo is None else math.ceil(lo * total - 1e-9) + (1 if a.min_exclusive and lo * total == math.ceil(lo * total) else 0)
    k_hi = total if hi is None else math.floor(hi * total + 1e-9) - (1 if a.max_exclusive and hi * total == math.floor(hi * total) else 0)
    if want:
        if k_lo > k_hi:
            raise b.fail(f"no count of {total} teachers lies within the bounds")
        k = k_lo
    elif lo is not None and k_lo > 0:
        k = k_lo - 1
    elif hi is not None and k_hi < total:
        k = k_hi + 1
    else:
        raise b.fail("a quota with bounds 0 and 1 cannot be missed")
    # one count per date: other quotas' dates keep theirs (the counts are cumulative by date)
    kept = [e for e in t.data.get("progress") or [] if isinstance(e, dict) and e.get("date") != by]
    _set(b, t, "progress", sorted([*kept, {"date": by, "trained": k}], key=lambda e: str(e.get("date"))))


@_fix("count")
def _fix_count(a: Any, s: Subject, ctx: Context, t: _Target, want: bool, b: _Build) -> None:
    lo, hi = _resolve(ctx, s, a.min), _resolve(ctx, s, a.max)
    if lo is None and hi is None:
        raise b.fail("the bounds have no value yet")
    items, add = _group(b, s, ctx, t, a.over)
    target = int(_number_target(lo, hi, a.min_exclusive, a.max_exclusive, 1, 0, want, None if want else 0))
    if want and lo is not None and len(items) < target:
        add(target - len(items))
        return  # the next round sees the new items and fixes their condition
    for i, (sub, ictx, it) in enumerate(items):
        if a.where is not None:
            fix(a.where, sub, ictx, it, i < target, b)
    if a.where is None and len(items) > target:
        lst, _ = _items_targets(t, a.over, b)
        del lst[target:]


@_fix("gate")
def _fix_gate(a: Any, s: Subject, ctx: Context, t: _Target, want: bool, b: _Build) -> None:
    fix(a.action, s, ctx, t, True, b)
    items, add = _group(b, s, ctx, t, a.over)
    if not items and not want:
        add()
        return
    for i, (sub, ictx, it) in enumerate(items):
        fix(a.each, sub, ictx, it, want or i > 0, b)


# ---- composition ------------------------------------------------------------------------------


@_fix("all")
def _fix_all(a: Any, s: Subject, ctx: Context, t: _Target, want: bool, b: _Build) -> None:
    if want:
        for c in a.checks:
            fix(c, s, ctx, t, True, b)
        return
    _break_one(a.checks, s, ctx, t, b)


@_fix("any")
def _fix_any(a: Any, s: Subject, ctx: Context, t: _Target, want: bool, b: _Build) -> None:
    if not want:
        for c in a.checks:
            fix(c, s, ctx, t, False, b)
        return
    _try_each(a.checks, s, ctx, t, b, True)


def _break_one(checks: list[Any], s: Subject, ctx: Context, t: _Target, b: _Build) -> None:
    _try_each(checks, s, ctx, t, b, False)


def _try_each(checks: list[Any], s: Subject, ctx: Context, t: _Target, b: _Build, want: bool) -> None:
    start = b.draw(st.integers(0, len(checks) - 1)) if checks else 0
    errors = []
    for c in checks[start:] + checks[:start]:
        try:
            fix(c, s, ctx, t, want, b)
            return
        except NotDerivable as exc:
            errors.append(exc.reason)
    raise b.fail("; ".join(errors) or "no sub-check")


@_fix("not")
def _fix_not(a: Any, s: Subject, ctx: Context, t: _Target, want: bool, b: _Build) -> None:
    fix(a.check, s, ctx, t, not want, b)


@_fix("prerequisite")
def _fix_prerequisite(a: Any, s: Subject, ctx: Context, t: _Target, want: bool, b: _Build) -> None:
    # the action happens (so the requirement is exercised), and the requirement holds or not
    fix(a.action, s, ctx, t, True, b)
    fix(a.requires, s, ctx, t, want, b)


@_fix("consistency")
def _fix_consistency(a: Any, s: Subject, ctx: Context, t: _Target, want: bool, b: _Build) -> None:
    """Parts follow their whole when the whole is known (a threshold may have set it);
    otherwise the whole follows its parts. A near miss puts one too many in the first part."""
    whole = ctx.getter(a.whole)(s)
    totals = [_part_total(ctx.getter(p)(s), a.item_field) for p in a.parts]
    if whole is None:
        for p, tot in zip(a.parts, totals, strict=True):
            if tot is None:
                _set_part(b, ctx, t, p, a.item_field, None, 10)
        total = sum(tot if tot is not None else 10 for tot in totals)
        _set(b, t, a.whole, total if want else total + a.tolerance + 1)
        return
    known = sum(tot for tot in totals if tot is not None)
    missing_parts = [p for p, tot in zip(a.parts, totals, strict=True) if tot is None]
    diff = whole - known + (0 if want else a.tolerance + 1)
    first = missing_parts[0] if missing_parts else a.parts[0]
    for p in missing_parts[1:]:
        _set_part(b, ctx, t, p, a.item_field, None, 0)
    current = None if missing_parts else ctx.getter(first)(s)
    _set_part(b, ctx, t, first, a.item_field, current, diff)


def _part_total(v: Any, item_field: str | None) -> float | None:
    if v is None:
        return None
    if isinstance(v, dict):
        return sum(v.values())
    if isinstance(v, list):
        vals = [getattr(i, item_field) if item_field else i for i in v]
        return None if any(x is None for x in vals) else sum(vals)
    return v


def _set_part(b: _Build, ctx: Context, t: _Target, path: str, item_field: str | None, current: Any, add: float) -> None:
    """Add ``add`` to one part (a number, a mapping's first entry, a list's first item)."""
    tp = _value_type(ctx, t, path)
    if typing.get_origin(tp) is dict or isinstance(current, dict):
        raw = dict(_get_raw(t, path) or {"合计": 0})
        key = next(iter(raw))
        raw[key] = raw[key] + add
        new: Any = raw
        low = raw[key]
    elif typing.get_origin(tp) is list:
        raw_list = [dict(x) for x in (_get_raw(t, path) or [])]
        if not raw_list:
            item = _unwrap(typing.get_args(tp)[0])
            raw_list = [{**_minimal(item, b), **({item_field: 0} if item_field else {})}]
        if item_field is None:
            raise b.fail(f"consistency over {path} needs item_field")
        for x in raw_list:
            x[item_field] = x.get(item_field) or 0
        raw_list[0][item_field] = (raw_list[0].get(item_field) or 0) + add
        new, low = raw_list, raw_list[0][item_field]
    else:
        new = low = (current or 0) + add
    if low < 0:
        raise b.fail(f"{path} would have to be negative")
    _set(b, t, path, new)


# ------------------------------------------------------------------------------------------
# rounds: evaluate, fix what does not pass, repeat
# ------------------------------------------------------------------------------------------


def _reads_parent(spec: Any) -> bool:
    """Whether a check reads its subject's parent (a teacher rule about its school)."""
    text = repr(spec)
    return "'school." in text or "'parent." in text


def _fix_rule(rule: Rule, s: Subject, ctx: Context, t: _Target, want: bool, b: _Build) -> None:
    b.rule = rule.id
    if rule.when is not None:
        fix(rule.when, s, ctx, t, True, b)
    fix(rule.check, s, ctx, t, want, b)


def _ok(out: Outcome, rule: Rule, alone: bool) -> bool:
    if out.status in (PASS, NA):
        return True
    return alone and out.status is MISSING and _reads_parent(rule.check)


class _Generator:
    """Builds one record of a level for one ruleset, round by round."""

    def __init__(self, ruleset: Ruleset, draw: Callable[[Any], Any]) -> None:
        self.rs = ruleset
        self.as_of = evaluation_date(ruleset)
        self.b = _Build(ruleset, draw, self.as_of, _reference_date(ruleset))
        self.ev = Evaluator(ruleset, as_of=self.as_of)
        self.ctx = {lv: _root(ruleset, lv) for lv in LEVELS}

    def _round(self, level: str, data: dict[str, Any], skip: str | None) -> list[tuple[Rule, str]]:
        """One round over the record; returns the error rules still not passing."""
        stuck: list[tuple[Rule, str]] = []
        if level == "school":
            s, _ = self.ev.school(data)
            root = _Target(data, School, "school")
            pairs = [
                (sub, _Target(td, Teacher, f"teacher:{td['id']}", root))
                for sub, td in zip(s.children or [], data.get("teachers") or [], strict=False)
            ]
            for sub, tt in pairs:
                stuck += self._fix_subject("teacher", sub, tt, skip, alone=False)
            stuck += self._fix_subject("school", s, root, skip, alone=False)
        elif level == "teacher":
            s, _ = self.ev.teacher(data)
            stuck += self._fix_subject("teacher", s, _Target(data, Teacher, "teacher"), skip, alone=True)
        elif level == "region":
            s, _, _ = regions_of(self.ev, region_file(data))
            stuck += self._fix_subject("region", s, _Target(data, RegionView, "region"), skip, alone=False)
        else:
            s, _ = self.ev.project(data)
            stuck += self._fix_subject("project", s, _Target(data, Project, "project"), skip, alone=False)
        return stuck

    def _fix_subject(self, level: str, s: Subject, t: _Target, skip: str | None, alone: bool) -> list[tuple[Rule, str]]:
        stuck = []
        ctx = self.ctx[level]
        for cr in self.ev.plan.rules[level]:
            rule = cr.rule
            if rule.id == skip:
                continue
            out = cr.run(s)
            if _ok(out, rule, alone):
                continue
            try:
                _fix_rule(rule, s, ctx, t, True, self.b)
            except (NotDerivable, _Pinned) as exc:
                if rule.severity == "error":
                    stuck.append((rule, str(exc)))
        return stuck

    def settle(self, level: str, data: dict[str, Any], skip: str | None = None, strict: bool = True) -> dict[str, Any]:
        """Fix rounds until every rule (but ``skip``) passes; NotDerivable if the errors do
        not (``strict``), or the record as far as it got (a near miss: rules reading the
        pinned fields may fail with the broken one)."""
        last: list[str] = []
        for _ in range(MAX_ROUNDS):
            self._round(level, data, skip)
            bad = self._still_bad(level, data, skip)
            if not bad:
                return data
            if bad == last:  # a fixpoint: another round will not change anything
                break
            last = bad
        # warnings are tried as hard as errors, but only errors must be met
        last = [x for x in last if not x.startswith("warning ")]
        if not strict or not last:
            return data
        raise NotDerivable(last[0].split("@")[0], f"no compliant record found after {MAX_ROUNDS} rounds: {'; '.join(last)}")

    def _still_bad(self, level: str, data: dict[str, Any], skip: str | None) -> list[str]:
        findings = _evaluate(self.ev, level, data)
        alone = level == "teacher"
        return [
            ("" if f.compiled.is_error else "warning ")
            + f"{f.rule_id}@{f.subject.id}: {f.status.value} (expected {f.outcome.expected}, actual {f.outcome.actual})"
            for f in findings
            if f.rule_id != skip and not _ok(f.outcome, f.compiled.rule, alone)
        ]


def _evaluate(ev: Evaluator, level: str, data: dict[str, Any]) -> list[Any]:
    ev.forget_values()
    if level == "school":
        return ev.school(data)[1]
    if level == "teacher":
        return ev.teacher(data)[1]
    if level == "region":
        return regions_of(ev, region_file(data))[1]
    return ev.project(data)[1]


def region_file(view: dict[str, Any]) -> dict[str, Any]:
    """A region drawn in the shape its rules read (every school as figures, under ``schools``)
    as a record file holds it: the figures under ``school_figures``.

    >>> region_file({"id": "R1", "schools": [{"id": "S1"}]})
    {'id': 'R1', 'school_figures': [{'id': 'S1'}]}
    """
    found = {k: v for k, v in view.items() if k != "schools"}
    if view.get("schools"):
        found["school_figures"] = view["schools"]
    return found


def _start(level: str, n_teachers: int) -> dict[str, Any]:
    if level == "school":
        return {"id": "S1", "teachers": [{"id": f"T{i + 1}"} for i in range(n_teachers)]}
    return {"id": "T1" if level == "teacher" else "P1"}


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")


def records(ruleset: Ruleset, level: str = "teacher", *, teachers: tuple[int, int] = (1, 4)) -> st.SearchStrategy[dict[str, Any]]:
    """Records of ``level`` meeting every error-severity rule of ``ruleset``.

    ``level`` is ``teacher``, ``school``, ``project`` or ``region`` (a region is drawn with its
    own ``staff`` and ``progress`` and every school as figures, under ``school_figures``).

    A school has between ``teachers[0]`` and ``teachers[1]`` teachers, each meeting the
    teacher rules. Evaluate at :func:`evaluation_date` (after every date the ruleset names).
    A teacher drawn alone meets every rule except those about its school, which are
    ``missing_data`` (there is no school to read).

    >>> from hypothesis import given
    >>> from ict2rules import load_ruleset
    >>> rs = load_ruleset("zeku_2023")
    >>> @given(records(rs))
    ... def t(teacher):
    ...     assert teacher["hours"]["online"] >= 50
    >>> t()
    """
    _check_level(level)

    @st.composite
    def strategy(draw: Callable[[Any], Any]) -> dict[str, Any]:
        n = draw(st.integers(*teachers)) if level == "school" else 0
        gen = _Generator(ruleset, draw)
        found = gen.settle(level, _start(level, n))
        return region_file(found) if level == "region" else found

    return strategy()


def near_miss_level(ruleset: Ruleset, rule_id: str) -> str:
    """The level of the records :func:`near_miss` draws for a rule: the rule's own level,
    except a teacher rule that reads its school (points within the school's scope), whose
    near miss is a school with the teacher inside.

    >>> from ict2rules import load_ruleset
    >>> near_miss_level(load_ruleset("zeku_2023"), "ZK-T-POINTS-IN-SCOPE")
    'school'
    """
    rule = ruleset.rule(rule_id)
    reads = _reads_parent(rule.check) or (rule.when is not None and _reads_parent(rule.when))
    return "school" if rule.level == "teacher" and reads else rule.level


def near_miss(ruleset: Ruleset, rule_id: str, *, teachers: tuple[int, int] = (1, 3)) -> st.SearchStrategy[dict[str, Any]]:
    """Records that fail ``rule_id`` just past its boundary (level: :func:`near_miss_level`).

    The record starts compliant; the rule is then broken by the smallest step its arguments
    allow (``min − 0.5`` hours, ``min − 1`` for counts, one dimension or point fewer, one day
    late, one required document filed late) and what the break changed is pinned while the
    other rules are fixed again. Rules that read the same fields may fail with it (74.5 hours
    in all with ≥ 50 online and ≥ 25 offline cannot be): that is the document, not the
    generator. In a school, the rule is broken for the first teacher. Raises
    :class:`NotDerivable` when the rule's kind cannot be broken generically.

    >>> from hypothesis import given
    >>> from ict2rules import load_ruleset
    >>> rs = load_ruleset("zeku_2023")
    >>> @given(near_miss(rs, "ZK-T-HOURS-ONLINE"))
    ... def t(teacher):
    ...     assert teacher["hours"]["online"] == 49.5
    >>> t()
    """
    return boundary_pair(ruleset, rule_id, teachers=teachers).map(lambda pair: pair[1])


def boundary_pair(ruleset: Ruleset, rule_id: str, *, teachers: tuple[int, int] = (1, 3)) -> st.SearchStrategy[tuple[dict[str, Any], dict[str, Any]]]:
    """Pairs ``(meets, misses)``: a compliant record and its near miss of ``rule_id``.

    They differ only where the break moved them, so the boundary lies between the two: for
    a ``threshold`` with ``min: 75`` 学时 the pair holds 75 + slack and 74.5.
    """
    rule = ruleset.rule(rule_id)
    level = near_miss_level(ruleset, rule_id)

    @st.composite
    def strategy(draw: Callable[[Any], Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        gen = _Generator(ruleset, draw)
        n = draw(st.integers(*teachers)) if level == "school" else 0
        good = gen.settle(level, _start(level, n))
        bad = copy.deepcopy(good)
        _break(gen, level, bad, rule)
        bad = gen.settle(level, bad, skip=rule.id, strict=False)
        _assert_fails(gen, level, bad, rule)
        if level == "region":
            return region_file(good), region_file(bad)
        return good, bad

    return strategy()


def _break(gen: _Generator, level: str, data: dict[str, Any], rule: Rule) -> None:
    b = gen.b
    b.rule = rule.id
    if level == "school":
        s, _ = gen.ev.school(data)
        t = _Target(data, School, "school")
        if rule.level == "teacher":
            if not s.children:
                raise NotDerivable(rule.id, "a school without teachers")
            s, t = s.children[0], _Target(data["teachers"][0], Teacher, f"teacher:{data['teachers'][0]['id']}", t)
    elif level == "teacher":
        s, _ = gen.ev.teacher(data)
        t = _Target(data, Teacher, "teacher")
    elif level == "region":
        s, _, _ = regions_of(gen.ev, region_file(data))
        t = _Target(data, RegionView, "region")
    else:
        s, _ = gen.ev.project(data)
        t = _Target(data, Project, "project")
    b.pinning = True
    try:
        if rule.when is not None:  # the rule must apply: its condition holds, then it fails
            fix(rule.when, s, gen.ctx[rule.level], t, True, b)
            s = _fresh(gen, level, data, rule)
        fix(rule.check, s, gen.ctx[rule.level], t, False, b)
    except _Pinned as exc:  # pragma: no cover - nothing is pinned before the break
        raise NotDerivable(rule.id, f"cannot move {exc}") from None
    finally:
        b.pinning = False


def _fresh(gen: _Generator, level: str, data: dict[str, Any], rule: Rule) -> Subject:
    """The rule's subject evaluated again (after its condition was fixed)."""
    if level == "school":
        s, _ = gen.ev.school(data)
        return s.children[0] if rule.level == "teacher" and s.children else s
    if level == "region":
        return regions_of(gen.ev, region_file(data))[0]
    return gen.ev.teacher(data)[0] if level == "teacher" else gen.ev.project(data)[0]


def _assert_fails(gen: _Generator, level: str, data: dict[str, Any], rule: Rule) -> None:
    got = {f.status for f in _evaluate(gen.ev, level, data) if f.rule_id == rule.id}
    if FAIL not in got:
        raise NotDerivable(rule.id, f"the near miss did not fail the rule (statuses: {sorted(map(str, got))})")
