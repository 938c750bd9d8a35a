"""Datasets and benchmarks: browsing the service's datasets, and making your own.

Browse through an env: ``env.datasets["kernels-v0"].benchmark_uris()``. A
generator dataset (``csmith-v0``, ``llvm-stress-v0``) has one benchmark per
32-bit seed, so its ``size`` is ``math.inf`` and ``benchmark_uris()`` returns a
lazy sequence rather than a list. Every dataset has fixed ``train``,
``validation`` and ``test`` splits (``dataset.split("train")``); kernels-v0 is
the leaderboard's test set as a whole.

A user's own program becomes a benchmark through ``compiler_env.programs``
(``benchmark_from_file`` and its siblings).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, overload

import numpy as np

from service.proto import compiler_env_pb2 as pb
from service.proto.constants import MAX_SEED
from service.proto.errors import BenchmarkNotFound, InvalidArgument

if TYPE_CHECKING:
    from compiler_env.connection import Connection

__all__ = [
    "Benchmark",
    "Dataset",
    "Datasets",
    "SPLITS",
    "SeedUris",
    "TEST_SETS",
    "hash_split",
    "seed_split",
    "split_bucket",
]

#: The partitions of every dataset, in this order.
SPLITS = ("train", "validation", "test")
#: The datasets that are a leaderboard's test set as a whole: their ``split("test")``
#: is every benchmark, and they have no train or validation split.
TEST_SETS = frozenset({"kernels-v0"})
#: How many seeds a generator's validation and test splits have each: its last seeds.
SPLIT_SEEDS = 10_000
#: Where a finite dataset's splits begin, as a benchmark's bucket (0-99) of the hash
#: of its name: 0-79 train, 80-89 validation, 90-99 test.
SPLIT_BUCKETS = {"train": range(0, 80), "validation": range(80, 90), "test": range(90, 100)}
#: The longest range of seeds ``len()`` counts.
MAX_LISTED_SEEDS = 2**20


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

    Iterating yields ``<prefix><min_seed>``, ``<prefix><min_seed + 1>``, ...
    lazily; indexing and slicing work (``uris[:10]`` is a list of ten URIs);
    ``count`` is how many seeds there are. ``len()`` works for a range of at
    most 2**20 seeds (a split's validation or test range) and is refused for
    more (the whole of a generator: 2**32 seeds, 2**31 of llvm-stress-v0), so
    that ``list(uris)`` is not made by mistake.
    """

    def __init__(
        self, dataset: str, prefix: str, max_seed: int = MAX_SEED, min_seed: int = 0
    ) -> None:
        self.dataset = dataset
        self.prefix = prefix
        self.max_seed = max_seed
        self.min_seed = min_seed

    @property
    def seeds(self) -> range:
        """The seeds, from ``min_seed`` to ``max_seed``."""
        return range(self.min_seed, self.max_seed + 1)

    @property
    def count(self) -> int:
        """How many seeds (so URIs) there are."""
        return len(self.seeds)

    def __iter__(self) -> Iterator[str]:
        return (f"{self.prefix}{seed}" for seed in self.seeds)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [f"{self.prefix}{seed}" for seed in self.seeds[index]]
        return f"{self.prefix}{self.seeds[index]}"

    def __contains__(self, uri: object) -> bool:
        if not isinstance(uri, str) or not uri.startswith(self.prefix):
            return False
        seed = uri[len(self.prefix) :]
        digits = seed.isascii() and seed.isdigit()
        return digits and str(int(seed)) == seed and int(seed) in self.seeds

    def __len__(self) -> int:
        if self.count <= MAX_LISTED_SEEDS:
            return self.count
        raise TypeError(
            f"{self!r} has {self.count} seeds: unbounded in practice, too many to list; "
            "take a slice, e.g. uris[:100], iterate, or read .count"
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SeedUris) and (self.prefix, self.seeds) == (
            other.prefix, other.seeds
        )  # fmt: skip

    def __hash__(self) -> int:
        return hash((self.prefix, self.min_seed, self.max_seed))

    def __repr__(self) -> str:
        return f"SeedUris({self.prefix}{{{self.min_seed}..{self.max_seed}}})"


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

    def split(self, name: str) -> list[str] | SeedUris:
        """The benchmark URIs of one of the dataset's fixed partitions (docs/wrappers.md).

        The three splits of a dataset are disjoint, and the same on every machine
        and in every version of the dataset:

        - a generator: ``test`` is its last ``SPLIT_SEEDS`` (10,000) seeds,
          ``validation`` the 10,000 before them, ``train`` every seed from 0 up
          to those (a ``SeedUris``, lazy);
        - a finite dataset: a benchmark is in ``train``, ``validation`` or
          ``test`` by the bucket of its name (80%, 10%, 10%: ``hash_split``), a
          list in the order of ``benchmark_uris()``;
        - kernels-v0, the leaderboard's test set as a whole: ``test`` is all of
          it; ``train`` and ``validation`` are refused (train on csmith-v0 or
          llvm-stress-v0).

        Args:
            name: ``"train"``, ``"validation"`` or ``"test"``.

        Raises:
            InvalidArgument: another name, or a split a test set does not have.
        """
        if name not in SPLITS:
            raise InvalidArgument(
                f"a split is one of {', '.join(map(repr, SPLITS))}, not {name!r}"
            )
        if self.name in TEST_SETS:
            if name == "test":
                return self.benchmark_uris()
            raise InvalidArgument(
                f"{self.name} is the leaderboard's test set as a whole, so it has no {name} "
                f"split: its split('test') is every benchmark. Learn from another dataset, "
                f"e.g. env.datasets['csmith-v0'].split({name!r}) or llvm-stress-v0's"
            )
        if self.unbounded:
            return seed_split(self.name, self.uri_prefix, self.max_seed, name)
        return hash_split(list(self.benchmark_uris()), name, self.uri_prefix)

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


def seed_split(dataset: str, prefix: str, max_seed: int, name: str) -> SeedUris:
    """A generator's split ``name``: its last ``SPLIT_SEEDS`` seeds are ``test``, the
    ``SPLIT_SEEDS`` before them ``validation``, and every seed below ``train``."""
    test = max_seed + 1 - SPLIT_SEEDS
    validation = test - SPLIT_SEEDS
    if validation < 1:
        raise InvalidArgument(
            f"{dataset} has {max_seed + 1} seeds, too few for splits of {SPLIT_SEEDS} seeds"
        )
    first, last = {
        "train": (0, validation - 1), "validation": (validation, test - 1), "test": (test, max_seed)
    }[name]  # fmt: skip
    return SeedUris(dataset, prefix, max_seed=last, min_seed=first)


def split_bucket(name: str) -> int:
    """A benchmark's bucket, 0-99: the first 8 bytes of the SHA-256 of its name within
    its dataset (``crc32`` of ``benchmark://kernels-v0/crc32``), modulo 100.

    The same in every process and on every machine (unlike ``hash()``), and a
    benchmark keeps its bucket when others are added to or removed from its dataset.
    """
    digest = hashlib.sha256(name.encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100


def hash_split(uris: list[str], name: str, prefix: str = "") -> list[str]:
    """The URIs of ``uris`` in split ``name`` by their bucket (``split_bucket`` of the
    URI without ``prefix``): 0-79 ``train``, 80-89 ``validation``, 90-99 ``test``."""
    if name not in SPLIT_BUCKETS:
        raise InvalidArgument(f"a split is one of {', '.join(map(repr, SPLITS))}, not {name!r}")
    buckets = SPLIT_BUCKETS[name]
    return [uri for uri in uris if split_bucket(uri.removeprefix(prefix)) in buckets]
