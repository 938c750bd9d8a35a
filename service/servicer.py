"""The gRPC servicer: a thin layer over the session table and the datasets."""

from __future__ import annotations

import argparse
import secrets
import sys
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import grpc

from service import benchmarks, observations
from service.llvm.actions import load_actions
from service.llvm.toolchain import find_toolchain
from service.proto import compiler_env_pb2 as pb
from service.proto import compiler_env_pb2_grpc as pb_grpc
from service.proto.constants import PROTOCOL_VERSION, VERSION
from service.proto.errors import (
    BenchmarkNotFound,
    CompilerCrashed,
    CompilerEnvError,
    DeadlineExceeded,
    ServiceUnavailable,
    SessionNotFound,
    TooManySessions,
)
from service.sandbox import SandboxLimits
from service.worker_handle import WorkerHandle, deadline_message, reap_strays
from service.worker_pool import WorkerPool

__all__ = ["CompilerServicer", "SessionLimits", "new_id"]

R = TypeVar("R")


def _status_errors(method: Callable[..., R]) -> Callable[..., R]:
    """Turns a ``CompilerEnvError`` into a gRPC status with the class name in metadata."""

    def wrapper(self: Any, request: Any, context: grpc.ServicerContext) -> R:
        try:
            return method(self, request, context)
        except CompilerEnvError as error:
            context.set_trailing_metadata((("error-type", type(error).__name__),))
            context.abort(error.code, str(error))
            raise  # unreachable: abort raises

    wrapper.__name__ = method.__name__
    wrapper.__qualname__ = method.__qualname__
    wrapper.__doc__ = method.__doc__
    return wrapper


def new_id() -> str:
    """A 128-bit random id in hex: unguessable, and never the same twice."""
    return secrets.token_hex(16)


@dataclass(frozen=True)
class SessionLimits:
    """How many sessions a service holds, and for how long an unused one is kept.

    Args:
        lease_seconds: a session nobody used (no request naming it, no direct
            step, no keep-alive) for this long is ended with its worker; 0:
            never. Clients renew the leases of their idle sessions by themselves.
        max_sessions: sessions (forks included) the service holds at once.
        max_sessions_per_client: sessions one client host holds at once (0: no
            limit of its own). Every client of a unix socket is the same host.
    """

    lease_seconds: float = 600.0
    max_sessions: int = 256
    max_sessions_per_client: int = 0

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        """Flags of ``python -m service`` that set these limits."""
        self = cls()  # the defaults
        parser.add_argument(
            "--lease-seconds",
            type=float,
            default=self.lease_seconds,
            help="end sessions unused for this long (0: never)",
        )
        parser.add_argument(
            "--max-sessions", type=int, default=self.max_sessions, help="sessions held at once"
        )
        parser.add_argument(
            "--max-sessions-per-client",
            type=int,
            default=self.max_sessions_per_client,
            help="sessions one client host holds at once (0: no limit)",
        )

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> SessionLimits:
        return cls(args.lease_seconds, args.max_sessions, args.max_sessions_per_client)


def _client_of(context: Any) -> str:
    """The host a request came from (``ipv4:10.0.0.2:51234`` → ``ipv4:10.0.0.2``)."""
    peer = context.peer() if context is not None else ""
    if peer.startswith(("ipv4:", "ipv6:")):
        return peer.rsplit(":", 1)[0]
    return peer.split(":", 1)[0]  # "unix", or a transport gRPC may add


class CompilerServicer(pb_grpc.CompilerServiceServicer):
    """Sessions, each served by its own worker process.

    Session ids are random, and every session request and reply carries the
    service's ``boot_id``: a client of a service that restarted on the same
    address finds its session gone rather than someone else's. A session is
    held on a lease (``SessionLimits``), renewed by every use.
    """

    def __init__(
        self,
        socket_dir: Path,
        *,
        direct_workers: bool = True,
        pool_size: int = 1,
        limits: SandboxLimits | None = None,
        sessions: SessionLimits | None = None,
        fault_injection: bool = False,
    ):
        self.socket_dir = socket_dir
        self.direct_workers = direct_workers
        # Under a lower hard limit than asked (ulimit -H), workers get what is allowed.
        self.limits, self.limit_notes = (limits or SandboxLimits()).clamped()
        for note in self.limit_notes:
            print(f"compiler service: {note}", file=sys.stderr)
        self.session_limits = sessions or SessionLimits()
        # Workers of a service reached over TCP read no files of this machine.
        extra_env = {} if direct_workers else {"COMPILER_ENV_ALLOW_FILE_URIS": "0"}
        self.pool = WorkerPool(
            socket_dir, self.limits, pool_size, allow_faults=fault_injection, env=extra_env
        )
        self.boot_id = new_id()
        self.sessions: dict[str, WorkerHandle] = {}
        self._clients: dict[str, str] = {}  # session id -> client host
        self.expired = 0  # sessions ended because their lease ran out
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._watchdog = threading.Thread(target=self._watch, daemon=True)
        self._watchdog.start()

    def close(self) -> None:
        """Stops every worker."""
        self._stopping.set()
        with self._lock:
            sessions, self.sessions = self.sessions, {}
        for worker in sessions.values():
            worker.stop()
        self.pool.close()

    def _watch(self) -> None:
        """Kills workers whose current request is past the deadline, and ends
        sessions whose lease ran out."""
        lease = self.session_limits.lease_seconds
        while not self._stopping.wait(0.2):
            with self._lock:
                sessions = list(self.sessions.items())
            for session_id, worker in sessions:
                if worker.alive() and worker.overdue():
                    worker.kill(deadline_message(worker.deadline), deadline=True)
                elif worker.stopped():
                    worker.kill(
                        "the worker process was stopped (SIGSTOP or a debugger) and could not "
                        "answer; it was ended"
                    )
                elif lease and worker.idle_for() > lease:
                    self._expire(session_id, worker)
            reap_strays()

    def _expire(self, session_id: str, worker: WorkerHandle) -> None:
        with self._lock:
            if self.sessions.get(session_id) is not worker:
                return  # ended meanwhile
            del self.sessions[session_id]
            self._clients.pop(session_id, None)
            self.expired += 1
        worker.stop()

    def _check_boot(self, boot_id: str) -> None:
        """Refuses a request meant for an earlier run of this service."""
        if boot_id and boot_id != self.boot_id:
            raise SessionNotFound(
                "the compiler service restarted since this session began (its boot id "
                "changed); the session is gone"
            )

    def _session(self, session_id: str, boot_id: str = "") -> WorkerHandle:
        self._check_boot(boot_id)
        with self._lock:
            worker = self.sessions.get(session_id)
        if worker is None:
            raise SessionNotFound(
                f"no session {session_id[:8]}... on this service (ended, expired after "
                f"{self.session_limits.lease_seconds:g} s unused, or the service restarted)"
            )
        worker.touch()
        return worker

    def _call(self, session_id: str, boot_id: str, request: pb.WorkerRequest) -> pb.WorkerReply:
        """Calls a session's worker; a worker that died is dropped with its session."""
        worker = self._session(session_id, boot_id)
        try:
            return worker.call(request)
        except (CompilerCrashed, DeadlineExceeded):
            with self._lock:
                self.sessions.pop(session_id, None)
                self._clients.pop(session_id, None)
            worker.stop()
            raise

    def _check_room(self, client: str) -> None:
        """Refuses a new session beyond the service's or the client's limit (lock held)."""
        limits = self.session_limits
        if len(self.sessions) >= limits.max_sessions:
            raise TooManySessions(
                f"this compiler service holds {len(self.sessions)} sessions, its limit "
                f"(--max-sessions {limits.max_sessions}); close envs you no longer use "
                "(env.close()), or wait for unused sessions to expire"
            )
        mine = Counter(self._clients.values())[client]
        if limits.max_sessions_per_client and mine >= limits.max_sessions_per_client:
            raise TooManySessions(
                f"this client holds {mine} sessions on the compiler service, its limit "
                f"(--max-sessions-per-client {limits.max_sessions_per_client}); close envs "
                "you no longer use (env.close())"
            )

    def _add(self, worker: WorkerHandle, client: str) -> str:
        with self._lock:
            try:
                if self._stopping.is_set():  # the service closed while this request ran
                    raise ServiceUnavailable("the compiler service is shutting down")
                self._check_room(client)
            except CompilerEnvError:
                worker.stop()
                raise
            session_id = new_id()
            self.sessions[session_id] = worker
            self._clients[session_id] = client
        worker.touch()
        return session_id

    def _address(self, worker: WorkerHandle) -> str:
        return worker.address if self.direct_workers else ""

    @_status_errors
    def GetVersion(self, request: pb.GetVersionRequest, context: Any) -> pb.GetVersionReply:
        return pb.GetVersionReply(
            service_version=VERSION,
            compiler_version=f"LLVM {find_toolchain().version}",
            protocol_version=PROTOCOL_VERSION,
            request_timeout=self.limits.request_timeout,
            boot_id=self.boot_id,
            lease_seconds=self.session_limits.lease_seconds,
        )

    @_status_errors
    def GetSpaces(self, request: pb.GetSpacesRequest, context: Any) -> pb.GetSpacesReply:
        table = load_actions(find_toolchain().major)
        return pb.GetSpacesReply(
            action_space=pb.ActionSpaceInfo(
                name=table.name,
                action_names=[a.name for a in table.actions],
                pipelines=[a.pipeline for a in table.actions],
                unsafe=sorted(table.unsafe),
                slow=sorted(table.slow),
            ),
            observation_spaces=[spec.info() for spec in observations.SPACES.values()],
        )

    @_status_errors
    def StartSession(self, request: pb.StartSessionRequest, context: Any) -> pb.StartSessionReply:
        self._check_boot(request.boot_id)
        client = _client_of(context)
        with self._lock:
            self._check_room(client)  # before any work; checked again when it is added
        worker = self.pool.take()
        if request.deadline_seconds > 0:
            worker.deadline = min(request.deadline_seconds, self.limits.request_timeout)
        try:
            reply = worker.call(pb.WorkerRequest(start=request)).start
        except (CompilerCrashed, DeadlineExceeded):
            worker.stop()
            raise
        except BaseException:
            worker.deadline = self.limits.request_timeout
            self.pool.put(worker)  # a bad benchmark: the worker itself is fine
            raise
        reply.session_id = self._add(worker, client)
        reply.worker_address = self._address(worker)
        reply.worker_pid = worker.pid
        reply.boot_id = self.boot_id
        return reply

    @_status_errors
    def EndSession(self, request: pb.EndSessionRequest, context: Any) -> pb.EndSessionReply:
        if request.boot_id and request.boot_id != self.boot_id:
            return pb.EndSessionReply(boot_id=self.boot_id)  # another run's: nothing to end
        with self._lock:
            worker = self.sessions.pop(request.session_id, None)
            self._clients.pop(request.session_id, None)
        if worker is None:
            return pb.EndSessionReply(boot_id=self.boot_id)
        reason = worker.death()
        worker.stop()
        if not reason:
            return pb.EndSessionReply(boot_id=self.boot_id)
        status = DeadlineExceeded if worker.killed_at_deadline else CompilerCrashed
        return pb.EndSessionReply(reason=reason, reason_status=status.status, boot_id=self.boot_id)

    @_status_errors
    def KeepAlive(self, request: pb.KeepAliveRequest, context: Any) -> pb.KeepAliveReply:
        """Renews the leases of sessions a client holds but is not using right now."""
        if request.boot_id and request.boot_id != self.boot_id:
            return pb.KeepAliveReply(boot_id=self.boot_id, unknown_session_ids=request.session_ids)
        unknown = []
        with self._lock:
            for session_id in request.session_ids:
                worker = self.sessions.get(session_id)
                if worker is None:
                    unknown.append(session_id)
                else:
                    worker.touch()
        return pb.KeepAliveReply(boot_id=self.boot_id, unknown_session_ids=unknown)

    @_status_errors
    def ForkSession(self, request: pb.ForkSessionRequest, context: Any) -> pb.ForkSessionReply:
        """Forks the session's worker process: the copy is exact and costs no replay."""
        parent = self._session(request.session_id, request.boot_id)
        client = _client_of(context)
        with self._lock:
            self._check_room(client)
        worker = WorkerHandle(self.socket_dir, self.limits, env=self.pool.env, parent=parent)
        worker.deadline = parent.deadline
        return pb.ForkSessionReply(
            session_id=self._add(worker, client),
            worker_address=self._address(worker),
            worker_pid=worker.pid,
            boot_id=self.boot_id,
        )

    @_status_errors
    def Step(self, request: pb.StepRequest, context: Any) -> pb.StepReply:
        reply = self._call(request.session_id, request.boot_id, pb.WorkerRequest(step=request))
        reply.step.boot_id = self.boot_id
        return reply.step

    @_status_errors
    def ListDatasets(self, request: pb.ListDatasetsRequest, context: Any) -> pb.ListDatasetsReply:
        return pb.ListDatasetsReply(
            datasets=[
                pb.DatasetInfo(
                    name=d.name,
                    description=d.description,
                    license=d.license,
                    size=-1 if d.unbounded else int(d.size),
                    uri_prefix=d.uri_prefix,
                    max_seed=d.max_seed if d.unbounded else 0,
                )
                for d in benchmarks.datasets().values()
            ]
        )

    @_status_errors
    def ListBenchmarks(
        self, request: pb.ListBenchmarksRequest, context: Any
    ) -> pb.ListBenchmarksReply:
        dataset = benchmarks.datasets().get(request.dataset)
        if dataset is None:
            raise BenchmarkNotFound(
                f"unknown dataset {request.dataset!r}; known: {', '.join(benchmarks.datasets())}"
            )
        count = request.count or None  # 0: the rest of a finite dataset
        return pb.ListBenchmarksReply(uris=dataset.uris(request.offset, count))
