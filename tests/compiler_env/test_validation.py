"""Validation of states: replay, reward, verifier and semantics, with the real
service and real programs; and the ``compiler-env validate`` command."""

from __future__ import annotations

import io
import os
import random
import subprocess
import sys
from dataclasses import replace

import pytest

import compiler_env
from compiler_env import CompilerEnvState, read_states, validate_states, write_states
from tests.service.test_runtime import FFT_MISCOMPILE, FFT_O0

CRC32 = "benchmark://kernels-v0/crc32"


def fft_state(env: compiler_env.CompilerEnv) -> CompilerEnvState:
    env.reset(options={"benchmark": FFT_O0})
    env.multistep([env.action_space.index(name) for name in FFT_MISCOMPILE])
    return env.state


def test_state_names_its_reward_space_and_llvm(make_env) -> None:
    env = make_env("llvm-ic-v0", benchmark=CRC32)
    env.reset()
    env.step(env.action_space.index("mem2reg"))
    state = env.state
    assert state.reward_space == "IrInstructionCountOz"
    assert state.compiler_version == env.compiler_version and "LLVM 19" in state.compiler_version
    assert CompilerEnvState.from_csv(state.to_csv()) == state


def test_apply_replays_a_state(make_env) -> None:
    env = make_env("llvm-ic-v0", benchmark=CRC32)
    env.reset()
    env.multistep([env.action_space.index(n) for n in ("sroa", "gvn", "simplifycfg")])
    sha1, state = env.observation["IrSha1"], env.state
    other = make_env("llvm-ic-v0")
    other.apply(state)
    assert other.observation["IrSha1"] == sha1
    assert other.episode_reward == state.reward and other.actions == env.actions


def test_states_read_and_write_through_paths_and_stdin(tmp_path, make_env) -> None:
    env = make_env("llvm-ic-v0", benchmark=CRC32)
    env.reset()
    env.step(0)
    state = env.state  # (its walltime grows)
    path = tmp_path / "states.csv"
    write_states(path, [state, state])
    assert list(read_states(path)) == [state] * 2
    assert list(read_states(str(path))) == [state] * 2
    old_stdin = sys.stdin
    try:
        sys.stdin = io.StringIO(path.read_text())
        assert list(read_states("-")) == [state] * 2
    finally:
        sys.stdin = old_stdin
    old = "benchmark,reward,walltime,commandline\nbenchmark://kernels-v0/crc32,,1.0,opt-19\n"
    (state,) = read_states(io.StringIO(old))  # written before the columns were added
    assert state.reward is None and state.reward_space == "" and state.compiler_version == ""
    with pytest.raises(ValueError, match="no columns"):
        list(read_states(io.StringIO("garbage,x\n")))  # a header alone is not 0 states


def test_fifty_random_episodes_validate_and_the_miscompile_is_caught(make_env, service) -> None:
    """Each state is valid or names its failing check; the fft sequence is a hang."""
    env = make_env("llvm-ic-v0", action_space="full")  # the miscompiling pass is left out
    uris = list(env.datasets["kernels-v0"].benchmark_uris())
    rng = random.Random(11)
    safe = make_env("llvm-ic-v0", action_space="safe")
    states = []
    for i in range(50):
        safe.reset(options={"benchmark": uris[i % len(uris)]})
        safe.multistep([rng.randrange(safe.action_space.n) for _ in range(4)])
        states.append(safe.state)
    states.append(fft_state(env))
    results = validate_states(states, jobs=2, service=service.address)
    assert [r.state for r in results] == states
    for result in results[:-1]:  # the safe space's episodes: every check passes
        assert result.ok, str(result)
        assert result.reward == result.state.reward
    broken = results[-1]
    assert broken.failed_check == "semantics", str(broken)
    why = broken.failures[0][1]
    assert "hangs" in why and "opt-19" in why and "attributor" in why


def test_each_failed_check_is_reported_with_its_reason(make_env) -> None:
    env = make_env("llvm-ic-v0", benchmark=CRC32)
    env.reset()
    env.multistep([env.action_space.index(n) for n in ("mem2reg", "instcombine")])
    good = env.state
    assert env.validate().ok
    edited = replace(good, reward=good.reward + 0.5)
    result = env.validate(edited)
    assert result.failed_check == "reward"
    assert repr(edited.reward) in result.failures[0][1] and repr(good.reward) in str(result)
    missing = env.validate(replace(good, benchmark="benchmark://kernels-v0/no-such"))
    assert missing.failed_check == "benchmark" and "no-such" in str(missing)
    unknown = env.validate(replace(good, commandline="opt-19 -passes='function(frobnicate)' x"))
    assert unknown.failed_check == "commandline" and "frobnicate" in str(unknown)
    nonsense = env.validate(replace(good, commandline="opt-19 input.bc"))
    assert nonsense.failed_check == "commandline"
    timed = env.validate(replace(good, reward_space="RuntimeO3", reward=123.0))
    assert timed.ok and any("not deterministic" in note for note in timed.notes)


def test_the_validate_command(tmp_path, make_env, service) -> None:
    env = make_env("llvm-ic-v0", benchmark=CRC32, action_space="full")
    env.reset()
    env.step(env.action_space.index("mem2reg"))
    good = tmp_path / "good.csv"
    write_states(good, [env.state])
    command = [sys.executable, "-m", "compiler_env.cli", "--service", service.address, "validate"]
    environ = {**os.environ, "PYTHONPATH": os.getcwd()}
    ok = subprocess.run([*command, str(good)], capture_output=True, text=True, env=environ)
    assert ok.returncode == 0, ok.stderr
    assert "valid" in ok.stdout and "1 of 1 states valid" in ok.stderr
    assert "validated 1/1" in ok.stderr  # progress
    text = good.read_text() + fft_state(env).to_csv().split("\n", 1)[1]
    bad = subprocess.run([*command, "-"], input=text, capture_output=True, text=True, env=environ)
    assert os.waitstatus_to_exitcode(bad.returncode << 8) == 1, bad.stderr
    assert "semantics: the program hangs" in bad.stdout and "1 of 2 states valid" in bad.stderr
    garbage = subprocess.run([*command, "-"], input="a,b\n1,2\n", capture_output=True, text=True,
                             env=environ)  # fmt: skip
    assert garbage.returncode == 2 and "no columns" in garbage.stderr
    assert "Traceback" not in garbage.stderr + bad.stderr
