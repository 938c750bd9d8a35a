"""The ``compiler-env`` command: ``compiler-env datasets``, ``compiler-env version``."""

from __future__ import annotations

import argparse
import math
import sys

import compiler_env

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="compiler-env", description=__doc__.splitlines()[0])
    parser.add_argument("--service", help="address of a running service (default: start one)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("datasets", help="list datasets with their sizes")
    commands.add_parser("version", help="print the compiler and library versions")
    args = parser.parse_args(argv)
    with compiler_env.make("llvm-v0", service=args.service) as env:
        if args.command == "version":
            print(f"compiler_env {compiler_env.__version__}, {env.compiler_version}")
            return 0
        for dataset in env.datasets:
            size = "unbounded" if math.isinf(dataset.size) else str(int(dataset.size))
            print(f"{dataset.name:<20} {size:>10}  {dataset.description}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
