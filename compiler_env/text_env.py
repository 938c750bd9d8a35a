"""A text interface for language-model agents: IR text in, pass lists out.

``TextEnv`` (id ``llvm-text-v0``) observes the program as IR text within a
budget of characters (``compiler_env.text_view``) and takes a string of passes
per step (``compiler_env.text_actions``). ``tool_schema()`` describes the same
interface as function-calling tools, and ``TextEnv.call_tool`` runs one call
and answers in JSON, so an agent framework needs no glue. See docs/text_env.md.
"""

from __future__ import annotations

import json
from collections import deque
from typing import Any, Literal, SupportsFloat

import gymnasium
from gymnasium import spaces

from compiler_env.env import CompilerEnv
from compiler_env.text_actions import parse_actions
from compiler_env.text_view import CHARSET, MIN_BUDGET, ir_view, summary
from service.proto.errors import CompilerEnvError, InvalidAction, InvalidArgument

__all__ = ["DEFAULT_BUDGET", "MAX_ACTION_LENGTH", "TextEnv", "tool_schema"]

#: The default observation budget, in characters (about 4,000 tokens of IR).
DEFAULT_BUDGET = 16_000
#: The longest action text.
MAX_ACTION_LENGTH = 4_000
_OBSERVE = ("ir", "summary", "instruction_count", "reward", "commandline")


def tool_schema() -> list[dict[str, Any]]:
    """The env's tools in the common function-calling format.

    A list of ``{"type": "function", "function": {"name", "description",
    "parameters"}}``, ``parameters`` being JSON Schema: ``observe``,
    ``apply_passes``, ``undo`` and ``reward``.
    """

    def tool(name: str, description: str, properties: dict[str, Any]) -> dict[str, Any]:
        parameters = {
            "type": "object",
            "properties": properties,
            "required": list(properties),
            "additionalProperties": False,
        }
        return {
            "type": "function",
            "function": {"name": name, "description": description, "parameters": parameters},
        }

    return [
        tool(
            "observe",
            "Look at the program being optimized, without changing it.",
            {
                "what": {
                    "type": "string",
                    "enum": list(_OBSERVE),
                    "description": (
                        "ir: the LLVM IR text (within the env's character budget: large modules "
                        "show the largest functions in full and summarize the rest); summary: each "
                        "function's signature and instruction count; instruction_count: the "
                        "module's IR instructions; reward: the episode's reward so far; "
                        "commandline: the opt command that reproduces the episode"
                    ),
                },
            },
        ),
        tool(
            "apply_passes",
            (
                "Apply LLVM optimization passes to the program, in order, as one step. Each "
                "pass must be one of the env's actions. An invalid text changes nothing and "
                "returns an error."
            ),
            {
                "passes": {
                    "type": "string",
                    "description": (
                        "pass names separated by spaces or commas ('mem2reg instcombine "
                        "simplifycfg'), or an opt pipeline of them "
                        "('function(sroa,instcombine),globaldce')"
                    ),
                },
            },
        ),
        tool("undo", "Take back the last apply_passes step.", {}),
        tool(
            "reward",
            (
                "The episode's reward so far and the program's size against clang -Oz: a "
                "reward of 1.0 matches -Oz's reduction of IR instructions, above 1.0 beats it."
            ),
            {},
        ),
    ]


class TextEnv(gymnasium.Env[str, str]):
    """Phase ordering through text: the observation is IR, the action a pass list.

    A ``gymnasium.Env`` that owns a ``CompilerEnv`` rather than a wrapper over
    one: its observation and action spaces are its own, ``undo`` replaces the
    episode's ``CompilerEnv`` by a fork, and ``call_tool`` must be reachable as
    ``env.unwrapped.call_tool`` through ``gymnasium.make``'s stack, which a
    wrapper's ``unwrapped`` (the ``CompilerEnv``) would hide. The episode's own
    env is ``env.compiler``.

    The observation is the IR within ``budget`` characters (``Text`` of
    ``CHARSET``); the action, a string of passes (docs/text_env.md, "Actions")
    applied as one ``multistep``. A text that is not valid (unknown pass, wrong
    adaptor, malformed, not a string) changes nothing: the step returns the
    current IR headed by an ``; error:`` line, reward 0, and the message in
    ``info["error"]``, so an agent can read its mistake and try again. A pass
    that fails in the compiler on every try ends the episode as ``CompilerEnv``
    does (``truncated``, ``info["error"]``).

    >>> with TextEnv(benchmark="benchmark://kernels-v0/crc32") as env:
    ...     ir, _ = env.reset()
    ...     ir, reward, _, _, info = env.step("mem2reg instcombine")
    ...     reward > 0, "error" in info
    (True, False)

    Args:
        benchmark: the program (a URI or ``Benchmark``).
        reward_space: the reward (default ``IrInstructionCountOz``).
        budget: the most characters of an observation (at least ``MIN_BUDGET``).
        undo_depth: how many steps ``undo`` can take back (a fork is kept per step).
        **kwargs: further ``CompilerEnv`` arguments (``service``, ``action_space``...).
    """

    metadata = {"render_modes": ["ansi"]}

    def __init__(
        self,
        benchmark: str | Any = None,
        reward_space: str | Any = "IrInstructionCountOz",
        budget: int = DEFAULT_BUDGET,
        undo_depth: int = 16,
        **kwargs: Any,
    ) -> None:
        if isinstance(budget, bool) or not isinstance(budget, int) or budget < MIN_BUDGET:
            raise InvalidArgument(
                f"budget is a number of characters of at least {MIN_BUDGET}, not {budget!r}"
            )
        if isinstance(undo_depth, bool) or not isinstance(undo_depth, int) or undo_depth < 0:
            raise InvalidArgument(
                f"undo_depth is a number of steps (0 or more), not {undo_depth!r}"
            )
        kwargs.pop("observation_space", None)  # the observation is this env's own
        self.render_mode = kwargs.pop("render_mode", None)
        self.compiler = CompilerEnv(benchmark, reward_space=reward_space, **kwargs)
        self.budget = budget
        self.undo_depth = undo_depth
        charset = "".join(sorted(CHARSET))
        self.observation_space = spaces.Text(budget, min_length=0, charset=charset)
        self.action_space = spaces.Text(MAX_ACTION_LENGTH, min_length=0, charset=charset)
        self._forks: deque[CompilerEnv] = deque()
        self._last = ""

    # -- the gymnasium interface ----------------------------------------------------

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[str, dict[str, Any]]:
        super().reset(seed=seed)
        _, info = self.compiler.reset(seed=seed, options=options)
        self._close_forks()
        self._last = self._view()
        return self._last, info

    def step(self, action: str) -> tuple[str, SupportsFloat, bool, bool, dict[str, Any]]:
        """Applies the passes of a text as one step (see the class docstring)."""
        try:
            actions = self.parse(action)
        except InvalidAction as error:
            return self._refused(str(error)), 0.0, False, False, {"error": str(error)}
        fork = self.compiler.fork() if self.undo_depth else None
        _, reward, terminated, truncated, info = self.compiler.multistep(actions)
        if fork is not None and "error" in info:
            fork.close()
        elif fork is not None:
            self._forks.append(fork)
            while len(self._forks) > self.undo_depth:
                self._forks.popleft().close()
        info = {**info, "passes": [self.compiler.action_space.names[a] for a in actions]}
        self._last = self._view()
        return self._last, reward, terminated, truncated, info

    def parse(self, text: Any) -> list[int]:
        """The ``action_space`` indices of the ``CompilerEnv`` that a text names.

        Raises:
            InvalidAction: the text is not a valid action (the message says why).
        """
        if isinstance(text, str) and len(text) > MAX_ACTION_LENGTH:
            raise InvalidAction(f"the action is over {MAX_ACTION_LENGTH} characters")
        space = self.compiler.action_space
        return [space.of_table(i) for i in parse_actions(text, space, self.compiler.action_table)]

    def _view(self) -> str:
        return ir_view(self.compiler.observation["Ir"], self.budget)

    def _refused(self, error: str) -> str:
        head = f"; error: {error}".replace("\n", " ")[: self.budget // 4]
        view = ir_view(self.compiler.observation["Ir"], self.budget - len(head) - 1)
        return ir_view(f"{head}\n{view}", self.budget)

    def undo(self) -> str:
        """Takes back the last step; returns the IR view of the state before it.

        Raises:
            InvalidAction: there is no step to take back.
        """
        if not self._forks:
            raise InvalidAction(
                "nothing to undo: no step since the reset, or the last "
                f"{self.undo_depth} were undone already"
            )
        self.compiler.close()
        self.compiler = self._forks.pop()
        self._last = self._view()
        return self._last

    @property
    def episode_reward(self) -> float:
        """The sum of the episode's rewards."""
        return self.compiler.episode_reward

    def commandline(self) -> str:
        """The ``opt`` command of the episode (``CompilerEnv.commandline``)."""
        return self.compiler.commandline()

    def render(self) -> str | None:  # type: ignore[override, unused-ignore]
        return self._last

    def _close_forks(self) -> None:
        while self._forks:
            self._forks.pop().close()

    def close(self) -> None:
        self._close_forks()
        self.compiler.close()

    def __enter__(self) -> TextEnv:
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        self.close()
        return False

    # -- the tools ---------------------------------------------------------------------

    def call_tool(self, name: str, arguments: dict[str, Any] | str | None = None) -> str:
        """Runs one tool call of ``tool_schema()``; returns its result as a JSON string.

        Args:
            name: the tool's name.
            arguments: its arguments, as a dict or the JSON text of one.

        Returns:
            A JSON object: the result, or ``{"error": message}`` for an unknown tool,
            bad arguments or a failed call (never an exception).
        """
        try:
            result = self._call(name, _arguments(arguments))
        except (CompilerEnvError, ValueError, TypeError) as error:
            result = {"error": str(error)}
        return json.dumps(result)

    def _call(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        tools = {t["function"]["name"]: t["function"] for t in tool_schema()}
        if name not in tools:
            raise InvalidArgument(f"unknown tool {name!r}; the tools: {', '.join(tools)}")
        expected = tools[name]["parameters"]["properties"]
        unknown = sorted(set(arguments) - set(expected))
        missing = sorted(set(expected) - set(arguments))
        if unknown or missing:
            raise InvalidArgument(
                f"{name} takes {', '.join(expected) or 'no arguments'}"
                + (f"; unknown: {', '.join(unknown)}" if unknown else "")
                + (f"; missing: {', '.join(missing)}" if missing else "")
            )
        if name == "observe":
            return self._observe(arguments["what"])
        if name == "apply_passes":
            _, reward, _, truncated, info = self.step(arguments["passes"])
            if "error" in info:
                return {"error": info["error"], "changed": False}
            return {
                "applied": info["passes"],
                "reward": float(reward),
                "episode_reward": self.episode_reward,
                "truncated": truncated,
                "instruction_count": self.compiler.observation["IrInstructionCount"],
            }
        if name == "undo":
            self.undo()
            return {
                "undone": True,
                "episode_reward": self.episode_reward,
                "instruction_count": self.compiler.observation["IrInstructionCount"],
            }
        return self._reward()

    def _observe(self, what: Any) -> dict[str, Any]:
        if what == "ir":
            return {"ir": self._view()}
        if what == "summary":
            return {"summary": summary(self.compiler.observation["Ir"])}
        if what == "instruction_count":
            return {"instruction_count": self.compiler.observation["IrInstructionCount"]}
        if what == "reward":
            return {"episode_reward": self.episode_reward}
        if what == "commandline":
            return {"commandline": self.commandline()}
        raise InvalidArgument(f"observe what={what!r}: one of {', '.join(_OBSERVE)}")

    def _reward(self) -> dict[str, Any]:
        count = self.compiler.observation["IrInstructionCount"]
        oz = self.compiler.observation["IrInstructionCountOz"]
        start = self.compiler.observation["IrInstructionCountO0"]
        reward = self.compiler.reward_space
        return {
            "episode_reward": self.episode_reward,
            "reward_space": reward.name if reward is not None else None,
            "instruction_count": count,
            "oz_instruction_count": oz,
            "start_instruction_count": start,
            "vs_oz": (start - count) / (start - oz) if start != oz else None,
        }


def _arguments(arguments: dict[str, Any] | str | None) -> dict[str, Any]:
    """A tool call's arguments as a dict (from JSON text if need be)."""
    if arguments is None or arguments == "":
        return {}
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments)
        except json.JSONDecodeError as error:
            raise InvalidArgument(f"the arguments are not JSON: {error}") from error
    if not isinstance(arguments, dict):
        raise InvalidArgument(f"the arguments are a JSON object, not {arguments!r:.80}")
    return arguments
