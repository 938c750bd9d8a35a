"""``CompilerEnv``: a Gymnasium environment over an LLVM optimization episode."""

from __future__ import annotations

import copy
import time
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, SupportsFloat, cast

import gymnasium
import numpy as np
from gymnasium.spaces import Space

from compiler_env.connection import Connection
from compiler_env.datasets import Benchmark, Datasets
from compiler_env.retry import RECOVERABLE, RetryPolicy
from compiler_env.rewards import Reward, make_reward
from compiler_env.services import ServiceRef
from compiler_env.session import Session
from compiler_env.spaces import ActionSpace, Described, decode, make_observation_space
from compiler_env.state import CompilerEnvState, commandline_passes, opt_commandline
from compiler_env.views import ObservationView, RewardView
from service.proto import compiler_env_pb2 as pb
from service.proto.errors import (
    CompilerEnvError,
    EnvClosed,
    InvalidAction,
    InvalidArgument,
    ProgramFailed,
    StepBudgetExceeded,
    UnknownSpace,
)
from service.sandbox import SandboxLimits

if TYPE_CHECKING:
    from compiler_env.validation import ValidationResult

__all__ = ["DEFAULT_BENCHMARK", "CompilerEnv", "SessionInfo"]

DEFAULT_BENCHMARK = "benchmark://kernels-v0/crc32"


class SessionInfo(NamedTuple):
    """An env's session on its service.

    Attributes:
        id: the session's random id (None before the first reset or while lost).
        boot_id: the boot id of the service that holds it.
        worker_pid: the worker process serving it.
        recoveries: how many times the episode was restored by replay.
        direct: whether steps go straight to the worker (a local service).
    """

    id: str | None
    boot_id: str
    worker_pid: int
    recoveries: int
    direct: bool


class CompilerEnv(gymnasium.Env[Any, int]):
    """Phase ordering on LLVM: each action applies one optimization pass.

    Args:
        benchmark: the program, as a URI (``benchmark://kernels-v0/crc32``,
            ``file:///path/prog.c``) or a ``Benchmark``.
        observation_space: the name of the space ``reset``/``step`` return, or None.
        reward_space: a reward space name or a ``Reward`` object, or None.
        service: the address of a running service; None starts (or shares) a
            local one for this process.
        token: the service's access token, if it requires one.
        tls_root_certificates: PEM certificates to trust: connect with TLS.
        retry: how to recover from lost workers and services (``RetryPolicy``).
        connect_timeout: how long to wait for a remote service to answer.
        limits: the sandbox limits (``SandboxLimits``) of the workers of a local
            service: envs with the same limits share a local service of their
            own. A remote service has its operator's limits.
        deadline: the wall-clock deadline, in seconds, of each request of this
            env's session (None: the service's, 300 s by default; a longer one
            is cut to the service's). A program past it raises
            ``DeadlineExceeded`` at once, without a retry.
        action_space: ``"default"``, the action table without the passes the
            pass audit found miscompiling or nondeterministic and those the
            perf harness found far slower than the others (docs/actions.md,
            "The default action space"); ``"safe"``, without the first only; or
            ``"full"``, every pass of the table.
        step_budget: wall-clock seconds the actions of one step may take (None:
            no budget). A step past it is stopped: the episode is kept before
            it and ends (``truncated``, ``info["step_budget_exceeded"]``), or
            ``StepBudgetExceeded`` is raised when the retry policy says
            ``on_error="raise"``.
        runtime_runs: how many measured runs a ``Runtime`` observation (and its
            baselines) takes (None: 5).
        runtime_warmup_runs: unmeasured runs before them (None: 1).

    >>> import compiler_env
    >>> with compiler_env.make("llvm-ic-v0", benchmark="benchmark://kernels-v0/crc32") as env:
    ...     _ = env.reset()
    ...     _, reward, terminated, truncated, _ = env.step(env.action_space.index("mem2reg"))
    ...     reward > 0, "-passes='function(mem2reg)'" in env.commandline()
    (True, True)
    """

    metadata = {"render_modes": ["human", "ansi"]}
    action_space: ActionSpace  # type: ignore[assignment]

    def __init__(
        self,
        benchmark: str | Benchmark | None = None,
        observation_space: str | None = None,
        reward_space: str | Reward | None = None,
        service: str | None = None,
        *,
        token: str | None = None,
        tls_root_certificates: bytes | None = None,
        retry: RetryPolicy | None = None,
        connect_timeout: float = 60.0,
        limits: SandboxLimits | None = None,
        deadline: float | None = None,
        action_space: Literal["default", "safe", "full"] = "default",
        step_budget: float | None = None,
        runtime_runs: int | None = None,
        runtime_warmup_runs: int | None = None,
        render_mode: str | None = None,
    ) -> None:
        self._closed = True  # until the session exists
        if action_space not in ("default", "safe", "full"):
            raise InvalidArgument(
                f"action_space is 'default', 'safe' or 'full', not {action_space!r}"
            )
        if step_budget is not None and not (
            isinstance(step_budget, (int, float)) and not isinstance(step_budget, bool)
            and step_budget > 0
        ):  # fmt: skip
            raise InvalidArgument(f"step_budget is a positive number of seconds: {step_budget!r}")
        if limits is not None and service is not None:
            raise InvalidArgument(
                "limits= sets the sandbox of a local service; a remote service has the limits "
                "its operator gave it (python -m service --address-space-mib ...)"
            )
        self._config: dict[str, Any] = dict(
            observation_space=observation_space,
            service=service,
            token=token,
            tls_root_certificates=tls_root_certificates,
            retry=retry,
            connect_timeout=connect_timeout,
            limits=limits,
            deadline=deadline,
            action_space=action_space,
            step_budget=step_budget,
            runtime_runs=runtime_runs,
            runtime_warmup_runs=runtime_warmup_runs,
            render_mode=render_mode,
        )
        self._session = Session(
            ServiceRef(service, token, tls_root_certificates, connect_timeout, limits),
            retry or RetryPolicy(),
            deadline=deadline,
        )
        for name, value, least in (
            ("runtime_runs", runtime_runs, 1), ("runtime_warmup_runs", runtime_warmup_runs, 0)
        ):  # fmt: skip
            wrong = isinstance(value, bool) or not isinstance(value, int) or value < least
            if value is not None and wrong:
                raise InvalidArgument(f"{name} is an integer of at least {least}, not {value!r}")
        self._session.runtime_runs = runtime_runs or 0
        self._session.step_budget = float(step_budget or 0.0)
        # 0 asks for the service's default; no warm-up at all is sent as -1.
        self._session.runtime_warmup_runs = -1 if runtime_warmup_runs == 0 else (
            runtime_warmup_runs or 0
        )
        self._closed = False
        self.render_mode = render_mode
        self._make_spaces()
        self._observation_name = observation_space
        if observation_space is not None:
            self.observation_space = cast(Space[Any], self._space(observation_space))
        self._reward: Reward | None = make_reward(reward_space) if reward_space else None
        self._benchmark_uri = _uri(benchmark) if benchmark else DEFAULT_BENCHMARK
        self._start_time = time.monotonic()
        self.episode_reward: float = 0.0
        self.observation = ObservationView(self)
        self.reward = RewardView(self)
        self.datasets = Datasets(lambda: self._connection)

    def _make_spaces(self) -> None:
        """This env's own space objects (each with its own random generator)."""
        spaces = self._connection.spaces
        info = spaces.action_space
        #: The service's whole action table; ``action_space`` may be a subset of it.
        self.action_table = ActionSpace(info.name, list(info.action_names), list(info.pipelines))
        self.action_space = self.action_table
        if self._config["action_space"] == "safe":
            self.action_space = self.action_table.subset(f"{info.name}-safe", set(info.unsafe))
        elif self._config["action_space"] == "default":
            left_out = {*info.unsafe, *info.slow}
            self.action_space = self.action_table.subset(f"{info.name}-default", left_out)
        self.observation_spaces: dict[str, Described] = {
            info.name: make_observation_space(info) for info in spaces.observation_spaces
        }

    # -- properties ---------------------------------------------------------------

    @property
    def _connection(self) -> Connection:
        return self._session.connection

    @property
    def actions(self) -> list[int]:
        """The actions of the episode so far (a copy), as indices of ``action_space``."""
        return [self.action_space.of_table(a) for a in self._session.actions]

    @property
    def session_info(self) -> SessionInfo:
        """Where the episode runs now (for monitoring and tests): changes on recovery."""
        s = self._session
        return SessionInfo(s.id, s.boot_id, s.worker_pid, s.recoveries, s._channel is not None)

    @property
    def retry_policy(self) -> RetryPolicy:
        return self._session.policy

    @property
    def benchmark(self) -> str:
        """The benchmark URI of this episode (setting it takes effect at the next reset)."""
        return self._benchmark_uri

    @benchmark.setter
    def benchmark(self, benchmark: str | Benchmark) -> None:
        self._benchmark_uri = _uri(benchmark)

    @property
    def observation_space_name(self) -> str | None:
        """The observation space ``reset()`` and ``step()`` return, or None (none)."""
        return self._observation_name

    @property
    def reward_space(self) -> Reward | None:
        return self._reward

    @reward_space.setter
    def reward_space(self, space: str | Reward | None) -> None:
        self._reward = make_reward(space) if space else None
        if self._reward is not None and self._session.id is not None:
            self._reset_reward()

    @property
    def compiler_version(self) -> str:
        """The compiler behind the service, e.g. ``LLVM 19.1.7``."""
        return self._connection.version.compiler_version

    @property
    def state(self) -> CompilerEnvState:
        """The episode so far, replayable by ``CompilerEnvState``'s users."""
        return CompilerEnvState(
            benchmark=self._benchmark_uri,
            commandline=self.commandline(),
            walltime=time.monotonic() - self._start_time,
            reward=self.episode_reward if self._reward is not None else None,
            reward_space=self._reward.name if self._reward is not None else "",
            compiler_version=self.compiler_version,
        )

    def commandline(self) -> str:
        """An ``opt`` command that turns ``input.bc`` (the benchmark) into the current IR.

        ``input.bc`` is the benchmark's unoptimized bitcode (``env.observation
        ["Bitcode"]`` right after ``reset()``); the command writes ``output.bc``.
        Its flags configure ``opt``'s target machine as the service's.
        """
        major = self.compiler_version.split()[-1].split(".")[0]
        table = self.action_table.pipelines
        return opt_commandline(major, [table[a] for a in self._session.actions])

    def actions_of(self, commandline: str) -> list[int]:
        """The actions of a command line that ``commandline()`` wrote.

        Raises:
            InvalidAction: it names a pass that is no action of this env (the
                message names it), or it has no ``-passes=``.
        """
        pipelines = self.action_space.pipelines
        index = {pipeline: i for i, pipeline in reversed(list(enumerate(pipelines)))}
        actions = []
        for element in commandline_passes(commandline):
            if element not in index and element in self.action_table.pipelines:
                raise InvalidAction(
                    f"the command line's pass {element[:200]!r} is left out of "
                    f"{self.action_space.name}; replay it in an env made with "
                    'action_space="full"'
                )
            if element not in index:
                raise InvalidAction(
                    f"the command line's pass {element[:200]!r} is not an action of "
                    f"{self.action_space.name} (a pipeline of another LLVM version, or edited?)"
                )
            actions.append(index[element])
        return actions

    def apply(self, state: CompilerEnvState) -> None:
        """Replays a state into this env: resets onto its benchmark and applies the
        actions of its command line; ``episode_reward`` is then the replay's.

        Raises:
            BenchmarkNotFound: the state's benchmark does not exist.
            InvalidAction: its command line names a pass that is no action.
            CompilerEnvError: an action failed on every try (the episode is kept
                where it failed).
        """
        self.reset(options={"benchmark": state.benchmark})
        actions = self.actions_of(state.commandline)
        if actions:
            _, _, _, truncated, info = self.multistep(actions)
            if truncated:
                raise CompilerEnvError(f"the replay of {state.benchmark} failed: {info['error']}")

    def validate(self, state: CompilerEnvState | None = None) -> ValidationResult:
        """Checks a state (default: this env's own ``state``) in a new env of the same
        settings: its replay, reward, IR and program behaviour (``compiler_env.
        validation``). This env's episode is left as it is."""
        from compiler_env.validation import validate_state

        return validate_state(state or self.state, self._config)

    # -- the episode ----------------------------------------------------------------

    def _space(self, name: str) -> Described:
        if name not in self.observation_spaces:
            raise UnknownSpace(
                f"unknown observation space {name!r}; available: "
                f"{', '.join(sorted(self.observation_spaces))}"
            )
        return self.observation_spaces[name]

    def _check_open(self) -> None:
        if self._closed:
            raise EnvClosed("this env is closed; make a new one with compiler_env.make()")

    def _reset_names(self) -> list[str]:
        names = [self._observation_name] if self._observation_name else []
        if self._reward is not None:
            names += [*self._reward.observations, *self._reward.baselines]
        return names

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[Any, dict[str, Any]]:
        """Starts an episode on the benchmark (``options={"benchmark": uri}`` picks another).

        If the new benchmark cannot be loaded, the error is raised and the
        previous episode is left as it was.
        """
        self._check_open()
        super().reset(seed=seed)
        uri = self._benchmark_uri
        if options and options.get("benchmark") is not None:
            uri = _uri(options["benchmark"])
        names = self._reset_names()
        reply = self._session.start(uri, names)
        self._benchmark_uri = uri
        values = self._decode(names, reply.observations)
        self.episode_reward = 0.0
        self.reward.clear()
        self._start_time = time.monotonic()
        if self._reward is not None:
            self._reward.reset(values, values)
        observation = self._primary(values)
        return observation, {"benchmark": reply.benchmark}

    def _primary(self, values: dict[str, Any]) -> Any:
        """The observation ``reset``/``step`` return, in its space's RL-ready form."""
        if self._observation_name is None:
            return None
        space = self.observation_spaces[self._observation_name]
        return space.as_observation(values[self._observation_name])

    def _decode(self, names: list[str], observations: Any) -> dict[str, Any]:
        return {
            name: self.observation_spaces[name].convert(decode(observation))
            for name, observation in zip(names, observations)
        }

    def _reset_reward(self) -> None:
        assert self._reward is not None
        self._reward.reset(
            self.compute_observations(list(self._reward.baselines)),
            self.compute_observations(list(self._reward.observations)),
        )

    def _step_request(self, actions: list[int], names: list[str]) -> pb.StepReply:
        self._check_open()
        return self._session.step(actions, names)

    def compute_observations(self, names: list[str]) -> dict[str, Any]:
        """Computes observation spaces of the current program without changing it."""
        for name in names:
            self._space(name)
        if not names:
            return {}
        reply = self._step_request([], names)
        return self._decode(names, reply.observations)

    def step(self, action: int) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        """Applies one action; returns ``(observation, reward, terminated, truncated, info)``."""
        return self.multistep([action])

    def multistep(
        self, actions: list[int]
    ) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        """Applies several actions in one round trip; the reward covers all of them.

        An action is any value the action space contains: a Python int, a numpy
        integer, or a 0-d integer array (what ``model.predict`` returns).
        """
        indices = [self._action_index(a) for a in actions]
        names = [self._observation_name] if self._observation_name else []
        if self._reward is not None:
            names += list(self._reward.observations)
        try:
            reply = self._step_request(indices, names)
        except RECOVERABLE as error:
            return self._failed_step(indices, error)
        except ProgramFailed as error:
            return self._failed_program(indices, error)
        except StepBudgetExceeded as error:
            return self._over_budget(indices, error)
        values = self._decode(names, reply.observations)
        reward = 0.0
        if self._reward is not None:
            reward = self._reward.update(values)
            self.episode_reward += reward
        observation = self._primary(values)
        return observation, reward, False, False, {}

    def _action_index(self, action: Any) -> int:
        """The table index of one action of ``action_space``, or InvalidAction (bools
        are refused: not indices)."""
        value = action
        if isinstance(value, np.ndarray) and value.shape == ():
            value = value[()]
        n = int(self.action_space.n)
        if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
            if 0 <= int(value) < n:
                return self.action_space.table[int(value)]
        raise InvalidAction(
            f"invalid action {action!r}: expected an integer in 0..{n - 1} (a Python or "
            "numpy integer, or a 0-d integer array); env.action_space.index(name) maps a "
            "pass name to its index"
        )

    def _named(self, index: int) -> str:
        """An action of the table, as its index in ``action_space`` and its name."""
        return f"{self.action_space.of_table(index)} ({self.action_table.names[index]})"

    def _failed_step(
        self, actions: list[int], error: CompilerEnvError
    ) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        """Every try of a step failed: keep the last good state, then truncate or raise."""
        self._session.restore_or_raise()
        return self._ended(error, (
            f"action {self._names(actions)} failed on every one of {self.retry_policy.attempts} "
            f"tries: {error}. The episode is kept at its last good step ({len(self.actions)} "
            "actions)"
        ))  # fmt: skip

    def _over_budget(
        self, actions: list[int], error: StepBudgetExceeded
    ) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        """The actions ran past the step budget: the episode, kept before them, ends."""
        message = f"action {self._names(actions)}: {error}"
        return self._ended(error, message, step_budget_exceeded=True)

    def _failed_program(
        self, actions: list[int], error: ProgramFailed
    ) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        """The actions gave a program that cannot be built, run, or that misbehaves:
        the episode is kept before them and ends."""
        message = (
            f"after action {self._names(actions)}: {error}. The episode is kept before it "
            f"({len(self.actions)} actions)"
        )
        return self._ended(error, message, miscompiled=True)

    def _names(self, actions: list[int]) -> str:
        return ", ".join(self._named(a) for a in actions)

    def _ended(
        self, error: CompilerEnvError, message: str, **flags: bool
    ) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        """A failed step's result: the episode, kept as it was, ends (``truncated``,
        the cause in ``info``), or ``error``'s type is raised with ``message``
        when the retry policy says ``on_error="raise"``."""
        if self.retry_policy.on_error == "raise":
            raise type(error)(message) from error
        info = {"error": message, "error_type": type(error).__name__, **flags}
        observation = None
        if self._observation_name:
            observation = self._primary(self.compute_observations([self._observation_name]))
        return observation, 0.0, False, True, info

    def fork(self) -> CompilerEnv:
        """A new env whose episode continues independently from this one's current state.

        The copy has its own session, spaces (and their random generators),
        reward state, views and dataset browser; ``copy.copy(env)`` and
        ``copy.deepcopy(env)`` are the same as ``env.fork()``.
        """
        self._check_open()
        session = self._session.fork()
        other = object.__new__(type(self))
        other.__dict__.update(self.__dict__)
        other._session = session
        other._config = dict(self._config)
        other._reward = copy.deepcopy(self._reward)
        other._make_spaces()
        if self._observation_name is not None:
            other.observation_space = cast(Space[Any], other._space(self._observation_name))
        other._np_random = None  # Gymnasium's generator: drawn afresh from the next seed
        other.observation = ObservationView(other)
        other.reward = RewardView(other)
        other.datasets = Datasets(lambda: other._connection)
        return other

    def __copy__(self) -> CompilerEnv:
        return self.fork()

    def __deepcopy__(self, memo: dict[int, Any]) -> CompilerEnv:
        return self.fork()

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickles the env as its settings and its episode: unpickling reconnects (to
        the same service, or this process's local one) and replays the episode.

        A token given to the env travels with it.
        """
        self._check_open()
        episode = None
        if self._session.benchmark is not None:
            session = self._session
            episode = (session.benchmark, list(session.actions), self.episode_reward, self._reward)
        config = {**self._config, "benchmark": self._benchmark_uri}
        if episode is None:
            config["reward_space"] = self._reward
        return (_unpickle_env, (type(self), config, episode))

    def render(self) -> str | None:  # type: ignore[override, unused-ignore]  # gymnasium<1.4
        """Prints (``human``) or returns (``ansi``) the current IR."""
        text = self.observation["Ir"]
        if self.render_mode == "human":
            print(text)
            return None
        return str(text)

    def close(self) -> None:
        """Ends the session; the last env of a local service stops it."""
        if self._closed:
            return
        self._closed = True
        self._session.close()

    def __enter__(self) -> CompilerEnv:
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        self.close()
        return False

    def __del__(self) -> None:
        """Ends the session without blocking or taking a lock: the garbage collector
        may run this anywhere, in any thread, in a forked child or at exit."""
        if not getattr(self, "_closed", True):
            self._closed = True
            try:
                self._session.abandon()
            except Exception:
                pass


def _unpickle_env(
    cls: type[CompilerEnv], config: dict[str, Any], episode: tuple[Any, ...] | None
) -> CompilerEnv:
    """An env made from pickled settings, at the pickled episode's step (by replay)."""
    if episode is None:
        return cls(**config)
    benchmark, actions, episode_reward, reward = episode
    env = cls(**config, reward_space=reward)
    try:
        env._session.benchmark = benchmark
        env._session.actions = list(actions)
        env._session.restore()
        env._reward = reward  # its state travelled with it
        env.episode_reward = episode_reward
    except BaseException:
        env.close()
        raise
    return env


def _uri(benchmark: str | Benchmark) -> str:
    return benchmark if isinstance(benchmark, str) else benchmark.uri
