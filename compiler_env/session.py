"""``Session``: an episode's place on a service, restored by replay when lost.

The client knows the benchmark and every action applied, so when a worker dies,
hangs past its deadline, or the whole service goes away (or restarts: its boot
id changes), it starts a new session (restarting a local service if needed),
replays the actions, and tries the request again, as its ``RetryPolicy``
allows. A request interrupted half-way (``KeyboardInterrupt``) leaves the
session in an unknown state: it is treated as lost, so the next request replays
the episode exactly as ``actions`` records it.

A session belongs to the process that made it: in a process forked from that
one, it never touches the parent's session or service, and is restored by
replay on the child's own service when used.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

from compiler_env.connection import Connection
from compiler_env.keepalive import KEEPER
from compiler_env.retry import RECOVERABLE, RetryPolicy
from compiler_env.services import ServiceRef
from compiler_env.worker_channel import WorkerChannel
from service.proto import compiler_env_pb2 as pb
from service.proto.constants import STEP_BUDGET_EXIT
from service.proto.errors import (
    BenchmarkNotFound,
    CompilerCrashed,
    CompilerEnvError,
    DeadlineExceeded,
    ResetRequired,
    ServiceUnavailable,
    SessionNotFound,
    StepBudgetExceeded,
)

__all__ = ["Session"]

T = TypeVar("T")
_CHANNEL_MARGIN = 5.0  # seconds past the service's deadline before a client gives up


class Session:
    """The session of one env: its id, worker channel, benchmark and action history."""

    def __init__(
        self, service: ServiceRef, policy: RetryPolicy, *, deadline: float | None = None
    ) -> None:
        self.service = service
        self.policy = policy
        self.deadline = deadline or 0.0  # of each request (0: the service's)
        #: Wall-clock seconds the actions of a step may take (0: no budget).
        self.step_budget = 0.0
        #: Runs and warm-up runs of each Runtime observation (0: the service's defaults).
        self.runtime_runs = 0
        self.runtime_warmup_runs = 0
        self.owner = os.getpid()
        self.connection: Connection = service.connect()
        self.id: str | None = None
        self.boot_id = ""
        self.worker_pid = 0
        self.benchmark: str | None = None
        self.actions: list[int] = []
        self.recoveries = 0  # how many times the session was restored
        self.tries = 0  # of the last request
        self._channel: WorkerChannel | None = None
        self._lost = False
        KEEPER.add(self)

    # -- requests -------------------------------------------------------------------

    def start(self, benchmark: str, names: list[str]) -> pb.StartSessionReply:
        """Starts an episode; if it fails, the previous episode is kept."""
        self._adopt_if_forked()
        try:
            reply = self._retrying(
                lambda: self._start(benchmark, observation_spaces=names), fresh=True
            )
            # The URI as given, not the service's short form: an inline:// URI carries
            # its program, so a new or restarted service can replay it too.
            self.benchmark, self.actions = benchmark, []
        except CompilerEnvError as error:
            self._keep_previous_episode()
            if isinstance(error, (CompilerCrashed, DeadlineExceeded)):
                raise type(error)(_program_blamed(benchmark, error, self.tries)) from error
            raise
        except BaseException:  # interrupted, perhaps after the worker replied
            self._lose()
            raise
        return reply

    def _start_request(self, benchmark: str, **fields: Any) -> pb.StartSessionRequest:
        return pb.StartSessionRequest(
            benchmark=benchmark,
            deadline_seconds=self.deadline,
            runtime_runs=self.runtime_runs,
            runtime_warmup_runs=self.runtime_warmup_runs,
            **fields,
        )

    def step(self, actions: list[int], names: list[str]) -> pb.StepReply:
        """Applies actions and computes observations; raises once every try failed."""
        self._adopt_if_forked()
        if self.id is None and not self._lost:
            raise ResetRequired("call env.reset() before stepping or observing")
        try:
            reply = self._retrying(lambda: self._step(actions, names))
            self.actions.extend(actions)
        except CompilerEnvError:
            raise
        except BaseException:
            # Interrupted (Ctrl-C), perhaps after the worker applied the actions but
            # before they were recorded: whatever the worker holds, replay ``actions``.
            self._lose()
            raise
        return reply

    def send_step(self, actions: list[int], names: list[str]) -> bool:
        """The first half of a step that others run alongside (a vector env's): sends
        it straight to the worker without waiting; ``receive_step`` reads the reply.

        Returns False, having sent nothing, when there is no direct worker channel
        or the session must first be restored: ``step`` then does all of it.
        """
        if os.getpid() != self.owner or self._channel is None or self._lost or self.id is None:
            return False
        request = self._step_request(actions, names)
        try:
            self._channel.send(pb.WorkerRequest(step=request))
        except BaseException as error:
            self._lose()  # whatever the worker got: the next request replays ``actions``
            if isinstance(error, CompilerEnvError):
                return False
            raise
        return True

    def receive_step(self, actions: list[int]) -> pb.StepReply | None:
        """The reply to ``send_step``, its actions recorded; None if the step failed in
        any way: the session is then lost, and ``step`` restores it by replay and
        tries again as the retry policy says."""
        assert self._channel is not None, "receive_step follows a send_step that sent"
        try:
            reply = self._channel.receive().step
        except BaseException as error:
            self._lose()
            if isinstance(error, CompilerEnvError):
                return None
            raise
        self.actions.extend(actions)
        return reply

    def fork(self) -> Session:
        """A new session holding a copy of this one's current program."""
        self._adopt_if_forked()
        if self.id is None and not self._lost:
            raise ResetRequired("call env.reset() before forking")
        reply = self._retrying(self._fork)
        other = Session(self.service.copy(), self.policy, deadline=self.deadline)
        other.runtime_runs, other.runtime_warmup_runs = self.runtime_runs, self.runtime_warmup_runs
        other.step_budget = self.step_budget
        other.benchmark = self.benchmark
        other.actions = list(self.actions)
        try:
            other._attach(reply.session_id, reply.boot_id, reply.worker_address, reply.worker_pid)
        except BaseException:
            other.close()
            raise
        return other

    def end(self) -> pb.EndSessionReply:
        """Ends the session; the reply says why its worker had already died, if it had."""
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        session, self.id = self.id, None
        if session is None or os.getpid() != self.owner:
            return pb.EndSessionReply()
        request = pb.EndSessionRequest(session_id=session, boot_id=self.boot_id)
        try:
            return self.connection.call("EndSession", request)
        except CompilerEnvError:
            return pb.EndSessionReply()  # the service is gone too

    def close(self) -> None:
        if os.getpid() != self.owner:  # inherited through fork(): the parent's to end
            self._forget_inherited()
            return
        self.end()
        self.service.release()

    def abandon(self) -> None:
        """Ends the session without ever blocking or taking a lock (for ``__del__``)."""
        if os.getpid() != self.owner:
            self._forget_inherited()
            return
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        session, self.id = self.id, None
        if session is not None:
            request = pb.EndSessionRequest(session_id=session, boot_id=self.boot_id)
            if self.service.local:  # the shared connection ends it with its next call
                self.connection.end_later(request)
            else:
                self.connection.end_and_close(request)
        self.service.release(blocking=False)

    # -- processes ----------------------------------------------------------------------

    def _forget_inherited(self) -> None:
        """Lets go of a parent's session and service without a word to either."""
        if self._channel is not None:
            self._channel.sock.close()  # this process's copy of the socket only
            self._channel = None
        self.id = None
        self.service.forget()
        self.owner = os.getpid()

    def _adopt_if_forked(self) -> None:
        """In a forked child: makes the episode this process's own, restored by replay."""
        if os.getpid() == self.owner:
            return
        had_episode = self.id is not None or self._lost
        self._forget_inherited()
        self.connection = self.service.connect()
        self._lost = had_episode

    # -- one try ----------------------------------------------------------------------

    def _attach(self, session: str, boot_id: str, worker_address: str, worker_pid: int) -> None:
        self.id = session
        self.boot_id = boot_id
        self.worker_pid = worker_pid
        if worker_address:
            timeout = self.connection.version.request_timeout + _CHANNEL_MARGIN
            self._channel = WorkerChannel(worker_address, timeout)
        else:
            self._channel = None

    def _checked(self, boot_id: str) -> None:
        """A reply from a service other than the session's: the session is gone."""
        if boot_id and self.boot_id and boot_id != self.boot_id:
            raise SessionNotFound("the compiler service restarted (its boot id changed)")

    def _start(self, benchmark: str, **fields: Any) -> pb.StartSessionReply:
        """Starts an episode of ``benchmark`` on this session's worker, or in a new
        session of the service.

        An ``inline://`` program that the service already holds is named by its short
        URI; if the service says it does not hold it after all, it is sent whole.
        """
        held = self.connection.programs
        # The run of the service that will read the request: this session's worker's,
        # or the one that answered last.
        boot_id = self.boot_id if self._channel is not None else held.boot_id
        short = held.short_uri(benchmark, boot_id)
        if short is not None:
            try:
                return self._send_start(self._start_request(short, boot_id=boot_id, **fields))
            except (BenchmarkNotFound, SessionNotFound):  # its cache cleared, or restarted
                held.refused(benchmark)
        reply = self._send_start(self._start_request(benchmark, **fields))
        held.received(benchmark, self.boot_id)
        return reply

    def _send_start(self, request: pb.StartSessionRequest) -> pb.StartSessionReply:
        if self._channel is not None:  # reuse this session's worker: the fastest reset
            reply = self._channel.call(pb.WorkerRequest(start=request)).start
            reply.session_id = self.id or ""
            return reply
        reply = self.connection.call("StartSession", request)
        self.end()
        self._attach(reply.session_id, reply.boot_id, reply.worker_address, reply.worker_pid)
        return reply

    def _step_request(self, actions: list[int], names: list[str]) -> pb.StepRequest:
        return pb.StepRequest(
            session_id=self.id,
            actions=actions,
            observation_spaces=names,
            boot_id=self.boot_id,
            budget_seconds=self.step_budget if actions else 0.0,
        )

    def _step(self, actions: list[int], names: list[str]) -> pb.StepReply:
        request = self._step_request(actions, names)
        if self._channel is not None:
            return self._channel.call(pb.WorkerRequest(step=request)).step
        reply = self.connection.call("Step", request)
        self._checked(reply.boot_id)
        return reply

    def _fork(self) -> pb.ForkSessionReply:
        request = pb.ForkSessionRequest(session_id=self.id, boot_id=self.boot_id)
        reply = self.connection.call("ForkSession", request)
        self._checked(reply.boot_id)
        return reply

    # -- recovery ---------------------------------------------------------------------

    def _retrying(self, request: Callable[[], T], *, fresh: bool = False) -> T:
        """Tries ``request`` as the policy allows, restoring the session in between.

        With ``fresh``, the request starts a new episode: a lost session is
        dropped rather than restored first. An interrupted try (e.g. Ctrl-C)
        marks the session lost: the next request restores it.
        """
        last: CompilerEnvError | None = None
        self.tries = 0
        for delay in [0.0, *self.policy.delays()]:
            if delay:
                time.sleep(delay)
            try:
                self.tries += 1
                if self._lost:
                    self.restore(replay=not fresh)
                return request()
            except RECOVERABLE as error:
                self._lost = True
                explained = self._explained(error)
                if STEP_BUDGET_EXIT in str(explained):
                    self._over_budget(explained)
                if fresh and _deterministic(explained, last):
                    raise explained from error
                last = explained
            except CompilerEnvError:
                raise
            except BaseException:  # interrupted: the worker may have run part of it
                self._lose()
                raise
        assert last is not None
        raise last

    def _over_budget(self, error: CompilerEnvError) -> NoReturn:
        """The worker ended itself when a step ran past its budget: the episode is
        restored before the step, which is not tried again."""
        self.restore()
        raise StepBudgetExceeded(
            f"the actions ran past the step budget of {self.step_budget:g} s and were "
            "stopped; the episode is kept before them"
        ) from error

    def _lose(self) -> None:
        """Treats the session as lost: the next request restores it by replay.

        A pending signal is handled at the interpreter's next check, which may
        come after the worker's reply was read; so any interruption, wherever it
        lands, leaves the session to be restored as ``actions`` records it.
        """
        self._lost = True
        if self._channel is not None:
            self._channel.close()
            self._channel = None

    def _explained(self, error: CompilerEnvError) -> CompilerEnvError:
        """The error, with the service's account of the worker's death if it has one."""
        ended = self.end()
        if not ended.reason or ended.reason in str(error):
            return error
        kind = DeadlineExceeded if ended.reason_status == DeadlineExceeded.status else type(error)
        explained = kind(f"{error}: {ended.reason}")
        explained.__cause__ = error
        return explained

    def _keep_previous_episode(self) -> None:
        """After a failed reset: puts the previous episode back if it was lost."""
        if self.id is None and self.benchmark is not None:
            try:
                self.restore()
            except CompilerEnvError:
                pass  # still lost: the next request tries again

    def restore(self, *, replay: bool = True) -> None:
        """Starts a new session at the episode's last good step (by replay).

        Without ``replay``, only reconnects (a new episode follows).
        """
        self.end()
        self.connection = self.service.reconnect()
        if replay and self.benchmark is not None:
            self._start(self.benchmark, actions=self.actions)  # in a new session: no channel
            self.recoveries += 1
        self._lost = False

    def restore_or_raise(self) -> None:
        """Puts the episode back at its last good step, or raises ServiceUnavailable."""
        try:
            self.restore()
        except CompilerEnvError as error:
            raise ServiceUnavailable(
                f"the episode could not be restored after a failure ({error}); "
                "check the service, then call env.reset()"
            ) from error


def _deterministic(error: CompilerEnvError, previous: CompilerEnvError | None) -> bool:
    """Whether a failed start will fail again if tried again: a program past its
    deadline (minutes each time), or the same crash twice in a row."""
    if isinstance(error, DeadlineExceeded):
        return True
    return (
        isinstance(error, CompilerCrashed)
        and type(previous) is type(error)
        and _cause(previous) == _cause(error)
    )


def _cause(error: CompilerEnvError | None) -> str:
    """How a worker died, e.g. "it was killed by SIGSEGV" (the message's last clause)."""
    return str(error).rsplit(": ", 1)[-1]


def _program_blamed(benchmark: str, error: CompilerEnvError, tries: int) -> str:
    """The message of a reset that failed because of the program itself."""
    name = benchmark.split("?", 1)[0]
    what = (
        "made the compiler run past its deadline"
        if isinstance(error, DeadlineExceeded)
        else "made the compiler crash"
    )
    return (
        f"loading the program {name} {what} "
        + ("(tried once: it would do so again) " if tries == 1 else f"on each of {tries} tries ")
        + f"({error}). "
        "The program itself triggers this (e.g. an LLVM parser bug on it): check or reduce "
        "it, or use another benchmark. The previous episode is kept as it was."
    )
