"""``SB3VecEnv``: a ``CompilerVectorEnv`` as a stable-baselines3 ``VecEnv``.

This module imports stable-baselines3; nothing else in the package does
(``compiler_env.vector.to_sb3`` imports it on demand).

SB3's conventions differ from Gymnasium's vector envs in three ways, and the
adapter translates: ``reset()`` returns the observations only (the infos are in
``reset_infos``); ``step_wait()`` returns ``(observations, rewards, dones,
infos)`` with one info dict per sub-env; and a sub-env whose episode ended is
reset in the same step, its last observation in ``info["terminal_observation"]``
and ``info["TimeLimit.truncated"]`` saying whether it was cut short. The adapter
therefore runs the vector env with ``AutoresetMode.SAME_STEP``.

Observations are passed as the vector env gives them: SB3's policies accept any
``Box`` dtype and turn observations into float tensors themselves (Autophase is
an ``int64`` ``Box``; ``float32=True`` casts it for code that wants
``float32`` arrays).

>>> import compiler_env
>>> from compiler_env.vector import to_sb3
>>> venv = to_sb3(compiler_env.make_vec("llvm-autophase-ic-v0", num_envs=2))
>>> venv.reset().shape
(2, 56)
>>> venv.close()
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import gymnasium
import numpy as np
from gymnasium.vector import AutoresetMode
from stable_baselines3.common import env_util
from stable_baselines3.common.vec_env.base_vec_env import (
    VecEnv,
    VecEnvIndices,
    VecEnvObs,
    VecEnvStepReturn,
)

from compiler_env.vector import CompilerVectorEnv
from service.proto.errors import InvalidArgument

__all__ = ["SB3VecEnv"]


class SB3VecEnv(VecEnv):
    """A stable-baselines3 ``VecEnv`` over a ``CompilerVectorEnv`` (which it owns and
    closes).

    Args:
        env: the vector env; its autoreset mode is set to ``SAME_STEP``.
        float32: give observations (and the observation space) as ``float32``.
    """

    def __init__(self, env: CompilerVectorEnv, *, float32: bool = False) -> None:
        if not isinstance(env, CompilerVectorEnv):
            raise InvalidArgument(f"SB3VecEnv wraps a CompilerVectorEnv, not {type(env).__name__}")
        env.autoreset_mode = AutoresetMode.SAME_STEP  # SB3's convention
        env.metadata = {**env.metadata, "autoreset_mode": AutoresetMode.SAME_STEP}
        self.venv = env
        self.float32 = float32
        space = env.single_observation_space
        if float32:
            if not isinstance(space, gymnasium.spaces.Box):
                raise InvalidArgument(f"float32=True casts a Box observation space, not {space}")
            space = gymnasium.spaces.Box(
                space.low.astype(np.float32), space.high.astype(np.float32), dtype=np.float32
            )
        self._actions: np.ndarray | None = None
        super().__init__(env.num_envs, space, env.single_action_space)

    def _observations(self, batch: Any) -> Any:
        return np.asarray(batch, dtype=np.float32) if self.float32 else batch

    def reset(self) -> VecEnvObs:
        """Resets every sub-env with the seeds of ``seed()`` and options of ``set_options()``."""
        seeds = list(self._seeds) if any(s is not None for s in self._seeds) else None
        observations, infos = self.venv.reset(seed=seeds, options=self._reset_option_dict())
        self.reset_infos = [_unbatched(infos, i) for i in range(self.num_envs)]
        self._reset_seeds()
        self._reset_options()
        return self._observations(observations)

    def _reset_option_dict(self) -> dict[str, Any] | None:
        """The one options dict of the vector env's reset: SB3's per-env options must be
        equal, except for per-env benchmarks (which become one list)."""
        options = self._options
        if all(not o for o in options):
            return None
        if all(o == options[0] for o in options):
            return dict(options[0])
        if all(set(o) == {"benchmark"} for o in options):
            return {"benchmark": [o["benchmark"] for o in options]}
        raise InvalidArgument(
            "SB3VecEnv resets its sub-envs with the same options, except for a benchmark "
            "each; give the others to set_options() as one dict"
        )

    def step_async(self, actions: np.ndarray) -> None:
        self._actions = actions

    def step_wait(self) -> VecEnvStepReturn:
        if self._actions is None:
            raise InvalidArgument("step_wait() follows step_async(actions)")
        actions, self._actions = self._actions, None
        observations, rewards, terminated, truncated, infos = self.venv.step(actions)
        dones = np.logical_or(terminated, truncated)
        listed = []
        for i in range(self.num_envs):
            if dones[i]:
                info = _unbatched(infos.get("final_info", {}), i)
                info["terminal_observation"] = self._observations(infos["final_obs"][i])
                self.reset_infos[i] = _unbatched(infos, i, skip=("final_obs", "final_info"))
            else:
                info = _unbatched(infos, i)
            info["TimeLimit.truncated"] = bool(truncated[i] and not terminated[i])
            listed.append(info)
        return self._observations(observations), rewards.astype(np.float32), dones, listed

    def close(self) -> None:
        self.venv.close()

    def _targets(self, indices: VecEnvIndices) -> list[int]:
        return list(self._get_indices(indices))

    def get_attr(self, attr_name: str, indices: VecEnvIndices = None) -> list[Any]:
        return [self.venv.envs[i].get_wrapper_attr(attr_name) for i in self._targets(indices)]

    def set_attr(self, attr_name: str, value: Any, indices: VecEnvIndices = None) -> None:
        for i in self._targets(indices):
            setattr(self.venv.envs[i], attr_name, value)

    def env_method(
        self,
        method_name: str,
        *method_args: Any,
        indices: VecEnvIndices = None,
        **method_kwargs: Any,
    ) -> list[Any]:
        """Calls a method of the chosen sub-envs (at once)."""
        methods = [self.venv.envs[i].get_wrapper_attr(method_name) for i in self._targets(indices)]
        return self.venv._run([_bound(m, method_args, method_kwargs) for m in methods])

    def env_is_wrapped(
        self, wrapper_class: type[gymnasium.Wrapper], indices: VecEnvIndices = None
    ) -> list[bool]:
        envs = [self.venv.envs[i] for i in self._targets(indices)]
        return [env_util.is_wrapped(env, wrapper_class) for env in envs]

    def get_images(self) -> Sequence[np.ndarray | None]:
        """No images: a sub-env renders its IR as text (``env_method("render")``)."""
        return [None] * self.num_envs


def _bound(method: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return lambda: method(*args, **kwargs)


def _unbatched(infos: dict[str, Any], i: int, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """Sub-env ``i``'s info dict, out of a Gymnasium vector info dict (keys and ``_key`` masks)."""
    info: dict[str, Any] = {}
    for key, value in infos.items():
        if key in skip or (key.startswith("_") and key[1:] in infos):
            continue
        mask = infos.get(f"_{key}")
        if mask is not None and not mask[i]:
            continue
        info[key] = _unbatched(value, i) if isinstance(value, dict) else value[i]
    return info
