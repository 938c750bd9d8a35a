"""One search over many benchmarks, several at once.

Each thread has an env of its own, and each env a worker process of its own, so
the compiler work of a thread pool runs on as many cores as there are threads:
the client thread only waits on its worker's socket.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from compiler_env.search.basic import greedy_search, random_search
from compiler_env.search.evolution import evolutionary_search
from compiler_env.search.result import SearchResult, SearchResults, progress_stream
from service.proto.errors import InvalidArgument

if TYPE_CHECKING:
    from compiler_env.env import CompilerEnv

__all__ = ["SEARCHES", "search_benchmarks"]

#: The searches by name.
SEARCHES: dict[str, Callable[..., SearchResult]] = {
    "random": random_search,
    "greedy": greedy_search,
    "evolution": evolutionary_search,
}


def search_benchmarks(
    search: str | Callable[..., SearchResult],
    benchmarks: Sequence[str],
    make_env: Callable[[], CompilerEnv],
    *,
    jobs: int = 1,
    progress: bool | TextIO = False,
    **options: Any,
) -> SearchResults:
    """Runs a search on every benchmark, ``jobs`` at a time, each thread with its own env.

    Args:
        search: ``"random"``, ``"greedy"``, ``"evolution"``, or a search function.
        benchmarks: the benchmark URIs.
        make_env: makes one env (called once per thread; each env is closed at the end).
        jobs: how many benchmarks are searched at once.
        progress: a line per finished benchmark on stderr when it is a terminal
            (True), or on this stream; with one job, each search's progress line too.
        **options: the search's keyword arguments (``steps``, ``seconds``,
            ``patience``, ``seed``, ...): the same for every benchmark, so a
            benchmark's result does not depend on ``jobs`` or on the others.

    Returns:
        A result per benchmark, in the order of ``benchmarks``.

    Raises:
        InvalidArgument: an unknown search name or a bad ``jobs``.
        CompilerEnvError: what a search raised (e.g. ``BenchmarkNotFound``);
            the other threads stop after their current benchmark.
    """
    if isinstance(search, str):
        if search not in SEARCHES:
            raise InvalidArgument(f"unknown search {search!r}; known: {', '.join(SEARCHES)}")
        search = SEARCHES[search]
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise InvalidArgument(f"jobs is a positive integer, not {jobs!r}")
    stream = progress_stream(progress)
    if stream is not None and jobs == 1:  # one search at a time: its own progress line too
        options = {"progress": stream, **options}
    pool = _Pool(search, list(benchmarks), make_env, options, stream)
    count = min(jobs, len(pool.todo))
    threads = [threading.Thread(target=pool.work, daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if pool.errors:
        raise pool.errors[0]
    return SearchResults(r for r in pool.results if r is not None)


class _Pool:
    """The benchmarks left to search, and what the threads found."""

    def __init__(
        self,
        search: Callable[..., SearchResult],
        todo: list[str],
        make_env: Callable[[], CompilerEnv],
        options: dict[str, Any],
        stream: TextIO | None,
    ) -> None:
        self.search, self.todo, self.make_env, self.options = search, todo, make_env, options
        self.stream = stream
        self.results: list[SearchResult | None] = [None] * len(todo)
        self.errors: list[BaseException] = []
        self._lock = threading.Lock()
        self._queue = iter(range(len(todo)))
        self._done = 0

    def _next(self) -> int | None:
        with self._lock:
            return None if self.errors else next(self._queue, None)

    def _failed(self, error: BaseException) -> None:
        with self._lock:
            self.errors.append(error)

    def work(self) -> None:
        """One thread: makes its env, then searches benchmarks until none is left."""
        try:
            env = self.make_env()
        except BaseException as error:
            self._failed(error)
            return
        with env:
            while (index := self._next()) is not None:
                try:
                    result = self.search(env, self.todo[index], **self.options)
                except BaseException as error:
                    self._failed(error)
                    return
                self.results[index] = result
                self._report(result)

    def _report(self, result: SearchResult) -> None:
        with self._lock:
            self._done += 1
            if self.stream is not None:
                print(f"[{self._done}/{len(self.todo)}] {result.benchmark}: reward "
                      f"{result.reward:.4f} in {result.steps} steps, {result.seconds:.1f} s",
                      file=self.stream, flush=True)  # fmt: skip
