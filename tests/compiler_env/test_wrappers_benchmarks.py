"""The benchmark-choice wrappers: random (seeded), cycle, once; alone and in vector envs."""

from __future__ import annotations

import functools
import itertools

import gymnasium
import numpy as np
import pytest

import compiler_env
from compiler_env.wrappers import (
    BenchmarksOnce,
    CycleBenchmarks,
    RandomBenchmarks,
    cycle_stream,
    once_stream,
    random_stream,
)
from service.proto.errors import BenchmarkInitError, BenchmarkNotFound, InvalidArgument
from service.server import RunningService

SMALL = [
    "benchmark://kernels-v0/crc32",
    "benchmark://kernels-v0/binary_search",
    "benchmark://kernels-v0/nqueens",
]


def _benchmarks(env: gymnasium.Env, resets: int) -> list[str]:
    return [env.reset()[1]["benchmark"] for _ in range(resets)]


def test_random_benchmarks_follow_their_seed(make_env) -> None:
    env = RandomBenchmarks(make_env("llvm-v0"), SMALL, seed=4)
    drawn = _benchmarks(env, 5)
    assert drawn == list(itertools.islice(random_stream(SMALL, seed=4), 5))
    assert set(drawn) <= set(SMALL) and len(set(drawn)) > 1
    assert env.unwrapped.benchmark == drawn[-1]  # the env itself was reset onto it
    # A reset's seed seeds the draws: the same seed, the same benchmarks again.
    first = env.reset(seed=11)[1]["benchmark"]
    again = [env.reset(seed=11)[1]["benchmark"] for _ in range(2)]
    assert again == [first, first]
    assert first == next(random_stream(SMALL, seed=11))


def test_random_choice_passes_over_unusable_benchmarks(make_env) -> None:
    broken = compiler_env.benchmark_from_source("int main( {").uri  # does not compile
    env = RandomBenchmarks(make_env("llvm-v0"), [broken, SMALL[0]], seed=1)
    drawn = list(itertools.islice(random_stream([broken, SMALL[0]], seed=1), 10))
    passed_over = drawn.index(SMALL[0])
    assert passed_over > 0  # the seed draws the broken program first
    observation, info = env.reset()
    assert info["benchmark"] == SMALL[0]
    assert list(info["unusable_benchmarks"]) == [broken]
    assert "compilation failed" in info["unusable_benchmarks"][broken]
    with pytest.raises(BenchmarkInitError, match="10 benchmarks drawn in a row could not be used"):
        RandomBenchmarks(env.unwrapped, [broken]).reset()
    assert env.unwrapped.benchmark == SMALL[0]  # the episode is left as it was
    with pytest.raises(BenchmarkNotFound):  # a wrong URI is a mistake, not passed over
        RandomBenchmarks(env.unwrapped, ["benchmark://kernels-v0/crc33"]).reset()


def test_a_generators_split_gives_seeds_of_its_range(make_env) -> None:
    env = make_env("llvm-v0")
    validation = env.datasets["llvm-stress-v0"].split("validation")
    wrapped = RandomBenchmarks(env, validation, seed=0)
    uri = wrapped.reset()[1]["benchmark"]
    assert uri in validation and uri.startswith("generator://llvm-stress-v0/")
    assert int(uri.rsplit("/", 1)[1]) >= 2**31 - 20_000
    assert env.observation["IrInstructionCount"] > 0


def test_cycle_goes_round_and_shards_share_the_work(make_env) -> None:
    env = CycleBenchmarks(make_env("llvm-v0"), SMALL)
    assert _benchmarks(env, 4) == [*SMALL, SMALL[0]]
    shards = [list(itertools.islice(cycle_stream(SMALL, i, 2), 3)) for i in range(2)]
    assert shards == [[SMALL[0], SMALL[2], SMALL[0]], [SMALL[1]] * 3]
    assert [list(once_stream(SMALL, i, 2)) for i in range(2)] == [SMALL[::2], SMALL[1::2]]


def test_once_goes_over_each_then_refuses_to_reset(make_env) -> None:
    env = BenchmarksOnce(make_env("llvm-v0"), SMALL[:2])
    seen = []
    while not env.exhausted:
        seen.append(env.reset()[1]["benchmark"])
    assert seen == SMALL[:2]
    with pytest.raises(InvalidArgument, match="each of its 2 benchmarks once.*CycleBenchmarks"):
        env.reset()
    # Naming a benchmark still works, and uses nothing up.
    assert env.reset(options={"benchmark": SMALL[2]})[1]["benchmark"] == SMALL[2]


def test_a_named_benchmark_leaves_the_order_alone(make_env) -> None:
    env = CycleBenchmarks(make_env("llvm-v0"), SMALL)
    assert env.reset(options={"benchmark": SMALL[2]})[1]["benchmark"] == SMALL[2]
    assert _benchmarks(env, 2) == SMALL[:2]


def test_a_dataset_is_taken_whole(make_env) -> None:
    env = make_env("llvm-v0")
    kernels = env.datasets["kernels-v0"]
    assert list(once_stream(kernels)) == kernels.benchmark_uris()
    assert set(itertools.islice(random_stream(kernels.split("test"), seed=0), 50)) <= set(
        kernels.benchmark_uris()
    )


@pytest.mark.parametrize(
    "benchmarks, message",
    [
        ([], "empty"),
        ("benchmark://kernels-v0/crc32", "wrap a single URI in a list"),
        (42, "not int"),
    ],
)
def test_bad_benchmarks_are_refused(make_env, benchmarks, message: str) -> None:
    with pytest.raises(InvalidArgument, match=message):
        RandomBenchmarks(make_env("llvm-v0"), benchmarks)


def test_bad_shards_are_refused(make_env) -> None:
    env = make_env("llvm-v0")
    with pytest.raises(InvalidArgument, match=r"index is a shard in 0\.\.1"):
        CycleBenchmarks(env, SMALL, index=2, count=2)
    with pytest.raises(InvalidArgument, match="shard 3 of 4 of 3 benchmarks is empty"):
        BenchmarksOnce(env, SMALL, index=3, count=4)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_each_sub_env_of_gymnasiums_vector_env_draws_its_own_stream(
    service: RunningService, mode: str
) -> None:
    """In SyncVectorEnv and in AsyncVectorEnv (each sub-env in a process of its own)."""
    envs = gymnasium.make_vec(
        "compiler_env/llvm-autophase-ic-v0",
        num_envs=2,
        vectorization_mode=mode,
        wrappers=[functools.partial(RandomBenchmarks, benchmarks=SMALL)],
        service=service.address,
    )
    try:
        drawn = [envs.reset(seed=0)[1]["benchmark"]]  # sub-env i is seeded with 0 + i
        drawn += [envs.reset()[1]["benchmark"] for _ in range(3)]
        streams = [[uris[i] for uris in drawn] for i in range(2)]
        assert streams == [list(itertools.islice(random_stream(SMALL, seed=i), 4)) for i in (0, 1)]
        assert streams[0] != streams[1]
        observations, *_ = envs.step(np.array([0, 1]))
        assert observations.shape == (2, 56) and observations.dtype == np.float32
    finally:
        envs.close()


def test_the_native_vector_env_takes_the_streams(service: RunningService) -> None:
    with compiler_env.make_vec(
        "llvm-autophase-ic-v0",
        2,
        benchmark=lambda i: cycle_stream(SMALL, index=i, count=2),
        service=service.address,
    ) as envs:
        assert list(envs.reset()[1]["benchmark"]) == SMALL[:2]
        assert list(envs.reset()[1]["benchmark"]) == [SMALL[2], SMALL[1]]
