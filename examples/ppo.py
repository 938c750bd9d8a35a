"""PPO from stable-baselines3 learns a pass order on Csmith programs; kernels-v0 tests it.

The agent trains on ``llvm-autophase-ic-v0`` (Autophase features, reward
``IrInstructionCountOz``: an episode's rewards sum to 1.0 when it shrinks the
program as much as clang's ``-Oz``) over programs of csmith-v0's train split,
then runs on the held-out programs of kernels-v0, the test set, which it never
saw. Everything between the env and PPO is a choice of wrappers:

- ``RandomBenchmarks``: a new training program at each reset;
- ``ActionSubset``: the passes ``-Oz`` runs most (``PASSES``), not all of them:
  the passes that only help on rare programs, or only hurt code size
  (unrolling, vectorizing), make exploration slow;
- ``NormalizedFeatures``: features as proportions of the program's size, so that
  programs of 50 and 5,000 instructions look alike to the network;
- ``ActionHistory``: how often each pass ran this episode. Without it the
  observation alone cannot say what was done already, and a deterministic
  policy tends to repeat one pass to the end of the episode.

Episodes are 10 passes long (``gymnasium.make``'s ``max_episode_steps``): long
enough to come near ``-Oz`` on these programs, short enough that which pass comes
first matters. docs/examples.md has the full mode's numbers and what else was tried.

It prints the mean held-out episode reward of the deterministic policy and of
uniformly random actions (the same passes, episode length and programs, seeded),
and writes a learning curve (``ppo-learning-curve.png``) and the evaluation
episodes as a CompilerEnvState CSV (``ppo-states.csv``, which
``compiler-env validate`` replays and checks), and saves the trained model
(``ppo-model.zip``), which ``leaderboard_policy`` runs on a leaderboard task:

    cd examples && compiler-env leaderboard run llvm_speed --policy ppo:leaderboard_policy \\
        --option model=ppo-model.zip --name PPO --budget "10 passes" --output ppo-speed

    python examples/ppo.py                  # the full mode: 20,000 steps, all of kernels-v0
    python examples/ppo.py --short          # 256 steps, three test programs: a smoke test
    python examples/ppo.py --timesteps 50000 --output-dir results/
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import gymnasium
import numpy as np

import compiler_env
from compiler_env.wrappers import (
    ActionHistory,
    ActionSubset,
    BenchmarksOnce,
    NormalizedFeatures,
    RandomBenchmarks,
)

if TYPE_CHECKING:
    from stable_baselines3 import PPO  # imported when training, so that --help is quick

ENV_ID = "compiler_env/llvm-autophase-ic-v0"
#: The passes of clang's -Oz pipeline that it runs most, plus mem2reg and inline.
PASSES = (
    "sroa", "mem2reg", "instcombine", "simplifycfg", "early-cse", "gvn", "dse", "adce",
    "jump-threading", "correlated-propagation", "sccp", "reassociate", "licm", "loop-rotate",
    "loop-deletion", "indvars", "inline", "globalopt", "globaldce", "function-attrs",
)  # fmt: skip
TEST_SET = "kernels-v0"
TRAIN_SET = "csmith-v0"

Policy = Callable[[np.ndarray], int]


@dataclass(frozen=True)
class Config:
    """What a run does; the defaults are the full mode.

    Attributes:
        timesteps: PPO's training steps (passes applied).
        episode_length: passes per episode, in training and evaluation.
        train_programs: how many programs of csmith-v0's train split to draw from
            (seeds 0 to ``train_programs - 1``; a Csmith program is generated and
            compiled at its first use, then cached).
        test_programs: how many kernels-v0 programs to evaluate on (None: all).
        n_envs: PPO's sub-envs (stable-baselines3's ``DummyVecEnv``).
        n_steps: PPO's rollout length per sub-env.
        seed: the seed of PPO, of the training programs' draws and of the random actions.
    """

    timesteps: int = 20_000
    episode_length: int = 10
    train_programs: int = 100
    test_programs: int | None = None
    n_envs: int = 1
    n_steps: int = 512
    seed: int = 0


SHORT = Config(timesteps=256, train_programs=4, test_programs=3, n_steps=128)


def wrapped(env: gymnasium.Env[Any, Any]) -> gymnasium.Env[Any, Any]:
    """The observation and action wrappers, the same in training and evaluation."""
    return ActionHistory(NormalizedFeatures(ActionSubset(env, PASSES)))


def make_env(config: Config, **kwargs: Any) -> gymnasium.Env[Any, Any]:
    """``gymnasium.make`` of the id, with the run's episode length (``kwargs``: e.g.
    ``service=``, passed to the env)."""
    return gymnasium.make(ENV_ID, max_episode_steps=config.episode_length, **kwargs)


def training_env(config: Config, programs: Sequence[str], **kwargs: Any) -> gymnasium.Env[Any, Any]:
    """A training env: a program drawn from ``programs`` at each reset, wrapped.

    It goes without Gymnasium's passive checker: when the first reset the checker
    sees raises (a Csmith program that cannot be used, which ``RandomBenchmarks``
    passes over), gymnasium 1.4's checker fails at the first step.
    """
    env = make_env(config, disable_env_checker=True, **kwargs)
    return wrapped(RandomBenchmarks(env, programs))


def train(config: Config, monitor_dir: Path, **kwargs: Any) -> PPO:
    """Trains PPO on csmith-v0's train split; each sub-env's episodes go to a Monitor
    CSV in ``monitor_dir`` (the learning curve). PPO prints its statistics after
    each rollout of ``n_steps`` steps (``ep_rew_mean``: the mean training episode
    reward)."""
    from stable_baselines3 import PPO
    from stable_baselines3.common.env_util import make_vec_env

    probe = make_env(config, **kwargs)
    programs = probe.unwrapped.datasets[TRAIN_SET].split("train")[: config.train_programs]
    probe.close()

    envs = make_vec_env(
        functools.partial(training_env, config, programs, **kwargs),
        n_envs=config.n_envs,
        seed=config.seed,
        monitor_dir=str(monitor_dir),
    )
    model = PPO(
        "MlpPolicy", envs, n_steps=config.n_steps, batch_size=64, n_epochs=10, gamma=0.99,
        learning_rate=1e-3, ent_coef=0.01, seed=config.seed, device="cpu", verbose=1,
    )  # fmt: skip
    model.learn(total_timesteps=config.timesteps, progress_bar=False)
    envs.close()
    return model


class Episode(NamedTuple):
    """An evaluation episode: the state it ended in and the names of its passes."""

    state: compiler_env.CompilerEnvState
    passes: list[str]


def evaluate(
    env: gymnasium.Env[Any, Any], benchmarks: Sequence[str], policy: Policy
) -> list[Episode]:
    """One episode of ``policy`` on each benchmark, in order."""
    env = BenchmarksOnce(env, benchmarks)
    names = env.unwrapped.action_space.names
    episodes = []
    while not env.exhausted:
        observation, _ = env.reset()
        done = False
        while not done:
            observation, _, terminated, truncated, _ = env.step(policy(observation))
            done = terminated or truncated
        episodes.append(Episode(env.unwrapped.state, [names[a] for a in env.unwrapped.actions]))
    return episodes


def deterministic(model: PPO) -> Policy:
    """The trained policy's most likely action."""
    return lambda observation: int(model.predict(observation, deterministic=True)[0])


def random_actions(n: int, seed: int) -> Policy:
    """Uniformly random actions of ``Discrete(n)``, seeded."""
    rng = np.random.default_rng(seed)
    return lambda observation: int(rng.integers(n))


def plot_learning_curve(monitor_dir: Path, path: Path, window: int = 50) -> None:
    """Training episode rewards against steps (all sub-envs), with a moving mean."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from stable_baselines3.common.monitor import load_results
    from stable_baselines3.common.results_plotter import X_TIMESTEPS, ts2xy

    steps, rewards = ts2xy(load_results(str(monitor_dir)), X_TIMESTEPS)
    figure, axes = plt.subplots(figsize=(7, 4))
    axes.plot(steps, rewards, ".", alpha=0.25, label="episode")
    if len(rewards) >= 2:
        width = min(window, len(rewards))
        mean = np.convolve(rewards, np.ones(width) / width, mode="valid")
        axes.plot(steps[width - 1 :], mean, label=f"mean of {width}")
    axes.axhline(1.0, color="gray", linestyle="--", label="-Oz")
    axes.set_xlabel("training steps")
    axes.set_ylabel("episode reward (IrInstructionCountOz)")
    axes.set_title(f"PPO on {TRAIN_SET} train programs")
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


@functools.cache
def load_model(path: str) -> PPO:
    """A model ``run`` saved (``ppo-model.zip``), loaded once per process."""
    from stable_baselines3 import PPO

    return PPO.load(path, device="cpu")


def leaderboard_policy(
    env: compiler_env.CompilerEnv, model: str = "ppo-model.zip", service: str | None = None
) -> None:
    """A policy for ``compiler-env leaderboard run``: the saved agent's deterministic
    episode on the env's benchmark.

    The agent sees what it saw in training (normalized Autophase features and its
    pass counts), whatever the task's env observes: it chooses its passes in an
    env of its own on the same benchmark (on ``service``, or a local one), and
    they are then applied to ``env``.
    """
    with make_env(Config(), service=service) as own:
        episode = evaluate(wrapped(own), [str(env.benchmark)], deterministic(load_model(model)))
    env.multistep([env.action_space.index(name) for name in episode[0].passes])


def mean_reward(episodes: Sequence[Episode]) -> float:
    """The mean episode reward of episodes."""
    return float(np.mean([e.state.reward or 0.0 for e in episodes]))


def run(config: Config, output_dir: Path, **kwargs: Any) -> dict[str, float]:
    """Trains, plots, evaluates and writes the states; returns the two mean rewards.

    ``kwargs`` go to every env (e.g. ``service=`` an address).
    """
    started = time.monotonic()
    output_dir.mkdir(parents=True, exist_ok=True)
    monitor_dir = output_dir / "ppo-monitor"
    monitor_dir.mkdir(exist_ok=True)
    for old in monitor_dir.glob("*.monitor.csv"):
        old.unlink()
    model = train(config, monitor_dir, **kwargs)
    model.save(output_dir / "ppo-model.zip")
    trained = time.monotonic()
    plot_learning_curve(monitor_dir, output_dir / "ppo-learning-curve.png")
    with make_env(config, **kwargs) as env:
        test = env.unwrapped.datasets[TEST_SET].split("test")[: config.test_programs]
        policy = evaluate(wrapped(env), test, deterministic(model))
        random = evaluate(wrapped(env), test, random_actions(len(PASSES), config.seed))
    compiler_env.write_states(output_dir / "ppo-states.csv", [e.state for e in policy])
    results = {"policy": mean_reward(policy), "random": mean_reward(random)}
    for p, r in zip(policy, random):
        print(f"{p.state.benchmark:40} policy {p.state.reward:6.3f}  random {r.state.reward:6.3f}"
              f"  policy's passes: {' '.join(p.passes)}")  # fmt: skip
    print(
        f"held-out {TEST_SET} ({len(test)} programs, {config.episode_length} passes each), mean "
        f"IrInstructionCountOz episode reward (1.0 = -Oz): deterministic policy "
        f"{results['policy']:.3f}, random actions {results['random']:.3f}"
    )
    print(
        f"wall time {time.monotonic() - started:.0f} s ({trained - started:.0f} s training, "
        f"{config.timesteps} steps); wrote {output_dir / 'ppo-learning-curve.png'}, "
        f"{output_dir / 'ppo-states.csv'} and {output_dir / 'ppo-model.zip'}",
        flush=True,
    )
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="a few hundred steps, 3 programs")
    defaults = Config()
    parser.add_argument("--timesteps", type=int, help=f"training steps ({defaults.timesteps})")
    parser.add_argument("--episode-length", type=int, help=f"({defaults.episode_length})")
    parser.add_argument("--train-programs", type=int, help=f"({defaults.train_programs})")
    parser.add_argument("--test-programs", type=int, help="(all of kernels-v0)")
    parser.add_argument("--n-envs", type=int, help=f"PPO's sub-envs ({defaults.n_envs})")
    parser.add_argument("--seed", type=int, help=f"({defaults.seed})")
    parser.add_argument("--output-dir", type=Path, default=Path("."), help="where files go (.)")
    args = parser.parse_args(argv)
    config = SHORT if args.short else defaults
    given = {
        name: getattr(args, name)
        for name in ("timesteps", "episode_length", "train_programs", "test_programs", "n_envs",
                     "seed")
        if getattr(args, name) is not None
    }  # fmt: skip
    for name, value in given.items():
        if value < (0 if name == "seed" else 1):
            parser.error(f"--{name.replace('_', '-')} must be positive, not {value}")
    run(dataclasses.replace(config, **given), args.output_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
