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

import fnmatch
import json
import os
import shlex
import sys
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path

from compiler_env.datasets import Benchmark
from compiler_env.sources import Gathering, normal_path
from service.proto import bundle
from service.proto.errors import BenchmarkNotFound, InvalidArgument

__all__ = [
    "FlagsLeftOut",
    "benchmark_from_compile_commands",
    "benchmark_from_dir",
    "benchmark_from_file",
    "benchmark_from_files",
    "benchmark_from_ir",
    "benchmark_from_source",
]

_BITCODE_MAGIC = (b"BC\xc0\xde", b"\xde\xc0\x17\x0b")


def benchmark_from_file(
    path: str | os.PathLike[str],
    *,
    cflags: Iterable[str] = (),
    include_dirs: Iterable[str | os.PathLike[str]] = (),
    defines: Mapping[str, object] | None = None,
) -> Benchmark:
    """A benchmark of one C source (with the headers it includes), ``.ll`` or ``.bc`` file.

    Args:
        path: the file.
        cflags: clang flags for C, e.g. ``["-DN=100", "-Iinclude"]``; relative paths
            in them are relative to the current working directory, as for clang.
        include_dirs: folders of headers to send along (as ``-I`` folders).
        defines: macros, e.g. ``{"N": 100}`` for ``-DN=100`` (None for ``-DNAME``).
    """
    return benchmark_from_files([path], cflags=cflags, include_dirs=include_dirs, defines=defines)


def benchmark_from_files(
    paths: Iterable[str | os.PathLike[str]],
    *,
    cflags: Iterable[str] = (),
    include_dirs: Iterable[str | os.PathLike[str]] = (),
    defines: Mapping[str, object] | None = None,
) -> Benchmark:
    """A benchmark of several files (``.c``, ``.ll``, ``.bc``) linked into one module.

    What the C files ``#include`` goes along: headers in their folders, in
    subfolders and sibling folders (``"sub/x.h"``, ``"../common/x.h"``) and in
    the ``-I`` folders, so the program compiles as it does on your machine.
    Headers of the system (``/usr/include``) are the service's own.

    Args:
        paths: the files.
        cflags: clang flags for the C files; relative paths in them are relative
            to the current working directory, as for clang run there. Flags that
            only choose the optimization level, debug information, linking or
            output files (``-O3``, ``-g``, ``-lm``, ``-c``, ``-o x``) are left out,
            with one ``FlagsLeftOut`` warning.
        include_dirs: more folders of headers to send along (as ``-I`` folders).
        defines: macros, e.g. ``{"N": 100}`` for ``-DN=100`` (None for ``-DNAME``).
    """
    sources = [_existing_input(p) for p in paths]
    if not sources:
        raise InvalidArgument("benchmark_from_files() needs at least one file")
    gathering = Gathering()
    flags = _flags(cflags) + _defines(defines)
    for source in sources:
        gathering.add_input(source, flags, Path.cwd())
    gathering.add_neighbours()
    return _finish(gathering, include_dirs)


def benchmark_from_dir(
    path: str | os.PathLike[str],
    *,
    cflags: Iterable[str] = (),
    include_dirs: Iterable[str | os.PathLike[str]] = (),
    defines: Mapping[str, object] | None = None,
    include: Iterable[str] | None = None,
    exclude: Iterable[str] = (),
) -> Benchmark:
    """A benchmark of the ``.c``, ``.ll`` and ``.bc`` files under a folder, linked into one.

    Headers anywhere under the folder go along, and what the files include
    from outside it; relative paths in ``cflags`` are relative to the folder.

    Args:
        path: the folder.
        cflags: clang flags for the C files (see ``benchmark_from_files``).
        include_dirs: more folders of headers to send along (as ``-I`` folders).
        defines: macros, e.g. ``{"N": 100}`` for ``-DN=100``.
        include: glob patterns of the files to take (default: every ``.c``, ``.ll``
            and ``.bc`` file), matched against each file's path relative to the
            folder and against its name: ``["*.c"]``, ``["src/*"]``.
        exclude: glob patterns of files to leave out, e.g. ``["*_large.c", "test/*"]``.
    """
    root = Path(path).absolute()
    if not root.is_dir():
        raise BenchmarkNotFound(f"no such folder {root}")
    include, exclude = _patterns(include, "include"), _patterns(exclude, "exclude")
    candidates = [
        file for file in sorted(root.rglob("*"))
        if file.is_file() and file.name.endswith(bundle.INPUT_SUFFIXES)
    ]  # fmt: skip
    chosen = [
        file for file in candidates
        if _matches(file, root, include or ["*"]) and not _matches(file, root, exclude)
    ]  # fmt: skip
    if not chosen:
        why = "no .c, .ll or .bc file" if not candidates else "no file matching the patterns"
        raise InvalidArgument(f"{root} holds {why} (of {len(candidates)} .c, .ll and .bc files)")
    gathering = Gathering()
    flags = _flags(cflags) + _defines(defines)
    for file in chosen:
        gathering.add_input(file, flags, root)
    gathering.add_folder(root, as_include=False)
    return _finish(gathering, include_dirs)


def benchmark_from_source(
    source: str | bytes,
    *,
    cflags: Iterable[str] = (),
    headers: Mapping[str, str | bytes] | None = None,
    include_dirs: Iterable[str | os.PathLike[str]] = (),
    defines: Mapping[str, object] | None = None,
) -> Benchmark:
    """A benchmark of C source text, as if it were ``program.c`` in the current folder.

    Args:
        source: the program's C source.
        cflags: clang flags, e.g. ``["-std=c99"]``.
        headers: headers by file name, includable as ``#include "name.h"``.
        include_dirs: folders of headers to send along (as ``-I`` folders).
        defines: macros, e.g. ``{"N": 100}`` for ``-DN=100`` (None for ``-DNAME``).
    """
    here = Path.cwd()
    gathering = Gathering()
    for name, text in (headers or {}).items():
        gathering.add_header(here / Path(name), _as_bytes(text))
    flags = _flags(cflags) + _defines(defines)
    gathering.add_input(here / "program.c", flags, here, content=_as_bytes(source))
    return _finish(gathering, include_dirs)


def benchmark_from_ir(ir: str | bytes | object) -> Benchmark:
    """A benchmark of LLVM IR: assembly text, bitcode bytes, or an llvmlite module.

    An ``llvmlite.ir.Module`` (or ``llvmlite.binding.ModuleRef``) is taken as its
    IR text: llvmlite's own LLVM may be newer than the service's, whose bitcode
    reader would refuse its bitcode. IR text whose target was left unset
    (llvmlite's ``unknown-unknown-unknown``, which no LLVM target takes) is
    compiled for the service's machine, as ``opt`` does with a module that names
    no target.

    >>> import llvmlite.ir as ll
    >>> module = ll.Module("square")
    >>> square = ll.Function(module, ll.FunctionType(ll.IntType(32), [ll.IntType(32)]), "square")
    >>> builder = ll.IRBuilder(square.append_basic_block())
    >>> _ = builder.ret(builder.mul(square.args[0], square.args[0]))
    >>> benchmark_from_ir(module) == benchmark_from_ir(str(module))
    True
    """
    data = _as_bytes(str(ir) if _is_llvmlite(ir) else ir)  # type: ignore[arg-type]
    name = "module.bc" if data[:4] in _BITCODE_MAGIC else "module.ll"
    if name == "module.ll":
        for line in _NO_TARGET:
            data = data.replace(line, b"", 1)
    return Benchmark(bundle.encode({name: data}, []))


def benchmark_from_compile_commands(
    path: str | os.PathLike[str], files: Iterable[str | os.PathLike[str]] | None = None
) -> Benchmark:
    """A benchmark of the C translation units of a ``compile_commands.json``, each
    compiled with its own flags, linked into one module.

    CMake (``-DCMAKE_EXPORT_COMPILE_COMMANDS=ON``), Meson and Bear write this file.
    Each entry's flags are filtered as ``benchmark_from_files`` does (``-c``,
    ``-o``, ``-O2``, ``-g`` and linking flags are left out), its relative paths
    are taken from its ``directory``, and the headers its file includes go along.

    Args:
        path: the ``compile_commands.json`` file, or the folder (a build folder) holding it.
        files: the translation units to take, as paths (absolute, or relative to
            the current working directory) or glob patterns matched against each
            entry's file; by default every C file (``.c``) of the database. Choose
            the files of one program when the database builds several (several
            ``main`` functions cannot be linked into one module).
    """
    database = Path(path).absolute()
    if database.is_dir():
        database = database / "compile_commands.json"
    entries = _compile_entries(database)
    chosen = _chosen_entries(entries, files, database)
    gathering = Gathering()
    for source, directory, flags in chosen:
        gathering.add_input(source, flags, directory)
    return _finish(gathering, ())


class FlagsLeftOut(UserWarning):
    """Some of a program's compiler flags were left out (``benchmark_from_*``)."""


def _finish(gathering: Gathering, include_dirs: Iterable[str | os.PathLike[str]]) -> Benchmark:
    """The benchmark of what was gathered, saying once what was left out."""
    if isinstance(include_dirs, (str, os.PathLike)):
        include_dirs = [include_dirs]
    for folder in include_dirs:
        gathering.add_folder(Path(folder), as_include=True)
    uri = gathering.uri()
    notice = gathering.notice.text()
    if notice is not None:
        warnings.warn(notice, FlagsLeftOut, stacklevel=_caller_level())
    return Benchmark(uri)


def _compile_entries(database: Path) -> list[tuple[Path, Path, list[str]]]:
    """The (file, directory, flags) of each entry of a compilation database, in order,
    one per file (the first), flags without the compiler and the file itself."""
    try:
        entries = json.loads(database.read_text())
    except FileNotFoundError:
        raise BenchmarkNotFound(
            f"no such file {database}; a build folder of CMake has one with "
            "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON"
        ) from None
    except (OSError, ValueError) as error:
        raise InvalidArgument(f"{database} is not a compilation database: {error}") from None
    if not isinstance(entries, list):
        raise InvalidArgument(f"{database} is not a compilation database: expected a JSON array")
    found: dict[Path, tuple[Path, Path, list[str]]] = {}
    for number, entry in enumerate(entries):
        try:
            directory = database.parent / entry["directory"]
            arguments = entry.get("arguments") or shlex.split(entry["command"])
            source = normal_path(directory / entry["file"])
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise InvalidArgument(
                f"{database}: entry {number} is not a compile command (it needs 'directory', "
                f"'file' and 'arguments' or 'command'): {error}"
            ) from None
        flags = [
            flag for flag in arguments[1:]
            if flag != "--" and (flag.startswith("-") or normal_path(directory / flag) != source)
        ]  # fmt: skip
        found.setdefault(source, (source, normal_path(directory), flags))
    return list(found.values())


def _chosen_entries(
    entries: list[tuple[Path, Path, list[str]]],
    files: Iterable[str | os.PathLike[str]] | None,
    database: Path,
) -> list[tuple[Path, Path, list[str]]]:
    """The entries named by ``files`` (all the C ones by default)."""
    if files is None:
        chosen = [entry for entry in entries if entry[0].suffix == ".c"]
        if not chosen:
            raise InvalidArgument(f"{database} lists no C file (.c); compiler_env compiles C")
        return chosen
    if isinstance(files, (str, os.PathLike)):
        files = [files]
    chosen = []
    for wanted in files:
        path = normal_path(Path(wanted))
        matching = [
            entry for entry in entries
            if entry[0] == path or fnmatch.fnmatchcase(str(entry[0]), str(wanted))
            or fnmatch.fnmatchcase(entry[0].name, str(wanted))
        ]  # fmt: skip
        if not matching:
            raise BenchmarkNotFound(
                f"{database} has no entry for {wanted!s}; it lists "
                f"{', '.join(str(e[0]) for e in entries[:5])}{' ...' if len(entries) > 5 else ''}"
            )
        for entry in matching:
            if entry[0].suffix != ".c":
                raise InvalidArgument(f"{entry[0]} is not a C file (.c); compiler_env compiles C")
            if entry not in chosen:
                chosen.append(entry)
    return chosen


#: What llvmlite.ir writes for a module whose target was not set.
_NO_TARGET = (b'target triple = "unknown-unknown-unknown"\n', b'target datalayout = ""\n')


def _is_llvmlite(ir: object) -> bool:
    return type(ir).__module__.split(".")[0] == "llvmlite"


def _caller_level() -> int:
    """The ``stacklevel`` of the first caller outside this package, for a warning."""
    package = os.path.dirname(os.path.abspath(__file__))
    frame, level = sys._getframe(1), 1
    while (
        frame is not None and os.path.dirname(os.path.abspath(frame.f_code.co_filename)) == package
    ):
        frame, level = frame.f_back, level + 1  # type: ignore[assignment]
    return level


def _existing_input(path: str | os.PathLike[str]) -> Path:
    source = Path(path).absolute()
    if not source.is_file():
        raise BenchmarkNotFound(f"no such file {source}")
    if not source.name.endswith(bundle.INPUT_SUFFIXES):
        raise InvalidArgument(f"{source}: expected a .c, .ll or .bc file")
    return source


def _patterns(patterns: Iterable[str] | None, what: str) -> list[str]:
    if patterns is None:
        return []
    if isinstance(patterns, str):
        return [patterns]
    listed = list(patterns)
    if not all(isinstance(p, str) for p in listed):
        raise InvalidArgument(f"{what}= takes glob patterns as strings, e.g. ['*_small.c']")
    return listed


def _matches(file: Path, root: Path, patterns: list[str]) -> bool:
    relative = file.relative_to(root).as_posix()
    return any(
        fnmatch.fnmatchcase(relative, p) or fnmatch.fnmatchcase(file.name, p) for p in patterns
    )


def _defines(defines: Mapping[str, object] | None) -> list[str]:
    """``-D`` flags of macros (a value of None defines the name alone)."""
    if defines is not None and not isinstance(defines, Mapping):
        raise InvalidArgument("defines= takes a mapping of name to value, e.g. {'N': 100}")
    return [
        f"-D{name}" if value is None else f"-D{name}={value}"
        for name, value in (defines or {}).items()
    ]


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
