"""Every report format: what a school lead reads (text, markdown, html) and what other systems
read (json, jsonl, junit, sarif, github), on the zeku example and on records built here."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
import yaml
from rich.cells import cell_len

from ict2rules import evaluate
from ict2rules.input.files import Records
from ict2rules.input.records import School, Teacher
from ict2rules.kinds.base import Status
from ict2rules.render import formats, write
from ict2rules.render.github import escape_data, escape_property
from ict2rules.render.html import SUMMARY_IDS
from ict2rules.render.jsonl import summary_line
from ict2rules.render.markdown import md
from ict2rules.render.sarif import locate
from ict2rules.render.text import progress, rate_summaries, teacher_groups
from ict2rules.report.report import finding_dict

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "zeku_2023" / "school_ok.yaml"
REPORT_SCHEMA = ROOT / "src" / "ict2rules" / "schemas" / "report.schema.json"
TEST_SCHEMAS = Path(__file__).parent / "schemas"
AS_OF = "2024-01-15"  # after every zeku deadline: unfinished work is not met
EARLY = "2023-10-08"  # before the end-of-2023 deadline: unfinished work is pending

GOOD_TEACHER = {
    "hours": {"online": 50, "offline": 25, "practice": {"lesson": 5, "certification": 15, "process": 5}},
    "lessons_uploaded": 1, "lessons_reviewed": 3, "peer_reviews_given": 4,
    "points": [
        {"code": "A1", "evidence": {"shows_teacher": True, "own_work": True}},
        {"code": "A3", "evidence": {"shows_teacher": True, "own_work": True}},
        {"code": "A5", "evidence": {"shows_teacher": True, "own_work": True}},
    ],
    "peer_score": 92, "school_score": 90, "score": 91, "completed_on": "2023-09-10", "assessed_on": "2023-09-18",
    "documents": [{"name": "选学任务清单", "filed_on": "2023-06-25"}],  # 四(三)2 教师选学有任务清单
}


def bad_school(school_id: str = "ZK-BAD", name: str = "测试|中学") -> dict:
    """A school with a draft plan, one compliant teacher, one short of hours and one with no data."""
    return {
        "id": school_id,
        "name": name,
        "environments": ["A", "B"],
        "point_scope": ["A1", "A3", "A5", "A11", "B2", "B6"],
        "teams": {"management": {"members": [{"name": "甲", "role": "副校长", "leader": True}]},
                  "training": {"members": [{"role": "骨干教师"}]}},
        "documents": [{"name": "学校整校推进能力提升工程2.0实施方案", "filed_on": "2023-06-12", "approved": True}],
        "review_applied_on": "2023-09-25",
        "teachers": [
            {"id": "T1", "name": "卓玛吉", **GOOD_TEACHER},
            {"id": "T2", "name": "<b>王</b>", "hours": {"online": 40, "offline": 20}, "lessons_uploaded": 1,
             "lessons_reviewed": 2, "points": [{"code": "A1"}, {"code": "C1"}],
             "peer_score": 50, "school_score": 55, "score": 52.5, "assessed_on": "2023-09-18"},
            {"id": "T3", "name": "才让吉"},
        ],
    }


@pytest.fixture(scope="module")
def ok_report():
    return evaluate("zeku_2023", EXAMPLE, as_of=AS_OF)


@pytest.fixture(scope="module")
def bad_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("plans") / "bad.yaml"
    path.write_text(yaml.safe_dump({"school": bad_school()}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def bad_report(bad_file):
    return evaluate("zeku_2023", bad_file, as_of=AS_OF)


@pytest.fixture(scope="module")
def early_report(bad_file):
    return evaluate("zeku_2023", bad_file, as_of=EARLY)


def render(fmt: str, report, **options) -> str:
    out = io.StringIO()
    write(fmt, report, out, **options)
    return out.getvalue()


def test_every_format_is_registered():
    assert set(formats()) >= {"text", "json", "jsonl", "markdown", "html", "junit", "sarif", "github"}


def test_the_fixtures_have_every_status(bad_report, early_report):
    # the renderers below are exercised on each status, so make sure the fixtures have them all
    assert {f.status for f in bad_report.findings} == set(Status) - {Status.PENDING}
    assert Status.PENDING in {f.status for f in early_report.findings}


# ------------------------------------------------------------------------------------ text


def test_text_summary_counts_and_verdict_in_chinese(bad_report):
    out = render("text", bad_report)
    assert "检查 3 · 合格 1 · 未合格或缺少数据 2 · 合格率 33.3%" in out
    assert "✘ 有必备要求未满足" in out
    assert "需要修改(按建议顺序)" in out and "尚未到期的事项" not in out


def test_text_lists_pending_work_with_its_due_date(early_report):
    out = render("text", early_report)
    pending = out[out.index("尚未到期的事项"):]
    assert "ZK-T-DEADLINE" in pending and "期限 2023-12-31" in pending
    assert "ZK-BAD/<b>王</b>(T2)" in pending
    if any((f.outcome.detail or {}).get("would_be") == "fail" for f in early_report.findings):
        assert "按现有记录到期将不符合" in pending  # pending, but already short as the record stands
    # T3 fails nothing yet, lacks data and has work not yet due: counted 缺少数据, as 汇总 counts it
    row_t3 = next(line for line in out.splitlines() if "才让吉(T3)" in line and "缺少数据" in line)
    assert "…" in row_t3

def test_text_ok_report_says_all_met(ok_report):
    out = render("text", ok_report)
    assert "✔ 全部必备要求均已满足" in out
    assert "3 位教师全部符合" in out
    assert "需要修改" not in out


def test_text_english(bad_report):
    out = render("text", bad_report, lang="en")
    assert "checked 3 · passed 1 · failed or data missing 2 · pass rate 33.3%" in out
    assert "What to fix (in this order)" in out
    assert "需要修改" not in out


def test_text_is_plain_100_columns_without_trailing_blanks_when_piped(bad_report):
    out = render("text", bad_report)
    assert "\x1b[" not in out
    lines = out.splitlines()
    assert max(cell_len(line) for line in lines) <= 100
    assert not [line for line in lines if line.endswith(" ")]


def test_text_colour_only_when_asked(bad_report):
    assert "\x1b[" in render("text", bad_report, color=True)


def test_text_lists_each_failure_with_expected_actual_message_and_clause(bad_report):
    out = render("text", bad_report)
    hours = bad_report.ruleset.rule("ZK-T-HOURS-TOTAL")
    block = out[out.index("ZK-T-HOURS-TOTAL 总学时不少于75学时 ·"):]
    block = block[: block.index("\n\n")]
    assert "ZK-BAD/<b>王</b>(T2) 总学时 60 学时,要求 ≥ 75 学时" in block  # says both: no second line
    assert "要求 ≥ 75 学时 · 实际 未填写" in block  # T3's message does not say the bound: plain words, no "—"
    assert "「" + hours.source.quote[:20] in block
    assert "ZK-BAD/才让吉(T3) 未填写:线上学时、线下学时" in block  # a label, never the field path
    assert "T1" not in block  # the teacher who meets it is not listed


def test_text_table_marks_each_status(bad_report):
    out = render("text", bad_report, details=True)  # T1 meets every rule: listed only with details
    table = out[out.index("学校 ZK-BAD"):out.index("需要修改")]
    row_t1 = next(line for line in table.splitlines() if "(T1)" in line)
    row_t3 = next(line for line in table.splitlines() if "(T3)" in line)
    assert "✘" not in row_t1 and "合格" in row_t1
    assert {"?", "–"} <= set(row_t3) and "未合格" in row_t3
    row_t2 = next(line for line in table.splitlines() if "(T2)" in line)
    assert "✘" in row_t2
    assert "✔ 符合 ✘ 不符合 ? 缺少数据 … 尚未到期 – 不适用" in table


def test_text_rate_line_pools_school_rates(bad_report):
    out = render("text", bad_report)
    assert "全体教师考核结果达到合格以上: 33.3%(要求 ≥ 100%) · 1/1 所学校未达到" in out


def test_teacher_groups_columns_are_the_rules_someone_does_not_meet(bad_report):
    (group,) = teacher_groups(bad_report)
    assert (group.school, group.name, group.checked, group.passed) == ("ZK-BAD", "测试|中学", 3, 1)
    assert "ZK-T-HOURS-TOTAL" in group.columns
    for rid in group.columns:
        assert any(r.statuses[rid] in (Status.FAIL, Status.MISSING_DATA, Status.PENDING) for r in group.rows)
    assert [r.clean for r in group.rows] == [True, False, False]


def test_rate_summaries_pool_items_and_count_schools_below():
    ok = {**bad_school("S-OK", "甲"), "teachers": [{"id": f"A{i}", **GOOD_TEACHER} for i in range(3)]}
    report = evaluate("zeku_2023", {"schools": [ok, bad_school("S-BAD", "乙")]}, as_of=AS_OF)
    (rate,) = [r for r in rate_summaries(report) if r.rule.id == "ZK-S-PASS-RATE"]
    assert (rate.count, rate.total, rate.schools, rate.schools_off) == (4, 6, 2, 1)
    assert rate.share == pytest.approx(4 / 6)


def test_progress_bar_only_on_a_terminal_and_lists_restored():
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    teachers = [Teacher(id=f"T{i}") for i in range(5)]
    school = School(id="S", teachers=[Teacher(id="X")])
    records = Records(teachers=list(teachers), schools=[school])
    tty = Tty()
    with progress(records, tty, threshold=3):
        assert [t.id for t in records.teachers] == [t.id for t in teachers]
        assert [t.id for t in school.teachers] == ["X"]
    assert "6/6" in tty.getvalue()
    assert type(records.teachers) is list and type(school.teachers) is list
    piped = io.StringIO()
    with progress(records, piped, threshold=3):
        pass
    assert piped.getvalue() == ""


# ------------------------------------------------------------------------------------ json, jsonl


def test_json_validates_against_the_committed_schema(ok_report, bad_report):
    schema = json.loads(REPORT_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    for report in (ok_report, bad_report):
        data = json.loads(render("json", report))
        errors = sorted(validator.iter_errors(data), key=str)
        assert not errors, errors[0]
        assert data["summary"]["teachers"]["checked"] == 3


def test_jsonl_lines_are_finding_dicts_then_a_summary(bad_report):
    lines = [json.loads(line) for line in render("jsonl", bad_report).splitlines()]
    assert len(lines) == len(bad_report.findings) + 1
    assert lines[:-1] == [json.loads(json.dumps(finding_dict(f, bad_report.ruleset), ensure_ascii=False)) for f in bad_report.findings]
    summary = lines[-1]
    assert summary["type"] == "summary" and summary == json.loads(json.dumps(summary_line(bad_report)))
    assert summary["findings"]["fail"] == sum(f.status is Status.FAIL for f in bad_report.findings)
    schema = json.loads(REPORT_SCHEMA.read_text(encoding="utf-8"))
    item_schema = {**schema["properties"]["findings"]["items"], "$defs": schema.get("$defs", {})}
    for line in lines[:-1]:
        jsonschema.validate(line, item_schema)


# ------------------------------------------------------------------------------------ markdown


def test_markdown_summary_table_blockquoted_clauses_and_escaping(bad_report):
    out = render("markdown", bad_report)
    assert out.startswith("# 检查结果:泽库县")
    assert "| 教师 | 检查 3 · 合格 1 · 未合格或缺少数据 2 |" in out
    assert "| 合格率 | 33.3% |" in out
    quote = bad_report.ruleset.rule("ZK-S-DOCUMENTS").source.quote
    assert f"> {md(quote)}" in out
    assert "## 学校 ZK-BAD 测试\\|中学" in out  # a | in a name does not break the table
    assert "\\<b\\>王\\</b\\>(T2)" in out
    failing_rules = {f.rule_id for f in bad_report.failures()}
    assert len(re.findall(r"^### \d+\. `", out, flags=re.M)) == len(failing_rules)


def test_markdown_english(ok_report):
    out = render("markdown", ok_report, lang="en")
    assert "| Pass rate |" not in out  # labels are the text writer's: lower-case
    assert "| pass rate | 100.0% |" in out
    assert "all 3 teachers met every rule" in out


# ------------------------------------------------------------------------------------ html


class _IdReader(HTMLParser):
    """Collects the text of elements that have an id, and every tag and attribute seen."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._open: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag in ("meta", "link", "br", "img", "input"):
            return
        self._open.append(attributes.get("id"))
        if attributes.get("id"):
            self.values[attributes["id"]] = ""

    def handle_endtag(self, tag):
        if tag not in ("meta", "link", "br", "img", "input") and self._open:
            self._open.pop()

    def handle_data(self, data):
        for ident in self._open:
            if ident:
                self.values[ident] += data


def expected_numbers(report) -> dict[str, str]:
    s = report.summary()
    ts = s["teachers"]
    return {
        "teachers-checked": str(ts["checked"]), "teachers-passed": str(ts["passed"]),
        "teachers-failed": str(ts["failed"]), "pass-rate": f"{ts['pass_rate'] * 100:.1f}%",
        "errors": str(s["errors"]), "warnings": str(s["warnings"]),
        **{f"findings-{k}": str(v) for k, v in s["findings"].items()},
    }


def test_html_summary_numbers_read_back_with_html_parser(bad_report):
    reader = _IdReader()
    reader.feed(render("html", bad_report))
    got = {k: reader.values[k].strip() for k in expected_numbers(bad_report)}
    assert got == expected_numbers(bad_report)
    assert reader.values["schools-checked"] == "1" and reader.values["schools-passed"] == "0"
    assert reader.values["verdict"] == "✘ 有必备要求未满足"
    assert set(SUMMARY_IDS) <= set(reader.values)


def test_html_is_self_contained_and_escaped(bad_report):
    page = render("html", bad_report)
    reader = _IdReader()
    reader.feed(page)
    tags = {tag for tag, _ in reader.tags}
    assert not tags & {"script", "link", "img", "iframe", "object"}
    assert not [a for _, attrs in reader.tags for k, a in attrs.items() if k == "src"]
    links = [a for _, attrs in reader.tags for k, a in attrs.items() if k == "href"]
    assert links and all(a.startswith("#") for a in links)  # links within the page only
    assert "url(" not in page and "@import" not in page
    assert "<b>王</b>" not in page and "&lt;b&gt;王&lt;/b&gt;" in page
    assert page.count("<blockquote>") == len({f.rule_id for f in bad_report.failures()})
    teacher_rows = [attrs["data-teacher"] for tag, attrs in reader.tags if tag == "tr" and "data-teacher" in attrs]
    assert teacher_rows == ["T1", "T2", "T3"]


CHROMIUM = next((p for p in ("chromium", "chromium-browser", "google-chrome") if shutil.which(p)), None)


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary (apt-get install -y chromium)")
def test_html_summary_numbers_read_back_in_headless_chromium(bad_report, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(render("html", bad_report), encoding="utf-8")
    cmd = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri(),
    ]
    dom = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=True).stdout
    reader = _IdReader()
    reader.feed(dom)
    assert {k: reader.values.get(k, "").strip() for k in expected_numbers(bad_report)} == expected_numbers(bad_report)


# ------------------------------------------------------------------------------------ junit


def test_junit_counts_and_statuses(bad_report):
    root = ET.fromstring(render("junit", bad_report))
    applies = [f for f in bad_report.findings if f.status is not Status.NOT_APPLICABLE]
    failed = [f for f in applies if f.status in (Status.FAIL, Status.MISSING_DATA)]
    pending = [f for f in applies if f.status is Status.PENDING]
    assert root.tag == "testsuites"
    assert (int(root.get("tests")), int(root.get("failures")), int(root.get("skipped"))) == (len(applies), len(failed), len(pending))
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "ZK-BAD 测试|中学"
    cases = suite.findall("testcase")
    assert len(cases) == len(applies)
    failures = [c.find("failure") for c in cases if c.find("failure") is not None]
    assert sorted(x.get("type") for x in failures) == sorted(f.status.value for f in failed)
    hours = next(c for c in cases if c.get("classname") == "ZK-T-HOURS-TOTAL" and "(T2)" in c.get("name"))
    text = hours.find("failure").text
    assert "≥ 75 学时" in text and "60" in text and "「" in text
    assert hours.get("file").endswith("bad.yaml") and int(hours.get("line")) > 1


def test_junit_validates_against_the_xsd(bad_report, ok_report):
    xmlschema = pytest.importorskip("xmlschema", reason="xmlschema is not installed (optional, test only)")
    schema = xmlschema.XMLSchema(str(TEST_SCHEMAS / "junit.xsd"))
    for report in (bad_report, ok_report):
        schema.validate(io.StringIO(render("junit", report)))


def test_junit_written_suite_by_suite_is_the_one_indented_tree(bad_report, ok_report):
    # the writer streams a province one suite at a time; the file is the whole tree's
    from ict2rules.render.junit import _printable, junit_tree

    nothing = evaluate("zeku_2023", {"school": {"id": "S1"}}, as_of=AS_OF, keep={"fail"})
    for report in (bad_report, ok_report, nothing):
        for lang in ("zh", "en"):
            root = junit_tree(report, lang)
            _printable(root)
            ET.indent(root)
            whole = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
            assert render("junit", report, lang=lang) == whole


def _hostile_report(as_of: str = AS_OF):
    """Names and ids with what XML and JSON escape, and what printable() replaces."""
    names = [' 张"三"', "李<四>&", "tab\tline\nbreak\r", "\u0001\u202e反", "_x0041_ ", None]
    teachers = [{"id": f"T&{i}", "name": n} for i, n in enumerate(names)]
    report = evaluate("zeku_2023", {"school": {"id": "S<1>", "name": "第一\"中学\"", "teachers": teachers}}, as_of=as_of)
    # what reading leaves out (a control character, a bidi override), put back in the subjects
    # the writers read, one subject each as the report holds them
    from ict2rules.report.findings import SubjectRef

    refs: dict = {}
    for f in report.findings:
        ref = f.subject
        if ref not in refs:
            refs[ref] = SubjectRef(ref.level, ref.id + "\x1b]0;\u202e", (ref.name or "") + "\x07\ufffe", ref.school)
        f.subject = refs[ref]
    return report


def test_junit_cases_are_what_elementtree_writes_for_their_elements(bad_report, ok_report):
    # the test cases are written as text (render/junit.py, _Cases); each is what ElementTree
    # writes for the element the writer used to build, made printable and indented in place
    from ict2rules.render.junit import _Cases, _printable
    from ict2rules.render.sarif import locate
    from ict2rules.render.sources import cite_line
    from ict2rules.render.text import LABELS, due_of, said_values
    from ict2rules.report.report import message

    def element(f, report, t, lang, where):  # the writer's elements before it wrote text
        rule = f.compiled.rule
        case = ET.Element("testcase", classname=rule.id, name=f.subject.label(), time="0")
        file, line = where(f.subject)
        if file:
            case.set("file", file)
            if line:
                case.set("line", str(line))
        if f.status in (Status.FAIL, Status.MISSING_DATA):
            failure = ET.SubElement(case, "failure", message=message(f, lang), type=f.status.value)
            expected, actual = said_values(f, lang)
            failure.text = (
                f"[{t[rule.severity]}] {rule.id} {getattr(rule.title, lang)}\n"
                f"{t['expected']}: {expected}\n{t['actual']}: {actual}\n"
                f"{t['source']}: {cite_line(rule, report)}「{rule.source.quote}」"
                + (f"\n{t['note']}: {rule.note}" if rule.note else ""))
        elif f.status is Status.PENDING:
            ET.SubElement(case, "skipped", message=f"{t['pending']}: {t['due']} {due_of(f, lang)}")
        return case

    statuses = set()
    for report in (_hostile_report(), _hostile_report("2023-10-01"), bad_report, ok_report):
        for lang in ("zh", "en"):
            cases, where = _Cases(report, lang), locate(report)
            for f in report.findings:
                if f.status is Status.NOT_APPLICABLE:
                    continue
                statuses.add(f.status)
                el = element(f, report, LABELS[lang], lang, where)
                _printable(el)
                ET.indent(el, level=2)
                assert cases.text(f) == ET.tostring(el, encoding="unicode"), f
    assert statuses == {Status.PASS, Status.FAIL, Status.MISSING_DATA, Status.PENDING}


def test_sarif_and_junit_of_hostile_names_are_the_whole_documents():
    from ict2rules.errors import printable_data
    from ict2rules.render.junit import _printable, junit_tree
    from ict2rules.render.sarif import sarif_log

    report = _hostile_report()
    root = junit_tree(report)
    _printable(root)
    ET.indent(root)
    assert render("junit", report) == '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
    whole = json.dumps(printable_data(sarif_log(report)), ensure_ascii=False, indent=2) + "\n"
    assert render("sarif", report) == whole


# ------------------------------------------------------------------------------------ sarif


def test_sarif_validates_and_points_at_the_record(bad_report, bad_file):
    log = json.loads(render("sarif", bad_report))
    schema = json.loads((TEST_SCHEMAS / "sarif-2.1.0-subset.schema.json").read_text(encoding="utf-8"))
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(log))
    assert not errors, errors[0]
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.id for r in bad_report.ruleset.rules]
    assert all(r["help"]["text"].startswith("「") for r in rules)
    assert len(run["results"]) == len(bad_report.failures())
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    t2 = next(r for r in run["results"] if r["ruleId"] == "ZK-T-HOURS-TOTAL" and r["locations"][0]["logicalLocations"][0]["name"] == "T2")
    line = t2["locations"][0]["physicalLocation"]["region"]["startLine"]
    assert bad_file.read_text(encoding="utf-8").splitlines()[line - 1].strip() == "- id: T2"
    assert t2["level"] == "error"


def test_sarif_written_result_by_result_is_json_dump_of_the_log(bad_report, ok_report):
    from ict2rules.errors import printable_data
    from ict2rules.render.sarif import sarif_log

    nothing = evaluate("zeku_2023", {"school": {"id": "S1"}}, as_of="2000-01-01", keep={"fail"})
    for report in (bad_report, ok_report, nothing):
        for lang in ("zh", "en"):
            whole = json.dumps(printable_data(sarif_log(report, lang)), ensure_ascii=False, indent=2) + "\n"
            assert render("sarif", report, lang=lang) == whole
    assert json.loads(render("sarif", nothing))["runs"][0]["results"] == []


def test_locate_without_a_file_gives_nothing():
    report = evaluate("zeku_2023", {"teacher": {"id": "T1"}}, as_of=AS_OF)
    where = locate(report)
    assert where(report.findings[0].subject) == (None, None)


# ------------------------------------------------------------------------------------ github


def test_github_annotations(bad_report):
    lines = render("github", bad_report).splitlines()
    annotations = [line for line in lines if line.startswith("::")]
    assert len(annotations) == len(bad_report.failures())
    errors = [line for line in annotations if line.startswith("::error ")]
    assert len(errors) == len(bad_report.failures("error"))
    assert sum(line.startswith("::warning ") for line in annotations) == len(bad_report.failures("warning"))
    first = next(line for line in errors if "ZK-T-HOURS-TOTAL" in line and "(T2)" in line)
    assert re.match(r"::error file=[^,]+bad\.yaml,line=\d+,title=ZK-T-HOURS-TOTAL 总学时不少于75学时::", first)
    assert "%0A" in first
    assert lines[-1].startswith(f"ict2rules zeku_2023 {AS_OF}: ✘")


def test_github_escaping():
    assert escape_data("a%b\r\nc") == "a%25b%0D%0Ac"
    assert escape_property("x,y:z%") == "x%2Cy%3Az%25"
