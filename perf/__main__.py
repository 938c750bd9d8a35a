"""``python -m perf [--quick] [--json PATH]``: the costs of the env against bare LLVM.

Measures, on a small, a medium and a large benchmark of kernels-v0, over one
seeded random action sequence: ``step()`` with ``IrInstructionCount`` next to
the bare floor (the same pass through ``LLVMRunPasses`` in one process plus a
native count), the predecessor style (``opt`` as a subprocess per step),
``reset()``, ``fork()``, every observation space alone and what it adds to a
step; then memory of the service and a worker, and throughput with 1, 2, 4
and 8 concurrent sessions; then what building and running programs costs
(``perf/programs.py``); then the predecessor's protocol on the shared programs
beside its recorded figures, with the per-pass table (``perf/shared.py``);
``ObjectTextSizeBytes`` after a step, incremental against a whole-module
compile (``perf/codesize.py``); and the vector env against one env and
``AsyncVectorEnv`` (``perf/vector.py``); resets of a 30-file user program, sent
whole and named by its short URI (``perf/resets.py``); and a search over four
benchmarks with one job against two (``perf/search.py``). Prints tables; ``--json``
also writes the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from typing import Any

import compiler_env
from perf.codesize import codesize_costs, shared_program_uri
from perf.measure import measure_benchmark, memory, throughput
from perf.programs import o3_against_o0, program_costs, validation_speedup
from perf.resets import large_program_resets, summary
from perf.search import parallel_search
from perf.search import summary as search_summary
from perf.shared import (
    PROGRAMS,
    episode_throughput,
    shared_costs,
    side_by_side,
    slowest_passes,
)
from perf.vector import vector_costs

BENCHMARKS = {
    "small": "benchmark://kernels-v0/nqueens",
    "medium": "benchmark://kernels-v0/json_query",
    "large": "benchmark://kernels-v0/sqlite_like",
}


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, {cpu}"


def table(results: list[dict[str, Any]]) -> str:
    """The results as a Markdown table."""
    rows = [
        ("instructions", lambda r: f"{r['instructions']}"),
        ("step() with IrInstructionCount (ms)", lambda r: f"{r['step_ms']:.3f}"),
        ("bare: LLVMRunPasses + native count (ms)", lambda r: f"{r['bare_step_ms']:.3f}"),
        ("step / bare", lambda r: f"{r['ratios']['step_vs_bare']:.2f}"),
        ("step overhead above bare (ms)", lambda r: f"{r['step_overhead_ms']:.3f}"),
        ("opt subprocess per step (ms)", lambda r: f"{r['opt_subprocess_step_ms']:.2f}"),
        ("opt subprocess / step", lambda r: f"{r['ratios']['opt_subprocess_vs_step']:.1f}"),
        ("reset() (ms)", lambda r: f"{r['reset_ms']:.2f}"),
        ("fork() (ms)", lambda r: f"{r['fork_ms']:.2f}"),
        ("native counting walk (ms)", lambda r: f"{r['native_walk_ms']:.4f}"),
    ]
    for name in results[0]["observations"]:
        rows.append(
            (f"{name}: alone / added to a step (ms)",
             lambda r, n=name: f"{r['observations'][n]['alone_ms']:.3f} / "
             f"{r['observations'][n]['added_ms']:.3f}")
        )  # fmt: skip
    for name in ("InstCount", "Autophase"):
        key = f"{name}_added_vs_walk"
        rows.append((f"{name} added / native walk", lambda r, k=key: f"{r['ratios'][k]:.2f}"))
    header = "| | " + " | ".join(f"{r['name']} ({r['benchmark'].split('/')[-1]})" for r in results)
    lines = [header + " |", "|---" * (len(results) + 1) + "|"]
    for label, cell in rows:
        lines.append(f"| {label} | " + " | ".join(cell(r) for r in results) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m perf", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps and repetitions")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args()
    quick = args.quick
    settings = dict(
        steps=100 if quick else 200, reps=2 if quick else 5,
        opt_steps=15 if quick else 40, repeat=30 if quick else 100,
    )  # fmt: skip
    print(f"machine: {machine()}", flush=True)
    results = []
    for label, uri in BENCHMARKS.items():
        print(f"measuring {label}: {uri} ...", file=sys.stderr, flush=True)
        results.append(measure_benchmark(label, uri, **settings))
    medium = next(r for r in results if r["name"] == "medium")
    print("measuring memory ...", file=sys.stderr, flush=True)
    medium["memory"] = memory(medium["benchmark"], steps=1000)
    print("measuring throughput ...", file=sys.stderr, flush=True)
    medium["throughput_steps_per_s"] = {
        str(n): throughput(medium["benchmark"], n, steps=100 if quick else 300)
        for n in (1, 2, 4, 8)
    }
    print(table(results))
    m = medium["memory"]
    print(
        f"\nmemory (medium): service {m['service_idle_mib']:.0f} MiB idle, "
        f"{m['service_after_mib']:.0f} MiB after; worker {m['worker_idle_mib']:.0f} MiB idle, "
        f"{m['worker_warm_mib']:.0f} MiB warm, {m['worker_after_mib']:.0f} MiB after "
        f"{m['steps']} more steps ({100 * m['worker_growth']:+.1f}%)"
    )
    rates = ", ".join(f"{n}: {rate:.0f}" for n, rate in medium["throughput_steps_per_s"].items())
    print(f"throughput (medium, steps/s by concurrent sessions): {rates}")
    programs = measure_programs(results, quick)
    side_by_side = measure_shared(quick)
    codesize = measure_codesize(quick)
    vector = measure_vector(quick)
    print("measuring resets of a large program ...", file=sys.stderr, flush=True)
    resets = large_program_resets(resets=10 if quick else 30)
    print(f"\n{summary(resets)}")
    print("measuring a search with one job and two ...", file=sys.stderr, flush=True)
    search = parallel_search(steps=1000 if quick else 3000)
    print(f"\n{search_summary(search)}")
    if args.json:
        with open(args.json, "w") as out:
            figures = {"benchmarks": results, "programs": programs, "shared": side_by_side,
                       "codesize": codesize, "vector": vector, "resets": resets,
                       "search": search}  # fmt: skip
            json.dump(figures, out, indent=2, default=lambda value: value.item())  # numpy scalars
    return 0


def measure_programs(results: list[dict[str, Any]], quick: bool) -> dict[str, Any]:
    """Prints and returns the costs of building and running programs."""
    print("measuring programs ...", file=sys.stderr, flush=True)
    costs = {r["name"]: program_costs(r["benchmark"], reps=3 if quick else 7) for r in results}
    print("\n| program costs, median ms | " + " | ".join(costs) + " |")
    print("|---" * (len(costs) + 1) + "|")
    for key in ("Runtime_ms", "DynamicInstructionCount_ms", "Buildtime_ms", "build_seconds_ms",
                "validate_ms"):  # fmt: skip
        label = {"build_seconds_ms": "Buildtime's value"}.get(key, key.removesuffix("_ms"))
        print(f"| {label} | " + " | ".join(f"{c[key]:.1f}" for c in costs.values()) + " |")
    with compiler_env.make("llvm-v0") as env:
        kernels = list(env.datasets["kernels-v0"].benchmark_uris())
    speeds = o3_against_o0(kernels)
    print(
        f"\n-O3 against -O0 (from ?level=O3 starts): -O3 is faster on {speeds['o3_faster']} of "
        f"{len(speeds['kernels'])} kernels; geomean RuntimeO0/RuntimeO3 "
        f"{speeds['geomean_runtime_o0_vs_o3']:.2f}, DynamicInstructionCount O0/O3 "
        f"{speeds['geomean_count_o0_vs_o3']:.2f}"
    )
    parallel = validation_speedup(kernels, states=10 if quick else 40)
    print(
        f"validate_states: jobs=1 {parallel['jobs1_s']:.1f} s, jobs=2 {parallel['jobs2_s']:.1f} s, "
        f"speed-up {parallel['speedup']:.2f}"
    )
    return {"costs": costs, "o3_against_o0": speeds, "validation": parallel}


def measure_shared(quick: bool) -> dict[str, Any]:
    """Prints and returns the predecessor's protocol on the shared programs, side by side."""
    results = {}
    for label in ("small", "medium", "large"):
        print(f"measuring the shared {label} program ...", file=sys.stderr, flush=True)
        settings = dict(episodes=2, steps=50, reps=5, cold=2) if quick else {}
        results[label] = shared_costs(label, **settings)  # type: ignore[arg-type]
    print(
        "\nSide by side with the predecessor on ../shared/perf-programs/ (ours from this run, "
        "its better recorded run; ratio > 1: we are better)\n"
    )
    print(side_by_side(results))
    kernels = {}
    for label, uri in BENCHMARKS.items():
        print(f"measuring random episodes on {uri} ...", file=sys.stderr, flush=True)
        settings = dict(episodes=2, steps=50) if quick else {}
        kernels[f"{label} kernel"] = episode_throughput(uri, **settings)  # type: ignore[arg-type]
    rates = ", ".join(
        f"{name.removesuffix(' kernel')} ({BENCHMARKS[name.split()[0]].split('/')[-1]}) "
        f"{r['episode_per_s']:.0f} (median step {r['step_per_s']:.0f}/s)"
        for name, r in kernels.items()
    )
    print(f"\nrandom-episode throughput on kernels-v0, steps/s: {rates}")
    print("\nThe passes that took the most step time in those random episodes\n")
    print(slowest_passes({**results, **kernels}))
    return {**results, **kernels}


def measure_codesize(quick: bool) -> dict[str, Any]:
    """Prints and returns ObjectTextSizeBytes after a step: incremental against whole."""
    print("measuring ObjectTextSizeBytes ...", file=sys.stderr, flush=True)
    programs = {
        "medium (json_query)": BENCHMARKS["medium"],
        "large (sqlite_like)": BENCHMARKS["large"],
        "shared medium.c": shared_program_uri(str(PROGRAMS / "medium.c")),
        "shared large.c": shared_program_uri(str(PROGRAMS / "large.c")),
    }
    figures = {
        name: codesize_costs(uri, steps=15 if quick else 40) for name, uri in programs.items()
    }
    print("\n| ObjectTextSizeBytes after a one-pass step, median ms | incremental | whole "
          "module | whole / incremental | functions compiled |")  # fmt: skip
    print("|---|---|---|---|---|")
    for name, c in figures.items():
        print(f"| {name} | {c['incremental_ms']:.1f} | {c['full_ms']:.1f} | {c['speedup']:.1f} "
              f"| {c['compiled_per_step']} of {c['functions']} |")  # fmt: skip
    return figures


def measure_vector(quick: bool) -> dict[str, Any]:
    """Prints and returns the vector env against one env and AsyncVectorEnv."""
    print("measuring the vector env ...", file=sys.stderr, flush=True)
    figures = vector_costs(steps=100 if quick else 200, rounds=2 if quick else 3)
    own, memory = figures["own_actions"], figures["memory"]
    same = figures["same_actions"]
    print(
        f"\nvector env (2 sub-envs, medium): {same['vector_steps_per_s']:.0f} steps/s with the "
        f"same actions in both ({same['vector_vs_one']:.2f}x one env, "
        f"{same['vector_vs_async']:.2f}x AsyncVectorEnv); {own['vector_steps_per_s']:.0f} "
        f"steps/s with their own ({own['vector_vs_one']:.2f}x one env, "
        f"{own['vector_vs_async']:.2f}x AsyncVectorEnv; lock-step bound "
        f"{own['lockstep_bound']:.2f}x); memory {memory['vector']['total_mib']:.0f} MiB vs "
        f"AsyncVectorEnv's {memory['async']['total_mib']:.0f} MiB"
    )
    return figures


if __name__ == "__main__":
    sys.exit(main())
