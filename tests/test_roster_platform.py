"""Rosters as the platforms and schools keep them: points with grade, score, level and evidence
(wide and long), every visible sheet, two-row headers, 合计/注 rows, mangled ids, the platform
headers, and inputs that once crashed, hung or lost rows silently."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import Workbook

from ict2rules import evaluate
from ict2rules.cli import main
from ict2rules.errors import InputError
from ict2rules.input.records import Evidence, HoursRecord, PointRecord, Teacher
from ict2rules.input.tabular import iter_roster, read_roster

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "examples" / "zeku_2023" / "school_ok.yaml"
AS_OF = "2024-01-05"


def teachers(path: Path, **kw: Any) -> list[Any]:
    return [r for r in read_roster(path, **kw) if r.kind == "teacher"]


def others(path: Path, **kw: Any) -> list[tuple[str, int, str]]:
    return [(r.kind, r.row, r.notes[0].code) for r in read_roster(path, **kw)
            if r.kind != "teacher"]


def xlsx(path: Path, sheets: dict[str, list[list[Any]]], hidden: tuple[str, ...] = ()) -> Path:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        for r in rows:
            ws.append(r)
        if title in hidden:
            ws.sheet_state = "hidden"
    book.save(path)
    return path


# ---------------------------------------------------------------- the records


def test_grades_and_levels_are_read_from_export_text_into_a_closed_set() -> None:
    p = PointRecord.model_validate({"code": "A1", "grade": " 优 ", "level": "县级"})
    assert (p.grade, p.level) == ("优秀", "区")
    assert PointRecord.model_validate({"code": "A1", "grade": "未通过"}).grade == "不合格"
    assert Teacher.model_validate({"id": "T1", "grade": "pass"}).grade == "合格"
    for bad in ({"grade": "甲"}, {"level": "国家级"}):
        with pytest.raises(ValueError) as exc:
            PointRecord.model_validate({"code": "A1", **bad})
        assert "优秀/良好/合格/不合格" in str(exc.value) or "校/区/市/省" in str(exc.value)


@pytest.mark.parametrize(
    ("evidence", "valid"),
    [
        ({}, None),
        ({"shows_teacher": True}, None),
        ({"shows_teacher": True, "own_work": True}, True),
        ({"shows_teacher": False}, False),
        ({"judged_valid": True}, True),
        ({"judged_valid": False, "shows_teacher": True, "own_work": True}, False),
        ({"items": [{"valid": True}, {"valid": None}]}, None),
        ({"items": [{"valid": True}, {"valid": True}]}, True),
        ({"judged_valid": True, "items": [{"valid": False}]}, False),
    ],
)
def test_evidence_is_valid_only_when_nothing_recorded_says_otherwise(
    evidence: dict[str, Any], valid: bool | None
) -> None:
    assert Evidence.model_validate(evidence).valid is valid


def test_a_stated_total_is_the_total_and_must_agree_with_the_split() -> None:
    assert HoursRecord(stated_total=75).total == 75
    assert HoursRecord(online=50, offline=25, stated_total=75).total == 75
    assert HoursRecord(online=50, stated_total=75).total is None  # half a split: not a total
    with pytest.raises(ValueError):
        HoursRecord(online=50, offline=20, stated_total=75)


# ---------------------------------------------------------------- zeku: a compliant teacher


ZK001_WIDE = {
    "工号": "ZK001", "姓名": "卓玛吉", "线上学时": 50, "线下学时": 25, "课堂实录学时": 5,
    "认证学时": 15, "过程性资料学时": 5, "上传课例数": 1, "评课数": 3, "互评数": 4,
    "互评成绩": 92, "学校评价成绩": 90, "考核成绩": 91, "完成日期": "2023-09-10", "考核日期": "2023-09-18",
    "能力点1": "A1", "能力点1等级": "优秀", "能力点1证据有效": "是",
    "能力点2": "A3", "能力点2等级": "合格", "能力点2证据有效": "是",
    "能力点3": "A5", "能力点3成绩": 88, "能力点3认证级别": "校级", "能力点3证据有效": "是",
}


def _school(folder: Path, roster: str, **extra: str) -> Path:
    school = yaml.safe_load(PLAN.read_text(encoding="utf-8"))["school"]
    school.pop("teachers")
    school["staff"] = {"total": 1}  # the roster's one teacher is the whole staff (全员)
    path = folder / "school.yaml"
    path.write_text(yaml.safe_dump({"school": {**school, "roster": roster, **extra}},
                                   allow_unicode=True), encoding="utf-8")
    return path


def _verdict(path: Path) -> list[tuple[str, str, str]]:
    report = evaluate("zeku_2023", path, as_of=AS_OF)
    return sorted((f.rule_id, f.subject.id, f.status.value) for f in report.findings)


@pytest.mark.parametrize("shape", ["csv", "xlsx", "xlsx-long", "csv-long"])
def test_a_zeku_compliant_teacher_passes_from_any_roster_shape(tmp_path: Path, shape: str) -> None:
    row = dict(ZK001_WIDE)
    long = [[k for k in row if not k.startswith("能力点")]]
    long_points = [["工号", "能力点", "等级", "证据有效"]]
    for n in (1, 2, 3):
        long_points.append(["ZK001", row[f"能力点{n}"], "合格", "是"])
    extra: dict[str, str] = {}
    if shape == "csv":
        (tmp_path / "r.csv").write_text(",".join(row) + "\n" + ",".join(map(str, row.values()))
                                        + "\n", encoding="utf-8")
        name = "r.csv"
    elif shape == "csv-long":
        base = {k: v for k, v in row.items() if not k.startswith("能力点")}
        (tmp_path / "r.csv").write_text(",".join(base) + "\n" + ",".join(map(str, base.values()))
                                        + "\n", encoding="gbk")
        (tmp_path / "p.csv").write_text("\n".join(",".join(r) for r in long_points) + "\n",
                                        encoding="utf-8-sig")
        name, extra = "r.csv", {"roster_points": "p.csv"}
    elif shape == "xlsx":
        xlsx(tmp_path / "r.xlsx", {"名单": [list(row), list(row.values())]})
        name = "r.xlsx"
    else:
        long.append([row[k] for k in long[0]])
        xlsx(tmp_path / "r.xlsx", {"教师": long, "能力点明细": long_points})
        name = "r.xlsx"
    school = _school(tmp_path, name, **extra)

    def verdict(path: Path) -> list[tuple[str, str, str]]:
        # this roster holds no teacher documents (the 任务清单 of ZK-T-TASK-LIST, a warning)
        # and no assessment step dates (ZK-T-ASSESSMENT-ORDER), which the example plan has
        return [v for v in _verdict(path) if v[0] not in ("ZK-T-TASK-LIST", "ZK-T-ASSESSMENT-ORDER")]

    statuses = {status for _, _, status in verdict(school)}
    assert statuses <= {"pass", "not_applicable"}, verdict(school)
    inline = yaml.safe_load(PLAN.read_text(encoding="utf-8"))
    inline["school"]["teachers"] = inline["school"]["teachers"][:1]
    inline["school"]["staff"] = {"total": 1}
    (tmp_path / "inline.yaml").write_text(yaml.safe_dump(inline, allow_unicode=True),
                                          encoding="utf-8")
    assert verdict(school) == verdict(tmp_path / "inline.yaml")


def test_evidence_judged_invalid_fails_the_point(tmp_path: Path) -> None:
    row = dict(ZK001_WIDE, 能力点3证据有效="否")
    (tmp_path / "r.csv").write_text(",".join(row) + "\n" + ",".join(map(str, row.values()))
                                    + "\n", encoding="utf-8")
    found = dict(((r, s), st) for r, s, st in _verdict(_school(tmp_path, "r.csv")))
    assert found[("ZK-T-POINTS", "ZK001")] == "fail"
    assert found[("ZK-T-CERT-UPLOAD", "ZK001")] == "pass"  # handed in, judged invalid


def test_wide_point_parts_and_evidence_items(tmp_path: Path) -> None:
    p = tmp_path / "r.csv"
    p.write_text(
        "工号,能力点1,能力点1等级,能力点1成绩,能力点1认证级别,能力点1证据1,能力点1证据1等级,"
        "能力点1证据1有效,能力点1证据2,能力点1证据2有效,能力点2,能力点2证据,能力点3,能力点3证据\n"
        "T1,A1,优秀,92,省级,教学设计,合格,是,课堂实录,否,B2,已上传,C3,否\n", encoding="utf-8")
    [row] = teachers(p)
    first, second, third = row.data["points"]
    assert first == {"code": "A1", "grade": "优秀", "score": 92, "level": "省级", "evidence": {
        "items": [{"name": "教学设计", "grade": "合格", "valid": True},
                  {"name": "课堂实录", "valid": False}]}}
    assert second == {"code": "B2", "evidence": {}} and third == {"code": "C3"}
    t = Teacher.model_validate(row.data)
    assert t.points is not None and t.points[0].level == "省" and t.points[0].evidence.valid is False
    assert row.column_for(("points", 0, "evidence", "items", 1, "valid")) == "能力点1证据2有效"


def test_a_bad_grade_names_its_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "r.csv"
    p.write_text("工号,能力点1,能力点1等级\nT1,A1,甲等\n", encoding="utf-8")
    assert main(["check", str(p), "-r", "zeku_2023"]) == 2
    err = capsys.readouterr().err
    assert f"{p}:2" in err and "能力点1等级" in err and "Traceback" not in err


def test_points_sheet_rows_for_no_teacher_are_reported(tmp_path: Path) -> None:
    p = xlsx(tmp_path / "r.xlsx", {
        "教师": [["工号", "线上学时"], ["T1", 50]],
        "能力点": [["工号", "能力点", "等级"], ["T1", "A1", "优秀"], ["T9", "A2", "合格"],
                  ["T1", "A9x", "合格"]],
    })
    rows = list(iter_roster(p))
    bad = [(Path(r.file).name, r.row, r.problems[0].code) for r in rows if r.problems]
    assert ("r.xlsx[能力点]", 3, "unjoined") in bad
    assert any(name == "r.xlsx[能力点]" and number == 4 for name, number, _ in bad)
    [t1] = [r for r in rows if r.data.get("id") == "T1"]
    assert t1.data["points"] == [{"code": "A1", "grade": "优秀"}]


# ---------------------------------------------------------------- workbooks


def test_every_visible_sheet_is_read_and_hidden_ones_are_said(tmp_path: Path) -> None:
    p = xlsx(tmp_path / "r.xlsx", {
        "假": [["工号", "姓名"], ["X1", "假一"]],
        "小学部": [["工号", "线上学时"], ["P1", 50]],
        "初中部": [["工号", "线上学时"], ["M1", 50], ["M2", 50]],
        "说明": [["本表每位教师一行"]],
    }, hidden=("假",))
    rows = read_roster(p)
    assert [r.data["id"] for r in rows if r.kind == "teacher"] == ["P1", "M1", "M2"]
    assert [Path(r.file).name for r in rows if r.kind == "teacher"] == [
        "r.xlsx[小学部]", "r.xlsx[初中部]", "r.xlsx[初中部]"]
    [note] = [r for r in rows if r.kind == "note"]
    assert {n.file.rsplit("[", 1)[1] for n in note.notes} == {"假]", "说明]"}
    assert [r.data["id"] for r in teachers(p, sheet="初中部")] == ["M1", "M2"]
    with pytest.raises(InputError) as exc:
        read_roster(p, sheet="初中")
    assert "初中部" in exc.value.problems[0].message_en


def test_two_row_merged_header_title_and_summary_rows(tmp_path: Path) -> None:
    book = Workbook()
    ws = book.active
    ws.append(["某校教师研修学时统计表"])
    ws.append(["序号", "工号", "学时", None, "能力点1", None])
    ws.append([None, None, "线上", "线下", "编号", "等级"])
    ws.merge_cells("C2:D2")
    ws.merge_cells("E2:F2")
    ws.append([1, "T1", 50, 25, "A1", "优秀"])
    ws.append([2, "T1 ", 50, 25, "A2", "合格"])  # the id is data: this row is no header
    ws.append(["合计", None, 100, 50])
    ws.append(["小 计", None, 100, 50])
    ws.append(["注:学时以平台为准"])
    ws.append(["序号", "工号", "学时", None, "能力点1", None])  # a header repeated on a new page
    book.save(tmp_path / "r.xlsx")
    rows = read_roster(tmp_path / "r.xlsx")
    [t1, t2] = [r for r in rows if r.kind == "teacher"]
    assert t1.row == 4 and t1.data == {"id": "T1", "hours": {"online": 50, "offline": 25},
                                       "points": [{"code": "A1", "grade": "优秀"}]}
    assert t2.data["id"] == "T1"
    assert [(r.kind, r.row) for r in rows if r.kind != "teacher"] == [
        ("skipped", 6), ("skipped", 7), ("skipped", 8), ("skipped", 9)]


def test_xls_is_refused_with_the_save_as_hint(tmp_path: Path) -> None:
    p = tmp_path / "r.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(InputError) as exc:
        read_roster(p)
    assert ".xlsx" in exc.value.problems[0].message_en


def _sheet_xml(rows: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns='
            '"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            f"{rows}</sheetData></worksheet>")


def _rewrite_sheet(path: Path, xml: str) -> None:
    """Replace sheet1 of a workbook with hand-written XML (as odd exporters write it)."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w") as dst:
        for item in src.infolist():
            data = xml.encode() if item.filename == "xl/worksheets/sheet1.xml" else src.read(item)
            dst.writestr(item, data)
    tmp.replace(path)


def _cells(r: int, *values: Any) -> str:
    out = []
    for i, v in enumerate(values):
        ref = f"{'ABC'[i]}{r}"
        if isinstance(v, str) and v.startswith("="):
            out.append(f'<c r="{ref}"><f>{v[1:]}</f></c>')
        elif isinstance(v, str):
            out.append(f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>')
        else:
            out.append(f'<c r="{ref}"><v>{v}</v></c>')
    return f'<row r="{r}">{"".join(out)}</row>'


def test_repeated_and_out_of_order_rows_and_formulas_without_values(tmp_path: Path) -> None:
    p = xlsx(tmp_path / "r.xlsx", {"Sheet": [["x"]]})
    _rewrite_sheet(p, _sheet_xml(
        _cells(1, "工号", "线上学时") + _cells(2, "T1", 50) + _cells(4, "T3", "=40+10")
        + _cells(3, "T2", 50) + _cells(4, "T4", 50) + _cells(5, "T5", 50)))
    rows = list(iter_roster(p))
    seen = {(r.row, r.data.get("id")): [q.message_en for q in r.problems] for r in rows}
    assert any("formula =40+10" in m for m in seen[(4, "T3")])
    assert [k for k, v in seen.items() if v and k[1] is None] == [(3, None), (4, None)]
    assert (5, "T5") in seen  # nothing after the broken rows is lost


def test_many_empty_rows_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ict2rules.input.tabular as tabular

    monkeypatch.setattr(tabular, "MAX_EMPTY_ROWS", 50)
    p = xlsx(tmp_path / "r.xlsx", {"Sheet": [["x"]]})
    empty = "".join(f'<row r="{i}"/>' for i in range(3, 200))
    _rewrite_sheet(p, _sheet_xml(_cells(1, "工号", "线上学时") + _cells(2, "T1", 50) + empty
                                 + _cells(300, "T2", 50)))
    rows = list(iter_roster(p))
    assert rows[0].data["id"] == "T1"
    assert "empty rows" in rows[-1].problems[0].message_en


# ---------------------------------------------------------------- cells and headers


def test_ids_excel_turned_into_numbers_get_a_hint(tmp_path: Path) -> None:
    p = xlsx(tmp_path / "r.xlsx", {"S": [["工号", "姓名"], [632323199001011234, "甲"],
                                         [10086, "乙"]]})
    rows = list(iter_roster(p))
    assert "lost digits" in rows[0].problems[0].message_en
    assert rows[1].ok and rows[1].data["id"] == "10086"
    c = tmp_path / "r.csv"
    c.write_text("工号,姓名\n6.32323E+17,甲\n", encoding="utf-8")
    assert "scientific notation" in next(iter_roster(c)).problems[0].message_en


def test_platform_headers(tmp_path: Path) -> None:
    p = tmp_path / "r.csv"
    p.write_text("序号,身份证号,教师姓名,学校名称,所属区县,总学时,网络研修学时,校本研修学时,考核结果\n"
                 "1,632323199001011234,张三,泽库县民族中学,泽库县,75,50,25,合格\n", encoding="utf-8")
    [row] = teachers(p)
    assert row.data == {"id": "632323199001011234", "name": "张三", "school_id": "泽库县民族中学",
                        "attributes": {"county": "泽库县"}, "grade": "合格",
                        "hours": {"stated_total": 75, "online": 50, "offline": 25}}
    both = tmp_path / "b.csv"
    both.write_text("工号,身份证号\nT1,632323199001011234\n", encoding="utf-8")
    [row] = teachers(both)  # 身份证号 beside 工号 is a fact, kept as text, not a second id
    assert row.data == {"id": "T1", "attributes": {"身份证号": "632323199001011234"}}


def test_unknown_columns_are_said_with_a_did_you_mean(tmp_path: Path) -> None:
    p = tmp_path / "r.csv"
    p.write_text("工号,ofline hours,研修网积分\nT1,25,3\n", encoding="utf-8")
    [note] = [r for r in read_roster(p) if r.kind == "note"]
    by_column = {n.column: n.message_en for n in note.notes}
    assert "did you mean offline hours(hours.offline)" in by_column[2]
    assert "--columns" in by_column[3]
    assert teachers(p)[0].data["attributes"] == {"ofline hours": 25, "研修网积分": 3}


def test_huge_integers_are_located_problems_not_crashes(tmp_path: Path) -> None:
    p = tmp_path / "r.csv"
    p.write_text("工号,线上学时,备注\nT1," + "9" * 5000 + "," + "9" * 5000 + "\n",
                 encoding="utf-8")
    [row] = teachers_rows = list(iter_roster(p))
    assert teachers_rows and [q.column for q in row.problems] == [2]
    assert row.data["attributes"]["备注"] == "9" * 5000  # a long digit string stays text


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "r.csv"
    os.mkfifo(fifo)
    with pytest.raises(InputError) as exc:
        read_roster(fifo)
    assert "regular file" in exc.value.problems[0].message_en


# ---------------------------------------------------------------- CSV text


def test_a_stray_quote_loses_no_later_row(tmp_path: Path) -> None:
    p = tmp_path / "q.csv"
    p.write_text('工号,姓名,线上学时\nT1,"张三,50\n' + "".join(f"T{i},李,50\n" for i in range(2, 1001)),
                 encoding="utf-8")
    rows = list(iter_roster(p))
    assert [r.row for r in rows if not r.ok] == [2]
    assert len([r for r in rows if r.ok]) == 999


def test_a_cell_with_a_line_break_is_still_one_cell(tmp_path: Path) -> None:
    p = tmp_path / "r.csv"
    p.write_text('工号,备注\nT1,"第一行\n第二行"\nT2,x\n', encoding="utf-8")
    assert [r.data["attributes"]["备注"] for r in teachers(p)] == ["第一行\n第二行", "x"]


def test_utf8_with_a_stray_byte_is_not_read_as_gb18030(tmp_path: Path) -> None:
    p = tmp_path / "r.csv"
    p.write_bytes("工号,姓名\nT1,张三\nT2,李四".encode() + b"\xa0\nT3," + "王五\n".encode())
    rows = list(iter_roster(p))
    assert [r.data.get("name") for r in rows if r.ok] == ["张三", "王五"]
    assert [r.row for r in rows if not r.ok] == [3]


def test_a_utf8_tail_in_a_gbk_file_is_said_not_garbled(tmp_path: Path) -> None:
    p = tmp_path / "r.csv"
    body = "".join(f"T{i},张三{i}\n" for i in range(30_000)).encode("gbk")
    p.write_bytes("工号,姓名\n".encode("gbk") + body + "T99999,王五\n".encode())
    assert p.stat().st_size > 256 * 1024  # past the sample the encoding is chosen from
    rows = list(iter_roster(p))
    assert [r.row for r in rows if not r.ok] == [30_002]
    assert rows[0].data["name"] == "张三0"


def test_json_lines_huge_numbers_and_deep_nesting_are_located(tmp_path: Path) -> None:
    p = tmp_path / "r.jsonl"
    p.write_text('{"id": "T1", "x": ' + "9" * 5000 + "}\n"
                 '{"id": "T2", "attributes": {"x": ' + "[" * 3000 + "]" * 3000 + "}}\n"
                 '{"id": "T3"}\n', encoding="utf-8")
    rows = list(iter_roster(p))
    assert [(r.row, r.ok) for r in rows] == [(1, False), (2, False), (3, True)]


def test_a_sheet_is_points_only_beside_a_roster(tmp_path: Path) -> None:
    plain = xlsx(tmp_path / "a.xlsx", {"教师能力点": [["工号", "能力点", "成绩"], ["T1", "A1", 90],
                                                 ["T2", "A2", 80]]})
    assert [r.data["points"] for r in teachers(plain)] == [[{"code": "A1"}], [{"code": "A2"}]]
    two = xlsx(tmp_path / "b.xlsx", {
        "名单": [["工号", "线上学时"], ["T1", 50]],
        "明细": [["工号", "能力点", "等级", "成绩"], ["T1", "A1", "优秀", 90], ["T1", "A2", "合格", 80]],
    })
    [row] = teachers(two)
    assert [p["code"] for p in row.data["points"]] == ["A1", "A2"]
