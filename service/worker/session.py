"""A worker's state, at most one episode, and the one dispatcher of its requests."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import time
from collections.abc import Callable, Iterator

from service import observations
from service.benchmarks import Benchmark
from service.episode import RUNTIME_RUNS, RUNTIME_WARMUP_RUNS, Episode
from service.llvm.actions import load_actions
from service.llvm.binding import lib
from service.llvm.toolchain import find_toolchain
from service.proto import compiler_env_pb2 as pb
from service.proto.constants import MAX_PROGRAM_BYTES
from service.proto.errors import (
    CompilerEnvError,
    InvalidArgument,
    ProgramTooLarge,
    ResetRequired,
)
from service.sandbox import arm_cpu_budget
from service.worker.forking import fork_worker
from service.worker.preload import Preloader, release_free_memory

__all__ = ["Worker"]


@contextlib.contextmanager
def _budget(seconds: float) -> Iterator[None]:
    """Ends this process (SIGALRM, whose default action is to terminate) if the
    block runs longer than ``seconds`` of wall-clock time: nothing else stops a
    pass that runs away inside LLVM. 0: no budget."""
    if seconds <= 0:
        yield
        return
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


class Worker:
    """The state of a worker: at most one episode.

    ``open_sockets`` returns the sockets the command loop holds (a fork closes
    its copies of them); the loop sets it.
    """

    def __init__(self, *, cpu_seconds: int = 0, max_program_bytes: int = MAX_PROGRAM_BYTES) -> None:
        lib()
        self.table = load_actions(find_toolchain().major)
        self.episode: Episode | None = None
        self.cpu_seconds = cpu_seconds
        self.max_program_bytes = max_program_bytes
        self.open_sockets: Callable[[], list[socket.socket]] = list
        self._cpu_limit = 0.0  # the soft CPU limit in force, in seconds of process time
        self.preloaded = Preloader()

    def handle(self, request: pb.WorkerRequest) -> pb.WorkerReply:
        """Runs one request; errors become a reply with their status."""
        if self.cpu_seconds and time.process_time() + self.cpu_seconds / 2 > self._cpu_limit:
            # Every request gets between half and all of the budget; re-arming is rare.
            self._cpu_limit = arm_cpu_budget(self.cpu_seconds)
        try:
            kind = request.WhichOneof("kind")
            if kind == "step":
                return pb.WorkerReply(step=self.step(request.step))
            if kind == "start":
                return pb.WorkerReply(start=self.start(request.start))
            if kind == "fork_worker":
                return pb.WorkerReply(forked=fork_worker(self, request.fork_worker))
            if kind == "fault":
                self.arm_fault(request.fault)
                return pb.WorkerReply()
            raise InvalidArgument(f"unknown worker request {kind!r}")
        except CompilerEnvError as error:
            return pb.WorkerReply(
                code=error.status, error_type=type(error).__name__, message=str(error)
            )
        except MemoryError:
            raise  # the worker's state is unknown: die, and let the client replay elsewhere
        except Exception as error:  # a bug: report it rather than die
            return pb.WorkerReply(
                code=2,
                error_type="CompilerEnvError",
                message=f"internal error in the worker (a bug, please report it): {error!r}",
            )

    def arm_fault(self, fault: pb.FaultRequest) -> None:
        """Refused: fault injection is ``service.worker.faults.FaultyWorker``'s alone."""
        raise InvalidArgument(
            "fault injection is disabled; it exists only for tests and is enabled by "
            "create_server(fault_injection=True)"
        )

    def _replace(self, episode: Episode, seen: bool) -> None:
        """Makes ``episode`` the current one; the previous one is closed, in the
        background while a spare module is parsed when the benchmark was seen before."""
        retired, self.episode = self.episode, episode
        if retired is episode:
            retired = None
        if seen:
            self.preloaded.prepare(episode.benchmark, retired)
        elif retired is not None:
            retired.close()
            release_free_memory()

    def _pristine(self, benchmark: Benchmark, actions: list[int]) -> Episode | None:
        """The current episode, when it is of ``benchmark`` and no action changed it."""
        current = self.episode
        if actions or current is None or current.actions:
            return None
        same = current.benchmark.uri == benchmark.uri and current.benchmark.sha1 == benchmark.sha1
        return current if same else None

    def _load(self, benchmark: Benchmark, actions: list[int]) -> Episode:
        """An episode at the start of ``benchmark``: the current one if it still is,
        else from a spare module, else parsed now."""
        pristine = self._pristine(benchmark, actions)
        if pristine is not None:
            return pristine
        loaded = self.preloaded.take(benchmark)
        if loaded is not None:
            episode = Episode(benchmark, self.table, loaded=loaded)
        else:
            episode = Episode(benchmark, self.table, canonical=self.preloaded.canonical(benchmark))
        if self.episode is not None:
            episode.inherit_text_sizes(self.episode)
        return episode

    def start(self, request: pb.StartSessionRequest) -> pb.StartSessionReply:
        benchmark = self.preloaded.resolve(request.benchmark)
        if len(benchmark.bitcode) > self.max_program_bytes:
            raise ProgramTooLarge(
                f"{request.benchmark} is {len(benchmark.bitcode)} bytes of IR; this service "
                f"accepts at most {self.max_program_bytes} bytes (SandboxLimits.max_program_bytes)"
            )
        seen = self.preloaded.seen(benchmark)
        episode = self._load(benchmark, list(request.actions))
        episode.runtime_runs = request.runtime_runs or RUNTIME_RUNS
        warmup = request.runtime_warmup_runs  # 0: the default; -1: none
        episode.runtime_warmup_runs = max(warmup, 0) if warmup else RUNTIME_WARMUP_RUNS
        try:
            episode.apply(list(request.actions))
            values = episode.observe(list(request.observation_spaces))
        except BaseException:
            if episode is not self.episode:
                episode.close()
            raise
        self._replace(episode, seen)
        return pb.StartSessionReply(
            benchmark=benchmark.uri,
            observations=[observations.to_proto(v) for v in values],
            worker_pid=os.getpid(),
        )

    def _current(self) -> Episode:
        if self.episode is None:
            raise ResetRequired("this session has no benchmark yet; call reset() first")
        return self.episode

    def step(self, request: pb.StepRequest) -> pb.StepReply:
        episode = self._current()
        names = list(request.observation_spaces)
        observations.check(names)  # before any action
        before = list(episode.actions)
        try:
            with _budget(request.budget_seconds if request.actions else 0.0):
                episode.apply(list(request.actions))
            values = episode.observe(names)
        except CompilerEnvError:
            if episode.actions != before:  # the actions ran, then something failed
                self._rewind(episode, before)
            raise
        return pb.StepReply(observations=[observations.to_proto(v) for v in values])

    def _rewind(self, episode: Episode, actions: list[int]) -> None:
        """Puts the episode back to ``actions`` (a step failed after changing it)."""
        self.start(
            pb.StartSessionRequest(
                benchmark=episode.benchmark.uri,
                actions=actions,
                runtime_runs=episode.runtime_runs,
                runtime_warmup_runs=episode.runtime_warmup_runs or -1,
            )
        )
