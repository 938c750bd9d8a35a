"""A worker's command loop: one frame in, one frame out, on every socket it holds."""

from __future__ import annotations

import selectors
import socket
import time
from typing import TYPE_CHECKING

from google.protobuf.message import DecodeError

from service.proto import compiler_env_pb2 as pb
from service.proto.frames import ConnectionClosed, recv_frame, send_frame
from service.sandbox import BusyStamp

if TYPE_CHECKING:
    from service.worker.session import Worker

__all__ = ["Spinner", "serve"]


class Spinner:
    """Waits briefly, awake, for a direct client's next request after each reply.

    A training loop asks again within microseconds; a process that sleeps in
    the meantime pays a wake-up of tens of microseconds on every step. A miss
    (the client took longer) makes the worker skip spinning for a while, so a
    slow or idle client costs almost nothing.
    """

    def __init__(self, window: float = 200e-6, max_skip: int = 256) -> None:
        self.window = window
        self.max_skip = max_skip
        self.skip = 0
        self._penalty = 0

    def wait(self, sock: socket.socket) -> None:
        if self.skip:
            self.skip -= 1
            return
        deadline = time.perf_counter() + self.window
        sock.setblocking(False)
        try:
            while time.perf_counter() < deadline:
                try:
                    sock.recv(1, socket.MSG_PEEK)
                except BlockingIOError:
                    continue
                self._penalty = 0  # it came (or the peer left): keep spinning
                return
        finally:
            sock.setblocking(True)
        self._penalty = min(self._penalty * 2 or 1, self.max_skip)
        self.skip = self._penalty


def serve(
    worker: Worker,
    control: socket.socket,
    listener: socket.socket,
    stamp: BusyStamp | None = None,
    spinner: Spinner | None = None,
) -> None:
    """Answers frames from the control socket and from direct clients until the service leaves."""
    selector = selectors.DefaultSelector()
    selector.register(control, selectors.EVENT_READ)
    selector.register(listener, selectors.EVENT_READ)
    worker.open_sockets = lambda: [
        key.fileobj for key in selector.get_map().values() if isinstance(key.fileobj, socket.socket)
    ]
    while True:
        for key, _ in selector.select():
            sock = key.fileobj
            assert isinstance(sock, socket.socket)
            if sock is listener:
                client, _ = listener.accept()
                selector.register(client, selectors.EVENT_READ)
                continue
            try:
                request = recv_frame(sock, pb.WorkerRequest)
                if stamp is not None:
                    stamp.begin()
                reply = worker.handle(request)
                if stamp is not None:
                    stamp.end()
                send_frame(sock, reply)
                if spinner is not None and sock is not control:
                    spinner.wait(sock)
            except (ConnectionClosed, ConnectionResetError, BrokenPipeError, DecodeError):
                # A client gone, or one that left half a frame (an interrupted call):
                # drop its connection; the service's control socket ends the worker.
                selector.unregister(sock)
                sock.close()
                if sock is control:
                    return
