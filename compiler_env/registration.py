"""Env ids, ``compiler_env.make`` and the registration with Gymnasium.

Envs are registered as data: an id maps to the env class and its default
spaces. ``compiler_env.make`` returns the env itself; ``gymnasium.make(
"compiler_env/<id>")`` returns Gymnasium's usual wrapper stack.
"""

from __future__ import annotations

from typing import Any

import gymnasium

from compiler_env.env import CompilerEnv
from service.proto.errors import InvalidArgument

__all__ = ["ENV_SPECS", "make", "register_envs"]

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
NAMESPACE = "compiler_env"


def make(env_id: str, **kwargs: Any) -> CompilerEnv:
    """Makes an env by id, e.g. ``make("llvm-autophase-ic-v0", benchmark=uri)``.

    Keyword arguments override the id's defaults (see ``CompilerEnv``).
    """
    env_id = env_id.removeprefix(f"{NAMESPACE}/")
    if env_id not in ENV_SPECS:
        raise InvalidArgument(f"unknown env id {env_id!r}; known: {', '.join(ENV_SPECS)}")
    return CompilerEnv(**{**ENV_SPECS[env_id], **kwargs})


def register_envs() -> None:
    """Registers every id under the ``compiler_env/`` namespace with Gymnasium."""
    for env_id, defaults in ENV_SPECS.items():
        full = f"{NAMESPACE}/{env_id}"
        if full in gymnasium.registry:
            continue
        gymnasium.register(
            id=full,
            entry_point="compiler_env.env:CompilerEnv",
            # gymnasium.make_vec(...) makes the native vector env (compiler_env/vector.py).
            vector_entry_point="compiler_env.vector:CompilerVectorEnv",
            kwargs=dict(defaults),
            # Gymnasium's checker needs an observation space, which llvm-v0 lacks by default.
            disable_env_checker="observation_space" not in defaults,
        )
