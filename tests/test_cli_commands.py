"""The commands people type: check (every format, --columns, -o), explain, show, schema,
completion, --help, and the pre-commit hook definition."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from ict2rules.authoring.schemas import SCHEMAS
from ict2rules.cli import COMMANDS, build_parser, main
from ict2rules.cli.explain import bash_script, example_from_kind, type_text
from ict2rules.kinds import KINDS
from ict2rules.render import BINARY, formats
from ict2rules.rules.loader import load_ruleset

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = str(ROOT / "examples" / "zeku_2023" / "school_ok.yaml")
AS_OF = ["--as-of", "2024-01-15"]  # after every zeku deadline: unfinished work is not met


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def short_teacher(tmp_path) -> str:
    path = tmp_path / "t.yaml"
    path.write_text("teacher: {id: T9, name: 短学时, hours: {online: 30, offline: 10}}\n", encoding="utf-8")
    return str(path)


# ------------------------------------------------------------------------------------ check


@pytest.mark.parametrize("fmt", sorted(formats()))
def test_check_every_format_exit_codes(capsys, fmt, short_teacher, tmp_path):
    if fmt in BINARY:  # a workbook goes to a file (tests/test_xlsx.py reads it back)
        import openpyxl

        out_file = tmp_path / f"r.{fmt}"
        code, _, _ = run(capsys, "check", EXAMPLE, "-r", "zeku_2023", "-f", fmt, "-o", str(out_file), *AS_OF)
        assert code == 0 and out_file.stat().st_size
        code, _, _ = run(capsys, "check", short_teacher, "-r", "zeku_2023", "-f", fmt, "-o", str(out_file), *AS_OF)
        assert code == 1 and "T9" in [c.value for c in openpyxl.load_workbook(out_file)["问题清单"]["C"]]
        return
    code, out, _ = run(capsys, "check", EXAMPLE, "-r", "zeku_2023", "-f", fmt, *AS_OF)
    assert code == 0 and out
    code, out, _ = run(capsys, "check", short_teacher, "-r", "zeku_2023", "-f", fmt, *AS_OF)
    assert code == 1 and "T9" in out


def test_check_html_to_a_file(capsys, tmp_path):
    target = tmp_path / "report.html"
    code, out, _ = run(capsys, "check", EXAMPLE, "-r", "zeku_2023", "-f", "html", "-o", str(target), *AS_OF)
    assert code == 0 and out == ""
    assert '<span id="teachers-checked">3</span>' in target.read_text(encoding="utf-8")


def test_check_columns_maps_roster_headers(capsys, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("编号X,线上X,线下X\nR1,50,25\nR2,40,25\n", encoding="utf-8")
    mapping = tmp_path / "columns.yaml"
    mapping.write_text("columns:\n  编号X: id\n  线上X: hours.online\n  线下X: hours.offline\n", encoding="utf-8")
    code, out, err = run(capsys, "check", str(roster), "-r", "zeku_2023", "--columns", str(mapping),
                         "--select", "ZK-T-HOURS-ONLINE", "-f", "jsonl", *AS_OF)
    assert code == 1, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert [(x["subject"]["id"], x["status"]) for x in lines[:-1]] == [("R1", "pass"), ("R2", "fail")]
    # without the mapping the unknown headers are an input error
    code, _, err = run(capsys, "check", str(roster), "-r", "zeku_2023", *AS_OF)
    assert code == 2 and err


def test_check_english_text(capsys):
    code, out, _ = run(capsys, "check", EXAMPLE, "-r", "zeku_2023", "--lang", "en", *AS_OF)
    assert code == 0 and "✔ every required rule is met" in out and "\x1b[" not in out


# ------------------------------------------------------------------------------------ explain


def test_explain_rule_shows_parameters_clause_and_both_examples(capsys):
    code, out, _ = run(capsys, "explain", "ZK-T-HOURS-TOTAL", "--cases", str(ROOT / "tests" / "cases"))
    rule = load_ruleset("zeku_2023").rule("ZK-T-HOURS-TOTAL")
    assert code == 0
    assert "ZK-T-HOURS-TOTAL · 总学时不少于75学时" in out
    assert "$total_hours = 75 学时" in out and "定义于 zeku_2023" in out
    assert rule.source.quote[:30] in out.replace("\n", "")
    assert "符合的例子" in out and "不符合的例子" in out
    assert "读作下限" in out


def test_explain_json_has_a_passing_and_a_failing_case(capsys):
    code, out, _ = run(capsys, "explain", "ZK-S-PASS-RATE", "-r", "zeku_2023", "--format", "json",
                       "--cases", str(ROOT / "tests" / "cases"))
    info = json.loads(out)
    assert code == 0 and info["kind"] == "rate" and set(info["examples"]) == {"pass", "fail"}
    assert info["kind_example"] is None
    for param in info["parameters"].values():
        assert param["defined_in"] == "zeku_2023" and "value" in param


def test_explain_falls_back_to_the_kind_example_without_cases(capsys, tmp_path):
    code, out, _ = run(capsys, "explain", "ZK-T-HOURS-TOTAL", "--cases", str(tmp_path), "--lang", "en", "--format", "json")
    info = json.loads(out)
    assert code == 0 and info["examples"] == {}
    assert info["kind_example"] == example_from_kind("threshold") and "kind: threshold" in info["kind_example"]


def test_explain_kind(capsys):
    code, out, _ = run(capsys, "explain", "threshold")
    assert code == 0
    assert out.startswith("threshold — " + KINDS["threshold"].summary)
    assert "What it does" in out and "number | $parameter | {field: path}" in out


def test_explain_unknown_suggests_the_closest(capsys):
    code, out, err = run(capsys, "explain", "ZK-T-HOURS-TOTL")
    assert code == 2 and out == ""
    assert "ZK-T-HOURS-TOTAL" in err and len(err.strip().splitlines()) == 1


def test_type_text_reads_like_a_ruleset():
    assert type_text(int | None) == "integer"
    assert type_text(list[str]) == "list of text"


# ------------------------------------------------------------------------------------ show, schema


def test_show_lists_every_rule(capsys):
    rs = load_ruleset("zeku_2023")
    code, out, _ = run(capsys, "show", "zeku_2023")
    assert code == 0
    for rule in rs.rules:
        assert rule.id in out
    assert f"{len(rs.rules)} 条规则" in out
    code, out, _ = run(capsys, "show", "zeku_2023", "--format", "json")
    data = json.loads(out)
    assert [r["id"] for r in data["rules"]] == [r.id for r in rs.rules]
    (hours,) = [r for r in data["rules"] if r["id"] == "ZK-T-HOURS-TOTAL"]
    assert hours == {
        "id": "ZK-T-HOURS-TOTAL", "level": "teacher", "severity": "error", "kind": "threshold",
        "title": {"zh": "总学时不少于75学时", "en": "At least 75 hours in all"}, "section": "二(一)1",
        "defined_in": "zeku_2023",
    }


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_schema_prints_each_schema(capsys, name):
    code, out, _ = run(capsys, "schema", name)
    assert code == 0 and json.loads(out) == json.loads(json.dumps(SCHEMAS[name]()))


def test_schema_unknown_name_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["schema", "nope"])
    assert exc.value.code == 2


# ------------------------------------------------------------------------------------ completion, help


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")
@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["ict2rules", "ch"], {"check"}),
        (["ict2rules", "check", "--format", ""], set(formats())),
        (["ict2rules", "check", "-r", "zek"], {"zeku_2023"}),
        (["ict2rules", "schema", "r"], {"records", "report", "ruleset"}),
        (["ict2rules", "explain", "ZK-T-HOURS-T"], {"ZK-T-HOURS-TOTAL"}),
        (["ict2rules", "check", "--fail"], {"--fail-level"}),
    ],
)
def test_bash_completion_completes(tmp_path, words, expected):
    script = tmp_path / "complete.bash"
    script.write_text(bash_script(build_parser()), encoding="utf-8")
    array = " ".join(f"'{w}'" for w in words)
    probe = f'source {script}; COMP_WORDS=({array}); COMP_CWORD={len(words) - 1}; _ict2rules; printf "%s\\n" "${{COMPREPLY[@]}}"'
    got = set(subprocess.run(["bash", "-c", probe], capture_output=True, text=True, cwd=tmp_path, check=True).stdout.split())
    assert expected <= got


def test_completion_commands(capsys):
    code, out, _ = run(capsys, "completion", "bash")
    assert code == 0 and "complete -o default -F _ict2rules ict2rules" in out
    code, out, _ = run(capsys, "completion", "zsh")
    assert code == 0 and out.startswith("#compdef ict2rules") and "bashcompinit" in out


@pytest.mark.parametrize("name", ["check", "explain", "show", "schema", "completion"])
def test_help_has_chinese_and_english_examples(capsys, name):
    with pytest.raises(SystemExit) as exc:
        main([name, "--help"])
    out = capsys.readouterr().out
    assert exc.value.code == 0
    assert "例 / examples:" in out and f"ict2rules {name}" in out
    assert re.search(r"[\u4e00-\u9fff]", COMMANDS[name].help) and re.search(r"[a-z]{3}", COMMANDS[name].help)


# ------------------------------------------------------------------------------------ pre-commit


def test_pre_commit_hook_definition():
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert (hook["id"], hook["entry"], hook["language"]) == ("ict2rules-check", "ict2rules check --format concise", "python")
    pattern = re.compile(hook["files"])
    for name in ("plan.yaml", "plan.yml", "school.json", "roster.csv", "roster.xlsx"):
        assert pattern.search(name), name
    for name in ("setup.py", "README.md", "yaml.txt"):
        assert not pattern.search(name), name
    # the hook's command line parses: options first, then the file names pre-commit appends
    args = build_parser().parse_args([*hook["entry"].split()[1:], "--ruleset", "zeku_2023", "a.yaml", "b.csv"])
    assert args.data == ["a.yaml", "b.csv"]


@pytest.mark.parametrize("text", ["2024-01-15", "2024/1/15", "2024年1月15日", "２０２４-０１-１５"])
def test_as_of_is_read_as_a_plan_writes_its_dates(text, capsys):
    assert main(["check", EXAMPLE, "-r", "zeku_2023", "--as-of", text, "-f", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["as_of"] == "2024-01-15"


@pytest.mark.parametrize(("text", "said"), [("2024-02-30", "日期不存在"), ("soon", "不是有效日期")])
def test_as_of_that_is_no_date_is_a_usage_error_saying_why(text, said, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["check", EXAMPLE, "-r", "zeku_2023", "--as-of", text])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert said in err and repr(text) in err and "Traceback" not in err
