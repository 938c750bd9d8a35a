"""What ``ObjectTextSizeBytes`` costs after a step: the incremental path
(``features.TextSizeCache``, docs/codesize.md) against a whole-module compile.

``python -m perf.codesize [uri ...]`` prints the figures for each benchmark.
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any

import numpy as np

from compiler_env.programs import benchmark_from_file
from perf.measure import CRASHERS
from perf.shared import CSMITH_INCLUDE, PROGRAMS
from service import benchmarks
from service.episode import Episode
from service.llvm.actions import ActionTable, load_actions
from service.llvm.toolchain import find_toolchain

__all__ = ["codesize_costs", "safe_actions", "shared_program_uri"]


def safe_actions(table: ActionTable) -> list[int]:
    """Indices of the actions that neither crash (``CRASHERS``) nor miscompile or
    change from run to run (the pass audit's ``unsafe``)."""
    left_out = set(CRASHERS) | set(table.unsafe) | set(table.slow)
    return [i for i, action in enumerate(table.actions) if action.name not in left_out]


def shared_program_uri(path: str) -> str:
    """The URI of a Csmith program of ``../shared/perf-programs`` (it needs
    Csmith's headers, which a ``file://`` URI cannot name)."""
    return benchmark_from_file(path, include_dirs=[CSMITH_INCLUDE]).uri


def _ms(call: Any) -> tuple[float, Any]:
    began = time.perf_counter()
    value = call()
    return (time.perf_counter() - began) * 1e3, value


def codesize_costs(uri: str, steps: int, seed: int = 0) -> dict[str, Any]:
    """Median ms of ``ObjectTextSizeBytes`` after each of ``steps`` one-pass steps
    of a seeded random episode, by the incremental path and by a whole-module
    compile, both in-process on an ``Episode`` of the benchmark ``uri``.

    The episode's size is computed once before the first step (as an agent
    rewarded by code size does at reset); each step then applies one action and
    asks for the size both ways, which must agree.

    Returns:
        ``incremental_ms`` and ``full_ms`` (medians), their ratio ``speedup``,
        ``unchanged_ms`` (the size asked for again of a module no step changed),
        ``steps``, and from the cache's counters ``whole_module_steps`` (steps
        answered by a whole-module compile), ``compiled_per_step`` (median
        functions compiled) and ``functions`` (functions with a body at the end).
    """
    table = load_actions(find_toolchain().major)
    allowed = safe_actions(table)
    rng = np.random.default_rng(seed)
    episode = Episode(benchmarks.resolve(uri), table)
    incremental: list[float] = []
    full: list[float] = []
    compiled: list[int] = []
    try:
        episode.text_size()
        for _ in range(steps):
            episode.apply([int(rng.choice(allowed))])
            fast, size = _ms(episode.text_size)
            slow, reference = _ms(lambda: episode.module.text_size(episode.machine))
            if size != reference:
                raise AssertionError(
                    f"{uri}: incremental size {size} != whole-module size {reference} after "
                    f"{[table[a].name for a in episode.actions]}"
                )
            incremental.append(fast)
            full.append(slow)
            compiled.append(episode.text_size_stats().last_compiled)
        unchanged = [_ms(episode.text_size)[0] for _ in range(10)]
        stats = episode.text_size_stats()
        functions = stats.compiled + stats.reused
    finally:
        episode.close()
    median_fast, median_slow = statistics.median(incremental), statistics.median(full)
    return {
        "benchmark": uri if not uri.startswith("inline://") else uri.split("?", 1)[0],
        "steps": steps,
        "incremental_ms": median_fast,
        "full_ms": median_slow,
        "speedup": median_slow / median_fast,
        "unchanged_ms": statistics.median(unchanged),
        "whole_module_steps": stats.whole_module,
        "compiled_per_step": statistics.median(compiled),
        "functions": functions // max(stats.calls, 1),
    }


def main(argv: list[str]) -> None:
    uris = argv or [
        "benchmark://kernels-v0/json_query",
        "benchmark://kernels-v0/sqlite_like",
        shared_program_uri(str(PROGRAMS / "medium.c")),
        shared_program_uri(str(PROGRAMS / "large.c")),
    ]
    for uri in uris:
        costs = codesize_costs(uri, steps=40, seed=0)
        print(
            f"{costs['benchmark']}: ObjectTextSizeBytes after a step: "
            f"{costs['incremental_ms']:.2f} / {costs['full_ms']:.2f} ms (incremental / full, "
            f"x{costs['speedup']:.1f}; {costs['unchanged_ms']:.2f} ms on an unchanged module; "
            f"{costs['whole_module_steps']} of {costs['steps']} steps "
            f"compiled the whole module; median {costs['compiled_per_step']} functions "
            "compiled per step)",
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1:])
