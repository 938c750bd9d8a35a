"""Reward spaces: small objects that turn observations into a number.

A reward names the observations it needs once per episode (``baselines``) and
after every step (``observations``); the env fetches them with the step, so a
reward costs no extra round trip. A custom reward is a subclass with two
methods, ``reset`` and ``update``:

>>> class Shrink(Reward):
...     name = "Shrink"
...     observations = ("IrInstructionCount",)
...     def reset(self, baselines, observations):
...         self.last = observations["IrInstructionCount"]
...     def update(self, observations):
...         now = observations["IrInstructionCount"]
...         reward, self.last = self.last - now, now
...         return float(reward)
>>> r = Shrink()
>>> r.reset({}, {"IrInstructionCount": 10})
>>> r.update({"IrInstructionCount": 7})
3.0
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from service.proto.errors import UnknownSpace

__all__ = ["REWARDS", "DeltaReward", "Reward", "make_reward"]


class Reward:
    """The base of reward spaces."""

    name: str = ""
    #: Observation spaces needed after every step.
    observations: tuple[str, ...] = ()
    #: Observation spaces needed once per episode, e.g. baselines.
    baselines: tuple[str, ...] = ()
    deterministic: bool = True
    platform_dependent: bool = False

    def reset(self, baselines: Mapping[str, Any], observations: Mapping[str, Any]) -> None:
        """Starts an episode from its baselines and its initial observations."""
        raise NotImplementedError

    def update(self, observations: Mapping[str, Any]) -> float:
        """The reward for the step that led to these observations."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


class DeltaReward(Reward):
    """The decrease of a measure since the previous step, divided by a scale.

    The scale comes from the episode's baselines: 1 (no scaling), the
    unoptimized value (``Norm``), or the decrease a baseline pipeline achieves
    (``O3``/``Oz``), so that matching that pipeline sums to 1.0 over an episode.
    A baseline that does not decrease the measure scales by 1 instead. A
    measure taken several times (``Runtime``) counts as its median.
    """

    def __init__(self, measure: str, scaling: str = "") -> None:
        self.measure = measure
        self.scaling = scaling
        self.name = f"{_PREFIX[measure]}{scaling}" if scaling else measure
        self.observations = (measure,)
        unoptimized = f"{_PREFIX[measure]}O0"
        # An episode starts from the unoptimized benchmark, so its first value is the O0 baseline.
        self.start_from = unoptimized
        if scaling in ("", "Norm"):
            self.baselines = (unoptimized,)
        else:
            self.baselines = (unoptimized, f"{_PREFIX[measure]}{scaling}")
        self.platform_dependent = measure in ("ObjectTextSizeBytes", "Runtime")
        self.deterministic = measure != "Runtime"
        self.scale = 1.0
        self.previous = 0.0

    def reset(self, baselines: Mapping[str, Any], observations: Mapping[str, Any]) -> None:
        self.previous = _value(observations[self.measure])
        if self.scaling == "Norm":
            self.scale = max(_value(baselines[self.baselines[0]]), _SMALLEST[self.measure])
        elif self.scaling:
            gain = _value(baselines[self.baselines[0]]) - _value(baselines[self.baselines[1]])
            self.scale = gain if gain > 0 else 1.0
        else:
            self.scale = 1.0

    def update(self, observations: Mapping[str, Any]) -> float:
        now = _value(observations[self.measure])
        reward = (self.previous - now) / self.scale
        self.previous = now
        return reward


def _value(observation: Any) -> float:
    """A measure as one number: a count, or the median of repeated measurements."""
    if isinstance(observation, (int, float, np.integer, np.floating)):
        return float(observation)
    return float(np.median(np.asarray(observation, dtype=np.float64)))


_PREFIX = {
    "IrInstructionCount": "IrInstructionCount",
    "ObjectTextSizeBytes": "ObjectTextSize",
    "DynamicInstructionCount": "DynamicInstructionCount",
    "Runtime": "Runtime",
}
# The smallest scale of a Norm reward: one instruction, one byte, one microsecond.
_SMALLEST = {measure: 1.0 for measure in _PREFIX} | {"Runtime": 1e-6}
# Every built-in reward space, by name: the four scalings of each measure.
REWARDS: dict[str, tuple[str, str]] = {
    (f"{prefix}{scaling}" if scaling else measure): (measure, scaling)
    for measure, prefix in _PREFIX.items()
    for scaling in ("", "Norm", "O3", "Oz")
}


def make_reward(space: str | Reward) -> Reward:
    """A fresh reward object for a built-in name, or the given custom reward."""
    if isinstance(space, Reward):
        return space
    if space not in REWARDS:
        raise UnknownSpace(
            f"unknown reward space {space!r}; built-in: {', '.join(REWARDS)} "
            "(or pass a compiler_env.rewards.Reward instance)"
        )
    return DeltaReward(*REWARDS[space])
