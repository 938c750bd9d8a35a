"""Leaderboard entries: making one from a policy, and scoring one from its replay.

An entry is a folder under its task's folder holding ``results.csv`` (one
``CompilerEnvState`` per test benchmark) and ``README.md``, which begins with a
metadata block (``ENTRY_FIELDS``) between two ``---`` lines. Validation replays
each state in a fresh env, checks it (``compiler_env.validation``: the command
line, the recorded reward, the verifier and the program's behaviour), and
measures the final program: the score comes from the replay, never from the
CSV's rewards. Validation writes what it measured to the entry's
``scores.csv``, from which the task's table is made.
"""

from __future__ import annotations

import csv
import datetime
import math
import os
import platform
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compiler_env.leaderboard.tasks import Task
from compiler_env.state import CompilerEnvState, read_states, write_states
from compiler_env.validation import check_state
from service.proto.errors import InvalidArgument
from service.runtime import processor_model

if TYPE_CHECKING:
    from compiler_env.env import CompilerEnv

__all__ = [
    "ENTRY_FIELDS",
    "BenchmarkScore",
    "EntryScore",
    "read_metadata",
    "read_scores",
    "run_entry",
    "expected_reward_space",
    "test_benchmarks",
    "validate_entry",
    "write_scores",
]

#: The metadata every entry's README.md states, in this order.
ENTRY_FIELDS = ("name", "date", "llvm", "hardware", "wall time per benchmark", "training data",
                "budget", "reproduce")  # fmt: skip
SCORE_FIELDS = ("benchmark", "measure", "unoptimized", "ok", "why")


@dataclass(frozen=True)
class BenchmarkScore:
    """What the replay of one benchmark's state measured.

    ``measure`` is the final program's, ``unoptimized`` the program's before any
    action, the baselines are clang's, and ``why`` says what failed (empty when
    the state validated).
    """

    benchmark: str
    measure: int
    unoptimized: int
    baselines: dict[str, int]
    why: str = ""

    @property
    def ok(self) -> bool:
        return not self.why

    def ratio(self, level: str) -> float:
        """The baseline's measure over the entry's; a failed state counts as unoptimized."""
        achieved = self.measure if self.ok else self.unoptimized
        return self.baselines[level] / max(achieved, 1)


@dataclass
class EntryScore:
    """An entry's scores, over its benchmarks (``BenchmarkScore``), and its failures."""

    entry: str
    scores: list[BenchmarkScore] = field(default_factory=list)
    #: What makes the entry invalid: a benchmark missing or extra, a state that
    #: does not validate. Empty for a valid entry.
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def geomean(self, level: str) -> float:
        """The geometric mean over the benchmarks of ``BenchmarkScore.ratio(level)``."""
        if not self.scores:
            return math.nan
        return math.exp(sum(math.log(s.ratio(level)) for s in self.scores) / len(self.scores))

    @property
    def failed_benchmarks(self) -> int:
        """How many benchmarks' final programs failed validation (scored as unoptimized)."""
        return sum(not s.ok for s in self.scores)


def test_benchmarks(task: Task, env: CompilerEnv) -> list[str]:
    """The task's benchmark URIs: its test set, as the task's episodes start from it."""
    return [task.benchmark_uri(uri) for uri in env.datasets[task.dataset].split("test")]


def run_entry(
    task: Task,
    policy: Callable[[CompilerEnv], Any],
    folder: Path,
    *,
    metadata: dict[str, str],
    make_env: Callable[[], CompilerEnv],
    benchmarks: Sequence[str] | None = None,
    jobs: int = 1,
) -> list[CompilerEnvState]:
    """Runs ``policy`` on every test benchmark and writes the entry's folder.

    The policy is given an env reset onto the benchmark and steps it; the
    env's ``state`` at its return is the benchmark's result.

    Args:
        task: the task.
        policy: ``policy(env)``, which steps ``env``.
        folder: the entry's folder (made; ``results.csv`` and ``README.md`` written).
        metadata: the README's fields (``ENTRY_FIELDS``); date, LLVM version,
            hardware and wall time are filled in when missing.
        make_env: makes the task's env.
        benchmarks: a subset of the test set (default: all of it).
        jobs: benchmarks run at once, each thread with an env (and a worker) of its own.
    """
    with make_env() as env:
        uris = list(benchmarks) if benchmarks is not None else test_benchmarks(task, env)
        version = env.compiler_version
    results: dict[str, tuple[CompilerEnvState, float]] = {}
    todo = list(reversed(uris))

    def work() -> None:
        with make_env() as env:
            while todo:
                uri = todo.pop()
                env.reset(options={"benchmark": uri})
                began = time.monotonic()
                policy(env)
                results[uri] = (env.state, time.monotonic() - began)

    with ThreadPoolExecutor(max(1, min(jobs, len(uris)))) as pool:
        for done in [pool.submit(work) for _ in range(max(1, min(jobs, len(uris))))]:
            done.result()
    states = [results[uri][0] for uri in uris]
    seconds = [results[uri][1] for uri in uris]
    folder.mkdir(parents=True, exist_ok=True)
    write_states(folder / "results.csv", states)
    fields = {
        "date": datetime.date.today().isoformat(),
        "llvm": version,
        "hardware": _hardware(),
        "wall time per benchmark": f"{sum(seconds) / max(len(seconds), 1):.2f} s (mean, "
        f"{jobs} at once)",
        **metadata,
    }
    _write_readme(folder / "README.md", fields)
    return states


def read_metadata(folder: Path) -> dict[str, str]:
    """An entry's metadata block (the fields between the README's first two ``---`` lines).

    Raises:
        InvalidArgument: no README, no block, or a field of ``ENTRY_FIELDS`` missing.
    """
    readme = folder / "README.md"
    if not readme.is_file():
        raise InvalidArgument(f"{folder.name}: no README.md with the entry's metadata")
    lines = readme.read_text().splitlines()
    if not lines or lines[0].strip() != "---" or "---" not in (line.strip() for line in lines[1:]):
        raise InvalidArgument(f"{folder.name}: README.md does not begin with a --- metadata block")
    end = next(i for i, line in enumerate(lines[1:], 1) if line.strip() == "---")
    fields = {}
    for line in lines[1:end]:
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    missing = [name for name in ENTRY_FIELDS if not fields.get(name)]
    if missing:
        raise InvalidArgument(f"{folder.name}: README.md's metadata lacks {', '.join(missing)}")
    return fields


def validate_entry(
    task: Task,
    folder: Path,
    env: CompilerEnv,
    *,
    benchmarks: Iterable[str] | None = None,
) -> EntryScore:
    """Replays and checks an entry's states; scores them from the replay.

    Args:
        task: the entry's task.
        folder: the entry's folder.
        env: an env of the task that replays the states (``action_space="full"``).
        benchmarks: validate only these test benchmarks (a fast check); the
            entry must still have a state for every one of the test set.
    """
    score = EntryScore(folder.name)
    try:
        read_metadata(folder)
        states = list(read_states(folder / "results.csv"))
    except (InvalidArgument, OSError, ValueError) as error:
        score.failures.append(f"{folder.name}: {error}")
        return score
    expected = test_benchmarks(task, env)
    by_uri = {state.benchmark: state for state in states}
    for missing in (uri for uri in expected if uri not in by_uri):
        score.failures.append(f"{folder.name}: no state for {missing}")
    for extra in sorted(set(by_uri) - set(expected)):
        score.failures.append(f"{folder.name}: {extra} is not a benchmark of {task.name}")
    if len(by_uri) != len(states):
        score.failures.append(f"{folder.name}: a benchmark has more than one state")
    chosen = expected if benchmarks is None else [uri for uri in expected if uri in set(benchmarks)]
    for uri in chosen:
        if uri in by_uri:
            score.scores.append(_replayed(task, env, by_uri[uri], score))
    return score


def _replayed(
    task: Task, env: CompilerEnv, state: CompilerEnvState, score: EntryScore
) -> BenchmarkScore:
    """Checks one state by replaying it; what its final program measures."""
    expected = expected_reward_space(task)
    if state.reward_space != expected:
        score.failures.append(
            f"{score.entry}: {state.benchmark}: the state records reward space "
            f"{state.reward_space!r}; {task.name} states record {expected!r}"
        )
    env.reset(options={"benchmark": state.benchmark})
    unoptimized = int(env.observation[task.measure])
    baselines = {
        level: int(env.observation[task.baseline_space(level)]) for level in task.baselines
    }
    result = check_state(env, state)
    why = "; ".join(f"{check}: {reason}" for check, reason in result.failures)
    if why:
        score.failures.append(f"{score.entry}: {state.benchmark}: {why}")
    replayed = result.failed_check not in ("benchmark", "commandline", "replay")
    measure = int(env.observation[task.measure]) if replayed else unoptimized
    return BenchmarkScore(state.benchmark, measure, unoptimized, baselines, why)


def expected_reward_space(task: Task) -> str:
    """The reward space the states of a task record: its env id's."""
    from compiler_env.registration import ENV_SPECS

    return str(ENV_SPECS[task.env_id]["reward_space"])


def write_scores(folder: Path, task: Task, score: EntryScore) -> None:
    """Writes what validation measured to the entry's ``scores.csv``."""
    with open(folder / "scores.csv", "w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow((*SCORE_FIELDS, *task.baselines))
        for s in score.scores:
            writer.writerow((s.benchmark, s.measure, s.unoptimized, int(s.ok), s.why,
                             *(s.baselines[level] for level in task.baselines)))  # fmt: skip


def read_scores(folder: Path, task: Task) -> EntryScore:
    """An entry's ``scores.csv``, as validation wrote it."""
    score = EntryScore(folder.name)
    with open(folder / "scores.csv", newline="") as source:
        for row in csv.DictReader(source):
            score.scores.append(
                BenchmarkScore(
                    row["benchmark"], int(row["measure"]), int(row["unoptimized"]),
                    {level: int(row[level]) for level in task.baselines}, row["why"],
                )
            )  # fmt: skip
    return score


def _hardware() -> str:
    model = processor_model() or platform.processor() or platform.machine()
    return f"{model}, {os.cpu_count()} cores"


def _write_readme(path: Path, fields: dict[str, str]) -> None:
    body = ""
    if path.is_file():  # keep what follows an existing block
        text = path.read_text()
        if text.startswith("---\n") and "\n---\n" in text[4:]:
            body = text[4:].split("\n---\n", 1)[1]
    lines = ["---", *(f"{name}: {fields.get(name, '')}" for name in ENTRY_FIELDS), "---"]
    path.write_text(
        "\n".join(lines) + "\n" + (body or f"\n# {fields.get('name', path.parent.name)}\n")
    )
