"""Session identity, interrupted calls, copies, actions and spaces as RL libraries use them."""

from __future__ import annotations

import copy
import pickle
import re
import subprocess
import sys
from pathlib import Path

import cloudpickle
import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import compiler_env
from compiler_env.errors import CompilerCrashed, InvalidAction, ServiceVersionMismatch
from service.proto.constants import PROTOCOL_VERSION
from service.server import create_server
from tests.helpers import BENCHMARK, MEDIUM, deep_type_ir, replayed_sha1

ROOT = Path(__file__).resolve().parents[2]


def test_a_service_restarted_on_its_port_never_serves_another_clients_session(
    monkeypatch,
) -> None:
    monkeypatch.setenv("COMPILER_ENV_TOKEN", "restarted-token")  # both runs' clients send it
    first = create_server("127.0.0.1:0", token="restarted-token")
    address = first.address
    a = compiler_env.make("llvm-v0", benchmark=BENCHMARK, service=address)
    a.reset()
    a.step(a.action_space.index("sroa"))
    old_id = a.session_info.id
    assert old_id is not None and re.fullmatch(r"[0-9a-f]{32}", old_id)
    first.stop()
    second = create_server(address, token="restarted-token")  # the same port, a new boot id
    try:
        b = compiler_env.make("llvm-v0", benchmark=BENCHMARK, service=address)
        b.reset()
        untouched = b.observation["IrSha1"]
        a.step(a.action_space.index("mem2reg"))  # a's session is gone: replayed, not b's
        assert b.actions == [] and b.observation["IrSha1"] == untouched
        assert a.session_info.recoveries == 1 and a.session_info.id != b.session_info.id
        assert a.session_info.boot_id == second.servicer.boot_id != old_id
        assert a.observation["IrSha1"] == replayed_sha1(address, BENCHMARK, a.actions)
        a.close()
        b.close()
    finally:
        second.stop()


def test_a_service_of_another_protocol_is_refused(service, monkeypatch) -> None:
    monkeypatch.setattr("compiler_env.connection.PROTOCOL_VERSION", 999)
    with pytest.raises(
        ServiceVersionMismatch, match=f"protocol version {PROTOCOL_VERSION}.*speaks 999"
    ):
        compiler_env.make("llvm-v0", service=service.address)


# A user's process: Ctrl-C once its worker is inside a long step, then go on.
CTRL_C = f"""
import os, signal, threading
import compiler_env
from service.sandbox import BusyStamp
from tests.helpers import replayed_sha1
# What a terminal or a notebook gives: Ctrl-C raises KeyboardInterrupt (a process
# started in the background by a shell inherits SIGINT ignored instead).
signal.signal(signal.SIGINT, signal.default_int_handler)
env = compiler_env.make("llvm-v0", benchmark={MEDIUM!r})
env.reset()
env.step(env.action_space.index("mem2reg"))
before = env.actions
workdir = os.readlink(f"/proc/{{env.session_info.worker_pid}}/cwd")
stamp = BusyStamp(os.path.join(workdir, "busy"))
main = threading.main_thread().ident
done = threading.Event()
fired = []

def interrupt_once_the_worker_is_busy():
    while (busy := stamp.busy_for()) < 0.05:  # inside the step, however loaded the machine
        if done.wait(0.005):
            return
    fired.append(busy)
    signal.pthread_kill(main, signal.SIGINT)

interrupter = threading.Thread(target=interrupt_once_the_worker_is_busy, daemon=True)
interrupter.start()
try:
    env.multistep([env.action_space.index("gvn")] * 800)  # seconds of work
    interrupted = False
except KeyboardInterrupt:
    interrupted = True
done.set()
interrupter.join()
print("fired", bool(fired), "interrupted", interrupted)
print("kept", env.actions == before)
print("same", env.observation["IrSha1"] == replayed_sha1(None, {MEDIUM!r}, before))
env.step(env.action_space.index("instcombine"))
print("goes on", env.observation["IrSha1"] == replayed_sha1(None, {MEDIUM!r}, env.actions))
env.close()
"""


def test_ctrl_c_in_the_middle_of_a_step_keeps_the_episode_as_its_actions_say() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CTRL_C], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.splitlines() == [
        "fired True interrupted True",
        "kept True",
        "same True",
        "goes on True",
    ]
    assert "Traceback" not in result.stderr  # no worker printed one


def test_ctrl_c_handled_after_the_worker_replied_still_replays_the_recorded_episode(
    make_env, service, monkeypatch
) -> None:
    """A pending signal runs at the interpreter's next check: here, just after the reply."""
    from compiler_env.session import Session

    env = make_env("llvm-v0", benchmark=BENCHMARK)
    env.reset()
    env.step(env.action_space.index("mem2reg"))
    before = env.actions
    real_retrying = Session._retrying

    def replied_then_interrupted(self, request, **kwargs):
        real_retrying(self, request, **kwargs)  # the worker applied the actions and replied
        raise KeyboardInterrupt

    monkeypatch.setattr(Session, "_retrying", replied_then_interrupted)
    with pytest.raises(KeyboardInterrupt):
        env.step(env.action_space.index("gvn"))
    monkeypatch.undo()
    assert env.actions == before
    assert env.observation["IrSha1"] == replayed_sha1(service.address, BENCHMARK, before)


def test_copies_are_forks_and_pickles_replay(make_env) -> None:
    env = make_env("llvm-ic-v0", benchmark=BENCHMARK)
    env.reset()
    env.step(env.action_space.index("mem2reg"))
    for other in (copy.copy(env), copy.deepcopy(env), pickle.loads(pickle.dumps(env))):
        with other:
            assert other.actions == env.actions
            assert other.episode_reward == pytest.approx(env.episode_reward)
            assert other.observation["IrSha1"] == env.observation["IrSha1"]
            sha = env.observation["IrSha1"]
            other.step(other.action_space.index("instcombine"))
            assert env.observation["IrSha1"] == sha  # stepping the copy left env alone
    with cloudpickle.loads(cloudpickle.dumps(env)) as clone:
        assert clone.commandline() == env.commandline()


def test_a_fork_has_its_own_spaces_and_datasets(make_env) -> None:
    env = make_env("llvm-autophase-ic-v0", benchmark=BENCHMARK)
    env.reset()
    env.action_space.seed(7)
    expected = [env.action_space.sample() for _ in range(5)]
    env.action_space.seed(7)
    with env.fork() as fork:
        assert fork.action_space is not env.action_space
        assert fork.observation_space is not env.observation_space
        assert fork.observation_spaces["Ir"] is not env.observation_spaces["Ir"]
        assert fork.datasets is not env.datasets
        fork.action_space.seed(1)
        assert [env.action_space.sample() for _ in range(5)] == expected


def test_every_action_the_space_contains_is_accepted(make_env) -> None:
    env = make_env("llvm-v0", benchmark=BENCHMARK)
    env.reset()
    index = env.action_space.index("mem2reg")
    for action in (index, np.int64(index), np.int32(index), np.array(index)):
        assert env.action_space.contains(action)
        env.step(action)
    assert env.actions == [index] * 4
    for bad in (True, np.array([index]), float(index), "mem2reg", -1, env.action_space.n):
        with pytest.raises(InvalidAction):
            env.step(bad)
    assert env.actions == [index] * 4


def test_spaces_sample_what_a_machine_can_hold(make_env) -> None:
    env = make_env("llvm-v0")
    spaces = env.observation_spaces
    assert len(spaces["Ir"].sample()) <= 1024
    assert re.fullmatch(r"[0-9a-f]{40}", spaces["IrSha1"].sample())
    count = spaces["IrInstructionCount"]
    assert count.shape == (1,) and int(count.high[0]) == np.iinfo(np.int64).max
    assert count.contains(count.sample())
    env.reset(options={"benchmark": BENCHMARK})
    assert spaces["IrSha1"].contains(env.observation["IrSha1"])


@pytest.mark.parametrize("observation", ["IrInstructionCount", "InstCountDict"])
def test_count_observations_flatten(make_env, observation) -> None:
    env = gymnasium.wrappers.FlattenObservation(
        make_env("llvm-ic-v0", benchmark=BENCHMARK, observation_space=observation)
    )
    flat, _ = env.reset()
    assert flat.dtype == np.int64 and flat.ndim == 1 and env.observation_space.contains(flat)
    flat, *_ = env.step(0)
    assert env.observation_space.contains(flat)


@pytest.mark.parametrize("env_id", ["llvm-v0", "llvm-ic-v0", "llvm-codesize-v0"])
def test_env_ids_pass_the_checkers_with_a_count_observation(make_env, env_id) -> None:
    from stable_baselines3.common.env_checker import check_env as sb3_check_env

    env = make_env(env_id, benchmark=BENCHMARK, observation_space="IrInstructionCount")
    check_env(env, skip_render_check=True)
    sb3_check_env(env, warn=False)


def test_a_reset_that_crashes_the_compiler_keeps_the_episode(make_env) -> None:
    env = make_env("llvm-v0", benchmark=BENCHMARK, retry=compiler_env.RetryPolicy(attempts=5))
    env.reset()
    env.step(env.action_space.index("mem2reg"))
    sha = env.observation["IrSha1"]
    crashing = compiler_env.benchmark_from_ir(deep_type_ir())
    # The same crash twice is the program's: not tried the other three times.
    with pytest.raises(CompilerCrashed, match="program .* made the compiler crash on each of 2 "
                       "tries.*kept"):  # fmt: skip
        env.reset(options={"benchmark": crashing})
    assert env.benchmark == BENCHMARK and len(env.actions) == 1
    assert env.observation["IrSha1"] == sha
    env.step(env.action_space.index("sroa"))  # no ResetRequired
