"""Measurements: env costs next to the bare LLVM work, memory, and throughput."""

from __future__ import annotations

import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import compiler_env
from compiler_env.spaces import decode
from service import benchmarks
from service.llvm import features
from service.llvm.actions import load_actions
from service.llvm.module import Context, Module, host_target_machine
from service.llvm.toolchain import find_toolchain
from service.proto import compiler_env_pb2 as pb
from service.worker import Worker

__all__ = ["measure_benchmark", "memory", "throughput"]

# Passes that crash LLVM 19 on some of the benchmarks: left out of timed sequences.
CRASHERS = ("loop-bound-split",)
OBSERVATIONS = ("IrInstructionCount", "InstCount", "Autophase", "IrSha1", "Ir", "Bitcode",
                "ObjectTextSizeBytes", "ProgramlArrays", "Programl", "ProgramlJson",
                "IrTokens")  # fmt: skip


def action_sequence(length: int, seed: int) -> list[int]:
    """A seeded random sequence of passes of the default action space (without the
    crashing ones), as indices of the full table (envs here use ``action_space="full"``)."""
    table = load_actions(find_toolchain().major)
    left_out = set(CRASHERS) | table.unsafe | table.slow
    allowed = [i for i, a in enumerate(table.actions) if a.name not in left_out]
    rng = np.random.default_rng(seed)
    return [int(a) for a in rng.choice(allowed, size=length)]


def _ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1e3


def _time(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _fresh_module(context: Context, uri: str) -> Module:
    # The env starts from its own bitcode of the benchmark; so does the bare run.
    with context.parse(benchmarks.resolve(uri).bitcode) as parsed:
        return context.parse(parsed.to_bitcode())


def bare_steps(uri: str, actions: list[int], reps: int) -> list[float]:
    """Per-step times of the LLVM work alone: the pass in-process, then a native count."""
    table = load_actions(find_toolchain().major)
    samples = []
    with Context() as context:
        for _ in range(reps):
            with _fresh_module(context, uri) as module:
                machine = host_target_machine(module.triple)
                for action in actions:
                    pipeline = table[action].pipeline
                    started = time.perf_counter()
                    module.run_passes(pipeline, machine)
                    features.walk_count(module)
                    samples.append(time.perf_counter() - started)
    return samples


def native_walk(uri: str, actions: list[int], repeat: int) -> float:
    """The median time of one native C-API walk counting the instructions (ms).

    Measured on the benchmark after ``actions``, like the observations.
    """
    table = load_actions(find_toolchain().major)
    with Context() as context, _fresh_module(context, uri) as module:
        module.run_passes(table.pipeline(actions), host_target_machine(module.triple))
        return _ms([_time(lambda: features.walk_count(module)) for _ in range(repeat)])


def opt_subprocess_steps(uri: str, actions: list[int]) -> list[float]:
    """Per-step times of the predecessor style: LLVM's opt run as a subprocess per step."""
    opt = str(find_toolchain().tool("opt"))
    table = load_actions(find_toolchain().major)
    samples = []
    with tempfile.TemporaryDirectory() as tmp, Context() as context:
        current = Path(tmp) / "in.bc"
        with _fresh_module(context, uri) as module:
            current.write_bytes(module.to_bitcode())
        for action in actions:
            out = Path(tmp) / "out.bc"
            started = time.perf_counter()
            subprocess.run(
                [opt, f"-passes={table[action].pipeline}", str(current), "-o", str(out)],
                check=True,
            )
            with context.parse(out.read_bytes()) as module:
                features.instruction_count(module)
            samples.append(time.perf_counter() - started)
            out.replace(current)
    return samples


def env_steps(
    env: compiler_env.CompilerEnv, uri: str, actions: list[int], reps: int
) -> list[float]:
    samples = []
    for _ in range(reps):
        env.reset(options={"benchmark": uri})
        for action in actions:
            samples.append(_time(lambda action=action: env.step(action)))
    return samples


def _decoding_ms(space: Any, observation: pb.Observation, repeat: int) -> float:
    return _ms([_time(lambda: space.convert(decode(observation))) for _ in range(repeat)])


def observation_costs(
    env: compiler_env.CompilerEnv, uri: str, actions: list[int], repeat: int
) -> dict[str, dict[str, float]]:
    """Per space, in ms: the round trip asking for it alone, and what it adds to a request.

    What a space adds is measured without the noise of the round trip: the
    worker's own request handling (in this process) with the space minus
    without it, plus decoding the reply in the client.
    """

    def ask(names: list[str], times: int) -> float:
        return _ms([_time(lambda: env.compute_observations(names)) for _ in range(times)])

    worker = Worker()
    start = pb.StartSessionRequest(benchmark=uri, actions=actions)
    worker.handle(pb.WorkerRequest(start=start))
    worker.episode.baseline("IrInstructionCount", "O0")  # cache the baselines first

    def handle(names: list[str], times: int) -> float:
        request = pb.WorkerRequest(step=pb.StepRequest(observation_spaces=names))
        samples = []
        for _ in range(times):
            assert worker.episode is not None
            worker.episode.forget()  # as after a step: nothing cached
            samples.append(_time(lambda: worker.handle(request)))
        return _ms(samples)

    empty = handle([], repeat)
    costs = {}
    for name in OBSERVATIONS:
        started = time.perf_counter()
        reply = worker.handle(pb.WorkerRequest(step=pb.StepRequest(observation_spaces=[name])))
        # A space that takes more than 50 ms once is timed fewer times: its median is
        # steady enough, and a hundred of them would make the run long.
        times = repeat if time.perf_counter() - started < 0.05 else max(repeat // 10, 5)
        decoding = _decoding_ms(env.observation_spaces[name], reply.step.observations[0], times)
        added = max(handle([name], times) - empty, 0.0) + decoding
        costs[name] = {"alone_ms": ask([name], times), "added_ms": added}
    worker.episode.close()
    return costs


def measure_benchmark(
    label: str, uri: str, *, steps: int, reps: int, opt_steps: int, repeat: int, seed: int = 0
) -> dict[str, Any]:
    """Every per-benchmark figure, with its ratios."""
    actions = action_sequence(steps, seed)
    env = compiler_env.make(
        "llvm-v0", benchmark=uri, observation_space="IrInstructionCount", action_space="full"
    )
    try:
        env.reset()
        instructions = env.observation["IrInstructionCount"]
        bare = bare_steps(uri, actions, reps)
        stepped = env_steps(env, uri, actions, reps)
        env.reset(options={"benchmark": uri})
        env.multistep(actions[: steps // 2])  # observe a module midway through an episode
        walk = native_walk(uri, actions[: steps // 2], repeat)
        observations = observation_costs(env, uri, actions[: steps // 2], repeat)
        reset = _ms([_time(lambda: env.reset(options={"benchmark": uri})) for _ in range(repeat)])
        env.multistep(actions[: steps // 2])
        forks = []
        for _ in range(max(repeat // 10, 5)):
            started = time.perf_counter()
            fork = env.fork()
            forks.append(time.perf_counter() - started)
            fork.close()
    finally:
        env.close()
    opt = opt_subprocess_steps(uri, actions[:opt_steps])
    step_ms, bare_ms, opt_ms = _ms(stepped), _ms(bare), _ms(opt)
    return {
        "name": label,
        "benchmark": uri,
        "instructions": instructions,
        "step_ms": step_ms,
        "bare_step_ms": bare_ms,
        "step_overhead_ms": step_ms - bare_ms,
        "opt_subprocess_step_ms": opt_ms,
        "reset_ms": reset,
        "fork_ms": _ms(forks),
        "native_walk_ms": walk,
        "observations": observations,
        "ratios": {
            "step_vs_bare": step_ms / bare_ms,
            "opt_subprocess_vs_step": opt_ms / step_ms,
            **{
                f"{name}_added_vs_walk": observations[name]["added_ms"] / walk
                for name in ("InstCount", "Autophase")
            },
        },
    }


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def memory(uri: str, steps: int = 1000, warmup: int = 100) -> dict[str, float]:
    """Resident memory of the local service and of a worker: idle, and after ``steps`` steps."""
    from compiler_env import services

    actions = action_sequence(warmup + steps, seed=1)
    with compiler_env.make(
        "llvm-v0", benchmark=uri, observation_space="IrInstructionCount", action_space="full"
    ) as env:
        env.reset()
        assert services.LOCAL.current is not None
        service_pid, worker_pid = services.LOCAL.current.process.pid, env.session_info.worker_pid
        idle = {"service_idle_mib": _rss_mib(service_pid), "worker_idle_mib": _rss_mib(worker_pid)}
        done = 0
        for i, action in enumerate(actions):
            if done % 50 == 0:
                env.reset()  # episodes of 50 steps, as in training
            env.step(action)
            done += 1
            if i + 1 == warmup:
                warm = _rss_mib(worker_pid)
        after = {
            "service_after_mib": _rss_mib(service_pid),
            "worker_warm_mib": warm,
            "worker_after_mib": _rss_mib(worker_pid),
        }
    growth = after["worker_after_mib"] / after["worker_warm_mib"] - 1
    return {**idle, **after, "worker_growth": growth, "steps": steps}


def throughput(uri: str, sessions: int, steps: int) -> float:
    """Aggregate steps per second with ``sessions`` envs stepping at once."""
    actions = action_sequence(steps, seed=2)
    envs = [
        compiler_env.make(
            "llvm-v0", benchmark=uri, observation_space="IrInstructionCount", action_space="full"
        )
        for _ in range(sessions)
    ]
    try:
        for env in envs:
            env.reset()
        barrier = threading.Barrier(sessions + 1)

        def run(env: compiler_env.CompilerEnv) -> None:
            barrier.wait()
            for i, action in enumerate(actions):
                if i % 50 == 0:
                    env.reset()
                env.step(action)

        threads = [threading.Thread(target=run, args=(env,)) for env in envs]
        for thread in threads:
            thread.start()
        barrier.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        return sessions * steps / (time.perf_counter() - started)
    finally:
        for env in envs:
            env.close()
