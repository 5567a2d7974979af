"""The verdict (``passed``, the exit code) is about every rule that ran: choosing which
findings to show (``--status``, ``keep=``) never changes it; choosing which rules run
(``--select``, ``--ignore``) does, and a pattern that matches no rule is an input error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ict2rules
from ict2rules.cli import main
from ict2rules.kinds.base import Status

ROOT = Path(__file__).resolve().parents[1]
BAD = str(ROOT / "examples" / "zeku_2023" / "school_bad.yaml")


def test_keeping_only_some_findings_keeps_the_verdict() -> None:
    full = ict2rules.evaluate("zeku_2023", BAD, as_of="2024-06-01")
    shown = ict2rules.evaluate("zeku_2023", BAD, as_of="2024-06-01", keep=frozenset({Status.PENDING}))
    assert not full.passed and not shown.passed
    assert shown.summary()["errors"] == full.summary()["errors"] > 0
    assert all(f.status is Status.PENDING for f in shown.findings)


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_status_filter_does_not_turn_a_failure_into_exit_0(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", BAD, "-r", "zeku_2023", "--as-of", "2024-06-01", "--status", "pending", "-f", fmt]) == 1
    out = capsys.readouterr().out
    if fmt == "json":
        assert json.loads(out)["passed"] is False


def test_streamed_status_filter_keeps_the_verdict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    roster = tmp_path / "roster.jsonl"
    roster.write_text('{"id": "T1", "hours": {"online": 10, "offline": 5}}\n', encoding="utf-8")
    assert main(["check", str(roster), "-r", "zeku_2023", "--as-of", "2024-06-01", "-f", "jsonl", "--status", "pass"]) == 1
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["type"] == "summary" and summary["passed"] is False and summary["errors"] > 0


def test_select_decides_which_rules_run(capsys: pytest.CaptureFixture[str]) -> None:
    # the bad school's management team is led by a vice-principal, but its hours rules are met
    assert main(["check", BAD, "-r", "zeku_2023", "--select", "ZK-S-MANAGEMENT-LEADER", "-f", "json"]) == 1
    assert {f["rule"] for f in json.loads(capsys.readouterr().out)["findings"]} == {"ZK-S-MANAGEMENT-LEADER"}
    assert main(["check", BAD, "-r", "zeku_2023", "--select", "ZK-S-TRAINING-TEAM", "-f", "json"]) == 0


def test_select_pattern_that_matches_nothing_is_an_input_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", BAD, "-r", "zeku_2023", "--select", "ZK-T-HOURZ"]) == 2
    assert "no rule id is or starts with 'ZK-T-HOURZ'" in capsys.readouterr().err
