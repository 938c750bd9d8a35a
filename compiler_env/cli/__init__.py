"""The ``compiler-env`` command: ``datasets``, ``benchmarks``, ``validate``, ``cache``, ``version``.

``compiler-env datasets`` lists the service's datasets with their sizes
("unbounded" for a generator); ``compiler-env benchmarks NAME`` lists a
dataset's benchmark URIs (the first ``--count`` of a generator's);
``compiler-env cache`` reports what the local cache holds and its cap
(``--trim`` evicts down to the cap now, ``--clear`` empties its evictable part);
``compiler-env validate FILE`` (``-``: stdin) replays and checks every state of a
CSV file (``compiler_env.validation``), prints a table, and exits with status 1
if any state is invalid.
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys

import compiler_env
from compiler_env.errors import BenchmarkNotFound
from compiler_env.validation import validate_states
from service.datasets.cache import EVICTABLE, cache_dir, cache_limit, evict, usage

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Runs the command; returns its exit status."""
    parser = argparse.ArgumentParser(prog="compiler-env", description=__doc__.splitlines()[0])
    parser.add_argument("--service", help="address of a running service (default: start one)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("datasets", help="list datasets with their sizes")
    listing = commands.add_parser("benchmarks", help="list the benchmark URIs of a dataset")
    listing.add_argument("dataset", help="a dataset name, e.g. kernels-v0")
    listing.add_argument(
        "--count", type=int, default=None, help="list at most this many (default: all; 10 seeds "
        "of a generator)",
    )  # fmt: skip
    commands.add_parser("version", help="print the compiler and library versions")
    check = commands.add_parser("validate", help="replay and check the states of a CSV file")
    check.add_argument("file", help="a CSV file of states (- reads stdin)")
    check.add_argument("--jobs", type=int, default=1, help="processes validating at once")
    cache = commands.add_parser("cache", help="report what the local cache holds")
    cache.add_argument("--trim", action="store_true", help="evict down to the cap now")
    cache.add_argument("--clear", action="store_true", help="remove every evictable file")
    args = parser.parse_args(argv)
    if args.command == "cache":
        return _cache(clear=args.clear, trim=args.trim)
    if args.command == "validate":
        return _validate(args.file, jobs=args.jobs, service=args.service)
    with compiler_env.make("llvm-v0", service=args.service) as env:
        if args.command == "version":
            print(f"compiler_env {compiler_env.__version__}, {env.compiler_version}")
        elif args.command == "benchmarks":
            try:
                dataset = env.datasets[args.dataset]
            except BenchmarkNotFound as error:
                print(f"compiler-env: {error}", file=sys.stderr)
                return 1
            count = args.count if args.count is not None else (10 if dataset.unbounded else None)
            for uri in itertools.islice(dataset.benchmark_uris(), count):
                print(uri)
        else:
            for dataset in env.datasets:
                size = "unbounded" if math.isinf(dataset.size) else str(int(dataset.size))
                print(f"{dataset.name:<20} {size:>10}  {dataset.description}")
    return 0


def _validate(source: str, *, jobs: int, service: str | None) -> int:
    try:
        states = list(compiler_env.read_states(source))
    except (OSError, ValueError) as error:
        print(f"compiler-env: cannot read states from {source}: {error}", file=sys.stderr)
        return 2
    results = validate_states(states, jobs=jobs, progress=True, service=service)
    width = max((len(r.state.benchmark) for r in results), default=9)
    print(f"{'benchmark':<{width}}  {'reward':>10}  {'replayed':>10}  result")
    for r in results:
        recorded = "" if r.state.reward is None else f"{r.state.reward:.4f}"
        replayed = "" if r.reward is None else f"{r.reward:.4f}"
        verdict = "valid" if r.ok else "; ".join(f"{check}: {why}" for check, why in r.failures)
        print(f"{r.state.benchmark:<{width}}  {recorded:>10}  {replayed:>10}  {verdict}")
    failed = sum(not r.ok for r in results)
    print(f"{len(results) - failed} of {len(results)} states valid", file=sys.stderr)
    return 1 if failed else 0


def _cache(*, clear: bool, trim: bool) -> int:
    limit = cache_limit()
    if clear or trim:
        freed = evict(0 if clear else limit)
        print(f"freed {freed / 2**20:.1f} MiB")
    total = 0
    print(f"{cache_dir()}  (evictable part capped at {limit / 2**20:.0f} MiB; "
          "COMPILER_ENV_CACHE_MIB sets it)")  # fmt: skip
    for folder, (files, size) in usage().items():
        kind = "evictable" if folder in EVICTABLE else "kept"
        print(f"  {folder:<12} {files:>7} files {size / 2**20:>10.1f} MiB  {kind}")
        total += size
    print(f"  {'total':<12} {'':>13} {total / 2**20:>10.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
