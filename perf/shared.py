"""The predecessor's protocol on the shared programs, beside its recorded figures.

The three C programs of ``../shared/perf-programs/`` (a hand-written one and two
Csmith outputs) were measured with the predecessor (LLVM 10, its C++ service
over gRPC on loopback); its figures are in that folder's README and in
``PREDECESSOR`` below. ``shared_costs`` measures compiler_env on the same
sources with the same protocol: 20 repetitions per observation and per warm
reset, 5 cold resets, 5 episodes of 100 uniformly random single-pass steps over
the default action space with the ``IrInstructionCount`` observation; medians.
Observations are measured as a search uses them: each asked for alone after
each one-pass step of an episode.

The per-pass table (``pass_costs``) comes from the same episodes: each step's
cost grouped by its pass.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

import compiler_env
from compiler_env.datasets import Benchmark
from compiler_env.programs import benchmark_from_file
from perf.measure import _ms, _rss_mib
from perf.measure import _time as _timed

__all__ = [
    "PREDECESSOR",
    "PROGRAMS",
    "episode_throughput",
    "shared_benchmark",
    "shared_costs",
    "side_by_side",
    "slowest_passes",
]

#: Where the shared programs are, and Csmith's headers (Debian's libcsmith-dev).
PROGRAMS = Path(__file__).resolve().parent.parent.parent / "shared" / "perf-programs"
CSMITH_INCLUDE = "/usr/include/csmith"

#: The predecessor's recorded figures (``../shared/perf-programs/README.md``): two runs each.
PREDECESSOR: dict[str, dict[str, tuple[float, float]]] = {
    "small": {
        "step_per_s": (1517, 2202), "episode_per_s": (1236, 1806), "reset_ms": (1.23, 1.32),
        "cold_reset_ms": (472, 469), "Ir_ms": (0.49, 0.39), "Bitcode_ms": (0.68, 0.49),
        "InstCount_ms": (0.29, 0.28), "Autophase_ms": (0.29, 0.26),
        "IrInstructionCount_ms": (0.29, 0.26), "ObjectTextSizeBytes_ms": (74.7, 71.5),
        "Programl_ms": (16.8, 11.6), "memory_mb": (29, 29),
    },
    "medium": {
        "step_per_s": (722, 680), "episode_per_s": (379, 388), "reset_ms": (8.5, 9.6),
        "cold_reset_ms": (736, 678), "Ir_ms": (4.36, 2.88), "Bitcode_ms": (2.40, 3.66),
        "InstCount_ms": (0.45, 0.35), "Autophase_ms": (0.57, 0.44),
        "IrInstructionCount_ms": (0.55, 0.36), "ObjectTextSizeBytes_ms": (105.6, 105.1),
        "Programl_ms": (324, 306), "memory_mb": (90, 46),
    },
    "large": {
        "step_per_s": (270, 366), "episode_per_s": (153, 190), "reset_ms": (26.2, 23.2),
        "cold_reset_ms": (1692, 1533), "Ir_ms": (11.2, 12.4), "Bitcode_ms": (10.8, 12.1),
        "InstCount_ms": (0.38, 0.43), "Autophase_ms": (1.03, 0.65),
        "IrInstructionCount_ms": (0.73, 0.46), "ObjectTextSizeBytes_ms": (195.6, 213.2),
        "Programl_ms": (1974, 1961), "memory_mb": (130, 139),
    },
}  # fmt: skip

OBSERVATIONS = ("Ir", "IrSha1", "IrHash", "Bitcode", "InstCount", "Autophase",
                "IrInstructionCount", "ObjectTextSizeBytes", "ProgramlArrays", "ProgramlJson",
                "Programl", "IrTokens")  # fmt: skip


def shared_benchmark(label: str, variant: str = "") -> Benchmark:
    """The shared program ``label`` (small, medium or large) as a benchmark.

    A ``variant`` (a comment appended to the source) makes a program the
    service has never seen, for cold resets.
    """
    if not variant:
        return benchmark_from_file(PROGRAMS / f"{label}.c", include_dirs=[CSMITH_INCLUDE])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{label}.c"
        path.write_text(f"{(PROGRAMS / f'{label}.c').read_text()}\n/* {variant} */\n")
        return benchmark_from_file(path, include_dirs=[CSMITH_INCLUDE])


def random_episodes(
    env: compiler_env.CompilerEnv, episodes: int, steps: int, seed: int
) -> list[tuple[str, float]]:
    """Seeded uniformly random episodes over ``env.action_space``: (pass, seconds) per step.

    A step that ends the episode (a crash of the pass) ends that episode early.
    """
    rng = np.random.default_rng(seed)
    timed: list[tuple[str, float]] = []
    for _ in range(episodes):
        env.reset()
        for action in rng.integers(env.action_space.n, size=steps):
            started = time.perf_counter()
            _, _, terminated, truncated, _ = env.step(int(action))
            timed.append((env.action_space.names[int(action)], time.perf_counter() - started))
            if terminated or truncated:
                break
    return timed


def episode_throughput(
    benchmark: str | Benchmark, *, episodes: int = 5, steps: int = 100, seed: int = 0
) -> dict[str, Any]:
    """The random-episode protocol alone on any benchmark: steps/s and the per-pass table."""
    with compiler_env.make("llvm-v0", benchmark=benchmark,
                           observation_space="IrInstructionCount") as env:  # fmt: skip
        timed = random_episodes(env, episodes, steps, seed)
    seconds = [s for _, s in timed]
    return {
        "steps": len(seconds),
        "step_per_s": 1 / statistics.median(seconds),
        "episode_per_s": len(seconds) / sum(seconds),
        "passes": pass_costs(timed),
    }


def pass_costs(timed: list[tuple[str, float]]) -> dict[str, dict[str, float]]:
    """Per pass: how often it ran, and its median and maximum step cost (ms)."""
    by_pass: dict[str, list[float]] = {}
    for name, seconds in timed:
        by_pass.setdefault(name, []).append(seconds)
    return {
        name: {"steps": len(s), "median_ms": _ms(s), "max_ms": max(s) * 1e3, "total_s": sum(s)}
        for name, s in sorted(by_pass.items())
    }


def reset_after_steps(env: compiler_env.CompilerEnv, steps: int, reps: int, seed: int) -> float:
    """Median ms of a reset that follows an episode of ``steps`` random steps."""
    rng = np.random.default_rng(seed)
    samples = []
    for _ in range(reps):
        env.multistep([int(a) for a in rng.integers(env.action_space.n, size=steps)])
        samples.append(_timed(env.reset))
    return _ms(samples)


def observation_costs(
    env: compiler_env.CompilerEnv, reps: int, seed: int, names: tuple[str, ...] | None = None
) -> dict[str, float]:
    """Median ms of each observation asked for alone after each of ``reps`` one-pass
    steps of an episode (one episode per observation, from the start)."""
    names = OBSERVATIONS if names is None else names
    rng = np.random.default_rng(seed)
    steps = [int(a) for a in rng.integers(env.action_space.n, size=reps)]
    costs = {}
    for name in names:
        env.reset()
        samples = []
        for action in steps:
            env.step(action)
            samples.append(_timed(lambda name=name: env.compute_observations([name])))
        costs[f"{name}_ms"] = _ms(samples)
    return costs


def shared_costs(
    label: str, *, episodes: int = 5, steps: int = 100, reps: int = 20, cold: int = 5,
    seed: int = 0,
) -> dict[str, Any]:  # fmt: skip
    """Every figure of the predecessor's protocol for the shared program ``label``."""
    from compiler_env import services

    benchmark = shared_benchmark(label)
    with compiler_env.make("llvm-v0", benchmark=benchmark,
                           observation_space="IrInstructionCount") as env:  # fmt: skip
        env.reset()
        instructions = env.observation["IrInstructionCount"]
        timed = random_episodes(env, episodes, steps, seed)
        seconds = [s for _, s in timed]
        figures: dict[str, Any] = {
            "program": label,
            "instructions": instructions,
            "action_space": env.action_space.name,
            "steps": len(seconds),
            "step_per_s": 1 / statistics.median(seconds),
            "episode_per_s": len(seconds) / sum(seconds),
            "passes": pass_costs(timed),
        }
        env.reset()
        figures["reset_ms"] = _ms([_timed(env.reset) for _ in range(reps)])
        figures["reset_after_1_ms"] = reset_after_steps(env, 1, reps, seed)
        figures["reset_after_10_ms"] = reset_after_steps(env, 10, reps, seed)
        figures.update(observation_costs(env, reps, seed + 1))
        assert services.LOCAL.current is not None
        pids = [services.LOCAL.current.process.pid, env.session_info.worker_pid]
        figures["memory_mb"] = sum(_rss_mib(pid) for pid in pids) * 1.048576
        colds = []
        for i in range(cold):
            fresh = shared_benchmark(label, variant=f"cold {os.getpid()} {time.time()} {i}")
            colds.append(_timed(lambda fresh=fresh: env.reset(options={"benchmark": fresh})))
        figures["cold_reset_ms"] = _ms(colds)
    return figures


#: Rows of the side-by-side table: label, our key, the predecessor's key (if another),
#: whether more is better.
ROWS = (
    ("median step (steps/s)", "step_per_s", "", True),
    ("random-episode throughput (steps / total step time)", "episode_per_s", "", True),
    ("`ObjectTextSizeBytes` after a one-pass step (ms)", "ObjectTextSizeBytes_ms", "", False),
    ("`Ir` (ms)", "Ir_ms", "", False),
    ("`Bitcode` (ms)", "Bitcode_ms", "", False),
    ("`InstCount` (ms)", "InstCount_ms", "", False),
    ("`Autophase` (ms)", "Autophase_ms", "", False),
    ("`IrInstructionCount` (ms)", "IrInstructionCount_ms", "", False),
    ("`Programl` (ms)", "Programl_ms", "", False),
    ("reset, same benchmark again (ms)", "reset_ms", "", False),
    ("reset after a 1-step episode (ms)", "reset_after_1_ms", "reset_ms", False),
    ("reset after a 10-step episode (ms)", "reset_after_10_ms", "reset_ms", False),
    ("reset, benchmark never seen (ms)", "cold_reset_ms", "", False),
    ("service + worker memory, RSS after the run (MB)", "memory_mb", "", False),
)


def _cell(value: float, recorded: tuple[float, float], more_is_better: bool) -> str:
    """Ours vs the predecessor's better run, and the ratio (>1: we are better)."""
    best = max(recorded) if more_is_better else min(recorded)
    ratio = value / best if more_is_better else best / value
    shown = f"{value:,.0f}" if value >= 100 else f"{value:.3g}"
    theirs = f"{best:,.0f}" if best >= 100 else f"{best:.3g}"
    return f"{shown} vs {theirs}: **{ratio:.2f}x**"


def side_by_side(results: dict[str, dict[str, Any]]) -> str:
    """The Markdown table: ours vs the predecessor's better run, per program."""
    lines = ["| | " + " | ".join(results) + " |", "|---" * (len(results) + 1) + "|"]
    for label, key, theirs, more in ROWS:
        recorded = theirs or key  # the predecessor's figure it compares with
        cells = [_cell(r[key], PREDECESSOR[name][recorded], more) for name, r in results.items()]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    for extra in ("IrSha1_ms", "IrHash_ms", "ProgramlArrays_ms", "ProgramlJson_ms", "IrTokens_ms"):
        cells = [f"{r[extra]:.3g} ({r[extra] / r['Ir_ms']:.2f} of `Ir`)" for r in results.values()]
        lines.append(f"| `{extra.removesuffix('_ms')}` (ms) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def slowest_passes(results: dict[str, dict[str, Any]], top: int = 8) -> str:
    """The passes that took the most step time on any program, as a Markdown table."""
    totals: dict[str, float] = {}
    for r in results.values():
        for name, cost in r["passes"].items():
            totals[name] = max(totals.get(name, 0.0), cost["total_s"])
    names = sorted(totals, key=totals.get, reverse=True)[:top]  # type: ignore[arg-type]
    head = " | ".join(f"{label}: median / max ms" for label in results)
    lines = [f"| pass | {head} |", "|---" * (len(results) + 1) + "|"]
    for name in names:
        cells = []
        for r in results.values():
            cost = r["passes"].get(name)
            cells.append(f"{cost['median_ms']:.2f} / {cost['max_ms']:.1f}" if cost else "-")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
