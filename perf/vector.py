"""Vector-env throughput and memory: ``CompilerVectorEnv`` beside one env and
Gymnasium's ``AsyncVectorEnv``.

``vector_costs`` runs one workload four ways in one process: ``num_envs``
seeded random action sequences (``perf.measure.action_sequence``, episodes of
``episode`` steps, each starting with a reset) stepped

- by one ``CompilerEnv``, one sequence after the other;
- by ``CompilerVectorEnv`` with ``num_envs`` sub-envs, in lock step;
- by ``gymnasium.vector.AsyncVectorEnv`` with ``num_envs`` subprocesses, each
  making its own env (and so its own local service) in the subprocess;
- by a plain thread pool calling each sub-env's ``step`` (the design
  ``CompilerVectorEnv`` was measured against).

It does so twice: with the same sequence in every sub-env (every lock step is
the same work for each, so the figures measure the machinery), and with a
sequence of its own each (real training: a lock step lasts as long as its
slowest sub-env, and ``lockstep_bound`` is the best any lock-step vector env
can do on it, from the one env's own step times). Rounds are interleaved and
the best of ``rounds`` is kept, so that a neighbour's burst on a shared machine
does not decide a ratio. Memory is the resident set (``VmRSS`` in ``/proc``)
after the runs: the client process, the services, and every worker they hold.
"""

from __future__ import annotations

import concurrent.futures
import functools
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gymnasium
import numpy as np

import compiler_env
from compiler_env import services
from perf.measure import action_sequence

__all__ = ["vector_costs"]

ENV_ID = "llvm-autophase-ic-v0"
MEDIUM = "benchmark://kernels-v0/json_query"


def _rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:  # gone
        pass
    return 0.0


def _children() -> dict[int, list[int]]:
    """Every process's children, from ``/proc/*/stat``."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    return children


def _tree_mib(pid: int, children: dict[int, list[int]]) -> float:
    """The resident memory of a process and all its descendants."""
    return _rss_mib(pid) + sum(_tree_mib(child, children) for child in children.get(pid, []))


def _actions(length: int, seed: int, space: Any) -> list[int]:
    """``action_sequence``'s seeded passes that the env's default action space has, as
    indices of that space."""
    kept = set(space.table)
    table = [a for a in action_sequence(4 * length, seed) if a in kept]
    assert len(table) >= length, "the action space leaves out most passes"
    return [space.of_table(a) for a in table[:length]]


def _timed(run: Callable[[], Any]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


class _Workload:
    """The action sequences, and how each way of stepping them runs them."""

    def __init__(self, actions: np.ndarray, episode: int) -> None:
        self.actions = actions  # (steps, num_envs)
        self.episode = episode
        self.step_times: list[np.ndarray] = []  # of the one env, per sequence

    @property
    def total(self) -> int:
        return int(self.actions.size)

    def one(self, env: compiler_env.CompilerEnv) -> None:
        steps, n = self.actions.shape
        times = np.zeros((steps, n))
        for k in range(n):
            for t in range(steps):
                started = time.perf_counter()
                if t % self.episode == 0:
                    env.reset()
                env.step(int(self.actions[t, k]))
                times[t, k] = time.perf_counter() - started
        self.step_times.append(times)

    def vector(self, envs: Any) -> None:
        for t, actions in enumerate(self.actions):
            if t % self.episode == 0:
                envs.reset()
            envs.step(actions)

    def threads(self, envs: list[compiler_env.CompilerEnv]) -> None:
        with concurrent.futures.ThreadPoolExecutor(len(envs)) as pool:
            for t, actions in enumerate(self.actions):
                if t % self.episode == 0:
                    list(pool.map(lambda env: env.reset(), envs))
                list(pool.map(lambda pair: pair[0].step(int(pair[1])), zip(envs, actions)))

    def lockstep_bound(self) -> float:
        """Total work over the work of the slowest sub-env at each lock step."""
        best = min(self.step_times, key=lambda times: float(times.sum()))
        return float(best.sum() / best.max(axis=1).sum())


def vector_costs(
    uri: str = MEDIUM,
    num_envs: int = 2,
    steps: int = 200,
    seed: int = 0,
    *,
    episode: int = 50,
    rounds: int = 3,
) -> dict[str, Any]:
    """Steps per second and memory of the vector env, one env and ``AsyncVectorEnv``.

    Args:
        uri: the benchmark.
        num_envs: sub-envs of the vector envs.
        steps: steps of each sub-env's sequence per round.
        seed: of the action sequences (sub-env ``i``'s own sequence has ``seed + i``).
        episode: steps per episode (each starts with a reset).
        rounds: interleaved rounds; the best of each is kept.

    Returns:
        ``{"same_actions": {...}, "own_actions": {...}, "memory": {...}}``: the
        first two with the aggregate steps per second of ``one_env``,
        ``vector``, ``async`` and ``threads`` and the ratios
        ``vector_vs_one``, ``vector_vs_async``, ``vector_vs_threads``
        (``own_actions`` also with ``lockstep_bound``); ``memory`` with the
        MiB of each vector env's ``clients``, ``services`` (with all their
        workers), ``session_workers`` and ``total``, and ``vector_vs_async``.
    """
    load_before = os.getloadavg()[0]
    make = functools.partial(compiler_env.make, ENV_ID, benchmark=uri)
    best: dict[str, dict[str, float]] = {name: {} for name in ("same_actions", "own_actions")}
    single = make()
    space = single.action_space
    same = np.array([_actions(steps, seed, space)] * num_envs).T
    own = np.array([_actions(steps, seed + i, space) for i in range(num_envs)]).T
    workloads = {"same_actions": _Workload(same, episode), "own_actions": _Workload(own, episode)}
    vector = compiler_env.make_vec(ENV_ID, num_envs, benchmark=uri)
    async_env = gymnasium.vector.AsyncVectorEnv([make] * num_envs, context="spawn")
    try:
        ways: dict[str, Callable[[_Workload], None]] = {
            "one_env": lambda w: w.one(single),
            "vector": lambda w: w.vector(vector),
            "async": lambda w: w.vector(async_env),
            "threads": lambda w: w.threads(vector.envs),
        }
        for workload in workloads.values():  # warm-up: baselines, caches, pools
            for run in ways.values():
                run(_Workload(workload.actions[:episode], episode))
        for _ in range(rounds):
            for name, workload in workloads.items():
                for way, run in ways.items():
                    rate = workload.total / _timed(functools.partial(run, workload))
                    best[name][way] = max(best[name].get(way, 0.0), rate)
        single.close()
        memory = _memory(vector, async_env)
    finally:
        single.close()
        vector.close()
        async_env.close()
    results: dict[str, Any] = {}
    for name, rates in best.items():
        results[name] = {
            **{f"{way}_steps_per_s": rate for way, rate in rates.items()},
            "vector_vs_one": rates["vector"] / rates["one_env"],
            "vector_vs_async": rates["vector"] / rates["async"],
            "vector_vs_threads": rates["vector"] / rates["threads"],
        }
    results["own_actions"]["lockstep_bound"] = workloads["own_actions"].lockstep_bound()
    results["memory"] = memory
    results["setup"] = {
        "uri": uri, "env_id": ENV_ID, "num_envs": num_envs, "steps": steps, "seed": seed,
        "episode": episode, "rounds": rounds,
        # Other work on the machine takes cores from the parallel runs: judge ratios by it.
        "load_average_before": load_before, "load_average_after": os.getloadavg()[0],
    }  # fmt: skip
    return results


def _memory(vector: compiler_env.CompilerVectorEnv, async_env: Any) -> dict[str, Any]:
    """The resident memory behind each vector env (the client process counted in both)."""
    children = _children()
    client = _rss_mib(os.getpid())
    local = services.LOCAL.current
    assert local is not None, "the vector env's local service is running"
    ours = {
        "clients_mib": client,
        "services_mib": _tree_mib(local.process.pid, children),
        "session_workers_mib": sum(_rss_mib(e.session_info.worker_pid) for e in vector.envs),
    }
    subprocesses = [process.pid for process in async_env.processes]
    theirs = {
        "clients_mib": client + sum(_rss_mib(pid) for pid in subprocesses),
        "services_mib": sum(
            _tree_mib(child, children) for pid in subprocesses for child in children.get(pid, [])
        ),
        "session_workers_mib": sum(
            _rss_mib(info.worker_pid) for info in async_env.get_attr("session_info")
        ),
    }
    for figures in (ours, theirs):
        figures["total_mib"] = figures["clients_mib"] + figures["services_mib"]
    return {
        "vector": ours,
        "async": theirs,
        "vector_vs_async": ours["total_mib"] / theirs["total_mib"],
    }


if __name__ == "__main__":
    import json

    print(json.dumps(vector_costs(), indent=2))
