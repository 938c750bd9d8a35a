"""Turning C sources and IR files into one module of unoptimized LLVM bitcode.

C is compiled with the clang of the LLVM installation in use (never the first
``clang`` on ``PATH``), at ``-O0`` with ``optnone`` disabled so that passes
apply; several inputs are linked into one module with ``llvm-link``. Each
compiler runs in the folder of the program with relative file names, so the
bitcode does not depend on where the program is stored.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from service.datasets.cache import cache_dir, cached
from service.llvm.toolchain import find_toolchain
from service.proto.errors import BenchmarkInitError

__all__ = [
    "CLANG_FLAGS",
    "COMPILE_TIMEOUT",
    "IR_SUFFIXES",
    "MAX_PROGRAM_BYTES",
    "build_module",
    "compile_c",
    "run_tool",
]

#: Flags for unoptimized IR that optimization passes may still transform.
CLANG_FLAGS = ("-O0", "-Xclang", "-disable-O0-optnone", "-emit-llvm", "-c", "-std=c11", "-w")
MAX_PROGRAM_BYTES = 64 * 1024 * 1024
#: Seconds one compiler or linker run may take.
COMPILE_TIMEOUT = 300.0
#: Inputs taken as LLVM IR (text or bitcode) rather than compiled.
IR_SUFFIXES = (".ll", ".bc")


def run_tool(
    command: Sequence[str], *, what: str, cwd: Path | None = None, timeout: float = COMPILE_TIMEOUT
) -> subprocess.CompletedProcess[bytes]:
    """Runs a compiler tool; a failure or timeout raises ``BenchmarkInitError``.

    Args:
        command: the program and its arguments.
        what: what is being done, for error messages (e.g. ``"compilation"``).
        cwd: the folder to run in.
        timeout: seconds before the tool is killed.
    """
    try:
        result = subprocess.run(
            list(command), cwd=cwd, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired:
        raise BenchmarkInitError(
            f"{what} did not finish within {timeout:.0f} s and was stopped "
            f"(command: {' '.join(command)})"
        ) from None
    if result.returncode != 0:
        stderr = result.stderr.decode(errors="replace").strip()
        raise BenchmarkInitError(f"{what} failed:\n{stderr}\n(command: {' '.join(command)})")
    return result


def build_module(root: Path, inputs: Sequence[str], cflags: Sequence[str] = ()) -> bytes:
    """Compiles and links files of ``root`` into one module (not cached).

    Args:
        root: the folder the tools run in; ``inputs`` and relative ``-I`` flags
            are relative to it.
        inputs: ``.c`` files to compile and ``.ll``/``.bc`` files to link in.
        cflags: extra clang flags, e.g. ``["-DN=10", "-Iinclude"]``.

    Returns:
        The bitcode, or the bytes of the only input when it is a single IR file.
    """
    if not inputs:
        raise BenchmarkInitError("the program has no .c, .ll or .bc file")
    if len(inputs) == 1 and inputs[0].endswith(IR_SUFFIXES):
        return (root / inputs[0]).read_bytes()
    toolchain = find_toolchain()
    with tempfile.TemporaryDirectory(prefix="compiler_env-cc-") as tmp:
        modules = []
        for i, name in enumerate(inputs):
            if name.endswith(IR_SUFFIXES):
                modules.append(str(root / name))
                continue
            out = Path(tmp) / f"{i}.bc"
            command = [str(toolchain.tool("clang")), *CLANG_FLAGS, *cflags, name, "-o", str(out)]
            run_tool(command, what="compilation", cwd=root)
            modules.append(str(out))
        if len(modules) == 1:
            return Path(modules[0]).read_bytes()
        linked = Path(tmp) / "linked.bc"
        command = [str(toolchain.tool("llvm-link")), *modules, "-o", str(linked)]
        run_tool(command, what="linking", cwd=root)
        return linked.read_bytes()


def compile_c(
    sources: Sequence[Path], cflags: Sequence[str] = (), *, root: Path | None = None
) -> bytes:
    """Compiles C sources into one module of unoptimized bitcode (cached on disk).

    The cache key covers the compiler version, the flags, the sources and the
    headers next to them.

    Args:
        sources: the ``.c`` files (``.ll``/``.bc`` files are linked in as they are).
        cflags: extra clang flags; relative paths in them are relative to ``root``.
        root: the folder the compiler runs in; by default the one holding all sources.
    """
    sources = [Path(s).resolve() for s in sources]
    if root is None:
        root = Path(os.path.commonpath([s.parent for s in sources])) if sources else Path.cwd()
    root = root.resolve()
    names = [os.path.relpath(s, root) for s in sources]
    key = hashlib.sha256(find_toolchain().version.encode() + b"\0")
    for flag in cflags:
        key.update(flag.encode() + b"\0")
    for name, source in zip(names, sources):
        key.update(name.encode() + b"\0" + source.read_bytes() + b"\0")
    for header in sorted({h for s in sources for h in s.parent.glob("*.h")}):
        key.update(os.path.relpath(header, root).encode() + b"\0" + header.read_bytes() + b"\0")
    path = cache_dir() / "bitcode" / f"{key.hexdigest()}.bc"
    return cached(path, lambda: build_module(root, names, cflags))
