"""What a search returns, and the bookkeeping every search shares: its budget,
its best state so far, and its progress line."""

from __future__ import annotations

import dataclasses
import math
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TextIO

from compiler_env.state import CompilerEnvState, write_states
from service.proto.errors import InvalidArgument

if TYPE_CHECKING:
    import pandas

    from compiler_env.env import CompilerEnv

__all__ = ["Point", "SearchResult", "SearchResults", "results_to_dataframe"]


class Point(NamedTuple):
    """One improvement of a search's best state.

    Attributes:
        step: the steps the search had used when it found the state.
        seconds: the seconds it had run.
        reward: the state's episode reward.
    """

    step: int
    seconds: float
    reward: float


@dataclass(frozen=True)
class SearchResult:
    """The best state a search found on one benchmark.

    Attributes:
        search: the search's name (``random``, ``greedy``, ``evolution``).
        benchmark: the benchmark URI.
        state: the best state: replay it with ``env.apply(state)``, check it
            with ``env.validate(state)``; its ``walltime`` is the search's
            seconds when it was found.
        actions: the pass names of the best state, in order.
        steps: the actions the search applied in all (replays included).
        seconds: how long the search ran.
        stopped: why it stopped: ``steps``, ``seconds``, ``patience`` (that many
            steps without improvement), or ``converged`` (nothing left to try).
        seed: the seed of its random choices.
        trajectory: the best-so-far rewards, one point per improvement, from
            the unoptimized program (reward 0 at step 0).
    """

    search: str
    benchmark: str
    state: CompilerEnvState
    actions: tuple[str, ...]
    steps: int
    seconds: float
    stopped: str
    seed: int
    trajectory: tuple[Point, ...]

    @property
    def reward(self) -> float:
        """The best state's episode reward."""
        return float(self.state.reward or 0.0)

    def to_dataframe(self) -> pandas.DataFrame:
        """The trajectory as a ``pandas.DataFrame``: columns ``benchmark``, ``search``,
        ``step``, ``seconds`` and ``reward``, one row per improvement."""
        import pandas

        rows = [(self.benchmark, self.search, *point) for point in self.trajectory]
        columns = ["benchmark", "search", "step", "seconds", "reward"]
        return pandas.DataFrame(rows, columns=columns).astype(
            {"step": int, "seconds": float, "reward": float}
        )


class SearchResults(list[SearchResult]):
    """The results of ``search_benchmarks``, in benchmark order: a list, plus tables
    and the CSV of the best states."""

    @property
    def states(self) -> list[CompilerEnvState]:
        """Each result's best state."""
        return [r.state for r in self]

    def write_states(self, target: str | Path | TextIO) -> None:
        """Writes the best states as ``CompilerEnvState`` CSV (``compiler_env.write_states``)."""
        write_states(target, self.states)

    def to_dataframe(self) -> pandas.DataFrame:
        """One row per benchmark (``results_to_dataframe``)."""
        return results_to_dataframe(self)

    def trajectories(self) -> pandas.DataFrame:
        """Every result's trajectory in one table (``SearchResult.to_dataframe``)."""
        import pandas

        frames = [r.to_dataframe() for r in self]
        if not frames:
            return SearchResult.to_dataframe(_EMPTY)
        return pandas.concat(frames, ignore_index=True)


def results_to_dataframe(results: Iterable[SearchResult]) -> pandas.DataFrame:
    """Search results as a ``pandas.DataFrame``, one row per result: ``benchmark``,
    ``search``, ``reward``, ``length`` (actions of the best state), ``steps``,
    ``seconds``, ``stopped``, ``seed``, ``commandline`` and ``reward_space``."""
    import pandas

    columns = ["benchmark", "search", "reward", "length", "steps", "seconds", "stopped",
               "seed", "commandline", "reward_space"]  # fmt: skip
    rows = [
        (r.benchmark, r.search, r.reward, len(r.actions), r.steps, r.seconds, r.stopped, r.seed,
         r.state.commandline, r.state.reward_space)
        for r in results
    ]  # fmt: skip
    return pandas.DataFrame(rows, columns=columns).astype(
        {"reward": float, "length": int, "steps": int, "seconds": float, "seed": int}
    )


class Progress:
    """A one-line progress report rewritten in place on a terminal.

    Args:
        stream: where to write; None writes nothing.
        label: what the line starts with.
        total: the step budget, if any.
    """

    def __init__(self, stream: TextIO | None, label: str, total: int | None) -> None:
        self.stream, self.label, self.total = stream, label, total
        self._shown = 0.0

    def show(self, done: int, best: float, *, final: bool = False) -> None:
        if self.stream is None:
            return
        now = time.monotonic()
        if not final and now - self._shown < 0.1:
            return
        self._shown = now
        if self.total:
            filled = min(20, 20 * done // self.total)
            bar = f"[{'#' * filled}{'.' * (20 - filled)}] {done}/{self.total}"
        else:
            bar = f"{done} steps"
        end = "\n" if final else ""
        print(f"\r{self.label} {bar} best {best:.4f}", end=end, file=self.stream, flush=True)


def progress_stream(progress: bool | TextIO) -> TextIO | None:
    """Where progress goes: True means stderr when it is a terminal; a stream is used as is."""
    if progress is True:
        return sys.stderr if sys.stderr.isatty() else None
    return progress or None


def _positive(name: str, value: float | None, kind: type) -> None:
    if value is None:
        return
    wrong = isinstance(value, bool) or not isinstance(value, (int, float) if kind is float else int)
    if wrong or not value > 0 or (isinstance(value, float) and not math.isfinite(value)):
        noun = "a positive integer" if kind is int else "a positive number of seconds"
        raise InvalidArgument(f"{name} is {noun}, not {value!r}")


class Run:
    """One search on one benchmark: its env, budget, best state and trajectory.

    Every action applied to the compiler is spent from the budget through
    ``spend``; ``offer`` records the env's episode when it is the best so far.
    """

    def __init__(
        self,
        search: str,
        env: CompilerEnv,
        *,
        steps: int | None,
        seconds: float | None,
        patience: int | None,
        seed: int,
        progress: bool | TextIO,
        needs_budget: bool = True,
    ) -> None:
        _positive("steps", steps, int)
        _positive("seconds", seconds, float)
        _positive("patience", patience, int)
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise InvalidArgument(f"seed is a non-negative integer, not {seed!r}")
        if needs_budget and steps is None and seconds is None and patience is None:
            raise InvalidArgument(
                f"a {search} search needs a budget: give steps=, seconds= or patience="
            )
        if env.reward_space is None:
            raise InvalidArgument(
                "the search maximises the episode reward, and this env has no reward space: "
                'make it with reward_space="IrInstructionCountOz" (or use llvm-ic-v0)'
            )
        self.search, self.env, self.seed = search, env, seed
        self.limit, self.seconds, self.patience = steps, seconds, patience
        self.used = 0
        self._since_best = 0
        self.started = time.monotonic()
        self.best: CompilerEnvState = dataclasses.replace(env.state, walltime=0.0)
        self.best_actions: list[int] = []
        self.trajectory = [Point(0, 0.0, self.best_reward)]
        self.stopped = ""
        name = env.benchmark.rsplit("/", 1)[-1]
        self._progress = Progress(progress_stream(progress), f"{search} {name}", steps)

    @property
    def best_reward(self) -> float:
        return float(self.best.reward or 0.0)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def left(self) -> int | None:
        """The steps left in the budget (None: no step limit)."""
        return None if self.limit is None else self.limit - self.used

    def over(self) -> bool:
        """Whether the budget is spent; sets ``stopped`` to why."""
        if self.limit is not None and self.used >= self.limit:
            self.stopped = self.stopped or "steps"
        elif self.seconds is not None and self.elapsed() >= self.seconds:
            self.stopped = self.stopped or "seconds"
        elif self.patience is not None and self._since_best >= self.patience:
            self.stopped = self.stopped or "patience"
        return bool(self.stopped)

    def spend(self, actions: int) -> None:
        self.used += actions
        self._since_best += actions
        self._progress.show(self.used, self.best_reward)

    def offer(self) -> bool:
        """Records the env's episode if its reward beats the best; whether it did."""
        reward = self.env.episode_reward
        if not reward > self.best_reward:
            return False
        elapsed = self.elapsed()
        self.best = dataclasses.replace(self.env.state, walltime=elapsed)
        self.best_actions = self.env.actions
        self.trajectory.append(Point(self.used, elapsed, float(reward)))
        self._since_best = 0
        return True

    def result(self) -> SearchResult:
        self._progress.show(self.used, self.best_reward, final=True)
        names = self.env.action_space.names
        return SearchResult(
            search=self.search,
            benchmark=self.best.benchmark,
            state=self.best,
            actions=tuple(names[a] for a in self.best_actions),
            steps=self.used,
            seconds=self.elapsed(),
            stopped=self.stopped or "converged",
            seed=self.seed,
            trajectory=tuple(self.trajectory),
        )


_EMPTY = SearchResult("", "", CompilerEnvState("", "", 0.0), (), 0, 0.0, "", 0, ())


def run_on(
    env: CompilerEnv | Callable[[], CompilerEnv],
    benchmark: str | None,
    body: Callable[[CompilerEnv], SearchResult],
) -> SearchResult:
    """Runs ``body`` on the env (made and closed here when given as a callable), reset
    onto ``benchmark`` (default: the env's own)."""
    from compiler_env.env import CompilerEnv

    if isinstance(env, CompilerEnv):
        env.reset(options={"benchmark": benchmark} if benchmark else None)
        return body(env)
    with env() as made:
        made.reset(options={"benchmark": benchmark} if benchmark else None)
        return body(made)
