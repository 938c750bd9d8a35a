"""Leaderboards: tasks with a held-out test set, validated entries, and their tables.

Each task (``TASKS``: ``llvm_codesize``, ``llvm_speed``) is a folder under
``leaderboards/`` whose README states the task and holds its table; each entry
is a subfolder (``compiler_env.leaderboard.entries``). ``validate`` replays every
entry, writes what the replays measured, and regenerates the table;
``check`` is its fast form for CI: the tables agree with the entries' measured
scores, and a few benchmarks of every entry replay to the same scores.

>>> sorted(TASKS)
['llvm_codesize', 'llvm_speed']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compiler_env.leaderboard.entries import (
    ENTRY_FIELDS,
    BenchmarkScore,
    EntryScore,
    read_metadata,
    read_scores,
    run_entry,
    test_benchmarks,
    validate_entry,
    write_scores,
)
from compiler_env.leaderboard.table import render_table, replace_table, table_of
from compiler_env.leaderboard.tasks import TASKS, Task, task

if TYPE_CHECKING:
    from compiler_env.env import CompilerEnv

__all__ = [
    "ENTRY_FIELDS",
    "TASKS",
    "BenchmarkScore",
    "EntryScore",
    "Task",
    "check",
    "default_root",
    "entry_folders",
    "run",
    "task",
    "test_benchmarks",
    "to_dataframe",
    "validate",
]


def default_root() -> Path:
    """The ``leaderboards/`` folder: in the working folder, or beside the package's."""
    here = Path.cwd() / "leaderboards"
    return here if here.is_dir() else Path(__file__).resolve().parents[2] / "leaderboards"


def entry_folders(task: Task, root: Path) -> list[Path]:
    """A task's entries: the subfolders of its folder that hold a ``results.csv``."""
    folder = root / task.name
    return (
        sorted(p for p in folder.iterdir() if (p / "results.csv").is_file())
        if folder.is_dir()
        else []
    )


def replay_env(task: Task, **options: Any) -> CompilerEnv:
    """An env of the task that replays any state (every pass, no step budget)."""
    import compiler_env

    return compiler_env.make(task.env_id, action_space="full", **options)


def run(
    task_name: str,
    policy: Callable[[CompilerEnv], Any],
    folder: Path,
    *,
    metadata: dict[str, str],
    benchmarks: Sequence[str] | None = None,
    jobs: int = 1,
    **env_options: Any,
) -> None:
    """Evaluates ``policy`` (which steps an env reset onto each test benchmark) on
    a task, and writes a submission folder (``results.csv``, ``README.md``)."""
    import compiler_env

    chosen = task(task_name)
    run_entry(
        chosen, policy, folder, metadata=metadata, benchmarks=benchmarks, jobs=jobs,
        make_env=lambda: compiler_env.make(chosen.env_id, **env_options),
    )  # fmt: skip


def validate(
    task_name: str, root: Path | None = None, *, jobs: int = 2, **env_options: Any
) -> list[EntryScore]:
    """Replays and checks every entry of a task, writes each one's ``scores.csv``
    (what its replays measured) and the task's table (valid entries only).

    Returns:
        Every entry's score; an entry with ``failures`` is not valid.
    """
    chosen, root = task(task_name), root or default_root()
    folders = entry_folders(chosen, root)
    scores = _each(
        folders, lambda env, folder: validate_entry(chosen, folder, env), chosen, jobs, env_options
    )
    for folder, score in zip(folders, scores):
        if score.ok:
            write_scores(folder, chosen, score)
    replace_table(
        root / chosen.name / "README.md",
        render_table(chosen, root / chosen.name, [s for s in scores if s.ok]),
    )
    return scores


def check(
    task_name: str,
    root: Path | None = None,
    *,
    benchmarks: int = 3,
    jobs: int = 2,
    **env_options: Any,
) -> list[str]:
    """The fast form of ``validate``, for CI: what is wrong, or nothing.

    The task's table must be the one its entries' ``scores.csv`` make; every
    entry must have a state for every test benchmark; and the first
    ``benchmarks`` test benchmarks of every entry must replay, validate, and
    measure what its ``scores.csv`` says.
    """
    chosen, root = task(task_name), root or default_root()
    folders = entry_folders(chosen, root)
    problems: list[str] = []
    stored = []
    for folder in folders:
        if not (folder / "scores.csv").is_file():
            problems.append(
                f"{folder.name}: no scores.csv; run compiler-env leaderboard validate {chosen.name}"
            )
            continue
        stored.append(read_scores(folder, chosen))
    readme = root / chosen.name / "README.md"
    if table_of(readme) != render_table(
        chosen, root / chosen.name, [s for s in stored if s.entry in {f.name for f in folders}]
    ):
        problems.append(
            f"{readme}: its table is not the one the entries' scores.csv make; run "
            f"compiler-env leaderboard validate {chosen.name}"
        )

    def replay(env: CompilerEnv, folder: Path) -> EntryScore:
        subset = test_benchmarks(chosen, env)[:benchmarks]
        return validate_entry(chosen, folder, env, benchmarks=subset)

    replayed = _each(folders, replay, chosen, jobs, env_options)
    known = {s.entry: {b.benchmark: b for b in s.scores} for s in stored}
    for score in replayed:
        problems.extend(score.failures)
        for measured in score.scores:
            recorded = known.get(score.entry, {}).get(measured.benchmark)
            if recorded is not None and recorded != measured:
                problems.append(
                    f"{score.entry}: {measured.benchmark}: scores.csv says {recorded.measure} "
                    f"({chosen.measure}), the replay measures {measured.measure}"
                )
    return problems


def to_dataframe(task_name: str, root: Path | None = None, *, per_benchmark: bool = False) -> Any:
    """A task's table as a ``pandas.DataFrame``, from its entries' ``scores.csv``.

    One row per entry (its name, folder, score against each baseline level, how
    many benchmarks failed, and its metadata), best first; with
    ``per_benchmark``, one row per entry and benchmark (the measures and the ratios).
    """
    import pandas

    chosen, root = task(task_name), root or default_root()
    rows = []
    for folder in entry_folders(chosen, root):
        if not (folder / "scores.csv").is_file():
            continue
        score, meta = read_scores(folder, chosen), read_metadata(folder)
        if per_benchmark:
            rows += [{"entry": folder.name, "benchmark": b.benchmark, "measure": b.measure,
                      "unoptimized": b.unoptimized, "ok": b.ok,
                      **{f"vs_{level}": b.ratio(level) for level in chosen.baselines}}
                     for b in score.scores]  # fmt: skip
        else:
            fields = {key.replace(" ", "_"): value for key, value in meta.items() if key != "name"}
            rows.append({"entry": folder.name, "name": meta["name"],
                         **{f"vs_{level}": score.geomean(level) for level in chosen.baselines},
                         "failed": score.failed_benchmarks, "benchmarks": len(score.scores),
                         **fields})  # fmt: skip
    frame = pandas.DataFrame(rows)
    if not per_benchmark and not frame.empty:
        frame = frame.sort_values(f"vs_{chosen.ranked}", ascending=False, ignore_index=True)
    return frame


def _each(
    folders: Iterable[Path],
    work: Callable[[CompilerEnv, Path], EntryScore],
    chosen: Task,
    jobs: int,
    env_options: dict[str, Any],
) -> list[EntryScore]:
    """``work(env, folder)`` for each folder, on ``jobs`` threads with an env each."""
    folders = list(folders)
    if not folders:
        return []
    envs = [replay_env(chosen, **env_options) for _ in range(max(1, min(jobs, len(folders))))]
    free = list(envs)
    try:

        def one(folder: Path) -> EntryScore:
            env = free.pop()
            try:
                return work(env, folder)
            finally:
                free.append(env)

        with ThreadPoolExecutor(len(envs)) as pool:
            return list(pool.map(one, folders))
    finally:
        for env in envs:
            env.close()
