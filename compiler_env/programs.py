"""User programs as benchmarks: C files with their headers and flags, or LLVM IR.

Make a benchmark of your own program with ``benchmark_from_file``,
``benchmark_from_files``, ``benchmark_from_dir``, ``benchmark_from_source`` or
``benchmark_from_ir``, and pass it to ``env.reset(options={"benchmark": b})``.
Such a benchmark carries the program in its URI (``inline://<sha256>?data=...``),
so it works with a remote service too; the service compiles it with its own
clang.

>>> b = benchmark_from_source("int main(void) { return 0; }", cflags=["-DN=3"])
>>> b.uri.startswith("inline://")
True
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from compiler_env.datasets import Benchmark
from service.proto import bundle
from service.proto.constants import MAX_PROGRAM_BYTES
from service.proto.errors import BenchmarkNotFound, InvalidArgument, ProgramTooLarge

__all__ = [
    "benchmark_from_dir",
    "benchmark_from_file",
    "benchmark_from_files",
    "benchmark_from_ir",
    "benchmark_from_source",
]

_BITCODE_MAGIC = (b"BC\xc0\xde", b"\xde\xc0\x17\x0b")


def benchmark_from_file(
    path: str | os.PathLike[str], *, cflags: Iterable[str] = (), include_dirs: Iterable[str] = ()
) -> Benchmark:
    """A benchmark of one C source (with the headers next to it), ``.ll`` or ``.bc`` file.

    Args:
        path: the file.
        cflags: clang flags for C, e.g. ``["-DN=100"]``.
        include_dirs: folders of headers to send along (as ``-I`` folders).
    """
    return benchmark_from_files([path], cflags=cflags, include_dirs=include_dirs)


def benchmark_from_files(
    paths: Iterable[str | os.PathLike[str]],
    *,
    cflags: Iterable[str] = (),
    include_dirs: Iterable[str] = (),
) -> Benchmark:
    """A benchmark of several files (``.c``, ``.ll``, ``.bc``) linked into one module.

    The headers (``.h``, ``.inc``, ``.def``) in the folders of the files go
    along, so ``#include "x.h"`` works as it does on your machine.

    Args:
        paths: the files.
        cflags: clang flags for the C files.
        include_dirs: more folders of headers to send along (as ``-I`` folders).
    """
    sources = [Path(p).resolve() for p in paths]
    if not sources:
        raise InvalidArgument("benchmark_from_files() needs at least one file")
    for source in sources:
        if not source.is_file():
            raise BenchmarkNotFound(f"no such file {source}")
        if not source.name.endswith(bundle.INPUT_SUFFIXES):
            raise InvalidArgument(f"{source}: expected a .c, .ll or .bc file")
    root = Path(os.path.commonpath([s.parent for s in sources]))
    files = {s: s for s in sources}
    for folder in {s.parent for s in sources}:
        files.update({h: h for h in folder.iterdir() if h.name.endswith(bundle.HEADER_SUFFIXES)})
    named = {path.relative_to(root).as_posix(): path.read_bytes() for path in files}
    return _bundle(named, _flags(cflags), include_dirs)


def benchmark_from_dir(
    path: str | os.PathLike[str], *, cflags: Iterable[str] = (), include_dirs: Iterable[str] = ()
) -> Benchmark:
    """A benchmark of every ``.c``, ``.ll`` and ``.bc`` file under a folder, linked into one.

    Headers anywhere under the folder go along; relative ``-I`` flags in
    ``cflags`` are relative to the folder.
    """
    root = Path(path).resolve()
    if not root.is_dir():
        raise BenchmarkNotFound(f"no such folder {root}")
    named = {
        file.relative_to(root).as_posix(): file.read_bytes()
        for file in sorted(root.rglob("*"))
        if file.is_file() and file.name.endswith(bundle.INPUT_SUFFIXES + bundle.HEADER_SUFFIXES)
    }
    if not any(name.endswith(bundle.INPUT_SUFFIXES) for name in named):
        raise InvalidArgument(f"{root} holds no .c, .ll or .bc file")
    return _bundle(named, _flags(cflags), include_dirs)


def benchmark_from_source(
    source: str | bytes,
    *,
    cflags: Iterable[str] = (),
    headers: Mapping[str, str | bytes] | None = None,
    include_dirs: Iterable[str] = (),
    defines: Mapping[str, object] | None = None,
) -> Benchmark:
    """A benchmark of C source text.

    Args:
        source: the program's C source.
        cflags: clang flags, e.g. ``["-std=c99"]``.
        headers: headers by file name, includable as ``#include "name.h"``.
        include_dirs: folders of headers to send along (as ``-I`` folders).
        defines: macros, e.g. ``{"N": 100}`` for ``-DN=100`` (None for ``-DNAME``).
    """
    named = {"program.c": _as_bytes(source)}
    for name, text in (headers or {}).items():
        named[Path(name).as_posix()] = _as_bytes(text)
    flags = _flags(cflags)
    for name, value in (defines or {}).items():
        flags.append(f"-D{name}" if value is None else f"-D{name}={value}")
    return _bundle(named, flags, include_dirs)


def benchmark_from_ir(ir: str | bytes) -> Benchmark:
    """A benchmark of LLVM IR: assembly text or bitcode bytes (e.g. from llvmlite)."""
    data = _as_bytes(ir)
    name = "module.bc" if data[:4] in _BITCODE_MAGIC else "module.ll"
    return _bundle({name: data}, [], ())


def _flags(cflags: Iterable[str]) -> list[str]:
    """The flags as a list; a single string is refused (it would be split into characters)."""
    if isinstance(cflags, str):
        raise InvalidArgument(
            f"cflags={cflags!r} is a string; give a list of flags, e.g. {cflags.split()!r}"
        )
    flags = list(cflags)
    for flag in flags:
        if not isinstance(flag, str):
            raise InvalidArgument(f"cflags must be strings; {flag!r} is a {type(flag).__name__}")
    return flags


def _as_bytes(text: str | bytes) -> bytes:
    return text.encode() if isinstance(text, str) else bytes(text)


def _bundle(files: dict[str, bytes], cflags: list[str], include_dirs: Iterable[str]) -> Benchmark:
    """The benchmark whose URI carries these files and flags (see docs/datasets.md)."""
    for i, folder in enumerate(Path(d).resolve() for d in include_dirs):
        if not folder.is_dir():
            raise BenchmarkNotFound(f"no such include folder {folder}")
        for header in sorted(folder.rglob("*")):
            if header.is_file() and header.name.endswith(bundle.HEADER_SUFFIXES):
                files[f"_include{i}/{header.relative_to(folder).as_posix()}"] = header.read_bytes()
        cflags = [*cflags, f"-I_include{i}"]
    total = sum(len(content) for content in files.values())
    if total > MAX_PROGRAM_BYTES:
        raise ProgramTooLarge(
            f"the program is {total} bytes; a benchmark may carry at most {MAX_PROGRAM_BYTES}"
        )
    return Benchmark(bundle.encode(files, cflags))
