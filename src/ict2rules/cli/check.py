"""``ict2rules check``: check record files against a ruleset and report."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from .. import evaluate
from ..errors import InputError, Problem
from ..inputs import Records, join_schools, parse_date, read_records, typos
from ..kinds.base import Status
from ..loader import load_ruleset
from ..output import emit
from ..render import BINARY, formats
from ..render.text import progress
from ..report import Report
from ..ruleset import Ruleset
from ..tabular import load_mapping
from . import EXIT_FAILED, EXIT_NOTHING, EXIT_OK, command, refuse_output_over_inputs


def iso_date(text: str) -> dt.date:
    try:
        return parse_date(text, "--as-of")  # type: ignore[return-value]
    except InputError:
        raise argparse.ArgumentTypeError(
            f"不是有效日期 / not a valid date (YYYY-MM-DD): {text!r}"
        ) from None


@command(
    "check",
    "检查记录文件 / check record files against a ruleset",
    epilog=(
        "例 / examples:\n"
        "  ict2rules check examples/zeku_2023/school_ok.yaml -r zeku_2023\n"
        "  ict2rules check roster.xlsx -r kaiyuan_2024 --lang en --format json -o report.json\n"
        "  ict2rules check plan.yaml -r zeku_2023 --as-of 2023-06-01   # 未到期的事项为 pending"
    ),
)
def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "data",
        nargs="+",
        metavar="DATA",
        help="记录文件 record files (.yaml .json .csv .xlsx .jsonl)",
    )
    p.add_argument(
        "-r",
        "--ruleset",
        required=True,
        help="内置规则集名称或文件路径 bundled ruleset name or path",
    )
    p.add_argument(
        "-f",
        "--format",
        default="text",
        choices=formats(),
        help="输出格式 output format (default: text)",
    )
    p.add_argument(
        "--as-of",
        type=iso_date,
        default=None,
        help="检查日期 as-of date, YYYY-MM-DD (default: today)",
    )
    p.add_argument(
        "--lang",
        choices=["zh", "en"],
        default="zh",
        help="报告语言 language of human-readable reports: text, markdown, html … (default: zh)",
    )
    p.add_argument(
        "-o", "--output", help="写入文件(原子写入) write the report to this file, atomically"
    )
    p.add_argument(
        "--select",
        action="append",
        default=[],
        metavar="RULE",
        help="只检查这些规则(编号或前缀) only these rule ids or prefixes",
    )
    p.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="RULE",
        help="忽略这些规则(编号或前缀) skip these rule ids or prefixes",
    )
    p.add_argument(
        "--fail-level",
        choices=["error", "warning"],
        default="error",
        help="哪一级未满足时退出码为1 severity that makes the exit code 1",
    )
    p.add_argument(
        "--exit-zero",
        action="store_true",
        help="总以0退出(输入错误除外) always exit 0 unless the input is bad",
    )
    p.add_argument(
        "--keep-going",
        action="store_true",
        help="跳过名册中的坏行继续检查 skip bad roster rows and check the rest",
    )
    p.add_argument(
        "--columns",
        metavar="MAPPING.yaml",
        help="名册列名映射(表头: 字段) roster column mapping, header: field path",
    )
    p.add_argument(
        "--status",
        action="append",
        default=[],
        choices=[s.value for s in Status],
        help="只报告这些状态的结果(如 fail) report only findings with these statuses (e.g. fail)",
    )
    p.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=1,
        metavar="N",
        help="名册流式检查(--format jsonl)所用进程数 processes for a streamed roster check (--format jsonl)",
    )
    p.add_argument(
        "--split-by",
        choices=["school"],
        default=None,
        help="每所学校一个文件,写入 -o 目录,并写 index.csv one file per school into the -o folder, with index.csv",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # --select / --ignore decide which rules run, so the verdict is about those rules only
    ruleset = load_ruleset(args.ruleset).restricted(args.select, args.ignore)
    mapping = load_mapping(args.columns) if args.columns else None
    data = distinct_files(args.data)
    refuse_output_over_inputs(args.output, [*args.data, ruleset.path, args.columns])
    if args.format == "jsonl" and not args.split_by:  # a roster streams row by row, in constant memory
        from ..stream import run_cli

        code = run_cli(args, ruleset, mapping)
        if code is not None:
            return code
    records = Records()
    bad: list[InputError] = []
    for path in data:  # every file's problems in one run, not one file per run
        try:
            records.extend(read_records(path, keep_going=args.keep_going, mapping=mapping))
        except InputError as exc:
            bad.append(exc)
    if not bad:
        try:  # roster teachers join their schools (by id or name), every one counted once
            join_schools(records, keep_going=args.keep_going)
        except InputError as exc:
            bad.append(exc)
        bad += [InputError(found)] if (found := typos(ruleset, records)) else []
    if bad:
        raise InputError([p for exc in bad for p in exc.problems])
    warn_kept(records.problems, records.unjoined)
    with progress(records) if args.format == "text" else nullcontext():  # stderr, big rosters only
        # a workbook or a split counts every teacher, whatever --status lists: keep everything
        whole = args.format in BINARY or args.split_by
        report = evaluate(ruleset, records, as_of=args.as_of, keep=None if whole else keep_of(args))
    unmet = failed(report, args.fail_level)
    given = any(s.teachers is not None for s in records.schools)  # a roster, `teachers:`
    empty = None if unmet else nothing_checked(ruleset, report.summary(), records.skipped_rows, given)
    if empty is not None:  # never a report saying "all met" about nothing
        print(f"ict2rules: {empty[0]} / {empty[1]}", file=sys.stderr)
        return EXIT_NOTHING
    if args.output:  # a school's roster is an input too
        rosters = [Path(f).parent / s.roster for f in records.files for s in records.schools if s.roster]
        refuse_output_over_inputs(args.output, rosters)
    stop = emit(args, report)  # -o, --split-by, binary formats, a closed pipe
    if stop is not None:
        return stop
    return EXIT_OK if args.exit_zero or not unmet else EXIT_FAILED


def warn_kept(skipped: list[Problem], unjoined: list[Problem]) -> None:
    """--keep-going: what was left out, and what did not join, said out loud on stderr."""
    for problem in skipped:
        print(f"ict2rules: 警告 已跳过 / warning, skipped: {problem}", file=sys.stderr)
    for problem in unjoined:
        print(f"ict2rules: 警告 未关联 / warning, not joined: {problem}", file=sys.stderr)


def distinct_files(paths: list[str]) -> list[str]:
    """The file arguments, each at most once: a file given twice (or again through a link)
    would count its teachers twice — an input error naming both arguments.

    >>> distinct_files(["a.yaml", "b.yaml"])
    ['a.yaml', 'b.yaml']
    """
    seen: dict[str, str] = {}
    problems = []
    for path in paths:
        try:
            key = os.path.realpath(path)
        except (OSError, ValueError):
            continue  # reading the file reports it
        if key in seen:
            problems.append(Problem(
                path, f"同一文件给出了两次(与 {seen[key]} 相同)",
                f"the same file is given twice (same as {seen[key]})", code="duplicate",
            ))
        else:
            seen[key] = path
    if problems:
        raise InputError(problems)
    return list(paths)


def nothing_checked(
    ruleset: Ruleset, summary: dict[str, Any], skipped: int = 0, teachers_given: bool = True
) -> tuple[str, str] | None:
    """Why a run checked nothing, in Chinese and English; None when something was checked.

    Nothing is: no subject at all; or teachers were given (a roster, ``teachers:``, rows left
    out) and not one was checked, though the ruleset has teacher rules. A school plan given
    without any teachers is a check of the plan, not nothing.

    >>> from ict2rules import load_ruleset
    >>> nothing_checked(load_ruleset("zeku_2023"), {"subjects": {"school": 1}, "teachers": {"checked": 0}})[1]
    'nothing was checked: zeku_2023 has 23 teacher rules but no teacher was checked (exit 3)'
    """
    rows_zh = f"(跳过 {skipped} 行)" if skipped else ""
    rows_en = f" ({skipped} row{'s' * (skipped != 1)} skipped)" if skipped else ""
    if not any(summary.get("subjects", {}).values()):
        return (f"未检查任何记录{rows_zh}:没有教师、学校或项目(退出码 3)",
                f"nothing was checked: no teacher, school or project{rows_en} (exit 3)")
    teacher_rules = sum(r.level == "teacher" for r in ruleset.rules)
    if teacher_rules and (teachers_given or skipped) and not summary.get("teachers", {}).get("checked"):
        return (f"未检查任何教师{rows_zh}:规则集 {ruleset.id} 有 {teacher_rules} 条教师规则,"
                "但没有可检查的教师(退出码 3)",
                f"nothing was checked: {ruleset.id} has {teacher_rules} teacher rules but no "
                f"teacher was checked{rows_en} (exit 3)")
    return None


def keep_of(args: argparse.Namespace) -> frozenset[Status] | None:
    """``--status`` as the evaluator's ``keep`` (None: every status)."""
    return frozenset(Status(s) for s in args.status) if args.status else None


def failed(report: Report, level: str) -> bool:
    """Whether rules of ``level`` (or worse) are not met — over every rule that ran, whatever
    ``--status`` chose to show."""
    return failed_summary(report.summary(), level)


def failed_summary(summary: dict[str, Any], level: str) -> bool:
    """:func:`failed` from a report's (or a streamed run's) summary."""
    return summary["errors"] > 0 or (level == "warning" and summary["warnings"] > 0)
