"""What building and running programs costs: ``Runtime``, ``DynamicInstructionCount``,
``Buildtime`` and ``validate()`` per benchmark, ``-O3`` against ``-O0`` on
every kernel, and the speed-up of ``validate_states(jobs=2)`` over ``jobs=1``."""

from __future__ import annotations

import math
import random
import statistics
import time
from typing import Any

import compiler_env
from compiler_env import validate_states

__all__ = ["o3_against_o0", "program_costs", "validation_speedup"]

#: Passes of each measured step: enough to change the module, so it is built anew.
STEP_PASSES = ("mem2reg", "instcombine", "simplifycfg", "licm")


def _ms(call: Any) -> float:
    began = time.perf_counter()
    call()
    return (time.perf_counter() - began) * 1e3


def program_costs(uri: str, reps: int) -> dict[str, float]:
    """Per observation, the median ms of asking for it on a module just changed
    (so that the program is built, then run), and the median ms of ``validate()``."""
    costs: dict[str, list[float]] = {
        "Runtime": [], "DynamicInstructionCount": [], "Buildtime": [], "validate": [],
    }  # fmt: skip
    built: list[float] = []
    with compiler_env.make("llvm-ic-v0", benchmark=uri) as env:
        env.reset()
        env.observation["SemanticsError"]  # the reference run, cached once per benchmark
        for rep in range(reps):
            for name in ("Runtime", "DynamicInstructionCount", "Buildtime"):
                env.reset()
                env.multistep([env.action_space.index(n) for n in STEP_PASSES[: 2 + rep % 3]])
                costs[name].append(_ms(lambda n=name: env.observation[n]))
            built.append(env.observation["Buildtime"] * 1e3)
            costs["validate"].append(_ms(env.validate))
    figures = {f"{name}_ms": statistics.median(samples) for name, samples in costs.items()}
    figures["build_seconds_ms"] = statistics.median(built)
    return figures


def o3_against_o0(uris: list[str], runs: int = 5) -> dict[str, Any]:
    """Per kernel, the median ``RuntimeO0`` / ``RuntimeO3`` and the same for
    ``DynamicInstructionCount`` (each above 1 where -O3 is faster)."""
    rows = {}
    with compiler_env.make("llvm-v0", runtime_runs=runs) as env:
        for uri in uris:
            env.reset(options={"benchmark": f"{uri}?level=O3"})
            o0, o3 = env.observation["RuntimeO0"], env.observation["RuntimeO3"]
            counts = (
                env.observation["DynamicInstructionCountO0"],
                env.observation["DynamicInstructionCountO3"],
            )
            rows[uri.rsplit("/", 1)[1]] = {
                "runtime_o0_vs_o3": statistics.median(o0) / statistics.median(o3),
                "count_o0_vs_o3": counts[0] / counts[1],
            }
    faster = sum(row["runtime_o0_vs_o3"] > 1 for row in rows.values())
    return {
        "kernels": rows,
        "o3_faster": faster,
        "geomean_runtime_o0_vs_o3": math.exp(
            statistics.mean(math.log(r["runtime_o0_vs_o3"]) for r in rows.values())
        ),
        "geomean_count_o0_vs_o3": math.exp(
            statistics.mean(math.log(r["count_o0_vs_o3"]) for r in rows.values())
        ),
    }


def validation_speedup(uris: list[str], states: int, steps: int = 5) -> dict[str, float]:
    """Seconds to validate ``states`` random episodes with one process and with two."""
    rng = random.Random(0)
    made = []
    with compiler_env.make("llvm-ic-v0") as env:
        for i in range(states):
            env.reset(options={"benchmark": uris[i % len(uris)]})
            env.multistep([env.action_space.index(n) for n in rng.sample(STEP_PASSES, 2)] * steps)
            made.append(env.state)
    timings = {}
    for jobs in (1, 2):
        began = time.perf_counter()
        results = validate_states(made, jobs=jobs)
        timings[f"jobs{jobs}_s"] = time.perf_counter() - began
        assert all(r.ok for r in results), [str(r) for r in results if not r.ok]
    timings["speedup"] = timings["jobs1_s"] / timings["jobs2_s"]
    return timings
