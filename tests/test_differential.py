"""One population, four ways of running it, one answer.

A roster drawn by hypothesis — duplicate ids, ids with stray spaces, bad cells, rows for two
schools — is checked in memory (``-f json``), streamed (``-f jsonl``) and streamed with
``--jobs 2``. The verdict, the summary counts and the set of findings must be the same. The
nightly profile (``HYPOTHESIS_PROFILE=nightly``) draws 50 times as many rosters; run it before
each release (docs/performance.md).
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ict2rules.cli import main

AS_OF = "2023-10-08"
NIGHTLY = os.environ.get("HYPOTHESIS_PROFILE") == "nightly"

ids = st.sampled_from(["T1", "T2", "T3", "T4", " T1", "T2 ", "T5"])
hours = st.one_of(
    st.sampled_from(["", "0", "24.9", "25", "50", "50.0", "75"]),
    st.sampled_from(["abc", "-5", "五十"]),  # bad cells: skipped rows under --keep-going
)
rows = st.lists(
    st.tuples(ids, st.sampled_from(["S1", "S2"]), hours, hours, st.sampled_from(["", "A1、B2、C3"])),
    min_size=1,
    max_size=12,
)


def run(args: list[str], out: Path) -> tuple[int, str]:
    code = main([*args, "-o", str(out)])
    return code, out.read_text("utf-8") if out.exists() else ""


def summary_and_findings(fmt: str, text: str) -> tuple[dict[str, Any], Counter[tuple[Any, ...]]]:
    if fmt == "json":
        report = json.loads(text)
        summary, findings = report["summary"], report["findings"]
    else:
        lines = [json.loads(x) for x in text.splitlines()]
        summary = next(x for x in lines if x.get("type") == "summary")
        findings = [x for x in lines if "rule" in x and "type" not in x]
    counts = {k: summary[k] for k in ("passed", "teachers", "findings", "skipped_rows")}
    keys = Counter(
        (f["rule"], f["subject"]["level"], f["subject"]["id"], f["status"]) for f in findings
    )
    return counts, keys


@settings(
    max_examples=40 * (50 if NIGHTLY else 1),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
@given(rows)
def test_in_memory_streamed_and_parallel_agree(drawn: list[tuple[str, ...]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        roster = folder / "roster.csv"
        with roster.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["工号", "学校", "线上学时", "线下学时", "能力点"])
            writer.writerows(drawn)
        base = ["check", str(roster), "-r", "zeku_2023", "--as-of", AS_OF, "--keep-going"]
        answers = []
        for name, extra, fmt in (
            ("memory", ["-f", "json"], "json"),
            ("stream", ["-f", "jsonl"], "jsonl"),
            ("jobs", ["-f", "jsonl", "--jobs", "2"], "jsonl"),
        ):
            code, text = run([*base, *extra], folder / f"{name}.out")
            answers.append((name, code, *(summary_and_findings(fmt, text) if text else ({}, {}))))
        (_, code0, summary0, findings0), *others = answers
        for name, code, summary, findings in others:
            assert code == code0, name
            assert summary == summary0, name
            assert findings == findings0, name
