"""Hangs are killed at the deadline; memory blow-ups die with a clear error; others carry on."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

import compiler_env
from compiler_env.errors import CompilerCrashed, DeadlineExceeded, InvalidArgument
from compiler_env.retry import RetryPolicy
from service.proto import compiler_env_pb2 as pb
from tests.helpers import DEADLINE, MEMORY_MIB, inject

CRC32 = "benchmark://kernels-v0/crc32"


def _make(service, **kwargs):
    return compiler_env.make(
        "llvm-v0", benchmark=CRC32, observation_space="IrSha1", service=service.address, **kwargs
    )


def test_a_hang_is_killed_at_the_deadline_and_the_step_recovers(faulty_service) -> None:
    with _make(faulty_service) as env, _make(faulty_service) as bystander:
        env.reset()
        bystander.reset()
        mem2reg = env.action_space.index("mem2reg")
        inject(faulty_service, env, "hang")
        started = time.monotonic()
        observation, _, _, truncated, info = env.step(mem2reg)
        elapsed = time.monotonic() - started
        assert not truncated, info
        assert env.session_info.recoveries == 1
        assert DEADLINE <= elapsed < DEADLINE + 30  # killed at the deadline, not never
        bystander.step(mem2reg)  # the other session never noticed
        assert observation == bystander.observation["IrSha1"]


def test_a_hang_can_fail_the_step_instead(faulty_service) -> None:
    with _make(faulty_service, retry=RetryPolicy(attempts=1, on_error="raise")) as env:
        env.reset()
        before = env.observation["IrSha1"]
        inject(faulty_service, env, "hang")
        with pytest.raises(DeadlineExceeded, match=f"deadline of {DEADLINE:g} s"):
            env.step(env.action_space.index("mem2reg"))
        assert env.actions == [] and env.observation["IrSha1"] == before


def test_a_memory_blow_up_dies_with_a_clear_error(faulty_service) -> None:
    policy = RetryPolicy(attempts=1, on_error="raise")
    with _make(faulty_service, retry=policy) as env, _make(faulty_service) as bystander:
        env.reset()
        bystander.reset()
        inject(faulty_service, env, "allocate")
        with pytest.raises(CompilerCrashed, match=f"out of memory \\(limit {MEMORY_MIB} MiB\\)"):
            env.step(env.action_space.index("sroa"))
        assert env.actions == []
        env.step(env.action_space.index("sroa"))  # restored, and usable again
        bystander.step(bystander.action_space.index("sroa"))
        assert env.observation["IrSha1"] == bystander.observation["IrSha1"]


#: A real LLVM 19 crash: loop-bound-split segfaults on this function (reduced
#: from kernels-v0/dijkstra's -O0 IR after mem2reg; the file says how to see it).
CRASHING = compiler_env.benchmark_from_file(
    Path(__file__).parent / "data" / "loop-bound-split-crash.ll"
)


def test_the_crashing_program_crashes_opt(toolchain, tmp_path: Path) -> None:
    """The reproducer recorded beside the test program shows the crash in ``opt``."""
    path = Path(__file__).parent / "data" / "loop-bound-split-crash.ll"
    result = subprocess.run(
        [str(toolchain.tool("opt")), "-passes=function(loop-bound-split)", str(path),
         "-o", str(tmp_path / "out.bc")],
        capture_output=True,
    )  # fmt: skip
    assert result.returncode != 0  # negative: killed by the signal
    assert b"Stack dump" in result.stderr


def test_a_crash_every_time_truncates_and_the_env_stays_usable(service) -> None:
    """A real LLVM 19 crash: loop-bound-split segfaults on CRASHING."""
    with compiler_env.make("llvm-ic-v0", benchmark=CRASHING, service=service.address) as env:
        env.reset()
        env.step(env.action_space.index("mem2reg"))
        reward = env.episode_reward
        _, step_reward, terminated, truncated, info = env.step(
            env.action_space.index("loop-bound-split")
        )
        assert (step_reward, terminated, truncated) == (0.0, False, True)
        assert "loop-bound-split" in info["error"] and "SIGSEGV" in info["error"]
        assert env.actions == [env.action_space.index("mem2reg")]
        assert env.episode_reward == reward
        env.step(env.action_space.index("instcombine"))  # the episode goes on
        env.reset()


def test_the_crash_raises_when_asked(service) -> None:
    with compiler_env.make(
        "llvm-v0",
        benchmark=CRASHING,
        service=service.address,
        retry=RetryPolicy(attempts=2, on_error="raise"),
    ) as env:
        env.reset()
        env.step(env.action_space.index("mem2reg"))
        with pytest.raises(CompilerCrashed, match="loop-bound-split.*2 tries"):
            env.step(env.action_space.index("loop-bound-split"))
        assert len(env.actions) == 1


def test_fault_injection_is_off_by_default(service) -> None:
    with compiler_env.make("llvm-v0", benchmark=CRC32, service=service.address) as env:
        env.reset()
        worker = service.servicer.sessions[env.session_info.id]
        with pytest.raises(InvalidArgument, match="fault injection is disabled"):
            worker.call(pb.WorkerRequest(fault=pb.FaultRequest(kind="crash", at_step=1)))
        env.step(0)
