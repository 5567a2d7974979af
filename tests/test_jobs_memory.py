"""``check --jobs N`` on records in memory: the schools checked in worker processes give the
report one process gives, byte for byte, in every format (docs/performance.md, "One check,
both cores")."""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import pytest

import ict2rules.evaluation.parallel as parallel
import ict2rules.render.output  # noqa: F401  (registers the console fallbacks)
from ict2rules import evaluate, load_ruleset
from ict2rules.cli import main
from ict2rules.evaluation.evaluator import Evaluator
from ict2rules.evaluation.run import check_records
from ict2rules.input.files import Records, join_schools, parse_date, read_records
from ict2rules.render import formats, write
from ict2rules.render.jsonl import Held, copy_lines

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2023-10-08"  # every status occurs

sys.path.insert(0, str(ROOT / "benchmarks"))
import population  # noqa: E402


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    roster, schools = population.write_files(tmp_path_factory.mktemp("jobs"), 150, 7, seed=5)
    with roster.open("a", encoding="utf-8") as f:  # a teacher of no school given: checked alone
        f.write('{"id": "T-LOOSE", "school_id": "S-NONE", "hours": {"online": 50, "offline": 25}}\n')
    return schools, roster


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "SCHOOL_CHUNK", 30)  # several units of work, some of one school


def contents(path: Path) -> dict[str, bytes] | bytes:
    """A file's bytes; a workbook's members but its creation time (docProps/core.xml)."""
    if path.suffix != ".xlsx":
        return path.read_bytes()
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


@pytest.mark.parametrize("fmt", formats())
def test_every_format_is_byte_identical_with_two_jobs(fmt, files, tmp_path, small_chunks):
    out = {}
    for jobs in ("1", "2"):
        target = tmp_path / f"out{jobs}.{fmt}"
        code = main(["check", *map(str, files), "-r", "zeku_2023", "--as-of", AS_OF, "-f", fmt,
                     "--keep-going", "-o", str(target), "--jobs", jobs])
        out[jobs] = (code, contents(target))
    assert out["1"][0] == 1  # rules not met
    assert out["1"] == out["2"]


@pytest.mark.parametrize("extra", [["--status", "fail"], ["--status", "pass", "--lang", "en"]])
def test_statuses_kept_are_the_same_with_two_jobs(extra, files, capsys, small_chunks):
    said = []
    for jobs in ("1", "2"):
        code = main(["check", *map(str, files), "-r", "zeku_2023", "--as-of", AS_OF, "-f", "json",
                     "--keep-going", "--jobs", jobs, *extra])
        said.append((code, capsys.readouterr().out))
    assert said[0] == said[1]
    assert '"status":"fail"' in said[0][1] or '"status":"pass"' in said[0][1]


def _records(files: tuple[Path, Path]) -> Records:
    records = Records()
    for p in files:
        records.extend(read_records(p))
    join_schools(records, keep_going=True)
    return records


def test_report_of_workers_is_the_report_of_one_process(files, small_chunks):
    rs = load_ruleset("zeku_2023")
    one = evaluate(rs, _records(files), as_of=AS_OF)
    two = evaluate(rs, _records(files), as_of=AS_OF, jobs=2)
    assert two.summary() == one.summary()
    assert two.subjects == one.subjects and two.values == one.values
    assert [f.to_dict(rs) for f in two.findings] == [f.to_dict(rs) for f in one.findings]
    assert one.summary()["findings"]["fail"] > 0


@pytest.mark.parametrize("jobs", [1, 2])
def test_lines_are_the_jsonl_findings_and_nothing_is_kept(jobs, files, small_chunks, tmp_path):
    rs = load_ruleset("zeku_2023")
    text = io.StringIO()
    write("jsonl", evaluate(rs, _records(files), as_of=AS_OF), text)
    held = io.BytesIO()
    report = check_records(Evaluator(rs, as_of=parse_date(AS_OF)), _records(files), jobs=jobs, lines=held)
    assert report.findings == []
    found = text.getvalue().splitlines(keepends=True)[: text.getvalue().count('"rule":')]
    assert held.getvalue().decode() == "".join(found)
    again = io.StringIO()
    write("jsonl", report, again, encoded=Held(held))  # the writer copies them: the same report
    assert again.getvalue() == text.getvalue()
    with open(tmp_path / "held", "w+b") as file, open(tmp_path / "out.jsonl", "w", encoding="utf-8") as out:
        file.write(held.getvalue())
        write("jsonl", report, out, encoded=Held(file))  # a file: copied by the kernel
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8") == text.getvalue()


def test_workers_by_default_only_where_they_pay_and_memory_allows(monkeypatch):
    monkeypatch.setattr(parallel, "cores", lambda: 8)
    assert parallel.default_jobs(parallel.PAYS_FROM - 1) == 1
    assert parallel.default_jobs(parallel.PAYS_FROM) == 4  # at most 4
    assert parallel.default_jobs(parallel.DEFAULT_UP_TO) == 4
    assert parallel.default_jobs(parallel.DEFAULT_UP_TO + 1) == 1  # a province: memory first
    monkeypatch.setattr(parallel, "cores", lambda: 1)
    assert parallel.default_jobs(parallel.PAYS_FROM) == 1


@pytest.mark.parametrize("block", [1, 2, 5, 1 << 22])
def test_copy_lines_cuts_no_character_at_block_edges(block, monkeypatch, tmp_path):
    import ict2rules.render.jsonl as jsonl

    monkeypatch.setattr(jsonl, "BLOCK", block)
    data = '{"a":"教师"},\n{"b":"√ ≥"},\n'.encode()
    for trim, want in ((0, '{"a":"教师"},\n{"b":"√ ≥"},\n'), (2, '{"a":"教师"},\n{"b":"√ ≥"}')):
        text = io.StringIO()
        copy_lines(io.BytesIO(data), text, trim)  # text: decoded, a character never cut in two
        assert text.getvalue() == want
        with open(tmp_path / "in", "w+b") as held, open(tmp_path / "out", "w", encoding="utf-8") as out:
            held.write(data)
            out.write("[")
            copy_lines(held, out, trim)  # a UTF-8 file: its bytes as they are, after the text
            out.write("]")
        assert (tmp_path / "out").read_text(encoding="utf-8") == f"[{want}]"
    gbk = io.TextIOWrapper(io.BytesIO(), encoding="gbk", errors="ict2rules.text")
    copy_lines(io.BytesIO('{"a":"✔"}\n'.encode()), gbk)  # a GBK console: its fallbacks
    gbk.flush()
    assert gbk.buffer.getvalue().decode("gbk") == '{"a":"√"}\n'


def test_copy_lines_after_a_failed_sendfile_copies_the_rest_once(monkeypatch, tmp_path):
    import os

    import ict2rules.render.jsonl as jsonl

    real = os.sendfile
    calls = []

    def sends_five_then_fails(out, src, offset, count):
        calls.append(offset)
        if len(calls) > 1:
            raise OSError("sendfile interrupted")
        return real(out, src, offset, 5)

    monkeypatch.setattr(jsonl.os, "sendfile", sends_five_then_fails)
    data = '{"a":"教师"}\n{"b":1}\n'.encode()
    with open(tmp_path / "in", "w+b") as held, open(tmp_path / "out", "w", encoding="utf-8") as out:
        held.write(data)
        copy_lines(held, out)
    assert (tmp_path / "out").read_bytes() == data  # nothing twice, nothing lost
    assert calls == [0, 5]
