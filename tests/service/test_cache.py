"""The cache: only programs that build are kept, its size is capped, and it reports itself."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from compiler_env import cli
from compiler_env.errors import BenchmarkInitError, InvalidArgument
from compiler_env.programs import benchmark_from_source
from service import benchmarks
from service.datasets.cache import EVICTABLE, evict

HEADER = "/* padding */\n" * 100_000  # 1.4 MB of header text


@pytest.fixture(autouse=True)
def cache(monkeypatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("COMPILER_ENV_CACHE", str(tmp_path))
    return tmp_path


def _size(cache: Path) -> int:
    return sum(p.stat().st_size for f in EVICTABLE for p in (cache / f).rglob("*") if p.is_file())


def test_refused_programs_add_nothing_to_the_cache(cache: Path) -> None:
    for i in range(5):
        refused = benchmark_from_source(
            f"#include \"big.h\"\nint f(void) {{ return {i}; }}\n", headers={"big.h": HEADER},
            cflags=["-fplugin=x.so"],
        )  # fmt: skip
        with pytest.raises(InvalidArgument):
            benchmarks.resolve(refused.uri)
        broken = benchmark_from_source(f"int f(void) {{ return {i} }}\n", headers={"big.h": HEADER})
        with pytest.raises(BenchmarkInitError):
            benchmarks.resolve(broken.uri)
    assert _size(cache) == 0


def test_the_cache_keeps_the_most_recently_used_within_its_cap(monkeypatch, cache: Path) -> None:
    monkeypatch.setenv("COMPILER_ENV_CACHE_MIB", "0.05")  # 51 KiB
    programs = [benchmark_from_source(f"int f{i}(void) {{ return {i}; }}\n") for i in range(30)]
    for program in programs:
        benchmarks.resolve(program.uri)
    assert 0 < _size(cache) <= 0.05 * 2**20
    recent = benchmarks.resolve(programs[-1].uri.split("?")[0])  # by its short URI: still kept
    assert recent.bitcode[:4] == b"BC\xc0\xde"
    with pytest.raises(Exception, match="has not received"):
        benchmarks.resolve(programs[0].uri.split("?")[0])  # the oldest went first
    assert evict(0) > 0 and _size(cache) == 0


def test_the_cache_command_reports_each_folder(capsys, cache: Path) -> None:
    benchmarks.resolve(benchmark_from_source("int f(void) { return 1; }\n").uri)
    assert cli.main(["cache"]) == 0
    out = capsys.readouterr().out
    assert str(cache) in out and "capped at 4096 MiB" in out
    assert any(line.split()[0] == "bitcode" and "evictable" in line for line in out.splitlines())
    assert cli.main(["cache", "--clear"]) == 0
    assert _size(cache) == 0
    assert os.path.isdir(cache)
