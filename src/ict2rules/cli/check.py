"""``ict2rules check``: check record files against a ruleset and report."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import sys
import tempfile
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from ..evaluation.evaluator import Evaluator
from ..evaluation.parallel import default_jobs
from ..evaluation.run import check_records
from ..input.files import distinct_files, parse_date, read_inputs
from ..input.tabular import load_mapping
from ..kinds.base import Status
from ..render.output import emit
from ..render.progress import Phases, wanted
from ..render.registry import BINARY, EXTENSIONS
from ..report.report import Report
from ..rules.loader import load_ruleset
from ..rules.ruleset import Ruleset
from .base import EXIT_FAILED, EXIT_NOTHING, EXIT_OK, command, refuse_output_over_inputs


def iso_date(text: str) -> dt.date:
    try:
        return parse_date(text, "--as-of")  # type: ignore[return-value]
    except InputError as exc:
        p = exc.problems[0]
        raise argparse.ArgumentTypeError(f"{p.message_zh} / {p.message_en}") from None


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
        choices=sorted(EXTENSIONS),  # every format (tests/test_fast_paths.py), no writer imported
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
        "--sheet",
        metavar="NAME",
        help="只读取工作簿中的这一个工作表(及其能力点表) read only this sheet of a workbook roster (and its points sheet)",
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
        default=None,
        metavar="N",
        help="检查所用进程数(默认:5000至20000名教师时用 min(核数,4),否则1;流式检查默认1) "
        "processes to check with (default: min(cores, 4) for 5,000-20,000 teachers, else 1; "
        "a streamed roster, -f jsonl: 1)",
    )
    p.add_argument(
        "--dask",
        metavar="SCHEDULER_ADDRESS",
        default=None,
        help="在 Dask 集群上流式检查名册(--format jsonl) check a streamed roster on this Dask cluster, e.g. tcp://10.0.0.5:8786",
    )
    p.add_argument(
        "--details",
        action="store_true",
        help="文本报告列出每位教师(默认只列未合格的) text: list every teacher, not only those not met",
    )
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="在终端的 stderr 上显示进度(默认:输入较大时) progress on stderr, only on a terminal "
        "(default: for big inputs)",
    )
    p.add_argument(
        "--group-by-county",
        action="store_true",
        help="无区域记录时按所属区县(attributes.county)把学校归入县,并检查区域规则 "
        "without a region record, group schools into counties by their 所属区县 and check region rules",
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
    data = distinct_files(args.data)  # each file once, the same file by any name refused
    refuse_output_over_inputs(args.output, [*args.data, ruleset.path, args.columns])
    # a roster streams row by row, in constant memory (one sheet of a workbook, and counties
    # grouped from the schools, are read in memory)
    if args.format == "jsonl" and not args.split_by and not args.sheet and not args.group_by_county:
        from ..evaluation.stream import streamable_inputs

        if streamable_inputs(args.data):
            return run_streamed(args, ruleset, mapping)
    if args.dask:
        raise InputError.single(
            "--dask", "--dask 用于流式检查名册:给出名册(.csv .xlsx .jsonl)和 -f jsonl",
            "--dask checks rosters streamed: give roster files (.csv .xlsx .jsonl) and -f jsonl",
        )
    with Phases(enabled=wanted(args.progress, data)) as bar:  # stderr, on a terminal only
        return _check(args, ruleset, mapping, data, bar)


def _check(args: argparse.Namespace, ruleset: Ruleset, mapping: Any, data: list[str], bar: Phases) -> int:
    # every file's problems in one run; the web page reads its uploads the same way
    with bar.reading(data) as tick:
        try:
            records = read_inputs(data, ruleset=ruleset, keep_going=args.keep_going,
                                  mapping=mapping, sheet=args.sheet, tick=tick)
        except InputError:
            bar.stop()
            raise
    if records.problems or records.unjoined:
        bar.stop()  # the warnings go to the same terminal: no bar drawn over them
    warn_kept(records.problems, records.unjoined)
    # what is read of the records besides checking them, read now: the check lets each school's
    # teachers go once checked (a province's roster and its report are never both in memory)
    given = any(s.teachers is not None for s in records.every_school())  # a roster, `teachers:`
    rosters = [Path(f).parent / s.roster for f in records.files for s in records.every_school() if s.roster]
    if args.format == "html":  # the overview groups schools by county (所属区县) when they carry one
        from ..render.html import regions_of

        args.regions = regions_of(records)
    where = None
    if args.format == "concise":  # each record's file:line
        from ..render.concise import record_places

        where = record_places(records)
    teachers = len(records.teachers) + sum(len(s.teachers or ()) for s in records.every_school())
    jobs = args.jobs if args.jobs is not None else default_jobs(teachers)
    # a workbook or a split counts every teacher, whatever --status lists: keep everything
    whole = args.format in BINARY or args.split_by
    with contextlib.ExitStack() as stack:
        # JSON with workers: each finding's line made in the worker that found it, held on
        # disk, never as findings in memory; the writer copies the lines. (In one process the
        # writer encodes the kept findings: a province's 1.4 GB through a temporary file cost
        # more wall time on a slow disk than holding the findings, docs/performance.md.)
        held = None
        if args.format in ("json", "jsonl") and not args.split_by and jobs > 1:
            from ..render.jsonl import Held

            held = Held(stack.enter_context(tempfile.TemporaryFile()), b",\n    " if args.format == "json" else b"\n")
        with bar.checking(records):
            ev = Evaluator(ruleset, as_of=args.as_of, keep=None if whole else keep_of(args))
            report = check_records(ev, records, group_by_county=args.group_by_county, release=True,
                                   jobs=max(1, jobs), lines=held and held.file, line_end=held.end if held else b"\n")
        return _report(args, ruleset, records, report, given, rosters, where, bar, held)


def _report(args: argparse.Namespace, ruleset: Ruleset, records: Any, report: Report, given: bool,
            rosters: list[Path], where: Any, bar: Phases, held: Any) -> int:
    """Say nothing was checked, or write the report (``held``: its findings' lines)."""
    unmet = failed(report, args.fail_level)
    empty = None if unmet else nothing_checked(ruleset, report.summary(), records.skipped_rows, given)
    if empty is not None:  # never a report saying "all met" about nothing
        bar.stop()
        print(f"ict2rules: {empty[0]} / {empty[1]}", file=sys.stderr)
        return EXIT_NOTHING
    if args.output:  # a school's roster is an input too
        refuse_output_over_inputs(args.output, rosters)
    with bar.writing(to_terminal=not (args.output or args.split_by) and sys.stdout.isatty()):
        stop = emit(args, report, where=where, encoded=held)  # -o, --split-by, binary formats, a closed pipe
    if stop is not None:
        return stop
    return EXIT_OK if args.exit_zero or not (unmet or not report.passed) else EXIT_FAILED


class _Nothing(Exception):
    """Nothing was checked: abandon the output file."""


def run_streamed(args: argparse.Namespace, ruleset: Ruleset, mapping: dict[str, str] | None) -> int:
    """``ict2rules check --format jsonl`` over rosters: stream them (``stream.check_stream``)
    and return the exit code."""
    from ..evaluation.stream import check_stream

    def warn(text: str) -> None:
        zh, _, en = text.partition(" / ")  # the same line as in memory
        print(f"ict2rules: 警告 {zh} / warning, {en}", file=sys.stderr)

    empty: list[tuple[str, str]] = []

    def unless(summary: dict[str, Any]) -> bool:
        why = None if failed_summary(summary, args.fail_level) else nothing_checked(
            ruleset, summary, summary.get("skipped_rows", 0))
        empty.extend([why] if why else [])
        return why is not None

    options: dict[str, Any] = {
        "as_of": args.as_of, "keep_going": args.keep_going, "jobs": max(1, args.jobs or 1),
        "keep": keep_of(args), "mapping": mapping, "warn": warn, "unless": unless,
    }
    if getattr(args, "dask", None):
        options["dask"] = args.dask
    if args.output:
        from ..render.output import atomic_write

        try:
            with atomic_write(args.output) as out:
                summary = check_stream(ruleset, args.data, out, **options)
                if empty:  # nothing was checked: an earlier report stays as it was
                    raise _Nothing
        except _Nothing:
            pass
    else:
        summary = check_stream(ruleset, args.data, sys.stdout, **options)
    if empty:
        print(f"ict2rules: {empty[0][0]} / {empty[0][1]}", file=sys.stderr)
        return EXIT_NOTHING
    done = summary.to_dict()  # rules not met, or a teacher row nobody checked
    return EXIT_OK if args.exit_zero or not (failed_summary(done, args.fail_level) or not done["passed"]) else EXIT_FAILED


def warn_kept(skipped: list[Problem], unjoined: list[Problem]) -> None:
    """--keep-going: what was left out, and what did not join, said out loud on stderr."""
    for problem in skipped:
        print(f"ict2rules: 警告 已跳过 / warning, skipped: {problem}", file=sys.stderr)
    for problem in unjoined:
        print(f"ict2rules: 警告 未关联 / warning, not joined: {problem}", file=sys.stderr)


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
    levels = summary.get("subjects", {})
    if levels.get("region") and not (levels.get("school") or levels.get("teacher")) and not any(
        r.level == "region" for r in ruleset.rules
    ):  # a county given only as figures, against a ruleset with no rule about counties
        return (f"未检查任何内容:规则集 {ruleset.id} 没有区域规则,区域记录中也没有可检查的学校(退出码 3)",
                f"nothing was checked: {ruleset.id} has no region rules and the region holds no "
                "school to check (exit 3)")
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
