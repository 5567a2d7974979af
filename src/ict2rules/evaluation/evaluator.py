"""Run a compiled plan over records: teachers first, then their school's roll-up, then projects.

Pure functions of the records and the plan: nothing is read from disk here, nothing global is
changed, so one school (or one roster chunk) can be evaluated anywhere, in any process.

>>> from ict2rules import load_ruleset
>>> ev = Evaluator(load_ruleset("zeku_2023"), as_of=dt.date(2023, 12, 31))
>>> subject, findings = ev.teacher({"id": "T1", "hours": {"online": 50, "offline": 25}})
>>> [f.status.value for f in findings if f.rule_id == "ZK-T-HOURS-ONLINE"]
['pass']
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from pydantic import ValidationError

from ..errors import InputError, argument_error, printable, problems_from_validation
from ..input.records import Project, School, Teacher
from ..kinds.base import (
    DATA_ERRORS,
    FAIL,
    MISSING,
    NA,
    PASS,
    PENDING,
    Env,
    Status,
    Subject,
)
from ..kinds.groups import Accumulator, accumulator_of, member_items, mentions_teachers
from ..report.findings import (
    DerivedValue,
    Finding,
    SubjectRef,
    wrong_kind_of_value,
)
from ..rules.compiler import NOT_APPLIES as _NOT_APPLIES
from ..rules.compiler import CompiledRule, Operand, Plan
from ..rules.ruleset import Ruleset

_NOT_PASSING = (FAIL, MISSING, PENDING)


def _found(
    cr: CompiledRule, ref: SubjectRef, st: Status, s: Subject, judged: Any = None
) -> Finding:
    """A kept finding, with its evidence read now (a check that raises on the data is a
    finding of a value of the wrong kind, as its verdict is)."""
    try:
        return Finding(cr, ref, st, cr.evidence(s, st, judged))
    except DATA_ERRORS as exc:
        return Finding(cr, ref, st, outcome=wrong_kind_of_value(exc))


class _Who(NamedTuple):
    """A record's id and name: all :func:`ref_of` reads of it (kept instead of the record)."""

    id: str
    name: str | None


def ref_of(record: Any, level: str, school: str | None = None) -> SubjectRef:
    # who a finding is about is printed everywhere: made safe to print once, here
    rid, name = record.id, getattr(record, "name", None)
    if not rid.isprintable():
        rid = printable(rid)
    if name and not name.isprintable():
        name = printable(name)
    if school and not school.isprintable():
        school = printable(school)
    return SubjectRef(level, rid, name, school)


def passed(findings: Iterable[Finding]) -> bool:
    """A subject passes when every error-severity rule on it passed or did not apply."""
    return not any(f.compiled.is_error and f.status in _NOT_PASSING for f in findings)


def _validated(model: Any, data: Any) -> Any:
    """A record from a plain dict, or the one documented exception with located problems."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from_validation(exc, data, None, model=model)) from None


@dataclass
class TeacherGroup:
    """A school's teachers so far, as its rules need them: how many were checked and passed,
    each group rule's tally (:class:`~ict2rules.kinds.groups.Accumulator`) and, only when a
    school rule or value needs the teachers themselves (a group rule inside ``all``, a value
    summed over them), the teachers. Made by :meth:`Evaluator.group`, fed by
    :meth:`Evaluator.add`, merged by :meth:`Evaluator.merge`, finished by
    :meth:`Evaluator.finish`; it pickles (the tallies are numbers and ids)."""

    checked: int = 0
    passed: int = 0
    tallies: list[Any] = field(default_factory=list)
    members: list[Subject] | None = None


class _Raised(NamedTuple):
    """A tally whose condition raised on some teacher's data: the rule is a finding of a value
    of the wrong kind, as it is when judged over a list."""

    exc: Exception


def _finish_with(own: Callable[[Subject], Any], finish: Callable[[Any, Subject], Any], i: int) -> Callable[[Subject], Any]:
    """The judge of a school's ``i``-th group rule: its accumulator's tally finished (the
    kind's own judge over ``children`` for a school made without a group)."""

    def judge(s: Subject) -> Any:
        tallies = s.groups
        if tallies is None:
            return own(s)
        tally = tallies[i]
        if isinstance(tally, _Raised):
            raise tally.exc
        return finish(tally, s)

    return judge


def _status_of(judge: Callable[[Subject], Any]) -> Callable[[Subject], Status]:
    return lambda s: judge(s)[0]


class Evaluator:
    """Evaluates records of any level against one ruleset's compiled plan."""

    def __init__(
        self,
        ruleset: Ruleset,
        *,
        as_of: dt.date | None = None,
        keep: frozenset[Status] | None = None,
    ) -> None:
        from ..input.files import parse_date

        if not isinstance(ruleset, Ruleset):
            raise argument_error("ruleset", ruleset, "规则集(load_ruleset 的结果)", "a Ruleset (from load_ruleset)")
        self.ruleset = ruleset
        self.plan: Plan = ruleset.plan
        self.env = Env(parse_date(as_of) or dt.date.today())
        self.keep = keep  # statuses to report (None: all); verdicts are computed all the same
        # Derived values, one mapping per subject: made into DerivedValue rows only when read.
        self._derived: list[tuple[Any, str, str | None, dict[str, Any]]] = []
        # Rules not met (fail or missing data) by severity, over every outcome: the verdict
        # does not depend on which findings a caller chose to keep.
        self.unmet: Counter[str] = Counter()
        # Outcomes by status, over every rule and subject: what ``keep`` left out still counts.
        self.statuses: Counter[Status] = Counter()
        # A pass that will not be reported is never explained, and a kept finding is explained
        # only when read: the evaluator asks each rule's verdict, never its outcome.
        self._report_passes = keep is None or Status.PASS in keep
        self._computes = {
            level: tuple((cd.derived.id, cd.compute) for cd in derived)
            for level, derived in self.plan.derived.items()
        }
        self._steps = {
            level: tuple(
                (
                    together,
                    tuple(
                        (
                            cr,
                            cr.verdict,
                            # a fast verdict pays only when passes need no evidence
                            None if cr.fast and not self._report_passes else cr.judge,
                            cr.applies,
                            self._due(cr),
                            cr.rule.severity,
                        )
                        for cr in rules
                    ),
                )
                for together, rules in batches
            )
            for level, batches in self._batches().items()
        }
        # A school's rules over its teachers (``rate``/``count``/``gate`` over ``teachers`` or
        # ``teachers.points``): each teacher is added to their tallies as it is checked.
        self._grouped: list[tuple[Accumulator, Callable[[Subject], list[Subject]]]] = []
        grouped: dict[int, Callable[[Subject], Any]] = {}
        for cr in self.plan.rules["school"]:
            acc = accumulator_of(cr.check)
            items = member_items(acc.over) if acc is not None else None
            if acc is not None and items is not None:
                grouped[id(cr)] = _finish_with(cr.judge, acc.finish, len(self._grouped))
                self._grouped.append((acc, items))
        self._steps["school"] = tuple(
            (together, tuple(
                (cr, verdict, judge, *rest) if id(cr) not in grouped
                else (cr, _status_of(grouped[id(cr)]), grouped[id(cr)], *rest)
                for cr, verdict, judge, *rest in batch
            ))
            for together, batch in self._steps["school"]
        )
        # Anything else of a school that reads its teachers needs them all at the end.
        self.needs_members = any(
            mentions_teachers(d.compute) for d in ruleset.derived if d.level == "school"
        ) or any(
            mentions_teachers(cr.rule.when) or (id(cr) not in grouped and mentions_teachers(cr.rule.check))
            for cr in self.plan.rules["school"]
        )

    def _batches(self) -> dict[str, tuple[Any, ...]]:
        """The plan's batches of comparisons when passes are not reported; each rule alone
        when they are: a passed batch would judge its rules again for their evidence, and
        measured, that costs more than the batch saves (docs/performance.md)."""
        if not self._report_passes:
            return self.plan.batches
        return {level: tuple((None, (cr,)) for cr in rules) for level, rules in self.plan.rules.items()}

    def _due(self, cr: CompiledRule) -> Operand | None:
        """The rule's due date, unless it is a fixed date already past on the as-of date: then
        nothing unmet is pending, and the date need not be read for every record."""
        due = cr.due
        if due is not None and due.constant and isinstance(due.value, dt.date) and self.env.as_of > due.value:
            return None
        return due

    @property
    def values(self) -> list[DerivedValue]:
        """Every derived value computed so far, subject by subject, in ruleset order."""
        return [
            DerivedValue(k, ref_of(record, level, school), v)
            for record, level, school, values in self._derived
            for k, v in values.items()
        ]

    def forget_values(self) -> None:
        """Drop the derived values kept so far (a caller that reports them as it goes)."""
        self._derived.clear()

    def _run(self, level: str, s: Subject, school: str | None = None) -> list[Finding]:
        computes = self._computes[level]
        if computes:
            values = s.derived
            for name, compute in computes:
                try:
                    values[name] = compute(s)
                except DATA_ERRORS:  # e.g. text in a free attribute where a number is summed
                    values[name] = None
            # who, not the record: a kept record would keep a province's roster in memory
            self._derived.append((_Who(s.record.id, getattr(s.record, "name", None)), level, school, values))
        ref: SubjectRef | None = None  # who the findings are about: made for the first one
        # One pass: the verdict counts every rule, but only kept findings are allocated
        # (a roster checked for failures builds no Finding for the thousands of passes).
        # Passes, most outcomes, are counted in a local int and added to ``statuses`` once.
        keep = self.keep
        statuses = self.statuses
        passes = 0
        ok = True
        unmet = False  # an error-severity rule failed or lacks data (not merely not yet due)
        findings: list[Finding] = []
        report_passes = self._report_passes
        for together, batch in self._steps[level]:
            if together is not None and together(s):  # a batch of comparisons, all met
                passes += len(batch)  # (only where passes are not reported: ``_batches``)
                continue
            for cr, verdict, judge, applies, due, severity in batch:
                judged = None  # (status, evidence) when the rule was judged, not only asked
                try:  # the rule's verdict: its condition, its check, its due date
                    if applies is not None and not applies(s):
                        st, judged = NA, _NOT_APPLIES
                    elif judge is None:  # a kind's measured fast path: the status alone
                        st = verdict(s)
                        if st is PASS:  # (passes are not reported: no evidence needed)
                            passes += 1
                            continue
                        if due is not None and (st is FAIL or st is MISSING) and cr.not_yet_due(s):
                            st = PENDING
                    else:  # one body: the status comes with its evidence
                        judged = judge(s)
                        st = judged[0]
                        if st is PASS:
                            passes += 1
                            if report_passes:
                                ref = ref or ref_of(s.record, level, school)
                                findings.append(Finding(cr, ref, PASS, judged[1]))  # the check's
                            continue
                        if due is not None and (st is FAIL or st is MISSING) and cr.not_yet_due(s):
                            st = PENDING
                    outcome = None
                except DATA_ERRORS as exc:
                    outcome = wrong_kind_of_value(exc)
                    st = outcome.status
                statuses[st] += 1
                if st is FAIL or st is MISSING:
                    self.unmet[severity] += 1
                    if severity == "error":
                        ok, unmet = False, True
                elif st is PENDING and severity == "error":
                    ok = False
                if keep is None or st in keep:
                    ref = ref or ref_of(s.record, level, school)
                    if outcome is not None:
                        findings.append(Finding(cr, ref, st, outcome=outcome))
                    elif judged is not None and judged is not _NOT_APPLIES and judged[0] is st:
                        findings.append(Finding(cr, ref, st, judged[1]))  # the check's, as judged
                    else:  # a due date made it pending, or only the fast verdict was asked
                        findings.append(_found(cr, ref, st, s, judged))
        if passes:
            statuses[PASS] += passes
        s.passed = ok
        s.waiting = not ok and not unmet
        # The item subjects and filtered lists built for these rules are a cache: dropped now,
        # so a roster's kept findings do not hold every teacher's points (a finding keeps the
        # evidence it read, never the subject); a school's rules may have filled its teachers'.
        s.memo = None
        for child in s.children or ():
            child.memo = None
        return findings

    def teacher(
        self, record: Teacher | dict[str, Any], parent: Subject | None = None
    ) -> tuple[Subject, list[Finding]]:
        """Check one teacher (alone, or inside its school ``parent``)."""
        if not isinstance(record, Teacher):
            record = _validated(Teacher, record)
        school = parent.record.id if parent is not None else record.school_id
        s = Subject(record, self.env, parent)
        return s, self._run("teacher", s, school)

    def school(self, record: School | dict[str, Any]) -> tuple[Subject, list[Finding]]:
        """Check a school: each of its teachers, then the school's own rules over them (its
        ``children`` are its teachers' subjects)."""
        if not isinstance(record, School):
            record = _validated(School, record)
        s = Subject(record, self.env)
        findings: list[Finding] = []
        group = None
        if record.teachers is not None:
            group = self.group()
            s.children = []
            for t in record.teachers:
                child, found = self.teacher(t, s)
                self.add(group, child)
                s.children.append(child)
                findings.extend(found)
        findings.extend(self.finish(s, group))
        return s, findings

    # -- a school's teachers as they come: in memory, streamed, in workers, on a cluster --------
    def group(self) -> TeacherGroup:
        """An empty group of a school's teachers (see :class:`TeacherGroup`).

        >>> from ict2rules import load_ruleset
        >>> ev = Evaluator(load_ruleset("zeku_2023"), as_of=dt.date(2023, 12, 31))
        >>> school = Subject(School(id="S1"), ev.env)
        >>> group = ev.group()
        >>> for tid in ("T1", "T2"):
        ...     ev.add(group, ev.teacher({"id": tid, "school_id": "S1"}, school)[0])
        >>> [(f.status.value, f.outcome.detail["total"]) for f in ev.finish(school, group) if f.rule_id == "ZK-S-PASS-RATE"]
        [('pending', 2)]
        """
        return TeacherGroup(
            tallies=[acc.start() for acc, _ in self._grouped],
            members=[] if self.needs_members else None,
        )

    def add(self, group: TeacherGroup, teacher: Subject) -> None:
        """Add a checked teacher (its subject, inside its school) to its school's group."""
        group.checked += 1
        group.passed += bool(teacher.passed)
        tallies = group.tallies
        for i, (acc, items) in enumerate(self._grouped):
            tally = tallies[i]
            if isinstance(tally, _Raised):
                continue
            try:
                acc.add(tally, items(teacher))
            except DATA_ERRORS as exc:  # e.g. text in a free attribute the condition compares
                tallies[i] = _Raised(exc)
        if group.members is not None:  # kept small: without its cache of item subjects
            group.members.append(
                Subject(teacher.record, teacher.env, teacher.parent, teacher.derived, None, teacher.passed)
            )

    def merge(self, group: TeacherGroup, other: TeacherGroup) -> TeacherGroup:
        """``other`` (the teachers that came after ``group``'s) added to ``group``."""
        group.checked += other.checked
        group.passed += other.passed
        for i, (acc, _) in enumerate(self._grouped):
            a, b = group.tallies[i], other.tallies[i]
            group.tallies[i] = a if isinstance(a, _Raised) else b if isinstance(b, _Raised) else acc.merge(a, b)
        if group.members is not None and other.members is not None:
            group.members += other.members
        return group

    def finish(self, s: Subject, group: TeacherGroup | None) -> list[Finding]:
        """The school's own findings, its teachers given by ``group`` (None: no teacher list
        at all, so rules over the teachers lack data)."""
        if group is not None:
            s.groups = group.tallies
            if s.children is None and group.members is not None:
                s.children = group.members
        try:
            return self._run("school", s)
        finally:
            s.groups = None

    def project(self, record: Project | dict[str, Any]) -> tuple[Subject, list[Finding]]:
        """Check a training provider's project."""
        if not isinstance(record, Project):
            record = _validated(Project, record)
        s = Subject(record, self.env)
        return s, self._run("project", s)
