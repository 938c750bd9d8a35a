"""Smaller action spaces: a chosen subset of the passes, and a list of passes with a
"stop" action that ends the episode.

Both take pass names (``env.action_space.names``) and give an ``ActionSpace``
of their own, whose ``names``, ``index(name)`` and ``pipelines`` describe the
new indices; each index is mapped to the wrapped env's index of the same pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, SupportsFloat

import gymnasium
import numpy as np

from compiler_env.spaces import ActionSpace
from service.proto.errors import InvalidAction, InvalidArgument

__all__ = ["ActionSubset", "CommandlineActions"]

#: The name of ``CommandlineActions``' last action.
STOP = "stop"


def action_index(action: Any, n: int) -> int:
    """An action of a ``Discrete(n)`` as a Python int (a Python or numpy integer, or a
    0-d integer array, as ``model.predict`` returns), or InvalidAction."""
    value = action[()] if isinstance(action, np.ndarray) and action.shape == () else action
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        if 0 <= int(value) < n:
            return int(value)
    raise InvalidAction(
        f"invalid action {action!r}: expected an integer in 0..{n - 1}; "
        "env.action_space.index(name) maps a pass name to its index"
    )


class ActionSubset(gymnasium.ActionWrapper[Any, Any, Any], gymnasium.utils.RecordConstructorArgs):
    """Only the named passes, as actions ``0..len(passes)-1`` in the order given.

    >>> import compiler_env
    >>> env = ActionSubset(compiler_env.make("llvm-ic-v0"), ["mem2reg", "instcombine"])
    >>> env.action_space.names, int(env.action_space.n)
    (['mem2reg', 'instcombine'], 2)
    >>> env.close()

    Args:
        env: an env whose action space is an ``ActionSpace`` (a compiler_env env,
            or a wrapper that keeps its action space).
        passes: pass names of that space, each once.

    Raises:
        InvalidAction: a name is not an action of ``env`` (the message lists them).
        InvalidArgument: no names, or a name given twice.
    """

    def __init__(self, env: gymnasium.Env[Any, Any], passes: Sequence[str]) -> None:
        gymnasium.utils.RecordConstructorArgs.__init__(self, passes=passes)
        super().__init__(env)
        inner = env.action_space
        if not isinstance(inner, ActionSpace):
            raise InvalidArgument(
                f"{type(self).__name__} chooses among the passes of a compiler_env action "
                f"space; the wrapped env's action space is {inner}: put {type(self).__name__} "
                "nearer to the env than the wrapper that changed it"
            )
        passes = [passes] if isinstance(passes, str) else list(passes)
        if not passes:
            raise InvalidArgument("give at least one pass name, e.g. ['mem2reg', 'instcombine']")
        unknown = [name for name in passes if name not in inner.names]
        if unknown:
            raise InvalidAction(
                f"{', '.join(map(repr, unknown))} is not an action of {inner.name}; its "
                f"actions are env.action_space.names: {', '.join(inner.names)}"
            )
        twice = sorted({name for name in passes if passes.count(name) > 1})
        if twice:
            raise InvalidArgument(f"each pass once: {', '.join(map(repr, twice))} given twice")
        #: Each action's index in the wrapped env's action space.
        self.inner_actions = [inner.index(name) for name in passes]
        self.action_space = self._space(inner, passes)

    def _space(self, inner: ActionSpace, passes: list[str]) -> ActionSpace:
        return ActionSpace(
            f"{inner.name}-subset",
            passes,
            [inner.pipelines[i] for i in self.inner_actions],
            table=[inner.table[i] for i in self.inner_actions],
        )

    def action(self, action: Any) -> int:
        """The wrapped env's index of the pass ``action`` names."""
        return self.inner_actions[action_index(action, len(self.inner_actions))]


class CommandlineActions(ActionSubset):
    """A list of passes plus a last action, ``"stop"``, that ends the episode.

    The action space is ``Discrete(len(passes) + 1)``: ``0..len(passes)-1`` apply
    the passes as given (all of the env's, by default), and ``stop_action``
    (``len(passes)``, ``action_space.index("stop")``) ends the episode without
    changing the program: it returns the last observation again, reward 0,
    ``terminated=True`` and ``info["stopped"]``. The episode is then what
    ``env.unwrapped.commandline()`` says. A limit on the episode's length
    (Gymnasium's ``TimeLimit``) still truncates it.

    Args:
        env: an env whose action space is an ``ActionSpace``.
        passes: pass names of that space, each once (None: all of them).
    """

    def __init__(self, env: gymnasium.Env[Any, Any], passes: Sequence[str] | None = None) -> None:
        gymnasium.utils.RecordConstructorArgs.__init__(self, passes=passes)
        if passes is None:
            inner = env.action_space
            passes = list(inner.names) if isinstance(inner, ActionSpace) else []
        if STOP in passes:
            raise InvalidArgument(f"{STOP!r} is the action that ends the episode, not a pass")
        super().__init__(env, passes)
        #: The index of the ``"stop"`` action.
        self.stop_action = len(self.inner_actions)
        self._observation: Any = None

    def _space(self, inner: ActionSpace, passes: list[str]) -> ActionSpace:
        return ActionSpace(
            f"{inner.name}-commandline",
            [*passes, STOP],
            [*(inner.pipelines[i] for i in self.inner_actions), ""],
            table=[*(inner.table[i] for i in self.inner_actions), -1],
        )

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[Any, dict[str, Any]]:
        self._observation, info = self.env.reset(seed=seed, options=options)
        return self._observation, info

    def step(self, action: Any) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        if action_index(action, self.stop_action + 1) == self.stop_action:
            return self._observation, 0.0, True, False, {"stopped": True}
        observation, reward, terminated, truncated, info = self.env.step(self.action(action))
        self._observation = observation
        return observation, reward, terminated, truncated, info
