"""Browsing datasets, picking benchmarks, and benchmarks of the user's own programs."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from compiler_env import Benchmark
from compiler_env.connection import Connection
from compiler_env.datasets import SeedUris
from compiler_env.errors import BenchmarkInitError, BenchmarkNotFound, InvalidArgument
from compiler_env.programs import (
    benchmark_from_dir,
    benchmark_from_file,
    benchmark_from_files,
    benchmark_from_ir,
    benchmark_from_source,
)
from service.proto import compiler_env_pb2 as pb

REPO = Path(__file__).resolve().parents[2]
SQUARE = "int square(int x) { return x * x; }\n"
MAIN = '#include "square.h"\nint main(void) { return square(N) - N * N; }\n'


def test_kernels_are_listed(make_env) -> None:
    env = make_env()
    kernels = env.datasets["kernels-v0"]
    uris = kernels.benchmark_uris()
    assert isinstance(uris, list) and len(uris) >= 10 and len(kernels) == len(uris) == kernels.size
    assert "benchmark://kernels-v0/crc32" in uris
    assert kernels.license and kernels.description and not kernels.unbounded
    assert "kernels-v0" in [d.name for d in env.datasets]
    rng = np.random.default_rng(0)
    assert kernels.random_benchmark(rng).uri in uris
    assert kernels.benchmark("crc32") == Benchmark("benchmark://kernels-v0/crc32")
    assert env.datasets.benchmark("benchmark://kernels-v0/crc32").uri.endswith("crc32")


@pytest.mark.parametrize("name", ["csmith-v0", "llvm-stress-v0"])
def test_generators_are_unbounded_datasets(make_env, name: str) -> None:
    env = make_env()
    dataset = env.datasets[name]
    assert dataset.size == math.inf and dataset.unbounded
    assert dataset.description and dataset.license
    uris = dataset.benchmark_uris()
    assert isinstance(uris, SeedUris)
    assert uris[:3] == [f"generator://{name}/{seed}" for seed in range(3)]
    top = {"csmith-v0": 2**32 - 1, "llvm-stress-v0": 2**31 - 1}[name]
    assert uris[-1] == f"generator://{name}/{top}" and dataset.max_seed == top
    first = []
    for uri in uris:  # lazy: iterating does not build the whole list
        first.append(uri)
        if len(first) == 5:
            break
    assert first == uris[:5]
    with pytest.raises(TypeError, match="unbounded"):
        len(dataset)
    assert dataset.benchmark(7) == Benchmark(f"generator://{name}/7")
    assert env.datasets.benchmark(f"generator://{name}/8").uri == f"generator://{name}/8"
    with pytest.raises(BenchmarkNotFound, match=f"a seed from 0 to {top}"):
        dataset.benchmark(str(top + 1))
    assert f"generator://{name}/07" not in uris
    seeds = [int(dataset.random_benchmark(np.random.default_rng(i)).uri.rsplit("/", 1)[1])
             for i in range(20)]  # fmt: skip
    assert all(0 <= seed <= top for seed in seeds)


def test_the_service_lists_pages_of_uris(service) -> None:
    connection = Connection(service.address)
    try:
        page = connection.call(
            "ListBenchmarks", pb.ListBenchmarksRequest(dataset="csmith-v0", offset=5, count=3)
        )
        assert list(page.uris) == [f"generator://csmith-v0/{s}" for s in (5, 6, 7)]
        kernels = connection.call("ListBenchmarks", pb.ListBenchmarksRequest(dataset="kernels-v0"))
        page = connection.call(
            "ListBenchmarks", pb.ListBenchmarksRequest(dataset="kernels-v0", offset=2, count=2)
        )
        assert list(page.uris) == list(kernels.uris)[2:4]
        with pytest.raises(InvalidArgument, match="unbounded"):
            connection.call("ListBenchmarks", pb.ListBenchmarksRequest(dataset="csmith-v0"))
        infos = connection.call("ListDatasets", pb.ListDatasetsRequest()).datasets
        sizes = {info.name: (info.size, info.uri_prefix) for info in infos}
        assert sizes["csmith-v0"] == (-1, "generator://csmith-v0/")
        assert sizes["kernels-v0"][1] == "benchmark://kernels-v0/"
    finally:
        connection.close()


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
    with pytest.raises(BenchmarkNotFound, match="seed from 0 to 4294967295"):
        env.reset(options={"benchmark": "generator://csmith-v0/-1"})
    with pytest.raises(BenchmarkNotFound, match="is a generator"):
        env.reset(options={"benchmark": "benchmark://csmith-v0/1"})
    with pytest.raises(BenchmarkNotFound, match="three slashes: file:///tmp/prog.c"):
        env.reset(options={"benchmark": "file://tmp/prog.c"})  # "tmp" would be a host


# -- the user's own programs ---------------------------------------------------------------


@pytest.fixture
def program(tmp_path: Path) -> Path:
    """A two-file C program with a header, in its own folder."""
    folder = tmp_path / "program"
    folder.mkdir()
    (folder / "square.h").write_text("int square(int x);\n")
    (folder / "square.c").write_text(SQUARE)
    (folder / "main.c").write_text(MAIN)
    return folder


def _episode(env, benchmark) -> tuple[int, int]:
    """Resets on the benchmark, steps; returns the instruction counts before and after."""
    env.reset(options={"benchmark": benchmark})
    count = env.observation["IrInstructionCount"]
    env.step(env.action_space.index("mem2reg"))
    return count, env.observation["IrInstructionCount"]


def test_user_c_programs(make_env, program: Path) -> None:
    env = make_env("llvm-ic-v0")
    single = program / "alone.c"
    single.write_text(SQUARE + "int main(void) { return square(3) - 9; }\n")
    assert _episode(env, benchmark_from_file(single))[0] > 0
    assert _episode(env, f"file://{single}")[0] > 0
    files = benchmark_from_files([program / "main.c", program / "square.c"], cflags=["-DN=4"])
    single.unlink()
    whole = benchmark_from_dir(program, cflags=["-DN=4"])
    assert whole == files  # the same files and flags: the same benchmark
    counts = _episode(env, whole)
    sha1 = env.observation["IrSha1"]
    assert counts[0] > counts[1] > 0 and env.benchmark == whole.uri
    env.benchmark = files  # the setter takes a Benchmark too
    env.reset()
    assert env.observation["IrInstructionCount"] == counts[0]
    # The program travels in the URI, so the service needs none of the files.
    for path in program.iterdir():
        path.unlink()
    assert _episode(env, whole) == counts and env.observation["IrSha1"] == sha1


def test_user_source_text_with_headers_and_defines(make_env, tmp_path: Path) -> None:
    include = tmp_path / "include"
    include.mkdir()
    (include / "square.h").write_text("static int square(int x) { return x * x; }\n")
    env = make_env()
    b = benchmark_from_source(MAIN, include_dirs=[include], defines={"N": 5})
    assert _episode(env, b)[0] > 0
    b = benchmark_from_source(MAIN, headers={"square.h": "#define square(x) ((x) * (x))\n"},
                              cflags=["-DN=5"])  # fmt: skip
    _, info = env.reset(options={"benchmark": b})
    assert info["benchmark"] == b.name and b.name.startswith("inline://") and "?" not in b.name
    fork = env.fork()  # the service resolves the short URI from its own cache
    try:
        assert fork.observation["IrSha1"] == env.observation["IrSha1"]
    finally:
        fork.close()


def test_user_ir_files_and_text(make_env, tmp_path: Path, toolchain) -> None:
    env = make_env()
    (tmp_path / "square.c").write_text(SQUARE)
    text = tmp_path / "square.ll"
    subprocess.run(
        [str(toolchain.tool("clang")), "-O0", "-Xclang", "-disable-O0-optnone", "-S",
         "-emit-llvm", "square.c", "-o", text.name],
        cwd=tmp_path, check=True,
    )  # fmt: skip
    bitcode = tmp_path / "square.bc"
    subprocess.run([str(toolchain.tool("llvm-as")), str(text), "-o", str(bitcode)], check=True)
    from_text = _episode(env, benchmark_from_file(text))
    assert from_text[0] > from_text[1] > 0
    assert _episode(env, benchmark_from_file(bitcode)) == from_text
    assert _episode(env, f"file://{text}") == from_text
    assert _episode(env, f"file://{bitcode}") == from_text
    assert _episode(env, benchmark_from_ir(text.read_text())) == from_text
    assert _episode(env, benchmark_from_ir(bitcode.read_bytes())) == from_text


def test_c_that_does_not_compile_gives_the_compiler_message(make_env, tmp_path: Path) -> None:
    env = make_env()
    bad = tmp_path / "bad.c"
    bad.write_text("int main(void) {\n  return undeclared_thing;\n}\n")
    for benchmark in (benchmark_from_file(bad), f"file://{bad}"):
        with pytest.raises(BenchmarkInitError) as caught:
            env.reset(options={"benchmark": benchmark})
        message = str(caught.value)
        assert "compilation failed" in message
        assert "bad.c:2:10: error: use of undeclared identifier 'undeclared_thing'" in message


def test_user_benchmark_errors_are_clear(make_env, tmp_path: Path) -> None:
    with pytest.raises(BenchmarkNotFound, match="no such file"):
        benchmark_from_file(tmp_path / "absent.c")
    with pytest.raises(InvalidArgument, match="holds no .c, .ll or .bc file"):
        benchmark_from_dir(tmp_path)
    with pytest.raises(InvalidArgument, match="expected a .c, .ll or .bc file"):
        (tmp_path / "notes.txt").write_text("hello")
        benchmark_from_file(tmp_path / "notes.txt")
    env = make_env()
    plugin = benchmark_from_source("int main(void) { return 0; }", cflags=["-fplugin=/x.so"])
    with pytest.raises(InvalidArgument, match="'-fplugin=/x.so' is not accepted"):
        env.reset(options={"benchmark": plugin})
    unseen = "inline://" + "ab" * 32
    with pytest.raises(BenchmarkNotFound, match="has not received"):
        env.reset(options={"benchmark": unseen})


def test_cli_lists_datasets_with_sizes() -> None:
    env = {k: v for k, v in os.environ.items() if k != "COMPILER_ENV_DATASETS"}
    result = subprocess.run(
        [sys.executable, "-m", "compiler_env.cli", "datasets"],
        capture_output=True, text=True, timeout=120, cwd=REPO, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    sizes = {line.split()[0]: line.split()[1] for line in result.stdout.splitlines()}
    assert sizes["csmith-v0"] == sizes["llvm-stress-v0"] == "unbounded"
    assert int(sizes["kernels-v0"]) >= 10
    result = subprocess.run(
        [sys.executable, "-m", "compiler_env.cli", "benchmarks", "llvm-stress-v0", "--count", "2"],
        capture_output=True, text=True, timeout=120, cwd=REPO, env=env,
    )  # fmt: skip
    assert result.stdout.split() == ["generator://llvm-stress-v0/0", "generator://llvm-stress-v0/1"]


POSIX_ONLY = """
#include <stdlib.h>
int main(void) { void *p; int failed = posix_memalign(&p, 64, 128); free(p); return failed; }
"""
PRE_C99 = "main() { int x = twice(3); return x - 6; }\ntwice(a) int a; { return a + a; }\n"


def test_c_compiles_as_clang_compiles_it_and_legacy_c_gets_a_hint(make_env) -> None:
    from compiler_env import benchmark_from_source

    env = make_env(observation_space="IrInstructionCount")
    count, _ = env.reset(options={"benchmark": benchmark_from_source(POSIX_ONLY)})  # gnu17
    assert count > 0 and env.observation["IsRunnable"] == 1
    with pytest.raises(BenchmarkInitError, match=r"strict ISO C \(-std=c11\).*_POSIX_C_SOURCE"):
        env.reset(options={"benchmark": benchmark_from_source(POSIX_ONLY, cflags=["-std=c11"])})
    with pytest.raises(BenchmarkInitError, match="before C99.*-std=gnu89") as legacy:
        env.reset(options={"benchmark": benchmark_from_source(PRE_C99)})
    assert str(legacy.value).count("defaults to 'int'") == 2  # clang's two messages, once each
    gnu89 = benchmark_from_source(PRE_C99, cflags=["-std=gnu89"])
    count, _ = env.reset(options={"benchmark": gnu89})
    assert count > 0 and env.observation["IsRunnable"] == 1


def test_a_long_compiler_message_is_cut_after_a_whole_line(make_env) -> None:
    from compiler_env import benchmark_from_source

    source = "\n".join(f"int f{i}(void) {{ return missing_{i}; }}" for i in range(300))
    env = make_env()
    with pytest.raises(BenchmarkInitError) as error:
        env.reset(options={"benchmark": benchmark_from_source(source, cflags=["-ferror-limit=0"])})
    message = str(error.value)
    shown, _, rest = message.partition("\n[... ")
    assert rest.split(" ", 1)[0].isdigit() and "more bytes of messages not shown]" in rest
    assert shown.splitlines()[-1].startswith(("program.c:", " ")), shown.splitlines()[-1]
    assert message.count("missing_0'") == 1 and "compilation failed" in message
