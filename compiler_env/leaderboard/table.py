"""A task's table: its valid entries ranked by score, with clang's own levels for reference.

The table lives in the task's README.md between ``TABLE_START`` and
``TABLE_END``; ``compiler-env leaderboard validate`` writes it from the
entries' ``scores.csv`` (what their replays measured), and CI checks it is in
sync with them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from compiler_env.leaderboard.entries import EntryScore, read_metadata
from compiler_env.leaderboard.tasks import Task
from service.proto.errors import InvalidArgument

__all__ = ["TABLE_END", "TABLE_START", "render_table", "replace_table", "table_of"]

TABLE_START = "<!-- table: written by `compiler-env leaderboard validate`; do not edit -->"
TABLE_END = "<!-- end of table -->"


def render_table(task: Task, root: Path, scores: Sequence[EntryScore]) -> str:
    """The Markdown table of ``scores`` (valid entries, best first), with a row for
    each baseline level itself, made from the same benchmarks' baselines."""
    levels = task.baselines
    header = ["#", "entry", *(f"vs -{level}" for level in levels), "failed", "benchmarks",
              "budget", "training data", "time per benchmark", "LLVM", "date"]  # fmt: skip
    rows = [header, ["---"] * len(header)]
    ranked = sorted(scores, key=lambda s: (-s.geomean(task.ranked), s.entry))
    for rank, score in enumerate(ranked, 1):
        meta = read_metadata(root / score.entry)
        rows.append([
            str(rank), f"[{meta['name']}]({score.entry}/)",
            *(f"{score.geomean(level):.3f}x" for level in levels),
            str(score.failed_benchmarks), str(len(score.scores)), meta["budget"],
            meta["training data"], meta["wall time per benchmark"], meta["llvm"], meta["date"],
        ])  # fmt: skip
    if ranked:
        reference = ranked[0]
        for level in levels:
            rows.append([
                "", f"clang -{level} (reference)",
                *(f"{_between(reference, level, other):.3f}x" for other in levels),
                "", str(len(reference.scores)), "", "", "", "", "",
            ])  # fmt: skip
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


def _between(score: EntryScore, achieved: str, baseline: str) -> float:
    """The geometric mean of ``baseline``'s measure over ``achieved``'s, per benchmark."""
    import math

    ratios = [s.baselines[baseline] / max(s.baselines[achieved], 1) for s in score.scores]
    return math.exp(sum(math.log(r) for r in ratios) / len(ratios)) if ratios else math.nan


def table_of(readme: Path) -> str:
    """The table in a task's README.md (between the markers)."""
    text = readme.read_text()
    if TABLE_START not in text or TABLE_END not in text:
        raise InvalidArgument(f"{readme} has no table between its markers ({TABLE_START!r})")
    return text.split(TABLE_START, 1)[1].split(TABLE_END, 1)[0].strip()


def replace_table(readme: Path, table: str) -> None:
    """Writes ``table`` into a task's README.md, between the markers."""
    text = readme.read_text()
    before, _, rest = text.partition(TABLE_START)
    _, _, after = rest.partition(TABLE_END)
    readme.write_text(f"{before}{TABLE_START}\n\n{table}\n\n{TABLE_END}{after}")
