"""Env ids, ``compiler_env.make`` and the registration with Gymnasium.

Envs are registered as data: an id maps to the env class, its default spaces
and its default episode length. ``compiler_env.make`` returns the env itself
(observations as the service gives them, episodes without an end);
``gymnasium.make("compiler_env/<id>")`` returns Gymnasium's usual wrapper
stack, made for RL libraries out of the box: a ``TimeLimit`` of
``MAX_EPISODE_STEPS`` steps on every id with a reward, and feature vectors
(Autophase, InstCount) as float32 ``Box``es.
"""

from __future__ import annotations

from typing import Any, Literal, overload

import gymnasium
import numpy as np
from gymnasium.wrappers import DtypeObservation

from compiler_env.env import CompilerEnv
from compiler_env.spaces import Vector
from compiler_env.text_env import TextEnv
from service.proto.errors import InvalidArgument

__all__ = [
    "ENV_SPECS",
    "MAX_EPISODE_STEPS",
    "TEXT_ENV_SPECS",
    "make",
    "make_gymnasium_env",
    "max_episode_steps",
    "register_envs",
]

#: The default benchmark of the speed ids: its -O3 start.
SPEED_BENCHMARK = "benchmark://kernels-v0/crc32?level=O3"
#: Each env id's default observation and reward spaces.
ENV_SPECS: dict[str, dict[str, Any]] = {
    "llvm-v0": {},
    "llvm-ic-v0": {"reward_space": "IrInstructionCountOz"},
    "llvm-autophase-ic-v0": {
        "observation_space": "Autophase",
        "reward_space": "IrInstructionCountOz",
    },
    "llvm-codesize-v0": {"reward_space": "ObjectTextSizeOz"},
    "llvm-autophase-codesize-v0": {
        "observation_space": "Autophase",
        "reward_space": "ObjectTextSizeOz",
    },
    # Speed: programs start from clang's -O3 frontend output (?level=O3), and the
    # reward is the fraction of -O3's gain achieved (docs/runtime.md).
    "llvm-dic-v0": {"benchmark": SPEED_BENCHMARK, "reward_space": "DynamicInstructionCountO3"},
    "llvm-autophase-dic-v0": {
        "benchmark": SPEED_BENCHMARK,
        "observation_space": "Autophase",
        "reward_space": "DynamicInstructionCountO3",
    },
    "llvm-runtime-v0": {"benchmark": SPEED_BENCHMARK, "reward_space": "RuntimeO3"},
}
#: The ids of ``TextEnv`` (IR text observations, pass-list actions: docs/text_env.md).
TEXT_ENV_SPECS: dict[str, dict[str, Any]] = {
    "llvm-text-v0": {"reward_space": "IrInstructionCountOz"},
}
NAMESPACE = "compiler_env"
#: The episode length of the ids with a reward space (the RL ids), in steps: what
#: ``gymnasium.make`` gives Gymnasium's ``TimeLimit`` and what ``make_vec`` truncates
#: at. 50 single passes leave room: a greedy search passes clang's -Oz on the
#: first kernels in 8 steps (README), a learning agent explores with many more, and
#: an episode of 50 steps on a small program takes well under a second. llvm-v0,
#: without a reward, has no limit.
MAX_EPISODE_STEPS = 50


@overload
def make(
    env_id: Literal["llvm-text-v0", "compiler_env/llvm-text-v0"], **kwargs: Any
) -> TextEnv: ...
@overload
def make(env_id: str, **kwargs: Any) -> CompilerEnv: ...
def make(env_id: str, **kwargs: Any) -> CompilerEnv | TextEnv:
    """Makes an env by id, e.g. ``make("llvm-autophase-ic-v0", benchmark=uri)``.

    Keyword arguments override the id's defaults (see ``CompilerEnv``, and
    ``TextEnv`` for ``llvm-text-v0``).
    """
    env_id = env_id.removeprefix(f"{NAMESPACE}/")
    if env_id in TEXT_ENV_SPECS:
        return TextEnv(**{**TEXT_ENV_SPECS[env_id], **kwargs})
    if env_id not in ENV_SPECS:
        known = ", ".join([*ENV_SPECS, *TEXT_ENV_SPECS])
        raise InvalidArgument(f"unknown env id {env_id!r}; known: {known}")
    return CompilerEnv(**{**ENV_SPECS[env_id], **kwargs})


def max_episode_steps(env_id: str) -> int | None:
    """The id's default episode length (``MAX_EPISODE_STEPS`` for an id with a
    reward space, None for one without)."""
    env_id = env_id.removeprefix(f"{NAMESPACE}/")
    return MAX_EPISODE_STEPS if ENV_SPECS.get(env_id, {}).get("reward_space") else None


def make_gymnasium_env(**kwargs: Any) -> gymnasium.Env[Any, Any]:
    """What ``gymnasium.make("compiler_env/<id>")`` starts from: a ``CompilerEnv``
    whose feature-vector observation (Autophase, InstCount) is cast to float32
    (Gymnasium's ``DtypeObservation``), the dtype networks consume; other
    observations are as the env gives them. ``env.unwrapped`` is the env."""
    env = CompilerEnv(**kwargs)
    space = getattr(env, "observation_space", None)
    if isinstance(space, Vector) and space.dtype != np.float32:
        return DtypeObservation(env, np.float32)
    return env


def register_envs() -> None:
    """Registers every id under the ``compiler_env/`` namespace with Gymnasium."""
    for env_id, defaults in ENV_SPECS.items():
        full = f"{NAMESPACE}/{env_id}"
        if full in gymnasium.registry:
            continue
        gymnasium.register(
            id=full,
            entry_point="compiler_env.registration:make_gymnasium_env",
            # gymnasium.make_vec(...) makes the native vector env (compiler_env/vector.py).
            vector_entry_point="compiler_env.vector:CompilerVectorEnv",
            kwargs=dict(defaults),
            max_episode_steps=max_episode_steps(env_id),
            # Gymnasium's checker needs an observation space, which llvm-v0 lacks by default.
            disable_env_checker="observation_space" not in defaults,
        )
    for env_id, defaults in TEXT_ENV_SPECS.items():
        full = f"{NAMESPACE}/{env_id}"
        if full not in gymnasium.registry:
            gymnasium.register(
                id=full,
                entry_point="compiler_env.text_env:TextEnv",
                kwargs=dict(defaults),
                max_episode_steps=MAX_EPISODE_STEPS,
            )
