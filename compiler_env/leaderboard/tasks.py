"""The leaderboard's tasks: what is optimized, on which programs, against what.

Both tasks are scored on every benchmark of ``kernels-v0``, the leaderboard's
test set (``Dataset.split("test")``): learned entries train on other data.
A benchmark's score is the baseline's measure divided by the entry's (above 1:
better than the baseline); an entry's score is the geometric mean over the
benchmarks. A benchmark whose final program fails semantic validation scores
as the unoptimized program does, and is counted in the table.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.proto.errors import InvalidArgument

__all__ = ["TASKS", "Task", "task"]


@dataclass(frozen=True)
class Task:
    """One leaderboard task.

    Attributes:
        name: the task's folder under ``leaderboards/``.
        title: one line for the table.
        env_id: the env the entries run in (its reward space is the one states record).
        measure: the observation minimized (deterministic).
        baselines: the levels of clang scored against, the ranked one first.
        level: the level of clang's frontend the programs start from.
        dataset: the test set.
    """

    name: str
    title: str
    env_id: str
    measure: str
    baselines: tuple[str, ...]
    level: str = "Oz"
    dataset: str = "kernels-v0"

    @property
    def ranked(self) -> str:
        """The baseline entries are ranked against."""
        return self.baselines[0]

    def benchmark_uri(self, uri: str) -> str:
        """A test-set URI as the task's episodes start from it (with ``?level=``)."""
        return uri if self.level == "Oz" else f"{uri}?level={self.level}"

    def baseline_space(self, level: str) -> str:
        """The observation of the measure after clang's ``-<level>``."""
        return f"{self.measure}{level}"


TASKS: dict[str, Task] = {
    "llvm_codesize": Task(
        name="llvm_codesize",
        title="IR instruction count, against clang's -Oz",
        env_id="llvm-ic-v0",
        measure="IrInstructionCount",
        baselines=("Oz", "O3"),
    ),
    "llvm_speed": Task(
        name="llvm_speed",
        title="dynamic instruction count, against clang's -O3",
        env_id="llvm-dic-v0",
        measure="DynamicInstructionCount",
        baselines=("O3", "Oz"),
        level="O3",
    ),
}


def task(name: str) -> Task:
    """The task of this name.

    Raises:
        InvalidArgument: no task has it; the message lists the tasks.
    """
    if name not in TASKS:
        raise InvalidArgument(f"unknown leaderboard task {name!r}; the tasks: {', '.join(TASKS)}")
    return TASKS[name]
