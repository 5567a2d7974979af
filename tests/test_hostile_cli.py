"""The 2026-12 hostile sweep, the parts that are not one file in the corpus: exit codes,
signals, ``-o`` against the inputs, ``validate`` of several files, the library's arguments,
the ruleset cache, message bounds and the printable law.

(See ``docs/security.md`` and ``docs/errors.md``; the corpus is ``tests/hostile/``.)
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ict2rules
from ict2rules import cli
from ict2rules.errors import InputError, Problem, printable
from ict2rules.input.files import read_records, records_from_data

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "zeku_2023" / "school_ok.yaml"
UNSAFE = [chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))] + [
    *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A)), "\ufffe", "\uffff",
    "\ud800", "\udfff",
]


# ------------------------------------------------------------------------- printable


@given(st.text())
def test_printable_leaves_no_unsafe_character_and_is_idempotent(text: str) -> None:
    out = printable(text)
    assert not any(c in out for c in UNSAFE)
    assert not any("\ud800" <= c <= "\udfff" for c in out)
    assert printable(out) == out
    assert len(out) == len(text)  # one for one: columns and places stay where they were


# every lone surrogate (category Cs) is unsafe, not only the two listed above
@given(st.text(alphabet=st.characters(blacklist_characters=UNSAFE, blacklist_categories=["Cs"])))
def test_printable_changes_nothing_safe(text: str) -> None:
    assert printable(text) == text


def test_a_problem_line_carries_no_escape_in_either_language() -> None:
    p = Problem("a.yaml", "教师 T\x1b]0;X\x07 重复\u202e", "teacher 'T\x1b]0;X\x07'\u2066", line=3)
    line = str(p)
    assert not any(c in line for c in "\x1b\x07\u202e\u2066")
    assert line.startswith("a.yaml:3: 教师 T\ufffd]0;X\ufffd")
    assert p.message_zh.startswith("教师 T\x1b")  # the data itself is kept, for to_dict()


# ------------------------------------------------------------------------- exit codes


def test_an_internal_error_exits_70_with_one_line_never_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ict2rules.cli import check

    def broken(*args: Any, **kwargs: Any) -> None:
        raise TypeError("boom")

    monkeypatch.setattr(check, "check_records", broken)
    assert cli.main(["check", str(EXAMPLE), "-r", "zeku_2023"]) == cli.EXIT_INTERNAL == 70
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "internal error, please report a bug" in err and "TypeError: boom" in err
    monkeypatch.setenv(cli.DEBUG_ENV, "1")  # a developer gets the traceback
    with pytest.raises(TypeError):
        cli.main(["check", str(EXAMPLE), "-r", "zeku_2023"])


def test_a_write_error_without_a_file_name_names_the_output(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from ict2rules import render

    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")  # what /dev/full gives: no filename

    monkeypatch.setattr(render, "write", full)  # what check's output.emit calls
    out = tmp_path / "r.json"
    assert cli.main(["check", str(EXAMPLE), "-r", "zeku_2023", "-f", "json", "-o", str(out)]) == 2
    assert f"ict2rules: {out}: " in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------- -o and inputs


def _copy(src: Path, dst: Path) -> Path:
    dst.write_bytes(src.read_bytes())
    return dst


@pytest.mark.parametrize("how", ["same", "symlink", "hardlink", "dotted"])
def test_output_naming_an_input_is_refused_and_the_input_kept(
    how: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _copy(EXAMPLE, tmp_path / "s.yaml")
    before = data.read_bytes()
    out = {"same": data, "dotted": tmp_path / "." / "s.yaml"}.get(how, tmp_path / "o.yaml")
    if how == "symlink":
        out.symlink_to(data)
    elif how == "hardlink":
        os.link(data, out)
    assert cli.main(["check", str(data), "-r", "zeku_2023", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "the output file is an input" in err and "输出文件就是输入文件" in err
    assert data.read_bytes() == before


def test_output_naming_a_schools_roster_or_the_ruleset_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roster = tmp_path / "r.csv"
    roster.write_text("工号,线上学时\nT1,50\n", encoding="utf-8")
    school = tmp_path / "s.yaml"
    school.write_text("school:\n  id: S1\n  roster: r.csv\n", encoding="utf-8")
    ruleset = _copy(ROOT / "tests" / "hostile" / "accepted" / "text_ruleset.yaml", tmp_path / "rs.yaml")
    for argv in (
        ["check", str(school), "-r", "zeku_2023", "-f", "json", "-o", str(roster)],  # in memory
        ["check", str(roster), "-r", "zeku_2023", "-f", "jsonl", "-o", str(roster)],  # streamed
        ["check", str(school), "-r", str(ruleset), "-o", str(ruleset)],
    ):
        assert cli.main(argv) == 2, argv
        assert "the output file is an input" in capsys.readouterr().err
    assert roster.read_text(encoding="utf-8") == "工号,线上学时\nT1,50\n"


def test_a_read_only_output_is_not_replaced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.json"
    out.write_text("kept", encoding="utf-8")
    out.chmod(0o444)
    try:
        assert cli.main(["check", str(EXAMPLE), "-r", "zeku_2023", "-f", "json", "-o", str(out)]) == 2
        assert "read-only" in capsys.readouterr().err
        assert out.read_text(encoding="utf-8") == "kept"
    finally:
        out.chmod(0o644)


# ------------------------------------------------------------------------- validate A B C


def test_validate_reports_every_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hostile = ROOT / "tests" / "hostile" / "rulesets"
    files = [hostile / "syntax.yaml", ROOT / "src" / "ict2rules" / "rulesets" / "national_2019.yaml",
             hostile / "kind_unknown.yaml", tmp_path / "nope.yaml"]
    assert cli.main(["validate", *map(str, files)]) == 2
    captured = capsys.readouterr()
    assert "national_2019.yaml: OK" in captured.out
    for f in (files[0], files[2], files[3]):
        assert f"ict2rules: {f}" in captured.err


# ------------------------------------------------------------------------- signals


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP"])
def test_sigterm_and_sighup_remove_the_temp_file_and_stop_the_workers(
    signame: str, tmp_path: Path
) -> None:
    roster = tmp_path / "big.csv"
    with roster.open("w", encoding="utf-8") as f:
        f.write("工号,姓名,线上学时,线下学时\n")
        f.writelines(f"T{i},张{i},{i % 80},{i % 40}\n" for i in range(120_000))
    out = tmp_path / "r.jsonl"
    out.write_text("old report", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ict2rules", "check", str(roster), "-r", "zeku_2023",
         "-f", "jsonl", "-j", "2", "-o", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, encoding="utf-8",
    )
    deadline = time.monotonic() + 120  # wait for the run to be writing (not a timing assertion)
    workers: list[int] = []
    while time.monotonic() < deadline and proc.poll() is None:
        workers = _children(proc.pid)
        if len(workers) >= 2 and any(p.name.endswith(".tmp") for p in tmp_path.iterdir()):
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be signalled"
    proc.send_signal(getattr(signal, signame))
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + getattr(signal, signame)
    assert f"terminated ({signame})" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.csv", "r.jsonl"]
    assert out.read_text(encoding="utf-8") == "old report"
    assert workers and not any(_alive(w) for w in workers)


# ------------------------------------------------------------------------- library arguments


def _self_referencing() -> dict[str, Any]:
    teacher: dict[str, Any] = {"id": "T1"}
    teacher["attributes"] = {"me": teacher}
    return {"teacher": teacher}


def _deep() -> dict[str, Any]:
    inner: dict[str, Any] = {}
    top = {"teacher": {"id": "T1", "attributes": {"x": inner}}}
    for _ in range(5000):
        inner["x"] = {}
        inner = inner["x"]
    return top


LIBRARY_CALLS = {
    "load_ruleset(5)": lambda: ict2rules.load_ruleset(5),
    "load_ruleset(None)": lambda: ict2rules.load_ruleset(None),
    "load_ruleset(bytes)": lambda: ict2rules.load_ruleset(b"zeku_2023"),
    "load_ruleset(long name)": lambda: ict2rules.load_ruleset("a" * 5000 + ".yaml"),
    "load_ruleset(NUL)": lambda: ict2rules.load_ruleset("a\0.yaml"),
    "evaluate(5, …)": lambda: ict2rules.evaluate(5, {"teacher": {"id": "T1"}}),
    "as_of=20231231": lambda: ict2rules.evaluate("zeku_2023", {"teacher": {"id": "T1"}}, as_of=20231231),
    "keep=5": lambda: ict2rules.evaluate("zeku_2023", {"teacher": {"id": "T1"}}, keep=5),
    "keep={'nope'}": lambda: ict2rules.evaluate("zeku_2023", {"teacher": {"id": "T1"}}, keep={"nope"}),
    "read_records(5)": lambda: read_records(5),
    "read_records(long .csv)": lambda: read_records("a" * 5000 + ".csv"),
    "read_records(NUL .csv)": lambda: read_records("a\0.csv"),
    "hours 10**5000": lambda: ict2rules.evaluate("zeku_2023", {"teacher": {"id": "T1", "hours": {"online": 10**5000}}}),
    "dict containing itself": lambda: ict2rules.evaluate("zeku_2023", _self_referencing()),
    "list containing itself": lambda: records_from_data({"teacher": {"id": "T1", "attributes": {"l": (lst := []).append(lst) or lst}}}),
    "attributes 5000 deep": lambda: ict2rules.evaluate("zeku_2023", _deep()),
    "Evaluator(None)": lambda: ict2rules.Evaluator(None),
    "Evaluator(as_of=5)": lambda: ict2rules.Evaluator(ict2rules.load_ruleset("zeku_2023"), as_of=5),
}


@pytest.mark.parametrize("call", LIBRARY_CALLS.values(), ids=LIBRARY_CALLS.keys())
def test_library_calls_with_wrong_arguments_raise_input_error(call: Any) -> None:
    with pytest.raises(InputError) as info:
        call()
    (problem,) = info.value.problems
    assert problem.message_zh and problem.message_en
    assert "\n" not in str(problem)


def test_library_arguments_in_their_documented_forms_still_work() -> None:
    rs = ict2rules.load_ruleset(ROOT / "src" / "ict2rules" / "rulesets" / "zeku_2023.yaml")
    assert ict2rules.load_ruleset(rs) is rs
    report = ict2rules.evaluate(rs, {"teacher": {"id": "T1"}}, as_of="2023-12-31", keep={"fail"})
    assert {f.status.value for f in report.findings} == {"fail"}
    ev = ict2rules.Evaluator(rs, as_of="2023-12-31")  # a string date, as evaluate() takes
    assert ev.env.as_of == dt.date(2023, 12, 31)


# ------------------------------------------------------------------------- the ruleset cache


def test_a_ruleset_rewritten_with_its_old_mtime_is_not_served_stale(tmp_path: Path) -> None:
    src = (ROOT / "tests" / "hostile" / "accepted" / "text_ruleset.yaml").read_text(encoding="utf-8")
    path = tmp_path / "rs.yaml"
    path.write_text(src, encoding="utf-8")
    assert "min: 50" in src
    first = ict2rules.load_ruleset(path)
    stamp = path.stat()
    path.write_text(src.replace("min: 50", "min: 10"), encoding="utf-8")  # same size
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # what cp -p / rsync -t do
    assert path.stat().st_size == stamp.st_size and path.stat().st_mtime_ns == stamp.st_mtime_ns
    second = ict2rules.load_ruleset(path)
    assert second is not first
    assert second.rules[0].check.args.min == 10
    assert ict2rules.load_ruleset(path) is second  # unchanged since: from the cache


# ------------------------------------------------------------------------- message bounds


def test_a_rendered_message_is_bounded_whatever_the_template_and_names() -> None:
    from ict2rules.report.report import MAX_MESSAGE_CHARS, MAX_VALUE_CHARS, render

    report = ict2rules.evaluate(
        "zeku_2023", {"teacher": {"id": "T1", "name": "名" * 5000, "hours": {"online": 0}}}, as_of="2023-12-31"
    )
    finding = next(f for f in report.findings if f.rule_id == "ZK-T-HOURS-ONLINE")
    one = render("{subject}", finding)
    assert len(one) == MAX_VALUE_CHARS and one.endswith("…")
    many = render("x{subject}" * 2000, finding)
    assert len(many) == MAX_MESSAGE_CHARS and many.endswith("…")
    assert render("线上 {actual} 学时", finding) == "线上 0 学时"  # short messages as they were
