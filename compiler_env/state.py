"""``CompilerEnvState``: one episode as a CSV row, to share, replay and validate."""

from __future__ import annotations

import csv
import io
import shlex
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, cast

from service.proto.constants import OPT_TARGET_FLAGS
from service.proto.errors import InvalidAction

if TYPE_CHECKING:
    import pandas

__all__ = [
    "CompilerEnvState",
    "StateReader",
    "commandline_passes",
    "opt_commandline",
    "read_states",
    "states_to_dataframe",
    "write_states",
]

#: What separates the passes of a command line: each action starts afresh.
_BETWEEN_ACTIONS = ",invalidate<all>,"


def opt_commandline(major: str, pipelines: list[str]) -> str:
    """The ``opt`` command applying ``pipelines`` (one element per action) in order to
    ``input.bc``, with the flags that configure its target machine as the service's."""
    flags = " ".join(OPT_TARGET_FLAGS)
    pipeline = shlex.quote(_BETWEEN_ACTIONS.join(pipelines))
    return f"opt-{major} {flags} -passes={pipeline} input.bc -o output.bc"


def commandline_passes(commandline: str) -> list[str]:
    """The pipeline elements of a command line ``opt_commandline`` wrote, in order.

    Raises:
        InvalidAction: it has no ``-passes=``.
    """
    words = shlex.split(commandline)
    passes = [w.removeprefix("-passes=") for w in words if w.startswith("-passes=")]
    if len(passes) != 1:
        raise InvalidAction(
            f"the command line {commandline[:200]!r} has no -passes=...; expected one that "
            "env.commandline() wrote"
        )
    return passes[0].split(_BETWEEN_ACTIONS) if passes[0] else []

FIELDS = ("benchmark", "reward", "walltime", "commandline", "reward_space", "compiler_version")
#: The columns every CSV of states has; the others may be missing (older files).
REQUIRED = FIELDS[:4]


@dataclass(frozen=True)
class CompilerEnvState:
    """What an episode did: the benchmark, the opt command line, its time and reward.

    Attributes:
        benchmark: the benchmark URI.
        commandline: an ``opt`` command that replays the episode (``env.commandline()``).
        walltime: seconds the episode took.
        reward: the episode's total reward, or None without a reward space.
        reward_space: the name of the reward space of ``reward`` ("" when unknown).
        compiler_version: the compiler that ran it, e.g. ``LLVM 19.1.7`` (counts
            differ between LLVM versions).

    >>> state = CompilerEnvState("benchmark://kernels-v0/crc32", "opt-19 -passes=x", 1.5, 0.25)
    >>> CompilerEnvState.from_csv(state.to_csv()) == state
    True
    """

    benchmark: str
    commandline: str
    walltime: float
    reward: float | None = None
    reward_space: str = ""
    compiler_version: str = ""

    def to_csv(self) -> str:
        """The state as one CSV row, with a header line."""
        out = io.StringIO()
        write_states(out, [self])
        return out.getvalue()

    @classmethod
    def from_csv(cls, text: str) -> CompilerEnvState:
        """Reads one state written by ``to_csv``."""
        states = list(read_states(io.StringIO(text)))
        if len(states) != 1:
            raise ValueError(f"expected one state, found {len(states)}")
        return states[0]


@contextmanager
def _opened(target: str | Path | TextIO, mode: str) -> Iterator[TextIO]:
    """A file named by a path (``"-"``: stdin or stdout), or a file object as it is."""
    if not isinstance(target, (str, Path)):
        yield target
    elif str(target) == "-":
        yield sys.stdin if mode == "r" else sys.stdout
    else:
        with open(target, mode, newline="") as f:
            yield cast(TextIO, f)


def write_states(target: str | Path | TextIO, states: Iterable[CompilerEnvState]) -> None:
    """Writes states as CSV with a header row, to a file object or a path ("-": stdout)."""
    with _opened(target, "w") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(FIELDS)
        for s in states:
            reward = "" if s.reward is None else repr(float(s.reward))
            writer.writerow(
                (s.benchmark, reward, repr(float(s.walltime)), s.commandline, s.reward_space,
                 s.compiler_version)
            )  # fmt: skip


class StateReader(Iterator[CompilerEnvState]):
    """The states of a CSV file, read lazily as they are iterated (what ``read_states``
    returns), and ``to_dataframe()`` for the rest of them as a table."""

    def __init__(self, rows: Iterator[CompilerEnvState]) -> None:
        self._rows = rows

    def __next__(self) -> CompilerEnvState:
        return next(self._rows)

    def to_dataframe(self) -> pandas.DataFrame:
        """The states not read yet, one row each (``states_to_dataframe``)."""
        return states_to_dataframe(self)


def states_to_dataframe(states: Iterable[CompilerEnvState]) -> pandas.DataFrame:
    """States as a ``pandas.DataFrame``: one row per state, a column per CSV field
    (``benchmark``, ``reward``, ``walltime``, ``commandline``, ``reward_space``,
    ``compiler_version``); a missing reward is NaN."""
    import pandas

    rows = [
        {name: (float("nan") if name == "reward" and s.reward is None else getattr(s, name))
         for name in FIELDS}
        for s in states
    ]  # fmt: skip
    return pandas.DataFrame(rows, columns=list(FIELDS)).astype({"reward": float, "walltime": float})


def read_states(source: str | Path | TextIO) -> StateReader:
    """Reads states written by ``write_states`` from a file object or a path ("-": stdin).

    The states are read as they are iterated; ``read_states(path).to_dataframe()``
    reads them all into a table.

    Raises:
        ValueError: a row lacks a column or has a malformed number (the message
            names the line), raised when that row is reached.
    """
    return StateReader(_read_rows(source))


def _read_rows(source: str | Path | TextIO) -> Iterator[CompilerEnvState]:
    with _opened(source, "r") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames or []
        absent = [name for name in REQUIRED if name not in header]
        if absent:
            raise ValueError(
                f"the CSV has no columns {absent} (its header: {', '.join(header) or 'none'}); "
                f"expected {', '.join(FIELDS)}"
            )
        for row in reader:
            missing = [name for name in REQUIRED if row.get(name) is None]
            if missing:
                raise ValueError(
                    f"line {reader.line_num}: the CSV row lacks the columns {missing}; "
                    f"expected {', '.join(FIELDS)}"
                )
            try:
                yield CompilerEnvState(
                    benchmark=row["benchmark"],
                    commandline=row["commandline"],
                    walltime=float(row["walltime"]),
                    reward=float(row["reward"]) if row["reward"] else None,
                    reward_space=row.get("reward_space") or "",
                    compiler_version=row.get("compiler_version") or "",
                )
            except ValueError as error:
                raise ValueError(f"line {reader.line_num}: {error}") from None
