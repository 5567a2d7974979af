"""Every message of every bundled rule reads as plain language (docs/messages.md).

Each bundled ruleset's rules are driven through the statuses they can take — missing data and
not yet due (an empty record, checked late and early), met (a compliant record drawn by
:mod:`ict2rules.testing`), not met (each rule's near miss), and the bundled examples — and
every text a person reads is rendered in Chinese and English: the message, and the 要求/实际
(expected/actual) lines. Chinese text shows no field path, Python name or set symbol; English
text shows none either, and no Chinese character. JSON keeps the ids and paths.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ict2rules import evaluate
from ict2rules.evaluator import Finding
from ict2rules.loader import bundled_dir, load_ruleset
from ict2rules.render.text import LABELS, expected_actual
from ict2rules.report import Report, message
from ict2rules.testing import (
    NotDerivable,
    boundary_pair,
    evaluation_date,
    near_miss_level,
    records,
    rules_of,
)

ROOT = Path(__file__).resolve().parent.parent
NAMES = [p.stem for p in sorted(bundled_dir().glob("*.yaml"))]
# one drawn record per rule, never shrunk: the failure lists every wrong text already
ONE = settings(
    max_examples=1, database=None, deadline=None, phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)

# What a person must never read: a field path or snake_case id (school.point_scope,
# completed_on), a Python value (None, True), a set or comparison symbol (⊆ ∅ ==), "?" for
# "unknown".
PATH = re.compile(r"(?<![\w/.])[A-Za-z][A-Za-z0-9]*(?:[._][A-Za-z][A-Za-z0-9]*)+(?![\w(])")
PYTHON = re.compile(r"\b(?:None|True|False|nan|inf)\b")
SYMBOLS = re.compile(r"[⊆⊇∅]|==|!=|\?")
CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]+")
# English text quotes a title or a value written in Chinese in the record or the document,
# as written: the one place Chinese may appear in it (docs/messages.md)
QUOTED = re.compile(r"“(?:[^“”]|“[^“”]*”)*”")
# English in a Chinese message: three or more latin letters in a row (codes A1, ids T1 are short)
LATIN = re.compile(r"[A-Za-z]{3,}")


def problems(text: str, lang: str) -> list[str]:
    """What is wrong with one text a person reads (empty when nothing is).

    >>> problems("缺少数据:school.point_scope", "zh")
    ['field path school.point_scope']
    >>> problems("所选能力点未填写", "zh"), problems("required ≥ 75 hours", "en")
    ([], [])
    """
    found = [f"field path {m.group()}" for m in PATH.finditer(text)]
    found += [f"Python name {m.group()}" for m in PYTHON.finditer(text)]
    found += [f"symbol {m.group()}" for m in SYMBOLS.finditer(text)]
    if lang == "zh":
        found += [f"English word {m.group()}" for m in LATIN.finditer(text)]
    else:
        found += [f"Chinese text {m.group()}" for m in CJK.finditer(QUOTED.sub("", text))]
    return found


def texts(f: Finding, lang: str) -> Iterator[str]:
    """Every text of one finding a person reads in ``lang``."""
    yield message(f, lang)
    yield from expected_actual(f, LABELS[lang])


def wrong(findings: Iterable[Finding]) -> list[str]:
    bad = []
    for f in findings:
        for lang in ("zh", "en"):
            for text in texts(f, lang):
                found = problems(text, lang)
                if found:
                    bad.append(f"{f.rule_id} {f.status.value} {lang}: {'; '.join(found)} in {text!r}")
    return sorted(set(bad))


def _load(name: str) -> Any:
    return load_ruleset(name)


EMPTY = {
    "teacher": {"id": "T1"},
    "school": {"id": "S1", "teachers": [{"id": "T1"}]},
    "project": {"id": "P1"},
}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("level", ["teacher", "school", "project"])
def test_an_empty_record_reads_plainly_late_and_early(name: str, level: str) -> None:
    # late: every obligation is due, so what is absent is missing data or not met;
    # early: what is absent is not yet due
    rs = _load(name)
    if not rules_of(rs, level) and not (level == "school" and rules_of(rs, "teacher")):
        pytest.skip(f"{name} has no {level} rules")
    for as_of in (evaluation_date(rs), dt.date(2000, 1, 1)):
        report = evaluate(rs, {level: EMPTY[level]}, as_of=as_of)
        assert report.findings
        assert not wrong(report.findings), "\n".join(wrong(report.findings))


def _examples() -> Iterator[Any]:
    for folder in sorted((ROOT / "examples").iterdir()):
        for path in sorted(folder.glob("*.yaml")):
            yield pytest.param(folder.name, path, id=f"{folder.name}/{path.stem}")


@pytest.mark.parametrize(("name", "path"), list(_examples()))
def test_the_examples_read_plainly(name: str, path: Path) -> None:
    from test_examples import header_as_of

    rs = _load(name)
    for as_of in {header_as_of(path) or evaluation_date(rs), evaluation_date(rs)}:
        report = evaluate(rs, path, as_of=as_of)
        assert not wrong(report.findings), "\n".join(wrong(report.findings))


def _rules() -> Iterator[Any]:
    for name in NAMES:
        for rule in load_ruleset(name).rules:
            yield pytest.param(name, rule.id, id=f"{name}:{rule.id}")


@pytest.mark.parametrize(("name", "rule_id"), list(_rules()))
@ONE
@given(data=st.data())
def test_each_rule_met_and_not_met_reads_plainly(name: str, rule_id: str, data: st.DataObject) -> None:
    rs = _load(name)
    level = near_miss_level(rs, rule_id)
    try:
        good, bad = data.draw(boundary_pair(rs, rule_id))
    except NotDerivable:  # no near miss: the rule is met by a compliant record at least
        good, bad = data.draw(records(rs, level)), None
    as_of = evaluation_date(rs)
    reports: list[Report] = [evaluate(rs, {level: good}, as_of=as_of)]
    if bad is not None:
        reports.append(evaluate(rs, {level: bad}, as_of=as_of))
    findings = [f for r in reports for f in r.findings]
    assert any(f.rule_id == rule_id for f in findings)
    assert not wrong(findings), "\n".join(wrong(findings))
