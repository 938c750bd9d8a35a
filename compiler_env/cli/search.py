"""compiler-env random-search, greedy and evolve: search pass sequences on benchmarks.

Each prints a line per benchmark (its best reward, the length of its best
sequence, the steps and seconds used, why it stopped) and the mean reward;
--output FILE writes the best states as CSV, which compiler-env validate FILE
checks and env.apply(state) replays.
"""

from __future__ import annotations

import argparse
import functools
import sys
from typing import Any

from compiler_env.cli.catalog import make_env, nonnegative_int, positive_float, positive_int
from compiler_env.search import SearchResults, search_benchmarks
from service.proto.errors import BenchmarkNotFound

__all__ = ["add_parsers", "expand_benchmarks"]

#: The subcommands: name, the search they run, their help.
SEARCH_COMMANDS = (
    ("random-search", "random", "random search: episodes of random actions, the best prefix wins"),
    ("greedy", "greedy", "greedy search: extend the sequence by the action that helps most"),
    ("evolve", "evolution", "evolutionary search: mutate one sequence, keep what helps"),
)
DEFAULT_STEPS = 1000
OUTPUT = (
    "Prints a line per benchmark and the mean reward; --output FILE writes the best states "
    "as CSV, which compiler-env validate FILE checks."
)


def add_parsers(commands: Any) -> None:
    """Adds random-search, greedy and evolve."""
    for name, search, summary in SEARCH_COMMANDS:
        parser = commands.add_parser(name, help=summary, description=f"{summary}. {OUTPUT}")
        parser.add_argument(
            "--benchmark", action="append", metavar="URI", help="a benchmark URI, or a dataset "
            "name such as kernels-v0 for all its benchmarks (repeatable; default: the env's "
            "benchmark)",
        )  # fmt: skip
        parser.add_argument("--env", default="llvm-ic-v0", help="the env id (default: llvm-ic-v0)")
        parser.add_argument("--reward", help="the reward space to maximise (default: the env's)")
        default = "until converged" if search == "greedy" else f"{DEFAULT_STEPS} without --seconds"
        parser.add_argument("--steps", type=positive_int, help="the budget of actions applied "
                            f"per benchmark (default: {default})")  # fmt: skip
        parser.add_argument("--seconds", type=positive_float, help="the budget of seconds per "
                            "benchmark")  # fmt: skip
        parser.add_argument("--patience", type=positive_int, help="stop after this many steps "
                            "without improvement")  # fmt: skip
        parser.add_argument("--seed", type=nonnegative_int, default=0, help="the seed of the "
                            "random choices (default: 0)")  # fmt: skip
        parser.add_argument("--jobs", type=positive_int, default=1, help="benchmarks searched at "
                            "once, each with its own worker process (default: 1)")  # fmt: skip
        parser.add_argument("--output", metavar="FILE", help="write the best states to this CSV "
                            "file (- for stdout)")  # fmt: skip
        parser.set_defaults(run=functools.partial(_search, search))


def expand_benchmarks(env: Any, names: list[str]) -> list[str]:
    """Benchmark URIs of ``--benchmark`` values: URIs, ``dataset/name`` or dataset names.

    Raises:
        BenchmarkNotFound: an unknown dataset or benchmark, or a generator named
            without a seed.
    """
    uris: list[str] = []
    for name in names:
        if "://" not in name and "/" not in name:
            dataset = env.datasets[name]
            if dataset.unbounded:
                raise BenchmarkNotFound(
                    f"{name} is a generator with a program per seed; name seeds, e.g. "
                    f"--benchmark {dataset.uri_prefix}0"
                )
            uris.extend(dataset.benchmark_uris())
        elif "://" not in name:
            dataset_name, _, rest = name.partition("/")
            uris.append(env.datasets[dataset_name].benchmark(rest).uri)
        elif name.startswith(("benchmark://", "generator://")):
            uris.append(env.datasets.benchmark(name.split("?", 1)[0]).uri + _query(name))
        else:
            uris.append(name)
    return list(dict.fromkeys(uris))


def _query(uri: str) -> str:
    return "?" + uri.split("?", 1)[1] if "?" in uri else ""


def _search(search: str, args: argparse.Namespace) -> int:
    overrides: dict[str, Any] = {"reward_space": args.reward} if args.reward else {}
    steps = args.steps
    if steps is None and args.seconds is None and search != "greedy":
        steps = DEFAULT_STEPS
    # This env stays open while the search runs: a local service is started once.
    with make_env(args, args.env, **overrides) as env:
        benchmarks = expand_benchmarks(env, args.benchmark or [env.benchmark])
        results = search_benchmarks(
            search,
            benchmarks,
            functools.partial(make_env, args, args.env, **overrides),
            jobs=args.jobs,
            progress=True,
            steps=steps,
            seconds=args.seconds,
            patience=args.patience,
            seed=args.seed,
        )
    _print(results, sys.stdout if args.output != "-" else sys.stderr)
    if args.output:
        results.write_states(args.output)
    return 0


def _print(results: SearchResults, out: Any) -> None:
    width = max((len(r.benchmark) for r in results), default=9)
    print(f"{'benchmark':<{width}}  {'reward':>9}  {'length':>6}  {'steps':>7}  {'seconds':>8}"
          "  stopped", file=out)  # fmt: skip
    for r in results:
        print(f"{r.benchmark:<{width}}  {r.reward:>9.4f}  {len(r.actions):>6}  {r.steps:>7}  "
              f"{r.seconds:>8.2f}  {r.stopped}", file=out)  # fmt: skip
    if results:
        mean = sum(r.reward for r in results) / len(results)
        space = results[0].state.reward_space
        print(f"mean {space} reward {mean:.4f} over {len(results)} benchmarks", file=out)
