"""The ``ict2rules`` command line. Each sub-command lives in its own module and registers
itself in :data:`COMMANDS`; this module only parses, dispatches and turns every input error
into one located line on stderr with exit code 2 (never a traceback).

Exit codes: 0 every error-severity rule met · 1 some not met · 2 usage or input error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import InputError

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    epilog: str = ""


COMMANDS: dict[str, Command] = {}


def command(name: str, help: str, epilog: str = "") -> Callable[[Callable[[argparse.ArgumentParser], None]], Callable[[argparse.ArgumentParser], None]]:
    """Register a sub-command: decorate its ``configure(parser)``; it sets ``parser.set_defaults(run=...)``."""

    def deco(configure: Callable[[argparse.ArgumentParser], None]) -> Callable[[argparse.ArgumentParser], None]:
        COMMANDS[name] = Command(name, help, configure, lambda a: a.run(a), epilog)
        return configure

    return deco


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"{self.prog}: 参数错误 / usage error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_INPUT)


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__
    from . import author, check, coverage, diff, explain, rulesets, serve  # noqa: F401  (register the commands)

    parser = _Parser(
        prog="ict2rules",
        description="按各地能力提升工程2.0文件检查培训方案与记录 / Check ICT 2.0 plans and records against each regional document.",
        epilog=(
            "例 / examples:\n"
            "  ict2rules check examples/zeku_2023/school_ok.yaml --ruleset zeku_2023\n"
            "  ict2rules check plan.yaml -r kaiyuan_2024 --as-of 2024-03-10 --format json\n"
            "  ict2rules rulesets\n"
            "退出码 / exit codes: 0 全部符合 all met · 1 有要求未满足 some not met · 2 输入错误 input error"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"ict2rules {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    # the everyday commands first, then those for people who write rulesets
    order = ["check", "rulesets", "show", "explain", "diff", "validate", "lint", "coverage", "test", "new", "schema"]
    rank = {name: i for i, name in enumerate(order)}
    for cmd in sorted(COMMANDS.values(), key=lambda c: rank.get(c.name, len(order))):
        p = sub.add_parser(cmd.name, help=cmd.help, description=cmd.help, epilog=cmd.epilog, formatter_class=argparse.RawDescriptionHelpFormatter)
        cmd.configure(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code.

    >>> main(["rulesets", "--format", "names"])  # doctest: +ELLIPSIS
    henan_2021
    kaiyuan_2024
    ...
    0
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return EXIT_INPUT
    try:
        return int(args.run(args))
    except InputError as exc:
        for problem in exc.problems:
            print(f"ict2rules: {problem}", file=sys.stderr)
        return EXIT_INPUT
    except OSError as exc:  # e.g. -o into a folder that does not exist
        where = exc.filename or ""
        print(f"ict2rules: {where}: 无法写入或读取 / cannot write or read: {exc.strerror}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("ict2rules: 已中断 / interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
