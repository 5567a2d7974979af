"""Build the export corpus: rosters shaped the way schools and training platforms export them.

Run ``python tests/exports/make_exports.py`` to rewrite the files in this folder (the test
``tests/test_exports.py`` checks that the committed files read the same as freshly built ones,
and that each gives the verdict and messages ``cases.yaml`` expects).

Every teacher here is the compliant 泽库 teacher of ``examples/zeku_2023/school_ok.yaml``
unless the case says otherwise; each file is checked through a school plan ``*.school.yaml``
that names it as the school's ``roster:``, so a compliant file passes every rule.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

HERE = Path(__file__).resolve().parent
PLAN = HERE.parents[1] / "examples" / "zeku_2023" / "school_ok.yaml"

# The three teachers of the example plan, as a platform export spells them.
TEACHERS = [
    ("ZK001", "卓玛吉", "语文", 50, 25, 5, 15, 5, 1, 3, 4, 92, 90, "2023-09-10", "2023-09-18",
     ["A1", "A3", "A5"]),
    ("ZK002", "王海燕", "数学", 52, 25, 5, 15, 5, 1, 5, 3, 78, 84, "2023-09-12", "2023-09-18",
     ["A1", "B2", "A11"]),
    ("ZK003", "才让吉", "藏语文", 50, 26, 5, 16, 5, 1, 3, 3, 60, 64, "2023-09-14", "2023-09-19",
     ["A3", "B6", "A11"]),
]
BASE = ["工号", "姓名", "学科", "线上学时", "线下学时", "课堂实录学时", "认证学时", "过程性资料学时",
        "上传课例数", "评课数", "互评数", "互评成绩", "学校评价成绩", "完成日期", "考核日期", "考核成绩",
        "文件:任务清单"]
# The coordinator adds the one column no platform exports: the date of each teacher's 任务清单.
TASK_LIST = "2023-09-01"
# The final score the school's 考核方案 gives (the county text gives no weights of its parts).
SCORES = {"ZK001": 91, "ZK002": 81, "ZK003": 62}


def _base_row(t: tuple[Any, ...]) -> list[Any]:
    return [*t[:15], SCORES[t[0]], TASK_LIST]
GRADES = ["优秀", "合格", "良好"]


def _wide_headers() -> list[str]:
    out = list(BASE)
    for n in (1, 2, 3):
        out += [f"能力点{n}", f"能力点{n}等级", f"能力点{n}成绩", f"能力点{n}认证级别",
                f"能力点{n}证据有效"]
    return out


def _wide_row(t: tuple[Any, ...]) -> list[Any]:
    row = _base_row(t)
    for i, code in enumerate(t[15]):
        row += [code, GRADES[i], 90 - 5 * i, "校级", "是"]
    return row


def _plan(roster: str, **extra: str) -> None:
    data = yaml.safe_load(PLAN.read_text(encoding="utf-8"))
    school = data["school"]
    school.pop("teachers")
    school["roster"] = roster
    school.update(extra)
    text = f"# the example plan of 泽库县民族中学, its teachers in {roster}\n"
    text += yaml.safe_dump({"school": school}, allow_unicode=True, sort_keys=False)
    (HERE / f"{Path(roster).stem}.school.yaml").write_text(text, encoding="utf-8")


def _save(book: Workbook, name: str) -> None:
    book.properties.creator = "ict2rules corpus"
    book.save(HERE / name)


def merged_title() -> None:
    """A school's own sheet: a merged title, a two-row merged header, 合计 and 注 rows."""
    book = Workbook()
    ws = book.active
    ws.title = "教师研修情况"
    ws.append(["泽库县民族中学 2023 年信息技术应用能力提升工程 2.0 教师研修情况统计表"])
    ws.merge_cells("A1:P1")
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(["填报单位:泽库县民族中学", None, None, None, None, None, "填报日期:2023年9月30日"])
    top = ["序号", "工号", "姓名", "学科", "学时", None, "线下学时分项", None, None,
           "能力点1", None, "能力点2", None, "能力点3", None, "考核日期"]
    sub = [None, None, None, None, "线上学时", "线下学时", "课堂实录学时", "认证学时",
           "过程性资料学时", "编号", "证据有效", "编号", "证据有效", "编号", "证据有效", None]
    ws.append(top)
    ws.append(sub)
    for rng in ("A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:F3", "G3:I3", "J3:K3", "L3:M3",
                "N3:O3", "P3:P4"):
        ws.merge_cells(rng)
    extra = ["上传课例数", "评课数", "互评数", "互评成绩", "学校评价成绩", "完成日期", "考核成绩", "文件:任务清单"]
    for i, h in enumerate(extra):  # the columns after the merged block, header in row 3 only
        ws.cell(row=3, column=17 + i, value=h)
        ws.merge_cells(start_row=3, start_column=17 + i, end_row=4, end_column=17 + i)
    for n, t in enumerate(TEACHERS, start=1):
        pts = t[15]
        ws.append([n, t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7],
                   pts[0], "是", pts[1], "是", pts[2], "是", t[14], t[8], t[9], t[10], t[11],
                   t[12], t[13], SCORES[t[0]], TASK_LIST])
    ws.append(["合计", None, None, None, 152, 76])
    ws.append([])
    ws.append(["注:学时以研修平台统计为准。"])
    ws.append(["填表人:李文华", None, None, None, "审核人:更登加"])
    _save(book, "merged_title.xlsx")
    _plan("merged_title.xlsx")


def sheet_per_section() -> None:
    """One sheet per section, a hidden stale sheet, an instructions sheet, points wide."""
    book = Workbook()
    info = book.active
    info.title = "填表说明"
    info.append(["每位教师一行;能力点写编号,如 A1。"])
    for title, rows in (("小学部", TEACHERS[:1]), ("初中部", TEACHERS[1:])):
        ws = book.create_sheet(title)
        ws.append(_wide_headers())
        for t in rows:
            ws.append(_wide_row(t))
    stale = book.create_sheet("旧名册")
    stale.append(_wide_headers())
    stale.append(["ZK999", "假教师", "语文", 1, 1])
    stale.sheet_state = "hidden"
    _save(book, "sheet_per_section.xlsx")
    _plan("sheet_per_section.xlsx")


def points_long() -> None:
    """The platform's two-sheet export: teachers, and one row per teacher × point."""
    book = Workbook()
    ws = book.active
    ws.title = "教师"
    ws.append(BASE)
    for t in TEACHERS:
        ws.append(_base_row(t))
    pts = book.create_sheet("能力点")
    pts.append(["工号", "姓名", "能力点", "等级", "成绩", "认证级别", "证据有效",
                "证据1", "证据1等级", "证据1有效"])
    for t in TEACHERS:
        for i, code in enumerate(t[15]):
            pts.append([t[0], t[1], code, GRADES[i], 90 - 5 * i, "区级", "是",
                        "课堂实录", "合格", "是"])
    _save(book, "points_long.xlsx")
    _plan("points_long.xlsx")


def _csv(name: str, rows: list[list[Any]], encoding: str) -> None:
    with (HERE / name).open("w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows(rows)


def csv_exports() -> None:
    """What 另存为 CSV gives on Chinese Windows (GBK) and on a Mac/WPS (UTF-8 with BOM)."""
    rows = [_wide_headers()] + [_wide_row(t) for t in TEACHERS]
    _csv("points_wide_gbk.csv", rows, "gbk")
    _plan("points_wide_gbk.csv")
    _csv("points_wide_bom.csv", rows, "utf-8-sig")
    _plan("points_wide_bom.csv")
    teachers = [BASE] + [_base_row(t) for t in TEACHERS]
    _csv("long_teachers.csv", teachers, "utf-8-sig")
    points = [["工号", "能力点", "等级", "证据有效"]]
    points += [[t[0], code, "合格", "是"] for t in TEACHERS for code in t[15]]
    _csv("long_points.csv", points, "utf-8-sig")
    _plan("long_teachers.csv", roster_points="long_points.csv")


def broken() -> None:
    """Exports that must be refused, each with a located message."""
    # an old Excel 97-2003 workbook: the OLE signature and nothing else a reader needs
    (HERE / "old_format.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    # 18-digit ids typed into a number column: Excel keeps 15 digits
    book = Workbook()
    ws = book.active
    ws.append(["身份证号", "姓名", "线上学时", "线下学时"])
    ws.append([632323199001011234, "卓玛吉", 50, 25])
    ws.append([632323198802022345, "王海燕", 52, 25])
    _save(book, "mangled_ids.xlsx")
    # the same ids after a trip through a CSV opened in Excel
    _csv("mangled_ids.csv", [["身份证号", "姓名", "线上学时"], ["6.32323E+17", "卓玛吉", "50"],
                             ["6.32323E+17", "王海燕", "52"]], "utf-8-sig")
    # a stray quote: every later row would vanish into 张三's name
    lines = ["工号,姓名,线上学时,线下学时", 'T1,"张三,50,25']
    lines += [f"T{i},教师{i},50,25" for i in range(2, 101)]
    (HERE / "stray_quote.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # a formula written without its value
    book = Workbook()
    ws = book.active
    ws.append(["工号", "线上学时", "线下学时", "总学时"])
    ws.append(["T1", 50, 25, "=B2+C2"])
    _save(book, "formula.xlsx")
    # a typo'd header and a derived total without its split
    _csv("typo_and_total.csv", [["工号", "姓名", "ofline hours", "总学时"],
                                ["T1", "张三", "25", "75"]], "utf-8")


BUILDERS = [merged_title, sheet_per_section, points_long, csv_exports, broken]


def main() -> int:
    for build in BUILDERS:
        build()
    return 0


if __name__ == "__main__":
    sys.exit(main())
