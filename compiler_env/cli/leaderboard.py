"""compiler-env leaderboard: run a policy on a task, validate every entry, write the tables.

compiler-env leaderboard run TASK --policy MODULE:FUNCTION writes an entry's folder:
the function is called with an env reset onto each test benchmark (and the
--option KEY=VALUE pairs as keyword arguments) and steps it. compiler-env
leaderboard validate [TASK] replays and checks every entry of the task (of
every task by default), writes what the replays measured and the task's table;
it exits with status 1, naming the entry and the reason, when an entry does not
validate. --check is the fast form CI runs.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import shlex
import sys
from pathlib import Path
from typing import Any

from compiler_env import leaderboard
from compiler_env.cli.catalog import connection_options, positive_int
from service.proto.errors import InvalidArgument

__all__ = ["add_parsers"]


def add_parsers(commands: Any) -> None:
    """Adds leaderboard run and leaderboard validate."""
    summary = "run a policy on a leaderboard task; validate the entries and write the tables"
    parser = commands.add_parser("leaderboard", help=summary, description=_description())
    actions = parser.add_subparsers(
        dest="action", required=True, metavar="ACTION", parser_class=type(parser)
    )
    run = actions.add_parser("run", help="evaluate a policy on a task's test set into an entry")
    run.add_argument("task", choices=sorted(leaderboard.TASKS))
    run.add_argument(
        "--policy",
        required=True,
        metavar="MODULE:FUNCTION",
        help="a function that steps an env, e.g. compiler_env.leaderboard.policies:evolution",
    )
    run.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a keyword argument of the policy (repeatable), e.g. steps=1000",
    )
    run.add_argument("--output", required=True, metavar="FOLDER", help="the entry's folder")
    run.add_argument("--name", required=True, help="the entry's name in the table")
    run.add_argument(
        "--budget",
        required=True,
        help="what it may spend per benchmark, e.g. '1000 steps (seed 0)'",
    )
    run.add_argument(
        "--training-data",
        default="none",
        help="what a learned policy trained on (never kernels-v0)",
    )
    run.add_argument("--reproduce", default="", help="how to reproduce it (default: this command)")
    run.add_argument("--jobs", type=positive_int, default=1, help="benchmarks run at once")
    run.set_defaults(run=_run)
    validate = actions.add_parser("validate", help="replay every entry, write scores and tables")
    validate.add_argument(
        "task", nargs="?", choices=sorted(leaderboard.TASKS), help="one task (default: every task)"
    )
    validate.add_argument(
        "--root", metavar="FOLDER", help="the leaderboards folder (default: ./leaderboards)"
    )
    validate.add_argument(
        "--check",
        action="store_true",
        help="the fast check: tables in "
        "sync, and the first benchmarks of every entry replay to its scores",
    )
    validate.add_argument(
        "--benchmarks",
        type=positive_int,
        default=3,
        help="with --check: how many benchmarks of each entry (default: 3)",
    )
    validate.add_argument("--jobs", type=positive_int, default=2, help="entries validated at once")
    validate.set_defaults(run=_validate)


def _description() -> str:
    return " ".join((__doc__ or "").split("\n\n", 1)[1].split())


def _policy(spec: str, options: list[str]) -> Any:
    """The function that ``MODULE:FUNCTION`` names, with its options bound."""
    module_name, _, function_name = spec.partition(":")
    if not module_name or not function_name:
        raise InvalidArgument(f"--policy {spec!r}: expected MODULE:FUNCTION")
    sys.path.insert(0, str(Path.cwd()))
    try:
        function = getattr(importlib.import_module(module_name), function_name)
    except (ImportError, AttributeError) as error:
        raise InvalidArgument(f"--policy {spec!r}: {error}") from None
    finally:
        sys.path.pop(0)
    if not callable(function):
        raise InvalidArgument(f"--policy {spec!r} is not a function")
    return functools.partial(function, **dict(_option(text) for text in options))


def _option(text: str) -> tuple[str, Any]:
    key, equals, value = text.partition("=")
    if not equals or not key:
        raise InvalidArgument(f"--option {text!r}: expected KEY=VALUE, e.g. steps=1000")
    for kind in (int, float):
        try:
            return key, kind(value)
        except ValueError:
            pass
    return key, value


def _run(args: argparse.Namespace) -> int:
    policy = _policy(args.policy, args.option)
    command = shlex.join(["compiler-env", *args.argv])
    metadata = {
        "name": args.name,
        "budget": args.budget,
        "training data": args.training_data,
        "reproduce": args.reproduce or command,
    }
    leaderboard.run(
        args.task,
        policy,
        Path(args.output),
        metadata=metadata,
        jobs=args.jobs,
        **connection_options(args),
    )
    print(f"wrote {args.output}; validate it with compiler-env leaderboard validate {args.task}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    root = Path(args.root) if args.root else leaderboard.default_root()
    if not root.is_dir():
        raise InvalidArgument(f"no leaderboards folder {root}; give it with --root")
    problems: list[str] = []
    for name in [args.task] if args.task else sorted(leaderboard.TASKS):
        if args.check:
            found = leaderboard.check(
                name, root, benchmarks=args.benchmarks, jobs=args.jobs, **connection_options(args)
            )
        else:
            scores = leaderboard.validate(name, root, jobs=args.jobs, **connection_options(args))
            found = [failure for score in scores for failure in score.failures]
            for score in scores:
                mark = "valid" if score.ok else "NOT VALID"
                ranked = score.geomean(leaderboard.task(name).ranked)
                print(f"{name}/{score.entry}: {mark}, {ranked:.3f}x")
        problems.extend(f"{name}/{problem}" for problem in found)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0
