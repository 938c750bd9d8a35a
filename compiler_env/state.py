"""``CompilerEnvState``: one episode as a CSV row, to share, replay and validate."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TextIO

__all__ = ["CompilerEnvState", "read_states", "write_states"]

FIELDS = ("benchmark", "reward", "walltime", "commandline")


@dataclass(frozen=True)
class CompilerEnvState:
    """What an episode did: the benchmark, the opt command line, its time and reward.

    >>> state = CompilerEnvState("benchmark://kernels-v0/crc32", "opt-19 -passes=x", 1.5, 0.25)
    >>> CompilerEnvState.from_csv(state.to_csv()) == state
    True
    """

    benchmark: str
    commandline: str
    walltime: float
    reward: float | None = None

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


def write_states(out: TextIO, states: Iterable[CompilerEnvState]) -> None:
    """Writes states as CSV with a header row."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    for s in states:
        reward = "" if s.reward is None else repr(float(s.reward))
        writer.writerow((s.benchmark, reward, repr(float(s.walltime)), s.commandline))


def read_states(source: TextIO) -> Iterator[CompilerEnvState]:
    """Reads states written by ``write_states``."""
    for row in csv.DictReader(source):
        missing = [f for f in FIELDS if f not in row]
        if missing:
            raise ValueError(f"CSV row lacks the columns {missing}; expected {FIELDS}")
        yield CompilerEnvState(
            benchmark=row["benchmark"],
            commandline=row["commandline"],
            walltime=float(row["walltime"]),
            reward=float(row["reward"]) if row["reward"] else None,
        )
