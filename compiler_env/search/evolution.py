"""An evolutionary search over pass sequences: a (1+1) evolutionary algorithm.

One sequence is kept, the parent. Each generation makes one child by a single
mutation: append a random action (most often), or insert, replace or delete
one at a random place; the child replaces the parent when its episode reward
is higher, or equal with fewer actions. A sequence is never evaluated twice.

Why this and not a population or a beam: the budget counts every action the
compiler applies, and a child is scored by a reset (cheaper than one step:
the worker keeps a parsed copy of the benchmark) and a replay of its whole
sequence in one round trip. A beam or a greedy round pays that replay for all
of the hundred-odd actions at each node before it moves; this search moves as
soon as one helps, so the same budget reaches far longer sequences, and the
insertions, replacements and deletions repair the order of what it appended.
``env.fork()`` would save the replays but costs a new session, the time of
some fifty steps on a small program. On the first eight kernels-v0 programs
with 1000 steps each, the geometric mean of -Oz's instruction count over the
result's was 1.097 for this search, 1.056 for greedy search, 1.039 for random
search (32-action episodes) and 1.018 for a generational genetic algorithm
(12 sequences, tournament selection, crossover and the same mutations). On all
31 programs with 10000 steps each: 1.076 for this search, 1.033 for random
search (100-action episodes); docs/search.md has the table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

import numpy as np

from compiler_env.search.result import Run, SearchResult, run_on

if TYPE_CHECKING:
    from compiler_env.env import CompilerEnv

__all__ = ["evolutionary_search"]

#: How often a mutation appends an action (otherwise: insert, replace or delete one).
APPEND = 0.6
#: How many mutations in a row may give sequences already evaluated before the
#: search has converged (every neighbour of the parent tried).
STALE_LIMIT = 10_000


def evolutionary_search(
    env: CompilerEnv | Callable[[], CompilerEnv],
    benchmark: str | None = None,
    *,
    steps: int | None = None,
    seconds: float | None = None,
    patience: int | None = None,
    seed: int = 0,
    progress: bool | TextIO = False,
) -> SearchResult:
    """Evolves one pass sequence by mutations that are kept when they help
    (the module docstring says how and why).

    Args:
        env: an env with a reward space (reset here onto ``benchmark``), or a
            callable that makes one (closed at the end).
        benchmark: the benchmark URI (default: the env's).
        steps: the budget of actions applied (replays included).
        seconds: the budget of wall-clock seconds.
        patience: stop after this many steps without a better state.
        seed: the seed of every random choice: the same seed, benchmark and
            step budget give the same best state.
        progress: a progress line on stderr when it is a terminal (True), or
            on this stream.

    Returns:
        The best state found.

    Raises:
        InvalidArgument: no budget, a budget that is not positive, or an env
            without a reward space.
    """

    def search(env: CompilerEnv) -> SearchResult:
        run = Run("evolution", env, steps=steps, seconds=seconds, patience=patience, seed=seed,
                  progress=progress)  # fmt: skip
        rng = np.random.default_rng(seed)
        n = int(env.action_space.n)
        parent: list[int] = []
        reward = 0.0
        seen: set[tuple[int, ...]] = {()}
        stale = 0
        while not run.over() and stale < STALE_LIMIT:
            child = _mutate(parent, rng, n)
            if tuple(child) in seen:
                stale += 1
                continue
            stale = 0
            seen.add(tuple(child))
            left = run.left()
            if left is not None and len(child) > left:
                run.spend(left)  # not enough budget left to score it
                continue
            env.reset()
            _, _, _, truncated, _ = env.multistep(child)
            run.spend(len(child))
            if truncated:
                continue
            run.offer()
            better = env.episode_reward > reward
            if better or (env.episode_reward == reward and len(child) < len(parent)):
                parent, reward = child, env.episode_reward
        return run.result()

    return run_on(env, benchmark, search)


def _mutate(parent: list[int], rng: np.random.Generator, actions: int) -> list[int]:
    """The parent with one action appended, inserted, replaced or deleted."""
    if not parent or rng.random() < APPEND:
        return [*parent, int(rng.integers(actions))]
    kind, at = int(rng.integers(3)), int(rng.integers(len(parent)))
    if kind == 0:
        return [*parent[:at], int(rng.integers(actions)), *parent[at:]]
    if kind == 1:
        return [*parent[:at], int(rng.integers(actions)), *parent[at + 1 :]]
    return [*parent[:at], *parent[at + 1 :]]
