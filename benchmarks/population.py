"""A seeded synthetic population of schools and teachers for the Zeku 2023 ruleset.

Teachers are plain dicts shaped like ``records.Teacher`` (dates as ISO strings, as they arrive
from a JSON Lines export). About half are fully compliant; the others carry one to three of
the defects a county office really sees: hours short, a practice part missing, invalid or
absent evidence, a point outside the school's scope, assessed before the hours were done, a
failing score, training late or not finished, fields left blank.

Run as a script to write a roster (JSON Lines or CSV) and a schools file::

    python benchmarks/population.py --teachers 48890 --schools 420 --out /tmp/henan
    # → /tmp/henan/roster.jsonl, /tmp/henan/schools.yaml

>>> teachers = make_population(10, 2, seed=1)[1]
>>> len(teachers), sorted(teachers[0])[:3]
(10, ['assessed_on', 'completed_on', 'documents'])
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# Point codes by dimension (the catalog's, spelled out so the generator needs no import).
DIMENSIONS = {
    "learning_analysis": ["A1", "B1"],
    "instructional_design": ["A2", "A3", "A4", "B2", "B3", "C1", "C2"],
    "learning_guidance": ["A5", "A6", "A7", "A8", "A9", "A10", "B4", "B5", "B6", "B7", "B8", "C3"],
    "academic_assessment": ["A11", "A12", "A13", "B9", "B10", "C6", "C7"],
}
DEFECTS = (
    "hours_short", "online_short", "practice_missing", "practice_adjusted", "no_upload",
    "few_reviews", "no_peer_review", "invalid_evidence", "no_evidence", "out_of_scope",
    "assessed_early", "low_score", "no_scores", "not_assessed", "late", "not_completed",
    "phase_late", "few_points", "blank_hours",
)


def make_school(rng: random.Random, n: int) -> dict[str, Any]:
    """A school whose scope covers the four dimensions with 6–8 points (some schools fewer)."""
    scope = [rng.choice(codes) for codes in DIMENSIONS.values()]
    pool = [c for codes in DIMENSIONS.values() for c in codes if c not in scope]
    scope += rng.sample(pool, rng.randint(2, 4))
    if rng.random() < 0.05:  # a school that chose too few points
        scope = scope[:5]
    envs = sorted({c[0] for c in scope} | ({"B"} if rng.random() < 0.5 else set()))
    return {"id": f"S{n:05d}", "name": f"第{n}学校", "point_scope": sorted(set(scope)), "environments": envs}


def _points(rng: random.Random, scope: list[str]) -> list[dict[str, Any]]:
    by_dim = {d: [c for c in codes if c in scope] for d, codes in DIMENSIONS.items()}
    dims = [d for d, codes in by_dim.items() if codes]
    chosen = [rng.choice(by_dim[d]) for d in rng.sample(dims, min(3, len(dims)))]
    return [{"code": c, "evidence": {"shows_teacher": True, "own_work": True}} for c in chosen]


def make_teacher(rng: random.Random, n: int, school: dict[str, Any]) -> dict[str, Any]:
    """One teacher of ``school``: compliant, then spoiled by 0–3 defects."""
    peer, mark = rng.randint(60, 100), rng.randint(60, 100)
    t: dict[str, Any] = {
        "id": f"T{n:07d}",
        "name": f"教师{n}",
        "school_id": school["id"],
        "hours": {"online": 50, "offline": 25, "practice": {"lesson": 5, "certification": 15, "process": 5}},
        "lessons_uploaded": 1,
        "lessons_reviewed": rng.randint(3, 6),
        "peer_reviews_given": rng.randint(1, 4),
        "points": _points(rng, school["point_scope"]),
        "peer_score": peer,
        "school_score": mark,
        "completed_on": f"2023-09-{rng.randint(1, 15):02d}",
        "assessed_on": "2023-09-20",
        "documents": [{"name": "选学任务清单", "filed_on": "2023-06-25"}],  # 四(三)2, ZK-T-TASK-LIST
    }
    if rng.random() < 0.5:
        for defect in rng.sample(DEFECTS, rng.randint(1, 3)):
            _spoil(rng, t, defect)
    if "peer_score" in t and "school_score" in t:  # the school's final score (its own weights)
        t["score"] = (t["peer_score"] + t["school_score"]) / 2
    return t


def _spoil(rng: random.Random, t: dict[str, Any], defect: str) -> None:
    h = t.get("hours") or {}
    if defect == "hours_short":
        h["offline"] = rng.choice([20, 24, 24.5])
    elif defect == "online_short":
        h["online"] = rng.choice([30, 45, 49.5])
    elif defect == "practice_missing":
        h.pop("practice", None)
    elif defect == "practice_adjusted":
        h["practice"] = {"lesson": 8, "certification": 12, "process": 5}
    elif defect == "no_upload":
        t["lessons_uploaded"] = 0
    elif defect == "few_reviews":
        t["lessons_reviewed"] = rng.randint(0, 2)
    elif defect == "no_peer_review":
        del t["peer_reviews_given"]
    elif defect == "invalid_evidence":
        t["points"][0]["evidence"] = {"shows_teacher": False, "own_work": True}
    elif defect == "no_evidence":
        t["points"][-1].pop("evidence", None)
    elif defect == "out_of_scope":
        t["points"][0]["code"] = "C7" if t["points"][0]["code"] != "C7" else "C6"
        codes = [p["code"] for p in t["points"]]
        if len(set(codes)) < len(codes):  # keep codes unique, as the record model demands
            t["points"].pop(0)
    elif defect == "assessed_early":
        h["offline"] = 20
    elif defect == "low_score":
        t["peer_score"], t["school_score"] = rng.randint(30, 70), rng.randint(30, 59)
    elif defect == "no_scores":
        del t["school_score"]
    elif defect == "not_assessed":
        del t["assessed_on"]
    elif defect == "late":
        t["completed_on"] = "2024-01-05"
    elif defect == "not_completed":
        del t["completed_on"]
    elif defect == "phase_late":
        t["completed_on"] = "2023-10-20"
    elif defect == "few_points":
        t["points"] = t["points"][:2]
    elif defect == "blank_hours":
        del t["hours"]


def make_population(teachers: int, schools: int, seed: int = 2023) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``schools`` schools and ``teachers`` teachers spread over them (sizes vary), seeded."""
    return [make_school(random.Random(seed * 7919 + i), i) for i in range(1, schools + 1)], list(
        iter_teachers(teachers, schools, seed)
    )


def iter_teachers(teachers: int, schools: int, seed: int = 2023) -> Iterator[dict[str, Any]]:
    """The teachers of :func:`make_population` one at a time (for writing huge rosters)."""
    rng = random.Random(seed)
    school_list = [make_school(random.Random(seed * 7919 + i), i) for i in range(1, schools + 1)]
    # Grouped by school, as exports are; school sizes vary around the mean.
    weights = [rng.uniform(0.3, 1.7) for _ in school_list]
    scale = teachers / sum(weights)
    sizes = [int(w * scale) for w in weights]
    sizes[-1] += teachers - sum(sizes)
    n = 0
    for school, size in zip(school_list, sizes, strict=True):
        for _ in range(size):
            n += 1
            yield make_teacher(rng, n, school)


CSV_HEADER = [
    "id", "name", "school_id", "hours.online", "hours.offline", "hours.practice.lesson",
    "hours.practice.certification", "hours.practice.process", "lessons_uploaded", "lessons_reviewed",
    "peer_reviews_given", "points", "peer_score", "school_score", "assessed_on", "completed_on",
]


def _csv_row(t: dict[str, Any]) -> list[Any]:
    h = t.get("hours") or {}
    p = h.get("practice") or {}
    # The roster's points cell lists codes; evidence has no column, so CSV rows carry none.
    points = ",".join(x["code"] for x in t.get("points") or ())
    return [
        t["id"], t["name"], t["school_id"], h.get("online", ""), h.get("offline", ""),
        p.get("lesson", ""), p.get("certification", ""), p.get("process", ""),
        t.get("lessons_uploaded", ""), t.get("lessons_reviewed", ""), t.get("peer_reviews_given", ""),
        points, t.get("peer_score", ""), t.get("school_score", ""), t.get("assessed_on", ""),
        t.get("completed_on", ""),
    ]


def write_files(out: Path, teachers: int, schools: int, seed: int = 2023, fmt: str = "jsonl") -> tuple[Path, Path]:
    """Write ``roster.<fmt>`` and ``schools.yaml`` under ``out``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    school_list = [make_school(random.Random(seed * 7919 + i), i) for i in range(1, schools + 1)]
    roster = out / f"roster.{fmt}"
    with roster.open("w", encoding="utf-8", newline="") as f:
        if fmt == "csv":
            w = csv.writer(f)
            w.writerow(CSV_HEADER)
            for t in iter_teachers(teachers, schools, seed):
                w.writerow(_csv_row(t))
        else:
            for t in iter_teachers(teachers, schools, seed):
                f.write(json.dumps(t, ensure_ascii=False) + "\n")
    schools_file = out / "schools.yaml"
    # JSON is YAML: one line per school keeps a 10,000-school file quick to write and read.
    with schools_file.open("w", encoding="utf-8") as f:
        f.write("schools:\n")
        for s in school_list:
            f.write(f"  - {json.dumps(s, ensure_ascii=False)}\n")
    return roster, schools_file


def checked_report(folder: Path, as_of: str = "2024-01-15") -> Any:
    """The files :func:`write_files` wrote, checked as ``ict2rules check schools.yaml
    roster.jsonl`` checks them (zeku_2023; by default after every deadline, so each unmet rule
    is a failure)."""
    from ict2rules import evaluate
    from ict2rules.input.files import Records, join_schools, read_records

    records = Records()
    for name in ("schools.yaml", "roster.jsonl"):
        records.extend(read_records(folder / name))
    join_schools(records)
    return evaluate("zeku_2023", records, as_of=as_of, release=True)  # as the CLI checks


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--teachers", type=int, default=48_890)
    ap.add_argument("--schools", type=int, default=420)
    ap.add_argument("--seed", type=int, default=2023)
    ap.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    roster, schools = write_files(args.out, args.teachers, args.schools, args.seed, args.format)
    print(roster)
    print(schools)


if __name__ == "__main__":
    main()
