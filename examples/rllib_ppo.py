"""PPO from RLlib on compiler_env, registered with ``ray.tune.register_env``.

The env is ``llvm-autophase-ic-v0`` with the wrappers an RL library needs and
nothing else: a random training program at each reset (Csmith's train split,
never kernels-v0, the test set), a short list of passes, Autophase features
scaled by the program's size, and the history of the actions taken. Each of
RLlib's env runners makes its own envs, and with them its own compiler service.

    python examples/rllib_ppo.py --iterations 20
    python examples/rllib_ppo.py --address auto --env-runners 8 --iterations 200

``--iterations 1 --short`` is the smoke test the test suite runs.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

import gymnasium
import ray
from ray.rllib.algorithms.ppo import PPOConfig
from ray.tune.registry import register_env

import compiler_env  # noqa: F401  (registers the compiler_env/ ids)
from compiler_env.wrappers import (
    ActionHistory,
    CommandlineActions,
    NormalizedFeatures,
    RandomBenchmarks,
)

ENV_NAME = "compiler_env_ppo"
#: The passes the agent chooses from (and "stop").
PASSES = ("sroa", "mem2reg", "instcombine", "simplifycfg", "early-cse", "gvn", "licm",
          "loop-rotate", "inline", "dce", "dse", "reassociate", "sccp",
          "jump-threading")  # fmt: skip


def make_env(config: dict[str, Any]) -> gymnasium.Env[Any, Any]:
    """The wrapped env of one RLlib env runner (``config`` is RLlib's ``env_config``)."""
    env = gymnasium.make(
        "compiler_env/llvm-autophase-ic-v0", max_episode_steps=config.get("steps", 20)
    )
    train = env.unwrapped.datasets["csmith-v0"].split("train")[: config.get("programs", 50)]
    env = RandomBenchmarks(
        env, train, seed=config.get("seed", 0) + getattr(config, "worker_index", 0)
    )
    return ActionHistory(NormalizedFeatures(CommandlineActions(env, list(PASSES))))


def build(short: bool, env_runners: int, seed: int = 0) -> Any:
    """The PPO algorithm (short: tiny batches, for a smoke test)."""
    register_env(ENV_NAME, make_env)
    batch = 64 if short else 1000
    config = (
        PPOConfig()
        .environment(ENV_NAME, env_config={"steps": 10 if short else 20,
                                           "programs": 4 if short else 50, "seed": seed})
        .env_runners(num_env_runners=env_runners, rollout_fragment_length="auto")
        .training(train_batch_size_per_learner=batch, minibatch_size=min(batch, 128),
                  num_epochs=1 if short else 5, lr=3e-4)
        .debugging(seed=seed)
    )  # fmt: skip
    return config.build_algo()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--address", default=None, help="a Ray cluster to join (default: local)")
    parser.add_argument("--iterations", type=int, default=20, help="training iterations")
    parser.add_argument("--env-runners", type=int, default=0,
                        help="RLlib env runners (0: sample in the driver)")  # fmt: skip
    parser.add_argument("--short", action="store_true", help="tiny batches (a smoke test)")
    args = parser.parse_args(argv)
    if not ray.is_initialized():
        ray.init(address=args.address, include_dashboard=False, log_to_driver=False)
    algo = build(args.short, args.env_runners)
    began = time.monotonic()
    try:
        for iteration in range(1, args.iterations + 1):
            result = algo.train()
            runners = result.get("env_runners", {})
            print(f"iteration {iteration}: mean episode return "
                  f"{runners.get('episode_return_mean', float('nan')):.3f}, "
                  f"{runners.get('num_env_steps_sampled_lifetime', 0)} env steps, "
                  f"{time.monotonic() - began:.0f} s")  # fmt: skip
    finally:
        algo.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
