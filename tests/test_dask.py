"""Dask: the same evaluator on a real scheduler with worker processes, the same bytes.

A ``LocalCluster`` of two worker processes checks the roster (``check_bag`` over a bag of rows,
and ``ict2rules check --dask ADDRESS``); both must write exactly what the local streamed run
writes, which is the in-memory report's findings (tests/test_stream.py).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from ict2rules import load_ruleset
from ict2rules.cli import main
from ict2rules.errors import InputError
from ict2rules.evaluation.stream import check_stream
from ict2rules.input.files import read_records

db = pytest.importorskip("dask.bag")
distributed = pytest.importorskip("distributed")

AS_OF = "2023-10-08"


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
        silence_logs=50,
    )
    with cluster, distributed.Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> tuple[Path, Path]:
    from test_stream import population  # the benchmarks' seeded population

    return population.write_files(tmp_path_factory.mktemp("dask"), 120, 4, seed=11)


def local(paths: list[Path], **options) -> str:
    buf = io.StringIO()
    check_stream(load_ruleset("zeku_2023"), paths, buf, as_of=AS_OF, **options)
    return buf.getvalue()


def rows(roster: Path) -> list[dict]:
    return [json.loads(line) for line in roster.read_text("utf-8").splitlines()]


def test_check_bag_on_two_worker_processes_is_byte_identical(client, files):
    roster, schools = files
    bag = db.from_sequence(rows(roster), npartitions=5)
    from ict2rules.dask import check_bag

    got = check_bag(
        bag, "zeku_2023", read_records(schools).schools, as_of=AS_OF,
        inputs=[str(roster), str(schools)],
    )
    expected = local([roster, schools])
    assert got == expected
    assert got.count("\n") > 120 and '"type":"school_rollup"' in got


def test_check_bag_failures_only_and_without_schools(client, files):
    from ict2rules.dask import check_bag
    from ict2rules.kinds.base import Status

    roster, _ = files
    keep = frozenset({Status.FAIL, Status.MISSING_DATA})
    bag = db.from_sequence(rows(roster), npartitions=3)
    assert check_bag(bag, "zeku_2023", as_of=AS_OF, keep=keep, inputs=[str(roster)]) == local(
        [roster], keep=keep
    )


def test_check_bag_refuses_a_duplicate_id_and_a_bad_row(client, files):
    from ict2rules.dask import check_bag

    roster, _ = files
    data = rows(roster)[:10]
    with pytest.raises(InputError) as err:
        check_bag(db.from_sequence([*data, data[0]], npartitions=2), "zeku_2023", as_of=AS_OF)
    assert err.value.problems[0].code == "duplicate"
    bad = [*data, {"id": "TX", "hours": {"online": "五十"}}]
    with pytest.raises(InputError) as err:
        check_bag(db.from_sequence(bad, npartitions=2), "zeku_2023", as_of=AS_OF)
    assert err.value.problems[0].field == "hours.online" and "partition 1" in str(err.value)
    text = check_bag(db.from_sequence(bad, npartitions=2), "zeku_2023", as_of=AS_OF, keep_going=True)
    assert json.loads(text.splitlines()[-1])["skipped_rows"] == 1


def test_cli_dask_writes_the_local_bytes(client, files, tmp_path):
    roster, schools = files
    outs = []
    for extra in ([], ["--dask", client.scheduler.address]):
        target = tmp_path / f"out{len(extra)}.jsonl"
        code = main(["check", str(roster), str(schools), "-r", "zeku_2023", "--as-of", AS_OF,
                     "-f", "jsonl", "--status", "fail", "-o", str(target), *extra])
        assert code == 1
        outs.append(target.read_bytes())
    assert outs[0] == outs[1] and outs[0].count(b"\n") > 50


def test_cli_dask_needs_a_streamed_roster_and_a_reachable_scheduler(tmp_path, capsys, files, monkeypatch):
    import ict2rules.evaluation.cluster

    monkeypatch.setattr(ict2rules.evaluation.cluster, "CONNECT_TIMEOUT", 1)
    roster, _ = files
    school = tmp_path / "s.yaml"
    school.write_text("school: {id: S1}\n", encoding="utf-8")
    assert main(["check", str(school), "-r", "zeku_2023", "--dask", "tcp://127.0.0.1:9"]) == 2
    assert "--dask" in capsys.readouterr().err
    assert main(["check", str(roster), "-r", "zeku_2023", "-f", "jsonl",
                 "--dask", "tcp://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert "tcp://127.0.0.1:9" in err and "Traceback" not in err
