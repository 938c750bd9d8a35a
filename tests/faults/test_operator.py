"""A service run by an operator: limits that fit the caller's own, and no process
that outlives its worker or hangs a session."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import compiler_env
from compiler_env.errors import (
    BenchmarkInitError,
    CompilerEnvError,
    DeadlineExceeded,
    InvalidArgument,
)
from service.sandbox import SandboxLimits
from service.server import create_server
from tests.helpers import BENCHMARK, DEADLINE, MEMORY_MIB, replayed_sha1

ROOT = Path(__file__).resolve().parents[2]

EPISODE = f"""
import compiler_env
env = compiler_env.make("llvm-v0", benchmark={BENCHMARK!r})
env.reset()
env.step(env.action_space.index("mem2reg"))
print("steps", len(env.actions))
env.close()
"""


def test_workers_start_under_a_hard_memory_limit_below_the_sandboxs() -> None:
    """``ulimit -v`` below the 8 GiB default: the workers get what is allowed, and are told."""
    limit = 6 * 1024**3
    result = subprocess.run(
        ["prlimit", f"--as={limit}", "--", sys.executable, "-c", EPISODE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == ["steps", "1"]
    assert "address_space_mib lowered from 8192 to 6144" in result.stderr
    assert "Traceback" not in result.stderr


def _processes_under(directory: Path) -> list[tuple[int, str, str]]:
    """(pid, name, state) of the processes whose working folder is in ``directory``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = os.readlink(entry / "cwd")
            name, rest = (entry / "stat").read_text().split(" (", 1)[1].rsplit(") ", 1)
        except OSError:
            continue
        if cwd.startswith(str(directory)):
            found.append((int(entry.name), name, rest.split()[0]))
    return found


def _zombie_children() -> list[int]:
    zombies = []
    for task in Path("/proc/self/task").iterdir():
        for pid in (task / "children").read_text().split():
            try:
                if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                    zombies.append(int(pid))
            except OSError:
                continue
    return zombies


# Preprocessing this takes clang minutes: each macro doubles the tokens.
SLOW_C = (
    "".join(f"#define X{i + 1} X{i} + X{i}\n" for i in range(40)).replace(
        "#define X1 X0 + X0", "#define X0 1\n#define X1 X0 + X0"
    )
    + "int main(void) { return X40; }\n"
)


def test_a_compile_past_its_deadline_leaves_no_clang_zombie_or_orphan() -> None:
    limits = SandboxLimits(request_timeout=3.0, address_space_mib=MEMORY_MIB)
    running = create_server(pool_size=0, limits=limits)
    slow = compiler_env.benchmark_from_source(SLOW_C)
    env = compiler_env.make("llvm-v0", benchmark=slow, service=running.address)
    try:
        before = set(_zombie_children())
        with pytest.raises((DeadlineExceeded, BenchmarkInitError)):
            env.reset()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (
            _processes_under(running.directory) or set(_zombie_children()) - before
        ):
            time.sleep(0.2)
        assert _processes_under(running.directory) == []  # no clang, no worker left
        assert set(_zombie_children()) - before == set()  # and nothing left unreaped
    finally:
        env.close()
        running.stop()


def test_a_reset_past_an_envs_deadline_is_tried_once() -> None:
    running = create_server(pool_size=0)  # the service's deadline: 300 s
    slow = compiler_env.benchmark_from_source(SLOW_C)
    env = compiler_env.make(
        "llvm-v0", benchmark=BENCHMARK, service=running.address, deadline=DEADLINE
    )
    try:
        env.reset()
        with pytest.raises(DeadlineExceeded, match="past its deadline \\(tried once") as error:
            env.reset(options={"benchmark": slow})
        assert f"deadline of {DEADLINE:g} s" in str(error.value)
        assert env.benchmark == BENCHMARK  # the episode before is kept
        env.step(env.action_space.index("mem2reg"))
    finally:
        env.close()
        running.stop()


def test_a_stopped_idle_worker_is_replaced_within_the_deadline() -> None:
    limits = SandboxLimits(request_timeout=DEADLINE, address_space_mib=MEMORY_MIB)
    running = create_server("127.0.0.1:0", pool_size=0, limits=limits)
    env = compiler_env.make(
        "llvm-v0", benchmark=BENCHMARK, service=running.address, token=running.token
    )
    try:
        env.reset()
        env.step(env.action_space.index("mem2reg"))
        os.kill(env.session_info.worker_pid, signal.SIGSTOP)
        started = time.monotonic()
        env.step(env.action_space.index("instcombine"))  # a new worker, by replay
        assert time.monotonic() - started < DEADLINE
        assert env.session_info.recoveries == 1
        assert env.observation["IrSha1"] == replayed_sha1(None, BENCHMARK, env.actions)
    finally:
        env.close()
        running.stop()


def test_a_worker_that_cannot_start_says_why(capfd) -> None:
    running = create_server(pool_size=0, limits=SandboxLimits(address_space_mib=64))
    try:
        env = compiler_env.make("llvm-v0", benchmark=BENCHMARK, service=running.address)
        with pytest.raises(CompilerEnvError, match=r"could not start: .*64 MiB of address space"):
            env.reset()
        env.close()
    finally:
        running.stop()
    assert "Traceback" not in capfd.readouterr().err


KILLED_SERVICE = f"""
import os, signal, compiler_env
from compiler_env import services
envs = [compiler_env.make("llvm-v0", benchmark={BENCHMARK!r}) for _ in range(3)]
for env in envs:
    env.reset()
for _ in range(3):  # a worker the pool is starting sees its service's folder vanish
    os.kill(services.LOCAL.current.process.pid, signal.SIGKILL)
    for env in envs:
        env.step(env.action_space.index("mem2reg"))
print(*(len(env.actions) for env in envs))
for env in envs:
    env.close()
"""


def test_killing_the_service_prints_no_worker_traceback() -> None:
    result = subprocess.run(
        [sys.executable, "-c", KILLED_SERVICE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == ["3", "3", "3"]  # every step survived every kill
    assert "Traceback" not in result.stderr, result.stderr[-3000:]


def test_baselines_are_computed_only_when_asked_for(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("COMPILER_ENV_CACHE", str(tmp_path))  # the workers' cache, empty
    running = create_server(pool_size=0)
    try:
        with compiler_env.make("llvm-v0", benchmark=BENCHMARK, service=running.address) as env:
            env.reset()
            env.step(env.action_space.index("mem2reg"))
        assert not (tmp_path / "baselines").exists()  # no reward: no baseline at all
        with compiler_env.make("llvm-ic-v0", benchmark=BENCHMARK, service=running.address) as env:
            env.reset()
            env.step(env.action_space.index("mem2reg"))
        (stored,) = (tmp_path / "baselines").iterdir()
        # Instruction counts only: no -O3 pipeline, and no code generation for object sizes.
        assert sorted(json.loads(stored.read_text())) == [
            "IrInstructionCountO0",
            "IrInstructionCountOz",
        ]
    finally:
        running.stop()


def test_an_env_can_ask_for_its_own_sandbox_limits(capfd) -> None:
    small = compiler_env.SandboxLimits(address_space_mib=64)
    with pytest.raises(InvalidArgument, match="remote service has the limits"):
        compiler_env.make("llvm-v0", service="127.0.0.1:1", limits=small)
    with compiler_env.make("llvm-v0", benchmark=BENCHMARK, limits=small) as env:
        with pytest.raises(CompilerEnvError, match="could not start: .*64 MiB of address space"):
            env.reset()
    roomy = compiler_env.SandboxLimits(address_space_mib=MEMORY_MIB)
    with compiler_env.make("llvm-v0", benchmark=BENCHMARK, limits=roomy) as env:
        env.reset()  # a local service of its own, with these limits
        env.step(env.action_space.index("mem2reg"))
        assert env.observation["IrSha1"] == replayed_sha1(None, BENCHMARK, env.actions)
    assert "Traceback" not in capfd.readouterr().err
