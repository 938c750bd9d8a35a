"""Feature vectors scaled by the program's size, as float32.

Raw Autophase and InstCount features are counts: a program of 40,000
instructions and one of 40 give vectors three orders of magnitude apart, which
a network learns poorly from. ``NormalizedFeatures`` gives proportions instead.
"""

from __future__ import annotations

from typing import Any

import gymnasium
import numpy as np
from gymnasium import spaces

from service.proto.errors import InvalidArgument

__all__ = ["SIZE_FEATURES", "NormalizedFeatures"]

#: The feature of each vector that counts the module's instructions.
SIZE_FEATURES = ("TotalInsts", "TotalInstructions")  # Autophase, InstCount


class NormalizedFeatures(
    gymnasium.ObservationWrapper[np.ndarray, Any, np.ndarray], gymnasium.utils.RecordConstructorArgs
):
    """Autophase or InstCount features divided by the program's instruction count.

    With ``x`` the feature vector and ``n`` its instruction count (Autophase's
    ``TotalInsts``, InstCount's ``TotalInstructions``), the observation is the
    float32 vector ``y`` with

    - ``y[i] = x[i] / max(n, 1)`` for every other feature ``i``, and
    - ``y[size] = log10(1 + n)`` for the instruction count itself (which
      would otherwise always be 1), so that the program's size stays visible.

    Most values are in ``[0, 1]``; features that count operands rather than
    instructions (Autophase's constants, edges) can exceed 1, so the space is
    ``Box(0, inf, float32)``.

    >>> import compiler_env
    >>> env = NormalizedFeatures(compiler_env.make("llvm-autophase-ic-v0"))
    >>> observation, _ = env.reset()
    >>> observation.dtype, bool(0 < observation[51] < 5)
    (dtype('float32'), True)
    >>> env.close()

    Args:
        env: an env whose observation is Autophase or InstCount (as the env gives
            it, or cast to float32 as ``gymnasium.make`` gives it).
    """

    def __init__(self, env: gymnasium.Env[Any, Any]) -> None:
        gymnasium.utils.RecordConstructorArgs.__init__(self)
        super().__init__(env)
        inner = getattr(env, "observation_space", None)
        source = getattr(env.unwrapped, "observation_space", None)  # names its features
        names = tuple(getattr(source, "feature_names", ()))
        size = [i for i, name in enumerate(names) if name in SIZE_FEATURES]
        counts = isinstance(source, spaces.Box) and np.issubdtype(source.dtype, np.integer)
        same = isinstance(inner, spaces.Box) and inner.shape == (len(names),)
        if not (counts and same and size):
            raise InvalidArgument(
                "NormalizedFeatures scales the Autophase or InstCount feature vector by the "
                f"program's size; the wrapped env observes {_label(env.unwrapped)}: make the "
                "env with observation_space='Autophase' (or an id such as llvm-autophase-ic-v0) "
                "and put NormalizedFeatures nearer to it than wrappers that change the vector"
            )
        assert isinstance(inner, spaces.Box)
        #: The index of the instruction count among the features.
        self.size_index = size[0]
        self.feature_names = names
        self.observation_space = spaces.Box(0.0, np.inf, shape=inner.shape, dtype=np.float32)

    def observation(self, observation: Any) -> np.ndarray:
        features = np.asarray(observation, dtype=np.float64)
        n = float(features[self.size_index])
        scaled = features / max(n, 1.0)
        scaled[self.size_index] = np.log10(1.0 + n)
        return scaled.astype(np.float32)


def _label(env: gymnasium.Env[Any, Any]) -> str:
    name = getattr(env, "observation_space_name", None)
    return repr(name) if name else "nothing (no observation space)"
