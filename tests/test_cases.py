"""Run every YAML case file under tests/cases, and check that every rule of every bundled
ruleset has at least one passing and one failing case."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from ict2rules import bundled_names, load_ruleset
from ict2rules.authoring.cases import load_cases, run_file

CASES = Path(__file__).parent / "cases"
FILES = sorted(CASES.rglob("*.yaml"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CASES)))
def test_case_file(path: Path) -> None:
    failures = [f"{r.name}: {m}" for r in run_file(path) for m in r.mismatches]
    assert not failures, "\n".join(failures)


def _statuses_seen() -> dict[str, dict[str, set[str]]]:
    seen: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for path in FILES:
        ruleset = load_cases(path).ruleset
        for result in run_file(path):
            for key, statuses in result.statuses.items():
                seen[ruleset][key.partition("@")[0]] |= statuses
    return seen


@pytest.mark.parametrize("name", bundled_names())
def test_every_rule_has_passing_and_failing_case(name: str) -> None:
    seen = _statuses_seen()[name]
    rs = load_ruleset(name)
    lacking = [
        f"{r.id} ({', '.join(sorted({'pass', 'fail'} - seen.get(r.id, set())))})"
        for r in rs.rules
        if not {"pass", "fail"} <= seen.get(r.id, set())
    ]
    assert not lacking, (
        f"rules of {name} without a passing and a failing case: {', '.join(lacking)}"
    )
