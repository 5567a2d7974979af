"""``ict2rules lint``: each planted problem in a copy of zeku_2023 is caught with its own code
and message; every bundled ruleset lints without errors."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from ict2rules.authoring.kit import LINT_CODES, LintFinding, band_problems, lint
from ict2rules.cli import main
from ict2rules.kinds.bands import Band
from ict2rules.rules.loader import bundled_names, bundled_path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = [ROOT.parent / "shared" / "seeds", ROOT / "docs" / "sources"]
BASE: dict[str, Any] = yaml.safe_load(bundled_path("zeku_2023").read_text(encoding="utf-8"))


def rule(rid: str, check: dict[str, Any], level: str = "teacher", quote: str | None = None) -> dict[str, Any]:
    """A rule quoting a real zeku clause (so only the planted problem is reported)."""
    return {
        "id": rid, "level": level,
        "title": {"zh": "测试", "en": "test"}, "message": {"zh": "{actual}", "en": "{actual}"},
        "check": check,
        "source": {"section": "二(一)1", "quote": quote or BASE["rules"][0]["source"]["quote"]},
    }


def planted(tmp_path: Path, change: Callable[[dict[str, Any]], None], name: str = "zeku_copy.yaml") -> Path:
    data = copy.deepcopy(BASE)
    change(data)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def found(path: Path, code: str) -> list[LintFinding]:
    hits = [f for f in lint(path, seeds=SEEDS) if f.code == code]
    assert hits, f"{code} not reported"
    for f in hits:
        assert f.line is not None and f.column is not None, f"{code} has no location"
        assert f.message_zh and f.message_en
    return hits


def test_the_unchanged_copy_is_clean(tmp_path: Path) -> None:
    errors = [str(f) for f in lint(planted(tmp_path, lambda d: None), seeds=SEEDS) if f.severity == "error"]
    assert errors == []


@pytest.mark.parametrize("name", bundled_names())
def test_every_bundled_ruleset_lints_without_errors(name: str) -> None:
    errors = [str(f) for f in lint(bundled_path(name), seeds=SEEDS) if f.severity == "error"]
    assert errors == [], "\n".join(errors)


def test_parts_above_the_whole(tmp_path: Path) -> None:
    path = planted(tmp_path, lambda d: d["rules"].append(rule("X-TOTAL-MAX", {"kind": "threshold", "args": {"value": "hours.total", "max": 60}})))
    (f,) = found(path, "ICT101")
    assert "online minimum 50" in f.message_en and "offline minimum 25" in f.message_en and "total maximum 60" in f.message_en


def test_min_above_max_in_one_threshold(tmp_path: Path) -> None:
    path = planted(tmp_path, lambda d: d["rules"].append(rule("X-MINMAX", {"kind": "threshold", "args": {"value": "lessons_reviewed", "min": 10, "max": 5}})))
    assert any("min 10 is above max 5" in f.message_en for f in found(path, "ICT102"))


def test_min_above_max_across_rules(tmp_path: Path) -> None:
    path = planted(tmp_path, lambda d: d["rules"].append(rule("X-ONLINE-MAX", {"kind": "threshold", "args": {"value": "hours.online", "max": 40}})))
    assert any("hours.online ≥ 50" in f.message_en and "≤ 40" in f.message_en for f in found(path, "ICT102"))


def test_rate_caps_no_school_can_meet(tmp_path: Path) -> None:
    where = {"kind": "compare", "args": {"value": "passed", "op": "==", "to": True}}

    def change(d: dict[str, Any]) -> None:
        d["rules"].append(rule("X-EXCELLENT", {"kind": "rate", "args": {"over": "teachers", "where": where, "max": -0.1}}, "school"))
        d["rules"].append(rule("X-PASS", {"kind": "rate", "args": {"over": "teachers", "where": where, "min": 1.2}}, "school"))

    messages = [f.message_en for f in found(planted(tmp_path, change), "ICT103")]
    assert any("maximum -0.1 is below 0" in m for m in messages)
    assert any("minimum 1.2 is above 1" in m for m in messages)


def test_impossible_coverage(tmp_path: Path) -> None:
    path = planted(tmp_path, lambda d: d["rules"].append(rule("X-DIMS", {"kind": "coverage", "args": {"items": "points", "min_dimensions": 5}})))
    assert "asks for 5 dimensions; the catalog has 4" in found(path, "ICT104")[0].message_en


def test_unknown_point_code_with_a_hint(tmp_path: Path) -> None:
    path = planted(tmp_path, lambda d: d["rules"].append(rule("X-CODES", {"kind": "membership", "args": {"items": "points", "of": "code", "within": ["A1", "A14"]}})))
    (f,) = found(path, "ICT110")
    assert "'A14'" in f.message_en and "did you mean" in f.message_en


def test_unknown_dimension_with_a_hint(tmp_path: Path) -> None:
    path = planted(tmp_path, lambda d: d["rules"].append(rule("X-DIMNAME", {"kind": "coverage", "args": {"items": "points", "dimensions": ["学情分折"]}})))
    (f,) = found(path, "ICT111")
    assert "学情分折" in f.message_en and "did you mean '学情分析'" in f.message_en


def test_quote_not_in_the_seed(tmp_path: Path) -> None:
    if not SEEDS[0].is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")

    def change(d: dict[str, Any]) -> None:
        d["rules"][0]["source"]["quote"] = "每人完成80学时的全员培训"

    (f,) = found(planted(tmp_path, change), "ICT120")
    assert "quote not found in 000_41d8c6dd8fc10703.txt" in f.message_en


def test_quote_too_short(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["rules"][0]["source"]["quote"] = "75学时"

    assert "too short (4 characters)" in found(planted(tmp_path, change), "ICT121")[0].message_en


def test_source_text_not_found_is_said(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["document"]["seed"] = "no_such_seed.txt"

    assert "no_such_seed.txt not found" in found(planted(tmp_path, change), "ICT122")[0].message_en


def test_unused_parameter(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["parameters"]["spare_hours"] = copy.deepcopy(d["parameters"]["total_hours"])

    (f,) = found(planted(tmp_path, change), "ICT130")
    assert "spare_hours" in f.message_en


def test_duplicate_id_in_one_file(tmp_path: Path) -> None:
    path = planted(tmp_path, lambda d: d["rules"].append(copy.deepcopy(d["rules"][0])))
    (f,) = found(path, "ICT140")
    assert "ZK-T-HOURS-TOTAL appears twice" in f.message_en and "first at line" in f.message_en


def test_redefined_inherited_rule(tmp_path: Path) -> None:
    child = {
        "id": "zeku_child", "title": {"zh": "子", "en": "child"}, "extends": "zeku_2023",
        "document": copy.deepcopy(BASE["document"]),
        "rules": [rule("ZK-T-HOURS-TOTAL", {"kind": "threshold", "args": {"value": "hours.total", "min": 80}})],
    }
    path = tmp_path / "child.yaml"
    path.write_text(yaml.safe_dump(child, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert "redefines the inherited rule" in found(path, "ICT141")[0].message_en
    child["remove_rules"] = ["ZK-T-HOURS-TOTAL"]
    path.write_text(yaml.safe_dump(child, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert not [f for f in lint(path, seeds=SEEDS) if f.code == "ICT141"]


def _bands(d: dict[str, Any]) -> list[dict[str, Any]]:
    return next(r for r in d["rules"] if r["id"] == "ZK-T-BAND")["check"]["args"]["bands"]


def test_bands_with_a_gap(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        _bands(d)[1].update(max=89, max_exclusive=False)  # 合格 60—89分, as written

    f = found(planted(tmp_path, change), "ICT150")[0]  # the rule and the derived band share the table
    assert "a score in (89, 90) falls in no band (between pass and excellent)" in f.message_en


def test_bands_that_overlap(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        _bands(d)[2].update(max_exclusive=False)  # 不合格 ≤ 60 and 合格 ≥ 60

    f = found(planted(tmp_path, change), "ICT151")[0]
    assert "bands fail and pass overlap on 60–60" in f.message_en


def test_band_problems_between_open_edges() -> None:
    assert band_problems([Band(label="a", max=60, max_exclusive=True), Band(label="b", min=60)]) == []
    gap = band_problems([Band(label="a", max=60, max_exclusive=True), Band(label="b", min=60, min_exclusive=True)])
    assert gap[0][0] == "ICT150" and "[60, 60]" in gap[0][2]


def test_dates_out_of_order(tmp_path: Path) -> None:
    import datetime as dt

    def change(d: dict[str, Any]) -> None:
        d["document"]["effective"] = {"start": dt.date(2024, 1, 1), "end": dt.date(2023, 12, 31)}
        d["rules"].append(rule("X-WINDOW", {"kind": "deadline", "args": {"done": "completed_on", "by": dt.date(2023, 9, 1), "not_before": dt.date(2023, 10, 1)}}))
        for name, day in (("practice_start", dt.date(2023, 9, 30)), ("practice_end", dt.date(2023, 7, 1))):
            p = copy.deepcopy(d["parameters"]["practice_phase_end"])
            p["value"] = day
            d["parameters"][name] = p

    path = planted(tmp_path, change)
    assert "starts 2024-01-01, after it ends 2023-12-31" in found(path, "ICT160")[0].message_en
    assert "not_before 2023-10-01 is after the due date 2023-09-01" in found(path, "ICT161")[0].message_en
    assert "practice_start=2023-09-30 is after its end practice_end=2023-07-01" in found(path, "ICT162")[0].message_en


def test_compile_error_is_located(tmp_path: Path) -> None:
    path = planted(tmp_path, lambda d: d["rules"].append(rule("X-TYPO", {"kind": "threshold", "args": {"value": "hours.onlin", "min": 1}})))
    (f,) = found(path, "ICT105")
    assert "did you mean 'online'" in f.message_en


def test_placeholders_are_warnings(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["document"]["issuer"] = "待填写 TODO"

    (f,) = found(planted(tmp_path, change), "ICT170")
    assert f.severity == "warning" and "document.issuer" in f.message_en


def test_schema_error_is_a_lint_error_with_its_place(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["rules"][0]["chek"] = d["rules"][0].pop("check")

    (f, *_) = found(planted(tmp_path, change), "ICT100")
    assert f.severity == "error"


def test_every_code_has_a_severity_and_a_meaning() -> None:
    for code, (severity, text) in LINT_CODES.items():
        assert code.startswith("ICT") and severity in ("error", "warning") and text


# -- the command ----------------------------------------------------------------------------------


def test_lint_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clean = planted(tmp_path, lambda d: None, "clean.yaml")
    seeds = [a for s in SEEDS for a in ("--seeds", str(s))]
    assert main(["lint", str(clean), *seeds]) == 0
    bad = planted(tmp_path, lambda d: d["rules"].append(copy.deepcopy(d["rules"][0])), "bad.yaml")
    assert main(["lint", str(bad), *seeds]) == 1
    out = capsys.readouterr().out
    assert f"{bad}:" in out and "ICT140 [error]" in out
    assert main(["lint", str(tmp_path / "missing.yaml")]) == 2
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: [unclosed\n", encoding="utf-8")
    assert main(["lint", str(broken)]) == 2
    assert main(["lint", "--codes"]) == 0
    assert "ICT150" in capsys.readouterr().out


# ---- the reading: wording of bounds, numbers, characters, coverage ---------------------------------

TRADITIONAL_DOC = "一、要求\n每位教師須完成不少於75學時的培訓。\n學校應按時報送簡報。\n"


def small_ruleset(tmp_path: Path, quote: str, check_args: dict[str, Any], **extra: Any) -> Path:
    """A one-rule ruleset citing ``doc.txt`` (written beside it, in Traditional characters)."""
    (tmp_path / "doc.txt").write_text(TRADITIONAL_DOC, encoding="utf-8")
    data = {
        "id": "demo_rules",
        "title": {"zh": "示例", "en": "Demo"},
        "document": {"title": "示例文件", "issuer": "示例", "level": "county", "seed": "doc.txt"},
        "rules": [{
            "id": "DM-T-HOURS", "level": "teacher",
            "title": {"zh": "总学时", "en": "Total hours"},
            "message": {"zh": "{actual}", "en": "{actual}"},
            "check": {"kind": "threshold", "args": {"value": "hours.total", **check_args}},
            "source": {"section": "一", "quote": quote},
        }],
        **extra,
    }
    path = tmp_path / "demo_rules.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def codes(path: Path, seeds: list[Path]) -> dict[str, list[LintFinding]]:
    out: dict[str, list[LintFinding]] = {}
    for f in lint(path, seeds=seeds):
        out.setdefault(f.code, []).append(f)
    return out


def test_an_exclusive_min_on_a_traditional_bu_shao_yu_is_caught(tmp_path: Path) -> None:
    path = small_ruleset(tmp_path, "每位教師須完成不少於75學時的培訓", {"min": 75, "min_exclusive": True})
    (f,) = codes(path, [tmp_path])["ICT180"]
    assert "不少于" in f.message_zh and "excludes it" in f.message_en and f.line is not None


def test_an_inclusive_min_on_chao_guo_is_caught() -> None:
    from ict2rules.authoring.wording import bound_problems

    assert [p.code for p in bound_problems("R", "超过30天", [("min", 30.0, False)])] == ["ICT180"]
    assert bound_problems("R", "超过30天", [("min", 30.0, True)]) == []
    assert bound_problems("R", "不满60分", [("max", 60.0, True)]) == []
    assert [p.code for p in bound_problems("R", "不满60分", [("max", 60.0, False)])] == ["ICT180"]
    assert bound_problems("R", "不少于75学时", [("min", 75.0, False)]) == []


def test_the_right_bound_is_clean_and_a_matching_traditional_quote_is_not_an_error(tmp_path: Path) -> None:
    path = small_ruleset(tmp_path, "每位教師須完成不少於75學時的培訓", {"min": 75})
    found_codes = codes(path, [tmp_path])
    assert "ICT180" not in found_codes and "ICT181" not in found_codes and "ICT120" not in found_codes


def test_a_simplified_quote_against_a_traditional_source_is_named_once(tmp_path: Path) -> None:
    path = small_ruleset(tmp_path, "每位教师须完成不少于75学时的培训", {"min": 75})
    found_codes = codes(path, [tmp_path])
    assert "ICT120" not in found_codes
    (f,) = found_codes["ICT123"]
    assert "Simplified/Traditional" in f.message_en


def test_a_constant_that_is_not_the_quotes_number(tmp_path: Path) -> None:
    path = small_ruleset(tmp_path, "每位教師須完成不少於75學時的培訓", {"min": 40})
    (f,) = codes(path, [tmp_path])["ICT181"]
    assert "DM-T-HOURS is 40" in f.message_en and "75學時" in f.message_en.replace("学时", "學時")


def test_a_parameter_that_disagrees_with_its_quote(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["parameters"]["total_hours"]["value"] = 40  # the quote says 75学时

    (f,) = found(planted(tmp_path, change), "ICT181")
    assert f.message_en.startswith("$total_hours is 40") and "75学时" in f.message_en


def test_a_requirement_sentence_left_out_is_a_coverage_gap(tmp_path: Path) -> None:
    path = small_ruleset(tmp_path, "每位教師須完成不少於75學時的培訓", {"min": 75})
    (gap,) = codes(path, [tmp_path])["ICT182"]
    assert "doc.txt:3" in gap.message_en and "學校應按時報送簡報" in gap.message_en

    listed = small_ruleset(
        tmp_path, "每位教師須完成不少於75學時的培訓", {"min": 75},
        not_checked=[{"quote": "學校應按時報送簡報", "reason": "not_recorded", "note": "示例 demo"}],
    )
    assert "ICT182" not in codes(listed, [tmp_path])
