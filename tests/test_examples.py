"""Every example record under examples/ gives the verdict its name promises.

Each folder ``examples/<ruleset id>/`` is checked against the bundled ruleset of that name
through the CLI (``ict2rules.cli.main``), in text and in JSON:

* ``*_ok.yaml`` and ``plan_fixed*.yaml`` pass (exit 0, JSON ``passed: true``);
* ``*_bad.yaml`` and ``plan_draft*.yaml`` fail (exit 1, JSON ``passed: false``).

A header comment ``# as-of: YYYY-MM-DD`` sets the check date (plans need one: they are
checked inside a phase, where work not yet due is pending); without it the check runs as
of today. Examples added by anyone are covered as soon as they follow these names.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from pathlib import Path

import pytest

from ict2rules import bundled_names
from ict2rules.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
_AS_OF = re.compile(r"^#\s*as-of:\s*(\d{4}-\d{2}-\d{2})\s*$", re.MULTILINE)
_HEADER_LINES = 20


def expected_verdict(path: Path) -> bool | None:
    """True for a file that must pass, False for one that must fail, None for other files.

    >>> expected_verdict(Path("examples/zeku_2023/school_ok.yaml"))
    True
    >>> expected_verdict(Path("examples/zeku_2023/plan_draft.yaml"))
    False
    """
    stem = path.stem
    if stem.endswith("_ok") or stem.startswith("plan_fixed"):
        return True
    if stem.endswith("_bad") or stem.startswith("plan_draft"):
        return False
    return None


def header_as_of(path: Path) -> dt.date | None:
    """The date of a ``# as-of: YYYY-MM-DD`` line among the file's first lines, if any.

    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
    ...     _ = f.write("# as-of: 2024-03-10\\nschool: {id: S}\\n")
    >>> header_as_of(Path(f.name)); os.unlink(f.name)
    datetime.date(2024, 3, 10)
    """
    with path.open(encoding="utf-8") as f:
        head = "".join(itertools.islice(f, _HEADER_LINES))
    found = _AS_OF.search(head)
    return dt.date.fromisoformat(found.group(1)) if found else None


def _folders() -> list[Path]:
    return sorted(p for p in EXAMPLES.iterdir() if p.is_dir()) if EXAMPLES.is_dir() else []


def _examples() -> list[Path]:
    return [p for d in _folders() for p in sorted(d.glob("*.yaml")) if expected_verdict(p) is not None]


def _argv(path: Path, fmt: str) -> list[str]:
    argv = ["check", str(path), "--ruleset", path.parent.name, "--format", fmt]
    as_of = header_as_of(path)
    return [*argv, "--as-of", as_of.isoformat()] if as_of else argv


EXAMPLE_FILES = _examples()


def _id(p: Path) -> str:
    return f"{p.parent.name}/{p.name}"


@pytest.mark.parametrize("folder", _folders(), ids=lambda p: p.name)
def test_folder_is_a_bundled_ruleset_with_ok_and_bad(folder: Path) -> None:
    assert folder.name in bundled_names(), f"examples/{folder.name} names no bundled ruleset"
    verdicts = {expected_verdict(p) for p in folder.glob("*.yaml")}
    assert {True, False} <= verdicts, f"examples/{folder.name} needs a *_ok.yaml and a *_bad.yaml"


@pytest.mark.parametrize("path", [p for p in EXAMPLE_FILES if p.stem.startswith("plan_")], ids=_id)
def test_plan_states_its_as_of(path: Path) -> None:
    assert header_as_of(path) is not None, f"{_id(path)} needs a '# as-of: YYYY-MM-DD' header line"


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=_id)
def test_text_exit_code(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(_argv(path, "text"))
    out = capsys.readouterr().out
    want = 0 if expected_verdict(path) else 1
    assert code == want, f"{_id(path)}: exit {code}, expected {want}\n{out}"
    assert out.strip(), "the text report is empty"


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=_id)
def test_json_verdict(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(_argv(path, "json"))
    report = json.loads(capsys.readouterr().out)
    want = bool(expected_verdict(path))
    assert report["passed"] is want, f"{_id(path)}: passed={report['passed']}, expected {want}"
    assert code == (0 if want else 1)
    assert report["ruleset"]["id"] == path.parent.name
    as_of = header_as_of(path)
    if as_of is not None:
        assert report["as_of"] == as_of.isoformat()
    if not want:
        failing = [
            f for f in report["findings"]
            if f["severity"] == "error" and f["status"] in ("fail", "missing_data")
        ]
        assert failing, "a failing example must fail some error-severity rule"
