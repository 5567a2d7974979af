"""One run over records in memory: every subject checked once, its findings kept (or written as
JSON lines) and counted in one :class:`~ict2rules.report.findings.Summary`, whatever was kept.

:func:`ict2rules.evaluate` is this with a ruleset and records read for it; the stream
(:mod:`.stream`) feeds the same evaluator row by row and counts into the same type.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

from ..input.files import Records
from ..report.findings import Finding, Tally
from ..report.report import Report, input_problems, problem_counts, rows_left_out
from .evaluator import Evaluator
from .parallel import check_schools
from .regions import group_by_county as group_schools_by_county
from .regions import regions_of


def check_records(
    ev: Evaluator,
    records: Records,
    *,
    group_by_county: bool = False,
    release: bool = False,
    jobs: int = 1,
    lines: IO[bytes] | None = None,
    line_end: bytes = b"\n",
) -> Report:
    """Check ``records`` with ``ev`` (teachers alone, schools with their teachers, regions with
    their schools, projects) and return the report. ``jobs`` > 1 checks the schools in worker
    processes (:func:`.parallel.check_schools`): the same report. ``lines`` (a binary file):
    every finding is written there as its JSON line, each followed by ``line_end``, instead of
    being kept (``report.findings`` stays empty) — what ``check -f json --jobs N`` copies.
    ``release``: as :func:`ict2rules.evaluate`'s.

    >>> import datetime as dt
    >>> from ict2rules import load_ruleset
    >>> from ict2rules.input.files import records_from_data
    >>> r = check_records(Evaluator(load_ruleset("kaiyuan_2024"), as_of=dt.date(2024, 3, 1)),
    ...         records_from_data({"teacher": {"id": "T1"}}))
    >>> r.subjects, r.summary()["teachers"]["checked"]
    ([('teacher', 'T1', False)], 1)
    """
    findings: list[Finding] = []
    keep: Callable[[list[Finding]], Any] = findings.extend
    if lines is not None:  # encoded as they come, never kept
        from ..report.jsonlines import Lines

        encoder = Lines(ev.ruleset)

        def keep(found: list[Finding]) -> None:
            lines.write(encoder.encoded(found, line_end))

    tally = Tally()
    for t in records.teachers:
        s, found = ev.teacher(t)
        keep(found)
        tally.add("teacher", t.id, s)
    schools, regions = records.schools, records.regions
    if group_by_county and not regions:
        regions, schools = group_schools_by_county(schools)
    if jobs > 1 and len(schools) > 1:
        encode = None if lines is None else line_end
        for res in check_schools(ev, schools, jobs, encode=encode, release=release):
            if lines is not None:
                lines.write(res.findings)
            else:
                findings += res.findings
            tally.extend(res.tally)
    else:
        for school in schools:
            s, found = ev.school(school)
            keep(found)
            tally.add_school(s)  # counted now: the school's subjects (and records) are not kept
            if release and school.teachers:
                school.teachers = []
    region_subjects = []
    for region in regions:
        s, found, inside = regions_of(ev, region)
        keep(found)
        for school in inside:
            tally.add_school(school)
        region_subjects.append(s)
    for s in region_subjects:  # after every school: a region sums its schools up
        tally.add("region", s.record.id, s)
    for p in records.projects:
        s, found = ev.project(p)
        keep(found)
        tally.add("project", p.id, s)
    return report_of(ev, records, findings, tally)


def report_of(ev: Evaluator, records: Records, findings: list[Finding], tally: Tally) -> Report:
    """The report of a run: what was kept, with the evaluator's counts over every outcome (so
    that ``keep`` never changes the summary) and the inputs' problems."""
    problems = input_problems(records.problems, records.unjoined)
    counts = tally.summary
    counts.findings.update({s.value: n for s, n in ev.statuses.items()})
    counts.unmet.update(ev.unmet)
    counts.skipped_rows += records.skipped_rows
    counts.problems.update(problem_counts(problems))
    counts.left_out += rows_left_out(problems)  # a teacher nobody checked: never "all met"
    return Report(ev.ruleset, ev.env.as_of, findings, counts, values=ev.values,
                  subjects=tally.subjects, inputs=records.files, input_problems=problems)
