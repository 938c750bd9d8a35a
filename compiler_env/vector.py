"""``CompilerVectorEnv``: N episodes on one service, stepped at once from one process.

Each sub-env is a ``CompilerEnv`` on the same service, each with its own session
and so its own worker process. A vector step first sends every sub-env's step
frame straight to its worker (``Session.send_step``), then reads the replies
(``Session.receive_step``): the N workers compute at once while this process
waits once, in one thread. Each reply is made into that sub-env's step result
as ``CompilerEnv.step`` makes it (action history, reward, ``episode_reward``).
On any failure of a send or a reply, the sub-env's session is treated as lost
and its own ``step`` does the step again: it restores the episode by replay and
retries or truncates as its ``RetryPolicy`` says, so a vector step has exactly
an ordinary step's error handling. Resets, and steps that have no direct worker
channel (a remote service, whose steps go through gRPC, or a session to
restore), run on a thread pool meanwhile.

Why split the channel rather than step every sub-env on a thread: both overlap
the workers (socket I/O releases the GIL), but a thread per step adds a thread
hand-off and wake-up to every step, on cores that the workers keep busy.
Measured on a 2-core machine (two sub-envs, ``llvm-autophase-ic-v0``, seeded
random actions of the default action space, 8 alternating runs each), the split
gave 1.36x (median) the steps per second of a thread pool over the same
sub-envs on ``benchmark://kernels-v0/crc32`` with the same actions in both
sub-envs (short steps, where the per-step overhead shows) and was level with it
(0.99-1.05x) on ``json_query``, whose steps are longer. ``perf/vector.py``
measures both.

Autoreset follows Gymnasium's vector envs (``metadata["autoreset_mode"]``):

- ``NEXT_STEP`` (default): the step after a sub-env's episode ended resets it
  and ignores its action; that step's reward is 0 and its info is the reset's.
- ``SAME_STEP``: a sub-env whose episode ends is reset in the same step; the
  returned observation is the new episode's, the last one is in
  ``info["final_obs"]`` and its info in ``info["final_info"]``.
- ``DISABLED``: the caller resets ended sub-envs with ``reset(options=
  {"reset_mask": mask})``.

Benchmarks: each sub-env draws its next benchmark from its own stream at every
reset and autoreset (``benchmark=`` one URI for all, a list with one per
sub-env, or ``f(index) -> iterable of URIs``; ``reset(options={"benchmark":
...})`` takes the same forms and replaces the streams). Streams are drawn from
in the calling thread, in index order, so a stream shared between sub-envs
hands out its URIs deterministically.

>>> import compiler_env
>>> with compiler_env.make_vec("llvm-autophase-ic-v0", num_envs=2) as envs:
...     observations, infos = envs.reset(seed=0)
...     observations.shape, infos["benchmark"][0]
((2, 56), 'benchmark://kernels-v0/crc32')
"""

from __future__ import annotations

import concurrent.futures
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from copy import deepcopy
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

import numpy as np
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space, concatenate, create_empty_array, iterate

from compiler_env.datasets import Benchmark
from compiler_env.env import CompilerEnv
from compiler_env.registration import ENV_SPECS, NAMESPACE, max_episode_steps
from service.proto.errors import EnvClosed, InvalidArgument, ResetRequired

if TYPE_CHECKING:
    from compiler_env.sb3 import SB3VecEnv

__all__ = ["BenchmarkStreams", "CompilerVectorEnv", "make_vec", "to_sb3"]

T = TypeVar("T")
#: A benchmark per sub-env: one for all, one each, or ``f(index) -> iterable of URIs``.
BenchmarkStreams: TypeAlias = (
    "str | Benchmark | Sequence[str | Benchmark] | Callable[[int], Iterable[str | Benchmark]]"
)
_Step = tuple[Any, float, bool, bool, dict[str, Any]]


class CompilerVectorEnv(VectorEnv[Any, Any, np.ndarray]):
    """``num_envs`` ``CompilerEnv``s on one service, stepped concurrently.

    Args:
        num_envs: how many sub-envs.
        benchmark: the benchmark streams (see the module's docstring); None: each
            sub-env's own ``benchmark`` (which ``set_attr("benchmark", ...)``
            sets; with streams, ``reset(options={"benchmark": ...})`` changes
            them).
        autoreset_mode: ``AutoresetMode`` (or its value, e.g. ``"SameStep"``).
        max_episode_steps: truncate each episode after this many steps (as
            Gymnasium's ``TimeLimit``); None: episodes end only as the sub-envs
            end them.
        copy: return a copy of the batched observations (as ``SyncVectorEnv``).
        **env_kwargs: passed to every ``CompilerEnv`` (``observation_space``,
            ``reward_space``, ``service``, ``retry``, ...). An observation space
            is required: a vector env batches observations.
    """

    def __init__(
        self,
        num_envs: int,
        *,
        benchmark: BenchmarkStreams | None = None,
        autoreset_mode: str | AutoresetMode = AutoresetMode.NEXT_STEP,
        max_episode_steps: int | None = None,
        copy: bool = True,
        **env_kwargs: Any,
    ) -> None:
        self.closed = True  # until every sub-env exists
        if isinstance(num_envs, bool) or not isinstance(num_envs, int) or num_envs < 1:
            raise InvalidArgument(f"num_envs is a positive integer, not {num_envs!r}")
        if env_kwargs.get("observation_space") is None:
            raise InvalidArgument(
                "a vector env batches observations: give an observation space, e.g. "
                "observation_space='Autophase' (or use an id such as llvm-autophase-ic-v0)"
            )
        if max_episode_steps is not None and (
            isinstance(max_episode_steps, bool)
            or not isinstance(max_episode_steps, int)
            or max_episode_steps < 1
        ):
            raise InvalidArgument(
                f"max_episode_steps is a positive integer or None, not {max_episode_steps!r}"
            )
        self.num_envs = num_envs
        try:
            self.autoreset_mode = AutoresetMode(autoreset_mode)
        except ValueError:
            modes = ", ".join(repr(mode.value) for mode in AutoresetMode)
            raise InvalidArgument(
                f"autoreset_mode is an AutoresetMode or one of {modes}, not {autoreset_mode!r}"
            ) from None
        self.max_episode_steps = max_episode_steps
        self.copy = copy
        self._streams = _streams(benchmark, num_envs)
        fixed = _fixed(benchmark, num_envs)  # so that each sub-env's ``benchmark`` is right
        self.envs: list[CompilerEnv] = []
        try:
            for uri in fixed:
                self.envs.append(CompilerEnv(benchmark=uri, **env_kwargs))
        except BaseException:
            for env in self.envs:
                env.close()
            raise
        self.closed = False
        first = self.envs[0]
        self.metadata = {**first.metadata, "autoreset_mode": self.autoreset_mode}
        self.render_mode = first.render_mode
        self.single_observation_space = first.observation_space
        self.observation_space = batch_space(self.single_observation_space, num_envs)
        self.single_action_space = first.action_space
        self.action_space = batch_space(self.single_action_space, num_envs)
        self._pool = (
            concurrent.futures.ThreadPoolExecutor(num_envs, thread_name_prefix="vector-env")
            if num_envs > 1
            else None
        )
        self._env_obs: list[Any] = [None] * num_envs
        single = self.single_observation_space
        self._observations: Any = create_empty_array(single, num_envs, np.zeros)
        self._rewards = np.zeros(num_envs, dtype=np.float64)
        self._terminations = np.zeros(num_envs, dtype=np.bool_)
        self._truncations = np.zeros(num_envs, dtype=np.bool_)
        self._autoreset = np.zeros(num_envs, dtype=np.bool_)
        self._elapsed = np.zeros(num_envs, dtype=np.int64)

    # -- running sub-envs at once ---------------------------------------------------

    def _submit(self, call: Callable[[], T]) -> concurrent.futures.Future[T]:
        """Runs ``call`` on the pool (or now, without one)."""
        if self._pool is not None:
            return self._pool.submit(call)
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        try:
            future.set_result(call())
        except Exception as error:
            future.set_exception(error)
        return future

    def _run(self, calls: list[Callable[[], T]]) -> list[T]:
        """Runs the calls at once; returns their results in order. Every call finishes
        before the first error, if any, is raised."""
        if len(calls) < 2:
            return [call() for call in calls]
        futures = [self._submit(call) for call in calls]
        concurrent.futures.wait(futures)
        return [future.result() for future in futures]

    def _steps(self, actions: dict[int, Any], resets: list[int]) -> dict[int, _Step]:
        """Steps sub-envs with ``actions`` and resets the ``resets`` (in the place of a
        step: ``NEXT_STEP`` autoreset), all at once.

        Every action is checked first (an invalid one raises before anything is
        sent). Steps on a direct worker channel are sent at once, one after the
        other, then their replies read; the rest (remote steps, lost sessions,
        resets) run on the pool meanwhile. A step whose send or reply failed is
        done again by its env's own ``step``, which restores the session by
        replay; every call finishes before the first error, if any, is raised.
        """
        planned = {i: self._planned(i, action) for i, action in actions.items()}
        others = {i: _as_step(self._reset_call(i, None, None)) for i in resets}
        futures: dict[int, concurrent.futures.Future[_Step]] = {}
        results: dict[int, _Step] = {}
        pending: list[int] = []  # sent, their replies not yet read
        try:
            for i, (table, names) in planned.items():
                if self.envs[i]._session.send_step(table, names):
                    pending.append(i)
                else:
                    others[i] = self._step_call(i, actions[i])
            futures = {i: self._submit(call) for i, call in others.items()}
            while pending:
                i = pending[0]
                reply = self.envs[i]._session.receive_step(planned[i][0])
                pending.pop(0)
                if reply is None:  # lost: the env's own step replays and tries again
                    futures[i] = self._submit(self._step_call(i, actions[i]))
                else:
                    results[i] = self._stepped(i, planned[i][1], reply)
        except BaseException:
            for i in pending:  # their replies will never be read: replay them next time
                self.envs[i]._session._lose()
            raise
        finally:
            concurrent.futures.wait(futures.values())
        for i, future in sorted(futures.items()):
            results[i] = future.result()
        return results

    def _planned(self, index: int, action: Any) -> tuple[list[int], list[str]]:
        """A sub-env's step as its session sends it: the action's table index (checked)
        and the observations its observation space and reward need."""
        env = self.envs[index]
        names = [env.observation_space_name] if env.observation_space_name else []
        if env.reward_space is not None:
            names += list(env.reward_space.observations)
        return [env._action_index(action)], names

    def _stepped(self, index: int, names: list[str], reply: Any) -> _Step:
        """A sub-env's step result from its worker's reply: as ``CompilerEnv.step``
        gives it when the step succeeds."""
        env = self.envs[index]
        values = env._decode(names, reply.observations)
        reward = 0.0
        if env.reward_space is not None:
            reward = env.reward_space.update(values)
            env.episode_reward += reward
        return env._primary(values), float(reward), False, False, {}

    def _check_open(self) -> None:
        if self.closed:
            raise EnvClosed(
                "this vector env is closed; make a new one with compiler_env.make_vec()"
            )

    def _next_benchmark(self, index: int) -> str | None:
        try:
            uri = next(self._streams[index])
        except StopIteration:
            raise InvalidArgument(
                f"the benchmark stream of sub-env {index} is exhausted; give an endless one "
                "(e.g. benchmark=lambda i: itertools.cycle(uris)) or reset with "
                "options={'benchmark': ...}"
            ) from None
        return uri if uri is None or isinstance(uri, str) else _uri(uri)

    def _reset_call(
        self, index: int, seed: int | None, options: dict[str, Any] | None
    ) -> Callable[[], tuple[Any, dict[str, Any]]]:
        """A reset of one sub-env onto the next benchmark of its stream."""
        uri = self._next_benchmark(index)
        if uri is not None:
            options = {**(options or {}), "benchmark": uri}
        env = self.envs[index]

        def reset() -> tuple[Any, dict[str, Any]]:
            return env.reset(seed=seed, options=options)

        return reset

    def _step_call(self, index: int, action: Any) -> Callable[[], _Step]:
        """A sub-env's ordinary ``step``."""
        env = self.envs[index]

        def step() -> _Step:
            observation, reward, terminated, truncated, info = env.step(action)
            return observation, float(reward), terminated, truncated, info

        return step

    # -- the Gymnasium contract -------------------------------------------------------

    def reset(
        self,
        *,
        seed: int | Sequence[int | None] | None = None,
        options: dict[str, Any] | None = None,
    ) -> tuple[Any, dict[str, Any]]:
        """Resets the sub-envs (those of ``options["reset_mask"]``, or all).

        Args:
            seed: None, an int (sub-env ``i`` gets ``seed + i``), or one per sub-env.
            options: passed to each sub-env's reset, except ``"reset_mask"`` (a
                boolean array: which sub-envs to reset) and ``"benchmark"`` (new
                benchmark streams, in any form the constructor takes).
        """
        self._check_open()
        seeds = _seeds(seed, self.num_envs)
        options = dict(options or {})
        mask = _reset_mask(options.pop("reset_mask", None), self.num_envs)
        if options.get("benchmark") is not None:
            self._streams = _streams(options.pop("benchmark"), self.num_envs)
        options.pop("benchmark", None)
        indices = [i for i in range(self.num_envs) if mask[i]]
        calls = [self._reset_call(i, seeds[i], options or None) for i in indices]
        results = self._run(calls)
        infos: dict[str, Any] = {}
        for i, (observation, info) in zip(indices, results):
            self._env_obs[i] = observation
            self._terminations[i] = self._truncations[i] = self._autoreset[i] = False
            self._elapsed[i] = 0
            infos = self._add_info(infos, info, i)
        return self._batched(), infos

    def step(self, actions: Any) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """Steps every sub-env with its action (autoresetting as ``autoreset_mode`` says)."""
        self._check_open()
        actions = list(iterate(self.action_space, actions))
        if len(actions) != self.num_envs:
            raise InvalidArgument(f"expected {self.num_envs} actions, got {len(actions)}")
        if self.autoreset_mode == AutoresetMode.DISABLED and self._autoreset.any():
            ended = np.flatnonzero(self._autoreset).tolist()
            raise ResetRequired(
                f"the episodes of sub-envs {ended} ended and autoreset is disabled: reset them "
                "with reset(options={'reset_mask': mask})"
            )
        next_step = self.autoreset_mode == AutoresetMode.NEXT_STEP
        resets = np.flatnonzero(self._autoreset).tolist() if next_step else []
        stepped = self._steps({i: a for i, a in enumerate(actions) if i not in resets}, resets)
        results = [stepped[i] for i in range(self.num_envs)]
        infos: dict[str, Any] = {}
        for i, (observation, reward, terminated, truncated, info) in enumerate(results):
            if self.autoreset_mode == AutoresetMode.NEXT_STEP and self._autoreset[i]:
                self._elapsed[i] = 0
            else:
                self._elapsed[i] += 1
                limit = self.max_episode_steps
                truncated = truncated or (limit is not None and self._elapsed[i] >= limit)
            self._env_obs[i] = observation
            self._rewards[i], self._terminations[i], self._truncations[i] = (
                reward, terminated, truncated
            )  # fmt: skip
            if self.autoreset_mode != AutoresetMode.SAME_STEP:
                infos = self._add_info(infos, info, i)
        if self.autoreset_mode == AutoresetMode.SAME_STEP:
            infos = self._reset_ended(results)
        self._autoreset = np.logical_or(self._terminations, self._truncations)
        return (
            self._batched(),
            np.copy(self._rewards),
            np.copy(self._terminations),
            np.copy(self._truncations),
            infos,
        )

    def _reset_ended(self, results: list[_Step]) -> dict[str, Any]:
        """``SAME_STEP``: resets the sub-envs whose episodes just ended; the infos of the
        step, with each ended episode's last observation and info."""
        ended = np.flatnonzero(np.logical_or(self._terminations, self._truncations)).tolist()
        resets = dict(zip(ended, self._run([self._reset_call(i, None, None) for i in ended])))
        infos: dict[str, Any] = {}
        for i, (observation, _, _, _, info) in enumerate(results):
            if i in resets:
                final = {"final_obs": observation, "final_info": info}
                infos = self._add_info(infos, final, i)
                self._env_obs[i], info = resets[i]
                self._elapsed[i] = 0
            infos = self._add_info(infos, info, i)
        return infos

    def _batched(self) -> Any:
        self._observations = concatenate(
            self.single_observation_space, self._env_obs, self._observations
        )
        return deepcopy(self._observations) if self.copy else self._observations

    # -- the sub-envs -------------------------------------------------------------------

    def call(self, name: str, *args: Any, **kwargs: Any) -> tuple[Any, ...]:
        """Calls a method of every sub-env at once (or gets an attribute of each)."""
        self._check_open()
        found = [env.get_wrapper_attr(name) for env in self.envs]
        if not all(callable(f) for f in found):
            return tuple(found)
        return tuple(self._run([_bound(f, args, kwargs) for f in found]))

    def get_attr(self, name: str) -> tuple[Any, ...]:
        """An attribute of every sub-env."""
        return tuple(env.get_wrapper_attr(name) for env in self.envs)

    def set_attr(self, name: str, values: Any) -> None:
        """Sets an attribute of every sub-env: a list or tuple gives one value each."""
        if not isinstance(values, (list, tuple)):
            values = [values] * self.num_envs
        if len(values) != self.num_envs:
            raise InvalidArgument(
                f"set_attr needs one value per sub-env ({self.num_envs}), got {len(values)}"
            )
        for env, value in zip(self.envs, values):
            env.set_wrapper_attr(name, value)

    @property
    def np_random_seed(self) -> tuple[int | None, ...]:  # type: ignore[override]
        """The seed of each sub-env's random generator."""
        return self.get_attr("np_random_seed")

    def render(self) -> tuple[Any, ...]:
        """Each sub-env's ``render()``."""
        self._check_open()
        return tuple(env.render() for env in self.envs)

    def close_extras(self, **kwargs: Any) -> None:
        """Ends every sub-env's session (all of them, even if one fails)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        errors = []
        for env in self.envs:
            try:
                env.close()
            except Exception as error:  # the others are still closed
                errors.append(error)
        if errors:
            raise errors[0]

    def __enter__(self) -> CompilerVectorEnv:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        name = self.spec.id if self.spec is not None else self.envs[0].observation_space_name
        return f"CompilerVectorEnv({name}, num_envs={self.num_envs})"


def make_vec(
    env_id: str,
    num_envs: int,
    *,
    benchmark: BenchmarkStreams | None = None,
    **kwargs: Any,
) -> CompilerVectorEnv:
    """A ``CompilerVectorEnv`` of ``num_envs`` envs of one id, e.g.
    ``make_vec("llvm-autophase-ic-v0", 4, benchmark=uris, max_episode_steps=50)``.

    ``kwargs`` are ``CompilerVectorEnv``'s and ``CompilerEnv``'s; they override the
    id's defaults. An id with a reward space truncates episodes after
    ``MAX_EPISODE_STEPS`` (50) steps unless ``max_episode_steps`` says otherwise
    (None: no limit).
    """
    env_id = env_id.removeprefix(f"{NAMESPACE}/")
    if env_id not in ENV_SPECS:
        raise InvalidArgument(f"unknown env id {env_id!r}; known: {', '.join(ENV_SPECS)}")
    defaults = ENV_SPECS[env_id]
    if benchmark is None:
        benchmark = defaults.get("benchmark")
    kwargs.setdefault("max_episode_steps", max_episode_steps(env_id))
    return CompilerVectorEnv(num_envs, **{**defaults, **kwargs, "benchmark": benchmark})


def to_sb3(env: CompilerVectorEnv, **kwargs: Any) -> SB3VecEnv:
    """The vector env as a stable-baselines3 ``VecEnv`` (``compiler_env.sb3.SB3VecEnv``).

    Needs stable-baselines3, imported only here.
    """
    from compiler_env.sb3 import SB3VecEnv

    return SB3VecEnv(env, **kwargs)


def _as_step(reset: Callable[[], tuple[Any, dict[str, Any]]]) -> Callable[[], _Step]:
    """A reset in the place of a step (``NEXT_STEP`` autoreset): reward 0, not done."""

    def step() -> _Step:
        observation, info = reset()
        return observation, 0.0, False, False, info

    return step


def _bound(
    function: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Callable[[], T]:
    return lambda: function(*args, **kwargs)


def _uri(benchmark: str | Benchmark) -> str:
    if isinstance(benchmark, Benchmark):
        return benchmark.uri
    if isinstance(benchmark, str):
        return benchmark
    raise InvalidArgument(f"a benchmark is a URI or a Benchmark, not {benchmark!r}")


def _streams(spec: BenchmarkStreams | None, n: int) -> list[Iterator[str | Benchmark | None]]:
    """Each sub-env's stream of benchmarks (None: the sub-env's own benchmark)."""
    if spec is None or isinstance(spec, (str, Benchmark)):
        uri = None if spec is None else _uri(spec)
        return [itertools.repeat(uri) for _ in range(n)]
    if isinstance(spec, (list, tuple)):
        if len(spec) != n:
            raise InvalidArgument(
                f"a list of benchmarks has one per sub-env: {n} expected, {len(spec)} given"
            )
        return [itertools.repeat(_uri(uri)) for uri in spec]
    if callable(spec):
        return [iter(spec(i)) for i in range(n)]
    raise InvalidArgument(
        f"benchmark is a URI, a list of {n} URIs (one per sub-env), or a function of the "
        f"sub-env's index giving an iterable of URIs; not {type(spec).__name__}"
    )


def _fixed(spec: BenchmarkStreams | None, n: int) -> list[str | None]:
    """Each sub-env's benchmark when the streams repeat one (None: not known yet)."""
    if isinstance(spec, (str, Benchmark)):
        return [_uri(spec)] * n
    if isinstance(spec, (list, tuple)):
        return [_uri(uri) for uri in spec]
    return [None] * n


def _seeds(seed: int | Sequence[int | None] | None, n: int) -> list[int | None]:
    if seed is None:
        return [None] * n
    if isinstance(seed, (int, np.integer)):
        return [int(seed) + i for i in range(n)]
    seeds = list(seed)
    if len(seeds) != n:
        raise InvalidArgument(
            f"a list of seeds has one per sub-env: {n} expected, {len(seeds)} given"
        )
    return seeds


def _reset_mask(mask: Any, n: int) -> np.ndarray:
    if mask is None:
        return np.ones(n, dtype=np.bool_)
    if not isinstance(mask, np.ndarray) or mask.shape != (n,) or mask.dtype != np.bool_:
        raise InvalidArgument(
            f"options['reset_mask'] is a numpy bool array of shape ({n},), not {mask!r}"
        )
    if not mask.any():
        raise InvalidArgument("options['reset_mask'] resets no sub-env: give at least one True")
    return mask
