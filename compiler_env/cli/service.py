"""compiler-env service: run a compiler service for remote use.

The flags are those of python -m service (service/server.py), passed on as
they are: --tcp PORT and --host for TCP (loopback unless told otherwise),
--token-file or $COMPILER_ENV_TOKEN for the token a TCP service requires (a new
one is printed on stderr otherwise), --tls-cert and --tls-key for TLS, the
sandbox and session limits. The address it listens on is printed on stdout.
"""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["add_parsers"]


def add_parsers(commands: Any) -> None:
    """Adds service."""
    parser = commands.add_parser(
        "service", help="run a compiler service for remote use (python -m service's flags)",
        description=" ".join(__doc__.split("\n\n", 1)[1].split()), add_help=False,
    )  # fmt: skip
    parser.set_defaults(run=_service, forwards_flags=True)  # main() passes the rest on


def _service(args: argparse.Namespace) -> int:
    from service.server import main

    flags = list(args.flags)
    if args.service is not None:
        flags = ["--address", args.service, *flags]
    return main(flags)
