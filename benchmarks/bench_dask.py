"""The streamed roster check on Dask: 1 and 2 worker processes against one local process.

One seeded population (``population.py``) as JSON Lines plus a schools file; the failures-only
run ``ict2rules check roster.jsonl schools.yaml -f jsonl --status fail --status missing_data``
(i) locally in one process, (ii) with ``--dask`` on a ``LocalCluster`` of 1 worker process,
(iii) of 2, and (iv) ``check_bag`` over a bag read by the workers themselves
(``dask.bag.read_text``) on 2. Wall seconds (the cluster started before the clock, its
workers warmed by one small run, as a long-lived cluster is); every output must be
byte-identical to (i), and the script says so.

    python benchmarks/bench_dask.py                     # 48,890 teachers in 420 schools
    python benchmarks/bench_dask.py --teachers 5000 --schools 40 --repeat 1
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from population import write_files

AS_OF = "2023-10-08"
STATUSES = ["--status", "fail", "--status", "missing_data"]


def cli(files: list[Path], out: Path, *extra: str) -> bytes:
    from ict2rules.cli import main

    code = main(["check", *map(str, files), "-r", "zeku_2023", "--as-of", AS_OF, "-f", "jsonl",
                 *STATUSES, "-o", str(out), *extra])
    if code not in (0, 1):
        raise SystemExit(f"ict2rules check {' '.join(extra)} exited {code}")
    return out.read_bytes()


def best(fn, repeat: int) -> tuple[float, bytes]:
    times, got = [], b""
    for _ in range(repeat):
        t0 = time.perf_counter()
        got = fn()
        times.append(time.perf_counter() - t0)
    return min(times), got


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--teachers", type=int, default=48_890)
    ap.add_argument("--schools", type=int, default=420)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    import dask.bag as db
    from distributed import Client, LocalCluster

    from ict2rules.dask import check_bag
    from ict2rules.input.files import read_records
    from ict2rules.kinds.base import Status

    tmp = Path(tempfile.mkdtemp())
    roster, schools = write_files(tmp, args.teachers, args.schools)
    files = [roster, schools]
    secs, base = best(lambda: cli(files, tmp / "local.jsonl"), args.repeat)
    print(f"{'(i) one local process':<44} {secs:7.2f} s")
    rows: dict[str, float] = {"local": secs}
    same = True
    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          dashboard_address=None, silence_logs=50) as cluster, Client(cluster) as client:
            address = cluster.scheduler_address
            cli([roster, schools], tmp / "warm.jsonl", "--dask", address)  # workers import, compile
            secs, got = best(lambda a=address, w=workers: cli(files, tmp / f"d{w}.jsonl", "--dask", a),
                             args.repeat)
            same &= got == base
            rows[f"--dask, {workers} worker"] = secs
            print(f"{'(ii/iii) --dask, ' + str(workers) + ' worker process(es)':<44} {secs:7.2f} s")
            if workers == 2:
                given = read_records(schools).schools
                keep = frozenset({Status.FAIL, Status.MISSING_DATA})

                def bag_run(client=client, given=given, keep=keep) -> bytes:
                    bag = db.read_text(str(roster), blocksize="4MB").map(json.loads)
                    text = check_bag(bag, "zeku_2023", given, as_of=AS_OF, keep=keep,
                                     inputs=[str(roster), str(schools)])
                    return text.encode()

                secs, got = best(bag_run, args.repeat)
                same &= got == base
                rows["check_bag, 2 workers"] = secs
                print(f"{'(iv) check_bag(read_text bag), 2 workers':<44} {secs:7.2f} s")
    lines = base.count(b"\n")
    print(f"\n{args.teachers} teachers, {lines} lines; byte-identical to (i): {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
