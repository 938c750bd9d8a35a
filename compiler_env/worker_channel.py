"""``WorkerChannel``: the client's direct line to a local session's worker process."""

from __future__ import annotations

import socket
from typing import NoReturn

from service.proto import compiler_env_pb2 as pb
from service.proto.errors import CompilerCrashed, DeadlineExceeded, from_status
from service.proto.frames import ConnectionClosed, recv_frame, send_frame

__all__ = ["WorkerChannel"]


class WorkerChannel:
    """Frames to and from a session's worker over its unix socket (local services).

    A call interrupted half-way (``KeyboardInterrupt``) leaves a request or a
    reply in flight; the channel is then closed for good (``broken``), so a
    later call can never read the reply of an earlier one.
    """

    def __init__(self, address: str, timeout: float) -> None:
        self.address = address
        self.broken = False
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        try:
            self.sock.connect(address)
        except OSError as error:
            self.sock.close()
            raise CompilerCrashed(f"cannot reach the session's worker: {error}") from error

    def call(self, request: pb.WorkerRequest) -> pb.WorkerReply:
        self.send(request)
        return self.receive()

    def send(self, request: pb.WorkerRequest) -> None:
        """The first half of ``call``: sends the request; ``receive`` reads its reply."""
        if self.broken:
            raise CompilerCrashed("the channel to the session's worker was interrupted")
        try:
            send_frame(self.sock, request)
        except BaseException as error:
            self._fail(error)

    def receive(self) -> pb.WorkerReply:
        """The second half of ``call``: the reply to the request ``send`` sent."""
        try:
            reply = recv_frame(self.sock, pb.WorkerReply)
        except BaseException as error:
            self._fail(error)
        if reply.code:
            raise from_status(reply.code, reply.error_type, reply.message)
        return reply

    def _fail(self, error: BaseException) -> NoReturn:
        """Closes the channel after a failed send or receive, and raises what it means."""
        self.close()
        if isinstance(error, TimeoutError):
            raise DeadlineExceeded("the session's worker did not answer in time") from error
        if isinstance(error, (ConnectionClosed, OSError)):
            raise CompilerCrashed(
                "the worker process serving this session died during the request"
            ) from error
        raise error  # e.g. KeyboardInterrupt: the frames are out of step

    def close(self) -> None:
        """Closes the socket (never blocks)."""
        self.broken = True
        self.sock.close()
