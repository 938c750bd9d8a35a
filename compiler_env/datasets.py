"""Datasets and benchmarks: browsing the service's datasets, and making your own.

Browse through an env: ``env.datasets["kernels-v0"].benchmark_uris()``. A
generator dataset (``csmith-v0``, ``llvm-stress-v0``) has one benchmark per
32-bit seed, so its ``size`` is ``math.inf`` and ``benchmark_uris()`` returns a
lazy sequence rather than a list.

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

import math
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, overload

import numpy as np

from service.proto import bundle
from service.proto import compiler_env_pb2 as pb
from service.proto.constants import MAX_PROGRAM_BYTES, MAX_SEED
from service.proto.errors import BenchmarkNotFound, InvalidArgument, ProgramTooLarge

if TYPE_CHECKING:
    from compiler_env.connection import Connection

__all__ = [
    "Benchmark",
    "Dataset",
    "Datasets",
    "SeedUris",
    "benchmark_from_dir",
    "benchmark_from_file",
    "benchmark_from_files",
    "benchmark_from_ir",
    "benchmark_from_source",
]

_BITCODE_MAGIC = (b"BC\xc0\xde", b"\xde\xc0\x17\x0b")


@dataclass(frozen=True, repr=False)
class Benchmark:
    """A benchmark, named by its URI.

    A user's program made by ``benchmark_from_*`` has a URI that carries the
    program (``inline://<sha256>?data=...``); ``name`` is its short form.
    """

    uri: str

    @property
    def name(self) -> str:
        """The URI without any carried program, e.g. ``inline://<sha256>``."""
        return self.uri.split("?", 1)[0] if self.uri.startswith("inline://") else self.uri

    def __str__(self) -> str:
        return self.uri

    def __repr__(self) -> str:
        if self.name != self.uri:
            return f"Benchmark({self.name!r}, carrying {len(self.uri)} bytes)"
        return f"Benchmark({self.uri!r})"


class SeedUris:
    """The benchmark URIs of a generator dataset, one per seed, made on demand.

    Iterating yields ``<prefix>0``, ``<prefix>1``, ... lazily; indexing and
    slicing work (``uris[:10]`` is a list of ten URIs); ``len()`` does not,
    since there are 2**32 of them (2**31 of llvm-stress-v0).
    """

    def __init__(self, dataset: str, prefix: str, max_seed: int = MAX_SEED) -> None:
        self.dataset = dataset
        self.prefix = prefix
        self.max_seed = max_seed

    def __iter__(self) -> Iterator[str]:
        return (f"{self.prefix}{seed}" for seed in range(self.max_seed + 1))

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        seeds = range(self.max_seed + 1)
        if isinstance(index, slice):
            return [f"{self.prefix}{seed}" for seed in seeds[index]]
        return f"{self.prefix}{seeds[index]}"

    def __contains__(self, uri: object) -> bool:
        if not isinstance(uri, str) or not uri.startswith(self.prefix):
            return False
        seed = uri[len(self.prefix) :]
        digits = seed.isascii() and seed.isdigit()
        return digits and str(int(seed)) == seed and int(seed) <= self.max_seed

    def __len__(self) -> int:
        raise TypeError(
            f"{self.dataset} is unbounded (one benchmark per 32-bit seed): take a slice, "
            "e.g. benchmark_uris()[:100], or iterate"
        )

    def __repr__(self) -> str:
        return f"SeedUris({self.prefix}0, {self.prefix}1, ...)"


class Dataset:
    """One dataset of the service: its description and its benchmarks.

    Attributes:
        name: e.g. ``kernels-v0``.
        description: one line about its programs.
        license: the licence of its programs.
        size: the number of benchmarks; ``math.inf`` for a generator.
        uri_prefix: what its benchmark URIs start with.
    """

    def __init__(self, info: pb.DatasetInfo, connection: Callable[[], Connection]) -> None:
        self.name = info.name
        self.description = info.description
        self.license = info.license
        self.size: float = info.size if info.size >= 0 else math.inf
        self.uri_prefix = info.uri_prefix or f"benchmark://{info.name}/"
        #: A generator's largest seed.
        self.max_seed = info.max_seed or MAX_SEED
        self._connection = connection
        self._uris: list[str] | None = None

    @property
    def unbounded(self) -> bool:
        """Whether this is a generator (one benchmark per seed)."""
        return math.isinf(self.size)

    def benchmark_uris(self) -> list[str] | SeedUris:
        """Every benchmark URI of the dataset, in a stable order.

        Returns:
            A list for a finite dataset; for a generator, a ``SeedUris`` that
            yields ``generator://<name>/0``, ``/1``, ... lazily and can be sliced.
        """
        if self.unbounded:
            return SeedUris(self.name, self.uri_prefix, self.max_seed)
        if self._uris is None:
            reply = self._connection().call(
                "ListBenchmarks", pb.ListBenchmarksRequest(dataset=self.name)
            )
            self._uris = list(reply.uris)
        return list(self._uris)

    def benchmark(self, uri: str | int) -> Benchmark:
        """The benchmark with this URI, name within the dataset, or (for a generator) seed."""
        uri = str(uri)
        if "://" not in uri:
            uri = f"{self.uri_prefix}{uri}"
        if uri not in self.benchmark_uris():
            expected = (
                f"a seed from 0 to {self.max_seed} (no leading zeros)"
                if self.unbounded
                else "one of benchmark_uris()"
            )
            raise BenchmarkNotFound(f"{self.name} has no benchmark {uri!r}; expected {expected}")
        return Benchmark(uri)

    def random_benchmark(self, rng: np.random.Generator | None = None) -> Benchmark:
        """A benchmark chosen uniformly at random (a random seed for a generator)."""
        rng = rng or np.random.default_rng()
        if self.unbounded:
            return Benchmark(f"{self.uri_prefix}{int(rng.integers(self.max_seed + 1))}")
        uris = self.benchmark_uris()
        return Benchmark(uris[int(rng.integers(len(uris)))])

    def __iter__(self) -> Iterator[Benchmark]:
        return (Benchmark(uri) for uri in self.benchmark_uris())

    def __len__(self) -> int:
        return len(self.benchmark_uris())

    def __repr__(self) -> str:
        return f"Dataset({self.name!r}, size={self.size})"


class Datasets:
    """The datasets a service offers, by name."""

    def __init__(self, connection: Callable[[], Connection]) -> None:
        """``connection`` gives the env's current connection (it changes after a recovery)."""
        self._connection = connection
        self._datasets: dict[str, Dataset] | None = None

    def _all(self) -> dict[str, Dataset]:
        if self._datasets is None:
            reply = self._connection().call("ListDatasets", pb.ListDatasetsRequest())
            self._datasets = {d.name: Dataset(d, self._connection) for d in reply.datasets}
        return self._datasets

    def __getitem__(self, name: str) -> Dataset:
        name = name.split("://", 1)[-1].rstrip("/")
        if name not in self._all():
            raise BenchmarkNotFound(f"unknown dataset {name!r}; known: {', '.join(self._all())}")
        return self._all()[name]

    def __iter__(self) -> Iterator[Dataset]:
        return iter(self._all().values())

    def __len__(self) -> int:
        return len(self._all())

    def benchmark(self, uri: str) -> Benchmark:
        """The benchmark of any dataset with this URI."""
        dataset = uri.split("://", 1)[-1].split("/", 1)[0]
        return self[dataset].benchmark(uri)


# -- user programs ----------------------------------------------------------------


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
