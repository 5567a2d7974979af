"""Write output files atomically: a failed or interrupted run never leaves half a file.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "r.json"
>>> with atomic_write(p) as f:
...     _ = f.write("{}")
>>> p.read_text()
'{}'
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


def _mode_for(path: Path) -> int:
    """The mode a file written at ``path`` should have: the existing file's, else 0666 & ~umask."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@contextlib.contextmanager
def atomic_write(path: str | Path, mode: str = "w") -> Iterator[IO[str]]:
    """Write to a temporary file beside ``path`` and move it into place only on success."""
    path = Path(path)
    if path.exists() and not path.is_file():  # /dev/stdout, a pipe: write through, never replace
        with path.open(mode, encoding=None if "b" in mode else "utf-8") as f:
            yield f
        return
    if not (path.parent or Path(".")).is_dir():  # name the folder, not a temporary file in it
        raise FileNotFoundError(errno.ENOENT, "no such folder / 目录不存在", str(path.parent))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        os.chmod(tmp, _mode_for(path))  # mkstemp makes 0600; a report is an ordinary file
        with os.fdopen(
            fd, mode, encoding=None if "b" in mode else "utf-8", newline=None if "b" in mode else ""
        ) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:  # includes KeyboardInterrupt: never leave the temporary behind
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
