"""The developer's API of a report (docs/api.md): Finding.to_dict / .message, short reprs,
Report.to_records, the one typed model, thread safety, and ``keep`` never changing counts."""

from __future__ import annotations

import io
import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ict2rules
from ict2rules import Status, evaluate, load_ruleset
from ict2rules.authoring.schemas import GENERATOR, committed, committed_generator
from ict2rules.render import write
from ict2rules.report.report import finding_dict
from ict2rules.report.schema import ReportModel, report_schema

ROOT = Path(__file__).resolve().parents[1]
BAD = ROOT / "examples" / "zeku_2023" / "school_bad.yaml"
OK = ROOT / "examples" / "zeku_2023" / "school_ok.yaml"
AS_OF = "2023-10-08"


@pytest.fixture(scope="module")
def report():
    return evaluate("zeku_2023", BAD, as_of=AS_OF)


def test_finding_to_dict_is_the_json_reports_item(report):
    for f, item in zip(report.findings, report.to_dict()["findings"], strict=True):
        assert f.to_dict(report.ruleset) == item
    bare = report.findings[0].to_dict()
    assert "parameters" not in bare and bare["rule"] == report.findings[0].rule_id


def test_finding_message_in_both_languages(report):
    f = next(f for f in report.findings if f.status is Status.FAIL)
    assert f.message("zh") == f.to_dict()["message"]["zh"]
    assert f.message("en") == f.to_dict()["message"]["en"] != f.message("zh")
    assert f.message() == f.message("zh")


def test_reprs_are_short(report):
    big = evaluate("zeku_2023", {"teachers": [{"id": f"T{i}", "name": "王" * 50} for i in range(300)]},
                   as_of=AS_OF)
    assert len(repr(big)) < 200 and "300 teachers" in repr(big)
    assert repr(report).startswith("<Report zeku_2023 as of 2023-10-08: not passed")
    assert all(len(repr(f)) < 200 for f in report.findings)


def test_to_records_one_flat_row_per_finding(report):
    rows = report.to_records()
    assert len(rows) == len(report.findings)
    scalar = (type(None), bool, int, float, str)
    assert all(type(v) in scalar for row in rows for v in row.values())  # exactly: no str subclass
    assert {tuple(row) for row in rows} == {tuple(rows[0])}  # the same columns on every row
    fail = next(r for r in rows if r["status"] == "fail" and r["level"] == "teacher")
    assert fail["school"] == "ZK-HJZX" and fail["message_zh"] and fail["message_en"]
    school = [r for r in rows if r["level"] == "school"]
    assert school and all(r["school"] is None for r in school)


def test_to_dict_validates_against_the_one_model_and_round_trips(report):
    for r in (report, evaluate("zeku_2023", OK, as_of=AS_OF), evaluate("kaiyuan_2024", {"teacher": {"id": "T1"}})):
        d = r.to_dict()
        assert ReportModel.model_validate(d).model_dump(mode="json") == d  # every field described
        jsonschema.validate(d, report_schema())


@pytest.mark.skipif(committed_generator() != GENERATOR, reason="schema written by another pydantic")
def test_the_committed_schema_is_generated_from_the_model():
    assert json.loads(committed("report")) == report_schema()


def test_the_json_writer_parses_to_to_dict(report):
    out = io.StringIO()
    write("json", report, out)
    assert json.loads(out.getvalue()) == report.to_dict()
    empty = evaluate("zeku_2023", {"school": {"id": "S1"}}, as_of=AS_OF, keep={Status.PENDING})
    out = io.StringIO()
    write("json", empty, out)
    assert json.loads(out.getvalue()) == empty.to_dict()


def test_sixteen_threads_give_the_serial_reports():
    rs = load_ruleset("zeku_2023")  # one ruleset shared by every thread
    inputs = [BAD, OK] * 8

    def run(path: Path) -> str:
        return json.dumps(evaluate(rs, path, as_of=AS_OF).to_dict(), ensure_ascii=False)

    serial = [run(p) for p in inputs]
    with ThreadPoolExecutor(16) as pool:
        threaded = list(pool.map(run, inputs))
    assert threaded == serial


def test_findings_read_in_threads_explain_the_same():
    report = evaluate("zeku_2023", BAD, as_of="2024-01-15")
    expected = [finding_dict(f, report.ruleset) for f in evaluate("zeku_2023", BAD, as_of="2024-01-15").findings]
    with ThreadPoolExecutor(16) as pool:  # the lazy outcomes, made by whichever thread reads first
        got = list(pool.map(lambda f: finding_dict(f, report.ruleset), report.findings))
    assert got == expected


STATUSES = st.frozensets(st.sampled_from(list(Status)))


@settings(max_examples=25, deadline=None)
@given(keep=STATUSES, as_of=st.sampled_from(["2023-06-15", AS_OF, "2024-01-15"]))
def test_keep_never_changes_the_summary(keep, as_of):
    full = evaluate("zeku_2023", BAD, as_of=as_of)
    kept = evaluate("zeku_2023", BAD, as_of=as_of, keep=keep)
    assert kept.summary() == full.summary()
    assert {f.status for f in kept.findings} <= keep
    assert len(kept.findings) == sum(full.summary()["findings"][s.value] for s in keep)


def test_the_public_names():
    for name in ("evaluate", "load_ruleset", "read_records", "Report", "Finding", "InputProblem", "Status"):
        assert hasattr(ict2rules, name) and name in ict2rules.__all__


def test_api_doc_examples_run():
    """Every example of docs/api.md runs and shows what it says (a doctest of the page)."""
    import doctest

    text = (ROOT / "docs" / "api.md").read_text("utf-8")
    blocks = re.findall(r"```pycon\n(.*?)```", text, re.S)
    assert blocks, "docs/api.md has no example"
    parser = doctest.DocTestParser()
    test = parser.get_doctest("\n".join(blocks), {}, "docs/api.md", "docs/api.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    import os

    cwd = os.getcwd()
    os.chdir(ROOT)  # the examples name the bundled examples/ by relative path
    try:
        runner.run(test)
    finally:
        os.chdir(cwd)
    assert runner.failures == 0 and runner.tries > 5


def test_bench_writers_still_runs():
    """benchmarks/bench_writers.py on a tiny population (no timing asserted: docs/performance.md)."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_writers.py"), "--teachers", "30", "--schools", "2",
         "--cases", "dumps", "json", "markdown", "every"],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    rows = {line.split()[0]: line.split() for line in done.stdout.splitlines()[2:]}
    assert {"dumps", "json", "markdown", "every:"} <= set(rows)
    assert rows["dumps"][7] == "1.00"  # the baseline's own ratio (after CPU s, peak and PSS MB)
    from ict2rules.render import formats

    assert set(formats()) <= set(rows)  # every format written after the one check


def test_release_lets_the_teachers_go_and_changes_nothing_in_the_report():
    import gc
    import weakref

    from ict2rules.input.files import read_records

    path = ROOT / "examples/zeku_2023/school_bad.yaml"
    kept = evaluate("zeku_2023", read_records(path), as_of="2024-01-15")
    records = read_records(path)
    teachers = [weakref.ref(t) for s in records.schools for t in s.teachers or ()]
    assert teachers
    released = evaluate("zeku_2023", records, as_of="2024-01-15", release=True)
    gc.collect()
    assert all(s.teachers == [] for s in records.schools)
    assert all(t() is None for t in teachers)  # neither the report nor its values hold them
    assert json.dumps(released.to_dict(), default=str) == json.dumps(kept.to_dict(), default=str)
    assert [v.subject for v in released.values] == [v.subject for v in kept.values]


def test_each_school_part_counts_its_own_findings_only():
    """A part of ``--split-by school`` says its school's counts, never the whole run's (its
    ``findings`` counts were the run's until the report counted through one Summary)."""
    from collections import Counter

    from ict2rules.render.output import split_by_school

    data = {"schools": [{"id": "A", "teachers": [{"id": "1"}]},
                        {"id": "B", "teachers": [{"id": "2"}, {"id": "3"}]}]}
    report = evaluate("kaiyuan_2024", data, as_of="2024-07-01")
    total: Counter[str] = Counter()
    for row, part in split_by_school(report):
        s = part.summary()
        assert s["findings"] == {st: sum(f.status.value == st for f in part.findings) for st in s["findings"]}
        assert s["teachers"]["checked"] == {"A": 1, "B": 2}[row.id]
        total.update(s["findings"])
    assert dict(total) == report.summary()["findings"]
