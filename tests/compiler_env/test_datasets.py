"""Browsing datasets and picking benchmarks through the env."""

from __future__ import annotations

import numpy as np
import pytest

from compiler_env import Benchmark
from compiler_env.errors import BenchmarkNotFound


def test_kernels_are_listed(make_env) -> None:
    env = make_env()
    kernels = env.datasets["kernels-v0"]
    uris = kernels.benchmark_uris()
    assert len(uris) >= 10 and len(kernels) == len(uris) == kernels.size
    assert "benchmark://kernels-v0/crc32" in uris
    assert kernels.license and kernels.description
    assert [d.name for d in env.datasets] == ["kernels-v0"] or "kernels-v0" in [
        d.name for d in env.datasets
    ]
    rng = np.random.default_rng(0)
    assert kernels.random_benchmark(rng).uri in uris
    assert kernels.benchmark("crc32") == Benchmark("benchmark://kernels-v0/crc32")


def test_unknown_benchmarks_are_clear_errors(make_env) -> None:
    env = make_env()
    with pytest.raises(BenchmarkNotFound, match="unknown dataset 'nope'"):
        env.datasets["nope"]
    with pytest.raises(BenchmarkNotFound, match="no benchmark 'benchmark://kernels-v0/zzz'"):
        env.datasets["kernels-v0"].benchmark("zzz")
    with pytest.raises(BenchmarkNotFound, match="has no benchmark 'zzz'"):
        env.reset(options={"benchmark": "benchmark://kernels-v0/zzz"})
    with pytest.raises(BenchmarkNotFound, match="unknown benchmark URI"):
        env.reset(options={"benchmark": "ftp://x/y"})
