"""Reward spaces: the built-ins' scaling, and custom rewards in Python."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from compiler_env.errors import UnknownSpace
from compiler_env.rewards import REWARDS, Reward

CRC32 = "benchmark://kernels-v0/crc32"


def test_the_builtin_spaces_are_four_scalings_of_four_measures() -> None:
    assert sorted(REWARDS) == sorted(
        [
            "IrInstructionCount", "IrInstructionCountNorm", "IrInstructionCountO3",
            "IrInstructionCountOz", "ObjectTextSizeBytes", "ObjectTextSizeNorm",
            "ObjectTextSizeO3", "ObjectTextSizeOz",
            "DynamicInstructionCount", "DynamicInstructionCountNorm",
            "DynamicInstructionCountO3", "DynamicInstructionCountOz",
            "Runtime", "RuntimeNorm", "RuntimeO3", "RuntimeOz",
        ]
    )  # fmt: skip


@pytest.mark.parametrize("measure", ["IrInstructionCount", "ObjectTextSize"])
def test_reaching_the_baseline_sums_to_one(make_env, measure: str) -> None:
    """The episode reward is the fraction of -Oz's gain achieved: 1.0 when it is matched."""
    env = make_env("llvm-v0", benchmark=CRC32, reward_space=f"{measure}Oz")
    env.reset()
    unoptimized = env.observation[f"{measure}O0"]
    target = env.observation[f"{measure}Oz"]
    for name in ("sroa", "instcombine", "simplifycfg", "gvn", "dce", "globaldce"):
        env.step(env.action_space.index(name))
    current = "IrInstructionCount" if measure == "IrInstructionCount" else "ObjectTextSizeBytes"
    now = env.observation[current]
    assert env.episode_reward == pytest.approx((unoptimized - now) / (unoptimized - target))


def test_norm_and_plain_rewards(make_env) -> None:
    env = make_env("llvm-v0", benchmark=CRC32, reward_space="IrInstructionCountNorm")
    env.reset()
    unoptimized = env.observation["IrInstructionCountO0"]
    _, reward, *_ = env.step(env.action_space.index("mem2reg"))
    now = env.observation["IrInstructionCount"]
    assert reward == pytest.approx((unoptimized - now) / unoptimized)
    assert env.reward["IrInstructionCount"] == unoptimized - now


class CountsCalls(Reward):
    """A custom reward: 1 for every step that changed the IR."""

    name = "Changed"
    observations = ("IrSha1",)

    def reset(self, baselines: Mapping[str, Any], observations: Mapping[str, Any]) -> None:
        self.last = observations["IrSha1"]

    def update(self, observations: Mapping[str, Any]) -> float:
        changed = observations["IrSha1"] != self.last
        self.last = observations["IrSha1"]
        return float(changed)


def test_custom_reward(make_env) -> None:
    env = make_env("llvm-v0", benchmark=CRC32, reward_space=CountsCalls())
    env.reset()
    _, first, *_ = env.step(env.action_space.index("mem2reg"))
    _, second, *_ = env.step(env.action_space.index("mem2reg"))
    assert (first, second) == (1.0, 0.0)


def test_unknown_reward_space(make_env) -> None:
    with pytest.raises(UnknownSpace, match="unknown reward space 'Speed'"):
        make_env("llvm-v0", reward_space="Speed")
