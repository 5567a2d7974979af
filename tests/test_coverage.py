"""Document coverage: every requirement sentence encoded, not checked with a reason, or a gap."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ict2rules import load_ruleset
from ict2rules.authoring.coverage import (
    is_requirement,
    ruleset_coverage,
    sentence_coverage,
)
from ict2rules.cli import main
from ict2rules.errors import InputError
from ict2rules.rules.ruleset import REASONS

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
SOURCES = {
    "zeku_2023": "000_41d8c6dd8fc10703.txt",
    "shanxi_2020": "001_b4369e8ea8e9fa43.txt",
    "kaiyuan_2024": "002_ea1251a2ee46fc62.txt",
    "yongzhou_2023": "003_832e0b9bbcd054c3.txt",
    "henan_2021": "004_ac67038d5e0dcd9c.txt",
}


def statuses(text: str, encoded=(), not_checked=()) -> list[tuple[str, str]]:
    return [(s.text, s.status) for s in sentence_coverage(text, encoded, not_checked)]


def test_each_status() -> None:
    text = "二、目标。教师须完成50学时。县局负责督导。鼓励评选。"
    got = statuses(text, [("R1", "教师须完成50学时")], [("县局负责督导", "other_body", None)])
    assert got == [
        ("二、目标。", "other"),
        ("教师须完成50学时。", "encoded"),
        ("县局负责督导。", "not_checked"),
        ("鼓励评选。", "unclassified"),
    ]


def test_white_space_and_full_width_punctuation_do_not_matter() -> None:
    text = "教师须完成 ５０ 学时，其中线上25学时。"
    assert statuses(text, [("R", "教师须完成50学时,其中线上25学时")]) == [(text, "encoded")]


def test_a_quote_eliding_with_an_ellipsis_matches_part_by_part() -> None:
    text = "学校须组建管理团队。团队须参加培训。"
    got = statuses(text, [("R", "学校须组建管理团队……团队须参加培训")])
    assert [s for _, s in got] == ["encoded", "encoded"]


def test_a_quote_that_is_part_of_a_sentence_covers_it() -> None:
    text = "教师须完成50学时,并于年底前提交总结。"
    assert statuses(text, [("R", "于年底前提交总结")]) == [(text, "encoded")]


def test_an_encoded_quote_wins_over_a_not_checked_one() -> None:
    text = "教师须完成50学时。"
    (s,) = sentence_coverage(text, [("R", "教师须完成50学时")], [("教师须完成50学时", "duplicate", None)])
    assert s.status == "encoded" and s.rules == ["R"] and s.reason is None


@pytest.mark.parametrize(
    ("sentence", "requirement"),
    [
        ("每位教师须完成50学时。", True),
        ("鼓励学校开展案例评选。", True),
        ("提升信息技术应用能力", False),  # 应用 is not 应
        ("(一)加强组织领导。", False),  # a short numbered heading
        ("开原市教育局文件", False),
    ],
)
def test_requirement_sentences(sentence: str, requirement: bool) -> None:
    assert is_requirement(sentence) is requirement


def test_only_the_rulesets_own_rules_count() -> None:
    # zeku_2023 inherits national_2019's rules; their quotes are the national document's
    rs = load_ruleset("zeku_2023")
    inherited = next(r for r in rs.rules if rs.rule_origin[r.id] != "zeku_2023")
    cov = ruleset_coverage(rs, inherited.source.quote + "。", "x.txt")
    assert inherited.id not in cov.sentences[0].rules


def test_a_not_checked_quote_absent_from_the_text_is_stale(tmp_path: Path) -> None:
    ruleset = tmp_path / "r.yaml"
    ruleset.write_text(
        (ROOT / "tests" / "data" / "coverage_ruleset.yaml").read_text("utf-8"), encoding="utf-8"
    )
    source = tmp_path / "doc.txt"
    source.write_text("教师须完成50学时。县局负责督导。\n", encoding="utf-8")
    cov = ruleset_coverage(load_ruleset(ruleset), source.read_text("utf-8"), str(source))
    assert cov.totals == {"encoded": 1, "not_checked": 1, "unclassified": 0, "other": 0}
    assert cov.stale == ["这一句不在文中"] and not cov.complete


def test_an_unknown_reason_is_a_load_error(tmp_path: Path) -> None:
    text = (ROOT / "tests" / "data" / "coverage_ruleset.yaml").read_text("utf-8")
    ruleset = tmp_path / "r.yaml"
    ruleset.write_text(text.replace("reason: other_body", "reason: too_hard"), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_ruleset(ruleset)
    assert "r.yaml" in str(err.value) and "reason" in str(err.value)


def test_the_command_prints_each_sentence_with_its_line_and_exits_1_on_a_gap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "doc.txt"
    source.write_text("一、总则\n教师须完成50学时。\n学校须报送简报。\n", encoding="utf-8")
    code = main(["coverage", str(ROOT / "tests" / "data" / "coverage_ruleset.yaml"),
                 "--source", str(source)])
    out = capsys.readouterr().out
    assert code == 1
    assert f"{source}:2: ✔ encoded" in out and f"{source}:3: ✘ unclassified" in out
    assert "一、总则" not in out  # not a requirement: shown only with --all

    code = main(["coverage", str(ROOT / "tests" / "data" / "coverage_ruleset.yaml"),
                 "--source", str(source), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and report["totals"]["unclassified"] == 1 and not report["complete"]


def test_the_reasons_are_documented() -> None:
    doc = (ROOT / "docs" / "coverage.md").read_text("utf-8")
    for reason in REASONS:
        assert f"`{reason}`" in doc


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed documents live in ../shared/seeds")
@pytest.mark.parametrize("name", sorted(SOURCES))
def test_every_requirement_sentence_of_each_seed_is_accounted_for(name: str) -> None:
    text = (SEEDS / SOURCES[name]).read_text("utf-8")
    cov = ruleset_coverage(load_ruleset(name), text, SOURCES[name])
    gaps = [f"{s.line}: {s.text}" for s in cov.sentences if s.status == "unclassified"]
    assert not gaps, f"{name}: {len(gaps)} requirement sentences unclassified:\n" + "\n".join(gaps)
    assert not cov.stale, f"{name}: not_checked quotes not in the document: {cov.stale}"
    # every clause the triage found checkable from records is encoded now (README's table)
    waiting = [f"{s.line}: {s.text}" for s in cov.sentences if s.reason == "to_encode"]
    assert not waiting, f"{name}: {len(waiting)} sentences still to encode:\n" + "\n".join(waiting)


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed documents live in ../shared/seeds")
@pytest.mark.parametrize("name", sorted(SOURCES))
def test_the_readme_table_gives_the_coverage_totals(name: str) -> None:
    text = (SEEDS / SOURCES[name]).read_text("utf-8")
    cov = ruleset_coverage(load_ruleset(name), text, SOURCES[name])
    row = next(line for line in (ROOT / "README.md").read_text("utf-8").splitlines()
               if line.startswith(f"| `{name}` |"))
    assert f"{cov.totals['encoded']} encoded · {cov.totals['not_checked']} not checked" in row, row
