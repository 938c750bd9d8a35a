"""Observation wrappers on the real env: the action history, size-normalized features."""

from __future__ import annotations

import gymnasium
import numpy as np
import pytest

from compiler_env.wrappers import ActionHistory, ActionSubset, NormalizedFeatures
from service.proto.errors import InvalidArgument
from service.server import RunningService

CRC32 = "benchmark://kernels-v0/crc32"
PASSES = ["mem2reg", "instcombine", "simplifycfg"]


def test_counts_of_each_action_follow_the_features(make_env) -> None:
    env = ActionHistory(ActionSubset(make_env("llvm-autophase-ic-v0", benchmark=CRC32), PASSES))
    assert env.observation_space.shape == (56 + 3,) and env.observation_space.dtype == np.float32
    observation, _ = env.reset()
    assert np.array_equal(observation[56:], [0, 0, 0])
    for action in (0, 2, 0):
        observation, *_ = env.step(action)
    assert np.array_equal(observation[56:], [2, 0, 1])
    features = env.unwrapped.observation["Autophase"]
    assert np.array_equal(observation[:56], features.astype(np.float32))
    assert env.observation_space.contains(observation)
    assert np.array_equal(env.reset()[0][56:], [0, 0, 0])  # a new episode, a new history


def test_the_last_actions_one_hot(make_env) -> None:
    env = ActionHistory(ActionSubset(make_env("llvm-ic-v0", benchmark=CRC32), PASSES), last=2)
    assert env.observation_space.shape == (2 * 3,)  # no observation of its own: history only
    observation, _ = env.reset()
    assert not observation.any()
    observation, *_ = env.step(1)
    assert np.array_equal(observation.reshape(2, 3), [[0, 0, 0], [0, 1, 0]])
    env.step(2)
    observation, *_ = env.step(0)
    assert np.array_equal(observation.reshape(2, 3), [[0, 0, 1], [1, 0, 0]])  # oldest first
    assert env.observation_space.contains(observation)


def test_a_history_needs_a_box_observation(make_env) -> None:
    with pytest.raises(
        InvalidArgument, match="the wrapped env.s Ir is a TextSpace.*FlattenObservation"
    ):
        ActionHistory(make_env("llvm-v0", observation_space="Ir"))
    with pytest.raises(InvalidArgument, match="last is a positive number"):
        ActionHistory(make_env("llvm-ic-v0"), last=0)


@pytest.mark.parametrize(
    "space, size", [("Autophase", "TotalInsts"), ("InstCount", "TotalInstructions")]
)
def test_features_divided_by_the_instruction_count(make_env, space: str, size: str) -> None:
    env = make_env("llvm-ic-v0", benchmark=CRC32, observation_space=space)
    normalized = NormalizedFeatures(env)
    observation, _ = normalized.reset()
    raw = env.observation[space].astype(np.float64)
    i = env.observation_space.feature_names.index(size)
    n = raw[i]
    assert n == env.observation["IrInstructionCount"] > 0
    expected = raw / n
    expected[i] = np.log10(1 + n)
    assert observation.dtype == np.float32 and np.allclose(observation, expected, rtol=1e-6)
    assert normalized.observation_space.contains(observation)
    observation, *_ = normalized.step(env.action_space.index("mem2reg"))
    assert observation[i] < expected[i]  # mem2reg removed instructions


def test_normalized_features_over_gymnasium_make(service: RunningService) -> None:
    """gymnasium.make gives the features as float32: the wrapper still knows their names."""
    env = NormalizedFeatures(
        gymnasium.make("compiler_env/llvm-autophase-ic-v0", service=service.address)
    )
    try:
        observation, _ = env.reset()
        assert observation.shape == (56,) and 0 < observation[51] < 5
        assert observation[:51].max() <= 1.0
    finally:
        env.close()


@pytest.mark.parametrize("space", ["IrInstructionCount", "InstCountNorm", None])
def test_normalized_features_need_counts(make_env, space: str | None) -> None:
    env = make_env("llvm-ic-v0", observation_space=space)
    with pytest.raises(InvalidArgument, match="NormalizedFeatures scales the Autophase"):
        NormalizedFeatures(env)
