"""The text reports people read (issue #14): ``text`` that scales (summary and schools first,
only the teachers not met unless ``--details``), ``teachers`` (给每位教师的修改清单), ``concise``
(one ``FILE:LINE:COL: RULE message`` line a finding), progress on a terminal only, and
docs/output-text.md as the tool prints it."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from ict2rules import evaluate
from ict2rules.cli import main
from ict2rules.kinds.base import Status
from ict2rules.render import EXTENSIONS, formats, write
from ict2rules.render.concise import concise_lines
from ict2rules.render.progress import Phases, wanted
from ict2rules.render.text import clip, wrap

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "zeku_2023"
AS_OF = "2024-01-15"  # after every zeku deadline: unfinished work is not met
EARLY = "2023-10-08"  # before the end of 2023: unfinished work is pending
GOOD = {
    "hours": {"online": 50, "offline": 25, "practice": {"lesson": 5, "certification": 15, "process": 5}},
    "lessons_uploaded": 1, "lessons_reviewed": 3, "peer_reviews_given": 4,
    "points": [{"code": c, "evidence": {"shows_teacher": True, "own_work": True}} for c in ("A1", "A3", "A5")],
    "peer_score": 92, "school_score": 90, "score": 91, "completed_on": "2023-09-10",
    "assessed_on": "2023-09-18", "documents": [{"name": "任务清单", "filed_on": "2023-09-01"}],
}


def render(fmt: str, report, **options) -> str:
    out = io.StringIO()
    write(fmt, report, out, **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def bad_report():
    return evaluate("zeku_2023", EXAMPLES / "school_bad.yaml", as_of=AS_OF)


@pytest.fixture(scope="module")
def two_schools(tmp_path_factory):
    """Two schools from the example, one roster of teachers: 20 who meet every teacher rule
    and 3 who do not, so what is listed and what is only counted can be told apart."""
    folder = tmp_path_factory.mktemp("two")
    school = yaml.safe_load((EXAMPLES / "school_ok.yaml").read_text(encoding="utf-8"))["school"]
    first = {**school, "teachers": [{"id": f"A{i:02d}", "name": f"甲{i}", **GOOD} for i in range(20)]}
    short = {**GOOD, "hours": {**GOOD["hours"], "online": 40}}
    second = {**school, "id": "S-2", "name": "第二中学", "teachers": [
        {"id": "B1", "name": "乙一", **short}, {"id": "B2", "name": "乙二", **short},
        {"id": "B3", "name": "乙三"}, {"id": "B4", "name": "乙四", **GOOD},
    ]}
    path = folder / "schools.yaml"
    path.write_text(yaml.safe_dump({"schools": [first, second]}, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    return path


# ------------------------------------------------------------------------------ layout helpers


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab 1.,泽库县学时「」\n—"), max_size=300),
       st.integers(min_value=10, max_value=100), st.integers(min_value=0, max_value=6))
def test_wrap_never_exceeds_the_width_and_keeps_every_word(text, width, indent):
    # (a wide character needs two cells after the indent: widths from 10 with indents to 8)
    lines = wrap(text, width, indent, indent + 2)
    assert all(cell_len(line) <= width for line in lines)
    assert not [line for line in lines if line != line.rstrip()]
    assert "".join("".join(lines).split()) == "".join(text.split())


def test_clip_cuts_by_cells_with_an_ellipsis():
    assert clip("泽库县民族中学", 9) == "泽库县民…" and cell_len(clip("泽库县民族中学", 9)) <= 9
    assert clip("S1", 2) == "S1"


# ------------------------------------------------------------------------------ text


def test_text_summary_then_schools_with_names_then_only_teachers_not_met(two_schools):
    out = render("text", evaluate("zeku_2023", two_schools, as_of=AS_OF))
    order = [out.index(s) for s in ("检查结果", "各校情况", "学校 S-2 第二中学", "需要修改")]
    assert order == sorted(order)
    table = out[out.index("各校情况"):out.index("\n\n", out.index("各校情况"))]
    row = next(line for line in table.splitlines() if line.startswith("S-2"))
    assert row.split() == ["S-2", "第二中学", "4", "1", "0", "3", "0", "25.0%", "有要求未满足"]
    assert "20 位教师全部符合" in out  # the first school: one line, no table
    assert "甲1(A01)" not in out and "乙四(B4)" not in out  # who meets everything is counted
    assert "另有 1 位教师全部符合" in out
    for who in ("乙一(B1)", "乙二(B2)", "乙三(B3)"):
        assert any(line.startswith(who) and line.endswith("未合格") for line in out.splitlines())


def test_text_details_lists_every_teacher(two_schools):
    report = evaluate("zeku_2023", two_schools, as_of=AS_OF)
    out = render("text", report, details=True)
    assert any(line.startswith("乙四(B4)") and line.endswith("合格") for line in out.splitlines())
    assert "另有 1 位教师全部符合" not in out


def test_text_details_lifts_the_cap_on_a_rule_block(tmp_path):
    teachers = [{"id": f"T{i:03d}", "hours": {"online": 10, "offline": 25}} for i in range(60)]
    report = evaluate("zeku_2023", {"teachers": teachers}, as_of=AS_OF)
    short = render("text", report)
    assert "另有 10 项(全部列出:--details;每位教师一份清单:--format teachers)" in short
    full = render("text", report, details=True)
    block = full[full.index("ZK-T-HOURS-ONLINE 线上网络研修不少于50学时 · 60 项"):]
    block = block[:block.index("\n\n")]
    assert "T059" in block and "另有" not in block


def test_text_message_that_says_both_values_is_not_repeated(bad_report):
    out = render("text", bad_report)
    block = out[out.index("[错误] ZK-T-HOURS-TOTAL"):]
    block = block[:block.index("\n\n")]
    assert "总学时 74.5 学时,要求 ≥ 75 学时" in block
    assert "要求 ≥ 75 学时 · 实际 74.5" not in block  # the message said both already


def test_text_pending_teachers_are_counted_not_listed(two_schools):
    out = render("text", evaluate("zeku_2023", two_schools, as_of=EARLY))
    assert "尚未到期的事项" in out
    assert "20 位教师全部符合" in out or "只差尚未到期" in out


def test_text_is_plain_within_100_columns_when_piped(two_schools):
    out = render("text", evaluate("zeku_2023", two_schools, as_of=AS_OF), details=True, lang="en")
    assert "\x1b[" not in out
    assert max(cell_len(line) for line in out.splitlines()) <= 100
    assert not [line for line in out.splitlines() if line.endswith(" ")]
    assert "Schools" in out and "School id" in out


def test_text_on_a_narrow_terminal_the_school_name_gives_way(bad_report):
    out = render("text", bad_report, width=90)
    table = out[out.index("各校情况"):out.index("\n\n", out.index("各校情况"))]
    assert max(cell_len(line) for line in table.splitlines()) <= 90
    assert "ZK-HJZX   泽库县" in table and "…" in table
    out = render("text", bad_report, width=60)  # what to fix wraps to any width
    assert all(cell_len(line) <= 60 for line in out[out.index("需要修改"):].splitlines())


def test_text_colour_on_a_terminal_codes_the_marks(bad_report):
    out = render("text", bad_report, color=True)
    assert "\x1b[" in out[out.index("学校 ZK-HJZX"):]


# ------------------------------------------------------------------------------ teachers


def test_teachers_one_block_per_teacher_with_something_to_fix(bad_report):
    out = render("teachers", bad_report)
    assert out.startswith("给每位教师的修改清单\n")
    assert "马晓琴(ZK102) · 学校 泽库县和日寄宿制小学(ZK-HJZX)" in out
    assert "先巴(ZK103) · 学校" in out
    assert "索南卓玛(ZK101)" not in out  # meets every rule: counted, not listed
    assert "其余 1 位教师没有需要修改的事项。" in out
    block = out[out.index("马晓琴(ZK102) ·"):]
    block = block[:block.index("\n\n")]
    item = block[block.index("[必须] 总学时不少于75学时"):]
    for label in ("要求:总学时不少于75学时(≥ 75 学时)", "实际:总学时 74.5 学时", "怎么改:", "依据:二(一)1"):
        assert label in item
    assert "hours.total" not in out and "completed_on" not in out
    assert max(cell_len(line) for line in out.splitlines()) <= 100


def test_teachers_missing_data_says_what_to_fill_in():
    report = evaluate("zeku_2023", {"teacher": {"id": "T1", "name": "张三"}}, as_of=AS_OF)
    out = render("teachers", report)
    assert "张三(T1)" in out and "未填写:「线上学时」、「线下学时」" in out and "在名册或记录中填写「线上学时」、「线下学时」" in out


def test_teachers_pending_work_has_its_due_date():
    report = evaluate("zeku_2023", {"teacher": {"id": "T1", "name": "张三"}}, as_of=EARLY)
    out = render("teachers", report)
    assert "尚未到期" in out and "期限 2023-12-31" in out


def test_teachers_in_english_and_when_nothing_is_to_fix():
    ok = evaluate("zeku_2023", EXAMPLES / "school_ok.yaml", as_of="2023-10-08")
    assert render("teachers", ok).rstrip().endswith("没有需要修改的事项。")
    bad = evaluate("zeku_2023", EXAMPLES / "school_bad.yaml", as_of=AS_OF)
    out = render("teachers", bad, lang="en")
    assert out.startswith("What each teacher has to fix\n") and "Required: " in out and "What to do: " in out


# ------------------------------------------------------------------------------ concise

LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<rule>[A-Z][A-Z0-9-]+) (?P<rest>.+)$")


def test_concise_one_line_per_finding_not_met_file_first(bad_report):
    lines = render("concise", bad_report).splitlines()
    *findings, tail = lines
    assert len(findings) == len(bad_report.failures())
    assert all(LINE.match(line) for line in findings)
    assert tail.startswith(f"ict2rules: {len(findings)} 项未满足")
    rank = {"error": 0, "warning": 1, "info": 2}
    severities = [rank[bad_report.ruleset.rule(LINE.match(f)["rule"]).severity] for f in findings]
    assert severities == sorted(severities)  # errors first, then warnings, then information


def test_concise_points_at_the_teacher_in_the_yaml_file(capsys):
    code = main(["check", str(EXAMPLES / "school_bad.yaml"), "-r", "zeku_2023", "--as-of", AS_OF, "-f", "concise"])
    out = capsys.readouterr().out
    assert code == 1
    line = next(x for x in out.splitlines() if "ZK-T-HOURS-TOTAL" in x)
    m = LINE.match(line)
    assert m and m["file"].endswith("school_bad.yaml")
    text = (EXAMPLES / "school_bad.yaml").read_text(encoding="utf-8").splitlines()[int(m["line"]) - 1]
    assert "ZK102" in text and text[int(m["col"]) - 1:].startswith("id:")


def test_concise_points_at_the_roster_row(tmp_path, capsys):
    roster = tmp_path / "名册.csv"
    roster.write_text("工号,姓名,线上学时,线下学时\nT1,张三,50,25\nT2,李四,30,25\n", encoding="utf-8")
    code = main(["check", str(roster), "-r", "zeku_2023", "--as-of", AS_OF, "-f", "concise",
                 "--select", "ZK-T-HOURS-ONLINE"])
    out = capsys.readouterr().out
    assert code == 1
    assert out.splitlines()[0].startswith(f"{roster}:3:1: ZK-T-HOURS-ONLINE 李四(T2) ")
    assert len(out.splitlines()) == 2


def test_concise_all_met_is_one_line(capsys):
    code = main(["check", str(EXAMPLES / "school_ok.yaml"), "-r", "zeku_2023", "--as-of", "2023-10-08",
                 "-f", "concise"])
    out = capsys.readouterr().out
    assert code == 0 and out.count("\n") == 1 and "全部必备要求均已满足" in out


def test_concise_without_a_file_still_has_the_shape():
    report = evaluate("zeku_2023", {"teacher": {"id": "T1"}}, as_of=AS_OF)
    assert all(LINE.match(line) for line in concise_lines(report, "en"))


def test_new_formats_are_registered_with_a_text_extension():
    assert {"teachers", "concise"} <= set(formats())
    assert EXTENSIONS["teachers"] == EXTENSIONS["concise"] == "txt"


def test_teachers_split_by_school_writes_one_list_per_school(two_schools, tmp_path, capsys):
    out = tmp_path / "各校"
    code = main(["check", str(two_schools), "-r", "zeku_2023", "--as-of", AS_OF, "-f", "teachers",
                 "--split-by", "school", "-o", str(out)])
    assert code == 1
    files = sorted(p.name for p in out.iterdir())
    assert "S-2_第二中学.txt" in files and "index.csv" in files
    text = (out / "S-2_第二中学.txt").read_text(encoding="utf-8")
    assert "乙一(B1)" in text and "甲1(A01)" not in text


# ------------------------------------------------------------------------------ progress


def _run_under_pty(argv: list[str]) -> tuple[int, bytes, bytes]:
    """Run the CLI with stderr on a pseudo-terminal and stdout on a pipe."""
    import pty

    master, slave = pty.openpty()
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "100"}
    proc = subprocess.Popen([sys.executable, "-m", "ict2rules", *argv], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=slave, cwd=ROOT, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the other end closed
            break
        if not data:
            break
        chunks.append(data)
    out = proc.stdout.read() if proc.stdout else b""
    proc.wait(timeout=120)
    os.close(master)
    return proc.returncode, out, b"".join(chunks)


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_progress_is_drawn_on_a_terminal_and_the_report_is_unchanged(tmp_path):
    args = ["check", str(EXAMPLES / "school_bad.yaml"), "-r", "zeku_2023", "--as-of", AS_OF]
    code, out, err = _run_under_pty([*args, "--progress"])
    assert code == 1
    for phase in ("reading", "checking", "writing"):
        assert phase.encode() in err
    piped = subprocess.run([sys.executable, "-m", "ict2rules", *args, "--progress"], capture_output=True,
                           cwd=ROOT, check=False)
    assert piped.returncode == 1 and piped.stderr == b""  # stderr is a pipe: never drawn
    assert piped.stdout == out  # the report is the same either way
    code, _, err = _run_under_pty([*args, "--no-progress"])
    assert code == 1 and b"checking" not in err


def test_progress_is_never_drawn_when_not_a_terminal(capsys):
    code = main(["check", str(EXAMPLES / "school_bad.yaml"), "-r", "zeku_2023", "--as-of", AS_OF, "--progress"])
    assert code == 1 and capsys.readouterr().err == ""
    piped = io.StringIO()
    with Phases(piped) as bar, bar.reading(["x"]) as tick:
        tick()
    assert piped.getvalue() == "" and not bar.shown


def test_progress_by_default_only_for_big_inputs(tmp_path):
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    small = tmp_path / "small.csv"
    small.write_text("工号\nT1\n", encoding="utf-8")
    assert not wanted(None, [str(small)], Tty())
    assert wanted(True, [str(small)], Tty())
    big = tmp_path / "big.csv"
    big.write_text("工号\n" + "T1234567\n" * 120_000, encoding="utf-8")
    assert wanted(None, [str(big)], Tty())
    assert not wanted(False, [str(big)], Tty())


# ------------------------------------------------------------------------------ docs

DOC = ROOT / "docs" / "output-text.md"
COMMAND = re.compile(r"```console\n\$ ict2rules (?P<args>[^\n]+)\n(?P<out>.*?)\$ echo \$\?\n(?P<code>\d+)\n```", re.S)


def test_output_text_doc_is_what_the_tool_prints(capsys, monkeypatch):
    """Every ``$ ict2rules …`` block of docs/output-text.md, run: the same output and exit code
    (each fixes its date with --as-of, so the page does not age)."""
    monkeypatch.chdir(ROOT)
    blocks = list(COMMAND.finditer(DOC.read_text(encoding="utf-8")))
    assert len(blocks) >= 4
    for block in blocks:
        argv = block["args"].split()
        assert "--as-of" in argv, block["args"]
        code = main(argv)
        out = capsys.readouterr().out
        assert (out, code) == (block["out"], int(block["code"])), block["args"]


def test_benchmark_prints_a_table(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_text.py"), "--teachers", "60",
                           "--schools", "3", "--repeat", "1"], capture_output=True, text=True, check=True)
    rows = [line for line in done.stdout.splitlines() if line.startswith("| ")]
    assert {r.split("|")[1].strip() for r in rows[1:]} >= {"print", "text", "teachers", "concise"}
    assert json.dumps(rows)  # one row per writer, no error
    assert Status.FAIL.value == "fail"


def regenerate() -> None:
    """Rewrite the output of every ``$ ict2rules …`` block of docs/output-text.md from the tool."""
    import contextlib

    os.chdir(ROOT)
    text = DOC.read_text(encoding="utf-8")

    def run(block: re.Match[str]) -> str:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main(block["args"].split())
        return f"```console\n$ ict2rules {block['args']}\n{out.getvalue()}$ echo $?\n{code}\n```"

    DOC.write_text(COMMAND.sub(run, text), encoding="utf-8")


if __name__ == "__main__":  # python tests/test_text.py --regenerate
    if sys.argv[1:] == ["--regenerate"]:
        regenerate()


def test_one_vocabulary_counts_teachers_in_every_report() -> None:
    """A teacher who lacks data (and fails nothing) is 缺少数据 in every table, never 未合格; the
    summary's count of the teachers not passed says that it holds both."""
    import io

    from ict2rules.labels import TEACHER_VERDICTS
    from ict2rules.render import write

    data = yaml.safe_load((ROOT / "examples" / "kaiyuan_2024" / "school_ok.yaml").read_text(encoding="utf-8"))
    teachers = data["school"]["teachers"]
    del teachers[0]["result_cases"]  # 缺少数据 only
    teachers[1]["name"] = "测试乙"
    del teachers[1]["completed_on"]  # a required rule not met
    r = evaluate("kaiyuan_2024", data, as_of="2024-07-15")
    from ict2rules.render.text import teacher_groups

    verdicts = {row.subject.id: row.verdict for g in teacher_groups(r) for row in g.rows}
    from ict2rules.render.xlsx import school_rows

    (row,) = school_rows(r)
    # the tables and the workbook count each teacher the same way
    assert sum(v == "missing" for v in verdicts.values()) == row.missing
    assert sum(v == "failed" for v in verdicts.values()) == row.failed
    outputs = {}
    for fmt in ("text", "html", "markdown"):
        out = io.StringIO()
        write(fmt, r, out, lang="zh")
        outputs[fmt] = out.getvalue()
        assert TEACHER_VERDICTS["not_passed"][0] in outputs[fmt], fmt  # the summary's 未合格或缺少数据
    assert (row.missing, row.failed) == (1, 1)
    name = teachers[0]["name"]
    assert outputs["markdown"].split(name, 1)[1].splitlines()[0].endswith("**缺少数据** |")
    assert outputs["markdown"].split("测试乙", 1)[1].splitlines()[0].endswith("**未合格** |")
    assert '<td class="missing_data">缺少数据</td>' in outputs["html"]
    assert outputs["text"].split(name, 1)[1].splitlines()[0].rstrip().endswith("缺少数据")
