"""What the web page and the API do with uploaded files, without any web framework: save them
under their (sanitised) names in a private temporary folder, read and check them as
``ict2rules check`` does, and say every problem with the file name the user gave, never the
server's temporary path.

>>> safe_name("../../etc/学校 方案?.yaml")
'学校 方案_.yaml'
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .. import evaluate
from ..errors import InputError, Problem
from ..input.files import Records, parse_date, read_inputs
from ..report.report import Report
from ..rules.loader import bundled_names, load_ruleset
from ..rules.ruleset import Ruleset

#: What a record file may be called: the readers choose the format by the suffix.
RECORD_SUFFIXES = (".yaml", ".yml", ".json", ".csv", ".xlsx", ".jsonl", ".ndjson")
RULESET_SUFFIXES = (".yaml", ".yml", ".json")
_UNSAFE = re.compile(r"[^\w.\-()() \u3000-\u303f\uff00-\uffef]")
MAX_NAME = 120  # characters of a file name kept (a long name is cut before its suffix)


@dataclass(frozen=True)
class Limits:
    """How much one request may upload. The defaults fit a school's plan and a roster of a
    few thousand teachers; a county changes them with ``ict2rules serve --max-mb/--max-files``."""

    max_bytes: int = 20 * 1024 * 1024  # the whole request body
    max_files: int = 20  # record files, plus one ruleset


@dataclass
class Upload:
    """One uploaded file: the name the browser gave and its bytes."""

    name: str
    data: bytes


def safe_name(name: str) -> str:
    """A file name fit to write in our own folder: the last path part only, no control or
    path characters, no leading dot, not too long, the suffix kept (it decides the reader).

    >>> safe_name("C:\\\\Users\\\\张\\\\名册.xlsx"), safe_name(".."), safe_name("a\\x00b.csv"), safe_name("..yaml")
    ('名册.xlsx', 'upload', 'a_b.csv', 'upload.yaml')
    """
    name = unicodedata.normalize("NFC", name.replace("\\", "/")).rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).rstrip(" .")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    stem = stem.strip(" .") or "upload"  # never hidden, never '..'
    name = f"{stem}.{suffix}" if suffix else stem
    if len(name) > MAX_NAME:
        keep = MAX_NAME - len(suffix) - 1
        name = f"{stem[:keep]}.{suffix}" if suffix and keep > 0 else name[:MAX_NAME]
    return name


def save(uploads: Iterable[Upload], folder: Path) -> list[Path]:
    """Write the uploads into ``folder`` under safe names (a repeated name gets ``-2``, ``-3``
    …: two schools' rosters may both be called 名册.xlsx); return the paths in upload order."""
    paths: list[Path] = []
    taken: set[str] = set()
    for up in uploads:
        name = safe_name(up.name)
        stem, suffix = os.path.splitext(name)
        n = 1
        while name.lower() in taken:
            n += 1
            name = f"{stem}-{n}{suffix}"
        taken.add(name.lower())
        path = folder / name
        path.write_bytes(up.data)
        paths.append(path)
    return paths


def unknown_suffixes(paths: Iterable[Path], allowed: tuple[str, ...], what: tuple[str, str]) -> list[Problem]:
    """A located problem for each file whose kind the readers would not know."""
    return [
        Problem(
            p.name,
            f"不支持的{what[0]}类型(可用 {' '.join(allowed)})",
            f"not a supported {what[1]} file (use {' '.join(allowed)})",
            code="format",
        )
        for p in paths
        if p.suffix.lower() not in allowed
    ]


def choose_ruleset(
    name: str | None, upload: Upload | None, folder: Path, known: dict[str, str] | None = None
) -> Ruleset:
    """The ruleset chosen by ``name`` (a bundled one, or one of ``known``: id → the file the
    server was started with), or the uploaded ruleset file (it wins when both are given).

    >>> choose_ruleset("zeku_2023", None, Path(".")).id
    'zeku_2023'
    """
    if upload is not None:
        own = folder / "ruleset"  # its own folder: its `extends:` cannot reach the records
        own.mkdir()
        (path,) = save([upload], own)
        bad = unknown_suffixes([path], RULESET_SUFFIXES, ("规则集文件", "ruleset"))
        if bad:
            raise InputError(bad)
        return load_ruleset(path)
    if not name:
        raise InputError.single(
            None, "请选择规则集或上传规则集文件", "choose a ruleset or upload a ruleset file",
            field="ruleset", code="missing",
        )
    if known and name in known:
        return load_ruleset(known[name])
    if name not in bundled_names():  # a name only, never a path on the server
        name = re.sub(r"[^A-Za-z0-9_]", "_", name)[:64]
    return load_ruleset(name)


def as_of_date(text: str | None) -> dt.date | None:
    """The as-of field: empty is today; otherwise YYYY-MM-DD, with the CLI's message.

    >>> as_of_date("2023-12-01"), as_of_date("")
    (datetime.date(2023, 12, 1), None)
    """
    text = (text or "").strip()
    return parse_date(text, "as_of") if text else None


def read_all(paths: list[Path], ruleset: Ruleset | None = None) -> Records:
    """Read every uploaded file with :func:`ict2rules.input.files.read_inputs`, the function
    ``ict2rules check FILE…`` reads its files with: each file's problems in one go, a teacher
    listed in two files is an error, roster teachers join the school their ``school_id`` names,
    and a roster that an uploaded school plan names (``roster:``) is read through that plan."""
    if not paths:
        raise InputError.single(
            None, "请至少上传一个记录文件", "upload at least one record file", field="files", code="missing",
        )
    return read_inputs(paths, ruleset=ruleset)


def check_uploads(
    folder: Path,
    files: list[Upload],
    *,
    ruleset: str | None,
    ruleset_file: Upload | None = None,
    as_of: str | None = None,
    known: dict[str, str] | None = None,
) -> Report:
    """Save, read and check uploaded files in ``folder`` (a private temporary folder the
    caller deletes); file names in the report and in any :class:`InputError` are the
    uploaded names, relative to ``folder``.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     r = check_uploads(Path(d), [Upload("t.yaml", b"teacher: {id: T1}")],
    ...                       ruleset="zeku_2023", as_of="2023-12-01")
    >>> r.inputs, r.passed
    (['t.yaml'], False)
    """
    try:
        day = as_of_date(as_of)
        rs = choose_ruleset(ruleset, ruleset_file, folder, known)
        records_dir = folder / "records"
        records_dir.mkdir()
        paths = save(files, records_dir)
        bad = unknown_suffixes(paths, RECORD_SUFFIXES, ("记录文件", "record"))
        if bad:
            raise InputError(bad)
        records = read_all(paths, rs)
        report = evaluate(rs, records, as_of=day)
    except InputError as exc:
        raise InputError([relative(p, folder) for p in exc.problems]) from None
    report.inputs = [_strip(f, folder) for f in report.inputs]
    return report


def _strip(text: str, folder: Path) -> str:
    """``text`` without the temporary folder: '/tmp/x/records/a.yaml' → 'a.yaml'."""
    for sub in ("records", "ruleset", ""):
        prefix = str(folder / sub) + os.sep if sub else str(folder) + os.sep
        text = text.replace(prefix, "")
    return text


def relative(problem: Problem, folder: Path) -> Problem:
    """The problem as the CLI would word it for the uploaded file names."""
    return dataclasses.replace(
        problem,
        file=_strip(problem.file, folder) if problem.file else problem.file,
        message_zh=_strip(problem.message_zh, folder),
        message_en=_strip(problem.message_en, folder),
    )
