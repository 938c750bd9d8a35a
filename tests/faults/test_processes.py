"""Envs across processes: garbage collection, fork, exit, vector envs and pools."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import compiler_env
from compiler_env import services
from tests.helpers import BENCHMARK, replayed_sha1

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Runs a script in a new interpreter; a hang dumps every thread's stack."""
    script = "import faulthandler; faulthandler.dump_traceback_later(60, exit=True)\n"
    return subprocess.run(
        [sys.executable, "-c", script + textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_collecting_an_env_while_the_local_registry_is_locked_does_not_deadlock() -> None:
    result = _run(
        """
        import compiler_env
        from compiler_env import services
        env = compiler_env.make("llvm-v0")
        env.reset()
        with services.LOCAL._lock:  # what a collection inside acquire() sees
            env.__del__()  # must neither block nor raise
        other = compiler_env.make("llvm-v0")  # the deferred release is done here
        other.reset()
        other.close()
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_exit_with_an_env_in_use_by_a_daemon_thread_never_hangs() -> None:
    for _ in range(4):
        result = _run(
            """
            import threading, compiler_env
            env = compiler_env.make("llvm-v0", benchmark="benchmark://kernels-v0/crc32")
            env.reset()
            started = threading.Event()
            def work():
                while True:
                    env.step(0)
                    started.set()
            threading.Thread(target=work, daemon=True).start()
            started.wait(60)
            """
        )
        assert result.returncode == 0, result.stderr


def _child(work) -> int:
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            code = work()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_a_forked_child_never_touches_the_parents_session() -> None:
    with compiler_env.make("llvm-v0", benchmark=BENCHMARK) as env:
        env.reset()
        env.step(env.action_space.index("mem2reg"))
        service = services.LOCAL.current
        assert service is not None

        def close_inherited() -> int:
            env.close()  # the parent's session: not ours to end
            gc.collect()
            return 0

        def use_inherited() -> int:
            env.step(env.action_space.index("instcombine"))  # replayed on our own service
            ours = services.LOCAL.current
            assert ours is not None and ours is not service
            assert env.session_info.recoveries == 1 and len(env.actions) == 2
            return 0

        def abandon_inherited() -> int:
            env.__del__()
            return 0

        for work in (close_inherited, use_inherited, abandon_inherited):
            assert _child(work) == 0
        assert service.alive() and services.LOCAL.current is service
        env.step(env.action_space.index("sroa"))
        assert env.session_info.recoveries == 0  # never lost
        assert env.observation["IrSha1"] == replayed_sha1(None, BENCHMARK, env.actions)


def _probe(kind: str, context: str) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-m", "tests.faults.process_probe", kind, context, "20"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("context", ["fork", "forkserver", "spawn"])
@pytest.mark.parametrize("kind", ["vector", "pool", "sb3"])
def test_vector_envs_and_pools_leave_the_parents_episode_alone(kind, context) -> None:
    result = _probe(kind, context)
    assert result["after"] == result["expected"]
    assert result["recoveries"] == 0
