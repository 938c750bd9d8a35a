"""The RLlib example trains one short iteration of PPO through ray.tune.register_env."""

from __future__ import annotations

import math

import numpy as np
import rllib_ppo


def test_one_short_iteration_of_ppo_trains(local_ray) -> None:
    env = rllib_ppo.make_env({"steps": 5, "programs": 2})
    try:
        assert env.observation_space.dtype == np.float32  # what RLlib's networks take
        assert env.action_space.n == len(rllib_ppo.PASSES) + 1  # and "stop"
    finally:
        env.close()
    algo = rllib_ppo.build(short=True, env_runners=0)
    try:
        result = algo.train()
    finally:
        algo.stop()
    runners = result["env_runners"]
    assert runners["num_env_steps_sampled_lifetime"] >= 64
    assert math.isfinite(runners["episode_return_mean"])
