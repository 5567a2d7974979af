"""A 2,000-teacher roster checks to the same findings whether it comes as YAML, as an Excel
workbook with Chinese headers, or as a GBK-encoded CSV exported by Chinese Windows Excel."""

from __future__ import annotations

import csv
import random
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from ict2rules import evaluate

N = 2000
HEADERS = [
    "工号",
    "姓名",
    "学科",
    "线上学时",
    "线下学时",
    "课堂实录学时",
    "认证学时",
    "过程性资料学时",
    "能力点",
    "上传课例数",
    "评课数",
    "互评数",
    "互评成绩",
    "学校评价成绩",
    "完成日期",
    "考核日期",
]
SUBJECTS = [
    "语文",
    "数学",
    "英语",
    "藏语文",
    "物理",
    "化学",
    "生物",
    "历史",
    "地理",
    "体育",
    "音乐",
    "美术",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗才卓索拉仁旦"
GIVEN = ["海燕", "文华", "措", "吉", "东智", "玛", "明", "丽", "强", "军", "芳", "杰", "草", "加"]
CODES = ["A1", "A2", "A3", "A5", "A6", "A11", "B2", "B6"]


def _teacher(i: int, rng: random.Random) -> dict[str, Any]:
    online = rng.choice([50, 50, 52, 49.5, 60, 45])
    lesson, cert, process = rng.choice([(5, 15, 5), (5, 15, 5), (4, 15, 5), (5, 14.5, 5)])
    points = rng.sample(CODES, rng.choice([3, 3, 4, 2]))
    row: dict[str, Any] = {
        "工号": f"ZK{i:05d}",
        "姓名": rng.choice(SURNAMES) + rng.choice(GIVEN),
        "学科": rng.choice(SUBJECTS),
        "线上学时": online,
        "线下学时": lesson + cert + process,
        "课堂实录学时": lesson,
        "认证学时": cert,
        "过程性资料学时": process,
        "能力点": ";".join(f"{c}:{rng.randint(55, 98)}" for c in points),
        "上传课例数": rng.choice([1, 1, 1, 0]),
        "评课数": rng.choice([3, 4, 2, 5]),
        "互评数": rng.choice([1, 3, 0]),
        "互评成绩": rng.randint(50, 99),
        "学校评价成绩": rng.randint(50, 99),
        "完成日期": rng.choice(["2023-09-10", "2023-09-14", "2023-09-20", ""]),
        "考核日期": rng.choice(["2023-09-18", "2023-09-25", ""]),
    }
    return row


def _as_record(row: dict[str, Any]) -> dict[str, Any]:
    """The same teacher as a YAML record (what the column mapping should produce)."""
    rec: dict[str, Any] = {
        "id": row["工号"],
        "name": row["姓名"],
        "subject": row["学科"],
        "hours": {
            "online": row["线上学时"],
            "offline": row["线下学时"],
            "practice": {
                "lesson": row["课堂实录学时"],
                "certification": row["认证学时"],
                "process": row["过程性资料学时"],
            },
        },
        "points": [
            {"code": c, "score": int(s)}
            for c, s in (p.split(":") for p in row["能力点"].split(";"))
        ],
        "lessons_uploaded": row["上传课例数"],
        "lessons_reviewed": row["评课数"],
        "peer_reviews_given": row["互评数"],
        "peer_score": row["互评成绩"],
        "school_score": row["学校评价成绩"],
    }
    if row["完成日期"]:
        rec["completed_on"] = row["完成日期"]
    if row["考核日期"]:
        rec["assessed_on"] = row["考核日期"]
    return rec


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("rosters")
    rng = random.Random(2023)
    rows = [_teacher(i, rng) for i in range(N)]
    school = {
        "id": "ZK-MYZX",
        "name": "泽库县民族中学",
        "environments": ["A", "B"],
        "point_scope": ["A1", "A2", "A3", "A5", "A6", "A11"],
    }
    (folder / "school.yaml").write_text(
        yaml.safe_dump(
            {"school": {**school, "teachers": [_as_record(r) for r in rows]}}, allow_unicode=True
        ),
        encoding="utf-8",
    )
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for r in rows:
        ws.append([r[h] if r[h] != "" else None for h in HEADERS])
    wb.save(folder / "名册.xlsx")
    with (folder / "名册.csv").open("w", encoding="gbk", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADERS)
        w.writerows([[r[h] for h in HEADERS] for r in rows])
    for name in ("名册.xlsx", "名册.csv"):
        (folder / f"school_{Path(name).suffix[1:]}.yaml").write_text(
            yaml.safe_dump({"school": {**school, "roster": name}}, allow_unicode=True),
            encoding="utf-8",
        )
    return {
        "yaml": folder / "school.yaml",
        "xlsx": folder / "school_xlsx.yaml",
        "csv": folder / "school_csv.yaml",
    }


def _findings(path: Path) -> list[tuple[Any, ...]]:
    report = evaluate("zeku_2023", path, as_of="2024-01-05")
    return [
        (f.rule_id, f.subject.id, f.status.value, str(f.outcome.expected), str(f.outcome.actual))
        for f in report.findings
    ]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_roster_formats_check_to_the_same_findings(files: dict[str, Path], fmt: str) -> None:
    expected = _findings(files["yaml"])
    assert len({f[1] for f in expected}) == N + 1  # every teacher and the school
    assert {f[2] for f in expected} >= {"pass", "fail"}  # a realistic mix, not all one way
    assert _findings(files[fmt]) == expected
