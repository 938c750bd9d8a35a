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

import re
from typing import TYPE_CHECKING, Any

from compiler_env.search import SEARCHES

if TYPE_CHECKING:
    from compiler_env.env import CompilerEnv

__all__ = ["evolution", "greedy", "pipeline", "pipeline_passes", "random", "search"]

#: Passes of clang's pipelines that change nothing an episode measures (they
#: annotate, instrument, or lower constructs these programs do not have).
_SKIPPED = frozenset({"require", "invalidate", "ee-instrument", "annotation2metadata",
                      "forceattrs", "declare-to-assign", "lower-expect", "openmp-opt",
                      "openmp-opt-cgscc", "coro-early", "coro-split", "coro-cleanup",
                      "coro-elide", "coro-annotation-elide"})  # fmt: skip


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


def pipeline_passes(level: str, names: list[str]) -> list[str]:
    """The passes of clang's ``-<level>`` pipeline, in order, as actions of a table
    with these ``names``: each pass of the pipeline (its adaptors, analyses and
    parameters dropped) that has an action of the same pass, once per time it runs.
    """
    leaves, depth, current = [], 0, ""
    for char in _printed_pipeline(level) + ",":
        depth += (char == "<") - (char == ">")
        if depth == 0 and char in ",()":
            if current and char != "(":
                leaves.append(current.split("<")[0])
            current = ""
        else:
            current += char
    by_pass = {re.sub(r"[<(].*", "", name): name for name in names}
    by_pass.update({name: name for name in names})
    return [by_pass[leaf] for leaf in leaves if leaf not in _SKIPPED and leaf in by_pass]


def pipeline(env: CompilerEnv, level: str = "Oz") -> None:
    """Applies clang's ``-<level>`` pipeline, one pass of it per action
    (``pipeline_passes``): what the action table can say of clang's own choice."""
    names = list(env.action_space.names)
    env.multistep([names.index(name) for name in pipeline_passes(level, names)])


def _printed_pipeline(level: str) -> str:
    """Clang's ``-<level>`` pipeline with every pass spelled out (an alias such as
    ``default<O3>`` expanded by ``opt -print-pipeline-passes``)."""
    import subprocess

    from service.llvm.pipelines import clang_pipeline
    from service.llvm.toolchain import find_toolchain

    text = clang_pipeline(level)
    if not text.startswith("default<"):
        return text
    opt = str(find_toolchain().tool("opt"))
    printed = subprocess.run(
        [opt, f"-passes={text}", "-print-pipeline-passes", "-disable-output", "/dev/null"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return printed.stdout.strip()
