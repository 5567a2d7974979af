"""Reading YAML: ``yamlsafe.load_yaml_text`` against plain ``yaml.load(CSafeLoader)``, one run.

The document is a school plan written out as people write one (block mappings, short flow
lists, Chinese text): the benchmark population's schools and teachers, ``--teachers`` of them
(7,000 make a 3.9 MB file). Plain ``yaml.load`` is PyYAML's libyaml loader with no limits and no
positions; ``yamlsafe`` composes with libyaml as well, then walks the nodes once to bound them
(tags, lengths, depth, aliases, expanded size) and builds the data with every value's line and
column, with the cyclic garbage collector paused meanwhile (so plain ``yaml.load`` is also timed
that way, for comparison). ``--python`` also times the pure-Python composer (the fallback where libyaml is absent).
Times are CPU seconds of this process, best of ``--repeat`` runs.

    python benchmarks/bench_yaml.py                      # 7,000 teachers, 3.9 MB
    python benchmarks/bench_yaml.py --teachers 100 --repeat 1 --python
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from population import make_population

from ict2rules.input import yamlsafe


def best(fn: Callable[[], Any], repeat: int) -> float:
    """The shortest CPU time of ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return min(times)


def document(teachers: int) -> str:
    """A school plan of ``teachers`` teachers in ``teachers // 100`` schools, as YAML text."""
    schools, people = make_population(teachers, max(1, teachers // 100), seed=7)[:2]
    return yaml.safe_dump(
        {"schools": schools, "teachers": people},
        allow_unicode=True,
        default_flow_style=None,
        sort_keys=False,
        width=100,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teachers", type=int, default=7000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--python", action="store_true", help="also time the pure-Python composer")
    args = parser.parse_args(argv)

    text = document(args.teachers)
    size = len(text.encode())
    expected = yaml.load(text, Loader=yaml.CSafeLoader)
    data, _ = yamlsafe.load_yaml_text(text, "plan.yaml")
    assert data == expected, "yamlsafe and yaml.load disagree on the data"
    print(f"document: {args.teachers:,} teachers, {size / 1e6:.1f} MB, libyaml {yaml.__with_libyaml__}")

    plain = best(lambda: yaml.load(text, Loader=yaml.CSafeLoader), args.repeat)
    ours = best(lambda: yamlsafe.load_yaml_text(text, "plan.yaml"), args.repeat)
    def paused() -> Any:  # what yamlsafe does about the garbage collector, for a fair view
        gc.disable()
        try:
            return yaml.load(text, Loader=yaml.CSafeLoader)
        finally:
            gc.enable()

    rows = [
        ("yaml.load(CSafeLoader)", plain),
        ("  the same, collector paused", best(paused, args.repeat)),
        ("yamlsafe.load_yaml_text", ours),
    ]
    if args.python:
        fallback = getattr(yamlsafe, "_PyLoader", None)
        if fallback is None:
            print("pure-Python composer: not in this version")
        else:
            chosen = yamlsafe._Loader
            yamlsafe._Loader = fallback
            try:
                rows.append(("yamlsafe, pure-Python composer", best(
                    lambda: yamlsafe.load_yaml_text(text, "plan.yaml"), args.repeat)))
            finally:
                yamlsafe._Loader = chosen
    for name, seconds in rows:
        print(f"{name:34} {seconds:7.2f} s  {size / 1e6 / seconds:6.2f} MB/s  "
              f"ratio {seconds / plain:4.2f}x plain yaml.load")


if __name__ == "__main__":
    main()
