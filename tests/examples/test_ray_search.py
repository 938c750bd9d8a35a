"""The Ray example on a local Ray instance: the same best states as a serial run."""

from __future__ import annotations

from pathlib import Path

import ray_search

from compiler_env.state import read_states

BENCHMARKS = ["benchmark://kernels-v0/crc32", "benchmark://kernels-v0/binary_search"]


def test_ray_tasks_find_the_states_a_serial_run_finds(local_ray) -> None:
    on_ray = ray_search.run(BENCHMARKS, search="random", steps=40, seed=3)
    serial = ray_search.run(BENCHMARKS, search="random", steps=40, seed=3, serial=True)
    assert [(s.benchmark, s.commandline, s.reward) for s, _ in on_ray] == [
        (s.benchmark, s.commandline, s.reward) for s, _ in serial
    ]
    assert all(state.reward > 0 and ratio > 0 for state, ratio in on_ray)


def test_the_example_runs_as_a_script(local_ray, tmp_path: Path, capsys) -> None:
    output = tmp_path / "best.csv"
    # ray.init() of the script joins the instance the fixture started.
    assert ray_search.main(["--benchmarks", "2", "--steps", "20", "--output", str(output),
                            "--address", "auto"]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    assert "random search, 20 steps per benchmark, 2 benchmarks on Ray" in printed
    states = list(read_states(output))
    assert len(states) == 2 and all(
        s.benchmark.startswith("benchmark://kernels-v0/") for s in states
    )
    assert all(s.benchmark.rsplit("/", 1)[1] in printed for s in states)
