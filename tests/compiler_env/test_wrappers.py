"""SemanticsGuard: a broken program's episode scores the penalty, on the real
miscompile of fft by LLVM 19."""

from __future__ import annotations

import pytest
from gymnasium.wrappers import TimeLimit

from compiler_env import SemanticsGuard
from tests.service.test_runtime import FFT_MISCOMPILE, FFT_O0


def test_a_miscompiled_episode_returns_the_penalty(make_env) -> None:
    env = make_env("llvm-ic-v0", benchmark=FFT_O0, action_space="full")
    guarded = SemanticsGuard(TimeLimit(env, max_episode_steps=len(FFT_MISCOMPILE)), penalty=-2.0)
    guarded.reset()
    total, infos = 0.0, []
    for name in FFT_MISCOMPILE:
        _, reward, terminated, truncated, info = guarded.step(env.action_space.index(name))
        total += float(reward)
        infos.append(info)
    assert truncated and infos[-1]["miscompiled"]
    assert "hangs" in infos[-1]["semantics_error"]
    assert env.episode_reward > 0  # the code-size reward alone would pay for the broken program
    assert total == pytest.approx(-2.0)
    assert all("miscompiled" not in info for info in infos[:-1])  # checked once, at the end


def test_a_correct_episode_keeps_its_rewards(make_env) -> None:
    env = make_env("llvm-ic-v0", benchmark="benchmark://kernels-v0/crc32")
    guarded = SemanticsGuard(TimeLimit(env, max_episode_steps=3))
    guarded.reset()
    total = 0.0
    for name in ("mem2reg", "instcombine", "simplifycfg"):
        _, reward, _, truncated, info = guarded.step(env.action_space.index(name))
        total += float(reward)
    assert truncated and info["miscompiled"] is False
    assert total == pytest.approx(env.episode_reward) and total > 0
