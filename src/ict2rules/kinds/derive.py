"""Derived values: computed once per subject before its rules run, shown in the report.

A derivation is registered like a kind but returns a value (``None`` when its inputs are
missing) instead of an outcome. Rules read derived values by their id, as if they were fields.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ..errors import CompileError
from .bands import Band, band_of, edges_of
from .base import Args, Number, Status, Subject

if TYPE_CHECKING:
    from ..rules.compiler import Context

Compute = Callable[[Subject], Any]


@dataclass(frozen=True)
class Derivation:
    name: str
    args: type[Args]
    compile: Callable[[Any, Context], Compute]
    summary: str
    doc: str


DERIVATIONS: dict[str, Derivation] = {}


def derivation(name: str, args: type[Args], *, summary: str) -> Callable[[Any], Any]:
    def deco(fn: Callable[[Any, Context], Compute]) -> Callable[[Any, Context], Compute]:
        DERIVATIONS[name] = Derivation(name, args, fn, summary, (fn.__doc__ or "").strip())
        return fn

    return deco


class SumArgs(Args):
    values: list[str]
    weights: list[Number] | None = None


@derivation(
    "sum", SumArgs, summary="Weighted sum of numbers (final score = peer review + school review)."
)
def sum_(args: SumArgs, ctx: Context) -> Compute:
    """What it does: ``Σ weight × value`` over ``values`` (weights default to 1); ``None`` when
    any value is missing.

    Example::

        compute: {kind: sum, args: {values: [peer_score, school_score], weights: [0.5, 0.5]}}
    """
    getters = [ctx.getter(v) for v in args.values]
    weights = [ctx.constant(w) for w in args.weights] if args.weights else [1.0] * len(getters)
    if len(weights) != len(getters):
        raise CompileError("weights_count", "weights")

    def compute(s: Subject) -> Any:
        vals = []
        for g in getters:
            v = g(s)
            if v is None:
                return None
            vals.append(v)
        return round(sum(map(operator.mul, weights, vals)), 6)

    return compute


class FirstArgs(Args):
    values: list[str]


@derivation("first", FirstArgs, summary="The first of several values that is present.")
def first(args: FirstArgs, ctx: Context) -> Compute:
    """What it does: the first value in ``values`` that is present (``None`` when none is).

    Why: a record may give the final score itself, or only the parts it is made of.

    Example::

        compute: {kind: first, args: {values: [score, parts_score]}}
    """
    getters = [ctx.getter(v) for v in args.values]

    def compute(s: Subject) -> Any:
        for g in getters:
            v = g(s)
            if v is not None:
                return v
        return None

    return compute


class BandArgs(Args):
    value: str
    bands: list[Band]


@derivation("band", BandArgs, summary="The label of the band a score falls in (None in a gap).")
def band(args: BandArgs, ctx: Context) -> Compute:
    """What it does: the ``label`` of the first band containing the value.

    Example::

        compute: {kind: band, args: {value: score, bands: *zeku_bands}}
    """
    get = ctx.getter(args.value)
    edges = edges_of(list(args.bands))

    def compute(s: Subject) -> Any:
        v = get(s)
        found = band_of(edges, v) if v is not None else None
        return found.label if found else None

    return compute


class LookupArgs(Args):
    value: str
    table: dict[str, float | str]
    default: float | str | None = None


@derivation("lookup", LookupArgs, summary="Map a value through a table (band → incentive points).")
def lookup(args: LookupArgs, ctx: Context) -> Compute:
    """What it does: ``table[value]``, or ``default`` when the value is not in the table.

    Example::

        compute: {kind: lookup, args: {value: band, table: {excellent: 1.5, pass: 0.5, fail: -2}}}
    """
    get = ctx.getter(args.value)

    def compute(s: Subject) -> Any:
        v = get(s)
        return None if v is None else args.table.get(str(v), args.default)

    return compute


class AggregateArgs(Args):
    over: str
    field: str = "."
    where: CheckSpec | None = None  # type: ignore[name-defined]  # noqa: F821
    fn: Literal["count", "sum", "mean", "min", "max", "share"]


@derivation("aggregate", AggregateArgs, summary="Count, sum, mean, min, max or share over a list.")
def aggregate(args: AggregateArgs, ctx: Context) -> Compute:
    """What it does: over the items of ``over`` that pass ``where``, computes ``fn`` of
    ``field``; ``share`` is the fraction of items that pass ``where``.

    Example::

        compute: {kind: aggregate, args: {over: teachers, fn: share,
                  where: {kind: compare, args: {value: passed, op: "==", to: true}}}}
    """
    get, item_ctx = ctx.items(args.over)
    cond = item_ctx.check(args.where) if args.where else None
    field = item_ctx.getter(args.field)

    def compute(s: Subject) -> Any:
        items = get(s)
        if items is None:
            return None
        kept = [i for i in items if cond is None or cond(i).status is Status.PASS]
        if args.fn == "count":
            return len(kept)
        if args.fn == "share":
            return round(len(kept) / len(items), 6) if items else None
        vals = [field(i) for i in kept]
        vals = [v for v in vals if v is not None]
        if not vals:
            return None
        if args.fn == "sum":
            return sum(vals)
        if args.fn == "mean":
            return round(sum(vals) / len(vals), 6)
        return min(vals) if args.fn == "min" else max(vals)

    return compute


class RatioArgs(Args):
    numerator: str
    denominator: str


@derivation("ratio", RatioArgs, summary="numerator / denominator (None when missing or 0).")
def ratio(args: RatioArgs, ctx: Context) -> Compute:
    """What it does: the fraction ``numerator / denominator``, e.g. completion rate =
    completed / enrolled.

    Example::

        compute: {kind: ratio, args: {numerator: completed, denominator: enrolled}}
    """
    num, den = ctx.getter(args.numerator), ctx.getter(args.denominator)

    def compute(s: Subject) -> Any:
        n, d = num(s), den(s)
        return None if n is None or not d else round(n / d, 6)

    return compute
