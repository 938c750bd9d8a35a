"""The leaderboards: their entries validate, and a tampered entry does not."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from compiler_env import leaderboard
from compiler_env.leaderboard.entries import read_scores, validate_entry
from compiler_env.leaderboard.table import table_of
from compiler_env.state import read_states, write_states

ROOT = Path(__file__).resolve().parents[2] / "leaderboards"
THREE_PASSES = ("sroa", "instcombine", "simplifycfg")
#: A state the pass audit found miscompiling: attributor makes this program hang.
MISCOMPILED = ("benchmark://kernels-v0/qsort_variants", "attributor")


@pytest.mark.parametrize(("name", "benchmarks"), [("llvm_codesize", 2), ("llvm_speed", 1)])
def test_the_tables_agree_with_the_entries_and_a_slice_replays(
    service, name: str, benchmarks: int
) -> None:
    entries = leaderboard.entry_folders(leaderboard.task(name), ROOT)
    assert len(entries) >= 5
    assert leaderboard.check(name, ROOT, benchmarks=benchmarks, service=service.address) == []


@pytest.fixture(scope="module")
def board(service, tmp_path_factory) -> Path:
    """A leaderboard of llvm_codesize with one entry: three passes on every benchmark."""
    root = tmp_path_factory.mktemp("leaderboards")
    (root / "llvm_codesize").mkdir()
    shutil.copy(ROOT / "llvm_codesize" / "README.md", root / "llvm_codesize" / "README.md")

    def three_passes(env) -> None:
        env.multistep([env.action_space.index(name) for name in THREE_PASSES])

    metadata = {"name": "three passes", "training data": "none", "budget": "3 steps",
                "reproduce": "tests/compiler_env/test_leaderboard.py"}  # fmt: skip
    leaderboard.run("llvm_codesize", three_passes, root / "llvm_codesize" / "three",
                    metadata=metadata, service=service.address)  # fmt: skip
    scores = leaderboard.validate("llvm_codesize", root, service=service.address)
    assert [s.entry for s in scores] == ["three"] and scores[0].ok, scores[0].failures
    return root


def _replay_env(service):
    return leaderboard.replay_env(leaderboard.task("llvm_codesize"), service=service.address)


def test_an_entry_validates_and_gets_its_row(service, board: Path) -> None:
    score = read_scores(board / "llvm_codesize" / "three", leaderboard.task("llvm_codesize"))
    assert len(score.scores) == 31 and 0.5 < score.geomean("Oz") < 1.0
    table = table_of(board / "llvm_codesize" / "README.md")
    assert "[three passes](three/)" in table and f"{score.geomean('Oz'):.3f}x" in table
    assert leaderboard.check("llvm_codesize", board, benchmarks=1, service=service.address) == []
    frame = leaderboard.to_dataframe("llvm_codesize", board)
    assert list(frame["entry"]) == ["three"] and frame["vs_Oz"][0] == score.geomean("Oz")
    rows = leaderboard.to_dataframe("llvm_codesize", board, per_benchmark=True)
    assert len(rows) == 31 and rows["ok"].all()


def _tampered(board: Path, tmp_path: Path, edit) -> Path:
    copy = tmp_path / "tampered"
    shutil.copytree(board / "llvm_codesize" / "three", copy)
    states = list(read_states(copy / "results.csv"))
    write_states(copy / "results.csv", edit(states))
    return copy


def test_an_edited_reward_is_caught(service, board: Path, tmp_path: Path) -> None:
    def edit(states):
        return [s if i else s.__class__(**{**s.__dict__, "reward": s.reward + 0.5})
                for i, s in enumerate(states)]  # fmt: skip

    copy = _tampered(board, tmp_path, edit)
    first = next(read_states(copy / "results.csv")).benchmark
    with _replay_env(service) as env:
        score = validate_entry(leaderboard.task("llvm_codesize"), copy, env, benchmarks=[first])
    assert not score.ok
    assert any(
        f.startswith(f"tampered: {first}: reward: the recorded reward") for f in score.failures
    )


def test_an_edited_commandline_that_miscompiles_is_caught(
    service, board: Path, tmp_path: Path
) -> None:
    uri, action = MISCOMPILED
    with _replay_env(service) as env:
        env.reset(options={"benchmark": uri})
        env.step(env.action_space.index(action))
        miscompiled = env.state

        def edit(states):
            return [miscompiled if s.benchmark == uri else s for s in states]

        copy = _tampered(board, tmp_path, edit)
        score = validate_entry(leaderboard.task("llvm_codesize"), copy, env, benchmarks=[uri])
    assert [f.split(": ")[:3] for f in score.failures] == [["tampered", uri, "semantics"]]
    assert score.failed_benchmarks == 1
    (failed,) = score.scores
    assert (
        failed.ratio("Oz") == failed.baselines["Oz"] / failed.unoptimized
    )  # scored as unoptimized


def test_a_missing_benchmark_is_caught(service, board: Path, tmp_path: Path) -> None:
    copy = _tampered(board, tmp_path, lambda states: states[1:])
    task = leaderboard.task("llvm_codesize")
    with _replay_env(service) as env:
        score = validate_entry(task, copy, env, benchmarks=[])
        first = leaderboard.test_benchmarks(task, env)[0]
    assert score.failures == [f"tampered: no state for {first}"]


def test_a_table_or_scores_out_of_sync_are_caught(service, board: Path, tmp_path: Path) -> None:
    root = tmp_path / "board"
    shutil.copytree(board, root)
    readme = root / "llvm_codesize" / "README.md"
    readme.write_text(readme.read_text().replace("three passes", "three passes!", 1))
    scores = root / "llvm_codesize" / "three" / "scores.csv"
    rows = list(csv.reader(scores.open()))
    rows[1][1] = str(int(rows[1][1]) - 1)  # the first benchmark's measure
    with scores.open("w", newline="") as out:
        csv.writer(out, lineterminator="\n").writerows(rows)
    problems = leaderboard.check("llvm_codesize", root, benchmarks=1, service=service.address)
    assert any("its table is not the one" in p for p in problems)
    assert any(p.startswith("three: ") and "scores.csv says" in p for p in problems)
