"""Check a roster of any size in constant memory: rows in, JSON Lines findings out.

A province exports hundreds of thousands of teachers. Here each roster row is validated,
checked and written as soon as it is read. Teachers are grouped by ``school_id`` with the
schools of a separate schools file (YAML/JSON with ``schools:``, no teachers inline) and
checked inside their school by the one :class:`~ict2rules.evaluation.evaluator.Evaluator`, which adds
each to its school's :class:`~ict2rules.evaluation.evaluator.TeacherGroup` (the tallies of the group
rules, ``rate``/``count``/``gate``: start, add, merge, finish); each school's own rules run at
the end on its merged group — the same evaluator as in memory, fed row by row. Nothing is
"not streamable": a school rule or value that needs the teachers themselves (a group rule
inside ``all``, a value summed over them) makes the group keep them, so memory then grows with
the roster; every bundled ruleset streams in constant memory.

Each line has the shape ``--format jsonl`` writes (``render/jsonl.py``): one
:func:`~ict2rules.report.report.finding_dict` per line, then ``{"type": "summary", ...}`` (the same
summary). Two differences, both from streaming: findings come in roster order, every teacher's
as it is read, then each school's at the end (in memory a school's teachers come just before
it); and before the summary there is one ``{"type": "school_rollup", ...}`` line per school id
seen, with its teachers' pass counts.

The same chunks run in worker processes (``jobs=``, :mod:`ict2rules.evaluation.parallel`) and on a Dask
cluster (:mod:`ict2rules.dask`): each gives a :class:`ChunkResult`, merged in input order.

>>> import io, json, tempfile, pathlib
>>> from ict2rules import load_ruleset
>>> p = pathlib.Path(tempfile.mkdtemp()) / "r.jsonl"
>>> _ = p.write_text('{"id": "T1", "hours": {"online": 50, "offline": 25}}\\n', encoding="utf-8")
>>> out = io.StringIO()
>>> summary = check_stream(load_ruleset("zeku_2023"), [p], out, as_of="2023-10-08")
>>> json.loads(out.getvalue().splitlines()[-1])["teachers"]["checked"]
1
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import IO, Any

from ..errors import InputError, Problem
from ..input.files import (
    ROSTER_SUFFIXES,
    Records,
    SchoolIndex,
    duplicate_row,
    free_keys,
    id_key,
    join_schools,
    map_typos,
    no_rows_problem,
    no_subject,
    parse_date,
    read_records,
    roster_teacher,
    unmatched_problem,
)
from ..input.records import School, Teacher
from ..kinds.base import Status, Subject
from ..report.findings import Summary
from ..report.jsonlines import Lines, dump, jsonl_item
from ..report.report import REPORT_VERSION, input_problems, problem_counts, rows_left_out
from ..rules.ruleset import Ruleset
from .evaluator import Evaluator, TeacherGroup

# Rows per unit of work: enough to amortise pickling, few enough that a chunk's lines (18
# findings of ~1.5 KB a teacher with every status kept) stay a few MB.
CHUNK = 250


def streamable_inputs(paths: Iterable[str | Path]) -> bool:
    """At least one roster, and every other file a YAML/JSON file (read as schools)."""
    suffixes = [Path(p).suffix.lower() for p in paths]
    return any(s in ROSTER_SUFFIXES for s in suffixes) and all(
        s in (*ROSTER_SUFFIXES, ".yaml", ".yml", ".json") for s in suffixes
    )


# --------------------------------------------------------------------------- lines


# --------------------------------------------------------------------------- checking rows


Row = tuple[str, int, dict[str, Any], dict[str, str], tuple[Problem, ...], str, tuple[Problem, ...]]


@dataclass
class ChunkResult:
    """What one chunk of rows gave: its text, its counts, its schools' teacher groups, its bad
    rows and its teacher ids. It pickles (worker processes, Dask workers send it back)."""

    text: str
    summary: Summary
    groups: dict[str, TeacherGroup]
    problems: list[Problem]
    ids: list[str]
    notes: list[Problem] = field(default_factory=list)  # every row's remarks: warnings
    unjoined: list[tuple[str, int, Any]] = field(default_factory=list)  # (file, row, school_id)
    typos: list[Problem] = field(default_factory=list)  # a free key that looks like a typo
    files: set[str] = field(default_factory=set)  # the files with a teacher row in the chunk


class Checker:
    """Validates and checks rows with one :class:`~ict2rules.evaluation.evaluator.Evaluator`; built once
    per process (the plan compiles here). Teachers are checked inside their schools and added
    to their school's :class:`~ict2rules.evaluation.evaluator.TeacherGroup`; :meth:`schools` finishes
    the schools from the groups of every chunk, merged in input order."""

    def __init__(self, ruleset: Ruleset, as_of: dt.date, keep: frozenset[Status] | None,
                 schools: list[School]) -> None:
        self.ruleset = ruleset
        self.ev = Evaluator(ruleset, as_of=as_of, keep=keep)
        self.lines = Lines(ruleset)
        self.schools = schools
        # A teacher's parent: its school as the rules see it, without teachers (as inline).
        self.parents = {s.id: Subject(s, self.ev.env) for s in schools}
        self.index = SchoolIndex(schools)  # by id or exact name, as in memory
        self.known = free_keys(ruleset)  # the free keys the rules read (typos of them refused)

    def teacher(self, row: Row) -> Teacher | list[Problem]:
        """The row as a teacher, or its problems (as ``inputs.iter_roster_teachers`` gives)."""
        from ..input.tabular import RosterRow

        return roster_teacher(RosterRow(*row))

    def chunk(self, rows: list[Row]) -> ChunkResult:
        """Check a chunk of rows: their finding lines, counts, school groups, problems, ids."""
        ev, lines = self.ev, self.lines
        summary, out, problems, ids = Summary(), [], [], []
        groups: dict[str, TeacherGroup] = {}
        notes: list[Problem] = []
        unjoined: list[tuple[str, int, Any]] = []
        typos: list[Problem] = []
        files: set[str] = set()
        known = self.known if any(self.known.values()) else None
        ev.unmet = summary.unmet  # rules not met, over every outcome: this chunk's
        start = Counter(ev.statuses)  # every outcome counts, whatever ``keep`` writes
        for row in rows:
            if len(row) > 5:
                notes.extend(row[6])
                if row[5] != "teacher":  # 合计, 注 …: said, never checked
                    summary.skipped_rows += row[5] == "skipped"
                    continue
            files.add(row[0])
            t = self.teacher(row)
            if not isinstance(t, Teacher):
                problems.extend(t)
                summary.skipped_rows += 1
                continue
            if known:
                typos += map_typos(known, t, row[0], row[1])
            ids.append(t.id)
            school = self.index.find(t.school_id)
            parent = self.parents[school.id] if school is not None else None
            sid = school.id if school is not None else t.school_id
            s, found = ev.teacher(t, parent)
            ev.forget_values()  # derived values go to the JSON report, not to lines
            for f in found:
                out.append(lines.line(f))
            summary.add("teacher", bool(s.passed), s.waiting)
            if sid is not None:
                group = groups.get(sid)
                if group is None:
                    group = groups[sid] = ev.group()
                if parent is not None:
                    ev.add(group, s)
                else:  # a school no schools file gives: counted for its roll-up line only
                    group.checked += 1
                    group.passed += bool(s.passed)
                    if self.schools:
                        unjoined.append((row[0], row[1], t.school_id))
        ev.unmet = Counter()
        summary.findings.update({st.value: n - start[st] for st, n in ev.statuses.items()})
        text = "".join(line + "\n" for line in out)
        return ChunkResult(text, summary, groups, problems, ids, notes, unjoined, typos, files)

    def merge(self, results: Iterable[ChunkResult], out: IO[str] | None = None) -> tuple[Summary, dict[str, TeacherGroup]]:
        """The chunks' summaries and school groups merged in input order (their text written
        to ``out`` as they come)."""
        summary, groups = Summary(), {}
        for res in results:
            if out is not None:
                out.write(res.text)
            summary.merge(res.summary)
            for sid, group in res.groups.items():
                mine = groups.get(sid)
                groups[sid] = group if mine is None else self.ev.merge(mine, group)
        return summary, groups

    def finish(self, summary: Summary, groups: dict[str, TeacherGroup]) -> list[str]:
        """Every school's own finding lines, its teachers given by its merged group (a school
        with no row has none: its rules over teachers lack data, as without ``teachers:``)."""
        ev, out = self.ev, []
        ev.unmet = summary.unmet
        start = Counter(ev.statuses)  # every outcome counts, whatever ``keep`` writes
        for school in self.schools:
            for f in ev.finish(Subject(school, ev.env), groups.get(school.id)):
                out.append(self.lines.line(f) + "\n")
            ev.forget_values()
            summary.subjects["school"] += 1
        summary.findings.update({st.value: n - start[st] for st, n in ev.statuses.items()})
        ev.unmet = Counter()
        return out


def rollup_lines(groups: dict[str, TeacherGroup]) -> list[str]:
    """One ``{"type": "school_rollup", ...}`` line per school id seen, in order first seen."""
    return [dump({"type": "school_rollup", "school": sid, "teachers": {
        "checked": g.checked, "passed": g.passed, "failed": g.checked - g.passed,
        "pass_rate": round(g.passed / g.checked, 6) if g.checked else None}}) + "\n"
        for sid, g in groups.items()]


def summary_line(ruleset: Ruleset, as_of: dt.date, files: list[str], summary: Summary) -> str:
    """The last line, as ``--format jsonl`` writes it in memory."""
    return dump({"type": "summary", "version": REPORT_VERSION, "ruleset": ruleset.id,
                 "as_of": as_of.isoformat(), "inputs": files, **summary.to_dict()}) + "\n"


# --------------------------------------------------------------------------- the run


def rows_of(paths: list[Path], mapping: dict[str, str] | None = None,
            leave_out: set[tuple[str, int]] | frozenset[tuple[str, int]] = frozenset()) -> Iterator[Row]:
    """Roster rows as plain picklable tuples, file after file (without the rows ``leave_out``
    names by file and row: duplicates)."""
    from ..input.tabular import iter_roster

    for path in paths:
        for r in iter_roster(path, mapping=mapping):
            if leave_out and (r.file, r.row) in leave_out:
                continue
            yield (r.file, r.row, r.data, r.columns, r.problems, r.kind, r.notes)


def chunks(rows: Iterator[Row], size: int | None = None) -> Iterator[list[Row]]:
    """Rows in lists of ``size`` (default :data:`CHUNK`, read when called)."""
    size = size or CHUNK
    buf: list[Row] = []
    for r in rows:
        buf.append(r)
        if len(buf) >= size:
            yield buf
            buf = []
    if buf:
        yield buf


@dataclass
class Screen:
    """What a first read of the rosters found before anything is checked or written: every
    bad row, every duplicate id (exactly as in memory, on :func:`~ict2rules.input.files.id_key`),
    every row whose school matches none given and every school no row names."""

    problems: list[Problem] = field(default_factory=list)
    unjoined: list[Problem] = field(default_factory=list)
    typos: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)  # rows that are not teachers, remarks
    duplicates: set[tuple[str, int]] = field(default_factory=set)
    teachers: int = 0
    skipped: int = 0


def screen(rosters: list[Path], schools: list[School], mapping: dict[str, str] | None,
           known: dict[str, set[str]] | None = None) -> Screen:
    """Validate every row once, keeping only 8 bytes a teacher (the hash of its id) and the
    schools named.

    The streamed check reads the rosters before checking them, so that a bad row stops the run
    before a single finding is written, and a duplicate is left out, not counted. Ids whose
    hashes repeat are then told apart exactly by one more read (only when there are any).
    """
    from ..input.tabular import RosterRow, iter_roster

    out = Screen()
    index = SchoolIndex(schools)
    hashes = array("q")
    bad: set[tuple[str, int]] = set()
    named: set[str] = set()
    for path in rosters:
        rows = 0
        for r in iter_roster(path, mapping=mapping):
            out.notes += r.notes
            if r.kind != "teacher":  # 合计 / 注 / blank rows: said, counted by the check
                continue
            rows += 1
            t = roster_teacher(RosterRow(r.file, r.row, r.data, r.columns, r.problems))
            if not isinstance(t, Teacher):
                out.problems += t
                out.skipped += 1
                bad.add((r.file, r.row))
                continue
            if known:  # a typo is an error even with keep_going, as in memory
                out.typos += map_typos(known, t, r.file, r.row)
            hashes.append(hash(id_key(t.id)))
            out.teachers += 1
            school = index.find(t.school_id)
            if school is not None:
                named.add(school.id)
            elif schools:
                out.unjoined.append(unmatched_problem(r.file, r.row, t.school_id, schools))
        if not rows:
            out.problems.append(no_subject(str(path)).problems[0])
    ordered = sorted(hashes)
    twice = {x for x, y in pairwise(ordered) if x == y}
    del ordered, hashes
    if twice:
        first_row: dict[Any, int] = {}
        for file, number, data, *_rest in rows_of(rosters, mapping):
            key = id_key(data.get("id"))
            if (file, number) in bad or not isinstance(key, str) or hash(key) not in twice:
                continue
            dup = duplicate_row(file, key, number, first_row)
            if dup is not None:
                out.problems.append(dup)
                out.duplicates.add((file, number))
                out.skipped += 1
                out.teachers -= 1
    if out.teachers and schools:
        out.unjoined += [no_rows_problem(*_ORIGINS.get(s.id, (None, None)), s)
                         for s in schools if s.id not in named]
    out.problems.sort(key=lambda p: (p.file or "", p.line or 0))
    return out


def split_inputs(paths: Iterable[str | Path]) -> tuple[list[Path], list[School], list[str]]:
    """Rosters, the schools of the other files (no teachers inline), and every file's name.
    The same school id in two files is an error, as in memory."""
    rosters, files = [], []
    schools = Records()
    for p in map(Path, paths):
        files.append(str(p))
        if p.suffix.lower() in ROSTER_SUFFIXES:
            rosters.append(p)
            continue
        records = read_records(p)
        if records.teachers or records.projects or records.regions or any(s.teachers for s in records.schools):
            raise InputError.single(
                str(p), "流式检查时此文件只应包含学校(教师在名册中)",
                "when streaming, this file may hold only schools (their teachers are in the roster)",
            )
        schools.extend(records)
    join_schools(schools)  # no teachers here: only finds a school given twice
    _ORIGINS.update({s.id: schools.origin(s) for s in schools.schools})
    return rosters, schools.schools, files


# school id → (file, line) of the schools last split, so that a problem can point at the school
_ORIGINS: dict[str, tuple[str | None, int | None]] = {}


def check_stream(
    ruleset: Ruleset,
    paths: Iterable[str | Path],
    out: IO[str],
    *,
    as_of: dt.date | str | None = None,
    keep: frozenset[Status] | None = None,
    keep_going: bool = False,
    jobs: int = 1,
    mapping: dict[str, str] | None = None,
    warn: Callable[[str], None] | None = None,
    unless: Callable[[dict[str, Any]], bool] | None = None,
    dask: str | None = None,
) -> Summary:
    """Check rosters (and schools files) row by row, writing JSON Lines to ``out``.

    ``jobs`` > 1 checks chunks of rows in that many processes; the output is the same, in the
    same order. The rosters are read once first: bad rows, duplicate ids, rows whose school
    matches none and schools no row names are raised together (``InputError``) before anything
    is written, unless ``keep_going``, when bad rows and duplicates are left out and counted,
    and every problem is passed to ``warn``. When no teacher is checked and ``unless(summary)``
    is true, nothing at all is written (the CLI's "nothing was checked"). To check only some
    rules, pass ``ruleset.restricted(select, ignore)``. ``dask``, a scheduler address, checks
    the chunks on that Dask cluster's workers instead (:mod:`ict2rules.dask`).
    """
    as_of = parse_date(as_of) or dt.date.today()
    rosters, schools, files = split_inputs(paths)
    checker = Checker(ruleset, as_of, keep, schools)
    init = (ruleset, as_of, keep, schools)
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="surrogatepass", newline="") as held:
        clean = _one_pass(checker, rosters, mapping, jobs, init, dask, held)
        if clean is not None:  # every row valid, joined, once: the lines held are the report's
            notes, summary, groups = clean
            found = Screen(notes=notes)
            held.seek(0)
            shutil.copyfileobj(held, out)
    if clean is None:  # something to refuse or leave out: screened first, as it always was
        found = screen(rosters, schools, mapping, checker.known)
        if found.typos or (not keep_going and (found.problems or found.unjoined)):
            raise InputError(found.typos or found.problems + found.unjoined)
        results = _results(checker, rosters, mapping, jobs, init, found.duplicates, dask)
        summary, groups = checker.merge(results, out)  # the rows' problems were all found by the screen
        summary.skipped_rows += len(found.duplicates)
    for p in found.problems:
        (warn or (lambda _m: None))(f"已跳过 / skipped: {p}")
    for p in found.unjoined:
        (warn or (lambda _m: None))(f"未关联 / not joined: {p}")
    for p in found.notes:  # rows that are not teachers, and remarks: warnings, never errors
        (warn or (lambda _m: None))(str(p))
    lines = checker.finish(summary, groups)
    if not summary.teachers_checked and unless is not None and unless(summary.to_dict()):
        return summary  # nothing was checked: not a report saying all is met
    out.writelines(lines)
    out.writelines(rollup_lines(groups))
    kept = input_problems(found.problems, found.unjoined, found.notes)  # in every format
    out.writelines(dump(jsonl_item(p)) + "\n" for p in kept)
    summary.problems.update(problem_counts(kept))
    summary.left_out += rows_left_out(kept)
    out.write(summary_line(ruleset, as_of, files, summary))
    return summary


def _one_pass(checker: Checker, rosters: list[Path], mapping: dict[str, str] | None, jobs: int,
              init: tuple[Any, ...], dask: str | None, held: IO[str]) -> tuple[Any, ...] | None:
    """Check every row once, its lines written to ``held``, not to the output: the notes, the
    summary and the school groups when the rosters hold nothing to refuse or leave out (no bad
    row, no typo, no id twice, every row joined to a school given and every school given named,
    no roster without a teacher); else None (at the first chunk with a problem).

    A bad row must stop the run before a single finding is written, and a duplicate must be
    left out, not counted: both are known only once every row has been read. Reading (and
    validating) every row twice, a screen then the check, cost a fifth of a run; checking at
    once and holding the lines in a temporary file (on disk: memory stays bounded) costs one
    copy of the output. A roster with problems is screened and checked as before.
    """
    notes: list[Problem] = []
    hashes = array("q")  # 8 bytes a teacher: an id given twice is told exactly by the screen
    seen: set[str] = set()
    results = _results(checker, rosters, mapping, jobs, init, frozenset(), dask)
    summary, groups = Summary(), {}
    try:
        for res in results:
            if res.problems or res.typos or res.unjoined:
                return None
            held.write(res.text)
            notes += res.notes
            seen |= res.files
            hashes.extend(hash(id_key(i)) for i in res.ids)
            summary.merge(res.summary)
            for sid, group in res.groups.items():
                mine = groups.get(sid)
                groups[sid] = group if mine is None else checker.ev.merge(mine, group)
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            close()  # stops the worker processes of a pass left early
    ordered = sorted(hashes)
    if any(x == y for x, y in pairwise(ordered)) or seen != {str(p) for p in rosters}:
        return None
    if summary.teachers_checked and any(s.id not in groups for s in checker.schools):
        return None  # a school no row names: said by the screen
    return notes, summary, groups


def _results(checker: Checker, rosters: list[Path], mapping: dict[str, str] | None, jobs: int,
             init: tuple[Any, ...], leave_out: set[tuple[str, int]],
             dask: str | None = None) -> Iterator[ChunkResult]:
    """The chunks' results in input order: here, in ``jobs`` processes or on a Dask cluster."""
    rows = chunks(rows_of(rosters, mapping, leave_out))
    if dask:
        from .cluster import ordered_results

        yield from ordered_results(rows, dask, (Checker, init))
        return
    if jobs <= 1:
        yield from map(checker.chunk, rows)
        return
    from .parallel import ordered_map

    yield from ordered_map(rows, jobs, Checker, init)


def attach_teachers(teachers: list[Teacher], schools: list[School]) -> list[Teacher]:
    """Put roster teachers into the schools their ``school_id`` names (by id or exact name), as
    the streamed check does; return the teachers left alone (see
    :func:`~ict2rules.input.files.join_schools`, which also reports what did not join).

    >>> s = School(id="S1")
    >>> attach_teachers([Teacher(id="T1", school_id="S1"), Teacher(id="T2", school_id="S9")], [s])[0].id
    'T2'
    >>> [t.id for t in s.teachers]
    ['T1']
    """
    records = Records(teachers=list(teachers), schools=list(schools))
    join_schools(records, keep_going=True)
    return records.teachers
