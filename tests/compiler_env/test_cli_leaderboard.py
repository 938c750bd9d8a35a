"""compiler-env leaderboard run and validate, and their errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from compiler_env.leaderboard.entries import read_metadata
from compiler_env.leaderboard.table import table_of
from compiler_env.state import read_states
from tests.compiler_env.test_cli import run

ROOT = Path(__file__).resolve().parents[2] / "leaderboards"


def test_run_writes_an_entry_that_validate_scores(capsys, service, tmp_path: Path) -> None:
    root = tmp_path / "leaderboards"
    (root / "llvm_codesize").mkdir(parents=True)
    shutil.copy(ROOT / "llvm_codesize" / "README.md", root / "llvm_codesize")
    entry = root / "llvm_codesize" / "random-5"
    status, out, err = run(
        capsys, "--service", service.address, "leaderboard", "run", "llvm_codesize",
        "--policy", "compiler_env.leaderboard.policies:random", "--option", "steps=5",
        "--option", "seed=1", "--name", "random, 5 steps", "--budget", "5 steps",
        "--output", str(entry), "--jobs", "2",
    )  # fmt: skip
    assert status == 0, err
    assert len(list(read_states(entry / "results.csv"))) == 31
    reproduce = read_metadata(entry)["reproduce"]
    assert reproduce.startswith("compiler-env --service") and "--option steps=5" in reproduce
    status, out, err = run(capsys, "--service", service.address, "leaderboard", "validate",
                           "llvm_codesize", "--root", str(root))  # fmt: skip
    assert status == 0, err
    assert "llvm_codesize/random-5: valid" in out
    assert "[random, 5 steps](random-5/)" in table_of(root / "llvm_codesize" / "README.md")
    check = ("llvm_codesize", "--root", str(root), "--check", "--benchmarks", "1")
    status, out, err = run(capsys, "--service", service.address, "leaderboard", "validate", *check)
    assert (status, err) == (0, "")
    (entry / "results.csv").write_text("".join((entry / "results.csv").open().readlines()[:-1]))
    status, out, err = run(capsys, "--service", service.address, "leaderboard", "validate",
                           "llvm_codesize", "--root", str(root))  # fmt: skip
    assert status == 1 and "llvm_codesize/random-5: no state for benchmark://kernels-v0/" in err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["run", "llvm_codesize", "--policy", "nocolon", "--name", "x", "--budget", "x",
          "--output", "x"], "expected MODULE:FUNCTION"),
        (["run", "llvm_codesize", "--policy", "no_such_module:f", "--name", "x", "--budget", "x",
          "--output", "x"], "No module named 'no_such_module'"),
        (["run", "llvm_codesize", "--policy", "compiler_env.leaderboard.policies:nothing",
          "--name", "x", "--budget", "x", "--output", "x"], "has no attribute 'nothing'"),
        (["run", "llvm_codesize", "--policy", "compiler_env.leaderboard.policies:random",
          "--option", "steps", "--name", "x", "--budget", "x", "--output", "x"],
         "expected KEY=VALUE"),
        (["run", "llvm_sizes", "--policy", "m:f"], "invalid choice: 'llvm_sizes'"),
        (["validate", "--root", "/no/such/folder"], "no leaderboards folder /no/such/folder"),
    ],
)  # fmt: skip
def test_errors_are_one_line_and_status_2(capsys, argv: list[str], expected: str) -> None:
    status, _, err = run(capsys, "leaderboard", *argv)
    assert status == 2 and err.count("\n") == 1 and expected in err, err
