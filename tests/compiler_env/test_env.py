"""The env API end to end, on the real service and real LLVM."""

from __future__ import annotations

import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import compiler_env
from compiler_env.errors import EnvClosed, InvalidAction, ResetRequired, UnknownSpace
from service.server import RunningService

CRC32 = "benchmark://kernels-v0/crc32"


def test_gymnasium_env_checker_passes(make_env) -> None:
    env = make_env("llvm-autophase-ic-v0", benchmark=CRC32)
    check_env(env, skip_render_check=True)


def test_gymnasium_make_gives_the_usual_wrapper_stack(service: RunningService) -> None:
    env = gymnasium.make(
        "compiler_env/llvm-autophase-ic-v0", benchmark=CRC32, service=service.address
    )
    try:
        observation, _ = env.reset()
        assert observation.shape == (56,)
        assert isinstance(env.unwrapped, compiler_env.CompilerEnv)
        assert env.unwrapped.observation["IrInstructionCount"] > 0
        env.step(env.unwrapped.action_space.index("mem2reg"))
    finally:
        env.close()


def test_make_returns_the_env_with_its_extras(make_env) -> None:
    env = make_env("llvm-ic-v0", benchmark=CRC32)
    assert isinstance(env, compiler_env.CompilerEnv)
    assert env.compiler_version.startswith("LLVM 19.")
    assert env.action_space.n >= 100
    observation, info = env.reset()
    assert observation is None and info["benchmark"] == CRC32


def test_step_returns_the_five_tuple_and_tracks_the_episode(make_env) -> None:
    env = make_env("llvm-ic-v0", benchmark=CRC32, observation_space="IrInstructionCount")
    start, _ = env.reset()
    mem2reg = env.action_space.index("mem2reg")
    observation, reward, terminated, truncated, info = env.step(mem2reg)
    assert observation < start
    assert reward > 0
    assert (terminated, truncated) == (False, False)
    assert isinstance(info, dict)
    assert env.actions == [mem2reg]
    assert env.episode_reward == pytest.approx(reward)
    assert env.benchmark == CRC32


def test_multistep_equals_single_steps(make_env) -> None:
    one = make_env("llvm-ic-v0", benchmark=CRC32, observation_space="IrSha1")
    many = make_env("llvm-ic-v0", benchmark=CRC32, observation_space="IrSha1")
    actions = [one.action_space.index(n) for n in ("mem2reg", "instcombine", "simplifycfg")]
    one.reset()
    many.reset()
    for action in actions:
        last, *_ = one.step(action)
    together, reward, *_ = many.multistep(actions)
    assert together == last
    assert reward == pytest.approx(one.episode_reward)


def test_views_compute_any_space_on_demand(make_env) -> None:
    env = make_env("llvm-v0", benchmark=CRC32)
    env.reset()
    count = env.observation["IrInstructionCount"]
    assert count == env.observation["IrInstructionCountO0"]
    assert env.observation["InstCount"][2] == count
    assert "define" in env.observation["Ir"]
    env.step(env.action_space.index("mem2reg"))
    reduction = env.reward["IrInstructionCount"]
    assert reduction == count - env.observation["IrInstructionCount"]
    assert env.reward["IrInstructionCount"] == 0  # nothing changed since the last call
    with pytest.raises(UnknownSpace, match="unknown observation space 'Nope'"):
        env.observation["Nope"]


def test_reset_picks_benchmarks_by_option_and_setter(make_env) -> None:
    env = make_env("llvm-v0")
    _, info = env.reset(options={"benchmark": "benchmark://kernels-v0/sha256"})
    assert info["benchmark"] == env.benchmark == "benchmark://kernels-v0/sha256"
    env.benchmark = env.datasets["kernels-v0"].benchmark("crc32")
    _, info = env.reset()
    assert info["benchmark"] == CRC32


def test_fork_continues_independently(make_env) -> None:
    env = make_env("llvm-ic-v0", benchmark=CRC32, observation_space="IrSha1")
    env.reset()
    env.step(env.action_space.index("mem2reg"))
    fork = env.fork()
    try:
        assert fork.observation["IrSha1"] == env.observation["IrSha1"]
        assert fork.actions == env.actions
        fork.step(fork.action_space.index("instcombine"))
        assert fork.observation["IrSha1"] != env.observation["IrSha1"]
        assert len(fork.actions) == len(env.actions) + 1
    finally:
        fork.close()


def test_state_records_the_episode(make_env) -> None:
    env = make_env("llvm-ic-v0", benchmark=CRC32)
    env.reset()
    env.step(env.action_space.index("mem2reg"))
    state = env.state
    assert state.benchmark == CRC32
    assert state.reward == pytest.approx(env.episode_reward)
    assert "function(mem2reg)" in state.commandline
    assert compiler_env.CompilerEnvState.from_csv(state.to_csv()) == state


def test_misuse_is_a_clear_error_and_keeps_the_episode(make_env) -> None:
    env = make_env("llvm-v0", benchmark=CRC32)
    with pytest.raises(ResetRequired, match="reset"):
        env.step(0)
    env.reset()
    env.step(env.action_space.index("mem2reg"))
    before = env.observation["IrSha1"]
    for bad in (-1, env.action_space.n, "mem2reg", 1.5):
        with pytest.raises(InvalidAction, match="invalid action"):
            env.step(bad)
    assert env.observation["IrSha1"] == before and len(env.actions) == 1
    env.close()
    with pytest.raises(EnvClosed):
        env.step(0)


def test_seeded_sampling_is_reproducible(make_env) -> None:
    env = make_env("llvm-autophase-ic-v0", benchmark=CRC32)
    env.reset(seed=7)
    env.action_space.seed(7)
    first = [env.action_space.sample() for _ in range(5)]
    env.action_space.seed(7)
    assert [env.action_space.sample() for _ in range(5)] == first
    assert np.all(env.observation["Autophase"] >= 0)


def test_a_fork_and_its_parent_stay_identical_under_the_same_actions(make_env) -> None:
    env = make_env("llvm-v0", benchmark="benchmark://kernels-v0/ciphers")
    env.reset()
    rng = np.random.default_rng(4)
    allowed = [i for i, n in enumerate(env.action_space.names) if n != "loop-bound-split"]
    env.multistep([int(a) for a in rng.choice(allowed, size=10)])
    fork = env.fork()
    try:
        assert fork.observation["IrSha1"] == env.observation["IrSha1"]
        more = [int(a) for a in rng.choice(allowed, size=30)]
        env.multistep(more)
        fork.multistep(more)
        assert fork.observation["IrSha1"] == env.observation["IrSha1"]
    finally:
        fork.close()


def test_fork_before_reset(make_env) -> None:
    with pytest.raises(ResetRequired):
        make_env("llvm-v0").fork()
