"""compiler-env datasets, benchmarks, version, cache and validate; and what every
subcommand shares: flag types and the env made from the global flags.

compiler-env datasets lists the service's datasets with their sizes
("unbounded" for a generator); compiler-env benchmarks NAME lists a dataset's
benchmark URIs (the first --count of a generator's); compiler-env cache reports
what the local cache holds and its cap (--trim evicts down to the cap now,
--clear empties its evictable part); compiler-env validate FILE (-: stdin)
replays and checks every state of a CSV file (compiler_env.validation), prints
a table, and exits with status 1 if any state is invalid.
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
from pathlib import Path
from typing import Any

import compiler_env
from compiler_env.validation import validate_states
from service.datasets.cache import EVICTABLE, cache_dir, cache_limit, evict, usage

__all__ = [
    "add_parsers",
    "connection_options",
    "make_env",
    "nonnegative_int",
    "positive_float",
    "positive_int",
]


def positive_int(text: str) -> int:
    """An argparse type: an integer of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, not {text!r}")
    return value


def nonnegative_int(text: str) -> int:
    """An argparse type: an integer of at least 0."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer of at least 0, not {text!r}")
    return value


def positive_float(text: str) -> float:
    """An argparse type: a finite number above 0."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a positive number, not {text!r}")
    return value


def connection_options(args: argparse.Namespace) -> dict[str, Any]:
    """The ``CompilerEnv`` keyword arguments of the global flags (where the service is)."""
    options: dict[str, Any] = {"service": args.service}
    if args.service is not None:
        options["connect_timeout"] = args.connect_timeout
        if args.token_file:
            options["token"] = Path(args.token_file).read_text().strip()
        if args.tls_root:
            options["tls_root_certificates"] = Path(args.tls_root).read_bytes()
    return options


def make_env(
    args: argparse.Namespace, env_id: str = "llvm-v0", **kwargs: Any
) -> compiler_env.CompilerEnv:
    """An env of the service the global flags name."""
    return compiler_env.make(env_id, **connection_options(args), **kwargs)


def add_parsers(commands: Any) -> None:
    """Adds datasets, benchmarks, version, cache and validate."""
    commands.add_parser("datasets", help="list datasets with their sizes").set_defaults(
        run=_datasets
    )
    listing = commands.add_parser("benchmarks", help="list the benchmark URIs of a dataset")
    listing.add_argument("dataset", help="a dataset name, e.g. kernels-v0")
    listing.add_argument(
        "--count", type=positive_int, default=None, help="list at most this many (default: all; "
        "10 seeds of a generator)",
    )  # fmt: skip
    listing.set_defaults(run=_benchmarks)
    commands.add_parser("version", help="print the compiler and library versions").set_defaults(
        run=_version
    )
    check = commands.add_parser("validate", help="replay and check the states of a CSV file")
    check.add_argument("file", help="a CSV file of states (- reads stdin)")
    check.add_argument("--jobs", type=positive_int, default=1, help="processes validating at once")
    check.set_defaults(run=_validate)
    cache = commands.add_parser("cache", help="report what the local cache holds")
    cache.add_argument("--trim", action="store_true", help="evict down to the cap now")
    cache.add_argument("--clear", action="store_true", help="remove every evictable file")
    cache.set_defaults(run=_cache)


def _version(args: argparse.Namespace) -> int:
    with make_env(args) as env:
        print(f"compiler_env {compiler_env.__version__}, {env.compiler_version}")
    return 0


def _benchmarks(args: argparse.Namespace) -> int:
    with make_env(args) as env:
        dataset = env.datasets[args.dataset]
        count = args.count if args.count is not None else (10 if dataset.unbounded else None)
        for uri in itertools.islice(dataset.benchmark_uris(), count):
            print(uri)
    return 0


def _datasets(args: argparse.Namespace) -> int:
    with make_env(args) as env:
        for dataset in env.datasets:
            size = "unbounded" if math.isinf(dataset.size) else str(int(dataset.size))
            print(f"{dataset.name:<20} {size:>10}  {dataset.description}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    source = args.file
    try:
        states = list(compiler_env.read_states(source))
    except (OSError, ValueError) as error:
        print(f"compiler-env: cannot read states from {source}: {error}", file=sys.stderr)
        return 2
    results = validate_states(states, jobs=args.jobs, progress=True, **connection_options(args))
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


def _cache(args: argparse.Namespace) -> int:
    limit = cache_limit()
    if args.clear or args.trim:
        freed = evict(0 if args.clear else limit)
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
