"""Many sessions at once, and nothing left behind afterwards, also after crashes."""

from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np

import compiler_env
from compiler_env import services
from service.server import create_server
from tests.helpers import KERNELS, worker_processes

SESSIONS = 32
STEPS = 500


def _episode(address: str, index: int, errors: list[BaseException]) -> None:
    rng = np.random.default_rng(index)
    try:
        with compiler_env.make(
            "llvm-v0", observation_space="IrInstructionCount", service=address
        ) as env:
            allowed = [i for i, n in enumerate(env.action_space.names) if n != "loop-bound-split"]
            steps = 0
            while steps < STEPS:
                env.reset(options={"benchmark": KERNELS[int(rng.integers(len(KERNELS)))]})
                for action in rng.choice(allowed, size=50):
                    *_, truncated, info = env.step(int(action))
                    assert not truncated, info
                steps += 50
    except BaseException as error:  # reported by the test
        errors.append(error)


def test_32_concurrent_sessions_then_nothing_left() -> None:
    running = create_server(pool_size=2, max_workers=SESSIONS + 4)
    directory = running.directory
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=_episode, args=(running.address, i, errors))
        for i in range(SESSIONS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert not running.servicer.sessions  # every env ended its session
    pool = running.servicer.pool
    for _ in range(100):  # the pool may still be starting its spare workers
        if not pool.filling:
            break
        threading.Event().wait(0.1)
    assert len(list(directory.glob("worker-*-*"))) <= pool.size
    assert len(worker_processes(directory)) <= pool.size
    running.stop()
    assert not directory.exists()
    assert worker_processes(directory) == []


def test_nothing_left_after_crashes() -> None:
    env = compiler_env.make("llvm-v0", benchmark=KERNELS[0])
    local = services.LOCAL.current
    assert local is not None
    directory = local.directory
    env.reset()
    os.kill(env.session_info.worker_pid, signal.SIGKILL)  # a worker crash...
    env.step(0)
    local.process.kill()  # ...and a service crash
    local.process.wait()
    for _ in range(50):  # its workers leave within a second; until then a direct step works
        if not worker_processes(directory):
            break
        time.sleep(0.1)
    env.step(1)
    assert services.LOCAL.current is not local and not directory.exists()
    new_directory = services.LOCAL.current.directory
    env.close()
    assert services.LOCAL.current is None and not new_directory.exists()
    for _ in range(50):  # orphaned workers leave once they notice their service is gone
        if not worker_processes(directory) and not worker_processes(new_directory):
            break
        threading.Event().wait(0.1)
    assert worker_processes(directory) == worker_processes(new_directory) == []


def test_forked_workers_are_exact_recoverable_and_cleaned_up() -> None:
    running = create_server(pool_size=0)
    directory = running.directory
    try:
        env = compiler_env.make("llvm-v0", benchmark=KERNELS[0], service=running.address)
        env.reset()
        env.multistep([1, 2, 3])
        forks = [env.fork()]
        forks.append(forks[-1].fork())  # a fork of a fork
        pids = {env.session_info.worker_pid, *(f.session_info.worker_pid for f in forks)}
        assert len(pids) == 3
        os.kill(forks[0].session_info.worker_pid, signal.SIGKILL)  # an adopted worker dies...
        *_, truncated, _ = forks[0].step(4)  # ...and its episode is replayed elsewhere
        assert not truncated and forks[0].session_info.recoveries == 1
        env.step(4)
        forks[1].step(4)
        assert len({e.observation["IrSha1"] for e in (env, *forks)}) == 1
        for e in (*forks, env):
            e.close()
        assert not running.servicer.sessions
        assert worker_processes(directory) == []
    finally:
        running.stop()
    assert not directory.exists()
