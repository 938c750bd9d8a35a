"""examples/random_search.py: the library's random search on kernels-v0, its table,
its CSV of best states, and a score recomputed from their replay."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import compiler_env

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "random_search.py"


def test_the_example_searches_writes_states_that_validate_and_scores_them(tmp_path) -> None:
    states = tmp_path / "states.csv"
    run = subprocess.run(
        [sys.executable, str(EXAMPLE), "--benchmarks", "2", "--steps", "60", "--output",
         str(states)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    written = list(compiler_env.read_states(states))
    assert len(written) == 2 and all(s.benchmark.startswith("benchmark://kernels-v0/")
                                     for s in written)  # fmt: skip
    with compiler_env.make("llvm-ic-v0") as env:
        for state in written:
            assert env.validate(state).ok, state
    score = float(run.stdout.rsplit("score: ", 1)[1].split("x")[0])
    assert 0.3 < score < 2.0
    assert "reward" in run.stdout and "60 steps each" in run.stdout
