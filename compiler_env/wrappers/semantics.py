"""``SemanticsGuard``: an episode that ends with a broken program scores a penalty.

``SemanticsGuard`` keeps a learning agent honest: at the end of each episode it
checks that the optimized program still behaves as the unoptimized one, and
gives an episode whose program is broken the return ``penalty`` (so that no
agent can learn to exploit a miscompile), with ``info["miscompiled"]``.
"""

from __future__ import annotations

from typing import Any, SupportsFloat

import gymnasium

__all__ = ["SemanticsGuard"]


class SemanticsGuard(gymnasium.Wrapper[Any, Any, Any, Any], gymnasium.utils.RecordConstructorArgs):
    """Validates the program's semantics when an episode ends.

    Put it outside the wrapper that ends episodes (``TimeLimit``), so that it
    sees the end::

        env = SemanticsGuard(gymnasium.wrappers.TimeLimit(env, 50), penalty=-1.0)

    On the step that ends an episode (``terminated`` or ``truncated``), the
    program is built and run (``SemanticsError``; a benchmark that is not
    runnable is not checked). If it misbehaves, or if a step already found it
    broken, ``info["miscompiled"]`` is True, ``info["semantics_error"]`` says
    how, and the step's reward is changed so that the episode's return is
    ``penalty``. Otherwise ``info["miscompiled"]`` is False. The check builds and
    runs the program once per episode (tens of milliseconds to a second).

    Args:
        env: a compiler_env env, or a wrapper of one.
        penalty: the return of an episode whose program is broken.
    """

    def __init__(self, env: gymnasium.Env[Any, Any], penalty: float = -1.0) -> None:
        gymnasium.utils.RecordConstructorArgs.__init__(self, penalty=penalty)
        super().__init__(env)
        self.penalty = float(penalty)
        self.episode_return = 0.0

    def reset(self, **kwargs: Any) -> tuple[Any, dict[str, Any]]:
        self.episode_return = 0.0
        return self.env.reset(**kwargs)

    def step(self, action: Any) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        observation, reward, terminated, truncated, info = self.env.step(action)
        self.episode_return += float(reward)
        if terminated or truncated:
            info = dict(info)
            why = info.get("error", "") if info.get("miscompiled") else self._semantics_error()
            info["miscompiled"] = bool(why)
            if why:
                info["semantics_error"] = why
                reward = float(reward) - self.episode_return + self.penalty
                self.episode_return = self.penalty
        return observation, reward, terminated, truncated, info

    def _semantics_error(self) -> str:
        program = self.env.unwrapped
        if not program.observation["IsRunnable"]:  # type: ignore[attr-defined]
            return ""
        return str(program.observation["SemanticsError"])  # type: ignore[attr-defined]
