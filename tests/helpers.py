"""What several test modules share: benchmarks, programs that break LLVM, reference runs."""

from __future__ import annotations

import subprocess
from pathlib import Path

import compiler_env
from service import benchmarks
from service.llvm.module import Context, Module
from service.llvm.toolchain import Toolchain
from service.proto import compiler_env_pb2 as pb
from service.server import RunningService

BENCHMARK = "benchmark://kernels-v0/crc32"
MEDIUM = "benchmark://kernels-v0/json_query"

# The committed kernels-v0 manifest (a file read, nothing compiled): the URIs
# that parametrized tests run on.
KERNELS = sorted(benchmarks.datasets()["kernels-v0"].uris())

# The fault tier's service limits (tests/faults/conftest.py).
DEADLINE = 2.0
MEMORY_MIB = 1536

# One function, one loop, an alloca that mem2reg removes.
IR = """
define i32 @square_sum(i32 %n) {
entry:
  %p = alloca i32
  store i32 0, ptr %p
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %next, %loop ]
  %acc = load i32, ptr %p
  %sq = mul i32 %i, %i
  %sum = add i32 %acc, %sq
  store i32 %sum, ptr %p
  %next = add i32 %i, 1
  %done = icmp eq i32 %next, %n
  br i1 %done, label %exit, label %loop
exit:
  %r = load i32, ptr %p
  ret i32 %r
}
"""


def deep_type_ir(depth: int = 100_000) -> str:
    """IR whose one global has a type nested ``depth`` deep: LLVM 19's parser
    overflows its stack on it (reproducer: ``opt-19 -S deep.ll`` exits with SIGSEGV)."""
    return f"@g = global {'[1 x ' * depth}i8{']' * depth} zeroinitializer\n"


def replayed_sha1(service: str | None, benchmark: str, actions: list[int]) -> str:
    """The IrSha1 of ``actions`` replayed on a fresh env: what an episode must match."""
    with compiler_env.make("llvm-v0", benchmark=benchmark, service=service) as env:
        env.reset()
        if actions:
            env.multistep(actions)
        return str(env.observation["IrSha1"])


def kernel_module(context: Context, uri: str) -> Module:
    """The unoptimized module of a kernels-v0 benchmark."""
    return context.parse(benchmarks.resolve(uri).bitcode, uri)


def opt(toolchain: Toolchain, args: list[str], cwd: Path) -> str:
    """Runs LLVM's own opt; returns its stdout."""
    result = subprocess.run(
        [str(toolchain.tool("opt")), *args], cwd=cwd, capture_output=True, text=True, check=True
    )
    return result.stdout


def inject(service: RunningService, env, kind: str, at_step: int = 1) -> None:
    """Makes the env's worker fail during its ``at_step``-th next step request."""
    worker = service.servicer.sessions[env.session_info.id]
    worker.call(pb.WorkerRequest(fault=pb.FaultRequest(kind=kind, at_step=at_step)))


def worker_processes(directory: Path) -> list[int]:
    """Pids of the live worker processes of the service whose directory this is."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"service.worker" in cmdline and any(str(directory).encode() in a for a in cmdline):
            try:
                state = (entry / "stat").read_text().split(")")[-1].split()[0]
            except OSError:
                continue
            if state != "Z":
                found.append(int(entry.name))
    return found
