"""Run as ``python -m tests.faults.process_probe KIND CONTEXT ROUNDS``: a process that
holds an open env and an unclosed, unreferenced one, then runs envs in child
processes (KIND: ``vector``, ``pool`` or ``sb3``; CONTEXT: a start method).
Prints the parent's IrSha1 before and after; a hang is dumped and killed."""

from __future__ import annotations

import faulthandler
import gc
import json
import multiprocessing
import sys

import gymnasium
import numpy as np

import compiler_env
from tests.helpers import BENCHMARK, replayed_sha1


def make() -> compiler_env.CompilerEnv:
    return compiler_env.make("llvm-ic-v0", benchmark=BENCHMARK, observation_space="Autophase")


def episode(seed: int) -> int:
    with make() as env:
        env.reset(seed=seed)
        env.step(seed % int(env.action_space.n))
        return len(env.actions)


def _vector(context: str, rounds: int) -> None:
    envs = gymnasium.vector.AsyncVectorEnv([make, make], context=context)
    try:
        envs.reset(seed=0)
        for _ in range(rounds):
            _, rewards, _, _, _ = envs.step(np.array([1, 2]))
            assert rewards.shape == (2,)
    finally:
        envs.close()


def _pool(context: str, rounds: int) -> None:
    with multiprocessing.get_context(context).Pool(2) as pool:
        assert pool.map(episode, range(rounds)) == [1] * rounds


def _sb3(context: str, rounds: int) -> None:
    from stable_baselines3.common.vec_env import SubprocVecEnv

    envs = SubprocVecEnv([make, make], start_method=context)
    try:
        envs.reset()
        for _ in range(rounds):
            envs.step(np.array([1, 2]))
    finally:
        envs.close()


def main() -> int:
    kind, context, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    faulthandler.dump_traceback_later(240, exit=True)
    held = make()
    held.reset()
    held.step(held.action_space.index("mem2reg"))
    leaked = make()  # never closed: the children inherit it (fork) and collect it
    leaked.reset()
    leaked = None  # noqa: F841
    before = held.observation["IrSha1"]
    {"vector": _vector, "pool": _pool, "sb3": _sb3}[kind](context, rounds)
    gc.collect()
    held.step(held.action_space.index("instcombine"))
    result = {
        "before": before,
        "after": held.observation["IrSha1"],
        "expected": replayed_sha1(None, BENCHMARK, held.actions),
        "recoveries": held.session_info.recoveries,
    }
    print(json.dumps(result), flush=True)
    held.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
