"""Random search over kernels-v0 with the library's searches, two benchmarks at once.

Each benchmark gets a budget of random actions (episodes of 100, the best prefix
of any episode kept); the best states are written as CompilerEnvState CSV, which
`compiler-env validate --states` checks, and the results are printed as a table.
The score is the geometric mean over the benchmarks of -Oz's instruction count
over the one reached: above 1.0 is smaller than clang's -Oz.

    python examples/random_search.py                       # 5 benchmarks, 1000 steps
    python examples/random_search.py --benchmarks 31 --steps 10000 --output states.csv
"""

from __future__ import annotations

import argparse
import math
import sys

import compiler_env
from compiler_env.search import SearchResults


def search(benchmarks: int, steps: int, jobs: int, seed: int) -> SearchResults:
    """The random search's best state on the first ``benchmarks`` kernels-v0 programs."""
    with compiler_env.make("llvm-v0") as env:
        uris = env.datasets["kernels-v0"].benchmark_uris()[:benchmarks]
    return compiler_env.search_benchmarks(
        "random", uris, lambda: compiler_env.make("llvm-ic-v0"),
        jobs=jobs, steps=steps, seed=seed, progress=True,
    )  # fmt: skip


def score(results: SearchResults) -> float:
    """The geometric mean of -Oz's instruction count over the count of each best
    state, replayed (the replay, not the search's reward, decides)."""
    logs = []
    with compiler_env.make("llvm-v0") as env:
        for result in results:
            env.apply(result.state)
            reached = env.observation["IrInstructionCount"]
            logs.append(math.log(env.observation["IrInstructionCountOz"] / max(reached, 1)))
    return math.exp(sum(logs) / len(logs))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--benchmarks", type=int, default=5, help="how many kernels-v0 programs")
    parser.add_argument("--steps", type=int, default=1000, help="actions per benchmark")
    parser.add_argument("--jobs", type=int, default=2, help="benchmarks searched at once")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", help="write the best states here as CSV")
    args = parser.parse_args()
    results = search(args.benchmarks, args.steps, args.jobs, args.seed)
    table = results.to_dataframe().drop(columns=["commandline"])
    print(table.to_string(index=False))
    if args.output:
        results.write_states(args.output)
        print(f"best states written to {args.output}")
    print(f"score: {score(results):.3f}x -Oz (geometric mean over {len(results)} benchmarks, "
          f"{args.steps} steps each, seed {args.seed})")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
