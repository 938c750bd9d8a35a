"""The research loop without glue: the ids' defaults for RL, both env checkers on the
wrapped ids, and stable-baselines3's PPO training and evaluating through the wrappers."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env

import compiler_env
from compiler_env.registration import MAX_EPISODE_STEPS
from compiler_env.wrappers import (
    ActionHistory,
    CommandlineActions,
    CycleBenchmarks,
    NormalizedFeatures,
)
from service.server import RunningService

CRC32 = "benchmark://kernels-v0/crc32"
PASSES = ["mem2reg", "instcombine", "simplifycfg", "sroa", "gvn", "dce"]


@pytest.fixture
def gym_make(service: RunningService) -> Iterator[Callable[..., gymnasium.Env]]:
    """``gymnasium.make`` on the shared service; the envs are closed after the test."""
    made: list[gymnasium.Env] = []

    def make(env_id: str, **kwargs: object) -> gymnasium.Env:
        env = gymnasium.make(f"compiler_env/{env_id}", service=service.address, **kwargs)
        made.append(env)
        return env

    yield make
    for env in made:
        env.close()


@pytest.mark.parametrize("env_id", sorted(compiler_env.ENV_SPECS))
def test_every_id_with_a_reward_has_an_episode_length(env_id: str) -> None:
    spec = gymnasium.spec(f"compiler_env/{env_id}")
    rewarded = "reward_space" in compiler_env.ENV_SPECS[env_id]
    assert spec.max_episode_steps == (MAX_EPISODE_STEPS if rewarded else None)


def test_gymnasium_make_truncates_at_the_default_length(gym_make) -> None:
    env = gym_make("llvm-autophase-ic-v0", benchmark=CRC32)
    assert env.observation_space.dtype == np.float32 and env.observation_space.shape == (56,)
    observation, _ = env.reset()
    assert observation.dtype == np.float32 and env.observation_space.contains(observation)
    mem2reg = env.unwrapped.action_space.index("mem2reg")
    for step in range(MAX_EPISODE_STEPS):
        observation, _, terminated, truncated, _ = env.step(mem2reg)
        assert not terminated and truncated == (step == MAX_EPISODE_STEPS - 1)
    assert observation.dtype == np.float32
    assert isinstance(env.unwrapped, compiler_env.CompilerEnv)  # the extras, as before


def test_make_and_make_vec_keep_their_ways(make_env, service: RunningService) -> None:
    env = make_env("llvm-autophase-ic-v0")
    assert env.observation_space.dtype == np.int64  # the env itself: the service's counts
    with compiler_env.make_vec("llvm-autophase-ic-v0", 1, service=service.address) as envs:
        assert envs.max_episode_steps == MAX_EPISODE_STEPS
    with compiler_env.make_vec(
        "llvm-v0", 1, service=service.address, observation_space="InstCount"
    ) as envs:
        assert envs.max_episode_steps is None


def _wrapped(env: gymnasium.Env) -> gymnasium.Env:
    return ActionHistory(NormalizedFeatures(CommandlineActions(env, PASSES)))


@pytest.mark.parametrize(
    "env_id, wrap",
    [
        ("llvm-autophase-ic-v0", False),
        ("llvm-autophase-codesize-v0", False),
        ("llvm-autophase-dic-v0", False),
        ("llvm-autophase-ic-v0", True),
        ("llvm-autophase-codesize-v0", True),
    ],
)
def test_both_checkers_pass_on_the_ids(gym_make, env_id: str, wrap: bool) -> None:
    env = gym_make(env_id)
    if wrap:
        env = _wrapped(env)
    check_env(env, skip_render_check=True)
    sb3_check_env(env, warn=True, skip_render_check=True)


def test_ppo_trains_and_evaluates_through_the_wrappers(gym_make, make_env) -> None:
    from stable_baselines3 import PPO
    from stable_baselines3.common.evaluation import evaluate_policy
    from stable_baselines3.common.monitor import Monitor

    datasets = make_env().datasets
    train = datasets["csmith-v0"].split("train")[:2]
    test = datasets["kernels-v0"].split("test")
    test = [uri for uri in test if uri.endswith(("/crc32", "/nqueens"))]
    env = _wrapped(CycleBenchmarks(gym_make("llvm-autophase-ic-v0", max_episode_steps=16), train))
    model = PPO("MlpPolicy", env, n_steps=64, batch_size=32, n_epochs=2, seed=0, device="cpu")
    model.learn(total_timesteps=192)
    evaluated = CycleBenchmarks(
        gym_make("llvm-autophase-ic-v0", max_episode_steps=16, benchmark=test[0]), test
    )
    returns, lengths = evaluate_policy(
        model, Monitor(_wrapped(evaluated)), n_eval_episodes=2, return_episode_rewards=True
    )
    assert len(returns) == len(lengths) == 2 and all(1 <= n <= 16 for n in lengths)
    assert evaluated.unwrapped.benchmark in test
    assert all(np.isfinite(returns))
