"""Check a roster of any size in constant memory: rows in, JSON Lines findings out.

A province exports hundreds of thousands of teachers. Here each roster row is validated,
checked and written as soon as it is read; nothing but running counts is kept. Teachers are
grouped by ``school_id`` with the schools of a separate schools file (YAML/JSON with
``schools:``, no teachers inline), and each school's own rules run at the end on running
counts of its teachers:

* rules that do not look at the teachers (documents, teams, scope …) run as usual;
* ``rate`` and ``count`` over ``teachers`` or ``teachers.points`` need only the number of
  items and of those meeting the condition — counted as rows pass;
* ``gate`` over ``teachers`` keeps the ids of the blocking teachers, and only for schools
  whose action (e.g. applying for re-review) happened.

Anything else that needs all of a school's teachers at once (a derived value aggregated over
them, a group rule nested inside ``all``/``any``) is not streamable: :func:`not_streamable`
names those rules and the CLI then checks in memory instead, so results never differ.

Each line has the shape ``--format jsonl`` writes (``render/jsonl.py``): one
:func:`~ict2rules.report.finding_dict` per line, then ``{"type": "summary", ...}`` (the same
summary). Two differences, both from streaming: findings come in roster order, every teacher's
as it is read, then each school's at the end (in memory a school's teachers come just before
it); and before the summary there is one ``{"type": "school_rollup", ...}`` line per school id
seen, with its teachers' pass counts.

>>> import io, json, tempfile, pathlib
>>> from ict2rules import load_ruleset
>>> p = pathlib.Path(tempfile.mkdtemp()) / "r.jsonl"
>>> _ = p.write_text('{"id": "T1", "hours": {"online": 50, "offline": 25}}\\n', encoding="utf-8")
>>> out = io.StringIO()
>>> tally = check_stream(load_ruleset("zeku_2023"), [p], out, as_of="2023-10-08")
>>> json.loads(out.getvalue().splitlines()[-1])["teachers"]["checked"]
1
"""

from __future__ import annotations

import datetime as dt
import json
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import IO, Any

from .compiler import CompiledRule, Context
from .errors import InputError, Problem
from .evaluator import Evaluator, Finding, SubjectRef, ref_of, wrong_kind_of_value
from .inputs import (
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
from .kinds.base import DATA_ERRORS, Status, Subject
from .records import School, Teacher
from .report import REPORT_VERSION, finding_dict, jsonable, message
from .ruleset import Ruleset

# Rows per unit of work: enough to amortise pickling, few enough that a chunk's lines (18
# findings of ~1.5 KB a teacher with every status kept) stay a few MB.
CHUNK = 250
_GROUP_KINDS = ("rate", "count", "gate")
_STATUS_JSON = {st: f'"{st.value}"' for st in Status}
_DYNAMIC = ("subject", "status", "expected", "actual", "detail", "message")


def dump(obj: Any) -> str:
    """One JSON line, exactly as ``--format jsonl`` writes it."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


# --------------------------------------------------------------------------- what streams


def _mentions_teachers(value: Any) -> bool:
    """Does a rule spec (or any sub-check in it) walk a school's teachers?"""
    if isinstance(value, dict):
        return any(
            (k in ("over", "items") and isinstance(v, str) and v.split(".")[0] == "teachers")
            or _mentions_teachers(v)
            for k, v in value.items()
        )
    if isinstance(value, list):
        return any(_mentions_teachers(v) for v in value)
    return False


def _spec(value: Any) -> Any:
    return value.model_dump() if value is not None else None


def _is_running(rule: Any) -> bool:
    """A school rule computed from running counts: rate/count/gate straight over teachers."""
    spec = _spec(rule.check)
    args = spec["args"]
    return (
        spec["kind"] in _GROUP_KINDS
        and args.get("over", "teachers") == "teachers"
        and not _mentions_teachers({k: v for k, v in args.items() if k != "over"})
        and not _mentions_teachers(_spec(rule.when))
        and not _mentions_parent(args.get("where") or args.get("each"))
    )


def _mentions_parent(value: Any) -> bool:
    """Does a teacher condition read its school (``school.``/``parent.``)? Then one teacher
    cannot stand for teachers of other schools."""
    if isinstance(value, dict):
        return any(_mentions_parent(v) for v in value.values())
    if isinstance(value, list):
        return any(_mentions_parent(v) for v in value)
    return isinstance(value, str) and value.split(".")[0] in ("school", "parent")


def not_streamable(ruleset: Ruleset) -> list[str]:
    """Ids of school rules and values that need all of a school's teachers at once.

    >>> from ict2rules import load_ruleset
    >>> not_streamable(load_ruleset("zeku_2023"))
    []
    """
    bad = [d.id for d in ruleset.derived if d.level == "school" and _mentions_teachers(_spec(d.compute))]
    for r in ruleset.rules:
        if r.level == "school" and _mentions_teachers([_spec(r.check), _spec(r.when)]) and not _is_running(r):
            bad.append(r.id)
    return bad


def streamable_inputs(paths: Iterable[str | Path]) -> bool:
    """At least one roster, and every other file a YAML/JSON file (read as schools)."""
    suffixes = [Path(p).suffix.lower() for p in paths]
    return any(s in ROSTER_SUFFIXES for s in suffixes) and all(
        s in (*ROSTER_SUFFIXES, ".yaml", ".yml", ".json") for s in suffixes
    )


# --------------------------------------------------------------------------- running counts


@dataclass
class SchoolTally:
    """One school's teachers so far: how many were checked and passed, and for each running
    rule ``{status: [count, None]}`` (a gate adds ``"blocking": [0, blocking teachers]``)."""

    checked: int = 0
    passed: int = 0
    acc: dict[str, dict[Any, list[Any]]] = field(default_factory=dict)

    def merge(self, other: SchoolTally) -> None:
        self.checked += other.checked
        self.passed += other.passed
        for rid, slots in other.acc.items():
            mine = self.acc.setdefault(rid, {})
            for key, (n, rep) in slots.items():
                if key not in mine:
                    mine[key] = [n, rep]
                elif key == "blocking":
                    mine[key][1] = mine[key][1] + rep  # in input order: chunks merge in order
                else:
                    mine[key][0] += n


@dataclass
class Tally:
    """Everything the summary line needs, mergeable chunk by chunk (in input order)."""

    statuses: Counter[str] = field(default_factory=Counter)
    subjects: Counter[str] = field(default_factory=Counter)
    errors: int = 0
    warnings: int = 0
    teachers_checked: int = 0
    teachers_passed: int = 0
    teachers_waiting: int = 0
    skipped_rows: int = 0
    schools: dict[str, SchoolTally] = field(default_factory=dict)
    # (rule id, status) → one teacher whose condition gave that status, shared by all schools
    reps: dict[Any, Subject] = field(default_factory=dict)

    def merge(self, other: Tally) -> None:
        for key, rep in other.reps.items():
            self.reps.setdefault(key, rep)
        self.statuses.update(other.statuses)
        self.subjects.update(other.subjects)
        self.errors += other.errors
        self.warnings += other.warnings
        self.teachers_checked += other.teachers_checked
        self.teachers_passed += other.teachers_passed
        self.teachers_waiting += other.teachers_waiting
        self.skipped_rows += other.skipped_rows
        for sid, st in other.schools.items():
            self.schools.setdefault(sid, SchoolTally()).merge(st)

    def count(self, f: Finding) -> None:
        """A finding written out (errors and warnings are counted over every outcome instead)."""
        self.statuses[f.status.value] += 1

    def unmet(self, severity: str, n: int = 1) -> None:
        """Rules not met, whether or not their findings are written (``--status``)."""
        if severity == "error":
            self.errors += n
        elif severity == "warning":
            self.warnings += n

    def summary(self) -> dict[str, Any]:
        """The same dict as :meth:`ict2rules.report.Report.summary`."""
        n, ok = self.teachers_checked, self.teachers_passed
        return {
            "passed": self.errors == 0,
            "subjects": dict(sorted(self.subjects.items())),
            "teachers": {
                "checked": n,
                "passed": ok,
                "failed": n - ok - self.teachers_waiting,
                "pending": self.teachers_waiting,
                "pass_rate": round(ok / n, 6) if n else None,
            },
            "findings": {s.value: self.statuses.get(s.value, 0) for s in Status},
            "errors": self.errors,
            "warnings": self.warnings,
            "skipped_rows": self.skipped_rows,
        }


# --------------------------------------------------------------------------- lines


class Lines:
    """Finding lines with each rule's unchanging parts (title, source, parameters …) encoded
    once: identical to ``dump(finding_dict(f, ruleset))``, several times faster."""

    def __init__(self, ruleset: Ruleset) -> None:
        self.ruleset = ruleset
        self._parts: dict[str, list[str | None]] = {}
        self._texts: dict[str, str] = {}
        self._fixed: dict[tuple[str, Status], str] = {}
        self._last_ref: SubjectRef | None = None
        self._last_subject = ""

    def _template(self, f: Finding) -> list[str | None]:
        parts: list[str | None] = []
        static: list[str] = []
        for key, value in finding_dict(f, self.ruleset).items():
            if key in _DYNAMIC:
                parts += [",".join(static), key]
                static = []
            else:
                static.append(f"{dump(key)}:{dump(value)}")
        parts += [",".join(static), None]
        return parts

    def line(self, f: Finding) -> str:
        rid = f.compiled.rule.id
        parts = self._parts.get(rid)
        if parts is None:
            parts = self._parts[rid] = self._template(f)
        o = f.outcome
        status = f.status
        dynamic = {
            "subject": self._subject(f.subject),
            "status": _STATUS_JSON[status],
            "expected": self._encoded(jsonable(o.expected)),
            "actual": dump(jsonable(o.actual)),
            "detail": dump(jsonable(o.detail)) if o.detail else "null",
            "message": self._message(f),
        }
        out: list[str] = []
        for i in range(0, len(parts) - 1, 2):
            static, key = parts[i], parts[i + 1]
            if static:
                out.append(static)  # type: ignore[arg-type]
            if key is not None:
                out.append(f'"{key}":{dynamic[key]}')
        return "{" + ",".join(out) + "}"

    # The parts below repeat across findings; each is encoded once. Only texts that depend on
    # nothing but the rule and the status (met, not applicable, not yet due) are remembered.
    def _subject(self, ref: SubjectRef) -> str:
        if ref is not self._last_ref:
            self._last_ref, self._last_subject = ref, dump(ref.to_dict())
        return self._last_subject

    def _encoded(self, value: Any) -> str:
        if not isinstance(value, str):
            return dump(value)
        text = self._texts.get(value)
        if text is None:
            if len(self._texts) > 10_000:
                self._texts.clear()
            text = self._texts[value] = dump(value)
        return text

    def _message(self, f: Finding) -> str:
        status = f.status
        if status in (Status.FAIL, Status.MISSING_DATA):
            return dump({"zh": message(f, "zh"), "en": message(f, "en")})
        key = (f.compiled.rule.id, status)
        text = self._fixed.get(key)
        if text is None:
            text = self._fixed[key] = dump({"zh": message(f, "zh"), "en": message(f, "en")})
        return text


# --------------------------------------------------------------------------- checking rows


Row = tuple[str, int, dict[str, Any], dict[str, str], tuple[Problem, ...], str, tuple[Problem, ...]]


@dataclass
class ChunkResult:
    """What one chunk of rows gave: its text, its counts, its bad rows and its teacher ids."""

    text: str
    tally: Tally
    problems: list[Problem]
    ids: list[str]
    notes: list[Problem] = field(default_factory=list)  # rows that are not teachers: warnings


class _Running:
    """A school rule over ``teachers`` computed from running counts.

    Per school it counts the teachers by the status the rule's condition gave them; one teacher
    per status (for all schools: the condition reads the teacher alone) stands for the others.
    At the end the rule's own compiled check runs over a stand-in group of those
    representatives, repeated (one school at a time, references only), so the outcome is
    exactly the kind's. A gate keeps its blocking teachers themselves (their ids are
    reported), and only in schools where its action happened.
    """

    def __init__(self, cr: CompiledRule, ctx: Context) -> None:
        args = cr.rule.check.args
        self.gate = cr.rule.check.kind == "gate"
        _, item_ctx = ctx.items("teachers")
        spec = args.each if self.gate else args.where
        self.cond = item_ctx.check(spec) if spec is not None else None
        self.action = ctx.check(args.action) if self.gate else None

    def add(self, rid: str, acc: dict[Any, list[Any]], reps: dict[Any, Subject], t: Subject) -> None:
        status = self.cond(t).status if self.cond is not None else Status.PASS
        if self.gate and status is not Status.PASS:
            if t.parent is not None and self.action(t.parent).status is Status.PASS:  # type: ignore[misc]
                acc.setdefault("blocking", [0, []])[1].append(_light(t, t.parent))
                return
            status = Status.FAIL  # not kept: the gate is not_applicable in this school
        slot = acc.get(status)
        if slot is None:
            acc[status] = [1, None]
        else:
            slot[0] += 1
        if (rid, status) not in reps:
            reps[rid, status] = _light(t, None)  # the condition reads the teacher alone

    @staticmethod
    def group(rid: str, acc: dict[Any, list[Any]], reps: dict[Any, Subject]) -> list[Subject]:
        """The stand-in group: each status's representative as many times as it stands for."""
        items: list[Subject] = []
        for key, (n, kept) in acc.items():
            items += kept if key == "blocking" else [reps[rid, key]] * n
        return items


def _light(t: Subject, parent: Subject | None) -> Subject:
    """A teacher subject without its cache of item subjects (kept, so kept small)."""
    return Subject(t.record, t.env, parent, t.derived, None, t.passed)


class Checker:
    """Validates and checks rows; built once per process (the plan compiles here)."""

    def __init__(self, ruleset: Ruleset, as_of: dt.date, keep: frozenset[Status] | None,
                 schools: list[School]) -> None:
        self.ruleset = ruleset
        self.ev = Evaluator(ruleset, as_of=as_of, keep=keep)
        self.lines = Lines(ruleset)
        # A teacher's parent: its school as the rules see it, without teachers (as inline).
        self.parents = {s.id: Subject(s, self.ev.env) for s in schools}
        self.index = SchoolIndex(schools)  # by id or exact name, as in memory
        ctx = Context(ruleset, School, "school", frozenset(d.id for d in ruleset.derived if d.level == "school"))
        self.running = {
            cr.rule.id: _Running(cr, ctx) for cr in self.ev.plan.rules["school"] if _is_running(cr.rule)
        }

    def teacher(self, row: Row) -> Teacher | list[Problem]:
        """The row as a teacher, or its problems (as ``inputs.iter_roster_teachers`` gives)."""
        from .tabular import RosterRow

        return roster_teacher(RosterRow(*row))

    def chunk(self, rows: list[Row]) -> ChunkResult:
        """Check a chunk of rows: their finding lines, counts, problems and ids."""
        tally, out, problems, ids = Tally(), [], [], []
        notes: list[Problem] = []
        for row in rows:
            if len(row) > 5 and row[5] != "teacher":  # 合计, 注 …: said, never checked
                notes.extend(row[6])
                tally.skipped_rows += row[5] == "skipped"
                continue
            t = self.teacher(row)
            if not isinstance(t, Teacher):
                problems.extend(t)
                tally.skipped_rows += 1
                continue
            ids.append(t.id)
            school = self.index.find(t.school_id)
            parent = self.parents[school.id] if school is not None else None
            sid = school.id if school is not None else t.school_id
            before = dict(self.ev.unmet)
            s, found = self.ev.teacher(t, parent)
            for severity, n in self.ev.unmet.items():
                tally.unmet(severity, n - before.get(severity, 0))
            self.ev.forget_values()  # derived values go to the JSON report, not to lines
            for f in found:
                tally.count(f)
                out.append(self.lines.line(f))
            tally.subjects["teacher"] += 1
            tally.teachers_checked += 1
            tally.teachers_passed += bool(s.passed)
            tally.teachers_waiting += s.waiting
            if sid is not None:
                st = tally.schools.get(sid)
                if st is None:
                    st = tally.schools[sid] = SchoolTally()
                st.checked += 1
                st.passed += bool(s.passed)
                if parent is not None:
                    for rid, run in self.running.items():
                        run.add(rid, st.acc.setdefault(rid, {}), tally.reps, s)
        text = "".join(line + "\n" for line in out)
        return ChunkResult(text, tally, problems, ids, notes)

    def school(self, record: School, st: SchoolTally | None, tally: Tally) -> list[str]:
        """A school's own findings, its teacher groups given by running counts."""
        ev = self.ev
        s = Subject(record, ev.env)
        ref = ref_of(record, "school")
        for cd in ev.plan.derived["school"]:
            try:
                s.derived[cd.derived.id] = cd.compute(s)
            except DATA_ERRORS:
                s.derived[cd.derived.id] = None
        out = []
        for cr in ev.plan.rules["school"]:
            run = self.running.get(cr.rule.id)
            if run is not None and st is not None and st.checked:
                s.children = run.group(cr.rule.id, st.acc.get(cr.rule.id, {}), tally.reps)
            try:
                o = cr.run(s)  # no teacher rows for this school: children None, as in memory
            except DATA_ERRORS as exc:
                o = wrong_kind_of_value(exc)
            s.children = None
            s.memo = None  # lists filtered from this rule's stand-in group are not the next rule's
            f = Finding(cr, ref, o.status, outcome=o)
            if o.status in (Status.FAIL, Status.MISSING_DATA):
                tally.unmet(cr.rule.severity)
            if ev.keep is None or o.status in ev.keep:
                tally.count(f)
                out.append(self.lines.line(f))
        tally.subjects["school"] += 1
        return out


# --------------------------------------------------------------------------- the run


def rows_of(paths: list[Path], mapping: dict[str, str] | None = None,
            leave_out: set[tuple[str, int]] | frozenset[tuple[str, int]] = frozenset()) -> Iterator[Row]:
    """Roster rows as plain picklable tuples, file after file (without the rows ``leave_out``
    names by file and row: duplicates)."""
    from .tabular import iter_roster

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
    bad row, every duplicate id (exactly as in memory, on :func:`~ict2rules.inputs.id_key`),
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
    from .tabular import RosterRow, iter_roster

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
) -> Tally:
    """Check rosters (and schools files) row by row, writing JSON Lines to ``out``.

    ``jobs`` > 1 checks chunks of rows in that many processes; the output is the same, in the
    same order. The rosters are read once first: bad rows, duplicate ids, rows whose school
    matches none and schools no row names are raised together (``InputError``) before anything
    is written, unless ``keep_going``, when bad rows and duplicates are left out and counted,
    and every problem is passed to ``warn``. When no teacher is checked and ``unless(summary)``
    is true, nothing at all is written (the CLI's "nothing was checked"). To check only some
    rules, pass ``ruleset.restricted(select, ignore)``.
    """
    as_of = parse_date(as_of) or dt.date.today()
    rosters, schools, files = split_inputs(paths)
    found = screen(rosters, schools, mapping, free_keys(ruleset))
    if found.typos or (not keep_going and (found.problems or found.unjoined)):
        raise InputError(found.typos or found.problems + found.unjoined)
    checker = Checker(ruleset, as_of, keep, schools)
    tally = Tally()
    results = _results(checker, rosters, mapping, jobs, (ruleset, as_of, keep, schools),
                       found.duplicates)
    for res in results:  # the rows' problems were all found by the screen
        out.write(res.text)
        tally.merge(res.tally)
    tally.skipped_rows += len(found.duplicates)
    for p in found.problems:
        (warn or (lambda _m: None))(f"已跳过 / skipped: {p}")
    for p in found.unjoined:
        (warn or (lambda _m: None))(f"未关联 / not joined: {p}")
    for p in found.notes:  # rows that are not teachers, and remarks: warnings, never errors
        (warn or (lambda _m: None))(str(p))
    lines = [line + "\n" for school in schools
             for line in checker.school(school, tally.schools.get(school.id), tally)]
    if not tally.teachers_checked and unless is not None and unless(tally.summary()):
        return tally  # nothing was checked: not a report saying all is met
    out.writelines(lines)
    for sid, st in tally.schools.items():
        out.write(dump({"type": "school_rollup", "school": sid, "teachers": {
            "checked": st.checked, "passed": st.passed, "failed": st.checked - st.passed,
            "pass_rate": round(st.passed / st.checked, 6) if st.checked else None}}) + "\n")
    out.write(dump({"type": "summary", "version": REPORT_VERSION, "ruleset": ruleset.id,
                    "as_of": as_of.isoformat(), "inputs": files, **tally.summary()}) + "\n")
    return tally


def _results(checker: Checker, rosters: list[Path], mapping: dict[str, str] | None, jobs: int,
             init: tuple[Any, ...], leave_out: set[tuple[str, int]]) -> Iterator[ChunkResult]:
    rows = chunks(rows_of(rosters, mapping, leave_out))
    if jobs <= 1:
        yield from map(checker.chunk, rows)
        return
    from .parallel import ordered_map

    yield from ordered_map(rows, jobs, init)


def attach_teachers(teachers: list[Teacher], schools: list[School]) -> list[Teacher]:
    """Put roster teachers into the schools their ``school_id`` names (by id or exact name), as
    the streamed check does; return the teachers left alone (see
    :func:`~ict2rules.inputs.join_schools`, which also reports what did not join).

    >>> s = School(id="S1")
    >>> attach_teachers([Teacher(id="T1", school_id="S1"), Teacher(id="T2", school_id="S9")], [s])[0].id
    'T2'
    >>> [t.id for t in s.teachers]
    ['T1']
    """
    records = Records(teachers=list(teachers), schools=list(schools))
    join_schools(records, keep_going=True)
    return records.teachers


class _Nothing(Exception):
    """Nothing was checked: abandon the output file."""


def run_cli(args: Any, ruleset: Ruleset, mapping: dict[str, str] | None) -> int | None:
    """``ict2rules check --format jsonl`` over rosters: stream, return the exit code; None when
    the inputs or the ruleset do not stream (the caller then checks in memory)."""
    import sys

    if not streamable_inputs(args.data):
        return None
    blocked = not_streamable(ruleset)
    if blocked:
        print(f"ict2rules: 以下规则需一次读入全部教师,改为内存检查 / not streamable, checking in memory: "
              f"{', '.join(blocked)}", file=sys.stderr)
        return None

    def warn(text: str) -> None:
        zh, _, en = text.partition(" / ")  # the same line as in memory
        print(f"ict2rules: 警告 {zh} / warning, {en}", file=sys.stderr)

    from .cli.check import failed_summary, nothing_checked

    empty: list[tuple[str, str]] = []

    def unless(summary: dict[str, Any]) -> bool:
        why = None if failed_summary(summary, args.fail_level) else nothing_checked(
            ruleset, summary, summary.get("skipped_rows", 0))
        empty.extend([why] if why else [])
        return why is not None

    options = {
        "as_of": args.as_of, "keep_going": args.keep_going, "jobs": max(1, args.jobs),
        "keep": frozenset(Status(x) for x in args.status) if args.status else None,
        "mapping": mapping, "warn": warn, "unless": unless,
    }
    if args.output:
        from .output import atomic_write

        try:
            with atomic_write(args.output) as out:
                tally = check_stream(ruleset, args.data, out, **options)
                if empty:  # nothing was checked: an earlier report stays as it was
                    raise _Nothing
        except _Nothing:
            pass
    else:
        tally = check_stream(ruleset, args.data, sys.stdout, **options)
    if empty:
        print(f"ict2rules: {empty[0][0]} / {empty[0][1]}", file=sys.stderr)
        return 3
    bad = tally.errors + (tally.warnings if args.fail_level == "warning" else 0)
    return 0 if args.exit_zero or not bad else 1
