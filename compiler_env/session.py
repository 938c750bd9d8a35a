"""``Session``: an episode's place on a service, restored by replay when lost.

The client knows the benchmark and every action applied, so when a worker dies,
hangs past its deadline, or the whole service goes away, it starts a new
session (restarting a local service if needed), replays the actions, and tries
the request again, as its ``RetryPolicy`` allows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from compiler_env.connection import Connection, ServiceRef, WorkerChannel
from compiler_env.retry import RECOVERABLE, RetryPolicy
from service.proto import compiler_env_pb2 as pb
from service.proto.errors import (
    CompilerEnvError,
    DeadlineExceeded,
    ResetRequired,
    ServiceUnavailable,
)

__all__ = ["Session"]

T = TypeVar("T")
_CHANNEL_MARGIN = 5.0  # seconds past the service's deadline before a client gives up


class Session:
    """The session of one env: its id, worker channel, benchmark and action history."""

    def __init__(self, service: ServiceRef, policy: RetryPolicy) -> None:
        self.service = service
        self.policy = policy
        self.connection: Connection = service.connect()
        self.id: int | None = None
        self.worker_pid = 0
        self.benchmark: str | None = None
        self.actions: list[int] = []
        self.recoveries = 0  # how many times the session was restored
        self._channel: WorkerChannel | None = None
        self._lost = False

    # -- requests -------------------------------------------------------------------

    def start(self, benchmark: str, names: list[str]) -> pb.StartSessionReply:
        """Starts an episode; if it fails, the previous episode is kept."""
        request = pb.StartSessionRequest(benchmark=benchmark, observation_spaces=names)
        reply = self._retrying(lambda: self._start(request), fresh=True)
        # The URI as given, not the service's short form: an inline:// URI carries
        # its program, so a new or restarted service can replay it too.
        self.benchmark = benchmark
        self.actions = []
        return reply

    def step(self, actions: list[int], names: list[str]) -> pb.StepReply:
        """Applies actions and computes observations; raises once every try failed."""
        if self.id is None:
            raise ResetRequired("call env.reset() before stepping or observing")
        reply = self._retrying(lambda: self._step(actions, names))
        self.actions.extend(actions)
        return reply

    def fork(self) -> Session:
        """A new session holding a copy of this one's current program."""
        if self.id is None and not self._lost:
            raise ResetRequired("call env.reset() before forking")
        reply = self._retrying(
            lambda: self.connection.call("ForkSession", pb.ForkSessionRequest(session_id=self.id))
        )
        other = Session(self.service.copy(), self.policy)
        other.benchmark = self.benchmark
        other.actions = list(self.actions)
        try:
            other._attach(reply.session_id, reply.worker_address, reply.worker_pid)
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
        if session is None:
            return pb.EndSessionReply()
        try:
            return self.connection.call("EndSession", pb.EndSessionRequest(session_id=session))
        except CompilerEnvError:
            return pb.EndSessionReply()  # the service is gone too

    def close(self) -> None:
        self.end()
        self.service.release()

    # -- one try ----------------------------------------------------------------------

    def _attach(self, session: int, worker_address: str, worker_pid: int) -> None:
        self.id = session
        self.worker_pid = worker_pid
        if worker_address:
            timeout = self.connection.version.request_timeout + _CHANNEL_MARGIN
            self._channel = WorkerChannel(worker_address, timeout)
        else:
            self._channel = None

    def _start(self, request: pb.StartSessionRequest) -> pb.StartSessionReply:
        if self._channel is not None:  # reuse this session's worker: the fastest reset
            reply = self._channel.call(pb.WorkerRequest(start=request)).start
            reply.session_id = self.id or 0
            return reply
        reply = self.connection.call("StartSession", request)
        self.end()
        self._attach(reply.session_id, reply.worker_address, reply.worker_pid)
        return reply

    def _step(self, actions: list[int], names: list[str]) -> pb.StepReply:
        request = pb.StepRequest(session_id=self.id, actions=actions, observation_spaces=names)
        if self._channel is not None:
            return self._channel.call(pb.WorkerRequest(step=request)).step
        return self.connection.call("Step", request)

    # -- recovery ---------------------------------------------------------------------

    def _retrying(self, request: Callable[[], T], *, fresh: bool = False) -> T:
        """Tries ``request`` as the policy allows, restoring the session in between.

        With ``fresh``, the request starts a new episode: a lost session is
        dropped rather than restored first.
        """
        last: CompilerEnvError | None = None
        for delay in [0.0, *self.policy.delays()]:
            if delay:
                time.sleep(delay)
            try:
                if self._lost:
                    self.restore(replay=not fresh)
                return request()
            except RECOVERABLE as error:
                self._lost = True
                last = self._explained(error)
        assert last is not None
        raise last

    def _explained(self, error: CompilerEnvError) -> CompilerEnvError:
        """The error, with the service's account of the worker's death if it has one."""
        ended = self.end()
        if not ended.reason or ended.reason in str(error):
            return error
        kind = DeadlineExceeded if ended.reason_status == DeadlineExceeded.status else type(error)
        return kind(f"{error}: {ended.reason}")

    def restore(self, *, replay: bool = True) -> None:
        """Starts a new session at the episode's last good step (by replay).

        Without ``replay``, only reconnects (a new episode follows).
        """
        self.end()
        self.connection = self.service.reconnect()
        if replay and self.benchmark is not None:
            request = pb.StartSessionRequest(benchmark=self.benchmark, actions=self.actions)
            reply = self.connection.call("StartSession", request)
            self._attach(reply.session_id, reply.worker_address, reply.worker_pid)
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
