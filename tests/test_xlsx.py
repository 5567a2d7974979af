"""``--format xlsx`` and ``--split-by school``: the workbook a bureau mails, read back with
openpyxl as Excel would open it — its sheets, its counts, ids as text, no formulas — and one
file per school with an index."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ict2rules import cli, evaluate
from ict2rules.evaluation.stream import attach_teachers
from ict2rules.input.files import Records, read_records
from ict2rules.kinds.base import Status
from ict2rules.render.output import safe_filename
from ict2rules.render.xlsx import ENGINES, SHEETS, STYLES, measured_rules, school_rows, write_xlsx

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*/*.yaml"))
sys.path.insert(0, str(ROOT / "benchmarks"))
from population import write_files  # noqa: E402

AS_OF = "2024-01-15"
OPEN = ("fail", "missing_data", "pending")


def rows(ws: Any) -> list[dict[str, Any]]:
    """A sheet's rows under its header, as dicts (empty rows dropped)."""
    it = ws.iter_rows(values_only=True)
    head = next(it)
    return [dict(zip(head, r, strict=False)) for r in it if any(c is not None for c in r)]


def school_lines(ws: Any) -> list[dict[str, Any]]:
    """汇总's school rows: its rows without the 合计 row under them (checked against them)."""
    found = rows(ws)
    if not found:
        return found
    total, schools = found[-1], found[:-1]
    assert total["学校编号"] == "合计" and total["学校名称"] == f"{sum(1 for r in schools if r['学校编号'] != '(未填学校)')} 所学校"
    for col in ("教师人数", "合格", "尚未到期", "未合格", "缺少数据"):
        assert total[col] == sum(r[col] for r in schools), col
    assert total["合格率"] == (round(total["合格"] / total["教师人数"], 4) if total["教师人数"] else None)
    return schools


def check(tmp_path: Path, *argv: str, name: str = "r.xlsx") -> tuple[int, Path]:
    out = tmp_path / name
    code = cli.main(["check", *argv, "-f", "xlsx", "-o", str(out)])
    return code, out


def report_of(*paths: Path | str, ruleset: str = "zeku_2023", as_of: str = AS_OF) -> Any:
    """The report ``check`` makes of these files (roster teachers joined to their schools)."""
    records = Records()
    for p in paths:
        records.extend(read_records(p))
    records.teachers = attach_teachers(records.teachers, records.schools)
    return evaluate(ruleset, records, as_of=as_of)


def assert_counts(book: Any, report: Any) -> None:
    """汇总 adds up to the report's summary; 问题清单 has a row per open teacher finding."""
    summary = school_lines(book["汇总"])
    ts = report.summary()["teachers"]
    assert sum(r["教师人数"] for r in summary) == ts["checked"]
    assert sum(r["合格"] for r in summary) == ts["passed"]
    assert sum(r["尚未到期"] for r in summary) == ts["pending"]
    assert sum(r["未合格"] + r["缺少数据"] for r in summary) == ts["failed"]
    for r in summary:
        assert r["合格"] + r["尚未到期"] + r["未合格"] + r["缺少数据"] == r["教师人数"]
    open_teacher = [
        f for f in report.findings
        if f.subject.level == "teacher" and f.status.value in OPEN and f.severity != "info"
    ]
    assert len(rows(book["问题清单"])) == len(open_teacher)
    own = [f for f in report.findings if f.subject.level != "teacher" and f.status is not Status.NOT_APPLICABLE]
    assert len(rows(book["学校要求"])) == len(own)


# ------------------------------------------------------------------ bundled examples


@pytest.mark.parametrize("path", EXAMPLES, ids=[f"{p.parent.name}/{p.name}" for p in EXAMPLES])
def test_every_bundled_example_reads_back_with_its_sheets_and_counts(path: Path, tmp_path: Path) -> None:
    ruleset = path.parent.name
    code, out = check(tmp_path, str(path), "-r", ruleset, "--as-of", AS_OF)
    report = report_of(path, ruleset=ruleset)
    assert code == (0 if report.passed else 1)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == list(SHEETS)
    assert_counts(book, report)
    about = {r["项目"]: r["内容"] for r in rows(book["说明"]) if r["项目"]}
    assert about["检查日期"] == AS_OF
    assert about["规则集"] == ruleset
    assert about["教师人数"] == report.summary()["teachers"]["checked"]


def test_every_sheet_has_a_frozen_header_a_filter_and_widths(tmp_path: Path) -> None:
    _, out = check(tmp_path, str(ROOT / "examples/zeku_2023/school_bad.yaml"), "-r", "zeku_2023")
    book = openpyxl.load_workbook(out)
    for ws in book:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), ws.title
        assert all(ws.column_dimensions[c].width > 4 for c in "ABC"), ws.title
        assert ws.cell(1, 1).font.bold, ws.title


def test_rows_are_red_for_must_amber_for_should_grey_for_not_yet_due(tmp_path: Path) -> None:
    seen = {}
    for as_of in ("2024-01-15", "2023-10-15"):  # after the deadlines; with the hours still due
        _, out = check(tmp_path, str(ROOT / "examples/zeku_2023/school_bad.yaml"), "-r", "zeku_2023", "--as-of", as_of)
        ws = openpyxl.load_workbook(out)["问题清单"]
        head = [c.value for c in ws[1]]
        for row in ws.iter_rows(min_row=2):
            status, severity = row[head.index("状态")].value, row[head.index("级别")].value
            seen[(status, severity)] = row[0].fill.fgColor.rgb[-6:]
    assert seen[("未达到", "必须")] == STYLES["error"][0]
    assert seen[("未达到", "应当")] == STYLES["warning"][0]
    assert seen[("尚未到期", "必须")] == STYLES["pending"][0]


def test_the_todo_list_speaks_plain_chinese(tmp_path: Path) -> None:
    """A teacher with no data: what is missing is named by its roster column, never a path."""
    data = tmp_path / "t.yaml"
    data.write_text("teacher: {id: T1, name: 张三}\n", encoding="utf-8")
    _, out = check(tmp_path, str(data), "-r", "zeku_2023", "--as-of", AS_OF)
    todo = rows(openpyxl.load_workbook(out)["问题清单"])
    assert todo, "a teacher with no data has things to do"
    hours = next(r for r in todo if r["规则编号"] == "ZK-T-HOURS-TOTAL")
    assert hours["检查结果"] == "未填写:「线上学时」、「线下学时」"
    assert "线下学时" in hours["怎么改"] and hours["文件条款"] == "二(一)1"
    for r in todo:
        for key in ("检查结果", "怎么改"):
            assert "_on" not in r[key] and "hours." not in r[key] and "⊆" not in r[key], r


# ------------------------------------------------------------------ ids, formulas, characters


HOSTILE_NAMES = ["=HYPERLINK(\"http://x\",\"点\")", "+1+1", "-2", "@SUM(A1)", "=1+1", "\tx"]


def test_ids_stay_text_and_nothing_becomes_a_formula(tmp_path: Path) -> None:
    teachers = [
        {"id": "00123", "name": HOSTILE_NAMES[0]},
        {"id": "330102198001011234", "name": HOSTILE_NAMES[1]},
        {"id": "6.32323E+17", "name": HOSTILE_NAMES[2]},
        {"id": "1", "name": HOSTILE_NAMES[3]},
        {"id": "=2", "name": HOSTILE_NAMES[4]},
    ]
    data = tmp_path / "s.json"
    data.write_text(json.dumps({"school": {"id": "0042", "name": "=CMD()", "teachers": teachers}}), encoding="utf-8")
    _, out = check(tmp_path, str(data), "-r", "zeku_2023", "--as-of", AS_OF)
    with zipfile.ZipFile(out) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name
    book = openpyxl.load_workbook(out)
    todo = book["问题清单"]
    head = [c.value for c in todo[1]]
    ids = {r[head.index("教师编号")].value: r for r in todo.iter_rows(min_row=2)}
    assert set(ids) == {t["id"] for t in teachers}
    for t in teachers:
        row = ids[t["id"]]
        cell = row[head.index("教师编号")]
        assert cell.data_type == "s" and cell.value == t["id"]
        assert row[head.index("教师姓名")].value == t["name"]
        assert row[head.index("学校编号")].value == "0042"
    summary = book["汇总"]
    assert summary["A2"].value == "0042" and summary["A2"].data_type == "s"
    assert summary["B2"].value == "=CMD()" and summary["B2"].data_type == "s"


def test_characters_xml_cannot_carry_do_not_break_the_workbook(tmp_path: Path) -> None:
    data = tmp_path / "s.json"
    data.write_text(json.dumps({"teacher": {"id": "T\u0001\uffff", "name": "张\u0000三\u001b[31m"}}), encoding="utf-8")
    code, out = check(tmp_path, str(data), "-r", "zeku_2023", "--as-of", AS_OF)
    assert code == 1
    names = {r["教师姓名"] for r in rows(openpyxl.load_workbook(out)["问题清单"])}
    assert len(names) == 1 and "\ufffd" in next(iter(names))


def test_both_engines_write_the_same_cells() -> None:
    report = report_of(ROOT / "examples/zeku_2023/school_bad.yaml", as_of="2023-10-15")
    books = {}
    for engine in ENGINES:
        buf = io.BytesIO()
        write_xlsx(report, buf, engine=engine)
        books[engine] = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))
    a, b = books.values()
    for name in SHEETS:
        assert list(a[name].values) == list(b[name].values), name
        assert a[name].freeze_panes == b[name].freeze_panes


def _members(book: bytes) -> dict[str, bytes]:
    """A workbook's files but the one that says when it was made."""
    with zipfile.ZipFile(io.BytesIO(book)) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


def test_rows_written_at_once_are_the_cells_written_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    # 问题清单's rows go to XlsxWriter's file whole (RowCells); the file is what writing each
    # cell through XlsxWriter gives, hostile text included (escapes, spaces kept, _xHHHH_, a
    # control character, what XlsxWriter takes for rich text, a text over its fast limit)
    from ict2rules.render import xlsx

    assert xlsx.writes_rows_at_once()
    names = [" 张三", "李四 ", "a&b<c>\"d\"", "_x0041_", "tab\there", "\u0001ctl", "<r>x</r>", "长" * 17_000, None]
    teachers = [{"id": f"T{i}", "name": n} for i, n in enumerate(names)]
    school = {"id": "S&1", "name": "第一<中学>", "kind": "小学", "teachers": teachers}
    report = evaluate("zeku_2023", {"school": school}, as_of=AS_OF)
    books = []
    for at_once in (True, False):
        monkeypatch.setattr(xlsx, "writes_rows_at_once", lambda at_once=at_once: at_once)
        buf = io.BytesIO()
        write_xlsx(report, buf)
        books.append(_members(buf.getvalue()))
    assert books[0] == books[1]
    # a text XlsxWriter would take for rich-text XML is written escaped (three plain runs)
    assert b"<r>x</r>" not in books[0]["xl/worksheets/sheet2.xml"]
    assert b"r&gt;x&lt;/r" in books[0]["xl/worksheets/sheet2.xml"]


def test_another_xlsxwriter_is_written_cell_by_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    from ict2rules.render import xlsx

    monkeypatch.setattr(xlsx.RowCells, "xml", lambda self, row, texts, formats: "<c/>")
    assert not xlsx.writes_rows_at_once()


# ------------------------------------------------------------------ a generated population


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return write_files(tmp_path_factory.mktemp("pop"), 300, 6)


def test_a_generated_population_reads_back_with_its_counts(population: tuple[Path, Path], tmp_path: Path) -> None:
    roster, schools = population
    for as_of in (AS_OF, "2023-10-01"):  # after every deadline, and with work still due
        code, out = check(tmp_path, str(schools), str(roster), "-r", "zeku_2023", "--as-of", as_of)
        report = report_of(schools, roster, as_of=as_of)
        assert code == (0 if report.passed else 1)
        book = openpyxl.load_workbook(out)
        assert_counts(book, report)
        summary = school_lines(book["汇总"])
        assert [r["学校编号"] for r in summary] == [f"S{i:05d}" for i in range(1, 7)]
        assert all(r["学校名称"].startswith("第") for r in summary)
        assert all(0 <= r["合格率"] <= 1 and 0 <= r["优秀率"] <= 1 for r in summary)


def test_status_lists_fewer_rows_but_counts_every_teacher(population: tuple[Path, Path], tmp_path: Path) -> None:
    roster, schools = population
    _, whole = check(tmp_path, str(schools), str(roster), "-r", "zeku_2023", "--as-of", "2023-10-01", name="a.xlsx")
    _, fails = check(tmp_path, str(schools), str(roster), "-r", "zeku_2023", "--as-of", "2023-10-01", "--status", "fail", name="b.xlsx")
    a, b = openpyxl.load_workbook(whole), openpyxl.load_workbook(fails)
    assert rows(a["汇总"]) == rows(b["汇总"])
    statuses = {r["状态"] for r in rows(b["问题清单"])}
    assert statuses == {"未达到"}
    assert len(rows(b["问题清单"])) < len(rows(a["问题清单"]))


# ------------------------------------------------------------------ where the workbook goes


def test_a_workbook_is_never_written_to_a_terminal(tmp_path: Path) -> None:
    import pty

    primary, secondary = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "ict2rules", "check", str(ROOT / "examples/zeku_2023/school_ok.yaml"),
             "-r", "zeku_2023", "-f", "xlsx"],
            stdout=secondary, stderr=subprocess.PIPE, timeout=120,
        )
    finally:
        os.close(secondary)
        os.close(primary)
    assert proc.returncode == 2
    assert b"-o" in proc.stderr and b"Traceback" not in proc.stderr


def test_a_workbook_can_be_redirected_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    with out.open("wb") as f:
        proc = subprocess.run(
            [sys.executable, "-m", "ict2rules", "check", str(ROOT / "examples/zeku_2023/school_ok.yaml"),
             "-r", "zeku_2023", "--as-of", AS_OF, "-f", "xlsx"],
            stdout=f, stderr=subprocess.PIPE, timeout=120,
        )
    assert proc.returncode == 0, proc.stderr
    assert openpyxl.load_workbook(out).sheetnames == list(SHEETS)


# ------------------------------------------------------------------ one file per school


@pytest.mark.parametrize("fmt", ["xlsx", "markdown", "json"])
def test_split_by_school_writes_a_file_per_school_and_an_index(
    fmt: str, population: tuple[Path, Path], tmp_path: Path
) -> None:
    roster, schools = population
    folder = tmp_path / "out"
    code = cli.main(["check", str(schools), str(roster), "-r", "zeku_2023", "--as-of", AS_OF,
                     "-f", fmt, "--split-by", "school", "-o", str(folder)])
    report = report_of(schools, roster)
    assert code == (0 if report.passed else 1)
    with (folder / "index.csv").open(encoding="utf-8-sig", newline="") as f:
        index = list(csv.DictReader(f))
    assert [r["学校编号"] for r in index] == [f"S{i:05d}" for i in range(1, 7)]
    files = sorted(p.name for p in folder.iterdir())
    assert files == sorted([r["文件"] for r in index] + ["index.csv"])
    assert sum(int(r["教师人数"]) for r in index) == report.summary()["teachers"]["checked"]
    for r in index:
        path = folder / r["文件"]
        assert path.name == f"{r['学校编号']}_{r['学校名称']}.{'md' if fmt == 'markdown' else fmt}"
        if fmt == "json":  # each school's file holds that school's teachers and verdict only
            part = json.loads(path.read_text(encoding="utf-8"))
            assert part["summary"]["teachers"]["checked"] == int(r["教师人数"])
            assert part["summary"]["teachers"]["passed"] == int(r["合格"])
            assert {f["subject"]["school"] or f["subject"]["id"] for f in part["findings"]} == {r["学校编号"]}
        elif fmt == "xlsx":
            summary = school_lines(openpyxl.load_workbook(path)["汇总"])
            assert [s["学校编号"] for s in summary] == [r["学校编号"]]


def test_split_file_names_are_safe_and_distinct(tmp_path: Path) -> None:
    schools = [
        {"id": "A/1", "name": 'x:"y"', "teachers": [{"id": "T1"}]},
        {"id": "A_1", "name": 'x__y_', "teachers": [{"id": "T2"}]},
        {"id": "CON", "teachers": [{"id": "T3"}]},
        {"id": "=1", "name": "=HYPERLINK(1)", "teachers": [{"id": "T4"}]},
    ]
    data = tmp_path / "s.json"
    data.write_text(json.dumps({"schools": schools}), encoding="utf-8")
    folder = tmp_path / "out"
    cli.main(["check", str(data), "-r", "zeku_2023", "-f", "text", "--split-by", "school", "-o", str(folder)])
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 5 and len({n.casefold() for n in names}) == 5
    assert "_CON.txt" in names
    for n in names:
        assert not set(n) & set('<>:"/\\|?*')
    with (folder / "index.csv").open(encoding="utf-8-sig", newline="") as f:
        index = list(csv.DictReader(f))
    assert index[3]["学校编号"] == "'=1" and index[3]["学校名称"] == "'=HYPERLINK(1)"


def test_split_by_needs_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["check", str(ROOT / "examples/zeku_2023/school_ok.yaml"), "-r", "zeku_2023",
                     "--split-by", "school"])
    assert code == 2 and "-o" in capsys.readouterr().err
    afile = tmp_path / "f"
    afile.write_text("x")
    code = cli.main(["check", str(ROOT / "examples/zeku_2023/school_ok.yaml"), "-r", "zeku_2023",
                     "--split-by", "school", "-o", str(afile)])
    assert code == 2 and afile.read_text() == "x"


def test_split_never_overwrites_an_input(tmp_path: Path) -> None:
    import yaml

    record = yaml.safe_load((ROOT / "examples/zeku_2023/school_ok.yaml").read_text(encoding="utf-8"))
    data = tmp_path / "ZK-MYZX_泽库县民族中学.json"  # the name the school's report would take
    data.write_text(json.dumps(record, ensure_ascii=False, default=str), encoding="utf-8")
    before = data.read_bytes()
    code = cli.main(["check", str(data), "-r", "zeku_2023", "--as-of", AS_OF, "-f", "json",
                     "--split-by", "school", "-o", str(tmp_path)])
    assert code == 0
    assert data.read_bytes() == before
    assert (tmp_path / "ZK-MYZX_泽库县民族中学-2.json").exists()


@given(st.text(max_size=120))
def test_safe_filename_is_a_name_every_system_accepts(text: str) -> None:
    name = safe_filename(text)
    assert name and len(name) <= 81
    assert not set(name) & set('<>:"/\\|?*') and all(ord(c) >= 32 and c != "\x7f" for c in name)
    assert not name.endswith((".", " "))
    assert name.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}


def test_the_xlsx_benchmark_still_runs() -> None:
    """benchmarks/bench_xlsx.py on a tiny population prints its table (no timing asserted)."""
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_xlsx.py"), "--teachers", "60", "--schools", "2", "--repeat", "1"],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    for engine in ("null", "csv", "openpyxl", "xlsxwriter"):
        assert f"| {engine} |" in proc.stdout


def test_every_school_rate_and_count_has_a_column_coloured_by_its_status(tmp_path: Path) -> None:
    """A bureau sees each school's excellence rate, passing (38.9 %, green) or not (63.6 %, red),
    with the 合计 row pooling the schools' graded points."""
    files = [str(ROOT / "examples" / "kaiyuan_2024" / f) for f in ("school_ok.yaml", "school_bad.yaml")]
    _, out = check(tmp_path, *files, "-r", "kaiyuan_2024", "--as-of", "2024-07-15")
    ws = openpyxl.load_workbook(out)["汇总"]
    head = [c.value for c in ws[1]]
    report = report_of(*files, ruleset="kaiyuan_2024", as_of="2024-07-15")
    measured = measured_rules(report)
    titles = [r.title.zh for r in measured]
    assert head[head.index("学校要求") + 1 : head.index("学校要求") + 1 + len(titles)] == titles
    col = head.index("微能力点认证优秀率不超过60%")
    cells = {ws.cell(r, 1).value: ws.cell(r, col + 1) for r in range(2, ws.max_row + 1)}
    assert cells["KY-SYXX"].value == pytest.approx(0.388889) and cells["KY-SYXX"].number_format == "0.0%"
    assert cells["KY-SYXX"].fill.fgColor.rgb[-6:] == STYLES["ok"][0]
    assert cells["KY-ZHZX"].value == pytest.approx(0.636364)
    assert cells["KY-ZHZX"].fill.fgColor.rgb[-6:] == STYLES["error"][0]
    assert cells["合计"].value == pytest.approx(14 / 29, abs=1e-6)  # the graded points pooled
    briefs = head.index("分期制作研修简报")  # a warning: amber when not met; a count, not summed
    assert ws.cell(3, briefs + 1).value == 1 and ws.cell(3, briefs + 1).fill.fgColor.rgb[-6:] == STYLES["warning"][0]
    assert ws.cell(4, briefs + 1).value is None
    headcount = head.index("参训人数不少于专任教师总数")  # not applicable: blank, no fill
    assert ws.cell(3, headcount + 1).value is None
    # the figures are the findings' own: the same numbers the report gives
    for row in school_rows(report):
        for rule in measured:
            m = row.measures.get(rule.id)
            got = ws.cell(2 + [r.id for r in school_rows(report)].index(row.id), head.index(rule.title.zh) + 1).value
            assert got == (None if m is None or m.would_be is Status.NOT_APPLICABLE else "未填写" if m.value is None else m.value)
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, len(head)).column_letter}3"  # the filter leaves 合计 out


def test_a_missing_figure_reads_not_filled_in(tmp_path: Path) -> None:
    data = tmp_path / "s.yaml"
    data.write_text("school: {id: S1, summary_filed_on: 2024-06-14, teachers: [{id: T1, points: [{code: A1}, {code: A3}]}]}\n",
                    encoding="utf-8")
    _, out = check(tmp_path, str(data), "-r", "kaiyuan_2024", "--as-of", "2024-07-15")
    summary = school_lines(openpyxl.load_workbook(out)["汇总"])
    assert summary[0]["微能力点认证优秀率不超过60%"] == "未填写"  # no graded point: missing data


@pytest.mark.parametrize("name", ["<r><t>张</t></r>", "<r>李&amp;</r>", "<r>"])
def test_a_name_that_looks_like_rich_text_reads_back_as_given(name, tmp_path):
    """XlsxWriter writes a text "<r>…</r>" as raw rich-text XML in constant memory: a school's or
    a teacher's name must neither vanish into formatting nor break the workbook."""
    data = {"school": {"id": "S1", "name": name, "teachers": [{"id": "T1", "name": name}]}}
    out = tmp_path / "r.xlsx"
    with out.open("wb") as f:
        write_xlsx(evaluate("zeku_2023", data, as_of="2024-01-15"), f)
    book = openpyxl.load_workbook(out, read_only=True)
    texts = {c for ws in book for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)}
    assert name in texts
    assert not {t for t in texts if name != t and t in name and t}  # never a part of it shown alone
