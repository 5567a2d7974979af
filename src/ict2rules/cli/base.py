"""What every sub-command shares: exit codes, the registry of commands, the output guard.

A module of its own so that the commands import it, never the package that imports them.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..errors import InputError

EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_NOTHING = 0, 1, 2, 3
EXIT_INTERNAL = 70  # sysexits' EX_SOFTWARE: a crash must never look like "rules not met" (1)
# set to see the traceback of an internal error instead of the one-line report
DEBUG_ENV = "ICT2RULES_DEBUG"


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


def refuse_output_over_inputs(output: str | None, inputs: Iterable[str | os.PathLike[str] | None]) -> None:
    """Refuse an ``-o`` file that is one of the inputs (the same file by any name: a symlink,
    a hard link, ``./x``), or that is read-only: the report must never replace what it was
    made from, nor a file someone protected. Raises :class:`InputError` (exit 2).

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "s.yaml"; _ = f.write_text("x")
    >>> refuse_output_over_inputs(str(f), [f])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ict2rules.errors.InputError: ...s.yaml: -o: 输出文件就是输入文件 ... / the output file is an input ...
    """
    if not output:
        return
    try:
        st = os.stat(output)
    except OSError:
        return  # a new file: nothing to replace
    if not stat.S_ISREG(st.st_mode):
        return  # /dev/stdout, a pipe: written through, never replaced
    for name in inputs:
        if name is None:
            continue
        with contextlib.suppress(OSError, ValueError):
            if os.path.samefile(output, name):
                raise InputError.single(
                    output,
                    f"输出文件就是输入文件 {name},不能覆盖输入",
                    f"the output file is an input ({name}); an input is never overwritten",
                    field="-o",
                    code="output",
                )
    if not st.st_mode & 0o222:
        raise InputError.single(
            output,
            "输出文件是只读的,不予替换;请删除它或换一个文件名",
            "the output file is read-only and is not replaced; remove it or choose another name",
            field="-o",
            code="output",
        )
