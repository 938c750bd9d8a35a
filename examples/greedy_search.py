"""Greedy search for a short pass sequence that shrinks each benchmark's IR.

At every step, try each action on the current sequence and keep the one that
removes the most instructions; stop when none helps. Prints, per benchmark, the
instruction count reached and the episode's IrInstructionCountOz reward (1.0
means as small as clang's own -Oz; above 1.0 is smaller than -Oz).

    python examples/greedy_search.py --benchmarks 3 --steps 8
"""

from __future__ import annotations

import argparse
import sys
import time

import compiler_env


def greedy(env: compiler_env.CompilerEnv, scratch: compiler_env.CompilerEnv, steps: int) -> None:
    """Extends ``env``'s episode greedily, using ``scratch`` to try candidates."""
    for _ in range(steps):
        best, best_count = None, env.observation["IrInstructionCount"]
        for action in range(env.action_space.n):
            scratch.reset(options={"benchmark": env.benchmark})
            count, *_ = scratch.multistep([*env.actions, action])
            if count < best_count:
                best, best_count = action, count
        if best is None:
            return
        env.step(best)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--benchmarks", type=int, default=3, help="how many kernels-v0 programs")
    parser.add_argument("--steps", type=int, default=8, help="greedy steps per benchmark")
    args = parser.parse_args()
    with compiler_env.make("llvm-ic-v0", observation_space="IrInstructionCount") as env:
        scratch = compiler_env.make("llvm-v0", observation_space="IrInstructionCount")
        uris = env.datasets["kernels-v0"].benchmark_uris()[: args.benchmarks]
        print(f"{env.compiler_version}, {env.action_space.n} actions, {len(uris)} benchmarks")
        rewards = []
        for i, uri in enumerate(uris, 1):
            started = time.monotonic()
            start, _ = env.reset(options={"benchmark": uri})
            greedy(env, scratch, args.steps)
            oz = env.observation["IrInstructionCountOz"]
            rewards.append(env.episode_reward)
            print(
                f"[{i}/{len(uris)}] {uri}: {start} -> {env.observation['IrInstructionCount']} "
                f"instructions (-Oz: {oz}), reward {env.episode_reward:.3f} vs -Oz, "
                f"{time.monotonic() - started:.1f} s\n    {env.commandline()}",
                flush=True,
            )
        scratch.close()
    mean = sum(rewards) / len(rewards)
    print(f"mean IrInstructionCountOz episode reward: {mean:.3f} (1.0 = as small as -Oz)")
    return 0 if mean > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
