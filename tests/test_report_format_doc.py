"""docs/report-format.md's JSON example is what the tool prints (issue #14: docs that match)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from ict2rules.cli import main

DOC = Path(__file__).resolve().parents[1] / "docs" / "report-format.md"


def test_the_json_example_is_the_tools_output(tmp_path, monkeypatch):
    text = DOC.read_text("utf-8")
    section = text[text.index("### Example"):text.index("### Top level")]
    record = re.search(r"`teacher\.yaml` is `(.+?)`;", section).group(1)
    command = re.search(r"`(ict2rules check teacher\.yaml [^`]+)`", section).group(1)
    shown = json.loads(re.search(r"```json\n(.*?)```", section, re.S).group(1))
    (tmp_path / "teacher.yaml").write_text(record + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # the example names its input as given: teacher.yaml
    argv = shlex.split(command)[1:]
    code = main([*argv, "-o", "out.json"])
    assert code in (0, 1)
    got = json.loads((tmp_path / "out.json").read_text("utf-8"))
    assert got == shown, (
        "docs/report-format.md's JSON example is stale: run its command in a folder holding "
        "teacher.yaml and paste the output"
    )
