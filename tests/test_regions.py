"""The region level: county / city / province records, their schools, the quota kind, the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from ict2rules import evaluate, load_ruleset
from ict2rules.cli import main
from ict2rules.errors import InputError
from ict2rules.evaluation.regions import county_of, group_by_county
from ict2rules.input.files import read_records
from ict2rules.input.records import Region, School

SOURCE = {"section": "测试", "quote": "测试条款"}
DOCS = Path(__file__).resolve().parent.parent / "docs"


def quota_ruleset(tmp_path: Path, **args: Any) -> Any:
    doc = {
        "id": "t",
        "title": {"zh": "测试", "en": "test"},
        "document": {"title": "测试文件", "issuer": "测试", "level": "province"},
        "rules": [{
            "id": "R1", "level": "region",
            "title": {"zh": "规则", "en": "rule"},
            "message": {"zh": "实际 {actual},要求 {expected}", "en": "got {actual}, need {expected}"},
            "check": {"kind": "quota", "args": {"by": "2021-08-15", "min": 0.25, **args}},
            "source": SOURCE,
        }],
    }
    path = tmp_path / f"rs{len(list(tmp_path.iterdir()))}.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return load_ruleset(path)


def finding(rs: Any, region: dict[str, Any], as_of: str = "2021-09-01") -> Any:
    [f] = [f for f in evaluate(rs, {"region": {"id": "R", **region}}, as_of=as_of).findings if f.rule_id == "R1"]
    return f


# -- the quota kind: boundaries and every status ------------------------------------------------


@pytest.mark.parametrize(("trained", "status"), [(25, "pass"), (24, "fail"), (100, "pass")])
def test_quota_includes_its_minimum(tmp_path: Path, trained: int, status: str) -> None:
    rs = quota_ruleset(tmp_path)
    f = finding(rs, {"staff": {"total": 100}, "progress": [{"date": "2021-08-15", "trained": trained}]})
    assert f.status.value == status
    assert f.outcome.detail["trained"] == trained and f.outcome.detail["teachers"] == 100


def test_quota_exclusive_minimum(tmp_path: Path) -> None:
    rs = quota_ruleset(tmp_path, min_exclusive=True)  # "超过 25%"
    assert finding(rs, {"staff": {"total": 100}, "progress": [{"date": "2021-08-15", "trained": 25}]}).status.value == "fail"
    assert finding(rs, {"staff": {"total": 100}, "progress": [{"date": "2021-08-15", "trained": 26}]}).status.value == "pass"


def test_quota_reads_the_latest_count_on_or_before_its_date(tmp_path: Path) -> None:
    rs = quota_ruleset(tmp_path)
    progress = [{"date": "2021-06-01", "trained": 10}, {"date": "2021-08-15", "trained": 30}, {"date": "2021-08-16", "trained": 90}]
    f = finding(rs, {"staff": {"total": 100}, "progress": progress})
    assert f.status.value == "pass" and f.outcome.detail["trained"] == 30
    later = [{"date": "2021-08-16", "trained": 90}]  # counted a day too late: nothing shows the date
    f = finding(rs, {"staff": {"total": 100}, "progress": later, "school_figures": [{"id": "S1", "staff": {"total": 100}}]})
    assert f.status.value == "missing_data" and "S1.trained" in f.outcome.detail["missing"]


def test_quota_sums_schools_in_full_and_as_figures(tmp_path: Path) -> None:
    rs = quota_ruleset(tmp_path)
    region = {
        "schools": [{"id": "A", "staff": {"total": 4}, "teachers": [
            {"id": "T1", "completed_on": "2021-08-15"}, {"id": "T2", "completed_on": "2021-08-16"}, {"id": "T3"}]}],
        "school_figures": [{"id": "B", "staff": {"total": 4}, "progress": [{"date": "2021-08-01", "trained": 1}]}],
    }
    f = finding(rs, region)  # 1 (A, by the 15th) + 1 (B) of 8 = 25 %
    assert (f.status.value, f.outcome.detail["trained"], f.outcome.detail["teachers"]) == ("pass", 2, 8)
    region["school_figures"][0]["progress"][0]["trained"] = 0
    assert finding(rs, region).status.value == "fail"


def test_quota_region_staff_decides_over_the_schools_sum(tmp_path: Path) -> None:
    rs = quota_ruleset(tmp_path)
    f = finding(rs, {"staff": {"total": 40}, "school_figures": [
        {"id": "S1", "progress": [{"date": "2021-08-01", "trained": 10}]}]})
    assert (f.status.value, f.outcome.detail["teachers"]) == ("pass", 40)


def test_quota_never_guesses_an_unknown_figure(tmp_path: Path) -> None:
    rs = quota_ruleset(tmp_path)
    f = finding(rs, {"school_figures": [
        {"id": "S1", "staff": {"total": 10}, "progress": [{"date": "2021-08-01", "trained": 10}]},
        {"id": "S2", "progress": [{"date": "2021-08-01", "trained": 0}]}]})
    assert f.status.value == "missing_data" and f.outcome.detail["missing"] == ["S2.staff.total"]
    assert finding(rs, {}).status.value == "missing_data"  # a region with nothing said


def test_quota_of_no_teachers_does_not_apply(tmp_path: Path) -> None:
    rs = quota_ruleset(tmp_path)
    assert finding(rs, {"staff": {"total": 0}, "progress": [{"date": "2021-08-01", "trained": 0}]}).status.value == "not_applicable"


def test_quota_with_a_due_date_is_pending_before_it(tmp_path: Path) -> None:
    rs = load_ruleset("suncedu_2020")
    region = {"region": {"id": "C", "staff": {"total": 10}, "progress": [{"date": "2020-06-30", "trained": 1}]}}
    [f] = [f for f in evaluate(rs, region, as_of="2020-07-01").findings if f.rule_id == "SC-R-QUOTA-2020"]
    assert f.status.value == "pending"
    [f] = [f for f in evaluate(rs, region, as_of="2021-01-01").findings if f.rule_id == "SC-R-QUOTA-2020"]
    assert f.status.value == "fail"


def test_quota_is_for_region_rules_only(tmp_path: Path) -> None:
    doc = yaml.safe_load(Path(quota_ruleset(tmp_path).path).read_text(encoding="utf-8"))
    doc["rules"][0]["level"] = "school"
    bad = tmp_path / "school_quota.yaml"
    bad.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_ruleset(bad)
    assert "region" in str(exc.value)


def _city_quota(rule: str, total: int, day: str, trained: int) -> str:
    region = {"region": {"id": "C", "staff": {"total": total}, "progress": [{"date": day, "trained": trained}]}}
    report = evaluate("suncedu_2020", region, as_of="2023-01-01")
    return next(f.status.value for f in report.findings if f.rule_id == rule)


@given(total=st.integers(1, 5000), trained=st.integers(0, 5000))
def test_quota_passes_exactly_when_the_share_is_met(total: int, trained: int) -> None:
    trained = min(trained, total)
    assert (_city_quota("SC-R-QUOTA-2022", total, "2022-12-31", trained) == "pass") == (trained == total)
    assert (_city_quota("SC-R-QUOTA-2020", total, "2020-12-31", trained) == "pass") == (trained / total >= 0.3)


# -- the region record ------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "level"), [("县", "县"), ("区县", "县"), ("county", "县"), ("市级", "市"),
                                             ("city", "市"), ("省", "省"), ("province", "省")])
def test_region_levels_are_a_closed_set(text: str, level: str) -> None:
    assert Region.model_validate({"id": "R", "level": text}).level == level


def _refused(tmp_path: Path, capsys: Any, text: str) -> str:
    path = tmp_path / "county.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["check", str(path), "-r", "zeku_2023"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) >= 1
    return err


def test_an_unknown_level_is_a_located_error(tmp_path: Path, capsys: Any) -> None:
    err = _refused(tmp_path, capsys, "region:\n  id: R\n  level: 乡\n")
    assert re.search(r"county\.yaml:3:\d+", err) and "region.level" in err


def test_a_school_given_in_full_and_as_figures_is_refused(tmp_path: Path, capsys: Any) -> None:
    err = _refused(tmp_path, capsys, "region:\n  id: R\n  schools: [{id: S1}]\n  school_figures: [{id: S1}]\n")
    assert re.search(r"county\.yaml:4:\d+", err) and "school_figures" in err


def test_a_date_counted_twice_is_refused(tmp_path: Path, capsys: Any) -> None:
    text = "region:\n  id: R\n  progress:\n    - {date: 2021-08-15, trained: 1}\n    - {date: 2021-08-15, trained: 2}\n"
    err = _refused(tmp_path, capsys, text)
    assert re.search(r"county\.yaml:5:\d+", err)


def test_a_region_school_names_its_roster_and_roster_rows_join_region_schools(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("工号,姓名,完成日期\nT1,甲,2023-12-01\nT2,乙,\n", encoding="utf-8")
    (tmp_path / "county.yaml").write_text(
        "region:\n  id: ZK\n  schools:\n    - {id: A, staff: {total: 2}, roster: a.csv}\n"
        "    - {id: B, name: 二小, staff: {total: 1}}\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("工号,学校,完成日期\nT9,二小,2023-11-01\n", encoding="utf-8")
    records = read_records(tmp_path / "county.yaml")
    assert [t.id for t in records.regions[0].schools[0].teachers] == ["T1", "T2"]
    report = evaluate("zeku_2023", str(tmp_path / "county.yaml"), as_of="2024-01-05")
    [f] = [f for f in report.findings if f.rule_id == "ZK-R-TRAINED"]
    assert f.status.value == "missing_data" and f.outcome.detail["missing"] == ["B.trained"]  # B lists no one
    assert report.summary()["subjects"] == {"region": 1, "school": 2, "teacher": 2}
    out = main(["check", str(tmp_path / "county.yaml"), str(tmp_path / "b.csv"), "-r", "zeku_2023",
                "--as-of", "2024-01-05", "--select", "ZK-R", "-f", "json", "-o", str(tmp_path / "r.json")])
    assert out == 1
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    [trained] = [f for f in data["findings"] if f["rule"] == "ZK-R-TRAINED"]
    assert trained["detail"]["trained"] == 2 and trained["subject"]["level"] == "region"


def test_the_text_report_has_a_region_line(tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "county.yaml"
    path.write_text("region:\n  id: ZK\n  staff: {total: 1}\n  progress: [{date: 2023-12-31, trained: 1}]\n"
                    "  school_figures: [{id: S1, filed: true, pass_rate: 1}]\n", encoding="utf-8")
    assert main(["check", str(path), "-r", "zeku_2023", "--as-of", "2024-01-05", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"Regions\s+checked 1 · passed 1", out)


def test_a_region_of_figures_against_a_ruleset_without_region_rules_checks_nothing(tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "county.yaml"
    path.write_text("region:\n  id: R\n  school_figures: [{id: S1}]\n", encoding="utf-8")
    assert main(["check", str(path), "-r", "yongzhou_2023"]) == 3


def test_streaming_refuses_a_region_file(tmp_path: Path, capsys: Any) -> None:
    (tmp_path / "r.csv").write_text("工号,姓名\nT1,甲\n", encoding="utf-8")
    (tmp_path / "county.yaml").write_text("region:\n  id: R\n", encoding="utf-8")
    assert main(["check", str(tmp_path / "county.yaml"), str(tmp_path / "r.csv"), "-r", "zeku_2023", "-f", "jsonl"]) == 2


# -- schools grouped by county when no region record is given ----------------------------------


def test_county_of_reads_the_school_then_its_teachers() -> None:
    assert county_of(School(id="S", attributes={"county": "泽库县"})) == "泽库县"
    both = School(id="S", teachers=[{"id": "T1", "attributes": {"county": "甲县"}}, {"id": "T2", "attributes": {"county": "乙县"}}])
    assert county_of(both) is None  # two counties named: not guessed


def test_group_by_county_in_order() -> None:
    schools = [School(id="A", attributes={"county": "乙县"}), School(id="B", attributes={"county": "甲县"}),
               School(id="C", attributes={"county": "乙县"}), School(id="D")]
    regions, rest = group_by_county(schools)
    assert [(r.id, r.level, [s.id for s in r.schools]) for r in regions] == [("乙县", "县", ["A", "C"]), ("甲县", "县", ["B"])]
    assert [s.id for s in rest] == ["D"]


def test_check_group_by_county_from_a_roster_column(tmp_path: Path, capsys: Any) -> None:
    (tmp_path / "r.csv").write_text("工号,所属区县,完成日期\nT1,泽库县,2023-12-01\nT2,泽库县,2023-12-31\n", encoding="utf-8")
    (tmp_path / "s.yaml").write_text("school:\n  id: S1\n  staff: {total: 2}\n  roster: r.csv\n", encoding="utf-8")
    args = ["check", str(tmp_path / "s.yaml"), "-r", "zeku_2023", "--as-of", "2024-01-05", "--select", "ZK-R-TRAINED",
            "-f", "json", "-o", str(tmp_path / "out.json")]
    assert main(args) == 0  # without the flag: no region, no region rule
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["summary"]["subjects"] == {"school": 1, "teacher": 2}
    main([*args, "--group-by-county"])
    data = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    [f] = [f for f in data["findings"] if f["rule"] == "ZK-R-TRAINED"]
    assert (f["subject"]["id"], f["status"]) == ("泽库县", "pass")


# -- the walk-throughs of docs/new-document.md, run as written ---------------------------------


def _blocks(name: str) -> list[Any]:
    """The YAML blocks of docs/new-document.md marked ``<!-- region: NAME -->``, in order."""
    text = (DOCS / "new-document.md").read_text(encoding="utf-8")
    found = re.findall(rf"<!-- region: {re.escape(name)} -->\s*```yaml\n(.*?)```", text, re.S)
    assert found, f"no block {name!r} in docs/new-document.md"
    return [yaml.safe_load(b) for b in found]


def test_walkthrough_city_yearly_quotas_is_the_bundled_ruleset() -> None:
    rs = load_ruleset("suncedu_2020")
    [rules] = _blocks("city-rules")
    assert [r["id"] for r in rules] == ["SC-R-QUOTA-2020", "SC-R-QUOTA-2021", "SC-R-QUOTA-2022"]
    for r in rules:
        assert rs.rule(r["id"]).check.model_dump(exclude_none=True, exclude_defaults=True) == r["check"]
    [city] = _blocks("city-record")
    found = {f.rule_id: f.status.value for f in evaluate(rs, city, as_of="2023-01-01").findings if f.subject.level == "region"}
    assert found == {"SC-R-QUOTA-2020": "pass", "SC-R-QUOTA-2021": "fail", "SC-R-QUOTA-2022": "fail"}


def test_walkthrough_zhejiang_phase_quota_runs(tmp_path: Path) -> None:
    [ruleset] = _blocks("zhejiang-ruleset")
    path = tmp_path / "zhejiang_example.yaml"
    path.write_text(yaml.safe_dump(ruleset, allow_unicode=True), encoding="utf-8")
    rs = load_ruleset(path)
    meets, misses = _blocks("zhejiang-record")
    def status(data: Any, as_of: str) -> list[str]:
        return [f.status.value for f in evaluate(rs, data, as_of=as_of).findings if f.rule_id == "ZJ-R-PHASE1"]
    assert status(meets, "2021-08-16") == ["pass"]
    assert status(misses, "2021-08-16") == ["fail"]
    assert status(misses, "2021-08-01") == ["pending"]


def test_a_full_schools_pass_rate_is_its_tagged_rule_whatever_findings_are_kept() -> None:
    """KY-S-PASS-RATE (tagged pass_rate) gives a full school's rate; a failures-only run, which
    keeps no passing finding, reads the same rate."""
    region = {"region": {"id": "KY", "staff": {"total": 2}, "schools": [
        {"id": "S1", "staff": {"total": 2}, "teachers": [{"id": "T1"}, {"id": "T2"}]}]}}
    for keep in (None, {"fail"}):
        report = evaluate("kaiyuan_2024", region, as_of="2024-07-01", keep=keep)
        [f] = [f for f in report.findings if f.rule_id == "KY-R-PASS-RATES"]
        assert f.status.value == "fail"
    [s] = [s for s in load_ruleset("zeku_2023").rules if "pass_rate" in s.tags]
    assert s.id == "ZK-S-PASS-RATE"


def test_a_school_alone_and_inside_a_region_is_given_twice(tmp_path: Path, capsys: Any) -> None:
    (tmp_path / "county.yaml").write_text("region:\n  id: R\n  schools:\n    - {id: S1}\n", encoding="utf-8")
    (tmp_path / "school.yaml").write_text("school:\n  id: S1\n", encoding="utf-8")
    code = main(["check", str(tmp_path / "school.yaml"), str(tmp_path / "county.yaml"), "-r", "zeku_2023"])
    err = capsys.readouterr().err
    assert code == 2 and re.search(r"county\.yaml:4", err) and "school.yaml" in err
