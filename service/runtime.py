"""Building and running a benchmark's program, in the sandbox.

The current module is compiled in-process to a host object file, linked by the
LLVM installation's clang (as a link driver only) with a small probe object,
and run as a child of the worker under the sandbox's limits, on one CPU, with
a wall-clock deadline and a cap on its output.

The probe (``PROBE_SOURCE``, compiled once per LLVM version) defines the
counter that an instrumented build increments (``DynamicInstructionCount``)
and, when the program exits, writes two 64-bit numbers to the file descriptor
that ``CENV_REPORT_FD`` names:
the nanoseconds from just before ``main`` to exit, and the counter. Runtimes are
therefore the program's own time, without the cost of starting a process.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import platform
import shutil
import signal
import struct
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from service.datasets.cache import cache_dir, write_atomic
from service.llvm import features
from service.llvm.binding import lib
from service.llvm.module import Module, host_target_machine
from service.llvm.toolchain import find_toolchain
from service.proto.errors import ProgramFailed
from service.sandbox import SandboxLimits, dies_with_parent, scrubbed_env

__all__ = [
    "COUNTER",
    "Build",
    "Outcome",
    "RunSpec",
    "Runner",
    "has_main",
    "machine_id",
    "build",
    "compare",
    "run",
]

#: The global an instrumented build adds each executed block's size to.
COUNTER = "__cenv_dynamic_count"
#: The variable that tells the probe which file descriptor to report on.
REPORT_FD_ENV = "CENV_REPORT_FD"
PROBE_SOURCE = rf"""
#include <stdint.h>
#include <time.h>
#include <stdlib.h>
#include <unistd.h>
uint64_t {COUNTER};
static struct timespec cenv_start;
static int cenv_fd = -1;
__attribute__((constructor(101))) static void cenv_begin(void) {{
  const char *fd = getenv("{REPORT_FD_ENV}");
  if (fd) cenv_fd = atoi(fd);
  clock_gettime(CLOCK_MONOTONIC, &cenv_start);
}}
__attribute__((destructor(101))) static void cenv_report(void) {{
  struct timespec end;
  clock_gettime(CLOCK_MONOTONIC, &end);
  uint64_t record[2] = {{
      (uint64_t)(end.tv_sec - cenv_start.tv_sec) * 1000000000u + end.tv_nsec - cenv_start.tv_nsec,
      {COUNTER}}};
  if (cenv_fd >= 0 && write(cenv_fd, record, sizeof record) < 0) {{
  }}
}}
"""
#: The most output a run may write to stdout or stderr (RLIMIT_FSIZE of the run).
OUTPUT_LIMIT_MIB = 64
#: The deadline of a run of the unoptimized program.
REFERENCE_TIMEOUT = 60.0


@dataclass(frozen=True)
class RunSpec:
    """How a benchmark's program is linked and run (from its dataset's manifest).

    Attributes:
        args: the program's command-line arguments.
        stdin: what it reads on its standard input.
        link_flags: extra linker flags, e.g. ``-lpthread`` (``-lm`` is always given).
        timeout: the deadline of a run of the unoptimized program, in seconds.
        runnable: False for programs that are not meant to be run (no ``main``).
    """

    args: tuple[str, ...] = ()
    stdin: bytes = b""
    link_flags: tuple[str, ...] = ()
    timeout: float = REFERENCE_TIMEOUT
    runnable: bool = True

    def key(self) -> str:
        """A digest of everything that changes the program's behaviour."""
        text = json.dumps([self.args, self.link_flags, hashlib.sha1(self.stdin).hexdigest()])
        return hashlib.sha1(text.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Build:
    """An executable built from a module."""

    path: Path
    seconds: float  # code generation and linking


@dataclass(frozen=True)
class Outcome:
    """What one run of a program did."""

    status: int  # its exit status, or minus the signal that ended it
    stdout: bytes
    stderr: bytes
    seconds: float  # wall-clock time from main to exit (measured outside if it did not exit)
    count: int  # executed instructions (0 unless the build was instrumented)
    timed_out: bool = False
    timeout: float = 0.0

    def to_json(self) -> str:
        return json.dumps(
            {
                "status": self.status,
                "stdout": self.stdout.decode("latin-1"),
                "stderr": self.stderr.decode("latin-1"),
                "seconds": self.seconds,
                "count": self.count,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Outcome:
        data = json.loads(text)
        return cls(
            status=int(data["status"]),
            stdout=data["stdout"].encode("latin-1"),
            stderr=data["stderr"].encode("latin-1"),
            seconds=float(data["seconds"]),
            count=int(data["count"]),
        )


def has_main(module: Module) -> bool:
    """Whether the module defines a ``main`` function."""
    function = lib().LLVMGetNamedFunction(module.handle, b"main")
    return bool(function) and not lib().LLVMIsDeclaration(function)


def probe_object() -> Path:
    """The probe's object file, compiled by this LLVM's clang once and cached
    (again if the cache was trimmed meanwhile)."""
    toolchain = find_toolchain()
    digest = hashlib.sha1(PROBE_SOURCE.encode()).hexdigest()[:12]
    path = cache_dir() / "runtime" / f"probe-llvm{toolchain.version}-{digest}.o"
    if path.exists():
        os.utime(path)  # used now: the last to be evicted
        return path
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "probe.c"
        source.write_text(PROBE_SOURCE)
        subprocess.run(
            [str(toolchain.tool("clang")), "-O2", "-fPIC", "-w", "-c", str(source),
             "-o", str(Path(scratch) / "probe.o")],
            check=True, capture_output=True,
        )  # fmt: skip
        write_atomic(path, (Path(scratch) / "probe.o").read_bytes())
    return path


def build(
    module: Module,
    spec: RunSpec,
    workdir: Path,
    *,
    level: int = 2,
    instrument: bool = False,
    limits: SandboxLimits | None = None,
) -> Build:
    """Compiles a copy of ``module`` to an executable in ``workdir``.

    Raises:
        ProgramFailed: the module cannot be compiled or linked (the message says why).
    """
    began = time.perf_counter()
    with module.clone() as copy:
        if instrument:
            features.instrument_block_counts(copy, COUNTER)
        try:
            machine = host_target_machine(copy.triple, level)
            data = copy.emit_object(machine, in_place=True)
        except Exception as error:
            raise ProgramFailed(f"the program cannot be built: {error}") from None
    workdir.mkdir(parents=True, exist_ok=True)
    name = "counted" if instrument else "program"
    obj = workdir / f"{name}.o"
    obj.write_bytes(data)
    exe = workdir / name
    command = [
        str(find_toolchain().tool("clang")), "-fuse-ld=bfd", str(obj), str(probe_object()),
        "-o", str(exe), "-lm", *spec.link_flags,
    ]  # fmt: skip
    try:
        linked = subprocess.run(
            dies_with_parent([*(limits or SandboxLimits()).prlimit(), *command]),
            cwd=workdir,
            env=scrubbed_env(str(workdir)),
            capture_output=True,
            timeout=120,
        )
    except subprocess.TimeoutExpired:
        raise ProgramFailed("the program cannot be built: linking took over 120 s") from None
    finally:
        obj.unlink(missing_ok=True)
    if linked.returncode != 0:
        message = _first_lines(linked.stderr, 6)
        raise ProgramFailed(f"the program cannot be linked: {message}")
    return Build(exe, time.perf_counter() - began)


def _first_lines(data: bytes, n: int) -> str:
    lines = data.decode(errors="replace").strip().splitlines()
    return "; ".join(line.strip() for line in lines[:n]) or "(no message)"


def _cpu() -> list[str]:
    """A ``taskset`` prefix that pins a run to one CPU this process may use."""
    try:
        cpus = sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return []
    if not cpus or shutil.which("taskset") is None:
        return []
    return ["taskset", "--cpu-list", str(cpus[-1])]


def run(
    program: Build,
    spec: RunSpec,
    *,
    timeout: float,
    limits: SandboxLimits | None = None,
) -> Outcome:
    """Runs the program once, in its folder, under the sandbox's limits."""
    folder = program.path.parent
    budget = max(1, int(timeout) + 1)
    sandbox = replace(limits or SandboxLimits(), cpu_seconds=budget, file_size_mib=OUTPUT_LIMIT_MIB)
    command = dies_with_parent([*sandbox.prlimit(), *_cpu(), str(program.path), *spec.args])
    with tempfile.TemporaryFile(dir=folder) as out, tempfile.TemporaryFile(
        dir=folder
    ) as err, tempfile.TemporaryFile(dir=folder) as report:
        began = time.perf_counter()
        timed_out = False
        with subprocess.Popen(
            command,
            cwd=folder,
            env=scrubbed_env(str(folder), {REPORT_FD_ENV: str(report.fileno())}),
            stdin=subprocess.PIPE,
            stdout=out,
            stderr=err,
            pass_fds=(report.fileno(),),
            start_new_session=True,
        ) as child:
            try:
                child.communicate(spec.stdin, timeout=timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        outside = time.perf_counter() - began
        status = child.returncode
        seconds, count = outside, 0
        report.seek(0)
        record = report.read(16)
        if len(record) == 16:
            nanoseconds, count = struct.unpack("<QQ", record)
            seconds = nanoseconds / 1e9
        out.seek(0)
        err.seek(0)
        return Outcome(
            status=status,
            stdout=out.read(OUTPUT_LIMIT_MIB * 1024 * 1024),
            stderr=err.read(64 * 1024),
            seconds=seconds,
            count=count,
            timed_out=timed_out,
            timeout=timeout,
        )


def compare(outcome: Outcome, reference: Outcome) -> str:
    """Why ``outcome`` does not behave as ``reference`` (the unoptimized
    program) does, or "" when its exit status and output are the same."""
    if outcome.timed_out:
        return (
            f"the program hangs: it ran past {outcome.timeout:.1f} s, where the unoptimized "
            f"program finishes in {reference.seconds:.3f} s"
        )
    if outcome.status != reference.status:
        return (
            f"the program {_status(outcome.status)}, where the unoptimized program "
            f"{_status(reference.status)}"
        )
    if outcome.stdout != reference.stdout:
        return "the program's output differs from the unoptimized program's: " + _first_difference(
            reference.stdout, outcome.stdout
        )
    return ""


def _status(status: int) -> str:
    if status < 0:
        try:
            name = signal.Signals(-status).name
        except ValueError:
            name = f"signal {-status}"
        why = {
            "SIGXFSZ": f" (it wrote more than {OUTPUT_LIMIT_MIB} MiB of output)",
            "SIGXCPU": " (it used up its CPU time)",
        }.get(name, "")
        return f"is killed by {name}{why}"
    return f"exits with status {status}"


def _first_difference(expected: bytes, got: bytes) -> str:
    want = expected.decode(errors="replace").split("\n")
    have = got.decode(errors="replace").split("\n")
    for number, (a, b) in enumerate(zip(want, have), start=1):
        if a != b:
            return f"line {number} is {b[:200]!r}, expected {a[:200]!r}"
    if len(have) < len(want):
        return f"it ends after line {len(have) - 1}, expected {len(want) - 1} lines"
    return f"it writes {len(have) - len(want)} more lines, from {have[len(want)][:200]!r}"


def processor_model() -> str:
    """The processor's model name (``/proc/cpuinfo``), or "" where it does not say."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return ""


@functools.cache
def machine_id() -> str:
    """A short name of this machine and its processor, for caches of timings."""
    text = f"{platform.node()}|{processor_model()}|{os.cpu_count()}"
    return hashlib.sha1(text.encode()).hexdigest()[:10]


def hang_timeout(reference: Outcome) -> float:
    """The deadline of a run of an optimized program: far past what the
    unoptimized program takes, so that only a hang reaches it."""
    return max(2.0, 20 * reference.seconds + 1.0)


class Runner:
    """Builds and runs one episode's program: its reference output, and the
    executables of the current module (kept until the module changes).

    Args:
        key: names the benchmark in the cache (its bitcode's SHA-1).
        spec: how the program is linked and run.
        start: the unoptimized module, parsed anew (for the reference run).
    """

    def __init__(
        self,
        key: str,
        spec: RunSpec,
        start: Callable[[], contextlib.AbstractContextManager[Module]],
    ) -> None:
        self.key = key
        self.spec = spec
        self.start = start
        self._folder: Path | None = None
        self._owner = 0  # the process that made the folder (a fork makes its own)
        self._reference: Outcome | None = None
        self._builds: dict[bool, Build] = {}

    @property
    def folder(self) -> Path:
        if self._folder is None or self._owner != os.getpid():
            self._folder = Path(tempfile.mkdtemp(prefix="program-"))
            self._owner = os.getpid()
            self._builds = {}
        return self._folder

    def close(self) -> None:
        if self._folder is not None and self._owner == os.getpid():
            shutil.rmtree(self._folder, ignore_errors=True)
        self._folder = None

    def forget(self) -> None:
        """Drops the executables of the previous module (done after every action)."""
        for program in self._builds.values():
            program.path.unlink(missing_ok=True)
        self._builds = {}

    def runnable(self, module: Module) -> bool:
        return self.spec.runnable and has_main(module)

    def _require_runnable(self, module: Module) -> None:
        if not self.spec.runnable:
            raise ProgramFailed("this benchmark is not runnable (its dataset says so)")
        if not has_main(module):
            raise ProgramFailed("the program is not runnable: it defines no main function")

    def reference(self) -> Outcome:
        """The unoptimized program's run (cached on disk per benchmark)."""
        if self._reference is not None:
            return self._reference
        version = find_toolchain().version
        path = cache_dir() / "runtime" / f"{self.key}-{self.spec.key()}-llvm{version}-ref.json"
        try:
            self._reference = Outcome.from_json(path.read_text())
            return self._reference
        except (OSError, ValueError, KeyError):
            pass
        with self.start() as module:
            self._require_runnable(module)
            program = build(module, self.spec, self.folder / "reference", level=0)
        outcome = run(program, self.spec, timeout=self.spec.timeout)
        shutil.rmtree(program.path.parent, ignore_errors=True)
        if outcome.timed_out:
            raise ProgramFailed(
                f"the unoptimized program does not finish within {self.spec.timeout:.0f} s"
            )
        write_atomic(path, outcome.to_json().encode())
        self._reference = outcome
        return outcome

    def build(self, module: Module, *, instrument: bool = False, level: int | None = None) -> Build:
        """The current module's executable (built once per step), or, with a
        code generation ``level``, a baseline's (built every time)."""
        if level is not None:
            self._require_runnable(module)
            folder = self.folder / f"level{level}"
            return build(module, self.spec, folder, level=level, instrument=instrument)
        if instrument not in self._builds:
            self._require_runnable(module)
            self._builds[instrument] = build(module, self.spec, self.folder, instrument=instrument)
        return self._builds[instrument]

    def checked_runs(self, program: Build, runs: int) -> list[Outcome]:
        """``runs`` runs of a program, each checked against the reference.

        Raises:
            ProgramFailed: a run does not behave as the unoptimized program does.
        """
        reference = self.reference()
        outcomes = []
        for _ in range(runs):
            outcome = run(program, self.spec, timeout=hang_timeout(reference))
            why = compare(outcome, reference)
            if why:
                raise ProgramFailed(why)
            outcomes.append(outcome)
        return outcomes

    def semantics_error(self, module: Module) -> str:
        """Why the module's program does not behave as the unoptimized one, or ""
        (also for a program that is not runnable: see ``runnable``)."""
        if not self.runnable(module):
            return ""
        try:
            self.checked_runs(self.build(module), 1)
        except ProgramFailed as error:
            return str(error)
        return ""

    def runtimes(
        self, module: Module, runs: int, warmup: int, level: int | None = None
    ) -> list[float]:
        """Wall-clock seconds of ``runs`` runs after ``warmup`` unmeasured ones."""
        outcomes = self.checked_runs(self.build(module, level=level), warmup + runs)
        return [outcome.seconds for outcome in outcomes[warmup:]]

    def dynamic_count(self, module: Module, level: int | None = None) -> int:
        """How many instructions of ``module`` its program executes on its input."""
        (outcome,) = self.checked_runs(self.build(module, instrument=True, level=level), 1)
        return outcome.count
