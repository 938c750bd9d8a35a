"""``env.observation[...]`` and ``env.reward[...]``: any space, computed on demand."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compiler_env.rewards import Reward, make_reward

if TYPE_CHECKING:
    from compiler_env.env import CompilerEnv

__all__ = ["ObservationView", "RewardView"]


class ObservationView:
    """Computes observation spaces of the current program by name.

    ``env.observation["Ir"]`` asks the service for that space now, without
    applying an action; ``env.observation.spaces`` lists every space.
    """

    def __init__(self, env: CompilerEnv) -> None:
        self._env = env

    @property
    def spaces(self) -> dict[str, Any]:
        return self._env.observation_spaces

    def __getitem__(self, name: str) -> Any:
        return self._env.compute_observations([name])[name]

    def __iter__(self) -> Any:
        return iter(self.spaces)

    def __contains__(self, name: object) -> bool:
        return name in self.spaces


class RewardView:
    """Computes reward spaces on demand, each with its own state.

    ``env.reward[name]`` returns what that reward space gives for the change
    since the previous ``env.reward[name]`` of the episode, or since the
    episode's start on its first use (for the built-in spaces; a custom reward
    starts from its first use). ``reset()`` starts every space afresh.
    """

    def __init__(self, env: CompilerEnv) -> None:
        self._env = env
        self._rewards: dict[str, Reward] = {}

    def clear(self) -> None:
        self._rewards.clear()

    def __getitem__(self, name: str | Reward) -> float:
        key = name if isinstance(name, str) else name.name
        reward = self._rewards.get(key)
        if reward is None:
            reward = make_reward(name)
            baselines = self._env.compute_observations(list(reward.baselines))
            start = getattr(reward, "start_from", None)
            if start is not None:
                initial = {reward.observations[0]: baselines[start]}
            else:
                initial = self._env.compute_observations(list(reward.observations))
            reward.reset(baselines, initial)
            self._rewards[key] = reward  # only once it is ready
        return reward.update(self._env.compute_observations(list(reward.observations)))
