"""The fault tier: a service that lets tests crash, hang and starve its workers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from service.proto import compiler_env_pb2 as pb
from service.sandbox import SandboxLimits
from service.server import RunningService, create_server

DEADLINE = 2.0
MEMORY_MIB = 1536


@pytest.fixture(scope="module")
def faulty_service() -> Iterator[RunningService]:
    running = create_server(
        pool_size=1,
        fault_injection=True,
        limits=SandboxLimits(request_timeout=DEADLINE, address_space_mib=MEMORY_MIB),
    )
    yield running
    running.stop()


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
