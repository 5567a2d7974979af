"""Write output files atomically: a failed or interrupted run never leaves half a file.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "r.json"
>>> with atomic_write(p) as f:
...     _ = f.write("{}")
>>> p.read_text()
'{}'
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any


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


# --------------------------------------------------------------------------- consoles

# A mark a console's encoding cannot show, as text it can: the first candidate it encodes.
# GBK (Chinese Windows) has √ × ≥ …; ascii and latin-1 get plain letters.
_FALLBACK: dict[str, tuple[str, ...]] = {
    "✔": ("√", "OK"), "✓": ("√", "OK"), "✘": ("×", "X"), "✗": ("×", "X"),
    "⊆": ("属于", "in"), "⊇": ("包含", "has"), "∅": ("无", "none"), "∈": ("属于", "in"),
    "…": ("...",), "–": ("-",), "—": ("-",), "≥": (">=",), "≤": ("<=",), "≠": ("!=",),
    "·": (".",), "→": ("->",), "⚠": ("!",), "│": ("|",), "─": ("-",), "�": ("?",),
    "×": ("x",), "√": ("v",), "「": ('"',), "」": ('"',), "《": ("<<",), "》": (">>",),
}
ERRORS = "ict2rules.text"


def _text_fallback(exc: UnicodeError) -> tuple[str, int]:
    """The codec error handler :data:`ERRORS`: each character the encoding lacks becomes its
    first fallback the encoding has, else ``?`` (a console never raises on a mark)."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    out = []
    for ch in exc.object[exc.start : exc.end]:
        for candidate in _FALLBACK.get(ch, ()):
            try:
                candidate.encode(exc.encoding)
            except (UnicodeError, LookupError):
                continue
            out.append(candidate)
            break
        else:
            out.append("?")
    return "".join(out), exc.end


codecs.register_error(ERRORS, _text_fallback)


def console_safe(*streams: IO[str]) -> None:
    """Let ``streams`` (stdout, stderr) write any text in whatever encoding they have: GBK on
    a Chinese Windows console or redirected file, ascii, latin-1.

    >>> import io
    >>> out = io.TextIOWrapper(io.BytesIO(), encoding="gbk")
    >>> console_safe(out)
    >>> _ = out.write("✔ 合格 ⊆"); out.flush()
    >>> out.buffer.getvalue().decode("gbk")
    '√ 合格 属于'
    """
    for stream in streams:
        reconfigure = getattr(stream, "reconfigure", None)
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        if reconfigure is not None and encoding not in ("utf8", "utf8sig", "utf16", "utf32"):
            with contextlib.suppress(ValueError, OSError):  # a closed stream: left as it is
                reconfigure(errors=ERRORS)


def quiet_broken_pipe() -> None:
    """The reader of stdout went away (``| head``): point stdout at the null device so that
    the flush at exit does not fail a second time and print a traceback."""
    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)
    except (OSError, ValueError, AttributeError):
        pass


# --------------------------------------------------------------------------- file names

_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]+')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)


def safe_filename(text: str, limit: int = 80) -> str:
    """``text`` as a file name Windows, macOS and Linux all accept: no ``<>:"/\\|?*`` or
    control characters, no trailing dot or space, no reserved device name, at most ``limit``
    characters.

    >>> safe_filename('S01/第一"中学": 初中部.'), safe_filename("CON"), safe_filename("..")
    ('S01_第一_中学_ 初中部', '_CON', '_')
    """
    name = _UNSAFE.sub("_", text).strip().rstrip(". ")[:limit].rstrip(". ")
    if not name or name.strip(".") == "":
        name = "_"
    if _RESERVED.match(name):
        name = "_" + name
    return name


# --------------------------------------------------------------------------- one file per school


def split_by_school(report: Any, only: frozenset[Any] | None = None) -> Iterator[tuple[Any, Any]]:
    """The report cut into one report per school: ``(SchoolRow, Report)`` pairs, schools in
    checking order, teachers checked without a school last (their row's id is None).

    Each part's verdict and counts are its own school's (``report`` must hold every finding:
    evaluate with ``keep=None``); ``only`` then keeps the findings of those statuses.

    >>> from ict2rules import evaluate
    >>> r = evaluate("zeku_2023", "examples/zeku_2023/school_bad.yaml", as_of="2024-01-15")
    >>> [(row.id, part.summary()["teachers"]["checked"]) for row, part in split_by_school(r)]
    [('ZK-HJZX', 3)]
    """
    import dataclasses
    from collections import Counter

    from ..kinds.base import Status
    from ..report.findings import Summary
    from .xlsx import school_rows

    not_met = (Status.FAIL, Status.MISSING_DATA)
    rows = school_rows(report)
    ids = {row.id for row in rows}
    labels = {key for level, key, _ in report.subjects if level == "teacher"}
    loose: dict[str, str | None] = {}  # teacher label → school, for teachers outside a school record
    findings: dict[str | None, list[Any]] = {}
    for f in report.findings:
        ref = f.subject
        school = ref.id if ref.level == "school" else ref.school if ref.level == "teacher" else None
        if ref.level in ("project", "region"):  # not about one school
            continue
        if ref.level == "teacher" and ref.school and f"{ref.school}/{ref.id}" not in labels:
            loose[ref.id] = ref.school
        findings.setdefault(school, []).append(f)
    values: dict[str | None, list[Any]] = {}
    for v in report.values:
        if v.subject.level not in ("project", "region"):
            values.setdefault(v.subject.id if v.subject.level == "school" else v.subject.school, []).append(v)
    subjects: dict[str | None, list[Any]] = {}
    for level, key, ok in report.subjects:
        if level == "school":
            school: str | None = key
        elif level == "teacher":
            school = loose.get(key) or _school_of_label(key, ids)
        else:
            continue
        subjects.setdefault(school, []).append((level, key, ok))
    for row in rows:
        fs = findings.get(row.id, [])
        mine = subjects.get(row.id, [])
        counts = Summary(
            findings=Counter(f.status.value for f in fs),
            unmet=Counter(f.severity for f in fs if f.status in not_met),
            # the inputs' problems are the run's: every part lists them (not one school's)
            problems=Counter(report.counts.problems), left_out=report.counts.left_out,
        )
        for level, _, ok in mine:
            counts.add(level, ok)
        counts.teachers_waiting, counts.schools_waiting = row.pending, int(row.school_waiting)
        part = dataclasses.replace(
            report,
            findings=fs if only is None else [f for f in fs if f.status in only],
            counts=counts,
            values=values.get(row.id, []),
            subjects=mine,
        )
        yield row, part


def _school_of_label(label: str, ids: set[str | None]) -> str | None:
    """The school of a teacher labelled ``school/teacher`` (a school id may hold ``/`` too)."""
    for i, ch in enumerate(label):
        if ch == "/" and label[:i] in ids:
            return label[:i]
    return None


def write_split(
    report: Any, fmt: str, folder: str | Path, *, lang: str = "zh",
    only: frozenset[Any] | None = None, inputs: Iterable[str | Path] = (),
) -> Path:
    """Write one ``fmt`` file per school into ``folder`` and ``index.csv`` beside them: each
    school's id, name, file and counts, what a bureau needs to mail every school its file.
    Returns the index's path. An input is never overwritten.

    >>> import tempfile
    >>> from ict2rules import evaluate
    >>> r = evaluate("zeku_2023", "examples/zeku_2023/school_bad.yaml", as_of="2024-01-15")
    >>> index = write_split(r, "xlsx", tempfile.mkdtemp())
    >>> sorted(p.name for p in index.parent.iterdir())
    ['ZK-HJZX_泽库县和日寄宿制小学.xlsx', 'index.csv']
    """
    import csv

    from . import BINARY, EXTENSIONS, write
    from .xlsx import T, rate

    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "not a folder / 不是目录", str(folder))
    folder.mkdir(parents=True, exist_ok=True)
    protected = {Path(p).resolve() for p in inputs}
    t = T[lang if lang in T else "zh"]
    taken: set[str] = {"index.csv"}
    index_rows = []
    for row, part in split_by_school(report, only):
        stem = safe_filename(f"{row.id}_{row.name}" if row.id and row.name else row.id or t["no_school"])
        name, n = f"{stem}.{EXTENSIONS.get(fmt, fmt)}", 1
        while name.casefold() in taken or (folder / name).resolve() in protected:  # Windows ignores case
            n += 1
            name = f"{stem}-{n}.{EXTENSIONS.get(fmt, fmt)}"
        taken.add(name.casefold())
        binary = fmt in BINARY
        with atomic_write(folder / name, "wb" if binary else "w") as out:
            write(fmt, part, out, lang=lang, color=False, only=only)
        own = "" if row.school_ok is None else t["met"] if row.school_ok else t["not_met"]
        index_rows.append([
            row.id or "", row.name or "", name, row.teachers, row.passed, row.pending, row.failed,
            row.missing, "" if not row.teachers else f"{rate(row.passed, row.teachers) * 100:.1f}%",  # type: ignore[operator]
            own,
        ])
    with atomic_write(folder / "index.csv") as out:
        out.write("\ufeff")  # Excel on Chinese Windows reads a UTF-8 CSV only with its BOM
        w = csv.writer(out)
        w.writerow([t["school_id"], t["school_name"], "文件" if lang == "zh" else "File", t["teachers"],
                    t["passed"], t["pending"], t["failed"], t["missing"], t["pass_rate"], t["school_ok"]])
        w.writerows([[csv_cell(c) for c in r] for r in index_rows])
    return folder / "index.csv"


def csv_cell(value: Any) -> Any:
    """A CSV cell Excel will not run as a formula: text starting with ``= + - @`` (or a tab or
    carriage return) is prefixed with ``'``.

    >>> csv_cell("=HYPERLINK(1)"), csv_cell("-3"), csv_cell(7)
    ("'=HYPERLINK(1)", "'-3", 7)
    """
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def emit(args: Any, report: Any, where: Any = None, encoded: Any = None) -> int | None:
    """Write the report as ``check``'s options say: ``--split-by`` into a folder, ``-o`` into
    a file (atomically), else to stdout. A binary format (xlsx) is never written to a terminal:
    that returns exit code 2 with a message. A reader that closes the pipe (``| head``) ends
    the writing quietly. ``where`` (a subject's file and line, for ``concise``), ``encoded``
    (the findings' JSON lines, ``json``/``jsonl``) and ``--details`` (``text``) reach the
    writers that use them. Returns an exit code to stop
    with, or None when the report is out.
    """
    from ..kinds.base import Status
    from . import BINARY, write

    only = frozenset(Status(s) for s in args.status) if getattr(args, "status", None) else None
    split = getattr(args, "split_by", None)
    binary = args.format in BINARY
    if split:
        if not args.output:
            print("ict2rules: 参数错误 / usage error: --split-by 需要 -o 目录 / --split-by needs -o FOLDER", file=sys.stderr)
            return 2
        write_split(report, args.format, args.output, lang=args.lang, only=only, inputs=args.data)
        return None
    options: dict[str, Any] = {"lang": args.lang, "details": getattr(args, "details", False)}
    if getattr(args, "regions", None):  # html: the schools' counties
        options["regions"] = args.regions
    if where is not None:
        options["where"] = where
    if encoded is not None:
        options["encoded"] = encoded
    if binary:
        options["only"] = only
    if args.output:
        with atomic_write(args.output, "wb" if binary else "w") as out:
            write(args.format, report, out, color=False, **options)
        return None
    if binary and sys.stdout.isatty():
        print(
            f"ict2rules: 参数错误 / usage error: {args.format} 是二进制文件,不能输出到终端,请用 -o 文件名"
            f" / {args.format} is a binary file: give -o FILE (or redirect stdout to a file)",
            file=sys.stderr,
        )
        return 2
    try:
        write(args.format, report, sys.stdout.buffer if binary else sys.stdout, **options)
        sys.stdout.flush()
    except BrokenPipeError:
        quiet_broken_pipe()
    except SystemExit:
        # rich meets a closed pipe by pointing stdout at the null device and exiting 1, which
        # reads as "rules not met": the verdict decides the exit code instead
        if not _stdout_is_null():
            raise
    return None


def _stdout_is_null() -> bool:
    try:
        return os.path.samestat(os.fstat(sys.stdout.fileno()), os.stat(os.devnull))
    except (OSError, ValueError, AttributeError):
        return False
