"""The env's spaces: real ``gymnasium.spaces`` objects, plus a name and flags.

Observation spaces come from the service's description of what it can compute;
each has a ``name``, a ``deterministic`` and a ``platform_dependent`` flag, and
``decode`` to turn a wire value into the Python value users see.
"""

from __future__ import annotations

import string
from typing import Any

import numpy as np
from gymnasium import spaces
from numpy.typing import NDArray

from service.proto import compiler_env_pb2 as pb
from service.proto.errors import InvalidAction, UnknownSpace

__all__ = [
    "ActionSpace",
    "Bytes",
    "CountDict",
    "Described",
    "ProgramGraph",
    "Real",
    "Samples",
    "Scalar",
    "TextSpace",
    "TokenIds",
    "Vector",
    "decode",
    "make_observation_space",
]

_IR_CHARSET = string.printable
_INT64_MAX = int(np.iinfo(np.int64).max)
#: The longest text ``sample()`` makes: IR may be gigabytes, a sample need not be.
SAMPLE_TEXT_LENGTH = 1024


class Described:
    """What every observation space carries besides its gymnasium type."""

    name: str = ""
    description: str = ""
    deterministic: bool = True
    platform_dependent: bool = False
    feature_names: tuple[str, ...] = ()

    def convert(self, value: Any) -> Any:
        """The value users see for a decoded wire value."""
        return value

    def as_observation(self, value: Any) -> Any:
        """The value ``reset``/``step`` return, as RL libraries expect it for this space."""
        return value

    def describe(self, info: pb.ObservationSpaceInfo) -> None:
        self.name = info.name
        self.description = info.description
        self.deterministic = info.deterministic
        self.platform_dependent = info.platform_dependent
        self.feature_names = tuple(info.feature_names)


class ActionSpace(spaces.Discrete):
    """The passes an agent can apply: ``Discrete(n)`` with a name for every index.

    >>> space = ActionSpace("demo-v1", ["adce", "sroa"], ["function(adce)", "function(sroa)"])
    >>> space.index("sroa"), space.names[0], int(space.n)
    (1, 'adce', 2)
    """

    def __init__(
        self,
        name: str,
        names: list[str],
        pipelines: list[str],
        seed: Any = None,
        *,
        table: list[int] | None = None,
    ):
        super().__init__(len(names), seed=seed)
        self.name = name
        self.names = list(names)
        self.pipelines = list(pipelines)
        #: Each action's index in the service's full action table (a subset's differ).
        self.table = list(table) if table is not None else list(range(len(names)))
        self._index = {n: i for i, n in enumerate(names)}
        self._of_table = {t: i for i, t in enumerate(self.table)}

    def subset(self, name: str, leave_out: set[str]) -> ActionSpace:
        """The space without the actions named in ``leave_out``."""
        kept = [i for i, n in enumerate(self.names) if n not in leave_out]
        return ActionSpace(
            name,
            [self.names[i] for i in kept],
            [self.pipelines[i] for i in kept],
            table=[self.table[i] for i in kept],
        )

    def of_table(self, index: int) -> int:
        """The index in this space of an action of the full table.

        Raises:
            InvalidAction: the action is not in this space.
        """
        if index not in self._of_table:
            raise InvalidAction(f"action {index} of the full table is not in {self.name}")
        return self._of_table[index]

    def index(self, name: str) -> int:
        """The action index of a pass name."""
        if name not in self._index:
            raise InvalidAction(f"no action named {name!r} in {self.name}; see .names")
        return self._index[name]

    def __repr__(self) -> str:
        return f"ActionSpace({self.name!r}, n={self.n})"


class Scalar(Described, spaces.Box):
    """A bounded integer such as an instruction count: a ``Box((1,), int64)``.

    ``env.observation[name]`` gives a Python int; ``reset``/``step`` give an
    int64 array of shape ``(1,)``, as Gymnasium's wrappers and stable-baselines3
    expect of a ``Box``. ``contains`` accepts either form.
    """

    def __init__(self, low: int, high: int, seed: Any = None) -> None:
        low, high = max(int(low), -_INT64_MAX), min(int(high), _INT64_MAX)
        super().__init__(low=low, high=high, shape=(1,), dtype=np.int64, seed=seed)

    def sample(self, mask: Any = None, probability: Any = None) -> Any:
        low, high = int(self.low[0]), min(int(self.high[0]), 2**31)
        return np.array([self.np_random.integers(low, high, endpoint=True)], dtype=np.int64)

    def contains(self, x: Any) -> bool:
        if isinstance(x, np.ndarray) and x.shape in ((), (1,)):
            if not np.issubdtype(x.dtype, np.integer):
                return False
            x = x.reshape(())[()]
        if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, np.integer)):
            return False
        return int(self.low[0]) <= int(x) <= int(self.high[0])

    def as_observation(self, value: Any) -> Any:
        return np.array([value], dtype=np.int64)

    def __repr__(self) -> str:
        return f"Scalar({int(self.low[0])}, {int(self.high[0])})"


class Real(Described, spaces.Box):
    """A non-negative real number such as a build time: a ``Box((1,), float64)``.

    ``env.observation[name]`` gives a Python float; ``reset``/``step`` give a
    float64 array of shape ``(1,)``.
    """

    def __init__(self, low: float, high: float, seed: Any = None) -> None:
        super().__init__(low=low, high=high, shape=(1,), dtype=np.float64, seed=seed)

    def convert(self, value: Any) -> float:
        return float(value)

    def as_observation(self, value: Any) -> Any:
        return np.array([value], dtype=np.float64)


class Samples(Described, spaces.Space[Any]):
    """Measurements of one quantity, as many as were taken: a 1-d float64 array
    of any length (e.g. one wall-clock time per run)."""

    def __init__(self, low: float = 0.0, seed: Any = None) -> None:
        super().__init__(None, np.float64, seed=seed)
        self.low = low

    def sample(self, mask: Any = None, probability: Any = None) -> Any:
        n = int(self.np_random.integers(1, 6))
        return self.low + self.np_random.random(n)

    def contains(self, x: Any) -> bool:
        array = np.asarray(x)
        return array.ndim == 1 and bool(np.all(array >= self.low))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Samples) and self.low == other.low

    def __repr__(self) -> str:
        return "Samples()"


class TokenIds(Described, spaces.Space[Any]):
    """A sequence of token ids: a 1-d int32 array of any length, each id in
    ``[0, high]`` (e.g. ``IrTokens``, over ``compiler_env.tokens.vocabulary()``)."""

    def __init__(self, high: int, seed: Any = None) -> None:
        super().__init__(None, np.int32, seed=seed)
        self.high = high

    def sample(self, mask: Any = None, probability: Any = None) -> Any:
        n = int(self.np_random.integers(1, 64))
        return self.np_random.integers(0, self.high, size=n, endpoint=True, dtype=np.int32)

    def contains(self, x: Any) -> bool:
        array = np.asarray(x)
        return (
            array.ndim == 1
            and np.issubdtype(array.dtype, np.integer)
            and bool(np.all((array >= 0) & (array <= self.high)))
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TokenIds) and self.high == other.high

    def __repr__(self) -> str:
        return f"TokenIds(high={self.high})"


class Bytes(Described, spaces.Space[bytes]):
    """A byte string of bounded length (e.g. bitcode)."""

    def __init__(self, max_length: int = 2**31, seed: Any = None) -> None:
        super().__init__(None, None, seed=seed)
        self.max_length = max_length

    def sample(self, mask: Any = None, probability: Any = None) -> bytes:
        return bytes(self.np_random.integers(0, 256, size=16, dtype=np.uint8))

    def contains(self, x: Any) -> bool:
        return isinstance(x, bytes) and len(x) <= self.max_length

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Bytes) and self.max_length == other.max_length

    def __repr__(self) -> str:
        return "Bytes()"


class Vector(Described, spaces.Box):
    """A fixed-length feature vector (``gymnasium.spaces.Box``)."""


class CountDict(Described, spaces.Dict):
    """Named counts: a ``gymnasium.spaces.Dict`` of ``Scalar``s."""

    def convert(self, value: Any) -> dict[str, int]:
        return dict(zip(self.feature_names, (int(v) for v in value)))

    def as_observation(self, value: Any) -> Any:
        return {name: np.array([count], dtype=np.int64) for name, count in value.items()}


class TextSpace(Described, spaces.Text):
    """Text such as IR (``gymnasium.spaces.Text``); ``sample()`` makes short strings."""

    def sample(self, mask: Any = None, probability: Any = None) -> str:
        if mask is None and probability is None:
            longest = min(self.max_length, max(self.min_length, SAMPLE_TEXT_LENGTH))
            length = int(self.np_random.integers(self.min_length, longest, endpoint=True))
            return super().sample(mask=(length, None))
        return super().sample(mask=mask, probability=probability)


class ProgramGraph(Described, spaces.Space[Any]):
    """A program graph (docs/programl.md): a dict of numpy arrays (``ProgramlArrays``)
    or a ``networkx.MultiDiGraph`` (``Programl``), decoded from the service's packed
    form by ``compiler_env.graphs``."""

    def __init__(self, as_networkx: bool = False, seed: Any = None) -> None:
        super().__init__(None, None, seed=seed)
        self.as_networkx = as_networkx

    def convert(self, value: Any) -> Any:
        from compiler_env import graphs

        return graphs.graph(value) if self.as_networkx else graphs.unpack(value)

    def sample(self, mask: Any = None, probability: Any = None) -> Any:
        """The graph of a module without functions: the external root alone."""
        from compiler_env import graphs

        arrays = graphs.root_only()
        return graphs.to_networkx(arrays) if self.as_networkx else arrays

    def contains(self, x: Any) -> bool:
        if self.as_networkx:
            return hasattr(x, "number_of_nodes") and hasattr(x, "edges")
        return isinstance(x, dict) and "edge_index" in x and "node_type" in x

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ProgramGraph) and self.as_networkx == other.as_networkx

    def __repr__(self) -> str:
        return f"ProgramGraph(as_networkx={self.as_networkx})"


def make_observation_space(info: pb.ObservationSpaceInfo) -> Described:
    """The gymnasium space for a service's description of an observation space."""
    space: Described
    if info.kind == "int64":
        space = Scalar(int(info.low), int(info.high))
    elif info.kind == "float64":
        space = Real(info.low, info.high)
    elif info.kind == "float64_samples":
        space = Samples(info.low)
    elif info.kind in ("int64_vector", "float64_vector"):
        dtype = np.int64 if info.kind == "int64_vector" else np.float64
        high = np.iinfo(np.int64).max if dtype is np.int64 else info.high
        space = Vector(low=info.low, high=high, shape=tuple(info.shape), dtype=dtype)
    elif info.kind == "int64_dict":
        space = CountDict({name: Scalar(0, _INT64_MAX) for name in info.feature_names})
    elif info.kind == "text":
        length = (int(info.shape[0]),) * 2 if info.shape else (0, 2**31)
        charset = info.charset or _IR_CHARSET
        space = TextSpace(min_length=length[0], max_length=length[1], charset=charset)
    elif info.kind == "bytes":
        space = Bytes()
    elif info.kind == "int32_sequence":
        space = TokenIds(int(info.high))
    elif info.kind in ("programl_arrays", "programl_graph"):
        space = ProgramGraph(as_networkx=info.kind == "programl_graph")
    else:
        raise UnknownSpace(f"the service describes {info.name!r} with unknown kind {info.kind!r}")
    space.describe(info)
    return space


def decode(observation: pb.Observation) -> Any:
    """The Python value of an observation received from the service."""
    kind = observation.WhichOneof("value")
    if kind == "array":
        array: NDArray[Any] = np.frombuffer(
            observation.array.data, dtype=np.dtype(observation.array.dtype)
        )
        return array.reshape(tuple(observation.array.shape)).copy()
    if kind == "text":
        return observation.text
    if kind == "binary":
        return observation.binary
    if kind == "int64_value":
        return observation.int64_value
    if kind == "double_value":
        return observation.double_value
    return None
