"""Choosing a new benchmark at every reset: at random, in a cycle, or each once.

A wrapper takes its benchmarks as a list of URIs (or ``Benchmark``s), a
``Dataset`` (``env.datasets["csmith-v0"]``) or a split of one
(``dataset.split("train")``, a list or a ``SeedUris``). A reset that names a
benchmark itself (``options={"benchmark": uri}``) is passed on unchanged and
leaves the order untouched.

The same orders are available as plain iterators (``random_stream``,
``cycle_stream``, ``once_stream``), which is what the native vector env takes
as each sub-env's stream::

    envs = compiler_env.make_vec(
        "llvm-autophase-ic-v0", 4, benchmark=lambda i: random_stream(train, seed=i)
    )
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import Any, TypeAlias

import gymnasium
import numpy as np

from compiler_env.datasets import Benchmark, Dataset, SeedUris
from service.proto.errors import BenchmarkInitError, InvalidArgument

__all__ = [
    "BenchmarkChoice",
    "Benchmarks",
    "BenchmarksOnce",
    "CycleBenchmarks",
    "RandomBenchmarks",
    "cycle_stream",
    "once_stream",
    "random_stream",
]

#: How many unusable benchmarks in a row ``RandomBenchmarks`` draws past before it raises.
MAX_UNUSABLE = 10
#: What a wrapper chooses from: URIs, a dataset, or a split of one.
Benchmarks: TypeAlias = "Sequence[str | Benchmark] | Dataset | SeedUris"


def _uris(benchmarks: Benchmarks) -> Sequence[str] | SeedUris:
    """The URIs of ``benchmarks``, checked: none at all is refused."""
    if isinstance(benchmarks, Dataset):
        benchmarks = benchmarks.benchmark_uris()
    if isinstance(benchmarks, SeedUris):
        if benchmarks.count < 1:
            raise InvalidArgument(f"{benchmarks!r} holds no seed: give a range with seeds in it")
        return benchmarks
    if isinstance(benchmarks, (str, Benchmark)) or not isinstance(benchmarks, Sequence):
        raise InvalidArgument(
            "benchmarks are a list of URIs, a Dataset or a split (dataset.split('train')), "
            f"not {type(benchmarks).__name__}; wrap a single URI in a list"
        )
    uris = [b.uri if isinstance(b, Benchmark) else str(b) for b in benchmarks]
    if not uris:
        raise InvalidArgument(
            "the list of benchmarks is empty: give at least one URI (kernels-v0's "
            "split('train') is refused, not empty: train on csmith-v0 or llvm-stress-v0)"
        )
    return uris


def _count(uris: Sequence[str] | SeedUris) -> int:
    return uris.count if isinstance(uris, SeedUris) else len(uris)


def _shard(uris: Sequence[str] | SeedUris, index: int, count: int) -> Iterator[str]:
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise InvalidArgument(f"count is a positive number of shards, not {count!r}")
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < count:
        raise InvalidArgument(f"index is a shard in 0..{count - 1}, not {index!r}")
    if _count(uris) <= index:
        raise InvalidArgument(f"shard {index} of {count} of {_count(uris)} benchmarks is empty")
    return itertools.islice(iter(uris), index, None, count)


def random_stream(benchmarks: Benchmarks, seed: int | None = None) -> Iterator[str]:
    """Endless benchmarks drawn uniformly at random (with replacement) from ``benchmarks``.

    Args:
        benchmarks: what to draw from (a generator's split draws seeds of its range).
        seed: the seed of the draws; None: fresh entropy.
    """
    uris = _uris(benchmarks)  # checked now, not at the first draw
    rng = np.random.default_rng(seed)
    return (uris[int(rng.integers(_count(uris)))] for _ in itertools.count())


def cycle_stream(benchmarks: Benchmarks, index: int = 0, count: int = 1) -> Iterator[str]:
    """The benchmarks in order, over and over: shard ``index`` of ``count``
    (``benchmarks[index::count]``), so that ``count`` sub-envs share the work."""
    uris = _uris(benchmarks)
    _shard(uris, index, count)  # checked now, not at the first draw
    rounds = (_shard(uris, index, count) for _ in itertools.count())
    return itertools.chain.from_iterable(rounds)


def once_stream(benchmarks: Benchmarks, index: int = 0, count: int = 1) -> Iterator[str]:
    """The benchmarks in order, once: shard ``index`` of ``count``
    (``benchmarks[index::count]``)."""
    return _shard(_uris(benchmarks), index, count)


class BenchmarkChoice(gymnasium.Wrapper[Any, Any, Any, Any], gymnasium.utils.RecordConstructorArgs):
    """Resets onto the next benchmark of a stream of URIs (the base of the three orders).

    Args:
        env: a compiler_env env, or a wrapper of one.
        stream: the URIs, one per reset.
    """

    def __init__(self, env: gymnasium.Env[Any, Any], stream: Iterator[str]) -> None:
        gymnasium.utils.RecordConstructorArgs.__init__(self, _disable_deepcopy=True, stream=stream)
        super().__init__(env)
        self._stream = stream

    def next_benchmark(self, seed: int | None) -> str:
        """The benchmark of the next reset (``seed`` is the reset's)."""
        return next(self._stream)

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[Any, dict[str, Any]]:
        if options and options.get("benchmark") is not None:
            return self.env.reset(seed=seed, options=options)
        options = {**(options or {}), "benchmark": self.next_benchmark(seed)}
        return self.env.reset(seed=seed, options=options)


class RandomBenchmarks(BenchmarkChoice):
    """A benchmark drawn at random (uniformly, with replacement) at every reset.

    ``reset(seed=s)`` also seeds the draws with ``s``, so each sub-env of a
    Gymnasium vector env (which seeds sub-env ``i`` with ``s + i``) draws its
    own reproducible stream; without a seed the draws go on from where they
    were.

    A benchmark that exists but cannot be used (``BenchmarkInitError``: a
    Csmith seed whose program does not finish, a program that does not
    compile) is passed over: the next one is drawn, and the reset's
    ``info["unusable_benchmarks"]`` lists those passed over with their errors.
    After ``MAX_UNUSABLE`` (10) in a row the reset raises. A URI that names no
    benchmark (``BenchmarkNotFound``) raises at once: that is a mistake to fix.

    >>> import compiler_env
    >>> uris = ["benchmark://kernels-v0/crc32", "benchmark://kernels-v0/nqueens"]
    >>> env = RandomBenchmarks(compiler_env.make("llvm-autophase-ic-v0"), uris)
    >>> _, info = env.reset(seed=3)
    >>> info["benchmark"] in uris
    True
    >>> env.close()

    Args:
        env: a compiler_env env, or a wrapper of one.
        benchmarks: what to draw from (a generator's split draws seeds of its range).
        seed: the seed of the draws until a reset gives one; None: fresh entropy.
    """

    def __init__(
        self, env: gymnasium.Env[Any, Any], benchmarks: Benchmarks, seed: int | None = None
    ) -> None:
        gymnasium.utils.RecordConstructorArgs.__init__(
            self, _disable_deepcopy=True, benchmarks=benchmarks, seed=seed
        )
        self.benchmarks = _uris(benchmarks)
        super().__init__(env, random_stream(self.benchmarks, seed))

    def next_benchmark(self, seed: int | None) -> str:
        if seed is not None:
            self._stream = random_stream(self.benchmarks, seed)
        return next(self._stream)

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[Any, dict[str, Any]]:
        if options and options.get("benchmark") is not None:
            return self.env.reset(seed=seed, options=options)
        unusable: dict[str, str] = {}
        draw_seed = seed
        for tries in itertools.count(1):
            uri = self.next_benchmark(draw_seed)
            draw_seed = None  # the stream is seeded once per reset
            try:
                observation, info = self.env.reset(
                    seed=seed, options={**(options or {}), "benchmark": uri}
                )
            except BenchmarkInitError as error:
                unusable[uri] = str(error)
                if tries >= MAX_UNUSABLE:
                    raise BenchmarkInitError(
                        f"{tries} benchmarks drawn in a row could not be used, the last "
                        f"{uri}: {error}. Are they all of one kind the service cannot build?"
                    ) from error
                continue
            if unusable:
                info = {**info, "unusable_benchmarks": unusable}
            return observation, info
        raise AssertionError("unreachable")


class CycleBenchmarks(BenchmarkChoice):
    """The benchmarks in order at successive resets, starting again after the last.

    With ``n_eval_episodes=len(benchmarks)``, stable-baselines3's
    ``evaluate_policy`` runs each benchmark exactly once.

    Args:
        env: a compiler_env env, or a wrapper of one.
        benchmarks: the benchmarks, in the order to use them.
        index, count: use only shard ``index`` of ``count``
            (``benchmarks[index::count]``): give sub-env ``i`` of ``n`` the shard
            ``i`` of ``n`` to share the benchmarks among them.
    """

    def __init__(
        self, env: gymnasium.Env[Any, Any], benchmarks: Benchmarks, index: int = 0, count: int = 1
    ) -> None:
        gymnasium.utils.RecordConstructorArgs.__init__(
            self, _disable_deepcopy=True, benchmarks=benchmarks, index=index, count=count
        )
        super().__init__(env, cycle_stream(benchmarks, index, count))


class BenchmarksOnce(BenchmarkChoice):
    """Each benchmark once, in order; the reset after the last one raises.

    ``exhausted`` says whether the last benchmark has been used, so an
    evaluation loop reads ``while not env.exhausted: env.reset(); ...``. A
    reset past the end raises ``InvalidArgument`` (rather than quietly
    starting over: an evaluation that silently repeats benchmarks would count
    some twice).

    Args:
        env: a compiler_env env, or a wrapper of one.
        benchmarks: the benchmarks, in the order to use them.
        index, count: use only shard ``index`` of ``count`` (``benchmarks[index::count]``).
    """

    def __init__(
        self, env: gymnasium.Env[Any, Any], benchmarks: Benchmarks, index: int = 0, count: int = 1
    ) -> None:
        gymnasium.utils.RecordConstructorArgs.__init__(
            self, _disable_deepcopy=True, benchmarks=benchmarks, index=index, count=count
        )
        super().__init__(env, once_stream(benchmarks, index, count))
        self._used = 0
        self._ahead: str | None = next(self._stream, None)

    @property
    def exhausted(self) -> bool:
        """Whether every benchmark has had its reset."""
        return self._ahead is None

    def next_benchmark(self, seed: int | None) -> str:
        if self._ahead is None:
            raise InvalidArgument(
                f"BenchmarksOnce has reset onto each of its {self._used} benchmarks once: "
                "check env.exhausted before a reset, make a new BenchmarksOnce to go over "
                "them again, or use CycleBenchmarks"
            )
        uri, self._ahead = self._ahead, next(self._stream, None)
        self._used += 1
        return uri
