"""Validation: proof that a ``CompilerEnvState`` is what it claims.

A state is replayed in a fresh env and checked, in order:

- ``benchmark``: its benchmark exists;
- ``commandline``: its command line names only actions of this env;
- ``replay``: every action applies;
- ``reward``: the replay's reward equals the recorded one (within ``REWARD_TOLERANCE``;
  skipped for non-deterministic reward spaces such as ``Runtime``);
- ``verify``: the final IR passes LLVM's verifier;
- ``semantics``: for a runnable benchmark, the optimized program exits as the
  unoptimized one does and writes the same output (a hang is reported as one).

>>> result = ValidationResult(CompilerEnvState("benchmark://kernels-v0/crc32", "opt-19", 0.1))
>>> result.ok, result.failed_check
(True, '')
"""

from __future__ import annotations

import math
import multiprocessing
import sys
import time
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

from compiler_env.state import CompilerEnvState
from service.proto.errors import (
    BenchmarkInitError,
    BenchmarkNotFound,
    CompilerEnvError,
    InvalidAction,
    UnknownSpace,
)

if TYPE_CHECKING:
    import pandas

    from compiler_env.env import CompilerEnv

__all__ = [
    "CHECKS",
    "REWARD_TOLERANCE",
    "ValidationResult",
    "ValidationResults",
    "validate_state",
    "validate_states",
    "validation_to_dataframe",
]

CHECKS = ("benchmark", "commandline", "replay", "reward", "verify", "semantics")
#: How far a replayed reward may be from the recorded one: relative, and absolute near 0.
REWARD_TOLERANCE = 1e-6


@dataclass(frozen=True)
class ValidationResult:
    """What validating one state found.

    Attributes:
        state: the state validated.
        failures: ``(check, why)`` for each check that failed, in ``CHECKS`` order.
        reward: the replay's reward (None when not replayed or without a reward space).
        notes: checks that were not made, and why; other remarks.
        walltime: seconds the validation took.
    """

    state: CompilerEnvState
    failures: tuple[tuple[str, str], ...] = ()
    reward: float | None = None
    notes: tuple[str, ...] = ()
    walltime: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether every check that was made passed."""
        return not self.failures

    @property
    def failed_check(self) -> str:
        """The first check that failed, or ""."""
        return self.failures[0][0] if self.failures else ""

    def __str__(self) -> str:
        if self.ok:
            return f"{self.state.benchmark}: valid"
        reasons = "; ".join(f"{check}: {why}" for check, why in self.failures)
        return f"{self.state.benchmark}: invalid ({reasons})"


class ValidationResults(list[ValidationResult]):
    """The results of ``validate_states``: a list, and ``to_dataframe()``."""

    def to_dataframe(self) -> pandas.DataFrame:
        """One row per result (``validation_to_dataframe``)."""
        return validation_to_dataframe(self)


def validation_to_dataframe(results: Iterable[ValidationResult]) -> pandas.DataFrame:
    """Validation results as a ``pandas.DataFrame``, one row per state.

    Columns: ``benchmark``, ``ok``, ``failed_check`` (the first, or ""),
    ``failures`` (every ``check: why``, joined by "; "), ``reward`` (recorded),
    ``replayed_reward`` (NaN when not replayed), ``reward_space``, ``notes``
    (joined by "; "), ``walltime`` (of the validation) and ``commandline``.
    """
    import pandas

    columns = ["benchmark", "ok", "failed_check", "failures", "reward", "replayed_reward",
               "reward_space", "notes", "walltime", "commandline"]  # fmt: skip
    nan = float("nan")
    rows = [
        (r.state.benchmark, r.ok, r.failed_check,
         "; ".join(f"{check}: {why}" for check, why in r.failures),
         nan if r.state.reward is None else r.state.reward, nan if r.reward is None else r.reward,
         r.state.reward_space, "; ".join(r.notes), r.walltime, r.state.commandline)
        for r in results
    ]  # fmt: skip
    return pandas.DataFrame(rows, columns=columns).astype(
        {"ok": bool, "reward": float, "replayed_reward": float, "walltime": float}
    )


def _same_reward(recorded: float, replayed: float) -> bool:
    return math.isclose(recorded, replayed, rel_tol=REWARD_TOLERANCE, abs_tol=REWARD_TOLERANCE)


def check_state(env: CompilerEnv, state: CompilerEnvState) -> ValidationResult:
    """Validates ``state`` by replaying it in ``env`` (whose episode it replaces)."""
    began = time.monotonic()
    failures: list[tuple[str, str]] = []
    notes: list[str] = []
    if state.compiler_version and state.compiler_version != env.compiler_version:
        notes.append(
            f"recorded with {state.compiler_version}, validated with {env.compiler_version}"
        )
    _choose_reward_space(env, state, failures, notes)
    replayed = _replay(env, state)
    reward = None
    if replayed is not None:
        failures.append(replayed)
    else:
        reward = env.episode_reward if env.reward_space is not None else None
        _check_reward(env, state, failures, notes)
        _check_program(env, state, failures, notes)
    return ValidationResult(state, tuple(failures), reward, tuple(notes), time.monotonic() - began)


def _choose_reward_space(
    env: CompilerEnv, state: CompilerEnvState, failures: list[tuple[str, str]], notes: list[str]
) -> None:
    space = state.reward_space if state.reward is not None else ""
    try:
        env.reward_space = space or None
    except UnknownSpace as error:
        failures.append(("reward", str(error)))
        env.reward_space = None
    if state.reward is not None and not space:
        notes.append("reward not checked: the state names no reward space")


def _replay(env: CompilerEnv, state: CompilerEnvState) -> tuple[str, str] | None:
    """Replays the state; the failed check and why, or None."""
    try:
        env.apply(state)
    except (BenchmarkNotFound, BenchmarkInitError) as error:
        return ("benchmark", str(error))
    except InvalidAction as error:
        return ("commandline", str(error))
    except CompilerEnvError as error:
        return ("replay", str(error))
    return None


def _check_reward(
    env: CompilerEnv, state: CompilerEnvState, failures: list[tuple[str, str]], notes: list[str]
) -> None:
    space = env.reward_space
    if space is None or state.reward is None:
        return
    if not space.deterministic:
        notes.append(f"reward not checked: {space.name} is not deterministic")
    elif not _same_reward(state.reward, env.episode_reward):
        failures.append(
            ("reward", f"the recorded reward {state.reward!r} is not reproduced: the replay "
             f"gives {env.episode_reward!r} ({space.name})")
        )  # fmt: skip


def _check_program(
    env: CompilerEnv, state: CompilerEnvState, failures: list[tuple[str, str]], notes: list[str]
) -> None:
    verifier = env.observation["IrVerifierError"]
    if verifier:
        failures.append(("verify", f"the final IR does not verify: {verifier}"))
    if not env.observation["IsRunnable"]:
        notes.append("semantics not checked: the benchmark's program is not runnable")
        return
    why = env.observation["SemanticsError"]
    if why:
        failures.append(
            ("semantics", f"{why}. Reproduce: {state.commandline}, with input.bc the "
             "benchmark's unoptimized bitcode (env.observation['Bitcode'] after reset)")
        )  # fmt: skip


def _fresh_env(config: dict[str, Any]) -> CompilerEnv:
    from compiler_env.env import CompilerEnv

    # Any pass of the table replays, and a replay has no step budget.
    settings = {**config, "observation_space": None, "reward_space": None, "render_mode": None,
                "action_space": "full", "step_budget": None}  # fmt: skip
    return CompilerEnv(**settings)


def validate_state(
    state: CompilerEnvState, config: dict[str, Any] | None = None
) -> ValidationResult:
    """Validates one state in a new env (made with ``CompilerEnv`` keyword arguments
    ``config``)."""
    with _fresh_env(config or {}) as env:
        return check_state(env, state)


_worker_env: CompilerEnv | None = None


def _start_worker(config: dict[str, Any]) -> None:
    global _worker_env
    _worker_env = _fresh_env(config)


def _check_in_worker(state: CompilerEnvState) -> ValidationResult:
    assert _worker_env is not None
    return check_state(_worker_env, state)


def validate_states(
    states: Iterable[CompilerEnvState],
    *,
    jobs: int = 1,
    progress: bool | TextIO = False,
    **config: Any,
) -> ValidationResults:
    """Validates states, in ``jobs`` processes (each with its own env and local
    service, or ``service=``), and returns a result per state, in order (a list
    with ``to_dataframe()``).

    Args:
        states: the states, e.g. ``compiler_env.read_states("results.csv")``.
        jobs: how many processes validate at once.
        progress: print progress to stderr (True) or to a given file.
        **config: ``CompilerEnv`` keyword arguments of the envs (e.g. ``service=``).
    """
    todo = list(states)
    stream = sys.stderr if progress is True else (progress or None)
    results = ValidationResults()

    def report(done: int) -> None:
        if stream is not None:
            end = "\n" if done == len(todo) else ""
            print(f"\rvalidated {done}/{len(todo)}", end=end, file=stream, flush=True)

    if jobs <= 1 or len(todo) <= 1:
        with _fresh_env(config) as env:
            for state in todo:
                results.append(check_state(env, state))
                report(len(results))
        return results
    context = multiprocessing.get_context("spawn")  # forking a process with gRPC threads is unsafe
    with ProcessPoolExecutor(
        min(jobs, len(todo)), mp_context=context, initializer=_start_worker, initargs=(config,)
    ) as pool:
        for result in pool.map(_check_in_worker, todo):
            results.append(result)
            report(len(results))
    return results
