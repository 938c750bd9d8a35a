"""Every wrapper, stacked, inside Gymnasium's SyncVectorEnv and AsyncVectorEnv: each
sub-env (in this process, or in a process of its own) follows its own benchmark
stream, and both vector envs give what one env with the same wrappers gives."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gymnasium
import numpy as np
import pytest

import compiler_env
from compiler_env.wrappers import (
    ActionHistory,
    CommandlineActions,
    CycleBenchmarks,
    ForkOnStep,
    NormalizedFeatures,
    SemanticsGuard,
)
from service.server import RunningService

BENCHMARKS = [
    "benchmark://kernels-v0/crc32",
    "benchmark://kernels-v0/binary_search",
    "benchmark://kernels-v0/nqueens",
]
PASSES = ["mem2reg", "instcombine", "simplifycfg", "sroa", "gvn", "dce"]
LENGTH = 3  # TimeLimit's: the steps below cross two episode ends
#: Actions per step, one per sub-env; PASSES' last index + 1 is "stop".
ACTIONS = [[0, 3], [1, 6], [2, 1], [4, 0], [0, 5], [6, 2], [3, 4], [5, 1]]


def wrapped(address: str, index: int) -> gymnasium.Env[Any, Any]:
    """Each wrapper of compiler_env.wrappers around one env; sub-env ``index`` of 2
    cycles through its own shard of BENCHMARKS."""
    env: gymnasium.Env[Any, Any] = ForkOnStep(
        compiler_env.make("llvm-autophase-ic-v0", service=address)
    )
    env = ActionHistory(NormalizedFeatures(CommandlineActions(env, PASSES)), last=2)
    env = CycleBenchmarks(env, BENCHMARKS, index=index, count=2)
    return SemanticsGuard(gymnasium.wrappers.TimeLimit(env, LENGTH))


def run(envs: gymnasium.vector.VectorEnv) -> list[tuple[Any, ...]]:
    """Reset, the steps of ACTIONS (autoresets included), and an undo through ``call``."""
    try:
        observation, info = envs.reset(seed=0)
        trace: list[tuple[Any, ...]] = [(observation, list(info["benchmark"]))]
        for actions in ACTIONS:
            observation, reward, terminated, truncated, info = envs.step(np.array(actions))
            ends = terminated | truncated
            miscompiled = [bool(info["miscompiled"][i]) if ends[i] else None for i in range(2)]
            trace.append((observation, reward, terminated, truncated, miscompiled))
        trace.append(tuple(envs.call("undo")))
        return trace
    finally:
        envs.close()


def single(address: str, index: int) -> list[tuple[Any, ...]]:
    """Sub-env ``index``'s trace, from one wrapped env stepped by hand as a vector env
    in Gymnasium's default autoreset mode (a step after an end resets)."""
    env = wrapped(address, index)
    try:
        observation, info = env.reset(seed=index)
        trace: list[tuple[Any, ...]] = [(observation, info["benchmark"])]
        ended = False
        for actions in ACTIONS:
            if ended:
                observation, _ = env.reset()
                trace.append((observation, 0.0, False, False, None))
                ended = False
                continue
            observation, reward, terminated, truncated, info = env.step(actions[index])
            ended = terminated or truncated
            trace.append((observation, reward, terminated, truncated,
                          info["miscompiled"] if ended else None))  # fmt: skip
        trace.append((env.get_wrapper_attr("undo")(),))
        return trace
    finally:
        env.close()


@pytest.fixture(scope="module")
def traces(service: RunningService) -> dict[str, list[tuple[Any, ...]]]:
    def fns() -> list[Callable[[], gymnasium.Env[Any, Any]]]:
        return [lambda i=i: wrapped(service.address, i) for i in range(2)]

    return {
        "sync": run(gymnasium.vector.SyncVectorEnv(fns())),
        "async": run(gymnasium.vector.AsyncVectorEnv(fns())),
    }


def assert_same(left: list[tuple[Any, ...]], right: list[tuple[Any, ...]]) -> None:
    assert len(left) == len(right)
    for one, other in zip(left, right, strict=True):
        assert len(one) == len(other)
        for a, b in zip(one, other, strict=True):
            if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
                np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
            else:
                assert a == b


def test_async_sub_envs_in_their_own_processes_give_what_sync_ones_do(traces) -> None:
    assert_same(traces["sync"], traces["async"])


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_each_sub_env_is_one_wrapped_env_with_its_own_stream(
    traces, service: RunningService, mode: str
) -> None:
    trace = traces[mode]
    observation, benchmarks = trace[0]
    assert benchmarks == [BENCHMARKS[0], BENCHMARKS[1]]  # shards 0 and 1 of the cycle
    assert observation.shape == (2, 56 + 2 * (len(PASSES) + 1))
    assert observation.dtype == np.float32
    ends = [row[2] | row[3] for row in trace[1:-1]]
    assert ends[1][1]  # sub-env 1 stopped, and sub-env 0 reached the TimeLimit
    assert ends[2][0]
    for index in range(2):
        per_env = [
            (row[0][index], row[1][index]) if i == 0 else
            tuple(part[index] for part in row) if i <= len(ACTIONS) else (row[index],)
            for i, row in enumerate(trace)
        ]  # fmt: skip
        assert_same(per_env, single(service.address, index))
