"""Resource limits for worker processes and for the programs the service runs.

Every worker, and every program the service builds and runs, is a child process
with limits on address space, open files, file size and core dumps, started in
a private directory with a scrubbed environment. CPU time is limited per
request: a worker raises its own soft CPU limit to "used so far + budget"
before each request (``arm_cpu_budget``), so a runaway pass is stopped even if
nobody is waiting for it, while a long-lived worker can serve any number of
requests.
"""

from __future__ import annotations

import argparse
import mmap
import os
import resource
import shutil
import struct
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace

from service.proto.constants import MAX_PROGRAM_BYTES
from service.proto.errors import DeadlineExceeded

__all__ = [
    "EXIT_OUT_OF_MEMORY",
    "BusyStamp",
    "SandboxLimits",
    "arm_cpu_budget",
    "dies_with_parent",
    "run_sandboxed",
    "scrubbed_env",
]

MIB = 1024 * 1024
#: The exit status of a worker that ran out of memory.
EXIT_OUT_OF_MEMORY = 86
# Variables a sandboxed process keeps from its parent's environment; the rest is dropped.
KEPT_ENV = (
    "PATH", "HOME", "LANG", "LC_ALL", "PYTHONPATH", "COMPILER_ENV_LLVM_CONFIG",
    "COMPILER_ENV_DATASETS", "COMPILER_ENV_CACHE", "COMPILER_ENV_CACHE_MIB",
)  # fmt: skip


@dataclass(frozen=True)
class SandboxLimits:
    """The limits of one sandboxed process (configurable per service).

    Attributes:
        address_space_mib: virtual memory limit (RLIMIT_AS).
        cpu_seconds: CPU time allowed for one request (or one program run).
        open_files: RLIMIT_NOFILE.
        file_size_mib: the largest file the process may write (RLIMIT_FSIZE).
        request_timeout: wall-clock deadline of one request, enforced by the service.
        max_program_bytes: the largest benchmark the service accepts.
    """

    address_space_mib: int = 8192
    cpu_seconds: int = 600
    open_files: int = 256
    file_size_mib: int = 1024
    request_timeout: float = 300.0
    max_program_bytes: int = MAX_PROGRAM_BYTES

    def apply(self) -> None:
        """Sets the limits on the calling process (used in a child before exec).

        A process cannot raise a hard limit: each limit is at most the hard
        limit this process already runs under (``clamped()`` says which).
        """
        resource.setrlimit(
            resource.RLIMIT_AS, (_at_most(resource.RLIMIT_AS, self.address_space_mib * MIB),) * 2
        )
        resource.setrlimit(
            resource.RLIMIT_NOFILE, (_at_most(resource.RLIMIT_NOFILE, self.open_files),) * 2
        )
        resource.setrlimit(
            resource.RLIMIT_FSIZE, (_at_most(resource.RLIMIT_FSIZE, self.file_size_mib * MIB),) * 2
        )
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        arm_cpu_budget(self.cpu_seconds)

    def clamped(self) -> tuple[SandboxLimits, list[str]]:
        """These limits lowered to the hard limits of the calling process, and a
        sentence for each limit that was lowered."""
        notes = []
        values = {}
        for field, limit, unit in _RLIMITS:
            wanted = getattr(self, field)
            allowed = _at_most(limit, wanted * unit) // unit
            if allowed < wanted:
                notes.append(
                    f"{field} lowered from {wanted} to {allowed}: the hard limit this "
                    "service runs under (ulimit -H) allows no more"
                )
                values[field] = allowed
        return replace(self, **values), notes

    def prlimit(self) -> list[str]:
        """A ``prlimit`` command prefix that runs a program under these limits.

        (``preexec_fn`` is not used: it is unsafe in a process with threads,
        such as the gRPC server.)
        """

        return [
            "prlimit",
            f"--as={_at_most(resource.RLIMIT_AS, self.address_space_mib * MIB)}",
            f"--nofile={_at_most(resource.RLIMIT_NOFILE, self.open_files)}",
            f"--fsize={_at_most(resource.RLIMIT_FSIZE, self.file_size_mib * MIB)}",
            "--core=0",
            f"--cpu={_at_most(resource.RLIMIT_CPU, self.cpu_seconds)}",
            "--",
        ]

    def to_args(self) -> list[str]:
        """Command-line flags of ``service.worker`` that recreate these limits."""
        return [f"--{name.replace('_', '-')}={value}" for name, value in asdict(self).items()]

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        """Adds one flag per limit to a command-line parser."""
        for item in fields(cls):
            default = item.default
            parser.add_argument(
                f"--{item.name.replace('_', '-')}", type=type(default), default=default
            )

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> SandboxLimits:
        """The limits parsed by a parser that ``add_arguments`` prepared."""
        return cls(**{item.name: getattr(args, item.name) for item in fields(cls)})


#: The fields of SandboxLimits that are rlimits: (field, limit, bytes per unit).
_RLIMITS = (
    ("address_space_mib", resource.RLIMIT_AS, MIB),
    ("cpu_seconds", resource.RLIMIT_CPU, 1),
    ("open_files", resource.RLIMIT_NOFILE, 1),
    ("file_size_mib", resource.RLIMIT_FSIZE, MIB),
)


def dies_with_parent(command: Sequence[str]) -> list[str]:
    """``command`` made to receive SIGKILL when the process that started it dies
    (``PR_SET_PDEATHSIG`` through util-linux's ``setpriv``), so that no compiler
    or program outlives the worker that ran it."""
    if shutil.which("setpriv") is None:
        return list(command)
    return ["setpriv", "--pdeathsig", "KILL", "--", *command]


def _at_most(limit: int, value: int) -> int:
    """``value``, or less if the hard limit of this process is lower (no process can raise it)."""
    _, hard = resource.getrlimit(limit)
    return value if hard == resource.RLIM_INFINITY else min(value, hard)


def arm_cpu_budget(seconds: int) -> int:
    """Lets the calling process use ``seconds`` more CPU time, then SIGXCPU stops it.

    Returns the new soft limit, in seconds of CPU time since the process began.
    """
    used = int(time.process_time()) + 1
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = used + seconds
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
    return soft


def scrubbed_env(workdir: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a sandboxed process: a few kept variables, its own TMPDIR."""
    env = {k: v for k, v in os.environ.items() if k in KEPT_ENV}
    env["TMPDIR"] = workdir
    env.update(extra or {})
    return env


def run_sandboxed(
    command: Sequence[str],
    limits: SandboxLimits,
    workdir: str,
    *,
    timeout: float | None = None,
    stdin: bytes | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Runs a program under the limits, in ``workdir``; raises DeadlineExceeded on timeout."""
    deadline = timeout if timeout is not None else limits.request_timeout
    try:
        return subprocess.run(
            dies_with_parent([*limits.prlimit(), *command]),
            cwd=workdir,
            env=scrubbed_env(workdir),
            input=stdin,
            capture_output=True,
            timeout=deadline,
        )
    except subprocess.TimeoutExpired as error:
        raise DeadlineExceeded(
            f"{command[0]} did not finish within {deadline:.0f} s and was killed"
        ) from error


class BusyStamp:
    """When the current request of a worker began (0.0: idle) and when the last
    one ended, shared through a file.

    The worker writes it around every request, wherever the request came from;
    the service's watchdog reads it to kill workers past their deadline and to
    see when a session was last used, even when a client talks to the worker
    directly.
    """

    SIZE = 16

    def __init__(self, path: str, *, create: bool = False) -> None:
        if create:
            with open(path, "wb") as f:
                f.write(bytes(self.SIZE))
        self._file = open(path, "r+b")  # noqa: SIM115 (kept open for the mmap)
        self._map = mmap.mmap(self._file.fileno(), self.SIZE)

    def begin(self) -> None:
        self._map[:8] = struct.pack("d", time.monotonic())

    def end(self) -> None:
        self._map[:16] = struct.pack("dd", 0.0, time.monotonic())

    def busy_for(self) -> float:
        """Seconds since the current request began, or 0.0 when idle."""
        (started,) = struct.unpack("d", self._map[:8])
        return time.monotonic() - started if started else 0.0

    def last_ended(self) -> float:
        """When (``time.monotonic()``) the last request ended, or 0.0 if none has."""
        (ended,) = struct.unpack("d", self._map[8:16])
        return float(ended)

    def close(self) -> None:
        self._map.close()
        self._file.close()
