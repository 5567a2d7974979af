"""Laws of the engine on generated rulesets (not only the bundled ones).

Each test builds small rulesets as YAML-shaped dicts, validates them as
:class:`~ict2rules.rules.ruleset.RulesetFile`, merges them with ``loader._merge`` and evaluates
records against them: threshold edges, ratio bounds, band partitions, the all/any/not algebra
and missing data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from prop_support import examples

from ict2rules import evaluate
from ict2rules.input.catalog import CATALOG
from ict2rules.rules.loader import _merge
from ict2rules.rules.ruleset import Ruleset, RulesetFile

SOURCE = {"section": "一", "quote": "生成的规则 generated rule"}
AS_OF = dt.date(2030, 1, 1)


def ruleset(*checks: dict[str, Any], level: str = "teacher") -> Ruleset:
    """A one-file ruleset with one rule per check, ids R0, R1, …"""
    data = {
        "id": "generated",
        "title": {"zh": "生成", "en": "generated"},
        "document": {"title": "生成", "issuer": "测试", "level": "county"},
        "rules": [
            {
                "id": f"R{i}",
                "level": level,
                "title": {"zh": "规则", "en": "rule"},
                "message": {"zh": "{actual} / {expected}", "en": "{actual} / {expected}"},
                "check": check,
                "source": SOURCE,
            }
            for i, check in enumerate(checks)
        ],
    }
    return _merge([(RulesetFile.model_validate(data), "<generated>")])


def statuses(rs: Ruleset, record: dict[str, Any], level: str = "teacher") -> list[str]:
    report = evaluate(rs, {level: record}, as_of=AS_OF)
    return [f.status.value for f in sorted(report.findings, key=lambda f: f.rule_id)]


hours = st.integers(0, 400).map(lambda x: x / 2)  # half hours, as records hold them


def threshold(value: str, **bounds: Any) -> dict[str, Any]:
    return {"kind": "threshold", "args": {"value": value, **bounds}}


@examples(60)
@given(m=hours, v=hours, exclusive=st.booleans())
def test_threshold_min_passes_iff_value_reaches_it(m: float, v: float, exclusive: bool) -> None:
    rs = ruleset(threshold("hours.online", min=m, min_exclusive=exclusive))
    want = v > m if exclusive else v >= m
    assert statuses(rs, {"id": "T", "hours": {"online": v}}) == ["pass" if want else "fail"]


@examples(60)
@given(lo=hours, width=hours, v=hours, lx=st.booleans(), hx=st.booleans())
def test_threshold_between_passes_iff_inside(lo: float, width: float, v: float, lx: bool, hx: bool) -> None:
    hi = lo + width
    rs = ruleset(threshold("hours.offline", min=lo, max=hi, min_exclusive=lx, max_exclusive=hx))
    inside = (v > lo if lx else v >= lo) and (v < hi if hx else v <= hi)
    assert statuses(rs, {"id": "T", "hours": {"offline": v}}) == ["pass" if inside else "fail"]


@examples(30)
@given(m=hours, exclusive=st.booleans())
def test_missing_value_is_never_a_pass_or_a_fail(m: float, exclusive: bool) -> None:
    rs = ruleset(
        threshold("hours.online", min=m, min_exclusive=exclusive),
        {"kind": "ratio", "args": {"numerator": "hours.offline", "denominator": "hours.total", "min": 0.5}},
        {"kind": "coverage", "args": {"items": "points", "min_points": 1}},
    )
    assert statuses(rs, {"id": "T"}) == ["missing_data"] * 3


@examples(60)
@given(online=hours, offline=hours, lo=st.sampled_from([0.25, 0.5, 0.6, 1.0]))
def test_ratio_compares_the_fraction(online: float, offline: float, lo: float) -> None:
    rs = ruleset({"kind": "ratio", "args": {"numerator": "hours.offline", "denominator": "hours.total", "min": lo}})
    total = online + offline
    got = statuses(rs, {"id": "T", "hours": {"online": online, "offline": offline}})
    if total == 0:
        assert got == ["not_applicable"]
    else:
        assert got == ["pass" if offline / total >= lo else "fail"]


@st.composite
def band_tables(draw: Any) -> list[dict[str, Any]]:
    """Contiguous bands [c0, c1), [c1, c2), …, [ck, ∞) below which lies (−∞, c0)."""
    cuts = sorted(draw(st.sets(st.integers(1, 99), min_size=1, max_size=4)))
    bands = [{"label": "b0", "max": cuts[0], "max_exclusive": True, "passing": False}]
    for i, c in enumerate(cuts):
        band: dict[str, Any] = {"label": f"b{i + 1}", "min": c, "passing": draw(st.booleans())}
        if i + 1 < len(cuts):
            band.update(max=cuts[i + 1], max_exclusive=True)
        bands.append(band)
    return bands


@examples(60)
@given(bands=band_tables(), v=st.integers(0, 200).map(lambda x: x / 2))
def test_contiguous_bands_put_every_score_in_exactly_one_band(bands: list[dict[str, Any]], v: float) -> None:
    rs = ruleset({"kind": "bands", "args": {"value": "score", "bands": bands}})
    report = evaluate(rs, {"teacher": {"id": "T", "score": v}}, as_of=AS_OF)
    (finding,) = report.findings
    holding = [
        b for b in bands
        if ("min" not in b or v >= b["min"]) and ("max" not in b or (v < b["max"] if b.get("max_exclusive") else v <= b["max"]))
    ]
    assert len(holding) == 1
    assert finding.outcome.detail is not None and not finding.outcome.detail.get("gap")
    assert finding.outcome.detail["band"] == holding[0]["label"]
    assert finding.status.value == ("pass" if holding[0]["passing"] else "fail")


@examples(40)
@given(gap_low=st.integers(60, 88), v=st.integers(0, 200).map(lambda x: x / 2))
def test_a_gap_between_bands_fails_and_says_gap(gap_low: int, v: float) -> None:
    bands = [{"label": "pass", "min": 60, "max": gap_low}, {"label": "excellent", "min": 90}]
    rs = ruleset({"kind": "bands", "args": {"value": "score", "bands": bands}})
    (finding,) = evaluate(rs, {"teacher": {"id": "T", "score": v}}, as_of=AS_OF).findings
    in_gap = v < 60 or gap_low < v < 90
    assert bool((finding.outcome.detail or {}).get("gap")) == in_gap


# -- composition ------------------------------------------------------------------------------

# a sub-check whose status is chosen: pass, fail or missing_data on a field of its own
LEAVES = {
    "pass": ({"hours": {"online": 10}}, threshold("hours.online", min=5)),
    "fail": ({"hours": {"online": 10}}, threshold("hours.online", min=50)),
    "missing_data": ({}, threshold("lessons_reviewed", min=1)),
}
RANK = {"fail": 3, "missing_data": 2, "pass": 1}


@examples(60)
@given(parts=st.lists(st.sampled_from(sorted(LEAVES)), min_size=1, max_size=4))
def test_all_any_not_follow_their_algebra(parts: list[str]) -> None:
    record: dict[str, Any] = {"id": "T"}
    for p in parts:
        record.update(LEAVES[p][0])
    checks = [LEAVES[p][1] for p in parts]
    rs = ruleset(
        {"kind": "all", "args": {"checks": checks}},
        {"kind": "any", "args": {"checks": checks}},
        {"kind": "not", "args": {"check": {"kind": "all", "args": {"checks": checks}}}},
    )
    all_, any_, not_all = statuses(rs, record)
    worst = max(parts, key=RANK.__getitem__)
    assert all_ == worst
    assert any_ == ("pass" if "pass" in parts else min(parts, key=RANK.__getitem__))
    assert not_all == {"pass": "fail", "fail": "pass"}.get(all_, all_)


@examples(40)
@given(codes=st.sets(st.sampled_from(sorted(CATALOG.points)), max_size=8), p=st.integers(0, 6), d=st.integers(0, 4))
def test_coverage_counts_distinct_points_and_dimensions(codes: set[str], p: int, d: int) -> None:
    rs = ruleset({"kind": "coverage", "args": {"items": "points", "min_points": p, "min_dimensions": d}})
    dims = {CATALOG.points[c].dimension for c in codes}
    want = len(codes) >= p and len(dims) >= d
    got = statuses(rs, {"id": "T", "points": [{"code": c} for c in sorted(codes)]})
    assert got == ["pass" if want else "fail"]


@examples(40)
@given(n_pass=st.integers(0, 6), n_fail=st.integers(0, 6), lo=st.sampled_from([0.5, 0.8, 1.0]))
def test_rate_is_the_share_of_members_meeting_the_condition(n_pass: int, n_fail: int, lo: float) -> None:
    rs = ruleset(
        {"kind": "rate", "args": {"over": "teachers", "where": threshold("hours.online", min=50), "min": lo}},
        level="school",
    )
    teachers = [{"id": f"P{i}", "hours": {"online": 50}} for i in range(n_pass)]
    teachers += [{"id": f"F{i}", "hours": {"online": 49.5}} for i in range(n_fail)]
    got = statuses(rs, {"id": "S", "teachers": teachers}, level="school")
    n = n_pass + n_fail
    assert got == (["not_applicable"] if n == 0 else ["pass" if n_pass / n >= lo else "fail"])
