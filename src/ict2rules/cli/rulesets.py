"""``ict2rules rulesets`` and ``ict2rules validate``."""

from __future__ import annotations

import argparse
import json
import sys

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..errors import InputError, printable
from ..rules.loader import bundled_names, load_ruleset
from .base import EXIT_OK, command


@command(
    "rulesets",
    "列出内置规则集 / list the bundled rulesets",
    epilog=(
        "例 / examples:\n"
        "  ict2rules rulesets                 # 表格 a table of documents, issuers, dates\n"
        "  ict2rules rulesets --format json   # 供其他系统使用 for other systems"
    ),
)
def configure_list(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=["text", "json", "names"], default="text")
    p.set_defaults(run=run_list)


def run_list(args: argparse.Namespace) -> int:
    rows = []
    for name in bundled_names():
        rs = load_ruleset(name)
        d = rs.document
        rows.append(
            {
                "id": rs.id,
                "title": d.title,
                "issuer": d.issuer,
                "number": d.number,
                "date": d.date.isoformat() if d.date else None,
                "level": d.level,
                "extends": rs.chain[:-1],
                "rules": len(rs.rules),
                "parameters": len(rs.parameters),
            }
        )
    if args.format == "names":
        print("\n".join(r["id"] for r in rows))
    elif args.format == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        table = Table(title="内置规则集 / bundled rulesets")
        for col in (
            "id",
            "文件 document",
            "发文单位 issuer",
            "日期 date",
            "级别 level",
            "规则 rules",
        ):
            table.add_column(col)
        for r in rows:
            cells = (r["id"], r["title"], f"{r['issuer']} {r['number'] or ''}".strip(),
                     r["date"] or "", r["level"], str(r["rules"]))
            table.add_row(*(Text(printable(c)) for c in cells))  # text, never rich markup
        Console(width=None if sys.stdout.isatty() else 140, markup=False).print(table)
    return EXIT_OK


@command(
    "validate",
    "校验规则集文件 / check a ruleset file against the format",
    epilog=(
        "例 / examples:\n"
        "  ict2rules validate my_county_2025.yaml\n"
        "  ict2rules validate rulesets/*.yaml\n"
        "错误会给出文件、行、列 / every mistake is reported with its file, line and column (exit 2)"
    ),
)
def configure_validate(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "ruleset",
        nargs="+",
        metavar="RULESET",
        help="规则集文件或名称 ruleset file or bundled name",
    )
    p.set_defaults(run=run_validate)


def run_validate(args: argparse.Namespace) -> int:
    bad: list[InputError] = []  # every file is reported, the bad ones after the good
    for path in args.ruleset:
        try:
            rs = load_ruleset(path)
        except InputError as exc:
            bad.append(exc)
            continue
        print(printable(
            f"{path}: OK — {rs.id}, {len(rs.rules)} rules, {len(rs.parameters)} parameters (chain: {' → '.join(rs.chain)})"
        ))
    if bad:
        raise InputError([p for exc in bad for p in exc.problems])
    return EXIT_OK
