"""docs/rosters.md matches the reader: its worked example reads as shown, and every header the
reader recognises is listed."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ict2rules.input.tabular import (
    _ITEM_PART_WORDS,
    _POINT_PART_WORDS,
    DEFAULT_COLUMNS,
    read_roster,
)

DOC = (Path(__file__).resolve().parents[1] / "docs" / "rosters.md").read_text(encoding="utf-8")


def _block(lang: str, after: str) -> str:
    found = re.search(rf"```{lang}\n(.*?)```", DOC[DOC.index(after):], re.S)
    assert found, (lang, after)
    return found.group(1)


def test_the_worked_example_reads_as_documented(tmp_path: Path) -> None:
    p = tmp_path / "r.csv"
    p.write_text(_block("csv", "## Worked example"), encoding="utf-8-sig")
    expected = json.loads(_block("json", "## Worked example"))
    got = []
    for r in read_roster(p):
        item = {"kind": r.kind, "row": r.row}
        if r.kind == "teacher":
            item["data"] = r.data
        else:
            item["notes"] = [n.message_en for n in r.notes]
        got.append(item)
    assert got == expected


def test_every_recognised_header_is_documented() -> None:
    for header in DEFAULT_COLUMNS:
        assert header in DOC, header
    for word in [*_POINT_PART_WORDS, *_ITEM_PART_WORDS]:
        if word and not word.isascii():
            assert word in DOC, word
