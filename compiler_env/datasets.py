"""Browsing the service's datasets: ``env.datasets["kernels-v0"].benchmark_uris()``."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from service.proto import compiler_env_pb2 as pb
from service.proto.errors import BenchmarkNotFound

if TYPE_CHECKING:
    from compiler_env.connection import Connection

__all__ = ["Benchmark", "Dataset", "Datasets"]


@dataclass(frozen=True)
class Benchmark:
    """A benchmark, named by its URI."""

    uri: str

    def __str__(self) -> str:
        return self.uri


class Dataset:
    """One dataset of the service: its description and its benchmarks."""

    def __init__(self, info: pb.DatasetInfo, connection: Connection) -> None:
        self.name = info.name
        self.description = info.description
        self.license = info.license
        self.size: float = info.size if info.size >= 0 else math.inf
        self._connection = connection
        self._uris: list[str] | None = None

    def benchmark_uris(self) -> list[str]:
        """Every benchmark URI of the dataset, in a stable order."""
        if self._uris is None:
            reply = self._connection.call(
                "ListBenchmarks", pb.ListBenchmarksRequest(dataset=self.name)
            )
            self._uris = list(reply.uris)
        return list(self._uris)

    def benchmark(self, uri: str) -> Benchmark:
        """The benchmark with this URI (or name within the dataset)."""
        if "://" not in uri:
            uri = f"benchmark://{self.name}/{uri}"
        if uri not in self.benchmark_uris():
            raise BenchmarkNotFound(f"{self.name} has no benchmark {uri!r}")
        return Benchmark(uri)

    def random_benchmark(self, rng: np.random.Generator | None = None) -> Benchmark:
        """A benchmark chosen uniformly at random."""
        rng = rng or np.random.default_rng()
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

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._datasets: dict[str, Dataset] | None = None

    def _all(self) -> dict[str, Dataset]:
        if self._datasets is None:
            reply = self._connection.call("ListDatasets", pb.ListDatasetsRequest())
            self._datasets = {d.name: Dataset(d, self._connection) for d in reply.datasets}
        return self._datasets

    def __getitem__(self, name: str) -> Dataset:
        name = name.removeprefix("benchmark://")
        if name not in self._all():
            raise BenchmarkNotFound(f"unknown dataset {name!r}; known: {', '.join(self._all())}")
        return self._all()[name]

    def __iter__(self) -> Iterator[Dataset]:
        return iter(self._all().values())

    def __len__(self) -> int:
        return len(self._all())

    def benchmark(self, uri: str) -> Benchmark:
        """The benchmark of any dataset with this URI."""
        dataset = uri.removeprefix("benchmark://").split("/", 1)[0]
        return self[dataset].benchmark(uri)
