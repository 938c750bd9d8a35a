"""Undoing steps: a fork of the episode is kept before each step."""

from __future__ import annotations

from collections import deque
from typing import Any, SupportsFloat

import gymnasium

from compiler_env.env import CompilerEnv
from service.proto.errors import InvalidArgument

__all__ = ["ForkOnStep"]


class ForkOnStep(gymnasium.Wrapper[Any, Any, Any, Any], gymnasium.utils.RecordConstructorArgs):
    """Keeps a fork of the env before each step, so that ``undo()`` goes back one step.

    Each step first forks the episode (``CompilerEnv.fork``: a session of its
    own, holding a copy of the program), then steps. ``undo()`` closes the
    current env and continues from the fork taken before the last step: the
    program, the action history, ``episode_reward`` and the reward's state are
    as they were, and ``undo()`` returns the observation of that state. The
    last ``depth`` forks are kept (the older ones are closed), so at most
    ``depth`` steps in a row can be undone; a reset closes them all.

    After an ``undo()``, ``env.unwrapped`` is the fork: take it afresh rather
    than keeping the old one. Wrappers outside this one keep their own state
    (a ``TimeLimit`` still counts the undone step).

    >>> import compiler_env
    >>> env = ForkOnStep(compiler_env.make("llvm-ic-v0"))
    >>> _ = env.reset()
    >>> _ = env.step(env.action_space.index("mem2reg"))
    >>> _ = env.undo()
    >>> env.unwrapped.actions
    []
    >>> env.close()

    Args:
        env: a ``CompilerEnv`` itself (``compiler_env.make(...)``); other wrappers
            go outside this one.
        depth: how many forks to keep: the most steps ``undo()`` can take back.
    """

    def __init__(self, env: CompilerEnv, depth: int = 16) -> None:
        if not isinstance(env, CompilerEnv):
            raise InvalidArgument(
                f"ForkOnStep forks a CompilerEnv, not {env}: wrap the env itself, "
                "ForkOnStep(compiler_env.make(...)), and put other wrappers around it "
                "(gymnasium.make gives a stack: use env.unwrapped, then wrap again)"
            )
        if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
            raise InvalidArgument(f"depth is a positive number of forks, not {depth!r}")
        gymnasium.utils.RecordConstructorArgs.__init__(self, depth=depth)
        super().__init__(env)
        self.depth = depth
        self._forks: deque[tuple[CompilerEnv, Any]] = deque()
        self._observation: Any = None

    @property
    def undoable(self) -> int:
        """How many steps ``undo()`` can take back now."""
        return len(self._forks)

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[Any, dict[str, Any]]:
        self._close_forks()
        self._observation, info = self.env.reset(seed=seed, options=options)
        return self._observation, info

    def step(self, action: Any) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        env: CompilerEnv = self.env  # type: ignore[assignment]
        fork = env.fork()
        try:
            result = env.step(action)
        except BaseException:
            fork.close()
            raise
        self._forks.append((fork, self._observation))
        if len(self._forks) > self.depth:
            self._forks.popleft()[0].close()
        self._observation = result[0]
        return result

    def undo(self) -> Any:
        """Goes back to the state before the last step; returns its observation.

        Raises:
            InvalidArgument: there is no step to take back (none since the reset,
                or ``depth`` of them already undone).
        """
        if not self._forks:
            raise InvalidArgument(
                f"no step to undo: none since the reset, or the last {self.depth} (depth) "
                "were undone already"
            )
        fork, self._observation = self._forks.pop()
        self.env.close()
        self.env = fork
        return self._observation

    def _close_forks(self) -> None:
        while self._forks:
            self._forks.pop()[0].close()

    def close(self) -> None:
        self._close_forks()
        super().close()
