"""Searches for the pass sequence that maximises an env's episode reward.

``random_search``, ``greedy_search`` and ``evolutionary_search`` search one
benchmark and return a ``SearchResult`` (the best ``CompilerEnvState``, the
steps and seconds used, the best-so-far trajectory, ``to_dataframe()``);
``search_benchmarks`` runs one of them over many benchmarks, several at once,
and returns ``SearchResults`` (``to_dataframe()``, ``write_states(path)``).

>>> import compiler_env
>>> from compiler_env.search import random_search
>>> with compiler_env.make("llvm-ic-v0") as env:
...     result = random_search(env, "benchmark://kernels-v0/crc32", steps=20, seed=1)
>>> result.steps, result.stopped, result.reward > 0, result.state.benchmark
(20, 'steps', True, 'benchmark://kernels-v0/crc32')
"""

from compiler_env.search.basic import greedy_search, random_search
from compiler_env.search.evolution import evolutionary_search
from compiler_env.search.parallel import SEARCHES, search_benchmarks
from compiler_env.search.result import Point, SearchResult, SearchResults, results_to_dataframe

__all__ = [
    "SEARCHES",
    "Point",
    "SearchResult",
    "SearchResults",
    "evolutionary_search",
    "greedy_search",
    "random_search",
    "results_to_dataframe",
    "search_benchmarks",
]
