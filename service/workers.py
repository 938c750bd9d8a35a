"""Worker processes as seen by the service: start, talk to, stop, and keep warm."""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import grpc

from service.proto import compiler_env_pb2 as pb
from service.proto.errors import CompilerCrashed, error_from_status
from service.proto.frames import ConnectionClosed, recv_frame, send_frame

__all__ = ["WorkerHandle", "WorkerPool"]

_ids = itertools.count(1)
# Variables a worker keeps from the service's environment; the rest is dropped.
_KEPT_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "PYTHONPATH", "COMPILER_ENV_LLVM_CONFIG",
             "COMPILER_ENV_DATASETS", "COMPILER_ENV_CACHE", "TMPDIR")  # fmt: skip


class WorkerHandle:
    """One worker process and the service's control connection to it."""

    def __init__(self, socket_dir: Path) -> None:
        self.id = next(_ids)
        self.address = str(socket_dir / f"worker-{self.id}.sock")
        self.workdir = tempfile.mkdtemp(prefix=f"worker-{self.id}-", dir=socket_dir)
        self._lock = threading.Lock()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        env = {k: v for k, v in os.environ.items() if k in _KEPT_ENV}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "service.worker", "--control-fd", str(theirs.fileno()),
             "--listen", self.address],
            pass_fds=[theirs.fileno()],
            cwd=self.workdir,
            env=env,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
        theirs.close()
        self.control = ours
        self._ready = False

    def wait_ready(self) -> None:
        """Blocks until the worker has loaded LLVM and is listening."""
        if not self._ready:
            with self._lock:
                self._receive()
            self._ready = True

    def _receive(self) -> pb.WorkerReply:
        try:
            return recv_frame(self.control, pb.WorkerReply)
        except (ConnectionClosed, ConnectionResetError) as error:
            code = self.process.wait(timeout=5)
            raise CompilerCrashed(
                f"the worker process died (exit status {code}) while serving the request"
            ) from error

    def call(self, request: pb.WorkerRequest) -> pb.WorkerReply:
        """Sends one request and returns the worker's reply, raising its error."""
        self.wait_ready()
        with self._lock:
            try:
                send_frame(self.control, request)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the reply read below reports the death
            reply = self._receive()
        if reply.code:
            raise error_from_status(_status(reply.code), reply.error_type, reply.message)
        return reply

    def stop(self) -> None:
        """Ends the worker and removes its files."""
        self.control.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        Path(self.address).unlink(missing_ok=True)
        _remove_tree(Path(self.workdir))


def _status(code: int) -> grpc.StatusCode:
    for status in grpc.StatusCode:
        if status.value[0] == code:
            return status
    return grpc.StatusCode.UNKNOWN


def _remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


class WorkerPool:
    """Keeps ``size`` started workers ready, so that a new session starts fast."""

    def __init__(self, socket_dir: Path, size: int = 1) -> None:
        self.socket_dir = socket_dir
        self.size = size
        self._idle: list[WorkerHandle] = []
        self._lock = threading.Lock()
        self._closed = False
        self._filling = False

    def take(self) -> WorkerHandle:
        """A started worker; the pool refills in the background."""
        with self._lock:
            worker = self._idle.pop() if self._idle else None
        if worker is None:
            worker = WorkerHandle(self.socket_dir)
        threading.Thread(target=self.fill, daemon=True).start()
        return worker

    def fill(self) -> None:
        """Starts workers until ``size`` are idle (one filler at a time)."""
        with self._lock:
            if self._filling:
                return
            self._filling = True
        try:
            while True:
                with self._lock:
                    if self._closed or len(self._idle) >= self.size:
                        return
                worker = WorkerHandle(self.socket_dir)
                with self._lock:
                    if not self._closed:
                        self._idle.append(worker)
                        continue
                worker.stop()
                return
        finally:
            with self._lock:
                self._filling = False

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()
