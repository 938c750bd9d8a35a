"""perf/codesize.py measures both ways on a tiny setting (no timing is asserted)."""

from __future__ import annotations

from perf.codesize import codesize_costs


def test_codesize_costs_has_both_medians() -> None:
    costs = codesize_costs("benchmark://kernels-v0/nqueens", steps=3, seed=1)
    assert costs["incremental_ms"] > 0 and costs["full_ms"] > 0 and costs["unchanged_ms"] > 0
    assert costs["steps"] == 3 and costs["functions"] > 0
    assert costs["speedup"] == costs["full_ms"] / costs["incremental_ms"]
