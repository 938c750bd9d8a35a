"""Policies for ``compiler-env leaderboard run``: callables that step an env.

A policy is ``policy(env, **options)``: the env is reset onto a test benchmark,
and the policy steps it; the env's state when it returns is the benchmark's
result. Options come from the command line (``--option steps=1000``), as text
converted to numbers where they look like numbers.

>>> import inspect
>>> list(inspect.signature(search).parameters)[:3]
['env', 'name', 'steps']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compiler_env.search import SEARCHES

if TYPE_CHECKING:
    from compiler_env.env import CompilerEnv

__all__ = ["evolution", "greedy", "random", "search"]


def search(
    env: CompilerEnv,
    name: str = "evolution",
    steps: int | None = 1000,
    seconds: float | None = None,
    seed: int = 0,
    **options: Any,
) -> None:
    """Runs one of ``compiler_env.search``'s searches on the env's benchmark with a
    budget, and leaves the env at the best state found."""
    benchmark = env.benchmark
    assert benchmark is not None
    result = SEARCHES[name](env, str(benchmark), steps=steps, seconds=seconds, seed=seed, **options)
    env.apply(result.state)


def random(env: CompilerEnv, **options: Any) -> None:
    """``search`` with random search."""
    search(env, "random", **options)


def greedy(env: CompilerEnv, **options: Any) -> None:
    """``search`` with greedy search."""
    search(env, "greedy", **options)


def evolution(env: CompilerEnv, **options: Any) -> None:
    """``search`` with the evolutionary search."""
    search(env, "evolution", **options)
