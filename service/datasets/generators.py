"""Generated programs: one per seed (``generator://<dataset>/<seed>``; up to 2**32-1,
or the dataset's ``max_seed``).

A generator dataset's manifest names its tool and the tool's fixed options:

- ``csmith``: a random C program from Csmith, compiled like any C benchmark
  (with Csmith's runtime headers). The program is then built and run once, in
  a child process with limits on CPU time, memory and file size and a
  wall-clock deadline, so that every ``csmith-v0`` benchmark is known to
  terminate: a seed whose program does not build, or does not finish within
  ``RUN_CPU_SECONDS`` of CPU time, is refused with a ``BenchmarkInitError`` that
  names the seed and suggests another. About one seed in a hundred is refused.
- ``llvm-stress``: a random IR function from ``llvm-stress`` of the LLVM
  installation in use (for code size only: it has no ``main``).

Both are deterministic: the same seed, tool version and LLVM version give the
same bitcode. Results are cached, and so are refusals that would recur (a
build failure, a program that used up its CPU time).
"""

from __future__ import annotations

import functools
import hashlib
import json
import shutil
import signal
import tempfile
from pathlib import Path

from service.datasets.cache import cache_dir, write_atomic
from service.datasets.compile import DATASET_STD, build_module, run_tool
from service.datasets.manifests import Dataset
from service.llvm.toolchain import find_toolchain
from service.proto.errors import (
    BenchmarkInitError,
    BenchmarkNotFound,
    CompilerEnvError,
    CompilerNotFound,
    DeadlineExceeded,
)
from service.sandbox import SandboxLimits, run_sandboxed

__all__ = ["RUN_CPU_SECONDS", "RUN_TIMEOUT", "csmith_include_dir", "generate", "parse_seed"]

#: CPU seconds a generated program may use when it is run to check that it ends.
RUN_CPU_SECONDS = 2
#: Wall-clock seconds before a generated program that is still running is killed.
RUN_TIMEOUT = 10.0
# The sandbox of a generated program's check run.
_RUN_LIMITS = SandboxLimits(
    address_space_mib=1024,
    cpu_seconds=RUN_CPU_SECONDS,
    open_files=32,
    file_size_mib=16,
    request_timeout=RUN_TIMEOUT,
)
#: Seconds a generator may take to write one program.
GENERATE_TIMEOUT = 60.0


class _Refused(BenchmarkInitError):
    """A seed that will be refused every time (cached)."""


def parse_seed(dataset: Dataset, text: str, uri: str) -> int:
    """The seed of a generator URI's path: ASCII digits of a number from 0 to the
    dataset's ``max_seed``, written without leading zeros (each seed has one URI)."""
    digits = text.isascii() and text.isdigit()  # "²" and "١" are digits too
    if not digits or int(text) > dataset.max_seed:
        raise BenchmarkNotFound(
            f"{uri[:200]!r}: a benchmark of {dataset.name} is {dataset.uri_prefix}<seed> with "
            f"a seed from 0 to {dataset.max_seed} in ASCII digits, e.g. {dataset.uri_prefix}42"
        )
    if text != str(int(text)):
        raise BenchmarkNotFound(
            f"{uri[:200]!r}: write the seed without leading zeros: "
            f"{dataset.uri_prefix}{int(text)}"
        )
    return int(text)


def generate(dataset: Dataset, seed: int) -> bytes:
    """The bitcode of a generator dataset's program for ``seed`` (cached).

    Raises:
        BenchmarkInitError: the seed's program cannot be used; the message says
            why and suggests another seed.
        CompilerNotFound: the generator tool is not installed.
    """
    assert dataset.generator is not None
    tool = dataset.generator.get("tool")
    if tool == "csmith":
        make, version = _csmith, _csmith_version()
    elif tool == "llvm-stress":
        make, version = _llvm_stress, "llvm-stress"
    else:
        raise CompilerEnvError(
            f"{dataset.name}: unknown generator {tool!r} in {dataset.root / 'manifest.json'} "
            "(expected csmith or llvm-stress)"
        )
    identity = json.dumps(
        [version, find_toolchain().version, dataset.generator, RUN_CPU_SECONDS], sort_keys=True
    )
    key = hashlib.sha256(identity.encode()).hexdigest()[:16]
    path = cache_dir() / "generated" / dataset.name / f"{seed}-{key}.bc"
    refusal = path.with_suffix(".refused")
    if path.exists():
        return path.read_bytes()
    if refusal.exists():
        raise BenchmarkInitError(refusal.read_text())
    args = [str(a) for a in dataset.generator.get("args", [])]
    uri = f"{dataset.uri_prefix}{seed}"
    try:
        with tempfile.TemporaryDirectory(prefix="compiler_env-gen-") as tmp:
            bitcode = make(Path(tmp), seed, args)
    except BenchmarkInitError as error:
        message = f"{uri} cannot be used: {error}\nThis seed is refused; use another seed."
        if isinstance(error, _Refused):
            write_atomic(refusal, message.encode())
        raise BenchmarkInitError(message) from None
    write_atomic(path, bitcode)
    return bitcode


def _csmith_path() -> Path:
    found = shutil.which("csmith")
    if not found:
        raise CompilerNotFound(
            "Csmith is not installed, and csmith-v0 needs it (Debian: apt-get install csmith "
            "libcsmith-dev)"
        )
    return Path(found)


@functools.cache
def _csmith_version() -> str:
    result = run_tool([str(_csmith_path()), "--version"], what="csmith --version", timeout=30)
    return result.stdout.decode(errors="replace").strip()


@functools.cache
def csmith_include_dir() -> Path:
    """The folder of Csmith's runtime header ``csmith.h``."""
    prefix = _csmith_path().resolve().parent.parent
    for base in (prefix / "include", Path("/usr/include"), Path("/usr/local/include")):
        for folder in sorted(base.glob("csmith*")):
            if (folder / "csmith.h").is_file():
                return folder
    raise CompilerNotFound(
        "Csmith's runtime headers (csmith.h) were not found; install them (Debian: "
        "apt-get install libcsmith-dev)"
    )


def _csmith(tmp: Path, seed: int, args: list[str]) -> bytes:
    command = [str(_csmith_path()), "--seed", str(seed), *args, "--output", "program.c"]
    run_tool(command, what="Csmith", cwd=tmp, timeout=GENERATE_TIMEOUT)
    try:
        cflags = [DATASET_STD, "-I", str(csmith_include_dir())]
        bitcode = build_module(tmp, ["program.c"], cflags)
    except BenchmarkInitError as error:
        raise _Refused(f"the generated program does not compile: {error}") from None
    (tmp / "program.bc").write_bytes(bitcode)
    clang = str(find_toolchain().tool("clang"))
    try:
        run_tool([clang, "-w", "program.bc", "-o", "program"], what="linking", cwd=tmp)
    except BenchmarkInitError as error:
        raise _Refused(f"the generated program does not link: {error}") from None
    _run_limited(tmp, [str(tmp / "program")])
    return bitcode


def _run_limited(tmp: Path, command: list[str]) -> None:
    """Runs a generated program in the sandbox; raises if it does not end well."""
    try:
        process = run_sandboxed(command, _RUN_LIMITS, str(tmp))
    except DeadlineExceeded:
        raise BenchmarkInitError(
            f"the generated program was still running after {RUN_TIMEOUT:.0f} s and was stopped"
        ) from None
    code = process.returncode
    if code in (-signal.SIGXCPU, -signal.SIGKILL):
        raise _Refused(
            f"the generated program did not finish within {RUN_CPU_SECONDS} s of CPU time "
            "(Csmith's programs may loop for a very long time)"
        )
    if code != 0:
        what = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit status {code}"
        raise _Refused(f"the generated program failed when run ({what})")


def _llvm_stress(tmp: Path, seed: int, args: list[str]) -> bytes:
    toolchain = find_toolchain()
    command = [str(toolchain.tool("llvm-stress")), f"--seed={seed}", *args, "-o", "program.ll"]
    run_tool(command, what="llvm-stress", cwd=tmp, timeout=GENERATE_TIMEOUT)
    command = [str(toolchain.tool("llvm-as")), "program.ll", "-o", "program.bc"]
    run_tool(command, what="llvm-as", cwd=tmp, timeout=GENERATE_TIMEOUT)
    return (tmp / "program.bc").read_bytes()
