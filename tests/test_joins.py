"""Joins that never fail silently, every record counted once, checking nothing never a pass,
records read as strictly as rosters — in memory and streamed alike (issues 13 and 16)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ict2rules import load_ruleset
from ict2rules.cli import EXIT_NOTHING, main
from ict2rules.errors import InputError
from ict2rules.input.files import Records, join_schools, read_records
from ict2rules.input.records import School, Teacher
from ict2rules.input.yamlsafe import load_yaml_text

RS = "zeku_2023"
COMPLETE = "50,25"  # online, offline hours


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main(["check", *map(str, argv)])
    out = capsys.readouterr()
    return code, out.out, out.err


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def summary_of(fmt: str, out: str) -> dict:
    return json.loads(out)["summary"] if fmt == "json" else json.loads(out.splitlines()[-1])


# ------------------------------------------------------------------------- nothing checked


@pytest.mark.parametrize("fmt", ["text", "json", "jsonl"])
def test_every_row_skipped_is_nothing_checked_not_a_pass(tmp_path, capsys, fmt):
    roster = write(tmp_path, "r.csv", "工号,线上学时\nT1,五十\nT2,六十\n")
    code, out, err = run(capsys, roster, "-r", RS, "-f", fmt, "--keep-going")
    assert code == EXIT_NOTHING == 3
    assert out == ""  # no report saying all is met
    assert "nothing was checked" in err and "未检查任何" in err and "2 rows skipped" in err
    assert "全部必备要求均已满足" not in out + err


def test_a_school_whose_roster_rows_are_all_skipped_checks_no_teacher(tmp_path, capsys):
    write(tmp_path, "r.csv", "工号,线上学时\nT1,五十\n")
    rs = write(tmp_path, "only_teachers.yaml", _TEACHER_ONLY_RULESET)
    school = write(tmp_path, "s.yaml", "school:\n  id: S1\n  roster: r.csv\n")
    code, out, err = run(capsys, school, "-r", rs, "--keep-going")
    assert code == 3 and out == ""
    assert "has 1 teacher rules but no teacher was checked (1 row skipped)" in err


def test_nothing_checked_never_overrides_rules_not_met(tmp_path, capsys):
    school = write(tmp_path, "s.yaml", "school:\n  id: S1\n  teachers: []\n")
    code, out, _ = run(capsys, school, "-r", RS, "-f", "json")
    assert code == 1 and summary_of("json", out)["teachers"]["checked"] == 0


def test_a_plan_without_teachers_is_a_check_of_the_plan(capsys):
    plan = Path(__file__).resolve().parents[1] / "examples" / "yongzhou_2023" / "plan_fixed.yaml"
    code, _, _ = run(capsys, plan, "-r", "yongzhou_2023", "--as-of", "2023-10-01")
    assert code == 0


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
@pytest.mark.parametrize("text", ["工号,姓名,线上学时\n", "\ufeff工号,线上学时\r\n"])
def test_a_file_that_yields_no_subject_is_an_input_error(tmp_path, capsys, fmt, text):
    roster = write(tmp_path, "h.csv", text)
    code, out, err = run(capsys, roster, "-r", RS, "-f", fmt)
    assert code == 2 and out == ""
    assert f"{roster}: " in err and "holds no teacher, school or project" in err


# ------------------------------------------------------------------------------- joins


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    return write(tmp_path, "plan.yaml", "schools:\n  - {id: S1, name: 第一小学}\n  - {id: S2, name: 第二小学}\n")


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_rows_join_schools_by_id_or_exact_name(tmp_path, capsys, plan, fmt):
    roster = write(tmp_path, "r.csv", f"工号,学校,线上学时,线下学时\nT1,第一小学,{COMPLETE}\nT2,S2,{COMPLETE}\n")
    code, out, err = run(capsys, plan, roster, "-r", RS, "-f", fmt)
    assert code in (0, 1), err
    summary = summary_of(fmt, out)
    assert summary["subjects"] == {"school": 2, "teacher": 2} and summary["teachers"]["checked"] == 2
    if fmt == "jsonl":
        rollups = {x["school"] for x in map(json.loads, out.splitlines()) if x.get("type") == "school_rollup"}
        assert rollups == {"S1", "S2"}  # the name joined S1, as in memory


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_a_row_whose_school_matches_nothing_is_a_located_error(tmp_path, capsys, plan, fmt):
    roster = write(tmp_path, "r.csv",
                   f"工号,学校,线上学时,线下学时\nT1,S1,{COMPLETE}\nT2,S2,{COMPLETE}\nT3,第三小学,{COMPLETE}\n")
    code, out, err = run(capsys, plan, roster, "-r", RS, "-f", fmt)
    assert code == 2 and out == ""
    assert f"ict2rules: {roster}:4: school_id: " in err
    assert "school '第三小学' matches no given school by id or name (given: S1, S2)" in err


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_keep_going_checks_an_unjoined_row_alone_and_says_so(tmp_path, capsys, plan, fmt):
    roster = write(tmp_path, "r.csv",
                   f"工号,学校,线上学时,线下学时\nT1,S1,{COMPLETE}\nT2,S2,{COMPLETE}\nT3,S9,{COMPLETE}\n")
    code, out, err = run(capsys, plan, roster, "-r", RS, "-f", fmt, "--keep-going")
    assert code == 1
    assert summary_of(fmt, out)["teachers"]["checked"] == 3
    assert err.count("warning, not joined") == 1 and f"{roster}:4" in err


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_a_school_no_row_names_is_a_located_error(tmp_path, capsys, plan, fmt):
    roster = write(tmp_path, "r.csv", f"工号,学校,线上学时,线下学时\nT1,S1,{COMPLETE}\n")
    code, out, err = run(capsys, plan, roster, "-r", RS, "-f", fmt)
    assert code == 2 and out == ""
    assert f"ict2rules: {plan}:3: teachers: " in err
    assert "school 'S2' (第二小学) has no teachers: no roster row names it" in err


def test_a_roster_without_a_school_column_joins_the_only_school(tmp_path, capsys):
    school = write(tmp_path, "s.yaml", "school: {id: S1, name: 一小}\n")
    roster = write(tmp_path, "r.csv", f"工号,线上学时,线下学时\nT1,{COMPLETE}\n")
    for fmt in ("json", "jsonl"):
        code, out, _ = run(capsys, school, roster, "-r", RS, "-f", fmt)
        assert code == 1
        assert summary_of(fmt, out)["subjects"] == {"school": 1, "teacher": 1}
    two = write(tmp_path, "two.yaml", "schools: [{id: S1}, {id: S2}]\n")
    code, _, err = run(capsys, two, roster, "-r", RS)
    assert code == 2 and "this row names no school (no school column)" in err


def test_a_lone_teacher_beside_a_school_with_its_own_teachers_stays_alone():
    school = School(id="S1", teachers=[Teacher(id="T1")])
    records = Records(teachers=[Teacher(id="T2")], schools=[school])
    join_schools(records)
    assert [t.id for t in records.teachers] == ["T2"] and [t.id for t in school.teachers] == ["T1"]


def test_a_name_two_schools_share_joins_neither():
    records = Records(teachers=[Teacher(id="T1", school_id="一小")],
                      schools=[School(id="S1", name="一小"), School(id="S2", name="一小")])
    with pytest.raises(InputError) as err:
        join_schools(records)
    assert {p.code for p in err.value.problems} == {"unjoined"}


# ------------------------------------------------------------------------- counted once


def test_the_same_teacher_in_two_school_files(tmp_path, capsys):
    a = write(tmp_path, "a.yaml", "school:\n  id: S1\n  teachers: [{id: T1}]\n")
    b = write(tmp_path, "b.yaml", "school:\n  id: S2\n  teachers: [{id: T1}]\n")
    code, out, err = run(capsys, a, b, "-r", RS, "-f", "json")
    assert code == 2 and out == ""
    assert f"ict2rules: {b}:3: id: " in err and f"teacher id 'T1' appears twice (already in {a}:3)" in err


def test_the_same_teacher_with_keep_going_is_counted_once(tmp_path, capsys):
    a = write(tmp_path, "a.yaml", "school:\n  id: S1\n  teachers: [{id: T1}]\n")
    b = write(tmp_path, "b.yaml", "school:\n  id: S2\n  teachers: [{id: T1}, {id: T2}]\n")
    _, out, err = run(capsys, a, b, "-r", RS, "-f", "json", "--keep-going")
    summary = summary_of("json", out)
    assert summary["teachers"]["checked"] == 2 and summary["skipped_rows"] == 1
    assert "warning, skipped" in err


def test_the_same_school_id_in_two_files(tmp_path, capsys):
    a = write(tmp_path, "a.yaml", "school:\n  id: S1\n")
    b = write(tmp_path, "b.yaml", "schools:\n  - {id: S0}\n  - {id: ' S1'}\n")
    code, _, err = run(capsys, a, b, "-r", RS)
    assert code == 2 and f"{b}:3: id: " in err and f"school id 'S1' appears twice (already in {a}:2)" in err


def test_a_teacher_inline_and_again_in_a_roster(tmp_path, capsys):
    a = write(tmp_path, "a.yaml", "school:\n  id: S1\n  teachers: [{id: T1}]\n")
    roster = write(tmp_path, "r.csv", "工号,学校,线上学时\nT1,S1,50\n")
    code, _, err = run(capsys, a, roster, "-r", RS)
    assert code == 2 and f"{roster}:2: id: " in err and f"already in {a}:3" in err


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_the_same_file_twice_or_through_a_link(tmp_path, capsys, fmt):
    roster = write(tmp_path, "r.csv", "工号,线上学时\nT1,50\n")
    link = tmp_path / "link.csv"
    link.symlink_to(roster)
    for again in (roster, link):
        code, out, err = run(capsys, roster, again, "-r", RS, "-f", fmt)
        assert code == 2 and out == ""
        assert f"{again}: " in err and f"the same file is given twice (same as {roster})" in err


@pytest.mark.parametrize("keep_going", [False, True])
def test_streamed_duplicates_are_left_out_as_in_memory(tmp_path, capsys, keep_going):
    roster = write(tmp_path, "d.csv", "工号,线上学时\nT1,50\nT1 ,10\nT2,50\n")
    flags = ["--keep-going"] if keep_going else []
    results = {fmt: run(capsys, roster, "-r", RS, "-f", fmt, *flags) for fmt in ("json", "jsonl")}
    if not keep_going:
        for code, out, err in results.values():
            assert code == 2 and out == "" and f"{roster}:3: id: " in err
        return
    counts = {fmt: (s["teachers"]["checked"], s["skipped_rows"])
              for fmt, (_, out, _) in results.items() for s in [summary_of(fmt, out)]}
    assert counts == {"json": (2, 1), "jsonl": (2, 1)}


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(["T1", " T1", "T1 ", "T2", "\tT2"]), min_size=1, max_size=6))
def test_duplicate_ids_are_found_alike_streamed_and_in_memory(tmp_path_factory, ids):
    folder = tmp_path_factory.mktemp("dup")
    roster = folder / "r.jsonl"
    roster.write_text("".join(json.dumps({"id": i}) + "\n" for i in ids), encoding="utf-8")
    import io

    from ict2rules.evaluation.stream import check_stream

    records = read_records(roster, keep_going=True)
    buf = io.StringIO()
    tally = check_stream(load_ruleset(RS), [roster], buf, keep_going=True)
    distinct = len({i.strip() for i in ids})
    assert (len(records.teachers), records.skipped_rows) == (distinct, len(ids) - distinct)
    assert (tally.teachers_checked, tally.skipped_rows) == (distinct, len(ids) - distinct)


def test_a_streamed_bad_row_stops_the_run_before_any_finding_is_written(tmp_path, capsys):
    roster = write(tmp_path, "b.csv", "工号,线上学时\nT1,50\nT2,五十\n")
    code, out, err = run(capsys, roster, "-r", RS, "-f", "jsonl")
    assert code == 2 and out == "" and f"{roster}:3:2" in err
    target = write(tmp_path, "old.jsonl", "earlier report\n")
    code, _, _ = run(capsys, roster, "-r", RS, "-f", "jsonl", "-o", target)
    assert code == 2 and target.read_text(encoding="utf-8") == "earlier report\n"


# -------------------------------------------------------------------------- strictness


@pytest.mark.parametrize("text, value", [
    ("a: yes", "yes"), ("a: no", "no"), ("a: on", "on"), ("a: Off", "Off"), ("a: y", "y"),
    ("a: true", True), ("a: False", False),
    ("a: 050", "050"), ("a: 0x32", "0x32"), ("a: 0o17", "0o17"), ("a: 0b110010", "0b110010"),
    ("a: 1:05", "1:05"), ("a: 1_000", "1_000"), ("a: 1_0.5", "1_0.5"), ("a: 1:05.5", "1:05.5"),
    ("a: 0", 0), ("a: -5", -5), ("a: +7", 7), ("a: 50.5", 50.5), ("a: 0.5", 0.5), ("a: 1.5e+3", 1500.0),
    ("a: 2023-09-01", __import__("datetime").date(2023, 9, 1)), ("a: null", None),
])
def test_plain_scalars_are_read_as_yaml_1_2(text, value):
    data, _ = load_yaml_text(text + "\n", "x.yaml")
    assert data["a"] == value and type(data["a"]) is type(value)


@pytest.mark.parametrize("field, value", [
    ("hours.online", True), ("hours.online", "50"), ("hours.online", "050"), ("score", False),
    ("lessons_uploaded", "3"), ("lessons_uploaded", True), ("completed_on", 0),
    ("completed_on", 1694995200), ("completed_on", "1700006400"), ("completed_on", 20230901.0),
])
def test_records_refuse_lax_coercions(field, value):
    data: dict = {"id": "T1"}
    *parents, last = field.split(".")
    node = data
    for p in parents:
        node = node.setdefault(p, {})
    node[last] = value
    with pytest.raises(InputError) as err:
        read_records_from({"teacher": data})
    (problem,) = err.value.problems
    assert problem.field == f"teacher.{field}"


def read_records_from(data: dict) -> Records:
    from ict2rules.input.files import records_from_data

    return records_from_data(data)


@pytest.mark.parametrize("value", [50, 50.5, 0])
def test_plain_numbers_and_iso_dates_still_read(value):
    records = read_records_from({"teacher": {"id": "T1", "hours": {"online": value},
                                             "completed_on": "2023-09-01", "enrolled": "yes"}})
    t = records.teachers[0]
    assert t.hours.online == value and t.completed_on.isoformat() == "2023-09-01" and t.enrolled is True


def test_a_typo_in_practice_gets_a_did_you_mean(tmp_path, capsys):
    text = "teacher:\n  id: T1\n  hours: {online: 50, offline: 25, practice: {lesson: 5, certifcation: 15, process: 5}}\n"
    record = write(tmp_path, "p.yaml", text)
    code, out, err = run(capsys, record, "-r", RS)
    assert code == 2 and out == ""
    assert f"{record}:2: hours.practice.certifcation: " in err and "did you mean 'certification'?" in err
    roster = write(tmp_path, "p.jsonl", json.dumps({"id": "T1", "hours": {"practice": {"lesosn": 5}}}) + "\n")
    code, _, err = run(capsys, roster, "-r", RS, "-f", "jsonl", "--keep-going")
    assert code == 2 and f"{roster}:1: hours.practice.lesosn: " in err and "did you mean 'lesson'?" in err


def test_a_part_the_ruleset_does_not_read_is_kept(tmp_path, capsys):
    text = ("teacher:\n  id: T1\n  hours: {online: 50, offline: 25, "
            "practice: {lesson: 5, certification: 15, process: 5, reading: 3}}\n")
    code, _, _ = run(capsys, write(tmp_path, "p.yaml", text), "-r", RS)
    assert code in (0, 1)


def test_remove_rules_must_name_an_inherited_rule(tmp_path, capsys):
    rs = write(tmp_path, "my.yaml", "id: my\nextends: zeku_2023\ntitle: {zh: 我的, en: Mine}\n"
               "document: {title: x, issuer: y, level: county}\nremove_rules: [ZK-T-HOURS-ONLNE]\n")
    assert main(["validate", str(rs)]) == 2
    err = capsys.readouterr().err
    assert f"{rs}:5:16: remove_rules[0]: " in err and "did you mean 'ZK-T-HOURS-ONLINE'?" in err


@pytest.mark.parametrize("roster, expect", [
    ('"a\\0.csv"', "holds a NUL character"),
    (".", "is a folder"),
    ("sub", "is a folder"),
    ("x" * 5000, "too long (5000 characters)"),
])
def test_a_bad_roster_name_is_located_at_the_school_file(tmp_path, capsys, roster, expect):
    (tmp_path / "sub").mkdir()
    school = write(tmp_path, "s.yaml", f"school:\n  id: S1\n  roster: {roster}\n")
    code, _, err = run(capsys, school, "-r", RS)
    assert code == 2 and err.startswith(f"ict2rules: {school}:3:11: school.roster: ") and expect in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


_TEACHER_ONLY_RULESET = """\
id: only_teachers
title: {zh: 只有教师规则, en: Teacher rules only}
document: {title: 测试文件, issuer: 测试局, level: county}
parameters:
  online_hours: {value: 50, unit: 学时, source: {section: 一, quote: 线上50学时}}
rules:
  - id: T-ONLINE
    level: teacher
    title: {zh: 线上学时, en: Online hours}
    message: {zh: "线上 {actual}", en: "online {actual}"}
    check: {kind: threshold, args: {value: hours.online, min: $online_hours}}
    source: {section: 一, quote: 线上50学时}
"""


@pytest.mark.parametrize("variant", ["Ｔ１", "T1\u200b", "\ufeffT1", " T1\u00ad"])
def test_invisible_and_full_width_id_variants_are_the_same_teacher(tmp_path: Path, variant: str) -> None:
    """S8: an id that only looks different in a spreadsheet is the same id, in memory and streamed."""
    roster = tmp_path / "r.csv"
    roster.write_text(f"工号,线上学时\nT1,50\n{variant},50\n", encoding="utf-8")
    for fmt in ("json", "jsonl"):
        assert main(["check", str(roster), "-r", "zeku_2023", "-f", fmt, "-o", str(tmp_path / "o")]) == 2


def test_case_is_kept_apart(tmp_path: Path) -> None:
    roster = tmp_path / "r.csv"
    roster.write_text("工号,线上学时\nT1,50\nt1,50\n", encoding="utf-8")
    assert main(["check", str(roster), "-r", "zeku_2023", "-f", "json", "-o", str(tmp_path / "o")]) == 1


def test_a_file_with_a_teacher_and_a_school_is_refused(tmp_path: Path) -> None:
    """S12: one record file says one thing: a teacher, teachers, a school, schools or projects."""
    path = tmp_path / "two.yaml"
    path.write_text("teacher:\n  id: T1\nschool:\n  id: S1\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_records(path)
    (problem,) = err.value.problems
    assert problem.line == 1 and "teacher, school" in problem.message_en
