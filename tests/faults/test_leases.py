"""Leases and session limits: a service left running does not fill up with the
sessions of clients that died, and refuses more sessions than it allows."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import compiler_env
from compiler_env.errors import TooManySessions
from service.proto import compiler_env_pb2 as pb
from service.server import create_server
from service.servicer import SessionLimits
from tests.helpers import BENCHMARK, worker_processes

ROOT = Path(__file__).resolve().parents[2]

# A client that opens three envs and a fork, then dies without closing anything.
CRASHING_CLIENT = f"""
import os, sys
import compiler_env
envs = [compiler_env.make("llvm-v0", benchmark={BENCHMARK!r}, service=sys.argv[1])
        for _ in range(3)]
for env in envs:
    env.reset()
envs[0].step(envs[0].action_space.index("mem2reg"))
fork = envs[0].fork()
os.kill(os.getpid(), 9)
"""


def _wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_the_sessions_of_crashed_clients_end_with_their_lease(monkeypatch) -> None:
    lease = 8.0
    running = create_server("127.0.0.1:0", pool_size=0, sessions=SessionLimits(lease))
    assert running.token  # TCP: a token by default, which the clients read from the environment
    monkeypatch.setenv("COMPILER_ENV_TOKEN", running.token)
    try:
        clients = [
            subprocess.Popen(
                [sys.executable, "-c", CRASHING_CLIENT, running.address],
                cwd=ROOT,
                stderr=subprocess.PIPE,
            )
            for _ in range(10)
        ]
        for client in clients:
            _, stderr = client.communicate(timeout=120)
            assert client.returncode == -signal.SIGKILL, stderr.decode()[-2000:]  # decoded by Popen
        assert running.servicer.sessions  # what the dead clients left behind
        assert _wait_until(lambda: not running.servicer.sessions, lease + 10)
        assert running.servicer.expired == 40  # 10 clients x (3 envs + 1 fork)
        assert _wait_until(lambda: not worker_processes(running.directory), 10)
        assert not list(running.directory.glob("worker-*"))  # their directories too
    finally:
        running.stop()


def test_an_idle_client_keeps_its_sessions() -> None:
    running = create_server("127.0.0.1:0", pool_size=0, sessions=SessionLimits(1.0))
    env = compiler_env.make(
        "llvm-v0", benchmark=BENCHMARK, service=running.address, token=running.token
    )
    try:
        env.reset()
        env.step(env.action_space.index("mem2reg"))
        fork = env.fork()
        time.sleep(4.0)  # four leases without a request: only the keep-alive
        env.step(env.action_space.index("instcombine"))
        fork.step(fork.action_space.index("sroa"))
        assert env.session_info.recoveries == 0 and fork.session_info.recoveries == 0
        assert running.servicer.expired == 0
        fork.close()
    finally:
        env.close()
        running.stop()


def test_keep_alive_names_the_sessions_the_service_does_not_hold() -> None:
    running = create_server("127.0.0.1:0", pool_size=0)
    env = compiler_env.make(
        "llvm-v0", benchmark=BENCHMARK, service=running.address, token=running.token
    )
    try:
        env.reset()
        info = env.session_info
        reply = running.servicer.KeepAlive(
            pb.KeepAliveRequest(session_ids=[info.id, "0" * 32], boot_id=info.boot_id), None
        )
        assert list(reply.unknown_session_ids) == ["0" * 32]
        reply = running.servicer.KeepAlive(
            pb.KeepAliveRequest(session_ids=[info.id], boot_id="another boot"), None
        )
        assert list(reply.unknown_session_ids) == [info.id]  # another run's ids: none held
    finally:
        env.close()
        running.stop()


def test_sessions_past_the_service_limit_are_refused() -> None:
    running = create_server(pool_size=0, sessions=SessionLimits(max_sessions=2))
    envs = [
        compiler_env.make("llvm-v0", benchmark=BENCHMARK, service=running.address) for _ in range(3)
    ]
    try:
        for env in envs[:2]:
            env.reset()
        envs[0].step(envs[0].action_space.index("mem2reg"))
        with pytest.raises(TooManySessions, match=r"holds 2 sessions.*--max-sessions 2"):
            envs[2].reset()
        with pytest.raises(TooManySessions, match="--max-sessions 2"):
            envs[0].fork()
        assert envs[0].actions == [envs[0].action_space.index("mem2reg")]  # kept
        envs[1].close()
        envs[2].reset()  # room again
        assert len(running.servicer.sessions) == 2
    finally:
        for env in envs:
            env.close()
        running.stop()


def test_sessions_past_a_clients_limit_are_refused() -> None:
    limits = SessionLimits(max_sessions_per_client=1)
    running = create_server("127.0.0.1:0", pool_size=0, sessions=limits)
    a, b = (compiler_env.make("llvm-v0", benchmark=BENCHMARK, service=running.address,
                              token=running.token) for _ in range(2))  # fmt: skip
    try:
        a.reset()
        with pytest.raises(TooManySessions, match="this client holds 1 sessions"):
            b.reset()
        a.close()
        b.reset()
    finally:
        a.close()
        b.close()
        running.stop()


def test_the_lease_is_part_of_the_version_reply() -> None:
    running = create_server(pool_size=0, sessions=SessionLimits(lease_seconds=42.0))
    try:
        reply = running.servicer.GetVersion(pb.GetVersionRequest(), None)
        assert reply.lease_seconds == 42.0
    finally:
        running.stop()
