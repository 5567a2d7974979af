"""The docs say what the tool does: their commands are run here and their claims compared
with the program (issue 14's "docs that match the tool").

- docs/template.zh.md: the coordinator's walk, every command run in order in a fresh folder;
- docs/cli.md: its command table against the real parser; ``--status``; ``--sheet``;
  pre-commit's ``rev:`` and the hook's one-line-per-problem output;
- docs/rosters.md: the ``.xls`` refusal word for word;
- docs/authoring.md: the files it names exist, and its ``ict2rules test`` example runs;
- docs/report-format.md: the JSONL example's ``school_rollup`` and summary lines.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from ict2rules.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _doc(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def _run(capsys: pytest.CaptureFixture[str], command: str) -> tuple[int, str]:
    argv = shlex.split(command)
    assert argv[0] == "ict2rules", command
    code = main(argv[1:])
    out = capsys.readouterr()
    return code, out.out + out.err


# --------------------------------------------------------------------------- template.zh.md


def _fill_roster(book: Path, table: str) -> None:
    """Type the doc's table into the workbook's 教师 sheet, column by header, as a person would."""
    lines = [line.strip().strip("|").split("|") for line in table.strip().splitlines()]
    heads = [h.strip() for h in lines[0]]
    rows = [[c.strip() for c in line] for line in lines[2:]]
    wb = load_workbook(book)
    ws = wb["教师"]
    at = {c.value: c.column for c in ws[1]}
    for r, row in enumerate(rows, start=2):
        for head, value in zip(heads, row, strict=True):
            assert head in at, f"the doc's column {head!r} is not in the workbook"
            ws.cell(row=r, column=at[head], value=float(value) if re.fullmatch(r"\d+(\.\d+)?", value) and head != "工号" else value)
    wb.save(book)


def test_template_walk_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    """Every block of docs/template.zh.md in order: ``console`` blocks run (``$ echo $?`` checks
    the exit code just before; other lines must appear in the output), ``yaml FILE`` blocks are
    the files the coordinator writes, the table is typed into the roster workbook."""
    monkeypatch.chdir(tmp_path)
    text = _doc("template.zh.md")
    blocks = re.finditer(r"```(\w+)(?: ([^\n]+))?\n(.*?)```|(\| 工号 \|.*?)\n\n", text, re.S)
    ran = 0
    for block in blocks:
        kind, name, body, table = block.groups()
        if table:
            _fill_roster(tmp_path / "名册.xlsx", table)
            continue
        if kind == "yaml" and name:
            yaml.safe_load(body)  # the doc's YAML is YAML
            (tmp_path / name).write_text(body, encoding="utf-8")
            continue
        if kind != "console":
            continue
        code, output, last = None, "", ""
        lines = body.splitlines()
        i = 0
        while i < len(lines):
            line = lines[i]
            if line == "$ echo $?":
                assert code == int(lines[i + 1]), (last, output)
                i += 2
                continue
            if line.startswith("$ "):
                last = line[2:].split("  #")[0]
                code, output = _run(capsys, last)
                ran += 1
            else:
                assert line.strip() in output, (line, output)
            i += 1
        if code is not None and "echo $?" not in body:
            assert code == 0, (last, output)
    assert ran >= 7
    assert (tmp_path / "检查结果.xlsx").exists()


# --------------------------------------------------------------------------- cli.md


def test_cli_md_command_table_is_the_parser() -> None:
    text = _doc("cli.md")
    table = text[text.index("| command | what it does |"):]
    table = table[: table.index("\n\n")]
    documented = re.findall(r"^\| \[`([a-z]+)`\]", table, re.M)
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    assert documented == list(sub.choices), "cli.md's command table and the parser differ"


def test_cli_md_check_options_are_the_parser() -> None:
    """Every option of ``check`` is in cli.md's option table, and every option there exists."""
    text = _doc("cli.md")
    section = text[text.index("## check"):text.index("## template")]
    documented = set(re.findall(r"^\| `(--[a-z-]+)", section, re.M))
    documented |= set(re.findall(r"^\| `-\w`, `(--[a-z-]+)", section, re.M))
    documented |= set(re.findall(r"^\| `--[a-z-]+`, `(--[a-z-]+)", section, re.M))  # --x, --no-x
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    real = {o for a in sub.choices["check"]._actions for o in a.option_strings if o.startswith("--")}
    real.discard("--help")
    assert documented == real


def test_status_filters_what_is_shown_and_the_verdict_counts_every_rule(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """cli.md: the findings listed are those shown; the summary (``summary.findings``,
    ``passed``, errors, warnings, teacher counts) and the exit code count every rule."""
    school = ROOT / "examples" / "zeku_2023" / "school_bad.yaml"
    out_all, out_fail = tmp_path / "all.json", tmp_path / "fail.json"
    base = ["check", str(school), "-r", "zeku_2023", "--as-of", "2024-01-05", "-f", "json"]
    assert main([*base, "-o", str(out_all)]) == 1
    assert main([*base, "--status", "fail", "-o", str(out_fail)]) == 1
    every, shown = (json.loads(p.read_text("utf-8")) for p in (out_all, out_fail))
    assert {f["status"] for f in shown["findings"]} == {"fail"}
    assert not [f for f in shown["findings"] if f["status"] == "pass"]
    for key in ("findings", "passed", "errors", "warnings", "teachers", "subjects"):
        assert shown["summary"][key] == every["summary"][key], key


def test_sheet_reads_one_sheet_and_an_unknown_one_lists_the_sheets(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "小学部"
    book.active.append(["工号", "线上学时", "线下学时", "完成日期"])
    book.active.append(["T1", 25, 25, "2021-06-30"])
    other = book.create_sheet("初中部")
    other.append(["工号", "线上学时", "线下学时", "完成日期"])
    other.append(["T2", 10, 10, "2021-06-30"])
    path = tmp_path / "名册.xlsx"
    book.save(path)
    out = tmp_path / "r.json"
    args = ["check", str(path), "-r", "suncedu_2020", "--as-of", "2023-03-01", "-f", "json", "-o", str(out)]
    assert main([*args, "--sheet", "小学部"]) == 0
    assert json.loads(out.read_text("utf-8"))["summary"]["teachers"]["checked"] == 1
    assert main([*args, "--sheet", "初中部"]) == 1
    assert main(args) == 1  # both sheets
    assert json.loads(out.read_text("utf-8"))["summary"]["teachers"]["checked"] == 2
    capsys.readouterr()
    assert main([*args, "--sheet", "高中部"]) == 2
    err = capsys.readouterr().err
    assert "高中部" in err and "小学部" in err and "初中部" in err and "Traceback" not in err
    assert main([*args, "-f", "jsonl", "--sheet", "小学部"]) == 0  # not streamed: read in memory


def test_pre_commit_rev_is_a_commit_sha_and_the_hook_is_quiet(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = _doc("cli.md")
    config = yaml.safe_load(re.search(r"```yaml\n(# \.pre-commit-config\.yaml.*?)```", text, re.S).group(1))
    (repo,) = config["repos"]
    assert re.fullmatch(r"[0-9a-f]{40}", repo["rev"]), "rev: a full commit SHA (there is no tag)"
    if (ROOT / ".git").exists():
        import subprocess

        found = subprocess.run(["git", "-C", str(ROOT), "cat-file", "-e", f"{repo['rev']}^{{commit}}"],
                               capture_output=True, check=False)
        assert found.returncode == 0, "the documented SHA is a commit of this repository"
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    entry = shlex.split(hook["entry"])
    assert entry[:2] == ["ict2rules", "check"]
    args = [*entry[2:], *repo["hooks"][0]["args"]]
    good = ROOT / "examples" / "zeku_2023" / "school_ok.yaml"
    bad = ROOT / "examples" / "zeku_2023" / "school_bad.yaml"
    assert main(["check", *args, "--as-of", "2024-01-05", str(good)]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 1  # one summary line
    assert main(["check", *args, "--as-of", "2024-01-05", str(bad)]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert all(str(bad) in line for line in lines[:-1])  # one line per problem, file first


# --------------------------------------------------------------------------- rosters.md


def test_rosters_md_xls_message_is_the_programs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    documented = re.search(r"refused \(exit 2\): `([^`]+)`", _doc("rosters.md")).group(1)
    old = tmp_path / "名册.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)  # the OLE signature
    assert main(["check", str(old), "-r", "zeku_2023"]) == 2
    assert documented in capsys.readouterr().err


# --------------------------------------------------------------------------- authoring.md


def test_authoring_md_names_files_that_exist_and_its_test_example_runs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    text = _doc("authoring.md")
    for path in set(re.findall(r"`((?:src|tests|docs|examples|rulesets)/[\w./-]+\.(?:py|yaml|md|txt))`", text)):
        assert (ROOT / path).exists(), path
    case = re.search(r"```yaml (my_cases/wrong\.yaml)\n(.*?)```", text, re.S)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my_cases").mkdir()
    (tmp_path / case.group(1)).write_text(case.group(2), encoding="utf-8")
    shown = re.search(r"```\n\$ (ict2rules test my_cases/wrong\.yaml)\n(.*?)```", text, re.S)
    code, output = _run(capsys, shown.group(1))
    assert code == 1
    for line in shown.group(2).strip().splitlines():
        assert line.strip() in output, line


# --------------------------------------------------------------------------- report-format.md


def test_report_format_jsonl_example_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """The example's school_rollup and summary lines are what the command it names prints."""
    text = _doc("report-format.md")
    section = text[text.index("## `jsonl`"):]
    example = re.search(r"```text\n(.*?)```", section, re.S).group(1).strip().splitlines()
    command = re.search(r"\(`(ict2rules check r\.csv[^`]+)`", section).group(1)
    roster = tmp_path / "r.csv"
    roster.write_text("工号,学校,线上学时,线下学时,完成日期\nT1,S1,25,25,2021-01-01\nT2,S1,20,25,2021-01-01\n",
                      encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    main(shlex.split(command)[1:])
    lines = capsys.readouterr().out.strip().splitlines()
    assert [json.loads(x) for x in lines[-2:]] == [json.loads(x) for x in example[-2:]]
    assert json.loads(example[0].replace("{…}", "{}").replace(",…,", ","))["rule"] in {
        json.loads(x).get("rule") for x in lines}
