"""Hostile and broken input: clear errors, nothing lost, nothing executed.

``tests/hostile/MANIFEST.yaml`` lists a corpus of broken files (wrong types, impossible
values, bad encodings, YAML bombs, python tags, broken rulesets …). Each must give exit code
2, one located bilingual line per problem, and no traceback — through ``cli.main`` and, for a
few, through a real ``python -m ict2rules`` process. The library must raise only
:class:`InputError` for every one of them. The CLI must never modify its inputs and must write
``-o`` output atomically; ``--keep-going`` must count and report the rows it skips.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

import ict2rules
from ict2rules import cli
from ict2rules.errors import InputError, Problem
from ict2rules.input.files import read_records
from ict2rules.render import output

HOSTILE = Path(__file__).resolve().parent / "hostile"
MANIFEST: list[dict[str, Any]] = yaml.safe_load((HOSTILE / "MANIFEST.yaml").read_text("utf-8"))
ACCEPTED = [e for e in MANIFEST if "args" in e]  # hostile but valid: shown as written
REFUSED = [e for e in MANIFEST if "args" not in e]
VALID_TEACHER = "teacher:\n  id: T1\n  hours: {online: 50, offline: 25}\n"
# "ict2rules: <file>[:line[:col]]: [field: ]中文 / English"
LINE = re.compile(r"^ict2rules: (?P<where>[^:]+(?::\d+){0,2}): (?P<text>.+ / .+)$")
CJK = re.compile(r"[\u4e00-\u9fff]")


# ---------------------------------------------------------------------------------- fixtures


def _xlsx(path: Path, rows: list[list[Any]]) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Files the corpus cannot hold in git: huge, a folder, unreadable, workbooks."""
    folder = tmp_path_factory.mktemp("hostile")
    with open(folder / "huge.yaml", "wb") as f:  # sparse: 200 MB on paper, nothing on disk
        f.truncate(200 * 1024 * 1024)
    (folder / "directory.yaml").mkdir()
    unreadable = folder / "unreadable.yaml"
    unreadable.write_text(VALID_TEACHER, encoding="utf-8")
    unreadable.chmod(0)
    header = ["工号", "姓名", "线上学时", "线下学时"]
    _xlsx(folder / "roster_bad_cells.xlsx", [header, ["T1", "张三", "五十", 25], ["T2", "李四", 50, 25]])
    _xlsx(
        folder / "roster_duplicate_ids.xlsx",
        [header, ["T1", "张三", 50, 25], ["T2", "李四", 50, 25], ["T2", "王五", 50, 25]],
    )
    (folder / "broken.xlsx").write_text("this is not a workbook\n", encoding="utf-8")
    chain = folder / "chain"  # 9 rulesets, each extending the next: one file too many
    chain.mkdir()
    for i in range(9):
        extends = f"extends: c{i + 1}.yaml\n" if i < 8 else ""
        (chain / f"c{i}.yaml").write_text(
            f"id: c{i}\n{extends}title: {{zh: 链, en: chain}}\n"
            "document: {title: t, issuer: i, level: county}\nrules: []\n", encoding="utf-8")
    _amplification(folder)
    yield folder
    unreadable.chmod(0o600)


def _amplification(folder: Path) -> None:
    """The sweep's D1 case, scaled down: 2000 x {subject} in a message, 20 teachers named by
    5000 characters each (unbounded: 1.2 GB of JSON from 336 KB)."""
    msg = "{subject}" * 2000
    (folder / "amp_rules.yaml").write_text(
        "id: amp\ntitle: {zh: 放大, en: amplification}\n"
        "document: {title: 测试, issuer: 测试局, level: county}\nrules:\n"
        "  - id: T-ONLINE\n    level: teacher\n    title: {zh: 线上学时, en: Online hours}\n"
        f'    message: {{zh: "{msg}", en: "{msg}"}}\n'
        "    check: {kind: threshold, args: {value: hours.online, min: 50}}\n"
        "    source: {section: 一, quote: 线上50学时}\n", encoding="utf-8")
    rows = "".join(f'  - {{id: T{i}, name: "{"名" * 5000}", hours: {{online: 0}}}}\n' for i in range(20))
    (folder / "amp_names.yaml").write_text("teachers:\n" + rows, encoding="utf-8")


def _path(name: str, generated: Path) -> Path:
    return generated / name[1:] if name.startswith("@") else HOSTILE / name


def _argv(entry: dict[str, Any], path: Path) -> list[str]:
    if entry.get("command") in ("validate", "test"):
        return [entry["command"], str(path)]
    return ["check", str(path), "-r", entry.get("ruleset", "zeku_2023")]


def _expected_places(entry: dict[str, Any], generated: Path) -> list[str]:
    """Where the first problem must be: ``at`` is a place, or a list of places where the
    parser's own position differs between Python versions (json's trailing comma)."""
    places = entry["at"] if isinstance(entry["at"], list) else [entry["at"]]
    out = []
    for at in places:
        name, _, rest = at.partition(":")
        out.append(str(_path(name, generated)) + (f":{rest}" if rest else ""))
    return out


def _assert_clean_refusal(entry: dict[str, Any], code: int, err: str, generated: Path) -> None:
    assert code == 2, f"{entry['file']}: exit {code}\n{err}"
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert lines, "no message at all"
    for line in lines:
        match = LINE.match(line)
        assert match, f"not a one-line located problem: {line!r}"
        zh, _, en = match["text"].rpartition(" / ")
        assert CJK.search(zh), f"no Chinese in {line!r}"
        assert re.search(r"[A-Za-z]{3}", en), f"no English in {line!r}"
    places = _expected_places(entry, generated)
    assert any(lines[0].startswith(f"ict2rules: {p}: ") for p in places), f"expected {places} in {lines[0]!r}"
    for text in entry["expect"]:
        assert text in err, f"{text!r} missing from:\n{err}"
    for text in entry.get("forbid", []):
        assert text not in err, f"{text!r} reached stderr:\n{err!r}"


def _skip_unreadable(entry: dict[str, Any]) -> None:
    if entry.get("root_skip") and hasattr(os, "geteuid") and os.geteuid() == 0:
        pytest.skip("root can read a chmod 000 file")


# ---------------------------------------------------------------------------------- corpus


def test_corpus_is_large_and_listed_in_full() -> None:
    on_disk = {
        str(p.relative_to(HOSTILE)) for p in HOSTILE.rglob("*") if p.is_file() and p.name != "MANIFEST.yaml"
    }
    listed = {e["file"] for e in MANIFEST}
    assert on_disk <= listed, f"corpus files missing from MANIFEST.yaml: {sorted(on_disk - listed)}"
    assert len(MANIFEST) >= 40


@pytest.mark.parametrize("entry", REFUSED, ids=[e["file"] for e in REFUSED])
def test_corpus_file_is_refused_cleanly(
    entry: dict[str, Any], generated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _skip_unreadable(entry)
    path = _path(entry["file"], generated)
    code = cli.main(_argv(entry, path))
    captured = capsys.readouterr()
    _assert_clean_refusal(entry, code, captured.err, generated)
    assert captured.out == "", "nothing goes to stdout when the input is refused"


SUBPROCESS = [e for e in REFUSED if e.get("subprocess")]


@pytest.mark.parametrize("entry", SUBPROCESS, ids=[e["file"] for e in SUBPROCESS])
def test_corpus_file_in_a_real_process(entry: dict[str, Any], generated: Path) -> None:
    path = _path(entry["file"], generated)
    proc = subprocess.run(
        [sys.executable, "-m", "ict2rules", *_argv(entry, path)],
        capture_output=True, text=True, encoding="utf-8", timeout=60,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    _assert_clean_refusal(entry, proc.returncode, proc.stderr, generated)


def _accepted_argv(entry: dict[str, Any], generated: Path, fmt: str) -> list[str]:
    ruleset = entry.get("ruleset")
    values = {
        "file": str(_path(entry["file"], generated)),
        "ruleset": str(_path(ruleset, generated)) if ruleset else "",
        "format": fmt,
    }
    return [arg.format(**values) if "{" in arg else arg for arg in entry["args"]]


def _check_output(entry: dict[str, Any], fmt: str, out: str, err: str) -> None:
    if fmt in ("json", "jsonl"):  # data formats keep the data (JSON-escaped); they must parse
        for line in out.splitlines() if fmt == "jsonl" else [out]:
            json.loads(line)
        assert "\x1b" not in out and "\x07" not in out
    else:
        for text in entry.get("forbid", []):
            assert text not in out, f"{fmt}: {text!r} in the output"
        for text in entry.get("expect", []) if fmt in ("text", "") else []:
            assert text in out, f"{fmt}: {text!r} not shown as written"
    if fmt == "junit":
        import xml.etree.ElementTree as ET

        ET.fromstring(out)  # well-formed XML 1.0, whatever the names hold
    for text in entry.get("forbid", []):
        assert text not in err, f"{fmt}: {text!r} on stderr"
    if "max_bytes" in entry:
        assert len(out.encode("utf-8")) <= entry["max_bytes"], f"{fmt}: {len(out)} characters"


@pytest.mark.parametrize("entry", ACCEPTED, ids=[f"{e['file']}-{e['args'][0]}" for e in ACCEPTED])
def test_accepted_hostile_input(
    entry: dict[str, Any], generated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Markup, escapes, bidi overrides and U+FFFF in names and ruleset texts are shown as
    written (never interpreted, never a crash), in every format; output stays bounded."""
    for fmt in entry.get("formats", [""]):
        code = cli.main(_accepted_argv(entry, generated, fmt))
        captured = capsys.readouterr()
        assert code == entry["exit"], f"{fmt}: exit {code}\n{captured.err}"
        assert "Traceback" not in captured.err
        _check_output(entry, fmt, captured.out, captured.err)


TTY = [e for e in ACCEPTED if e.get("tty")]


@pytest.mark.skipif(not shutil.which("script") or sys.platform != "linux", reason="needs util-linux script(1)")
@pytest.mark.parametrize("entry", TTY, ids=[e["file"] for e in TTY])
def test_accepted_hostile_input_on_a_terminal(entry: dict[str, Any], generated: Path, tmp_path: Path) -> None:
    """On a real terminal rich draws colours, but no file text becomes an OSC-8 hyperlink or
    an OSC title (what `[link=…]` markup and a raw ESC in a name did)."""
    import shlex

    argv = [sys.executable, "-m", "ict2rules", *_accepted_argv(entry, generated, "text")]
    log = tmp_path / "tty.log"
    proc = subprocess.run(
        ["script", "-qec", shlex.join(argv), str(log)], capture_output=True, timeout=120,
        env={**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "120"},
    )
    shown = proc.stdout.decode("utf-8", "replace")
    assert proc.returncode == entry["exit"], shown
    assert "\x1b[" in shown, "not drawn as on a terminal (no colour at all)"
    assert "\x1b]" not in shown and "\x07" not in shown  # OSC 8 links, OSC 0 titles
    assert "\u202e" not in shown and "Traceback" not in shown


def test_bomb_and_huge_file_are_refused_without_being_expanded_or_read(
    generated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # (How fast: benchmarks, not tests. What is guaranteed: the huge file is refused on its
    # size before a byte is read, and the bomb on its alias budget.)
    with pytest.raises(InputError, match=r"alias|expan"):
        read_records(HOSTILE / "records" / "yaml_bomb.yaml")
    huge = generated / "huge.yaml"

    def no_reading(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == huge:
            raise AssertionError("the huge file was opened")
        return real_open(self, *args, **kwargs)

    real_open = Path.open
    monkeypatch.setattr(Path, "open", no_reading)
    with pytest.raises(InputError, match="JSON Lines"):
        read_records(huge)


@pytest.mark.parametrize("entry", REFUSED, ids=[e["file"] for e in REFUSED])
def test_library_raises_only_input_error(entry: dict[str, Any], generated: Path) -> None:
    """The one documented exception, with structured problems, from every public entry."""
    _skip_unreadable(entry)
    path = _path(entry["file"], generated)
    from ict2rules.authoring.cases import run_file

    if entry.get("command") == "validate":
        calls = [lambda: ict2rules.load_ruleset(path)]
    elif entry.get("command") == "test":
        calls = [lambda: run_file(path)]
    else:
        calls = [lambda: read_records(path), lambda: ict2rules.evaluate("zeku_2023", path)]
    for call in calls:
        with pytest.raises(InputError) as info:
            call()
        problems = info.value.problems
        assert problems and all(isinstance(p, Problem) for p in problems)
        for p in problems:
            as_dict = p.to_dict()
            assert set(as_dict["message"]) == {"zh", "en"}
            json.dumps(as_dict, ensure_ascii=False)  # plain JSON, ready for a UI


def test_unknown_bundled_ruleset_name_gets_a_did_you_mean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = tmp_path / "t.yaml"
    record.write_text(VALID_TEACHER, encoding="utf-8")
    assert cli.main(["check", str(record), "-r", "zeku_2032"]) == 2
    err = capsys.readouterr().err
    assert "did you mean 'zeku_2023'" in err and "Traceback" not in err


def test_problems_of_every_file_are_reported_in_one_run(capsys: pytest.CaptureFixture[str]) -> None:
    files = [HOSTILE / "records" / "hours_negative.yaml", HOSTILE / "records" / "score_over_100.yaml"]
    assert cli.main(["check", *map(str, files), "-r", "zeku_2023"]) == 2
    err = capsys.readouterr().err
    assert "hours_negative.yaml:4:13" in err and "score_over_100.yaml:3:10" in err


# ---------------------------------------------------------------------- partial rosters


ROSTER = (
    "工号,姓名,线上学时,线下学时,成绩\n"
    "T1,张三,50,25,80\n"
    "T2,李四,五十,25,80\n"
    "T3,王五,50,25,80\n"
    "T1,赵六,50,25,80\n"
    "T4,钱七,50,-3,180\n"
)


def test_keep_going_skips_bad_rows_counts_them_and_checks_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    assert cli.main(["check", str(roster), "-r", "zeku_2023"]) == 2  # without: refused
    capsys.readouterr()
    code = cli.main(["check", str(roster), "-r", "zeku_2023", "--keep-going", "-f", "json"])
    captured = capsys.readouterr()
    assert code in (0, 1)
    report = json.loads(captured.out)
    assert report["summary"]["skipped_rows"] == 3
    assert report["summary"]["teachers"]["checked"] == 2  # T1 and T3: no teacher vanishes silently
    warnings = captured.err.strip().splitlines()
    assert len(warnings) == 4  # row 3 (五十), row 5 (duplicate id), row 6 (two cells)
    assert all(w.startswith("ict2rules: 警告 已跳过 / warning, skipped: ") for w in warnings)
    assert any(f"{roster}:3:3: (C3) 线上学时:" in w for w in warnings)
    assert any(f"{roster}:5: id:" in w and "already on row 2" in w for w in warnings)
    assert any(f"{roster}:6: 成绩:" in w for w in warnings)


def test_keep_going_shows_skipped_rows_in_text_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    cli.main(["check", str(roster), "-r", "zeku_2023", "--keep-going", "--lang", "en"])
    assert re.search(r"skipped rows\s+3", capsys.readouterr().out, re.IGNORECASE)


def test_keep_going_through_a_school_roster(tmp_path: Path) -> None:
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    school = tmp_path / "school.yaml"
    school.write_text("school:\n  id: S1\n  roster: roster.csv\n", encoding="utf-8")
    records = read_records(school, keep_going=True)
    assert [t.id for t in records.schools[0].teachers or ()] == ["T1", "T3"]
    assert records.skipped_rows == 3
    assert {p.line for p in records.problems} == {3, 5, 6}
    report = ict2rules.evaluate("zeku_2023", records)
    assert report.summary()["skipped_rows"] == 3


def test_keep_going_does_not_hide_a_broken_file(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["check", str(HOSTILE / "records" / "binary.yaml"), "-r", "zeku_2023", "--keep-going"]
    assert cli.main(args) == 2
    assert "binary file" in capsys.readouterr().err


# -------------------------------------------------------------------------- nothing lost


def _digest(paths: list[Path]) -> dict[str, tuple[str, float]]:
    return {str(p): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime) for p in paths}


def test_cli_never_modifies_its_inputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    example = Path(__file__).resolve().parents[1] / "examples" / "zeku_2023" / "school_ok.yaml"
    inputs = [roster, example, *sorted((HOSTILE / "records").glob("*.yaml"))[:10]]
    before = _digest(inputs)
    listing = sorted(p.name for p in tmp_path.iterdir())
    cli.main(["check", str(example), "-r", "zeku_2023", "-f", "json"])
    cli.main(["check", str(roster), "-r", "zeku_2023", "--keep-going"])
    for path in inputs[2:]:
        cli.main(["check", str(path), "-r", "zeku_2023"])
    capsys.readouterr()
    assert _digest(inputs) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == listing  # nothing written beside them


def test_failing_run_leaves_existing_output_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.json"
    out.write_text("previous report", encoding="utf-8")
    bad = HOSTILE / "records" / "hours_negative.yaml"
    assert cli.main(["check", str(bad), "-r", "zeku_2023", "-f", "json", "-o", str(out)]) == 2
    assert out.read_text(encoding="utf-8") == "previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
    capsys.readouterr()


def test_interrupt_while_writing_leaves_no_partial_or_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ict2rules import render

    example = Path(__file__).resolve().parents[1] / "examples" / "zeku_2023" / "school_ok.yaml"
    out = tmp_path / "report.json"

    def interrupted_write(fmt: str, report: Any, stream: Any, **kwargs: Any) -> None:
        stream.write('{"half": ')  # half a report reaches the temporary file …
        raise KeyboardInterrupt  # … then Ctrl-C

    monkeypatch.setattr(render, "write", interrupted_write)  # what check's output.emit calls
    args = ["check", str(example), "-r", "zeku_2023", "-f", "json", "-o", str(out)]
    assert cli.main(args) == 130
    assert list(tmp_path.iterdir()) == []  # neither the report nor a temporary file
    out.write_text("old", encoding="utf-8")
    assert cli.main(args) == 130
    assert out.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
    assert "interrupted" in capsys.readouterr().err


def test_atomic_write_cleans_up_on_any_error(tmp_path: Path) -> None:
    target = tmp_path / "r.txt"
    with pytest.raises(RuntimeError), output.atomic_write(target) as f:
        f.write("partial")
        raise RuntimeError("disk full")
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- problems and messages


def test_problem_is_always_one_line() -> None:
    p = Problem("a\nb.yaml", "第一行\n第二行", "line one\r\nline two", line=3, field="x")
    assert "\n" not in str(p) and "\r" not in str(p)


def test_problems_come_in_file_order_and_name_the_field() -> None:
    with pytest.raises(InputError) as info:
        read_records(HOSTILE / "records" / "hours_chinese_numeral.yaml")
    (p,) = info.value.problems
    assert (p.line, p.column, p.field) == (5, 13, "teacher.hours.online")
    assert p.to_dict()["message"] == {
        "zh": "应为数字,实际为 '五十'",
        "en": "expected a number, found '五十'",
    }
