"""``ict2rules template``: a blank school plan (YAML) or roster workbook (XLSX) for a ruleset."""

from __future__ import annotations

import argparse
import io
import sys

from ..authoring.template import FORMATS, plan_yaml, write_roster_template, write_template
from ..errors import InputError
from ..rules.loader import load_ruleset
from .base import EXIT_OK, command


@command(
    "template",
    "生成空白方案或名册模板 / write a blank plan (YAML) or roster workbook (XLSX) for a ruleset",
    epilog=(
        "例 / examples:\n"
        "  ict2rules template -r zeku_2023 -o 方案.yaml                 # 学校方案 / the school plan\n"
        "  ict2rules template -r zeku_2023 --format xlsx -o 名册.xlsx   # 教师名册 / the roster workbook\n"
        "  ict2rules template -r zeku_2023 -o 方案.yaml --force         # 覆盖已有文件 / replace a file\n"
        "已有的文件不会被覆盖,除非加 --force / an existing file is never replaced without --force"
    ),
)
def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("-r", "--ruleset", required=True,
                   help="内置规则集名称或文件路径 bundled ruleset name or path")
    p.add_argument("-f", "--format", choices=FORMATS, default="yaml",
                   help="yaml: 学校方案 the school plan (default); xlsx: 教师名册 the roster workbook")
    p.add_argument("-o", "--output", metavar="PATH",
                   help="写入文件(默认:yaml 输出到屏幕) write to this file (default: yaml to stdout)")
    p.add_argument("--force", action="store_true",
                   help="覆盖已有的文件 replace an existing file")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    ruleset = load_ruleset(args.ruleset)
    if args.output:
        path = write_template(ruleset, args.output, args.format, force=args.force)
        print(f"ict2rules: 已写入 / written: {path}", file=sys.stderr)
        return EXIT_OK
    if args.format == "yaml":
        sys.stdout.write(plan_yaml(ruleset))
        return EXIT_OK
    if sys.stdout.isatty():  # a workbook is binary: never onto a terminal
        raise InputError.single(
            None, "xlsx 是二进制文件:请用 -o 名册.xlsx 或重定向到文件",
            "xlsx is binary: give -o roster.xlsx or redirect to a file",
            field="-o", code="output",
        )
    buffer = io.BytesIO()
    write_roster_template(ruleset, buffer)
    sys.stdout.flush()
    sys.stdout.buffer.write(buffer.getvalue())
    return EXIT_OK
