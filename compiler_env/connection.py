"""Talking to a compiler service: gRPC connections, direct worker channels, local services."""

from __future__ import annotations

import atexit
import os
import select
import shutil
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc

from service.proto import compiler_env_pb2 as pb
from service.proto import compiler_env_pb2_grpc as pb_grpc
from service.proto.errors import (
    CompilerCrashed,
    CompilerEnvError,
    DeadlineExceeded,
    ServiceUnavailable,
    error_from_status,
)
from service.proto.frames import ConnectionClosed, recv_frame, send_frame

__all__ = ["Connection", "ServiceRef", "WorkerChannel"]

_MESSAGE_LIMIT = 512 * 1024 * 1024
_OPTIONS = [
    ("grpc.max_send_message_length", _MESSAGE_LIMIT),
    ("grpc.max_receive_message_length", _MESSAGE_LIMIT),
]


class Connection:
    """A gRPC connection to a service; every call raises this library's errors.

    Args:
        address: ``unix:PATH`` or ``HOST:PORT``.
        token: sent as ``authorization: Bearer <token>`` on every call.
        root_certificates: PEM certificates to trust: connect with TLS.
        timeout: the deadline of a call, in seconds.
    """

    def __init__(
        self,
        address: str,
        *,
        token: str | None = None,
        root_certificates: bytes | None = None,
        timeout: float = 600.0,
    ) -> None:
        self.address = address
        self.timeout = timeout
        if root_certificates is not None:
            credentials = grpc.ssl_channel_credentials(root_certificates=root_certificates)
            self.channel = grpc.secure_channel(address, credentials, options=_OPTIONS)
        else:
            self.channel = grpc.insecure_channel(address, options=_OPTIONS)
        self.stub = pb_grpc.CompilerServiceStub(self.channel)
        self._metadata = (("authorization", f"Bearer {token}"),) if token else ()
        self._spaces: pb.GetSpacesReply | None = None
        self._version: pb.GetVersionReply | None = None

    def call(self, method: str, request: Any, *, timeout: float | None = None) -> Any:
        """Calls an RPC by name, e.g. ``call("Step", request)``."""
        try:
            return getattr(self.stub, method)(
                request, timeout=timeout or self.timeout, metadata=self._metadata
            )
        except grpc.RpcError as error:
            raise _translate(error, self.address) from None
        except ValueError as error:  # "Cannot invoke RPC on closed channel!"
            raise ServiceUnavailable(
                f"the connection to the compiler service at {self.address} was closed ({error})"
            ) from None

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Blocks until the service answers."""
        try:
            grpc.channel_ready_future(self.channel).result(timeout=timeout)
        except grpc.FutureTimeoutError:
            raise ServiceUnavailable(
                f"no compiler service answered at {self.address} within {timeout:.0f} s; "
                "is it running? (start one with: python -m service --tcp PORT)"
            ) from None

    @property
    def spaces(self) -> pb.GetSpacesReply:
        if self._spaces is None:
            self._spaces = self.call("GetSpaces", pb.GetSpacesRequest())
        return self._spaces

    @property
    def version(self) -> pb.GetVersionReply:
        if self._version is None:
            self._version = self.call("GetVersion", pb.GetVersionRequest())
        return self._version

    def close(self) -> None:
        self.channel.close()


def _translate(error: grpc.RpcError, address: str) -> CompilerEnvError:
    code = error.code()  # type: ignore[attr-defined]
    details = error.details() or ""  # type: ignore[attr-defined]
    error_type = ""
    for key, value in error.trailing_metadata() or ():  # type: ignore[attr-defined]
        if key == "error-type":
            error_type = value
    if code == grpc.StatusCode.UNAVAILABLE and not error_type:
        return ServiceUnavailable(
            f"the compiler service at {address} is unavailable ({details}); check that it "
            "is running and reachable"
        )
    if code == grpc.StatusCode.DEADLINE_EXCEEDED and not error_type:
        return DeadlineExceeded(f"the compiler service at {address} did not answer in time")
    return error_from_status(code, error_type, details)


class WorkerChannel:
    """A direct connection to a session's worker over its unix socket (local services)."""

    def __init__(self, address: str, timeout: float) -> None:
        self.address = address
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        try:
            self.sock.connect(address)
        except OSError as error:
            self.sock.close()
            raise CompilerCrashed(f"cannot reach the session's worker: {error}") from error

    def call(self, request: pb.WorkerRequest) -> pb.WorkerReply:
        try:
            send_frame(self.sock, request)
            reply = recv_frame(self.sock, pb.WorkerReply)
        except TimeoutError as error:
            raise DeadlineExceeded("the session's worker did not answer in time") from error
        except (ConnectionClosed, OSError) as error:
            raise CompilerCrashed(
                "the worker process serving this session died during the request"
            ) from error
        if reply.code:
            raise error_from_status(reply.code, reply.error_type, reply.message)
        return reply

    def close(self) -> None:
        self.sock.close()


class _LocalService:
    """A service process started by this process, shared by its envs."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "service", "--exit-with-parent"],
            stdout=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], _START_TIMEOUT)
        address = self.process.stdout.readline().strip() if ready else ""
        if not address:
            self.process.kill()
            code = self.process.wait()
            raise ServiceUnavailable(
                f"the local compiler service did not start within {_START_TIMEOUT:.0f} s "
                f"(exit status {code}); run `python -m service` to see why"
            )
        self.process.stdout.close()  # the service prints nothing more
        self.connection = Connection(address)
        self.users = 0
        self.owner = os.getpid()

    @property
    def directory(self) -> Path:
        return Path(self.connection.address.removeprefix("unix:")).parent

    def stop(self) -> None:
        self.connection.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.remove_leftovers()

    def remove_leftovers(self) -> None:
        """Removes the private directory of a service that could not do it itself."""
        if self.directory.name.startswith("compiler_env-"):
            shutil.rmtree(self.directory, ignore_errors=True)


_local: _LocalService | None = None
_local_lock = threading.Lock()
_START_TIMEOUT = 120.0


def _forget_parents_service() -> None:
    """In a forked child: the parent's service is not this process's to manage."""
    global _local, _local_lock
    _local = None
    _local_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_parents_service)


def _acquire_local() -> Connection:
    global _local
    with _local_lock:
        if _local is not None and _local.process.poll() is not None:
            _local.connection.close()
            _local.remove_leftovers()  # it died: clean up after it
            _local = None  # its users move to the new one as they reconnect
        if _local is None:
            _local = _LocalService()
        _local.users += 1
        return _local.connection


def _release_local(connection: Connection) -> None:
    global _local
    with _local_lock:
        if _local is None or _local.connection is not connection:
            return
        _local.users -= 1
        if _local.users <= 0:
            _local.stop()
            _local = None


@atexit.register
def _stop_local_service() -> None:
    global _local
    with _local_lock:
        if _local is not None:
            _local.stop()
            _local = None


@dataclass
class ServiceRef:
    """Where an env's service is: the process's shared local one, or an address.

    ``connect()`` gives a connection; after the service is lost, ``reconnect()``
    restarts the local service (or waits for a remote one) and gives a new one.
    """

    address: str | None = None
    token: str | None = None
    root_certificates: bytes | None = None
    connect_timeout: float = 60.0

    def __post_init__(self) -> None:
        self.connection: Connection | None = None

    @property
    def local(self) -> bool:
        return self.address is None

    def connect(self) -> Connection:
        if self.connection is None:
            if self.local:
                self.connection = _acquire_local()
            else:
                assert self.address is not None
                self.connection = Connection(
                    self.address, token=self.token, root_certificates=self.root_certificates
                )
                self.connection.wait_ready(self.connect_timeout)
        return self.connection

    def reconnect(self) -> Connection:
        """A connection to a service that answers (restarting the local one if it died)."""
        if self.local:
            if _local is not None and self.connection is _local.connection:
                if _local.process.poll() is None:
                    return self.connection  # still alive
            old, self.connection = self.connection, None
            connection = self.connect()
            if old is not None and old is not connection:
                _release_local(old)
            return connection
        connection = self.connect()
        connection.wait_ready(self.connect_timeout)
        return connection

    def copy(self) -> ServiceRef:
        """Another user of the same service (for a forked env)."""
        other = ServiceRef(self.address, self.token, self.root_certificates, self.connect_timeout)
        if self.local:
            other.connection = _acquire_local()
        else:
            other.connection = self.connection
        return other

    def release(self) -> None:
        if self.connection is not None and self.local:
            _release_local(self.connection)
        self.connection = None
