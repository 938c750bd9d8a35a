"""Fast resets: a worker's benchmarks, their canonical bitcode, and a spare module.

A reset to a benchmark the worker has served before needs none of the work of
the first: the benchmark is resolved once per URI, its canonical bitcode is made
once, and a spare copy of its module, parsed from those bytes in a thread while
the agent steps the episode, is taken at the next reset. Parsing in the thread
is the same parse a reset would do (a module of its own context, from the same
bytes), so an episode from a spare is the same as one from a fresh parse. The
thread also disposes of the previous episode. LLVM's calls release the GIL, so
the thread runs beside the worker's requests. One thread serves every reset
of a worker.
"""

from __future__ import annotations

import ctypes
import functools
import os
import queue
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from service import benchmarks
from service.benchmarks import Benchmark
from service.episode import canonical_bitcode
from service.llvm.module import Context, Module

if TYPE_CHECKING:
    from service.episode import Episode

__all__ = ["SPARE_MAX_BYTES", "Preloader", "release_free_memory"]

#: The largest program (bitcode bytes) of which a worker parses a spare module: a
#: spare doubles the memory the program takes, which a huge one may not have.
SPARE_MAX_BYTES = 8 * 1024 * 1024

try:
    _LIBC: ctypes.CDLL | None = ctypes.CDLL("libc.so.6")
except OSError:  # not glibc
    _LIBC = None


def release_free_memory() -> None:
    """Gives the heap's free pages back to the system (glibc), so that a worker
    serving episode after episode does not keep its peak size."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


class _Background:
    """One thread of the worker's that runs jobs in order; a fork makes its own.

    Starting a thread per job costs a hand-over with the new thread (a few
    hundred microseconds): a reset would pay it.
    """

    def __init__(self) -> None:
        self._jobs: queue.Queue[Callable[[], None]] = queue.Queue()
        self._owner = 0

    def submit(self, job: Callable[[], None]) -> None:
        if self._owner != os.getpid():  # none yet, or this process is a fork
            self._jobs = queue.Queue()
            self._owner = os.getpid()
            threading.Thread(target=self._serve, args=(self._jobs,), daemon=True,
                             name="spare-modules").start()  # fmt: skip
        self._jobs.put(job)

    @staticmethod
    def _serve(jobs: queue.Queue[Callable[[], None]]) -> None:
        while True:
            job = jobs.get()
            try:
                job()
            finally:
                jobs.task_done()

    def wait(self) -> None:
        """Returns once every job submitted has run."""
        if self._owner == os.getpid():
            self._jobs.join()


class _Spare:
    """A module of ``benchmark``, being parsed in the background (then retiring an episode)."""

    def __init__(
        self, benchmark: Benchmark, canonical: bytes, retired: Episode | None, runner: _Background
    ) -> None:
        self.sha1 = benchmark.sha1
        self._loaded: tuple[Context, Module] | None = None
        self._ready = threading.Event()
        runner.submit(functools.partial(self._prepare, benchmark.uri, canonical, retired))

    def _prepare(self, uri: str, canonical: bytes, retired: Episode | None) -> None:
        context = Context()  # the spare first: the next reset may come soon
        try:
            self._loaded = (context, context.parse(canonical, uri))
        except BaseException:  # the same bytes parsed before: out of memory, at most
            context.close()
        self._ready.set()
        if retired is not None:
            retired.close()
            release_free_memory()

    def take(self) -> tuple[Context, Module] | None:
        """The parsed module and its context (once), waiting for the parse if needed."""
        self._ready.wait()
        loaded, self._loaded = self._loaded, None
        return loaded

    def close(self) -> None:
        loaded = self.take()
        if loaded is not None:
            loaded[1].close()
            loaded[0].close()


class Preloader:
    """What a worker keeps to start episodes of benchmarks it has seen before."""

    def __init__(self, keep: int = 8) -> None:
        self.keep = keep
        self._benchmarks: OrderedDict[str, Benchmark] = OrderedDict()
        self._canonical: OrderedDict[str, bytes] = OrderedDict()
        self._spare: _Spare | None = None
        self._background = _Background()

    def resolve(self, uri: str) -> Benchmark:
        """``benchmarks.resolve``, once per URI (a ``file://`` URI is read every time:
        the file may have changed)."""
        if urlparse(uri).scheme == "file":
            return benchmarks.resolve(uri)
        if uri not in self._benchmarks:
            self._benchmarks[uri] = benchmarks.resolve(uri)
        self._benchmarks.move_to_end(uri)
        _trim(self._benchmarks, self.keep)
        return self._benchmarks[uri]

    def seen(self, benchmark: Benchmark) -> bool:
        return benchmark.sha1 in self._canonical

    def canonical(self, benchmark: Benchmark) -> bytes:
        """``canonical_bitcode(benchmark)``, made once per program."""
        sha1 = benchmark.sha1
        if sha1 not in self._canonical:
            self._canonical[sha1] = canonical_bitcode(benchmark)
        self._canonical.move_to_end(sha1)
        _trim(self._canonical, self.keep)
        return self._canonical[sha1]

    def take(self, benchmark: Benchmark) -> tuple[Context, Module] | None:
        """The spare module of ``benchmark`` if one was prepared, else None."""
        spare, self._spare = self._spare, None
        if spare is None:
            return None
        if spare.sha1 != benchmark.sha1:
            spare.close()
            return None
        return spare.take()

    def prepare(self, benchmark: Benchmark, retired: Episode | None) -> None:
        """Starts parsing a spare module of ``benchmark``, after closing ``retired``
        (there is one already when the episode was reused untouched)."""
        if len(benchmark.bitcode) > SPARE_MAX_BYTES or (
            self._spare is not None and self._spare.sha1 == benchmark.sha1
        ):
            if retired is not None:
                retired.close()
                release_free_memory()
            return
        self.close()
        self._spare = _Spare(benchmark, self.canonical(benchmark), retired, self._background)

    def wait(self) -> None:
        """Lets the background work finish (before the worker forks: a fork copies no
        thread, and no half-parsed module should be copied)."""
        self._background.wait()

    def close(self) -> None:
        if self._spare is not None:
            self._spare.close()
            self._spare = None


def _trim(cache: OrderedDict[str, Any], keep: int) -> None:
    while len(cache) > keep:
        cache.popitem(last=False)
