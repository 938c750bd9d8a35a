"""Benchmark URIs, resolved to unoptimized LLVM bitcode.

Supported URIs:

- ``benchmark://<dataset>/<name>``: a program of a dataset described by a
  ``manifest.json`` under ``datasets/`` (an archive dataset is downloaded on
  first use).
- ``generator://<dataset>/<seed>``: a program made from a 32-bit seed by a
  generator dataset (``csmith-v0``, ``llvm-stress-v0``).
- ``file:///abs/path/prog.c`` (also ``.ll`` and ``.bc``): a user's program on
  the service's file system, read only when ``COMPILER_ENV_ALLOW_FILE_URIS``
  is not ``"0"`` (a service that clients on other machines reach sets it to
  ``"0"``). A C file takes its compiler flags as ``?cflags=<flags>`` (URL-encoded,
  split as a shell would; relative paths are relative to the file's folder).
- ``inline://<sha256>?data=<payload>``: a user's program carried in the URI
  (made by ``compiler_env.benchmark_from_*``); ``inline://<sha256>`` once the
  service has received it.

C sources are compiled with the clang of the LLVM installation in use (see
``service.datasets.compile``). Compiled bitcode is cached on disk, keyed by the
sources, the files they may include, the flags and the compiler version.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import os
import shlex
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from service.datasets.archives import archive_folder
from service.datasets.cache import cache_dir
from service.datasets.cflags import check_cflags
from service.datasets.compile import (
    CLANG_FLAGS,
    DATASET_STD,
    FRONTEND_LEVELS,
    IR_SUFFIXES,
    START_LEVEL,
    compile_c,
)
from service.datasets.generators import generate, parse_seed
from service.datasets.inline import resolve_inline
from service.datasets.manifests import Dataset, datasets, datasets_roots
from service.llvm.module import Context
from service.proto.constants import MAX_PROGRAM_BYTES
from service.proto.errors import BenchmarkInitError, BenchmarkNotFound, ProgramTooLarge
from service.runtime import REFERENCE_TIMEOUT, RunSpec

__all__ = [
    "ALLOW_FILE_URIS_ENV",
    "CLANG_FLAGS",
    "MAX_PROGRAM_BYTES",
    "Benchmark",
    "Dataset",
    "cache_dir",
    "compile_c",
    "datasets",
    "datasets_roots",
    "file_uris_allowed",
    "resolve",
]

#: Whether ``file://`` URIs are resolved: "1" (the default) or "0". A service
#: reachable from other machines runs its workers with "0", so that no client
#: reads files of the service's machine.
ALLOW_FILE_URIS_ENV = "COMPILER_ENV_ALLOW_FILE_URIS"

_SCHEMES = (
    "benchmark://<dataset>/<name>, generator://<dataset>/<seed>, "
    "file:///absolute/path.{c,ll,bc} or inline://<sha256>"
)


@dataclass(frozen=True)
class Benchmark:
    """A program: its URI and its unoptimized bitcode (or IR text).

    ``rebuild`` gives a C program's frontend output at another level (``"O3"``),
    for the baselines of that level; it is None for IR taken as given.
    """

    uri: str
    bitcode: bytes = field(repr=False)
    rebuild: Callable[[str], bytes] | None = field(default=None, repr=False, compare=False)
    #: The level of clang's frontend that made ``bitcode`` (None: IR as given).
    level: str | None = None
    #: How its program is linked and run (for runtimes and semantic validation).
    run: RunSpec = RunSpec()

    @functools.cached_property
    def sha1(self) -> str:
        return hashlib.sha1(self.bitcode).hexdigest()


def resolve(uri: str) -> Benchmark:
    """The benchmark a URI names, compiled, generated or downloaded if needed.

    Raises:
        BenchmarkNotFound: no benchmark has this URI.
        BenchmarkInitError: the benchmark exists but cannot be built; the
            message says why (e.g. the compiler's errors).
    """
    if uri.startswith("inline://"):
        return Benchmark(*resolve_inline(uri, confined=not file_uris_allowed()))
    parsed = urlparse(uri)
    params = (
        _params(parsed.query, uri, parsed.scheme) if parsed.scheme in ("benchmark", "file") else {}
    )
    level = params.get("level")
    if parsed.scheme in ("benchmark", "generator"):
        dataset = _dataset(parsed.netloc, uri)
        name = parsed.path.lstrip("/")
        if parsed.scheme == "generator":
            if parsed.query:
                raise BenchmarkNotFound(
                    f"{uri[:200]!r}: a generator URI takes no parameters (its programs start "
                    f"from clang's -{START_LEVEL} frontend output); write {dataset.uri_prefix}"
                    "<seed>"
                )
            return _generated(dataset, name, uri)
        return _dataset_benchmark(dataset, name, uri, level or START_LEVEL)
    if parsed.scheme == "file":
        if not file_uris_allowed():
            raise BenchmarkNotFound(
                f"{uri[:200]!r}: this service does not read files of its machine; send the "
                "program with compiler_env.benchmark_from_file(...)"
            )
        if parsed.netloc not in ("", "localhost"):  # file://prog.c: "prog.c" is a host
            raise BenchmarkNotFound(
                f"{uri[:200]!r}: a file:// URI names an absolute path, with three slashes: "
                f"file:///{parsed.netloc}{parsed.path} is {parsed.netloc}{parsed.path} from the "
                "root; Path(...).resolve().as_uri() makes one"
            )
        return _file_benchmark(Path(unquote(parsed.path)), uri, level, params.get("cflags"))
    raise BenchmarkNotFound(f"unknown benchmark URI {uri[:200]!r}: expected {_SCHEMES}")


#: The parameters a URI's query may have, by scheme.
_PARAMETERS = {"benchmark": ("level",), "file": ("level", "cflags")}


def _params(query: str, uri: str, scheme: str) -> dict[str, Any]:
    """The parameters of a URI's query (``?level=O3``, ``?cflags=-DN=3%20-Iinc``), checked."""
    if not query:
        return {}
    fields = parse_qs(query, keep_blank_values=True)
    known = _PARAMETERS[scheme]
    unknown = sorted(set(fields) - set(known))
    if unknown:
        raise BenchmarkNotFound(
            f"{uri[:200]!r}: unknown URI parameter {', '.join(unknown)!r}; a {scheme}:// URI "
            f"takes {' and '.join(known)} (e.g. ?level=O3"
            + ("&cflags=-DN%3D3%20-Iinclude)" if "cflags" in known else ")")
        )
    params: dict[str, Any] = {}
    if "level" in fields:
        level = fields["level"][-1]
        if level not in FRONTEND_LEVELS:
            raise BenchmarkNotFound(
                f"{uri[:200]!r}: level {level!r} is not a level of clang's frontend; use one "
                f"of {', '.join(FRONTEND_LEVELS)}"
            )
        params["level"] = level
    if "cflags" in fields:
        try:
            flags = [flag for value in fields["cflags"] for flag in shlex.split(value)]
        except ValueError as error:
            raise BenchmarkNotFound(f"{uri[:200]!r}: cflags cannot be split: {error}") from None
        params["cflags"] = check_cflags(flags, local=True)
    return params


def file_uris_allowed() -> bool:
    """Whether ``file://`` URIs are resolved (``COMPILER_ENV_ALLOW_FILE_URIS``).

    Unset, empty or "1" allows them; "0" refuses them, and so does any other
    value, so that a mistyped setting does not open the machine's files.
    """
    return os.environ.get(ALLOW_FILE_URIS_ENV, "1").strip() in ("", "1")


def _dataset(name: str, uri: str) -> Dataset:
    known = datasets()
    if name not in known:
        raise BenchmarkNotFound(
            f"unknown dataset {name!r} in {uri!r}; known datasets: {', '.join(known)}"
        )
    return known[name]


def _generated(dataset: Dataset, name: str, uri: str) -> Benchmark:
    if not dataset.unbounded:
        raise BenchmarkNotFound(
            f"{dataset.name} is not a generator: its benchmarks are {dataset.uri_prefix}<name>"
        )
    seed = parse_seed(dataset, name, uri)
    spec = RunSpec(runnable=dataset.runnable)
    return Benchmark(f"{dataset.uri_prefix}{seed}", generate(dataset, seed), run=spec)


def _dataset_benchmark(dataset: Dataset, name: str, uri: str, level: str) -> Benchmark:
    if dataset.unbounded:
        raise BenchmarkNotFound(
            f"{dataset.name} is a generator: its benchmarks are {dataset.uri_prefix}<seed>, "
            f"e.g. {dataset.uri_prefix}0"
        )
    program = dataset.programs.get(name)
    if program is None:
        raise BenchmarkNotFound(
            f"{dataset.name} has no benchmark {name!r}; list them with "
            f"env.datasets[{dataset.name!r}].benchmark_uris()"
        )
    root = archive_folder(dataset) if dataset.url else dataset.root
    sources = [root / source for source in program["sources"]]
    missing = [str(s) for s in sources if not s.is_file()]
    if missing:
        raise BenchmarkNotFound(f"{uri}: the source files {', '.join(missing)} do not exist")
    # An unpacked archive is named by its sha256 and does not change.
    tree_id = f"archive {dataset.sha256} {dataset.archive_root}" if dataset.url else None
    cflags = [DATASET_STD, *program.get("cflags", [])]
    build = functools.partial(compile_c, sources, cflags, root=root, tree_id=tree_id)
    return Benchmark(
        uri,
        build(level=level),
        rebuild=lambda other: build(level=other),
        level=level,
        run=_run_spec(dataset, program, root),
    )


def _run_spec(dataset: Dataset, program: dict[str, Any], root: Path) -> RunSpec:
    """How a dataset's program is run: its manifest's ``args``, ``stdin`` (a file
    relative to the dataset), ``link_flags`` and ``timeout_seconds``."""
    stdin = b""
    if program.get("stdin"):
        stdin = (root / program["stdin"]).read_bytes()
    return RunSpec(
        args=tuple(str(arg) for arg in program.get("args", [])),
        stdin=stdin,
        link_flags=tuple(program.get("link_flags", [])),
        timeout=float(program.get("timeout_seconds", REFERENCE_TIMEOUT)),
        runnable=dataset.runnable and program.get("runnable", True),
    )


def _file_benchmark(
    path: Path, uri: str, level: str | None = None, cflags: list[str] | None = None
) -> Benchmark:
    try:
        mode = path.stat().st_mode
    except OSError as error:  # missing, a dangling link, a symlink loop, no permission
        why = "no such file" if error.errno == errno.ENOENT else error.strerror or "unreadable"
        raise BenchmarkNotFound(f"{uri!r}: {path} on the service's machine: {why}") from None
    if stat.S_ISDIR(mode):
        raise BenchmarkNotFound(
            f"{uri!r}: {path} is a folder; for a program of several files use "
            "compiler_env.benchmark_from_dir()"
        )
    if not stat.S_ISREG(mode):
        raise BenchmarkNotFound(
            f"{uri!r}: {path} is not a regular file (a device, FIFO or socket); "
            "a file:// benchmark is a .c, .ll or .bc file"
        )
    if path.stat().st_size > MAX_PROGRAM_BYTES:
        raise ProgramTooLarge(
            f"{path} is {path.stat().st_size} bytes; the limit is {MAX_PROGRAM_BYTES} bytes"
        )
    if path.suffix == ".c":
        start, flags = level or START_LEVEL, cflags or []
        return Benchmark(
            uri,
            compile_c([path], flags, level=start),
            rebuild=lambda other: compile_c([path], flags, level=other),
            level=start,
        )
    if cflags is not None:
        raise BenchmarkNotFound(
            f"{uri!r}: ?cflags= gives the compiler flags of a C program; IR and bitcode are "
            "taken as given"
        )
    if level is not None:
        raise BenchmarkNotFound(
            f"{uri!r}: ?level= chooses the level of clang's frontend for a C program; "
            "IR and bitcode are taken as given"
        )
    if path.suffix in IR_SUFFIXES:
        data = path.read_bytes()
        if path.resolve() != path.absolute():
            _check_parses_quietly(data, uri)
        return Benchmark(uri, data)
    raise BenchmarkNotFound(f"{uri!r}: expected a .c, .ll or .bc file")


def _check_parses_quietly(data: bytes, uri: str) -> None:
    """Refuses IR reached through a link that does not parse, saying where and
    why but not echoing the line: the link may point at a file that is not IR
    at all (a secret), which LLVM's message would otherwise quote."""
    with Context() as scratch:
        try:
            scratch.parse(data, uri).close()
        except BenchmarkInitError as error:
            first = str(error).splitlines()[0]
            raise BenchmarkInitError(
                f"{first} (the file is reached through a symbolic link; the offending line "
                "is not shown)"
            ) from None
