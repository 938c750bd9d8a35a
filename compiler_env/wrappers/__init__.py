"""Gymnasium wrappers for compiler_env envs, one concept per module.

Each is a plain ``gymnasium.Wrapper`` that composes with Gymnasium's own
(``TimeLimit``, ``RecordEpisodeStatistics``, ...) and with
``gymnasium.make_vec(..., vectorization_mode="sync", wrappers=[...])``;
docs/wrappers.md shows each with an example.

- ``benchmarks``: a new benchmark at each reset (``RandomBenchmarks``,
  ``CycleBenchmarks``, ``BenchmarksOnce``, and the same orders as iterators
  for the native vector env's streams);
- ``actions``: a subset of the passes (``ActionSubset``) and a pass list with
  a "stop" action (``CommandlineActions``);
- ``history``: the episode's actions appended to the observation (``ActionHistory``);
- ``features``: feature vectors scaled by the program's size (``NormalizedFeatures``);
- ``undo``: a fork before each step, so that steps can be undone (``ForkOnStep``);
- ``semantics``: a penalty for an episode whose program is broken (``SemanticsGuard``).
"""

from compiler_env.wrappers.actions import ActionSubset, CommandlineActions
from compiler_env.wrappers.benchmarks import (
    BenchmarkChoice,
    BenchmarksOnce,
    CycleBenchmarks,
    RandomBenchmarks,
    cycle_stream,
    once_stream,
    random_stream,
)
from compiler_env.wrappers.features import NormalizedFeatures
from compiler_env.wrappers.history import ActionHistory
from compiler_env.wrappers.semantics import SemanticsGuard
from compiler_env.wrappers.undo import ForkOnStep

__all__ = [
    "ActionHistory",
    "ActionSubset",
    "BenchmarkChoice",
    "BenchmarksOnce",
    "CommandlineActions",
    "CycleBenchmarks",
    "ForkOnStep",
    "NormalizedFeatures",
    "RandomBenchmarks",
    "SemanticsGuard",
    "cycle_stream",
    "once_stream",
    "random_stream",
]
