"""The ``ict2rules`` command line. Each sub-command lives in its own module and registers
itself in :data:`COMMANDS`; this module only parses, dispatches and turns every input error
into one located line on stderr with exit code 2 (never a traceback).

Exit codes: 0 every error-severity rule met · 1 some not met · 2 usage or input error ·
3 nothing was checked (no subject; no teacher though the ruleset has teacher rules) ·
70 internal error (a bug: never read as a verdict) · 130 Ctrl-C · 128+N killed by signal N
(SIGTERM 143, SIGHUP 129), with every temporary file and worker process cleaned up.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from collections.abc import Iterator
from types import FrameType

from ..errors import InputError, printable
from .base import (  # noqa: F401  (the package's API: ``from ict2rules.cli import EXIT_NOTHING``)
    COMMANDS,
    DEBUG_ENV,
    EXIT_FAILED,
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_NOTHING,
    EXIT_OK,
    Command,
    command,
    refuse_output_over_inputs,
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(printable(f"{self.prog}: 参数错误 / usage error: {message}"), file=sys.stderr)
        raise SystemExit(EXIT_INPUT)


#: The module that registers each command (``tests/test_cli_startup.py`` holds it to
#: :data:`COMMANDS`): a run of one command imports that module only, not every command's
#: dependencies (rich, jsonschema, the authoring tools …), see docs/performance.md#import-time.
MODULE_OF = {
    "check": "check", "template": "template", "rulesets": "rulesets", "validate": "rulesets",
    "show": "explain", "explain": "explain", "schema": "explain", "diff": "diff",
    "lint": "author", "test": "author", "new": "author", "coverage": "coverage", "serve": "serve",
}
_ALL = ("author", "check", "coverage", "diff", "explain", "rulesets", "serve", "template")


def _command_modules(argv: list[str] | None) -> tuple[str, ...]:
    """The command modules a run with ``argv`` needs: the named command's alone, or all of
    them (no command, an unknown one, ``completion``, which describes every command)."""
    if argv is not None:
        for arg in argv:
            if not arg.startswith("-"):  # the top-level options take no value: the command
                return (MODULE_OF[arg],) if arg in MODULE_OF else _ALL
    return _ALL


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser of every command or, given the ``argv`` it will parse, of the command it
    names (the others are not imported).

    >>> sorted(build_parser().parse_args(["rulesets"]).__dict__)[:2]
    ['command', 'format']
    """
    import importlib

    from .. import __version__

    for module in _command_modules(argv):  # importing a command module registers its commands
        importlib.import_module(f".{module}", __name__)

    parser = _Parser(
        prog="ict2rules",
        description="按各地能力提升工程2.0文件检查培训方案与记录 / Check ICT 2.0 plans and records against each regional document.",
        epilog=(
            "例 / examples:\n"
            "  ict2rules check examples/zeku_2023/school_ok.yaml --ruleset zeku_2023\n"
            "  ict2rules check plan.yaml -r kaiyuan_2024 --as-of 2024-03-10 --format json\n"
            "  ict2rules rulesets\n"
            "退出码 / exit codes: 0 全部符合 all met · 1 有要求未满足 some not met · 2 输入错误 input error"
            " · 3 未检查任何对象 nothing was checked"
            " · 70 内部错误 internal error"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"ict2rules {__version__}")
    parser.set_defaults(parser=parser)  # `completion` describes the parser it was run from
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    # the everyday commands first, then those for people who write rulesets
    order = ["check", "template", "rulesets", "show", "explain", "diff", "validate", "lint", "coverage", "test", "new", "schema"]
    rank = {name: i for i, name in enumerate(order)}
    for cmd in sorted(COMMANDS.values(), key=lambda c: rank.get(c.name, len(order))):
        p = sub.add_parser(cmd.name, help=cmd.help, description=cmd.help, epilog=cmd.epilog, formatter_class=argparse.RawDescriptionHelpFormatter)
        cmd.configure(p)
    return parser


class Terminated(BaseException):
    """SIGTERM or SIGHUP, raised where the program is so that it unwinds like Ctrl-C: the
    temporary file of ``-o`` is removed and worker processes are stopped (a BaseException, so
    no ``except Exception`` on the way swallows it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise Terminated(signum)


@contextlib.contextmanager
def _signals_unwind() -> Iterator[None]:
    """While the CLI runs, SIGTERM and SIGHUP raise :class:`Terminated` (then the handlers
    that were there before are put back). Only the main thread can set handlers."""
    saved: dict[int, object] = {}
    names = ("SIGTERM", "SIGHUP")
    with contextlib.suppress(ValueError):  # not the main thread: leave signals alone
        for name in names:
            if hasattr(signal, name):
                signum = getattr(signal, name)
                saved[signum] = signal.signal(signum, _terminate)
    try:
        yield
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code.

    >>> main(["rulesets", "--format", "names"])  # doctest: +ELLIPSIS
    henan_2021
    kaiyuan_2024
    ...
    0
    """
    if argv is None:
        argv = sys.argv[1:]
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return EXIT_INPUT
    try:
        with _signals_unwind():
            return int(args.run(args))
    except InputError as exc:
        for problem in exc.problems:
            print(f"ict2rules: {problem}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:  # an OSError: before it. The reader went away (| head): quiet
        from ..render.output import quiet_broken_pipe

        quiet_broken_pipe()
        return EXIT_OK
    except OSError as exc:  # e.g. -o into a folder that does not exist, or a full disk
        # a write to a full device names no file: the file being written is -o
        where = exc.filename or getattr(args, "output", None) or "<stdout>"
        print(
            printable(f"ict2rules: {where}: 无法写入或读取 / cannot write or read: {exc.strerror or exc}"),
            file=sys.stderr,
        )
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("ict2rules: 已中断 / interrupted", file=sys.stderr)
        return 130
    except Terminated as exc:
        name = signal.Signals(exc.signum).name
        print(f"ict2rules: 已终止 / terminated ({name})", file=sys.stderr)
        return 128 + exc.signum
    except Exception as exc:  # a bug, not a verdict and not the user's input: say so, exit 70
        if os.environ.get(DEBUG_ENV):
            raise
        what = printable(f"{type(exc).__name__}: {exc}".replace("\n", " "))[:300]
        print(
            f"ict2rules: 内部错误,请报告此问题 / internal error, please report a bug "
            f"(set {DEBUG_ENV}=1 for the traceback): {what}",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def entry() -> None:
    """Console-script entry point."""
    from ..render.output import console_safe

    console_safe(sys.stdout, sys.stderr)  # a GBK, ascii or latin-1 console never crashes on a mark
    sys.exit(main())
