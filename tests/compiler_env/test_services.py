"""The local service that make() starts on demand, shared by a process's envs."""

from __future__ import annotations

import compiler_env
from compiler_env import services


def test_local_service_is_shared_and_stopped_with_the_last_env() -> None:
    first = compiler_env.make("llvm-v0")
    second = compiler_env.make("llvm-v0")
    local = services.LOCAL.current
    assert local is not None
    first.reset()
    second.reset()
    boot_id = local.connection.version.boot_id
    assert first.session_info.boot_id == second.session_info.boot_id == boot_id
    fork = first.fork()
    first.close()
    second.close()
    assert local.process.poll() is None  # the fork still uses it
    fork.close()
    assert local.process.wait(timeout=20) is not None
    assert services.LOCAL.current is None
