"""The README's main job: a short greedy search beats the unoptimized program."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))

from greedy_search import greedy  # noqa: E402


def test_greedy_search_reaches_a_positive_reward(make_env) -> None:
    env = make_env("llvm-ic-v0", benchmark="benchmark://kernels-v0/crc32",
                   observation_space="IrInstructionCount")  # fmt: skip
    scratch = make_env("llvm-v0", observation_space="IrInstructionCount")
    env.reset()
    greedy(env, scratch, steps=3)
    assert len(env.actions) == 3
    assert env.episode_reward > 0
