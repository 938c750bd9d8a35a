"""A step's time budget: a step past it is stopped, the episode is kept before it."""

from __future__ import annotations

import pytest

from compiler_env import RetryPolicy
from compiler_env.errors import InvalidArgument, StepBudgetExceeded

LARGE = "benchmark://kernels-v0/sqlite_like"
#: Far more work than the budget allows: 60 whole-module passes on 31k instructions.
RUNAWAY = ["instcombine", "gvn", "licm", "sroa", "early-cse", "instcombine"] * 10


def test_a_step_past_its_budget_is_truncated_and_the_episode_kept(make_env) -> None:  # type: ignore[no-untyped-def]
    env = make_env(benchmark=LARGE, observation_space="IrInstructionCount",
                   reward_space="IrInstructionCount", step_budget=0.1)  # fmt: skip
    env.reset()
    mem2reg = env.action_space.index("mem2reg")
    count, reward, _, truncated, _ = env.step(mem2reg)  # within the budget
    assert not truncated and reward > 0
    worker = env.session_info.worker_pid
    runaway = [env.action_space.index(name) for name in RUNAWAY]
    observation, reward, terminated, truncated, info = env.multistep(runaway)
    assert truncated and not terminated and reward == 0.0
    assert info["step_budget_exceeded"] and "0.1 s" in info["error"]
    assert env.actions == [mem2reg] and observation == count  # kept before the step
    assert env.session_info.worker_pid != worker  # the worker stopped itself
    assert "-passes='function(mem2reg)' " in env.commandline()
    fork = env.fork()  # the budget travels with the episode
    assert fork.multistep(runaway)[4]["step_budget_exceeded"]
    _, _, _, truncated, _ = env.step(env.action_space.index("instcombine"))
    assert not truncated and len(env.actions) == 2


def test_a_script_can_ask_for_the_exception(make_env) -> None:  # type: ignore[no-untyped-def]
    env = make_env(benchmark=LARGE, step_budget=0.1, retry=RetryPolicy(on_error="raise"))
    env.reset()
    with pytest.raises(StepBudgetExceeded, match="step budget of 0.1 s"):
        env.multistep([env.action_space.index(name) for name in RUNAWAY])
    assert env.actions == []
    assert env.observation["IrInstructionCount"] > 0


@pytest.mark.parametrize("budget", [0, -1.0, True, "1"])
def test_a_bad_budget_is_refused(make_env, budget: object) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidArgument, match="step_budget"):
        make_env(step_budget=budget)
