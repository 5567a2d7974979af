"""Kinds about micro-ability points: coverage counts and membership."""

from __future__ import annotations

import functools
from collections.abc import Callable
from itertools import compress
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Literal

from ..input.catalog import CATALOG
from ..input.records import PointRecord
from ..labels import Phrase, field, listing
from .base import (
    DATA_ERRORS,
    FAIL,
    MISSING,
    PASS,
    Args,
    Check,
    FieldRef,
    Outcome,
    ParamRef,
    Status,
    Subject,
    judged,
    missing,
    register,
)
from .comparisons import item_test

if TYPE_CHECKING:
    from ..rules.compiler import Context



def point_attr(item: Any, of: str) -> Any:
    """The code, dimension or environment of a point given as a code or a point record."""
    code = item if isinstance(item, str) else getattr(item, "code", None)
    if of == "value":
        return code if code is not None else item
    if code not in CATALOG.points:
        return None
    return code if of == "code" else getattr(CATALOG.points[code], of)


class CoverageArgs(Args):
    items: str
    count_only: CheckSpec | None = None  # type: ignore[name-defined]  # noqa: F821
    min_points: int | ParamRef | None = None
    max_points: int | ParamRef | None = None
    min_dimensions: int | ParamRef | None = None
    min_environments: int | ParamRef | None = None
    dimensions: list[str] | ParamRef | None = None
    environments: list[str] | ParamRef | None = None


@register(
    "coverage",
    CoverageArgs,
    summary="Count distinct points and the dimensions and environments they cover.",
)
def coverage(args: CoverageArgs, ctx: Context) -> Check:
    """What it does: takes a list of points (codes or point records), keeps only those that
    pass ``count_only`` (e.g. valid evidence), and counts the distinct points, dimensions
    (学情分析, 教学设计, 学法指导, 学业评价) and environments (A, B, C) they cover. Each of
    ``min_points``, ``max_points``, ``min_dimensions``, ``min_environments`` is checked, and
    ``dimensions`` / ``environments`` name ones that must all be covered.

    Why: "不少于3个微能力点(涵盖3个维度)" is one clause about a set, not three numbers.

    Example::

        kind: coverage
        args: {items: points, min_points: 3, min_dimensions: 3,
               count_only: {kind: compare, args: {value: evidence.valid, op: "==", to: true}}}

    passes for A1, A3, A5 with valid evidence; fails for A2, A3, A5 (two dimensions).
    """
    get, item_ctx = ctx.items(args.items)
    counted_of, cond, _ = ctx.kept(args.items, args.count_only) if args.count_only else (get, None, None)
    need = {
        "points": (ctx.constant(args.min_points), ctx.constant(args.max_points)),
        "dimensions": (ctx.constant(args.min_dimensions), None),
        "environments": (ctx.constant(args.min_environments), None),
    }
    dims = [CATALOG.dimension_key(d) or d for d in ctx.constant(args.dimensions) or ()]
    envs = list(ctx.constant(args.environments) or ())
    parts, parts_en = [], []
    for what, zh, en in (
        ("points", "个能力点", "points"), ("dimensions", "个维度", "dimensions"),
        ("environments", "个环境", "environments"),
    ):
        lo, hi = need[what]
        if lo is not None:
            parts.append(f"≥{lo}{zh}")
            parts_en.append(f"≥ {lo} {en}")
        if hi is not None:
            parts.append(f"≤{hi}{zh}")
            parts_en.append(f"≤ {hi} {en}")
    names = {d: CATALOG.dimensions.get(d) for d in dims}
    parts += [f"含{names[d].zh if names[d] else d}" for d in dims]
    parts_en += [f"including {names[d].en if names[d] else d}" for d in dims]
    parts += [f"含环境{e}" for e in envs]
    parts_en += [f"including environment {e}" for e in envs]
    expected = Phrase(", ".join(parts), "、".join(parts), ", ".join(parts_en))
    items_name = field(args.items, ctx)

    catalog = CATALOG.points
    bounds = [(what, lo, hi) for what, (lo, hi) in need.items() if lo is not None or hi is not None]

    def covered(codes: Any) -> tuple[dict[str, set[str]], list[str]]:
        """The sets the counted codes cover, and what falls short."""
        known = [catalog[c] for c in codes if c in catalog]  # one catalog look-up per code
        got = {
            "points": set(codes),
            "dimensions": {p.dimension for p in known},
            "environments": {p.environment for p in known},
        }
        short = [
            what
            for what, lo, hi in bounds
            if (lo is not None and len(got[what]) < lo) or (hi is not None and len(got[what]) > hi)
        ]
        short += [f"dimension:{d}" for d in dims if d not in got["dimensions"]]
        short += [f"environment:{e}" for e in envs if e not in got["environments"]]
        return got, short

    def explain(st: Status, ev: Any) -> Outcome:
        if ev is None:
            return missing(expected, items_name)
        n_items, n_counted, codes = ev
        sets, short = covered(codes)
        got = {  # catalog codes sort by a precomputed key (a look-up, not a call per code)
            "points": sorted(
                codes, key=_CODE_KEYS.__getitem__ if codes <= _CODE_KEYS.keys() else _code_key
            ),
            "dimensions": sorted(sets["dimensions"]),
            "environments": sorted(sets["environments"]),
        }
        detail: dict[str, Any] | None = None
        if short or n_counted < n_items:
            detail = {"not_counted": n_items - n_counted, "short": short}
        if short:  # how the coverage reads to people, for the message (failures only: cheap)
            detail = {
                **(detail or {}),
                "actual_text_zh": _coverage_text(got, "zh"),
                "actual_text_en": _coverage_text(got, "en"),
            }
        return Outcome(st, expected, got, detail)

    # judge() answers "is it met" with sets of strings and precomputed look-ups; the sets and
    # texts that explain it are built by explain() from the codes, only when read
    point_dim = {c: p.dimension for c, p in catalog.items()}
    point_env = {c: p.environment for c, p in catalog.items()}
    lo_p, hi_p = need["points"]
    # a point record's code, or a code given as text (a school's scope)
    code_of = (
        attrgetter("record.code")
        if item_ctx.model is PointRecord
        else (lambda i: point_attr(i.record, "value"))
    )
    lo_d, lo_e = need["dimensions"][0], need["environments"][0]

    def falls_short(codes: frozenset[Any]) -> bool:
        """What :func:`covered` finds short, answered with sets of strings and look-ups."""
        if (lo_p is not None and len(codes) < lo_p) or (hi_p is not None and len(codes) > hi_p):
            return True
        if lo_d is not None or dims:
            got_d = set(map(point_dim.get, codes))
            got_d.discard(None)  # a code outside the catalog covers no dimension
            if (lo_d is not None and len(got_d) < lo_d) or not got_d.issuperset(dims):
                return True
        if lo_e is not None or envs:
            got_e = set(map(point_env.get, codes))
            got_e.discard(None)
            if (lo_e is not None and len(got_e) < lo_e) or not got_e.issuperset(envs):
                return True
        return False

    # The codes counted are read from the record's list itself, the condition tested in C
    # (no item subjects); where it raises on some item (no evidence at all) the items are
    # asked one by one, as ``ctx.kept`` asks them; a school's teachers are subjects already.
    raw = ctx.values(args.items)
    test = item_test(cond) if cond is not None else None
    direct = raw if raw is not None and (cond is None or test is not None) else None
    raw_code = attrgetter("code") if item_ctx.model is PointRecord else functools.partial(point_attr, of="value")

    def judge(s: Subject) -> tuple[Status, Any]:
        values = direct(s) if direct is not None else None
        if values is not None:
            try:
                counted = values if test is None else list(compress(values, test(values)))
                codes = frozenset(map(raw_code, counted))
            except DATA_ERRORS:
                values = None
            else:
                return (FAIL if falls_short(codes) else PASS), (len(values), len(counted), codes)
        counted = counted_of(s)
        if counted is None:  # (exactly when the items are absent)
            return MISSING, None
        codes = frozenset(map(code_of, counted))
        ev = (len(get(s)), len(counted), codes)  # type: ignore[arg-type]
        return (FAIL if falls_short(codes) else PASS), ev

    return judged(judge, explain)


def _listed(values: Any) -> str:
    """{A, B} — a set as people write it (not a Python list)."""
    return "{" + ", ".join(str(v) for v in values) + "}"


@functools.lru_cache(maxsize=1024)
def _membership_text(
    ok: tuple[Any, ...] | None, req: tuple[Any, ...] | None, within: Phrase | None, includes: bool
) -> Phrase:
    """'⊆ {A1, A2}' for JSON; '在学校所选能力点(A1、A2)之内' / 'within the school's chosen
    points (A1, A2)' for people; '包含 校长' / 'including principal'.

    >>> p = _membership_text(None, None, field("school.point_scope"), False); p, p.zh
    ('⊆ ?', '在学校所选能力点之内(学校所选能力点未填写)')
    """
    machine, zh, en = [], [], []
    if within is not None:
        machine.append(f"⊆ {_listed(ok) if ok is not None else '?'}")
        if ok is None:
            zh.append(f"在{within.zh}之内({within.zh}未填写)")
            en.append(f"within the {within.en} (not given)".replace("the the ", "the "))
        else:
            zh.append(f"在{within.zh}({listing(ok, 'zh')})之内")
            en.append(f"within the {within.en} ({listing(ok, 'en')})".replace("the the ", "the "))
    if includes:
        machine.append(f"⊇ {_listed(req) if req is not None else '?'}")
        zh.append(f"包含 {listing(req, 'zh')}" if req is not None else "包含所列各项(未给出)")
        en.append(f"including {listing(req, 'en')}" if req is not None else "including the listed items (not given)")
    return Phrase(" ".join(machine), ";".join(zh), "; ".join(en))


def _records_of(items: Callable[[Subject], list[Subject] | None]) -> Callable[[Subject], list[Any] | None]:
    """The records of item subjects (a school's teachers), as a list."""

    def records(s: Subject) -> list[Any] | None:
        found = items(s)
        return None if found is None else [i.record for i in found]

    return records


def _named(operand: Any) -> str:
    """The field an operand reads, to name it when it is missing."""
    return operand.field if isinstance(operand, FieldRef) else str(operand)


def _coverage_text(got: dict[str, list[str]], lang: str) -> str:
    """'A1, B2(2个能力点;2个维度:学情分析、教学设计;环境 A、B)' — a coverage as people say it."""
    sep = "、" if lang == "zh" else ", "
    points = sep.join(got["points"]) or ("无" if lang == "zh" else "none")
    in_order = [d for d in CATALOG.dimensions if d in got["dimensions"]]  # the catalog's order
    n_points, n_dims = len(got["points"]), len(got["dimensions"])
    if lang == "zh":
        dims = sep.join(getattr(CATALOG.dimensions[d], lang) for d in in_order) or "无"
        envs = sep.join(got["environments"]) or "无"
        return f"{points}({n_points}个能力点;{n_dims}个维度:{dims};环境 {envs})"
    dims = sep.join(getattr(CATALOG.dimensions[d], lang) for d in in_order) or "none"
    envs = sep.join(got["environments"]) or "none"
    plural = {1: ""}
    return (
        f"{points} ({n_points} point{plural.get(n_points, 's')}; "
        f"{n_dims} dimension{plural.get(n_dims, 's')}: {dims}; environments {envs})"
    )


def _code_key(code: Any) -> tuple[str, int]:
    s = str(code)
    return (s[:1], int(s[1:]) if s[1:].isdecimal() else 0)  # "²" is a digit int() refuses


_CODE_KEYS = {code: _code_key(code) for code in CATALOG.points}


class MembershipArgs(Args):
    items: str
    of: Literal["value", "code", "dimension", "environment"] = "value"
    within: list[str] | ParamRef | FieldRef | None = None
    includes: list[str] | ParamRef | FieldRef | None = None


@register(
    "membership",
    MembershipArgs,
    summary="Every item lies within an allowed set, and/or the items include required ones.",
)
def membership(args: MembershipArgs, ctx: Context) -> Check:
    """What it does: with ``within``, every item (or its ``code``/``dimension``/``environment``)
    must belong to the allowed set; with ``includes``, every required value must be among the
    items. Outsiders and absentees are listed in ``detail``.

    Why: "a teacher's points within the school's scope", "the school's points only in the
    environments it has", "the management team includes the principal".

    Example::

        kind: membership
        args: {items: points, of: code, within: {field: school.point_scope}}
    """
    item_ctx = ctx.items(args.items)[1]
    # the items' values read from the record's list itself: no item subject is needed
    get = ctx.values(args.items) or _records_of(ctx.items(args.items)[0])
    if item_ctx.model is PointRecord and args.of in ("code", "value"):
        value_of = attrgetter("code")  # a point record's code is a catalog code
    else:
        value_of = functools.partial(point_attr, of=args.of)
    allowed = ctx.operand(args.within) if args.within is not None else None
    items_name = field(args.items, ctx)
    within_name = field(_named(args.within), ctx) if args.within is not None else None
    required = ctx.operand(args.includes) if args.includes is not None else None
    of = args.of

    def as_of_kind(x: Any) -> Any:
        """An allowed or required value read the way the items are compared: a point code
        stands for its dimension or environment; a dimension may be named in Chinese."""
        if of == "dimension":
            return CATALOG.dimension_key(str(x)) or point_attr(x, "dimension") or x
        if of == "environment":
            return x if x in CATALOG.environments else point_attr(x, "environment") or x
        return x

    # Every teacher of a school is checked against the school's one scope list: its converted
    # set is kept with the list it came from (an immutable pair, replaced whole, so readers in
    # other threads see either the old pair or the new one, never half of each).
    converted: list[tuple[Any, frozenset[Any]]] = [(None, frozenset())]

    def allowed_set(raw: Any) -> frozenset[Any]:
        source, done = converted[0]
        if source is raw:
            return done
        done = frozenset(as_of_kind(x) for x in raw)
        converted[0] = (raw, done)
        return done

    def values_of(s: Subject) -> tuple[list[Any] | None, Any, Any]:
        """The items' values, the allowed set and the required list (None where absent)."""
        items = get(s)
        ok_set = allowed.read(s) if allowed else None
        req = required.read(s) if required else None
        values = None if items is None else list(map(value_of, items))
        if ok_set is not None:
            ok_set = allowed_set(ok_set)
        if req is not None:
            req = [as_of_kind(x) for x in req]
        return values, ok_set, req

    def judge(s: Subject) -> tuple[Status, Any]:
        ev = values, ok_set, req = values_of(s)
        if values is None or (allowed and ok_set is None) or (required and req is None):
            return MISSING, ev
        # every look-up the explanation makes (an item that cannot be looked up raises here)
        outside = ok_set is not None and not ok_set.issuperset(values)
        if outside:
            outside = [v for v in values if v not in ok_set]  # type: ignore[operator]
        absent = req is not None and [r for r in req if r not in values]
        return (FAIL if outside or absent else PASS), ev

    def explain(st: Status, ev: Any) -> Outcome:
        values, ok_set, req = ev
        expected = _membership_text(  # the same few texts for every teacher of a school
            tuple(sorted(ok_set, key=str)) if ok_set is not None else None,
            tuple(req) if req is not None else None,
            within_name if allowed else None,
            required is not None,
        )
        if st is MISSING:
            absent = [
                name
                for name, gone in (
                    (items_name, values is None),
                    (within_name, allowed is not None and ok_set is None),
                    (field(_named(args.includes), ctx), required is not None and req is None),
                )
                if gone
            ]
            return missing(expected, *absent)
        detail: dict[str, Any] = {}
        outside = [v for v in values if v not in ok_set] if ok_set is not None else []
        if outside:
            detail["outside"] = outside
        absent = [r for r in req if r not in values] if req is not None else []
        if absent:
            detail["absent"] = absent
        return Outcome(st, expected, values, detail or None)

    return judged(judge, explain)
