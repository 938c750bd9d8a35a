"""Talking to a compiler service: the gRPC connection, direct worker channels, local services."""

from __future__ import annotations

import atexit
import socket
import subprocess
import sys
import threading
from typing import Any

import grpc

from service.proto import compiler_env_pb2 as pb
from service.proto import compiler_env_pb2_grpc as pb_grpc
from service.proto.errors import (
    CompilerCrashed,
    CompilerEnvError,
    ServiceUnavailable,
    error_from_status,
)
from service.proto.frames import ConnectionClosed, recv_frame, send_frame

__all__ = ["Connection", "WorkerChannel", "local_service", "release_local_service"]

_MESSAGE_LIMIT = 512 * 1024 * 1024
_OPTIONS = [
    ("grpc.max_send_message_length", _MESSAGE_LIMIT),
    ("grpc.max_receive_message_length", _MESSAGE_LIMIT),
]


class Connection:
    """A gRPC connection to a service; every call raises this library's errors."""

    def __init__(self, address: str, *, timeout: float = 300.0) -> None:
        self.address = address
        self.timeout = timeout
        self.channel = grpc.insecure_channel(address, options=_OPTIONS)
        self.stub = pb_grpc.CompilerServiceStub(self.channel)
        self._spaces: pb.GetSpacesReply | None = None
        self._version: pb.GetVersionReply | None = None

    def call(self, method: str, request: Any, *, timeout: float | None = None) -> Any:
        """Calls an RPC by name, e.g. ``call("Step", request)``."""
        try:
            return getattr(self.stub, method)(request, timeout=timeout or self.timeout)
        except grpc.RpcError as error:
            raise _translate(error, self.address) from None

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Blocks until the service answers."""
        try:
            grpc.channel_ready_future(self.channel).result(timeout=timeout)
        except grpc.FutureTimeoutError:
            raise ServiceUnavailable(
                f"no compiler service answered at {self.address} within {timeout:.0f} s; "
                "is it running? (start one with: python -m service --address ...)"
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
        return ServiceUnavailable(f"the compiler service at {address} is unavailable: {details}")
    return error_from_status(code, error_type, details)


class WorkerChannel:
    """A direct connection to a session's worker over its unix socket (local services)."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(address)

    def call(self, request: pb.WorkerRequest) -> pb.WorkerReply:
        try:
            send_frame(self.sock, request)
            reply = recv_frame(self.sock, pb.WorkerReply)
        except (ConnectionClosed, ConnectionResetError, BrokenPipeError) as error:
            raise CompilerCrashed(
                "the worker process serving this session died during the request"
            ) from error
        if reply.code:
            status = next(s for s in grpc.StatusCode if s.value[0] == reply.code)
            raise error_from_status(status, reply.error_type, reply.message)
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
        address = self.process.stdout.readline().strip()
        if not address:
            code = self.process.wait()
            raise ServiceUnavailable(
                f"the local compiler service failed to start (exit status {code}); "
                "run `python -m service` to see why"
            )
        self.connection = Connection(address)
        self.users = 0

    def stop(self) -> None:
        self.connection.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


_local: _LocalService | None = None
_local_lock = threading.Lock()


def local_service() -> Connection:
    """The connection to this process's local service, started on first use."""
    global _local
    with _local_lock:
        if _local is None or _local.process.poll() is not None:
            _local = _LocalService()
        _local.users += 1
        return _local.connection


def release_local_service(connection: Connection) -> None:
    """Drops one user of the local service; the last one stops it."""
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
