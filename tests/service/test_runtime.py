"""Building and running programs: runtimes, dynamic instruction counts, the
reference output and semantic checks, on real programs in the real sandbox."""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest

import compiler_env
from compiler_env.errors import InvalidArgument, ProgramFailed
from service.datasets.cache import cache_dir
from service.runtime import Outcome, compare

DATA = Path(__file__).parent.parent / "data"
#: kernels-v0/fft as clang -O0 (without optnone) compiled it, kept as data: these
#: ten actions make LLVM 19 miscompile it into a program that never ends.
FFT_O0 = f"file://{DATA / 'fft-O0.ll'}"
FFT_MISCOMPILE = (
    "loop-versioning-licm ipsccp-func-spec loop-data-prefetch mergefunc slsr lower-expect "
    "iroutliner globalopt function-attrs attributor"
).split()


def kernels(env: compiler_env.CompilerEnv) -> list[str]:
    return list(env.datasets["kernels-v0"].benchmark_uris())


def test_runtime_returns_the_configured_number_of_positive_samples(make_env) -> None:
    env = make_env(runtime_runs=3, runtime_warmup_runs=0)
    for uri in kernels(env)[:3]:
        env.reset(options={"benchmark": uri})
        samples = env.observation["Runtime"]
        assert samples.shape == (3,) and (samples > 0).all(), (uri, samples)
        assert env.observation.spaces["Runtime"].contains(samples)
        baseline = env.observation["RuntimeO3"]
        assert baseline.shape == (3,) and (baseline > 0).all()


def test_dynamic_instruction_count_is_the_same_everywhere_and_lowered_by_o3(make_env) -> None:
    """On every kernels-v0 program: two runs, two services, one count; -O3 lowers it."""
    here = make_env()
    elsewhere = compiler_env.make(
        "llvm-v0", limits=compiler_env.SandboxLimits(address_space_mib=8000)
    )
    lowered = []
    try:
        for uri in kernels(here):
            here.reset(options={"benchmark": uri})
            elsewhere.reset(options={"benchmark": uri})
            first = here.observation["DynamicInstructionCount"]
            here.step(here.action_space.index("mem2reg"))  # a new module: built and run again
            here.reset(options={"benchmark": uri})
            again = here.observation["DynamicInstructionCount"]
            there = elsewhere.observation["DynamicInstructionCount"]
            assert first == again == there > 0, uri
            assert here.observation["DynamicInstructionCountO0"] == first
            lowered.append(here.observation["DynamicInstructionCountO3"] < first)
    finally:
        elsewhere.close()
    assert sum(lowered) >= 0.9 * len(lowered), lowered


def test_program_observations_of_a_program_without_main(make_env) -> None:
    env = make_env(benchmark="generator://llvm-stress-v0/3")
    env.reset()
    assert env.observation["IsRunnable"] == 0
    assert env.observation["IsBuildable"] == 0
    assert env.observation["SemanticsError"] == ""  # nothing to compare
    with pytest.raises(ProgramFailed, match="not runnable"):
        env.observation["Runtime"]


@pytest.mark.parametrize("runs", [0, -1, True, "3", 2.5])
def test_bad_numbers_of_runs_are_refused(runs) -> None:
    with pytest.raises(InvalidArgument, match="runtime_runs is an integer of at least 1"):
        compiler_env.make("llvm-v0", runtime_runs=runs)


def test_a_user_program_is_built_and_run(make_env) -> None:
    source = '#include <stdio.h>\nint main(void) { long s = 0; for (int i = 0; i < 1000; i++) ' \
        's += i * i; printf("%ld\\n", s); return 0; }\n'  # fmt: skip
    env = make_env(benchmark=compiler_env.benchmark_from_source(source), runtime_runs=2)
    env.reset()
    assert env.observation["IsBuildable"] == 1 and env.observation["IsRunnable"] == 1
    assert env.observation["Buildtime"] > 0
    assert env.observation["SemanticsError"] == ""
    unoptimized = env.observation["DynamicInstructionCount"]
    env.multistep([env.action_space.index(n) for n in ("mem2reg", "instcombine", "licm")])
    assert 0 < env.observation["DynamicInstructionCount"] < unoptimized


def test_the_miscompile_is_a_hang_and_the_step_is_undone(make_env) -> None:
    env = make_env(benchmark=FFT_O0, reward_space="DynamicInstructionCountO3", action_space="full")
    env.reset()
    actions = [env.action_space.index(name) for name in FFT_MISCOMPILE]
    _, reward, _, truncated, info = env.multistep(actions)
    assert truncated and info["miscompiled"] and reward == 0.0
    assert "hangs" in info["error"], info["error"]
    assert env.actions == []  # the episode is kept before the broken step
    references = list((cache_dir() / "runtime").glob("*-ref.json"))
    assert references, "the unoptimized program's output is cached"
    env.reward_space = None  # a code-size episode does not run the program at each step
    _, _, _, truncated, _ = env.multistep(actions)
    assert not truncated and "hangs" in env.observation["SemanticsError"]


def test_compare_names_the_first_difference() -> None:
    reference = Outcome(0, b"a\nb\nc\n", b"", 0.01, 0)
    assert compare(Outcome(0, b"a\nb\nc\n", b"", 0.02, 0), reference) == ""
    changed = Outcome(0, b"a\nx\nc\n", b"", 0.0, 0)
    assert "line 2 is 'x', expected 'b'" in compare(changed, reference)
    assert "exits with status 3" in compare(Outcome(3, b"a\nb\nc\n", b"", 0.0, 0), reference)
    assert "killed by SIGSEGV" in compare(Outcome(-11, b"", b"", 0.0, 0), reference)
    hang = Outcome(-9, b"", b"", 2.0, 0, timed_out=True, timeout=2.0)
    assert "hangs" in compare(hang, reference)


def test_runtime_rewards_are_flagged_and_sum_to_one_at_o3(make_env) -> None:
    env = make_env(benchmark="benchmark://kernels-v0/crc32?level=O3",
                   reward_space="DynamicInstructionCountO3")  # fmt: skip
    env.reset()
    assert env.reward_space.deterministic
    start = env.observation["DynamicInstructionCountO0"]
    target = env.observation["DynamicInstructionCountO3"]
    env.multistep([env.action_space.index(n) for n in ("sroa", "instcombine", "simplifycfg")])
    now = env.observation["DynamicInstructionCount"]
    assert env.episode_reward == pytest.approx((start - now) / (start - target))
    timed = make_env(benchmark="benchmark://kernels-v0/crc32", reward_space="RuntimeO3",
                     runtime_runs=2)  # fmt: skip
    timed.reset()
    assert not timed.reward_space.deterministic and timed.reward_space.platform_dependent
    _, reward, _, truncated, _ = timed.step(timed.action_space.index("mem2reg"))
    assert not truncated and isinstance(reward, float)
    runs = timed.observation["Runtime"]
    assert statistics.median(runs) > 0
