"""Env ids, Gymnasium registration, and stable-baselines3's checker."""

from __future__ import annotations

import gymnasium
import pytest
from stable_baselines3.common.env_checker import check_env as sb3_check_env

import compiler_env
from compiler_env.errors import InvalidArgument

CRC32 = "benchmark://kernels-v0/crc32"


@pytest.mark.parametrize(
    "env_id, observation, reward",
    [
        ("llvm-v0", None, None),
        ("llvm-ic-v0", None, "IrInstructionCountOz"),
        ("llvm-autophase-ic-v0", "Autophase", "IrInstructionCountOz"),
        ("llvm-codesize-v0", None, "ObjectTextSizeOz"),
        ("llvm-autophase-codesize-v0", "Autophase", "ObjectTextSizeOz"),
        ("llvm-dic-v0", None, "DynamicInstructionCountO3"),
        ("llvm-autophase-dic-v0", "Autophase", "DynamicInstructionCountO3"),
        ("llvm-runtime-v0", None, "RuntimeO3"),
    ],
)
def test_env_ids_set_their_spaces(make_env, env_id, observation, reward) -> None:
    env = make_env(env_id)
    assert env.observation_space_name == observation
    assert (env.reward_space.name if env.reward_space else None) == reward
    assert f"compiler_env/{env_id}" in gymnasium.registry
    speed = reward is not None and reward.startswith(("Dynamic", "Runtime"))
    assert env.benchmark.endswith("?level=O3") == speed  # speed starts from clang's -O3 input


def test_unknown_env_id() -> None:
    with pytest.raises(InvalidArgument, match="unknown env id 'llvm-v9'"):
        compiler_env.make("llvm-v9")


def test_stable_baselines3_checker_passes(make_env) -> None:
    env = make_env("llvm-autophase-ic-v0", benchmark=CRC32)
    sb3_check_env(env, warn=True)
