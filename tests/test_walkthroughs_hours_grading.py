"""docs/new-document.md's walk-throughs of a provincial 50/20/30 h plan and the national
min-over-items grading: each YAML block (marked `<!-- walkthrough: FILE -->`) is written out,
the rulesets load and lint without error, and the cases beneath them pass as printed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ict2rules.authoring.cases import run_file
from ict2rules.authoring.kit import lint
from ict2rules.rules.loader import load_ruleset

DOC = (Path(__file__).resolve().parents[1] / "docs" / "new-document.md").read_text(encoding="utf-8")
BLOCKS = dict(re.findall(r"<!-- walkthrough: (\S+) -->\n```yaml\n(.*?)```", DOC, re.S))
MINE = {"province_demo": "PD-T-", "national_grading_demo": "NG-T-"}


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    for name, text in BLOCKS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("name", sorted(MINE))
def test_the_walkthrough_ruleset_loads_lints_and_its_cases_pass(folder: Path, name: str) -> None:
    assert f"{name}.yaml" in BLOCKS and f"{name}_cases.yaml" in BLOCKS
    rs = load_ruleset(folder / f"{name}.yaml")
    assert rs.rules and all(r.id.startswith(MINE[name]) for r in rs.rules)
    assert not [f for f in lint(folder / f"{name}.yaml") if f.severity == "error"]
    results = run_file(folder / f"{name}_cases.yaml")
    assert results and all(r.ok for r in results), [m for r in results for m in r.mismatches]


def test_every_rule_of_the_walkthroughs_has_a_passing_and_a_failing_case(folder: Path) -> None:
    import yaml

    for name in MINE:
        rs = load_ruleset(folder / f"{name}.yaml")
        cases = yaml.safe_load(BLOCKS[f"{name}_cases.yaml"])["cases"]
        seen = {(rule.split("@")[0], status) for c in cases for rule, status in c.get("expect", {}).items()}
        for r in rs.rules:
            assert {(r.id, "pass"), (r.id, "fail")} <= seen, r.id
