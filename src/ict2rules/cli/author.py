"""``ict2rules new``, ``ict2rules lint`` and ``ict2rules test``: the authoring commands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..authoring.cases import CaseResult, load_cases, run_file
from ..authoring.kit import LINT_CODES, lint, scaffold, scaffold_minimal, summarise
from ..errors import printable
from ..input.yamlsafe import load_file
from ..rules.loader import load_ruleset
from .base import EXIT_FAILED, EXIT_OK, command


@command(
    "new",
    "新建扩展规则集 / scaffold a ruleset extending a base",
    epilog=(
        "例 / example:\n"
        "  ict2rules new my_county_2024 --from zeku_2023 -o src/ict2rules/rulesets\n"
        "  ict2rules new my_province_2024 --minimal -o src/ict2rules/rulesets\n"
        "文件已存在时不覆盖,退出码 2 / an existing file is never overwritten (exit 2)"
    ),
)
def configure_new(p: argparse.ArgumentParser) -> None:
    p.add_argument("ruleset_id", metavar="RULESET_ID", help="新规则集编号 new ruleset id (a-z, 0-9, _)")
    base = p.add_mutually_exclusive_group(required=True)
    base.add_argument("--from", dest="base", metavar="BASE", help="上级规则集(名称或路径)base ruleset, name or path")
    base.add_argument("--minimal", action="store_true",
                      help="不继承:常用学时与能力点参数的最小规则集 / a ruleset of its own with the common hour and point parameters")
    p.add_argument("-o", "--output-dir", default=".", metavar="DIR", help="写入目录 folder to write into (default: .)")
    p.set_defaults(run=run_new)


def run_new(args: argparse.Namespace) -> int:
    path = (scaffold_minimal(args.ruleset_id, args.output_dir) if args.minimal
            else scaffold(args.ruleset_id, args.base, args.output_dir))
    print(f"已创建 / created {path}")
    print(f"下一步 / next: ict2rules lint {path}")
    return EXIT_OK


@command(
    "lint",
    "检查规则集的内容问题 / lint a ruleset beyond its schema",
    epilog=(
        "例 / examples:\n"
        "  ict2rules lint src/ict2rules/rulesets/zeku_2023.yaml\n"
        "  ict2rules lint my.yaml --seeds ../shared/seeds --seeds docs/sources\n"
        "  ict2rules lint --codes          # 列出全部代码 list every code\n"
        "退出码 / exit codes: 0 无错误 clean · 1 有错误 lint errors · 2 无法读取 unreadable"
    ),
)
def configure_lint(p: argparse.ArgumentParser) -> None:
    p.add_argument("ruleset", nargs="*", metavar="RULESET", help="规则集文件 ruleset files")
    p.add_argument("--seeds", action="append", type=Path, default=[], metavar="DIR", help="原文所在目录 folder of source texts (repeatable)")
    p.add_argument("--codes", action="store_true", help="列出全部检查代码 list every lint code")
    p.add_argument("--errors-only", action="store_true", help="只显示错误 show errors only")
    p.set_defaults(run=run_lint)


def run_lint(args: argparse.Namespace) -> int:
    if args.codes:
        for code, (severity, text) in LINT_CODES.items():
            print(f"{code}  {severity:<7}  {text}")
        return EXIT_OK
    if not args.ruleset:
        print("ict2rules lint: 请给出规则集文件 / give a ruleset file", file=sys.stderr)
        return 2
    errors = 0
    for path in args.ruleset:
        found = lint(path, seeds=args.seeds)
        for f in found:
            if not args.errors_only or f.severity == "error":
                print(printable(str(f)))
        counts = summarise(found)
        errors += counts.get("error", 0)
        print(f"{path}: {counts.get('error', 0)} 错误 errors, {counts.get('warning', 0)} 警告 warnings", file=sys.stderr)
    return EXIT_FAILED if errors else EXIT_OK


@command(
    "test",
    "运行 YAML 测试用例 / run YAML test cases",
    epilog=(
        "例 / examples:\n"
        "  ict2rules test tests/cases/zeku_2023/\n"
        "  ict2rules test my_ruleset.yaml tests/cases/my_ruleset/*.yaml   # against this ruleset file\n"
        "退出码 / exit codes: 0 全部通过 all pass · 1 有用例失败 some case fails · 2 输入错误 input error"
    ),
)
def configure_test(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="FILE", help="[规则集文件] 用例文件或目录 [ruleset file] case files or folders")
    p.add_argument("-q", "--quiet", action="store_true", help="只显示失败 show failures only")
    p.set_defaults(run=run_test)


def _is_ruleset(path: Path) -> bool:
    data, _ = load_file(path)
    return isinstance(data, dict) and "cases" not in data and ("rules" in data or "extends" in data)


def _case_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        files += sorted(p.rglob("*.yaml")) + sorted(p.rglob("*.yml")) if p.is_dir() else [p]
    return files


def run_test(args: argparse.Namespace) -> int:
    paths = [Path(p) for p in args.paths]
    ruleset = None
    if paths and paths[0].is_file() and _is_ruleset(paths[0]):
        ruleset = load_ruleset(paths[0])
        paths = paths[1:]
    results: list[CaseResult] = []
    for f in _case_files(paths):
        cases = load_cases(f)
        if ruleset is not None and cases.ruleset != ruleset.id:
            print(f"{f}: 用例针对 {cases.ruleset},此处以 {ruleset.id} 运行 / cases name {cases.ruleset}, run against {ruleset.id}", file=sys.stderr)
        results += run_file(f, ruleset)
    for r in results:
        _show(r, args.quiet)
    failed = [r for r in results if not r.ok]
    print(f"\n{len(results) - len(failed)} 通过 passed, {len(failed)} 失败 failed", file=sys.stderr)
    return EXIT_FAILED if failed else EXIT_OK


def _show(r: CaseResult, quiet: bool) -> None:
    """One line per case; a failing case lists each expectation as - expected / + got."""
    if r.ok:
        if not quiet:
            print(printable(f"✓ {r.file}: {r.name}"))
        return
    print(printable(f"✗ {r.file}: {r.name}"))
    for m in r.mismatches:
        key, _, rest = m.partition(": ")
        want, _, got = rest.partition(", got ")
        if got:
            print(printable(f"    {key}"))
            print(printable(f"      - {want}"))
            print(printable(f"      + {got}"))
        else:
            print(printable(f"    {m}"))
