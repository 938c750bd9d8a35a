"""Action wrappers on the real env: a subset of passes, a pass list with "stop", undo."""

from __future__ import annotations

import gymnasium
import numpy as np
import pytest
from gymnasium.wrappers import TimeLimit

from compiler_env.wrappers import ActionSubset, CommandlineActions, ForkOnStep
from service.proto.errors import InvalidAction, InvalidArgument
from service.server import RunningService

CRC32 = "benchmark://kernels-v0/crc32"
PASSES = ["mem2reg", "instcombine", "simplifycfg"]


def test_a_subset_maps_its_indices_to_the_envs_passes(make_env) -> None:
    env = make_env("llvm-ic-v0", benchmark=CRC32)
    subset = ActionSubset(env, PASSES)
    assert subset.action_space.names == PASSES and int(subset.action_space.n) == 3
    assert subset.action_space.index("simplifycfg") == 2
    subset.reset()
    subset.step(0)
    subset.step(np.int64(2))
    subset.step(np.array(1))  # what model.predict returns
    names = [env.action_space.names[a] for a in env.actions]
    assert names == ["mem2reg", "simplifycfg", "instcombine"]
    assert "function(mem2reg)" in env.commandline()
    with pytest.raises(InvalidAction, match=r"expected an integer in 0\.\.2"):
        subset.step(3)
    assert len(env.actions) == 3  # the refused action changed nothing


def test_a_subset_refuses_names_it_does_not_know(make_env) -> None:
    env = make_env("llvm-ic-v0", benchmark=CRC32)
    with pytest.raises(InvalidAction, match="'mem2regg' is not an action of .*sroa"):
        ActionSubset(env, ["mem2regg"])
    with pytest.raises(InvalidArgument, match="'sroa' given twice"):
        ActionSubset(env, ["sroa", "gvn", "sroa"])
    with pytest.raises(InvalidArgument, match="at least one pass"):
        ActionSubset(env, [])
    with pytest.raises(InvalidArgument, match="nearer to the env"):
        ActionSubset(_boxed(env), PASSES)


def _boxed(env: gymnasium.Env) -> gymnasium.Env:
    """An env whose action space is no longer the pass table."""
    wrapped = gymnasium.Wrapper(env)
    wrapped.action_space = gymnasium.spaces.Discrete(4)
    return wrapped


def test_stop_ends_the_episode_and_a_limit_truncates_it(make_env) -> None:
    env = make_env("llvm-autophase-ic-v0", benchmark=CRC32)
    wrapped = CommandlineActions(env, PASSES)
    space = wrapped.action_space
    assert int(space.n) == 4 and space.index("stop") == wrapped.stop_action == 3
    wrapped.reset()
    observation, *_ = wrapped.step(0)
    again, reward, terminated, truncated, info = wrapped.step(3)
    assert terminated and not truncated and info == {"stopped": True} and reward == 0.0
    assert np.array_equal(again, observation) and len(env.actions) == 1
    limited = TimeLimit(CommandlineActions(env, PASSES), max_episode_steps=2)
    limited.reset()
    limited.step(0)
    _, _, terminated, truncated, _ = limited.step(1)
    assert truncated and not terminated  # the limit truncates; only "stop" terminates


def test_by_default_every_pass_of_the_env_and_stop(make_env) -> None:
    env = make_env("llvm-ic-v0", benchmark=CRC32)
    wrapped = CommandlineActions(env)
    assert wrapped.action_space.names == [*env.action_space.names, "stop"]
    with pytest.raises(InvalidArgument, match="'stop' is the action that ends"):
        CommandlineActions(env, ["stop"])


def test_undo_returns_to_the_state_before_the_step(make_env, service: RunningService) -> None:
    env = make_env("llvm-autophase-ic-v0", benchmark=CRC32)
    forking = ForkOnStep(env, depth=2)
    forking.reset()
    sessions = len(service.servicer.sessions)
    first, *_ = forking.step(env.action_space.index("mem2reg"))
    reward_after_first = forking.unwrapped.episode_reward
    count_after_first = forking.unwrapped.observation["IrInstructionCount"]
    forking.step(env.action_space.index("instcombine"))
    forking.step(env.action_space.index("simplifycfg"))
    assert forking.undoable == 2  # depth 2: the oldest fork was closed
    assert len(service.servicer.sessions) == sessions + 2
    forking.undo()
    restored = forking.undo()
    assert np.array_equal(restored, first)
    assert forking.unwrapped.observation["IrInstructionCount"] == count_after_first
    assert forking.unwrapped.episode_reward == pytest.approx(reward_after_first)
    assert forking.unwrapped.actions == [env.action_space.index("mem2reg")]
    with pytest.raises(InvalidArgument, match="no step to undo"):
        forking.undo()
    assert len(service.servicer.sessions) == sessions  # the fork went on, the env was closed
    forking.step(env.action_space.index("instcombine"))  # the episode goes on from there
    assert forking.undoable == 1
    forking.reset()
    assert forking.undoable == 0 and len(service.servicer.sessions) == sessions
    forking.close()
    assert len(service.servicer.sessions) == sessions - 1


def test_undo_wraps_the_env_itself(service: RunningService) -> None:
    env = gymnasium.make("compiler_env/llvm-ic-v0", service=service.address)
    try:
        with pytest.raises(InvalidArgument, match="ForkOnStep forks a CompilerEnv.*unwrapped"):
            ForkOnStep(env)
    finally:
        env.close()
