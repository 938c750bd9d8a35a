"""The PPO example's short mode: it trains, evaluates on held-out programs, plots the
learning curve and writes evaluation states that replay."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

import compiler_env
from service.server import RunningService

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))

import ppo  # noqa: E402


def test_the_short_mode_trains_evaluates_and_writes_replayable_states(
    service: RunningService, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = ppo.run(ppo.SHORT, tmp_path, service=service.address)
    assert set(results) == {"policy", "random"}
    assert all(math.isfinite(value) for value in results.values())
    printed = capsys.readouterr().out
    assert "deterministic policy" in printed and "random actions" in printed
    assert "wall time" in printed

    curve = tmp_path / "ppo-learning-curve.png"
    assert curve.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    episodes = (tmp_path / "ppo-monitor").glob("*.monitor.csv")
    assert sum(len(path.read_text().splitlines()) - 2 for path in episodes) >= 1

    states = list(compiler_env.read_states(tmp_path / "ppo-states.csv"))
    assert len(states) == ppo.SHORT.test_programs
    assert all(s.benchmark.startswith("benchmark://kernels-v0/") for s in states)
    assert all(s.reward_space == "IrInstructionCountOz" and s.commandline for s in states)
    assert math.isclose(sum(s.reward or 0.0 for s in states) / len(states), results["policy"])
    validated = compiler_env.validate_states(states[:2], service=service.address)
    assert [v.ok for v in validated] == [True, True], [str(v) for v in validated]
    assert all(math.isclose(v.reward or 0.0, s.reward or 0.0) for v, s in zip(validated, states))

    # The saved model, run as a leaderboard policy, chooses the passes of its evaluation.
    with compiler_env.make("llvm-ic-v0", service=service.address) as env:
        env.reset(options={"benchmark": states[0].benchmark})
        model = str(tmp_path / "ppo-model.zip")
        ppo.leaderboard_policy(env, model=model, service=service.address)
        assert env.state.commandline == states[0].commandline


def test_the_training_programs_are_not_the_test_set() -> None:
    assert ppo.TRAIN_SET != ppo.TEST_SET == "kernels-v0"


@pytest.mark.parametrize("flag", ["--timesteps", "--test-programs", "--n-envs"])
def test_a_count_that_is_not_positive_is_refused(
    flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit:
        ppo.main([flag, "0"])
    assert exit.value.code == 2
    assert "must be positive" in capsys.readouterr().err


def test_a_training_env_passes_over_an_unusable_program_at_its_first_reset(
    service: RunningService,
) -> None:
    unusable = "generator://csmith-v0/85"  # its program runs longer than a Csmith seed may
    crc32 = "benchmark://kernels-v0/crc32"
    env = ppo.training_env(ppo.SHORT, [unusable, crc32], service=service.address)
    try:
        _, info = env.reset(seed=1)  # the seed whose first draw is the unusable program
        assert set(info["unusable_benchmarks"]) == {unusable}
        assert env.unwrapped.benchmark == crc32
        observation, reward, *_ = env.step(ppo.PASSES.index("sroa"))
        assert env.observation_space.contains(observation) and float(reward) > 0
    finally:
        env.close()
