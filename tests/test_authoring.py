"""``ict2rules new`` (scaffold a ruleset extending a base) and ``ict2rules test`` (YAML cases)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from ict2rules.authoring.kit import scaffold
from ict2rules.cli import main
from ict2rules.errors import InputError
from ict2rules.rules.loader import bundled_path, load_ruleset

CASES = Path(__file__).parent / "cases"


def test_new_scaffolds_a_loadable_ruleset_listing_every_base_parameter(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "my_county_2024", "--from", "zeku_2023", "-o", str(tmp_path)]) == 0
    path = tmp_path / "my_county_2024.yaml"
    assert f"created {path}" in capsys.readouterr().out
    rs = load_ruleset(path)
    base = load_ruleset("zeku_2023")
    assert rs.chain == [*base.chain, "my_county_2024"]
    assert [r.id for r in rs.rules] == [r.id for r in base.rules]
    text = path.read_text(encoding="utf-8")
    for name, p in base.parameters.items():
        assert f"#  {name}:" in text, name
        assert f"#      quote: \"{p.source.quote}\"" in text, name
    assert "#    value: 75   # 学时" in text


def test_an_uncommented_parameter_overrides_the_base(tmp_path: Path) -> None:
    path = scaffold("my_county_2024", "zeku_2023", tmp_path)
    text = path.read_text(encoding="utf-8").replace("parameters: {}\n", "parameters:\n")
    lines = text.splitlines()
    start = lines.index("#  total_hours:   # 每位教师总学时 / Hours per teacher in all")
    for i in range(start, start + 5):
        lines[i] = lines[i][1:]
    lines[start + 1] = "    value: 80   # 学时"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rs = load_ruleset(path)
    assert rs.parameters["total_hours"].value == 80
    assert rs.parameters["total_hours"].overrides[-1].value == 75


def test_new_never_overwrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    existing = tmp_path / "mine.yaml"
    existing.write_text("keep me\n", encoding="utf-8")
    assert main(["new", "mine", "--from", "zeku_2023", "-o", str(tmp_path)]) == 2
    assert "never overwritten" in capsys.readouterr().err
    assert existing.read_text(encoding="utf-8") == "keep me\n"


def test_new_refuses_a_bad_id_and_an_unknown_base(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="lower-case"):
        scaffold("My-Ruleset", "zeku_2023", tmp_path)
    assert main(["new", "mine", "--from", "zeku_2032", "-o", str(tmp_path)]) == 2
    assert not (tmp_path / "mine.yaml").exists()


def test_new_extends_a_file_beside_it(tmp_path: Path) -> None:
    shutil.copy(bundled_path("zeku_2023"), tmp_path / "base.yaml")
    path = scaffold("child_2024", str(tmp_path / "base.yaml"), tmp_path)
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["extends"] == "base.yaml"
    assert load_ruleset(path).chain[-2:] == ["zeku_2023", "child_2024"]


# -- ict2rules test -------------------------------------------------------------------------------


def test_test_runs_a_folder_of_cases(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", str(CASES / "suncedu_2020")]) == 0
    out, err = capsys.readouterr()
    assert out.count("✓") == 11 and "11 通过 passed, 0 失败 failed" in err  # teacher, school, region cases


def _failing_case(tmp_path: Path) -> Path:
    case = {
        "ruleset": "suncedu_2020",
        "as_of": "2023-03-01",
        "cases": [
            {"name": "49.5 学时被误写为通过 / 49.5 hours wrongly expected to pass",
             "input": {"teacher": {"id": "T1", "hours": {"online": 24.5, "offline": 25}}},
             "expect": {"SC-T-HOURS-TOTAL": "pass", "SC-T-HOURS-PRACTICE": "pass"}},
        ],
    }
    path = tmp_path / "wrong.yaml"
    path.write_text(yaml.safe_dump(case, allow_unicode=True), encoding="utf-8")
    return path


def test_a_failing_case_shows_a_diff_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", str(_failing_case(tmp_path))]) == 1
    out, err = capsys.readouterr()
    assert "✗" in out and "SC-T-HOURS-TOTAL" in out
    assert "- expected pass" in out
    assert "+ T1: fail (expected '≥ 50 学时', actual 49.5)" in out
    assert "SC-T-HOURS-PRACTICE" not in out  # what matched is not repeated
    assert "0 通过 passed, 1 失败 failed" in err


def test_test_against_a_ruleset_file_given_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # a local copy with a lower total: the case that failed against the bundled file now passes
    data = yaml.safe_load(bundled_path("suncedu_2020").read_text(encoding="utf-8"))
    data["parameters"]["total_hours"]["value"] = 49.5
    data["parameters"]["online_hours"]["value"] = 24.5
    local = tmp_path / "suncedu_2020.yaml"
    local.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert main(["test", str(local), str(_failing_case(tmp_path))]) == 0
    assert "1 通过 passed" in capsys.readouterr().err


def test_test_reports_an_unreadable_case_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("ruleset: suncedu_2020\ncases: [{name: x}]\n", encoding="utf-8")
    assert main(["test", str(bad)]) == 2


# ---- new --minimal: a base of one's own with the common hour and point parameters ---------------


def test_new_minimal_writes_a_standalone_ruleset_with_the_common_parameters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ict2rules import evaluate
    from ict2rules.authoring.kit import lint

    assert main(["new", "my_province_2024", "--minimal", "-o", str(tmp_path)]) == 0
    path = tmp_path / "my_province_2024.yaml"
    rs = load_ruleset(path)
    assert rs.chain == ["my_province_2024"]  # extends nothing
    assert {"total_hours", "online_hours", "offline_hours", "teacher_min_points",
            "teacher_min_dimensions", "completion_deadline"} <= set(rs.parameters)
    findings = lint(path)
    assert not [f for f in findings if f.severity == "error"]
    assert {f.code for f in findings} >= {"ICT170"}  # the blanks are flagged until filled in
    text = path.read_text(encoding="utf-8")
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    assert any("参数" in c for c in comments) and any("parameters" in c for c in comments)
    teacher = {"id": "T1", "hours": {"online": 25, "offline": 25},
               "points": [{"code": "A1"}, {"code": "A5"}, {"code": "B2"}]}
    assert evaluate(rs, {"teacher": teacher}, as_of="2025-01-01").passed
    short = {**teacher, "hours": {"online": 24.5, "offline": 25}}
    assert not evaluate(rs, {"teacher": short}, as_of="2025-01-01").passed


def test_new_takes_a_base_or_minimal_not_both(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["new", "mine", "--from", "zeku_2023", "--minimal", "-o", str(tmp_path)])
    assert exc.value.code == 2
    assert main(["new", "mine", "--minimal", "-o", str(tmp_path)]) == 0
    assert main(["new", "mine", "--minimal", "-o", str(tmp_path)]) == 2  # never overwritten


def test_the_extending_scaffold_comments_in_both_languages(tmp_path: Path) -> None:
    text = scaffold("mine", "zeku_2023", tmp_path).read_text(encoding="utf-8")
    assert "继承 zeku_2023" in text and "A ruleset extending zeku_2023" in text


def test_the_case_format_example_in_the_docs_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """docs/authoring.md's case file and its ruleset, written side by side, pass as shown."""
    import re

    doc = (Path(__file__).resolve().parents[1] / "docs" / "authoring.md").read_text(encoding="utf-8")
    section = doc[doc.index("### The case format"):]
    for block in re.findall(r"```yaml\n(.*?)```", section, re.S)[:2]:
        name = block.splitlines()[0].lstrip("# ").strip()
        (tmp_path / name).write_text(block, encoding="utf-8")
    assert main(["test", str(tmp_path / "quota_cases.yaml")]) == 0
    out = capsys.readouterr()
    assert "3 通过 passed, 0 失败 failed" in out.out + out.err
