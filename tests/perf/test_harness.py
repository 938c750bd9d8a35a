"""The perf harness measures what it claims, on a tiny setting (no timing is asserted)."""

from __future__ import annotations

from perf.__main__ import table
from perf.measure import measure_benchmark, memory, throughput
from perf.programs import o3_against_o0, program_costs, validation_speedup

SMALL = "benchmark://kernels-v0/nqueens"


def test_one_benchmark_has_every_figure_and_ratio() -> None:
    result = measure_benchmark("small", SMALL, steps=6, reps=1, opt_steps=2, repeat=3)
    assert result["instructions"] > 100
    for key in ("step_ms", "bare_step_ms", "opt_subprocess_step_ms", "reset_ms", "fork_ms",
                "native_walk_ms"):  # fmt: skip
        assert result[key] > 0, key
    assert set(result["ratios"]) >= {"step_vs_bare", "opt_subprocess_vs_step"}
    assert {"InstCount", "Autophase", "Ir"} <= set(result["observations"])
    assert "| step / bare |" in table([result])


def test_memory_and_throughput() -> None:
    figures = memory(SMALL, steps=20, warmup=5)
    assert 0 < figures["worker_idle_mib"] <= figures["worker_after_mib"] * 2
    assert throughput(SMALL, sessions=2, steps=10) > 0


def test_program_costs_and_speeds() -> None:
    costs = program_costs(SMALL, reps=1)
    for key in ("Runtime_ms", "DynamicInstructionCount_ms", "Buildtime_ms", "validate_ms"):
        assert costs[key] > 0, key
    speeds = o3_against_o0([SMALL], runs=2)
    row = speeds["kernels"]["nqueens"]
    assert row["count_o0_vs_o3"] > 1  # deterministic: -O3 executes fewer instructions
    assert row["runtime_o0_vs_o3"] > 0 and speeds["o3_faster"] in (0, 1)
    parallel = validation_speedup([SMALL], states=2, steps=1)
    assert parallel["jobs1_s"] > 0 and parallel["jobs2_s"] > 0


def test_the_shared_programs_side_by_side() -> None:
    from perf.shared import ROWS, shared_costs, side_by_side, slowest_passes

    result = shared_costs("small", episodes=1, steps=6, reps=2, cold=1)
    assert result["steps"] == 6 and sum(p["steps"] for p in result["passes"].values()) == 6
    for _, key, _, _ in ROWS:
        assert result[key] > 0, key
    assert result["IrHash_ms"] > 0 and result["action_space"].endswith("-default")
    tables = side_by_side({"small": result}) + slowest_passes({"small": result})
    assert "| median step (steps/s) |" in tables and "vs" in tables


def test_parallel_search_finds_the_serial_states() -> None:
    from perf.search import parallel_search, summary

    figures = parallel_search(steps=30, benchmarks=["benchmark://kernels-v0/crc32", SMALL])
    assert figures["same_results"] is True
    assert figures["serial_s"] > 0 and figures["parallel_s"] > 0
    assert "2 jobs" in summary(figures) and "same best states: yes" in summary(figures)


def test_the_graphs_parts_by_both_fills() -> None:
    from perf.graphs import graph_costs, summary

    figures = graph_costs(("small",), reps=2)
    row = figures["small"]
    assert row["nodes"] > 100 and row["edges"] > row["nodes"]
    assert row["native_ms"] > 0 and row["c_ms"] > 0 and row["python_ms"] > 0  # CI builds the C fill
    assert "| small |" in summary(figures)
