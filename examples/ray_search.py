"""Search many benchmarks at once with Ray: one task per benchmark, each with its own env.

Runs unchanged on a laptop (a local Ray instance) or a cluster
(``--address auto`` on a node of a running Ray cluster). Each task makes an env,
which by default starts a compiler service on the node that runs the task; with
``--service host:port`` every task uses that service instead (e.g. one started
on each node with ``compiler-env service --tcp 50051 --host 0.0.0.0``, its token
in ``$COMPILER_ENV_TOKEN``). docs/ray.md has the commands for both.

    python examples/ray_search.py --benchmarks 4 --steps 200
    python examples/ray_search.py --address auto --search evolution --steps 2000 --output best.csv

The searches are deterministic for a seed and a step budget, so the best states
are the same as a serial run's (``--serial``), wherever the tasks ran.
"""

from __future__ import annotations

import argparse
import math
import sys
import time

import ray

import compiler_env
from compiler_env.search import SEARCHES
from compiler_env.state import CompilerEnvState, write_states


@ray.remote(num_cpus=1)
def search_one(
    benchmark: str, search: str, steps: int, seed: int, service: str | None = None
) -> tuple[CompilerEnvState, float]:
    """Searches one benchmark in an env of this task's own; the best state and how
    it compares with -Oz (-Oz's instruction count over the best state's)."""
    return search_locally(benchmark, search, steps, seed, service)


def search_locally(
    benchmark: str, search: str, steps: int, seed: int, service: str | None = None
) -> tuple[CompilerEnvState, float]:
    """What ``search_one`` does, in this process."""
    with compiler_env.make("llvm-ic-v0", service=service) as env:
        result = SEARCHES[search](env, benchmark, steps=steps, seed=seed)
        env.apply(result.state)
        return result.state, env.observation["IrInstructionCountOz"] / max(
            env.observation["IrInstructionCount"], 1
        )


def run(
    benchmarks: list[str],
    *,
    search: str = "random",
    steps: int = 200,
    seed: int = 0,
    service: str | None = None,
    serial: bool = False,
) -> list[tuple[CompilerEnvState, float]]:
    """The best state of each benchmark, as Ray tasks (or one after another with ``serial``)."""
    if serial:
        return [search_locally(uri, search, steps, seed, service) for uri in benchmarks]
    return ray.get([search_one.remote(uri, search, steps, seed, service) for uri in benchmarks])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--address", default=None,
                        help="a Ray cluster to join ('auto', or ray://host:10001); default: "
                        "start a local Ray instance")  # fmt: skip
    parser.add_argument("--service", default=None,
                        help="host:port of a compiler service for every task (token in "
                        "$COMPILER_ENV_TOKEN); default: a service per task's process")  # fmt: skip
    parser.add_argument("--benchmarks", type=int, default=None,
                        help="the first N kernels-v0 programs (default: all)")  # fmt: skip
    parser.add_argument("--search", choices=sorted(SEARCHES), default="random")
    parser.add_argument("--steps", type=int, default=200, help="the step budget per benchmark")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", default=None, help="write the best states to this CSV file")
    parser.add_argument("--serial", action="store_true", help="run in this process, without Ray")
    args = parser.parse_args(argv)
    with compiler_env.make("llvm-v0", service=args.service) as env:
        uris = list(env.datasets["kernels-v0"].benchmark_uris())[: args.benchmarks]
    if not args.serial and not ray.is_initialized():
        ray.init(address=args.address, include_dashboard=False, log_to_driver=False)
    began = time.monotonic()
    results = run(uris, search=args.search, steps=args.steps, seed=args.seed,
                  service=args.service, serial=args.serial)  # fmt: skip
    seconds = time.monotonic() - began
    for state, ratio in results:
        print(f"{state.benchmark:<45} {ratio:.3f}x -Oz  reward {state.reward:.3f}")
    score = math.exp(sum(math.log(ratio) for _, ratio in results) / len(results))
    where = (
        "serially" if args.serial else f"on Ray ({ray.cluster_resources().get('CPU', 0):.0f} CPUs)"
    )
    print(f"{args.search} search, {args.steps} steps per benchmark, {len(results)} benchmarks "
          f"{where}: {score:.3f}x -Oz (geometric mean), {seconds:.1f} s")  # fmt: skip
    if args.output:
        write_states(args.output, [state for state, _ in results])
    return 0


if __name__ == "__main__":
    sys.exit(main())
