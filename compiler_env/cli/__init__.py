"""The compiler-env command: browse datasets, search, explore by hand, validate, serve.

Subcommands: datasets, benchmarks, version, cache, validate (compiler_env.cli.
catalog); random-search, greedy, evolve (compiler_env.cli.search); manual
(compiler_env.cli.manual); service (compiler_env.cli.service); leaderboard run
and validate (compiler_env.cli.leaderboard). A user error (a
bad flag value, an unknown benchmark, a service that does not answer) is one
line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

import compiler_env
from compiler_env.cli import catalog, leaderboard, manual, search, service
from service.proto.errors import CompilerEnvError

__all__ = ["USER_ERROR", "main", "make_parser"]

#: The exit status of a user error.
USER_ERROR = 2


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line: what was wrong, where to look."""

    def error(self, message: str) -> NoReturn:
        self.exit(USER_ERROR, f"{self.prog}: {message} (see {self.prog} --help)\n")


def make_parser() -> argparse.ArgumentParser:
    """The parser of every subcommand."""
    parser = Parser(
        prog="compiler-env",
        description="Gymnasium environments for compiler optimization with LLVM: browse "
        "datasets, search for pass sequences, explore by hand, validate results, serve.",
    )
    version = f"compiler_env {compiler_env.__version__}"
    parser.add_argument("--version", action="version", version=version)
    parser.add_argument(
        "--service", help="address of a running service, unix:PATH or HOST:PORT (default: start "
        "a local one)",
    )  # fmt: skip
    parser.add_argument(
        "--token-file", help="with --service: a file holding the service's token (default: "
        "$COMPILER_ENV_TOKEN)",
    )  # fmt: skip
    parser.add_argument(
        "--tls-root", metavar="PEM", help="with --service: connect with TLS, trusting these "
        "certificates",
    )  # fmt: skip
    parser.add_argument(
        "--connect-timeout", type=catalog.positive_float, default=3.0, metavar="SECONDS",
        help="how long to wait for --service to answer (default: 3)",
    )  # fmt: skip
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                     parser_class=Parser)  # fmt: skip
    for group in (catalog, search, manual, service, leaderboard):
        group.add_parsers(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Runs the command; returns its exit status."""
    parser = make_parser()
    args, rest = parser.parse_known_args(argv)
    if rest and not getattr(args, "forwards_flags", False):
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    args.flags = rest
    args.argv = list(sys.argv[1:] if argv is None else argv)
    try:
        status: int = args.run(args)
    except CompilerEnvError as error:
        return _fail(str(error))
    except OSError as error:
        return _fail(f"{error.strerror or error}: {error.filename or ''}".rstrip(": "))
    except KeyboardInterrupt:
        print("compiler-env: interrupted", file=sys.stderr)
        return 130
    return status


def _fail(message: str) -> int:
    print(f"compiler-env: {' '.join(message.split())}", file=sys.stderr)
    return USER_ERROR


if __name__ == "__main__":
    sys.exit(main())
