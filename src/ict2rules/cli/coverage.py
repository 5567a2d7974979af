"""``ict2rules coverage``: which sentences of a document a ruleset encodes, skips, or misses."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..authoring.coverage import ruleset_coverage
from ..errors import printable
from ..input.yamlsafe import read_text
from ..rules.loader import load_ruleset
from .base import EXIT_FAILED, EXIT_OK, command

_MARK = {"encoded": "✔", "not_checked": "–", "unclassified": "✘", "other": " "}


@command(
    "coverage",
    "规则集对文件条款的覆盖 / which requirement sentences of the document a ruleset accounts for",
    epilog=(
        "例 / examples:\n"
        "  ict2rules coverage zeku_2023 --source 泽库县实施方案.txt\n"
        "  ict2rules coverage my_rules.yaml --source doc.txt --format json\n"
        "退出码 / exit: 0 每条要求均已编码或说明 all accounted for · 1 有未分类的要求 gaps"
    ),
)
def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("ruleset", help="内置规则集名称或文件 / a bundled name or a ruleset file")
    p.add_argument("--source", required=True, type=Path,
                   help="文件原文(UTF-8 文本)/ the document's text, UTF-8")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--all", action="store_true",
                   help="也列出非要求句 / also list sentences that state no requirement")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    ruleset = load_ruleset(args.ruleset)
    text = read_text(args.source)
    cov = ruleset_coverage(ruleset, text, str(args.source))
    if args.format == "json":
        json.dump(cov.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for s in cov.sentences:
            if s.status == "other" and not args.all:
                continue
            why = ", ".join(s.rules) if s.rules else (s.reason or "")
            # a ruleset's or a seed's text never acts on the terminal
            print(printable(f"{args.source}:{s.line}: {_MARK[s.status]} {s.status:<12} {why:<24} {s.text}"))
        for quote in cov.stale:
            print(printable(f"{args.source}: ! not_checked quote not in the text: {quote}"))
        t = cov.totals
        print(
            f"编码 encoded {t['encoded']} · 不检查 not checked {t['not_checked']} "
            f"(其中待编码 of which to encode {cov.to_encode}) · "
            f"未分类 unclassified {t['unclassified']} · 其他 other {t['other']}"
        )
    return EXIT_OK if cov.complete else EXIT_FAILED

