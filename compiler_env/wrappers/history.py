"""The episode's own actions as part of the observation.

A policy that sees only the program cannot tell which passes it already ran:
a deterministic one that finds a good pass tends to repeat it to the end of the
episode. ``ActionHistory`` appends what the agent did to the observation.
"""

from __future__ import annotations

from collections import deque
from typing import Any, SupportsFloat

import gymnasium
import numpy as np
from gymnasium import spaces

from compiler_env.wrappers.actions import action_index
from service.proto.errors import InvalidArgument

__all__ = ["ActionHistory"]


class ActionHistory(
    gymnasium.Wrapper[np.ndarray, Any, Any, Any], gymnasium.utils.RecordConstructorArgs
):
    """Appends the actions of the episode to the observation: one float32 ``Box``.

    The observation is the wrapped env's (a ``Box``, flattened and cast to
    float32; nothing for an env without an observation space) followed by:

    - ``last=None`` (default): how many times each action was taken this
      episode, ``n`` values (``n`` the number of actions);
    - ``last=k``: the last ``k`` actions, each one-hot over the ``n`` actions,
      oldest first: ``k * n`` values, all zero for the steps not yet taken.

    >>> import compiler_env
    >>> env = ActionHistory(compiler_env.make("llvm-autophase-ic-v0"))
    >>> observation, _ = env.reset()
    >>> observation, _, _, _, _ = env.step(3)
    >>> observation.dtype, observation.shape == (56 + int(env.action_space.n),), observation[56 + 3]
    (dtype('float32'), True, np.float32(1.0))
    >>> env.close()

    Args:
        env: an env with a ``Discrete`` action space.
        last: keep the last ``last`` actions one-hot instead of the counts.
    """

    def __init__(self, env: gymnasium.Env[Any, Any], last: int | None = None) -> None:
        gymnasium.utils.RecordConstructorArgs.__init__(self, last=last)
        super().__init__(env)
        actions = env.action_space
        if not isinstance(actions, spaces.Discrete):
            raise InvalidArgument(f"ActionHistory records Discrete actions, not {actions}")
        if last is not None and (isinstance(last, bool) or not isinstance(last, int) or last < 1):
            raise InvalidArgument(f"last is a positive number of actions or None, not {last!r}")
        self.last = last
        self._n = int(actions.n)
        inner = getattr(env, "observation_space", None)
        if inner is not None and not isinstance(inner, spaces.Box):
            raise InvalidArgument(
                "ActionHistory appends to a Box observation; the wrapped env's "
                f"{getattr(inner, 'name', '') or 'observation'} is a {type(inner).__name__}: "
                "choose a feature vector (observation_space='Autophase' or 'InstCount') or flatten "
                "it first (gymnasium.wrappers.FlattenObservation)"
            )
        self._inner = inner
        low = np.zeros(self._n * (last or 1), dtype=np.float32)
        high = np.full_like(low, 1.0 if last else np.inf)
        if inner is not None:
            low = np.concatenate([inner.low.astype(np.float32).ravel(), low])
            high = np.concatenate([inner.high.astype(np.float32).ravel(), high])
        self.observation_space = spaces.Box(low, high, dtype=np.float32)
        self._counts = np.zeros(self._n, dtype=np.float32)
        self._recent: deque[int] = deque(maxlen=last or 1)

    def _observation(self, observation: Any) -> np.ndarray:
        if self.last is None:
            history = self._counts.copy()
        else:
            history = np.zeros((self.last, self._n), dtype=np.float32)
            offset = self.last - len(self._recent)
            for row, action in enumerate(self._recent):
                history[offset + row, action] = 1.0
            history = history.ravel()
        if self._inner is None:
            return history
        features = np.asarray(observation, dtype=np.float32).ravel()
        return np.concatenate([features, history])

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        observation, info = self.env.reset(seed=seed, options=options)
        self._counts[:] = 0
        self._recent.clear()
        return self._observation(observation), info

    def step(self, action: Any) -> tuple[np.ndarray, SupportsFloat, bool, bool, dict[str, Any]]:
        observation, reward, terminated, truncated, info = self.env.step(action)
        index = action_index(action, self._n)
        self._counts[index] += 1
        self._recent.append(index)
        return self._observation(observation), reward, terminated, truncated, info
