"""Killing workers and services mid-episode loses nothing."""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest

import compiler_env
from compiler_env import services
from compiler_env.errors import BenchmarkNotFound
from service.server import RunningService

BENCHMARK = "benchmark://kernels-v0/crc32"


def _actions(n: int, seed: int) -> list[int]:
    with compiler_env.make("llvm-v0") as env:
        names = env.action_space.names
    # loop-bound-split crashes LLVM 19 on some programs: a real crash, tested elsewhere.
    allowed = [i for i, name in enumerate(names) if name != "loop-bound-split"]
    rng = np.random.default_rng(seed)
    return [int(a) for a in rng.choice(allowed, size=n)]


def _run(env, actions: list[int], kill_at: set[int], kill) -> tuple[str, float]:
    env.reset()
    for i, action in enumerate(actions):
        if i in kill_at:
            kill(env)
        *_, truncated, info = env.step(action)
        assert not truncated, info
    return env.observation["IrSha1"], env.episode_reward


def test_workers_killed_at_five_steps(service: RunningService) -> None:
    actions = _actions(200, seed=11)
    kill_at = set(np.random.default_rng(5).choice(range(1, 200), size=5, replace=False).tolist())

    def kill_worker(env) -> None:
        os.kill(env.session_info.worker_pid, signal.SIGKILL)

    with compiler_env.make("llvm-ic-v0", benchmark=BENCHMARK, service=service.address) as calm:
        expected = _run(calm, actions, set(), kill_worker)
    with compiler_env.make("llvm-ic-v0", benchmark=BENCHMARK, service=service.address) as env:
        assert _run(env, actions, kill_at, kill_worker) == expected
        assert env.session_info.recoveries == 5
        assert env.actions == actions


def test_service_killed_twice() -> None:
    actions = _actions(200, seed=12)

    def kill_service(env) -> None:
        assert services.LOCAL.current is not None
        services.LOCAL.current.process.kill()
        services.LOCAL.current.process.wait()

    with compiler_env.make("llvm-ic-v0", benchmark=BENCHMARK) as calm:
        expected = _run(calm, actions, set(), kill_service)
    with compiler_env.make("llvm-ic-v0", benchmark=BENCHMARK) as env:
        first = services.LOCAL.current.process.pid
        assert _run(env, actions, {60, 140}, kill_service) == expected
        assert env.session_info.recoveries == 2
        assert services.LOCAL.current.process.pid != first


def test_two_envs_recover_from_one_service_crash() -> None:
    with (
        compiler_env.make("llvm-v0", benchmark=BENCHMARK) as one,
        compiler_env.make("llvm-v0", benchmark=BENCHMARK) as two,
    ):
        one.reset()
        two.reset()
        assert services.LOCAL.current is not None
        services.LOCAL.current.process.kill()
        services.LOCAL.current.process.wait()
        one.step(0)  # restarts the service
        two.step(0)  # finds its own way to the new one
        assert one.observation["IrSha1"] == two.observation["IrSha1"]
        assert len(two.datasets["kernels-v0"].benchmark_uris()) >= 30


def test_reset_works_when_the_lost_episode_cannot_be_restored(tmp_path) -> None:
    program = tmp_path / "gone.c"
    program.write_text("int main(void) { return 0; }\n")
    with compiler_env.make("llvm-v0", benchmark=f"file://{program}") as env:
        env.reset()
        program.unlink()  # the episode can no longer be replayed...
        os.kill(env.session_info.worker_pid, signal.SIGKILL)
        with pytest.raises(BenchmarkNotFound, match="no such file"):
            env.step(0)
        env.reset(options={"benchmark": BENCHMARK})  # ...but a new one starts
        env.step(0)


def test_a_forked_process_leaves_the_parents_service_alone() -> None:
    with compiler_env.make("llvm-v0", benchmark=BENCHMARK) as env:
        env.reset()
        pid = os.fork()
        if pid == 0:  # the child makes its own service, then leaves
            try:
                with compiler_env.make("llvm-v0", benchmark=BENCHMARK) as child:
                    child.reset()
                    child.step(0)
                os._exit(0)
            except BaseException:
                os._exit(1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        env.step(0)
        fork = env.fork()  # the parent's service still starts workers
        fork.close()
