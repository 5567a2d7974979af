"""Input problems (a roster row skipped, a row whose school matches nothing, a school with no
rows, a hidden sheet) are in the report and shown by every output format (issues #13, #16)."""

from __future__ import annotations

import html
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl
import pytest
import yaml

from ict2rules import InputProblem, evaluate
from ict2rules.cli import main
from ict2rules.errors import Problem
from ict2rules.input.files import Records, join_schools, read_records
from ict2rules.render import BINARY, formats, write
from ict2rules.report.report import problem_kind, rows_left_out
from test_text import GOOD  # a teacher meeting every zeku teacher rule

AS_OF = "2023-10-08"
SCHOOLS = """schools:
  - id: S1
    name: 一小
    point_scope: [A1, A2, A5, A11, B2, B4]
"""
# row 3 names a school that is not given; row 4 is a total row, not a teacher
ROSTER = "教师编号,姓名,学校编号,线上学时,线下学时\nT1,张三,S1,50,25\nT2,李四,S9,50,25\n合计,,,100,50\n"


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("problems")
    (d / "schools.yaml").write_text(SCHOOLS, encoding="utf-8")
    (d / "roster.csv").write_text(ROSTER, encoding="utf-8")
    return d / "schools.yaml", d / "roster.csv"


@pytest.fixture(scope="module")
def report(files):
    records = Records()
    for path in files:
        records.extend(read_records(path, keep_going=True))
    join_schools(records, keep_going=True)
    return evaluate("zeku_2023", records, as_of=AS_OF)


def test_the_report_carries_them_typed_and_counted(report, files):
    kinds = {p.kind: p for p in report.input_problems}
    assert set(kinds) == {"skipped_row", "unjoined_row"}
    unjoined = kinds["unjoined_row"]
    assert (Path(unjoined.file).name, unjoined.row, unjoined.line, unjoined.field) == ("roster.csv", 3, None, "school_id")
    assert "S9" in unjoined.reason("zh") and "S9" in unjoined.reason("en")
    assert kinds["skipped_row"].row == 4
    counts = report.summary()["input_problems"]
    assert counts == {"skipped_row": 1, "unjoined_row": 1, "school_without_rows": 0, "sheet": 0, "column": 0}
    assert report.to_dict()["input_problems"][0]["kind"] == "unjoined_row"  # in row order


def test_kinds_of_kept_problems():
    assert problem_kind(Problem("a.csv", "z", "e", line=2, field="teachers", code="unjoined")) == "school_without_rows"
    assert problem_kind(Problem("a.xlsx[隐藏]", "z", "e", code="skipped")) == "sheet"
    assert problem_kind(Problem("a.csv", "z", "e", line=1, column=4, code="unknown_column")) == "column"
    assert problem_kind(Problem("a.csv", "z", "e", line=7, code="duplicate")) == "skipped_row"
    p = InputProblem.of(Problem("plan.yaml", "z", "e", line=5, column=3, code="unjoined", field="teachers"))
    assert (p.line, p.row, p.column, p.place()) == (5, None, 3, "plan.yaml:5:3")


def _text_of(fmt: str, report, lang: str = "zh") -> str:
    if fmt in BINARY:
        buf = io.BytesIO()
        write(fmt, report, buf, lang=lang)
        book = openpyxl.load_workbook(io.BytesIO(buf.getvalue()), read_only=True)
        return "\n".join(str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row)
    out = io.StringIO()
    write(fmt, report, out, lang=lang, color=False, **({"width": 300} if fmt == "text" else {}))
    return html.unescape(out.getvalue()) if fmt == "html" else out.getvalue()


@pytest.mark.parametrize("fmt", formats())
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_format_shows_the_skipped_and_the_unjoined_row(report, fmt, lang):
    text = _text_of(fmt, report, lang)
    reasons = [p.reason(lang) for p in report.input_problems]
    if fmt in ("json", "jsonl", "sarif"):  # both languages, as JSON strings
        reasons = [json.dumps(p.reason_zh, ensure_ascii=False)[1:-1] for p in report.input_problems]
    for reason in reasons:
        assert reason[:20] in text, (fmt, reason)
    assert "S9" in text


def test_machine_formats_give_them_structure(report):
    lines = [json.loads(x) for x in _text_of("jsonl", report).splitlines()]
    items = [x for x in lines if x.get("type") == "input_problem"]
    assert [x["kind"] for x in items] == ["unjoined_row", "skipped_row"]
    assert lines[-1]["type"] == "summary" and lines[-1]["input_problems"]["unjoined_row"] == 1

    root = ET.fromstring(_text_of("junit", report))
    cases = root.findall(".//testcase[@classname='input.unjoined_row']")
    assert len(cases) == 1 and cases[0].find("skipped") is not None
    assert int(root.get("tests")) == sum(int(s.get("tests")) for s in root.findall("testsuite"))

    sarif = json.loads(_text_of("sarif", report))
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert {n["descriptor"]["id"] for n in notes} == {"input/unjoined_row", "input/skipped_row"}
    assert {n["locations"][0]["physicalLocation"]["region"]["startLine"] for n in notes} == {3, 4}

    github = _text_of("github", report).splitlines()
    assert sum(line.startswith("::warning file=") and "line=3" in line for line in github) == 1


def test_xlsx_has_a_sheet_of_them(report):
    buf = io.BytesIO()
    write("xlsx", report, buf)
    book = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))
    rows = list(book["输入问题"].iter_rows(values_only=True))
    assert rows[0][:4] == ("类别", "文件", "工作表", "行")
    assert [(r[0], r[3]) for r in rows[1:]] == [("未关联学校的行", 3), ("已跳过的行", 4)]


def test_a_report_without_problems_adds_no_section():
    clean = evaluate("zeku_2023", {"teacher": {"id": "T1"}}, as_of=AS_OF)
    assert "输入问题" not in _text_of("text", clean) and "input-problems" not in _text_of("html", clean)
    assert "输入问题" not in _text_of("markdown", clean)
    buf = io.BytesIO()
    write("xlsx", clean, buf)
    assert "输入问题" not in openpyxl.load_workbook(io.BytesIO(buf.getvalue())).sheetnames


@pytest.mark.parametrize("fmt", ["json", "jsonl", "markdown", "text"])
def test_the_cli_writes_them_in_memory_and_streamed(files, tmp_path, fmt, capsys):
    out = tmp_path / f"out.{fmt}"
    code = main(["check", *map(str, files), "-r", "zeku_2023", "--as-of", AS_OF, "--keep-going",
                 "-f", fmt, "-o", str(out)])
    assert code == 1
    text = out.read_text("utf-8")
    assert "S9" in text and "合计" in text
    if fmt == "jsonl":  # this one streamed (a roster and a schools file)
        summary = json.loads(text.splitlines()[-1])
        assert summary["input_problems"]["skipped_row"] == 1 and summary["input_problems"]["unjoined_row"] == 1
    if fmt == "json":
        assert json.loads(text)["summary"]["input_problems"]["unjoined_row"] == 1


def test_a_school_without_rows_and_a_hidden_sheet(tmp_path):
    (tmp_path / "schools.yaml").write_text(SCHOOLS + "  - id: S2\n    name: 二小\n", encoding="utf-8")
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "一小"
    ws.append(["教师编号", "姓名", "学校编号", "线上学时", "线下学时"])
    ws.append(["T1", "张三", "S1", 50, 25])
    hidden = book.create_sheet("旧名单")
    hidden.append(["教师编号", "姓名", "学校编号"])
    hidden.append(["T8", "王五", "S1"])
    hidden.sheet_state = "hidden"
    book.save(tmp_path / "roster.xlsx")
    records = Records()
    for name in ("schools.yaml", "roster.xlsx"):
        records.extend(read_records(tmp_path / name, keep_going=True))
    join_schools(records, keep_going=True)
    report = evaluate("zeku_2023", records, as_of=AS_OF)
    kinds = {p.kind: p for p in report.input_problems}
    assert kinds["sheet"].sheet == "旧名单" and kinds["sheet"].file.endswith("roster.xlsx")
    assert "S2" in kinds["school_without_rows"].reason("en")
    text = _text_of("text", report, "en")
    assert "sheet not read" in text and "school with no roster rows" in text


def test_sarif_and_junit_with_input_problems_still_validate(report):
    import jsonschema

    schemas = Path(__file__).parent / "schemas"
    log = json.loads(_text_of("sarif", report))
    schema = json.loads((schemas / "sarif-2.1.0-subset.schema.json").read_text(encoding="utf-8"))
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(log))
    assert not errors, errors[0]
    xmlschema = pytest.importorskip("xmlschema", reason="xmlschema is not installed (optional, test only)")
    xmlschema.XMLSchema(str(schemas / "junit.xsd")).validate(io.StringIO(_text_of("junit", report)))


# -- a teacher row left out is a teacher nobody checked: never "every rule met" ----------------


EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "zeku_2023" / "school_ok.yaml"


def _files(tmp_path: Path, bad: bool) -> list[str]:
    rows = [{"id": "T1", **GOOD}, {"id": "T2", **GOOD}]
    if bad:
        rows.insert(1, {"id": "T9", **GOOD, "hours": {"online": "五十"}})  # left out with --keep-going
    (tmp_path / "roster.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    # the example school, its teachers in the roster; it states 2 in-service teachers, so its
    # 全员 rule is met by T1 and T2 and only the row left out can hold the verdict back
    plan = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    plan["school"].pop("teachers")
    plan["school"]["staff"] = {"total": 2}
    (tmp_path / "schools.yaml").write_text(yaml.safe_dump({"schools": [plan["school"]]}, allow_unicode=True),
                                           encoding="utf-8")
    return [str(tmp_path / "roster.jsonl"), str(tmp_path / "schools.yaml")]  # streamed with -f jsonl


@pytest.mark.parametrize("fmt", ["text", "jsonl"])
def test_a_bad_row_left_out_never_passes(tmp_path: Path, capsys, fmt: str) -> None:
    args = ["-r", "zeku_2023", "--as-of", "2024-01-15", "--keep-going", "-f", fmt]
    assert main(["check", *_files(tmp_path, bad=False), *args]) == 0  # every teacher met
    capsys.readouterr()
    assert main(["check", *_files(tmp_path, bad=True), *args]) == 1  # T9 was never checked
    out = capsys.readouterr().out
    if fmt == "text":
        assert "✘ 有必备要求未满足(错误 0 · 警告 0 · 未检查的名册行 1)" in out
    else:
        summary = json.loads(out.splitlines()[-1])
        assert summary["passed"] is False and summary["errors"] == 0
        assert summary["teachers"]["checked"] == 2 and summary["teachers"]["pass_rate"] == 1.0


def test_total_and_note_rows_do_not_hold_a_verdict_back(files) -> None:
    # the 合计 row of ROSTER is skipped, and is not a teacher: it never makes a report not passed
    report = evaluate("zeku_2023", read_records(files[1], keep_going=True), as_of=AS_OF)
    assert [p.code for p in report.input_problems if p.kind == "skipped_row"] == ["skipped"]
    assert rows_left_out(report.input_problems) == 0
