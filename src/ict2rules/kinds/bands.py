"""Classification of a score into bands with explicit inclusive/exclusive edges."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..labels import Phrase, field, fmt_number
from .base import Args, Check, Outcome, Status, Subject, judged, missing, register
from .numbers import bounds_text

if TYPE_CHECKING:
    from ..rules.compiler import Context


class Band(Args):
    """One band: its label, its edges (inclusive unless marked exclusive) and whether it passes."""

    label: str
    zh: str | None = None
    en: str | None = None
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    max_exclusive: bool = False
    passing: bool = True

    def text(self, lang: str | None = None) -> str:
        """'合格 [60, 89]' (in English, the band's en name or its label)."""
        name = (self.en or self.label) if lang == "en" else (self.zh or self.label)
        return f"{name} {bounds_text(self.min, self.max, self.min_exclusive, self.max_exclusive)}"


Edges = list[tuple[Any, Any, bool, bool, Band]]


def edges_of(bands: list[Band]) -> Edges:
    """Each band's edges with the band, read once when a ruleset is compiled."""
    return [(b.min, b.max, b.min_exclusive, b.max_exclusive, b) for b in bands]


def band_of(edges: Edges, v: float) -> Band | None:
    """The first band containing ``v``; None when ``v`` falls in a gap between bands.

    >>> band_of(edges_of([Band(label="pass", min=60), Band(label="fail", max=60)]), 59.5).label
    'fail'
    """
    for lo, hi, lx, hx, band in edges:  # within(), inlined: this runs once per score
        if lo is not None and (v <= lo if lx else v < lo):
            continue
        if hi is not None and (v >= hi if hx else v > hi):
            continue
        return band
    return None


class BandsArgs(Args):
    value: str
    bands: list[Band]


@register(
    "bands",
    BandsArgs,
    summary="Classify a score into bands (优秀/合格/不合格); fail in a failing band or a gap.",
)
def bands(args: BandsArgs, ctx: Context) -> Check:
    """What it does: finds the band that contains the value. The rule passes in a band marked
    ``passing`` and fails in a band with ``passing: false``. A value in no band (a gap the
    document leaves, such as 89.5 between "60—89分" and "90分以上") fails with
    ``detail.gap: true``, so the gap is seen rather than guessed.

    Why: "优秀(90分以上)、合格(60—89分)和不合格(60分以下)" is a classification with edges;
    以上 includes the number, 以下 here must exclude 60 or 60 would be in two bands: the ruleset
    says how it reads such edges in a note.

    Example::

        kind: bands
        args:
          value: score
          bands:
            - {label: excellent, zh: 优秀, min: 90}
            - {label: pass, zh: 合格, min: 60, max: 89}
            - {label: fail, zh: 不合格, max: 60, max_exclusive: true, passing: false}
    """
    get = ctx.getter(args.value)
    table = list(args.bands)
    passing = [b for b in table if b.passing]
    expected = Phrase(
        "; ".join(b.text() for b in passing),
        ";".join(b.text("zh") for b in passing),
        "; ".join(b.text("en") for b in passing),
    )
    path = field(args.value, ctx)

    edges = edges_of(table)

    def judge(s: Subject) -> tuple[Status, Any]:
        v = get(s)
        if v is None:
            return Status.MISSING_DATA, v
        band = band_of(edges, v)
        return (Status.PASS if band is not None and band.passing else Status.FAIL), v

    def explain(st: Status, v: Any) -> Outcome:
        if v is None:
            return missing(expected, path)
        band = band_of(edges, v)
        if band is None:
            return Outcome(Status.FAIL, expected, v, {"gap": True, "value": fmt_number(v)})
        detail: dict[str, Any] = {"band": band.label, "band_zh": band.zh or band.label}
        return Outcome(st, expected, v, detail)

    return judged(judge, explain)
