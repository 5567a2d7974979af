"""Consoles and pipes as people have them: a Chinese Windows console or a file redirected
from it (GBK / cp936), ascii, latin-1, and a reader that stops early (``| head``). The report
is printed, marks the encoding lacks become text, and the exit code is the verdict's."""

from __future__ import annotations

import codecs
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ict2rules.render.output import _FALLBACK, ERRORS, console_safe

ROOT = Path(__file__).resolve().parent.parent
OK = ROOT / "examples/zeku_2023/school_ok.yaml"
BAD = ROOT / "examples/zeku_2023/school_bad.yaml"
AS_OF = "2024-01-15"


def run(*argv: str, encoding: str, **kw: object) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": encoding, "PYTHONUTF8": "0", "LC_ALL": "C", "COLUMNS": "100"}
    return subprocess.run(
        [sys.executable, "-m", "ict2rules", *argv], capture_output=True, env=env, timeout=120, **kw  # type: ignore[call-overload]
    )


@pytest.mark.parametrize("encoding", ["gbk", "cp936", "ascii", "latin-1"])
@pytest.mark.parametrize(("data", "code"), [(OK, 0), (BAD, 1)], ids=["ok", "bad"])
@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_a_console_of_any_encoding_prints_the_report_and_the_verdict(
    encoding: str, data: Path, code: int, fmt: str
) -> None:
    proc = run("check", str(data), "-r", "zeku_2023", "--as-of", AS_OF, "-f", fmt, encoding=encoding)
    assert proc.returncode == code, proc.stderr.decode(encoding, "replace")
    assert b"Traceback" not in proc.stderr
    out = proc.stdout.decode(encoding)  # every byte is of the console's encoding
    assert "2024-01-15" in out
    if encoding in ("gbk", "cp936"):
        assert "泽库县" in out  # Chinese is printed as Chinese, only the marks change
        assert ("√" if code == 0 else "×") in out


def test_a_gbk_console_gets_the_json_report_whole() -> None:
    import json

    proc = run("check", str(BAD), "-r", "zeku_2023", "--as-of", AS_OF, "-f", "json", encoding="gbk")
    assert proc.returncode == 1
    report = json.loads(proc.stdout.decode("gbk"))
    assert report["passed"] is False and report["findings"]


@pytest.fixture(scope="module")
def big_roster(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough teachers that the JSON report is far larger than a pipe's buffer."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from population import write_files

    roster, _ = write_files(tmp_path_factory.mktemp("pipe"), 300, 3)
    return roster


@pytest.mark.parametrize(("extra", "code"), [([], 1), (["--exit-zero"], 0)])
@pytest.mark.parametrize("fmt", ["json", "text", "jsonl"])
def test_a_reader_that_stops_early_gets_a_quiet_exit_with_the_verdict(
    big_roster: Path, extra: list[str], code: int, fmt: str
) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    argv = [sys.executable, "-m", "ict2rules", "check", str(big_roster), "-r", "zeku_2023", "--as-of", AS_OF, "-f", fmt, *extra]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.readline()  # like `| head -1`: read a line, then go away
        proc.stdout.close()
        err = proc.stderr.read()
        returncode = proc.wait(timeout=120)
    assert b"Traceback" not in err and b"BrokenPipe" not in err and b"Exception ignored" not in err, err
    if fmt == "jsonl":  # a stream stops where the reader did: the verdict is not yet known
        assert returncode in (0, 1)
    else:
        assert returncode == code


def test_every_fallback_is_tried_in_order() -> None:
    for mark, candidates in _FALLBACK.items():
        for encoding in ("gbk", "ascii", "latin-1"):
            text = mark.encode(encoding, ERRORS).decode(encoding)
            assert text in (mark, *candidates, "?"), (mark, encoding)
    # the last candidate of every mark is plain ascii: an ascii console never gets "?" for one
    assert all(c[-1].isascii() for c in _FALLBACK.values())
    assert codecs.lookup_error(ERRORS)


def test_console_safe_leaves_a_utf8_stream_strict() -> None:
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    console_safe(out)
    assert out.errors == "strict"
    gbk = io.TextIOWrapper(io.BytesIO(), encoding="gbk")
    console_safe(gbk)
    assert gbk.errors == ERRORS


def _region_examples() -> list[Any]:
    """Each region's examples that must fail (they print messages; zeku's that pass are
    above), with the date its header gives."""
    from test_examples import expected_verdict, header_as_of

    found = []
    for path in sorted((ROOT / "examples").glob("*/*.yaml")):
        verdict = expected_verdict(path)
        if verdict is False:
            as_of = header_as_of(path)
            found.append(pytest.param(path, verdict, as_of, id=f"{path.parent.name}/{path.stem}"))
    return found


@pytest.mark.parametrize(("path", "passes", "as_of"), _region_examples())
def test_a_gbk_console_prints_every_regions_report_in_plain_words(path: Path, passes: bool, as_of: Any) -> None:
    # the report a coordinator reads on a Chinese Windows console: printed whole, the exit
    # code its verdict, and its messages the plain words of docs/messages.md (in GBK)
    argv = ["check", str(path), "-r", path.parent.name, *(["--as-of", as_of.isoformat()] if as_of else [])]
    proc = run(*argv, encoding="gbk")
    assert proc.returncode == (0 if passes else 1), proc.stderr.decode("gbk", "replace")
    assert b"Traceback" not in proc.stderr
    out = proc.stdout.decode("gbk")  # strict: every byte is GBK
    assert ("√" if passes else "×") in out
    # each finding's line and its 要求/实际 line (a rule's 读法 note may name fields for authors)
    said = [line for line in out.splitlines() if line.strip().startswith(("·", "要求"))]
    assert said or passes
    for path_like in ("school.point_scope", "completed_on", "hours.total", "⊆", "None", "缺少数据:"):
        assert not [line for line in said if path_like in line], path_like


def test_a_gbk_console_prints_the_english_report_too() -> None:
    proc = run("check", str(BAD), "-r", "zeku_2023", "--as-of", AS_OF, "--lang", "en", encoding="gbk")
    assert proc.returncode == 1 and b"Traceback" not in proc.stderr
    out = proc.stdout.decode("gbk")
    assert "required" in out and "ZK-T-HOURS-TOTAL" in out


def test_junit_redirected_from_a_gbk_console_says_it_is_gbk() -> None:
    # `ict2rules check … -f junit > report.xml` on Chinese Windows: the bytes are GBK, and the
    # XML declaration must say so for a CI server to read the names right
    import xml.etree.ElementTree as ET

    proc = run("check", str(BAD), "-r", "zeku_2023", "--as-of", AS_OF, "-f", "junit", encoding="gbk")
    assert proc.returncode == 1
    text = proc.stdout.decode("gbk")
    declaration, body = text.split("\n", 1)
    assert declaration == '<?xml version="1.0" encoding="GBK"?>'
    assert "泽库县" in body and int(ET.fromstring(body).get("failures")) > 0
