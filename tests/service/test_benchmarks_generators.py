"""Generator datasets: csmith-v0 and llvm-stress-v0, one program per 32-bit seed."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from compiler_env.errors import BenchmarkInitError, BenchmarkNotFound
from service import benchmarks
from service.datasets import generators
from service.datasets.manifests import Dataset

SEEDS = range(20)


@pytest.mark.parametrize("name", ["csmith-v0", "llvm-stress-v0"])
def test_consecutive_seeds_reset_and_step(make_env, name: str) -> None:
    env = make_env("llvm-ic-v0")
    actions = [env.action_space.index(a) for a in ("mem2reg", "instcombine", "simplifycfg")]
    for seed in SEEDS:
        uri = f"generator://{name}/{seed}"
        _, info = env.reset(options={"benchmark": uri})
        assert info["benchmark"] == uri
        assert env.observation["IrInstructionCount"] > 0
        for action in actions:
            _, reward, terminated, truncated, _ = env.step(action)
            assert not terminated and not truncated
        assert env.observation["IrInstructionCount"] > 0


@pytest.mark.parametrize("name", ["csmith-v0", "llvm-stress-v0"])
def test_the_same_seed_gives_the_same_program(make_env, name: str) -> None:
    sha1s = []
    for _ in range(2):  # each env starts its own worker
        env = make_env("llvm-v0", benchmark=f"generator://{name}/3")
        env.reset()
        sha1s.append(env.observation["IrSha1"])
        env.reset(options={"benchmark": f"generator://{name}/4"})
        assert env.observation["IrSha1"] != sha1s[-1]
    assert sha1s[0] == sha1s[1]


def test_the_same_seed_gives_the_same_program_in_one_env(make_env) -> None:
    """Each episode has its own LLVM context: loading a program again renames nothing."""
    env = make_env("llvm-v0")
    sha1s = []
    for uri in ("generator://csmith-v0/3", "generator://csmith-v0/4",
                "generator://csmith-v0/3", "benchmark://kernels-v0/avl_tree",
                "benchmark://kernels-v0/avl_tree"):  # fmt: skip
        env.reset(options={"benchmark": uri})
        sha1s.append(env.observation["IrSha1"])
    assert sha1s[0] == sha1s[2] and sha1s[3] == sha1s[4]
    assert "%struct.avl_node = " in env.observation["Ir"]
    assert "%struct.avl_node.0" not in env.observation["Ir"]


@pytest.mark.parametrize("name", ["csmith-v0", "llvm-stress-v0"])
def test_generation_is_deterministic(monkeypatch, tmp_path: Path, name: str) -> None:
    made = []
    for cache in ("one", "two"):  # nothing cached: each generates and compiles afresh
        monkeypatch.setenv("COMPILER_ENV_CACHE", str(tmp_path / cache))
        made.append(benchmarks.resolve(f"generator://{name}/11"))
    assert made[0].bitcode == made[1].bitcode and made[0].sha1 == made[1].sha1
    assert made[0].bitcode[:4] == b"BC\xc0\xde"


def test_bad_seeds_are_clear_errors() -> None:
    for seed in ("-1", "4294967296", "abc", "", "\u0661\u0660\u0660", "\u00b2", " 7"):
        with pytest.raises(BenchmarkNotFound, match="seed from 0 to 4294967295 in ASCII"):
            benchmarks.resolve(f"generator://csmith-v0/{seed}")
    with pytest.raises(
        BenchmarkNotFound, match="without leading zeros: generator://llvm-stress-v0/7"
    ):
        benchmarks.resolve("generator://llvm-stress-v0/007")  # each seed has one URI


def test_llvm_stress_seeds_stop_where_its_programs_repeat(toolchain, tmp_path: Path) -> None:
    """llvm-stress gives seed s and s + 2**31 the same function (but its name): the
    dataset's seeds end at 2**31 - 1."""
    stress = str(toolchain.tool("llvm-stress"))
    texts = []
    for seed in (5, 5 + 2**31):
        out = tmp_path / f"{seed}.ll"
        subprocess.run([stress, f"--seed={seed}", "--size=50", "-o", str(out)], check=True)
        texts.append(out.read_text().replace(f"autogen_SD{seed}", "F"))
    assert texts[0] == texts[1]
    dataset = benchmarks.datasets()["llvm-stress-v0"]
    assert dataset.max_seed == 2**31 - 1
    assert generators.parse_seed(dataset, str(2**31 - 1), "u") == 2**31 - 1
    with pytest.raises(BenchmarkNotFound, match="seed from 0 to 2147483647"):
        benchmarks.resolve(f"generator://llvm-stress-v0/{2**31}")
    assert benchmarks.datasets()["csmith-v0"].max_seed == 2**32 - 1


def _csmith(tmp_path: Path, args: list[str]) -> Dataset:
    spec = {"tool": "csmith", "args": args}
    return Dataset("test-csmith", "test", "BSD", tmp_path, {}, generator=spec)


def test_a_seed_that_fails_to_build_names_the_seed(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COMPILER_ENV_CACHE", str(tmp_path / "cache"))
    broken = _csmith(tmp_path, ["--no-such-csmith-option"])
    with pytest.raises(BenchmarkInitError, match=r"(?s)generator://test-csmith/5 cannot be used.*"
                       r"Csmith failed.*use another seed"):  # fmt: skip
        generators.generate(broken, 5)


def test_programs_that_do_not_finish_are_stopped(monkeypatch, tmp_path: Path, toolchain) -> None:
    (tmp_path / "loop.c").write_text("int main(void) { for (;;) {} }\n")
    subprocess.run([str(toolchain.tool("clang")), "loop.c", "-o", "loop"], cwd=tmp_path, check=True)
    monkeypatch.setattr(generators, "RUN_CPU_SECONDS", 1)
    with pytest.raises(BenchmarkInitError, match="did not finish within 1 s of CPU time"):
        generators._run_limited(tmp_path, [str(tmp_path / "loop")])


def test_refused_seeds_are_remembered(monkeypatch, tmp_path: Path) -> None:
    """Seed 85 of csmith-v0 loops: refused once, then from the cache without running it."""
    # The seed is Csmith 2.3.0's (Debian's, which CI installs): another version needs another.
    assert "csmith 2.3.0" in generators._csmith_version()
    monkeypatch.setenv("COMPILER_ENV_CACHE", str(tmp_path))
    runs = []
    real_run = generators._run_limited
    monkeypatch.setattr(generators, "_run_limited", lambda *a: (runs.append(a), real_run(*a)))
    for _ in range(2):
        with pytest.raises(BenchmarkInitError, match=r"(?s)csmith-v0/85 cannot be used.*CPU time.*"
                           "use another seed"):  # fmt: skip
            benchmarks.resolve("generator://csmith-v0/85")
    assert len(runs) == 1  # the second time, the refusal came from the cache
