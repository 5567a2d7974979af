"""Rosters from CSV (UTF-8, UTF-8 BOM, GBK), XLSX and JSON Lines → teacher dicts."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import tracemalloc
from collections.abc import Iterable
from pathlib import Path

import pytest
from openpyxl import Workbook

from ict2rules.errors import InputError
from ict2rules.input.records import Teacher
from ict2rules.input.tabular import (
    DEFAULT_COLUMNS,
    MAX_ROW_CHARS,
    RosterRow,
    iter_roster,
    load_mapping,
    read_roster,
)

ZH_HEADER = (
    "工号,姓名,学校,学科,线上学时,线下学时,课堂实录学时,认证学时,过程性资料学时,能力点,"
    "上传课例数,评课数,互评数,成果案例数,成绩,考核日期,完成日期,是否参训"
)
ZH_ROW = "T001,张三,S1,语文,50,25,5,15,5,A1;B2;C3,1,3,3,2,91,2023-09-20,2023/9/15,是"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def problems_of(exc: pytest.ExceptionInfo[InputError]) -> list[tuple[int | None, str | None]]:
    return [(p.line, p.field) for p in exc.value.problems]


# ---------------------------------------------------------------- CSV


def test_utf8_bom_chinese_headers(tmp_path: Path) -> None:
    p = write(tmp_path / "r.csv", f"{ZH_HEADER}\r\n{ZH_ROW}\r\n", "utf-8-sig")
    [row] = read_roster(p)
    assert row.row == 2 and row.file == str(p) and row.ok
    assert row.data == {
        "id": "T001",
        "name": "张三",
        "school_id": "S1",
        "subject": "语文",
        "hours": {
            "online": 50,
            "offline": 25,
            "practice": {"lesson": 5, "certification": 15, "process": 5},
        },
        "points": [{"code": "A1"}, {"code": "B2"}, {"code": "C3"}],
        "lessons_uploaded": 1,
        "lessons_reviewed": 3,
        "peer_reviews_given": 3,
        "result_cases": 2,
        "score": 91,
        "assessed_on": "2023-09-20",
        "completed_on": "2023-09-15",
        "enrolled": True,
    }
    assert row.columns["hours.online"] == "线上学时"
    assert row.columns["id"] == "工号"
    teacher = Teacher.model_validate(row.data)
    assert teacher.hours is not None and teacher.hours.total == 75


def test_gbk_csv_is_detected(tmp_path: Path) -> None:
    p = write(tmp_path / "r.csv", f"{ZH_HEADER}\n{ZH_ROW}\n", "gbk")
    [row] = read_roster(p)
    assert row.data["name"] == "张三" and row.data["subject"] == "语文"


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8"])
def test_long_ascii_prefix_then_chinese(tmp_path: Path, encoding: str) -> None:
    body = "".join(f"T{i},teacher{i},50\n" for i in range(20_000))
    p = write(tmp_path / "r.csv", "id,name,online_hours\n" + body + "T9,王五,50\n", encoding)
    assert p.stat().st_size > 256 * 1024
    rows = read_roster(p)
    assert rows[-1].data["name"] == "王五"


def teachers(rows: Iterable[RosterRow]) -> list[RosterRow]:
    """The teacher rows (the reader also returns notes: unknown columns, skipped rows)."""
    return [r for r in rows if r.kind == "teacher"]


def test_english_headers_tab_delimited_and_normalised(tmp_path: Path) -> None:
    text = (
        "ＩＤ\t Name \tOnline_Hours\tOffline Hours\t线上学时（小时）X\tPoints\tEnrolled\n"
        "T2\tLi Si\t50.5\t25\t\tA1:92;B2:85\tfalse\n"
    )
    p = write(tmp_path / "r.tsv", text)
    [row] = teachers(read_roster(p))
    assert row.data["id"] == "T2" and row.data["name"] == "Li Si"
    assert row.data["hours"] == {"online": 50.5, "offline": 25}
    assert row.data["points"] == [{"code": "A1", "score": 92}, {"code": "B2", "score": 85}]
    assert row.data["enrolled"] is False
    assert row.columns["hours.online"] == "Online_Hours"
    assert "线上学时（小时）X" not in row.data.get("attributes", {})  # blank cell stays absent


def test_semicolon_delimiter(tmp_path: Path) -> None:
    p = write(tmp_path / "r.csv", "工号;姓名;线上学时\nT1;张三;50\n")
    assert read_roster(p)[0].data == {"id": "T1", "name": "张三", "hours": {"online": 50}}


def test_header_units_and_field_paths(tmp_path: Path) -> None:
    p = write(
        tmp_path / "r.csv",
        "id,hours.online,线下学时(小时),hours.practice.lesson,成绩（分）\nT1,50学时,25 h,5,90分\n",
    )
    assert read_roster(p)[0].data == {
        "id": "T1",
        "hours": {"online": 50, "offline": 25, "practice": {"lesson": 5}},
        "score": 90,
    }


def test_missing_cells_stay_absent(tmp_path: Path) -> None:
    p = write(tmp_path / "r.csv", f"{ZH_HEADER}\nT002,李四,,,,,,,,,,,,,,,,\nT003\n")
    rows = read_roster(p)
    assert [r.data for r in rows] == [{"id": "T002", "name": "李四"}, {"id": "T003"}]
    teacher = Teacher.model_validate(rows[0].data)
    assert teacher.hours is None and teacher.points is None and teacher.score is None


def test_numbers_strings_and_ids(tmp_path: Path) -> None:
    p = write(tmp_path / "r.csv", "工号,线上学时,备注,编码\n007,50,1,0012\n")
    [row] = teachers(read_roster(p))
    assert row.data["id"] == "007"  # an id column keeps its text
    assert row.data["attributes"] == {"备注": 1, "编码": "0012"}
    assert row.columns["attributes.备注"] == "备注"
    Teacher.model_validate(row.data)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("A1;B2,C3", ["A1", "B2", "C3"]),
        ("A1、B2", ["A1", "B2"]),
        ("a1，b2；c3", ["A1", "B2", "C3"]),
        ("A1 B2 C3", ["A1", "B2", "C3"]),
        ("A1技术支持的学情分析、B2 微课程设计与制作", ["A1", "B2"]),
        ("技术支持的学情分析;微课程设计与制作", ["A1", "B2"]),
        ("A10", ["A10"]),
        ("A1\nB2", ["A1", "B2"]),
    ],
)
def test_points_cell_is_split(tmp_path: Path, cell: str, expected: list[str]) -> None:
    p = write(tmp_path / "r.csv", f'工号,能力点\nT1,"{cell}"\n')
    assert [pt["code"] for pt in read_roster(p)[0].data["points"]] == expected


def test_point_scores_full_width_colon(tmp_path: Path) -> None:
    p = write(tmp_path / "r.csv", '工号,微能力点\nT1,"A1：92；B2:85.5"\n')
    assert read_roster(p)[0].data["points"] == [
        {"code": "A1", "score": 92},
        {"code": "B2", "score": 85.5},
    ]


def test_unknown_point_code_is_left_for_pydantic(tmp_path: Path) -> None:
    p = write(tmp_path / "r.csv", "工号,能力点\nT1,A14\n")
    [row] = read_roster(p)
    assert row.data["points"] == [{"code": "A14"}]
    with pytest.raises(ValueError, match="A14"):
        Teacher.model_validate(row.data)


def test_numbered_point_columns_with_a_gap(tmp_path: Path) -> None:
    p = write(
        tmp_path / "r.csv",
        "工号,能力点1,能力点1成绩,能力点2,能力点2成绩,能力点3,能力点3成绩\n"
        "T1,A1,92,B2,85,C3,70\n"
        "T2,,,B2,80,C3,\n",
    )
    first, second = read_roster(p)
    assert first.data["points"] == [
        {"code": "A1", "score": 92},
        {"code": "B2", "score": 85},
        {"code": "C3", "score": 70},
    ]
    assert first.column_for(("points", 2, "score")) == "能力点3成绩"
    assert second.data["points"] == [{"code": "B2", "score": 80}, {"code": "C3"}]
    assert second.column_for(("points", 0, "score")) == "能力点2成绩"
    assert second.column_for(("points", 1, "code")) == "能力点3"


def test_title_row_above_header_is_skipped(tmp_path: Path) -> None:
    p = write(tmp_path / "r.csv", "某某学校教师研修学时统计表,,\n工号,姓名,线上学时\nT1,张三,50\n")
    [row] = read_roster(p)
    assert row.row == 3 and row.data["name"] == "张三"


def test_blank_rows_skipped_numbers_kept(tmp_path: Path) -> None:
    p = write(tmp_path / "r.csv", "工号,姓名\nT1,甲\n\n,\nT2,乙\n")
    rows = read_roster(p)
    assert [(r.row, r.data["id"]) for r in teachers(rows)] == [(2, "T1"), (5, "T2")]
    assert [(r.kind, r.row) for r in rows if r.kind != "teacher"] == [("note", 3)]  # 3–4 blank
    assert "3–4" in rows[1].notes[0].message_en


def test_quoted_multiline_cell(tmp_path: Path) -> None:
    p = write(tmp_path / "r.csv", '工号,备注\nT1,"第一行\n第二行"\nT2,x\n')
    rows = read_roster(p)
    assert rows[0].data["attributes"]["备注"] == "第一行\n第二行"
    assert [r.row for r in rows] == [2, 3]


def test_dates_in_many_spellings(tmp_path: Path) -> None:
    p = write(
        tmp_path / "r.csv",
        "工号,考核日期\nT1,2023年9月20日\nT2,2023.9.20\nT3,20230920\nT4,2023-09-20 10:30:00\n",
    )
    assert {r.data["assessed_on"] for r in read_roster(p)} == {"2023-09-20"}


def test_bad_rows_all_reported_once(tmp_path: Path) -> None:
    p = write(
        tmp_path / "r.csv",
        "工号,姓名,线上学时,上传课例数,考核日期,是否参训,能力点\n"
        "T1,甲,五十,1,2023-09-20,是,A1\n"
        "T2,乙,50,1,2023-09-20,是,A1\n"
        "T3,丙,50,1.5,2023-02-30,也许,A1:很好\n",
    )
    with pytest.raises(InputError) as exc:
        read_roster(p)
    assert problems_of(exc) == [
        (2, "线上学时"),
        (4, "上传课例数"),
        (4, "考核日期"),
        (4, "是否参训"),
        (4, "能力点"),
    ]
    first = exc.value.problems[0]
    assert first.column == 3 and first.file == str(p)
    assert "五十" in first.message_zh and "hours.online" in first.message_en
    assert str(first).startswith(f"{p}:2:3: (C2) 线上学时: ")  # the cell as Excel names it, after file:line:col


def test_iter_roster_attaches_problems_and_keeps_text(tmp_path: Path) -> None:
    p = write(tmp_path / "r.csv", "工号,线上学时\nT1,五十\nT2,50\n")
    bad, good = iter_roster(p)
    assert not bad.ok and bad.data["hours"]["online"] == "五十"
    assert good.ok
    with pytest.raises(ValueError):
        Teacher.model_validate(bad.data)


def test_duplicate_header(tmp_path: Path) -> None:
    p = write(tmp_path / "r.csv", "工号,姓名,name,线上学时\nT1,甲,A,x\n")
    with pytest.raises(InputError) as exc:
        read_roster(p)
    assert problems_of(exc) == [(1, "name"), (2, "线上学时")]
    assert "duplicate header" in exc.value.problems[0].message_en
    with pytest.raises(InputError):
        list(iter_roster(p))


def test_extra_cells_and_headerless_column(tmp_path: Path) -> None:
    p = write(tmp_path / "r.csv", "工号,,姓名\nT1,,甲\nT2,oops,乙,more\n")
    with pytest.raises(InputError) as exc:
        read_roster(p)
    assert [(q.line, q.column) for q in exc.value.problems] == [(3, 2), (3, 4)]


def test_undecodable_bytes_later_in_utf8_file(tmp_path: Path) -> None:
    head = "工号,姓名\n".encode() + b"".join(f"T{i},n\n".encode() for i in range(3))
    p = tmp_path / "r.csv"
    p.write_bytes(head + b"T9,\xff\xfe\xfa\n")
    with pytest.raises(InputError) as exc:
        read_roster(p)
    assert [q.line for q in exc.value.problems] == [5]


def test_row_too_long_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    p = tmp_path / "r.csv"
    with p.open("w", encoding="utf-8") as f:
        f.write("工号,备注\nT1,ok\n")
        f.write("T2," + "x" * (MAX_ROW_CHARS + 10) + "\n")
        f.write("T3,ok\n")
    rows = list(iter_roster(p))
    assert [(r.row, r.ok) for r in rows] == [(2, True), (3, False), (4, True)]
    assert "1 MB" in rows[1].problems[0].message_en
    with pytest.raises(InputError) as exc:
        read_roster(p)
    assert problems_of(exc) == [(3, None)]


def test_huge_quoted_cell_is_a_problem(tmp_path: Path) -> None:
    p = tmp_path / "r.csv"
    p.write_text('工号,备注\nT1,"' + "y\n" * 100_000 + '"\nT2,ok\n', encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_roster(p)
    assert exc.value.problems and exc.value.problems[0].line == 2


# ---------------------------------------------------------------- mapping


def test_mapping_overrides_and_ignores(tmp_path: Path) -> None:
    p = write(tmp_path / "r.csv", "序号,教师代码,研修网学时,成绩\n1,T1,50,90\n")
    mapping = {"序号": "-", "教师代码": "id", "研修网学时": "hours.online", "成绩": "peer_score"}
    [row] = read_roster(p, mapping=mapping)
    assert row.data == {"id": "T1", "hours": {"online": 50}, "peer_score": 90}


def test_mapping_with_custom_practice_part_and_attribute(tmp_path: Path) -> None:
    p = write(tmp_path / "r.csv", "工号,说课学时,职称\nT1,3,一级教师\n")
    mapping = {"说课学时": "hours.practice.talk", "职称": "attributes.title"}
    [row] = read_roster(p, mapping=mapping)
    assert row.data == {"id": "T1", "hours": {"practice": {"talk": 3}},
                        "attributes": {"title": "一级教师"}}
    Teacher.model_validate(row.data)


def test_bad_mapping_target(tmp_path: Path) -> None:
    p = write(tmp_path / "r.csv", "工号\nT1\n")
    with pytest.raises(InputError, match=r"hours\.onlin"):
        read_roster(p, mapping={"x": "hours.onlin"})


def test_load_mapping_yaml(tmp_path: Path) -> None:
    m = write(
        tmp_path / "m.yaml",
        "columns:\n  教师代码: id\n  研修网学时: hours.online\n  序号: '-'\n",
    )
    assert load_mapping(m) == {"教师代码": "id", "研修网学时": "hours.online", "序号": "-"}
    flat = write(tmp_path / "flat.yaml", "教师代码: id\n")
    assert load_mapping(flat) == {"教师代码": "id"}
    bad = write(tmp_path / "bad.yaml", "columns:\n  a: id\n  b: nonsense\n  c: [1]\n")
    with pytest.raises(InputError) as exc:
        load_mapping(bad)
    assert [(q.line, q.field) for q in exc.value.problems] == [(3, "b"), (4, "c")]


def test_default_columns_cover_both_languages() -> None:
    targets = set(DEFAULT_COLUMNS.values())
    for field in ("id", "name", "school_id", "hours.online", "hours.offline", "points", "score"):
        assert field in targets
    assert DEFAULT_COLUMNS["姓名"] == DEFAULT_COLUMNS["name"] == "name"


def test_default_columns_name_real_teacher_fields() -> None:
    """Catches drift between the default headers and records.Teacher."""
    from ict2rules.input.records import HoursRecord

    for target in DEFAULT_COLUMNS.values():
        top, _, rest = target.partition(".")
        if target == "-" or top == "attributes":
            continue
        assert top in Teacher.model_fields, target
        if top == "hours":
            assert rest.split(".")[0] in HoursRecord.model_fields, target


# ---------------------------------------------------------------- XLSX


def make_xlsx(path: Path, rows: list[list[object]], *, before: list[str] = ()) -> Path:
    wb = Workbook()
    first = wb.active
    assert first is not None
    for title in before:
        first.title = title
        first.append(["填表说明:每位教师一行"])
        first = wb.create_sheet()
    first.title = "名单"
    for r in rows:
        first.append(r)
    wb.save(path)
    return path


def test_xlsx_native_cells(tmp_path: Path) -> None:
    p = make_xlsx(
        tmp_path / "r.xlsx",
        [
            ["某校教师学时统计"],
            ["教师编号", "姓名", "线上学时", "线下学时", "能力点", "考核日期", "是否参训", "备注"],
            [10086, "张三", 50, 25.5, "A1、B2", dt.datetime(2023, 9, 20), True, None],
            [None, None, None, None, None, None, None, None],
            ["T2", "李四", "五十", None, None, "2023/9/1", "否", dt.datetime(2023, 1, 2, 3, 4)],
        ],
        before=["说明"],
    )
    with pytest.raises(InputError) as exc:
        read_roster(p)
    assert problems_of(exc) == [(5, "线上学时")]
    first, second = teachers(iter_roster(p))
    assert first.row == 3 and second.row == 5
    assert first.data == {
        "id": "10086",
        "name": "张三",
        "hours": {"online": 50, "offline": 25.5},
        "points": [{"code": "A1"}, {"code": "B2"}],
        "assessed_on": "2023-09-20",
        "enrolled": True,
    }
    assert second.data["enrolled"] is False and second.data["assessed_on"] == "2023-09-01"
    assert second.data["attributes"] == {"备注": "2023-01-02T03:04:00"}
    Teacher.model_validate(first.data)


def test_not_really_xlsx(tmp_path: Path) -> None:
    p = write(tmp_path / "r.xlsx", "工号\nT1\n")
    with pytest.raises(InputError, match="xlsx"):
        read_roster(p)
    z = tmp_path / "z.xlsx"
    z.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(InputError, match="xlsx"):
        read_roster(z)


def test_old_xls_refused(tmp_path: Path) -> None:
    p = tmp_path / "r.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(InputError, match=r"\.xls"):
        read_roster(p)


# ---------------------------------------------------------------- JSON Lines


def test_jsonl_rows_and_problems(tmp_path: Path) -> None:
    teacher = {"id": "T001", "hours": {"online": 50, "offline": 25}, "points": [{"code": "A1"}]}
    lines = [
        json.dumps(teacher, ensure_ascii=False),
        "",
        "[1, 2]",
        '{"id": "T2", "id": "T3"}',
        '{"id": "T4",',
        json.dumps({"id": "T5", "name": "张三"}, ensure_ascii=False),
    ]
    p = write(tmp_path / "r.jsonl", "\n".join(lines) + "\n", "utf-8-sig")
    rows = list(iter_roster(p))
    assert [(r.row, r.ok) for r in rows] == [
        (1, True), (3, False), (4, False), (5, False), (6, True)
    ]
    assert rows[0].data == teacher and rows[-1].data["name"] == "张三"
    with pytest.raises(InputError) as exc:
        read_roster(p)
    assert [q.line for q in exc.value.problems] == [3, 4, 5]
    assert exc.value.problems[2].column is not None


def test_jsonl_detected_by_content_and_long_line(tmp_path: Path) -> None:
    p = tmp_path / "r.txt"
    with p.open("w", encoding="utf-8") as f:
        f.write('{"id": "T1"}\n')
        f.write('{"id": "T2", "x": "' + "z" * (MAX_ROW_CHARS + 1) + '"}\n')
        f.write('{"id": "T3"}\n')
    rows = list(iter_roster(p))
    assert [(r.row, r.ok) for r in rows] == [(1, True), (2, False), (3, True)]


# ---------------------------------------------------------------- whole-file problems


def test_empty_file(tmp_path: Path) -> None:
    for name, content in (("e.csv", b""), ("b.csv", b"\xef\xbb\xbf\r\n  \n"), ("e.jsonl", b"\n")):
        p = tmp_path / name
        p.write_bytes(content)
        with pytest.raises(InputError, match="empty"):
            read_roster(p)


def test_directory_missing_and_binary(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="directory"):
        read_roster(tmp_path)
    with pytest.raises(InputError, match="no such file"):
        read_roster(tmp_path / "nope.csv")
    garbage = tmp_path / "g.csv"
    garbage.write_bytes(bytes(range(256)) * 50)
    with pytest.raises(InputError, match="binary"):
        read_roster(garbage)
    noisy = tmp_path / "n.csv"
    noisy.write_bytes(bytes([0x81, 0x30, 0x01, 0x02, 0x03, 0x04, 0x05]) * 200)
    with pytest.raises(InputError) as exc:
        read_roster(noisy)
    assert len(exc.value.problems) == 1


def test_json_array_is_refused_with_a_hint(tmp_path: Path) -> None:
    p = write(tmp_path / "r.json", '[\n {"id": "T1"}\n]\n')
    with pytest.raises(InputError, match="JSON Lines"):
        read_roster(p)


def test_header_only_file_has_no_rows(tmp_path: Path) -> None:
    assert read_roster(write(tmp_path / "r.csv", "工号,姓名\n")) == []


def test_row_dataclass_is_frozen() -> None:
    row = RosterRow("a.csv", 2, {}, {})
    with pytest.raises(AttributeError):
        row.row = 3  # type: ignore[misc]


# ---------------------------------------------------------------- streaming


def test_first_row_of_a_large_file_is_quick(tmp_path: Path) -> None:
    p = tmp_path / "big.csv"
    line = "T{},张三,S1,语文,50,25,A1;B2;C3,91\n"
    with p.open("w", encoding="gb18030") as f:
        f.write("工号,姓名,学校,学科,线上学时,线下学时,能力点,成绩\n")
        for chunk in range(40):
            f.write("".join(line.format(i) for i in range(chunk * 5000, chunk * 5000 + 5000)))
    with p.open("ab") as f:  # bytes no encoding reads: only a reader that read it all would see them
        f.write(b"\xff\xfe\x00" * 1000)
    first = next(iter_roster(p))  # rows come one by one: the first needs none of the rest
    assert first.data["id"] == "T0"
    taken = list(itertools.islice(iter_roster(p), 3))
    assert [r.row for r in taken] == [2, 3, 4]


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_memory_does_not_grow_with_the_file(tmp_path: Path, kind: str) -> None:
    p = tmp_path / f"big.{kind}"
    note = "备注" * 200
    with p.open("w", encoding="utf-8") as f:
        if kind == "csv":
            f.write("工号,线上学时,备注\n")
            for i in range(20_000):
                f.write(f"T{i},50,{note}\n")
        else:
            for i in range(20_000):
                f.write(json.dumps({"id": f"T{i}", "note": note}, ensure_ascii=False) + "\n")
    assert p.stat().st_size > 8_000_000
    tracemalloc.start()
    try:
        count = sum(1 for _ in iter_roster(p))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 20_000
    assert peak < 3_000_000


def test_a_document_column_gives_the_filing_date(tmp_path: Path) -> None:
    """``文件:任务清单`` (full-width colon, 材料: and document: too): a date files the document,
    否 or a blank cell files nothing, anything else is a located problem, never a silent yes."""
    text = "工号,文件:任务清单,材料：研修档案\nT1,2023/9/1,否\nT2,,\nT3,是,2023-11-10\n"
    with pytest.raises(InputError) as exc:
        read_roster(write(tmp_path / "r.csv", text))
    assert problems_of(exc) == [(4, "文件:任务清单")]
    rows = list(iter_roster(write(tmp_path / "ok.csv", text.replace("是", "2023-09-02"))))
    assert [r.data.get("documents") for r in rows] == [
        [{"name": "任务清单", "filed_on": "2023-09-01"}],
        None,
        [{"name": "任务清单", "filed_on": "2023-09-02"}, {"name": "研修档案", "filed_on": "2023-11-10"}],
    ]
    for r in rows:
        Teacher.model_validate(r.data)


def test_a_mapping_can_ignore_a_document_column(tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", "工号,文件:任务清单\nT1,是\n")
    rows = list(iter_roster(path, mapping={"文件:任务清单": "-"}))  # the user's choice wins
    assert [(r.data, r.problems) for r in rows] == [({"id": "T1"}, ())]


def test_a_roster_problem_names_its_cell_as_excel_does(tmp_path: Path) -> None:
    """名册.xlsx:2:3 is also C2 to the person who opens the sheet; file:line:col stays first."""
    import openpyxl

    from ict2rules.errors import InputError
    from ict2rules.input.files import read_records

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "一校"
    sheet.append(["工号", "姓名", "线上学时"])
    sheet.append(["T1", "张三", "五十"])
    book.save(tmp_path / "名册.xlsx")
    (tmp_path / "名册.csv").write_text("工号,姓名,线上学时\nT1,张三,五十\n", encoding="utf-8")
    for name, where in (("名册.xlsx", "名册.xlsx:2:3: (C2) 线上学时: "), ("名册.csv", "名册.csv:2:3: (C2) 线上学时: ")):
        with pytest.raises(InputError) as err:
            read_records(tmp_path / name)
        (problem,) = err.value.problems
        assert str(problem).split(str(tmp_path) + "/")[-1].startswith(where), str(problem)
        assert (problem.line, problem.column, problem.cell) == (2, 3, "C2")
        assert problem.to_dict()["column"] == 3  # JSON keeps the numbers
