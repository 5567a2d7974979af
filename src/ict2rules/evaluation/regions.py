"""The region level: a county, city or province checked over its schools.

A region's rules read a :class:`~ict2rules.input.records.RegionView`: the region's own figures and one
:class:`~ict2rules.input.records.SchoolFigures` per school. A school given in full is checked first,
as a school (its teachers, then its own rules), and then summed up in that shape — its staff,
its teachers' completion dates, its pass rate, its verdict — so region rules see schools the
way school rules see teachers. A school the region knows only by its figures is taken as given.

>>> import datetime as dt
>>> from ict2rules import load_ruleset
>>> from ict2rules.evaluation.evaluator import Evaluator
>>> ev = Evaluator(load_ruleset("zeku_2023"), as_of=dt.date(2024, 1, 1))
>>> region = {"id": "ZK", "level": "县", "school_figures": [
...     {"id": "S1", "staff": {"total": 10}, "progress": [{"date": "2023-12-31", "trained": 10}]}]}
>>> _, findings, _ = regions_of(ev, region)
>>> [f.status.value for f in findings if f.rule_id == "ZK-R-TRAINED"]
['pass']
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..input.records import Region, RegionView, School, SchoolFigures
from ..kinds.base import DATA_ERRORS, FAIL, PASS, Subject
from ..kinds.regions import latest_count, trained_by  # noqa: F401  (part of this module's API)

if TYPE_CHECKING:
    from ..report.findings import Finding
    from ..rules.compiler import CompiledRule
    from .evaluator import Evaluator

#: Grades that count as passing the assessment (合格以上) in a school's pass rate.
PASSING_GRADES = frozenset({"优秀", "良好", "合格"})


def school_pass_rate(subject: Subject, rules: Iterable[CompiledRule] = ()) -> float | None:
    """A checked school's pass rate: the share computed by the school rule its ruleset tags
    ``pass_rate`` (a ``rate`` over its teachers, as the ruleset reads 合格: ZK-S-PASS-RATE,
    KY-S-PASS-RATE), else its derived value ``pass_rate``, else the share of its listed teachers
    graded 合格 or better (a teacher without a grade has not passed); None when not known.

    >>> s = Subject(School(id="S1", teachers=[{"id": "T1", "grade": "合格"}, {"id": "T2"}]), None)
    >>> s.children = [Subject(t, None, s) for t in s.record.teachers]
    >>> school_pass_rate(s)
    0.5
    """
    for cr in rules:  # asked again here: the finding may not be kept (--status fail)
        try:
            out = cr.check(subject)
        except DATA_ERRORS:
            return None
        finally:
            subject.memo = None
        share = out.actual
        ok = out.status in (PASS, FAIL) and isinstance(share, (int, float)) and not isinstance(share, bool)
        return float(share) if ok else None
    given = subject.derived.get("pass_rate")
    if isinstance(given, (int, float)) and not isinstance(given, bool):
        return float(given)
    teachers = subject.record.teachers
    if not teachers:
        return None
    return round(sum(t.grade in PASSING_GRADES for t in teachers) / len(teachers), 6)


def pass_rate_rules(ev: Evaluator) -> list[CompiledRule]:
    """The school rules a ruleset tags ``pass_rate`` (the first one is used)."""
    return [cr for cr in ev.plan.rules.get("school", ()) if "pass_rate" in cr.rule.tags]


def figures_of(subject: Subject, rules: Iterable[CompiledRule] = ()) -> SchoolFigures:
    """A checked school summed up as the figures a region keeps about it.

    >>> f = figures_of(Subject(School(id="S1", staff={"total": 2}, teachers=[{"id": "T1"}]), None))
    >>> f.supplied, f.staff.total, f.filed
    (True, 2, True)
    """
    school: School = subject.record
    figures = SchoolFigures(
        id=school.id,
        name=school.name,
        staff=school.staff,
        filed=True,  # its record is here
        pass_rate=school_pass_rate(subject, rules),
        passed=subject.passed,
        attributes=school.attributes,
    )
    figures._supplied = True
    if school.teachers is not None:
        figures._completed = [t.completed_on for t in school.teachers]
    return figures


def view_of(region: Region, checked: Iterable[Subject], rules: Iterable[CompiledRule] = ()) -> RegionView:
    """What region rules read: the region's figures and every school as figures (those given
    in full first, in order, then those given as figures)."""
    rules = list(rules)
    schools = [figures_of(s, rules) for s in checked] + list(region.school_figures or ())
    return RegionView(
        id=region.id,
        name=region.name,
        level=region.level,
        parent=region.parent,
        staff=region.staff,
        progress=region.progress,
        schools=schools,
        attributes=region.attributes,
    )


def regions_of(
    ev: Evaluator, record: Region | dict[str, Any]
) -> tuple[Subject, list[Finding], list[Subject]]:
    """Check a region: each school given in full (teachers, then the school), then the
    region's own rules over all its schools. Returns the region's subject, every finding and
    the checked schools' subjects (for the report's counts)."""
    from .evaluator import _validated

    if not isinstance(record, Region):
        record = _validated(Region, record)
    findings: list[Finding] = []
    checked: list[Subject] = []
    for school in record.schools or ():
        s, found = ev.school(school)
        checked.append(s)
        findings += found
    s = Subject(view_of(record, checked, pass_rate_rules(ev)), ev.env)
    s.children = [Subject(f, ev.env, s) for f in s.record.schools]
    findings += ev._run("region", s)  # the evaluator's one loop over a level's rules
    return s, findings, checked


def county_of(school: School) -> str | None:
    """The county a school belongs to, for grouping schools into regions when no region record
    is given: the school's ``attributes.county``, else the one county all its teachers name
    (a roster's 所属区县 column); None when it is not known or they name several.

    >>> county_of(School(id="S1", teachers=[{"id": "T1", "attributes": {"county": "泽库县"}}]))
    '泽库县'
    """
    own = school.attributes.get("county")
    if isinstance(own, str) and own.strip():
        return own.strip()
    named = {
        str(t.attributes["county"]).strip()
        for t in school.teachers or ()
        if isinstance(t.attributes.get("county"), (str, int)) and str(t.attributes["county"]).strip()
    }
    return named.pop() if len(named) == 1 else None


def group_by_county(schools: list[School]) -> tuple[list[Region], list[School]]:
    """Schools grouped into one region per county (:func:`county_of`), in order of first
    appearance, and the schools whose county is not known (checked as schools only).

    >>> regions, rest = group_by_county([School(id="A", attributes={"county": "X县"}), School(id="B")])
    >>> [(r.id, [s.id for s in r.schools]) for r in regions], [s.id for s in rest]
    ([('X县', ['A'])], ['B'])
    """
    by: dict[str, list[School]] = {}
    rest: list[School] = []
    for school in schools:
        county = county_of(school)
        if county is None:
            rest.append(school)
        else:
            by.setdefault(county, []).append(school)
    regions = [Region(id=name[:64], name=name, level="县", schools=members) for name, members in by.items()]
    return regions, rest
