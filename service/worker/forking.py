"""Copying a worker into a new process, and ending workers whose service is gone."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from service.proto import compiler_env_pb2 as pb
from service.proto.errors import CompilerEnvError
from service.sandbox import EXIT_OUT_OF_MEMORY, BusyStamp
from service.worker.loop import Spinner, serve

if TYPE_CHECKING:
    from service.worker.session import Worker

__all__ = ["exit_when_orphaned", "fork_worker"]


def fork_worker(worker: Worker, request: pb.ForkWorkerRequest) -> pb.ForkWorkerReply:
    """Forks this process into a new worker holding the same episode; returns its pid.

    The copy is a grandchild, so that it does not depend on this worker: its
    parent exits at once and the service (a child subreaper) adopts it.
    """
    sockets = worker.open_sockets()
    worker.preloaded.wait()  # a fork copies no thread: let the spare's parse finish first
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # the intermediate process
        os.close(read_end)
        grandchild = os.fork()
        if grandchild == 0:
            os.close(write_end)
            _become_fork(worker, request, sockets, intermediate=os.getppid())
        os.write(write_end, grandchild.to_bytes(4, "little"))
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        pid = int.from_bytes(pipe.read(4), "little")
    os.waitpid(child, 0)
    if not pid:
        raise CompilerEnvError("forking the worker failed")
    return pb.ForkWorkerReply(pid=pid)


def _become_fork(
    worker: Worker, request: pb.ForkWorkerRequest, sockets: list, *, intermediate: int
) -> None:
    """The new worker's life: new sockets and directory, the same Worker object."""
    status = 0
    try:
        for sock in sockets:
            sock.close()  # the original's: closing our copies leaves them open there
        os.setsid()  # a process group of its own: the original's can be killed alone
        os.chdir(request.workdir)
        exit_when_orphaned({request.service_pid, intermediate})
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(request.listen)
        listener.listen(4)  # before calling back: clients may connect as soon as we do
        control = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        control.connect(request.control)
        serve(worker, control, listener, BusyStamp(request.busy_stamp), Spinner())
    except MemoryError:
        status = EXIT_OUT_OF_MEMORY
    except BaseException:
        traceback.print_exc()
        status = 1
    finally:
        Path(request.listen).unlink(missing_ok=True)
        shutil.rmtree(request.workdir, ignore_errors=True)
        os._exit(status)


def exit_when_orphaned(parents: set[int] | None = None) -> None:
    """Ends this worker when its service dies, even in the middle of a long pass.

    ``parents``: the processes whose child this worker may be (default: its parent now).
    """
    allowed = parents or {os.getppid()}

    def watch() -> None:
        while os.getppid() in allowed:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="orphan-watch").start()
