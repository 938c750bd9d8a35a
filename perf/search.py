"""What running a search on several benchmarks at once gains: ``search_benchmarks``
with one job against two (or more), at the same budget and seed.

Each job is a thread with an env of its own, so a worker process of its own:
the compiler work of two jobs runs on two cores. Both runs must find the same
best states (a benchmark's result depends only on its options and seed); the
figure is the ratio of their wall times, measured one after the other in one
process on one local service.

``python -m perf.search [STEPS]`` prints the figures.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from typing import Any

import compiler_env

__all__ = ["BENCHMARKS", "parallel_search", "summary"]

#: Four kernels-v0 programs of similar cost, so that two jobs share the work evenly.
BENCHMARKS = (
    "benchmark://kernels-v0/crc32",
    "benchmark://kernels-v0/bigint",
    "benchmark://kernels-v0/binary_heap",
    "benchmark://kernels-v0/avl_tree",
)


def parallel_search(
    steps: int = 3000,
    jobs: int = 2,
    benchmarks: Sequence[str] = BENCHMARKS,
    search: str = "random",
    seed: int = 0,
) -> dict[str, Any]:
    """Seconds of ``search`` with ``steps`` steps per benchmark, one job and then
    ``jobs``, and whether both found the same states.

    The service is started (and every benchmark compiled once) before the timed
    runs, so that neither run pays for it.
    """

    def run(count: int) -> tuple[float, list[tuple[str, str, float | None]]]:
        started = time.perf_counter()
        results = compiler_env.search_benchmarks(
            search, list(benchmarks), lambda: compiler_env.make("llvm-ic-v0"),
            jobs=count, steps=steps, seed=seed,
        )  # fmt: skip
        seconds = time.perf_counter() - started
        return seconds, [(r.state.benchmark, r.state.commandline, r.state.reward) for r in results]

    with compiler_env.make("llvm-ic-v0") as env:  # the local service, and each program compiled
        for uri in benchmarks:
            env.reset(options={"benchmark": uri})
        serial_seconds, serial = run(1)
        parallel_seconds, parallel = run(jobs)
    return {
        "search": search,
        "benchmarks": list(benchmarks),
        "steps": steps,
        "seed": seed,
        "jobs": jobs,
        "serial_s": serial_seconds,
        "parallel_s": parallel_seconds,
        "speedup": serial_seconds / parallel_seconds,
        "same_results": serial == parallel,
    }


def summary(figures: dict[str, Any]) -> str:
    """The figures as one line."""
    return (
        f"{figures['search']} search, {len(figures['benchmarks'])} benchmarks x "
        f"{figures['steps']} steps, seed {figures['seed']}: one job {figures['serial_s']:.2f} s, "
        f"{figures['jobs']} jobs {figures['parallel_s']:.2f} s, {figures['speedup']:.2f}x; "
        f"same best states: {'yes' if figures['same_results'] else 'NO'}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        prog="python -m perf.search",
        description="A search over four benchmarks with one job, then with two.",
    )
    parser.add_argument("steps", nargs="?", type=int, default=3000, help="steps per benchmark")
    print(summary(parallel_search(parser.parse_args().steps)))
