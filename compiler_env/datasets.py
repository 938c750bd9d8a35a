"""Datasets and benchmarks: browsing the service's datasets, and making your own.

Browse through an env: ``env.datasets["kernels-v0"].benchmark_uris()``. A
generator dataset (``csmith-v0``, ``llvm-stress-v0``) has one benchmark per
32-bit seed, so its ``size`` is ``math.inf`` and ``benchmark_uris()`` returns a
lazy sequence rather than a list.

A user's own program becomes a benchmark through ``compiler_env.programs``
(``benchmark_from_file`` and its siblings).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, overload

import numpy as np

from service.proto import compiler_env_pb2 as pb
from service.proto.constants import MAX_SEED
from service.proto.errors import BenchmarkNotFound

if TYPE_CHECKING:
    from compiler_env.connection import Connection

__all__ = [
    "Benchmark",
    "Dataset",
    "Datasets",
    "SeedUris",
]


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
